"""Numbers computed in a chapter, handed to its prose (MyST-NB ``glue``).

In a chapter: ``glue('acc', acc)`` in a code cell, then {glue:text}`acc:.4f` in the text: the
number a reader sees in a sentence is the one the run computed, never typed by hand. When the
notebook runs outside the book build (Colab, a plain Jupyter without ``myst_nb``), it does
nothing. Used in every chapter.
"""
from __future__ import annotations

__all__ = ['glue']


def glue(name: str, value) -> None:
    """Store ``value`` under ``name`` for the book's text; a no-op when MyST-NB is absent."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f'a glue name must be an identifier such as "test_acc", got {name!r}')
    try:
        from myst_nb import glue as myst_glue
    except ImportError:      # Colab, plain Jupyter: the text shows the role, the cell the value
        return
    myst_glue(name, value, display=False)
