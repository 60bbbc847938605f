// annotate task kind "ranking": number keys, arrow keys and drag and drop on the response cards.
// Loaded only on pages that show this kind (annotate/kinds/ranking/static/); joins the registry of
// annotate/static/js/kinds.js. Plain JavaScript, no build step; the controls work without it.
(function () {
  "use strict";

  function announce(root, text) {
    var status = root.querySelector("[data-ranking-status]");
    if (status) status.textContent = text;
  }

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

  window.annotateKinds.register("ranking", {
    key: rankingKey,
    draftRestored: function (form) {
      Array.prototype.forEach.call(form.querySelectorAll("[data-ranking]"), sortByRank);
    }
  });
})();
