"""The self-check questions of chapters 01-04: classification, the softmax model, the losses.

Every number in a statement or an answer is computed here with ``d2lhelpers`` / PyTorch
(never typed); every wrong option and every trap names the misconception that leads to it. Each
question carries ``fact``, which recomputes its answer a second way (``tests/test_selfcheck.py``).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ..functional import one_hot, softmax
from ..losses import huber_grad, huber_loss, l1_grad, l1_loss, l2_grad, l2_loss, softmax_cross_entropy
from .model import Option, Question, Trap, fmt_number, fmt_vector, tensor32


# ------------------------------------------------------------------------------ 01
def chapter_01() -> list[Question]:
    label, q = 3, 10
    onehot = one_hot([label], q)[0]
    shifted = one_hot([label - 1], q)[0]          # counted from 1
    options = (
        Option(fmt_vector(onehot, 0), f'类别编号从 0 开始，第 {label} 号类别的 1 放在下标 {label}'
               f'（第 {label + 1} 个位置），其余 {q - 1} 个分量为 0。', correct=True),
        Option(fmt_vector(shifted, 0), f'把编号 {label} 数成了第 {label} 个位置：代码里的下标从 0 开始，'
               f'1 应该在下标 {label}。', misconception='下标从 1 数起'),
        Option(f'{label}（一个数）', '这是类别编号本身，不是独热向量。把编号当作一个数去拟合，'
               '就等于假设类别之间有大小和距离。', misconception='把类别编号当作独热编码'),
        Option(fmt_vector(onehot * label, 0), '独热向量只有 0 和 1：真实类别那一位是 1（概率为 1），'
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
                              if o.text == fmt_vector(one_hot(torch.tensor([label]), q)[0], 0))),
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
def chapter_02() -> list[Question]:
    o = tensor32([1.0, 2.0, 3.0])
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
            f'logits o = {fmt_vector(o, 0)}。softmax(o) 最大的分量是多少？（保留 3 位小数）',
            'ch02-softmax',
            f'ŷ_3 = e³ / (e¹ + e² + e³) ≈ {fmt_number(top, 3)}。softmax 先取指数再归一化：'
            f'结果是 {fmt_vector(p, 3)}。',
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
            f'给 o = {fmt_vector(o, 0)} 的每个分量都加上 {shift:g}，得到 {fmt_vector(o + shift, 0)}。'
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
def chapter_03() -> list[Question]:
    e, delta = 3.0, 1.0
    y_hat, y = tensor32([0.0]), tensor32([e])                    # e = y - y_hat
    hub = huber_loss(y_hat, y, delta).item()
    l2 = l2_loss(y_hat, y).item()
    l1 = l1_loss(y_hat, y).item()
    big = 100.0
    grads = [abs(f(tensor32([0.0]), tensor32([big])).item()) for f in (l2_grad, l1_grad)] + \
        [abs(huber_grad(tensor32([0.0]), tensor32([big]), delta).item())]
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
    at = lambda e: f(tensor32([0.0]), tensor32([e])).item()
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
def chapter_04() -> list[Question]:
    y_hat = tensor32([0.1, 0.7, 0.2])
    y = 1
    ce = -math.log(y_hat[y].item())
    o = tensor32([2.0, 1.0, 0.1])
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
    big = tensor32([1000.0, 0.0])
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
            f'模型对一个样本的预测是 ŷ = {fmt_vector(y_hat, 1)}，真实类别 y = {y}（编号从 0 开始）。'
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
            f'o = {fmt_vector(big, 0)} 时，按定义算 exp(o) / Σ exp(o) 在 float32 里得到 nan。'
            f'稳定的实现怎么做？',
            'ch04-numerical-stability', stable_opts[0].why, stable_opts,
            fact=lambda: 0 if (torch.isnan(torch.exp(big) / torch.exp(big).sum()).any()
                               and torch.isfinite(softmax(big)).all()
                               and torch.isnan(torch.exp(big - big.min())
                                               / torch.exp(big - big.min()).sum()).any())
            else None),
        Question(
            'ch04-temperature', '04', 'multiple',
            f'把 logits o = {fmt_vector(o, 1)} 除以温度 T = {T:g}（T > 1）再做 softmax。'
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
