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
