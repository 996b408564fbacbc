"""What the learner handed in, looked at before anything runs: a function? the right
parameters? an answer at all, or still the template's ``...``?"""
from __future__ import annotations

import ast
import dis
import inspect
import textwrap
from typing import Callable, Sequence

import torch

from .formatting import bad_argument
from .records import Report

__all__ = ['is_unanswered', 'precheck']


def _is_placeholder(stmt: ast.stmt) -> bool:
    """``...``, ``pass``, a docstring, or ``raise NotImplementedError(...)``."""
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return stmt.value.value is Ellipsis or isinstance(stmt.value.value, str)
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == 'NotImplementedError'
    return False


def _from_source(fn: Callable) -> bool | None:
    """The answer read from the function's source; None when there is no source to read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, ValueError):
        return None
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return all(_is_placeholder(stmt) for stmt in node.body)


def _from_bytecode(code) -> bool:
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code)
           if i.opname not in ('RESUME', 'NOP', 'CACHE', 'PRECALL')]
    empty = [[('LOAD_CONST', None), ('RETURN_VALUE', None)], [('RETURN_CONST', None)]]
    if ops in empty:
        return True
    names = [arg for op, arg in ops if op in ('LOAD_GLOBAL', 'LOAD_NAME')]
    return names == ['NotImplementedError'] and ops[-1][0] == 'RAISE_VARARGS'


def is_unanswered(fn: Callable = None) -> bool:
    """Whether ``fn``'s body is only ``...``, ``pass``, a docstring or ``raise NotImplementedError``.

    That is the template cell as stored: the learner has not answered yet. The source is read
    when there is one (a notebook cell has one), so that an explicit ``return None`` is an
    answer (a wrong one); without a source the bytecode decides, and there the two look alike.
    """
    if not callable(fn):
        raise bad_argument('exercises.is_unanswered', 'fn', '一个函数（例如 my_softmax）', fn)
    code = getattr(fn, '__code__', None)
    if code is None or code.co_name == '<lambda>':
        return False
    answer = _from_source(fn)
    return _from_bytecode(code) if answer is None else answer


def precheck(fn, func_name: str, params: Sequence[str]) -> Report | None:
    """A report when ``fn`` cannot be checked at all (not a function, no answer yet, the
    wrong parameters); None when the cases can run."""
    if isinstance(fn, torch.Tensor):
        return Report(False, 'not_function',
                      f'check 的参数 fn 应是函数本身，却收到了一个张量：请写成 check({func_name})，'
                      f'不要加括号和参数。')
    if not callable(fn):
        return Report(False, 'not_function',
                      f'check 的参数 fn 应是一个函数（例如 check({func_name})），'
                      f'却收到了 {type(fn).__name__}。')
    name = getattr(fn, '__name__', func_name)
    if is_unanswered(fn):
        return Report(False, 'unanswered',
                      f'还没有作答：在上面的单元格里写好 {name}，再运行本单元格。')
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        sig.bind(*params)
    except TypeError:
        shown = ', '.join(params)
        return Report(False, 'signature',
                      f'{name} 应该能这样调用：{name}({shown})，但它的参数是 {sig}。')
    return None
