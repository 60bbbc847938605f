// annotate timekeeping: heartbeats while someone works, and how the answer's text is entered.
// Plain JavaScript, no build step. The server measures the time (annotate/timekeeping/):
// this script only says "this person is working on this, now". Without it nothing is counted,
// and the page says so (the clock shows a dash).
(function () {
  "use strict";

  var SIGNALS_PREFIX = "annotate:signals:";
  var clock = { key: null, lastSent: 0, firstUnsent: 0, inflight: false, stopped: false };

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  // -- heartbeats -----------------------------------------------------------------------
  // One per period at most, and only after something happened: a key, the pointer, a scroll,
  // a touch, the page coming into view, media playing. The first one after a quiet spell goes
  // within a second, so an interval starts when the work does.

  function heartbeatEl() { return document.querySelector("[data-heartbeat]"); }

  function acted() { if (!clock.firstUnsent) clock.firstUnsent = Date.now(); }

  function mediaPlaying() {
    return Array.prototype.some.call(document.querySelectorAll("video, audio"), function (m) { return !m.paused && !m.ended; });
  }

  function formatSeconds(total) {
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    return h ? h + " h " + (m < 10 ? "0" : "") + m + " min" : m ? m + " min " + (s < 10 ? "0" : "") + s + " s" : s + " s";
  }

  function show(el, text, state) {
    var problem = el.querySelector("[data-clock-problem]");
    el.dataset.state = state;
    if (state === "ok") {
      el.querySelector("[data-clock]").textContent = text;
      if (problem) { problem.hidden = true; problem.textContent = ""; }
    } else if (problem) {
      problem.textContent = text;
      problem.hidden = false;
    }
  }

  function send(el, final) {
    var now = Date.now();
    var since = clock.firstUnsent ? now - clock.firstUnsent : 0;
    var key = clock.key;
    clock.lastSent = now;
    clock.firstUnsent = 0;
    clock.inflight = !final;
    var body = JSON.stringify({ activity: el.dataset.activity, target: Number(el.dataset.target), since_ms: since });
    fetch(el.dataset.heartbeatUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",  // signed out: the login page must not look like a counted heartbeat
      keepalive: true,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: body
    }).then(function (response) {
      clock.inflight = false;
      if (clock.key !== key) return;  // another task is on screen now
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 400) {
        show(el, "Time is not being recorded: you are signed out. Sign in again to go on counting.", "error");
        return;
      }
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) {
          show(el, formatSeconds(answer.seconds || 0), "ok");
        } else if (response.status === 404 || response.status === 409 || response.status === 422) {
          clock.stopped = true;
          show(el, "Time is not recorded here: " + (answer.error || "this page is no longer yours to work on") + ".", "error");
        } else {
          show(el, "Time is not being recorded just now (the server answered " + response.status + "); it will try again.", "error");
        }
      });
    }).catch(function () {
      clock.inflight = false;
      if (clock.key === key) show(el, "Time is not being recorded: the server cannot be reached. It counts again once the connection is back.", "offline");
    });
  }

  function tick() {
    var el = heartbeatEl();
    if (!el) return;
    var key = el.dataset.activity + ":" + el.dataset.target;
    if (key !== clock.key) {  // a page, or the next task, has arrived: that counts as acting
      clock.key = key;
      clock.lastSent = 0;
      clock.stopped = false;
      clock.inflight = false;
      clock.firstUnsent = Date.now();
    }
    if (clock.stopped || clock.inflight || document.visibilityState !== "visible") return;
    if (mediaPlaying()) acted();
    if (clock.firstUnsent && Date.now() - clock.lastSent >= (Number(el.dataset.everyMs) || 15000)) send(el, false);
  }

  ["keydown", "pointerdown", "pointermove", "wheel", "scroll", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, acted, { passive: true, capture: true });
  });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") acted(); });
  // Leaving with activity not reported yet: report it (a keepalive request outlives the page).
  window.addEventListener("pagehide", function () {
    var el = heartbeatEl();
    if (el && clock.firstUnsent && !clock.stopped && document.visibilityState === "visible") send(el, true);
  });

  // -- authenticity signals (the task page only) ----------------------------------------------
  // Per text field of the answer form, by its name: characters typed, pasted, dropped and put in
  // by the page itself (a restored draft), deleted; the number and sizes of pastes; milliseconds
  // from the task's arrival to the first keystroke; whether the window lost focus while the field
  // was being filled. Counts only: never the text. Kept per tab (sessionStorage) until the submit.

  var sig = { id: null, started: 0, data: null, before: null, lengths: {} };

  function answerForm() { return document.querySelector("#task form.answer"); }

  function textField(el) {
    if (!el || !el.name || !el.form || el.form !== answerForm()) return false;
    return el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && /^(text|search)$/i.test(el.type));
  }

  function current() {
    var task = document.getElementById("task");
    var id = task && answerForm() ? task.dataset.assignment : null;
    if (!id) return null;
    if (sig.id !== id) {
      var kept = null;
      try { kept = JSON.parse(window.sessionStorage.getItem(SIGNALS_PREFIX + id) || "null"); } catch (e) { kept = null; }
      sig.id = id;
      sig.started = Date.now();
      sig.data = kept && kept.fields ? kept : { interactions: 0, fields: {} };
      sig.lengths = {};
      Array.prototype.forEach.call(answerForm().elements, function (el) { if (textField(el)) sig.lengths[el.name] = el.value.length; });
    }
    return sig.data;
  }

  function keep() {
    try { window.sessionStorage.setItem(SIGNALS_PREFIX + sig.id, JSON.stringify(sig.data)); } catch (e) { /* private mode: kept in memory */ }
  }

  function counts(data, name) {
    if (!data.fields[name]) {
      if (Object.keys(data.fields).length >= 50) return null;
      data.fields[name] = { typed: 0, pasted: 0, dropped: 0, restored: 0, deleted: 0, pastes: 0, paste_sizes: [], first_key_ms: null, focus_lost: false };
    }
    return data.fields[name];
  }

  var TYPED = /^(insertText|insertCompositionText|insertLineBreak|insertParagraph|insertReplacementText|insertTranspose)$/;

  document.addEventListener("beforeinput", function (event) {
    var el = event.target;
    if (!textField(el) || !current()) return;
    var selected = (el.selectionEnd || 0) - (el.selectionStart || 0);
    sig.before = { el: el, length: el.value.length, selected: selected > 0 ? selected : 0 };
  }, true);

  document.addEventListener("input", function (event) {
    var el = event.target;
    var data = textField(el) ? current() : null;
    if (!data) return;
    var field = counts(data, el.name);
    var before = sig.before && sig.before.el === el ? sig.before : { length: sig.lengths[el.name] || 0, selected: 0 };
    sig.before = null;
    var now = el.value.length;
    var inserted = Math.max(0, now - before.length + before.selected);
    var removed = Math.max(0, before.length - now + inserted);
    sig.lengths[el.name] = now;
    if (!field) return;
    var type = event.isTrusted && event.inputType ? event.inputType : "";
    if (type === "insertFromPaste") {
      field.pasted += inserted;
      field.pastes += 1;
      if (field.paste_sizes.length < 50) field.paste_sizes.push(inserted);
    } else if (type === "insertFromDrop") {
      field.dropped += inserted;
    } else if (TYPED.test(type)) {
      field.typed += inserted;
      if (field.first_key_ms === null && inserted > 0) field.first_key_ms = Date.now() - sig.started;
    } else if (type.indexOf("delete") === 0 || type.indexOf("history") === 0) {
      // deletions are counted below; undo and redo put back what was there
    } else {
      field.restored += inserted;  // the page itself (a restored draft, a kind's script)
    }
    field.deleted += removed;
    keep();
  }, true);

  function lostFocus() {
    var el = document.activeElement;
    var data = textField(el) ? current() : null;
    var field = data && data.fields[el.name];
    if (field && !field.focus_lost && field.typed + field.pasted + field.dropped > 0) { field.focus_lost = true; keep(); }
  }
  window.addEventListener("blur", lostFocus);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") lostFocus(); });

  ["keydown", "pointerdown", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () {
      var data = current();
      if (data) { data.interactions += 1; if (data.interactions % 10 === 1) keep(); }
    }, { passive: true, capture: true });
  });

  // The submit carries the signals (before htmx reads the form: this listener captures first).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form !== answerForm() || !current()) return;
    var field = form.querySelector("input[data-signals]");
    if (field) field.value = JSON.stringify(sig.data);
    keep();
  }, true);

  // A submitted task's signals are on the server now.
  function forgetCleared() {
    var task = document.getElementById("task");
    if (task && task.dataset.cleared) {
      try { window.sessionStorage.removeItem(SIGNALS_PREFIX + task.dataset.cleared); } catch (e) { /* nothing kept */ }
    }
  }
  document.addEventListener("htmx:load", forgetCleared);

  function start() {
    forgetCleared();
    current();
    tick();
    setInterval(tick, 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
