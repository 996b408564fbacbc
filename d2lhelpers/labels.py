"""The ten Fashion-MNIST classes by name (chapter 05), for the data and the figures alike."""
from __future__ import annotations

import torch

from .validation import class_index, class_indices

TEXT_LABELS = ('t-shirt', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')
# The same classes as d2l-zh names them: the book's prose uses these.
TEXT_LABELS_ZH = ('T恤', '裤子', '套衫', '连衣裙', '外套',
                  '凉鞋', '衬衫', '运动鞋', '包', '短靴')


def get_fashion_mnist_labels(labels, chinese: bool = False) -> list[str]:
    """Return the text labels of Fashion-MNIST class indices.

    Taught in chapter 05 (Fashion-MNIST).

    ``labels`` is any iterable of integer class indices 0..9 (a list, a 1-D tensor);
    ``chinese=True`` gives d2l-zh's Chinese names (T恤, 裤子, ...) instead of the English ones.
    """
    names = TEXT_LABELS_ZH if chinese else TEXT_LABELS
    if isinstance(labels, torch.Tensor) or hasattr(labels, 'dtype'):   # a tensor or an array
        if getattr(labels, 'ndim', 1) != 1:
            raise ValueError(f'labels must be a 1-D sequence of class indices 0..9, got shape '
                             f'{tuple(labels.shape)}')
        labels = class_indices(labels, 'the labels of get_fashion_mnist_labels').tolist()
    return [names[class_index(i, len(names), 'a Fashion-MNIST label')] for i in labels]
