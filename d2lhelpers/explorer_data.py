"""The numbers behind the explorer figures, computed with the tested loss and softmax functions.

:mod:`d2lhelpers.widgets` only draws what these functions return, so the figures show exactly
what :mod:`d2lhelpers.losses` and :mod:`d2lhelpers.functional` compute. Argument checks live
here too: each raises a ``ValueError`` that says what was wrong and what is allowed.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .fitting import LOSSES, fit_line, outlier_data, parameter_error
from .functional import one_hot, softmax
from .losses import (check_delta, huber_grad, huber_loss, l1_grad, l1_loss, l2_grad,
                     l2_loss, softmax_cross_entropy)
from .validation import class_index, positive_number

__all__ = ['ERROR_RANGE', 'NUM_ERRORS', 'MIN_CLASSES', 'MAX_CLASSES', 'check_delta',
           'check_logits', 'check_true_class', 'check_temperature', 'check_error_range',
           'errors', 'huber_curves', 'softmax_state', 'outlier_state']

#: The Huber explorer shows ``y_hat - y`` in ``[-ERROR_RANGE, ERROR_RANGE]`` by default, at
#: ``NUM_ERRORS`` evenly spaced points.
ERROR_RANGE, NUM_ERRORS = 4.0, 401
MIN_CLASSES, MAX_CLASSES = 2, 5


def check_temperature(temperature) -> float:
    """Return the softmax ``temperature`` as a float; it must be a finite number > 0."""
    return positive_number(temperature, 'the softmax temperature', '1.0 is the plain softmax')


def check_error_range(error_range) -> float:
    """Return the half-width of the Huber explorer's horizontal axis; a finite number > 0."""
    return positive_number(error_range, 'error_range (the largest |y_hat - y| shown)',
                           'e.g. 4.0')


def check_logits(logits: Sequence[float]) -> tuple[float, ...]:
    """Return ``logits`` as a tuple of floats: 2 to 5 finite numbers, one per class."""
    try:
        values = torch.as_tensor(logits, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f'logits must be a sequence of numbers such as (2.0, 1.0, 0.1), '
                         f'got {logits!r}') from None
    if values.dim() != 1:
        raise ValueError(f'logits must be a flat sequence (one number per class), got shape '
                         f'{tuple(values.shape)}')
    n = values.numel()
    if not MIN_CLASSES <= n <= MAX_CLASSES:
        raise ValueError(f'the explorer needs {MIN_CLASSES} to {MAX_CLASSES} logits '
                         f'(one per class), got {n}')
    if not bool(torch.isfinite(values).all()):
        raise ValueError(f'logits must be finite numbers (no inf or nan), got '
                         f'{tuple(values.tolist())}')
    return tuple(values.tolist())


def check_true_class(true_class, num_classes: int) -> int:
    """Return ``true_class`` as an int in ``[0, num_classes)``."""
    return class_index(true_class, num_classes, 'true_class')


def errors(error_range: float = ERROR_RANGE) -> torch.Tensor:
    """The differences ``y_hat - y`` drawn by the Huber explorer: ``NUM_ERRORS`` evenly spaced
    points ``r * (2i - (N - 1)) / (N - 1)`` in ``[-r, r]``, float64, symmetric, 0 exactly in
    the middle (the browser computes the same doubles)."""
    r = check_error_range(error_range)
    steps = torch.arange(NUM_ERRORS, dtype=torch.float64) * 2 - (NUM_ERRORS - 1)
    return steps / (NUM_ERRORS - 1) * r


def huber_curves(delta: float, error_range: float = ERROR_RANGE) -> dict[str, np.ndarray]:
    """L2, L1 and Huber losses and their gradients over ``e = y_hat - y`` (truth 0).

    Returns NumPy arrays under the keys ``e``, ``l2``, ``l1``, ``huber``, ``l2_grad``,
    ``l1_grad`` and ``huber_grad``, at the points :func:`errors` gives. ``delta`` goes straight
    to :func:`~d2lhelpers.losses.huber_loss`, which checks it. Taught in chapter 03 (损失函数).
    """
    e = errors(error_range)
    zero = torch.zeros_like(e)
    out = {'e': e, 'huber': huber_loss(e, zero, delta=delta),
           'huber_grad': huber_grad(e, zero, delta=delta),
           'l2': l2_loss(e, zero), 'l1': l1_loss(e, zero),
           'l2_grad': l2_grad(e, zero), 'l1_grad': l1_grad(e, zero)}
    return {k: v.numpy() for k, v in out.items()}


def softmax_state(logits: Sequence[float], true_class: int,
                  temperature: float = 1.0) -> dict[str, np.ndarray | float]:
    """Probabilities, cross-entropy and its gradient for one example with logits ``o``.

    With temperature ``T`` the model outputs ``y_hat = softmax(o / T)``; the loss is the
    cross-entropy ``-log y_hat[true_class]`` and its gradient w.r.t. ``o`` is
    ``(y_hat - y) / T`` (plain ``y_hat - y`` at ``T = 1``), ``y`` being the one-hot label.
    Returns ``probs``, ``target`` (one-hot), ``grad`` (NumPy arrays) and ``loss`` (float).
    Taught in chapter 02 (Softmax 回归模型), used again in chapter 04 (交叉熵).
    """
    o = torch.tensor(check_logits(logits), dtype=torch.float64)
    k = check_true_class(true_class, o.numel())
    t = check_temperature(temperature)
    scaled = (o / t).unsqueeze(0)
    probs = softmax(scaled)[0]
    target = one_hot([k], o.numel(), dtype=torch.float64)[0]
    loss = softmax_cross_entropy(scaled, torch.tensor([k]))[0]
    return {'probs': probs.numpy(), 'target': target.numpy(),
            'grad': ((probs - target) / t).numpy(), 'loss': float(loss)}


def outlier_state(shift: float = 1.0, delta: float = 0.5) -> dict:
    """Chapter 03's outlier experiment for one setting: the points and the three fitted lines.

    ``shift`` scales how far the outliers are pulled down (1 = the chapter's data, see
    :func:`d2lhelpers.fitting.outlier_data`); ``delta`` is Huber's threshold. Returns ``x``,
    ``y`` (NumPy arrays), ``fits`` (``{'l2': (w, b), 'l1': ..., 'huber': ...}``, from
    :func:`d2lhelpers.fitting.fit_line`) and ``errors`` (each fit's ``||(w, b) - (2, 1)||``).
    Taught in chapter 03 (损失函数).
    """
    x, y = outlier_data(shift)
    fits = {loss: fit_line(x, y, loss, delta=delta) for loss in LOSSES}
    return {'x': x.numpy(), 'y': y.numpy(), 'fits': fits,
            'errors': {loss: parameter_error(*wb) for loss, wb in fits.items()}}
