"""The explorers on the built site, checked in headless Chromium (part of ``make site-test``).

Each explorer (``d2lhelpers.explorers``) is a ``<div class="d2l-explorer">`` whose controls are
computed and drawn by JavaScript. Its config carries reference values from the Python functions
for a few control settings; the test reaches each setting with real key presses, then compares
what the browser computed (``el.d2lState``) with Python's numbers. Checked on every page whose
notebook shows an explorer:
- it is live without a kernel: every control, moved with the keyboard and clicked with the
  mouse, redraws the figure and the numbers; the numbers equal Python's to 1e-6; a redraw takes
  < 50 ms; nothing is fetched from the internet and no JavaScript error is raised;
- every reader: labels, legends and status are Chinese (on a zh-CN element); one live region,
  and one announcement per key press (a burst of presses: one); each panel's text alternative
  carries the current numbers; every drawn series has >= 3:1 contrast against the explorer's
  background in light and dark mode; it fits a phone's width; in print the controls and the
  "drag the sliders" caption give way to a note;
- it works from ``file://`` too.
Screenshots of each explorer at two settings, at phone width and in dark mode go to
``_build/screenshots/explorers/``, with a summary (``explorers.json``).
"""
from __future__ import annotations

import json
import os
import re
import urllib.parse
from pathlib import Path

import pytest

from tools.toc import toc_docnames   # tests/conftest.py puts the repository on sys.path

BOOK = Path(__file__).resolve().parents[2]
SOURCE = Path(os.environ.get('BOOK_SRC') or BOOK).resolve()
TOC_FILE = Path(os.environ.get('BOOK_TOC') or SOURCE / '_toc.yml')
DOCNAMES = toc_docnames(TOC_FILE)

# Known and harmless, not the explorers': Sphinx 7.4 writes inline scripts added after the
# builder started twice, and sphinx-thebe's one declares a const (see tests/site/test_site.py).
KNOWN_JS_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)
# Words a Chinese text keeps in Latin letters (names, functions); single letters are maths.
LATIN_OK = {'Huber', 'softmax', 'logit', 'log', 'Jupyter'}


def explorers_in(docname: str) -> int:
    """How many explorers a page shows: code cells that call ``*_explorer(...)`` (counted from
    the source, not from stored outputs). The training lab has a life of its own (buttons, a
    worker, data loaded on start): tests/site/test_lab.py drives it."""
    path = SOURCE / f'{docname}.ipynb'
    if not path.exists():
        return 0
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    return sum(1 for c in cells if c['cell_type'] == 'code'
               and not {'remove-output', 'remove-cell'} & set(c.get('metadata', {}).get('tags', []))
               and re.search(r'\b(?!training_)\w+_explorer\s*\(', ''.join(c['source'])))


EXPLORER_PAGES = [d for d in DOCNAMES if explorers_in(d) > 0]


def _is_local(url: str, server: str) -> bool:
    scheme = urllib.parse.urlsplit(url).scheme
    return scheme in ('data', 'blob', 'about', 'chrome-error') or url.startswith(server)


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b) -> float:
    """WCAG 2.1 contrast ratio of two RGB colours (0-255 each)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


EXPLORERS_JS = r"""
[...document.querySelectorAll('.d2l-explorer:not([data-kind=training])')].map(el => {
  const group = i => i.closest('[role=radiogroup]');
  const named = i => i.type === 'range'
      ? i.labels.length > 0 && i.labels[0].textContent.trim() !== ''
      : !!(group(i) && document.getElementById(group(i).getAttribute('aria-labelledby')));
  const live = [...el.querySelectorAll(
      '[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log], output')];
  // every text a reader sees, with the language it is marked with
  const texts = [...el.querySelectorAll('.d2l-x-app label, .d2l-x-app .d2l-x-name, ' +
      '.d2l-x-caption, .d2l-x-status p, svg text')]
      .filter(n => n.textContent.trim())
      .map(n => ({text: n.textContent.trim(), lang: n.closest('[lang]')?.lang || ''}));
  return {id: el.id, kind: el.dataset.kind, ready: el.dataset.ready === '1',
          config: JSON.parse(el.querySelector('script.d2l-explorer-config').textContent),
          inputs: el.querySelectorAll('input').length,
          unlabelled: [...el.querySelectorAll('input')].filter(i => !named(i)).map(i => i.outerHTML),
          live: live.map(n => n.outerHTML.slice(0, 120)), texts: texts};
})
"""

# The state of explorer %r: its numbers, its drawing, its controls, where it is.
STATE_JS = r"""
((id) => {
  const el = document.getElementById(id);
  const values = {};
  el.querySelectorAll('input[data-control]').forEach(i => {
    if (i.type === 'range') values[i.dataset.control] = parseFloat(i.value);
    else if (i.checked) values[i.dataset.control] = parseInt(i.value, 10);
  });
  const box = r => ({x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height});
  const fig = el.querySelector('.d2l-x-figure');
  const svgs = [...el.querySelectorAll('svg.d2l-x-panel')];
  return {numbers: el.d2lState.numbers, text: el.d2lState.text, values: values,
          say: el.d2lState.say, alt: svgs.map(s => s.getAttribute('aria-label')),
          svg: svgs.map(s => s.innerHTML).join('|'),
          times: el.d2lTimes.slice(), figure: box(fig.getBoundingClientRect()),
          box: box(el.getBoundingClientRect())};
})(%r)
"""

# Focus control %r of explorer %r (its checked radio button for a group); describe it.
FOCUS_JS = r"""
((id, name) => {
  const el = document.getElementById(id);
  const inputs = [...el.querySelectorAll(`input[data-control="${name}"]`)];
  const input = inputs.find(i => i.type === 'range' || i.checked);
  input.scrollIntoView({block: 'center'});
  input.focus();
  const r = input.getBoundingClientRect();
  return {type: input.type, value: input.type === 'range' ? parseFloat(input.value)
                                                          : parseInt(input.value, 10),
          step: parseFloat(input.step), min: parseFloat(input.min), max: parseFloat(input.max),
          options: inputs.map(i => parseInt(i.value, 10)), focused: document.activeElement === input,
          rect: {x: r.left, y: r.top, width: r.width, height: r.height}};
})(%r, %r)
"""

# Where the (viewport) box of an unchecked radio button of control %r of explorer %r is.
RADIO_BOX_JS = r"""
((id, name) => {
  const i = [...document.getElementById(id).querySelectorAll(`input[data-control="${name}"]`)]
      .find(i => !i.checked);
  i.scrollIntoView({block: 'center'});
  const r = i.parentElement.getBoundingClientRect();
  return {value: parseInt(i.value, 10), x: r.left + r.width / 2, y: r.top + r.height / 2};
})(%r, %r)
"""

# Record what the live regions of explorer %r say from now on (what a screen reader hears).
LISTEN_JS = r"""
((id) => {
  const el = document.getElementById(id);
  const heard = el.d2lHeard = [];
  (el.d2lListeners || []).forEach(o => o.disconnect());
  el.d2lListeners = [...el.querySelectorAll(
      '[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log], output')]
    .map(r => { const o = new MutationObserver(() => heard.push(r.textContent));
                o.observe(r, {childList: true, characterData: true, subtree: true}); return o; });
})(%r)
"""

# Switch the theme (pydata: html[data-theme]); the colours of the explorer's texts, of its
# drawn series and of what is behind them.
DARK_JS = r"""
((id, dark) => {
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  const el = document.getElementById(id);
  const rgb = c => (c.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c); return (0.299 * r + 0.587 * g + 0.114 * b) / 255; };
  const text = el.querySelector('svg.d2l-x-panel text');
  let node = el, bg = getComputedStyle(node).backgroundColor;
  while (node.parentElement && /rgba\(0, 0, 0, 0\)|transparent/.test(bg)) {
    node = node.parentElement; bg = getComputedStyle(node).backgroundColor;
  }
  const series = [...el.querySelectorAll('[data-series]')].map(n => {
    const s = getComputedStyle(n);
    const paint = n.tagName === 'polyline' || s.fill === 'none' ? s.stroke : s.fill;
    return {series: n.dataset.series, color: rgb(paint)};
  });
  return {theme: document.documentElement.dataset.theme, text: lum(getComputedStyle(text).fill),
          label: lum(getComputedStyle(el).color), background: lum(bg), backgroundRgb: rgb(bg),
          series: series, page: lum(getComputedStyle(document.body).backgroundColor)};
})(%r, %s)
"""

# What shows when explorer %r is printed.
PRINT_JS = r"""
((id) => {
  const el = document.getElementById(id);
  const shown = sel => [...el.querySelectorAll(sel)].some(n => n.getClientRects().length > 0);
  return {controls: shown('.d2l-x-controls'), caption: shown('.d2l-x-caption'),
          note: shown('.d2l-x-print'), status: shown('.d2l-x-status'), figure: shown('svg')};
})(%r)
"""


def _flat(value) -> list:
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flat(v)]
    return [value]


def _drive(browser, uid: str, name: str, target) -> dict:
    """Move control ``name`` to ``target`` the way a reader does with the keyboard."""
    c = browser.evaluate(FOCUS_JS % (uid, name))
    assert c['focused'], f'{uid}: control {name} cannot take the keyboard focus'
    if c['type'] == 'range':
        presses = round((target - c['value']) / c['step'])
        for _ in range(abs(presses)):
            browser.press('ArrowRight' if presses > 0 else 'ArrowLeft')
    else:
        options = c['options']
        presses = (options.index(target) - options.index(c['value'])) % len(options)
        for _ in range(presses):
            browser.press('ArrowRight')
    return c


def _listen(browser, uid: str, name: str, keys: list[str]) -> dict:
    """Press ``keys`` on control ``name`` (quickly, one burst); what was announced?"""
    browser.pump(0.8)                    # let earlier announcements settle
    browser.evaluate(LISTEN_JS % uid)
    browser.evaluate(FOCUS_JS % (uid, name))
    for key in keys:
        browser.press(key)
    browser.pump(0.8)
    state = browser.evaluate(STATE_JS % uid)
    return {'keys': len(keys), 'heard': browser.evaluate(
        f'document.getElementById({uid!r}).d2lHeard'), 'say': state.get('say')}


def _explore(browser, uid: str, cfg: dict, r: dict, shots: Path, stem: str) -> None:
    """Everything a reader does with one explorer; what happened goes into ``r``."""
    element = f'document.getElementById({uid!r})'
    browser.screenshot_element(shots / f'{stem}__a.png', element)
    moved: set = set()
    for ref in cfg['reference']:
        for name, target in ref['controls'].items():
            before = browser.evaluate(STATE_JS % uid)
            if before['values'][name] == target:
                continue
            first = name not in moved
            pixels = browser.element_png(before['figure']) if first else None
            _drive(browser, uid, name, target)
            after = browser.evaluate(STATE_JS % uid)
            r['moves'].append({
                'control': name, 'from': before['values'][name], 'to': target,
                'reached': after['values'][name],
                'numbers_changed': after['numbers'] != before['numbers'],
                'text_changed': after['text'] != before['text'],
                'svg_changed': after['svg'] != before['svg'],
                'alt_changed': [a != b for a, b in zip(after['alt'], before['alt'])],
                'pixels_changed': (browser.element_png(before['figure']) != pixels)
                                  if first else None})
            moved.add(name)
        state = browser.evaluate(STATE_JS % uid)
        diffs = {key: max((abs(g - e) for g, e in zip(
                      _flat([state['numbers'][key][i] for i in ref['index']]
                            if 'index' in ref else state['numbers'][key]),
                      _flat(value))), default=0.0)
                 for key, value in ref['numbers'].items()}
        r['references'].append({'controls': ref['controls'], 'values': state['values'],
                                'max_diff': diffs, 'alt': state['alt'], 'text': state['text']})
    r['moved'] = sorted(moved)
    browser.screenshot_element(shots / f'{stem}__b.png', element)
    # what a screen reader hears: one key, then a burst of three
    first = next(c['name'] for c in cfg['controls'] if 'options' not in c)
    r['heard'] = [_listen(browser, uid, first, ['ArrowLeft']),
                  _listen(browser, uid, first, ['ArrowRight'] * 3)]
    r['times'] = browser.evaluate(STATE_JS % uid)['times']
    # the mouse: click a range track at a quarter of its width, a radio button
    for ctrl in cfg['controls']:
        before = browser.evaluate(STATE_JS % uid)
        if 'options' in ctrl:
            box = browser.evaluate(RADIO_BOX_JS % (uid, ctrl['name']))
            browser.click(box['x'], box['y'])
            want = box['value']
        else:
            rect = browser.evaluate(FOCUS_JS % (uid, ctrl['name']))['rect']
            browser.click(rect['x'] + 0.25 * rect['width'], rect['y'] + rect['height'] / 2)
            want = None
        after = browser.evaluate(STATE_JS % uid)
        r['mouse'].append({'control': ctrl['name'], 'from': before['values'][ctrl['name']],
                           'to': after['values'][ctrl['name']], 'want': want,
                           'svg_changed': after['svg'] != before['svg']})
    # a phone's width, then the theme's dark mode, then print
    browser.set_width(400)
    browser.pump(0.3)
    r['phone'] = browser.evaluate(
        f"(() => {{ const el = document.getElementById({uid!r});"
        "el.scrollIntoView(); const r = el.getBoundingClientRect();"
        "const panels = [...el.querySelectorAll('svg.d2l-x-panel')]"
        ".map(s => s.getBoundingClientRect());"
        "return {left: r.left, right: r.right, overflow: el.scrollWidth - el.clientWidth,"
        "panels: panels.map(p => [p.left, p.right, p.width])}; })()")
    browser.screenshot_element(shots / f'{stem}__phone.png', element, width=400)
    browser.set_width()
    browser.pump(0.2)
    r['dark'] = browser.evaluate(DARK_JS % (uid, 'true'))
    browser.pump(0.2)
    browser.screenshot_element(shots / f'{stem}__dark.png', element)
    r['light'] = browser.evaluate(DARK_JS % (uid, 'false'))
    browser.send('Emulation.setEmulatedMedia', {'media': 'print'})
    try:
        r['print'] = browser.evaluate(PRINT_JS % uid)
    finally:
        browser.send('Emulation.setEmulatedMedia', {'media': ''})


@pytest.fixture(scope='module')
def explorer_runs(browser, server, screenshot_dir):
    """Drive every explorer of a page (lazily, once per page); keep what happened."""
    cache: dict[str, dict] = {}
    shots = screenshot_dir / 'explorers'
    shots.mkdir(exist_ok=True)

    def run(docname: str) -> dict:
        if docname in cache:
            return cache[docname]
        url = server + docname + '.html'
        log = browser.goto(url)
        browser.pump(0.3)
        results = []
        for n, ex in enumerate(browser.evaluate(EXPLORERS_JS)):
            r = {**ex, 'moves': [], 'references': [], 'mouse': []}
            results.append(r)
            if ex['ready']:
                _explore(browser, ex['id'], ex['config'], r, shots,
                         f"{docname.replace('/', '__')}__{n}_{ex['kind']}")
        cache[docname] = {'url': url, 'explorers': results,
                          'requests': list(log.requests.values()), 'errors': list(log.errors)}
        return cache[docname]

    yield run
    summary = {name: [{'kind': e['kind'], 'ready': e['ready'], 'moved': e.get('moved'),
                       'references': [max(x['max_diff'].values(), default=0)
                                      for x in e['references']],
                       'redraw_ms_max': round(max(e.get('times') or [0]), 2),
                       'redraw_ms_median': round(sorted(e.get('times') or [0])[
                           len(e.get('times') or [0]) // 2], 2),
                       'redraws': len(e.get('times') or []),
                       'heard': [h['heard'] for h in e.get('heard', [])],
                       'contrast': {mode: round(min((contrast(s['color'], e[mode]['backgroundRgb'])
                                                     for s in e[mode]['series']), default=0), 2)
                                    for mode in ('light', 'dark') if mode in e}}
                      for e in v['explorers']] for name, v in cache.items()}
    (shots / 'explorers.json').write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                          encoding='utf-8')


def test_there_are_explorer_pages():
    assert EXPLORER_PAGES, 'no chapter in the table of contents shows an explorer'


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_every_explorer_is_on_the_page_and_live(explorer_runs, docname):
    """As many explorers as the chapter's code calls for, each built by its script."""
    run = explorer_runs(docname)
    assert len(run['explorers']) >= explorers_in(docname), (
        f"{run['url']}: the notebook shows {explorers_in(docname)} explorers, the page has "
        f"{len(run['explorers'])}")
    for e in run['explorers']:
        assert e['ready'], f"{run['url']}: explorer {e['id']} ({e['kind']}) was not built (dead)"
        assert e['inputs'] >= len(e['config']['controls']), f"{run['url']}: {e['id']} lacks controls"
        assert not e['unlabelled'], f"{run['url']}: controls without a label: {e['unlabelled']}"


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_controls_move_with_the_keyboard_and_redraw(explorer_runs, docname):
    run = explorer_runs(docname)
    for e in run['explorers']:
        names = {c['name'] for c in e['config']['controls']}
        assert set(e['moved']) == names, (
            f"{run['url']}: {e['kind']} explorer: controls never moved: {names - set(e['moved'])}")
        for m in e['moves']:
            where = f"{run['url']}: {e['kind']} explorer, {m['control']} {m['from']} -> {m['to']}"
            assert abs(m['reached'] - m['to']) < 1e-9, f'{where}: the keys reached {m["reached"]}'
            assert m['svg_changed'], f'{where}: the drawing did not change'
            assert m['text_changed'], f'{where}: the printed numbers did not change'
            assert m['pixels_changed'] in (None, True), f'{where}: no pixel on screen changed'


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_controls_answer_the_mouse(explorer_runs, docname):
    run = explorer_runs(docname)
    for e in run['explorers']:
        for m in e['mouse']:
            where = f"{run['url']}: {e['kind']} explorer, click on {m['control']}"
            assert m['to'] != m['from'], f'{where}: the value stayed {m["from"]}'
            if m['want'] is not None:
                assert m['to'] == m['want'], f'{where}: picked {m["to"]}, not {m["want"]}'
            assert m['svg_changed'], f'{where}: the drawing did not change'


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_numbers_equal_pythons(explorer_runs, docname):
    """At each reference setting the browser's numbers equal d2lhelpers' to 1e-6."""
    run = explorer_runs(docname)
    for e in run['explorers']:
        assert len(e['references']) >= 3, f"{run['url']}: {e['kind']}: too few reference values"
        for ref in e['references']:
            where = f"{run['url']}: {e['kind']} explorer at {ref['controls']}"
            for name, value in ref['controls'].items():
                assert abs(ref['values'][name] - value) < 1e-9, (
                    f'{where}: control {name} is at {ref["values"][name]}')
            bad = {k: d for k, d in ref['max_diff'].items() if not d <= 1e-6}
            assert not bad, f'{where}: JavaScript differs from Python by {bad}'


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_redraws_fast(explorer_runs, docname):
    run = explorer_runs(docname)
    for e in run['explorers']:
        times = sorted(e['times'])
        assert len(times) >= len(e['moves']), f"{run['url']}: redraws were not timed"
        # Each redraw is timed in the page (compute + SVG). On a busy machine a garbage
        # collection or the first, not yet compiled run can take one redraw over: 95 % of them
        # must stay under 50 ms, the median far below, and none may take 0.2 s.
        p95, median = times[int(0.95 * (len(times) - 1))], times[len(times) // 2]
        assert p95 < 50 and median < 20 and times[-1] < 200, (
            f"{run['url']}: {e['kind']} explorer redraws: median {median:.1f} ms, "
            f"95th percentile {p95:.1f} ms, slowest {times[-1]:.1f} ms")


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_offline_without_errors(explorer_runs, server, docname):
    """Moving every control fetches nothing from the internet and raises no JS error."""
    run = explorer_runs(docname)
    remote = sorted({r.url for r in run['requests'] if not _is_local(r.url, server)})
    assert not remote, f"{run['url']}: the explorers ask the internet for {remote}"
    errors = [e for e in run['errors'] if not any(k in e for k in KNOWN_JS_ERRORS)]
    assert not errors, f"{run['url']}: JavaScript errors while exploring: {errors}"


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_speaks_chinese(explorer_runs, docname):
    """Labels, legends, axes, captions and status are Chinese, on an element marked zh."""
    run = explorer_runs(docname)
    for e in run['explorers']:
        for t in e['texts']:
            where = f"{run['url']}: {e['kind']} explorer: {t['text']!r}"
            if t['lang'].startswith('en'):
                continue
            assert t['lang'].startswith('zh'), f'{where} is on an element marked {t["lang"]!r}'
            english = [w for w in re.findall(r'[A-Za-z]{2,}', t['text']) if w not in LATIN_OK]
            assert not english, f'{where}: English words {english} without lang="en"'


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_announces_each_change_once(explorer_runs, docname):
    """One live region; a key press is announced once, a burst of presses once, with the
    numbers then drawn."""
    run = explorer_runs(docname)
    for e in run['explorers']:
        where = f"{run['url']}: {e['kind']} explorer"
        assert len(e['live']) == 1, f'{where}: {len(e["live"])} live regions: {e["live"]}'
        for h in e['heard']:
            assert len(h['heard']) == 1, (
                f"{where}: {h['keys']} key press(es) announced {len(h['heard'])} times: {h['heard']}")
            assert h['heard'][0] == h['say'] and re.search(r'\d\.\d', h['say']), (
                f"{where}: announced {h['heard']}, the explorer shows {h['say']!r}")


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_text_alternative_carries_the_numbers(explorer_runs, docname):
    """Each panel's text alternative follows the controls, and says the numbers shown."""
    run = explorer_runs(docname)
    for e in run['explorers']:
        where = f"{run['url']}: {e['kind']} explorer"
        for ref in e['references']:
            for alt in ref['alt']:
                assert alt and re.search(r'\d\.\d', alt), f'{where}: text alternative {alt!r}'
            shown = set(re.findall(r'\d+\.\d+', ref['text']))
            said = set(re.findall(r'\d+\.\d+', ' '.join(ref['alt'])))
            assert shown & said, f'{where}: the alternatives {ref["alt"]} miss {ref["text"]!r}'
        assert all(any(m['alt_changed']) for m in e['moves'] if m['numbers_changed']), (
            f'{where}: the text alternative stayed the same while the numbers changed')


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_colours_stand_out_light_and_dark(explorer_runs, docname):
    """Every drawn series >= 3:1 against the explorer's background (WCAG 1.4.11), both modes."""
    run = explorer_runs(docname)
    for e in run['explorers']:
        for mode in ('light', 'dark'):
            m, where = e[mode], f"{run['url']}: {e['kind']} explorer, {mode} mode"
            assert m['series'], f'{where}: no drawn series marked data-series'
            low = {s['series']: round(contrast(s['color'], m['backgroundRgb']), 2)
                   for s in m['series'] if contrast(s['color'], m['backgroundRgb']) < 3}
            assert not low, f'{where}: series below 3:1 against {m["backgroundRgb"]}: {low}'


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_fits_a_phone_and_the_dark_theme(explorer_runs, docname):
    run = explorer_runs(docname)
    for e in run['explorers']:
        p, where = e['phone'], f"{run['url']}: {e['kind']} explorer"
        assert p['left'] >= -1 and p['right'] <= 401 and p['overflow'] <= 1, (
            f'{where} does not fit a 400 px wide window: {p}')
        assert all(left >= -1 and right <= 401 and width > 250
                   for left, right, width in p['panels']), f'{where}: panels at 400 px: {p}'
        for mode in ('dark', 'light'):
            m = e[mode]
            assert abs(m['text'] - m['background']) > 0.5 and abs(m['label'] - m['background']) > 0.5, (
                f'{where}: in {mode} mode the text does not stand out from its background: {m}')
        assert e['dark']['background'] < 0.3 < 0.7 < e['light']['background'], (
            f'{where}: the explorer did not follow the theme: {e["dark"]}, {e["light"]}')


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_prints_its_start_view(explorer_runs, docname):
    """In print the figure and the numbers stay; the controls and "drag" caption give way."""
    run = explorer_runs(docname)
    for e in run['explorers']:
        p = e['print']
        assert p['figure'] and p['status'] and p['note'], f"{run['url']}: {e['kind']}: {p}"
        assert not p['controls'] and not p['caption'], f"{run['url']}: {e['kind']}: {p}"


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorers_work_from_file_urls(browser, site, docname):
    """Opened straight from disk (file://), the explorers are built and answer a key."""
    log = browser.goto((site / f'{docname}.html').as_uri())
    browser.pump(0.3)
    found = browser.evaluate(EXPLORERS_JS)
    assert found and all(e['ready'] for e in found), f'{docname} from file://: dead explorers'
    for e in found:
        name = e['config']['controls'][0]['name']
        before = browser.evaluate(STATE_JS % e['id'])
        browser.evaluate(FOCUS_JS % (e['id'], name))
        browser.press('ArrowLeft')
        after = browser.evaluate(STATE_JS % e['id'])
        assert after['values'][name] != before['values'][name] and after['svg'] != before['svg'], (
            f'{docname} from file://: {e["kind"]} explorer did not answer ArrowLeft on {name}')
    remote = sorted({r.url for r in log.requests.values()
                     if urllib.parse.urlsplit(r.url).scheme not in ('file', 'data', 'blob', 'about')})
    assert not remote, f'{docname} from file:// asks the internet for {remote}'
    assert not [x for x in log.errors if not any(k in x for k in KNOWN_JS_ERRORS)], log.errors
