"""Shared by every test: the scripts of ``tools/`` are importable, and a slice of Fashion-MNIST.

``tools/`` is a folder of scripts (no ``__init__.py``). With the book's root on ``sys.path`` it
is a namespace package, so a test imports a tool like any module, by its real name::

    from tools.toc import toc_docnames

This replaces the ``importlib.util.spec_from_file_location`` loaders the test files had.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parent.parent
if str(BOOK) not in sys.path:
    sys.path.insert(0, str(BOOK))


@pytest.fixture(scope='module')
def fashion_slice():
    """Loaders of the first 2,000 training and 500 test images of the real Fashion-MNIST."""
    from torch.utils import data as tud

    import d2lhelpers
    Xtr, ytr = d2lhelpers.load_fashion_mnist_tensors(True)
    Xte, yte = d2lhelpers.load_fashion_mnist_tensors(False)
    train = tud.TensorDataset(Xtr[:2000].unsqueeze(1).float() / 255, ytr[:2000])
    test = tud.TensorDataset(Xte[:500].unsqueeze(1).float() / 255, yte[:500])
    return tud.DataLoader(train, 100, shuffle=True), tud.DataLoader(test, 100)
