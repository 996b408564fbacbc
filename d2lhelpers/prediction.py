"""A classifier's predictions on test images, drawn: the course notes' ``predict_ch3``.

The classifying is :func:`d2lhelpers.training.predictions`, the drawing
:func:`d2lhelpers.plot.show_predictions`; this module only joins the two, so that neither
``training`` draws nor ``plot`` runs a network.
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch

from .plot import show_predictions
from .training import predictions


def predict(net: Callable, test_iter: Iterable, n: int = 6, wrong_only: bool = False,
            device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Show the first ``n`` test images titled "true label / predicted label" (the course
    notes' ``predict_ch3``); return the true and the predicted class indices of the images shown.

    Taught in chapter 06 (from scratch). With ``wrong_only=True`` only misclassified images
    are shown.
    """
    images, trues, preds = predictions(net, test_iter, n, wrong_only, device)
    show_predictions(images, trues, preds)
    return trues, preds
