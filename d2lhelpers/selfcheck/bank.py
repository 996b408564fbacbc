"""The question bank: the self-check (自测) of chapters 01-07, one source per question.

Every number in a statement or an answer is computed here with ``d2lhelpers`` / PyTorch (never
typed); every wrong option and every trap names the misconception that leads to it. Each
question carries ``fact``, which recomputes its answer from code a second way;
``tests/test_selfcheck.py`` asserts it equals the marked answer and recomputes every number
once more with plain PyTorch.

A question is placed in its chapter's 自测 block (before 小结); its ``link`` is the label of the
section that teaches it (``texts/NN_*.md``: ``(chNN-...)=``).
"""
from __future__ import annotations

import dataclasses
import math
import random
import zlib
from functools import lru_cache

import torch
from torch import nn

from ..functional import log_softmax, one_hot, softmax
from ..losses import huber_grad, huber_loss, l1_grad, l1_loss, l2_grad, l2_loss, softmax_cross_entropy
from .model import Option, Question, Trap, fmt_number

__all__ = ['CHAPTERS', 'questions', 'all_questions']

CHAPTERS = ('01', '02', '03', '04', '05', '06', '07')


def _t(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32)


def _vec(v, d: int = 3) -> str:
    return '[' + ', '.join(fmt_number(float(x), d) for x in v) + ']'


# ------------------------------------------------------------------------------ 01
def _ch01() -> list[Question]:
    label, q = 3, 10
    onehot = one_hot([label], q)[0]
    shifted = one_hot([label - 1], q)[0]          # counted from 1
    options = (
        Option(_vec(onehot, 0), f'类别编号从 0 开始，第 {label} 号类别的 1 放在下标 {label}'
               f'（第 {label + 1} 个位置），其余 {q - 1} 个分量为 0。', correct=True),
        Option(_vec(shifted, 0), f'把编号 {label} 数成了第 {label} 个位置：代码里的下标从 0 开始，'
               f'1 应该在下标 {label}。', misconception='下标从 1 数起'),
        Option(f'{label}（一个数）', '这是类别编号本身，不是独热向量。把编号当作一个数去拟合，'
               '就等于假设类别之间有大小和距离。', misconception='把类别编号当作独热编码'),
        Option(_vec(onehot * label, 0), '独热向量只有 0 和 1：真实类别那一位是 1（概率为 1），'
               '不是编号的值。', misconception='在那一位写上编号'),
    )
    d, qq = 784, 10
    layer = nn.Linear(d, qq)
    params = sum(p.numel() for p in layer.parameters())
    return [
        Question(
            'ch01-one-hot', '01', 'single',
            f'Fashion-MNIST 有 q = {q} 个类别，一张图片的标签是 y = {label}'
            f'（类别编号从 0 开始）。它的独热编码是哪一个？',
            'ch01-one-hot', options[0].why, options,
            fact=lambda: next(i for i, o in enumerate(options)
                              if o.text == _vec(one_hot(torch.tensor([label]), q)[0], 0))),
        Question(
            'ch01-fc-params', '01', 'number',
            f'全连接层把 d = {d} 个输入映射到 q = {qq} 个输出（有偏置）。它一共有多少个参数？',
            'ch01-fully-connected',
            f'每个输出对每个输入有一个权重（d × q = {d * qq} 个），每个输出还有一个偏置'
            f'（q = {qq} 个）：dq + q = {params}。',
            answer=float(params), tolerance=0.5, decimals=0,
            traps=(Trap(float(d * qq), '只数权重、忘了偏置', f'd × q = {d * qq} 只是权重；'
                        f'每个输出还有一个偏置，要再加 q = {qq}。'),
                   Trap(float(d + qq), '以为每个输入只连一个输出',
                        '全连接层的每个输出都依赖全部输入：参数是 d × q 个权重加 q 个偏置，'
                        '不是 d + q。'),
                   Trap(float(d * qq + d), '偏置按输入数', f'偏置是每个输出一个（q = {qq} 个），'
                        f'不是每个输入一个。')),
            fact=lambda: float(sum(p.numel() for p in nn.Linear(d, qq).parameters()))),
        Question(
            'ch01-which-classification', '01', 'multiple',
            '下面哪些是分类问题？',
            'ch01-regression-vs-classification',
            '分类预测有限个离散类别之一（是否垃圾邮件、哪一种衣物）；回归估计一个连续值'
            '（气温、平均亮度），哪怕结果写成数字。',
            (Option('判断一封邮件是不是垃圾邮件', '两个离散类别：是或不是。', correct=True),
             Option('预测明天的最高气温', '这是回归：答案是一个连续值。',
                    misconception='看到“预测”就当作分类'),
             Option('识别一张图片是 10 种衣物中的哪一种', '10 个离散类别之一。', correct=True),
             Option('估计一张图片的平均亮度', '这是回归：答案是 [0, 1] 中的任意实数；'
                    '输入是图片不等于问题是分类。', misconception='输入是图片就是分类')),
        ),   # no executable fact: what a task asks
    ]


# ------------------------------------------------------------------------------ 02
def _ch02() -> list[Question]:
    o = _t([1.0, 2.0, 3.0])
    p = softmax(o)
    top = p.max().item()
    naive = (o / o.sum()).max().item()
    shift = 10.0
    top_logit = (o + shift).max().item()
    O = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    shift_opts = (
        Option('和原来完全一样', f'softmax 对所有 logits 加同一个常数不变：'
               f'exp(o_j + c) / Σ exp(o_k + c) 中的 exp(c) 上下约掉。', correct=True),
        Option('每个概率都变大', '概率之和永远是 1，不可能全部变大；加常数后各分量的比值'
               ' exp(o_j − o_k) 不变，所以概率也不变。', misconception='logits 大了，概率就都大'),
        Option('分布变得更尖', '变尖的是除以小于 1 的温度（乘一个大于 1 的数），'
               '不是加一个常数：差 o_j − o_k 没变。', misconception='把“加常数”当成“改温度”'),
        Option('会上溢，得到 nan', f'e^{top_logit:g} 约为 {math.exp(top_logit):.1e}，远没到 float32 的'
               f'上限（约 e^{math.log(torch.finfo(torch.float32).max):.1f}）；而且稳定的 softmax '
               '先减去最大值，再大的常数也不会上溢。', misconception='加常数必然上溢'),
    )
    axis_opts = (
        Option('沿 dim=1：每一行（一个样本的 10 个 logits）各自做 softmax，每行之和为 1',
               '每个样本各有一个概率分布：每一行归一化，行与行互不影响。', correct=True),
        Option('沿 dim=0：每一列（一个类别在整批上的 logits）各自做 softmax',
               '这样每一列之和为 1：一个样本的概率会取决于同批的其他样本，'
               '而它自己的 10 个概率之和不是 1。', misconception='沿错误的轴求和'),
        Option('把整个 256 × 10 矩阵一起做 softmax，所有元素之和为 1',
               '整批只有一个分布：每个样本分到的概率之和约为 1/256，不是一个分布。',
               misconception='整批一起归一化'),
    )
    linear_opts = (
        Option('o 的分量可能是负数', '概率不能为负，而 Wᵀx + b 可以取任意实数。', correct=True),
        Option('o 的分量之和一般不等于 1', '概率之和必须为 1；线性输出没有这个约束。',
               correct=True),
        Option('o 不保持类别分数的大小顺序', 'o 本身就是分数：分数最高的类别就是 o 最大的分量。'
               'softmax 也保持这个顺序。', misconception='以为线性输出会打乱顺序'),
        Option('o 不能对参数求导', '线性函数处处可导；问题在于它不满足概率的两个条件。',
               misconception='以为线性输出不可导'),
    )
    return [
        Question(
            'ch02-softmax-max', '02', 'number',
            f'logits o = {_vec(o, 0)}。softmax(o) 最大的分量是多少？（保留 3 位小数）',
            'ch02-softmax',
            f'ŷ_3 = e³ / (e¹ + e² + e³) ≈ {fmt_number(top, 3)}。softmax 先取指数再归一化：'
            f'结果是 {_vec(p, 3)}。',
            answer=top, tolerance=5e-4 + 1e-9,
            traps=(Trap(naive, '直接除以总和、忘了取指数', f'3 / (1 + 2 + 3) = {fmt_number(naive, 3)}'
                        ' 是把 logits 本身归一化；softmax 先对每个分量取 exp。'),
                   Trap(1.0, '把 softmax 当作 argmax', 'argmax 给出最大分量的位置（独热的 1）；'
                        'softmax 给出概率，其他类别也分到一部分。'),
                   Trap(math.exp(3.0), '只取指数、没有归一化', f'e³ ≈ {fmt_number(math.exp(3), 3)}'
                        '：还要除以所有分量的指数之和。')),
            fact=lambda: torch.softmax(torch.tensor([1.0, 2.0, 3.0]), 0).max().item()),
        Question(
            'ch02-shift', '02', 'single',
            f'给 o = {_vec(o, 0)} 的每个分量都加上 {shift:g}，得到 {_vec(o + shift, 0)}。'
            f'softmax 的结果会怎样？',
            'ch02-softmax-properties', shift_opts[0].why, shift_opts,
            fact=lambda: 0 if torch.allclose(softmax(o + shift), softmax(o)) else None),
        Question(
            'ch02-axis', '02', 'single',
            '一个小批量的 logits O 形状为 256 × 10（256 个样本、10 个类别）。softmax 应该怎么算？',
            'ch02-minibatch', axis_opts[0].why, axis_opts,
            fact=lambda: 0 if torch.allclose(softmax(O, dim=1).sum(1), torch.ones(4))
            and not torch.allclose(softmax(O, dim=0).sum(1), torch.ones(4)) else None),
        Question(
            'ch02-why-not-linear', '02', 'multiple',
            '为什么不能把线性层的输出 o = Wᵀx + b 直接当作各类别的概率？（选出所有正确的理由）',
            'ch02-why-not-linear',
            '概率要非负、和为 1；线性输出两条都不保证。softmax 把它们变成满足这两条的分布，'
            '并保持大小顺序。',
            linear_opts,
            fact=lambda: frozenset(i for i, broken in enumerate((
                bool((O < 0).any()), bool(((O.sum(1) - 1).abs() > 1e-3).any()),
                not torch.equal(O.argmax(1), softmax(O).argmax(1)), False)) if broken)),
    ]


# ------------------------------------------------------------------------------ 03
def _ch03() -> list[Question]:
    e, delta = 3.0, 1.0
    y_hat, y = _t([0.0]), _t([e])                    # e = y - y_hat
    hub = huber_loss(y_hat, y, delta).item()
    l2 = l2_loss(y_hat, y).item()
    l1 = l1_loss(y_hat, y).item()
    big = 100.0
    grads = [abs(f(_t([0.0]), _t([big])).item()) for f in (l2_grad, l1_grad)] + \
        [abs(huber_grad(_t([0.0]), _t([big]), delta).item())]
    zero_opts = (
        Option('L1 损失 |e|', '|e| 在 0 点左边的斜率是 −1、右边是 +1：没有唯一的导数'
               '（只有次梯度）。', correct=True),
        Option('L2 损失 ½e²', '½e² 的导数 e 在 0 点是 0：处处可导。',
               misconception='以为平方在 0 点有尖角'),
        Option('Huber 损失（δ = 1）', 'Huber 在 |e| ≤ δ 时就是 ½e²，0 点光滑；在 |e| = δ '
               '处两段的斜率也都是 ±δ，所以它处处可导。', misconception='以为 Huber 在 0 点有尖角'),
        Option('三者都可导', '|e| 在 0 点有一个尖角：左右斜率 −1 和 +1 不相等。',
               misconception='把 L1 当作在 0 点光滑'),
    )
    pull_opts = (
        Option('L2', f'L2 的梯度是 ŷ − y，大小 {fmt_number(grads[0], 0)}：误差越大拉得越狠。',
               correct=True),
        Option('L1', f'L1 的梯度大小恒为 {fmt_number(grads[1], 0)}：损失 |e| 大，'
               '拉力却不随误差增长。', misconception='损失大就拉得狠'),
        Option('Huber（δ = 1）', f'Huber 的梯度被截在 ±δ：大小 {fmt_number(grads[2], 0)}。',
               misconception='以为 Huber 在大误差时像 L2'),
        Option('三者一样大', '梯度决定拉力：L2 的是 e，L1 和 Huber 的被限制在 1 和 δ。',
               misconception='以为三种损失对离群点一视同仁'),
    )
    items = ('L2 损失 ½e²', 'L1 损失 |e|', 'Huber 损失（δ = 1）')
    values = [l2, l1, hub]
    order = tuple(sorted(range(3), key=lambda i: -values[i]))
    return [
        Question(
            'ch03-huber-value', '03', 'number',
            f'Huber 损失，δ = {delta:g}，误差 e = {e:g} 时损失是多少？',
            'ch03-huber',
            f'|e| = {e:g} > δ，用线性段：δ(|e| − δ/2) = {fmt_number(hub, 3)}。',
            answer=hub, tolerance=1e-3,
            traps=(Trap(0.5 * e * e, '在 |e| > δ 时还用平方段', f'½e² = {fmt_number(0.5 * e * e, 3)}'
                        ' 只在 |e| ≤ δ 时适用；超出 δ 后 Huber 是线性的。'),
                   Trap(abs(e), '忘了线性段要减去 δ/2', f'δ|e| = {fmt_number(delta * abs(e), 3)}'
                        ' 与平方段在 |e| = δ 处接不上；减去 δ²/2 才连续。'),
                   Trap(delta * (abs(e) - delta), '减去的是 δ 而不是 δ/2',
                        f'δ(|e| − δ) = {fmt_number(delta * (abs(e) - delta), 3)}：在 |e| = δ 时'
                        '它是 0，平方段却是 δ²/2，两段接不上。')),
            fact=lambda: torch.nn.HuberLoss(delta=delta)(torch.zeros(1), torch.full((1,), e)).item()),
        Question(
            'ch03-not-smooth', '03', 'single',
            '在误差 e = 0 处，哪一种损失没有唯一的导数？',
            'ch03-l1', zero_opts[0].why, zero_opts,
            fact=lambda: _kinked_at_zero(delta)),
        Question(
            'ch03-outlier-pull', '03', 'single',
            f'拟合一条直线时，有一个误差 e = {big:g} 的离群点。在哪种损失下，它对参数的“拉力”'
            f'（损失对预测值的梯度大小）最大？',
            'ch03-comparison', pull_opts[0].why, pull_opts,
            fact=lambda: _largest_pull(big, delta)),
        Question(
            'ch03-order', '03', 'order',
            f'误差 e = {e:g}、δ = {delta:g}：把三种损失的值从大到小排序。',
            'ch03-comparison',
            f'L2 = {fmt_number(l2, 3)}，L1 = {fmt_number(l1, 3)}，Huber = {fmt_number(hub, 3)}：'
            f'误差大于 2 时 ½e² 超过 |e|；Huber 比 L1 少 δ²/2。',
            items=items, order=order,
            traps=(Trap((1, 0, 2), '以为 L1 总比 L2 大', '|e| > ½e² 只在 |e| < 2 时成立；'
                        f'e = {e:g} 时 ½e² = {fmt_number(l2, 3)} 更大。'),
                   Trap((0, 2, 1), '以为 Huber 在大误差时比 L1 大', '|e| > δ 时 Huber = δ|e| − δ²/2，'
                        'δ = 1 时正好比 L1 小 1/2。'),
                   Trap((2, 0, 1), '以为 Huber 是 L1 与 L2 之和', 'Huber 是分段的：小误差用 ½e²，'
                        '大误差用 δ(|e| − δ/2)，不是两者相加。')),
            fact=lambda: tuple(sorted(range(3), key=lambda i: -[
                0.5 * e * e, abs(e), torch.nn.HuberLoss(delta=delta)(
                    torch.zeros(1), torch.full((1,), e)).item()][i]))),
    ]


def _slopes(f, h: float = 1e-3) -> tuple[float, float]:
    """The left and right slopes of loss ``f`` (a function of e = y - y_hat) at e = 0."""
    at = lambda e: f(_t([0.0]), _t([e])).item()
    return (at(0.0) - at(-h)) / h, (at(h) - at(0.0)) / h


def _kinked_at_zero(delta: float):
    """The index of the only loss (L1, L2, Huber: the options' order after L1) whose left and
    right slopes at e = 0 differ."""
    losses = [l1_loss, l2_loss, lambda a, b: huber_loss(a, b, delta)]
    kinked = [i for i, f in enumerate(losses) if abs(_slopes(f)[0] - _slopes(f)[1]) > 0.5]
    return kinked[0] if len(kinked) == 1 else None


def _largest_pull(e: float, delta: float) -> int:
    """Which of L2, L1, Huber pulls hardest on the prediction of a point with error e
    (autograd: the size of d loss / d y_hat)."""
    pulls = []
    for f in (l2_loss, l1_loss, lambda a, b: huber_loss(a, b, delta)):
        y_hat = torch.zeros(1, requires_grad=True)
        f(y_hat, torch.full((1,), e)).sum().backward()
        pulls.append(abs(y_hat.grad.item()))
    return max(range(3), key=lambda i: pulls[i])


# ------------------------------------------------------------------------------ 04
def _ch04() -> list[Question]:
    y_hat = _t([0.1, 0.7, 0.2])
    y = 1
    ce = -math.log(y_hat[y].item())
    o = _t([2.0, 1.0, 0.1])
    T = 2.0
    Ob = torch.randn(64, 10, generator=torch.Generator().manual_seed(0))
    grad_opts = (
        Option('ŷ − y（softmax 的输出减去独热标签）', '−log softmax(o)_y 对 o_j 求导得 ŷ_j − y_j：'
               '预测的概率减去真实的概率。', correct=True),
        Option('y − ŷ', '符号反了：y − ŷ 是负梯度，也就是梯度下降走的方向。',
               misconception='把负梯度当作梯度'),
        Option('−1 / ŷ_y（只在真实类别上）', '这是对概率 ŷ_y 的导数；再经过 softmax 对 o 求导，'
               '所有类别的 logits 都有梯度。', misconception='对概率求导而不是对 logits'),
        Option('ŷ ⊙ (1 − ŷ)', '这是 sigmoid / softmax 对角元的导数，不是交叉熵对 logits 的梯度；'
               '两者相乘再求和才化简成 ŷ − y。', misconception='只用 softmax 的导数'),
    )
    big = _t([1000.0, 0.0])
    stable_opts = (
        Option('先减去最大的 logit m：softmax(o − m)', 'o − m ≤ 0，exp 不会上溢；'
               '最大的一项 exp(0) = 1，分母至少为 1，也不会除以 0。结果与原式相同。', correct=True),
        Option('先减去最小的 logit', '减去最小值后最大的一项仍是 exp(1000)：照样上溢成 inf，'
               'inf / inf = nan。', misconception='减最小值也一样'),
        Option('先除以最大的 logit：softmax(o / m)', '除法不是平移：它改变了 logits 的差，'
               '等于换了温度，结果不再是原来的概率。', misconception='把缩放当作平移'),
        Option('把 logits 截断到 [−88, 88]', '截断改变了 logits 之间的差：[1000, 0] 变成 '
               '[88, 0]，结果碰巧接近，但一般不等于原来的概率。', misconception='截断不改变结果'),
    )
    temp_opts = (
        Option('各类别的概率 ŷ', f'softmax(o/T) 更平：最大概率从 {fmt_number(softmax(o).max().item(), 3)}'
               f' 变为 {fmt_number(softmax(o / T).max().item(), 3)}。', correct=True),
        Option('交叉熵损失', '损失是 −log ŷ_y，ŷ 变了，损失也变。', correct=True),
        Option('argmax 给出的预测类别', '除以正数 T 不改变 logits 的大小顺序，argmax 不变。',
               misconception='以为温度会改变预测'),
        Option('测试准确率', '准确率只看 argmax，而 argmax 不随温度变化。',
               misconception='以为温度能提高准确率'),
    )
    return [
        Question(
            'ch04-ce-value', '04', 'number',
            f'模型对一个样本的预测是 ŷ = {_vec(y_hat, 1)}，真实类别 y = {y}（编号从 0 开始）。'
            f'交叉熵损失是多少？（自然对数，保留 3 位小数）',
            'ch04-mle',
            f'独热标签下交叉熵只剩真实类别一项：−log ŷ_{y} = −log {fmt_number(y_hat[y].item(), 1)} '
            f'≈ {fmt_number(ce, 3)}。',
            answer=ce, tolerance=1e-3,
            traps=(Trap(-math.log(0.1), '把类别编号当作从 1 数起', '编号从 0 开始：y = 1 是第 2 个分量'
                        ' 0.7，不是第 1 个分量 0.1。'),
                   Trap(-sum(math.log(v) for v in y_hat.tolist()), '对所有类别求和',
                        '交叉熵 −Σ y_j log ŷ_j 里的 y_j 是独热标签：只有真实类别一项不为 0。'),
                   Trap(-math.log10(0.7), '用了常用对数', '交叉熵用自然对数 ln；log₁₀ 小 ln 10 倍。'),
                   Trap(1 - 0.7, '用 1 − ŷ_y 当损失', '交叉熵是 −log ŷ_y：ŷ_y → 0 时趋向无穷，'
                        '不是线性的 1 − ŷ_y。')),
            fact=lambda: torch.nn.functional.nll_loss(torch.log(y_hat)[None], torch.tensor([y])).item()),
        Question(
            'ch04-gradient', '04', 'single',
            '交叉熵损失 ℓ = −log softmax(o)_y 对 logits o 的梯度是什么？',
            'ch04-gradient', grad_opts[0].why, grad_opts,
            fact=lambda: 0 if _grad_is_p_minus_y() else None),
        Question(
            'ch04-stable', '04', 'single',
            f'o = {_vec(big, 0)} 时，按定义算 exp(o) / Σ exp(o) 在 float32 里得到 nan。'
            f'稳定的实现怎么做？',
            'ch04-numerical-stability', stable_opts[0].why, stable_opts,
            fact=lambda: 0 if (torch.isnan(torch.exp(big) / torch.exp(big).sum()).any()
                               and torch.isfinite(softmax(big)).all()
                               and torch.isnan(torch.exp(big - big.min())
                                               / torch.exp(big - big.min()).sum()).any())
            else None),
        Question(
            'ch04-temperature', '04', 'multiple',
            f'把 logits o = {_vec(o, 1)} 除以温度 T = {T:g}（T > 1）再做 softmax。'
            f'下面哪些量会因此改变？',
            'ch04-temperature',
            '温度只改变分布的尖或平：概率和交叉熵随之改变，大小顺序不变，所以 argmax 预测和准确率'
            '都不变。',
            temp_opts,
            fact=lambda: frozenset(
                i for i, changed in enumerate((
                    not torch.allclose(softmax(o / T), softmax(o)),
                    abs(softmax_cross_entropy((o / T)[None], torch.tensor([0])).item()
                        - softmax_cross_entropy(o[None], torch.tensor([0])).item()) > 1e-6,
                    bool((o / T).argmax() != o.argmax()),
                    not torch.equal((Ob / T).argmax(1), Ob.argmax(1)))) if changed)),
    ]


def _grad_is_p_minus_y() -> bool:
    o = torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    y = torch.tensor([1])
    softmax_cross_entropy(o, y).sum().backward()
    return torch.allclose(o.grad, softmax(o.detach()) - one_hot(y, 3))


# ------------------------------------------------------------------------------ 05
def _ch05() -> list[Question]:
    from ..data import TEXT_LABELS, to_float_images
    X = to_float_images(torch.zeros(256, 28, 28, dtype=torch.uint8))
    shape = tuple(X.shape)
    pixel = 128
    value = to_float_images(torch.full((1, 1, 1), pixel, dtype=torch.uint8)).item()
    n_classes = len(TEXT_LABELS)
    shape_opts = (
        Option(str(list(shape)), '批量、通道、高、宽：ToTensor 给每张灰度图加了一个长度为 1 的通道维。',
               correct=True),
        Option('[256, 28, 28]', 'ToTensor 把图片变成 通道 × 高 × 宽：灰度图也有 1 个通道。',
               misconception='忘了通道维'),
        Option('[256, 784]', '读取数据时图片还是 28 × 28 的；展平成 784 维是模型（或 reshape）做的事。',
               misconception='以为数据集已经展平'),
        Option('[256, 28, 28, 1]', '这是 NumPy / PIL 的“高 × 宽 × 通道”；PyTorch 的图片张量'
               '通道在前。', misconception='通道放在最后'),
    )
    label_opts = (
        Option('形状为 [256] 的 int64 张量，每个元素是 0–9 的类别编号', '数据集给的是类别编号；'
               '交叉熵用它作下标取出真实类别的概率。', correct=True),
        Option('形状为 [256, 10] 的独热矩阵', '数据集不做独热编码；需要时用 one_hot 自己转换，'
               '而 nn.CrossEntropyLoss 直接接收编号。', misconception='混淆类别编号与独热编码'),
        Option("256 个文本标签，如 'coat'", '文本标签是 get_fashion_mnist_labels 把编号翻译后得到的，'
               '只用来显示。', misconception='以为标签是文字'),
    )
    return [
        Question(
            'ch05-batch-shape', '05', 'single',
            '用 batch_size = 256 读取 Fashion-MNIST（ToTensor，不调整大小）。一批图片 X 的形状是？',
            'ch05-loading', shape_opts[0].why, shape_opts,
            fact=lambda: next(i for i, o in enumerate(shape_opts) if o.text == str(list(
                to_float_images(torch.zeros(256, 28, 28, dtype=torch.uint8)).shape)))),
        Question(
            'ch05-pixel', '05', 'number',
            f'一个像素在文件里存为 uint8 的 {pixel}。ToTensor 之后它的值是多少？（保留 3 位小数）',
            'ch05-loading',
            f'ToTensor 把 0–255 的整数除以 255，映射到 [0, 1]：{pixel} / 255 ≈ {fmt_number(value, 3)}。',
            answer=value, tolerance=5e-4 + 1e-9,
            traps=(Trap(float(pixel), '以为 ToTensor 不改变数值', 'ToTensor 不只换类型，'
                        '还把像素值缩放到 [0, 1]。'),
                   Trap(pixel / 256, '除以 256', '最大值 255 要映射到 1：除以 255，不是 256。'),
                   Trap(pixel / 255 * 2 - 1, '以为缩放到 [−1, 1]', '缩放到 [−1, 1] 还需要 '
                        'Normalize；ToTensor 只给出 [0, 1]。')),
            fact=lambda: __import__('torchvision').transforms.functional.to_tensor(
                __import__('numpy').full((1, 1), pixel, dtype='uint8')).item()),
        Question(
            'ch05-labels', '05', 'single',
            '同一批的标签 y 是什么？',
            'ch05-loading', label_opts[0].why, label_opts),   # fact: tests (with the data)
        Question(
            'ch05-chance', '05', 'number',
            f'测试集的 {n_classes} 个类别各有同样多的图片。一个不看图片、永远预测“T恤”的分类器，'
            f'测试准确率是多少？',
            'ch05-dataset',
            f'各类数量相同，永远猜同一类只对了那一类的图片：1/{n_classes} = '
            f'{fmt_number(1 / n_classes, 3)}。这是任何模型都应超过的底线。',
            answer=1 / n_classes, tolerance=5e-3,
            traps=(Trap(0.0, '以为不看图片就全错', '它对所有真正的 T 恤都猜对了：'
                        f'占测试集的 1/{n_classes}。'),
                   Trap(0.5, '以为猜测就是一半对', '一半对是两类时的情形；'
                        f'这里有 {n_classes} 个同样多的类别。')),
            fact=lambda: 1 / len(TEXT_LABELS)),
    ]


# ------------------------------------------------------------------------------ 06
def _ch06() -> list[Question]:
    y_hat = _t([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = torch.tensor([0, 2])
    picked = y_hat[range(len(y)), y]
    index_opts = (
        Option(_vec(picked, 1), '花式索引把 range(2) 和 y 配对：取 (0, 0) 和 (1, 2) 两个元素，'
               '即每个样本真实类别的概率。', correct=True),
        Option(str([[0.1, 0.6], [0.3, 0.5]]), '这是 y_hat[:, y]：对每一行都取第 0 列和第 2 列，'
               '得到 2 × 2 的矩阵。两个下标张量要一起给出才是配对。',
               misconception='把花式索引当作切片'),
        Option(_vec(y_hat[1], 1) + ' 与 ' + _vec(y_hat[0], 1) + ' 两行', '这是 y_hat[y]：'
               '把 y 当作行号取行。', misconception='把 y 当作行号'),
        Option(_vec(y_hat[range(2), [0, 1]], 1), '这是 y_hat[range(2), range(2)] 的对角线：'
               '与标签无关。', misconception='取对角线而不是真实类别'),
    )
    # a small confusion matrix from predictions: rows are true classes
    true = torch.tensor([0] * 60 + [1] * 60 + [2] * 80)
    pred = torch.tensor([0] * 50 + [1] * 10 + [0] * 20 + [1] * 30 + [2] * 10 + [1] * 5 + [2] * 75)
    N = torch.bincount(true * 3 + pred, minlength=9).reshape(3, 3)
    recall = (N[1, 1] / N[1].sum()).item()
    precision = (N[1, 1] / N[:, 1].sum()).item()
    acc = (N.trace() / N.sum()).item()
    rows = '；'.join(f'第 {j} 行 {N[j].tolist()}' for j in range(3))
    zero_loss = softmax_cross_entropy(torch.zeros(1, 10), torch.tensor([3])).item()
    argmax_opts = (
        Option('不必：softmax 保持 logits 的大小顺序，argmax(o) 与 argmax(softmax(o)) 相同',
               'exp 单调递增、除以同一个正数不改变顺序，所以最大的 logit 就是最大的概率。',
               correct=True),
        Option('必须：不做 softmax，argmax 会选错类别', 'softmax 不改变大小顺序；'
               '它改变的是数值，不是排名。', misconception='以为 softmax 会改变排名'),
        Option('必须：logits 可能为负，argmax 只对正数有效', 'argmax 对任何实数都有意义：'
               '−1 比 −3 大。', misconception='以为 argmax 需要正数'),
    )
    return [
        Question(
            'ch06-fancy-index', '06', 'single',
            f'y_hat = [{", ".join(_vec(r, 1) for r in y_hat)}]（2 个样本、3 个类别），'
            f'y = {y.tolist()}。y_hat[range(len(y)), y] 是什么？',
            'ch06-loss', index_opts[0].why, index_opts,
            fact=lambda: next(i for i, o in enumerate(index_opts) if o.text == _vec(
                y_hat[torch.arange(2), y], 1))),
        Question(
            'ch06-zero-loss', '06', 'number',
            'W 和 b 全部初始化为 0 时，一个样本（10 个类别）的交叉熵损失是多少？'
            '（自然对数，保留 3 位小数）',
            'ch06-loss',
            f'logits 全为 0，softmax 给每类 1/10：损失 −log(1/10) = log 10 ≈ '
            f'{fmt_number(zero_loss, 3)}。训练开始时的损失应在这附近。',
            answer=zero_loss, tolerance=1e-3,
            traps=(Trap(0.0, '以为参数为 0 损失也为 0', '参数为 0 时预测是均匀分布，'
                        '真实类别只得到 1/10 的概率，损失是 log 10。'),
                   Trap(0.1, '把概率当作损失', '1/10 是真实类别的概率；损失是它的负对数。'),
                   Trap(1.0, '以为损失的上限是 1', '交叉熵没有上限：ŷ_y → 0 时趋向无穷。')),
            fact=lambda: nn.CrossEntropyLoss()(torch.zeros(1, 10), torch.tensor([3])).item()),
        Question(
            'ch06-recall', '06', 'number',
            f'一个 3 类的混淆矩阵（第 j 行第 k 列：真实类别 j、预测类别 k 的图片数）：{rows}。'
            f'类别 1 的召回率（这一类的图片被分对的比例）是多少？（保留 3 位小数）',
            'ch06-confusion-matrix',
            f'行是真实类别：类别 1 共有 {int(N[1].sum())} 张图片（第 1 行之和），分对 '
            f'{int(N[1, 1])} 张，召回率 {fmt_number(recall, 3)}。',
            answer=recall, tolerance=5e-4 + 1e-9,
            traps=(Trap(precision, '按列读混淆矩阵', f'第 1 列之和 {int(N[:, 1].sum())} 是被预测为类别 1 的'
                        '图片数：除以它得到的是精确率，不是召回率。'),
                   Trap(acc, '用整体准确率代替', f'对角线之和除以总数 = {fmt_number(acc, 3)} '
                        '是所有类别的准确率，不是类别 1 的。'),
                   Trap((N[1, 1] / N.sum()).item(), '除以全部图片数', '召回率只在类别 1 的图片上算：'
                        '分母是第 1 行之和。')),
            fact=lambda: (torch.diag(N).float() / N.sum(1)).tolist()[1]),
        Question(
            'ch06-argmax', '06', 'single',
            '计算准确率时，要先对 logits 做 softmax 再取 argmax 吗？',
            'ch06-accuracy', argmax_opts[0].why, argmax_opts,
            fact=lambda: 0 if torch.equal(
                softmax(y_hat.log()).argmax(1), y_hat.log().argmax(1)) else None),
    ]


# ------------------------------------------------------------------------------ 07
def _ch07() -> list[Question]:
    o = _t([[2.0, 1.0, 0.1]])
    y = torch.tensor([0])
    loss = nn.CrossEntropyLoss()
    right = loss(o, y).item()
    double = loss(softmax(o), y).item()
    net = nn.Linear(784, 10)
    shape = list(net.weight.shape)
    batch = 4
    mean = loss(torch.zeros(batch, 10), torch.arange(batch)).item()
    total = nn.CrossEntropyLoss(reduction='sum')(torch.zeros(batch, 10), torch.arange(batch)).item()
    probs_opts = (
        Option('损失算错了：它会对已经是概率的输入再做一次 softmax', f'nn.CrossEntropyLoss '
               f'内部先做 log-softmax。对 o = {_vec(o[0], 1)}、y = 0，传 logits 得 '
               f'{fmt_number(right, 3)}，传概率得 {fmt_number(double, 3)}：输入被压在 [0, 1] 里，'
               '损失和梯度都被压扁，训练变慢。', correct=True),
        Option('结果一样：传概率或 logits 都可以', 'nn.CrossEntropyLoss = LogSoftmax + NLLLoss：'
               '它假定输入是 logits，不检查；概率会被再做一次 softmax。',
               misconception='以为损失函数接收概率'),
        Option('PyTorch 会报错', '它不检查输入是不是 logits，照样算出一个（错误的）数。',
               misconception='以为 PyTorch 会检查输入'),
    )
    weight_opts = (
        Option(str(shape), '`nn.Linear(784, 10).weight` 是 out × in：即公式里 W（784 × 10）的转置。',
               correct=True),
        Option('[784, 10]', '公式 O = XW + b 里 W 是 d × q；nn.Linear 存的是 Wᵀ，计算 X @ weight.T。',
               misconception='以为 weight 就是 W'),
        Option('[7850]', '权重和偏置是两个参数：weight 形状 [10, 784]，bias 形状 [10]。',
               misconception='把所有参数当作一个向量'),
    )
    return [
        Question(
            'ch07-probs-to-loss', '07', 'single',
            '模型最后一层后面加了 softmax，把概率传给 nn.CrossEntropyLoss。会发生什么？',
            'ch07-loss-logits', probs_opts[0].why, probs_opts,
            fact=lambda: 0 if abs(double - right) > 1e-3 else None),
        Question(
            'ch07-weight-shape', '07', 'single',
            'net = nn.Linear(784, 10)。net.weight 的形状是？',
            'ch07-model', weight_opts[0].why, weight_opts,
            fact=lambda: next(i for i, o in enumerate(weight_opts)
                              if o.text == str(list(nn.Linear(784, 10).weight.shape)))),
        Question(
            'ch07-mean', '07', 'number',
            f'一批 {batch} 个样本、10 个类别，logits 全为 0。nn.CrossEntropyLoss()（默认参数）'
            f'返回多少？（保留 3 位小数）',
            'ch07-training',
            f'每个样本的损失都是 log 10；默认 reduction=\'mean\' 对样本求平均：'
            f'{fmt_number(mean, 3)}。',
            answer=mean, tolerance=1e-3,
            traps=(Trap(total, '以为默认对样本求和', f'求和（reduction=\'sum\'）得 {fmt_number(total, 3)}；'
                        '默认是平均，与批量大小无关。'),
                   Trap(mean / batch, '平均了两次', '每个样本的损失已是 log 10，平均后仍是 log 10。'),
                   Trap(0.1, '把概率当作损失', '1/10 是每个类别的概率；损失是它的负对数。')),
            fact=lambda: math.log(10)),
    ]


_BUILDERS = {'01': _ch01, '02': _ch02, '03': _ch03, '04': _ch04, '05': _ch05, '06': _ch06,
             '07': _ch07}


def _shuffled(q: Question) -> Question:
    """``q`` with its options (or items) in a fixed order of its own (seeded by its id): the
    bank lists the right option first, the reader must not find it there. The answer, the traps
    and ``fact`` follow the options."""
    n = len(q.options) if q.kind in ('single', 'multiple') else len(q.items)
    if q.kind == 'number' or n == 0:
        return q
    seed = zlib.crc32(q.id.encode())
    while True:
        perm = list(range(n))
        random.Random(seed).shuffle(perm)              # new position k shows old perm[k]
        seed += 1
        if perm[0] != 0 and (q.kind != 'order' or tuple(perm) != tuple(q.order)):
            break
    new = {old: k for k, old in enumerate(perm)}
    fact = q.fact
    if q.kind in ('single', 'multiple'):
        def moved(value):
            if value is None:
                return None
            return new[value] if q.kind == 'single' else frozenset(new[i] for i in value)
        return dataclasses.replace(
            q, options=tuple(q.options[old] for old in perm),
            fact=(lambda: moved(fact())) if fact else None)
    def moved_order(value):
        return tuple(new[i] for i in value)
    return dataclasses.replace(
        q, items=tuple(q.items[old] for old in perm), order=moved_order(q.order),
        traps=tuple(dataclasses.replace(t, value=moved_order(t.value)) for t in q.traps),
        fact=(lambda: moved_order(fact())) if fact else None)


@lru_cache(maxsize=None)
def questions(chapter: str) -> tuple[Question, ...]:
    """The self-check questions of ``chapter`` ('01' .. '07'), in the order they are asked."""
    chapter = str(chapter).zfill(2)
    if chapter not in _BUILDERS:
        raise ValueError(f'no self-check for chapter {chapter!r}: chapters {", ".join(CHAPTERS)} '
                         f'have one')
    with torch.no_grad():
        return tuple(_shuffled(q) for q in _BUILDERS[chapter]())


def all_questions() -> list[Question]:
    return [q for c in CHAPTERS for q in questions(c)]
