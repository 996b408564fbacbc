/* A display formula wider than the column scrolls sideways: such a box (only such a box) is
   keyboard-focusable, so that arrow keys can scroll it, and says what it is. Not in the Tab
   order otherwise: formulas are not interactive. (_ext/d2l_math.py)
   A ResizeObserver reports each box once it has been laid out (and after a resize), so the
   widths are read when layout is already fresh: nothing forces the layout of the whole page,
   and the sections a long chapter has not shown yet (content-visibility: auto) cost nothing. */
(function () {
  function mark(boxes) {
    var wide = boxes.map(function (box) { return box.scrollWidth > box.clientWidth + 1; });
    boxes.forEach(function (box, i) {
      var focusable = box.hasAttribute('tabindex');
      if (wide[i] && !focusable) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'group');
        box.setAttribute('aria-label', '公式（可横向滚动）');
      } else if (!wide[i] && focusable) {
        box.removeAttribute('tabindex');
        box.removeAttribute('role');
        box.removeAttribute('aria-label');
      }
    });
  }
  function start() {
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll('.math-display > .math-scroll'));
    if (!window.ResizeObserver) { mark(boxes); return; }
    // the box (its width follows the column) and what it holds (its width follows the fonts)
    var observer = new ResizeObserver(function (entries) {
      var seen = [];
      entries.forEach(function (entry) {
        var box = entry.target.closest('.math-scroll');
        if (seen.indexOf(box) < 0) seen.push(box);
      });
      mark(seen);
    });
    boxes.forEach(function (box) {
      observer.observe(box);
      if (box.firstElementChild) observer.observe(box.firstElementChild);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
