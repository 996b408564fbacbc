"""Which display equations and tables of a chapter do not fit a phone's column?

    python tools/layout_check.py chapters/03_losses.ipynb [--width 358] [--keep page.html]

Renders the chapter's display math as the site does (KaTeX at build time, through
tools/node/katex-render.js, in the site's scrolling box with the equation number beside it) and
its Markdown tables, with the theme's CSS, in headless Chromium at the column width of a 390 px
phone (358 px), and lists every equation wider than the column (by how many px) and every table
wider than the column or with a cell squeezed below two characters per line. Exit code 1 when
something does not fit. Needs the book's Node tools (`make node-tools`).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

BOOK = Path(__file__).resolve().parent.parent
SITE = Path(sys.prefix) / 'lib' / f'python{sys.version_info.major}.{sys.version_info.minor}' / 'site-packages'
THEME_CSS = SITE / 'pydata_sphinx_theme' / 'theme' / 'pydata_sphinx_theme' / 'static' / 'styles' / 'pydata-sphinx-theme.css'
NODE = BOOK / 'tools' / 'node'
KATEX_CSS = NODE / 'node_modules' / 'katex' / 'dist' / 'katex.min.css'
MATH_CSS = BOOK / '_ext' / 'static' / 'd2l-math.css'

MEASURE = """
<script>
window.addEventListener('load', () => setTimeout(measure, 1000));   // fonts in place
function measure() {
  const out = [];
  document.querySelectorAll('div.math-display').forEach((d, i) => {
    const box = d.querySelector('.math-scroll');
    out.push({kind: 'equation', index: i, label: d.dataset.label || '',
              tex: d.dataset.tex, over: Math.round(box.scrollWidth - box.clientWidth)});
  });
  document.querySelectorAll('table').forEach((t, i) => {
    let squeezed = [];
    t.querySelectorAll('th, td').forEach(c => {
      const text = c.textContent.trim();
      const lh = parseFloat(getComputedStyle(c).lineHeight) || 24;
      const lines = Math.round((c.clientHeight - parseFloat(getComputedStyle(c).paddingTop)
                                - parseFloat(getComputedStyle(c).paddingBottom)) / lh);
      if (text.length >= 4 && lines > 1 && text.length / lines < 2) squeezed.push(text.slice(0, 20));
    });
    out.push({kind: 'table', index: i, head: [...t.rows[0].cells].map(c => c.textContent.trim()).join(' | ').slice(0, 50),
              over: Math.round(t.scrollWidth - t.parentElement.clientWidth), squeezed});
  });
  const pre = document.createElement('pre');
  pre.id = 'layout-result';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}
</script>
"""


class KaTeX:
    """The site's typesetter: tools/node/katex-render.js, one JSON request per line."""

    def __init__(self) -> None:
        if not (NODE / 'node_modules' / 'katex').is_dir():
            raise SystemExit('KaTeX is not installed: run make node-tools')
        self.proc = subprocess.Popen(['node', str(NODE / 'katex-render.js')], cwd=NODE, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.errors: list[str] = []

    def __call__(self, tex: str, display: bool) -> str:
        self.proc.stdin.write(json.dumps({'tex': tex, 'display': display}) + '\n')
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if 'error' in answer:
            self.errors.append(f'{tex!r}: {answer["error"]}')
        return answer.get('html') or f'<code>{html.escape(tex)}</code>'


def markdown_renderer(katex: KaTeX) -> MarkdownIt:
    md = (MarkdownIt('commonmark').enable('table')
          .use(dollarmath_plugin, double_inline=True, allow_labels=True).use(amsmath_plugin))

    def block(tex: str, label: str = '') -> str:
        eqno = '<span class="eqno">(9.99)</span>' if label else ''
        return (f'<div class="math math-display" data-label="{html.escape(label)}" '
                f'data-tex="{html.escape(" ".join(tex.split())[:70])}"><div class="math-scroll">'
                f'{katex(tex, True)}</div>{eqno}</div>\n')

    md.add_render_rule('math_inline', lambda self, t, i, o, e: f'<span class="math">{katex(t[i].content, False)}</span>')
    md.add_render_rule('math_inline_double', lambda self, t, i, o, e: block(t[i].content))
    md.add_render_rule('math_block', lambda self, t, i, o, e: block(t[i].content))
    md.add_render_rule('math_block_label', lambda self, t, i, o, e: block(t[i].content, t[i].info))
    md.add_render_rule('amsmath', lambda self, t, i, o, e: block(t[i].content))
    return md


def chapter_markdown(path: Path) -> str:
    if path.suffix == '.ipynb':
        nb = nbformat.read(path, as_version=4)
        return '\n\n'.join(c.source for c in nb.cells if c.cell_type == 'markdown')
    return path.read_text(encoding='utf-8')


def page(path: Path, width: int) -> str:
    text = chapter_markdown(path)
    text = re.sub(r'\{glue:?\w*\}`[^`]*`', '0.000', text)           # a glued number
    text = re.sub(r'\{eq\}`[^`]*`', '(9.99)', text)
    text = re.sub(r'\{[\w:.-]+\}`([^`<]*)[^`]*`', lambda m: m.group(1).strip() or 'link', text)
    text = re.sub(r'^(```|:::)\{?[\w-]*\}?.*$', '', text, flags=re.M)   # directive fences
    katex = KaTeX()
    body = markdown_renderer(katex).render(text)
    katex.proc.stdin.close()
    katex.proc.wait()
    for error in katex.errors:
        print(f'{path.name}: KaTeX cannot typeset {error}')
    css = ''.join(f'<link rel="stylesheet" href="{p.as_uri()}">' for p in (THEME_CSS, KATEX_CSS, MATH_CSS))
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">{css}
<style>body {{ margin: 0; }} main {{ width: {width}px; font-size: 16px; padding: 0; }}</style>
{MEASURE}</head>
<body><main class="bd-article">{body}</main></body></html>"""


def chromium() -> str:
    for name in (os.environ.get('CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome'):
        if name and shutil.which(name):
            return shutil.which(name)
    raise SystemExit('Chromium not found: apt-get install -y chromium, or set $CHROMIUM')


def measure(path: Path, width: int, keep: Path | None = None) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        html_file = Path(keep) if keep else Path(tmp) / 'page.html'
        html_file.write_text(page(path, width), encoding='utf-8')
        dom = subprocess.run(
            [chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync',
             '--allow-file-access-from-files', f'--user-data-dir={tmp}/profile',
             f'--window-size={width + 32},2000', '--virtual-time-budget=30000', '--dump-dom',
             html_file.as_uri()], capture_output=True, text=True, timeout=180).stdout
    found = re.search(r'<pre id="layout-result">(.*?)</pre>', dom, re.S)
    if not found:
        raise SystemExit(f'{path}: the page was not measured')
    return json.loads(html.unescape(found.group(1)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('files', nargs='+', type=Path)
    parser.add_argument('--width', type=int, default=358, help='column width in px (390 px phone)')
    parser.add_argument('--keep', type=Path, help='also write the measured page here')
    args = parser.parse_args(argv)
    bad = 0
    for path in args.files:
        items = measure(path, args.width, args.keep)
        eqs = [i for i in items if i['kind'] == 'equation']
        tables = [i for i in items if i['kind'] == 'table']
        wide = [i for i in eqs if i['over'] > 0]
        cramped = [t for t in tables if t['over'] > 0 or t['squeezed']]
        print(f'{path.name}: {len(wide)} of {len(eqs)} display equations and {len(cramped)} of '
              f'{len(tables)} tables do not fit {args.width} px')
        for e in wide:
            print(f'  equation {e["label"] or "#" + str(e["index"])}: {e["over"]} px too wide: {e["tex"]}')
        for t in cramped:
            print(f'  table "{t["head"]}": {max(t["over"], 0)} px too wide; '
                  f'squeezed cells: {t["squeezed"][:4]}')
        bad += len(wide) + len(cramped)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
