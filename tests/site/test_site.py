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
- Chinese search finds the right chapter (and the search page stays offline too);
- every Font Awesome icon a page names has its mask in ``_static/d2l-icons.css``.
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
  const lazy = new Set([...document.images].filter(img => img.loading === 'lazy'));
  lazy.forEach(img => { img.loading = 'eager'; });     // load them all now, to check them
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
      output: !!img.closest('.cell_output'), hidden: img.offsetParent === null, lazy: lazy.has(img),
      size: [img.getAttribute('width'), img.getAttribute('height'), img.naturalWidth,
             img.naturalHeight].map(Number),
      ratio: img.width && img.naturalWidth
        ? (img.height / img.width) / (img.naturalHeight / img.naturalWidth) : 1})),
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
    """Each stored PNG output is an <img> that loads, is not shown larger than it is, loads
    lazily and carries its pixel size (_ext/d2l_site.py), and is drawn in its own shape."""
    v, exp = visits(docname), expected(docname)
    images = v.facts['images']
    outputs = [img for img in images if img['output']]
    assert len(outputs) >= exp.figures, (
        f'{v.url}: {exp.figures} figures in the notebook, {len(outputs)} <img> in cell outputs')
    broken = [img['src'] for img in images if img['natural'] == 0]
    assert not broken, f'{v.url}: images that did not load: {broken}'
    blurry = [img for img in outputs if not img['hidden'] and img['shown'] > img['natural'] + 1]
    assert not blurry, f'{v.url}: images scaled up beyond their pixels (blurry): {blurry}'
    # they load when the reader nears them, and their place is kept (size given, shape kept)
    eager = [img['src'] for img in outputs if not img['lazy']]
    assert not eager, f'{v.url}: figures not loaded lazily: {eager}'
    unsized = [img for img in outputs if img['size'][:2] != img['size'][2:]]
    assert not unsized, f'{v.url}: width/height attributes not the pixel size: {unsized}'
    distorted = [img for img in outputs if not img['hidden'] and abs(img['ratio'] - 1) > 0.02]
    assert not distorted, f'{v.url}: figures drawn out of shape: {distorted}'


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


_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_FA_STYLES = {'fa', 'fas', 'far', 'fab', 'fa-solid', 'fa-regular', 'fa-brands'}
_FA_NOT_ICONS = {'fa-lg', 'fa-fw', 'fa-xs', 'fa-sm', 'fa-2x', 'fa-spin', 'fa-pulse'} | _FA_STYLES


def test_every_icon_has_a_mask_rule(site):
    """Every Font Awesome icon named in a page (any class list with a Font Awesome style in it,
    wherever it stands: the colour-mode switch's begins with ``theme-switch``) has its mask in
    ``_static/d2l-icons.css`` (_ext/d2l_site.py writes it): without one, the icon is a solid
    block of the text colour."""
    css = (site / '_static' / 'd2l-icons.css').read_text(encoding='utf-8')
    defined = set(re.findall(r'\.(fa-[\w-]+)\{--d2l-icon:', css))
    named = {}
    for page in sorted(site.rglob('*.html')):
        for classes in _CLASS_ATTR.findall(page.read_text(encoding='utf-8', errors='replace')):
            names = classes.split()
            if _FA_STYLES & set(names):
                for name in names:
                    if name.startswith('fa-') and name not in _FA_NOT_ICONS:
                        named.setdefault(name, page.relative_to(site).as_posix())
    assert {'fa-sun', 'fa-moon', 'fa-circle-half-stroke'} <= set(named), sorted(named)
    missing = {name: page for name, page in named.items() if name not in defined}
    assert not missing, f'icons without a mask rule in d2l-icons.css (icon: first page): {missing}'
