"""The self-check questions of chapters 05-07: the data, training from scratch, torch.nn.

Every number in a statement or an answer is computed here with ``d2lhelpers`` / PyTorch
(never typed); every wrong option and every trap names the misconception that leads to it. Each
question carries ``fact``, which recomputes its answer a second way (``tests/test_selfcheck.py``).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ..functional import one_hot, softmax
from ..losses import softmax_cross_entropy
from .model import Option, Question, Trap, fmt_number, fmt_vector, tensor32


# ------------------------------------------------------------------------------ 05
def chapter_05() -> list[Question]:
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
def chapter_06() -> list[Question]:
    y_hat = tensor32([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = torch.tensor([0, 2])
    picked = y_hat[range(len(y)), y]
    index_opts = (
        Option(fmt_vector(picked, 1), '花式索引把 range(2) 和 y 配对：取 (0, 0) 和 (1, 2) 两个元素，'
               '即每个样本真实类别的概率。', correct=True),
        Option(str([[0.1, 0.6], [0.3, 0.5]]), '这是 y_hat[:, y]：对每一行都取第 0 列和第 2 列，'
               '得到 2 × 2 的矩阵。两个下标张量要一起给出才是配对。',
               misconception='把花式索引当作切片'),
        Option(fmt_vector(y_hat[1], 1) + ' 与 ' + fmt_vector(y_hat[0], 1) + ' 两行', '这是 y_hat[y]：'
               '把 y 当作行号取行。', misconception='把 y 当作行号'),
        Option(fmt_vector(y_hat[range(2), [0, 1]], 1), '这是 y_hat[range(2), range(2)] 的对角线：'
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
            f'y_hat = [{", ".join(fmt_vector(r, 1) for r in y_hat)}]（2 个样本、3 个类别），'
            f'y = {y.tolist()}。y_hat[range(len(y)), y] 是什么？',
            'ch06-loss', index_opts[0].why, index_opts,
            fact=lambda: next(i for i, o in enumerate(index_opts) if o.text == fmt_vector(
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
def chapter_07() -> list[Question]:
    o = tensor32([[2.0, 1.0, 0.1]])
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
               f'内部先做 log-softmax。对 o = {fmt_vector(o[0], 1)}、y = 0，传 logits 得 '
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
