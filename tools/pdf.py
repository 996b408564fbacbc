"""Print the whole book as one PDF, offline: ``python tools/pdf.py`` (``make pdf``).

How (and why this way): Jupyter Book's own PDF routes do not work offline here (``pdfhtml``
downloads a Chromium; ``pdflatex`` needs ~600 MB of TeX Live with CJK packages and re-typesets
the math, the explorers' HTML views and the tables differently from the site). Instead:

1. ``jupyter-book build --builder singlehtml``: the whole book on one HTML page, with the
   site's theme, section and equation numbers, the formulas (typeset by KaTeX when the page is
   built: nothing to wait for), the figures and the explorers' start views, as the site shows
   them.
   Notebooks are executed as ``_config.yml`` says (with ``execute_notebooks: cache`` and the
   same ``--path-output`` as ``make book``, the jupyter cache is shared: nothing re-runs);
   ``--stored-outputs`` uses the outputs stored in the notebooks instead (strict nbval checks
   that they are what a run gives).
2. A print version of that page, ``book-print.html``, next to it: a cover, a table of contents
   (parts, chapters, sections, with page numbers), each chapter on a new page, solutions and
   collapsed code shown, the Colab set-up cells left out, A4 pages numbered at the foot; code
   wraps at spaces (never inside a name), a short code cell is never split over two pages,
   the explorers' captions say what the figure shows (there are no sliders on paper).
3. Headless Chromium prints it (``tools/browser.py``, DevTools ``Page.printToPDF``, a tagged
   PDF with bookmarks). Before printing, in the print layout at the page's width, each display
   formula wider than the text column is scaled down to fit it (the site scrolls it instead).
   Chromium cannot compute "the page this heading lands on" (CSS ``target-counter``), so the
   page is printed twice: the first PDF's link destinations give each heading's page, which the
   second print writes into the table of contents (the contents keep their size, so nothing
   moves).

Output: ``<path-output>/_build/pdf/book.pdf`` (default ``./_build/pdf/book.pdf``).
Needs: Chromium (Debian ``chromium``; ``$CHROMIUM`` to pick another binary), a CJK font
(Debian ``fonts-noto-cjk`` or ``fonts-wqy-zenhei``), ``pypdf``, ``websocket-client``, and
Node for KaTeX (as ``make book``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml
from bs4 import BeautifulSoup, Tag
from bs4.element import Script

BOOK = Path(__file__).resolve().parent.parent
if str(BOOK) not in sys.path:
    sys.path.insert(0, str(BOOK))
from tools.browser import Browser, find_chromium, INSTALL_HINT  # noqa: E402
from tools.toc import toc_docnames, toc_parts  # noqa: E402

SETUP_MARKER = '# 环境准备'   # the first line of every chapter's Colab set-up cell
PLACEHOLDER = '000'           # page numbers of the first print: as wide as the real ones
# A4 with the margins of PRINT_CSS: the text column is 210 - 2 x 15 mm wide, in CSS pixels.
PAGE_WIDTH_IN, PAGE_HEIGHT_IN = 210 / 25.4, 297 / 25.4
COLUMN_PX = round((210 - 30) / 25.4 * 96)

PRINT_CSS = """
@page {
  size: A4;
  margin: 16mm 15mm 18mm 15mm;
  @bottom-center { content: counter(page); font-size: 9pt; color: #555; }
}
@page :first { @bottom-center { content: none; } }
html { font-size: 14px; }
body, .bd-article, .bd-content {
  font-family: "Noto Sans", "DejaVu Sans", "Noto Sans CJK SC", "WenQuanYi Zen Hei",
               "Droid Sans Fallback", sans-serif;
}
pre, code, kbd, samp, .highlight pre {
  font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", "WenQuanYi Zen Hei Mono", monospace;
}
/* Only the book: no navigation, buttons or anchors. */
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .prev-next-area,
.prev-next-footer, .bd-footer-article, .bd-footer, .headerlink, .d-print-none, .skip-link,
#pst-back-to-top, .toggle-button, .copybtn, dialog, .bd-search { display: none !important; }
/* The theme prints a page's title in its own header and hides the first h1; here the cover,
   the contents and the root document each have their h1. */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
/* Collapsed content printed open: set-up cells are removed, code cells and solutions shown. */
details.hide > summary { display: none; }
details.sd-dropdown > summary .sd-summary-state-marker { display: none; }
/* Pages: each chapter starts a page; keep headings with what follows, figures whole. */
.print-chapter { break-before: page; }
h1, h2, h3, h4, .admonition-title, .sd-summary-title { break-after: avoid; }
img, figure, svg, mjx-container[display="true"], table, .cell_output, .admonition,
details.sd-dropdown { break-inside: avoid; }
.cell_input pre, .cell_output pre {
  white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; font-size: 0.78rem;
}
/* A code cell shorter than a page is not split (no empty frame left at a page's foot); a long
   one breaks between lines, never leaving fewer than 3 lines on either side. */
.cell_input, div.highlight, .cell_output .output { break-inside: avoid; }
/* A box's shadow that falls past the page's foot is painted as an empty box at the next page's
   top (Chromium): boxes keep their borders on paper, not their shadows. */
.admonition, details.sd-dropdown, .sd-card { box-shadow: none !important; }
pre { orphans: 3; widows: 3; }
/* Formulas: the site's sideways-scrolling box is not for paper (wide ones are scaled down to
   fit before printing); KaTeX's MathML copy is for screen readers, not for the printer. */
div.math-display > .math-scroll { overflow: visible !important; }
.katex-mathml { display: none !important; }
a { color: inherit; }
/* Cover and contents. */
.print-cover { padding-top: 70mm; text-align: center; break-after: page; }
.print-cover h1.print-title { font-size: 2.6rem; margin-bottom: 1.5rem; }
.print-cover .print-author { font-size: 1.3rem; }
.print-cover .print-meta { margin-top: 4rem; font-size: 0.9rem; color: #555; }
.print-toc { break-after: page; }
.print-toc h1 { font-size: 2rem; }
.print-toc ol { list-style: none; padding-left: 0; margin: 0; }
.print-toc .toc-part { font-weight: bold; margin: 1.1em 0 0.3em; color: #444; break-after: avoid; }
.print-toc li a { display: flex; text-decoration: none; color: inherit; }
.print-toc li a .toc-title { flex: 0 1 auto; }
.print-toc li a .toc-leader { flex: 1 1 auto; border-bottom: 1px dotted #888; margin: 0 0.4em 0.3em; }
.print-toc li a .toc-page { flex: 0 0 auto; min-width: 2em; text-align: right; }
.print-toc li.toc-doc { font-weight: bold; margin-top: 0.45em; }
.print-toc li.toc-section { padding-left: 2em; font-size: 0.92rem; }
"""


class PdfError(RuntimeError):
    """A step of the PDF build failed; the message says which and what to do."""


# ---------------------------------------------------------------- 1. the single-page build
def pdf_config(book: Path, stored_outputs: bool) -> dict:
    """``_config.yml`` for the single-page build.

    The site's choices of output (e.g. an explorer's pre-rendered HTML instead of its dead
    widget view) are given per builder; the same choices are made for ``singlehtml``.
    """
    config = yaml.safe_load((book / '_config.yml').read_text(encoding='utf-8'))
    sphinx_config = config.setdefault('sphinx', {}).setdefault('config', {})
    overrides = list(sphinx_config.get('nb_mime_priority_overrides') or [])
    overrides += [['singlehtml', *rest] for builder, *rest in overrides if builder == 'html']
    if overrides:
        sphinx_config['nb_mime_priority_overrides'] = overrides
    if stored_outputs:
        config.setdefault('execute', {})['execute_notebooks'] = 'off'
    # The copy of the config lives in the build folder: paths relative to the book made absolute.
    sphinx = config['sphinx']
    sphinx['local_extensions'] = {name: str((book / path).resolve()) for name, path in
                                  (sphinx.get('local_extensions') or {}).items()}
    if sphinx_config.get('templates_path'):
        sphinx_config['templates_path'] = [str((book / path).resolve())
                                           for path in sphinx_config['templates_path']]
    return config


def build_singlehtml(book: Path, path_output: Path, stored_outputs: bool) -> Path:
    """Run Jupyter Book's single-page build; return the page of the root document."""
    out = path_output / '_build'
    out.mkdir(parents=True, exist_ok=True)
    config_path = out / 'pdf-config.yml'
    config_path.write_text(yaml.safe_dump(pdf_config(book, stored_outputs),
                                          allow_unicode=True, sort_keys=False),
                           encoding='utf-8')
    command = [str(Path(sys.executable).with_name('jupyter-book')), 'build', str(book),
               '--builder', 'singlehtml', '--path-output', str(path_output),
               '--config', str(config_path), '-W', '-n', '--keep-going', '--all', '-q']
    result = subprocess.run(command, cwd=book)
    if result.returncode != 0:
        raise PdfError(f'the single-page build failed (exit {result.returncode}): '
                       f'{" ".join(command)}')
    root = toc_docnames(book / '_toc.yml')[0]
    page = out / 'singlehtml' / f'{root}.html'
    if not page.is_file():
        raise PdfError(f'the single-page build wrote no {page}')
    return page


# ---------------------------------------------------------------- 2. the print version
def _text(tag: Tag) -> str:
    """A heading's visible text, without its '#' anchor, whitespace collapsed."""
    tag = BeautifulSoup(str(tag), 'html.parser')
    for anchor in tag.select('.headerlink'):
        anchor.decompose()
    for math in tag.select('.math'):   # TeX source of inline math: keep it readable
        math.replace_with(math.get_text().strip('\\()$'))
    return ' '.join(tag.get_text(' ').split()).replace(' .', '.')


def _doc_sections(soup: BeautifulSoup, docnames: list[str]) -> dict[str, Tag]:
    """The ``<section>`` of every document; the root document's is the first one."""
    sections = {docnames[0]: soup.select_one('article section')}
    for docname in docnames[1:]:
        marker = soup.find('span', id=f'document-{docname}')
        section = marker.find_next_sibling('section') if marker else None
        if section is None:
            raise PdfError(f'{docname} is not on the single page (missing from _toc.yml?)')
        sections[docname] = section
    return sections


def print_caption(config_json: str) -> str:
    """An explorer's config for paper: its caption without the instruction to move the
    controls (``拖动滑块……：what the figure shows`` keeps what the figure shows), or the
    explorer's own ``print_caption`` when it has one."""
    try:
        config = json.loads(config_json)
    except ValueError:
        return config_json
    caption = config.get('caption') or ''
    if config.get('print_caption'):
        config['caption'] = config['print_caption']
    elif re.match(r'\s*(拖动|拖|移动|点选|点击)', caption) and '：' in caption:
        config['caption'] = caption.split('：', 1)[1].strip()
    else:
        return config_json
    return json.dumps(config, ensure_ascii=False).replace('</', '<\\/')


def _entry(heading: Tag, number: int, kind: str) -> tuple[str, str, str]:
    anchor = f'print-toc-{number}'
    heading['id'] = anchor
    return anchor, _text(heading), kind


Entries = list[tuple[str | None, list[tuple[str, str, str]]]]   # (caption, [(anchor, text, kind)])


def make_print_page(page: Path, book: Path, config: dict,
                    pages: dict[str, int] | None) -> tuple[Path, Entries]:
    """Write ``book-print.html`` next to ``page``; return its path and the contents' entries.

    ``pages`` maps the anchors of the table of contents to page numbers (None: placeholders).
    """
    soup = BeautifulSoup(page.read_text(encoding='utf-8'), 'html.parser')
    docnames = toc_docnames(book / '_toc.yml')
    sections = _doc_sections(soup, docnames)

    for header in soup.select('.onlyprint'):   # the theme's print header: the cover replaces it
        header.decompose()
    # Collapsed content: the Colab set-up cells go, everything else is printed open.
    for cell in soup.select('.cell'):
        code = cell.select_one('.cell_input pre')
        if code is not None and code.get_text().lstrip().startswith(SETUP_MARKER):
            cell.decompose()
    for details in soup.select('details'):
        details['open'] = ''
    for config_tag in soup.select('script.d2l-explorer-config'):
        config_tag.string = Script(print_caption(config_tag.string or ''))

    # The table of contents: the root document, then per part its documents and (for numbered
    # chapters) their sections; every chapter starts a new page.
    counter = iter(range(1, 10_000))
    entries: Entries = []
    root_heading = sections[docnames[0]].find(['h1', 'h2'])
    entries.append((None, [_entry(root_heading, next(counter), 'doc')]))
    for caption, files in toc_parts(book / '_toc.yml'):
        part = []
        for docname in files:
            section = sections[docname]
            section['class'] = section.get('class', []) + ['print-chapter']
            heading = section.find(['h1', 'h2'])
            part.append(_entry(heading, next(counter), 'doc'))
            if heading.select_one('.section-number'):
                for sub in section.find_all('section', recursive=False):
                    sub_heading = sub.find(['h2', 'h3'], recursive=False)
                    if sub_heading is not None:
                        part.append(_entry(sub_heading, next(counter), 'section'))
        entries.append((caption, part))

    title = html.escape(config.get('title') or _text(root_heading))
    author = html.escape(config.get('author') or '')
    url = html.escape((config.get('repository') or {}).get('url') or '')
    date = dt.date.today().isoformat()
    items = []
    for caption, part in entries:
        if caption:
            items.append(f'<li class="toc-part">{html.escape(caption)}</li>')
        for anchor, text, kind in part:
            number = PLACEHOLDER if pages is None else str(pages.get(anchor, ''))
            items.append(f'<li class="toc-{kind}"><a href="#{anchor}">'
                         f'<span class="toc-title">{html.escape(text)}</span>'
                         f'<span class="toc-leader"></span>'
                         f'<span class="toc-page">{number}</span></a></li>')
    front = BeautifulSoup(
        f'<section class="print-cover"><h1 class="print-title">{title}</h1>'
        f'<p class="print-author">{author}</p>'
        f'<p class="print-meta">{url}<br>PDF {date}</p></section>'
        f'<nav class="print-toc"><h1>目录</h1><ol>{"".join(items)}</ol></nav>', 'html.parser')
    article = soup.select_one('article.bd-article')
    article.insert(0, front)

    style = soup.new_tag('style', attrs={'media': 'print'})
    style.string = PRINT_CSS
    soup.head.append(style)
    out = page.with_name('book-print.html')
    out.write_text(str(soup), encoding='utf-8')
    return out, entries


# ---------------------------------------------------------------- 3. Chromium prints it
def chromium_or_error() -> str:
    path = find_chromium()
    if path is None:
        raise PdfError('Chromium is needed to print the PDF: ' + INSTALL_HINT)
    return path


# In the print layout (print medium, the text column's width): scale every display formula
# that is wider than the column down to fit it; report what was done.
FIT_MATH_JS = r"""
(async () => {
  await document.fonts.ready;
  const scaled = [];
  for (const box of document.querySelectorAll('.math-display > .math-scroll')) {
    const formula = box.firstElementChild;
    if (!formula) continue;
    formula.style.zoom = '';
    box.style.setProperty('overflow', 'auto', 'important');
    const need = box.scrollWidth, have = box.clientWidth;
    box.style.removeProperty('overflow');
    if (need > have + 1) {
      const zoom = Math.floor(1000 * have / need) / 1000;
      formula.style.zoom = String(zoom);
      scaled.push({zoom, text: box.textContent.slice(0, 50)});
    }
  }
  const still = [...document.querySelectorAll('.math-display')]
      .filter(d => d.scrollWidth > d.clientWidth + 1).map(d => d.textContent.slice(0, 50));
  return {scaled, still};
})()
"""


# The training lab (chapter 06) trains in the page: on paper it shows the default run's final
# state, so each lab is trained to its number of epochs before printing (its print caption says
# the web version trains live).
TRAIN_LABS_JS = r"""
(async () => {
  const labs = [...document.querySelectorAll('.d2l-explorer[data-kind=training]')];
  for (const el of labs) {
    el.d2lLab.start();
    const t0 = Date.now();
    while (!(el.d2lState.history.loss.length >= el.d2lState.controls.epochs && !el.d2lState.running)
           && !el.d2lState.diverged && Date.now() - t0 < 300000) {
      await new Promise(r => setTimeout(r, 200));
    }
  }
  return labs.map(el => ({epochs: el.d2lState.history.loss.length, diverged: el.d2lState.diverged}));
})()
"""


def print_pdf(chromium: str, page: Path, pdf: Path) -> dict:
    """Print ``page`` to ``pdf`` with headless Chromium; return what the layout step did."""
    pdf.unlink(missing_ok=True)
    try:
        with Browser(chromium, width=COLUMN_PX, height=1100) as browser:
            browser.open_page()
            browser.goto(page.resolve().as_uri(), timeout=300)
            facts_lab = browser.evaluate(TRAIN_LABS_JS, timeout=600)
            browser.emulate_media('print')
            facts = browser.evaluate(FIT_MATH_JS, timeout=120)
            browser.print_pdf(pdf, timeout=900, paperWidth=PAGE_WIDTH_IN,
                              paperHeight=PAGE_HEIGHT_IN, preferCSSPageSize=True,
                              printBackground=True, displayHeaderFooter=False,
                              generateTaggedPDF=True, generateDocumentOutline=True)
            facts['errors'] = browser.log.errors
            facts['labs'] = facts_lab
    except Exception as err:   # the browser did not start, or did not answer
        raise PdfError(f'Chromium did not print {pdf}: {err}') from err
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise PdfError(f'Chromium wrote no {pdf}')
    if facts['still']:
        raise PdfError(f'formulas still wider than the page after scaling: {facts["still"][:3]}')
    return facts


def anchor_pages(pdf: Path) -> dict[str, int]:
    """Page number (from 1) of every named destination of ``pdf`` (Chromium names them after
    the ids that the page's links point to)."""
    from pypdf import PdfReader
    reader = PdfReader(pdf)
    return {str(name).lstrip('/'): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def write_outline(pdf: Path, entries: Entries) -> None:
    """Replace Chromium's bookmarks (one per heading, some garbled) by the contents' entries:
    the contents page, then parts, chapters and their sections, each to its heading."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Fit, NameObject
    reader = PdfReader(pdf)
    dests = {str(name).lstrip('/'): dest for name, dest in reader.named_destinations.items()}
    writer = PdfWriter(clone_from=reader)
    writer._root_object.pop(NameObject('/Outlines'), None)

    def add(title: str, anchor: str, parent=None):
        dest = dests[anchor]
        fit = Fit.xyz(dest.get('/Left') or 0, dest.get('/Top'), 0)
        return writer.add_outline_item(title=title,
                                       page_number=reader.get_destination_page_number(dest),
                                       parent=parent, fit=fit)

    writer.add_outline_item(title='目录', page_number=1)   # after the one-page cover
    for caption, part in entries:
        part = [entry for entry in part if entry[0] in dests]
        if not part:
            continue
        parent = add(caption, part[0][0]) if caption else None
        chapter = parent
        for anchor, text, kind in part:
            if kind == 'doc':
                chapter = add(text, anchor, parent)
            else:
                add(text, anchor, chapter)
    writer.page_mode = '/UseOutlines'
    tmp = pdf.with_suffix('.tmp.pdf')
    with open(tmp, 'wb') as f:
        writer.write(f)
    os.replace(tmp, pdf)


# TeX that a formula left untypeset would show: Sphinx's math delimiters \( ... \), \[ ... \]
# or an amsmath \begin{...}; no code of the book contains these (a code cell's r'$\mathbf{W}$'
# for matplotlib is legitimate text). KaTeX typesets at build time, so this is a guard.
RAW_TEX = ('\\(', '\\)', '\\[', '\\]', '$$', '\\begin{')


def check_math(pdf: Path) -> None:
    """Fail when a formula was printed as TeX source instead of typeset."""
    from pypdf import PdfReader
    text = '\n'.join(p.extract_text() or '' for p in PdfReader(pdf).pages)
    raw = [s for s in RAW_TEX if s in text]
    if raw:
        raise PdfError(f'{pdf} shows raw TeX ({", ".join(raw)}): a formula was not typeset')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--path-output', type=Path, default=Path('.'),
                        help='as jupyter-book\'s: the build goes to PATH/_build/singlehtml, the '
                             'PDF to PATH/_build/pdf/book.pdf (default: .)')
    parser.add_argument('--stored-outputs', action='store_true',
                        help='do not execute the notebooks: print the outputs stored in them')
    parser.add_argument('--skip-build', action='store_true',
                        help='reuse an existing single-page build (only print)')
    args = parser.parse_args(argv)
    logging.getLogger('pypdf').setLevel(logging.ERROR)   # Chromium's PDFs make it chatty

    start = time.perf_counter()
    path_output = args.path_output.resolve()
    pdf = path_output / '_build' / 'pdf' / 'book.pdf'
    pdf.parent.mkdir(parents=True, exist_ok=True)
    try:
        chromium = chromium_or_error()
        config = pdf_config(BOOK, args.stored_outputs)
        if args.skip_build:
            page = path_output / '_build' / 'singlehtml' / f'{toc_docnames(BOOK / "_toc.yml")[0]}.html'
            if not page.is_file():
                raise PdfError(f'--skip-build: there is no {page}; run without it first')
        else:
            print('== Single-page build (jupyter-book --builder singlehtml)', flush=True)
            page = build_singlehtml(BOOK, path_output, args.stored_outputs)
        built = time.perf_counter()
        print('== Printing with Chromium (twice: the second print has the page numbers)',
              flush=True)
        draft = pdf.with_name('draft.pdf')
        print_pdf(chromium, make_print_page(page, BOOK, config, None)[0], draft)
        pages = anchor_pages(draft)
        print_page, entries = make_print_page(page, BOOK, config, pages)
        facts = print_pdf(chromium, print_page, pdf)
        (pdf.parent / 'print-facts.json').write_text(json.dumps(facts, ensure_ascii=False,
                                                                indent=1), encoding='utf-8')
        draft.unlink()
        final = anchor_pages(pdf)
        moved = [text for _, part in entries for anchor, text, _ in part
                 if final.get(anchor) != pages.get(anchor)]
        if moved:
            raise PdfError(f'the page numbers of the contents moved in the second print: '
                           f'{moved[:5]}')
        check_math(pdf)
        write_outline(pdf, entries)
    except PdfError as err:
        print(f'make pdf: {err}', file=sys.stderr)
        return 1
    from pypdf import PdfReader
    n = len(PdfReader(pdf).pages)
    done = time.perf_counter()
    print(f'== {pdf}: {n} pages, {pdf.stat().st_size / 1e6:.1f} MB '
          f'(build {built - start:.0f} s, print {done - built:.0f} s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
