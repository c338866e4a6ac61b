// Draws every chart of the page: <script type="application/json" data-chart="ID"> holds a
// Vega-Lite spec made on the server (miara.analytics.charts); the element #ID receives it.
// Without JavaScript the page still has each chart's table and text summary.
(function () {
  "use strict";
  function draw() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("script[data-chart]").forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-chart"));
      if (!target || target.dataset.drawn) return;
      target.dataset.drawn = "1";
      var spec = JSON.parse(node.textContent);
      window.vegaEmbed(target, spec, { actions: false, renderer: "svg" }).then(function (result) {
        // The drawing is decorative for assistive technology: the figure's caption and
        // table carry the same information, so hide the SVG's own unlabelled parts.
        var svg = target.querySelector("svg");
        if (svg) { svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false"); }
        target.classList.add("chart--drawn");
      }).catch(function (error) {
        target.classList.add("chart--failed");
        if (window.console) console.error(error);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
  window.miaraDrawCharts = draw;
})();
