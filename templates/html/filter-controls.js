// Filters the index of controls by status and family. Inlined in index.html (whose
// Content-Security-Policy allows this script by its SHA-256); it fetches nothing.
(function () {
  "use strict";
  var status = document.getElementById("filter-status");
  var family = document.getElementById("filter-family");
  var shown = document.getElementById("shown");
  var rows = document.querySelectorAll("#controls tbody tr");
  function apply() {
    var count = 0;
    rows.forEach(function (row) {
      var visible = (!status.value || row.dataset.status === status.value) &&
        (!family.value || row.dataset.family === family.value);
      row.hidden = !visible;
      if (visible) {
        count += 1;
      }
    });
    shown.textContent = count + " of " + rows.length + " controls shown";
  }
  status.addEventListener("change", apply);
  family.addEventListener("change", apply);
  apply();
}());
