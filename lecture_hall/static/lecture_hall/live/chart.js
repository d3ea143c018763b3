/* A viewers-over-time line chart on the vendored uPlot (no CDN): Beijing time on the x axis. */
(function () {
  "use strict";

  function widthOf(element) {
    return Math.max(280, Math.floor(element.getBoundingClientRect().width || 600));
  }

  function beijing(ts) {
    return window.uPlot.tzDate(new Date(ts * 1000), "Asia/Shanghai");
  }

  var TIME_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];
  var minutes = null;
  var seconds = null;

  function timeLabels(u, splits) {
    minutes = minutes || window.uPlot.fmtDate("{HH}:{mm}");
    seconds = seconds || window.uPlot.fmtDate("{HH}:{mm}:{ss}");
    var short = (u.scales.x.max - u.scales.x.min) < 600;
    return splits.map(function (s) { return (short ? seconds : minutes)(beijing(s)); });
  }

  function create(element, points, labels) {
    var xs = points.map(function (p) { return p[0]; });
    var ys = points.map(function (p) { return p[1]; });
    var options = {
      width: widthOf(element),
      height: 260,
      tzDate: beijing,
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(5, max + 1)]; } } },
      // Ticks on whole seconds and round minutes only: in a talk's first seconds uPlot's
      // default sub-second ticks printed the same HH:MM:SS several times.
      axes: [{ label: labels.time, values: timeLabels, incrs: TIME_STEPS }, { label: labels.viewers }],
      legend: { show: true },
      series: [
        { label: labels.time },
        {
          label: labels.viewers,
          stroke: "#9e1b1b",
          width: 2,
          fill: "rgba(158, 27, 27, 0.08)",
          paths: window.uPlot.paths.stepped({ align: 1 })
        }
      ]
    };
    var plot = new window.uPlot(options, [xs, ys], element);
    window.addEventListener("resize", function () {
      plot.setSize({ width: widthOf(element), height: 260 });
    });
    return {
      push: function (second, value) {
        if (xs.length && second <= xs[xs.length - 1]) {
          ys[ys.length - 1] = value;
        } else {
          xs.push(second);
          ys.push(value);
        }
        plot.setData([xs, ys]);
      },
      last: function () { return ys.length ? ys[ys.length - 1] : null; }
    };
  }

  window.LiveChart = { create: create };
})();
