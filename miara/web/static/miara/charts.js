// Draws every chart of the page: <script type="application/json" data-chart="ID"> holds a
// Vega-Lite spec made on the server (miara.analytics.charts); the element #ID receives it.
// Without JavaScript the page still has each chart's table and text summary.
(function () {
  "use strict";
  // Numbers and dates in the page's language, as the server writes them next to the chart
  // (presentation/numbers.py): "1 044,9" in Polish and Czech, "1,044.9" in English.
  var NBSP = "\u00a0";
  var FORMAT = {
    pl: { decimal: ",", thousands: NBSP, grouping: [3], currency: ["", NBSP + "zł"] },
    cs: { decimal: ",", thousands: NBSP, grouping: [3], currency: ["", NBSP + "Kč"] },
    en: { decimal: ".", thousands: ",", grouping: [3], currency: ["", ""] }
  };
  var TIME = {
    pl: {
      dateTime: "%A, %e %B %Y, %X", date: "%d.%m.%Y", time: "%H:%M:%S", periods: ["", ""],
      days: ["niedziela", "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota"],
      shortDays: ["niedz.", "pon.", "wt.", "śr.", "czw.", "pt.", "sob."],
      months: ["styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec",
               "sierpień", "wrzesień", "październik", "listopad", "grudzień"],
      shortMonths: ["sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź",
                    "lis", "gru"]
    },
    cs: {
      dateTime: "%A, %e. %B %Y, %X", date: "%d.%m.%Y", time: "%H:%M:%S", periods: ["", ""],
      days: ["neděle", "pondělí", "úterý", "středa", "čtvrtek", "pátek", "sobota"],
      shortDays: ["ne", "po", "út", "st", "čt", "pá", "so"],
      months: ["leden", "únor", "březen", "duben", "květen", "červen", "červenec", "srpen",
               "září", "říjen", "listopad", "prosinec"],
      shortMonths: ["led", "úno", "bře", "dub", "kvě", "čer", "črc", "srp", "zář", "říj",
                    "lis", "pro"]
    },
    en: {
      dateTime: "%a %e %b %Y, %X", date: "%d %b %Y", time: "%H:%M:%S", periods: ["AM", "PM"],
      days: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
      shortDays: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
      months: ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"],
      shortMonths: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                    "Nov", "Dec"]
    }
  };
  function language() {
    var lang = (document.documentElement.getAttribute("lang") || "en").slice(0, 2).toLowerCase();
    return FORMAT[lang] ? lang : "en";
  }
  function draw() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("script[data-chart]").forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-chart"));
      if (!target || target.dataset.drawn) return;
      target.dataset.drawn = "1";
      var spec = JSON.parse(node.textContent);
      window.vegaEmbed(target, spec, {
        actions: false, renderer: "svg",
        // Expressions interpreted, not compiled with new Function(): the page's
        // Content-Security-Policy allows no eval.
        ast: true,
        formatLocale: FORMAT[language()], timeFormatLocale: TIME[language()]
      }).then(function (result) {
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
