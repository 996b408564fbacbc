"""The self-checks (自测) in the PDF (``make pdf``): the questions in their chapter, and the
answers with their explanations in an answer key at the end of that chapter.

The key is the ``<details class="d2l-sc-key">`` of each self-check (``d2lhelpers.selfcheck``):
``selfcheck.js`` moves it to the end of the chapter, ``tools/pdf.py`` prints every
``<details>`` open. Reads ``$BOOK_PDF`` as ``test_pdf.py`` does (skipped without a PDF, a
failure when ``BOOK_PDF`` or ``CI`` is set).
"""
from __future__ import annotations

import json
import re

import pytest

from d2lhelpers.selfcheck import questions
from test_pdf import BOOK, CHAPTERS, book, squash, title_of   # noqa: F401  (book: the fixture)

KEY_TITLE = '自测答案与解释'


def selfcheck_chapters() -> list[tuple[str, str]]:
    """(docname, chapter number) of each chapter whose notebook holds a self-check cell."""
    found = []
    for docname in CHAPTERS:
        path = BOOK / f'{docname}.ipynb'
        if not path.is_file():
            continue
        for cell in json.loads(path.read_text(encoding='utf-8'))['cells']:
            mark = str(cell.get('metadata', {}).get('selfcheck', ''))
            if mark.endswith('/questions'):
                found.append((docname, mark.split('/')[0]))
    return found


def _words(text: str, n: int = 10) -> str:
    """The first ``n`` characters of a prompt that survive text extraction unchanged (CJK,
    letters, digits): enough to find it."""
    return ''.join(re.findall(r'[\u4e00-\u9fffA-Za-z0-9]', text))[:n]


def _chapter_text(book, docname: str) -> str:
    """The text of a chapter's pages: from its bookmark to the next chapter's."""
    starts = []
    for name in CHAPTERS:
        title = squash(title_of(name))
        marks = [p for t, p in book.bookmarks if title in squash(t)]
        starts.append((marks[0] if marks else None, name))
    first = next(p for p, name in starts if name == docname)
    later = [p for p, name in starts if p is not None and p > first]
    last = min(later) if later else len(book.pages) + 1
    return squash(''.join(book.texts[first - 1:last - 1]))


def test_every_main_chapter_has_a_selfcheck_cell():
    assert len(selfcheck_chapters()) >= 7, selfcheck_chapters()


@pytest.mark.parametrize('docname, chapter', selfcheck_chapters())
def test_questions_and_answer_key_are_printed_in_their_chapter(book, docname, chapter):
    text = _chapter_text(book, docname)
    qs = questions(chapter)
    for q in qs:
        words = _words(q.prompt)
        assert words in re.sub(r'[^\u4e00-\u9fffA-Za-z0-9]', '', text), (
            f'{docname}: question {q.id} ({words!r}) is not printed in the chapter')
    key = text.rfind(KEY_TITLE)
    assert key >= 0, f'{docname}: no answer key ({KEY_TITLE}) in the chapter'
    after = text[key:]
    assert after.count('答案：') >= len(qs), f'{docname}: the key lists {after.count("答案：")} answers'
    headings = list(re.finditer(r'\d+\.\d+\.(练习|小结|自测)', text))
    assert headings, f'{docname}: no numbered section heading found'
    assert headings[-1].start() < key, (
        f'{docname}: the answer key is not at the end of the chapter (after '
        f'{headings[-1].group(0)!r})')
    assert any(h.group(1) == '练习' for h in headings if h.start() < key), (
        f'{docname}: the answer key does not follow the exercises')
    for q in qs:                                   # each explanation, and each misconception
        cjk = ''.join(re.findall(r'[\u4e00-\u9fff]', q.explanation))[:8]
        assert cjk in ''.join(re.findall(r'[\u4e00-\u9fff]', after)), (
            f'{docname}: the explanation of {q.id} is not in the answer key')
