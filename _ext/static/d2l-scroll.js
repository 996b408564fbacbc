/* A box wider (or, for outputs, taller) than its space scrolls: such a box, and only such a box,
   is keyboard-focusable, so that arrow keys can scroll it (WCAG 2.1.1; axe's
   scrollable-region-focusable). Display formulas (_ext/d2l_math.py) also say what they are;
   code, outputs and tables are named by their content. Not in the Tab order otherwise.
   This replaces the theme's own version (_ext/d2l_site.py removes it), which read each box's
   width right after writing the previous box's tabindex: one layout of the whole page per box
   (33 on chapter 06, about 2 s of a phone's time). Here a ResizeObserver reports each box once
   it has been laid out (and after a resize): the widths are read when layout is already fresh,
   and the sections a long chapter has not shown yet (content-visibility: auto) cost nothing. */
(function () {
  var KINDS = [
    // a formula's width follows its fonts: what the box holds is watched too
    {selector: '.math-display > .math-scroll', role: 'group', label: '公式（可横向滚动）',
     watchContent: true},
    {selector: 'pre, .cell_output > .output, .nboutput > .output_area, .pst-scrollable-table-container'}
  ];
  var kindOf = new Map();

  function scrolls(box) {
    return box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
  }
  function mark(boxes) {
    var wide = boxes.map(scrolls);          // every read first, then the writes: one layout
    boxes.forEach(function (box, i) {
      var kind = kindOf.get(box), focusable = box.getAttribute('tabindex') === '0';
      if (wide[i] && !focusable) {
        box.setAttribute('tabindex', '0');
        if (kind.role) box.setAttribute('role', kind.role);
        if (kind.label) box.setAttribute('aria-label', kind.label);
      } else if (!wide[i] && focusable) {
        box.removeAttribute('tabindex');
        if (kind.role) box.removeAttribute('role');
        if (kind.label) box.removeAttribute('aria-label');
      }
    });
  }
  function start() {
    var article = document.querySelector('.bd-article') || document.body;
    KINDS.forEach(function (kind) {
      article.querySelectorAll(kind.selector).forEach(function (box) {
        if (!kindOf.has(box)) kindOf.set(box, kind);
      });
    });
    var boxes = Array.from(kindOf.keys());
    if (!window.ResizeObserver) { mark(boxes); return; }
    var observer = new ResizeObserver(function (entries) {
      var seen = new Set();
      entries.forEach(function (entry) {
        seen.add(kindOf.has(entry.target) ? entry.target : entry.target.parentElement);
      });
      mark(Array.from(seen));
    });
    boxes.forEach(function (box) {
      observer.observe(box);
      if (kindOf.get(box).watchContent && box.firstElementChild) {
        observer.observe(box.firstElementChild);
      }
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
