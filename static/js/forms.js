// After a failed submit, move focus to the error summary (the GOV.UK pattern), so a
// keyboard or screen-reader user starts from the list of problems. The summary also
// carries `autofocus` for browsers that honour it without this script.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
