// Progressive enhancement for the dashboards; every page works without it.
(function () {
  "use strict";
  // Selects and checkboxes marked js-autosubmit apply at once (the button stays for
  // keyboard and no-JS use).
  document.querySelectorAll(".js-autosubmit").forEach(function (field) {
    field.addEventListener("change", function () {
      if (field.form) { field.form.submit(); }
    });
  });
  // The print button is hidden without JavaScript (the browser's own print works).
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
