"""Exercises on turning labels and logits into vectors: one-hot (ch. 01), softmax and its
stable form (ch. 02), log-sum-exp (ch. 04)."""
from __future__ import annotations

import torch

from ..functional import logsumexp, one_hot, softmax
from .cases import generator, randint, randn
from .task import Case, Misconception, Task

__all__ = ['ONE_HOT', 'SOFTMAX', 'STABLE_SOFTMAX', 'LOG_SUM_EXP']

_t = torch.tensor


# ----- one_hot (chapter 01) ---------------------------------------------------------------

def _one_hot_cases() -> list[Case]:
    cases = [
        Case('4 个样本、3 个类别（猫、狗、鸡、猫）', (_t([0, 2, 1, 0]), 3)),
        Case('1 个样本，标签是最后一个类别 q−1', (_t([4]), 5)),
        Case('标签里没有出现最后一个类别 q−1', (_t([0, 1, 0]), 4)),
        Case('样本数 n 等于类别数 q', (_t([2, 0, 1]), 3)),
        Case('只有一个类别（q = 1）', (_t([0, 0]), 1)),
    ]
    g = generator(1)
    for _ in range(3):
        n, q = randint(g, 1, 9), randint(g, 2, 11)
        cases.append(Case(f'随机的 {n} 个标签、{q} 个类别', (randint(g, 0, q, (n,)), q)))
    cases.append(Case('一个完整的小批量：256 个标签、10 个类别', (randint(g, 0, 10, (256,)), 10)))
    cases.append(Case('12 个类别（多于 10 个），标签含 11', (_t([11, 0, 10, 5, 11]), 12)))
    return cases


ONE_HOT = Task(
    name='one_hot', chapter='01', func_name='my_one_hot', params=('y', 'q'),
    statement=(
        '**动手练习（第 01 章）：独热编码。** 写一个函数 `my_one_hot(y, q)`：`y` 是形状 `[n]` 的'
        '整数标签（取值 `0, …, q-1`），`q` 是类别数；返回形状 `[n, q]` 的**浮点数**张量 '
        '$\\mathbf{Y}$，第 `i` 行只在第 `y[i]` 列为 1，其余为 0。'
        '请自己实现，不要调用 `F.one_hot` 或 `d2lhelpers.one_hot`。'),
    reference=one_hot, cases=_one_hot_cases, dtype_strict=False, labels=('y',),
    success='含标签 0 和 q−1、n = q、q = 1、256 个标签、12 个类别',
    hints=[
        '先用 `torch.zeros(n, q)` 建一个全 0 的浮点数矩阵，`n = len(y)`。',
        '再在每一行的第 `y[i]` 列放一个 1：可以用循环，也可以用花式索引 `Y[range(len(y)), y] = 1`。',
    ],
    solution='''
def my_one_hot(y, q):
    Y = torch.zeros(len(y), q)        # n 行 q 列，全 0（float32）
    Y[range(len(y)), y] = 1           # 第 i 行的第 y[i] 列放一个 1
    return Y
''',
    misconceptions=[
        Misconception('int_dtype',
                      '结果不是浮点数张量（F.one_hot 返回的就是 int64）。独热标签要和概率相乘、相减，'
                      '应是浮点数：用 torch.zeros(n, q) 建矩阵，或在最后加 .float()。',
                      wrong=lambda y, q: torch.nn.functional.one_hot(y, q)),
        Misconception('width_from_labels',
                      '列数应是参数 q，而不是 y.max() + 1：一个小批量里不一定出现最后一个类别'
                      '（F.one_hot(y) 不给 num_classes 时就会这样）。',
                      wrong=lambda y, q: torch.nn.functional.one_hot(y).float()),
        Misconception('transposed',
                      '行和列反了：每个样本占一行，形状应是 [n, q]（n = len(y) 个样本，q 个类别）。',
                      wrong=lambda y, q: one_hot(y, q).T.contiguous()),
        Misconception('one_based',
                      '类别编号差了 1：代码里类别从 0 开始编号，标签 y[i] 就是列号，不用减 1。',
                      wrong=lambda y, q: one_hot((y - 1) % q, q)),
    ],
)


# ----- softmax (chapter 02) ----------------------------------------------------------------

def _softmax_cases() -> list[Case]:
    cases = [
        Case('2 个样本、3 个类别', (_t([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]]),)),
        Case('n = q = 3 的方阵', (_t([[1.0, 0.0, -1.0], [2.0, 2.0, 2.0], [0.5, -0.5, 3.0]]),)),
        Case('1 个样本', (_t([[2.0, 1.0, 0.1]]),)),
        Case('只有一个类别（q = 1）', (_t([[0.3], [-2.0]]),)),
    ]
    g = generator(2)
    cases.append(Case('float64 的 logits', (randn(g, 3, 4, scale=2, dtype=torch.float64),)))
    cases.append(Case('每个 logit 都加上 50', (randn(g, 2, 5, scale=2) + 50,)))
    for _ in range(3):
        n, q = randint(g, 1, 9), randint(g, 2, 11)
        cases.append(Case(f'随机的 {n}×{q} logits', (randn(g, n, q, scale=3),)))
    cases.append(Case('一个完整的小批量：256 个样本、10 个类别', (randn(g, 256, 10, scale=3),)))
    cases.append(Case('12 个类别（多于 10 个）', (randn(g, 3, 12, scale=3),)))
    return cases


_SOFTMAX_WRONG = [
    Misconception('wrong_dim',
                  '你的结果是每一列之和为 1：求和沿了 dim=0（样本那一维）。softmax 要对每个样本'
                  '（每一行）各自规范化：O_exp.sum(dim=1, keepdim=True)。',
                  wrong=lambda O: torch.exp(O) / torch.exp(O).sum(dim=0, keepdim=True)),
    Misconception('no_keepdim',
                  'O_exp.sum(dim=1) 的形状是 [n]，和 [n, q] 相除时会对齐最后一维，除错了对象'
                  '（或者直接报错）。加上 keepdim=True，得到 [n, 1]，每行除以自己的和。',
                  wrong=lambda O: torch.exp(O) / torch.exp(O).sum(dim=1)),
    Misconception('whole_sum',
                  '你把所有元素一起规范化了（整个矩阵之和为 1）。应当每一行各自除以自己的和：'
                  'sum(dim=1, keepdim=True)。',
                  wrong=lambda O: torch.exp(O) / torch.exp(O).sum()),
    Misconception('no_exp',
                  '少了指数：softmax 先对每个 logit 取 exp 让它变成正数，再除以这一行的和。'
                  '直接用 o 除以 o 的和会得到负数，甚至除以 0。',
                  wrong=lambda O: O / O.sum(dim=1, keepdim=True)),
    Misconception('no_normalise',
                  '只算了 exp(O)，还没有除以每一行的和：概率每一行加起来应为 1。',
                  wrong=lambda O: torch.exp(O)),
]

SOFTMAX = Task(
    name='softmax', chapter='02', func_name='my_softmax', params=('O',),
    statement=(
        '**动手练习（第 02 章）：softmax。** 写一个函数 `my_softmax(O)`：`O` 是形状 `[n, q]` 的'
        ' logits（每行一个样本），返回同样形状的 $\\hat{\\mathbf{Y}}$，'
        '$\\hat{y}_{ij} = \\exp(o_{ij}) / \\sum_k \\exp(o_{ik})$（按行计算）。直接照公式写即可，'
        '不要调用 `torch.softmax` 或 `d2lhelpers.softmax`。'),
    reference=softmax, cases=_softmax_cases,
    success='含单个样本、q = 1、float64、整体平移、256×10、12 个类别',
    hints=[
        '先用 `torch.exp(O)` 得到每个 exp(o_ij)，形状仍是 [n, q]。',
        '每一行求和：`.sum(dim=1, keepdim=True)` 得到形状 [n, 1] 的规范化常数，'
        '再用广播让每一行除以自己的常数。',
    ],
    solution='''
def my_softmax(O):
    O_exp = torch.exp(O)
    partition = O_exp.sum(dim=1, keepdim=True)   # 每行一个规范化常数，形状 [n, 1]
    return O_exp / partition                     # 广播：每行除以自己的常数
''',
    misconceptions=_SOFTMAX_WRONG,
)


# ----- stable softmax (chapter 02) --------------------------------------------------------

def _stable_cases() -> list[Case]:
    cases = [
        Case('2 个样本、3 个类别', (_t([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]]),)),
        Case('很大的 logit：[1000, 0]', (_t([[1000.0, 0.0]]),)),
        Case('很大且相近的 logits：[1000, 999, 998]', (_t([[1000.0, 999.0, 998.0]]),)),
        Case('整行都是 −1000', (_t([[-1000.0, -1000.0, -1000.0]]),)),
        Case('一行很大、一行很小', (_t([[1000.0, 0.0], [-1000.0, -1000.0]]),)),
        Case('n = q = 3 的方阵', (_t([[1.0, 0.0, -1.0], [2.0, 2.0, 2.0], [0.5, -0.5, 3.0]]),)),
        Case('float64,±1000', (_t([[1000.0, -1000.0, 0.0], [-1000.0, -999.0, -1001.0]],
                                  dtype=torch.float64),)),
        Case('只有一个类别（q = 1）', (_t([[1000.0], [-2.0]]),)),
    ]
    g = generator(3)
    for _ in range(3):
        n, q = randint(g, 1, 9), randint(g, 2, 11)
        cases.append(Case(f'随机的 {n}×{q} logits，数值可达数百',
                          (randn(g, n, q, scale=300),)))
    cases += [
        Case('一个 logit 比其余的大 100：[100, 0, 0, 0]', (_t([[100.0, 0.0, 0.0, 0.0]]),)),
        Case('一个完整的小批量：256 个样本、10 个类别，数值可达数百', (randn(g, 256, 10, scale=300),)),
        Case('12 个类别（多于 10 个），数值可达数百', (randn(g, 3, 12, scale=300),)),
    ]
    return cases


def softmax_naive(O):
    """The plain row softmax of the lesson, without the max subtraction."""
    O_exp = torch.exp(O)
    return O_exp / O_exp.sum(dim=1, keepdim=True)


def _shifted(wrong_norm):
    """A stable softmax whose normalisation is done wrongly by ``wrong_norm``."""
    def f(O):
        return wrong_norm(O - O.max(dim=1, keepdim=True).values)
    return f


STABLE_SOFTMAX = Task(
    name='stable_softmax', chapter='02', func_name='my_stable_softmax', params=('O',),
    statement=(
        '**动手练习（第 02 章）：数值稳定的 softmax。** 写一个函数 `my_stable_softmax(O)`：'
        '和 `my_softmax` 一样按行计算 softmax，但对 `[[1000.0, 0.0]]` 这样很大（或很小）的 '
        'logits 也给出正确的有限结果（这里应是 `[[1.0, 0.0]]`）。提示：softmax 对每一行加上'
        '同一个常数不变。'),
    reference=softmax, cases=_stable_cases,
    success='含 ±1000 的 logits、整行 −1000、float64、256×10、12 个类别',
    hints=[
        '对每一行减去同一个常数，softmax 的结果不变；选这一行的最大值，exp 的参数就都 ≤ 0，不会溢出。',
        '`m = O.max(dim=1, keepdim=True).values` 是每行的最大值 m，形状 [n, 1]；'
        '然后对 `O - m` 做普通的 softmax。',
    ],
    solution='''
def my_stable_softmax(O):
    m = O.max(dim=1, keepdim=True).values        # 每行的最大 logit，形状 [n, 1]
    O_exp = torch.exp(O - m)                     # 每项 ≤ exp(0) = 1，不会溢出
    return O_exp / O_exp.sum(dim=1, keepdim=True)
''',
    misconceptions=[
        Misconception('no_max_shift',
                      '没有减去每行的最大值：exp(1000) 在 float32 里溢出成 inf，inf / inf = nan；'
                      '整行都很小时 exp 全部下溢成 0，0 / 0 也是 nan。'
                      '先减去 m = O.max(dim=1, keepdim=True).values，结果不变。',
                      wrong=lambda O: torch.exp(O) / torch.exp(O).sum(dim=1, keepdim=True)),
        Misconception('global_max',
                      '减去的是整个矩阵的最大值 O.max()，而不是每一行自己的最大值：'
                      '别的行 logit 都很小时，它们的 exp 全部下溢成 0，0 / 0 = nan。'
                      '用 O.max(dim=1, keepdim=True).values。',
                      wrong=lambda O: softmax_naive(O - O.max())),
        Misconception('subtract_min',
                      '减去的是每行的最小值：其余的 logit 减完仍可能很大，exp 照样溢出。'
                      '要减去每行的最大值。',
                      wrong=lambda O: softmax_naive(O - O.min(dim=1, keepdim=True).values)),
        Misconception('subtract_mean',
                      '减去的是每行的平均值：一行里最大值比平均值大很多（float32 里超过约 88）时，'
                      'exp 照样溢出。要减去每行的最大值 O.max(dim=1, keepdim=True).values，'
                      '这样 exp 的参数都 ≤ 0。',
                      wrong=lambda O: softmax_naive(O - O.mean(dim=1, keepdim=True))),
        Misconception('add_max',
                      '符号反了：要减去每行的最大值（O - m），而不是加上。',
                      wrong=lambda O: softmax_naive(O + O.max(dim=1, keepdim=True).values)),
        Misconception('max_no_keepdim',
                      'O.max(dim=1).values 的形状是 [n]，和 [n, q] 相减时会对齐最后一维，'
                      '减错了对象（或者直接报错）。加上 keepdim=True，得到 [n, 1]。',
                      wrong=lambda O: softmax_naive(O - O.max(dim=1).values)),
        Misconception('max_namedtuple',
                      'O.max(dim=1) 返回的是 (values, indices) 两部分，不是张量：'
                      '写成 O.max(dim=1, keepdim=True).values。',
                      when=lambda f: f.kind == 'raised' and 'return_types' in str(f.error)),
        *[Misconception(m.key, m.hint, wrong=_shifted(m.wrong)) for m in _SOFTMAX_WRONG
          if m.key in ('wrong_dim', 'no_keepdim', 'whole_sum', 'no_normalise')],
    ],
)


# ----- log-sum-exp (chapter 04) -----------------------------------------------------------

def _lse_cases() -> list[Case]:
    cases = [
        Case('2 个样本、3 个类别', (_t([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),)),
        Case('很大的 logit：[1000, 0]', (_t([[1000.0, 0.0]]),)),
        Case('整行都是 −1000', (_t([[-1000.0, -1000.0, -1000.0]]),)),
        Case('第 04 章的例子（n = q = 3）', (_t([[1000.0, 0.0, -1000.0], [0.0, -200.0, 5.0],
                                           [30.0, 30.0, -30.0]]),)),
        Case('只有一个类别（q = 1）', (_t([[2.0], [-3.0]]),)),
    ]
    g = generator(4)
    cases.append(Case('float64 的 logits', (randn(g, 3, 4, scale=2, dtype=torch.float64),)))
    for _ in range(3):
        n, q = randint(g, 1, 9), randint(g, 2, 11)
        cases.append(Case(f'随机的 {n}×{q} logits，数值可达数百', (randn(g, n, q, scale=300),)))
    cases.append(Case('1 个样本', (_t([[0.5, -1.0, 2.0]]),)))
    cases.append(Case('一个完整的小批量：256 个样本、10 个类别', (randn(g, 256, 10, scale=300),)))
    cases.append(Case('12 个类别（多于 10 个）', (randn(g, 3, 12, scale=300),)))
    return cases


def _row_max(O):
    return O.max(dim=1, keepdim=True).values


LOG_SUM_EXP = Task(
    name='log_sum_exp', chapter='04', func_name='my_log_sum_exp', params=('O',),
    statement=(
        '**动手练习（第 04 章）：log-sum-exp。** 写一个函数 `my_log_sum_exp(O)`：`O` 是形状 '
        '`[n, q]` 的 logits，返回形状 `[n]` 的张量，第 `i` 个元素是 '
        '$\\log \\sum_k \\exp(o_{ik})$，而且对 ±1000 这样的 logits 也不溢出（例如 '
        '`[[1000.0, 0.0]]` 应得到 `[1000.0]`）。不要调用 `torch.logsumexp` 或 '
        '`d2lhelpers.logsumexp`。'),
    reference=lambda O: logsumexp(O, dim=1), cases=_lse_cases,
    success='含 ±1000、整行 −1000、q = 1、float64、256×10、12 个类别',
    hints=[
        '恒等式：log Σ exp(o_k) = c + log Σ exp(o_k − c)，对任何常数 c 都成立。',
        '取 c 为每行的最大值 m = `O.max(dim=1, keepdim=True).values`：exp 的参数都 ≤ 0 不会溢出，'
        '而且求和里至少有一项是 exp(0) = 1，取 log 也不会得到 −inf。最后把形状 [n, 1] 变回 [n]。',
    ],
    solution='''
def my_log_sum_exp(O):
    m = O.max(dim=1, keepdim=True).values          # 每行的最大值，形状 [n, 1]
    s = torch.exp(O - m).sum(dim=1, keepdim=True)  # 每项 ≤ 1，和在 [1, q] 之间
    return (m + torch.log(s)).squeeze(1)           # 形状 [n]
''',
    misconceptions=[
        Misconception('no_shift',
                      '没有先减去每行的最大值：exp(1000) 溢出成 inf，log(inf) = inf；整行都是 −1000 时'
                      ' exp 全部下溢成 0，log 0 = −inf。用 c + log Σ exp(o − c)，c 取每行最大值。',
                      wrong=lambda O: torch.log(torch.exp(O).sum(dim=1))),
        Misconception('shift_not_added_back',
                      '减去了 c，却忘了把它加回来：log Σ exp(o_k) = c + log Σ exp(o_k − c)。',
                      wrong=lambda O: torch.log(torch.exp(O - _row_max(O)).sum(dim=1))),
        Misconception('global_max',
                      '减去的是整个矩阵的最大值 O.max()，不是每一行自己的最大值：'
                      '别的行的 exp 会全部下溢成 0，log 0 = −inf。用 O.max(dim=1, keepdim=True).values。',
                      wrong=lambda O: O.max() + torch.log(torch.exp(O - O.max()).sum(dim=1))),
        Misconception('keepdim_shape',
                      '结果的形状应是 [n]（每个样本一个数），不是 [n, 1]：最后用 .squeeze(1)，'
                      '或者求和时不加 keepdim。',
                      wrong=lambda O: logsumexp(O, dim=1, keepdim=True)),
        Misconception('wrong_dim',
                      '沿 dim=0（样本那一维）求和了：log-sum-exp 要对每个样本的 q 个 logit（每一行）'
                      '求和，即 dim=1。',
                      wrong=lambda O: logsumexp(O, dim=0)),
        Misconception('no_log',
                      '少了最后的 log：要的是 log Σ exp(o_k)，不是 Σ exp(o_k)。',
                      wrong=lambda O: torch.exp(O).sum(dim=1)),
    ],
)
