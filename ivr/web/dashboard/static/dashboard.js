// The dashboard's behaviour: live rows over Server-Sent Events, and charts drawn with the
// vendored uPlot (uPlot.iife.min.js, MIT, see uPlot.LICENSE.txt). Pages work without it: the
// tables are the data, the charts a view of them.
(function () {
  "use strict";

  function live() {
    var board = document.getElementById("live-board");
    if (!board || !window.EventSource) { return; }
    var status = document.getElementById("stream-status");
    var source = new EventSource(board.dataset.events);
    source.onmessage = function (event) {
      board.innerHTML = JSON.parse(event.data);
      status.textContent = status.dataset.updated + " " +
        new Date().toLocaleTimeString(document.documentElement.lang);
    };
    source.addEventListener("signed-out", function () {
      source.close();
      window.location.assign(board.dataset.signIn);
    });
    source.onerror = function () { status.textContent = status.dataset.lost; };
  }

  var COLOURS = { "kept": "#155724", "objected": "#b35900", "not-recorded": "#4a4a4a",
    "abandoned": "#0a4fa8", "private": "#6f2da8" };

  var COUNTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];  // whole calls

  function width(element) { return Math.max(320, element.clientWidth || 700); }

  // Lines for the guard's rules: dark enough against white (3:1 at least for graphics).
  var PALETTE = ["#8c0b1e", "#0a4fa8", "#6b4200", "#155724", "#6f2da8", "#1b1b1b", "#a3246b",
    "#005f73", "#4a4a4a", "#7a3e00"];

  function byDay(chart, element, colour, yLabel) {
    var names = Object.keys(chart.series);
    var series = [{ label: chart.words.day }].concat(names.map(function (name, n) {
      return { label: chart.labels[name], stroke: colour(name, n), width: 2 };
    }));
    var data = [chart.days].concat(names.map(function (name) { return chart.series[name]; }));
    new window.uPlot({ width: width(element), height: 260, series: series,
      axes: [{}, { label: yLabel, incrs: COUNTS }] }, data, element);
  }

  function decisionColour(name) { return COLOURS[name] || "#1b1b1b"; }

  function ruleColour(name, n) { return PALETTE[n % PALETTE.length]; }

  function latency(chart, element) {
    var edges = chart.latency.edges;
    var xs = edges.map(function (_, n) { return n; });
    var label = function (n) {
      return n === edges.length - 1 ? "≥ " + edges[n] : edges[n] + "–" + edges[n + 1];
    };
    new window.uPlot({ width: width(element), height: 220,
      scales: { x: { time: false, range: [-0.5, edges.length - 0.5] } },  // whole first bar
      series: [{ label: chart.words.seconds,
        value: function (u, n) { return n == null ? "" : label(n); } },
        { label: chart.words.count, fill: "#0a4fa8", stroke: "#0a4fa8",
          paths: window.uPlot.paths.bars({ size: [0.6] }) }],
      axes: [{ label: chart.words.seconds, values: function (u, ticks) {
        return ticks.map(function (n) { return Number.isInteger(n) ? label(n) : ""; });
      } }, { label: chart.words.count, incrs: COUNTS }] }, [xs, chart.latency.counts], element);
  }

  function charts() {
    if (!window.uPlot) { return; }
    var guard = document.getElementById("guard-data");
    var refusals = document.getElementById("chart-refusals");
    if (guard && refusals) {
      var rules = JSON.parse(guard.textContent);
      byDay(rules, refusals, ruleColour, rules.words.refusals);
    }
    var source = document.getElementById("outcomes-data");
    if (!source) { return; }
    var chart = JSON.parse(source.textContent);
    var days = document.getElementById("chart-by-day");
    if (days) { byDay(chart, days, decisionColour, chart.words.count); }
    var histogram = document.getElementById("chart-latency");
    if (histogram) { latency(chart, histogram); }
  }

  document.addEventListener("DOMContentLoaded", function () { live(); charts(); });
})();
