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

import numpy as np
import torch

from ..data import load_fashion_mnist_tensors
from ..labels import TEXT_LABELS_ZH

__all__ = ['TRAIN_PER_CLASS', 'TEST_PER_CLASS', 'DEFAULTS', 'LR_VALUES', 'OVERFLOW_LOGIT',
           'DATA_FILE', 'Mulberry32', 'initial_weights', 'permutation', 'lab_subset',
           'pack_subset', 'data_script', 'check_settings', 'train_reference', 'training_html']

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


def _first_per_class(labels: torch.Tensor, per_class: int) -> torch.Tensor:
    picked = [torch.nonzero(labels == c).ravel()[:per_class] for c in range(NUM_CLASSES)]
    return torch.sort(torch.cat(picked)).values


@lru_cache(maxsize=2)
def lab_subset(root=None) -> dict[str, np.ndarray]:
    """The lab's data: the first ``TRAIN_PER_CLASS`` training and ``TEST_PER_CLASS`` test
    images of every class, kept in the dataset's order. uint8 pixels ``[N, 784]``, uint8 labels.
    """
    out = {}
    for split, train, per_class in (('train', True, TRAIN_PER_CLASS),
                                     ('test', False, TEST_PER_CLASS)):
        images, labels = load_fashion_mnist_tensors(train=train, root=root)
        index = _first_per_class(labels, per_class)
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


def _evaluate(X: torch.Tensor, y: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> float:
    with torch.no_grad():
        return int((torch.argmax(X @ W + b, dim=1) == y).sum()) / len(y)


def train_reference(lr: float = DEFAULTS['lr'], batch: int = DEFAULTS['batch'],
                    epochs: int = DEFAULTS['epochs'], seed: int = DEFAULTS['seed'],
                    max_steps: int | None = None, subset: dict | None = None) -> dict:
    """PyTorch's run on the lab's subset, as chapter 06 trains: logits ``XW + b``, a stable
    log-softmax, the mean cross-entropy of each minibatch, ``torch.optim.SGD``, float32.

    The initial ``W`` and every epoch's order come from ``Mulberry32(seed)`` (the browser draws
    the same). Per epoch: the running mean loss and training accuracy (as the chapter prints
    them), then the test accuracy. It stops after ``max_steps`` minibatches if given, and
    where a logit passes ``OVERFLOW_LOGIT`` (``diverged`` gives the step). Returns a dict with
    ``loss``, ``train_acc``, ``test_acc`` (lists), ``steps``, ``diverged``, ``W``, ``b``, and
    the running sums of the epoch in progress (``partial``).
    """
    lr, batch, epochs, seed = check_settings(lr, batch, epochs, seed)
    s = subset if subset is not None else lab_subset()
    X = torch.from_numpy(np.asarray(s['train_images'])).float().div_(255)
    y = torch.from_numpy(np.asarray(s['train_labels'])).long()
    X_test = torch.from_numpy(np.asarray(s['test_images'])).float().div_(255)
    y_test = torch.from_numpy(np.asarray(s['test_labels'])).long()
    rng = Mulberry32(seed)
    W = torch.from_numpy(initial_weights(rng)).requires_grad_()
    b = torch.zeros(NUM_CLASSES, requires_grad=True)
    updater = torch.optim.SGD([W, b], lr=lr)
    out = {'loss': [], 'train_acc': [], 'test_acc': [], 'steps': 0, 'diverged': None}
    total_loss = correct = seen = 0
    for _ in range(epochs):
        order = torch.from_numpy(permutation(rng, len(y)))
        total_loss, correct, seen = 0.0, 0, 0
        for start in range(0, len(y), batch):
            if max_steps is not None and out['steps'] >= max_steps:
                break
            idx = order[start:start + batch]
            o = X[idx] @ W + b
            l = -torch.log_softmax(o, dim=1)[torch.arange(len(idx)), y[idx]]
            if not (float(o.detach().max()) <= OVERFLOW_LOGIT and torch.isfinite(l).all()):
                out['diverged'] = out['steps']
                break
            updater.zero_grad()
            l.mean().backward()
            updater.step()
            out['steps'] += 1
            total_loss += float(l.detach().sum())
            correct += int((torch.argmax(o.detach(), dim=1) == y[idx]).sum())
            seen += len(idx)
        if seen < len(y):
            break
        out['loss'].append(total_loss / seen)
        out['train_acc'].append(correct / seen)
        out['test_acc'].append(_evaluate(X_test, y_test, W.detach(), b.detach()))
    out['partial'] = {'loss_sum': total_loss, 'correct': correct, 'seen': seen}
    out['W'], out['b'] = W.detach().numpy().copy(), b.detach().numpy().copy()
    return out
