// Live updates for portal pages: one SignalR connection to the platform hub, authenticated by the portal cookie
// (same origin, WebSockets only), following the hub protocol — subscribe first, then events arrive as invocations named
// by their type. Reconnects by itself and resubscribes from the highest position seen, so nothing is missed while away.
// Loaded after lib/signalr.min.js; no inline script (CSP).
(function () {
  "use strict";

  window.Haven = window.Haven || {};

  // options: { groups: [...], on: { "event.type": function (payload, message) {} }, onReady: function (result) {},
  //            onTyping: function (payload) {} }
  window.Haven.realtime = function (options) {
    var state = document.querySelector("[data-live-state]");
    var cursor = null;
    var stopped = false;
    var retryTimer = null;

    var connection = new window.signalR.HubConnectionBuilder()
      .withUrl("/hubs/platform", { transport: window.signalR.HttpTransportType.WebSockets })
      .withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 20000])
      .configureLogging(window.signalR.LogLevel.None)
      .build();

    var show = function (text, live) {
      if (!state) return;
      state.textContent = text;
      state.setAttribute("data-live", live ? "on" : "off");
    };

    Object.keys(options.on || {}).forEach(function (type) {
      connection.on(type, function (message) {
        if (message && typeof message.position === "number" && (cursor === null || message.position > cursor)) cursor = message.position;
        options.on[type](message ? message.payload : null, message);
      });
    });
    if (options.onTyping) connection.on("typing.changed", function (message) { options.onTyping(message ? message.payload : null); });

    var subscribe = function () {
      return connection.invoke("subscribe", { cursor: cursor, groups: options.groups || [] }).then(function (result) {
        if (result && typeof result.position === "number" && (cursor === null || result.position > cursor)) cursor = result.position;
        show("Live updates on", true);
        if (options.onReady) options.onReady(result);
        return result;
      });
    };

    var start = function () {
      if (stopped) return;
      show("Connecting…", false);
      connection.start().then(subscribe).catch(function () {
        show("Live updates paused, retrying…", false);
        retryTimer = window.setTimeout(start, 5000);
      });
    };

    connection.onreconnecting(function () { show("Reconnecting…", false); });
    connection.onreconnected(function () { subscribe(); });
    // The server closes the connection when its access token expires; a new start renews it from the refresh cookie.
    connection.onclose(function () {
      if (stopped) return;
      show("Live updates paused, retrying…", false);
      retryTimer = window.setTimeout(start, 2000);
    });
    window.addEventListener("pagehide", function () {
      stopped = true;
      if (retryTimer) window.clearTimeout(retryTimer);
      connection.stop();
    });

    start();
    return {
      invoke: function () {
        if (connection.state !== window.signalR.HubConnectionState.Connected) return Promise.resolve(null);
        return connection.invoke.apply(connection, arguments);
      }
    };
  };

  // A fragment of the page, fetched fresh from the server (same cookie), as a DOM element.
  window.Haven.fetchFragment = function (url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      return template.content;
    });
  };
})();
