"""Figures: image grids, training curves and the book's figure defaults."""
from __future__ import annotations

import matplotlib.pyplot as plt
import torch


def show_images(imgs, num_rows: int, num_cols: int, titles=None, scale: float = 1.5):
    """Draw ``imgs`` (tensors ``[H, W]`` or ``[1, H, W]``) in a grid; return the axes."""
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
