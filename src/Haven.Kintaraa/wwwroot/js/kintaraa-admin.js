// Kintaraa admin portal behaviour: charts drawn from each canvas's data-chart attribute (the page always shows the
// same figures in a table), focus on a refused change, announcements after htmx updates. No inline script (CSP).
(function () {
  "use strict";

  // Distinct in hue and lightness, each at least 3:1 against white (WCAG 1.4.11); lines also differ by dash and point.
  var colours = ["#3b3a8f", "#9a4a00", "#1d6b43", "#8f2d56"];
  var dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var points = ["circle", "rectRot", "triangle", "rect"];
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      canvas.dataset.drawn = "1";
      var data = JSON.parse(canvas.getAttribute("data-chart"));
      var line = data.kind === "line";
      new window.Chart(canvas, {
        type: line ? "line" : "bar",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (s, i) {
            var c = colours[i % colours.length];
            return line
              ? { label: s.label, data: s.values, borderColor: c, backgroundColor: c, borderDash: dashes[i % dashes.length], pointStyle: points[i % points.length], pointRadius: 3, spanGaps: true }
              : { label: s.label, data: s.values, backgroundColor: c };
          })
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: reducedMotion ? false : undefined,
          plugins: { legend: { display: data.series.length > 1 } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  }

  function focusProblem(root) {
    var problem = root.querySelector("[data-focus]");
    if (problem) problem.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    focusProblem(document);
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var root = target && target.isConnected ? target : document;
    drawCharts(root);
    var announce = root.querySelector ? root.querySelector("[data-announce]") : null;
    var text = announce ? announce.getAttribute("data-announce") : "";
    if (text && window.Haven && window.Haven.announce) window.Haven.announce(text);
  });
})();
