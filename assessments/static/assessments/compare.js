// Filter the list of cities to pick as the member types; the list works without it.
(function () {
  "use strict";
  const filter = document.getElementById("picked-filter");
  const select = document.getElementById("picked-cities");
  if (!filter || !select) return;
  filter.hidden = false;
  filter.addEventListener("input", function () {
    const needle = filter.value.trim().toLocaleLowerCase();
    for (const option of select.options) {
      // Chosen cities stay visible, so a filter never hides what will be sent.
      option.hidden = needle !== "" && !option.selected && !option.text.toLocaleLowerCase().includes(needle);
    }
  });
  // Picking cities means comparing with them.
  select.addEventListener("change", function () {
    const picked = document.getElementById("group-picked");
    if (picked && select.selectedOptions.length) picked.checked = true;
  });
})();
