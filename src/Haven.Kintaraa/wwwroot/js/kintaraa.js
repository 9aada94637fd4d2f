// Kintaraa provider portal. Dashboard: new referrals arrive live (row inserted into a fixed-height box, announced,
// highlighted, with an optional short tone). Case page: the conversation refreshes live, typing is shown, read receipts
// move when the chat is seen, and messages are sent without a reload. Everything here is an enhancement: each form
// also works as a plain POST. Loaded after haven.js and haven-realtime.js; no inline script (CSP).
(function () {
  "use strict";

  var focusTarget = document.querySelector("[data-focus]");
  if (focusTarget) focusTarget.focus();

  // Filters update the case list in place (htmx): say how many cases were found, and move focus to any error.
  document.body.addEventListener("htmx:afterSwap", function () {
    var results = document.getElementById("case-results");
    if (!results) return;
    var error = results.querySelector("[data-focus]");
    if (error) error.focus();
    else if (window.Haven && window.Haven.announce) window.Haven.announce(results.getAttribute("data-announce"));
  });
  if (!window.Haven || !window.Haven.realtime) return;

  // A short two-note chime (WebAudio); browsers allow sound only after the user has interacted with the page.
  var audio = null;
  var soundToggle = document.getElementById("sound-toggle");
  if (soundToggle) {
    try { soundToggle.checked = localStorage.getItem("kintaraa.sound") !== "off"; } catch (e) { /* storage off: keep the default */ }
    soundToggle.addEventListener("change", function () {
      try { localStorage.setItem("kintaraa.sound", soundToggle.checked ? "on" : "off"); } catch (e) { /* not remembered */ }
    });
  }
  var chime = function () {
    if (!soundToggle || !soundToggle.checked) return;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    if (audio.state === "suspended") audio.resume();
    [880, 1175].forEach(function (frequency, i) {
      var start = audio.currentTime + i * 0.16;
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.15);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.16);
    });
  };

  var offers = document.getElementById("offers");
  if (offers) {
    var count = document.getElementById("offer-count");
    var empty = document.getElementById("offers-empty");
    var sync = function () {
      var n = offers.querySelectorAll("li.offer").length;
      if (count) count.textContent = String(n);
      if (empty) empty.hidden = n > 0;
    };
    // Brings the list in line with the server without replacing rows still waiting, so focus and open decline forms
    // stay where they are: rows that ended go, rows that were missed (while reconnecting) come in at their place.
    var refresh = function () {
      window.Haven.fetchFragment("/kintaraa?handler=offers").then(function (fragment) {
        var fresh = Array.prototype.slice.call(fragment.querySelectorAll("li.offer"));
        var keep = {};
        fresh.forEach(function (li) { keep[li.id] = true; });
        offers.querySelectorAll("li.offer").forEach(function (li) { if (!keep[li.id]) li.remove(); });
        var previous = null;
        fresh.forEach(function (li) {
          var current = document.getElementById(li.id);
          if (!current) {
            offers.insertBefore(li, previous ? previous.nextSibling : offers.firstChild);
            current = li;
          }
          previous = current;
        });
        sync();
      }).catch(function () { /* the next event or reload shows it */ });
    };
    var arrive = function (payload) {
      if (!payload || !payload.referral_id || document.getElementById("offer-" + payload.referral_id)) return;
      window.Haven.fetchFragment("/kintaraa?handler=offer&referral_id=" + encodeURIComponent(payload.referral_id)).then(function (fragment) {
        var li = fragment.querySelector("li.offer");
        if (!li || document.getElementById(li.id)) return;
        li.classList.add("is-new");
        li.querySelector(".offer__new").hidden = false;
        offers.insertBefore(li, offers.firstChild);
        sync();
        window.Haven.announce("New referral " + (payload.case_number || "") + ", " + (payload.priority || "") + " priority.");
        chime();
      }).catch(function () { /* the next event or reload shows it */ });
    };
    window.Haven.realtime({
      on: { "assignment.new": arrive, "sos.alert": arrive, "referral.updated": refresh },
      onReady: refresh
    });
  }

  var chat = document.getElementById("chat");
  if (chat) {
    var caseId = chat.getAttribute("data-case-id");
    var group = chat.getAttribute("data-group");
    var log = document.getElementById("chat-log");
    var typing = document.getElementById("chat-typing");
    var form = document.getElementById("chat-form");
    var box = form.querySelector("textarea");
    var idField = form.querySelector("input[name=message_id]");
    var base = "/kintaraa/cases/" + caseId;
    var lastSeq = function () {
      var all = log.querySelectorAll("[data-seq]");
      return all.length ? parseInt(all[all.length - 1].getAttribute("data-seq"), 10) : 0;
    };
    var post = function (handler, body) {
      return fetch(base + "?handler=" + handler, {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRF-TOKEN": window.Haven.csrfToken(), "X-Requested-With": "fetch" }
      });
    };
    var markRead = function () { if (document.visibilityState === "visible") post("read", new FormData()); };
    // A form posted the ordinary way (a status change may end the provider's access) is navigating away: events that
    // arrive meanwhile refresh nothing.
    var leaving = false;
    document.addEventListener("submit", function (event) { if (!event.defaultPrevented) leaving = true; });
    var reload = function (announceNew) {
      if (leaving) return Promise.resolve();
      var before = lastSeq();
      return window.Haven.fetchFragment(base + "?handler=messages").then(function (fragment) {
        var atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
        log.replaceChildren(fragment);
        if (atBottom || announceNew === "mine") log.scrollTop = log.scrollHeight;
        var newest = log.querySelectorAll("[data-seq]");
        var last = newest.length ? newest[newest.length - 1] : null;
        if (announceNew === true && last && parseInt(last.getAttribute("data-seq"), 10) > before && !last.classList.contains("chat__msg--mine")) {
          last.classList.add("is-new");
          window.Haven.announce("New message: " + last.querySelector(".chat__body").textContent);
          markRead();
        }
      }).catch(function () { /* offline or the case has left the provider's list: the page stays as it was */ });
    };
    log.scrollTop = log.scrollHeight;
    var typers = {};
    var showTyping = function () {
      typing.textContent = Object.keys(typers).length ? "Someone else on the case is typing…" : "";
    };
    var live = window.Haven.realtime({
      groups: [group],
      on: {
        "message.received": function () { reload(true); },
        "message.read": function () { reload(false); },
        "status.changed": function (payload) { window.Haven.announce("The case is now " + String(payload.status).replace("_", " ") + "."); }
      },
      onTyping: function (payload) {
        if (!payload) return;
        if (payload.is_typing) typers[payload.user_id] = window.setTimeout(function () { delete typers[payload.user_id]; showTyping(); }, 8000);
        else { window.clearTimeout(typers[payload.user_id]); delete typers[payload.user_id]; }
        showTyping();
      },
      onReady: function () { reload(false); markRead(); }
    });
    var typingSent = 0;
    var stopTimer = null;
    box.addEventListener("input", function () {
      var now = Date.now();
      if (now - typingSent > 3000) { typingSent = now; live.invoke("typing", group, true); }
      window.clearTimeout(stopTimer);
      stopTimer = window.setTimeout(function () { typingSent = 0; live.invoke("typing", group, false); }, 4000);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!box.value.trim()) { window.Haven.announce("Write a message first.", "error"); box.focus(); return; }
      var data = new FormData(form);
      post("message", data).then(function (response) {
        if (response.status === 204) {
          box.value = "";
          idField.value = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : "";
          window.clearTimeout(stopTimer);
          typingSent = 0;
          live.invoke("typing", group, false);
          return reload("mine");
        }
        return response.text().then(function (text) { window.Haven.announce(text || "The message was not sent.", "error"); });
      }).catch(function () { window.Haven.announce("The message was not sent; check the connection.", "error"); });
    });
    document.addEventListener("visibilitychange", markRead);
  }
})();
