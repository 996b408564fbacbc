/* A display formula wider than the column scrolls sideways: such a box (only such a box) is
   keyboard-focusable, so that arrow keys can scroll it, and says what it is. Not in the Tab
   order otherwise: formulas are not interactive. (_ext/d2l_math.py) */
(function () {
  function update() {
    document.querySelectorAll('.math-display > .math-scroll').forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute('tabindex')) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'group');
        box.setAttribute('aria-label', '公式（可横向滚动）');
      } else if (!wide && box.hasAttribute('tabindex')) {
        box.removeAttribute('tabindex');
        box.removeAttribute('role');
        box.removeAttribute('aria-label');
      }
    });
  }
  var timer = null;
  window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(update, 150); });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', update);
  else update();
  window.addEventListener('load', update);   // the fonts change the widths
})();
