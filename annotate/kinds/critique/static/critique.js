// annotate task kind "critique": error spans marked on the response's text, and the critique's keys.
// Loaded only on pages that show this kind (annotate/kinds/critique/static/); joins the registry of
// annotate/static/js/kinds.js. Plain JavaScript, no build step; the controls work without it.
(function () {
  "use strict";

  // Offsets in code points (Python string indices), not UTF-16 units: an emoji
  // before the selection must not shift the span the server checks.
  function codePoints(text) {
    return Array.from(text).length;
  }

  // The selection's [start, end) in the raw text element's text, in UTF-16 units.
  function selectionOffsets(raw) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    if (!raw.contains(range.startContainer) || !raw.contains(range.endContainer)) return null;
    var before = document.createRange();
    before.selectNodeContents(raw);
    before.setEnd(range.startContainer, range.startOffset);
    var start = before.toString().length;
    return { start: start, end: start + range.toString().length };
  }

  function spanState(block) {
    var field = block.querySelector("[data-spans]");
    try {
      var spans = JSON.parse(field.value || "[]");
      return Array.isArray(spans) ? spans : [];
    } catch (e) {
      return [];
    }
  }

  function saveSpans(block, spans) {
    var field = block.querySelector("[data-spans]");
    field.value = JSON.stringify(spans);
    field.dispatchEvent(new Event("change", { bubbles: true }));
    drawSpans(block, spans);
  }

  function drawSpans(block, spans) {
    var list = block.querySelector("[data-span-list]");
    if (!list) return;
    list.textContent = "";
    spans.forEach(function (span, i) {
      var li = document.createElement("li");
      var mark = document.createElement("mark");
      mark.textContent = span.text;
      var label = document.createElement("strong");
      label.textContent = " " + span.label + " ";
      var comment = document.createElement("span");
      comment.textContent = span.comment || "";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.dataset.removeSpan = String(i);
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove span " + (i + 1) + ": " + span.text);
      li.appendChild(mark);
      li.appendChild(label);
      li.appendChild(comment);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  // The last non-empty selection inside each block's raw text, kept because focusing
  // the label select or the comment field may collapse the document selection.
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.anchorNode) return;
    var parent = selection.anchorNode.nodeType === 1 ? selection.anchorNode : selection.anchorNode.parentElement;
    var raw = parent && parent.closest && parent.closest("[data-raw-text]");
    if (!raw) return;
    var offsets = selectionOffsets(raw);
    if (offsets) raw.closest("[data-critique]").pendingSpan = offsets;
  });

  // Keyboard route to a span: type the text to mark; the first occurrence after the
  // spans already marked is selected (then the label, the comment, and Enter or "Add span").
  function findSpan(input) {
    var block = input.closest("[data-critique]");
    var raw = block.querySelector("[data-raw-text]");
    var message = block.querySelector("[data-span-message]");
    var needle = input.value;
    block.pendingSpan = null;
    if (!needle) { if (message) message.textContent = ""; return; }
    var text = raw.textContent;
    var at = text.indexOf(needle);
    if (at < 0) { if (message) message.textContent = "Not found in the response."; return; }
    block.pendingSpan = { start: at, end: at + needle.length };
    if (message) message.textContent = "Found “" + needle.slice(0, 60) + "”; pick a label and press Enter to add it.";
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-span-find]")) findSpan(event.target);
  });

  // Enter in the span fields adds the span instead of submitting the whole form.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || event.ctrlKey || event.metaKey || !field.matches) return;
    if (!field.matches("[data-span-find], [data-span-comment]")) return;
    event.preventDefault();
    addSpan(field.closest("[data-critique]"));
  });

  function addSpan(block) {
    var raw = block.querySelector("[data-raw-text]");
    var message = block.querySelector("[data-span-message]");
    var offsets = (raw && selectionOffsets(raw)) || block.pendingSpan;
    if (!raw || !offsets || offsets.end <= offsets.start) {
      if (message) message.textContent = "Select some text in the box above (or type it in “Find text”) first.";
      return;
    }
    // The template puts a newline right after <pre>, which the HTML parser drops:
    // textContent is the raw content exactly, so offsets match the server's.
    var text = raw.textContent;
    var selected = text.slice(offsets.start, offsets.end);
    var span = {
      start: codePoints(text.slice(0, offsets.start)),
      end: codePoints(text.slice(0, offsets.end)),
      label: block.querySelector("[data-span-label]").value,
      comment: block.querySelector("[data-span-comment]").value.trim(),
      text: selected
    };
    var spans = spanState(block);
    spans.push(span);
    spans.sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    saveSpans(block, spans);
    block.querySelector("[data-span-comment]").value = "";
    var find = block.querySelector("[data-span-find]");
    if (find) find.value = "";
    block.pendingSpan = null;
    var selection = window.getSelection();
    if (selection) selection.removeAllRanges();
    if (message) message.textContent = "Marked “" + selected.slice(0, 60) + "” as " + span.label + ".";
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest("[data-add-span]");
    if (add) { addSpan(add.closest("[data-critique]")); return; }
    var remove = event.target.closest && event.target.closest("[data-remove-span]");
    if (remove) {
      var block = remove.closest("[data-critique]");
      var spans = spanState(block);
      spans.splice(parseInt(remove.dataset.removeSpan, 10), 1);
      saveSpans(block, spans);
    }
  });

  function critiqueKey(event, root) {
    var block = (event.target.closest && event.target.closest("[data-critique]")) || root.querySelector("[data-critique]");
    var key = event.key;
    var blocks = Array.prototype.slice.call(root.querySelectorAll("[data-critique]"));
    if (key === root.dataset.keyAddSpan && block) {
      // The selection may be in another block's raw text: use the block that holds it.
      var selection = window.getSelection();
      var anchor = selection && selection.anchorNode;
      var holder = anchor && (anchor.nodeType === 1 ? anchor : anchor.parentElement).closest("[data-critique]");
      addSpan(holder || block);
      return true;
    }
    if (key === root.dataset.keyCritique && block) {
      block.querySelector("[data-focus-critique]").focus();
      return true;
    }
    if (key === root.dataset.keyRewrite && block && block.querySelector("[data-focus-rewrite]")) {
      var rewrite = block.querySelector("[data-rewrite]");
      if (rewrite) rewrite.open = true;  // the rewrite starts closed: its text is the response, already shown
      block.querySelector("[data-focus-rewrite]").focus();
      return true;
    }
    if (key === root.dataset.keyNext && blocks.length > 1) {
      var index = blocks.indexOf(block);
      var next = blocks[(index + 1) % blocks.length];
      next.focus();
      next.scrollIntoView({ block: "start" });
      return true;
    }
    return false;
  }

  function setUp(scope) {
    var blocks = (scope.querySelectorAll ? scope : document).querySelectorAll("[data-critique]");
    Array.prototype.forEach.call(blocks, function (block) {
      if (block.querySelector("[data-spans]")) drawSpans(block, spanState(block));
    });
  }

  window.annotateKinds.register("critique", { key: critiqueKey, setUp: setUp, draftRestored: setUp });
})();
