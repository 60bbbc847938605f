// annotate task kind "demonstration": the editor's character count, the model draft (start
// from it without a page load, record that it was opened), and the kind's keys. Loaded only on
// pages that show this kind; joins the registry of annotate/static/js/kinds.js. Plain
// JavaScript, no build step. The live preview is htmx (hx-post on the editor); without any
// script the "Update the preview" and "Start from this draft" buttons do the same by a page load.
(function () {
  "use strict";

  function root(el) { return el && el.closest ? el.closest("[data-kind=demonstration]") : null; }

  function count(box) {
    var editor = box.querySelector("[data-editor]");
    var out = box.querySelector("[data-count]");
    if (!editor || !out) return;
    var minimum = parseInt(box.dataset.minLength || "1", 10);
    var length = Array.from(editor.value).length;  // code points, as the server counts
    out.textContent = length + " characters" + (minimum > 1 ? " (at least " + minimum + ")" : "");
    out.classList.toggle("short", length < minimum);
  }

  function useDraft(box) {
    var source = box.querySelector("[data-draft-source]");
    var editor = box.querySelector("[data-editor]");
    if (!source || !editor) return;
    editor.value = source.value;
    var started = box.querySelector("[data-draft-started]");
    var shown = box.querySelector("[data-draft-shown]");
    if (started) started.value = "1";
    if (shown) shown.value = "1";
    editor.dispatchEvent(new Event("input", { bubbles: true }));  // the preview, the count, the draft autosave
    editor.focus();
    editor.setSelectionRange(0, 0);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-draft]");
    if (button && root(button)) {
      event.preventDefault();  // no page load: the draft goes into the editor here
      useDraft(root(button));
      return;
    }
    var preview = event.target.closest && event.target.closest("[data-preview-button]");
    if (preview && root(preview) && window.htmx) {
      event.preventDefault();
      var editor = root(preview).querySelector("[data-editor]");
      if (editor) window.htmx.trigger(editor, "input");
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-kind=demonstration] [data-editor]")) count(root(event.target));
  });

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("[data-kind=demonstration] details[data-draft]") || !details.open) return;
    var shown = root(details).querySelector("[data-draft-shown]");
    if (shown) shown.value = "1";
  }, true);

  function demoKey(event, box) {
    if (event.key && event.key === box.dataset.keyEditor) {
      var editor = box.querySelector("[data-editor]");
      if (editor) { editor.focus(); return true; }
    }
    if (event.key && event.key === box.dataset.keyUseDraft && box.querySelector("[data-draft-source]")) {
      var details = box.querySelector("details[data-draft]");
      if (details) details.open = true;
      useDraft(box);
      return true;
    }
    return false;
  }

  function setUp(scope) {
    var boxes = (scope.querySelectorAll ? scope : document).querySelectorAll("[data-kind=demonstration]");
    Array.prototype.forEach.call(boxes, count);
  }

  window.annotateKinds.register("demonstration", { key: demoKey, setUp: setUp, draftRestored: setUp });
})();
