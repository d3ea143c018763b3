/* The live room page: the count, state changes and announcements, from the socket (or the
   polling fallback). */
(function () {
  "use strict";

  function timeOf(iso) {
    var lang = document.documentElement.lang || "zh-Hans";
    return new Date(iso).toLocaleTimeString(lang, {
      hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Shanghai"
    });
  }

  function addAnnouncement(list, none, item) {
    if (list.querySelector('li[data-id="' + String(item.id) + '"]')) {
      return;
    }
    var li = document.createElement("li");
    li.setAttribute("data-id", String(item.id));
    var time = document.createElement("time");
    time.setAttribute("datetime", item.at);
    time.textContent = timeOf(item.at);
    var text = document.createElement("span");
    text.textContent = item.text;
    li.appendChild(time);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(text);
    list.appendChild(li);
    none.hidden = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("live-room");
    if (!root || !window.LiveSocket) {
      return;
    }
    var phase = root.getAttribute("data-phase");
    if (phase !== "lobby" && phase !== "live") {
      return;
    }
    var text = JSON.parse(document.getElementById("live-text").textContent);
    var count = document.getElementById("live-count");
    var status = document.getElementById("live-status");
    var list = document.getElementById("announcements");
    var none = document.getElementById("no-announcements");
    var final = false;

    function say(message) {
      if (status.textContent !== message) {
        status.textContent = message;
      }
    }
    function show(value) {
      if (typeof value === "number") {
        count.textContent = String(value);
      }
    }

    var socket = new window.LiveSocket(root, {
      welcome: function (message) { show(message.count); },
      count: function (message) {
        show(message.count);
        (message.announcements || []).forEach(function (item) { addAnnouncement(list, none, item); });
      },
      announcement: function (message) { addAnnouncement(list, none, message); },
      state: function (message) {
        if (message.state === "moved") {
          say(text.moved.replace("%(start)s", timeOf(message.starts_at)));
        } else if (text[message.state]) {
          say(text[message.state]);
        }
        final = message.state === "ended" || message.state === "cancelled" || !message.open;
      },
      status: function (which) {
        if (!final && text[which]) {
          say(text[which]);
        }
      },
      closed: function () {
        if (!final) {
          say(text.closed);
        }
        final = true;
      }
    });
    socket.start();
  });
})();
