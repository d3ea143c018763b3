/* The live room's connection (docs/live-protocol.md): says hello, sends a heartbeat every
   20 s, reconnects with growing pauses, and, when WebSockets keep failing, falls back politely
   to posting the JSON count endpoint every 20 s (which also counts this viewer). */
(function () {
  "use strict";

  // After these the server meant it: reconnecting would be refused again.
  var FINAL = { 1000: 1, 4400: 1, 4403: 1, 4404: 1, 4405: 1, 4409: 1, 4413: 1, 4429: 1 };
  var MAX_PAUSE_MS = 30000;
  var FAILURES_BEFORE_POLLING = 3;
  var POLLS_BEFORE_RETRY = 15; // try the socket again every ~5 minutes while polling

  function LiveSocket(root, handlers) {
    this.path = root.getAttribute("data-ws-path");
    this.countUrl = root.getAttribute("data-count-url");
    this.viewer = root.getAttribute("data-viewer");
    this.panel = root.getAttribute("data-panel") === "1";
    this.csrf = root.getAttribute("data-csrf") || "";
    this.heartbeatMs = (parseInt(root.getAttribute("data-heartbeat"), 10) || 20) * 1000;
    this.handlers = handlers;
    this.failures = 0;
    this.beatTimer = null;
    this.pollTimer = null;
    this.polls = 0;
    this.stopped = false;
    this.ws = null;
  }

  LiveSocket.prototype.emit = function (name, value) {
    var handler = this.handlers[name];
    if (handler) {
      handler(value);
    }
  };

  LiveSocket.prototype.start = function () {
    if (!("WebSocket" in window)) {
      this.startPolling();
      return;
    }
    this.connect();
  };

  LiveSocket.prototype.connect = function () {
    var self = this;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws;
    try {
      ws = new WebSocket(scheme + window.location.host + this.path);
    } catch (error) {
      this.failed();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", function () {
      ws.send(JSON.stringify({ type: "hello", viewer: self.viewer, panel: self.panel }));
    });
    ws.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type === "welcome") {
        self.welcomed();
      }
      self.emit(message.type, message);
    });
    ws.addEventListener("close", function (event) {
      self.ws = null;
      window.clearInterval(self.beatTimer);
      self.beatTimer = null;
      if (self.stopped) {
        return;
      }
      if (FINAL[event.code]) {
        self.stop();
        self.emit("closed", event.code);
        return;
      }
      self.failed();
    });
  };

  LiveSocket.prototype.welcomed = function () {
    var self = this;
    this.failures = 0;
    this.stopPolling();
    this.emit("status", "live");
    window.clearInterval(this.beatTimer);
    this.beatTimer = window.setInterval(function () {
      if (self.ws && self.ws.readyState === WebSocket.OPEN) {
        self.ws.send(JSON.stringify({ type: "heartbeat" }));
      }
    }, this.heartbeatMs);
  };

  LiveSocket.prototype.failed = function () {
    var self = this;
    this.failures += 1;
    if (this.failures >= FAILURES_BEFORE_POLLING) {
      this.startPolling();
      return;
    }
    this.emit("status", "reconnecting");
    var pause = Math.min(MAX_PAUSE_MS, 1000 * Math.pow(2, this.failures));
    window.setTimeout(function () {
      if (!self.stopped) {
        self.connect();
      }
    }, pause / 2 + Math.random() * pause / 2);
  };

  LiveSocket.prototype.startPolling = function () {
    var self = this;
    if (this.pollTimer !== null) {
      return;
    }
    this.emit("status", "polling");
    this.polls = 0;
    this.poll();
    this.pollTimer = window.setInterval(function () {
      self.polls += 1;
      if (self.polls % POLLS_BEFORE_RETRY === 0 && "WebSocket" in window && !self.ws) {
        self.connect();
      }
      self.poll();
    }, this.heartbeatMs);
  };

  LiveSocket.prototype.stopPolling = function () {
    window.clearInterval(this.pollTimer);
    this.pollTimer = null;
  };

  LiveSocket.prototype.poll = function () {
    var self = this;
    // A viewer's post counts them (like a heartbeat); a panel only reads.
    var options = this.panel || !this.csrf
      ? { credentials: "same-origin" }
      : { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": this.csrf } };
    window.fetch(this.countUrl, options)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (message) {
        if (!message) {
          return;
        }
        self.emit("count", message);
        if (message.phase !== "lobby" && message.phase !== "live") {
          self.stop();
          self.emit("closed", 1000);
        }
      })
      .catch(function () { /* the next poll tries again */ });
  };

  LiveSocket.prototype.stop = function () {
    this.stopped = true;
    this.stopPolling();
    window.clearInterval(this.beatTimer);
  };

  window.LiveSocket = LiveSocket;
})();
