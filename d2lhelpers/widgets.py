"""Interactive explorers in a kernel: Huber δ, softmax logits, and outliers against a fit.

Each explorer is an ``ipywidgets.VBox``: sliders above an ``ipywidgets.Image`` showing one
matplotlib figure.

* In a kernel (Jupyter Lab / Notebook, VS Code, Colab with ipywidgets 7 or 8) the sliders are
  live. Moving one updates the data of the plotted artists, redraws only those over a cached
  background (blitting on an Agg canvas) and sends the new PNG to the ``Image``. The figure is
  drawn at the width it is shown (960 CSS pixels) at twice the pixel density, and is never
  registered with ``pyplot`` (no extra figure in the output).
* On the static HTML site there is no kernel: the same display bundle also carries a
  ``text/html`` part from :mod:`d2lhelpers.static_view`, whose controls are computed and drawn
  by JavaScript in the browser. Jupyter front ends render the widget view in preference to
  ``text/html``; the book's ``_config.yml`` asks MyST-NB for the opposite.

The numbers come from :mod:`d2lhelpers.explorer_data`, i.e. from the tested loss, softmax and
fitting functions. In a chapter, make the explorer the last expression of a cell tagged
``nbval-ignore-output`` (model ids differ on every run) and check its numbers in a compared
cell with ``explorer.state()``.
"""
from __future__ import annotations

import io
import math
from typing import Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from PIL import Image

from . import static_view
from .explorer_data import (ERROR_RANGE, NUM_ERRORS, check_logits, check_temperature,
                            check_true_class, huber_curves, outlier_state, softmax_state)
from .fitting import LOSSES, OUTLIER_INDICES, OUTLIER_PULLS, TRUE_PARAMS

__all__ = ['huber_explorer', 'softmax_explorer', 'outlier_explorer', 'HuberExplorer',
           'SoftmaxExplorer', 'OutlierExplorer']

_SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉'
_WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
_STYLE = {'description_width': '90px'}     # every control's label column: they line up
_NAMES = {'l2': 'L2', 'l1': 'L1', 'huber': 'Huber'}
_COLORS = {'l2': 'C0', 'l1': 'C1', 'huber': 'C2'}


def _png(rgba: np.ndarray) -> bytes:
    """Encode an RGBA canvas buffer as a 64-colour PNG (~40 KB for 1920 x 660 pixels).

    Small matters: the last image of each explorer is also stored in the notebook's widget
    state, which the book embeds in the page. A figure of flat colours loses nothing visible.
    """
    img = Image.fromarray(rgba, 'RGBA').convert('RGB').quantize(
        colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    img.save(out, format='png', compress_level=6)
    return out.getvalue()


def _slider(value: float, lo: float, hi: float, step: float, description: str,
            decimals: int, continuous: bool = True) -> widgets.FloatSlider:
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                               readout_format=f'.{decimals}f', continuous_update=continuous,
                               style=_STYLE, layout=widgets.Layout(width='520px'))


def _control(name: str, slider: widgets.FloatSlider, decimals: int) -> dict:
    """The kernel slider, described for the static view (same label, range, step)."""
    return static_view.control(name, slider.description, slider.value, slider.min, slider.max,
                               slider.step, decimals)


class _Explorer(widgets.VBox):
    """Sliders above a live figure; displays with a static, browser-computed view.

    Subclasses build the figure, list the artists that change in :meth:`_animated`, update
    them in :meth:`_draw` and describe the static view in :meth:`_static`.
    """

    width_px = 960      # CSS pixels: about a notebook cell's width
    density = 2         # device pixels per CSS pixel of the live image

    def __init__(self, controls: Sequence[widgets.Widget], height_px: int = 330):
        self.fig = Figure(figsize=(self.width_px / 100, height_px / 100), dpi=100,
                          layout='constrained')
        self.canvas = FigureCanvasAgg(self.fig)   # a plain Agg canvas, unknown to pyplot
        self.image = widgets.Image(format='png', layout=widgets.Layout(
            width=f'{self.width_px}px', max_width='100%', height='auto'))
        self.controls = list(controls)
        super().__init__(children=[*controls, self.image])
        self._background = None      # (key, saved pixels) of everything that does not change
        self._static_html: tuple[tuple, str] | None = None   # (control values, html)

    # --- for subclasses ---
    def _animated(self) -> list[Artist]:
        """The artists that change with the controls, in drawing order."""
        raise NotImplementedError

    def _draw(self) -> None:
        """Update the artists from the current control values."""
        raise NotImplementedError

    def _static(self) -> str:
        """The static view for the current control values."""
        raise NotImplementedError

    # --- machinery ---
    def _finish(self) -> None:
        """Lay the figure out once, mark the changing artists, watch the controls, draw."""
        self._draw()
        self.canvas.draw()
        self.fig.set_layout_engine('none')   # keep that layout: redraws skip it
        self.fig.set_dpi(100 * self.density)
        for artist in self._animated():
            artist.set_animated(True)
        for c in self.controls:
            c.observe(self._on_change, names='value')
        self.refresh()

    def _on_change(self, _change=None) -> None:
        self.refresh()

    def _render(self) -> np.ndarray:
        """Blit: restore the cached background, draw the changing artists, return RGBA."""
        key = tuple(tuple(ax.get_xlim()) + tuple(ax.get_ylim()) for ax in self.fig.axes)
        if self._background is None or self._background[0] != key:
            self.canvas.draw()   # animated artists are skipped
            self._background = (key, self.canvas.copy_from_bbox(self.fig.bbox))
        self.canvas.restore_region(self._background[1])
        for artist in self._animated():
            self.fig.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba()).copy()

    def refresh(self) -> None:
        """Redraw the figure from the current control values and show it."""
        self._draw()
        self.image.value = _png(self._render())

    def static_html(self) -> str:
        """Self-contained HTML whose controls work in the browser (cached per control values)."""
        key = tuple(c.value for c in self.controls)
        if self._static_html is None or self._static_html[0] != key:
            self._static_html = (key, self._static())
        return self._static_html[1]

    def _plain(self) -> str:
        return f'<{type(self).__name__}>'

    # ipywidgets 7 displays widgets through _ipython_display_, which would drop the text/html
    # part; without it IPython asks _repr_mimebundle_ (the only route in ipywidgets 8).
    _ipython_display_ = None

    def _repr_mimebundle_(self, **kwargs):
        base = getattr(super(), '_repr_mimebundle_', None)   # ipywidgets >= 8
        bundle = dict(base(**kwargs) or {}) if base else {
            _WIDGET_VIEW: {'version_major': 2, 'version_minor': 0, 'model_id': self.model_id}}
        bundle['text/plain'] = self._plain()
        bundle['text/html'] = self.static_html()
        return bundle


class HuberExplorer(_Explorer):
    """L2, L1 and Huber losses (left) and their gradients (right) over ``y_hat - y``."""

    def __init__(self, delta: float = 1.0, error_range: float = ERROR_RANGE):
        c = huber_curves(delta, error_range)   # checks delta (in the loss) and error_range
        delta, r = float(delta), float(error_range)
        self.delta_slider = _slider(delta, min(0.1, delta), max(3.0, delta), 0.05, 'δ', 2)
        self.range_slider = _slider(r, min(1.0, r), max(10.0, r), 0.5, 'error range', 1)
        super().__init__([self.delta_slider, self.range_slider])
        ax_loss, ax_grad = self.axes = self.fig.subplots(1, 2)
        self.spans = [ax.axvspan(-delta, delta, color='C2', alpha=0.15, lw=0,
                                 label=r'$|e| \leq \delta$') for ax in self.axes]
        style = {'l2': dict(color='C0', label=r'L2: $\frac{1}{2}e^2$'),
                 'l1': dict(color='C1', label=r'L1: $|e|$'),
                 'huber': dict(color='C2', lw=2.5, label='Huber')}
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
        """The curves currently drawn (see :func:`d2lhelpers.explorer_data.huber_curves`)."""
        return huber_curves(self.delta, self.error_range)

    def _animated(self) -> list[Artist]:
        return [*self.spans, *self.loss_lines.values(), *self.grad_lines.values(), self.legend,
                self.title]

    def _draw(self) -> None:
        delta, r = self.delta, self.error_range
        c = huber_curves(delta, r)
        for k in ('l2', 'l1', 'huber'):
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
        return static_view.huber_html(
            self.delta, self.error_range,
            [_control('delta', self.delta_slider, 2),
             _control('error_range', self.range_slider, 1)], NUM_ERRORS)

    def _plain(self) -> str:
        return (f'<HuberExplorer: delta and error-range sliders, delta={self.delta:.2f}, '
                f'error range {self.error_range:.1f}>')


class SoftmaxExplorer(_Explorer):
    """Softmax probabilities (left) and the cross-entropy gradient (right) for one example."""

    def __init__(self, logits: Sequence[float] = (2.0, 1.0, 0.1), true_class: int = 0,
                 temperature: float = 1.0):
        logits = check_logits(logits)
        n = len(logits)
        k = check_true_class(true_class, n)
        t = check_temperature(temperature)
        lo, hi = min(-5.0, math.floor(min(logits))), max(5.0, math.ceil(max(logits)))
        self.logit_sliders = [_slider(v, lo, hi, 0.1, f'o{_SUBSCRIPTS[i]}', 1)
                              for i, v in enumerate(logits)]
        self.class_picker = widgets.ToggleButtons(
            options=[(str(i), i) for i in range(n)], value=k, description='true class',
            style={**_STYLE, 'button_width': '44px'})
        self.temperature_slider = _slider(t, min(0.25, t), max(4.0, t), 0.05, 'T', 2)
        super().__init__([*self.logit_sliders, self.class_picker, self.temperature_slider])
        ax_p, ax_g = self.axes = self.fig.subplots(1, 2)
        x = np.arange(n)
        self.target_bars = ax_p.bar(x, np.zeros(n), width=0.8, fill=False, edgecolor='0.2',
                                    linestyle='--', label='one-hot $y$')
        self.prob_bars = ax_p.bar(x, np.zeros(n), width=0.6, color='C0', label=r'$\hat{y}$')
        true_patch = Patch(color='C1', label=r'$\hat{y}$ of the true class')
        self.grad_bars = ax_g.bar(x, np.zeros(n), width=0.6, color='C0')
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
        """The numbers currently drawn (see :func:`d2lhelpers.explorer_data.softmax_state`)."""
        return softmax_state(self.logits, self.true_class, self.temperature)

    def _animated(self) -> list[Artist]:
        return [*self.target_bars, *self.prob_bars, *self.grad_bars, self.zero_line,
                *self.prob_texts, *self.grad_texts, self.legend, self.title]

    def _draw(self) -> None:
        logits, k, t = self.logits, self.true_class, self.temperature
        s = softmax_state(logits, k, t)
        for i, (p, g, y) in enumerate(zip(s['probs'], s['grad'], s['target'])):
            color = 'C1' if i == k else 'C0'
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
                            f'−log ŷ{_SUBSCRIPTS[k]} = {s["loss"]:.4f}')

    def _static(self) -> str:
        controls = [_control(f'o{i}', s, 1) for i, s in enumerate(self.logit_sliders)]
        controls.append(_control('T', self.temperature_slider, 2))
        return static_view.softmax_html(self.logits, self.true_class, self.temperature,
                                        controls)

    def _plain(self) -> str:
        return (f'<SoftmaxExplorer: {len(self.logit_sliders)} logit sliders, '
                f'true class {self.true_class}>')


class OutlierExplorer(_Explorer):
    """Chapter 03's outlier experiment: lines fitted under L2, L1, Huber (left), their
    parameter errors (right); sliders for the outliers' shift and Huber's δ."""

    def __init__(self, shift: float = 1.0, delta: float = 0.5):
        s = outlier_state(shift, delta)    # checks shift (outlier_data) and delta (the loss)
        shift, delta = float(shift), float(delta)
        # a fit takes ~0.04 s in Python: redraw when the slider is released
        self.shift_slider = _slider(shift, min(0.0, shift), max(3.0, shift), 0.05,
                                    'shift', 2, continuous=False)
        self.delta_slider = _slider(delta, min(0.1, delta), max(3.0, delta), 0.05, 'δ', 2,
                                    continuous=False)
        super().__init__([self.shift_slider, self.delta_slider])
        ax_fit, ax_err = self.axes = self.fig.subplots(1, 2)
        normal = np.ones(len(s['x']), dtype=bool)
        normal[list(OUTLIER_INDICES)] = False
        self._normal = normal
        self.points = ax_fit.scatter(s['x'][normal], s['y'][normal], s=14, color='0.35',
                                     label='points')
        self.outliers = ax_fit.scatter(s['x'][~normal], s['y'][~normal], s=18, color='C3',
                                       label='outliers')
        ends = np.array([-1.1, 1.1])
        w, b = TRUE_PARAMS
        ax_fit.plot(ends, w * ends + b, '--', color='0.3', lw=1.2, label='$y = 2x + 1$')
        self.fit_lines = {k: ax_fit.plot(ends, ends * 0, color=_COLORS[k],
                                         lw=2.5 if k == 'huber' else 1.8, label=_NAMES[k])[0]
                          for k in LOSSES}
        self._ends = ends
        ax_fit.set(xlim=(-1.1, 1.1), xlabel='$x$', ylabel='$y$',
                   title='lines fitted to the points')
        self.legend = ax_fit.legend(loc='lower left', fontsize=8)
        self.error_bars = ax_err.bar(range(len(LOSSES)), np.zeros(len(LOSSES)), width=0.6,
                                     color=[_COLORS[k] for k in LOSSES])
        self.error_texts = [ax_err.text(i, 0, '', ha='center', va='bottom', fontsize=8)
                            for i in range(len(LOSSES))]
        ax_err.set(xticks=range(len(LOSSES)), xticklabels=[_NAMES[k] for k in LOSSES],
                   xlabel='loss', ylabel=r'$\|(w, b) - (w^*, b^*)\|$',
                   title='parameter error of each fit')
        for ax in self.axes:
            ax.grid(alpha=0.3)
        self.title = self.fig.suptitle('')
        self._state = s
        self._finish()

    @property
    def shift(self) -> float:
        return float(self.shift_slider.value)

    @property
    def delta(self) -> float:
        return float(self.delta_slider.value)

    def state(self) -> dict:
        """The points and fits currently drawn (see :func:`explorer_data.outlier_state`)."""
        return outlier_state(self.shift, self.delta)

    def _animated(self) -> list[Artist]:
        return [self.points, self.outliers, *self.fit_lines.values(), *self.error_bars,
                *self.error_texts, self.legend, self.title]

    def _draw(self) -> None:
        shift, delta = self.shift, self.delta
        s = self._state = outlier_state(shift, delta)
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
        return static_view.outlier_html(self.shift, self.delta,
                                        [_control('shift', self.shift_slider, 2),
                                         _control('delta', self.delta_slider, 2)])

    def _plain(self) -> str:
        return f'<OutlierExplorer: shift={self.shift:.2f}, delta={self.delta:.2f}>'


def huber_explorer(delta: float = 1.0, error_range: float = ERROR_RANGE) -> HuberExplorer:
    """Sliders for Huber's ``delta`` and the largest ``|y_hat - y|`` shown (``error_range``)
    over L2, L1 and Huber losses and their gradients. Taught in chapter 03 (损失函数)."""
    return HuberExplorer(delta, error_range)


def softmax_explorer(logits: Sequence[float] = (2.0, 1.0, 0.1), true_class: int = 0,
                     temperature: float = 1.0) -> SoftmaxExplorer:
    """One slider per logit (2-5 classes), the true class and a temperature ``T``; shows
    ``softmax(o / T)``, the cross-entropy and its gradient. Taught in chapter 02
    (Softmax 回归模型), used again in chapter 04 (交叉熵)."""
    return SoftmaxExplorer(logits, true_class, temperature)


def outlier_explorer(shift: float = 1.0, delta: float = 0.5) -> OutlierExplorer:
    """Chapter 03's outlier experiment, live: ``shift`` scales how far the 4 outliers are
    pulled down (1 = the chapter's data, 0 = none), ``delta`` is Huber's threshold; shows the
    lines fitted under L2, L1 and Huber (:func:`d2lhelpers.fitting.fit_line`) and each fit's
    parameter error. Taught in chapter 03 (损失函数)."""
    return OutlierExplorer(shift, delta)
