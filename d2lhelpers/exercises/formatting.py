"""Short, deterministic text for the tensors and numbers that a check shows the learner."""
from __future__ import annotations

import math

import torch

__all__ = ['fmt', 'fmt_number']

_MAX_ROWS, _MAX_COLS = 4, 6


def fmt_number(v) -> str:
    """A number with 4 significant digits: ``0.2312``, ``1000``, ``-inf``, ``nan``."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    v = float(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    s = f'{v:.4g}'
    return '0' if s == '-0' else s


def _row(values: list, limit: int) -> str:
    items = [fmt_number(v) for v in values[:limit]]
    if len(values) > limit:
        items.append('…')
    return '[' + ', '.join(items) + ']'


def _tensor(t: torch.Tensor) -> str:
    t = t.detach().cpu()
    if t.dim() == 0:
        body = fmt_number(t.item())
        return f'tensor({body})'
    values = t.tolist()
    if t.dim() == 1:
        body = _row(values, 8)
    elif t.dim() == 2:
        rows = [_row(r, _MAX_COLS) for r in values[:_MAX_ROWS]]
        if len(values) > _MAX_ROWS:
            rows.append('…')
        body = '[' + ', '.join(rows) + ']'
    else:
        body = '…'
    notes = [f'形状 {tuple(t.shape)}']
    if t.dtype not in (torch.float32, torch.int64):
        notes.append(str(t.dtype).replace('torch.', ''))
    return f'{body}({", ".join(notes)})'


def fmt(x) -> str:
    """Text for a tensor, number, list/tuple of them, or any other value (its type name)."""
    if isinstance(x, torch.Tensor):
        return _tensor(x)
    if isinstance(x, (bool, int, float)):
        return fmt_number(x)
    if isinstance(x, (list, tuple)):
        inner = ', '.join(fmt(v) for v in x[:6]) + (', …' if len(x) > 6 else '')
        return f'[{inner}]' if isinstance(x, list) else f'({inner})'
    if x is None:
        return 'None'
    return f'一个 {type(x).__name__} 对象'
