// annotate task kind "caption": the player's keys (space or k play / pause, j / l back / forward),
// time marks ([ starts a segment at the playhead, ] ends it there and puts the focus in its text),
// segment rows kept in order of time. Loaded only on pages that show this kind; joins the registry
// of annotate/static/js/kinds.js. The rows are plain form fields the server reads and checks.
(function () {
  "use strict";

  var CLOCK = /^(?:(\d{1,2}):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/;

  function media(root) { return root.querySelector("[data-caption-media]"); }

  function rows(root) {
    return Array.prototype.slice.call(root.querySelectorAll("[data-caption-segments] > [data-caption-segment]"));
  }

  function field(row, name) { return row.querySelector('[data-caption-field="' + name + '"]'); }

  // "12.5", "0:12.5" or "1:02:03.25" as seconds; NaN for anything else (as the server reads it).
  function parse(text) {
    text = (text || "").trim().replace(",", ".");
    if (!text) return NaN;
    var clock = CLOCK.exec(text);
    if (clock) {
      var hours = clock[1] === undefined ? 0 : parseInt(clock[1], 10);
      return hours * 3600 + parseInt(clock[2], 10) * 60 + parseFloat(clock[3]);
    }
    return /^-?\d+(\.\d+)?$/.test(text) ? parseFloat(text) : NaN;
  }

  function clock(seconds) {
    if (!isFinite(seconds)) return "…";
    var whole = Math.round(seconds * 1000) / 1000;
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var secs = (whole % 60).toFixed(3);
    if (secs.length < 6) secs = "0" + secs;
    return (hours ? hours + ":" + (minutes < 10 ? "0" : "") : "") + minutes + ":" + secs;
  }

  function playhead(root) {
    var m = media(root);
    return m ? Math.round(m.currentTime * 1000) / 1000 : 0;
  }

  function current(root) {
    var row = root._captionCurrent;
    return row && root.contains(row) ? row : null;
  }

  function setCurrent(root, row) {
    rows(root).forEach(function (r) { r.classList.toggle("current", r === row); });
    root._captionCurrent = row;
  }

  function renumber(root) {
    rows(root).forEach(function (row, i) {
      row.querySelector("[data-caption-number]").textContent = String(i + 1);
      var remove = row.querySelector('[data-caption-action="remove"]');
      if (remove) remove.setAttribute("aria-label", "Remove segment " + (i + 1));
      var seek = row.querySelector('[data-caption-action="seek"]');
      if (seek) seek.setAttribute("aria-label", "Play segment " + (i + 1) + " from its start");
    });
  }

  // Keep the rows in order of their start (a row without a time stays where it is, or last).
  function reorder(root) {
    var list = root.querySelector("[data-caption-segments]");
    var all = rows(root);
    var sorted = all.slice().sort(function (a, b) {
      var x = parse(field(a, "start").value), y = parse(field(b, "start").value);
      if (isNaN(x) && isNaN(y)) return all.indexOf(a) - all.indexOf(b);
      if (isNaN(x)) return 1;
      if (isNaN(y)) return -1;
      return x - y || all.indexOf(a) - all.indexOf(b);
    });
    var moved = sorted.some(function (row, i) { return row !== all[i]; });
    if (moved) {
      var focused = document.activeElement;
      sorted.forEach(function (row) { list.appendChild(row); });
      if (focused && list.contains(focused)) focused.focus();
    }
    renumber(root);
  }

  function changed(el) {
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function addRow(root, values, index) {
    var template = root.querySelector("template[data-caption-row]");
    var next = index;
    if (next === undefined) {
      next = 0;
      rows(root).forEach(function (r) { next = Math.max(next, parseInt(r.dataset.index, 10) + 1); });
    }
    var holder = document.createElement("ol");
    holder.innerHTML = template.innerHTML.replace(/__N__/g, String(next));
    var row = holder.firstElementChild;
    root.querySelector("[data-caption-segments]").appendChild(row);
    Object.keys(values || {}).forEach(function (name) {
      var el = field(row, name);
      if (el) el.value = values[name];
    });
    reorder(root);
    setCurrent(root, row);
    if (values && Object.keys(values).length) changed(field(row, "start"));
    return row;
  }

  function setTime(row, name, seconds) {
    var el = field(row, name);
    el.value = String(seconds);
    changed(el);
  }

  function markStart(root) {
    var t = playhead(root);
    var row = current(root);
    if (row && !field(row, "start").value.trim() && !field(row, "end").value.trim()) {
      setTime(row, "start", t);
    } else {
      row = addRow(root, { start: String(t) });
    }
    reorder(root);
    setCurrent(root, row);
  }

  function markEnd(root) {
    var t = playhead(root);
    var row = current(root);
    if (!row) {
      // No segment started: this one runs from the end of the last one (or 0:00) to here.
      var last = rows(root).pop();
      var from = last ? parse(field(last, "end").value) : 0;
      row = addRow(root, { start: String(isNaN(from) || from > t ? 0 : from) });
    }
    setTime(row, "end", t);
    var m = media(root);
    if (m && !m.paused) m.pause();
    field(row, "text").focus();
  }

  function toggle(root) {
    var m = media(root);
    if (!m) return;
    if (m.paused) {
      var playing = m.play();
      if (playing && playing.catch) playing.catch(function () { /* the browser refused: nothing to do */ });
    } else {
      m.pause();
    }
  }

  function seekBy(root, delta) {
    var m = media(root);
    if (!m) return;
    var end = isFinite(m.duration) ? m.duration : Infinity;
    m.currentTime = Math.max(0, Math.min(end, m.currentTime + delta));
  }

  function act(root, action, button) {
    var seek = parseFloat(root.dataset.seek) || 5;
    var row = button ? button.closest("[data-caption-segment]") : null;
    if (action === "play") toggle(root);
    else if (action === "back") seekBy(root, -seek);
    else if (action === "forward") seekBy(root, seek);
    else if (action === "start") markStart(root);
    else if (action === "end") markEnd(root);
    else if (action === "add") field(addRow(root, {}), "start").focus();
    else if (action === "remove" && row) {
      var all = rows(root);
      var neighbour = all[all.indexOf(row) + 1] || all[all.indexOf(row) - 1];
      row.remove();
      renumber(root);
      setCurrent(root, neighbour || null);
      var form = root.closest("form");
      if (form) form.dispatchEvent(new Event("input", { bubbles: true }));
      (neighbour ? field(neighbour, "start") : root.querySelector('[data-caption-action="add"]')).focus();
    } else if (action === "seek" && row) {
      var m = media(root);
      var start = parse(field(row, "start").value);
      if (m && !isNaN(start)) {
        m.currentTime = start;
        var playing = m.play();
        if (playing && playing.catch) playing.catch(function () {});
      }
      setCurrent(root, row);
    }
  }

  function captionKey(event, root) {
    var key = event.key;
    var d = root.dataset;
    var action = key === " " || key === d.keyPlay ? "play"
      : key === d.keyBack ? "back"
      : key === d.keyForward ? "forward"
      : key === d.keyStart ? "start"
      : key === d.keyEnd ? "end" : null;
    if (!action || !media(root)) return false;
    act(root, action, null);
    return true;
  }

  function setUpRoot(root) {
    if (root._captionReady) return;
    root._captionReady = true;
    var m = media(root);
    var time = root.querySelector("[data-caption-time]");
    var total = root.querySelector("[data-caption-duration]");
    if (m) {
      m.addEventListener("timeupdate", function () { time.textContent = clock(m.currentTime); });
      m.addEventListener("seeked", function () { time.textContent = clock(m.currentTime); });
      m.addEventListener("loadedmetadata", function () {
        if (isFinite(m.duration) && total.textContent === "…") total.textContent = clock(m.duration);
      });
    }
    root.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-caption-action]");
      if (!button || !root.contains(button)) return;
      event.preventDefault();
      act(root, button.dataset.captionAction, button);
    });
    root.addEventListener("focusin", function (event) {
      var row = event.target.closest && event.target.closest("[data-caption-segment]");
      if (row) setCurrent(root, row);
    });
    root.addEventListener("change", function (event) {
      if (event.target.dataset && event.target.dataset.captionField === "start") reorder(root);
    });
    renumber(root);
  }

  function setUp(scope) {
    var roots = (scope.querySelectorAll ? scope : document).querySelectorAll('[data-kind="caption"]');
    Array.prototype.forEach.call(roots, setUpRoot);
    if (scope.matches && scope.matches('[data-kind="caption"]')) setUpRoot(scope);
  }

  // A restored draft may hold rows this page does not have yet: make them, then fill them in.
  document.addEventListener("annotate:draft-restored", function (event) {
    var root = event.target.querySelector && event.target.querySelector('[data-kind="caption"]');
    var fields = event.detail && event.detail.fields;
    if (!root || !fields) return;
    var have = {};
    rows(root).forEach(function (r) { have[r.dataset.index] = r; });
    Object.keys(fields).forEach(function (name) {
      var match = /^segment-(\d{1,4})-(start|end|text|label)$/.exec(name);
      if (!match) return;
      var row = have[match[1]] || (have[match[1]] = addRow(root, {}, parseInt(match[1], 10)));
      var el = field(row, match[2]);
      if (el && el.value !== fields[name][0]) el.value = fields[name][0];
    });
    reorder(root);
    setCurrent(root, null);
  });

  window.annotateKinds.register("caption", { key: captionKey, setUp: setUp });
})();
