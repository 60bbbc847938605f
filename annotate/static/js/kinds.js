// annotate task kinds: what every kind's controls share, and the registry each kind's own
// script (annotate/kinds/<name>/static/<name>.js, loaded only on pages that show the kind)
// joins. Plain JavaScript, no build step, no inline handlers (the CSP forbids them).
// Every control also works as a plain form without any script.
//
// A kind's script registers itself:
//
//   window.annotateKinds.register("ranking", {
//     key: function (event, root) { ... return true when the key was handled; },
//     setUp: function (scope) { ... },        // a page or an htmx fragment arrived (scope: its element)
//     draftRestored: function (form) { ... }  // the workbench put a saved draft into the form
//   });
//
// `root` is the kind's element (`[data-kind="<name>"]`) on the task, review or adjudication
// page; keys reach it only while it is on screen and the focus is not in a text field.
(function () {
  "use strict";

  var kinds = {};
  var ready = false;  // DOMContentLoaded has run the set-ups of the scripts that came with the page

  function typingIn(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    return tag === "INPUT" && !/^(radio|checkbox|button|submit)$/i.test(el.type);
  }

  function kindRoot() {
    // The kind's controls on the task, review ("Fix and accept") or adjudication page; keys
    // only reach them while they are on screen.
    var root = document.querySelector("[data-shortcuts] [data-kind]");
    if (root && root.checkVisibility && !root.checkVisibility()) return null;
    return root;
  }

  function scopeOf(event) {
    return event && event.detail && event.detail.elt ? event.detail.elt : document;
  }

  var pending = {};  // kind name -> keys pressed while its script was still loading

  window.annotateKinds = {
    register: function (name, hooks) {
      kinds[name] = hooks;
      // A script loaded after the page (an htmx swap brought the kind) sets up what is there,
      // then gets the keys pressed while it loaded.
      if (hooks.setUp && ready) hooks.setUp(document);
      var early = pending[name] || [];
      delete pending[name];
      early.forEach(function (press) { if (hooks.key) hooks.key(press.event, press.root); });
    }
  };

  // -- a kind's scripts, for pages that arrive by htmx --------------------------------------
  // htmx drops <script> tags from swapped content, so the kind_assets macro also writes a
  // <link rel="preload" as="script" data-kind-script>: load each such script once.
  var loaded = {};
  Array.prototype.forEach.call(document.scripts, function (s) { if (s.src) loaded[s.src] = true; });

  function loadKindScripts(scope) {
    var links = (scope.querySelectorAll ? scope : document).querySelectorAll("link[data-kind-script]");
    Array.prototype.forEach.call(links, function (link) {
      if (loaded[link.href]) return;
      loaded[link.href] = true;
      if (link.dataset.kindScript && !kinds[link.dataset.kindScript]) pending[link.dataset.kindScript] = [];
      var script = document.createElement("script");
      script.src = link.href;
      script.async = false;
      document.head.appendChild(script);
    });
  }

  // -- generic: elements carrying data-kind-key ----------------------------------------
  // toggle: open/close a <details> (its <summary> carries the key);
  // toggle-check: flip a checkbox.
  function runKindKey(el) {
    var action = el.dataset.kindAction;
    if (action === "toggle") {
      var details = el.closest("details");
      if (!details) return;
      details.open = !details.open;
      if (details.open) {
        var first = details.querySelector("input:checked, input, textarea, select");
        (first || el).focus();
      } else {
        el.focus();
      }
    } else if (action === "toggle-check") {
      el.checked = !el.checked;
      el.focus();
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  // -- one keydown listener for every kind ----------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var root = kindRoot();
    if (!root || typingIn(event.target)) return;
    var own = kinds[root.dataset.kind];
    var handled = own && own.key ? own.key(event, root) : false;
    if (!handled) {
      var keyed = root.querySelectorAll("[data-kind-key]");
      for (var i = 0; i < keyed.length; i++) {
        if (keyed[i].dataset.kindKey && keyed[i].dataset.kindKey === event.key) {
          runKindKey(keyed[i]);
          handled = true;
          break;
        }
      }
    }
    if (!handled && !own && pending[root.dataset.kind]) {
      // The kind's script is on its way: keep the key for it rather than lose it.
      pending[root.dataset.kind].push({ event: event, root: root });
      handled = true;
    }
    if (handled) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // -- per-fragment set-up ---------------------------------------------------------------

  function setUp(scope) {
    Object.keys(kinds).forEach(function (name) {
      if (kinds[name].setUp) kinds[name].setUp(scope);
    });
  }

  // The workbench restored a draft into the form: rebuild what lives outside the fields.
  document.addEventListener("annotate:draft-restored", function (event) {
    var form = event.target;
    Object.keys(kinds).forEach(function (name) {
      if (kinds[name].draftRestored) kinds[name].draftRestored(form);
    });
  });

  document.addEventListener("DOMContentLoaded", function () { ready = true; setUp(document); });
  document.addEventListener("htmx:load", function (event) {
    loadKindScripts(scopeOf(event));
    setUp(scopeOf(event));
  });
})();
