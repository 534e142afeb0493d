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
  /* short numbers in the page's language (the twin of silkhub.i18n.format.fmt_axis):
   * zh 1.6万亿 / 162亿 / 5.2万, en 1.6T / 16.2B / 3.4M / 52k */
  var ZH = (document.documentElement.lang || "").indexOf("zh") === 0;
  var UNITS = ZH ? [[1e12, "万亿"], [1e8, "亿"], [1e4, "万"]]
                 : [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
  function trim1(x) {
    var r = Math.round(x * 10) / 10;
    return (r % 1 === 0 ? r.toFixed(0) : r.toFixed(1)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function compact(v) {
    if (typeof v !== "number" || !isFinite(v)) return v;
    var a = Math.abs(v);
    for (var i = 0; i < UNITS.length; i++) {
      if (a >= UNITS[i][0]) return trim1(v / UNITS[i][0]) + UNITS[i][1];
    }
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
    /* a continuous map legend names its ends in the page's units too (万亿 / 亿 in zh) */
    var vm = option.visualMap;
    if (vm && !vm.pieces && typeof vm.max === "number") vm.text = [compact(vm.max), compact(vm.min || 0)];
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
  /* bar charts: every category label shown (one bar each), truncated to fit a phone, the
   * chart as tall as its bars need, and few value-axis ticks on narrow screens */
  function fitBars(option, el) {
    var cat = axes(option.yAxis).filter(function (a) { return a.type === "category"; })[0];
    if (!cat) return option;
    var width = el.clientWidth, narrow = width < 560, n = (cat.data || []).length;
    cat.axisLabel = Object.assign({}, cat.axisLabel, {
      interval: 0, width: Math.round(width * (narrow ? 0.32 : 0.28)), overflow: "truncate",
      fontSize: narrow ? 11 : 12
    });
    axes(option.xAxis).forEach(function (ax) {
      if (narrow && ax.type === "value") { ax.splitNumber = 3; }
    });
    var need = n * (narrow ? 20 : 22) + 48;
    if (need > el.clientHeight) el.style.height = need + "px";
    return option;
  }
  /* CJK text has no spaces: break it every n/2 characters; other text at spaces */
  function wrap(text, n) {
    text = String(text);
    if (/[\u3000-\u9fff]/.test(text) && text.indexOf(" ") < 0) {
      var m = Math.max(4, Math.floor(n / 2)), out = [];
      for (var i = 0; i < text.length; i += m) out.push(text.slice(i, i + m));
      return out.join("\n");
    }
    var words = text.split(" "), lines = [], cur = "";
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
      fitBars(option, el);
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
