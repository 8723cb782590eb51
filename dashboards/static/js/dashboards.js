// Progressive enhancement for the dashboards; every page works without it.
(function () {
  "use strict";
  // No control here submits on selection alone (WCAG 3.2.2): the site selector and the
  // "anonymous" checkbox apply with their button, so an arrow key or Space never
  // reloads the page under the person's hands.
  // The print button is hidden without JavaScript (the browser's own print works).
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
