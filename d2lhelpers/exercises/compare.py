"""Pure comparisons of the values a check sees: tensors, numbers, booleans, tuples.

Nothing here runs the learner's code or prints; every function answers with a plain bool and
never raises on an odd value (a meta tensor, a bool next to a tensor, a tensor of the wrong
dtype): an odd value is simply "not the same".
"""
from __future__ import annotations

import dataclasses
import math
import numbers

import torch

from .records import Outcome

__all__ = ['identical', 'close', 'is_bad', 'same_value', 'same_behaviour', 'has_data']


def has_data(t: torch.Tensor) -> bool:
    """Whether the tensor holds numbers that can be read (not a meta or sparse tensor)."""
    return t.device.type != 'meta' and t.layout == torch.strided


def identical(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Same shape, dtype and entries (nan equal to nan)."""
    if a.shape != b.shape or a.dtype != b.dtype or not (has_data(a) and has_data(b)):
        return False
    a, b = a.detach().cpu(), b.detach().cpu()
    same = a == b
    if a.is_floating_point():
        same |= a.isnan() & b.isnan()
    return bool(same.all())


def is_bad(t: torch.Tensor) -> bool:
    """Whether a floating-point tensor holds nan or inf."""
    return has_data(t) and t.is_floating_point() and not bool(torch.isfinite(t).all())


def close(a: torch.Tensor, b: torch.Tensor, loose: bool = False) -> bool:
    """Same shape and close values (tolerance by dtype); nan matches nan, inf matches inf."""
    if a.shape != b.shape or not (has_data(a) and has_data(b)):
        return False
    if a.is_complex() or b.is_complex():
        return False
    a64, b64 = a.detach().cpu().double(), b.detach().cpu().double()
    low = torch.float32 in (a.dtype, b.dtype) or loose
    rtol, atol = (1e-4, 1e-5) if low else (1e-7, 1e-10)
    return bool(torch.allclose(a64, b64, rtol=rtol, atol=atol, equal_nan=True))


def same_value(a, b) -> bool:
    """Whether two returned values look alike (loose tolerance): used to recognise a known
    wrong implementation from the learner's results, never to accept an answer."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, torch.Tensor) and a.dim() == 0 and not isinstance(b, torch.Tensor):
        a = a.item() if has_data(a) else a
    if isinstance(b, torch.Tensor) and b.dim() == 0 and not isinstance(a, torch.Tensor):
        b = b.item() if has_data(b) else b
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.is_floating_point() == b.is_floating_point() and close(a, b, loose=True)
    if dataclasses.is_dataclass(a) and not isinstance(a, type) and type(a) is type(b):
        return all(same_value(getattr(a, f.name), getattr(b, f.name))
                   for f in dataclasses.fields(a))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        a, b = float(a), float(b)
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or (a != a and b != b)
    return a is None and b is None


def same_behaviour(a: Outcome, b: Outcome) -> bool:
    """Whether two outcomes look alike: both raised, or equal values (loose tolerance)."""
    if a.error is not None or b.error is not None:
        return a.error is not None and b.error is not None
    return same_value(a.value, b.value)
