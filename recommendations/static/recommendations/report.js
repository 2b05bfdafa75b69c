// Follows the report's progress on its page: asks the status endpoint every few seconds until the
// report is ready (or failed) and nothing is on its way, then reloads once so the page shows the
// download and the recipients. Without JavaScript the page offers a reload link instead.
(function () {
  "use strict";
  var box = document.getElementById("report-status");
  if (!box || box.dataset.done === "true") {
    return;
  }
  var label = document.getElementById("report-state-label");
  var queueUnavailable = document.getElementById("report-queue-unavailable");
  var url = box.dataset.statusUrl;
  var shown = box.dataset.state;
  var delay = 2000;

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        label.textContent = state.label;
        if (queueUnavailable) {
          queueUnavailable.hidden = !state.queue_unavailable;
        }
        if (state.done || state.state !== shown) {
          if (state.done) {
            window.location.reload();
            return;
          }
          shown = state.state;
        }
        window.setTimeout(check, delay);
      })
      .catch(function () {
        // A network hiccup: try again, more slowly.
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(check, delay);
      });
  }
  window.setTimeout(check, delay);
})();
