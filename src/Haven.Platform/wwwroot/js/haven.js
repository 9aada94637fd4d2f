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
})();
