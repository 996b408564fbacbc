"""Short, deterministic text for the tensors and numbers that a check shows the learner."""
from __future__ import annotations

import math

import torch

__all__ = ['fmt', 'fmt_number', 'short_error', 'shown_output', 'ArgumentError', 'bad_argument',
           'no_more_arguments']

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
    if t.device.type == 'meta' or t.layout != torch.strided:
        where = 'meta 设备上' if t.device.type == 'meta' else str(t.layout).replace('torch.', '')
        return f'（{where}的张量，形状 {tuple(t.shape)}，没有可读的数值）'
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
    return f'{body}（{"，".join(notes)}）'


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


def short_error(error: BaseException) -> str:
    """The first line of an exception message, at most 160 characters."""
    text = str(error).strip().splitlines()[0].rstrip('.。 ') if str(error).strip() else ''
    return text if len(text) <= 160 else text[:157] + '…'


def shown_output(text: str, chars: int, lines: int = 4, width: int = 100) -> str:
    """The first few lines of what a function printed, and how much there was in all."""
    rows = text.splitlines()
    shown = [r if len(r) <= width else r[:width - 1] + '…' for r in rows[:lines]]
    body = ' ⏎ '.join(shown)
    total = text.count('\n') + (not text.endswith('\n'))
    if len(rows) > lines or chars > len(text):
        body += f' …（共 {chars} 个字符）' if chars > len(text) else f' …（共 {total} 行）'
    return body


# ----- the exercises' own argument checks ------------------------------------------------

class ArgumentError(TypeError, ValueError):
    """A public function of the exercises was called with an argument it cannot use (both a
    ``TypeError`` and a ``ValueError``, so either ``except`` catches it)."""


def _given(value) -> str:
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + '…'
    return f'{text}（{type(value).__name__}）'


def bad_argument(func: str, arg: str, expects: str, got) -> ArgumentError:
    """The error for argument ``arg`` of ``func``: what it expects and what it received."""
    return ArgumentError(f'{func} 的参数 {arg} 应是{expects}，收到的却是 {_given(got)}。')


def no_more_arguments(func: str, args: tuple, kwargs: dict, usage: str) -> None:
    """Refuse the arguments a function does not take, naming them and showing ``usage``."""
    if args or kwargs:
        extra = [_given(a) for a in args] + [f'{k}={_given(v)}' for k, v in kwargs.items()]
        raise ArgumentError(f'{func} 不接受这些参数：{"，".join(extra)}；这样调用：{usage}。')
