/* The lecturer's live panel: count, peak and distinct viewers, and the viewers chart, fed by
   the room's socket (a panel connection is not counted as a viewer). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("live-panel");
    if (!root || !window.LiveSocket || !window.LiveChart || !window.uPlot) {
      return;
    }
    var text = JSON.parse(document.getElementById("live-text").textContent);
    var curve = JSON.parse(document.getElementById("live-curve").textContent);
    var chart = window.LiveChart.create(document.getElementById("viewers-chart"), curve, text);
    var status = document.getElementById("live-status");
    var list = document.getElementById("announcements");
    var none = document.getElementById("no-announcements");

    function set(id, value) {
      if (typeof value === "number") {
        document.getElementById(id).textContent = String(value);
      }
    }
    function update(message) {
      set("stat-count", message.count);
      set("stat-peak", message.peak);
      set("stat-distinct", message.distinct);
      if (typeof message.count === "number") {
        chart.push(Math.floor(message.at || Date.now() / 1000), message.count);
      }
    }

    var phase = root.getAttribute("data-phase");
    if (phase !== "lobby" && phase !== "live") {
      return;
    }
    // Keep the line moving to "now" while the count stays the same.
    window.setInterval(function () {
      var last = chart.last();
      if (last !== null) {
        chart.push(Math.floor(Date.now() / 1000), last);
      }
    }, 5000);

    var socket = new window.LiveSocket(root, {
      welcome: update,
      stats: update,
      announcement: function (item) {
        if (list.querySelector('li[data-id="' + String(item.id) + '"]')) {
          return;
        }
        var li = document.createElement("li");
        li.setAttribute("data-id", String(item.id));
        li.textContent = item.text;
        list.appendChild(li);
        none.hidden = true;
      },
      status: function (which) {
        if (text[which]) {
          status.textContent = text[which];
        }
      },
      closed: function () { status.textContent = text.closed; }
    });
    socket.start();
  });
})();
