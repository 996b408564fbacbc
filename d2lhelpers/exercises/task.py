"""An exercise: run the learner's function on cases, compare with the reference, explain.

A :class:`Task` holds the reference function of the lesson, deterministic and seeded random
:class:`Case` s, and a list of :class:`Misconception` s (a known wrong implementation and the
hint that fits it). ``Task.check(fn)`` runs ``fn`` on every case, reports the first failing one
in Chinese (input, expected, what came back) and, when the learner's results behave like one of
the known wrong implementations, the hint for that misconception.
"""
from __future__ import annotations

import dis
import inspect
import math
import numbers
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import torch

from .formatting import fmt

__all__ = ['Case', 'Misconception', 'Outcome', 'Failure', 'Report', 'Task', 'is_unanswered']


@dataclass
class Case:
    """One input for the learner's function. ``build`` (if given) makes fresh arguments."""
    label: str
    args: tuple = ()
    build: Callable[[], tuple] | None = None

    def fresh(self) -> tuple:
        """New copies of the arguments, so that no call can change another call's input."""
        if self.build is not None:
            return self.build()
        return tuple(_clone(a) for a in self.args)


def _clone(x):
    if isinstance(x, torch.Tensor):
        return x.detach().clone()
    if isinstance(x, list):
        return [_clone(v) for v in x]
    if isinstance(x, tuple):
        return tuple(_clone(v) for v in x)
    return x


@dataclass
class Misconception:
    """A known mistake. ``wrong`` implements it; ``when`` recognises it from a failure."""
    key: str
    hint: str
    wrong: Callable | None = None
    when: Callable[['Failure'], bool] | None = None


@dataclass
class Outcome:
    """What one call did: the value it returned (or the state it left), or the exception."""
    value: Any = None
    error: BaseException | None = None
    mutated: bool = False


@dataclass
class Failure:
    """Why a case failed: ``kind`` is one of raised/none/type/shape/dtype/value/nonfinite/
    mutated/unchanged/grad; ``headline`` is one Chinese sentence."""
    kind: str
    headline: str
    show_got: bool = True
    error: BaseException | None = None


@dataclass
class Report:
    """The result of a check: whether it passed, the message printed, the hint id if any."""
    passed: bool
    kind: str
    message: str
    hint_key: str | None = None
    case_index: int | None = None


_GENERIC = [
    Misconception(
        'broadcast_mismatch',
        '形状对不上:两个张量在做逐元素运算时无法广播。检查求和、求最大值时是否沿着正确的维度,'
        '并用 keepdim=True 保留那一维,让 [n, 1] 能和 [n, q] 广播。',
        when=lambda f: f.kind == 'raised' and 'must match the size of tensor' in str(f.error)),
    Misconception(
        'python_if',
        '不能用 Python 的 if / and / or 判断一个有多个元素的张量:逐元素地在两种算法之间选择,'
        '用 torch.where(条件, 甲, 乙)。',
        when=lambda f: f.kind == 'raised' and 'Boolean value of Tensor' in str(f.error)),
    Misconception(
        'overflow',
        '结果里出现了 nan 或 inf,而期望值是有限的:多半是 exp 溢出了(float32 里 exp(89) 就已是 inf)。',
        when=lambda f: f.kind == 'nonfinite'),
]


def is_unanswered(fn: Callable) -> bool:
    """Whether ``fn``'s body is only ``...``, ``pass``, a docstring or ``raise NotImplementedError``.

    That is the template cell as stored: the learner has not answered yet.
    """
    code = getattr(fn, '__code__', None)
    if code is None:
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code)
           if i.opname not in ('RESUME', 'NOP', 'CACHE', 'PRECALL')]
    empty = [[('LOAD_CONST', None), ('RETURN_VALUE', None)], [('RETURN_CONST', None)]]
    if ops in empty:
        return True
    names = [arg for op, arg in ops if op in ('LOAD_GLOBAL', 'LOAD_NAME')]
    return names == ['NotImplementedError'] and ops[-1][0] == 'RAISE_VARARGS'


def _short(error: BaseException) -> str:
    """The first line of an exception message, at most 160 characters."""
    text = str(error).strip().splitlines()[0].rstrip('.。 ') if str(error).strip() else ''
    return text if len(text) <= 160 else text[:157] + '…'


def _identical(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Same shape, dtype and entries (nan equal to nan)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    same = a == b
    if a.is_floating_point():
        same |= a.isnan() & b.isnan()
    return bool(same.all())


@contextmanager
def _one_thread():
    """Run tiny tensor operations on one thread: with several threads, each reduction on a
    busy machine waits milliseconds for the others (a check then takes seconds)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _is_bad(t: torch.Tensor) -> bool:
    return t.is_floating_point() and not bool(torch.isfinite(t).all())


def close(a: torch.Tensor, b: torch.Tensor, loose: bool = False) -> bool:
    """Same shape and close values (tolerance by dtype); nan matches nan, inf matches inf."""
    if a.shape != b.shape:
        return False
    a64, b64 = a.detach().double().cpu(), b.detach().double().cpu()
    low = torch.float32 in (a.dtype, b.dtype) or loose
    rtol, atol = (1e-4, 1e-5) if low else (1e-7, 1e-10)
    return bool(torch.allclose(a64, b64, rtol=rtol, atol=atol, equal_nan=True))


def same_behaviour(a: Outcome, b: Outcome) -> bool:
    """Whether two outcomes look alike: both raised, or equal values (loose tolerance)."""
    if a.error is not None or b.error is not None:
        return a.error is not None and b.error is not None
    return _same_value(a.value, b.value)


def _same_value(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    a, b = (x.item() if isinstance(x, torch.Tensor) and x.dim() == 0 and
            not isinstance(y, torch.Tensor) else x for x, y in ((a, b), (b, a)))
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.is_floating_point() == b.is_floating_point() and close(a, b, loose=True)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or (a != a and b != b)
    return a is None and b is None


class Task:
    """One exercise of a chapter: ``check(fn)``, ``hint()``, ``solution()``.

    Subclasses (or the keyword arguments) give the reference, the cases and the misconceptions;
    :meth:`judge` compares one outcome with the expected one and returns a :class:`Failure`.
    """

    def __init__(self, name: str, chapter: str, func_name: str, params: Sequence[str],
                 statement: str, reference: Callable, cases: Callable[[], list[Case]],
                 solution: str, hints: Sequence[str],
                 misconceptions: Sequence[Misconception] = (), success: str = '',
                 dtype_strict: bool = True):
        self.name, self.chapter, self.func_name = name, chapter, func_name
        self.params = tuple(params)
        self.statement = statement
        self.reference = reference
        self._make_cases = cases
        self._cases: list[Case] | None = None
        self.solution_source = solution.strip('\n') + '\n'
        self.hints = list(hints)
        self.misconceptions = list(misconceptions)
        self.success = success
        self.dtype_strict = dtype_strict
        self._hint_level = 0

    # ----- what the chapters show -----------------------------------------------------
    @property
    def template(self) -> str:
        """The code cell the learner starts from (it runs, and returns None)."""
        return (f'def {self.func_name}({", ".join(self.params)}):\n'
                f'    # 在这里写你的代码\n    ...\n')

    def __repr__(self) -> str:
        return f'<练习 {self.name}(第 {self.chapter} 章):写出 {self.func_name}>'

    def hint(self, level: int | None = None) -> None:
        """Print the next hint (or hint number ``level``, counted from 1)."""
        if level is None:
            self._hint_level = min(self._hint_level + 1, len(self.hints))
            level = self._hint_level
        level = max(1, min(int(level), len(self.hints)))
        last = '' if level < len(self.hints) else '(这是最后一条提示;还需要帮助就运行 .solution()。)'
        print(f'💡 提示 {level}/{len(self.hints)}:{self.hints[level - 1]}{last}')

    def solution(self) -> None:
        """Print the chapter's teaching version of the function."""
        print(f'# 参考答案(第 {self.chapter} 章)\n{self.solution_source}', end='')

    def solution_function(self) -> Callable:
        """The teaching solution as a function (executed from :attr:`solution_source`)."""
        namespace: dict = {'torch': torch}
        exec(compile(self.solution_source, f'<solution {self.name}>', 'exec'), namespace)
        return namespace[self.func_name]

    # ----- cases and calls ---------------------------------------------------------
    @property
    def cases(self) -> list[Case]:
        if self._cases is None:
            self._cases = self._make_cases()
        return self._cases

    def call(self, fn: Callable, case: Case) -> Outcome:
        """Run ``fn`` on fresh arguments; note whether it changed its tensor inputs."""
        args = case.fresh()
        before = [_clone(a) for a in args]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                value = fn(*args)
        except Exception as error:  # noqa: BLE001 -- any learner error becomes one sentence
            return Outcome(error=error)
        mutated = any(isinstance(a, torch.Tensor) and not _identical(a, b)
                      for a, b in zip(args, before))
        return Outcome(value=value, mutated=mutated)

    def expected(self, case: Case) -> Outcome:
        return Outcome(value=self.reference(*case.fresh()))

    def describe_inputs(self, case: Case) -> str:
        args = case.fresh()
        return ',  '.join(f'{p} = {fmt(a)}' for p, a in zip(self.params, args))

    def describe_value(self, value) -> str:
        return fmt(value)

    # ----- judging one outcome -------------------------------------------------------
    def judge(self, got: Outcome, want: Outcome, case: Case) -> Failure | None:
        """Compare a tensor-returning function's outcome with the expected tensor."""
        f = self.func_name
        failure = self._judge_common(got)
        if failure is not None:
            return failure
        value, exp = got.value, want.value
        if not isinstance(value, torch.Tensor):
            extra = ',请用 torch 的运算(torch.exp、.sum 等)' if type(value).__module__ == 'numpy' else ''
            return Failure('type', f'{f} 应该返回一个 torch.Tensor,却返回了 '
                                   f'{type(value).__name__}{extra}。', show_got=False)
        if value.shape != exp.shape:
            return Failure('shape', f'{f} 应该返回形状 {tuple(exp.shape)} 的张量,'
                                    f'却返回了形状 {tuple(value.shape)}。')
        if exp.is_floating_point() and not value.is_floating_point():
            return Failure('dtype', f'{f} 应该返回浮点数张量,却返回了 '
                                    f'{str(value.dtype).replace("torch.", "")} 类型的张量。')
        if self.dtype_strict and exp.is_floating_point() and value.dtype != exp.dtype:
            return Failure('dtype', f'输入是 {str(exp.dtype).replace("torch.", "")},'
                                    f'{f} 却返回了 {str(value.dtype).replace("torch.", "")} '
                                    f'的张量:结果应和输入的 dtype 一致。')
        if not close(value, exp):
            if _is_bad(value) and not _is_bad(exp):
                return Failure('nonfinite', f'{f} 的结果里出现了 nan 或 inf,期望值却是有限的。')
            return Failure('value', f'{f} 的结果与期望值不同。')
        if got.mutated:
            return Failure('mutated', f'结果是对的,但 {f} 修改了传进来的输入张量'
                                      f'(原地操作,如 x -= ... 或 x[...] = ...):调用者的数据被改掉了,'
                                      f'请改写成 x = x - ... 这样生成新张量。', show_got=False)
        return None

    def _judge_common(self, got: Outcome) -> Failure | None:
        f = self.func_name
        if got.error is not None:
            e = got.error
            msg = _short(e)
            text = f'调用 {f} 时抛出了 {type(e).__name__}' + (f':{msg}' if msg else '') + '。'
            return Failure('raised', text, show_got=False, error=e)
        if got.value is None:
            return Failure('none', f'{f} 返回了 None,是不是忘了 return?', show_got=False)
        return None

    # ----- the check -----------------------------------------------------------------
    def diagnose(self, fn) -> Report:
        """Run every case; return a :class:`Report` (the check prints its message)."""
        first = self._precheck(fn)
        if first is not None:
            return first
        with _one_thread():
            return self._run(fn)

    def _run(self, fn) -> Report:
        outcomes = [self.call(fn, c) for c in self.cases]
        wants = [self.expected(c) for c in self.cases]
        for i, (case, got, want) in enumerate(zip(self.cases, outcomes, wants)):
            failure = self.judge(got, want, case)
            if failure is not None:
                return self._report(i, failure, got, want, outcomes, wants)
        name = getattr(fn, '__name__', '你的函数')
        note = f'({self.success})' if self.success else ''
        return Report(True, 'passed', f'✅ 正确!{name} 通过了全部 {len(self.cases)} 个用例{note}。')

    def check(self, fn) -> bool:
        """Check the learner's function; print ✅ or a diagnosis; return True or False."""
        report = self.diagnose(fn)
        print(report.message)
        return report.passed

    def _precheck(self, fn) -> Report | None:
        if isinstance(fn, torch.Tensor):
            return Report(False, 'not_function',
                          f'check 需要的是函数本身,却收到了一个张量:请写成 check({self.func_name}),'
                          f'不要加括号和参数。')
        if not callable(fn):
            return Report(False, 'not_function',
                          f'check 需要一个函数(例如 check({self.func_name})),'
                          f'却收到了 {type(fn).__name__}。')
        name = getattr(fn, '__name__', self.func_name)
        if is_unanswered(fn):
            return Report(False, 'unanswered',
                          f'还没有作答:在上面的单元格里写好 {name},再运行本单元格。')
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            return None
        try:
            sig.bind(*self.params)
        except TypeError:
            shown = ', '.join(self.params)
            return Report(False, 'signature',
                          f'{name} 应该能这样调用:{name}({shown}),'
                          f'但它的参数是 {sig}。')
        return None

    def _report(self, i: int, failure: Failure, got: Outcome, want: Outcome,
                outcomes: list[Outcome], wants: list[Outcome]) -> Report:
        case = self.cases[i]
        lines = [f'❌ {failure.headline}', f'   用例 {i + 1}/{len(self.cases)}:{case.label}',
                 f'   输入:{self.describe_inputs(case)}',
                 f'   期望:{self.describe_value(want.value)}']
        if failure.show_got:
            lines.append(f'   得到:{self.describe_value(got.value)}')
        m = self.identify(i, failure, outcomes, wants)
        if m is not None:
            lines.append(f'💡 {m.hint}')
        return Report(False, failure.kind, '\n'.join(lines), m.key if m else None, i)

    def identify(self, i: int, failure: Failure, outcomes: list[Outcome],
                 wants: list[Outcome]) -> Misconception | None:
        """The misconception that explains the learner's outcomes best, if any.

        A wrong implementation matches when it behaves like the learner's function on the
        failing case and, on some case where it returns a wrong value, returns the same value.
        """
        best, best_score = None, -1
        for m in self.misconceptions:
            if m.wrong is None:
                continue
            first = self.call(m.wrong, self.cases[i])
            if not same_behaviour(first, outcomes[i]):
                continue
            cand = [first if j == i else self.call(m.wrong, c) for j, c in enumerate(self.cases)]
            evidence = any(
                cand[j].error is None and same_behaviour(cand[j], outcomes[j])
                and self.judge(cand[j], wants[j], c) is not None
                for j, c in enumerate(self.cases))
            if not evidence:
                continue
            score = sum(same_behaviour(a, b) for a, b in zip(cand, outcomes))
            if score > best_score:
                best, best_score = m, score
        if best is not None:
            return best
        for m in [*self.misconceptions, *_GENERIC]:
            if m.when is not None and m.when(failure):
                return m
        return None
