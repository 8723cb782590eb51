/* Progressive enhancement of the import status page: poll the batch's JSON status and
   update the progress bar; reload when the status changes. Without JavaScript the page
   refreshes itself (meta refresh) and offers a "Refresh now" link. */
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var status = box.getAttribute("data-status");
  var running = ["uploaded", "validating", "queued", "committing"];
  if (running.indexOf(status) === -1) { return; }
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) { refresh.parentNode.removeChild(refresh); }
  var bar = document.getElementById("import-progress");
  var percent = document.getElementById("import-percent");
  // The share as the page's language writes it (85 %, 85%), as the server does.
  var asPercent = new Intl.NumberFormat(document.documentElement.lang || undefined,
    { style: "percent", maximumFractionDigits: 0 });
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (batch) {
        if (!batch) { window.setTimeout(poll, 5000); return; }
        if (batch.status !== status) { window.location.reload(); return; }
        if (bar) { bar.value = batch.progress_percent; bar.textContent = asPercent.format(batch.progress_percent / 100); }
        if (percent) { percent.textContent = asPercent.format(batch.progress_percent / 100); }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
