/* The attendance page's curve (the same figures are in the table and the CSV). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("attendance-data");
    var element = document.getElementById("attendance-chart");
    if (!data || !element || !window.LiveChart || !window.uPlot) {
      return;
    }
    var chart = JSON.parse(data.textContent);
    window.LiveChart.create(element, chart.points, { viewers: chart.viewers, time: chart.time });
  });
})();
