"""What the theme and the extensions Jupyter Book 1 brings get wrong for this book's readers, fixed
at build time (a Sphinx extension, loaded from ``_config.yml``: ``sphinx.local_extensions``).

sphinx-book-theme 1.4 (which has accessibility work of its own) needs Sphinx >= 8.2, Jupyter Book
1 pins Sphinx 7: so the fixes live here, each as small as it can be.

Accessibility (axe-core, WCAG 2.1 AA):
- MyST-NB's code-cell toggles were ``<summary aria-label="Toggle hidden content">`` around the
  visible text (展开代码单元, or a cell's own ``code_prompt_show``): the label hid the text
  (WCAG 2.5.3, label in name). The summary is written here without an ``aria-label``: its
  accessible name is its visible text, whatever the cell's prompt says.
- The search buttons and the colour-mode switch: ``_templates/`` (the search buttons' names are
  their visible text; the switch is named in Chinese and says which mode it is in: 颜色模式：
  浅色 / 深色 / 跟随系统).
- Every box that can scroll (a code block, a text or HTML output, a table, a display formula)
  is a Tab stop in the page as written, the formulas named (``scroll_boxes``): a long chapter's
  sections are laid out only near the viewport, so no script can tell at load which boxes of
  the sections below overflow; ``d2l-scroll.js`` takes the stop away from each box that fits
  once it is laid out (see below).
- An empty table header cell (a table's top-left corner) becomes a ``<td>``.

Weight (only what a page uses):
- no Font Awesome JavaScript (1.45 MB on every page) and no icon fonts (274 KB): the few icons
  the pages show (every class list that names a Font Awesome style, the colour-mode switch's
  sun, moon and half circle included) are written to ``_static/d2l-icons.css`` as CSS masks
  from the theme's own Font Awesome copy, and Font Awesome's glyph and font rules leave the
  theme's stylesheet;
- no sphinx-thebe (unused: this book has no Thebe button; its duplicated inline script was a
  console error on every page), no sphinx-togglebutton (no ``.toggle`` element in the book);
- no ipywidgets state in the pages' head (the static site has no widget manager: the explorers'
  static views are plain HTML and JS);
- per page, an extension's script or stylesheet only when the page uses it (copy buttons where
  there is code, sphinx-design where there are dropdowns, its tabs script where there are tabs);
- the theme's stylesheet linked directly with Sphinx's ``basic.css`` (not through an ``@import``
  that costs a round trip before anything is drawn);
- figures load lazily, near the point the reader scrolls to, with their width and height given
  (nothing shifts when they arrive);
- the search machinery (``searchtools.js``, the search index) only on the search page
  (``_templates/layout.html``), with the Chinese query splitter and readable result snippets.

Speed on a phone:
- the theme's script made each code block, output and table focusable when it scrolls by
  reading its width right after writing the previous one's ``tabindex``: one layout of the whole
  page per box (33 on chapter 06: about 2 s of main-thread time on Lighthouse's phone). That
  function is removed from the theme's script when the site is written; the boxes are Tab stops
  from the start (above) and ``d2l-scroll.js`` (every page) removes the stop from each box that
  fits, reading widths only when the page has been laid out (a ResizeObserver), or when the
  keyboard reaches a box not laid out yet (then it moves the focus on). The build fails if the
  theme's script changed and the function is not found.

Also: the colour mode follows the reader's system until they pick one (``default_mode``
auto: the theme left it empty and logged "invalid theme mode" on a first visit); a ``<meta name="description">`` from each page's first paragraph; the landing page's link
to ``book.pdf`` only when the site has the PDF (``make pdf`` puts it there).
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / 'static'   # added only where a page needs it
ICONS_CSS = 'd2l-icons.css'
PDF_NAME = 'book.pdf'
SEARCH_JS = ('zh-search.js', 'search-snippets.js')


# ------------------------------------------------------------------ MyST-NB's code toggles
def visit_hide_cell(self, node) -> None:
    classes = ' '.join(node['classes'])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{html.escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{html.escape(node["prompt_hide"])}</p>\n')
    self.body.append('</summary>\n')


def depart_hide_cell(self, node) -> None:
    self.body.append('</details>\n')


# ------------------------------------------------------------------ per page: what it loads
_DROP_JS = re.compile(r'sphinx-thebe|thebe|togglebutton')
_DROP_JS_BODY = re.compile(r'THEBE_JS_URL|thebe|toggleHint|toggleOpenOnPrint|togglebuttonSelector')
_DROP_CSS = re.compile(r'sphinx-thebe\.css|togglebutton\.css')


def _filename(asset) -> str:
    return str(getattr(asset, 'filename', asset) or '')


def _unused_here(body: str) -> tuple[re.Pattern | None, re.Pattern | None]:
    """(scripts, stylesheets) of extensions that this page's body does not use."""
    js, css = [], []
    if 'sd-tab-set' not in body:
        js.append(r'design-tabs\.js')
    if 'class="sd-' not in body and ' sd-' not in body:
        css.append(r'sphinx-design')
    if '<pre' not in body:
        js += [r'clipboard\.min\.js', r'copybutton\.js']
        css.append(r'copybutton\.css')
    return (re.compile('|'.join(js)) if js else None, re.compile('|'.join(css)) if css else None)


def page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.format != 'html':
        return
    unused_js, unused_css = _unused_here(context.get('body') or '')
    if pagename == 'search':
        unused_js = unused_css = None
    scripts = context.get('script_files')
    if scripts is not None:
        keep = []
        for js in scripts:
            attributes = getattr(js, 'attributes', {}) or {}
            if _DROP_JS.search(_filename(js)) or _DROP_JS_BODY.search(attributes.get('body', '')):
                continue
            if unused_js is not None and unused_js.search(_filename(js)):
                continue
            if attributes.get('type') == 'application/vnd.jupyter.widget-state+json':
                continue
            keep.append(js)
        scripts[:] = keep
        if pagename == 'search':
            for name in SEARCH_JS:
                app.builder.add_js_file(name, priority=200)
            scripts[:] = list(app.builder._js_files)
    css = context.get('css_files')
    if css is not None:
        css[:] = [c for c in css if not _DROP_CSS.search(_filename(c))
                  and not (unused_css is not None and unused_css.search(_filename(c)))]
    context['d2l_theme_digest'] = _theme_digest()
    context['d2l_description'] = _description(doctree, context)
    # The theme's colour mode before the reader picks one: follow the system (light or dark).
    # The theme has no option for it; unset, its script reported "invalid theme mode".
    context.setdefault('default_mode', 'auto')
    if not context['default_mode']:
        context['default_mode'] = 'auto'


def _theme_digest() -> str:
    import hashlib
    import pydata_sphinx_theme
    css = (Path(pydata_sphinx_theme.__file__).parent / 'theme' / 'pydata_sphinx_theme' /
           'static' / 'styles' / 'pydata-sphinx-theme.css')
    return hashlib.sha1(css.read_bytes()).hexdigest()[:20] if css.is_file() else '0'


def _description(doctree, context: dict) -> str:
    """The page's first real paragraph, shortened: what a search engine shows under its title."""
    text = ''
    if doctree is not None:
        for para in doctree.findall(nodes.paragraph):
            candidate = ' '.join(para.astext().split())
            if len(candidate) >= 20:
                text = candidate
                break
    if not text:
        text = context.get('docstitle') or ''
    return text if len(text) <= 150 else text[:148].rstrip() + '…'


# ------------------------------------------------------------------ the rendered body
_EMPTY_TH = re.compile(r'<th(\s[^>]*)?>\s*(?:<p>\s*</p>)?\s*</th>')
_THEBE_CONFIG = re.compile(r'\s*<script type="text/x-thebe-config">.*?</script>', re.S)


_IMG = re.compile(r'<img (?![^>]*\bloading=)([^>]*?\bsrc="(?:\.\./)*_images/([^"/]+)")')


def _png_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from a PNG's header, None if it is not a PNG."""
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n':
        return None
    return int.from_bytes(head[16:20], 'big'), int.from_bytes(head[20:24], 'big')


def _image_sizes(app: Sphinx) -> dict[str, tuple[int, int]]:
    """Each copied image's name in ``_images/`` -> its size in pixels."""
    sizes = {}
    for source, name in app.builder.images.items():
        path = Path(app.srcdir, source)
        if path.is_file() and (size := _png_size(path)):
            sizes[name] = size
    return sizes


def lazy_images(app: Sphinx, body: str) -> str:
    """Figures load when the reader scrolls near them (not all before the first screen is
    drawn, on a phone's slow link), with their size given so that nothing moves when they
    arrive. Only on the site: the one-page book that is printed loads everything."""
    sizes = _image_sizes(app)

    def lazy(m: re.Match) -> str:
        size = sizes.get(m.group(2))
        dims = f'width="{size[0]}" height="{size[1]}" ' if size else ''
        return f'<img loading="lazy" decoding="async" {dims}{m.group(1)}'
    return _IMG.sub(lazy, body)


# Every box that can scroll sideways (or, an output, downwards) on some screen: a code block or
# a text output (<pre>), an HTML output, a table, a display formula. Each is a Tab stop in the
# page as written (WCAG 2.1.1; axe's scrollable-region-focusable), the formulas named;
# d2l-scroll.js takes the stop away from each box that turns out to fit once it is laid out.
SCROLL_LABEL = '公式（可横向滚动）'
_SCROLL_BOXES = re.compile(
    r'<pre(?=[\s>])(?![^>]*\btabindex=)'
    r'|<div class="(?:output text_html|pst-scrollable-table-container)"(?![^>]*\btabindex=)'
    r'|<div class="math-scroll"(?![^>]*\btabindex=)')

_DETAILS = re.compile(r'(<details\b[^>]*>|</details>)')


def scroll_boxes(body: str) -> str:
    """Scrolling boxes are keyboard-reachable from the start: ``tabindex="0"`` in the HTML.

    A long chapter lays out a section only when it nears the viewport (content-visibility:
    auto), so a script cannot tell at load which boxes of the sections below overflow without
    laying the whole page out (the cost content-visibility saves on a phone). The page therefore
    starts with every such box in the Tab order, and ``d2l-scroll.js`` removes the stop from a
    box that fits as soon as its section is laid out, or, when the keyboard reaches a box that
    was never laid out, measures it there and moves the focus on if it fits.

    A box inside a folded block (a solution, a hidden cell: ``<details>``) is left alone: it is
    out of reach until the reader opens the block, which lays it out, and the script then makes
    it a stop if it scrolls."""
    def stop(m: re.Match) -> str:
        tag = m.group(0)
        if 'math-scroll' in tag:
            return f'{tag} tabindex="0" role="group" aria-label="{SCROLL_LABEL}"'
        return f'{tag} tabindex="0"'
    parts, depth = [], 0
    for piece in _DETAILS.split(body):
        if _DETAILS.fullmatch(piece):
            depth += -1 if piece.startswith('</') else 1
            parts.append(piece)
        else:
            parts.append(_SCROLL_BOXES.sub(stop, piece) if depth == 0 else piece)
    return ''.join(parts)


def fix_body(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get('body')
    if not body:
        return
    body = _EMPTY_TH.sub(lambda m: f'<td{m.group(1) or ""}></td>', body)
    body = _THEBE_CONFIG.sub('', body)
    if app.builder.name == 'html':
        body = lazy_images(app, body)
        body = scroll_boxes(body)
    if not pdf_available(app):
        body = _without_pdf_link(body)
    context['body'] = body


_PDF_LINK_PARA = re.compile(r'<p>(?:(?!</p>).)*?<a [^>]*href="(?:\.\./)*book\.pdf"[^>]*>.*?</p>\s*',
                            re.S)


def _without_pdf_link(body: str) -> str:
    return _PDF_LINK_PARA.sub('', body)


def pdf_available(app: Sphinx) -> bool:
    """Does (or will) this site have ``book.pdf``? ``make pdf`` writes it to
    ``_build/pdf/book.pdf`` and copies it into ``_build/html``; the one-page build that makes
    the PDF never links to itself."""
    if app.builder.name != 'html':
        return False
    out = Path(app.outdir)
    return (out / PDF_NAME).is_file() or (out.parent / 'pdf' / PDF_NAME).is_file()


def env_updated_pdf(app: Sphinx, env) -> list[str]:
    """Rewrite the pages that link to the PDF when its presence changed since the last build."""
    now = pdf_available(app)
    before = getattr(env, 'd2l_pdf_available', None)
    env.d2l_pdf_available = now
    if before is None or before == now:
        return []
    return [name for name in env.found_docs if (Path(env.doc2path(name)).read_text(
        encoding='utf-8', errors='replace').count(PDF_NAME))]


# ------------------------------------------------------------------ icons without Font Awesome JS
# Every class list that names a Font Awesome style, wherever it stands in the list (the
# colour-mode switch's begins with ``theme-switch``: its icons were missed, and drawn as solid
# rectangles, while only lists beginning with ``fa`` were read).
_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_NOT_ICONS = {'fa-lg', 'fa-fw', 'fa-solid', 'fa-regular', 'fa-brands', 'fa-xs', 'fa-sm',
              'fa-2x', 'fa-spin', 'fa-pulse'}
_PACK_END = {'fab': 'd("fab",p)', 'far': 'd("far",p)', 'fas': 'd("fas",p)'}
_STYLE = {'fa': 'fas', 'fas': 'fas', 'fa-solid': 'fas', 'far': 'far', 'fa-regular': 'far',
          'fab': 'fab', 'fa-brands': 'fab'}


def _fontawesome_js() -> Path:
    import pydata_sphinx_theme
    return (Path(pydata_sphinx_theme.__file__).parent / 'theme' / 'pydata_sphinx_theme' /
            'static' / 'scripts' / 'fontawesome.js')


def _icon_paths(source: str, style: str, names: set[str]) -> dict[str, tuple[int, int, str]]:
    end = source.find(_PACK_END[style])
    start = max(source.rfind(marker, 0, end) for marker in _PACK_END.values())
    pack = source[max(start, 0):end]
    found = {}
    for name in names:
        m = re.search(r'(?<![\w-])"?%s"?:\[(\d+),(\d+),\[[^\]]*\],"\w+",("[^"]*"|\[[^\]]*\])\]'
                      % re.escape(name), pack)
        if m:
            paths = re.findall(r'"([^"]*)"', m.group(3))
            found[name] = (int(m.group(1)), int(m.group(2)), paths[-1])
    return found


def write_icons(app: Sphinx, exception) -> None:
    """``_static/d2l-icons.css``: every Font Awesome icon the written pages use, as a CSS mask
    (the icon takes the text colour), instead of the theme's 1.45 MB Font Awesome script."""
    if exception or app.builder.format != 'html':
        return
    out = Path(app.outdir)
    wanted: dict[str, set[str]] = {'fas': set(), 'far': set(), 'fab': set()}
    for page in out.rglob('*.html'):
        for classes in _CLASS_ATTR.findall(page.read_text(encoding='utf-8', errors='replace')):
            names = classes.split()
            styles = [_STYLE[c] for c in names if c in _STYLE]
            if not styles:
                continue
            for cls in names:
                if cls.startswith('fa-') and cls not in _NOT_ICONS:
                    wanted[styles[0]].add(cls[3:])
    for extra in ('xmark', 'chevron-down', 'chevron-right', 'angle-down', 'angle-right'):
        wanted['fas'].add(extra)   # drawn by the theme's scripts / navigation, not in the HTML
    source = _fontawesome_js().read_text(encoding='utf-8')
    rules = ['/* Generated by _ext/d2l_site.py from the theme\'s Font Awesome (icons: CC BY 4.0, '
             'fontawesome.com/license/free): only the icons this site uses. */',
             '.fa-solid::before,.fas::before,.fa-regular::before,.far::before,.fa-brands::before,'
             '.fab::before{content:"";display:inline-block;width:1.25em;height:1em;'
             'vertical-align:-0.125em;background-color:currentColor;'
             '-webkit-mask:var(--d2l-icon) center/contain no-repeat;'
             'mask:var(--d2l-icon) center/contain no-repeat}']
    # .fa-lg: the theme's own rule (font-size 1.25em) makes it larger, as Font Awesome's does;
    # a larger box here as well drew the colour-mode switch at twice its neighbours' size.
    missing = []
    for style, names in wanted.items():
        paths = _icon_paths(source, style, names)
        missing += sorted(names - set(paths))
        prefix = {'fas': '.fa-solid', 'far': '.fa-regular', 'fab': '.fab'}[style]
        alias = {'fas': '.fas', 'far': '.far', 'fab': '.fa-brands'}[style]
        for name, (w, h, d) in sorted(paths.items()):
            svg = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}'>"
                   f"<path d='{d}'/></svg>")
            url = 'url("data:image/svg+xml,' + svg.replace('"', "'").replace('#', '%23') + '")'
            rules.append(f'{prefix}.fa-{name},{alias}.fa-{name}{{--d2l-icon:{url}}}')
    if missing:
        logger.info('d2l_site: icons not found in Font Awesome: %s', ', '.join(missing))
    (out / '_static' / ICONS_CSS).write_text('\n'.join(rules) + '\n', encoding='utf-8')
    _strip_fontawesome_css(out / '_static' / 'styles' / 'pydata-sphinx-theme.css')


_FA_GLYPH_RULES = re.compile(r'(?:\.fa-[\w-]+:(?:before|after),?)+\{content:"(?:\\.|[^"\\])*"\}')
_FA_FONT_FACES = re.compile(r'@font-face\{[^}]*font-family:\s*"?Font Awesome[^}]*\}')


def _strip_fontawesome_css(path: Path) -> None:
    """The theme's stylesheet without Font Awesome's ~1,900 glyph rules and its @font-face
    rules (87 KB of the 397 KB; the icons are drawn by d2l-icons.css, no icon font loads)."""
    if not path.is_file():
        return
    css = path.read_text(encoding='utf-8')
    css = _FA_FONT_FACES.sub('', _FA_GLYPH_RULES.sub('', css))
    path.write_text(css, encoding='utf-8')


# Files the theme and extensions copy into every site that no page of this one loads.
UNUSED_STATIC = ('scripts/fontawesome.js', 'scripts/fontawesome.js.LICENSE.txt',
                 'vendor/fontawesome', 'sphinx-thebe.js', 'sphinx-thebe.css', 'togglebutton.js',
                 'togglebutton.css', 'webpack-macros.html', 'sbt-webpack-macros.html')


def drop_unused_static(app: Sphinx, exception) -> None:
    """Ship only what the pages use: no Font Awesome script or fonts, no thebe or togglebutton
    files, no source maps (5.6 MB of the theme's _static)."""
    if exception or app.builder.format != 'html':
        return
    static = Path(app.outdir) / '_static'
    for name in UNUSED_STATIC:
        path = static / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.is_file():
            path.unlink()
    for source_map in static.rglob('*.map'):
        source_map.unlink()


# The theme's "scrollable boxes are focusable" function, minified: function NAME(){const F=()=>{
# document.querySelectorAll(["pre",...].join(", ")).forEach(...)},...,F()}
THEME_SCRIPT = 'scripts/pydata-sphinx-theme.js'
_THEME_TAB_STOPS = re.compile(r'function (\w+)\(\)\{const (\w+)=\(\)=>\{document\.querySelectorAll'
                              r'\(\["pre",.*?\.forEach\(\w+=>\{\w+\.tabIndex=.*?\),\2\(\)\}')


def without_theme_tab_stops(source: str) -> str:
    """The theme's script with its scroll-box function emptied (``d2l-scroll.js`` does it)."""
    found = _THEME_TAB_STOPS.findall(source)
    if len(found) != 1:
        raise RuntimeError(f'{THEME_SCRIPT}: expected one scroll-box function, found {len(found)} '
                           '(a new theme release?): update _THEME_TAB_STOPS in _ext/d2l_site.py')
    return _THEME_TAB_STOPS.sub(lambda m: f'function {m.group(1)}(){{}}', source)


def patch_theme_script(app: Sphinx, exception) -> None:
    if exception or app.builder.format != 'html':
        return
    path = Path(app.outdir) / '_static' / THEME_SCRIPT
    source = path.read_text(encoding='utf-8')
    if 'scrollWidth' in source:          # not yet patched (an incremental build keeps the file)
        path.write_text(without_theme_tab_stops(source), encoding='utf-8')


def copy_extras(app: Sphinx, exception) -> None:
    """The PDF into the site when ``make pdf`` made one (so the landing page's link works)."""
    if exception or app.builder.name != 'html':
        return
    out = Path(app.outdir)
    made = out.parent / 'pdf' / PDF_NAME
    if made.is_file() and (not (out / PDF_NAME).is_file()
                           or made.stat().st_mtime > (out / PDF_NAME).stat().st_mtime):
        shutil.copyfile(made, out / PDF_NAME)


def builder_inited(app: Sphinx) -> None:
    if app.builder.format != 'html':
        return
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))
    app.add_css_file(ICONS_CSS, priority=900)
    app.add_js_file('d2l-scroll.js', priority=900, loading_method='defer')


def setup(app: Sphinx) -> dict:
    app.setup_extension('myst_nb')
    from myst_nb.sphinx_ import HideCodeCellNode
    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell, depart_hide_cell))
    app.connect('builder-inited', builder_inited)
    app.connect('env-get-outdated', lambda app, env, added, changed, removed:
                env_updated_pdf(app, env))
    app.connect('html-page-context', page_assets, priority=900)
    app.connect('html-page-context', fix_body, priority=900)
    app.connect('build-finished', write_icons)
    app.connect('build-finished', copy_extras)
    app.connect('build-finished', patch_theme_script)
    app.connect('build-finished', drop_unused_static, priority=900)
    return {'version': '1.0', 'parallel_read_safe': True, 'parallel_write_safe': True}
