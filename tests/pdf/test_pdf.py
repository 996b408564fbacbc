"""The PDF of the whole book (``make pdf``, i.e. ``python tools/pdf.py``): what a reader gets.

Reads ``$BOOK_PDF`` (default ``_build/pdf/book.pdf``). Without the PDF the tests fail, naming
the command that builds it, when ``BOOK_PDF`` or ``CI`` is set (``make pdf`` sets BOOK_PDF);
otherwise they are skipped, so that ``pytest tests`` works before anyone has printed the book.
"""
from __future__ import annotations

import json
import os
import re
from functools import cached_property
from pathlib import Path

import pytest

from tools.pdf import RAW_TEX, SETUP_MARKER
from tools.toc import toc_docnames, toc_parts

pypdf = pytest.importorskip('pypdf')

BOOK = Path(__file__).resolve().parents[2]
PDF = Path(os.environ.get('BOOK_PDF') or BOOK / '_build' / 'pdf' / 'book.pdf')
DOCNAMES = toc_docnames(BOOK / '_toc.yml')
CHAPTERS = [name for _, files in toc_parts(BOOK / '_toc.yml') for name in files]
# Fonts with Chinese glyphs that Debian ships (fonts-noto-cjk, fonts-wqy-zenhei, ...).
CJK_FONT = re.compile(r'Noto\w*CJK|NotoSansSC|NotoSerifSC|WenQuanYi|WQY|DroidSansFallback|'
                      r'SourceHan|AR\w*PL|UKai|UMing', re.I)


def squash(text: str) -> str:
    """Text without whitespace: PDF text extraction adds and drops spaces freely."""
    return re.sub(r'\s+', '', text)


def title_of(docname: str) -> str:
    """The first ``#`` heading of a document, as plain text."""
    path = BOOK / f'{docname}.ipynb'
    if path.is_file():
        cells = json.loads(path.read_text(encoding='utf-8'))['cells']
        text = '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown')
    else:
        text = (BOOK / f'{docname}.md').read_text(encoding='utf-8')
    match = re.search(r'^# +(.+?)\s*$', text, re.M)
    assert match, f'{docname} has no "#" title'
    return re.sub(r'[`*_]|\$', '', match.group(1))


class Book:
    """The PDF, read once: pages, their text, bookmarks, fonts and images."""

    def __init__(self, path: Path):
        self.reader = pypdf.PdfReader(path)
        self.pages = self.reader.pages

    @cached_property
    def texts(self) -> list[str]:
        return [page.extract_text() or '' for page in self.pages]

    @cached_property
    def bookmarks(self) -> list[tuple[str, int]]:
        """(title, page number from 1) of every bookmark, in order."""
        found = []

        def walk(items):
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    found.append((item.title, self.reader.get_destination_page_number(item) + 1))
        walk(self.reader.outline)
        return found

    @cached_property
    def page_fonts(self) -> list[dict]:
        """Per page: its font resource names and font dictionaries."""
        result = []
        for page in self.pages:
            resources = page.get('/Resources')
            fonts = resources.get_object().get('/Font') if resources else None
            result.append({name: ref.get_object()
                           for name, ref in (fonts.get_object().items() if fonts else ())})
        return result

    def image_count(self) -> int:
        count = 0
        for page in self.pages:
            resources = page.get('/Resources')
            xobjects = resources.get_object().get('/XObject') if resources else None
            for ref in (xobjects.get_object().values() if xobjects else ()):
                if ref.get_object().get('/Subtype') == '/Image':
                    count += 1
        return count


@pytest.fixture(scope='module')
def book() -> Book:
    if not PDF.is_file():
        message = (f'no PDF at {PDF}: build it with `make pdf` (python tools/pdf.py), '
                   f'or point BOOK_PDF at one')
        if os.environ.get('BOOK_PDF') or os.environ.get('CI'):
            pytest.fail(message)
        pytest.skip(message)
    return Book(PDF)


def test_page_count_is_sane(book):
    # A cover, the contents and every chapter on pages of its own; a runaway layout (one
    # line per page, a missing stylesheet) or a truncated print gives far more or far fewer.
    assert len(CHAPTERS) + 3 <= len(book.pages) <= 40 * len(DOCNAMES), len(book.pages)


@pytest.mark.parametrize('docname', DOCNAMES)
def test_every_chapter_title_is_printed(book, docname):
    found = squash(title_of(docname)) in squash(''.join(book.texts))
    assert found, f'{title_of(docname)!r} is not in {PDF}'


@pytest.mark.parametrize('docname', CHAPTERS)
def test_every_chapter_has_a_bookmark_to_its_first_page(book, docname):
    title = squash(title_of(docname))
    marks = [(t, p) for t, p in book.bookmarks if title in squash(t)]
    assert marks, f'no PDF bookmark for {title_of(docname)!r}'
    _, page = marks[0]
    assert title in squash(book.texts[page - 1]), (
        f'the bookmark of {title_of(docname)!r} points at page {page}, which does not show it')


def test_the_contents_give_each_chapter_its_page(book):
    """The printed table of contents: every chapter with the page its bookmark points at."""
    first_chapter = min(p for t, p in book.bookmarks if squash(title_of(CHAPTERS[0])) in squash(t))
    contents = squash(''.join(book.texts[:first_chapter - 1]))
    assert '目录' in contents
    for docname in CHAPTERS:
        title = squash(title_of(docname))
        page = next(p for t, p in book.bookmarks if title in squash(t))
        assert f'{title}{page}' in contents or re.search(
            rf'{re.escape(title)}\D{{0,3}}{page}(?!\d)', contents), (
            f'the contents do not list {title_of(docname)!r} on page {page}')


def test_chapters_are_numbered(book):
    text = squash(''.join(book.texts))
    numbered = [name for name in CHAPTERS if name.startswith('chapters/')]
    for i, docname in enumerate(numbered, start=1):
        assert f'{i}.{squash(title_of(docname))}' in text, f'chapter {i} is not numbered'
    assert re.search(r'\(\d\.\d\)', text), 'no numbered equation such as (3.1)'


def test_no_replacement_characters(book):
    bad = [i + 1 for i, text in enumerate(book.texts) if '\ufffd' in text]
    assert not bad, f'U+FFFD (a character that could not be decoded) on pages {bad}'


def _notdef_pages(book: Book) -> set[int]:
    """Pages that draw glyph 0 (.notdef, the empty box of a character no font has)."""
    pages = set()
    for i, page in enumerate(book.pages):
        fonts = book.page_fonts[i]
        two_byte = {name for name, font in fonts.items() if font.get('/Subtype') == '/Type0'}
        content = page.get_contents()
        if content is None:
            continue
        current = None
        for operands, operator in pypdf.generic.ContentStream(content, book.reader).operations:
            if operator == b'Tf':
                current = operands[0]
            elif operator in (b'Tj', b'TJ', b"'", b'"') and current in two_byte:
                strings = operands[0] if operator == b'TJ' else operands[-1:]
                for s in strings:
                    if isinstance(s, (pypdf.generic.ByteStringObject,
                                      pypdf.generic.TextStringObject)):
                        data = s.original_bytes if hasattr(s, 'original_bytes') else bytes(s)
                        if any(data[k:k + 2] == b'\0\0' for k in range(0, len(data) - 1, 2)):
                            pages.add(i + 1)
    return pages


def test_no_missing_glyphs(book):
    """No 'tofu': every character was found in some font (Chromium draws glyph 0 otherwise)."""
    pages = _notdef_pages(book)
    assert not pages, f'characters without a glyph (empty boxes) on pages {sorted(pages)}'


def test_chinese_is_set_in_a_cjk_font(book):
    names = {str(font.get('/BaseFont')) for fonts in book.page_fonts for font in fonts.values()}
    assert any(CJK_FONT.search(name) for name in names), (
        f'no CJK font embedded (install fonts-noto-cjk or fonts-wqy-zenhei); fonts: {sorted(names)}')


def test_math_is_typeset(book):
    text = ''.join(book.texts)
    raw = [s for s in RAW_TEX if s in text]
    assert not raw, f'raw TeX in the PDF ({raw}): MathJax had not finished typesetting'
    assert 'softmax' in text and '∑' in text, 'typeset formulas (e.g. the sum sign) are missing'


def test_figures_are_printed(book):
    png_outputs = 0
    for docname in CHAPTERS:
        path = BOOK / f'{docname}.ipynb'
        if path.is_file():
            cells = json.loads(path.read_text(encoding='utf-8'))['cells']
            png_outputs += sum('image/png' in out.get('data', {})
                               for cell in cells if cell['cell_type'] == 'code'
                               for out in cell.get('outputs', []))
    assert book.image_count() >= max(png_outputs, 1), (
        f'{book.image_count()} images in the PDF, {png_outputs} figures in the notebooks')


def explorer_start_views() -> list[tuple[str, str]]:
    """(chapter, the first value of the explorer's start view, e.g. ``shift = 1.00``).

    An explorer's stored HTML carries its start values as text (``d2l-x-fallback``), which
    the page's script keeps in the status line it draws above the panels.
    """
    views = []
    for docname in CHAPTERS:
        path = BOOK / f'{docname}.ipynb'
        if not path.is_file():
            continue
        for cell in json.loads(path.read_text(encoding='utf-8'))['cells']:
            for out in cell.get('outputs', []):
                page = ''.join(out.get('data', {}).get('text/html', ''))
                match = re.search(r'class="d2l-x-fallback"><p>([^<=]+=\s*[^\s,:<]+)', page)
                if match:
                    views.append((docname, match.group(1)))
    return views


def test_there_are_explorers_to_check():
    assert len(explorer_start_views()) >= 2


@pytest.mark.parametrize('docname, start', explorer_start_views())
def test_explorers_print_their_start_view(book, docname, start):
    """The explorer's HTML view is printed (not the empty place of a widget without kernel)."""
    found = squash(start) in squash(''.join(book.texts))
    assert found, f'the explorer of {docname} ({start!r}) is not in the PDF'


def test_the_colab_set_up_cells_are_left_out(book):
    assert squash(SETUP_MARKER) not in squash(''.join(book.texts))


# ------------------------------------------------------------------ the page as printed
def printed_code_lines() -> list[tuple[str, str]]:
    """(chapter, line) of every code line the PDF prints (not the Colab set-up cells, not
    cells removed from the book)."""
    lines = []
    for docname in CHAPTERS:
        path = BOOK / f'{docname}.ipynb'
        if not path.is_file():
            continue
        for cell in json.loads(path.read_text(encoding='utf-8'))['cells']:
            tags = set(cell.get('metadata', {}).get('tags', []))
            source = ''.join(cell['source'])
            if (cell['cell_type'] != 'code' or tags & {'remove-cell', 'remove-input'}
                    or source.lstrip().startswith(SETUP_MARKER)):
                continue
            lines += [(docname, line) for line in source.splitlines()]
    return lines


NAME = re.compile(r'(?<![\w.])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*')


def test_code_is_not_wrapped_inside_a_name(book):
    """A long code line wraps at a space, never inside a name: every dotted name of 8 or more
    characters in the printed code is whole on one line of the PDF's text."""
    text = '\n'.join(book.texts)
    words = set(re.findall(r'[\w.]+', text))
    names = sorted({name for _, line in printed_code_lines() for name in NAME.findall(line)
                    if len(name) >= 8})
    assert len(names) > 20, names
    broken = [name for name in names if name not in words and name not in text]
    assert not broken, f'names of the code broken over two lines in the PDF: {broken[:10]}'


def test_explorer_captions_are_for_paper(book):
    """There are no sliders on paper: the printed captions say what the figure shows."""
    text = squash(''.join(book.texts))
    assert '拖动滑块' not in text, 'a printed explorer caption still asks to drag the sliders'


def _lab_chapters() -> list[str]:
    return [d for d in CHAPTERS if (BOOK / f'{d}.ipynb').is_file() and 'training_explorer(' in
            (BOOK / f'{d}.ipynb').read_text(encoding='utf-8')]


@pytest.mark.parametrize('docname', _lab_chapters())
def test_the_training_lab_prints_its_trained_state(book, docname):
    """On paper the lab shows the default run trained to its end (tools/pdf.py trains it in
    the page before printing), and its caption says that the web version trains live."""
    text = squash(''.join(book.texts))
    assert squash('第 10 轮 / 共 10 轮') in text, f'{docname}: the lab was not trained before printing'
    assert '网页版可以在页面中实时训练' in text, f'{docname}: the lab prints no caption for paper'
    assert '混淆矩阵' in text and '权重模板' in text


def _text_starts(book: Book, page_index: int) -> list[tuple[float, float, str]]:
    """(x, y, text) of the text runs of a page, in PDF points from the page's lower left."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x, y, text))
    book.pages[page_index].extract_text(visitor_text=visit)
    return runs


def test_nothing_is_printed_beyond_the_right_margin(book):
    """No formula, code line or table runs off the page (15 mm margins; a formula wider than
    the column is scaled down to fit it, not cut off)."""
    margin = 15 / 25.4 * 72
    off = []
    for i, page in enumerate(book.pages):
        width = float(page.mediabox.width)
        # Text that starts past the margin but within reach of it is cut off on paper (a formula
        # or a code line running on); text far beyond the page (> 150 pt out) is an SVG's
        # drawing outside its own clipped viewport, which paper does not show either way.
        off += [(i + 1, round(x), text[:30]) for x, y, text in _text_starts(book, i)
                if width - margin + 3 < x < width + 150]
    assert not off, f'text beyond the right margin (page, x in pt, text): {off[:10]}'


def test_the_print_layout_fitted_every_formula():
    """tools/pdf.py's layout step, in the print medium at the column's width: what it scaled."""
    facts_path = PDF.parent / 'print-facts.json'
    if not facts_path.is_file():
        pytest.skip(f'no {facts_path} (written by tools/pdf.py next to the PDF)')
    facts = json.loads(facts_path.read_text(encoding='utf-8'))
    assert facts['still'] == [], f'formulas wider than the page: {facts["still"]}'
    assert all(0.5 <= s['zoom'] < 1 for s in facts['scaled']), facts['scaled']


def _frames_and_text(book: Book, page_index: int):
    """The page's filled rectangles (boxes: code frames, admonitions, tables' backgrounds) and
    the start of each text run, in PDF points (pypdf tracks the transformation matrix)."""
    def apply(m, x, y):
        return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]
    rects, pending, texts = [], [], []

    def before(op, args, cm, tm):
        if op == b're' and len(args) == 4:
            x, y, w, h = map(float, args)
            (x0, y0), (x1, y1) = apply(cm, x, y), apply(cm, x + w, y + h)
            pending.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        elif op in (b'f', b'f*', b'B', b'B*'):
            rects.extend(pending)
            pending.clear()
        elif op in (b'n', b'S', b's'):
            pending.clear()

    def text(t, cm, tm, font, size):
        if t.strip():
            texts.append(apply(cm, tm[4], tm[5]))
    book.pages[page_index].extract_text(visitor_operand_before=before, visitor_text=text)
    return rects, texts


def test_no_empty_code_frames(book):
    """No box is printed empty: a code cell's frame left at the foot of a page while its lines
    went on to the next (short cells are not split; long ones keep 3 lines on each side)."""
    width = float(book.pages[0].mediabox.width)
    empty = []
    for i in range(len(book.pages)):
        rects, texts = _frames_and_text(book, i)
        for x0, y0, x1, y1 in rects:
            if 200 < x1 - x0 < width - 60 and y1 - y0 > 6:
                if not any(x0 <= x <= x1 and y0 - 2 <= y <= y1 + 2 for x, y in texts):
                    empty.append((i + 1, round(y0), round(y1)))
    empty = sorted(set(empty))
    assert not empty, f'empty boxes (page, bottom, top in pt): {empty[:10]}'
