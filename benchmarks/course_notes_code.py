"""Run the course notes' code verbatim and compare every epoch it prints with the chapters.

The course notes (《动手学深度学习 v2》 chapter 3 lesson notes, ``lesson-notes.zh.txt``) train
softmax regression twice: from scratch (section 5) and with ``torch.nn`` (section 6), both on
the ``load_data_fashion_mnist`` of section 4.2. Chapters 06 and 07 write those loops out and
run them on the book's fast loader, which makes the same random draws and yields the same
batches. This script proves it: for each of the two runs it

1. executes the course notes' section 4.2 code (the loader, plus its usage example), then
   ``torch.manual_seed(0)``, then section 5 (or 6), in a fresh namespace, on the course notes' own
   pipeline: torchvision ``FashionMNIST`` + ``ToTensor`` + ``DataLoader(num_workers=4)``;
2. captures every line it prints;
3. compares each ``Epoch N: ...`` line with the stored output of the chapter cell that runs
   the same loop (the code cell whose first line is the marker below), character for character.

The course notes' code is copied below verbatim (only trailing spaces dropped), from
``lesson-notes.zh.txt`` sections 4.2, 5 and 6, so the repository does not need the notes. The
one change made when running it: ``root="../data"`` becomes the book's prepared data root
(``d2lhelpers.default_root()``, where the four decompressed files already are, so torchvision's
``download=True`` finds them and downloads nothing). When the notes are found (``--notes``, or
``../shared/seed/lesson-notes.zh.txt`` beside the repository), the copies are first checked
against them.

Both the chapters and this script use torch's default number of threads; the loss's last
digits can depend on it, so compare stored outputs made with the same thread count.
Exit status 0 when every epoch matches, 1 with a line-by-line diff otherwise.

    .venv/bin/python benchmarks/course_notes_code.py [--only 5|6] [--notes PATH] [--threads N]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
import time
import warnings
from pathlib import Path

import torch

import d2lhelpers

REPO = Path(__file__).resolve().parent.parent

# ---- Course notes, section 4.2 读取数据集 (verbatim) -----------------------------------------
NOTES_4_2 = '''\
import torchvision
from torchvision import transforms
from torch.utils import data

def get_dataloader_workers():
    """使用 4 个进程来读取数据"""
    return 4

def load_data_fashion_mnist(batch_size, resize=None):
    """下载 Fashion-MNIST 数据集,然后将其加载到内存中"""
    trans = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)

    mnist_train = torchvision.datasets.FashionMNIST(
        root="../data", train=True, transform=trans, download=True)
    mnist_test = torchvision.datasets.FashionMNIST(
        root="../data", train=False, transform=trans, download=True)

    return (
        data.DataLoader(mnist_train, batch_size, shuffle=True,
                        num_workers=get_dataloader_workers()),
        data.DataLoader(mnist_test, batch_size, shuffle=False,
                        num_workers=get_dataloader_workers())
    )

# 使用示例
batch_size = 256
train_iter, test_iter = load_data_fashion_mnist(batch_size)

# 查看一批数据的形状
for X, y in train_iter:
    print(f"X shape: {X.shape}")   # torch.Size([256, 1, 28, 28])
    print(f"y shape: {y.shape}")   # torch.Size([256])
    break
'''

# ---- Course notes, section 5. Softmax 回归的从零实现 (verbatim) ------------------------------
NOTES_5 = '''\
import torch
from torch import nn

# ── 1. 数据准备 ──────────────────────────────────────────
batch_size = 256
train_iter, test_iter = load_data_fashion_mnist(batch_size)

# ── 2. 初始化参数 ─────────────────────────────────────────
num_inputs  = 784   # 28×28 展平
num_outputs = 10    # 10 类

W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

# ── 3. 定义 Softmax ───────────────────────────────────────
def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)   # 按行求和
    return X_exp / partition                  # 广播

# ── 4. 定义模型 ───────────────────────────────────────────
def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

# ── 5. 定义损失函数 ───────────────────────────────────────
def cross_entropy(y_hat, y):
    # y_hat[range(len(y)), y] 取出每个样本真实类别的预测概率
    return -torch.log(y_hat[range(len(y)), y])

# ── 6. 分类准确率 ─────────────────────────────────────────
def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())

# ── 7. 训练 ───────────────────────────────────────────────
lr         = 0.1
num_epochs = 10
updater    = torch.optim.SGD([W, b], lr=lr)

for epoch in range(num_epochs):
    total_loss, total_acc, total_n = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        loss  = cross_entropy(y_hat, y)
        updater.zero_grad()
        loss.mean().backward()
        updater.step()
        total_loss += float(loss.sum())
        total_acc  += accuracy(y_hat, y)
        total_n    += y.numel()
    print(f"Epoch {epoch+1}: loss={total_loss/total_n:.4f}, "
          f"train_acc={total_acc/total_n:.4f}")
'''

# ---- Course notes, section 6. Softmax 回归的简洁实现 (verbatim) ------------------------------
NOTES_6 = '''\
import torch
from torch import nn

# ── 1. 数据 ───────────────────────────────────────────────
batch_size = 256
train_iter, test_iter = load_data_fashion_mnist(batch_size)

# ── 2. 模型定义 ───────────────────────────────────────────
# Flatten: [batch, 1, 28, 28] → [batch, 784]
# Linear:  [batch, 784]       → [batch, 10]
net = nn.Sequential(
    nn.Flatten(),
    nn.Linear(784, 10)
)

# 权重初始化
def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)

net.apply(init_weights)

# ── 3. 损失函数(含数值稳定的 softmax) ────────────────────
# CrossEntropyLoss = LogSoftmax + NLLLoss,内置数值稳定处理
loss = nn.CrossEntropyLoss(reduction='none')

# ── 4. 优化器 ─────────────────────────────────────────────
trainer = torch.optim.SGD(net.parameters(), lr=0.1)

# ── 5. 训练 ───────────────────────────────────────────────
num_epochs = 10

for epoch in range(num_epochs):
    net.train()
    for X, y in train_iter:
        trainer.zero_grad()
        y_hat = net(X)
        l = loss(y_hat, y)
        l.mean().backward()
        trainer.step()

    # 评估
    net.eval()
    with torch.no_grad():
        correct = sum(
            (net(X).argmax(axis=1) == y).sum().item()
            for X, y in test_iter
        )
        total = len(test_iter.dataset)
    print(f"Epoch {epoch+1}: test_acc={correct/total:.4f}")
'''

# Where each block sits in the notes: (heading before it, heading after it).
NOTES_SECTIONS = {'4.2': (NOTES_4_2, '4.2 读取数据集', '4.3 数据可视化'),
                  '5': (NOTES_5, '5. Softmax 回归的从零实现', '6. Softmax 回归的简洁实现'),
                  '6': (NOTES_6, '6. Softmax 回归的简洁实现', '7. 总结与对比')}

# The runs: course notes section, its code, the chapter, the marker that is the first line of the
# chapter cell running the same loop.
RUNS = {'5': (NOTES_5, 'chapters/06_softmax_scratch.ipynb', '# course notes, section 5: training'),
        '6': (NOTES_6, 'chapters/07_softmax_concise.ipynb', '# course notes, section 6: training')}

EPOCH_LINE = re.compile(r'^Epoch \d+: ')


def normalized(code: str) -> str:
    """Lines without trailing spaces, without blank lines at either end."""
    lines = [line.rstrip() for line in code.strip('\n').split('\n')]
    return '\n'.join(lines) + '\n'


def find_notes(path: str | None) -> Path | None:
    candidates = [Path(path)] if path else [REPO.parent / 'shared' / 'seed' /
                                            'lesson-notes.zh.txt']
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if path:
        raise SystemExit(f'course notes not found: {path}')
    return None


def check_copies(notes: Path) -> list[str]:
    """Compare the copies above with the notes; return the problems found."""
    lines = notes.read_text(encoding='utf-8').split('\n')
    problems = []
    for section, (copy, start, stop) in NOTES_SECTIONS.items():
        if start not in lines or stop not in lines:
            problems.append(f'section {section}: headings {start!r} / {stop!r} not in {notes}')
            continue
        text = '\n'.join(lines[lines.index(start) + 1:lines.index(stop)])
        if normalized(text) != normalized(copy):
            problems.append(f'section {section}: the copy in this script differs from {notes}')
    return problems


class Tee(io.TextIOBase):
    """Write to the terminal and keep a copy."""

    def __init__(self, stream):
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.stream.flush()
        return self.copy.write(text)


def run_seed(section: str, root: str) -> list[str]:
    """Section 4.2, torch.manual_seed(0), then the section, verbatim; return printed lines."""
    loader = NOTES_4_2.replace('root="../data"', f'root={root!r}')
    if loader.count(repr(root)) != 2:
        raise SystemExit('the loader of the course notes no longer has root="../data" twice: '
                         'update this script')
    namespace = {'__name__': f'notes_section_{section}'}
    tee = Tee(sys.stdout)
    with contextlib.redirect_stdout(tee), warnings.catch_warnings():
        # The course notes ask for 4 workers; torch warns when the machine suggests fewer. Section 5's
        # float(loss.sum()) warns that loss requires grad (harmless; chapter 06 explains it).
        warnings.filterwarnings('ignore', message='This DataLoader will create')
        warnings.filterwarnings('ignore', message='Converting a tensor with requires_grad')
        exec(compile(loader, 'course notes section 4.2', 'exec'), namespace)
        torch.manual_seed(0)
        exec(compile(RUNS[section][0], f'course notes section {section}', 'exec'), namespace)
    return tee.copy.getvalue().splitlines()


def chapter_lines(notebook: str, marker: str) -> list[str]:
    """The stored stdout of the one code cell of ``notebook`` whose first line is ``marker``."""
    cells = [cell for cell in json.loads((REPO / notebook).read_text(encoding='utf-8'))['cells']
             if cell['cell_type'] == 'code'
             and ''.join(cell['source']).lstrip().startswith(marker)]
    if len(cells) != 1:
        raise SystemExit(f'{notebook}: expected one code cell starting with {marker!r}, '
                         f'found {len(cells)}')
    text = ''.join(''.join(out['text']) for out in cells[0].get('outputs', [])
                   if out.get('output_type') == 'stream' and out.get('name') == 'stdout')
    return text.splitlines()


def compare(section: str, notes: list[str], chapter: list[str]) -> tuple[int, int]:
    """Print one line per epoch; return (passed, failed)."""
    notes_epochs = [line for line in notes if EPOCH_LINE.match(line)]
    chapter_epochs = [line for line in chapter if EPOCH_LINE.match(line)]
    notebook = RUNS[section][1]
    passed = failed = 0
    if not notes_epochs:
        print(f'  FAIL section {section}: the code of the course notes printed no "Epoch N:" line')
        failed += 1
    for k in range(max(len(notes_epochs), len(chapter_epochs))):
        notes_line = notes_epochs[k] if k < len(notes_epochs) else '(missing)'
        ours = chapter_epochs[k] if k < len(chapter_epochs) else '(missing)'
        if notes_line == ours:
            passed += 1
            print(f'  ok   {notes_line}')
        else:
            failed += 1
            print(f'  FAIL epoch {k + 1}\n       course notes: {notes_line}\n'
                  f'       {notebook}: {ours}')
    return passed, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--only', choices=sorted(RUNS), help='run one section only')
    parser.add_argument('--notes', help='path of lesson-notes.zh.txt (default: '
                                        '../shared/seed/lesson-notes.zh.txt beside the repo)')
    parser.add_argument('--threads', type=int, help="torch threads (default: torch's own "
                                                  "default, as when the chapters were run)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    notes = find_notes(args.notes)
    if notes is None:
        print('course notes not found beside the repository: using the copies in this script')
    else:
        problems = check_copies(notes)
        for problem in problems:
            print('FAIL', problem)
        if problems:
            raise SystemExit(1)
        print(f'the copies of sections 4.2, 5 and 6 equal the course notes ({notes})')
    root = str(d2lhelpers.fashion_mnist_dir().parent.parent)   # <root>/FashionMNIST/raw
    print(f'data root: {root}; torch {torch.__version__}, {torch.get_num_threads()} threads')

    total_passed = total_failed = 0
    for section in [args.only] if args.only else sorted(RUNS):
        code, notebook, marker = RUNS[section]
        chapter = chapter_lines(notebook, marker)   # fail early if the cell is missing
        print(f'== course notes 4.2 + {section}, verbatim, on the pipeline of the course notes '
              f'(torch.manual_seed(0) first)', flush=True)
        start = time.perf_counter()
        seed = run_seed(section, root)
        seconds = time.perf_counter() - start
        print(f'== compared with {notebook} (cell "{marker}"), {seconds:.0f} s')
        passed, failed = compare(section, seed, chapter)
        print(f'section {section}: {passed} passed, {failed} failed')
        total_passed += passed
        total_failed += failed
    print(f'course notes vs chapters: {total_passed} epochs passed, {total_failed} failed')
    if total_failed:
        raise SystemExit(1)


if __name__ == '__main__':
    main()
