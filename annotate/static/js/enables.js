// A checkbox that switches a button on: <input type="checkbox" id="x" data-enables="btn"> and
// <button id="btn" data-enabled-by="x" disabled>. Delegated from the document, so it works on
// pages htmx swaps in. Without JavaScript the page re-renders with the button on instead.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][data-enables]")) return;
    var target = document.getElementById(box.getAttribute("data-enables"));
    if (!target || target.getAttribute("data-enabled-by") !== box.id) return;
    target.disabled = !box.checked;
  });
})();
