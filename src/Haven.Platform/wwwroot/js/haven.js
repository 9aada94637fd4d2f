// Behaviour shared by every Haven portal. Loaded after htmx; no inline script anywhere (CSP).
(function () {
  "use strict";

  var csrf = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrf ? csrf.getAttribute("content") : "";

  // Every htmx request carries the antiforgery token.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (csrfToken) event.detail.headers["X-CSRF-TOKEN"] = csrfToken;
  });

  // Problem details from the server become a readable message near the element that asked.
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = "Something went wrong (" + xhr.status + ").";
    try {
      var problem = JSON.parse(xhr.responseText);
      message = problem.detail || problem.title || message;
    } catch (e) { /* not JSON: keep the generic message */ }
    Haven.announce(message, "error");
  });

  window.Haven = window.Haven || {};

  // Screen-reader announcement plus a visible toast that does not move the page.
  window.Haven.announce = function (text, kind) {
    var live = document.getElementById("live-status");
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
    var toasts = document.getElementById("toasts");
    if (!toasts) {
      toasts = document.createElement("div");
      toasts.id = "toasts";
      toasts.className = "toasts";
      document.body.appendChild(toasts);
    }
    var toast = document.createElement("div");
    toast.className = "toast toast--" + (kind || "info");
    toast.textContent = text;
    toasts.appendChild(toast);
    window.setTimeout(function () { toast.remove(); }, 6000);
  };

  window.Haven.csrfToken = function () { return csrfToken; };

  // Idle sign-out with a warning and a way to stay (WCAG 2.2.1 Timing Adjustable). Activity in any tab counts:
  // the last activity time is shared through localStorage.
  var idleTimeout = parseInt(document.body.getAttribute("data-idle-timeout") || "0", 10);
  var idleWarning = parseInt(document.body.getAttribute("data-idle-warning") || "0", 10);
  if (idleTimeout > 0) {
    var key = "haven.lastActivity";
    var lastWrite = 0;
    var recordActivity = function () {
      var now = Date.now();
      if (now - lastWrite < 5000) return;
      lastWrite = now;
      try { localStorage.setItem(key, String(now)); } catch (e) { /* storage off: this tab still counts */ }
      window.Haven.lastActivity = now;
    };
    var lastActivity = function () {
      var stored = 0;
      try { stored = parseInt(localStorage.getItem(key) || "0", 10); } catch (e) { stored = 0; }
      return Math.max(stored, window.Haven.lastActivity || 0);
    };
    ["keydown", "pointerdown", "wheel", "touchstart", "input"].forEach(function (type) {
      document.addEventListener(type, recordActivity, { passive: true, capture: true });
    });
    lastWrite = 0;
    recordActivity();

    var dialog = null;
    var countdown = null;
    var signOut = function () {
      var form = document.getElementById("signout-form");
      if (form) {
        form.setAttribute("action", "/account/logout?reason=timeout");
        form.submit();
      } else {
        window.location.href = "/account/login?reason=timeout";
      }
    };
    var closeDialog = function () {
      if (dialog && dialog.open) dialog.close();
    };
    var openDialog = function () {
      if (!dialog) {
        dialog = document.createElement("dialog");
        dialog.className = "session-dialog";
        dialog.setAttribute("role", "alertdialog");
        dialog.setAttribute("aria-labelledby", "session-dialog-title");
        dialog.setAttribute("aria-describedby", "session-dialog-text");
        dialog.innerHTML =
          '<h2 id="session-dialog-title">Are you still there?</h2>' +
          '<p id="session-dialog-text">For safety you will be signed out in <span class="session-dialog__left"></span>.</p>' +
          '<div class="row"><button type="button" class="session-dialog__stay">Stay signed in</button>' +
          '<button type="button" class="button--secondary session-dialog__out">Sign out now</button></div>';
        document.body.appendChild(dialog);
        countdown = dialog.querySelector(".session-dialog__left");
        dialog.querySelector(".session-dialog__stay").addEventListener("click", function () {
          fetch("/account/keepalive", { credentials: "same-origin" }).then(function (response) {
            if (response.status === 401) { signOut(); return; }
            lastWrite = 0;
            recordActivity();
            closeDialog();
          });
        });
        dialog.querySelector(".session-dialog__out").addEventListener("click", signOut);
        dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
      }
      if (!dialog.open) dialog.showModal();
    };
    var format = function (seconds) {
      var m = Math.floor(seconds / 60), s = seconds % 60;
      return m > 0 ? m + " min " + (s < 10 ? "0" : "") + s + " s" : s + " seconds";
    };
    window.setInterval(function () {
      var idle = Math.floor((Date.now() - lastActivity()) / 1000);
      var left = idleTimeout - idle;
      if (left <= 0) { signOut(); return; }
      if (left <= idleWarning) {
        openDialog();
        countdown.textContent = format(left);
      } else {
        closeDialog();
      }
    }, 1000);
  }
})();
