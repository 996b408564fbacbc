"""The numbers behind the explorer figures, computed with the tested loss and softmax functions.

:mod:`d2lhelpers.widgets` only draws what these functions return, so the figures show exactly
what :mod:`d2lhelpers.losses` and :mod:`d2lhelpers.functional` compute. Argument checks live
here too: each raises a ``ValueError`` that says what was wrong and what is allowed.
"""
from __future__ import annotations

import math
import operator
from numbers import Real
from typing import Sequence

import numpy as np
import torch

from .functional import one_hot, softmax
from .losses import (huber_grad, huber_loss, l1_grad, l1_loss, l2_grad, l2_loss,
                     softmax_cross_entropy)

__all__ = ['ERRORS', 'MIN_CLASSES', 'MAX_CLASSES', 'check_delta', 'check_logits',
           'check_true_class', 'check_temperature', 'huber_curves', 'softmax_state']

#: The differences ``y_hat - y`` on the horizontal axis of the Huber explorer.
ERRORS = torch.linspace(-4.0, 4.0, 401, dtype=torch.float64)
MIN_CLASSES, MAX_CLASSES = 2, 5


def _is_number(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def check_delta(delta) -> float:
    """Return ``delta`` as a float; it must be a finite number > 0."""
    if not _is_number(delta) or not math.isfinite(delta) or delta <= 0:
        raise ValueError(f'the Huber threshold delta must be a finite number > 0 '
                         f'(e.g. 1.0), got {delta!r}')
    return float(delta)


def check_temperature(temperature) -> float:
    """Return ``temperature`` as a float; it must be a finite number > 0."""
    if not _is_number(temperature) or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f'the softmax temperature must be a finite number > 0 '
                         f'(1.0 is the plain softmax), got {temperature!r}')
    return float(temperature)


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
    try:
        if isinstance(true_class, bool) or getattr(true_class, 'ndim', 0) != 0:
            raise TypeError
        true_class = operator.index(true_class)   # int, NumPy or 0-d PyTorch integers
    except TypeError:
        raise ValueError(f'true_class must be an integer class index, got {true_class!r}') from None
    if not 0 <= true_class < num_classes:
        raise ValueError(f'true_class must lie in 0..{num_classes - 1} for {num_classes} '
                         f'classes, got {true_class}')
    return int(true_class)


def huber_curves(delta: float, errors: torch.Tensor = ERRORS) -> dict[str, np.ndarray]:
    """L2, L1 and Huber losses and their gradients over the errors ``e`` (prediction e, truth 0).

    Returns NumPy arrays under the keys ``e``, ``l2``, ``l1``, ``huber``, ``l2_grad``,
    ``l1_grad`` and ``huber_grad``.
    """
    delta = check_delta(delta)
    y_hat, y = errors, torch.zeros_like(errors)
    out = {'e': errors,
           'l2': l2_loss(y_hat, y), 'l1': l1_loss(y_hat, y),
           'huber': huber_loss(y_hat, y, delta=delta),
           'l2_grad': l2_grad(y_hat, y), 'l1_grad': l1_grad(y_hat, y),
           'huber_grad': huber_grad(y_hat, y, delta=delta)}
    return {k: v.numpy() for k, v in out.items()}


def softmax_state(logits: Sequence[float], true_class: int,
                  temperature: float = 1.0) -> dict[str, np.ndarray | float]:
    """Probabilities, cross-entropy and its gradient for one example with logits ``o``.

    With temperature ``T`` the model outputs ``y_hat = softmax(o / T)``; the loss is the
    cross-entropy ``-log y_hat[true_class]`` and its gradient w.r.t. ``o`` is
    ``(y_hat - y) / T`` (plain ``y_hat - y`` at ``T = 1``), ``y`` being the one-hot label.
    Returns ``probs``, ``target`` (one-hot), ``grad`` (NumPy arrays) and ``loss`` (float).
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
