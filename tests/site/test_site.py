"""The built site as a reader meets it, checked in headless Chromium (``make site-test``).

Every page in ``_toc.yml`` is loaded from a local server; each page is visited once and what the
browser saw is kept, then checked by the tests below:
- no request failed and none went to another host than 127.0.0.1 (the site works offline);
- no uncaught JavaScript error;
- every formula is typeset (by KaTeX, at build time: HTML plus MathML) without a TeX error;
- every figure stored in the notebook is on the page, loaded, and not blown up (crisp);
- every explorer (``d2l-explorer``) is live without a kernel: each control moved with real key
  presses and mouse clicks redraws the figure and the numbers; the numbers the browser computes
  equal the reference values the Python functions put in the page (to 1e-6); each redraw takes
  < 50 ms; it fits a phone's width, follows the dark theme, and works from ``file://`` too;
- exercise solutions ({dropdown}) and hidden cells start folded and open with a click;
- each notebook page has a Colab launch link built from ``repository.url``;
- Chinese search finds the right chapter (and the search page stays offline too).
A screenshot of each page is written to ``_build/screenshots/``, and of each explorer at two
settings (plus phone width and dark mode) to ``_build/screenshots/explorers/``.
"""
from __future__ import annotations

import json
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tools.toc import toc_docnames   # tests/conftest.py puts the repository on sys.path

BOOK = Path(__file__).resolve().parents[2]
# To check another build: BOOK_HTML=<build>/_build/html, and for a build made with --toc,
# BOOK_TOC=<that toc file> (BOOK_SRC: a different source tree).
SOURCE = Path(os.environ.get('BOOK_SRC') or BOOK).resolve()   # where _toc.yml, chapters live
TOC_FILE = Path(os.environ.get('BOOK_TOC') or SOURCE / '_toc.yml')


DOCNAMES = toc_docnames(TOC_FILE)


@dataclass
class Expected:
    """What a page must show, read from its source."""
    notebook: bool
    math: bool
    figures: int        # PNG outputs that the html builder shows as <img>
    explorers: int      # code cells that call an explorer (*_explorer(...)) and show it


def expected(docname: str) -> Expected:
    nb_path = SOURCE / f'{docname}.ipynb'
    if not nb_path.exists():
        text = (SOURCE / f'{docname}.md').read_text(encoding='utf-8')
        return Expected(False, '$' in text or '{math}' in text, 0, 0)
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    markdown = ''.join(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown')
    figures = explorers = 0
    for cell in nb['cells']:
        tags = cell.get('metadata', {}).get('tags', [])
        if {'remove-output', 'remove-cell'} & set(tags):
            continue
        for out in cell.get('outputs', []):
            data = out.get('data', {})
            html = ''.join(data.get('text/html', ''))
            if 'image/png' in data and not html:
                figures += 1
        # Counted from the source, not from stored outputs (those are refreshed separately):
        # a code cell that calls d2lhelpers.<name>_explorer(...) shows one explorer.
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'code' and re.search(r'\b\w+_explorer\s*\(', source):
            explorers += 1
    return Expected(True, '$' in markdown or '{math}' in markdown, figures, explorers)


@dataclass
class Visit:
    """What the browser saw on one page."""
    url: str
    requests: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    reveals: list = field(default_factory=list)   # the solutions, opened one by one


FACTS_JS = r"""
(async () => {
  const maths = [...document.querySelectorAll('.math')];
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(r => { img.onload = img.onerror = r; })));
  const colab = [...document.querySelectorAll('a[href^="https://colab.research.google.com/"]')];
  return {
    title: document.title,
    math: maths.length,
    typeset: maths.filter(m => m.querySelector('.katex .katex-html')).length,
    mathml: maths.filter(m => m.querySelector('.katex-mathml math')).length,
    merror: document.querySelectorAll('.katex-error').length,
    scripts_math: [...document.scripts].filter(s => /mathjax|katex/i.test(s.src)).map(s => s.src),
    untypeset: maths.filter(m => !m.querySelector('.katex'))
                    .map(m => m.textContent.slice(0, 80)),
    images: [...document.images].map(img => ({
      src: img.currentSrc.slice(0, 120), natural: img.naturalWidth, shown: img.width,
      output: !!img.closest('.cell_output'), hidden: img.offsetParent === null})),
    ranges: document.querySelectorAll('input[type=range]').length,
    explorers: document.querySelectorAll('.d2l-explorer').length,
    colab: colab.map(a => a.href),
  };
})()
"""

# Open every exercise solution ({dropdown}) and hidden code cell (hide-cell) by clicking it.
REVEAL_JS = r"""
(async () => {
  const boxes = [...document.querySelectorAll('details.sd-dropdown, details.hide')];
  const result = [];
  for (const d of boxes) {
    const wasOpen = d.open;
    d.querySelector('summary').click();
    await new Promise(r => setTimeout(r, 50));
    const body = [...d.children].filter(c => c.tagName !== 'SUMMARY');
    result.push({kind: d.classList.contains('sd-dropdown') ? 'dropdown' : 'hide-cell',
                 closedBefore: !wasOpen, open: d.open,
                 height: body.reduce((h, c) => h + c.getBoundingClientRect().height, 0)});
  }
  return result;
})()
"""

@pytest.fixture(scope='module')
def visits(browser, server, screenshot_dir):
    """Visit pages lazily, once each."""
    cache: dict[str, Visit] = {}

    def visit(docname: str) -> Visit:
        if docname not in cache:
            url = server + docname + '.html'
            log = browser.goto(url)
            v = Visit(url)
            v.facts = browser.evaluate(FACTS_JS)
            browser.pump(0.3)
            browser.screenshot(screenshot_dir / (docname.replace('/', '__') + '.png'))
            v.reveals = browser.evaluate(REVEAL_JS)
            browser.pump(0.2)
            v.requests = list(log.requests.values())
            v.errors = list(log.errors)
            cache[docname] = v
        return cache[docname]

    yield visit
    # What the browser saw, next to the screenshots, for a reviewer.
    summary = {name: {'url': v.url, 'requests': len(v.requests), 'js_errors': v.errors,
                      'formulas': v.facts['math'], 'mathml': v.facts['mathml'],
                      'images': [(i['natural'], i['shown']) for i in v.facts['images']],
                      'explorers': v.facts['explorers'],
                      'solutions': [(r['kind'], r['open'], round(r['height'])) for r in v.reveals]}
               for name, v in cache.items()}
    (screenshot_dir / 'pages.json').write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding='utf-8')


def _is_local(url: str, server: str) -> bool:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme in ('data', 'blob', 'about', 'chrome-error'):
        return True
    return url.startswith(server)


@pytest.mark.parametrize('docname', DOCNAMES)
def test_page_loads_offline(visits, server, docname):
    """Every request succeeds and stays on 127.0.0.1: nothing comes from the internet."""
    v = visits(docname)
    assert v.requests, f'{v.url}: the browser made no request at all'
    remote = sorted({r.url for r in v.requests if not _is_local(r.url, server)})
    assert not remote, f'{v.url} asks the internet for: {remote}'
    failed = [(r.url, r.failed or r.status) for r in v.requests
              if r.failed or (r.status is not None and r.status >= 400)]
    assert not failed, f'{v.url}: failed local requests: {failed}'


# Known and harmless: Sphinx 7.4 writes inline scripts added after the builder started twice,
# and sphinx-thebe's one declares a const (thebe itself is not used by this book).
KNOWN_JS_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)


@pytest.mark.parametrize('docname', DOCNAMES)
def test_no_javascript_errors(visits, docname):
    v = visits(docname)
    errors = [e for e in v.errors if not any(k in e for k in KNOWN_JS_ERRORS)]
    assert not errors, f'{v.url}: uncaught JavaScript errors: {errors}'


@pytest.mark.parametrize('docname', DOCNAMES)
def test_math_is_typeset(visits, docname):
    """Every formula is in the page as KaTeX's drawing plus MathML (typeset when the book was
    built: no script in the page), without a TeX error."""
    v, exp = visits(docname), expected(docname)
    f = v.facts
    if exp.math:
        assert f['math'] > 0, f'{v.url}: the source has math but the page has no .math element'
    assert f['untypeset'] == [], f'{v.url}: formulas that were not typeset: {f["untypeset"]}'
    assert f['typeset'] == f['mathml'] == f['math'], (
        f'{v.url}: {f["math"]} formulas, {f["typeset"]} drawn, {f["mathml"]} with MathML')
    assert f['merror'] == 0, f'{v.url}: {f["merror"]} formulas with a TeX error'
    assert not f['scripts_math'], f'{v.url}: loads a math script: {f["scripts_math"]}'


@pytest.mark.parametrize('docname', DOCNAMES)
def test_figures_present_and_crisp(visits, docname):
    """Each stored PNG output is an <img> that loaded and is not shown larger than it is."""
    v, exp = visits(docname), expected(docname)
    images = v.facts['images']
    outputs = [img for img in images if img['output']]
    assert len(outputs) >= exp.figures, (
        f'{v.url}: {exp.figures} figures in the notebook, {len(outputs)} <img> in cell outputs')
    broken = [img['src'] for img in images if img['natural'] == 0]
    assert not broken, f'{v.url}: images that did not load: {broken}'
    blurry = [img for img in outputs if not img['hidden'] and img['shown'] > img['natural'] + 1]
    assert not blurry, f'{v.url}: images scaled up beyond their pixels (blurry): {blurry}'


@pytest.mark.parametrize('docname', DOCNAMES)
def test_solutions_reveal(visits, docname):
    """Exercise solutions start folded and open with a click (no kernel, no internet)."""
    v, exp = visits(docname), expected(docname)
    if exp.notebook and docname.startswith('chapters/'):
        assert any(r['kind'] == 'dropdown' for r in v.reveals), (
            f'{v.url}: no {{dropdown}} solution on the page')
    for r in v.reveals:
        assert r['closedBefore'], f'{v.url}: a {r["kind"]} is open before the reader clicks it'
        assert r['open'] and r['height'] > 0, f'{v.url}: a {r["kind"]} did not open on click: {r}'


def _colab_url(docname: str) -> str:
    config = yaml.safe_load((SOURCE / '_config.yml').read_text(encoding='utf-8'))
    repo = config['repository']
    owner_name = urllib.parse.urlsplit(repo['url']).path.strip('/').removesuffix('.git')
    prefix = (repo.get('path_to_book') or '').strip('/')
    path = f'{prefix}/{docname}.ipynb' if prefix else f'{docname}.ipynb'
    return (f"https://colab.research.google.com/github/{owner_name}/blob/"
            f"{repo.get('branch', 'main')}/{path}")


@pytest.mark.parametrize('docname', DOCNAMES)
def test_colab_launch_button(visits, docname):
    """Each notebook page links to itself on Colab, from the repository named in _config.yml."""
    v, exp = visits(docname), expected(docname)
    if not exp.notebook:
        return
    assert _colab_url(docname) in v.facts['colab'], (
        f'{v.url}: no Colab launch link {_colab_url(docname)} (found {v.facts["colab"]})')


SEARCHES = [('交叉熵', 'chapters/04_cross_entropy'),
            ('损失函数', 'chapters/03_losses'),
            ('独热编码', 'chapters/01_regression_to_classification'),
            ('softmax', 'chapters/02_softmax_model'),
            # two words typed together: _static/zh-search.js splits the query
            ('交叉熵损失', 'chapters/04_cross_entropy')]


@pytest.mark.parametrize('query, docname', SEARCHES,
                         ids=[f'{i}-{d.split("/")[-1]}' for i, (_, d) in enumerate(SEARCHES)])
def test_chinese_search(browser, server, screenshot_dir, query, docname):
    """The search page (jieba-segmented index) finds the chapter for a Chinese term."""
    if docname not in DOCNAMES:
        pytest.skip(f'{docname} is not in this table of contents')
    url = server + 'search.html?q=' + urllib.parse.quote(query)
    log = browser.goto(url)
    done = browser.wait_for(
        "(() => { const s = document.querySelector('#search-results .search-summary, "
        "#search-results p'); return s && !/^\\s*$/.test(s.textContent) && "
        "document.querySelectorAll('#search-results ul.search li').length > 0; })()",
        timeout=30)
    links = browser.evaluate(
        "[...document.querySelectorAll('#search-results ul.search li a')]"
        ".map(a => a.getAttribute('href'))")
    browser.screenshot(screenshot_dir / f'search__{SEARCHES.index((query, docname))}.png')
    remote = sorted({r.url for r in log.requests.values() if not _is_local(r.url, server)})
    assert not remote, f'the search page asks the internet for: {remote}'
    assert done and links, f'searching {query!r} found nothing ({url})'
    assert any(docname + '.html' in (href or '') for href in links), (
        f'searching {query!r} did not find {docname}: {links}')


# ------------------------------------------------------------------------------ explorers
# Each explorer (d2lhelpers.static_view) is a <div class="d2l-explorer"> whose controls are
# computed and drawn by JavaScript. Its config carries reference values from the Python
# functions for a few control settings; the test reaches each setting with real key presses,
# then compares what the browser computed (el.d2lState) with Python's numbers.

EXPLORERS_JS = r"""
[...document.querySelectorAll('.d2l-explorer')].map(el => {
  const group = i => i.closest('[role=radiogroup]');
  const named = i => i.type === 'range'
      ? i.labels.length > 0 && i.labels[0].textContent.trim() !== ''
      : !!(group(i) && document.getElementById(group(i).getAttribute('aria-labelledby')));
  return {id: el.id, kind: el.dataset.kind, ready: el.dataset.ready === '1',
          config: JSON.parse(el.querySelector('script.d2l-explorer-config').textContent),
          inputs: el.querySelectorAll('input').length,
          unlabelled: [...el.querySelectorAll('input')].filter(i => !named(i)).map(i => i.outerHTML)};
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
  return {numbers: el.d2lState.numbers, text: el.d2lState.text, values: values,
          svg: [...el.querySelectorAll('svg.d2l-x-panel')].map(s => s.innerHTML).join('|'),
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

# Switch the theme (sphinx-book-theme: html[data-theme]); how light are the explorer's texts
# and what is behind them (the theme puts HTML outputs on a light box in dark mode too).
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
  return {theme: document.documentElement.dataset.theme, text: lum(getComputedStyle(text).fill),
          label: lum(getComputedStyle(el).color), background: lum(bg),
          page: lum(getComputedStyle(document.body).backgroundColor)};
})(%r, %s)
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


def _close(got, expected, tol=1e-6) -> bool:
    return len(got) == len(expected) and all(abs(g - e) <= tol for g, e in zip(got, expected))


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
        found = browser.evaluate(EXPLORERS_JS)
        results = []
        for n, ex in enumerate(found):
            uid, cfg = ex['id'], ex['config']
            stem = f"{docname.replace('/', '__')}__{n}_{ex['kind']}"
            r = {**ex, 'moves': [], 'references': [], 'mouse': [], 'problems': []}
            results.append(r)
            if not ex['ready']:
                continue
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
                                        'max_diff': diffs})
            r['moved'] = sorted(moved)
            end = browser.evaluate(STATE_JS % uid)
            browser.screenshot_element(shots / f'{stem}__b.png', element)
            r['times'] = end['times']
            # the mouse: click a range track at a quarter of its width, a radio button
            for ctrl in cfg['controls']:
                before = browser.evaluate(STATE_JS % uid)
                if 'options' in ctrl:
                    box = browser.evaluate(RADIO_BOX_JS % (uid, ctrl['name']))
                    browser.click(box['x'], box['y'])
                    want = box['value']
                else:
                    c = browser.evaluate(FOCUS_JS % (uid, ctrl['name']))
                    rect = c['rect']
                    browser.click(rect['x'] + 0.25 * rect['width'],
                                  rect['y'] + rect['height'] / 2)
                    want = None
                after = browser.evaluate(STATE_JS % uid)
                r['mouse'].append({'control': ctrl['name'], 'from': before['values'][ctrl['name']],
                                   'to': after['values'][ctrl['name']], 'want': want,
                                   'svg_changed': after['svg'] != before['svg']})
            # a phone's width, then the theme's dark mode
            browser.set_width(400)
            browser.pump(0.3)
            phone = browser.evaluate(
                f"(() => {{ const el = document.getElementById({uid!r});"
                "el.scrollIntoView(); const r = el.getBoundingClientRect();"
                "const panels = [...el.querySelectorAll('svg.d2l-x-panel')]"
                ".map(s => s.getBoundingClientRect());"
                "return {left: r.left, right: r.right, overflow: el.scrollWidth - el.clientWidth,"
                "panels: panels.map(p => [p.left, p.right, p.width])}; })()")
            r['phone'] = phone
            browser.screenshot_element(shots / f'{stem}__phone.png', element, width=400)
            browser.set_width()
            browser.pump(0.2)
            r['dark'] = browser.evaluate(DARK_JS % (uid, 'true'))
            browser.pump(0.2)
            browser.screenshot_element(shots / f'{stem}__dark.png', element)
            r['light'] = browser.evaluate(DARK_JS % (uid, 'false'))
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
                       'redraws': len(e.get('times') or [])}
                      for e in v['explorers']] for name, v in cache.items()}
    (shots / 'explorers.json').write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                          encoding='utf-8')


def _with_explorers(docname: str) -> bool:
    return expected(docname).explorers > 0


EXPLORER_PAGES = [d for d in DOCNAMES if _with_explorers(d)]


@pytest.mark.parametrize('docname', DOCNAMES)
def test_every_explorer_is_on_the_page_and_live(visits, explorer_runs, docname):
    """As many explorers as the chapter's code calls for, each built by its script."""
    v, exp = visits(docname), expected(docname)
    assert v.facts['explorers'] >= exp.explorers, (
        f'{v.url}: the notebook shows {exp.explorers} explorers, the page has '
        f'{v.facts["explorers"]}')
    if not v.facts['explorers']:
        return
    run = explorer_runs(docname)
    for e in run['explorers']:
        assert e['ready'], f'{v.url}: explorer {e["id"]} ({e["kind"]}) was not built (dead)'
        assert e['inputs'] >= len(e['config']['controls']), f'{v.url}: {e["id"]} lacks controls'
        assert not e['unlabelled'], f'{v.url}: controls without a label: {e["unlabelled"]}'


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
            # the texts follow the colour of what is behind them (currentColor): contrast
            assert abs(m['text'] - m['background']) > 0.5 and abs(m['label'] - m['background']) > 0.5, (
                f'{where}: in {mode} mode the text does not stand out from its background: {m}')
        assert e['dark']['page'] < 0.3 < 0.7 < e['light']['page'], (
            f'{where}: the theme did not switch: {e["dark"]}, {e["light"]}')


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
