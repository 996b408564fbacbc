/* A box wider (or, for outputs, taller) than its space scrolls: such a box, and only such a box,
   is keyboard-focusable, so that arrow keys can scroll it (WCAG 2.1.1; axe's
   scrollable-region-focusable). Display formulas (_ext/d2l_math.py) also say what they are;
   code, outputs and tables are named by their content. Not in the Tab order otherwise.

   The page as written already has every box that can scroll in the Tab order (tabindex="0",
   the formulas named: _ext/d2l_site.py, scroll_boxes), so none is out of the keyboard's reach
   when the page loads, including the sections a long chapter has not laid out yet
   (content-visibility: auto: _static/d2l-site.css). Here each box that fits loses that stop:
   - once it has been laid out (and after every resize): a ResizeObserver reports it, and the
     widths are read when layout is already fresh: no forced layout of the page, and the
     sections not shown yet cost nothing (the theme's own version read each box's width right
     after writing the previous box's tabindex: one layout of the whole page per box, 33 on
     chapter 06, about 2 s of a phone's time; _ext/d2l_site.py removes it);
   - or when the keyboard reaches a box that was never laid out (Tab into a section below):
     it is measured then, and if it fits, the focus moves on to the next stop in the direction
     the reader was going, so a box that fits is never a stop the reader has to pass.
   A box that comes to scroll (a narrower window) gets its stop back from the ResizeObserver. */
(function () {
  var KINDS = [
    // a formula's width follows its fonts: what the box holds is watched too
    {selector: '.math-display > .math-scroll', role: 'group', label: '公式（可横向滚动）',
     watchContent: true},
    {selector: 'pre, .cell_output > .output, .nboutput > .output_area, .pst-scrollable-table-container'}
  ];
  var kindOf = new Map();
  var measured = new Set();      // boxes whose stop has been decided from their own layout

  function scrolls(box) {
    return box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
  }
  function mark(boxes) {
    var wide = boxes.map(scrolls);          // every read first, then the writes: one layout
    boxes.forEach(function (box, i) {
      var kind = kindOf.get(box);
      measured.add(box);
      if (wide[i]) {
        if (box.getAttribute('tabindex') !== '0') box.setAttribute('tabindex', '0');
        if (kind.role && !box.hasAttribute('role')) box.setAttribute('role', kind.role);
        if (kind.label && !box.hasAttribute('aria-label')) box.setAttribute('aria-label', kind.label);
      } else if (box.hasAttribute('tabindex')) {
        box.removeAttribute('tabindex');
        if (kind.role) box.removeAttribute('role');
        if (kind.label) box.removeAttribute('aria-label');
      }
    });
  }

  // The Tab order from a box on, forwards or backwards: the next element a Tab press reaches.
  var TABBABLE = 'a[href], area[href], button, input, select, textarea, iframe, summary, ' +
                 '[tabindex], [contenteditable]';
  function nextStop(from, backwards) {
    var all = Array.prototype.slice.call(document.querySelectorAll(TABBABLE));
    var after = all.findIndex(function (el) {   // the first one after `from` (no longer a stop)
      return from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    if (after < 0) after = all.length;
    var step = backwards ? -1 : 1;
    for (var i = backwards ? after - 1 : after; i >= 0 && i < all.length; i += step) {
      var el = all[i];
      if (el === from || el.contains(from)) continue;
      if (el.tabIndex < 0 || el.disabled || el.closest('[inert]')) continue;
      var visible = el.checkVisibility ? el.checkVisibility({visibilityProperty: true})
                                        : el.getClientRects().length > 0;
      if (visible) return el;
    }
    return null;
  }
  var lastTab = {time: 0, shift: false};
  function onKey(event) {
    if (event.key === 'Tab') lastTab = {time: Date.now(), shift: event.shiftKey};
  }
  function onFocus(event) {
    var box = event.target;
    if (!kindOf.has(box) || measured.has(box)) return;
    mark([box]);                            // laid out now that the reader is there
    if (box.hasAttribute('tabindex')) return;
    var byTab = Date.now() - lastTab.time < 1000;
    var next = byTab ? nextStop(box, lastTab.shift) : null;
    if (next) next.focus();
    else box.blur();
  }

  function start() {
    var article = document.querySelector('.bd-article') || document.body;
    KINDS.forEach(function (kind) {
      article.querySelectorAll(kind.selector).forEach(function (box) {
        if (!kindOf.has(box)) kindOf.set(box, kind);
      });
    });
    var boxes = Array.from(kindOf.keys());
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onFocus);
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
