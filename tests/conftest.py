"""Shared by every test: the scripts of ``tools/`` are importable, the real Fashion-MNIST files
(and a stand-in for the Debian package made from them), and a slice of Fashion-MNIST.

``tools/`` is a folder of scripts (no ``__init__.py``). With the book's root on ``sys.path`` it
is a namespace package, so a test imports a tool like any module, by its real name::

    from tools.toc import toc_docnames

This replaces the ``importlib.util.spec_from_file_location`` loaders the test files had.
"""
from __future__ import annotations

import gzip
import shutil
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


@pytest.fixture(scope='session')
def real_raw():
    """The prepared real files (``make data`` puts them under the default root)."""
    from d2lhelpers import data
    return data.fashion_mnist_dir()


@pytest.fixture(scope='session')
def system_copy(tmp_path_factory, real_raw):
    """A stand-in for /usr/share/datasets/fashion-mnist built from the real files."""
    from d2lhelpers import data
    folder = tmp_path_factory.mktemp('system')
    for name in data.FILES:
        with open(real_raw / name, 'rb') as src, gzip.open(folder / f'{name}.gz', 'wb',
                                                           compresslevel=1) as dst:
            shutil.copyfileobj(src, dst)
    return folder
