"""Tests of d2lhelpers.exercises: learner exercises with check / hint / solution (issues 13, 18).

Every task list here is derived from ``TASKS``. The expected values are compared with an
independent oracle written in plain Python (``math`` on lists), not with the reference the
checker uses. The learner functions are the 150 probes of ``tests/probe_exercises.py``: each
must get the verdict and hint a careful teacher would give ("clear"). The regression tests of
issue 18 are marked ``# issue 18`` and fail on the checker as it was before (commit 703b15e).
"""
from __future__ import annotations

import json
import math
import random
import shutil
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import d2lhelpers
from d2lhelpers import exercises
from d2lhelpers.exercises import TASKS, is_unanswered, sandbox, task
from d2lhelpers.exercises.compare import close, same_value
from d2lhelpers.exercises.formatting import fmt
from tests import probe_exercises as probes
from tools import exercise_cells

BOOK = Path(__file__).resolve().parent.parent
NAMES = list(TASKS)
torch.set_num_threads(1)


@pytest.fixture
def short_limits(monkeypatch):
    """A per-call limit short enough for a test of an endless loop (a correct call takes
    milliseconds; the total stays long, so that a busy machine cannot make a check fail)."""
    monkeypatch.setattr(sandbox, 'CALL_LIMIT', 0.3)


def template_function(t):
    """The function the chapter's untouched template cell defines."""
    namespace: dict = {}
    exec(t.template, namespace)
    return namespace[t.func_name]


# ----- the tasks ------------------------------------------------------------------------------

def test_every_task_is_found_by_its_name():
    assert NAMES and len(set(NAMES)) == len(NAMES)
    for name, t in TASKS.items():
        assert task(name) is t and t.name == name
        assert t.func_name == f'my_{name}'
        assert f'第 {t.chapter} 章' in t.statement
        assert len(t.hints) >= 2
        assert sorted(BOOK.glob(f'chapters/{t.chapter}_*.ipynb')), t.chapter


def test_unknown_task_name_lists_the_names():
    with pytest.raises(ValueError) as err:
        task('softmaxx')
    for name in NAMES:
        assert name in str(err.value)
    with pytest.raises(TypeError):
        task(3)


# ----- the expected values, against an independent oracle ----------------------------------------

def _rows(t):
    return t.tolist()


def _softmax(row):
    m = max(row)
    e = [math.exp(v - m) for v in row]
    return [v / sum(e) for v in e]


def _nested(f, *xs):
    if isinstance(xs[0], list):
        return [_nested(f, *parts) for parts in zip(*xs)]
    return f(*xs)


def _huber(yh, y, d):
    e = abs(y - yh)
    return e * e / 2 if e <= d else d * (e - d / 2)


def oracle(name: str, args: tuple):
    """The expected value of task ``name`` on ``args``, computed with ``math`` on lists."""
    if name == 'one_hot':
        y, q = args
        return [[1.0 if j == c else 0.0 for j in range(q)] for c in y.tolist()]
    if name in ('softmax', 'stable_softmax'):
        return [_softmax(r) for r in _rows(args[0])]
    if name == 'log_sum_exp':
        return [max(r) + math.log(sum(math.exp(v - max(r)) for v in r)) for r in _rows(args[0])]
    if name == 'l2_loss':
        return _nested(lambda a, b: (a - b) ** 2 / 2, _rows(args[0]), _rows(args[1]))
    if name == 'huber_loss':
        return _nested(lambda a, b: _huber(a, b, args[2]), _rows(args[0]), _rows(args[1]))
    if name == 'huber_grad':
        d = args[2]
        return _nested(lambda a, b: min(max(a - b, -d), d), _rows(args[0]), _rows(args[1]))
    if name == 'cross_entropy':
        P, y = _rows(args[0]), args[1].tolist()
        return [-math.log(P[i][c]) for i, c in enumerate(y)]
    if name == 'accuracy':
        rows, y = _rows(args[0]), args[1].tolist()
        return float(sum(r.index(max(r)) == c for r, c in zip(rows, y)))   # first maximum
    if name == 'float_images':
        return [[[[v / 255 for v in row] for row in img]] for img in args[0].tolist()]
    if name == 'sgd':
        params, lr, bs = args
        return [_nested(lambda p, g: p - lr * g / bs, _rows(p.detach()), _rows(p.grad))
                for p in params]
    raise KeyError(name)


def _flat(x):
    if isinstance(x, list):
        return [v for part in x for v in _flat(part)]
    return [x]


def _close_lists(a, b, rel=2e-5, abs_=1e-6):
    a, b = _flat(a), _flat(b)
    return len(a) == len(b) and all(math.isclose(u, v, rel_tol=rel, abs_tol=abs_) for u, v in zip(a, b))


@pytest.mark.parametrize('name', NAMES)
def test_expected_values_agree_with_an_independent_oracle(name):
    t = task(name)
    for case, want in zip(t.cases, t.expectations()):
        expected = oracle(name, case.fresh())
        got = want.value
        if name == 'sgd':
            assert all(got.zeroed) and all(got.trainable), case.label
            assert _close_lists([v.tolist() for v in got.values], expected), case.label
        elif name == 'accuracy':
            assert got == expected, case.label
        else:
            assert _close_lists(got.tolist(), expected), case.label


@pytest.mark.parametrize('name', NAMES)
def test_teaching_solution_passes(name, capsys):
    t = task(name)
    assert t.check(t.solution_function()) is True
    out = capsys.readouterr().out
    assert out == f'✅ 正确！{t.func_name} 通过了全部 {len(t.cases)} 个用例（{t.success}）。\n'


@pytest.mark.parametrize('name', NAMES)
def test_solution_prints_the_source_that_is_checked(name, capsys):
    t = task(name)
    t.solution()
    out = capsys.readouterr().out
    assert out == f'# 参考答案（第 {t.chapter} 章）\n{t.solution_source}'
    assert f'def {t.func_name}(' in out
    assert 'd2lhelpers' not in out            # the learner sees plain torch code


# ----- the probes: right verdict, right hint, nothing left changed ------------------------------

@pytest.mark.parametrize('p', probes.P, ids=[f'{p.task}-{p.name}' for p in probes.P])
def test_probe_is_judged_clearly(p, monkeypatch):
    if 'loop' in p.name or 'slow' in p.name:
        monkeypatch.setattr(sandbox, 'CALL_LIMIT', 0.3)
    label, detail = probes.classify(p)
    assert label == 'clear', detail


def test_probes_cover_every_task_both_ways():
    for name in NAMES:
        verdicts = {p.verdict for p in probes.P if p.task == name}
        assert verdicts == {'pass', 'fail'}, name


@pytest.mark.parametrize('name', NAMES)
def test_every_listed_misconception_is_recognised(name):
    """Internal consistency: each known wrong implementation gets its own hint."""
    t = task(name)
    wrongs = [m for m in t.misconceptions if m.wrong is not None]
    assert wrongs
    t.diagnose(t.reference)                                  # caches filled
    for m in wrongs:
        start = time.perf_counter()
        report = t.diagnose(m.wrong)
        assert time.perf_counter() - start < 3.0             # at once (~0.1 s; busy machines)
        assert not report.passed and report.hint_key == m.key, (m.key, report.message)


# ----- before the learner writes anything ---------------------------------------------------------

@pytest.mark.parametrize('name', NAMES)
def test_untouched_template_prints_one_calm_line(name, capsys):
    t = task(name)
    fn = template_function(t)
    assert fn(*([None] * len(t.params))) is None          # the stored cell runs
    assert t.check(fn) is False
    assert t.check(fn) is False                            # the same text on every run
    out = capsys.readouterr().out
    assert out == f'还没有作答：在上面的单元格里写好 {t.func_name}，再运行本单元格。\n' * 2
    assert t.template.startswith(f'def {t.func_name}({", ".join(t.params)}):\n')
    assert t.template.rstrip().endswith('...')


def _pass_body(O):
    pass


def _docstring_only(O):
    """我的 softmax。"""


def _not_implemented(O):
    raise NotImplementedError('还没写')


def _explicit_return_none(O):
    return None


@pytest.mark.parametrize('fn', [_pass_body, _docstring_only, _not_implemented])
def test_other_empty_bodies_count_as_not_answered(fn):
    assert is_unanswered(fn)
    assert task('softmax').diagnose(fn).kind == 'unanswered'


def test_explicit_return_none_is_an_answer():                         # issue 18
    assert not is_unanswered(_explicit_return_none)
    report = task('softmax').diagnose(_explicit_return_none)
    assert report.kind == 'none' and '返回了 None' in report.message


def test_without_source_the_bytecode_decides():
    namespace: dict = {}
    exec('def f(O):\n    ...\n', namespace)           # no file: inspect cannot read it
    assert is_unanswered(namespace['f'])
    assert not is_unanswered(lambda O: None)


def test_forgotten_return_is_not_the_same_as_not_answered():
    def my_softmax(O):
        O_exp = torch.exp(O)
        O_exp / O_exp.sum(dim=1, keepdim=True)

    report = task('softmax').diagnose(my_softmax)
    assert report.kind == 'none'
    assert report.message.startswith('❌ my_softmax 返回了 None：是不是忘了 return')


# ----- one readable sentence for broken functions ---------------------------------------------------

def test_non_function_gets_one_sentence(capsys):
    assert task('softmax').check(42) is False
    assert capsys.readouterr().out == 'check 的参数 fn 应是一个函数（例如 check(my_softmax)），却收到了 int。\n'
    report = task('softmax').diagnose(torch.ones(2, 3))     # check(my_softmax(O))
    assert report.kind == 'not_function' and '不要加括号' in report.message
    assert report.message.count('\n') == 0


def test_function_that_raises_gets_the_exception_in_one_sentence():
    def my_log_sum_exp(O):
        raise ValueError('something went wrong\nsecond line')

    report = task('log_sum_exp').diagnose(my_log_sum_exp)
    first = report.message.splitlines()[0]
    assert report.kind == 'raised'
    assert first == '❌ 调用 my_log_sum_exp 时抛出了 ValueError：something went wrong。'
    assert 'Traceback' not in report.message and 'second line' not in report.message
    assert '输入：O = [[1, 2, 3], [0, 0, 0]]' in report.message


def test_wrong_shape_gets_one_sentence_with_both_shapes():
    report = task('softmax').diagnose(lambda O: torch.exp(O)[:, :1])
    assert report.kind == 'shape'
    assert report.message.splitlines()[0] == \
        '❌ my_softmax 应该返回形状 (2, 3) 的张量，却返回了形状 (2, 1)。'


def test_wrong_signature_gets_one_sentence():
    def my_huber_loss(y_hat, y):
        return (y_hat - y) ** 2 / 2

    report = task('huber_loss').diagnose(my_huber_loss)
    assert report.kind == 'signature'
    assert report.message == ('my_huber_loss 应该能这样调用：my_huber_loss(y_hat, y, delta)，'
                              '但它的参数是 (y_hat, y)。')


def test_wrong_dtype_is_named():
    report = task('softmax').diagnose(lambda O: torch.softmax(O.float(), dim=1))
    assert report.kind == 'dtype'
    assert '输入是 float64' in report.message and '却返回了 float32' in report.message


def test_failure_report_shows_input_expected_and_got():
    t = task('l2_loss')
    lines = t.diagnose(lambda y_hat, y: (y_hat - y) ** 2).message.splitlines()
    # inputs [2.5, 0, 2, 8] and [3, -0.5, 2, 7]: ½ e² = 0.125, 0.125, 0, 0.5 (by hand)
    assert lines == [
        '❌ my_l2_loss 的结果与期望值不同。',
        f'   用例 1/{len(t.cases)}：4 个预测值',
        '   输入：y_hat = [2.5, 0, 2, 8]（形状 (4,)）；y = [3, -0.5, 2, 7]（形状 (4,)）',
        '   期望：[0.125, 0.125, 0, 0.5]（形状 (4,)）',
        '   得到：[0.25, 0.25, 0, 1]（形状 (4,)）',
        '💡 结果正好是期望值的 2 倍：忘了 ½。本书的 L2 损失是 ½ e²，这样它的梯度正好是 ŷ − y。',
    ]


def test_unrecognised_wrong_answer_gets_no_misleading_hint():
    report = task('l2_loss').diagnose(lambda y_hat, y: (y_hat - y) ** 2 / 3)
    assert report.kind == 'value' and report.hint_key is None
    assert '💡' not in report.message


def test_overflow_without_a_known_cause_gets_the_generic_overflow_hint():
    def my_stable_softmax(O):
        return torch.where(O > 500, torch.inf, torch.softmax(O, dim=1))

    report = task('stable_softmax').diagnose(my_stable_softmax)
    assert report.kind == 'nonfinite' and report.hint_key == 'overflow'
    assert '得到：[[inf, 0]]' in report.message


# ----- issue 18: what the checker must not be fooled by ---------------------------------------------

def _sgd_rebinding_slots(params, lr, batch_size):
    for i, p in enumerate(params):
        params[i] = (p - lr * p.grad / batch_size).detach().requires_grad_()


def test_sgd_is_judged_by_the_tensors_training_holds():                # issue 18
    report = task('sgd').diagnose(_sgd_rebinding_slots)
    assert report.kind == 'rebound' and report.hint_key == 'rebind_slots'
    # with it, a real training step leaves W as it was
    W = torch.zeros(3, 2, requires_grad=True)
    (W.sum() * 2).backward()
    _sgd_rebinding_slots([W], 0.1, 1)
    assert bool((W == 0).all())


def test_sgd_that_empties_the_list_after_updating_passes():            # issue 18
    def my_sgd(params, lr, batch_size):
        d2lhelpers.sgd(params, lr, batch_size)
        params.clear()

    assert task('sgd').diagnose(my_sgd).passed


def test_sgd_that_leaves_parameters_without_gradients_fails():         # issue 18
    def my_sgd(params, lr, batch_size):
        d2lhelpers.sgd(params, lr, batch_size)
        for p in params:
            p.requires_grad_(False)

    assert task('sgd').diagnose(my_sgd).kind == 'requires_grad'


@pytest.mark.parametrize('value', [True, False])
def test_accuracy_returning_a_python_bool_is_judged_not_crashed(value):  # issue 18
    report = task('accuracy').diagnose(lambda y_hat, y: value)
    assert report.kind == 'type' and '却返回了 bool' in report.message


def test_accuracy_cases_hold_ties_and_counting_ties_fails():           # issue 18
    t = task('accuracy')
    tied = [c for c in t.cases
            if any(r.count(max(r)) > 1 for r in c.fresh()[0].tolist())]
    assert len(tied) >= 2

    def my_accuracy(y_hat, y):
        best = y_hat.max(dim=1, keepdim=True).values
        return float((y_hat == best)[range(len(y)), y].sum())

    report = t.diagnose(my_accuracy)
    assert report.hint_key == 'ties_counted'


def test_argmin_in_accuracy_is_told_argmin():                            # issue 18
    report = task('accuracy').diagnose(lambda y_hat, y: float((y_hat.argmin(1) == y).sum()))
    assert report.hint_key == 'argmin' and 'argmax' in report.message.splitlines()[-1]


def test_subtracting_the_row_mean_is_not_told_row_minimum():            # issue 18
    def my_stable_softmax(O):
        E = torch.exp(O - O.mean(dim=1, keepdim=True))
        return E / E.sum(dim=1, keepdim=True)

    report = task('stable_softmax').diagnose(my_stable_softmax)
    assert report.hint_key == 'subtract_mean' and '平均值' in report.message


def test_patching_torch_exp_does_not_pass_and_is_undone():               # issue 18
    exp, softmax = torch.exp, d2lhelpers.softmax

    def my_softmax(O):
        torch.exp = lambda x: torch.ones_like(x)
        d2lhelpers.softmax = lambda X, dim=1: torch.ones_like(X) / X.shape[1]
        E = torch.exp(O)
        return E / E.sum(dim=1, keepdim=True)

    report = task('softmax').diagnose(my_softmax)
    assert report.kind == 'patched' and 'torch.exp' in report.message
    assert 'd2lhelpers.softmax' in report.message
    assert torch.exp is exp and d2lhelpers.softmax is softmax
    assert torch.allclose(d2lhelpers.softmax(torch.tensor([[0.0, math.log(3)]])),
                          torch.tensor([[0.25, 0.75]]))


def test_a_function_replaced_before_the_check_does_not_change_the_expectations():  # issue 18
    softmax = task('softmax')
    fresh = exercises.Task(name='demo', chapter='02', func_name='my_softmax', params=('O',),
                           statement='第 02 章', reference=softmax.reference,
                           cases=softmax._make_cases, solution='def my_softmax(O): ...',
                           hints=['一', '二'])
    exp = torch.exp
    try:
        torch.exp = lambda x: torch.ones_like(x)            # a learner's cell, before the check
        report = fresh.diagnose(lambda O: torch.ones_like(O) / O.shape[1])
        assert not report.passed
        assert '⚠️' in report.message and 'torch.exp' in report.message
        assert torch.exp is not exp                          # theirs to keep
    finally:
        torch.exp = exp
    assert fresh.diagnose(lambda O: torch.softmax(O, dim=1)).passed


def test_a_re_bound_method_is_not_a_replacement():
    """ipykernel binds builtins.input anew before every cell: not the learner's doing."""
    import builtins

    class Kernel:
        def raw_input(self, prompt=''):
            return ''

    kernel, before = Kernel(), builtins.input
    try:
        builtins.input = kernel.raw_input
        snap = sandbox.snapshot()
        builtins.input = kernel.raw_input                    # a new method object, equal
        assert sandbox._changes(snap) == []
        builtins.input = lambda prompt='': ''
        assert [c[1] for c in sandbox._changes(snap)] == ['builtins.input']
    finally:
        builtins.input = before


def test_data_the_package_rebinds_is_not_a_replaced_function(monkeypatch):
    snap = sandbox.snapshot()
    monkeypatch.setattr(d2lhelpers.data, '_a_cache_for_this_test', {}, raising=False)
    monkeypatch.setattr(torch, 'pi', 3.0)
    assert sandbox._changes(snap) == []


def test_global_state_is_restored_and_named():                          # issue 18
    def my_softmax(O):
        torch.manual_seed(0)
        random.seed(0)
        np.random.seed(0)
        torch.rand(5)
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        return torch.softmax(O, dim=1)

    torch.manual_seed(1234)
    random.seed(1234)
    np.random.seed(1234)
    expected = (torch.rand(3), random.random(), np.random.rand())
    torch.manual_seed(1234)
    random.seed(1234)
    np.random.seed(1234)
    report = task('softmax').diagnose(my_softmax)
    assert (torch.rand(3).tolist(), random.random(), np.random.rand()) == \
        (expected[0].tolist(), expected[1], expected[2])
    assert torch.get_default_dtype() == torch.float32 and torch.is_grad_enabled()
    assert report.passed
    assert 'torch.set_default_dtype' in report.message and 'torch.set_grad_enabled' in report.message


def _loop_forever(O):
    while True:
        pass


def test_an_endless_loop_is_stopped_with_a_message(short_limits):       # issue 18
    start = time.perf_counter()
    report = task('softmax').diagnose(_loop_forever)
    assert time.perf_counter() - start < 10                  # at once, even on a busy machine
    assert report.kind == 'timeout' and '0.3 秒内没有返回' in report.message


def test_a_slow_function_is_stopped_by_the_total_budget(monkeypatch):   # issue 18
    monkeypatch.setattr(sandbox, 'CALL_LIMIT', 1.0)
    monkeypatch.setattr(sandbox, 'TOTAL_LIMIT', 0.25)

    def my_softmax(O):
        time.sleep(0.1)
        return torch.softmax(O, dim=1)

    report = task('softmax').diagnose(my_softmax)
    assert report.kind == 'timeout' and '合计' in report.message


def test_the_time_limit_works_outside_the_main_thread(short_limits):    # issue 18
    result = {}
    thread = threading.Thread(target=lambda: result.update(r=task('sgd').diagnose(
        lambda params, lr, batch_size: _loop_forever(None))))
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and result['r'].kind == 'timeout'


def test_an_alarm_set_by_someone_else_survives_a_check(short_limits):
    signal.setitimer(signal.ITIMER_REAL, 100)
    try:
        task('softmax').diagnose(_loop_forever)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < left <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def test_printing_is_captured_and_shortened(capsys):                    # issue 18
    def my_softmax(O):
        for i in range(1000):
            print('debug', i)
        return torch.exp(O)                                  # wrong: not normalised

    assert task('softmax').check(my_softmax) is False
    out = capsys.readouterr().out
    assert len(out) < 2000 and 'debug 999' not in out
    assert '它打印了：debug 0 ⏎ debug 1 ⏎ debug 2 ⏎ debug 3 …' in out

    def my_softmax_ok(O):
        print('x' * 1_000_000)                               # 1 MB per call
        return torch.softmax(O, dim=1)

    t = task('softmax')
    assert t.check(my_softmax_ok) is True
    out = capsys.readouterr().out
    assert len(out) < 300 and f'打印了 {len(t.cases) * 1_000_001} 个字符' in out


@pytest.mark.parametrize('name', ['one_hot', 'softmax', 'stable_softmax', 'log_sum_exp',
                                  'cross_entropy', 'accuracy'])
def test_cases_include_a_full_batch_more_than_ten_classes_and_one_row(name):  # issue 18
    shapes = []
    for case in task(name).cases:
        args = case.fresh()
        if name == 'one_hot':
            shapes.append((len(args[0]), args[1]))
        else:
            shapes.append(tuple(args[0].shape))
    assert (256, 10) in shapes and any(q > 10 for _, q in shapes)
    assert any(n == 1 for n, _ in shapes)


def test_sgd_cases_include_the_chapter_shapes():                          # issue 18
    assert any([tuple(p.shape) for p in c.fresh()[0]] == [(784, 10), (10,)] and c.fresh()[2] == 256
               for c in task('sgd').cases)


def test_a_meta_tensor_result_is_refused_not_crashed():                   # issue 18
    report = task('softmax').diagnose(lambda O: torch.empty_like(O, device='meta'))
    assert report.kind == 'device' and 'meta' in report.message
    assert 'meta' in fmt(torch.empty(2, device='meta'))


def test_comparisons_never_raise_on_odd_values():                        # issue 18
    assert same_value(True, torch.tensor([True, False])) is False
    assert same_value(torch.tensor(3.0), 3) is True
    assert same_value(True, 1) is False
    assert close(torch.empty(2, device='meta'), torch.zeros(2)) is False
    assert close(torch.zeros(2, dtype=torch.complex64), torch.zeros(2)) is False


# ----- the texts ----------------------------------------------------------------------------------

def _texts(t):
    yield t.statement
    yield from t.hints
    yield t.success
    yield from (m.hint for m in t.misconceptions)
    yield from (c.label for c in t.cases)
    yield t.solution_source


CJK = r'[\u4e00-\u9fff]'


@pytest.mark.parametrize('name', NAMES)
def test_chinese_texts_use_full_width_punctuation(name):
    import re
    for text in _texts(task(name)):
        prose = re.sub(r'`[^`]*`|\$[^$]*\$', '', text)
        bad = re.findall(rf'{CJK}[,;:?!()]|[,;:?!(]{CJK}', prose)
        assert not bad, (bad, text)
        assert '精度' not in text and '正确率' not in text and '种子' not in text


def test_exercise_modules_stay_small():
    for path in (BOOK / 'd2lhelpers' / 'exercises').glob('*.py'):
        assert len(path.read_text(encoding='utf-8').splitlines()) <= 400, path.name


# ----- hints, speed, determinism -----------------------------------------------------------

def test_hints_are_revealed_one_at_a_time(capsys):
    t = exercises.Task(name='demo', chapter='02', func_name='my_softmax', params=('O',),
                       statement='第 02 章', reference=task('softmax').reference,
                       cases=lambda: task('softmax').cases, solution='def my_softmax(O): ...',
                       hints=['一', '二'])
    t.hint()
    t.hint()
    t.hint()
    t.hint(1)
    assert capsys.readouterr().out.splitlines() == [
        '💡 提示 1/2：一',
        '💡 提示 2/2：二（这是最后一条提示；还需要帮助就运行 .solution()。）',
        '💡 提示 2/2：二（这是最后一条提示；还需要帮助就运行 .solution()。）',
        '💡 提示 1/2：一',
    ]


def test_check_restores_the_number_of_torch_threads():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        task('softmax').diagnose(lambda O: O)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize('name', NAMES)
def test_cases_do_not_depend_on_the_global_random_state(name):
    t = task(name)
    torch.manual_seed(random.randrange(2 ** 31))
    rebuilt = t._make_cases()
    assert [c.label for c in rebuilt] == [c.label for c in t.cases]
    for a, b in zip(rebuilt, t.cases):
        for x, y in zip(a.fresh(), b.fresh()):
            for u, v in zip(x if isinstance(x, list) else [x], y if isinstance(y, list) else [y]):
                assert torch.equal(u, v) if isinstance(u, torch.Tensor) else u == v


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from([n for n in NAMES if n not in ('accuracy', 'sgd', 'one_hot')]),
       factor=st.floats(0.8, 1.2).filter(lambda f: abs(f - 1) > 0.01))
def test_a_scaled_reference_never_passes(name, factor):
    t = task(name)
    assert not t.diagnose(lambda *args: t.reference(*args) * factor).passed


@settings(max_examples=10, deadline=None)
@given(offset=st.integers(1, 3))
def test_an_accuracy_off_by_some_never_passes(offset):
    t = task('accuracy')
    assert not t.diagnose(lambda y_hat, y: t.reference(y_hat, y) + offset).passed


# ----- tools/exercise_cells.py: the chapters' cells generated from TASKS -------------------------

def _hand_copy(t) -> list[dict]:
    """The cells of one exercise as the chapters held them before the tool (unmarked)."""
    cells = exercise_cells.expected_cells(t)
    md = lambda s: {'cell_type': 'markdown', 'metadata': {}, 'source': s}          # noqa: E731
    code = lambda s, tags=(): {'cell_type': 'code', 'metadata': {'tags': list(tags)} if tags  # noqa: E731
                               else {}, 'source': s, 'execution_count': None, 'outputs': []}
    return [md('## 动手写一写\n\n请自己写一遍。\n\n' + t.statement.replace('：', ':')),
            code(cells['template'].source), code(cells['check'].source),
            md(cells['hints'].source.replace('，', ',')), code(cells['solution'].source, ['hide-cell'])]


def _tiny_book(root: Path) -> Path:
    """A book whose chapters hold only hand-made copies of their exercises."""
    (root / 'chapters').mkdir(parents=True)
    for chapter, tasks in exercise_cells.tasks_by_chapter().items():
        cells = [{'cell_type': 'markdown', 'metadata': {}, 'source': f'# 第 {chapter} 章'}]
        for t in tasks:
            cells += _hand_copy(t)
        for i, c in enumerate(cells):
            c['id'] = f'c{i}'
        nb = {'cells': cells, 'metadata': {'kernelspec': {'display_name': 'Python 3',
                                                          'language': 'python', 'name': 'python3'}},
              'nbformat': 4, 'nbformat_minor': 5}
        (root / 'chapters' / f'{chapter}_x.ipynb').write_text(json.dumps(nb, ensure_ascii=False))
    return root


def test_tool_check_names_each_stale_cell_and_write_fixes_them(tmp_path):
    book = _tiny_book(tmp_path)
    problems = exercise_cells.check(book)
    assert any("no cell is marked 'softmax/statement'" in p and 'unmarked copy' in p
               for p in problems)
    assert exercise_cells.main(['--check', '--book', str(book)]) == 1
    exercise_cells.write(book, sync=False)
    assert exercise_cells.check(book) == []
    nb = json.loads((book / 'chapters' / '02_x.ipynb').read_text())
    marks = [c['metadata'].get('exercise') for c in nb['cells']]
    assert marks[:2] == [None, None] and marks[2:7] == [f'softmax/{p}' for p in exercise_cells.PARTS]
    assert nb['cells'][1]['source'] == '## 动手写一写\n\n请自己写一遍。'     # the prose split off
    # an edited generated cell is named; prose added around the cells is not
    nb['cells'][4]['source'] = 'passed = True'
    nb['cells'].insert(4, {'cell_type': 'markdown', 'metadata': {}, 'source': '新的说明。'})
    (book / 'chapters' / '02_x.ipynb').write_text(json.dumps(nb, ensure_ascii=False))
    problems = exercise_cells.check(book)
    assert problems == ["chapters/02_x.ipynb: cell 5 (softmax/check) differs from TASKS['softmax']"]
    exercise_cells.write(book, sync=False)
    assert exercise_cells.check(book) == []


def test_tool_adds_a_missing_part_next_to_the_others(tmp_path, capsys):
    book = _tiny_book(tmp_path)
    path = book / 'chapters' / '06_x.ipynb'
    nb = json.loads(path.read_text())
    nb['cells'] = [c for c in nb['cells'] if "task('sgd').hint()" not in exercise_cells.source(c)]
    path.write_text(json.dumps(nb, ensure_ascii=False))
    exercise_cells.write(book, sync=False)
    assert exercise_cells.check(book) == []
    assert "added cell 11 (sgd/hints)" in capsys.readouterr().err
    marks = [c['metadata'].get('exercise') for c in json.loads(path.read_text())['cells']]
    assert marks[8:13] == [f"sgd/{p}" for p in exercise_cells.PARTS]


def test_tool_write_syncs_the_texts(tmp_path):
    jupytext = pytest.importorskip('jupytext')
    book = _tiny_book(tmp_path)
    shutil.copy(BOOK / 'jupytext.toml', book)
    (book / 'texts').mkdir()
    for path in sorted((book / 'chapters').glob('*.ipynb')):
        jupytext.write(jupytext.read(path), book / 'texts' / f'{path.stem}.md', fmt='md:myst')
    exercise_cells.write(book)
    text = (book / 'texts' / '06_x.md').read_text()
    assert ':exercise: sgd/check' in text and '+++ {"exercise": "sgd/hints"}' in text
    assert exercise_cells.check(book) == []


def test_tool_marks_the_real_chapters_hand_copies():
    """In memory (no file is written): --write on today's chapters leaves --check happy."""
    for chapter, tasks in exercise_cells.tasks_by_chapter().items():
        path = exercise_cells.chapter_path(BOOK, chapter)
        nb = json.loads(path.read_text(encoding='utf-8'))
        n_code = sum(c['cell_type'] == 'code' for c in nb['cells'])
        exercise_cells.write_notebook(nb, tasks, path.name)
        assert exercise_cells.check_notebook(nb, tasks, path.name) == []
        assert sum(c['cell_type'] == 'code' for c in nb['cells']) == n_code   # none added


def test_chapter_exercise_cells_match_tasks():
    """The real chapters' exercise cells are the ones tools/exercise_cells.py generates."""
    problems = exercise_cells.check(BOOK)
    assert problems == [], '\n'.join(problems[:10]) + '\nrun: python tools/exercise_cells.py --write'
