"""The outlier explorer: chapter 03's outlier experiment, live. The lines fitted under L2, L1 and
Huber (left) and their parameter errors (right), with controls for how far the outliers are
pulled down and for Huber's δ. Taught in chapter 03 (损失函数).

Its numbers are the experiment itself (also public as :mod:`d2lhelpers.fitting`): the data lie
on ``y = 2x + 1`` (``TRUE_PARAMS``) with a little noise; four of the 40 points
(``OUTLIER_INDICES``) are pulled down by ``OUTLIER_PULLS`` times ``shift``. :func:`fit_line`
fits ``y_hat = w x + b`` by full-batch gradient descent on the mean loss, with the gradients
``dl/dy_hat`` of :mod:`d2lhelpers.losses`. Everything runs in float64, so the same arithmetic
done by the browser (``static/explorer-outlier.js``; JavaScript numbers are doubles) gives the
same ``(w, b)`` to about 1e-12.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch
from matplotlib.artist import Artist

from ..losses import check_delta, huber_grad, l1_grad, l2_grad
from ..validation import integer, positive_int, positive_number, real_number, tensor
from .base import LOSS_NAMES, Explorer, explorer_html, floats, series_color, slider, snap

__all__ = ['TRUE_PARAMS', 'NUM_POINTS', 'NOISE', 'OUTLIER_INDICES', 'OUTLIER_PULLS', 'LOSSES',
           'STEPS', 'LR', 'true_line', 'outlier_data', 'fit_line', 'parameter_error',
           'outlier_state', 'outlier_references', 'OutlierExplorer', 'outlier_explorer']

# --- the numbers ------------------------------------------------------------------------

TRUE_PARAMS = (2.0, 1.0)              #: (w*, b*) of the line the data come from
NUM_POINTS = 40
NOISE = 0.1                           #: standard deviation of the noise on y
OUTLIER_INDICES = (30, 33, 36, 39)    #: which points are outliers
OUTLIER_PULLS = (6.0, 8.0, 7.0, 9.0)  #: how far each outlier is pulled down at shift = 1
LOSSES = tuple(LOSS_NAMES)            #: ('l2', 'l1', 'huber')
STEPS, LR = 2000, 0.5                 #: the chapter's gradient descent: steps, learning rate
_GRADS = {'l2': l2_grad, 'l1': l1_grad, 'huber': huber_grad}


def true_line() -> str:
    """The true line as text, ``'y = 2x + 1'`` (from ``TRUE_PARAMS``)."""
    w, b = TRUE_PARAMS
    return f'y = {w:g}x {"+" if b >= 0 else "−"} {abs(b):g}'


def outlier_data(shift: float = 1.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The experiment's points ``(x, y)``, float64 tensors of 40 values each.

    ``x`` is evenly spaced in [-1, 1]; ``y = 2 x + 1 + 0.1 * noise`` with the noise drawn as
    ``torch.manual_seed(seed); torch.randn(40)`` (seed 0 gives the chapter's points, drawn
    from a private generator: the global RNG is left alone). Then the outliers are pulled
    down: ``y[i] -= shift * pull`` for ``i, pull`` in ``OUTLIER_INDICES, OUTLIER_PULLS``.
    ``shift = 1`` is the chapter's data, ``0`` has no outliers, ``2`` pulls twice as far.
    Taught in chapter 03 (损失函数).
    """
    shift = real_number(shift, 'shift', 'e.g. 1.0 for the chapter\'s outliers')
    seed = integer(seed, 'seed')
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(NUM_POINTS, generator=generator).double()
    x = torch.linspace(-1.0, 1.0, NUM_POINTS, dtype=torch.float64)
    w, b = TRUE_PARAMS
    y = w * x + b + NOISE * noise
    index = torch.tensor(OUTLIER_INDICES)
    y[index] = y[index] - shift * torch.tensor(OUTLIER_PULLS, dtype=torch.float64)
    return x, y


def fit_line(x: torch.Tensor, y: torch.Tensor, loss: str, delta: float = 0.5,
             steps: int = STEPS, lr: float = LR) -> tuple[float, float]:
    """Fit ``y_hat = w x + b`` to the points by full-batch gradient descent; return ``(w, b)``.

    ``loss`` is ``'l2'``, ``'l1'`` or ``'huber'`` (with threshold ``delta``). Starting from
    ``w = b = 0``, step ``t`` computes ``g_i = dl/dy_hat_i`` (``l2_grad``, ``l1_grad`` or
    ``huber_grad``) and updates ``w -= lr_t * mean(g * x)``, ``b -= lr_t * mean(g)`` with
    ``lr_t = lr * (1 - t / steps) + 1e-3``: the learning rate decays linearly, so that L1's
    gradient, which does not shrink near the optimum, stops making the parameters jump.
    Computed in float64. Taught in chapter 03 (损失函数).
    """
    x, y = tensor(x, 'x'), tensor(y, 'y')
    if x.dim() != 1 or x.shape != y.shape or x.numel() == 0:
        raise ValueError(f'x and y must be 1-D tensors of the same, non-zero length, got '
                         f'shapes {tuple(x.shape)} and {tuple(y.shape)}')
    if loss not in _GRADS:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}, got {loss!r}")
    steps = positive_int(steps, 'steps')
    lr = positive_number(lr, 'the learning rate lr', 'e.g. 0.5')
    x, y = x.double(), y.double()
    if loss == 'huber':   # huber_grad checks delta (a bad one fails at the first step)
        grad = lambda y_hat: huber_grad(y_hat, y, delta)   # noqa: E731
    else:
        grad = lambda y_hat: _GRADS[loss](y_hat, y)        # noqa: E731
    w = b = torch.zeros((), dtype=torch.float64)
    for t in range(steps):
        g = grad(w * x + b)
        lr_t = lr * (1 - t / steps) + 1e-3
        w, b = w - lr_t * (g * x).mean(), b - lr_t * g.mean()
    return w.item(), b.item()


def parameter_error(w: float, b: float) -> float:
    """``||(w, b) - (w*, b*)||``, the distance of a fitted line from the true one (2, 1).

    Taught in chapter 03 (损失函数).
    """
    return math.hypot(w - TRUE_PARAMS[0], b - TRUE_PARAMS[1])


@lru_cache(maxsize=256)
def _fits(shift: float, delta: float) -> tuple[tuple[float, float], ...]:
    """The three fits at one setting, computed once per process (each is 2,000 steps)."""
    x, y = outlier_data(shift)
    return tuple(fit_line(x, y, loss, delta=delta) for loss in LOSSES)


def outlier_state(shift: float = 1.0, delta: float = 0.5) -> dict:
    """The experiment at one setting: the points and the three fitted lines.

    ``shift`` scales how far the outliers are pulled down (1 = the chapter's data, see
    :func:`outlier_data`); ``delta`` is Huber's threshold. Returns ``x``, ``y`` (NumPy arrays,
    fresh each call), ``fits`` (``{'l2': (w, b), 'l1': ..., 'huber': ...}``, from
    :func:`fit_line`, computed once per setting) and ``errors`` (each fit's
    ``||(w, b) - (2, 1)||``). Taught in chapter 03 (损失函数).
    """
    x, y = outlier_data(shift)                  # checks shift
    fits = dict(zip(LOSSES, _fits(float(shift), check_delta(delta))))
    return {'x': x.numpy(), 'y': y.numpy(), 'fits': fits,
            'errors': {loss: parameter_error(*wb) for loss, wb in fits.items()}}


# --- the static view: its texts and Python's reference values -----------------------------

def status_line(shift: float, delta: float) -> str:
    """The first status line (the same text as the script writes)."""
    pulls = '、'.join(f'{shift * p:.1f}' for p in OUTLIER_PULLS)
    return f'离群偏移 = {shift:.2f}（离群点下移 {pulls}），δ = {delta:.2f}'


def outlier_references(shift: float, delta: float, controls: list[dict]) -> list[dict]:
    """Python's fits (:func:`fit_line`) at the start and at two other settings."""
    c = {ctrl['name']: ctrl for ctrl in controls}
    settings = [{'shift': shift, 'delta': delta},
                # (keys in the order the browser test moves them: δ while there are outliers,
                # since without outliers every residual is below δ and δ changes nothing)
                {'delta': snap(c['delta'], 1.0), 'shift': snap(c['shift'], 0.0)},
                {'shift': snap(c['shift'], 2.5), 'delta': snap(c['delta'], 0.2)}]
    refs = []
    for s in settings:
        state = outlier_state(s['shift'], s['delta'])
        refs.append({'controls': s, 'numbers': {
            'params': [float(p) for loss in LOSSES for p in state['fits'][loss]],
            'errors': [float(state['errors'][loss]) for loss in LOSSES]}})
    return refs


def outlier_html(shift: float, delta: float, controls: list[dict]) -> str:
    """Static view of the outlier explorer; ``controls``: the ``shift`` and ``delta`` ones."""
    x, base = outlier_data(0.0)
    config = {
        'caption': ('拖动滑块（或用方向键）把 4 个离群点拉得更远或更近、改变 Huber 的 δ：用 L2、L1 和 '
                    'Huber 拟合的直线和参数误差随之重新计算（浏览器里跑同样的梯度下降，无需内核）。'),
        'print_caption': '印刷版显示的是初始设置；在网页或 Jupyter 中可以移动离群点、改变 δ。',
        'controls': controls, 'losses': list(LOSSES), 'names': LOSS_NAMES, 'steps': STEPS,
        'lr': LR, 'true_line': true_line(),
        'data': {'x': floats(x), 'base': floats(base), 'outliers': list(OUTLIER_INDICES),
                 'pulls': list(OUTLIER_PULLS), 'true_params': list(TRUE_PARAMS)},
        'reference': outlier_references(shift, delta, controls)}
    state = outlier_state(shift, delta)
    fallback = [status_line(shift, delta),
                '；'.join(f'{LOSS_NAMES[k]}：w = {w:.3f}，b = {b:.3f}，参数误差 '
                         f'{state["errors"][k]:.3f}' for k, (w, b) in state['fits'].items())]
    return explorer_html('outlier', config, fallback)


# --- the kernel view ----------------------------------------------------------------------

_LINES = {'l2': dict(lw=1.8), 'l1': dict(lw=1.8, ls=(0, (6, 3))), 'huber': dict(lw=3.0)}


class OutlierExplorer(Explorer):
    """Lines fitted under L2, L1, Huber (left), their parameter errors (right); sliders for
    the outliers' shift and Huber's δ."""

    def __init__(self, shift: float = 1.0, delta: float = 0.5):
        s = outlier_state(shift, delta)    # checks shift (outlier_data) and delta
        shift, delta = float(shift), float(delta)
        # three fits take ~0.1 s in Python: redraw when the slider is released
        self.shift_slider = slider(shift, min(0.0, shift), max(3.0, shift), 0.05,
                                   '离群偏移', 2, continuous=False)
        self.delta_slider = slider(delta, min(0.1, delta), max(3.0, delta), 0.05, 'δ', 2,
                                   continuous=False)
        super().__init__({'shift': self.shift_slider, 'delta': self.delta_slider})
        ax_fit, ax_err = self.axes = self.fig.subplots(1, 2)
        normal = np.ones(len(s['x']), dtype=bool)
        normal[list(OUTLIER_INDICES)] = False
        self._normal = normal
        self.points = ax_fit.scatter(s['x'][normal], s['y'][normal], s=14, color='0.35',
                                     label='points')
        self.outliers = ax_fit.scatter(s['x'][~normal], s['y'][~normal], s=30, marker='v',
                                       color='0.1', label='outliers')
        ends = np.array([-1.1, 1.1])
        w, b = TRUE_PARAMS
        ax_fit.plot(ends, w * ends + b, ':', color='0.3', lw=1.2, label=f'${true_line()}$')
        self.fit_lines = {k: ax_fit.plot(ends, ends * 0, color=series_color(k),
                                         label=LOSS_NAMES[k], **_LINES[k])[0] for k in LOSSES}
        self._ends = ends
        ax_fit.set(xlim=(-1.1, 1.1), xlabel='$x$', ylabel='$y$',
                   title='lines fitted to the points')
        self.legend = ax_fit.legend(loc='lower left', fontsize=8)
        self.error_bars = ax_err.bar(range(len(LOSSES)), np.zeros(len(LOSSES)), width=0.6,
                                     color=[series_color(k) for k in LOSSES])
        self.error_texts = [ax_err.text(i, 0, '', ha='center', va='bottom', fontsize=8)
                            for i in range(len(LOSSES))]
        ax_err.set(xticks=range(len(LOSSES)), xticklabels=[LOSS_NAMES[k] for k in LOSSES],
                   xlabel='loss', ylabel=r'$\|(w, b) - (w^*, b^*)\|$',
                   title='parameter error of each fit')
        for ax in self.axes:
            ax.grid(alpha=0.3)
        self.title = self.fig.suptitle('')
        self._finish()

    @property
    def shift(self) -> float:
        return float(self.shift_slider.value)

    @property
    def delta(self) -> float:
        return float(self.delta_slider.value)

    def state(self) -> dict:
        """The points and fits currently drawn (see :func:`outlier_state`)."""
        return outlier_state(self.shift, self.delta)

    def _animated(self) -> list[Artist]:
        return [self.points, self.outliers, *self.fit_lines.values(), *self.error_bars,
                *self.error_texts, self.legend, self.title]

    def _draw(self) -> None:
        shift, delta = self.shift, self.delta
        s = outlier_state(shift, delta)
        self.points.set_offsets(np.column_stack([s['x'][self._normal], s['y'][self._normal]]))
        self.outliers.set_offsets(np.column_stack([s['x'][~self._normal],
                                                   s['y'][~self._normal]]))
        for i, k in enumerate(LOSSES):
            w, b = s['fits'][k]
            self.fit_lines[k].set_ydata(w * self._ends + b)
            err = s['errors'][k]
            self.error_bars[i].set_height(err)
            self.error_texts[i].set_position((i, err))
            self.error_texts[i].set_text(f'{err:.3f}')
        ax_fit, ax_err = self.axes
        ylim = (min(float(s['y'].min()), -1.5) - 0.5, 4.0)
        if ax_fit.get_ylim() != ylim:
            ax_fit.set_ylim(ylim)
        emax = max(2.0, 1.2 * max(s['errors'].values()))
        if ax_err.get_ylim() != (0, emax):
            ax_err.set(xlim=(-0.5, len(LOSSES) - 0.5), ylim=(0, emax))
        pulls = ', '.join(f'{shift * p:.1f}' for p in OUTLIER_PULLS)
        self.title.set_text(f'shift = {shift:.2f} (outliers pulled down by {pulls}),  '
                            f'δ = {delta:.2f}')

    def _static(self) -> str:
        return outlier_html(self.shift, self.delta,
                            self.static_controls({'shift': 2, 'delta': 2}))

    def _plain(self) -> str:
        return f'<OutlierExplorer: shift={self.shift:.2f}, delta={self.delta:.2f}>'


def outlier_explorer(shift: float = 1.0, delta: float = 0.5) -> OutlierExplorer:
    """Chapter 03's outlier experiment, live: ``shift`` scales how far the 4 outliers are
    pulled down (1 = the chapter's data, 0 = none), ``delta`` is Huber's threshold; shows the
    lines fitted under L2, L1 and Huber (:func:`fit_line`) and each fit's parameter error.
    Taught in chapter 03 (损失函数)."""
    return OutlierExplorer(shift, delta)
