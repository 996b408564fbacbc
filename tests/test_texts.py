"""Each chapter notebook and its paired MyST text (texts/*.md, see jupytext.toml) say the same.

The notebook is what the book builds and nbval checks (it holds the outputs); the text is what a
reviewer reads in a diff. They must never drift apart: `make refresh NB=...` keeps them in sync.
"""
from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

BOOK = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((BOOK / 'chapters').glob('*.ipynb'))
TEXTS = sorted((BOOK / 'texts').glob('*.md'))


def cells(path: Path) -> list[tuple[str, str, list[str]]]:
    """(type, source, tags) of every cell, as jupytext reads the file."""
    nb = jupytext.read(path)
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get('tags', [])))
            for c in nb.cells]


def test_every_notebook_has_a_text_and_back():
    assert NOTEBOOKS, 'no chapter notebooks found'
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in TEXTS], (
        'chapters/*.ipynb and texts/*.md must pair one to one: run make texts')


@pytest.mark.parametrize('notebook', NOTEBOOKS, ids=lambda p: p.stem)
def test_text_matches_notebook(notebook: Path):
    text = BOOK / 'texts' / f'{notebook.stem}.md'
    if not text.is_file():
        pytest.fail(f'{text.relative_to(BOOK)} is missing: run make texts')
    in_notebook, in_text = cells(notebook), cells(text)
    for i, (a, b) in enumerate(zip(in_notebook, in_text)):
        assert a == b, (f'{notebook.name} and {text.name} differ at cell {i}: '
                        f'run `jupytext --sync {notebook.relative_to(BOOK)}` (the newer file wins)')
    assert len(in_notebook) == len(in_text), (
        f'{notebook.name} has {len(in_notebook)} cells, {text.name} {len(in_text)}')
