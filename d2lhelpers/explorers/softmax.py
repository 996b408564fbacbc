"""The softmax explorer: one example's predicted probabilities (left) and the cross-entropy's
gradient (right), with a control per logit, the true class and a temperature ``T``.
Taught in chapter 02 (Softmax 回归模型), used again in chapter 04 (交叉熵).

Its browser code: ``d2lhelpers/static/explorer-softmax.js``.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.patches import Patch

from ..functional import one_hot, softmax
from ..losses import softmax_cross_entropy
from ..validation import class_index, positive_number
from .base import (SUBSCRIPTS, Explorer, explorer_html, floats, series_color, slider, snap,
                   toggle)

__all__ = ['MIN_CLASSES', 'MAX_CLASSES', 'check_logits', 'check_true_class',
           'check_temperature', 'softmax_state', 'softmax_references', 'SoftmaxExplorer',
           'softmax_explorer']

# --- the numbers ------------------------------------------------------------------------

MIN_CLASSES, MAX_CLASSES = 2, 5


def check_temperature(temperature) -> float:
    """Return the softmax ``temperature`` as a float; it must be a finite number > 0."""
    return positive_number(temperature, 'the softmax temperature', '1.0 is the plain softmax')


def check_logits(logits: Sequence[float]) -> tuple[float, ...]:
    """Return ``logits`` as a tuple of floats: 2 to 5 finite numbers, one per class."""
    try:
        values = torch.as_tensor(logits, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f'logits must be a sequence of numbers such as (2.0, 1.0, 0.1), '
                         f'got {logits!r}') from None
    if values.dim() != 1:
        raise ValueError(f'logits must be a flat sequence (one number per class), got shape '
                         f'{tuple(values.shape)}')
    n = values.numel()
    if not MIN_CLASSES <= n <= MAX_CLASSES:
        raise ValueError(f'the explorer needs {MIN_CLASSES} to {MAX_CLASSES} logits '
                         f'(one per class), got {n}')
    if not bool(torch.isfinite(values).all()):
        raise ValueError(f'logits must be finite numbers (no inf or nan), got '
                         f'{tuple(values.tolist())}')
    return tuple(values.tolist())


def check_true_class(true_class, num_classes: int) -> int:
    """Return ``true_class`` as an int in ``[0, num_classes)``."""
    return class_index(true_class, num_classes, 'true_class')


def softmax_state(logits: Sequence[float], true_class: int,
                  temperature: float = 1.0) -> dict[str, np.ndarray | float]:
    """Probabilities, cross-entropy and its gradient for one example with logits ``o``.

    With temperature ``T`` the model outputs ``y_hat = softmax(o / T)``; the loss is the
    cross-entropy ``-log y_hat[true_class]`` and its gradient w.r.t. ``o`` is
    ``(y_hat - y) / T`` (plain ``y_hat - y`` at ``T = 1``), ``y`` being the one-hot label.
    Returns ``probs``, ``target`` (one-hot), ``grad`` (NumPy arrays) and ``loss`` (float).
    Taught in chapter 02 (Softmax 回归模型), used again in chapter 04 (交叉熵).
    """
    o = torch.tensor(check_logits(logits), dtype=torch.float64)
    k = check_true_class(true_class, o.numel())
    t = check_temperature(temperature)
    scaled = (o / t).unsqueeze(0)
    probs = softmax(scaled)[0]
    target = one_hot([k], o.numel(), dtype=torch.float64)[0]
    loss = softmax_cross_entropy(scaled, torch.tensor([k]))[0]
    return {'probs': probs.numpy(), 'target': target.numpy(),
            'grad': ((probs - target) / t).numpy(), 'loss': float(loss)}


# --- the static view: its texts and Python's reference values -----------------------------

def status_line(logits: Sequence[float], true_class: int, temperature: float,
                loss: float) -> str:
    """The first status line (the same text as the script writes)."""
    o = ', '.join(f'{v:.1f}' for v in logits)
    return (f'o = ({o})，T = {temperature:.2f}，真实类别 {true_class}：交叉熵 '
            f'−log ŷ{SUBSCRIPTS[true_class]} = {loss:.4f}')


def softmax_references(logits: Sequence[float], true_class: int, temperature: float,
                       controls: Sequence[dict]) -> list[dict]:
    """Python's numbers at the start and at three settings reached by moving every control."""
    c = {ctrl['name']: ctrl for ctrl in controls}
    n = len(logits)
    up = 0.5 if max(logits) + 0.5 <= c['o0']['max'] else -0.5
    shifted = {f'o{i}': snap(c[f'o{i}'], v + up) for i, v in enumerate(logits)}
    settings = [
        {**{f'o{i}': v for i, v in enumerate(logits)}, 'true_class': true_class,
         'T': temperature},
        # the same amount added to every logit: nothing changes
        {**shifted, 'true_class': true_class, 'T': temperature},
        # another true class, a lower temperature
        {**shifted, 'true_class': (true_class + 1) % n, 'T': snap(c['T'], 0.5)},
        # the last logit to its largest value, a higher temperature
        {**shifted, f'o{n - 1}': c[f'o{n - 1}']['max'], 'true_class': (true_class + 1) % n,
         'T': snap(c['T'], 2.0)}]
    refs = []
    for s in settings:
        state = softmax_state([s[f'o{i}'] for i in range(n)], s['true_class'], s['T'])
        refs.append({'controls': s, 'numbers': {
            'probs': floats(state['probs']), 'target': floats(state['target']),
            'grad': floats(state['grad']), 'loss': float(state['loss'])}})
    return refs


def softmax_html(logits: Sequence[float], true_class: int, temperature: float,
                 controls: Sequence[dict], class_label: str) -> str:
    """Static view; ``controls``: the logit and ``T`` range controls (the true class is added)."""
    n = len(logits)
    picker = {'name': 'true_class', 'label': class_label, 'options': list(range(n)),
              'value': int(true_class)}
    ranges = [ctrl for ctrl in controls if ctrl['name'] != 'T']
    all_controls = [*ranges, picker, *[ctrl for ctrl in controls if ctrl['name'] == 'T']]
    s = softmax_state(logits, true_class, temperature)
    config = {
        'caption': ('拖动滑块（或用方向键）改变每个 logit 和温度 T，点选真实类别：预测概率 ŷ、'
                    '交叉熵和梯度随之重新计算（在浏览器中计算，无需内核）。'),
        'print_caption': '印刷版显示的是初始设置；在网页或 Jupyter 中可以改变 logit、真实类别和温度。',
        'num_classes': n, 'controls': all_controls, 'subscripts': SUBSCRIPTS,
        'reference': softmax_references(logits, true_class, temperature, all_controls)}
    fallback = [status_line(logits, true_class, temperature, s['loss']),
                'ŷ = (' + ', '.join(f'{p:.3f}' for p in s['probs']) + ')']
    return explorer_html('softmax', config, fallback)


# --- the kernel view ----------------------------------------------------------------------

class SoftmaxExplorer(Explorer):
    """Softmax probabilities (left) and the cross-entropy gradient (right) for one example."""

    def __init__(self, logits: Sequence[float] = (2.0, 1.0, 0.1), true_class: int = 0,
                 temperature: float = 1.0):
        logits = check_logits(logits)
        n = len(logits)
        k = check_true_class(true_class, n)
        t = check_temperature(temperature)
        lo, hi = min(-5.0, math.floor(min(logits))), max(5.0, math.ceil(max(logits)))
        self.logit_sliders = [slider(v, lo, hi, 0.1, f'o{SUBSCRIPTS[i]}', 1)
                              for i, v in enumerate(logits)]
        self.class_picker = toggle(range(n), k, '真实类别')
        self.temperature_slider = slider(t, min(0.25, t), max(4.0, t), 0.05, '温度 T', 2)
        super().__init__({**{f'o{i}': s for i, s in enumerate(self.logit_sliders)},
                          'true_class': self.class_picker, 'T': self.temperature_slider})
        ax_p, ax_g = self.axes = self.fig.subplots(1, 2)
        x = np.arange(n)
        self._colors = series_color('prob'), series_color('true')
        self.target_bars = ax_p.bar(x, np.zeros(n), width=0.8, fill=False, edgecolor='0.2',
                                    linestyle='--', label='one-hot $y$')
        self.prob_bars = ax_p.bar(x, np.zeros(n), width=0.6, color=self._colors[0],
                                  label=r'$\hat{y}$')
        true_patch = Patch(color=self._colors[1], label=r'$\hat{y}$ of the true class')
        self.grad_bars = ax_g.bar(x, np.zeros(n), width=0.6, color=self._colors[0])
        self.prob_texts = [ax_p.text(i, 0, '', ha='center', va='bottom', fontsize=8)
                           for i in range(n)]
        self.grad_texts = [ax_g.text(i, 0, '', ha='center', fontsize=8) for i in range(n)]
        ax_p.set(ylim=(0, 1.38), yticks=np.linspace(0, 1, 6), xticks=x, xlabel='class',
                 ylabel='probability', title=r'$\hat{y} = \mathrm{softmax}(o / T)$')
        ax_g.set(xticks=x, xlabel='class', ylabel=r'$\partial L / \partial o$',
                 title=r'gradient $(\hat{y} - y) / T$')
        self.zero_line = ax_g.axhline(0, color='0.3', lw=0.8)
        self.legend = ax_p.legend(handles=[self.target_bars, self.prob_bars, true_patch],
                                  loc='upper center', ncols=3, fontsize=8, handlelength=1.5,
                                  columnspacing=1.0)
        self.title = self.fig.suptitle('')
        self._finish()

    @property
    def logits(self) -> tuple[float, ...]:
        return tuple(float(s.value) for s in self.logit_sliders)

    @property
    def true_class(self) -> int:
        return int(self.class_picker.value)

    @property
    def temperature(self) -> float:
        return float(self.temperature_slider.value)

    def state(self) -> dict:
        """The numbers currently drawn (see :func:`softmax_state`)."""
        return softmax_state(self.logits, self.true_class, self.temperature)

    def _animated(self) -> list[Artist]:
        return [*self.target_bars, *self.prob_bars, *self.grad_bars, self.zero_line,
                *self.prob_texts, *self.grad_texts, self.legend, self.title]

    def _draw(self) -> None:
        logits, k, t = self.logits, self.true_class, self.temperature
        s = softmax_state(logits, k, t)
        for i, (p, g, y) in enumerate(zip(s['probs'], s['grad'], s['target'])):
            color = self._colors[i == k]
            self.prob_bars[i].set_height(p)
            self.prob_bars[i].set_facecolor(color)
            self.target_bars[i].set_height(y)
            self.grad_bars[i].set_height(g)
            self.grad_bars[i].set_facecolor(color)
            self.prob_texts[i].set_position((i, p + 0.02))
            self.prob_texts[i].set_text(f'{p:.3f}')
            self.grad_texts[i].set_position((i, g + (0.04 if g >= 0 else -0.04) / t))
            self.grad_texts[i].set_va('bottom' if g >= 0 else 'top')
            self.grad_texts[i].set_text(f'{g:+.3f}')
        if self.axes[1].get_ylim() != (-1.2 / t, 1.2 / t):
            self.axes[1].set_ylim(-1.2 / t, 1.2 / t)   # |y_hat - y| <= 1
        o = ', '.join(f'{v:.1f}' for v in logits)
        self.title.set_text(f'o = ({o}),  T = {t:.2f},  true class {k}:  cross-entropy '
                            f'−log ŷ{SUBSCRIPTS[k]} = {s["loss"]:.4f}')

    def _static(self) -> str:
        decimals = {**{f'o{i}': 1 for i in range(len(self.logit_sliders))}, 'T': 2}
        return softmax_html(self.logits, self.true_class, self.temperature,
                            self.static_controls(decimals), self.class_picker.description)

    def _plain(self) -> str:
        return (f'<SoftmaxExplorer: {len(self.logit_sliders)} logit sliders, '
                f'true class {self.true_class}>')


def softmax_explorer(logits: Sequence[float] = (2.0, 1.0, 0.1), true_class: int = 0,
                     temperature: float = 1.0) -> SoftmaxExplorer:
    """One slider per logit (2-5 classes), the true class and a temperature ``T``; shows
    ``softmax(o / T)``, the cross-entropy and its gradient. Taught in chapter 02
    (Softmax 回归模型), used again in chapter 04 (交叉熵)."""
    return SoftmaxExplorer(logits, true_class, temperature)
