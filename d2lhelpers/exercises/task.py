"""An exercise: run the learner's function on cases, compare with the reference, explain.

A :class:`Task` holds the reference function of the lesson, deterministic and seeded random
:class:`Case` s, and a list of :class:`Misconception` s (a known wrong implementation and the
hint that fits it). ``Task.check(fn)`` first computes the expected values (with the functions
as they were at import, see :mod:`.sandbox`), then runs ``fn`` on every case in the sandbox
(output captured, time limited, global state restored), reports the first failing case in
Chinese (input, expected, what came back) and, when the learner's results behave like one of
the known wrong implementations on every case, the hint for that misconception.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Sequence

import operator

import torch

from ..validation import class_indices
from .answers import is_unanswered, precheck
from .compare import close, has_data, identical, is_bad, same_behaviour
from .formatting import ArgumentError, bad_argument, fmt, no_more_arguments, short_error, shown_output
from .records import Case, Failure, Misconception, Outcome, Report, clone
import d2lhelpers.exercises.sandbox as sandbox   # its limits are read at call time (tests lower them)
from .sandbox import Budget, pristine, quiet_call, replaced_before

__all__ = ['Case', 'Misconception', 'Outcome', 'Failure', 'Report', 'Task', 'is_unanswered']


_GENERIC = [
    Misconception(
        'broadcast_mismatch',
        '形状对不上：两个张量在做逐元素运算时无法广播。检查求和、求最大值时是否沿着正确的维度，'
        '并用 keepdim=True 保留那一维，让 [n, 1] 能和 [n, q] 广播。',
        when=lambda f: f.kind == 'raised' and 'must match the size of tensor' in str(f.error)),
    Misconception(
        'python_if',
        '不能用 Python 的 if / and / or 判断一个有多个元素的张量：逐元素地在两种算法之间选择，'
        '用 torch.where(条件, 甲, 乙)。',
        when=lambda f: f.kind == 'raised' and 'Boolean value of Tensor' in str(f.error)),
    Misconception(
        'overflow',
        '结果里出现了 nan 或 inf，而期望值是有限的：多半是 exp 溢出了（float32 里 exp(89) 就已是 inf）。',
        when=lambda f: f.kind == 'nonfinite'),
]


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


_MISSING = object()     # check() called without the function


def _dtype(t: torch.Tensor) -> str:
    return str(t.dtype).replace('torch.', '')


class Task:
    """One exercise of a chapter: ``check(fn)``, ``hint()``, ``solution()``.

    Subclasses (or the keyword arguments) give the reference, the cases and the misconceptions;
    :meth:`judge` compares one outcome with the expected one and returns a :class:`Failure`.
    """

    def __init__(self, name: str, chapter: str, func_name: str, params: Sequence[str],
                 statement: str, reference: Callable, cases: Callable[[], list[Case]],
                 solution: str, hints: Sequence[str],
                 misconceptions: Sequence[Misconception] = (), success: str = '',
                 dtype_strict: bool = True, labels: Sequence[str] = ()):
        self.name, self.chapter, self.func_name = name, chapter, func_name
        self.params = tuple(params)
        # parameters that hold class indices: passed as int64 whatever dtype a case holds
        self.labels = tuple(labels)
        for p in (*self.params, *self.labels):
            if not isinstance(p, str) or not p.isidentifier():
                raise bad_argument('Task', 'params / labels', '参数名（字符串）的列表', p)
        if not set(self.labels) <= set(self.params):
            raise bad_argument('Task', 'labels', f'params {self.params} 中的参数名', self.labels)
        self.statement = statement
        self.reference = reference
        self._make_cases = cases
        self._cases: list[Case] | None = None
        self._wants: list[Outcome] | None = None
        self._wrong: dict[int, list[Outcome]] = {}
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
        return f'<练习 {self.name}（第 {self.chapter} 章）：写出 {self.func_name}>'

    def _where(self, method: str) -> str:
        return f'task({self.name!r}).{method}'

    def hint(self, level: int | None = None, *args, **kwargs) -> None:
        """Print the next hint (or hint number ``level``, counted from 1)."""
        no_more_arguments(self._where('hint'), args, kwargs, f'{self._where("hint")}() 或 '
                          f'{self._where("hint")}(1)')
        n = len(self.hints)
        if level is None:
            self._hint_level = min(self._hint_level + 1, n)
            level = self._hint_level
        else:
            expects = (f'提示的序号：1 到 {n} 之间的整数（或者不写，得到下一条提示，'
                       f'例如 {self._where("hint")}()）')
            try:
                if isinstance(level, bool) or getattr(level, 'ndim', 0) != 0:
                    raise TypeError
                number = operator.index(level)
            except TypeError:
                raise bad_argument(self._where('hint'), 'level', expects, level) from None
            if not 1 <= number <= n:
                raise bad_argument(self._where('hint'), 'level', expects, level)
            level = number
        last = '' if level < len(self.hints) else '（这是最后一条提示；还需要帮助就运行 .solution()。）'
        print(f'💡 提示 {level}/{len(self.hints)}：{self.hints[level - 1]}{last}')

    def solution(self, *args, **kwargs) -> None:
        """Print the chapter's teaching version of the function."""
        no_more_arguments(self._where('solution'), args, kwargs, f'{self._where("solution")}()')
        print(f'# 参考答案（第 {self.chapter} 章）\n{self.solution_source}', end='')

    def solution_function(self, *args, **kwargs) -> Callable:
        """The teaching solution as a function (executed from :attr:`solution_source`)."""
        no_more_arguments(self._where('solution_function'), args, kwargs,
                          f'{self._where("solution_function")}()')
        namespace: dict = {'torch': torch}
        exec(compile(self.solution_source, f'<solution {self.name}>', 'exec'), namespace)
        return namespace[self.func_name]

    # ----- cases, expectations and calls ----------------------------------------------
    @property
    def cases(self) -> list[Case]:
        if self._cases is None:
            with pristine():
                self._cases = self._make_cases()
        return self._cases

    def expectations(self, *args, **kwargs) -> list[Outcome]:
        """The reference's outcome on every case: computed once, before any learner code
        runs in a check, with the functions as they were at import."""
        no_more_arguments(self._where('expectations'), args, kwargs,
                          f'{self._where("expectations")}()')
        if self._wants is None:
            cases = self.cases
            with pristine():
                self._wants = [self.expected(c) for c in cases]
        return self._wants

    def wrong_outcomes(self, index: int) -> list[Outcome]:
        """The outcomes of misconception number ``index``'s wrong implementation (cached)."""
        if isinstance(index, bool) or not isinstance(index, int) \
                or not 0 <= index < len(self.misconceptions):
            raise bad_argument(self._where('wrong_outcomes'), 'index', f'误解的序号：0 到 '
                               f'{len(self.misconceptions) - 1} 之间的整数', index)
        if index not in self._wrong:
            wrong = self.misconceptions[index].wrong
            with pristine():
                self._wrong[index] = [self.call(wrong, c) for c in self.cases]
        return self._wrong[index]

    def arguments(self, case: Case, method: str = 'arguments') -> tuple:
        """Fresh arguments of ``case``; the :attr:`labels` parameters as int64 class indices
        (so a case's labels of any integer dtype give the same check as int64)."""
        if not isinstance(case, Case):
            raise bad_argument(self._where(method), 'case', f'一个用例（Case，例如 '
                               f'{self._where("cases")}[0]）', case)
        args = list(case.fresh())
        for p in self.labels:
            i = self.params.index(p)
            if i < len(args):
                try:
                    args[i] = class_indices(args[i], p)
                except ValueError as err:
                    raise ValueError(f'练习 {self.name} 的用例「{case.label}」的参数 {p} '
                                     f'不是类别下标：{err}') from None
        return tuple(args)

    def call(self, fn: Callable, case: Case, budget: Budget | None = None) -> Outcome:
        """Run ``fn`` on fresh arguments in the sandbox; note whether it changed its inputs."""
        if not callable(fn):
            raise bad_argument(self._where('call'), 'fn', '一个函数', fn)
        if budget is not None and not isinstance(budget, Budget):
            raise bad_argument(self._where('call'), 'budget', '一个 Budget 或 None', budget)
        args = self.arguments(case, 'call')
        before = [clone(a) for a in args]
        outcome = quiet_call(fn, args, budget)
        outcome.mutated = any(isinstance(a, torch.Tensor) and not identical(a, b)
                              for a, b in zip(args, before))
        return outcome

    def expected(self, case: Case) -> Outcome:
        return Outcome(value=self.reference(*self.arguments(case, 'expected')))

    def describe_inputs(self, case: Case) -> str:
        args = self.arguments(case, 'describe_inputs')
        return '；'.join(f'{p} = {fmt(a)}' for p, a in zip(self.params, args))

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
            extra = '，请用 torch 的运算（torch.exp、.sum 等）' if type(value).__module__ == 'numpy' else ''
            return Failure('type', f'{f} 应该返回一个 torch.Tensor，却返回了 '
                                   f'{type(value).__name__}{extra}。', show_got=False)
        if not has_data(value):
            where = ('在 meta 设备上' if value.device.type == 'meta' else
                     f'是 {str(value.layout).replace("torch.", "")} 张量')
            return Failure('device', f'{f} 返回的张量{where}，没有可读的数值：请直接用输入张量计算'
                                     f'（不要用 device="meta" 或稀疏张量）。', show_got=False)
        if value.device != exp.device:
            return Failure('device', f'输入在 {exp.device} 上，{f} 却返回了 {value.device} 上的张量。')
        if value.shape != exp.shape:
            return Failure('shape', f'{f} 应该返回形状 {tuple(exp.shape)} 的张量，'
                                    f'却返回了形状 {tuple(value.shape)}。')
        if exp.is_floating_point() and not value.is_floating_point():
            return Failure('dtype', f'{f} 应该返回浮点数张量，却返回了 {_dtype(value)} 类型的张量。')
        if self.dtype_strict and exp.is_floating_point() and value.dtype != exp.dtype:
            return Failure('dtype', f'输入是 {_dtype(exp)}，{f} 却返回了 {_dtype(value)} '
                                    f'的张量：结果应和输入的 dtype 一致。')
        if not close(value, exp):
            if is_bad(value) and not is_bad(exp):
                return Failure('nonfinite', f'{f} 的结果里出现了 nan 或 inf，期望值却是有限的。')
            return Failure('value', f'{f} 的结果与期望值不同。')
        if got.mutated:
            return Failure('mutated', f'结果是对的，但 {f} 修改了传进来的输入张量'
                                      f'（原地操作，如 x -= ... 或 x[...] = ...）：调用者的数据被改掉了，'
                                      f'请改写成 x = x - ... 这样生成新张量。', show_got=False)
        return None

    def _judge_common(self, got: Outcome) -> Failure | None:
        """Failures that do not depend on the value: stopped, raised, replaced functions."""
        f = self.func_name
        if got.timed_out:
            if got.time_limit >= sandbox.CALL_LIMIT:
                said = f'{f} 在 {got.time_limit:g} 秒内没有返回，检查停止了它'
            else:
                said = f'{f} 太慢了：全部用例合计的 {sandbox.TOTAL_LIMIT:g} 秒用完时它还没算完，检查停止了它'
            return Failure('timeout', f'{said}：是不是有一个停不下来的循环（while 的条件一直成立）？'
                                      f'这些用例都很小，正确的写法不到一秒就能算完。', show_got=False)
        if got.patched:
            names = '、'.join(got.patched[:4]) + ('等' if len(got.patched) > 4 else '')
            return Failure('patched', f'{f} 替换了 {names}（检查之后已恢复原样）：函数不应改动 torch 或 '
                                      f'd2lhelpers 里的函数，否则笔记本里后面的单元格都会算错。',
                           show_got=False)
        if got.error is not None:
            e = got.error
            msg = short_error(e)
            text = f'调用 {f} 时抛出了 {type(e).__name__}' + (f'：{msg}' if msg else '') + '。'
            return Failure('raised', text, show_got=False, error=e)
        if got.value is None:
            return Failure('none', f'{f} 返回了 None：是不是忘了 return，'
                                   f'或者 return 了一个没有返回值的调用（如 print(...)）？',
                           show_got=False)
        return None

    def _judge_safely(self, got: Outcome, want: Outcome, case: Case) -> Failure | None:
        """:meth:`judge`, where a value the comparison cannot handle fails the case."""
        try:
            return self.judge(got, want, case)
        except Exception as error:  # noqa: BLE001 -- an odd object must not crash the check
            return Failure('unjudgeable', f'无法检查 {self.func_name} 返回的 '
                                          f'{type(got.value).__name__}（{short_error(error)}）。',
                           show_got=False, error=error)

    # ----- the check -----------------------------------------------------------------
    def _one_function(self, method: str, fn, args: tuple, kwargs: dict) -> None:
        usage = f'{self._where(method)}({self.func_name})'
        if fn is _MISSING:
            raise ArgumentError(f'{self._where(method)} 需要一个参数 fn：你写的函数本身，'
                                f'这样调用：{usage}。')
        no_more_arguments(self._where(method), args, kwargs, usage)

    def diagnose(self, fn=_MISSING, *args, **kwargs) -> Report:
        """Run every case; return a :class:`Report` (the check prints its message)."""
        self._one_function('diagnose', fn, args, kwargs)
        first = precheck(fn, self.func_name, self.params)
        if first is not None:
            return first
        with _one_thread(), sandbox.other_random_states():
            return self._run(fn)

    def _run(self, fn) -> Report:
        replaced = replaced_before()
        wants = self.expectations()          # before the learner's code runs
        budget = Budget()
        outcomes: list[Outcome] = []
        for case in self.cases:
            outcomes.append(self.call(fn, case, budget))
            if outcomes[-1].timed_out:
                break
        name = getattr(fn, '__name__', self.func_name)
        notes = self._notes(name, outcomes, replaced)
        for i, (case, got, want) in enumerate(zip(self.cases, outcomes, wants)):
            failure = self._judge_safely(got, want, case)
            if failure is not None:
                return self._report(i, failure, got, want, outcomes, wants, notes)
        note = f'（{self.success}）' if self.success else ''
        lines = [f'✅ 正确！{name} 通过了全部 {len(self.cases)} 个用例{note}。', *notes]
        return Report(True, 'passed', '\n'.join(lines))

    def check(self, fn=_MISSING, *args, **kwargs) -> bool:
        """Check the learner's function; print ✅ or a diagnosis; return True or False."""
        self._one_function('check', fn, args, kwargs)
        report = self.diagnose(fn)
        print(report.message)
        return report.passed

    @staticmethod
    def _notes(name: str, outcomes: list[Outcome], replaced: list[str]) -> list[str]:
        """Lines on what the check noticed besides the values."""
        notes = []
        printed = sum(o.output_chars for o in outcomes)
        if printed:
            notes.append(f'ℹ️ {name} 在检查中打印了 {printed} 个字符，没有显示。')
        settings = sorted({s for o in outcomes for s in o.settings})
        if settings:
            notes.append(f'ℹ️ {name} 调用了 {"、".join(settings)}，改动了全局设置；'
                         f'检查之后已恢复原样。')
        if replaced:
            names = '、'.join(replaced[:4]) + ('等' if len(replaced) > 4 else '')
            notes.append(f'⚠️ 在这次检查之前，{names} 已被替换（不再是导入时的函数）；'
                         f'期望值仍用原来的函数计算。想恢复，请重启内核。')
        return notes

    def _report(self, i: int, failure: Failure, got: Outcome, want: Outcome,
                outcomes: list[Outcome], wants: list[Outcome], notes: list[str]) -> Report:
        case = self.cases[i]
        lines = [f'❌ {failure.headline}', f'   用例 {i + 1}/{len(self.cases)}：{case.label}',
                 f'   输入：{self.describe_inputs(case)}',
                 f'   期望：{self.describe_value(want.value)}']
        if failure.show_got:
            lines.append(f'   得到：{self.describe_value(got.value)}')
        if got.output_chars:
            lines.append(f'   它打印了：{shown_output(got.output, got.output_chars)}')
        notes = [n for n in notes if '在检查中打印了' not in n]
        m = None if failure.kind in ('timeout', 'patched') else self.identify(i, failure, outcomes)
        if m is not None:
            lines.append(f'💡 {m.hint}')
        return Report(False, failure.kind, '\n'.join(lines + notes), m.key if m else None, i)

    def identify(self, i: int, failure: Failure, outcomes: list[Outcome]) -> Misconception | None:
        """The misconception that explains the learner's outcomes, if any.

        A known wrong implementation matches when it behaves like the learner's function on
        every case (both raise, or both return the same value up to a loose tolerance): a
        match on the failing case alone is not enough (subtracting the row mean and the row
        minimum overflow on the same case, but not on every case). Otherwise the first rule
        (``when``) that recognises the failure gives the hint.
        """
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.cases):
            raise bad_argument(self._where('identify'), 'i', f'用例的序号：0 到 '
                               f'{len(self.cases) - 1} 之间的整数', i)
        wants = self.expectations()
        for index, m in enumerate(self.misconceptions):
            if m.wrong is None:
                continue
            cand = self.wrong_outcomes(index)
            if not all(same_behaviour(a, b) for a, b in zip(cand, outcomes)):
                continue
            if any(c.error is None and self._judge_safely(c, w, case) is not None
                   for c, w, case in zip(cand, wants, self.cases)):
                return m
        for m in [*self.misconceptions, *_GENERIC]:
            if m.when is not None and m.when(failure):
                return m
        return None
