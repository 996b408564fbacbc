"""Loss functions of the lesson, elementwise (no reduction), with their gradients.

Regression losses compare a prediction ``y_hat`` with the truth ``y`` (same shape) through the
error ``e = y - y_hat`` (the book's notation page). The losses depend on ``|e|`` only; their
gradients are taken with respect to the prediction ``y_hat``, so they read in ``-e = y_hat - y``:

* :func:`l2_loss` ``= e**2 / 2``, gradient :func:`l2_grad` ``= y_hat - y``;
* :func:`l1_loss` ``= |e|``, (sub)gradient :func:`l1_grad` ``= sign(y_hat - y)`` (0 at ``e = 0``);
* :func:`huber_loss` ``= e**2 / 2`` if ``|e| <= delta`` else ``delta * (|e| - delta / 2)``,
  gradient :func:`huber_grad` ``= clip(y_hat - y, -delta, delta)``.

Classification losses take integer labels ``y`` of shape ``[n]``:

* :func:`cross_entropy` takes probabilities ``y_hat`` of shape ``[n, q]`` (the seed's form,
  ``-log y_hat[i, y[i]]``);
* :func:`softmax_cross_entropy` takes logits ``o`` of shape ``[n, q]`` and is numerically
  stable (log-sum-exp); it equals ``F.cross_entropy(o, y, reduction='none')``.
"""
from __future__ import annotations

import torch

from .functional import log_softmax
from .validation import class_indices, positive_number, tensor

__all__ = ['l2_loss', 'l1_loss', 'huber_loss', 'l2_grad', 'l1_grad', 'huber_grad',
           'cross_entropy', 'softmax_cross_entropy']


def _real(t: torch.Tensor, name: str) -> None:
    """A loss compares real numbers: refuse complex and boolean tensors."""
    if t.is_complex():
        raise ValueError(f'{name} must hold real numbers, got a complex tensor ({t.dtype}): a '
                         f'loss is a real number; compare the real parts (.real) or the '
                         f'magnitudes (.abs()) instead')
    if t.dtype == torch.bool:
        raise ValueError(f'{name} must hold numbers, got a bool tensor; convert it first, '
                         f'e.g. {name}.float()')


def _same_shape(y_hat: torch.Tensor, y: torch.Tensor) -> None:
    tensor(y_hat, 'y_hat')
    tensor(y, 'y')
    _real(y_hat, 'y_hat')
    _real(y, 'y')
    if y_hat.shape != y.shape:
        raise ValueError(f'y_hat and y must have the same shape, got y_hat {tuple(y_hat.shape)} '
                         f'and y {tuple(y.shape)}')


def check_delta(delta) -> float:
    """Return the Huber threshold ``delta`` as a float; it must be a finite number > 0."""
    return positive_number(delta, 'the Huber threshold delta', 'e.g. 1.0')


def l2_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squared loss ``(y_hat - y)**2 / 2`` per element (half of ``nn.MSELoss(reduction='none')``).

    Taught in chapter 03 (loss functions).
    """
    _same_shape(y_hat, y)
    return (y_hat - y) ** 2 / 2


def l2_grad(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient of :func:`l2_loss` with respect to ``y_hat``: ``y_hat - y``.

    Taught in chapter 03 (loss functions).
    """
    _same_shape(y_hat, y)
    return y_hat - y


def l1_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Absolute loss ``|y_hat - y|`` per element (``nn.L1Loss(reduction='none')``).

    Taught in chapter 03 (loss functions).
    """
    _same_shape(y_hat, y)
    return (y_hat - y).abs()


def l1_grad(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(Sub)gradient of :func:`l1_loss` w.r.t. ``y_hat``: ``sign(y_hat - y)``, 0 where equal.

    ``|e|`` has no derivative at ``e = 0``; any value in ``[-1, 1]`` is a subgradient there,
    and 0 is the one chosen here (and by PyTorch's autograd). Where the error is NaN the
    gradient is NaN, as for :func:`l2_grad` and :func:`huber_grad` (``torch.sign(nan)`` is 0,
    which would let a fit ignore a NaN point silently). Taught in chapter 03 (loss functions).
    """
    _same_shape(y_hat, y)
    diff = y_hat - y
    return torch.where(torch.isnan(diff), diff, torch.sign(diff))


def huber_loss(y_hat: torch.Tensor, y: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Huber's robust loss per element (``nn.HuberLoss(reduction='none', delta=delta)``).

    ``e**2 / 2`` where ``|e| <= delta`` (like L2), ``delta * (|e| - delta / 2)`` elsewhere
    (like L1, scaled by ``delta`` and shifted so that the two pieces meet), ``e = y - y_hat``.
    Taught in chapter 03 (loss functions).
    """
    delta = check_delta(delta)
    _same_shape(y_hat, y)
    diff = y_hat - y                   # = -e; its square and its size are those of e
    abs_e = diff.abs()
    return torch.where(abs_e <= delta, diff ** 2 / 2, delta * (abs_e - delta / 2))


def huber_grad(y_hat: torch.Tensor, y: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Gradient of :func:`huber_loss` w.r.t. ``y_hat``: ``clip(y_hat - y, -delta, delta)``.

    Taught in chapter 03 (loss functions).
    """
    delta = check_delta(delta)
    _same_shape(y_hat, y)
    return torch.clamp(y_hat - y, -delta, delta)


def _check_labels(scores: torch.Tensor, y: torch.Tensor, what: str) -> torch.Tensor:
    """Check the scores and the labels; return the labels as int64 (any integer dtype in)."""
    tensor(scores, what)
    tensor(y, 'y')
    if not scores.is_floating_point():
        kind = 'probabilities' if what == 'y_hat' else 'logits'
        if scores.is_complex():
            hint = ''
        elif what == 'y_hat':
            hint = ('; one-hot rows are labels, not predictions: pass the labels as class '
                    'indices y; probabilities typed as integers: make them float, '
                    'e.g. y_hat.float()')
        else:
            hint = f'; convert them first, e.g. {what}.float()'
        raise ValueError(f'{what} must hold floating-point {kind}, got dtype '
                         f'{scores.dtype}{hint}' if what == 'y_hat' else
                         f'{what} must be a floating-point tensor, got dtype '
                         f'{scores.dtype}{hint}')
    if scores.dim() != 2 or y.dim() != 1 or scores.shape[0] != y.shape[0]:
        raise ValueError(f'{what} must have shape [n, q] and y shape [n], got {what} '
                         f'{tuple(scores.shape)} and y {tuple(y.shape)}')
    return class_indices(y, 'labels y', scores.shape[1], sequences=False)


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy per example from probabilities: ``-log y_hat[i, y[i]]``.

    ``y_hat`` has shape ``[n, q]``, floating-point, each row a distribution (entries in
    [0, 1] summing to 1 up to rounding, e.g. the output of a softmax); ``y`` holds ``n``
    integer labels in ``[0, q)``. The seed's form: it picks each example's
    true-class probability by fancy indexing. A probability of exactly 0 gives ``inf``;
    prefer :func:`softmax_cross_entropy` on logits. Taught in chapter 04 (cross-entropy),
    used from scratch in chapter 06.
    """
    y = _check_labels(y_hat, y, 'y_hat')
    if not bool(((y_hat >= 0) & (y_hat <= 1)).all()):
        raise ValueError('y_hat must hold probabilities in [0, 1] (apply softmax to logits '
                         'first, or use softmax_cross_entropy)')
    if y_hat.numel():
        sums = y_hat.detach().sum(dim=1, dtype=torch.float64)
        q = y_hat.shape[1]
        tol = max(1e-3, 2 * q * torch.finfo(y_hat.dtype).eps)
        off = ((sums - 1).abs() > tol).nonzero().flatten()
        if len(off):
            i = int(off[0])
            raise ValueError(f'each row of y_hat must sum to 1 (a distribution over the {q} '
                             f'classes), but row {i} sums to {float(sums[i]):.4g}; apply '
                             f'softmax to logits first, or use softmax_cross_entropy')
    return -torch.log(y_hat[range(len(y)), y])


def softmax_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy per example from logits, numerically stable.

    ``-log softmax(o)[i, y[i]] = logsumexp(o[i]) - o[i, y[i]]``, computed with a stable
    log-softmax, so logits such as 1e4 give finite losses. Equals
    ``F.cross_entropy(logits, y, reduction='none')`` (``nn.CrossEntropyLoss``). Taught in
    chapter 04 (cross-entropy), used in chapter 07 (concise implementation).
    """
    y = _check_labels(logits, y, 'logits')
    return -log_softmax(logits, dim=1)[torch.arange(len(y), device=logits.device), y]
