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
      showErrors(result.errors || {});
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

  // The messages of the last autosave beside their fields, as a normal save shows them; fixed fields lose theirs.
  function showErrors(errors) {
    for (const shown of form.querySelectorAll("[data-error-for]")) {
      if (!(shown.dataset.errorFor in errors)) shown.remove();
    }
    for (const input of form.querySelectorAll(".is-invalid")) {
      if (!(input.name in errors)) input.classList.remove("is-invalid");
    }
    for (const [name, messages] of Object.entries(errors)) {
      const inputs = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
      if (!inputs.length) continue;
      const last = inputs[inputs.length - 1];
      const choice = last.type === "radio" || last.type === "checkbox";
      if (!choice) last.classList.add("is-invalid");
      for (const old of form.querySelectorAll(`[data-error-for="${CSS.escape(name)}"]`)) old.remove();
      let after = choice ? last.closest(".form-check") || last : last;
      for (const message of messages) {
        const feedback = document.createElement("div");
        feedback.className = "invalid-feedback d-block";
        feedback.dataset.errorFor = name;
        feedback.textContent = message;
        after.after(feedback);
        after = feedback;
      }
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

// The evidence rule beside each question: a level that needs a note or a link says so as soon as it is chosen,
// not first on the review page. Without this script the page shows the same hint once the answer is saved.
(function () {
  "use strict";
  for (const question of document.querySelectorAll("fieldset.question[data-evidence-options]")) {
    const hint = document.getElementById(`${question.id}-evidence`);
    if (!hint) continue;
    const levels = question.dataset.evidenceOptions.split(" ");
    const details = question.querySelector("details");
    const update = function () {
      const chosen = question.querySelector("input[type=radio]:checked");
      const evidence = Array.from(question.querySelectorAll("details textarea, details input[type=url]")).some(
        (field) => field.value.trim() !== "" && !field.classList.contains("is-invalid"),
      );
      const lacking = Boolean(chosen && levels.includes(chosen.value) && !evidence);
      if (lacking && hint.hidden && details) details.open = true;
      hint.hidden = !lacking;
    };
    question.addEventListener("change", update);
    question.addEventListener("input", update);
  }
})();
