"""The ten Fashion-MNIST classes by name (chapter 05), for the data and the figures alike."""
from __future__ import annotations

from .validation import class_index

TEXT_LABELS = ('t-shirt', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')


def get_fashion_mnist_labels(labels) -> list[str]:
    """Return the text labels of Fashion-MNIST class indices.

    Taught in chapter 05 (Fashion-MNIST).

    ``labels`` is any iterable of integer class indices 0..9 (a list, a 1-D tensor).
    """
    return [TEXT_LABELS[class_index(i, len(TEXT_LABELS), 'a Fashion-MNIST label')]
            for i in labels]
