"""Argument checks shared by every helper: one place, one wording.

Each function returns the value in a plain Python type (``float``/``int``/tuple) or raises a
``ValueError`` whose message names the argument, says what is allowed and shows what was given,
e.g. ``num_epochs must be a positive integer (1, 2, 3, ...), got True``.

Booleans are refused everywhere a number is expected: ``True`` is an ``int`` to Python, but
``train(num_epochs=True)`` is almost certainly a mistake. Integers from NumPy or 0-d integer
tensors are accepted where an integer is expected (via ``operator.index``); floats are not,
even ``3.0``, because a count or an index is never fractional.
"""
from __future__ import annotations

import math
import operator
from numbers import Real

import torch

__all__ = ['real_number', 'positive_number', 'integer', 'positive_int', 'class_index',
           'class_indices', 'image_size', 'tensor']


def _hint(hint: str) -> str:
    return f' ({hint})' if hint else ''


def real_number(value, name: str, hint: str = '') -> float:
    """Return ``value`` as a float; it must be a finite real number (not a bool, str, NaN, inf).

    ``hint`` (e.g. ``'e.g. 1.0'``) is shown in parentheses in the error message.
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f'{name} must be a finite number{_hint(hint)}, got {value!r}')
    return float(value)


def positive_number(value, name: str, hint: str = '') -> float:
    """Return ``value`` as a float; it must be a finite number > 0 (a Huber threshold δ,
    a softmax temperature, a learning rate)."""
    message = f'{name} must be a finite number > 0{_hint(hint)}, got {value!r}'
    try:
        value = real_number(value, name)
    except ValueError:
        raise ValueError(message) from None
    if value <= 0:
        raise ValueError(message)
    return value


def integer(value, name: str, hint: str = '') -> int:
    """Return ``value`` as an int; bools, floats (even ``3.0``) and strings are refused."""
    try:
        if isinstance(value, bool) or getattr(value, 'ndim', 0) != 0 or str(
                getattr(value, 'dtype', '')) in ('torch.bool', 'bool'):
            raise TypeError                # True, tensor(True), np.True_: a flag, not a count
        return int(operator.index(value))  # int, NumPy integers, 0-d integer tensors
    except TypeError:
        raise ValueError(f'{name} must be an integer{_hint(hint)}, got {value!r}') from None


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int >= 1 (a batch size, a number of epochs or of images)."""
    message = f'{name} must be a positive integer (1, 2, 3, ...), got {value!r}'
    try:
        value = integer(value, name)
    except ValueError:
        raise ValueError(message) from None
    if value < 1:
        raise ValueError(message)
    return value


def class_index(value, num_classes: int, name: str) -> int:
    """Return ``value`` as an int class index in ``[0, num_classes)``."""
    num_classes = positive_int(num_classes, 'num_classes')
    try:
        value = integer(value, name)
    except ValueError:
        raise ValueError(f'{name} must be an integer class index, got {value!r}') from None
    if not 0 <= value < num_classes:
        raise ValueError(f'{name} must lie in 0..{num_classes - 1} for {num_classes} classes, '
                         f'got {value}')
    return value


def image_size(value, name: str = 'resize') -> int | tuple[int, int]:
    """Return an image size as torchvision's ``Resize`` takes it: an int >= 1 (the shorter
    side) or a pair ``(height, width)`` of ints >= 1."""
    message = (f'{name} must be a positive integer (e.g. 64) or a pair (height, width) of '
               f'positive integers, got {value!r}')
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(message)
        try:
            return tuple(positive_int(v, name) for v in value)
        except ValueError:
            raise ValueError(message) from None
    try:
        return positive_int(value, name)
    except ValueError:
        raise ValueError(message) from None


def tensor(value, name: str) -> torch.Tensor:
    """Return ``value`` unchanged if it is a ``torch.Tensor``; otherwise say how to make one."""
    if not isinstance(value, torch.Tensor):
        raise ValueError(f'{name} must be a torch.Tensor, got {type(value).__name__}; '
                         f'wrap it first, e.g. torch.tensor(...)')
    return value


def _label_dtype_message(name: str, dtype) -> str:
    kind = str(dtype)
    if kind in ('torch.bool', 'bool'):
        remedy = ('the class index of each example (a bool tensor is a mask, not labels), '
                  'e.g. torch.tensor([0, 2]); for 0/1 labels, y.long()')
    else:
        remedy = ('an integer tensor, e.g. torch.tensor([0, 2]); whole numbers stored as '
                  'floats convert with y.long()')
    return f'{name} must be integer class indices, got dtype {kind}; pass {remedy}'


def class_indices(value, name: str, num_classes: int | None = None,
                  sequences: bool = True) -> torch.Tensor:
    """Return class indices as an int64 tensor (on ``value``'s device): the one check of labels.

    Any integer dtype is accepted (uint8, int8, int16, int32, int64, ...) and gives the same
    result as int64; so do a list, a tuple or a NumPy array of integers when ``sequences``.
    Bool, floating-point and complex labels are refused with a message naming ``name``, the
    dtype received and what to pass. With ``num_classes`` the values must lie in
    ``[0, num_classes)``.
    """
    if not isinstance(value, torch.Tensor):
        if not sequences:
            tensor(value, name)
        if isinstance(value, (str, bytes, dict, set)) or not hasattr(value, '__len__'):
            raise ValueError(f'{name} must be integer class indices (a 1-D tensor such as '
                             f'torch.tensor([0, 2]), or a list of ints), got '
                             f'{type(value).__name__}')
        if len(value) == 0:
            value = torch.zeros(0, dtype=torch.int64)
        else:
            dtype = getattr(value, 'dtype', None)        # a NumPy array: judge its dtype
            if dtype is not None and dtype.kind not in 'iu':
                raise ValueError(_label_dtype_message(name, dtype))
            try:
                value = torch.as_tensor(value if dtype is None else value.astype('int64'))
            except (TypeError, ValueError, RuntimeError, OverflowError):
                raise ValueError(f'{name} must be integer class indices (e.g. [0, 2] or '
                                 f'torch.tensor([0, 2])), got {value!r:.80}') from None
    if value.dtype == torch.bool or value.is_floating_point() or value.is_complex():
        raise ValueError(_label_dtype_message(name, value.dtype))
    value = value.long()                 # uint8 would index as a mask; int8 wraps at 127
    if num_classes is not None and value.numel() and (value.min() < 0
                                                      or value.max() >= num_classes):
        raise ValueError(f'{name} must lie in [0, {num_classes}) for {num_classes} classes, '
                         f'got values from {value.min().item()} to {value.max().item()}')
    return value
