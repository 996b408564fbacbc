"""Figures: image grids, predictions drawn as images, training curves, the figure defaults."""
from __future__ import annotations

import math
from typing import Callable, Iterable

import matplotlib.pyplot as plt
import torch

from .data import get_fashion_mnist_labels
from .training import _model_device
from .validation import positive_int


def show_images(imgs, num_rows: int, num_cols: int, titles=None, scale: float = 1.5):
    """Draw ``imgs`` (tensors ``[H, W]`` or ``[1, H, W]``) in a grid; return the axes.

    Taught in chapter 05 (Fashion-MNIST).
    """
    num_rows = positive_int(num_rows, 'num_rows')
    num_cols = positive_int(num_cols, 'num_cols')
    imgs = list(imgs)
    if len(imgs) > num_rows * num_cols:
        raise ValueError(f'{len(imgs)} images do not fit a {num_rows}x{num_cols} grid')
    if titles is not None and len(titles) < len(imgs):
        raise ValueError(f'{len(imgs)} images but only {len(titles)} titles')
    _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                           squeeze=False)
    axes = axes.flatten()
    for i, ax in enumerate(axes):
        ax.axis('off')
        if i < len(imgs):
            img = torch.as_tensor(imgs[i]).squeeze()
            ax.imshow(img.numpy(), cmap='gray_r')
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    plt.tight_layout()
    return axes


FIGSIZE = (6, 3)  # the book's default figure size: modest, one idea per figure

_HISTORY_STYLE = {'train_loss': ('train loss', '-'), 'train_acc': ('train acc', '--'),
                  'test_acc': ('test acc', '-.')}


def plot_history(history: dict, title: str | None = None, figsize=FIGSIZE):
    """Draw the training curves of :func:`d2lhelpers.train` once, at the end; return the axes.

    Taught in chapter 06 (from scratch).
    ``history`` maps ``'train_loss'``, ``'train_acc'`` and ``'test_acc'`` (any of them) to
    one value per epoch.
    """
    curves = {k: list(v) for k, v in history.items() if k in _HISTORY_STYLE}
    if not curves:
        raise ValueError(f'history has none of {sorted(_HISTORY_STYLE)}; got keys '
                         f'{sorted(history)}')
    lengths = {len(v) for v in curves.values()}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f'every curve needs the same, non-zero number of epochs; got '
                         f'{ {k: len(v) for k, v in curves.items()} }')
    epochs = range(1, lengths.pop() + 1)
    _, ax = plt.subplots(figsize=figsize)
    for key, values in curves.items():
        label, style = _HISTORY_STYLE[key]
        ax.plot(epochs, values, style, label=label)
    ax.set_xlabel('epoch')
    ax.set_xlim(1, max(epochs[-1], 2))
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    plt.tight_layout()
    return ax


def predict(net: Callable, test_iter: Iterable, n: int = 6, wrong_only: bool = False,
            device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Show the first ``n`` test images titled "true label / predicted label".

    Taught in chapter 06 (from scratch). With ``wrong_only=True`` only misclassified images
    are shown. Returns the true and the predicted class indices of the images shown.
    """
    n = positive_int(n, 'n')
    device = device if device is not None else _model_device(net)
    images, trues, preds = [], [], []
    with torch.no_grad():
        for X, y in test_iter:
            X_dev = X.to(device) if device is not None else X
            y_pred = net(X_dev).argmax(dim=1).cpu()
            keep = (y_pred != y) if wrong_only else torch.ones_like(y, dtype=torch.bool)
            images.append(X[keep])
            trues.append(y[keep])
            preds.append(y_pred[keep])
            if sum(len(t) for t in trues) >= n:
                break
    images, trues, preds = (torch.cat(t)[:n] for t in (images, trues, preds))
    titles = [f'{t}\n{p}' for t, p in zip(get_fashion_mnist_labels(trues),
                                         get_fashion_mnist_labels(preds))]
    num_cols = min(len(images), 8) or 1
    show_images(images.reshape(-1, *images.shape[-2:]), math.ceil(len(images) / num_cols) or 1,
                num_cols, titles=titles)
    return trues, preds
