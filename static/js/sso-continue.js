// Follows the "Continue to <provider>" link at once (copcore/sso/forms.py says why it
// is a link); without JavaScript the person clicks it.
(function () {
  "use strict";
  var link = document.getElementById("sso-continue");
  if (link) {
    window.location.assign(link.href);
  }
})();
