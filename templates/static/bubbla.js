// bubbla: the pages work without this file. On /compare it highlights a
// document in every column while it is hovered or focused.
(function () {
  "use strict";
  function mark(id, on) {
    document.querySelectorAll('.compare-list [data-doc]').forEach(function (el) {
      if (el.getAttribute('data-doc') === id) { el.classList.toggle('hl', on); }
    });
  }
  document.querySelectorAll('.compare-list [data-doc]').forEach(function (el) {
    var id = el.getAttribute('data-doc');
    el.addEventListener('mouseenter', function () { mark(id, true); });
    el.addEventListener('mouseleave', function () { mark(id, false); });
    el.addEventListener('focusin', function () { mark(id, true); });
    el.addEventListener('focusout', function () { mark(id, false); });
  });
})();

// Workshop rooms. A participant's page reloads when the leader changes the
// room (a new query, blind mode revealed …); the wall fetches its live part
// again after each committed search or click, at most twice a second.
// Without this file both pages work with their reload links.
(function () {
  "use strict";
  if (typeof EventSource === 'undefined') { return; }
  var room = document.getElementById('room');
  if (room && room.getAttribute('data-live')) {
    var es = new EventSource(room.getAttribute('data-live'));
    // A change made between rendering and listening: the versions differ.
    es.addEventListener('hello', function (e) {
      if (e.data !== room.getAttribute('data-version')) { window.location.reload(); }
    });
    es.addEventListener('settings', function () { window.location.reload(); });
    es.addEventListener('ended', function () { es.close(); window.location.reload(); });
  }
  var wall = document.getElementById('wall');
  if (!wall || !wall.getAttribute('data-live')) { return; }
  var part = wall.getAttribute('data-part');
  var state = wall.querySelector('[data-live-state]');
  var busy = false, again = false, last = 0;
  function refresh() {
    var wait = 500 - (Date.now() - last);
    if (busy || wait > 0) {
      again = true;
      if (!busy) { setTimeout(function () { if (again) { again = false; refresh(); } }, wait); }
      return;
    }
    busy = true; last = Date.now();
    fetch(part, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.text();
    }).then(function (html) {
      var live = document.getElementById('wall-live');
      if (live) { live.outerHTML = html; }
    }).catch(function () {}).then(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }
  var live = new EventSource(wall.getAttribute('data-live'));
  live.addEventListener('hello', function () { if (state) { state.textContent = '●'; } refresh(); });
  live.addEventListener('activity', refresh);
  live.addEventListener('settings', refresh);
  live.addEventListener('ended', function () { live.close(); window.location.reload(); });
  live.onerror = function () { if (state) { state.textContent = '○'; } };
})();
