// annotate task kind "pairwise": with the template's sync_media, the two responses' videos (or
// audio clips) play, pause and seek together. Loaded only on pages that show this kind; joins the
// registry of annotate/static/js/kinds.js. Without it each plays on its own.
(function () {
  "use strict";

  function players(root) {
    return Array.prototype.slice.call(root.querySelectorAll(".responses video, .responses audio"));
  }

  function sync(root) {
    if (root._pairwiseSynced || !root.hasAttribute("data-sync-media")) return;
    root._pairwiseSynced = true;
    var all = players(root);
    var following = false;  // a change we made ourselves: do not echo it back
    function others(source, act) {
      if (following) return;
      following = true;
      try {
        all.forEach(function (m) { if (m !== source) act(m); });
      } finally {
        following = false;
      }
    }
    all.forEach(function (m) {
      m.addEventListener("play", function () {
        others(m, function (o) {
          if (Math.abs(o.currentTime - m.currentTime) > 0.25) o.currentTime = m.currentTime;
          if (o.paused) {
            var p = o.play();
            if (p && p.catch) p.catch(function () {});
          }
        });
      });
      m.addEventListener("pause", function () { others(m, function (o) { if (!o.paused) o.pause(); }); });
      m.addEventListener("seeked", function () {
        others(m, function (o) { if (Math.abs(o.currentTime - m.currentTime) > 0.05) o.currentTime = m.currentTime; });
      });
    });
    var button = root.querySelector("[data-sync-play]");
    if (button) {
      button.addEventListener("click", function () {
        var first = all[0];
        if (!first) return;
        if (first.paused) {
          var p = first.play();
          if (p && p.catch) p.catch(function () {});
        } else {
          first.pause();
        }
      });
    }
  }

  function setUp(scope) {
    var roots = (scope.querySelectorAll ? scope : document).querySelectorAll('[data-kind="pairwise"]');
    Array.prototype.forEach.call(roots, sync);
    if (scope.matches && scope.matches('[data-kind="pairwise"]')) sync(scope);
  }

  window.annotateKinds.register("pairwise", { setUp: setUp });
})();
