"""Softmax and friends: turn logits into probabilities, and labels into one-hot vectors.

All three softmax-type functions use the log-sum-exp trick: subtracting the largest logit
first changes nothing mathematically (softmax is invariant to adding a constant) but keeps
``exp`` from overflowing, so logits of +-1e4 give finite results.

Infinite logits give the limits: a ``-inf`` logit has probability 0; a row holding ``+inf``
logits gives their classes equal shares of probability 1 and every other class 0 (the limit of
softmax as those logits grow), where the plain formula gives ``inf / inf = nan``. A row with a
NaN, or with every logit ``-inf``, has no distribution: it gives NaN.
"""
from __future__ import annotations

from typing import Sequence

import torch

from .validation import class_indices, integer, positive_int, tensor

__all__ = ['softmax', 'log_softmax', 'logsumexp', 'one_hot']


def _check_logits(X, dim, name: str) -> int:
    """Validate ``X`` and ``dim`` for a softmax-type function; return ``dim`` as a plain int."""
    tensor(X, f'the input X of {name}')
    if not X.is_floating_point():
        raise ValueError(f'{name} needs a floating-point tensor, got dtype {X.dtype}; '
                         f'convert it first, e.g. X.float()')
    if X.dim() == 0:
        raise ValueError(f'{name} needs a tensor with at least 1 dimension (a vector of '
                         f'logits), got a 0-d tensor (a single number)')
    dim = integer(dim, 'dim')
    if not -X.dim() <= dim < X.dim():
        raise ValueError(f'dim={dim} is out of range for a tensor with {X.dim()} dimensions '
                         f'(shape {tuple(X.shape)}); use a dim in {-X.dim()}..{X.dim() - 1}')
    if X.shape[dim] == 0:
        raise ValueError(f'{name} of a tensor with no entries along dim={dim} '
                         f'(shape {tuple(X.shape)}) is undefined')
    return dim


def _shift(X: torch.Tensor, dim: int) -> torch.Tensor:
    """The largest entry along ``dim`` (kept as a dimension), 0 where it is not finite."""
    m = X.detach().amax(dim=dim, keepdim=True)
    return torch.where(torch.isfinite(m), m, torch.zeros_like(m))


def _infinite_rows(X: torch.Tensor, dim: int):
    """(rows holding a +inf logit and no NaN, kept as a dimension; the +inf entries), or None."""
    posinf = torch.isposinf(X.detach())
    if not bool(posinf.any()):
        return None
    rows = posinf.any(dim=dim, keepdim=True) & ~torch.isnan(X.detach()).any(dim=dim, keepdim=True)
    return rows, posinf


def logsumexp(X: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    """``log(sum(exp(X), dim))`` computed stably as ``m + log(sum(exp(X - m)))``, m = max.

    Taught in chapter 04 (cross-entropy).
    """
    dim = _check_logits(X, dim, 'logsumexp')
    m = _shift(X, dim)
    out = m + torch.log(torch.exp(X - m).sum(dim=dim, keepdim=True))
    return out if keepdim else out.squeeze(dim)


def log_softmax(X: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``log(softmax(X, dim))`` without taking the log of a number that underflowed to 0.

    Taught in chapter 04 (cross-entropy, the stable log-softmax).
    """
    dim = _check_logits(X, dim, 'log_softmax')
    infinite = _infinite_rows(X, dim)
    if infinite is None:
        return X - logsumexp(X, dim=dim, keepdim=True)
    rows, posinf = infinite
    safe = torch.where(rows, torch.zeros_like(X), X)   # keeps inf - inf out of the gradient
    share = torch.log(1 / posinf.sum(dim=dim, keepdim=True).to(X.dtype))   # +0.0 for k = 1
    limit = torch.where(posinf, share, torch.full_like(X, -float('inf')))
    return torch.where(rows, limit, safe - logsumexp(safe, dim=dim, keepdim=True))


def softmax(X: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``exp(X) / sum(exp(X))`` along ``dim`` (rows by default), after subtracting the max.

    Each slice along ``dim`` becomes a probability distribution: non-negative, summing to 1,
    in the same order as the logits (``+inf`` logits share the whole probability, see the
    module docstring). Taught in chapter 02 (the softmax regression model).
    """
    dim = _check_logits(X, dim, 'softmax')
    infinite = _infinite_rows(X, dim)
    safe = X if infinite is None else torch.where(infinite[0], torch.zeros_like(X), X)
    E = torch.exp(safe - _shift(safe, dim))
    P = E / E.sum(dim=dim, keepdim=True)
    if infinite is None:
        return P
    rows, posinf = infinite
    limit = posinf.to(X.dtype) / posinf.sum(dim=dim, keepdim=True).to(X.dtype)
    return torch.where(rows, limit, P)


def one_hot(y: torch.Tensor | Sequence[int], num_classes: int,
            dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Encode class indices ``y`` (1-D, integers in ``[0, num_classes)``) as one-hot rows.

    Returns a float tensor of shape ``[len(y), num_classes]`` with a single 1 per row.
    Taught in chapter 01 (from regression to classification).
    """
    num_classes = positive_int(num_classes, 'num_classes')
    y = class_indices(y, 'the labels y of one_hot')   # any integer dtype, a list, an array
    if y.dim() != 1:
        raise ValueError(f'one_hot needs a 1-D tensor of labels (one per example), got a '
                         f'{y.dim()}-D tensor of shape {tuple(y.shape)}')
    bad = ((y < 0) | (y >= num_classes)).nonzero().flatten()
    if len(bad):
        i = int(bad[0])
        raise ValueError(f'labels must lie in [0, {num_classes}) (that is 0..{num_classes - 1} '
                         f'for num_classes={num_classes}), got {int(y[i])} at position {i}')
    out = torch.zeros(len(y), num_classes, dtype=dtype, device=y.device)
    return out.scatter_(1, y.unsqueeze(1), 1)
