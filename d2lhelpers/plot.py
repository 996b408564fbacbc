"""Figures: image grids, predictions drawn as images, training curves, the figure defaults.

Drawing only: what is drawn is computed elsewhere (the predictions by
:func:`d2lhelpers.training.predictions`).
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from .labels import get_fashion_mnist_labels
from .validation import positive_int, positive_number


def _image(img, i: int) -> tuple[np.ndarray, bool]:
    """Image ``i`` as an array matplotlib can draw, and whether it is in colour."""
    if isinstance(img, torch.Tensor):
        shape = tuple(img.shape)
        img = img.detach().cpu()
        if img.dtype in (torch.bfloat16, torch.float16):
            img = img.float()
        arr = img.numpy()
    else:
        arr = np.asarray(img)              # a NumPy array, a PIL image, nested lists
        shape = arr.shape
    if arr.dtype.kind not in 'biuf':
        raise ValueError(f'image {i} must hold real numbers, got dtype {arr.dtype}')
    while arr.ndim > 2 and arr.shape[0] == 1:      # [1, H, W], [1, 1, H, W]: one grey image
        arr = arr[0]
    if arr.ndim == 3 and arr.shape[-1] == 1:      # [H, W, 1]
        arr = arr[..., 0]
    if arr.ndim == 3 and arr.shape[0] in (3, 4) and arr.shape[-1] not in (3, 4):
        arr = arr.transpose(1, 2, 0)       # [C, H, W] (PyTorch) -> [H, W, C] (matplotlib)
    if arr.ndim == 2:
        return arr, False
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        if arr.dtype.kind == 'f':          # matplotlib warns about (and clips) values outside
            arr = np.clip(arr, 0, 1)
        elif arr.dtype != np.uint8:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
        return arr, True
    raise ValueError(f'image {i} must have shape [H, W] or [1, H, W] (grey), or [3, H, W] or '
                     f'[H, W, 3] (colour), got shape {shape}')


def show_images(imgs, num_rows: int, num_cols: int, titles=None, scale: float = 1.5):
    """Draw ``imgs`` in a grid; return the axes. Taught in chapter 05 (Fashion-MNIST).

    Each image is a tensor, NumPy array or PIL image of shape ``[H, W]`` or ``[1, H, W]``
    (grey, drawn dark on light), or ``[3, H, W]`` / ``[H, W, 3]`` (colour); tensors that
    require grad are drawn detached. ``scale`` is each image's size in inches.
    """
    num_rows = positive_int(num_rows, 'num_rows')
    num_cols = positive_int(num_cols, 'num_cols')
    scale = positive_number(scale, 'scale', "each image's size in inches, e.g. 1.5")
    imgs = [_image(img, i) for i, img in enumerate(imgs)]
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
            img, colour = imgs[i]
            if colour:
                ax.imshow(img)
            else:
                ax.imshow(img, cmap='gray_r')
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


def show_predictions(images: torch.Tensor, y_true: torch.Tensor, y_pred: torch.Tensor,
                     num_cols: int = 8):
    """Draw Fashion-MNIST images titled "true label / predicted label"; return the axes.

    ``images`` ``[n, 1, H, W]`` or ``[n, H, W]``, ``y_true`` and ``y_pred`` ``[n]`` class indices
    (what :func:`d2lhelpers.training.predictions` returns). Taught in chapter 06 (from scratch).
    """
    num_cols = positive_int(num_cols, 'num_cols')
    if not len(images) == len(y_true) == len(y_pred):
        raise ValueError(f'images, y_true and y_pred must be as long as each other, got '
                         f'{len(images)}, {len(y_true)} and {len(y_pred)}')
    titles = [f'{t}\n{p}' for t, p in zip(get_fashion_mnist_labels(y_true),
                                         get_fashion_mnist_labels(y_pred))]
    cols = min(len(images), num_cols) or 1
    return show_images(images, math.ceil(len(images) / cols) or 1, cols, titles=titles)
