"""Tests of d2lhelpers.exercises: learner exercises with check / hint / solution (issue 13).

The wrong implementations below are written the way a learner would write them; each must
fail its check with the hint meant for that misconception.
"""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from d2lhelpers import exercises
from d2lhelpers.exercises import TASKS, is_unanswered, task

NAMES = ['one_hot', 'softmax', 'stable_softmax', 'l2_loss', 'huber_loss', 'huber_grad',
         'cross_entropy', 'log_sum_exp', 'accuracy', 'sgd']
CHAPTERS = {'one_hot': '01', 'softmax': '02', 'stable_softmax': '02', 'l2_loss': '03',
            'huber_loss': '03', 'huber_grad': '03', 'cross_entropy': '04',
            'log_sum_exp': '04', 'accuracy': '06', 'sgd': '06'}


def template_function(t):
    """The function the chapter's untouched template cell defines."""
    namespace: dict = {}
    exec(t.template, namespace)
    return namespace[t.func_name]


# ----- API --------------------------------------------------------------------------------

def test_tasks_are_the_ten_named_ones_with_their_chapters():
    assert list(TASKS) == NAMES
    for name, t in TASKS.items():
        assert task(name) is t and t.name == name
        assert t.chapter == CHAPTERS[name]
        assert f'第 {t.chapter} 章' in t.statement
        assert t.func_name == f'my_{name}'
        assert callable(t.check) and callable(t.hint) and callable(t.solution)


def test_unknown_task_name_lists_the_names():
    with pytest.raises(ValueError) as err:
        task('softmaxx')
    for name in NAMES:
        assert name in str(err.value)
    with pytest.raises(TypeError):
        task(3)


# ----- references and teaching solutions pass -----------------------------------------------

@pytest.mark.parametrize('name', NAMES)
def test_reference_and_teaching_solution_pass(name, capsys):
    t = task(name)
    assert t.check(t.reference) is True
    solution = t.solution_function()
    assert t.check(solution) is True
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith('✅ 正确!') for line in lines)
    assert f'{t.func_name} 通过了全部 {len(t.cases)} 个用例' in lines[1]


@pytest.mark.parametrize('name', NAMES)
def test_solution_prints_the_source_that_is_checked(name, capsys):
    t = task(name)
    t.solution()
    out = capsys.readouterr().out
    assert out == f'# 参考答案(第 {t.chapter} 章)\n{t.solution_source}'
    assert f'def {t.func_name}(' in out
    assert 'd2lhelpers' not in out            # the learner sees plain torch code


def sgd_with_add(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-lr / batch_size)
            p.grad.zero_()


ALTERNATIVES = {
    'one_hot': [lambda y, q: F.one_hot(y, q).float(),
                lambda y, q: (y[:, None] == torch.arange(q)).double()],
    'softmax': [lambda O: torch.softmax(O, dim=1), lambda O: torch.softmax(O, dim=-1)],
    'stable_softmax': [lambda O: torch.softmax(O, dim=1),
                       lambda O: torch.exp(O - torch.logsumexp(O, dim=1, keepdim=True))],
    'l2_loss': [lambda y_hat, y: 0.5 * (y - y_hat) ** 2,
                lambda y_hat, y: F.mse_loss(y_hat, y, reduction='none') / 2],
    'huber_loss': [lambda y_hat, y, delta: F.huber_loss(y_hat, y, reduction='none', delta=delta)],
    'huber_grad': [lambda y_hat, y, delta: torch.clamp(y_hat - y, -delta, delta)],
    'cross_entropy': [lambda y_hat, y: F.nll_loss(torch.log(y_hat), y, reduction='none'),
                      lambda y_hat, y: -torch.log(y_hat.gather(1, y[:, None])).squeeze(1)],
    'log_sum_exp': [lambda O: torch.logsumexp(O, dim=1)],
    'accuracy': [lambda y_hat, y: (y_hat.argmax(dim=1) == y).sum(),          # 0-d tensor
                 lambda y_hat, y: int((y_hat.argmax(dim=-1) == y).sum())],
    'sgd': [sgd_with_add,
            lambda params, lr, batch_size: [
                (p.data.sub_(lr * p.grad / batch_size), setattr(p, 'grad', None))
                for p in params]],
}


@pytest.mark.parametrize('name,index', [(n, i) for n, fs in ALTERNATIVES.items()
                                        for i in range(len(fs))])
def test_other_correct_implementations_pass(name, index, capsys):
    """The check compares results, not code: any correct implementation passes."""
    assert task(name).check(ALTERNATIVES[name][index]) is True


# ----- before the learner writes anything ------------------------------------------------------

@pytest.mark.parametrize('name', NAMES)
def test_untouched_template_prints_one_calm_line(name, capsys):
    t = task(name)
    fn = template_function(t)
    assert fn(*([None] * len(t.params))) is None          # the stored cell runs
    assert t.check(fn) is False
    assert t.check(fn) is False                            # the same text on every run
    out = capsys.readouterr().out
    line = f'还没有作答:在上面的单元格里写好 {t.func_name},再运行本单元格。\n'
    assert out == line * 2
    assert t.template.startswith(f'def {t.func_name}({", ".join(t.params)}):\n')
    assert t.template.rstrip().endswith('...')


def _pass_body(O):
    pass


def _docstring_only(O):
    """我的 softmax。"""


def _not_implemented(O):
    raise NotImplementedError


@pytest.mark.parametrize('fn', [_pass_body, _docstring_only, _not_implemented])
def test_other_empty_bodies_count_as_not_answered(fn):
    assert is_unanswered(fn)
    assert task('softmax').diagnose(fn).kind == 'unanswered'


def test_forgotten_return_is_not_the_same_as_not_answered():
    def my_softmax(O):
        O_exp = torch.exp(O)
        O_exp / O_exp.sum(dim=1, keepdim=True)

    assert not is_unanswered(my_softmax)
    report = task('softmax').diagnose(my_softmax)
    assert report.kind == 'none'
    assert report.message.startswith('❌ my_softmax 返回了 None,是不是忘了 return?')


# ----- one readable sentence for broken functions ---------------------------------------------

def test_non_function_gets_one_sentence(capsys):
    assert task('softmax').check(42) is False
    out = capsys.readouterr().out
    assert out == 'check 需要一个函数(例如 check(my_softmax)),却收到了 int。\n'
    report = task('softmax').diagnose(torch.ones(2, 3))     # check(my_softmax(O))
    assert report.kind == 'not_function' and '不要加括号' in report.message
    assert report.message.count('\n') == 0


def test_function_that_raises_gets_the_exception_in_one_sentence():
    def my_log_sum_exp(O):
        raise ValueError('something went wrong\nsecond line')

    report = task('log_sum_exp').diagnose(my_log_sum_exp)
    first = report.message.splitlines()[0]
    assert report.kind == 'raised'
    assert first == '❌ 调用 my_log_sum_exp 时抛出了 ValueError:something went wrong。'
    assert 'Traceback' not in report.message and 'second line' not in report.message
    assert '输入:O = [[1, 2, 3], [0, 0, 0]]' in report.message


def test_torch_error_deep_inside_is_one_sentence():
    def my_cross_entropy(y_hat, y):
        return -torch.log(torch.matmul(y_hat, y))      # shapes do not fit

    report = task('cross_entropy').diagnose(my_cross_entropy)
    assert report.kind == 'raised'
    assert report.message.splitlines()[0].startswith('❌ 调用 my_cross_entropy 时抛出了 RuntimeError:')
    assert 'File "' not in report.message


def test_wrong_shape_gets_one_sentence_with_both_shapes():
    def my_softmax(O):
        return torch.exp(O)[:, :1]

    report = task('softmax').diagnose(my_softmax)
    assert report.kind == 'shape'
    assert report.message.splitlines()[0] == \
        '❌ my_softmax 应该返回形状 (2, 3) 的张量,却返回了形状 (2, 1)。'


def test_wrong_type_gets_one_sentence():
    def my_softmax(O):
        E = np.exp(O.numpy())
        return E / E.sum(axis=1, keepdims=True)

    report = task('softmax').diagnose(my_softmax)
    assert report.kind == 'type'
    assert report.message.splitlines()[0].startswith(
        '❌ my_softmax 应该返回一个 torch.Tensor,却返回了 ndarray')

    def my_accuracy(y_hat, y):
        return 'three'

    report = task('accuracy').diagnose(my_accuracy)
    assert report.kind == 'type' and '却返回了 str' in report.message


def test_wrong_signature_gets_one_sentence():
    def my_huber_loss(y_hat, y):
        return (y_hat - y) ** 2 / 2

    report = task('huber_loss').diagnose(my_huber_loss)
    assert report.kind == 'signature'
    assert report.message == ('my_huber_loss 应该能这样调用:my_huber_loss(y_hat, y, delta),'
                              '但它的参数是 (y_hat, y)。')


def test_wrong_dtype_is_named():
    def my_softmax(O):
        O = O.float()
        E = torch.exp(O)
        return E / E.sum(dim=1, keepdim=True)

    report = task('softmax').diagnose(my_softmax)
    assert report.kind == 'dtype'
    assert '输入是 float64' in report.message and '却返回了 float32' in report.message


def test_changing_the_input_in_place_is_reported():
    def my_stable_softmax(O):
        O -= O.max(dim=1, keepdim=True).values
        E = torch.exp(O)
        return E / E.sum(dim=1, keepdim=True)

    report = task('stable_softmax').diagnose(my_stable_softmax)
    assert report.kind == 'mutated' and '修改了传进来的输入' in report.message


def test_failure_report_shows_input_expected_and_got():
    def my_l2_loss(y_hat, y):
        return (y_hat - y) ** 2

    lines = task('l2_loss').diagnose(my_l2_loss).message.splitlines()
    assert lines == [
        '❌ my_l2_loss 的结果与期望值不同。',
        '   用例 1/7:4 个预测值',
        '   输入:y_hat = [2.5, 0, 2, 8](形状 (4,)),  y = [3, -0.5, 2, 7](形状 (4,))',
        '   期望:[0.125, 0.125, 0, 0.5](形状 (4,))',
        '   得到:[0.25, 0.25, 0, 1](形状 (4,))',
        '💡 结果正好是期望值的 2 倍:忘了 ½。本书的 L2 损失是 ½ e²,这样它的梯度正好是 ŷ − y。',
    ]


# ----- misconceptions, written as a learner would ------------------------------------------------

def one_hot_int(y, q):
    return F.one_hot(y, num_classes=q)


def one_hot_no_q(y, q):
    Y = torch.zeros(len(y), int(y.max()) + 1)
    Y[range(len(y)), y] = 1
    return Y


def one_hot_transposed(y, q):
    Y = torch.zeros(q, len(y))
    Y[y, range(len(y))] = 1
    return Y


def softmax_dim0(O):
    O_exp = torch.exp(O)
    return O_exp / O_exp.sum(0, keepdim=True)


def softmax_no_keepdim(O):
    O_exp = torch.exp(O)
    return O_exp / O_exp.sum(1)


def softmax_no_exp(O):
    return O / O.sum(dim=1, keepdim=True)


def stable_softmax_no_shift(O):
    O_exp = torch.exp(O)
    partition = O_exp.sum(dim=1, keepdim=True)
    return O_exp / partition


def stable_softmax_global_max(O):
    O_exp = torch.exp(O - O.max())
    return O_exp / O_exp.sum(dim=1, keepdim=True)


def stable_softmax_namedtuple(O):
    O_exp = torch.exp(O - O.max(dim=1, keepdim=True))
    return O_exp / O_exp.sum(dim=1, keepdim=True)


def stable_softmax_max_no_keepdim(O):
    O_exp = torch.exp(O - O.max(dim=1).values)
    return O_exp / O_exp.sum(dim=1, keepdim=True)


def stable_softmax_dim0(O):
    O = O - O.max(dim=1, keepdim=True).values
    return torch.exp(O) / torch.exp(O).sum(dim=0, keepdim=True)


def l2_no_half(y_hat, y):
    return (y_hat - y) ** 2


def l2_mean(y_hat, y):
    return ((y_hat - y) ** 2 / 2).mean()


def huber_no_half_delta(y_hat, y, delta=1.0):
    e = y - y_hat
    return torch.where(e.abs() <= delta, 0.5 * e ** 2, delta * e.abs())


def huber_smooth_l1(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e < delta, 0.5 * e ** 2 / delta, e - 0.5 * delta)


def huber_delta_in_quadratic(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e <= delta, delta * e ** 2 / 2, e - delta / 2)


def huber_linear_without_delta(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e <= delta, e ** 2 / 2, e - delta / 2)


def huber_swapped(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e > delta, e ** 2 / 2, delta * (e - delta / 2))


def huber_delta_fixed(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e <= 1, e ** 2 / 2, e - 0.5)


def huber_grad_flipped(y_hat, y, delta=1.0):
    return torch.clamp(y - y_hat, -delta, delta)


def huber_grad_no_sign(y_hat, y, delta=1.0):
    d = y_hat - y
    return torch.where(d.abs() <= delta, d, torch.full_like(d, delta))


def huber_grad_sign_only(y_hat, y, delta=1.0):
    d = y_hat - y
    return torch.where(d.abs() <= delta, d, torch.sign(d))


def huber_grad_no_clip(y_hat, y, delta=1.0):
    return y_hat - y


def ce_column(y_hat, y):
    return -torch.log(y_hat[:, y])


def ce_row_sum(y_hat, y):
    return -torch.log(y_hat.sum(dim=1))


def ce_no_minus(y_hat, y):
    return torch.log(y_hat[range(len(y)), y])


def ce_mean(y_hat, y):
    return -torch.log(y_hat[range(len(y)), y]).mean()


def ce_one_hot(y_hat, y):
    Y = torch.zeros_like(y_hat)
    Y[range(len(y)), y] = 1
    return -(Y * torch.log(y_hat)).sum(dim=1)


def ce_log10(y_hat, y):
    return -torch.log10(y_hat[range(len(y)), y])


def lse_no_shift(O):
    return torch.log(torch.exp(O).sum(dim=1))


def lse_not_added_back(O):
    c = O.max(dim=1, keepdim=True).values
    return torch.log(torch.exp(O - c).sum(dim=1))


def lse_global_max(O):
    c = O.max()
    return c + torch.log(torch.exp(O - c).sum(dim=1))


def lse_keepdim(O):
    c = O.max(dim=1, keepdim=True).values
    return c + torch.log(torch.exp(O - c).sum(dim=1, keepdim=True))


def accuracy_batch_axis(y_hat, y):
    y_pred = y_hat.argmax(axis=0)
    return float((y_pred.type(y.dtype) == y).sum())


def accuracy_fraction(y_hat, y):
    return float((y_hat.argmax(dim=1) == y).float().mean())


def accuracy_no_argmax(y_hat, y):
    return float((y_hat == y).sum())


def sgd_no_batch_size(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()


def sgd_no_zero(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size


def sgd_no_no_grad(params, lr, batch_size):
    for param in params:
        param -= lr * param.grad / batch_size
        param.grad.zero_()


def sgd_rebind(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param = param - lr * param.grad / batch_size
            param.grad.zero_()


def sgd_plus(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param += lr * param.grad / batch_size
            param.grad.zero_()


def sgd_zero_first(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param.grad.zero_()
            param -= lr * param.grad / batch_size


def sgd_return_in_loop(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
            return


def accuracy_not_summed(y_hat, y):
    return y_hat.argmax(dim=1) == y


def sgd_two_params(params, lr, batch_size):
    W, b = params
    with torch.no_grad():
        W -= lr * W.grad / batch_size
        b -= lr * b.grad / batch_size
        W.grad.zero_()
        b.grad.zero_()


MISCONCEPTIONS = [
    ('one_hot', one_hot_int, 'int_dtype', '浮点数'),
    ('one_hot', one_hot_no_q, 'width_from_labels', 'y.max() + 1'),
    ('one_hot', one_hot_transposed, 'transposed', '行和列反了'),
    ('softmax', softmax_dim0, 'wrong_dim', 'dim=0'),
    ('softmax', softmax_no_keepdim, 'no_keepdim', 'keepdim=True'),
    ('softmax', softmax_no_exp, 'no_exp', '少了指数'),
    ('stable_softmax', stable_softmax_no_shift, 'no_max_shift', '没有减去每行的最大值'),
    ('stable_softmax', stable_softmax_global_max, 'global_max', '整个矩阵的最大值'),
    ('stable_softmax', stable_softmax_namedtuple, 'max_namedtuple', '(values, indices)'),
    ('stable_softmax', stable_softmax_max_no_keepdim, 'max_no_keepdim', 'keepdim=True'),
    ('stable_softmax', stable_softmax_dim0, 'wrong_dim', 'dim=0'),
    ('l2_loss', l2_no_half, 'no_half', '忘了 ½'),
    ('l2_loss', l2_mean, 'reduced_mean', '.mean()'),
    ('huber_loss', huber_no_half_delta, 'no_half_delta_term', '少了 −½δ'),
    ('huber_loss', huber_smooth_l1, 'delta_wrong_branch', 'δ 放错了分支'),
    ('huber_loss', huber_delta_in_quadratic, 'delta_wrong_branch', 'δ 放错了分支'),
    ('huber_loss', huber_linear_without_delta, 'linear_missing_delta', '少乘了 δ'),
    ('huber_loss', huber_swapped, 'branches_swapped', '两个分支反了'),
    ('huber_loss', huber_delta_fixed, 'ignores_delta', '没有用到参数 delta'),
    ('huber_grad', huber_grad_flipped, 'sign_flipped', '符号反了'),
    ('huber_grad', huber_grad_no_sign, 'linear_no_sign', '少了方向'),
    ('huber_grad', huber_grad_sign_only, 'linear_missing_delta', '少乘了 δ'),
    ('huber_grad', huber_grad_no_clip, 'no_clip', '没有截断'),
    ('cross_entropy', ce_column, 'column_index', 'y_hat[:, y]'),
    ('cross_entropy', ce_row_sum, 'log_row_sum', 'log 1 = 0'),
    ('cross_entropy', ce_no_minus, 'no_minus', '少了负号'),
    ('cross_entropy', ce_mean, 'reduced_mean', '形状 [n]'),
    ('cross_entropy', ce_one_hot, 'one_hot_product', '0 × (−inf) = nan'),
    ('cross_entropy', ce_log10, 'log_base', '自然对数'),
    ('log_sum_exp', lse_no_shift, 'no_shift', '没有先减去每行的最大值'),
    ('log_sum_exp', lse_not_added_back, 'shift_not_added_back', '忘了把它加回来'),
    ('log_sum_exp', lse_global_max, 'global_max', '整个矩阵的最大值'),
    ('log_sum_exp', lse_keepdim, 'keepdim_shape', '不是 [n, 1]'),
    ('accuracy', accuracy_batch_axis, 'argmax_batch_axis', 'y_hat.argmax(dim=1)'),
    ('accuracy', accuracy_fraction, 'fraction', '返回的是比例'),
    ('accuracy', accuracy_no_argmax, 'no_argmax', '要先用 y_hat.argmax(dim=1)'),
    ('accuracy', accuracy_not_summed, 'not_summed', '.sum()'),
    ('sgd', sgd_two_params, 'fixed_params', 'for param in params'),
    ('sgd', sgd_no_batch_size, 'no_batch_divide', '忘了除以 batch_size'),
    ('sgd', sgd_no_zero, 'no_zero_grad', 'param.grad.zero_()'),
    ('sgd', sgd_no_no_grad, 'no_torch_no_grad', 'with torch.no_grad():'),
    ('sgd', sgd_rebind, 'rebind', '新张量'),
    ('sgd', sgd_plus, 'ascent', '梯度上升'),
    ('sgd', sgd_zero_first, 'zero_before_update', '先清零再更新'),
    ('sgd', sgd_return_in_loop, 'first_only', '只有第一个参数被更新了'),
]


@pytest.mark.parametrize('name,fn,key,phrase', MISCONCEPTIONS,
                         ids=[f'{m[0]}-{m[1].__name__}' for m in MISCONCEPTIONS])
def test_misconception_fails_with_its_hint(name, fn, key, phrase, capsys):
    t = task(name)
    assert t.check(fn) is False
    out = capsys.readouterr().out
    report = t.diagnose(fn)
    assert report.hint_key == key, report.message
    hint_line = out.splitlines()[-1]
    assert hint_line.startswith('💡 ') and phrase in hint_line
    assert out.startswith('❌ ') and '   期望:' in out and '   输入:' in out
    assert out == report.message + '\n'


@pytest.mark.parametrize('name', NAMES)
def test_every_listed_misconception_is_recognised(name):
    """Internal consistency: each known wrong implementation gets its own hint."""
    t = task(name)
    wrongs = [m for m in t.misconceptions if m.wrong is not None]
    assert wrongs
    for m in wrongs:
        report = t.diagnose(m.wrong)
        assert not report.passed and report.hint_key == m.key, (m.key, report.message)


def test_overflow_without_a_known_cause_gets_the_generic_overflow_hint():
    def my_stable_softmax(O):
        return torch.where(O > 500, torch.inf, torch.softmax(O, dim=1))

    report = task('stable_softmax').diagnose(my_stable_softmax)
    assert report.kind == 'nonfinite' and report.hint_key == 'overflow'
    assert '得到:[[inf, 0]]' in report.message


@pytest.mark.parametrize('name', ['huber_loss', 'huber_grad'])
def test_python_if_on_a_tensor_gets_the_torch_where_hint(name):
    def my_huber(y_hat, y, delta=1.0):
        e = y - y_hat
        if e.abs() <= delta:
            return e ** 2 / 2
        return delta * (e.abs() - delta / 2)

    report = task(name).diagnose(my_huber)
    assert report.kind == 'raised' and report.hint_key == 'python_if'
    assert 'torch.where' in report.message.splitlines()[-1]


def test_cross_entropy_by_gather_without_squeeze():
    def my_cross_entropy(y_hat, y):
        return -torch.log(y_hat.gather(1, y.reshape(-1, 1)))

    report = task('cross_entropy').diagnose(my_cross_entropy)
    assert report.kind == 'shape' and report.hint_key == 'keepdim_shape'
    assert report.message.splitlines()[0] == \
        '❌ my_cross_entropy 应该返回形状 (2,) 的张量,却返回了形状 (2, 1)。'


def test_unrecognised_wrong_answer_gets_no_misleading_hint():
    def my_l2_loss(y_hat, y):
        return (y_hat - y) ** 2 / 3

    report = task('l2_loss').diagnose(my_l2_loss)
    assert report.kind == 'value' and report.hint_key is None
    assert '💡' not in report.message


# ----- hints ----------------------------------------------------------------------------------

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
        '💡 提示 1/2:一',
        '💡 提示 2/2:二(这是最后一条提示;还需要帮助就运行 .solution()。)',
        '💡 提示 2/2:二(这是最后一条提示;还需要帮助就运行 .solution()。)',
        '💡 提示 1/2:一',
    ]


@pytest.mark.parametrize('name', NAMES)
def test_every_task_has_at_least_two_hints(name):
    assert len(task(name).hints) >= 2


# ----- speed and determinism ------------------------------------------------------------------

def _best_time(fn, repeats=3) -> float:
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize('name', NAMES)
def test_each_check_is_fast(name):
    t = task(name)
    wrongs = [m.wrong for m in t.misconceptions if m.wrong is not None]
    for fn in [t.reference, template_function(t), *wrongs]:
        assert _best_time(lambda: t.diagnose(fn)) < 1.0


def test_check_restores_the_number_of_torch_threads():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        task('softmax').diagnose(softmax_dim0)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize('name', NAMES)
def test_diagnosis_text_is_deterministic(name):
    t = task(name)
    fn = next(m.wrong for m in t.misconceptions if m.wrong is not None)
    assert t.diagnose(fn).message == t.diagnose(fn).message


# ----- a property: a check can fail --------------------------------------------------------------

@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from([n for n in NAMES if n not in ('accuracy', 'sgd', 'one_hot')]),
       factor=st.floats(0.8, 1.2).filter(lambda f: abs(f - 1) > 0.01))
def test_a_scaled_reference_never_passes(name, factor):
    t = task(name)

    def scaled(*args):
        return t.reference(*args) * factor

    assert not t.diagnose(scaled).passed


@settings(max_examples=10, deadline=None)
@given(offset=st.integers(1, 3))
def test_an_accuracy_off_by_some_never_passes(offset):
    t = task('accuracy')
    assert not t.diagnose(lambda y_hat, y: t.reference(y_hat, y) + offset).passed
