// Autosave for a wizard step: posts the form in the background when something changed, so that a
// member who closes the tab loses at most a few seconds of work. The page works without it.
(function () {
  "use strict";
  const form = document.getElementById("step-form");
  const state = document.getElementById("save-state");
  if (!form || !state || !form.dataset.autosave) return;
  const intervalMs = Number(form.dataset.autosave) * 1000;
  let dirty = false;
  let saving = false;
  let lastSaved = null;

  function show(text) { state.textContent = text; }
  function markDirty() { dirty = true; show(state.dataset.unsaved); }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);

  async function save() {
    if (!dirty || saving) return;
    saving = true;
    dirty = false;
    show(state.dataset.saving);
    const data = new FormData(form);
    data.set("autosave", "1");
    try {
      const response = await fetch(window.location.href, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const result = await response.json();
      // The server answers with the revisions it now holds, so the next save is not a conflict.
      for (const [name, value] of Object.entries(result.revisions || {})) {
        const input = form.querySelector(`input[type=hidden][name="${CSS.escape(name)}"]`);
        if (input) input.value = value;
      }
      if (result.saved) {
        lastSaved = Date.now();
        show(state.dataset.saved.replace("%s", "0"));
      } else {
        show(state.dataset.problem);
      }
    } catch (error) {
      dirty = true;
      show(state.dataset.failed);
    } finally {
      saving = false;
    }
  }

  setInterval(save, intervalMs);
  setInterval(function () {
    if (lastSaved && !dirty && !saving) {
      show(state.dataset.saved.replace("%s", String(Math.round((Date.now() - lastSaved) / 1000))));
    }
  }, 5000);
  // A normal submit saves everything itself.
  form.addEventListener("submit", function () { dirty = false; });
})();
