// Live poll results: re-reads each poll's JSON every few seconds and updates the
// counts in place. Without JavaScript the page shows the results as of loading.
(function () {
  "use strict";
  var INTERVAL_MS = 5000;
  // Figures as the page's language writes them (1 234, 85 %), as the server does.
  var lang = document.documentElement.lang || undefined;
  var asPercent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  var asCount = new Intl.NumberFormat(lang);
  var polls = document.querySelectorAll(".poll[data-results-url]");
  if (!polls.length || !window.fetch) { return; }

  function render(poll, data) {
    data.options.forEach(function (option) {
      var row = poll.querySelector('tr[data-option="' + option.id + '"]');
      if (!row) { return; }
      row.querySelector(".votes").textContent = asCount.format(option.votes);
      row.querySelector(".percent").textContent = asPercent.format(option.percent / 100);
      var bar = row.querySelector(".bar");
      if (bar) { bar.value = option.percent; }
    });
    var voters = poll.querySelector(".voter-count");
    if (voters) { voters.textContent = asCount.format(data.voter_count); }
  }

  function refresh() {
    if (document.hidden) { return; }
    polls.forEach(function (poll) {
      fetch(poll.getAttribute("data-results-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) { render(poll, data); } })
        .catch(function () { /* keep the last results shown */ });
    });
  }

  window.setInterval(refresh, INTERVAL_MS);
})();
