/* A display formula wider than the column scrolls sideways: such a box (only such a box) is
   keyboard-focusable, so that arrow keys can scroll it, and says what it is. Not in the Tab
   order otherwise: formulas are not interactive. (_ext/d2l_math.py)
   All widths are read first, then the attributes written: one layout, not one per formula;
   run when the page (and its fonts) has loaded, off the critical path, and after a resize. */
(function () {
  function update() {
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll('.math-display > .math-scroll'));
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
  function later() {
    (window.requestIdleCallback || function (f) { return setTimeout(f, 1); })(update, {timeout: 1000});
  }
  var timer = null;
  window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(later, 200); });
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', function () {
    (document.fonts ? document.fonts.ready : Promise.resolve()).then(later);
  });
})();
