// Progressive enhancement for the thread page: "Reply" fills in which post is answered
// and moves focus to the reply box without reloading. Without JavaScript the link
// reloads the page with ?reply_to=<id>, which does the same on the server.
(function () {
  "use strict";
  var form = document.querySelector("#reply ~ form");
  if (!form) { return; }
  var parent = form.querySelector("input[name='parent']");
  var body = form.querySelector("textarea[name='body']");
  var target = document.getElementById("reply-target");
  document.querySelectorAll("a[data-reply-to]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!parent || !body) { return; }
      event.preventDefault();
      parent.value = link.getAttribute("data-reply-to");
      if (target) {
        target.textContent = (target.getAttribute("data-template") || "{name}")
          .replace("{name}", link.getAttribute("data-reply-name"));
      }
      body.focus();
    });
  });
}());
