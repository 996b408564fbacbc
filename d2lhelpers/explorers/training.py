"""The training lab: the chapter's softmax regression trained live on a small, fixed, class-balanced
subset of the real Fashion-MNIST. Taught in chapter 06 (从零实现); chapter 07 points to it.

Top to bottom: its numbers (the subset, a tiny random-number generator that Python and the
browser implement identically, PyTorch's reference run), its static view (a config for
``static/explorer-training.js``, which trains in a Web Worker made from
``static/explorer-training-worker.js``; the data file the site ships) and its kernel view.
"""
from __future__ import annotations

import base64
import math
import zlib
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.colors import LinearSegmentedColormap

from ..data import load_fashion_mnist_tensors
from ..labels import TEXT_LABELS, TEXT_LABELS_ZH
from .base import Explorer, explorer_html, series_color

__all__ = ['TRAIN_PER_CLASS', 'TEST_PER_CLASS', 'DEFAULTS', 'LR_VALUES', 'OVERFLOW_LOGIT',
           'DATA_FILE', 'Mulberry32', 'initial_weights', 'permutation', 'lab_subset',
           'pack_subset', 'data_script', 'check_settings', 'TorchRun', 'train_reference',
           'strip_indices', 'data_bytes', 'training_html', 'TrainingExplorer', 'training_explorer']

# --- the numbers ------------------------------------------------------------------------

#: the subset: the first 400 training and 100 test images of each class, in dataset order
TRAIN_PER_CLASS, TEST_PER_CLASS = 400, 100
NUM_INPUTS, NUM_CLASSES = 784, 10
#: the chapter's settings (lr 0.1, batch 256, 10 epochs) and the seed of the reference run
DEFAULTS = {'lr': 0.1, 'batch': 256, 'epochs': 10, 'seed': 0}
#: the learning rates the lab offers (a log scale; from 10 on, the chapter's softmax overflows)
LR_VALUES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0,
             20.0, 50.0, 100.0)
MAX_EPOCHS = 50
#: float32's exp overflows above ln(3.4e38) = 88.72: a logit above it makes the chapter's own
#: softmax (exp, then divide) return inf / NaN, so the lab stops there (chapter 04's section on
#: numerical stability)
OVERFLOW_LOGIT = 88.72
DATA_FILE = 'd2l-fashion-subset.js'   #: written into the site's _static by _ext/d2l_lab.py
_MASK = 0xFFFFFFFF


class Mulberry32:
    """mulberry32, a 32-bit generator small enough to write identically in Python and in
    JavaScript (``explorer-training-worker.js``): same seed, same numbers, bit for bit."""

    def __init__(self, seed: int):
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (
                0 <= seed <= _MASK):
            raise ValueError(f'seed must be an integer from 0 to {_MASK}, got {seed!r}')
        self.state = int(seed)

    def next_u32(self) -> int:
        self.state = (self.state + 0x6D2B79F5) & _MASK
        a = self.state
        t = ((a ^ (a >> 15)) * (a | 1)) & _MASK
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & _MASK)) & _MASK) ^ t
        return (t ^ (t >> 14)) & _MASK

    def random(self) -> float:
        """A float in [0, 1): the 32 bits over 2**32."""
        return self.next_u32() / 4294967296


def initial_weights(rng: Mulberry32) -> np.ndarray:
    """``W`` [784, 10] float32 drawn from N(0, 0.01²) by Box–Muller, row by row (the bias is 0)."""
    out = np.empty(NUM_INPUTS * NUM_CLASSES, dtype=np.float32)
    for i in range(out.size):
        u1, u2 = 1.0 - rng.random(), rng.random()
        out[i] = 0.01 * (math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))
    return out.reshape(NUM_INPUTS, NUM_CLASSES)


def permutation(rng: Mulberry32, n: int) -> np.ndarray:
    """One epoch's order of the ``n`` training examples (Fisher–Yates, from the last)."""
    order = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


@lru_cache(maxsize=2)
def lab_subset(root=None) -> dict[str, np.ndarray]:
    """The lab's data: the first ``TRAIN_PER_CLASS`` training and ``TEST_PER_CLASS`` test
    images of every class, kept in the dataset's order. uint8 pixels ``[N, 784]``, uint8 labels.
    """
    out = {}
    for split, train, per_class in (('train', True, TRAIN_PER_CLASS),
                                     ('test', False, TEST_PER_CLASS)):
        images, labels = load_fashion_mnist_tensors(train=train, root=root)
        index = torch.sort(torch.cat([torch.nonzero(labels == c).ravel()[:per_class]
                                      for c in range(NUM_CLASSES)])).values
        out[f'{split}_images'] = images[index].reshape(-1, NUM_INPUTS).numpy().copy()
        out[f'{split}_labels'] = labels[index].numpy().astype(np.uint8)
    for a in out.values():
        a.setflags(write=False)
    return out


def pack_subset(subset: dict[str, np.ndarray]) -> bytes:
    """The subset as one byte string: train labels, test labels, train pixels, test pixels."""
    return b''.join(subset[k].tobytes() for k in
                    ('train_labels', 'test_labels', 'train_images', 'test_images'))


def data_script(subset: dict[str, np.ndarray]) -> str:
    """The data file of the site: a script that sets ``window.d2lTrainingData`` (zlib-compressed
    bytes in base64; the worker inflates them with ``DecompressionStream('deflate')``)."""
    raw = pack_subset(subset)
    packed = base64.b64encode(zlib.compress(raw, 9)).decode('ascii')
    return ('/* Fashion-MNIST (Zalando Research, MIT licence, '
            'https://github.com/zalandoresearch/fashion-mnist): a class-balanced subset of '
            f'{len(subset["train_labels"])} training and {len(subset["test_labels"])} test images, '
            'uint8, for the training lab of d2lhelpers. */\n'
            f'window.d2lTrainingData={{nTrain:{len(subset["train_labels"])},'
            f'nTest:{len(subset["test_labels"])},rawBytes:{len(raw)},data:"{packed}"}};\n')


def check_settings(lr, batch, epochs, seed=0, n_train: int = NUM_CLASSES * TRAIN_PER_CLASS
                   ) -> tuple[float, int, int, int]:
    """Return ``(lr, batch, epochs, seed)`` checked: lr > 0 finite, 1 ≤ batch ≤ the subset's
    size, 1 ≤ epochs ≤ ``MAX_EPOCHS``, seed a 32-bit unsigned integer."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f'lr (the learning rate) must be a finite number > 0, e.g. 0.1; got {lr!r}')
    for name, value, hi in (('batch', batch, n_train), ('epochs', epochs, MAX_EPOCHS)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
                1 <= value <= hi):
            raise ValueError(f'{name} must be an integer from 1 to {hi}, got {value!r}')
    Mulberry32(seed)
    return float(lr), int(batch), int(epochs), int(seed)


class TorchRun:
    """Chapter 06's training, one minibatch at a time, on the lab's subset (float32 PyTorch):
    logits ``XW + b``, a stable log-softmax, the mean cross-entropy, ``torch.optim.SGD``. The
    initial ``W`` and every epoch's order come from ``Mulberry32(seed)`` (as in the browser)."""

    def __init__(self, lr: float, batch: int, seed: int, subset: dict | None = None):
        lr, batch, _, seed = check_settings(lr, batch, 1, seed)
        s = subset if subset is not None else lab_subset()
        as_tensor = lambda a: torch.from_numpy(np.array(a))    # a writable copy
        self.X, self.y = as_tensor(s['train_images']).float().div_(255), as_tensor(s['train_labels']).long()
        self.X_test = as_tensor(s['test_images']).float().div_(255)
        self.y_test = as_tensor(s['test_labels']).long()
        self.batch, self.rng = batch, Mulberry32(seed)
        self.W = torch.from_numpy(initial_weights(self.rng)).requires_grad_()
        self.b = torch.zeros(NUM_CLASSES, requires_grad=True)
        self.updater = torch.optim.SGD([self.W, self.b], lr=lr)
        self.history = {'loss': [], 'train_acc': [], 'test_acc': []}
        self.steps, self.diverged, self.order, self.pos = 0, None, None, 0
        self.loss_sum, self.correct, self.seen = 0.0, 0, 0

    def step(self) -> bool:
        """One minibatch; False (nothing done) where a logit passes ``OVERFLOW_LOGIT``."""
        if self.diverged is not None:
            return False
        if self.pos == 0:
            self.order = torch.from_numpy(permutation(self.rng, len(self.y)))
        idx = self.order[self.pos:self.pos + self.batch]
        o = self.X[idx] @ self.W + self.b
        l = -torch.log_softmax(o, dim=1)[torch.arange(len(idx)), self.y[idx]]
        if not (float(o.detach().max()) <= OVERFLOW_LOGIT and torch.isfinite(l).all()):
            self.diverged = self.steps
            return False
        self.updater.zero_grad()
        l.mean().backward()
        self.updater.step()
        self.steps, self.pos = self.steps + 1, self.pos + len(idx)
        self.loss_sum += float(l.detach().sum())
        self.correct += int((torch.argmax(o.detach(), dim=1) == self.y[idx]).sum())
        self.seen += len(idx)
        if self.pos >= len(self.y):
            h = self.history
            h['loss'].append(self.loss_sum / self.seen)
            h['train_acc'].append(self.correct / self.seen)
            h['test_acc'].append(self.evaluate()[0])
            self.pos, self.loss_sum, self.correct, self.seen = 0, 0.0, 0, 0
        return True

    def evaluate(self) -> tuple[float, np.ndarray, np.ndarray]:
        """Test accuracy, confusion matrix (row: true class) and the test probabilities."""
        with torch.no_grad():
            P = torch.softmax(self.X_test @ self.W + self.b, dim=1)
        pred = torch.argmax(P, dim=1)
        cm = torch.zeros(NUM_CLASSES, NUM_CLASSES, dtype=torch.int64)
        cm.index_put_((self.y_test, pred), torch.ones_like(pred), accumulate=True)
        return int((pred == self.y_test).sum()) / len(self.y_test), cm.numpy(), P.numpy()


def train_reference(lr: float = DEFAULTS['lr'], batch: int = DEFAULTS['batch'],
                    epochs: int = DEFAULTS['epochs'], seed: int = DEFAULTS['seed'],
                    max_steps: int | None = None, subset: dict | None = None) -> dict:
    """PyTorch's run on the lab's subset (a :class:`TorchRun`): ``epochs`` epochs, or
    ``max_steps`` minibatches, or up to the step where a logit passes ``OVERFLOW_LOGIT``.

    Returns per epoch ``loss``, ``train_acc`` (running means, as the chapter prints them) and
    ``test_acc``; ``steps``, ``diverged`` (a step or None), ``W``, ``b`` and ``partial`` sums.
    """
    lr, batch, epochs, seed = check_settings(lr, batch, epochs, seed)
    run = TorchRun(lr, batch, seed, subset)
    while len(run.history['loss']) < epochs and (max_steps is None or run.steps < max_steps):
        if not run.step():
            break
    return {**run.history, 'steps': run.steps, 'diverged': run.diverged,
            'partial': {'loss_sum': run.loss_sum, 'correct': run.correct, 'seen': run.seen},
            'W': run.W.detach().numpy().copy(), 'b': run.b.detach().numpy().copy()}


# --- the static view: its config, its texts, the data file ---------------------------------

def strip_indices(subset: dict[str, np.ndarray]) -> list[int]:
    """The test images the lab shows with their top-3 classes: the first one of each class."""
    labels = subset['test_labels']
    return sorted(int(np.flatnonzero(labels == c)[0]) for c in range(NUM_CLASSES))


@lru_cache(maxsize=1)
def data_bytes() -> int:
    """The size of the site's data file (what a reader downloads on pressing 训练)."""
    return len(data_script(lab_subset()).encode('ascii'))


@lru_cache(maxsize=8)
def _reference(lr: float, batch: int, epochs: int, seed: int) -> dict:
    r = train_reference(lr, batch, epochs, seed)
    return {'lr': lr, 'batch': batch, 'seed': seed,
            **{k: [float(v) for v in r[k]] for k in ('loss', 'train_acc', 'test_acc')}}


def training_html(lr: float = DEFAULTS['lr'], batch: int = DEFAULTS['batch'],
                  epochs: int = DEFAULTS['epochs'], seed: int = DEFAULTS['seed']) -> str:
    """Static view of the training lab: the browser trains; the config carries PyTorch's
    reference run at the chapter's settings (drawn beside the live curves at those settings)."""
    lr, batch, epochs, seed = check_settings(lr, batch, epochs, seed)
    d = DEFAULTS
    ref = _reference(d['lr'], d['batch'], d['epochs'], d['seed'])
    subset = lab_subset()
    config = {
        'caption': ('在网页里训练本章的 softmax 回归（在浏览器的后台线程中计算，无需内核）：'
                    f'{NUM_CLASSES * TRAIN_PER_CLASS} 张 Fashion-MNIST 训练图片、'
                    f'{NUM_CLASSES * TEST_PER_CLASS} 张测试图片。改变学习率、批量大小和轮数，'
                    '按“训练”、“暂停”、“单步”（一个小批量）或“重置”（新的随机初始参数）。'),
        'print_caption': (f'印刷版显示的是默认设置下训练 {d["epochs"]} 轮的结果；'
                          '网页版可以在页面中实时训练。'),
        'controls': [], 'defaults': {**d, 'lr': lr, 'batch': batch, 'epochs': epochs,
                                     'seed': seed},
        'lr_values': list(LR_VALUES), 'max_epochs': MAX_EPOCHS,
        'n_train': len(subset['train_labels']), 'n_test': len(subset['test_labels']),
        'names': list(TEXT_LABELS_ZH), 'strip': strip_indices(subset),
        'data_file': '_static/' + DATA_FILE, 'data_bytes': data_bytes(),
        'stability_href': '04_cross_entropy.html#ch04-numerical-stability',
        'reference': ref}
    n = len(ref['loss'])
    # the first line: as the script writes it before training
    fallback = [f'学习率 = {lr:g}，批量大小 = {batch}，种子 = {seed}：按“训练”开始'
                f'（首次训练时下载数据 {data_bytes() / 1e6:.1f} MB）',
                f'PyTorch 在这一子集上以默认设置（学习率 0.1、批量 256、种子 0）训练 {n} 轮：'
                f'训练损失 {ref["loss"][-1]:.4f}，训练准确率 {ref["train_acc"][-1]:.1%}，'
                f'测试准确率 {ref["test_acc"][-1]:.1%}。']
    return explorer_html('training', config, fallback, scripts=('explorer-training-worker.js',))


# --- the kernel view ----------------------------------------------------------------------

def _template_mosaic(W: np.ndarray) -> np.ndarray:
    """The ten weight templates, each scaled by its own max |w|, as a 2 x 5 mosaic in [-1, 1]."""
    t = W.T.reshape(NUM_CLASSES, 28, 28)
    t = t / np.maximum(np.abs(t).reshape(NUM_CLASSES, -1).max(1), 1e-12)[:, None, None]
    pad = np.full((NUM_CLASSES, 30, 30), np.nan)
    pad[:, 1:29, 1:29] = t
    return pad.reshape(2, 5, 30, 30).transpose(0, 2, 1, 3).reshape(60, 150)


class TrainingExplorer(Explorer):
    """The lab in a kernel: real PyTorch (:class:`TorchRun`) on the same subset, the same
    controls and views (curves with PyTorch's reference at the defaults, weight templates,
    confusion matrix), redrawn once per epoch. 训练 runs up to the number of epochs (the kernel
    is busy meanwhile: no pause), 单步 one minibatch, 重置 new initial weights."""

    def __init__(self, lr=DEFAULTS['lr'], batch=DEFAULTS['batch'], epochs=DEFAULTS['epochs'],
                 seed=DEFAULTS['seed']):
        lr, batch, epochs, seed = check_settings(lr, batch, epochs, seed)
        n = NUM_CLASSES * TRAIN_PER_CLASS
        self.seed = seed
        style = {'description_width': '90px'}
        self.lr_slider = widgets.SelectionSlider(
            options=[(f'{v:g}', v) for v in LR_VALUES], description='学习率', style=style,
            value=min(LR_VALUES, key=lambda v: abs(math.log(v / lr))))
        self.batch_box = widgets.BoundedIntText(batch, min=1, max=n, description='批量大小',
                                                style=style)
        self.epochs_box = widgets.BoundedIntText(epochs, min=1, max=MAX_EPOCHS,
                                                 description='训练轮数', style=style)
        super().__init__({'lr': self.lr_slider, 'batch': self.batch_box,
                          'epochs': self.epochs_box}, height_px=560)
        buttons = [widgets.Button(description=d) for d in ('训练', '单步', '重置')]
        for button, act in zip(buttons, (self.train, self.step, self.reset)):
            button.on_click(lambda _b, act=act: act())
        self.children = (*self.controls, widgets.HBox(buttons), self.image)
        grid = self.fig.add_gridspec(2, 3)
        self.axes = [self.fig.add_subplot(grid[0, 0]), self.fig.add_subplot(grid[0, 1]),
                     self.fig.add_subplot(grid[1, :2]), self.fig.add_subplot(grid[:, 2])]
        self.run = TorchRun(self.lr, self.batch, self.seed)
        self._finish()

    lr = property(lambda self: float(self.lr_slider.value))
    batch = property(lambda self: int(self.batch_box.value))
    epochs = property(lambda self: int(self.epochs_box.value))

    def state(self) -> dict:
        """What is drawn: the per-epoch history, the steps so far, where it diverged."""
        return {'settings': {'lr': self.lr, 'batch': self.batch, 'seed': self.seed},
                **{k: list(v) for k, v in self.run.history.items()},
                'steps': self.run.steps, 'diverged': self.run.diverged}

    def train(self) -> None:
        """Train up to ``epochs`` epochs (``epochs`` more once there), redrawing per epoch."""
        done = len(self.run.history['loss'])
        target = done + self.epochs if done >= self.epochs else self.epochs
        while len(self.run.history['loss']) < target:
            epoch = len(self.run.history['loss'])
            while len(self.run.history['loss']) == epoch:
                if not self.run.step():
                    return self.refresh()
            self.refresh()

    def step(self) -> None:
        self.run.step()
        self.refresh()

    def reset(self, new_seed: bool = True) -> None:
        if new_seed:                # 重置: new initial weights; a changed setting keeps the seed
            self.seed = int(np.random.default_rng().integers(0, _MASK + 1))
        self.run = TorchRun(self.lr, self.batch, self.seed)
        self.refresh()

    def _on_change(self, change=None) -> None:
        if change is None or change['owner'] is not self.epochs_box:
            self.reset(new_seed=False)

    _animated = lambda self: []     # noqa: E731 (no blitting: see _render)

    def _render(self) -> np.ndarray:
        self.canvas.draw()          # everything changes once per epoch: no blitting
        return np.asarray(self.canvas.buffer_rgba()).copy()

    def _draw(self) -> None:
        h, (ax_loss, ax_acc, ax_w, ax_cm) = self.run.history, self.axes
        for ax in self.axes:
            ax.clear()
        x = range(1, len(h['loss']) + 1)
        ref = _reference(DEFAULTS['lr'], DEFAULTS['batch'], DEFAULTS['epochs'], DEFAULTS['seed'])
        if (self.lr, self.batch, self.seed) == (ref['lr'], ref['batch'], ref['seed']):
            rx = range(1, len(ref['loss']) + 1)
            ax_loss.plot(rx, ref['loss'], color='gray', lw=6, alpha=0.3, label='PyTorch reference')
            ax_acc.plot(rx, ref['test_acc'], color='gray', lw=6, alpha=0.3, label='reference (test)')
        ax_loss.plot(x, h['loss'], 'o-', color=series_color('l2'), label='train loss')
        ax_acc.plot(x, h['train_acc'], 'o-', color=series_color('l2'), label='train acc')
        ax_acc.plot(x, h['test_acc'], 's--', color=series_color('l1'), label='test acc')
        ax_loss.set(xlabel='epoch', title=f'lr {self.lr:g}, batch {self.batch}, seed {self.seed}')
        ax_acc.set(xlabel='epoch', ylim=(0, 1))
        for ax in (ax_loss, ax_acc):
            ax.legend(fontsize=7)
            ax.grid(alpha=0.3)
        acc, cm, _ = self.run.evaluate()
        ax_w.imshow(_template_mosaic(self.run.W.detach().numpy()), cmap=_CMAP, vmin=-1, vmax=1)
        ax_w.set_axis_off()
        ax_w.set_title('weight templates (orange +, blue -): ' + ', '.join(TEXT_LABELS[:5]) +
                       ' / ' + ', '.join(TEXT_LABELS[5:]), fontsize=7)
        ax_cm.imshow(cm, cmap='Greys')
        ax_cm.set(xticks=range(10), yticks=range(10), xlabel='predicted', ylabel='true',
                  title=f'confusion (test acc {acc:.3f})')
        if self.run.diverged is not None:
            ax_loss.text(0.5, 0.5, f'diverged at step {self.run.diverged + 1}: a logit > 88.72',
                         transform=ax_loss.transAxes, ha='center', color=series_color('l1'))

    def _static(self) -> str:
        return training_html(self.lr, self.batch, self.epochs, self.seed)

    def _plain(self) -> str:
        return (f'<TrainingExplorer: lr={self.lr:g}, batch={self.batch}, epochs={self.epochs}, '
                f'{len(self.run.history["loss"])} epochs trained>')


_CMAP = LinearSegmentedColormap.from_list('d2l_diverging', ['#0072b2', '#ffffff', '#d55e00'])


def training_explorer(lr: float = DEFAULTS['lr'], batch: int = DEFAULTS['batch'],
                      epochs: int = DEFAULTS['epochs'], seed: int = DEFAULTS['seed']
                      ) -> TrainingExplorer:
    """The training lab: chapter 06's softmax regression trained live on 4,000 Fashion-MNIST
    images, in the browser on the book's site and with PyTorch in a kernel. Taught in chapter
    06 (从零实现); chapter 07 points to it."""
    return TrainingExplorer(lr, batch, epochs, seed)
