// Evaluation pages: progressive enhancement only (every page works without it).
// In the survey builder, show only the fields that matter for the chosen kind.
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  if (!kind) { return; }
  var groups = {
    options: ["single", "multiple"],
    scale_min: ["scale"],
    scale_max: ["scale"],
    scale_min_label: ["scale"],
    scale_max_label: ["scale"],
    allows_not_relevant: ["agreement"]
  };
  function update() {
    Object.keys(groups).forEach(function (name) {
      var input = document.getElementById("id_" + name);
      var field = input && input.closest(".field");
      if (field) { field.hidden = groups[name].indexOf(kind.value) === -1; }
    });
  }
  kind.addEventListener("change", update);
  update();
})();
