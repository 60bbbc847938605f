// annotate task kinds: keyboard and pointer behaviour of the kinds' controls.
// Plain JavaScript, no build step, no inline handlers (the CSP forbids them).
// Everything is delegated from `document`, and per-fragment set-up runs on
// DOMContentLoaded and on `htmx:load`, because htmx does not run scripts in
// swapped fragments. Every control also works as a plain form without this file.
(function () {
  "use strict";

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

  function announce(root, text) {
    var status = root.querySelector("[data-ranking-status]");
    if (status) status.textContent = text;
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

  // -- ranking -----------------------------------------------------------------------

  function cards(list) {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > .rank-card"));
  }

  function rankOf(card) {
    var value = card.querySelector("[data-rank]").value;
    return value === "" ? null : parseInt(value, 10);
  }

  function setRank(card, rank) {
    card.querySelector("[data-rank]").value = rank === null ? "" : String(rank);
  }

  function cardName(card) {
    return card.getAttribute("aria-label") || "Response";
  }

  // Sort the cards by rank (unranked last), keeping the current order among equals.
  function sortByRank(list) {
    var all = cards(list);
    var order = all.map(function (card, i) { return { card: card, i: i, rank: rankOf(card) }; });
    order.sort(function (a, b) {
      var ra = a.rank === null ? Infinity : a.rank;
      var rb = b.rank === null ? Infinity : b.rank;
      return ra - rb || a.i - b.i;
    });
    order.forEach(function (entry) { list.appendChild(entry.card); });
  }

  // Tell listeners (draft autosave) that the ranks changed: the values were set by script.
  function touched(list) {
    var first = list.querySelector("[data-rank]");
    if (first) first.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Give every card the rank of its position (after a move or a drop).
  function renumber(list) {
    cards(list).forEach(function (card, i) { setRank(card, i + 1); });
  }

  // Give one card a rank. Only that card changes: the others keep their ranks (none is
  // invented or shifted) and the list stays where it is, so the focus does not jump. Two
  // cards on one rank are a tie the expert made; where ties are not allowed, say so.
  function assignRank(list, card, rank) {
    var allowTies = list.dataset.allowTies === "true";
    setRank(card, rank);
    touched(list);
    card.focus();
    var same = cards(list).filter(function (other) { return other !== card && rankOf(other) === rank; });
    var text = cardName(card) + ": rank " + rank + ".";
    if (same.length && allowTies) text += " Tied with " + same.map(cardName).join(", ") + ".";
    else if (same.length) text += " " + same.map(cardName).join(", ") + " also has rank " + rank + "; ties are not allowed here, so give one of them another rank.";
    announce(list.parentNode, text);
  }

  function move(list, card, delta) {
    var all = cards(list);
    var index = all.indexOf(card);
    var target = index + delta;
    if (target < 0 || target >= all.length) return;
    if (delta < 0) list.insertBefore(card, all[target]);
    else list.insertBefore(card, all[target].nextSibling);
    renumber(list);
    touched(list);
    card.focus();
    announce(list.parentNode, cardName(card) + " moved to rank " + (target + 1));
  }

  function rankingKey(event, root) {
    var list = root.querySelector("[data-ranking]");
    if (!list) return false;
    var card = event.target.closest ? event.target.closest(".rank-card") : null;
    var all = cards(list);
    var key = event.key;
    if (key === list.dataset.keyNext || key === list.dataset.keyPrevious) {
      var index = card ? all.indexOf(card) : -1;
      var next = key === list.dataset.keyNext ? index + 1 : index - 1;
      if (next < 0) next = 0;
      if (next >= all.length) next = all.length - 1;
      all[next].focus();
      return true;
    }
    if (!card || event.target !== card) return false;
    if (key === list.dataset.keyUp) { move(list, card, -1); return true; }
    if (key === list.dataset.keyDown) { move(list, card, 1); return true; }
    if (/^[1-9]$/.test(key)) {
      var rank = parseInt(key, 10);
      if (rank <= all.length) { assignRank(list, card, rank); return true; }
    }
    return false;
  }

  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".rank-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.response);
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = event.target.closest && event.target.closest(".rank-card");
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var list = dragged.parentNode;
    dragged.classList.remove("dragging");
    renumber(list);
    touched(list);
    announce(list.parentNode, cardName(dragged) + " dropped at rank " + (cards(list).indexOf(dragged) + 1));
    dragged = null;
  });

  // A rank chosen with the mouse or the keyboard in the select re-sorts the list.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("[data-rank]")) return;
    var list = select.closest("[data-ranking]");
    var card = select.closest(".rank-card");
    // A script setting the value (a draft being restored) only re-sorts: nobody is working
    // in the list yet. A rank the expert picks changes that card only (assignRank).
    if (!event.isTrusted) { sortByRank(list); return; }
    if (select.value === "") { touched(list); return; }
    assignRank(list, card, parseInt(select.value, 10));
    select.focus();
  });

  // -- critique: error spans -----------------------------------------------------------

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

  // -- rubric --------------------------------------------------------------------------

  function rubricKey(event, root) {
    var cells = Array.prototype.slice.call(root.querySelectorAll("[data-rubric-cell]"));
    var cell = event.target.closest && event.target.closest("[data-rubric-cell]");
    var key = event.key;
    if (key === root.dataset.keyNext || key === root.dataset.keyPrevious) {
      var index = cell ? cells.indexOf(cell) : -1;
      var next = key === root.dataset.keyNext ? index + 1 : index - 1;
      if (next < 0) next = 0;
      if (next >= cells.length) next = cells.length - 1;
      var target = cells[next].querySelector("input:checked") || cells[next].querySelector("input[type=radio]");
      target.focus();
      return true;
    }
    if (cell && /^-?[0-9]$/.test(key)) {
      var radio = cell.querySelector('input[type=radio][value="' + key + '"]');
      if (radio) {
        radio.checked = true;
        radio.focus();
        radio.dispatchEvent(new Event("change", { bubbles: true }));
        return true;
      }
    }
    return false;
  }

  // -- one keydown listener for every kind ----------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var root = kindRoot();
    if (!root || typingIn(event.target)) return;
    var handled = false;
    var kind = root.dataset.kind;
    if (kind === "ranking") handled = rankingKey(event, root);
    else if (kind === "critique") handled = critiqueKey(event, root);
    else if (kind === "rubric") handled = rubricKey(event, root);
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
    if (handled) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // -- per-fragment set-up ---------------------------------------------------------------

  function setUp(scope) {
    var blocks = (scope.querySelectorAll ? scope : document).querySelectorAll("[data-critique]");
    Array.prototype.forEach.call(blocks, function (block) {
      if (block.querySelector("[data-spans]")) drawSpans(block, spanState(block));
    });
  }

  // The workbench restored a draft into the form: rebuild what lives outside the fields.
  document.addEventListener("annotate:draft-restored", function (event) {
    var form = event.target;
    Array.prototype.forEach.call(form.querySelectorAll("[data-ranking]"), sortByRank);
    setUp(form);
  });

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.detail && event.detail.elt ? event.detail.elt : document); });
})();
