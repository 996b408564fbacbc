"""Exercises of the scratch training loop (ch. 06): accuracy and one SGD step."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import torch

from ..training import accuracy, sgd
from .cases import generator, probabilities, randint, randn
from .compare import close
from .formatting import fmt, fmt_number
from .records import Case, Failure, Misconception, Outcome
from .sandbox import Budget, quiet_call
from .task import Task

__all__ = ['ACCURACY', 'SGD']

_t = torch.tensor


# ----- accuracy (chapter 06) -------------------------------------------------------------

class AccuracyTask(Task):
    """``accuracy(y_hat, y)`` returns a number: compare numbers, not tensors."""

    def judge(self, got: Outcome, want: Outcome, case: Case) -> Failure | None:
        f = self.func_name
        failure = self._judge_common(got)
        if failure is not None:
            return failure
        value = got.value
        if isinstance(value, torch.Tensor):
            if value.dim() > 0:
                return Failure('shape', f'{f} 应该返回一个数（预测正确的个数），却返回了形状 '
                                        f'{tuple(value.shape)} 的张量。')
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return Failure('type', f'{f} 应该返回一个数（预测正确的个数，float），却返回了 '
                                   f'{type(value).__name__}。', show_got=False)
        if not math.isclose(float(value), want.value, abs_tol=1e-6):
            return Failure('value', f'{f} 数出的结果与期望值不同。')
        return None

    def describe_value(self, value) -> str:
        if isinstance(value, float):
            return repr(value)
        return fmt(value)


def _acc_cases() -> list[Case]:
    g = generator(8)
    cases = [
        Case('第 06 章的 2 个样本、3 个类别', (_t([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]), _t([0, 2]))),
        Case('4 个样本全部预测正确', (_t([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6],
                                         [0.5, 0.3, 0.2]]), _t([0, 1, 2, 0]))),
        Case('全部预测错误', (_t([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), _t([1, 0, 1]))),
        Case('n = q = 3 的方阵', (_t([[0.6, 0.3, 0.1], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]),
                                  _t([0, 1, 2]))),
        Case('logits（有负数）而不是概率，标签取 0 和 q−1',
             (randn(g, 5, 4, scale=2), _t([0, 3, 3, 0, 1]))),
    ]
    for _ in range(3):
        n, q = randint(g, 5, 13), randint(g, 2, 11)
        cases.append(Case(f'随机的 {n} 个样本、{q} 个类别',
                          (probabilities(g, n, q), randint(g, 0, q, (n,)))))
    cases += [
        Case('1 个样本', (_t([[0.2, 0.7, 0.1]]), _t([1]))),
        Case('全 0 的 logits（权重全为 0 时）：每行 10 个类别并列最大，argmax 取第一个，即类别 0',
             (torch.zeros(4, 10), _t([0, 3, 0, 9]))),
        Case('有并列的最大值：argmax 取并列中的第一个',
             (_t([[0.4, 0.4, 0.2], [0.1, 0.45, 0.45], [0.5, 0.25, 0.25]]), _t([1, 2, 0]))),
        Case('一个完整的小批量：256 个样本、10 个类别',
             (probabilities(g, 256, 10), randint(g, 0, 10, (256,)))),
        Case('12 个类别（多于 10 个），标签含 11',
             (probabilities(g, 6, 12), _t([11, 0, 5, 11, 3, 10]))),
    ]
    return cases


def _batch_axis(y_hat, y):
    return float((y_hat.argmax(dim=0).type(y.dtype) == y).sum())


def _counting_ties(y_hat, y):
    """A sample counts as right when its label's score equals the row's maximum."""
    best = y_hat.max(dim=1, keepdim=True).values
    return float((y_hat == best)[range(len(y)), y].sum())


ACCURACY = AccuracyTask(
    name='accuracy', chapter='06', func_name='my_accuracy', params=('y_hat', 'y'),
    statement=(
        '**动手练习（第 06 章）：数一数预测对了几个。** 写一个函数 `my_accuracy(y_hat, y)`：'
        '`y_hat` 是形状 `[n, q]` 的预测（每行一个样本的概率或 logits），`y` 是形状 `[n]` 的整数标签。'
        '每行概率最大的类别就是预测的类别；返回**预测正确的个数**（一个 float，例如 `3.0`），'
        '不是比例：和本章的 `accuracy` 一样，比例留给调用者除以 `len(y)`。'),
    reference=accuracy, cases=_acc_cases, labels=('y',),
    success='含全对、全错、并列的最大值、256 个样本、12 个类别',
    hints=[
        '预测的类别是每一行最大值的位置：`y_hat.argmax(dim=1)`，形状 [n]。',
        '把它和 y 逐个比较得到布尔张量，True 的个数就是预测正确的个数：'
        '`(y_pred == y).sum()`，最后用 `float(...)` 变成一个数。',
    ],
    solution='''
def my_accuracy(y_hat, y):
    y_pred = y_hat.argmax(dim=1)                 # 每行最大值的位置：预测的类别
    cmp = y_pred.type(y.dtype) == y              # 逐个比较，得到布尔张量
    return float(cmp.type(y.dtype).sum())        # 预测正确的个数
''',
    misconceptions=[
        Misconception('argmax_batch_axis',
                      'argmax 沿了 dim=0（样本那一维），得到的是每个类别概率最大的样本。'
                      '要对每个样本（每一行）取最大值的位置：y_hat.argmax(dim=1)。',
                      wrong=_batch_axis),
        Misconception('fraction',
                      '你返回的是比例（正确个数 / n）；本书的 accuracy 返回正确的个数，'
                      '比例由调用者除以 len(y) 得到（这样多个批量可以先把个数加起来）。',
                      wrong=lambda y_hat, y: accuracy(y_hat, y) / len(y)),
        Misconception('no_argmax',
                      '直接拿 y_hat 和 y 比较了：y_hat 是每个类别的概率，要先用 y_hat.argmax(dim=1)'
                      ' 得到预测的类别，再和 y 比较。',
                      wrong=lambda y_hat, y: float((y_hat == y).sum())),
        Misconception('argmin',
                      'argmin 取的是每行最小值的位置；预测的类别是概率（或 logit）最大的那个：'
                      'y_hat.argmax(dim=1)。',
                      wrong=lambda y_hat, y: float((y_hat.argmin(dim=1) == y).sum())),
        Misconception('ties_counted',
                      '有几个类别并列最大时，你把和最大值相等的类别都算成了预测正确。'
                      '预测只能是一个类别：argmax 给出并列中的第一个（编号最小的类别），'
                      '用 y_hat.argmax(dim=1) 得到预测，再和 y 比较。',
                      wrong=_counting_ties),
        Misconception('count_wrong',
                      '你数的是预测错误的个数：比较时用 ==，数相等的个数。',
                      wrong=lambda y_hat, y: len(y) - accuracy(y_hat, y)),
        Misconception('not_summed',
                      '返回了逐个比较的结果；还要把 True 的个数加起来：(...).sum()，再 float(...)。',
                      wrong=lambda y_hat, y: y_hat.argmax(dim=1) == y),
    ],
)


# ----- one SGD step (chapter 06) ---------------------------------------------------------

def _param_case(label: str, values: list[torch.Tensor], grads: list[torch.Tensor],
                lr: float, batch_size: int) -> Case:
    def build():
        params = []
        for v, gr in zip(values, grads):
            p = v.detach().clone().requires_grad_()
            p.grad = gr.detach().clone()
            params.append(p)
        return params, lr, batch_size
    return Case(label, build=build)


def _sgd_cases() -> list[Case]:
    g = generator(9)
    W = _t([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]])
    gW = _t([[4.0, 8.0], [-2.0, 0.0], [1.0, -4.0]])
    b, gb = _t([0.0, 1.0]), _t([2.0, -6.0])
    cases = [
        _param_case('W 形状 (3, 2)、b 形状 (2,)，lr = 0.1，batch_size = 4', [W, b], [gW, gb], 0.1, 4),
        _param_case('float64 的参数，lr = 0.5，batch_size = 2',
                    [randn(g, 4, 3, dtype=torch.float64), randn(g, 3, dtype=torch.float64)],
                    [randn(g, 4, 3, scale=2, dtype=torch.float64),
                     randn(g, 3, scale=2, dtype=torch.float64)], 0.5, 2),
        _param_case('只有一个参数，batch_size = 1', [_t([1.0, 2.0, 3.0])], [_t([0.5, -1.0, 2.0])],
                    0.03, 1),
    ]
    cases.append(_param_case('本章的形状：W (784, 10)、b (10,)，lr = 0.1，batch_size = 256',
                             [randn(g, 784, 10, scale=0.01), torch.zeros(10)],
                             [randn(g, 784, 10, scale=20), randn(g, 10, scale=20)], 0.1, 256))
    for _ in range(2):
        d, q = randint(g, 2, 6), randint(g, 2, 5)
        lr, bs = [0.01, 0.1, 0.3][randint(g, 0, 3)], [8, 16, 256][randint(g, 0, 3)]
        cases.append(_param_case(f'随机的 W ({d}, {q}) 和 b ({q},)，lr = {lr}，batch_size = {bs}',
                                 [randn(g, d, q), randn(g, q)],
                                 [randn(g, d, q, scale=50), randn(g, q, scale=50)], lr, bs))
    return cases


def _names(n: int) -> list[str]:
    return ['W', 'b'] if n == 2 else ['w'] if n == 1 else [f'p{i}' for i in range(n)]


@dataclass
class SGDState:
    """What a training loop sees after one ``sgd`` call: its own parameter tensors (the ones
    the model computes with, whatever the list passed in holds now) and their gradients."""
    values: tuple
    zeroed: tuple
    trainable: tuple
    rebound: bool


class SGDTask(Task):
    """``sgd(params, lr, batch_size)`` updates in place: judge the tensors training holds."""

    def call(self, fn, case: Case, budget: Budget | None = None) -> Outcome:
        params, lr, batch_size = case.fresh()
        tensors = list(params)                  # what the model (and the training loop) holds
        outcome = quiet_call(fn, (params, lr, batch_size), budget)
        if outcome.error is not None or outcome.timed_out:
            return outcome
        outcome.value = SGDState(
            values=tuple(t.detach().clone() for t in tensors),
            zeroed=tuple(t.grad is None or not bool(t.grad.any()) for t in tensors),
            trainable=tuple(t.requires_grad and t.is_leaf for t in tensors),
            rebound=len(params) != len(tensors) or any(p is not t for p, t in zip(params, tensors)))
        return outcome

    def expected(self, case: Case) -> Outcome:
        return self.call(self.reference, case)

    def judge(self, got: Outcome, want: Outcome, case: Case) -> Failure | None:
        f = self.func_name
        failure = self._judge_common(got)
        if failure is not None:
            return failure
        state, expected = got.value, want.value
        before = [p.detach() for p in case.fresh()[0]]
        if all(torch.equal(v, b) for v, b in zip(state.values, before)):
            if state.rebound:
                return Failure('rebound', f'{f} 把列表里的参数换成了新张量，原来的参数张量一点都没有变：'
                                          f'训练循环和模型手里的还是原来的 W、b。')
            return Failure('unchanged', f'调用 {f} 之后，参数一点都没有变。')
        if not all(close(v, w) for v, w in zip(state.values, expected.values)):
            return Failure('value', f'{f} 更新后的参数与期望值不同。')
        if not all(state.trainable):
            return Failure('requires_grad', f'参数更新对了，但更新之后它不再是需要梯度的叶子张量'
                                            f'（requires_grad 变成了 False）：下一次 backward 就不会'
                                            f'再给它算梯度，训练会停下来。', show_got=False)
        if not all(state.zeroed):
            return Failure('grad', f'参数更新对了，但 {f} 没有把梯度清零。', show_got=False)
        return None

    def describe_inputs(self, case: Case) -> str:
        params, lr, batch_size = case.fresh()
        parts = []
        for name, p in zip(_names(len(params)), params):
            parts.append(f'{name} = {fmt(p.detach())}，{name}.grad = {fmt(p.grad)}')
        return '；'.join(parts) + f'；lr = {fmt_number(lr)}，batch_size = {batch_size}'

    def describe_value(self, value) -> str:
        if not isinstance(value, SGDState):
            return fmt(value)
        text = '；'.join(f'{n} = {fmt(v)}' for n, v in zip(_names(len(value.values)), value.values))
        return text + ('' if all(value.zeroed) else '（梯度没有清零）')


def _sgd_variant(update, zero=True, first_only=False, zero_first=False, rebind=False):
    def f(params, lr, batch_size):
        with torch.no_grad():
            for param in params:
                if zero_first:
                    param.grad.zero_()
                if rebind:
                    param = param - update(param.grad, lr, batch_size)  # noqa: PLW2901
                else:
                    param -= update(param.grad, lr, batch_size)
                if zero:
                    param.grad.zero_() if param.grad is not None else None
                if first_only:
                    return
    return f


_RIGHT = lambda g, lr, bs: lr * g / bs  # noqa: E731

SGD = SGDTask(
    name='sgd', chapter='06', func_name='my_sgd', params=('params', 'lr', 'batch_size'),
    statement=(
        '**动手练习（第 06 章）：一步小批量随机梯度下降。** 写一个函数 `my_sgd(params, lr, batch_size)`：'
        '`params` 是参数张量的列表（如 `[W, b]`），每个参数的 `.grad` 里是这个小批量**损失之和**的梯度。'
        '原地更新每个参数：$\\mathbf{w} \\leftarrow \\mathbf{w} - \\eta \\cdot \\text{grad} / n$'
        '（$\\eta$ 即 `lr`，$n$ 即 `batch_size`），然后把它的梯度清零。函数不需要返回值。'),
    reference=sgd, cases=_sgd_cases,
    success='含 float64、单个参数、W (784, 10)、batch_size = 1 到 256',
    hints=[
        '更新要在 `with torch.no_grad():` 里做，否则 autograd 会记录（并拒绝）对叶子张量的原地修改。',
        '对每个 `param`：`param -= lr * param.grad / batch_size`（原地减），再 `param.grad.zero_()` 清零梯度。',
    ],
    solution='''
def my_sgd(params, lr, batch_size):
    with torch.no_grad():                        # 更新参数不需要被 autograd 记录
        for param in params:
            param -= lr * param.grad / batch_size   # 梯度是损失之和的，除以 n 得到平均
            param.grad.zero_()                      # 清零，下一个小批量重新累加
''',
    misconceptions=[
        Misconception('no_batch_divide',
                      '步子大了 batch_size 倍：忘了除以 batch_size。梯度是小批量损失之和的梯度，'
                      '除以 n 才是平均损失的梯度。',
                      wrong=_sgd_variant(lambda g, lr, bs: lr * g)),
        Misconception('times_batch_size',
                      '要除以 batch_size，而不是乘以它。',
                      wrong=_sgd_variant(lambda g, lr, bs: lr * g * bs)),
        Misconception('ascent',
                      '方向反了：梯度下降是减去 lr × 梯度（param -= ...），加上就成了梯度上升。',
                      wrong=_sgd_variant(lambda g, lr, bs: -lr * g / bs)),
        Misconception('no_zero_grad',
                      '更新完要清零梯度：param.grad.zero_()。PyTorch 会把下一次 backward 的梯度'
                      '累加到 .grad 上，不清零就会把旧梯度一直带下去。',
                      wrong=_sgd_variant(_RIGHT, zero=False)),
        Misconception('zero_before_update',
                      '先清零再更新：更新时梯度已经是 0，参数不会变。顺序应是先 param -= ...，再 param.grad.zero_()。',
                      wrong=_sgd_variant(_RIGHT, zero_first=True)),
        Misconception('rebind',
                      '参数和梯度都原封未动。如果你写的是 param = param - ...：这只是让变量名 param '
                      '指向一个新张量，列表里的参数没有变。要原地更新：param -= ...'
                      '（放在 with torch.no_grad(): 里），再 param.grad.zero_()。',
                      wrong=_sgd_variant(_RIGHT, rebind=True)),
        Misconception('rebind',
                      'param.grad 是 None：多半是写了 param = param - ...，这让变量名 param 指向一个'
                      '没有梯度的新张量，列表里的参数并没有变。要原地更新：param -= ...'
                      '（放在 with torch.no_grad(): 里）。',
                      when=lambda f: f.kind == 'raised' and isinstance(f.error, AttributeError)
                      and "'NoneType'" in str(f.error)),
        Misconception('rebind_slots',
                      'params[i] = ... 只是把列表这一格换成了新张量；模型和训练循环手里的还是原来的 W、b，'
                      '它们没有被更新（训练时准确率会停在随机猜的水平）。要原地更新原来的张量：'
                      'param -= ...（放在 with torch.no_grad(): 里）。',
                      when=lambda f: f.kind == 'rebound'),
        Misconception('first_only',
                      '只有第一个参数被更新了：是不是把 return 写进了 for 循环里，或者只更新了 params[0]？',
                      wrong=_sgd_variant(_RIGHT, first_only=True)),
        Misconception('fixed_params',
                      'params 里的参数个数不固定（可能只有一个，也可能有很多）：不要写 W, b = params，'
                      '用 for param in params: 逐个更新。',
                      when=lambda f: f.kind == 'raised' and 'unpack' in str(f.error)),
        Misconception('no_torch_no_grad',
                      '对需要梯度的叶子张量做原地修改时，autograd 会报错：把更新写在 with torch.no_grad(): 里。',
                      when=lambda f: f.kind == 'raised' and 'leaf' in str(f.error)
                      and 'in-place' in str(f.error)),
    ],
)
