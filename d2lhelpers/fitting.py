"""Chapter 03's outlier experiment: a line's data with outliers, fitted under L2, L1 or Huber.

Taught in chapter 03 (损失函数). The data lie on ``y = 2x + 1`` (``TRUE_PARAMS``) with a little
noise; four of the 40 points (``OUTLIER_INDICES``) are pulled down by ``OUTLIER_PULLS`` times
``shift``. :func:`fit_line` fits ``y_hat = w x + b`` by full-batch gradient descent on the mean
loss, with the gradients ``dl/dy_hat`` of :mod:`d2lhelpers.losses`.

Everything runs in float64, so the same arithmetic done by the browser (the static outlier
explorer, JavaScript numbers are doubles) gives the same ``(w, b)`` to about 1e-12.
"""
from __future__ import annotations

import math

import torch

from .losses import huber_grad, l1_grad, l2_grad
from .validation import integer, positive_int, positive_number, real_number, tensor

__all__ = ['TRUE_PARAMS', 'NUM_POINTS', 'OUTLIER_INDICES', 'OUTLIER_PULLS', 'LOSSES',
           'STEPS', 'LR',
           'outlier_data', 'fit_line', 'parameter_error']

TRUE_PARAMS = (2.0, 1.0)              #: (w*, b*) of the line the data come from
NUM_POINTS = 40
NOISE = 0.1                           #: standard deviation of the noise on y
OUTLIER_INDICES = (30, 33, 36, 39)    #: which points are outliers
OUTLIER_PULLS = (6.0, 8.0, 7.0, 9.0)  #: how far each outlier is pulled down at shift = 1
LOSSES = ('l2', 'l1', 'huber')
STEPS, LR = 2000, 0.5                 #: the chapter's gradient descent: steps, learning rate
_GRADS = {'l2': l2_grad, 'l1': l1_grad, 'huber': huber_grad}


def outlier_data(shift: float = 1.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The experiment's points ``(x, y)``, float64 tensors of 40 values each.

    ``x`` is evenly spaced in [-1, 1]; ``y = 2 x + 1 + 0.1 * noise`` with the noise drawn as
    ``torch.manual_seed(seed); torch.randn(40)`` (seed 0 gives the chapter's points, drawn
    from a private generator: the global RNG is left alone). Then the outliers are pulled
    down: ``y[i] -= shift * pull`` for ``i, pull`` in ``OUTLIER_INDICES, OUTLIER_PULLS``.
    ``shift = 1`` is the chapter's data, ``0`` has no outliers, ``2`` pulls twice as far.
    Taught in chapter 03 (损失函数).
    """
    shift = real_number(shift, 'shift', 'e.g. 1.0 for the chapter\'s outliers')
    seed = integer(seed, 'seed')
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(NUM_POINTS, generator=generator).double()
    x = torch.linspace(-1.0, 1.0, NUM_POINTS, dtype=torch.float64)
    w, b = TRUE_PARAMS
    y = w * x + b + NOISE * noise
    index = torch.tensor(OUTLIER_INDICES)
    y[index] = y[index] - shift * torch.tensor(OUTLIER_PULLS, dtype=torch.float64)
    return x, y


def fit_line(x: torch.Tensor, y: torch.Tensor, loss: str, delta: float = 0.5,
             steps: int = STEPS, lr: float = LR) -> tuple[float, float]:
    """Fit ``y_hat = w x + b`` to the points by full-batch gradient descent; return ``(w, b)``.

    ``loss`` is ``'l2'``, ``'l1'`` or ``'huber'`` (with threshold ``delta``). Starting from
    ``w = b = 0``, step ``t`` computes ``g_i = dl/dy_hat_i`` (``l2_grad``, ``l1_grad`` or
    ``huber_grad``) and updates ``w -= lr_t * mean(g * x)``, ``b -= lr_t * mean(g)`` with
    ``lr_t = lr * (1 - t / steps) + 1e-3``: the learning rate decays linearly, so that L1's
    gradient, which does not shrink near the optimum, stops making the parameters jump.
    Computed in float64. Taught in chapter 03 (损失函数).
    """
    x, y = tensor(x, 'x'), tensor(y, 'y')
    if x.dim() != 1 or x.shape != y.shape or x.numel() == 0:
        raise ValueError(f'x and y must be 1-D tensors of the same, non-zero length, got '
                         f'shapes {tuple(x.shape)} and {tuple(y.shape)}')
    if loss not in _GRADS:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}, got {loss!r}")
    steps = positive_int(steps, 'steps')
    lr = positive_number(lr, 'the learning rate lr', 'e.g. 0.5')
    x, y = x.double(), y.double()
    if loss == 'huber':   # huber_grad checks delta (a bad one fails at the first step)
        grad = lambda y_hat: huber_grad(y_hat, y, delta)   # noqa: E731
    else:
        grad = lambda y_hat: _GRADS[loss](y_hat, y)        # noqa: E731
    w = b = torch.zeros((), dtype=torch.float64)
    for t in range(steps):
        g = grad(w * x + b)
        lr_t = lr * (1 - t / steps) + 1e-3
        w, b = w - lr_t * (g * x).mean(), b - lr_t * g.mean()
    return w.item(), b.item()


def parameter_error(w: float, b: float) -> float:
    """``||(w, b) - (w*, b*)||``, the distance of a fitted line from the true one (2, 1).

    Taught in chapter 03 (损失函数).
    """
    return math.hypot(w - TRUE_PARAMS[0], b - TRUE_PARAMS[1])
