// annotate task page behaviour: keyboard shortcuts, draft autosave (time: timekeeping.js).
// Plain JavaScript, no build step. Everything here is an enhancement: the forms
// work without it (drafts then only survive a refused submit).
(function () {
  "use strict";

  var SAVE_AFTER_MS = 700;          // debounce: save once typing pauses
  var RETRY_EVERY_MS = 10 * 1000;   // while a draft is unsaved (offline, server error)
  var LOCAL_PREFIX = "annotate:draft:";
  var LOCAL_MAX_AGE_MS = 14 * 24 * 3600 * 1000;
  var NOT_DRAFTED = { csrf_token: true, signals: true };

  var drafts = { task: null, timer: null, retry: null, restoring: false, inflight: null };

  // -- helpers ---------------------------------------------------------------------

  function typingIn(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    return tag === "INPUT" && !/^(radio|checkbox|button|submit|reset)$/i.test(el.type);
  }

  function currentTask() { return document.getElementById("task"); }
  function currentForm() { return document.querySelector("#task form.answer"); }
  // The page whose keys are live: the task, the review or the adjudication ([data-shortcuts]).
  function keyRoot() { return document.querySelector("[data-shortcuts]"); }
  function shown(el) { return !!el && (el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null); }
  // The answer form the keys fill and Ctrl+Enter submits: the visible one (a closed
  // "Fix and accept" on the review page takes no keys).
  function keyForm(root) {
    var forms = root ? root.querySelectorAll("form.answer") : [];
    for (var i = 0; i < forms.length; i++) if (shown(forms[i])) return forms[i];
    return null;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function localKey(id) { return LOCAL_PREFIX + id; }

  function readLocal(id) {
    try { return JSON.parse(window.localStorage.getItem(localKey(id)) || "null"); }
    catch (e) { return null; }
  }

  function writeLocal(id, value) {
    try { window.localStorage.setItem(localKey(id), JSON.stringify(value)); return true; }
    catch (e) { return false; }  // private mode or quota: the server copy still works
  }

  function forgetLocal(id) {
    try { window.localStorage.removeItem(localKey(id)); } catch (e) { /* nothing kept */ }
  }

  function pruneLocal() {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(LOCAL_PREFIX) === 0) {
          var value = JSON.parse(window.localStorage.getItem(key) || "null");
          if (!value || Date.now() - (value.client_saved_at || 0) > LOCAL_MAX_AGE_MS) window.localStorage.removeItem(key);
        }
      }
    } catch (e) { /* storage unavailable */ }
  }

  // After sign-out (the page carries data-signed-out) the next person at this browser must
  // not find the last one's drafts; Clear-Site-Data on the logout response does the same
  // where the browser honours it.
  function forgetEverything() {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf("annotate:") === 0) window.localStorage.removeItem(key);
      }
    } catch (e) { /* storage unavailable */ }
  }

  function timeOfDay(ms) {
    var d = new Date(ms);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function setStatus(text, state) {
    var task = currentTask();
    var el = task && task.querySelector("[data-draft-status]");
    if (!el) return;
    el.textContent = text;
    el.dataset.state = state || "";
  }

  // -- drafts ---------------------------------------------------------------------

  function serialise(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (NOT_DRAFTED[name] || typeof value !== "string") return;
      (fields[name] = fields[name] || []).push(value);
    });
    return fields;
  }

  function applyFields(form, fields) {
    var seen = {};
    drafts.restoring = true;
    try {
      Array.prototype.forEach.call(form.elements, function (el) {
        var name = el.name;
        if (!name || NOT_DRAFTED[name] || el.disabled || !(name in fields)) return;
        var values = fields[name];
        var before = el.type === "radio" || el.type === "checkbox" ? el.checked : el.value;
        if (el.type === "radio" || el.type === "checkbox") {
          el.checked = values.indexOf(el.value) !== -1;
        } else if (el.tagName === "SELECT" && el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
        } else if (el.type !== "submit" && el.type !== "button" && el.type !== "file") {
          var i = seen[name] || 0;
          if (i < values.length) el.value = values[i];
          seen[name] = i + 1;
        }
        var after = el.type === "radio" || el.type === "checkbox" ? el.checked : el.value;
        if (before !== after) {
          el.dispatchEvent(new Event("input", { bubbles: true }));
          el.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      // Kind scripts that keep state outside form fields rebuild it from here.
      form.dispatchEvent(new CustomEvent("annotate:draft-restored", { bubbles: true, detail: { fields: fields } }));
    } finally {
      drafts.restoring = false;
    }
  }

  function sendDraft(task, copy) {
    var url = task.dataset.draftUrl;
    if (!url) return;
    if (!navigator.onLine) {
      setStatus("Not saved: you are offline. Kept in this browser; it will be sent when you are back online.", "offline");
      return;
    }
    setStatus("Saving draft…", "saving");
    // One save in flight at a time; a submit or the next task aborts it (see htmx:beforeRequest).
    if (drafts.inflight) drafts.inflight.abort();
    var controller = window.AbortController ? new AbortController() : null;
    drafts.inflight = controller;
    var id = task.dataset.assignment;
    // The answer belongs to this task only: once another task is on screen (the expert
    // submitted or skipped meanwhile), nothing about this save may show there.
    function stillShown() {
      var live = currentTask();
      return !!live && live.dataset.assignment === id && live.hasAttribute("data-autosave");
    }
    fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: JSON.stringify({ fields: copy.fields, client_saved_at: copy.client_saved_at })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { response: response, body: body }; });
    }).then(function (result) {
      if (drafts.inflight === controller) drafts.inflight = null;
      var latest = readLocal(id);
      if (!stillShown()) {
        if (result.response.status === 409 || result.response.status === 404) forgetLocal(id);
        return;
      }
      if (result.response.ok) {
        // Only mark as sent if nothing newer was typed meanwhile.
        if (latest && latest.client_saved_at === copy.client_saved_at) { latest.synced = true; writeLocal(id, latest); }
        if (result.body.stored === false) {
          setStatus("A newer draft from another tab is saved on the server; reload to see it.", "conflict");
        } else {
          setStatus("Draft saved at " + timeOfDay(copy.client_saved_at) + ".", "saved");
        }
      } else if (result.response.status === 409 || result.response.status === 404) {
        forgetLocal(id);  // the task is finished or gone: nothing to keep drafting
        setStatus("Not saved: " + (result.body.error || "this task is closed") + ".", "error");
      } else {
        setStatus("Not saved: " + (result.body.error || ("the server answered " + result.response.status)) + ". Kept in this browser; retrying.", "error");
      }
    }).catch(function (error) {
      if (drafts.inflight === controller) drafts.inflight = null;
      if ((error && error.name === "AbortError") || !stillShown()) return;
      setStatus("Not saved: the server cannot be reached. Kept in this browser; it will be sent when the connection is back.", "offline");
    });
  }

  function saveNow() {
    clearTimeout(drafts.timer);
    drafts.timer = null;
    var task = currentTask();
    var form = currentForm();
    if (!task || !form || !task.hasAttribute("data-autosave")) return;
    var copy = { fields: serialise(form), client_saved_at: Date.now(), synced: false };
    writeLocal(task.dataset.assignment, copy);
    sendDraft(task, copy);
  }

  // Write this browser's copy only (no request): used just before a submit.
  function keepLocal() {
    clearTimeout(drafts.timer);
    drafts.timer = null;
    var task = currentTask();
    var form = currentForm();
    if (!task || !form || !task.hasAttribute("data-autosave")) return;
    writeLocal(task.dataset.assignment, { fields: serialise(form), client_saved_at: Date.now(), synced: false });
  }

  function scheduleSave(event) {
    if (drafts.restoring) return;
    var form = currentForm();
    if (!form || !form.contains(event.target)) return;
    setStatus("Unsaved changes…", "pending");
    clearTimeout(drafts.timer);
    drafts.timer = setTimeout(saveNow, SAVE_AFTER_MS);
  }

  function resendUnsynced() {
    var task = currentTask();
    if (!task || !task.hasAttribute("data-autosave") || drafts.timer) return;
    var copy = readLocal(task.dataset.assignment);
    if (copy && !copy.synced) sendDraft(task, copy);
  }

  // On a task's arrival: restore the newest draft (server or this browser) and resend an unsent one.
  function initTask() {
    var task = currentTask();
    if (!task) return;
    if (task.dataset.cleared) forgetLocal(task.dataset.cleared);
    if (drafts.task === task) return;
    drafts.task = task;
    clearTimeout(drafts.timer);
    drafts.timer = null;
    var form = currentForm();
    if (!form || !task.hasAttribute("data-autosave")) return;
    if (task.hasAttribute("data-refilled")) {
      // A refused submit came back with what was sent: that is the newest answer; keep it as the draft.
      saveNow();
      return;
    }
    var id = task.dataset.assignment;
    var server = null;
    try { server = JSON.parse(task.dataset.draft || "null"); } catch (e) { server = null; }
    var local = readLocal(id);
    if (local && (!server || local.client_saved_at > server.client_saved_at)) {
      applyFields(form, local.fields);
      if (!local.synced) {
        setStatus("Draft restored from this browser; sending it to the server…", "pending");
        sendDraft(task, local);
      } else {
        setStatus("Draft restored.", "saved");
      }
    } else if (server) {
      applyFields(form, server.fields);
      writeLocal(id, { fields: server.fields, client_saved_at: server.client_saved_at, synced: true });
      setStatus("Draft restored (saved at " + timeOfDay(server.client_saved_at) + ").", "saved");
    }
  }

  // -- keyboard -------------------------------------------------------------------

  function togglePanel(summary) {
    var details = summary.parentElement;
    var opening = !details.open;
    // One panel at a time, so an overlay never hides another.
    if (details.hasAttribute("data-panel")) {
      document.querySelectorAll("[data-shortcuts] details[data-panel][open]").forEach(function (d) { if (d !== details) d.open = false; });
    }
    details.open = opening;
    if (opening) {
      var first = details.querySelector("input:not([type=hidden]), textarea, select, button, a[href]");
      (first || summary).focus();
    } else {
      summary.focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    var task = keyRoot();
    var form = keyForm(task);
    if (!task) return;
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      keepLocal();  // the submit carries the fields; a copy stays here until it is accepted
      // A fast expert can press the keys before htmx has finished processing a task
      // that was just swapped in; make sure htmx owns the form so the submit stays in page.
      if (window.htmx && form.hasAttribute("hx-post")) window.htmx.process(form);
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      return;
    }
    if (event.key === "Escape") {
      var open = task.querySelectorAll("details[data-panel][open]");
      if (open.length) {
        event.preventDefault();
        open.forEach(function (d) { d.open = false; });
        open[0].querySelector("summary").focus();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
    // Any element of the page may carry its key: a summary opens its panel, a button is
    // pressed, a text box gets the focus.
    var shortcut = event.key ? task.querySelector('[data-shortcut="' + CSS.escape(event.key) + '"]') : null;
    if (shortcut) {
      event.preventDefault();
      if (shortcut.tagName === "SUMMARY") togglePanel(shortcut);
      else if (shortcut.tagName === "BUTTON") shortcut.click();
      else shortcut.focus();
      return;
    }
    if (!form) return;
    var inputs = form.querySelectorAll("input[data-key]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].dataset.key === event.key && !inputs[i].disabled) {
        event.preventDefault();
        inputs[i].checked = true;
        inputs[i].focus();
        inputs[i].dispatchEvent(new Event("input", { bubbles: true }));
        inputs[i].dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
    }
  });

  // -- events ---------------------------------------------------------------------

  document.addEventListener("input", scheduleSave);
  document.addEventListener("change", scheduleSave);
  window.addEventListener("online", resendUnsynced);
  window.addEventListener("offline", function () {
    var copy = currentTask() && readLocal(currentTask().dataset.assignment);
    if (copy && !copy.synced) setStatus("Not saved: you are offline. Kept in this browser; it will be sent when you are back online.", "offline");
  });
  // The same task open in another tab saved a newer copy: say so rather than silently diverge.
  window.addEventListener("storage", function (event) {
    var task = currentTask();
    var form = currentForm();
    if (!task || !form || event.key !== localKey(task.dataset.assignment) || !event.newValue) return;
    try {
      var theirs = JSON.parse(event.newValue);
      if (JSON.stringify(theirs.fields) !== JSON.stringify(serialise(form))) {
        setStatus("This task was changed in another tab. Reload to continue from there, or keep typing here to keep this version.", "conflict");
      }
    } catch (e) { /* not ours */ }
  });

  // Leaving the page with a pending save: write it now (the local copy is written synchronously).
  window.addEventListener("pagehide", function () { if (drafts.timer) saveNow(); });

  // -- refusals: every answer the server refuses is shown ------------------------------
  // htmx does not swap 4xx/5xx answers, so a refused submit would change nothing on screen.
  // A refusal rendered by the page (a fragment, or a whole page for a boosted form) carries
  // its messages next to the fields: swap it in. Anything else (a server error, an error
  // page for a fragment request, no answer at all) leaves the page and the typed answer
  // alone and says what happened in the page-level alert. Either way focus moves to the
  // first message, so screen readers read it.

  function pageAlert(text) {
    var box = document.getElementById("page-alert");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    box.focus();
  }

  function clearPageAlert() {
    var box = document.getElementById("page-alert");
    if (box && !box.hidden) { box.hidden = true; box.textContent = ""; }
  }

  function focusFirstAlert(scope) {
    var first = (scope || document).querySelector("[data-alert]") || (scope || document).querySelector("[data-alert-summary]");
    if (!first) return false;
    if (!first.hasAttribute("tabindex")) first.setAttribute("tabindex", "-1");
    first.focus();
    return true;
  }

  function errorPageText(html) {
    try {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var panel = doc.querySelector("main .panel") || doc.querySelector("main");
      var heading = panel && panel.querySelector("h1");
      var reason = panel && panel.querySelector("p");
      return [heading && heading.textContent.trim(), reason && reason.textContent.trim()].filter(Boolean).join(": ");
    } catch (e) { return ""; }
  }

  var refused = false;  // the swap in progress shows a refusal: focus its first message

  document.addEventListener("htmx:beforeRequest", clearPageAlert);

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr ? detail.xhr.status : 0;
    refused = false;
    if (status < 400) return;
    var body = detail.xhr.responseText || "";
    var wholePage = /^\s*<!doctype html/i.test(body);
    if (status < 500 && (detail.boosted || !wholePage) && body) {
      detail.shouldSwap = true;
      detail.isError = false;
      refused = true;
      return;
    }
    detail.shouldSwap = false;
    var kept = currentForm() ? " Your answer is kept on this page." : "";
    if (status >= 500) {
      pageAlert("Not done: something went wrong on the server (error " + status + ")." + kept + " Try again in a moment.");
    } else {
      pageAlert("Not done: " + (errorPageText(body) || ("the server refused this (error " + status + ")")) + "." + kept);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!refused) return;
    refused = false;
    focusFirstAlert(document.getElementById("main"));
  });

  // A request that never reached the server: say so (the draft is kept).
  document.addEventListener("htmx:sendError", function () {
    setStatus("Not submitted: the server cannot be reached. Your answer is kept; try again when you are back online.", "offline");
    pageAlert("Not sent: the server cannot be reached. Your answer is kept on this page; try again when you are back online.");
  });
  document.addEventListener("htmx:timeout", function () {
    pageAlert("Not sent: the server took too long to answer. Your answer is kept on this page; try again.");
  });

  // Before a submit or skip leaves, stop a pending autosave and abort one in flight: the
  // submit carries the same fields, and the answer to a late save must not reach the next task.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var task = currentTask();
    if (!task || !event.detail || !task.contains(event.detail.elt)) return;
    var elt = event.detail.elt;
    if (elt.tagName !== "FORM") return;
    clearTimeout(drafts.timer);
    drafts.timer = null;
    if (drafts.inflight) { drafts.inflight.abort(); drafts.inflight = null; }
  });

  // When htmx brings in the next task (htmx:load fires on new content, attached), restore its
  // draft and move focus to it so screen readers and keys follow.
  document.addEventListener("htmx:load", function () {
    var task = currentTask();
    if (!task || drafts.task === task) return;
    initTask();
    task.setAttribute("tabindex", "-1");
    if (!focusFirstAlert(task)) task.focus({ preventScroll: true });
  });

  function start() {
    if (document.querySelector("[data-signed-out]")) forgetEverything();
    pruneLocal();
    initTask();
    focusFirstAlert(document.getElementById("main"));
    setInterval(resendUnsynced, RETRY_EVERY_MS);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
