// annotate task kind "rating": digit keys pick a likert point of the focused rating (then go on to
// the next one), y / n pick thumbs up / down, j / k move between the ratings. Loaded only on pages
// that show this kind; joins the registry of annotate/static/js/kinds.js. The radios work without it.
(function () {
  "use strict";

  function rowOf(root, el) {
    var rows = Array.prototype.slice.call(root.querySelectorAll("[data-rating-row]"));
    var row = el && el.closest ? el.closest("[data-rating-row]") : null;
    if (row) return { rows: rows, row: row };
    // Nothing focused yet: the first rating without a value, else the first.
    var empty = rows.filter(function (r) { return !r.querySelector("input:checked"); });
    return { rows: rows, row: empty[0] || rows[0] };
  }

  function focusRow(row) {
    var target = row.querySelector("input:checked") || row.querySelector("input[type=radio]");
    if (target) target.focus();
  }

  function pick(radio) {
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function ratingKey(event, root) {
    var key = event.key;
    var found = rowOf(root, event.target);
    var rows = found.rows, row = found.row;
    if (!row) return false;
    var index = rows.indexOf(row);
    if (key === root.dataset.keyNext || key === root.dataset.keyPrevious) {
      var next = key === root.dataset.keyNext ? index + 1 : index - 1;
      focusRow(rows[Math.max(0, Math.min(rows.length - 1, next))]);
      return true;
    }
    var value = null;
    if (root.dataset.mode === "thumbs") {
      if (key === root.dataset.keyUp) value = "up";
      else if (key === root.dataset.keyDown) value = "down";
    } else if (/^[0-9]$/.test(key)) {
      value = key;
      // A 1-10 scale: 0 picks 10.
      if (key === "0" && !row.querySelector('input[value="0"]')) value = "10";
    }
    if (value === null) return false;
    var radio = row.querySelector('input[type=radio][value="' + value + '"]');
    if (!radio) return false;
    pick(radio);
    if (index + 1 < rows.length) focusRow(rows[index + 1]);
    return true;
  }

  window.annotateKinds.register("rating", { key: ratingKey });
})();
