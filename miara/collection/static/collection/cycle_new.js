// The new-cycle form: 'select all' boxes and the unit-type filter (kept out of the page
// so the Content-Security-Policy can forbid inline scripts).
(function () {
  // Progressive enhancement: without JavaScript every box is still ticked by hand.
  document.querySelectorAll("[data-select-all]").forEach(function (master) {
    var scope = document.getElementById(master.getAttribute("data-select-all"));
    function boxes() {
      return Array.prototype.filter.call(
        scope.querySelectorAll('input[name="variables"], input[name="units"]'),
        function (box) { return !box.closest("[hidden]"); });
    }
    function sync() {
      var all = boxes();
      var ticked = all.filter(function (b) { return b.checked; }).length;
      master.checked = all.length > 0 && ticked === all.length;
      master.indeterminate = ticked > 0 && ticked < all.length;
    }
    master.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = master.checked; });
    });
    scope.addEventListener("change", sync);
    document.addEventListener("units-filtered", sync);
    sync();
  });
  var filter = document.querySelector("[data-unit-filter]");
  if (filter) {
    filter.addEventListener("change", function () {
      document.querySelectorAll("#unit-list li").forEach(function (item) {
        item.hidden = filter.value !== "" && item.getAttribute("data-type") !== filter.value;
      });
      document.dispatchEvent(new Event("units-filtered"));
    });
  }
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();
