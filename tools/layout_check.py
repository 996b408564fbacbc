"""Which display equations and tables of a chapter do not fit a phone's column?

    python tools/layout_check.py chapters/03_losses.ipynb [--width 358] [--keep page.html]

Renders the chapter's display math (MathJax 3, as the site; labelled equations with their
number) and its Markdown tables, with the theme's CSS, in headless Chromium at the column width
of a 390 px phone (358 px) and lists every equation wider than the column (by how many px) and
every table wider than the column or with a cell squeezed below two characters per line.
Exit code 1 when something does not fit. The site test checks the built pages the same way.
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

SITE = Path(sys.prefix) / 'lib' / f'python{sys.version_info.major}.{sys.version_info.minor}' / 'site-packages'
MATHJAX = SITE / 'sphinx-mathjax-offline' / 'static' / 'mathjax' / 'tex-chtml.js'
THEME_CSS = SITE / 'pydata_sphinx_theme' / 'theme' / 'pydata_sphinx_theme' / 'static' / 'styles' / 'pydata-sphinx-theme.css'

MEASURE = """
<script>
window.MathJax = {tex: {tags: 'ams', inlineMath: [['\\\\(', '\\\\)']]},
  startup: {pageReady: () => MathJax.startup.defaultPageReady().then(measure)}};
function measure() {
  const out = [];
  document.querySelectorAll('div.math').forEach((d, i) => {
    const boxes = [d, ...d.querySelectorAll('mjx-container')];
    const over = Math.max(...boxes.map(b => b.scrollWidth - b.clientWidth),
                          ...boxes.map(b => b.getBoundingClientRect().right - d.getBoundingClientRect().right));
    out.push({kind: 'equation', index: i, label: d.dataset.label || '',
              tex: d.dataset.tex, over: Math.round(over)});
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


def markdown_renderer() -> MarkdownIt:
    md = (MarkdownIt('commonmark').enable('table')
          .use(dollarmath_plugin, double_inline=True, allow_labels=True).use(amsmath_plugin))

    def block(tex: str, label: str = '') -> str:
        eqno = '<span class="eqno">(9.99)</span>' if label else ''
        return (f'<div class="math notranslate nohighlight" data-label="{html.escape(label)}" '
                f'data-tex="{html.escape(" ".join(tex.split())[:70])}">{eqno}\\[{html.escape(tex)}\\]</div>\n')

    md.add_render_rule('math_inline', lambda self, t, i, o, e: f'\\({html.escape(t[i].content)}\\)')
    md.add_render_rule('math_inline_double', lambda self, t, i, o, e: f'\\[{html.escape(t[i].content)}\\]')
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
    body = markdown_renderer().render(text)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<link rel="stylesheet" href="{THEME_CSS.as_uri()}">
<style>body {{ margin: 0; }} main {{ width: {width}px; font-size: 16px; padding: 0; }}
div.math {{ overflow-x: auto; }} span.eqno {{ float: right; }}</style>
{MEASURE}<script src="{MATHJAX.as_uri()}"></script></head>
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
        raise SystemExit(f'{path}: the page did not finish typesetting')
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
