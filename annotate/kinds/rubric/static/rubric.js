// annotate task kind "rubric": j/k move between the score cells, digit keys set the focused one.
// Loaded only on pages that show this kind (annotate/kinds/rubric/static/); joins the registry of
// annotate/static/js/kinds.js. Plain JavaScript, no build step; the controls work without it.
(function () {
  "use strict";

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

  window.annotateKinds.register("rubric", { key: rubricKey });
})();
