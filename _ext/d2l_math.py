"""The book's formulas, typeset once at build time by KaTeX (a Sphinx HTML math renderer).

Why (see README.md, "Math"): a formula is written into the page as KaTeX's HTML (what is drawn,
``aria-hidden``) plus MathML (what screen readers read; Chromium, Firefox and Safari expose it to
assistive technology, which can speak it in the reader's language). No script runs in the
reader's browser: nothing to download but a stylesheet and the fonts a page uses, nothing that
can blank the formulas (MathJax 3's accessibility menu did), no formula in the Tab order, and
the PDF (``tools/pdf.py``) prints what the site shows without waiting for a typesetter.

- Inline math: ``<span class="math">`` + KaTeX.
- Display math: ``<div class="math math-display">`` holding ``<div class="math-scroll">`` (the
  formula; it scrolls sideways when it is wider than the column, and the site's
  ``d2l-scroll.js`` (``_ext/d2l_site.py``) makes such a box keyboard-focusable and names it)
  and the equation number ``<span class="eqno">(3.1)</span>`` with its permalink, as Sphinx's MathJax renderer writes it,
  so ``{eq}`` references and numbering are unchanged.
- A TeX error fails the build (a Sphinx warning with its location; ``-W``).

KaTeX runs in Node (``tools/node/katex-render.js`` with the ``katex`` pinned in
``tools/node/package.json``; ``make book`` runs ``npm ci`` there). Its stylesheet and the
WOFF2 fonts are copied to ``_static/katex/`` and linked only from pages that have math.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

NODE_DIR = Path(__file__).resolve().parent.parent / 'tools' / 'node'
KATEX_DIST = NODE_DIR / 'node_modules' / 'katex' / 'dist'
SCRIPT = NODE_DIR / 'katex-render.js'
CSS = 'katex/katex.min.css'
STATIC = Path(__file__).resolve().parent / 'static'   # d2l-math.css


class KatexError(Exception):
    pass


class _Katex:
    """One long-lived ``node katex-render.js``: a JSON request per line, an answer per line."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.cache: dict[tuple[str, bool], str] = {}
        self.lock = threading.Lock()

    def start(self) -> None:
        node = shutil.which('node')
        if node is None or not (KATEX_DIST / 'katex.min.js').is_file():
            raise KatexError(
                'the book typesets its formulas with KaTeX at build time, which needs Node.js '
                f'(node on PATH: {node or "missing"}) and the pinned katex in {NODE_DIR} '
                f'(npm ci --prefix {NODE_DIR}; make book does it)')
        self.proc = subprocess.Popen([node, str(SCRIPT)], cwd=NODE_DIR, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding='utf-8')

    def render(self, tex: str, display: bool) -> str:
        key = (tex, display)
        with self.lock:
            if key in self.cache:
                return self.cache[key]
            if self.proc is None or self.proc.poll() is not None:
                self.start()
            self.proc.stdin.write(json.dumps({'tex': tex, 'display': display}) + '\n')
            self.proc.stdin.flush()
            answer = json.loads(self.proc.stdout.readline() or '{"error": "KaTeX stopped"}')
        if 'error' in answer:
            raise KatexError(answer['error'])
        self.cache[key] = answer['html']
        return answer['html']

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


KATEX = _Katex()


def _typeset(self, node: nodes.Element, tex: str, display: bool) -> str:
    try:
        return KATEX.render(tex, display)
    except KatexError as err:
        logger.warning('KaTeX cannot typeset %r: %s', tex[:80], err, location=node,
                       type='d2l', subtype='math')
        return f'<code class="katex-error">{self.encode(tex)}</code>'


def html_visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, 'span', '', CLASS='math notranslate nohighlight'))
    self.body.append(_typeset(self, node, node.astext(), display=False))
    self.body.append('</span>')
    raise nodes.SkipNode


def _display_tex(node: nodes.math_block) -> str:
    """The TeX of a display block, as Sphinx's MathJax renderer would hand it over."""
    tex = node.astext()
    if node.get('nowrap'):
        return tex
    parts = [part for part in tex.split('\n\n') if part.strip()]
    if len(parts) > 1:   # several equations in one directive: one aligned block
        return '\\begin{aligned}' + '\\\\'.join(
            p if '&' in p else '&' + p for p in parts) + '\\end{aligned}'
    return tex


def html_visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, 'div', CLASS='math notranslate nohighlight math-display'))
    self.body.append('<div class="math-scroll">')
    self.body.append(_typeset(self, node, _display_tex(node), display=True))
    self.body.append('</div>')
    if node['number']:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _('Permalink to this equation'))
        self.body.append('</span>')
    self.body.append('</div>\n')
    raise nodes.SkipNode


def add_css(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The KaTeX stylesheet on the pages that have math (and on the one-page book)."""
    if app.builder.format != 'html' or app.builder.math_renderer_name != 'd2l_katex':
        return
    domain = app.env.get_domain('math')
    if domain.has_equations(pagename) or app.builder.name == 'singlehtml':
        app.builder.add_css_file(CSS, priority=400)
        app.builder.add_css_file('d2l-math.css', priority=400)


def builder_inited(app: Sphinx) -> None:
    if app.builder.format == 'html' and str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))


_FONT_SRC = re.compile(r'src:url\((fonts/[\w-]+\.woff2)\) format\("woff2"\)(,url\([^)]*\) '
                       r'format\("(?:woff|truetype)"\))*')


def copy_katex(app: Sphinx, exception) -> None:
    """``_static/katex/``: KaTeX's stylesheet (fonts shown while loading: ``font-display:
    swap``; WOFF2 only, which every browser that shows MathML reads) and the WOFF2 fonts."""
    KATEX.stop()
    if exception or app.builder.format != 'html':
        return
    out = Path(app.outdir) / '_static' / 'katex'
    (out / 'fonts').mkdir(parents=True, exist_ok=True)
    css = (KATEX_DIST / 'katex-swap.min.css').read_text(encoding='utf-8')
    css, n = _FONT_SRC.subn(lambda m: f'src:url({m.group(1)}) format("woff2")', css)
    if n < 10:
        raise KatexError(f'unexpected katex-swap.min.css: {n} font sources rewritten')
    (out / 'katex.min.css').write_text(css, encoding='utf-8')
    for font in (KATEX_DIST / 'fonts').glob('*.woff2'):
        shutil.copyfile(font, out / 'fonts' / font.name)


def setup(app: Sphinx) -> dict:
    app.add_html_math_renderer('d2l_katex', inline_renderers=(html_visit_math, None),
                               block_renderers=(html_visit_displaymath, None))
    app.connect('builder-inited', builder_inited)
    app.connect('html-page-context', add_css)
    app.connect('build-finished', copy_katex)
    return {'version': '1.0', 'parallel_read_safe': True, 'parallel_write_safe': False}
