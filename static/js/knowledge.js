/* Knowledge pages, progressive enhancement only: every form works without this file.
   - Curation forms: show the "reason" box only for decisions that need one, and the
     asset kind only when promoting a note.
   - Restore buttons: ask before writing an old version as the new current one. */
(function () {
  "use strict";

  function fieldOf(input) {
    return input ? input.closest(".field") : null;
  }

  function setupCuration(form) {
    var radios = form.querySelectorAll('input[name="action"]');
    var reason = fieldOf(form.querySelector('[name="reason"]'));
    var kind = fieldOf(form.querySelector('[name="kind"]'));
    if (!radios.length) return;
    function update() {
      var chosen = form.querySelector('input[name="action"]:checked');
      if (!chosen) return; // nothing chosen yet: every field stays visible
      var value = chosen.value;
      if (reason) reason.hidden = !(value === "request_changes" || value === "decline");
      if (kind) kind.hidden = value !== "promote";
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  document.querySelectorAll(".curation-box form").forEach(setupCuration);

  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
