"""The Huber explorer: L2, L1 and Huber losses (left) and their gradients (right) over the error,
with controls for Huber's threshold δ and the range of errors shown. Taught in chapter 03.

Its browser code: ``d2lhelpers/static/explorer-huber.js``.
"""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.artist import Artist

from ..losses import check_delta, huber_grad, huber_loss, l1_grad, l1_loss, l2_grad, l2_loss
from ..validation import positive_number
from .base import LOSS_NAMES, Explorer, explorer_html, floats, series_color, slider, snap

__all__ = ['ERROR_RANGE', 'NUM_ERRORS', 'check_delta', 'check_error_range', 'errors',
           'huber_curves', 'huber_references', 'HuberExplorer', 'huber_explorer']

# --- the numbers ------------------------------------------------------------------------

#: The explorer shows ``y_hat - y`` in ``[-ERROR_RANGE, ERROR_RANGE]`` by default, at
#: ``NUM_ERRORS`` evenly spaced points.
ERROR_RANGE, NUM_ERRORS = 4.0, 401


def check_error_range(error_range) -> float:
    """Return the half-width of the explorer's horizontal axis; a finite number > 0."""
    return positive_number(error_range, 'error_range (the largest |y_hat - y| shown)',
                           'e.g. 4.0')


def errors(error_range: float = ERROR_RANGE) -> torch.Tensor:
    """The differences ``y_hat - y`` drawn by the explorer: ``NUM_ERRORS`` evenly spaced
    points ``r * (2i - (N - 1)) / (N - 1)`` in ``[-r, r]``, float64, symmetric, 0 exactly in
    the middle (the browser computes the same doubles)."""
    r = check_error_range(error_range)
    steps = torch.arange(NUM_ERRORS, dtype=torch.float64) * 2 - (NUM_ERRORS - 1)
    return steps / (NUM_ERRORS - 1) * r


def huber_curves(delta: float, error_range: float = ERROR_RANGE) -> dict[str, np.ndarray]:
    """L2, L1 and Huber losses and their gradients over ``e = y_hat - y`` (truth 0).

    Returns NumPy arrays under the keys ``e``, ``l2``, ``l1``, ``huber``, ``l2_grad``,
    ``l1_grad`` and ``huber_grad``, at the points :func:`errors` gives. ``delta`` goes straight
    to :func:`~d2lhelpers.losses.huber_loss`, which checks it. Taught in chapter 03 (损失函数).
    """
    e = errors(error_range)
    zero = torch.zeros_like(e)
    out = {'e': e, 'huber': huber_loss(e, zero, delta=delta),
           'huber_grad': huber_grad(e, zero, delta=delta),
           'l2': l2_loss(e, zero), 'l1': l1_loss(e, zero),
           'l2_grad': l2_grad(e, zero), 'l1_grad': l1_grad(e, zero)}
    return {k: v.numpy() for k, v in out.items()}


# --- the static view: its texts and Python's reference values -----------------------------

def status_line(delta: float) -> str:
    """The first status line (the same text as the script writes)."""
    return f'δ = {delta:.2f}：Huber 损失在 |e| ≤ δ（阴影）内是平方，之外是直线'


def huber_references(delta: float, error_range: float, controls: list[dict]) -> list[dict]:
    """Python's curves (at a few points) at the start and at two other settings."""
    c = {ctrl['name']: ctrl for ctrl in controls}
    settings = [{'delta': delta, 'error_range': error_range},
                {'delta': snap(c['delta'], 0.3), 'error_range': snap(c['error_range'], 2.0)},
                {'delta': snap(c['delta'], 2.5), 'error_range': snap(c['error_range'], 8.0)}]
    refs = []
    for s in settings:
        curves = huber_curves(s['delta'], s['error_range'])
        last = len(curves['e']) - 1
        near_delta = round((s['delta'] + s['error_range']) / (2 * s['error_range']) * last)
        index = sorted({*range(0, last + 1, last // 8), near_delta - 1, near_delta,
                        near_delta + 1} & set(range(last + 1)))
        refs.append({'controls': s, 'index': index,
                     'numbers': {k: floats(v[index]) for k, v in curves.items()}})
    return refs


def huber_html(delta: float, error_range: float, controls: list[dict]) -> str:
    """Static view of the Huber explorer; ``controls``: the ``delta`` and ``error_range`` ones."""
    config = {
        'caption': ('拖动滑块（或用方向键）改变 δ 和横轴显示的误差范围：三种损失（左）和它们对预测值的'
                    '梯度（右）随之重画，阴影是 |e| ≤ δ 的区域（在浏览器中计算，无需内核）。'),
        'print_caption': '印刷版显示的是初始设置；在网页或 Jupyter 中可以改变 δ 和误差范围。',
        'points': NUM_ERRORS, 'controls': controls, 'names': LOSS_NAMES,
        'reference': huber_references(delta, error_range, controls)}
    return explorer_html('huber', config, [status_line(delta)])


# --- the kernel view ----------------------------------------------------------------------

#: line styles shared by both panels: the series differ in colour, dash and width
_LINES = {'l2': dict(lw=1.8, label=LOSS_NAMES['l2'] + r': $\frac{1}{2}e^2$'),
          'l1': dict(lw=1.8, ls=(0, (6, 3)), label=LOSS_NAMES['l1'] + r': $|e|$'),
          'huber': dict(lw=3.0, label=LOSS_NAMES['huber'])}


class HuberExplorer(Explorer):
    """L2, L1 and Huber losses (left) and their gradients (right) over ``y_hat - y``."""

    def __init__(self, delta: float = 1.0, error_range: float = ERROR_RANGE):
        c = huber_curves(delta, error_range)   # checks delta (in the loss) and error_range
        delta, r = float(delta), float(error_range)
        self.delta_slider = slider(delta, min(0.1, delta), max(3.0, delta), 0.05, 'δ', 2)
        self.range_slider = slider(r, min(1.0, r), max(10.0, r), 0.5, '误差范围', 1)
        super().__init__({'delta': self.delta_slider, 'error_range': self.range_slider})
        ax_loss, ax_grad = self.axes = self.fig.subplots(1, 2)
        green = series_color('huber')
        self.spans = [ax.axvspan(-delta, delta, color=green, alpha=0.15, lw=0,
                                 label=r'$|e| \leq \delta$') for ax in self.axes]
        style = {k: dict(color=series_color(k), **s) for k, s in _LINES.items()}
        self.loss_lines = {k: ax_loss.plot(c['e'], c[k], **s)[0] for k, s in style.items()}
        self.grad_lines = {k: ax_grad.plot(c['e'], c[f'{k}_grad'], **s)[0]
                           for k, s in style.items()}
        # The book's error is e = y - y_hat; the losses depend on |e| only, and the
        # gradients are taken with respect to the prediction, as in chapter 03.
        ax_loss.set(xlabel=r'$\hat{y} - y$', ylabel='loss')
        ax_grad.set(xlabel=r'$\hat{y} - y$', ylabel=r'gradient $\partial l / \partial \hat{y}$')
        self.legend = ax_loss.legend(loc='upper center', fontsize=8)
        for ax in self.axes:
            ax.grid(alpha=0.3)
        self.title = self.fig.suptitle('')
        self._finish()

    @property
    def delta(self) -> float:
        return float(self.delta_slider.value)

    @property
    def error_range(self) -> float:
        return float(self.range_slider.value)

    def state(self) -> dict:
        """The curves currently drawn (see :func:`huber_curves`)."""
        return huber_curves(self.delta, self.error_range)

    def _animated(self) -> list[Artist]:
        return [*self.spans, *self.loss_lines.values(), *self.grad_lines.values(), self.legend,
                self.title]

    def _draw(self) -> None:
        delta, r = self.delta, self.error_range
        c = huber_curves(delta, r)
        for k in LOSS_NAMES:
            self.loss_lines[k].set_data(c['e'], c[k])
            self.grad_lines[k].set_data(c['e'], c[f'{k}_grad'])
        for span in self.spans:
            span.set_x(-delta)
            span.set_width(2 * delta)
        ax_loss, ax_grad = self.axes
        if ax_loss.get_xlim() != (-r, r):
            ax_loss.set(xlim=(-r, r), ylim=(0, 1.125 * r))
            ax_grad.set(xlim=(-r, r), ylim=(-1.05 * r, 1.05 * r))
        self.title.set_text(f'Huber loss with δ = {delta:.2f}: quadratic where |e| ≤ δ '
                            '(shaded), linear outside')

    def _static(self) -> str:
        return huber_html(self.delta, self.error_range,
                          self.static_controls({'delta': 2, 'error_range': 1}))

    def _plain(self) -> str:
        return (f'<HuberExplorer: delta and error-range sliders, delta={self.delta:.2f}, '
                f'error range {self.error_range:.1f}>')


def huber_explorer(delta: float = 1.0, error_range: float = ERROR_RANGE) -> HuberExplorer:
    """Sliders for Huber's ``delta`` and the largest ``|y_hat - y|`` shown (``error_range``)
    over L2, L1 and Huber losses and their gradients. Taught in chapter 03 (损失函数)."""
    return HuberExplorer(delta, error_range)
