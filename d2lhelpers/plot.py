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
