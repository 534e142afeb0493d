/* silkhub: draw the ECharts figures embedded in the page (progressive enhancement).
 * Each .chart[data-chart] holds its option as JSON in a <script type="application/json">.
 * Charts use the SVG renderer; maps load /geo/world.json (vendored world-atlas) once. */
(function () {
  "use strict";
  var worldPromise = null;
  function loadWorld() {
    if (!worldPromise) {
      worldPromise = fetch("/geo/world.json").then(function (r) { return r.json(); })
        .then(function (geo) { echarts.registerMap("world", geo); return geo; });
    }
    return worldPromise;
  }
  function mapTooltip(p) {
    var d = p.data || {};
    var name = d.label_text || p.name;
    if (d.category) return name + ": " + d.category;
    if (typeof d.value === "number") return name + ": " + d.value.toLocaleString();
    return name;
  }
  function compact(v) {
    if (typeof v !== "number" || !isFinite(v)) return v;
    var a = Math.abs(v);
    if (a >= 1e12) return (v / 1e12).toFixed(1) + "T";
    if (a >= 1e9) return (v / 1e9).toFixed(1) + "B";
    if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
    return String(Math.round(v * 100) / 100);
  }
  function axes(a) { return !a ? [] : (Array.isArray(a) ? a : [a]); }
  /* readable numbers: value axes, bar labels and tooltips use 1.2B / 3.4M */
  function formatNumbers(option) {
    axes(option.xAxis).concat(axes(option.yAxis)).forEach(function (ax) {
      if (ax.type === "value") { ax.axisLabel = ax.axisLabel || {}; ax.axisLabel.formatter = compact; }
    });
    (option.series || []).forEach(function (s) {
      if (s.type === "bar" && s.label) s.label.formatter = function (p) { return compact(p.value); };
    });
    if (option.tooltip && option.tooltip.trigger === "axis") option.tooltip.valueFormatter = compact;
    return option;
  }
  /* narrow screens: wrap long radar axis names and shrink the radar so names fit */
  function fitRadar(option, width) {
    if (!option.radar || width >= 560) return option;
    option.radar.radius = "40%";
    option.radar.center = ["50%", "46%"];
    option.radar.indicator.forEach(function (ind) { ind.name = wrap(ind.name, 12); });
    return option;
  }
  function wrap(text, n) {
    var words = String(text).split(" "), lines = [], cur = "";
    words.forEach(function (w) {
      if (cur && (cur + " " + w).length > n) { lines.push(cur); cur = w; } else { cur = cur ? cur + " " + w : w; }
    });
    if (cur) lines.push(cur);
    return lines.join("\n");
  }
  function draw(el) {
    if (el.dataset.drawn) return;
    var src = el.querySelector('script[type="application/json"]');
    if (!src) return;
    var option = JSON.parse(src.textContent);
    var isMap = !!option.geo || (option.series || []).some(function (s) { return s.type === "map"; });
    var ready = isMap ? loadWorld() : Promise.resolve();
    ready.then(function () {
      if (isMap) option.tooltip = { trigger: "item", formatter: mapTooltip };
      if (option.geo) option.tooltip = { trigger: "item", formatter: function (p) {
        return p.name + (p.value && p.value.length > 2 ? ": " + compact(p.value[2]) : "");
      } };
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(fitRadar(formatNumbers(option), el.clientWidth));
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    }).catch(function (err) {
      el.dataset.error = String(err);
    });
  }
  function drawAll(root) {
    if (typeof echarts === "undefined") return;
    (root || document).querySelectorAll(".chart[data-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
  /* move focus to the error summary of a rejected form */
  document.addEventListener("DOMContentLoaded", function () {
    var errs = document.getElementById("form-errors");
    if (errs) errs.focus();
  });
})();
