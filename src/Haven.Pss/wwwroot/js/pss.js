// PSS portal behaviour: charts drawn from each canvas's data-chart attribute (the page always shows the same figures
// in a table), announcements after htmx updates, focus on the error summary. Loaded after htmx and haven.js; no inline
// script anywhere (CSP).
(function () {
  "use strict";

  var primary = "#3b3a8f";
  var energy = "#7a4b00";
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      canvas.dataset.drawn = "1";
      var data = JSON.parse(canvas.getAttribute("data-chart"));
      var common = { responsive: true, maintainAspectRatio: false, animation: reducedMotion ? false : undefined };
      if (data.kind === "mood_bars") {
        new window.Chart(canvas, {
          type: "bar",
          data: { labels: data.labels, datasets: [{ label: "Entries", data: data.counts, backgroundColor: primary }] },
          options: Object.assign({}, common, { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } })
        });
        return;
      }
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            { label: "Average mood (1–5)", data: data.mood, borderColor: primary, backgroundColor: primary, yAxisID: "mood", spanGaps: true, pointStyle: "circle", pointRadius: 4 },
            { label: "Average energy (1–10)", data: data.energy, borderColor: energy, backgroundColor: energy, yAxisID: "energy", spanGaps: true, borderDash: [6, 4], pointStyle: "rectRot", pointRadius: 5 }
          ]
        },
        options: Object.assign({}, common, {
          scales: {
            mood: { type: "linear", position: "left", min: 1, max: 5, title: { display: true, text: "Mood" } },
            energy: { type: "linear", position: "right", min: 1, max: 10, grid: { drawOnChartArea: false }, title: { display: true, text: "Energy" } }
          }
        })
      });
    });
  }

  function focusErrors(root) {
    var summary = root.querySelector("[data-focus]");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    focusErrors(document);
  });

  // After htmx replaces part of a page: draw any new chart, move focus to new errors, and say what changed.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var root = target && target.isConnected ? target : document;
    drawCharts(root);
    focusErrors(root);
    var announce = root.querySelector ? root.querySelector("[data-announce]") : null;
    var text = announce ? announce.getAttribute("data-announce") : "";
    if (text && window.Haven && window.Haven.announce) window.Haven.announce(text);
  });
})();
