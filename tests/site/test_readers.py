"""Every reader, every device (``make site-test``): accessibility, console, weight, images.

Each page of ``_toc.yml`` (and the search page) is opened in headless Chromium in light and in
dark mode (the reader's system setting, ``prefers-color-scheme``, with the theme on "auto"), at
1280 px (a laptop) and at 390 px (a phone), each time as a first visit (empty local storage,
empty cache). On each of these visits:

- axe-core (the pinned version in ``tools/node/package.json``, injected from disk, no CDN) checks
  the page against WCAG 2.1 A and AA twice: as loaded (no scrolling: what a keyboard or
  screen-reader user meets first, with the sections of a long chapter not laid out yet), then
  with every section shown; the test fails on any violation either way (KaTeX's aria-hidden
  drawing of the formulas is left out: its MathML is checked); as loaded, every box that
  scrolls must also be a Tab stop (measured directly, besides axe);
- the header's icons are drawn: each has its CSS mask (``_static/d2l-icons.css``), and a
  screenshot of it is not a solid block of one colour; the colour-mode switch is named in
  Chinese with its mode (and clicked through its three modes in a test of its own);
- nothing is written to the console as an error (``console.error``, uncaught exceptions, the
  browser's own error log);
- the page's weight (every request made before the load event, bytes on the wire from a server
  that compresses text as static hosts do) stays within the budget, and so does its number of
  requests.

Separately, every ``<img>`` in the article must have a real text alternative (not empty, not a
file name or path): the figures' alt texts come from the chapters (cell metadata
``mystnb: image: alt``).

A summary (violations per page, mode and width; bytes and requests per page) is written to
``_build/screenshots/readers.json``.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tools.toc import toc_docnames   # tests/conftest.py puts the repository on sys.path

BOOK = Path(__file__).resolve().parents[2]
AXE = BOOK / 'tools' / 'node' / 'node_modules' / 'axe-core' / 'axe.min.js'
WCAG21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
MODES = ('light', 'dark')
WIDTHS = (1280, 390)
# Budgets per page, to the load event (the goal: a page a phone loads quickly on mobile data):
# bytes on the wire as a static host serves them (text gzip-compressed: tools/browser.serve).
MAX_BYTES = 1_500_000
MAX_REQUESTS = 60

SOURCE = Path(os.environ.get('BOOK_SRC') or BOOK).resolve()
TOC_FILE = Path(os.environ.get('BOOK_TOC') or SOURCE / '_toc.yml')
PAGES = toc_docnames(TOC_FILE) + ['search']

# Run axe on the whole document; keep what a reader of the report needs per violation.
AXE_JS = r"""
(async () => {
  await document.fonts.ready;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  // KaTeX's drawing of each formula (.katex-html) is aria-hidden and takes the text colour of
  // its paragraph; its MathML twin is what assistive technology reads. Leaving the drawing out
  // halves axe's time on the formula-heavy chapters (9,000 of chapter 4's 20,000 elements).
  const result = await axe.run({exclude: [['.katex-html']]}, {
    runOnly: {type: 'tag', values: %s.concat(['best-practice'])},
    rules: %s, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, tags: v.tags, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: (n.failureSummary || '').slice(0, 300)}))}));
})()
"""

# Long chapters lay out a section only when it nears the viewport (content-visibility: auto in
# _static/d2l-site.css). Each page is audited twice: as loaded (what a keyboard or screen-reader
# user meets before scrolling: the sections below are not laid out, and the script that takes
# the Tab stop away from boxes that fit has not seen them), then as a reader who scrolls through
# it meets it: every section is shown (and the ResizeObserver has run), so axe and the
# measurements below see all of it, not only the first screen.
REVEAL_JS = r"""
(async () => {
  const style = document.createElement('style');
  style.textContent = '.bd-article section { content-visibility: visible !important; }';
  document.head.append(style);
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  await frame(); await frame();
  await new Promise(r => setTimeout(r, 100));
  return document.querySelectorAll('.bd-article section').length;
})()
"""

# Every box in the article that scrolls (its overflow is auto or scroll and its content does
# not fit), read in one go (no script can change the page in between): those the keyboard
# cannot reach (neither the box nor anything in it is a Tab stop) and, the other way, boxes
# that fit but are Tab stops (only checked once every section is laid out: before that a box
# below is a stop until the script has measured it, by design).
SCROLL_BOXES_JS = r"""
(() => {
  const article = document.querySelector('.bd-article, .bd-content') || document.body;
  const boxes = [...article.querySelectorAll(':not(.katex *)')].filter(el => {
    const s = getComputedStyle(el);
    return /auto|scroll/.test(s.overflowX + s.overflowY) && s.display !== 'none';
  });
  const scrolls = b => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1;
  const shown = b => b.getClientRects().length > 0 && !b.closest('details:not([open]) > :not(summary)');
  const name = b => b.tagName.toLowerCase() + '.' + [...b.classList].join('.') + ': ' +
                    b.textContent.trim().slice(0, 50);
  const wide = boxes.filter(b => shown(b) && scrolls(b));
  return {
    boxes: boxes.length, wide: wide.length,
    // (as axe counts it: the box, or something in it, takes the focus)
    unreachable: wide.filter(b => b.tabIndex < 0 && ![...b.querySelectorAll(
        'a[href], button, input, select, textarea, summary, [tabindex]')]
        .some(e => e.tabIndex >= 0)).map(name),
    needless: boxes.filter(b => shown(b) && !scrolls(b) && b.hasAttribute('tabindex')
                           && b.tabIndex >= 0 && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(b.tagName))
                   .map(name),
  };
})()
"""

# The icons of the page's header bar and article header (search, colour mode, launch, download,
# full screen, ...): each visible one, with its mask (the icon is a CSS mask over the text
# colour: without one it is a solid block) and its box on the screen.
HEADER_ICONS_JS = r"""
(() => [...document.querySelectorAll('.bd-header i, .bd-header-article i, ' +
                                     '.bd-header [class*="fa-"], .bd-header-article [class*="fa-"]')]
  .filter((el, i, all) => all.indexOf(el) === i && el.getClientRects().length > 0)
  .map(el => {
    const before = getComputedStyle(el, '::before');
    const r = el.getBoundingClientRect();
    const button = el.closest('button, a');
    return {classes: el.className, mask: before.maskImage || before.webkitMaskImage || 'none',
            content: before.content,
            button: button ? (button.getAttribute('aria-label') || button.textContent.trim()
                              || button.getAttribute('title') || '') : '',
            rect: {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}};
  }))()
"""

PAGE_JS = r"""
(() => ({
  theme: document.documentElement.dataset.theme,
  // the formulas as a keyboard and a phone meet them
  math: (() => {
    const boxes = [...document.querySelectorAll('.math-display > .math-scroll')];
    const wide = boxes.filter(b => b.scrollWidth > b.clientWidth + 1);
    const focusable = 'a[href], button, input, select, textarea, [tabindex]';
    return {
      formulas: document.querySelectorAll('.math').length,
      without_mathml: [...document.querySelectorAll('.math')]
          .filter(m => !m.querySelector('.katex-mathml math')).length,
      display: boxes.length, wide: wide.length,
      wide_not_focusable: wide.filter(b => b.tabIndex !== 0 || !b.getAttribute('aria-label'))
          .map(b => b.textContent.slice(0, 60)),
      narrow_in_tab_order: boxes.filter(b => !wide.includes(b) && b.hasAttribute('tabindex')).length,
      tab_stops_in_formulas: [...document.querySelectorAll('.math .katex')]
          .flatMap(k => [...k.querySelectorAll(focusable)]).filter(e => e.tabIndex >= 0).length,
      page_overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
  })(),
  images: [...document.querySelectorAll('article img, .bd-article img')].map(img => ({
    src: img.getAttribute('src'), alt: img.getAttribute('alt'),
    role: img.getAttribute('role')})),
}))()
"""


def _icon_colours(png: bytes) -> tuple[int, float]:
    """(number of colours, share of the commonest one) in a PNG."""
    import io
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert('RGB')
    counts = image.getcolors(maxcolors=1 << 20) or []
    total = sum(n for n, _ in counts) or 1
    return len(counts), max((n for n, _ in counts), default=0) / total


def _header_icons(browser) -> list[dict]:
    """The header's icons as loaded (page not scrolled), each with how its pixels look."""
    icons = browser.evaluate(HEADER_ICONS_JS)
    for icon in icons:
        rect = icon['rect']
        if rect['width'] >= 4 and rect['height'] >= 4:
            icon['colours'], icon['commonest'] = _icon_colours(browser.element_png(rect))
        else:
            icon['colours'], icon['commonest'] = 0, 1.0
    return icons


def _visit(browser, url: str, mode: str, width: int, axe_source: str) -> dict:
    browser.set_width(width)
    browser.emulate_media('', [{'name': 'prefers-color-scheme', 'value': mode}])
    log = browser.goto(url)
    # as loaded: nothing scrolled, nothing revealed
    browser.evaluate(axe_source + '\n;true')
    loaded_boxes = browser.evaluate(SCROLL_BOXES_JS)
    # Colour contrast is a property of rendered text: a section that content-visibility has not
    # rendered yet is hit-tested through to whatever lies under it (axe then reads a code
    # block's grey as a link's background). It is audited below, with every section rendered.
    loaded = browser.evaluate(AXE_JS % (json.dumps(WCAG21_AA),
                                        json.dumps({'color-contrast': {'enabled': False}})),
                              timeout=180)
    icons = _header_icons(browser)
    # then every section laid out, as a reader who scrolls through the page meets it
    browser.evaluate(REVEAL_JS)
    violations = browser.evaluate(AXE_JS % (json.dumps(WCAG21_AA), '{}'), timeout=180)
    revealed_boxes = browser.evaluate(SCROLL_BOXES_JS)
    facts = browser.evaluate(PAGE_JS)
    browser.pump(0.2)
    browser.evaluate('localStorage.clear(); sessionStorage.clear(); true')   # next: a first visit
    requests = [r for r in log.requests.values() if r.before_load]
    return {
        'theme': facts['theme'], 'images': facts['images'], 'math': facts['math'],
        'wcag': [v for v in violations if set(v['tags']) & set(WCAG21_AA)],
        'wcag_loaded': [v for v in loaded if set(v['tags']) & set(WCAG21_AA)],
        'boxes_loaded': loaded_boxes, 'boxes': revealed_boxes, 'icons': icons,
        'best_practice': [v for v in violations if not set(v['tags']) & set(WCAG21_AA)],
        'errors': list(log.errors) + list(log.console_errors),
        'bytes': log.bytes_to_load(), 'decoded': log.decoded_to_load(),
        'requests': len(requests),
        'by_type': {t: sum(r.bytes for r in requests if r.type == t)
                    for t in sorted({r.type for r in requests})},
        'largest': sorted(((r.bytes, r.url.rsplit('/', 1)[-1][:60]) for r in requests),
                          reverse=True)[:5],
    }


@pytest.fixture(scope='module')
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f'axe-core is not installed at {AXE}: make site-test installs it '
                    f'(npm ci --prefix tools/node)', pytrace=False)
    return AXE.read_text(encoding='utf-8')


@pytest.fixture(scope='module')
def audits(browser, server, screenshot_dir, axe_source):
    """Visit each (page, mode, width) lazily, once."""
    cache: dict[tuple, dict] = {}

    def audit(docname: str, mode: str, width: int) -> dict:
        key = (docname, mode, width)
        if key not in cache:
            cache[key] = _visit(browser, server + docname + '.html', mode, width, axe_source)
        return cache[key]

    yield audit
    browser.set_width()
    browser.emulate_media('')
    summary = {}
    for (docname, mode, width), a in cache.items():
        page = summary.setdefault(docname, {})
        page[f'{mode}-{width}'] = {
            'wcag': {v['id']: len(v['nodes']) for v in a['wcag']},
            'wcag_as_loaded': {v['id']: len(v['nodes']) for v in a['wcag_loaded']},
            'scroll_boxes': {'as_loaded': {k: (len(x) if isinstance(x, list) else x)
                                           for k, x in a['boxes_loaded'].items()},
                             'revealed': {k: (len(x) if isinstance(x, list) else x)
                                          for k, x in a['boxes'].items()}},
            'header_icons': [(i['classes'], i['colours'], round(i['commonest'], 2))
                             for i in a['icons']],
            'best_practice': {v['id']: len(v['nodes']) for v in a['best_practice']},
            'errors': a['errors'], 'bytes': a['bytes'], 'decoded': a['decoded'],
            'requests': a['requests'],
            'math': a['math'],
            'by_type': a['by_type'], 'largest': a['largest']}
    (screenshot_dir / 'readers.json').write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding='utf-8')


def _explain(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']} - {len(v['nodes'])} element(s)")
        for n in v['nodes'][:3]:
            lines.append(f"    {n['target']}: {n['html']}")
    return '\n'.join(lines)


@pytest.mark.parametrize('width', WIDTHS)
@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('docname', PAGES)
def test_no_wcag_violations(audits, docname, mode, width):
    """axe-core finds no WCAG 2.1 A/AA violation, in either mode, at either width: on the page
    as loaded (no scrolling) and with every section laid out."""
    a = audits(docname, mode, width)
    assert a['theme'] == mode, f'{docname}: asked for {mode} mode, the page shows {a["theme"]}'
    assert not a['wcag_loaded'], (
        f'{docname} ({mode}, {width} px), as loaded: WCAG 2.1 A/AA violations:\n'
        + _explain(a['wcag_loaded']))
    assert not a['wcag'], (f'{docname} ({mode}, {width} px): WCAG 2.1 A/AA violations:\n'
                           + _explain(a['wcag']))


@pytest.mark.parametrize('width', WIDTHS)
@pytest.mark.parametrize('docname', PAGES)
def test_every_scrolling_box_is_a_tab_stop(audits, docname, width):
    """Every box that scrolls (code, output, table, formula) is reachable by keyboard on the page
    as loaded, sections not yet laid out included (tabindex written at build time:
    _ext/d2l_site.py); once the page is laid out, a box that fits is no Tab stop
    (_ext/static/d2l-scroll.js)."""
    a = audits(docname, MODES[0], width)
    where = f'{docname} at {width} px'
    assert not a['boxes_loaded']['unreachable'], (
        f'{where}, as loaded: boxes that scroll but the keyboard cannot reach: '
        f'{a["boxes_loaded"]["unreachable"][:5]}')
    assert not a['boxes']['unreachable'], (
        f'{where}: boxes that scroll but the keyboard cannot reach: {a["boxes"]["unreachable"][:5]}')
    assert not a['boxes']['needless'], (
        f'{where}: boxes that fit but are Tab stops: {a["boxes"]["needless"][:5]}')


@pytest.mark.parametrize('width', WIDTHS)
@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('docname', PAGES)
def test_header_icons_are_drawn(audits, docname, mode, width):
    """Each icon in the header (search, colour mode, launch, download, ...) is drawn: it has a
    CSS mask from _static/d2l-icons.css (an icon whose name the collector in _ext/d2l_site.py
    missed has none and is a solid block of the text colour), and its pixels are not one
    colour: the commonest covers less than 90 % of its box. The colour-mode switch is named in
    Chinese, with its mode."""
    icons = audits(docname, mode, width)['icons']
    where = f'{docname} ({mode}, {width} px)'
    assert icons, f'{where}: no icon in the header'
    unmasked = [i['classes'] for i in icons if not i['mask'].startswith('url(')]
    assert not unmasked, f'{where}: header icons without a mask (drawn as solid blocks): {unmasked}'
    solid = [(i['classes'], i['colours'], round(i['commonest'], 2)) for i in icons
             if i['colours'] < 2 or i['commonest'] >= 0.9]
    assert not solid, f'{where}: header icons drawn as solid blocks (colours, commonest): {solid}'
    switch = [i['button'] for i in icons if 'theme-switch' in i['classes']]
    assert switch and all(re.fullmatch(r'颜色模式：(浅色|深色|跟随系统)', b) for b in switch), (
        f'{where}: the colour-mode switch is named {switch}')


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('docname', PAGES)
def test_no_console_errors(audits, docname, mode):
    """Nothing goes wrong in the console on a first visit (uncaught errors, console.error,
    the browser's own error log: a failed request, a bad script)."""
    a = audits(docname, mode, WIDTHS[0])
    assert not a['errors'], f'{docname} ({mode}): console errors: {a["errors"]}'


@pytest.mark.parametrize('docname', PAGES)
def test_page_weight_within_budget(audits, docname):
    """Everything a page loads before its load event, as a static host serves it (text
    compressed): at most 1.5 MB and 60 requests."""
    a = audits(docname, MODES[0], WIDTHS[0])
    assert a['bytes'] <= MAX_BYTES and a['requests'] <= MAX_REQUESTS, (
        f'{docname}: {a["bytes"] / 1e6:.2f} MB ({a["decoded"] / 1e6:.2f} MB decompressed) in '
        f'{a["requests"]} requests to the load event '
        f'(budget {MAX_BYTES / 1e6:.1f} MB, {MAX_REQUESTS} requests); by type: {a["by_type"]}; '
        f'largest: {a["largest"]}')


@pytest.mark.parametrize('width', WIDTHS)
@pytest.mark.parametrize('docname', PAGES)
def test_math_for_every_reader(audits, docname, width):
    """Every formula carries MathML (what a screen reader reads); no formula is a Tab stop,
    except a display formula wider than the column, which scrolls sideways in a box that the
    keyboard can focus (and that says what it is); the page itself never scrolls sideways."""
    m = audits(docname, MODES[0], width)['math']
    where = f'{docname} at {width} px'
    assert m['without_mathml'] == 0, f'{where}: {m["without_mathml"]} formulas without MathML'
    assert m['tab_stops_in_formulas'] == 0, f'{where}: Tab stops inside formulas: {m}'
    assert not m['wide_not_focusable'], (
        f'{where}: formulas wider than the column in a box the keyboard cannot reach: '
        f'{m["wide_not_focusable"]}')
    assert m['narrow_in_tab_order'] == 0, f'{where}: formulas that fit are in the Tab order: {m}'
    assert m['page_overflow'] <= 1, f'{where}: the page scrolls sideways by {m["page_overflow"]} px'


WIDE_BOX_JS = r"""
(async (selector) => {
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const settle = async () => { await frame(); await frame(); await new Promise(r => setTimeout(r, 100)); };
  const fits = b => b.scrollWidth <= b.clientWidth + 1 && b.scrollHeight <= b.clientHeight + 1;
  // the page's last box that fits, is more than 200 px wide and is not in a collapsed cell
  const box = [...document.querySelectorAll(selector)]
    .filter(b => fits(b) && b.scrollWidth > 200 && !b.closest('details:not([open])')).pop();
  const state = () => ({tabindex: box.getAttribute('tabindex'), role: box.getAttribute('role'),
                        label: box.getAttribute('aria-label')});
  box.scrollIntoView();
  await settle();
  const before = state();
  box.style.maxWidth = '100px';                 // a column far too narrow for it
  await settle();
  const wide = state();
  box.style.maxWidth = '';
  await settle();
  return {before, wide, narrow: state()};
})(%s)
"""

FITS = {'tabindex': None, 'role': None, 'label': None}
WIDE_BOXES = [
    ('chapters/04_cross_entropy', '.math-display > .math-scroll',
     {'tabindex': '0', 'role': 'group', 'label': '公式（可横向滚动）'}),
    ('chapters/06_softmax_scratch', '.math-display > .math-scroll',
     {'tabindex': '0', 'role': 'group', 'label': '公式（可横向滚动）'}),
    ('chapters/06_softmax_scratch', 'div.highlight > pre', {'tabindex': '0', 'role': None, 'label': None}),
]


@pytest.mark.parametrize('docname, selector, wide', WIDE_BOXES)
def test_a_box_too_wide_becomes_focusable(browser, server, docname, selector, wide):
    """The site's script (_ext/static/d2l-scroll.js) makes a display formula's box, or a code
    block, focusable (and names a formula) exactly while it is wider than the column, and undoes
    it fits again. Today's chapters have no formula too wide at 390 px, so the page's last box
    that fits gets a column too narrow for it; it sits in a section below the first screen, laid
    out only once it is scrolled to."""
    browser.set_width(WIDTHS[-1])
    browser.goto(f'{server}/{docname}.html')
    got = browser.evaluate(WIDE_BOX_JS % json.dumps(selector))
    assert got['before'] == FITS and got['narrow'] == FITS, got
    assert got['wide'] == wide, got


SWITCH_JS = r"""
(() => {
  const button = [...document.querySelectorAll('.theme-switch-button')]
    .filter(b => b.getClientRects().length)[0];
  const r = button.getBoundingClientRect();
  const icons = [...button.querySelectorAll('i')].map(i => ({
    mode: i.dataset.mode, shown: i.getClientRects().length > 0,
    mask: getComputedStyle(i, '::before').maskImage || 'none',
    rect: (b => ({x: b.left + scrollX, y: b.top + scrollY, width: b.width, height: b.height}))(
      i.getBoundingClientRect())}));
  return {mode: document.documentElement.dataset.mode, theme: document.documentElement.dataset.theme,
          label: button.getAttribute('aria-label'), icons,
          centre: {x: r.left + r.width / 2, y: r.top + r.height / 2}};
})()
"""
MODE_NAMES = {'light': '浅色', 'dark': '深色', 'auto': '跟随系统'}


@pytest.mark.parametrize('width', WIDTHS)
def test_colour_mode_switch(browser, server, width):
    """The colour-mode switch, clicked through its three modes (auto -> dark -> light on a light
    system): each time the page takes the mode, the button's name says it in Chinese
    (颜色模式：深色 ...), and the one icon shown (moon, sun, half circle) has its mask and is
    drawn, not a solid block."""
    browser.set_width(width)
    browser.emulate_media('', [{'name': 'prefers-color-scheme', 'value': 'light'}])
    browser.goto(f'{server}/chapters/01_regression_to_classification.html')
    seen = {}
    try:
        for _ in range(3):
            state = browser.evaluate(SWITCH_JS)
            shown = [i for i in state['icons'] if i['shown']]
            assert len(shown) == 1 and shown[0]['mode'] == state['mode'], state
            assert all(i['mask'].startswith('url(') for i in state['icons']), state['icons']
            colours, commonest = _icon_colours(browser.element_png(shown[0]['rect']))
            seen[state['mode']] = (state['label'], colours, round(commonest, 2))
            browser.click(state['centre']['x'], state['centre']['y'])
            browser.pump(0.3)
    finally:
        browser.evaluate('localStorage.clear(); true')
        browser.set_width()
    assert set(seen) == set(MODE_NAMES), seen
    for mode, (label, colours, commonest) in seen.items():
        assert label == '颜色模式：' + MODE_NAMES[mode], seen
        assert colours >= 2 and commonest < 0.9, f'{mode}: icon drawn as a solid block: {seen}'


# A Tab press reaching a box in a section not laid out yet (content-visibility: auto): the box
# was written as a Tab stop (_ext/d2l_site.py); d2l-scroll.js measures it when the focus
# arrives and, if it fits, moves the focus on in the direction of travel. Picks the first such
# box that fits (`fits`: true) or scrolls (false) at this width; one that fits must be the first
# Tab stop of its section (focusing the stop before it then does not lay its section out).
TAB_INTO_SECTION_JS = r"""
((fits) => {
  const stops = [...document.querySelectorAll('a[href], button, input, select, textarea, ' +
      'summary, [tabindex]')].filter(e => e.tabIndex >= 0 && !e.disabled &&
      e.checkVisibility({visibilityProperty: true}));
  const skipped = e => !e.checkVisibility({contentVisibilityAuto: true});
  const scrolls = b => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1;
  for (let i = 1; i < stops.length - 1; i++) {
    const box = stops[i], before = stops[i - 1];
    if (!box.matches('pre, .math-scroll, .cell_output > .output, .pst-scrollable-table-container')
        || !skipped(box) || box.closest('section') === null
        || (fits && before.closest('section') === box.closest('section'))) continue;
    if (scrolls(box) === fits) continue;
    before.setAttribute('data-test-before', '');
    box.setAttribute('data-test-box', '');
    stops[i + 1].setAttribute('data-test-after', '');
    before.focus({preventScroll: true});   // its section is laid out, not the box's
    return {box: box.tagName + ': ' + box.textContent.slice(0, 40), index: i};
  }
  return null;
})(%s)
"""
WHERE_IS_FOCUS_JS = r"""
(() => {
  const box = document.querySelector('[data-test-box]'), a = document.activeElement;
  return {on_box: a === box, on_before: a.hasAttribute('data-test-before'),
          on_after: a.hasAttribute('data-test-after'),
          after_box: !!(box.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING),
          box_tabindex: box.getAttribute('tabindex'), active: a.tagName + '.' + a.className};
})()
"""


@pytest.mark.parametrize('width, fits', [(1280, True), (390, False)])
def test_tab_into_a_section_not_laid_out(browser, server, width, fits):
    """Chapter 06 as loaded: Tab from the last stop of a section into the next, not laid out
    yet, whose first stop is a scrolling box. At 1280 px a box that fits is passed over (the
    focus lands on the stop after it, and it leaves the Tab order), and Shift+Tab from there
    goes back to the stop before it; at 390 px a box that scrolls keeps the focus and its
    stop."""
    browser.set_width(width)
    browser.emulate_media('')
    browser.goto(f'{server}/chapters/06_softmax_scratch.html')
    picked = browser.evaluate(TAB_INTO_SECTION_JS % json.dumps(fits))
    assert picked, f'no box that {"fits" if fits else "scrolls"} in a section ' \
                   f'below the first screen at {width} px'
    browser.pump(0.3)
    browser.press('Tab')
    browser.pump(0.3)
    got = browser.evaluate(WHERE_IS_FOCUS_JS)
    if fits:
        assert not got['on_box'] and got['on_after'], (picked, got)
        assert got['box_tabindex'] is None, (picked, got)
        browser.press('Tab', shift=True)
        browser.pump(0.3)
        back = browser.evaluate(WHERE_IS_FOCUS_JS)
        assert back['on_before'], (picked, back)
    else:
        assert got['on_box'] and got['box_tabindex'] == '0', (picked, got)
    browser.set_width()


def test_theme_script_lays_out_the_page_once(site):
    """The theme's own scroll-box function (a layout of the whole page per box) is removed from
    its script by _ext/d2l_site.py; d2l-scroll.js, on every page, does that work instead."""
    theme = (site / '_static' / 'scripts' / 'pydata-sphinx-theme.js').read_text(encoding='utf-8')
    assert 'scrollWidth' not in theme
    page = (site / 'chapters' / '06_softmax_scratch.html').read_text(encoding='utf-8')
    assert re.search(r'<script defer="defer" src="\.\./_static/d2l-scroll\.js', page), \
        'd2l-scroll.js is not loaded (deferred) by chapter 06'


_FILE_LIKE = re.compile(r'^\S*\.(png|jpe?g|gif|svg|webp)$|^[\w./-]*/[\w./-]*$|^(image|img|png|'
                        r'figure|output|<[^>]*>)$', re.I)


def real_text_alternative(alt: str | None) -> bool:
    """True for an alt text a reader can use: not missing, not empty, not a file name/path."""
    return bool(alt and alt.strip() and not _FILE_LIKE.match(alt.strip()))


@pytest.mark.parametrize('docname', PAGES)
def test_images_have_text_alternatives(audits, docname):
    """Every <img> in the article says what it shows (the chapters' figures: Chinese alt texts
    from the cell metadata ``mystnb: image: alt``)."""
    a = audits(docname, MODES[0], WIDTHS[0])
    bad = [(img['src'], img['alt']) for img in a['images']
           if img['role'] != 'presentation' and not real_text_alternative(img['alt'])]
    assert not bad, f'{docname}: images without a real text alternative (src, alt): {bad}'


SNIPPET_QUERIES = ['softmax', '交叉熵', '损失函数']
FURNITURE = ('展开代码单元', '收起代码单元', '点击展开', 'Skip to main content', '跳转至主要内容',
             'Permalink', '目录', '\\mathbf', '\\hat', '\\frac', '\\(', '\\[', '$$')


@pytest.mark.parametrize('query', SNIPPET_QUERIES)
def test_search_snippets_are_readable(browser, server, query):
    """The search results' snippets are the pages' text: no TeX source, no page furniture
    (toggle labels, permalinks, the print-only contents), no runs of white space."""
    import urllib.parse
    browser.set_width()
    browser.emulate_media('')
    browser.goto(server + 'search.html?q=' + urllib.parse.quote(query))
    snippets = browser.wait_for(
        "(() => { const p = [...document.querySelectorAll('#search-results p.context')];"
        " return p.length >= 2 && p.map(x => x.textContent); })()", timeout=60)
    assert snippets, f'searching {query!r}: no result snippets'
    bad = [(word, s[:120]) for s in snippets for word in FURNITURE if word in s]
    assert not bad, f'searching {query!r}: snippets with TeX or page furniture: {bad[:5]}'
    assert not [s for s in snippets if re.search(r'\s{3,}', s)], 'snippets with runs of spaces'


_HREF = re.compile(r'<a\s[^>]*href="([^"#?]+)[^"]*"')


@pytest.mark.parametrize('docname', PAGES)
def test_internal_links_resolve(site, docname):
    """Every link of a page to a file of the site leads to one (the landing page links the PDF
    only when the site has it: ``make pdf`` puts it there)."""
    page = site / f'{docname}.html'
    html = page.read_text(encoding='utf-8')
    dead = sorted({href for href in _HREF.findall(html)
                   if not re.match(r'^[a-z][a-z0-9+.-]*:', href)
                   and not (page.parent / href).resolve().exists()})
    assert not dead, f'{docname}: links to files the site does not have: {dead}'
