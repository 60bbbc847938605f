// annotate task page behaviour: keyboard shortcuts and active-time tracking.
// Plain JavaScript, no build step. Everything here is an enhancement: the
// forms work without it.
(function () {
  "use strict";

  var IDLE_AFTER_MS = 60 * 1000;
  var lastActivity = Date.now();
  var active = { assignment: null, seconds: 0 };

  function typingIn(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    return tag === "INPUT" && !/^(radio|checkbox|button|submit)$/i.test(el.type);
  }

  function currentForm() {
    return document.querySelector("#task form.answer");
  }

  document.addEventListener("keydown", function (event) {
    lastActivity = Date.now();
    var form = currentForm();
    if (!form) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
    var inputs = form.querySelectorAll("input[data-key]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].dataset.key === event.key) {
        event.preventDefault();
        inputs[i].checked = true;
        inputs[i].focus();
        inputs[i].dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
    }
  });

  ["mousemove", "mousedown", "scroll", "input"].forEach(function (name) {
    document.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
  });

  // Count the seconds an expert actively spends on the current task.
  setInterval(function () {
    var task = document.getElementById("task");
    var field = task && task.querySelector("[data-active-seconds]");
    if (!field) return;
    if (task.dataset.assignment !== active.assignment) {
      active.assignment = task.dataset.assignment;
      active.seconds = 0;
    }
    if (document.visibilityState === "visible" && Date.now() - lastActivity < IDLE_AFTER_MS) {
      active.seconds += 1;
      field.value = String(active.seconds);
    }
  }, 1000);

  // After htmx swaps in the next task, move focus to it so screen readers and keys follow.
  document.addEventListener("htmx:afterSwap", function (event) {
    var task = document.getElementById("task");
    if (task && event.detail && event.detail.target && event.detail.target.id === "task") {
      task.setAttribute("tabindex", "-1");
      task.focus({ preventScroll: true });
    }
  });
})();
