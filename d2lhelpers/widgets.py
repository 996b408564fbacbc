"""Interactive explorers: the Huber-delta explorer and the softmax (logit) explorer.

Each explorer is an ``ipywidgets.VBox`` of sliders above an image of a matplotlib figure.

* In a kernel (Jupyter Lab / Notebook, VS Code, Colab) the sliders are live: moving one
  updates the plotted artists (line data, bar heights, texts) of one figure that is kept
  alive, and the figure is re-rendered to PNG into an ``ipywidgets.Image``. This does not
  depend on the matplotlib backend (inline, widget, ...) and leaves no extra figure in the
  output: the figure is never registered with ``pyplot``.
* On the static HTML site there is no kernel. The same display bundle therefore also carries
  a ``text/html`` part: pre-rendered frames driven by a JavaScript slider
  (``FuncAnimation.to_jshtml``), self-contained and offline. Jupyter front ends render the
  widget view in preference to ``text/html``; the book's ``_config.yml`` asks MyST-NB for the
  opposite on the HTML site.

The numbers come from :mod:`d2lhelpers.explorer_data`, i.e. from the tested loss and softmax
functions.
"""
from __future__ import annotations

import base64
import io
import math
import re
from typing import Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .explorer_data import (check_delta, check_logits, check_temperature, check_true_class,
                            huber_curves, softmax_state)

__all__ = ['huber_explorer', 'softmax_explorer', 'HuberExplorer', 'SoftmaxExplorer']

#: Unicode stand-ins for the Font Awesome icons of matplotlib's JS player (no CDN needed).
_ICONS = {'fa-minus': '&minus;', 'fa-fast-backward': '|&#9664;&#9664;',
          'fa-step-backward': '&#9664;|', 'fa-play fa-flip-horizontal': '&#9664;',
          'fa-pause': '&#10074;&#10074;', 'fa-play': '&#9654;', 'fa-step-forward': '|&#9654;',
          'fa-fast-forward': '&#9654;&#9654;|', 'fa-plus': '+'}
_SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉'


def _shrink_png(data: bytes, colors: int = 32) -> bytes:
    """Re-encode a PNG with a small palette (line art stays crisp, the page stays light)."""
    from PIL import Image
    img = Image.open(io.BytesIO(data)).convert('RGB')
    img = img.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    img.save(out, format='png', optimize=True)
    return out.getvalue()


def _shrink_frames(html: str) -> str:
    """Shrink every PNG frame embedded by matplotlib's ``HTMLWriter``."""
    def repl(m):
        png = base64.b64decode(m.group(2).replace('\\\n', ''))
        return f'{m.group(1)}{base64.b64encode(_shrink_png(png)).decode("ascii")}"'
    return re.sub(r'(frames\[\d+\] = "data:image/png;base64,)([^"]*)"', repl, html)


def offline_jshtml(html: str, start: int = 0, alt: str = '') -> str:
    """Make matplotlib's ``to_jshtml`` output self-contained and start it at frame ``start``.

    Removes every external stylesheet link (the unneeded Font Awesome CDN), replaces the
    icon fonts with Unicode glyphs, gives the frame image an ``alt`` text and re-encodes the
    frames with a small palette.
    """
    html = _shrink_frames(html)
    html = re.sub(r'<link\b[^>]*\bhref\s*=\s*["\']?(?:https?:)?//[^>]*>', '', html)
    for icon, glyph in _ICONS.items():
        html = html.replace(f'<i class="fa {icon}"></i>', glyph)
    html = re.sub(r'<img id="(_anim_img\w+)">',
                  lambda m: f'<img id="{m.group(1)}" alt="{alt}">', html)
    if start:
        html = re.sub(r'(anim(\w+) = new Animation\([^;]*\);)',
                      lambda m: f'{m.group(1)}\n        anim{m.group(2)}.set_frame({start});',
                      html)
    return html


class _Explorer(widgets.VBox):
    """Sliders above a live figure; displays with a static JS-slider fallback."""

    dpi = 100           # the live image
    frame_dpi = 66      # the pre-rendered frames of the static fallback
    fps = 4

    def __init__(self, controls: Sequence[widgets.Widget], figsize: tuple[float, float]):
        self.fig = Figure(figsize=figsize, layout='constrained')
        FigureCanvasAgg(self.fig)   # a plain Agg canvas: never shown by pyplot or a backend
        self.image = widgets.Image(format='png')
        super().__init__(children=[*controls, self.image])
        self._static_html: str | None = None

    # subclasses: _draw() updates the artists from the controls, _sweep() gives the frames
    def _draw(self) -> None:
        raise NotImplementedError

    def _sweep(self):
        """Return ``(values, start_index, draw_frame, caption, alt)`` for the static frames."""
        raise NotImplementedError

    def _freeze_layout(self) -> None:
        """Lay the figure out once (constrained), then keep it: redraws skip the layout."""
        self._draw()
        self.fig.canvas.draw()
        self.fig.set_layout_engine('none')

    def _watch(self, *controls: widgets.Widget) -> None:
        for control in controls:
            control.observe(self._on_change, names='value')

    def _on_change(self, _change=None) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Redraw the figure from the current control values and show it."""
        self._draw()
        buf = io.BytesIO()
        self.fig.savefig(buf, format='png', dpi=self.dpi)
        self.image.value = buf.getvalue()

    def static_html(self) -> str:
        """Self-contained HTML: pre-rendered frames with a JavaScript slider (cached)."""
        if self._static_html is None:
            from matplotlib.animation import FuncAnimation
            values, start, draw_frame, caption, alt = self._sweep()
            anim = FuncAnimation(self.fig, draw_frame,
                                 frames=list(values), interval=1000 // self.fps, repeat=False,
                                 cache_frame_data=False)
            try:
                with rc_context({'savefig.dpi': self.frame_dpi}):
                    html = anim.to_jshtml(fps=self.fps, default_mode='once')
            finally:
                self._draw()   # back to the state of the live controls
            self._static_html = (
                '<div class="d2l-explorer">'
                f'<p style="margin:0 0 4px 0;font-size:90%;">{caption}</p>'
                f'{offline_jshtml(html, start=start, alt=alt)}</div>')
        return self._static_html

    def _plain(self) -> str:
        return f'<{type(self).__name__}>'

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle['text/plain'] = self._plain()
        bundle['text/html'] = self.static_html()
        return bundle


class HuberExplorer(_Explorer):
    """L2, L1 and Huber losses (left) and their gradients (right) over the error ``e``."""

    def __init__(self, delta: float = 1.0):
        delta = check_delta(delta)
        self.delta_slider = widgets.FloatSlider(
            value=delta, min=min(0.1, delta), max=max(3.0, delta), step=0.05,
            description='δ', readout_format='.2f', continuous_update=True,
            layout=widgets.Layout(width='420px'))
        super().__init__([self.delta_slider], figsize=(8, 3.2))
        ax_loss, ax_grad = self.axes = self.fig.subplots(1, 2)
        c = huber_curves(delta)
        e = c['e']
        self.spans = [ax.axvspan(-delta, delta, color='0.92', zorder=0, label=r'$|e| \leq \delta$')
                      for ax in self.axes]
        style = {'l2': dict(color='C0', label=r'L2: $\frac{1}{2}e^2$'),
                 'l1': dict(color='C1', label=r'L1: $|e|$'),
                 'huber': dict(color='C2', lw=2.5, label='Huber')}
        self.loss_lines = {k: ax_loss.plot(e, c[k], **s)[0] for k, s in style.items()}
        self.grad_lines = {k: ax_grad.plot(e, c[f'{k}_grad'], **s)[0] for k, s in style.items()}
        ax_loss.set(xlabel='error $e = \\hat{y} - y$', ylabel='loss', ylim=(0, 4.5),
                    xlim=(e[0], e[-1]))
        ax_grad.set(xlabel='error $e = \\hat{y} - y$', ylabel=r'gradient $\partial l / \partial e$',
                    ylim=(-4.2, 4.2), xlim=(e[0], e[-1]))
        ax_loss.legend(loc='upper center', fontsize=8)
        for ax in self.axes:
            ax.grid(alpha=0.3)
        self.title = self.fig.suptitle('')
        self._watch(self.delta_slider)
        self._freeze_layout()
        self.refresh()

    @property
    def delta(self) -> float:
        return float(self.delta_slider.value)

    def _draw(self, delta: float | None = None) -> None:
        delta = self.delta if delta is None else delta
        c = huber_curves(delta)
        self.loss_lines['huber'].set_ydata(c['huber'])
        self.grad_lines['huber'].set_ydata(c['huber_grad'])
        for span in self.spans:
            span.set_x(-delta)
            span.set_width(2 * delta)
        self.title.set_text(f'Huber loss with δ = {delta:.2f}: quadratic where |e| ≤ δ '
                            '(shaded), linear outside')

    def _sweep(self):
        values = np.round(np.arange(0.2, 3.0 + 1e-9, 0.2), 2)
        start = int(np.argmin(np.abs(values - self.delta)))

        def draw_frame(delta):
            self._draw(float(delta))

        caption = ('静态预览：拖动滑块，δ 从 0.2 变到 3.0（每步 0.2）。'
                   '在 Jupyter 或 Colab 中运行本单元可得到可自由调节的实时控件。')
        return values, start, draw_frame, caption, 'Huber loss and gradient for one delta'

    def _plain(self) -> str:
        return f'<HuberExplorer: delta slider, delta={self.delta:.2f}>'


class SoftmaxExplorer(_Explorer):
    """Softmax probabilities (left) and the cross-entropy gradient (right) for one example."""

    def __init__(self, logits: Sequence[float] = (2.0, 1.0, 0.1), true_class: int = 0,
                 temperature: float = 1.0):
        logits = check_logits(logits)
        n = len(logits)
        k = check_true_class(true_class, n)
        t = check_temperature(temperature)
        lo, hi = min(-5.0, math.floor(min(logits))), max(5.0, math.ceil(max(logits)))
        self.logit_range = (lo, hi)
        self.logit_sliders = [
            widgets.FloatSlider(value=v, min=lo, max=hi, step=0.1, description=f'o{_SUBSCRIPTS[i]}',
                                readout_format='.1f', continuous_update=True,
                                layout=widgets.Layout(width='420px'))
            for i, v in enumerate(logits)]
        self.class_picker = widgets.ToggleButtons(
            options=[(str(i), i) for i in range(n)], value=k, description='true class',
            style={'button_width': '40px'})
        self.temperature_slider = widgets.FloatSlider(
            value=t, min=min(0.25, t), max=max(4.0, t), step=0.05, description='T',
            readout_format='.2f', continuous_update=True, layout=widgets.Layout(width='420px'))
        super().__init__([*self.logit_sliders, self.class_picker, self.temperature_slider],
                         figsize=(8, 3.2))
        ax_p, ax_g = self.axes = self.fig.subplots(1, 2)
        x = np.arange(n)
        self.target_bars = ax_p.bar(x, np.zeros(n), width=0.8, fill=False, edgecolor='0.2',
                                    linestyle='--', label='one-hot label $y$')
        self.prob_bars = ax_p.bar(x, np.zeros(n), width=0.6, color='C0', label=r'$\hat{y}$')
        self.grad_bars = ax_g.bar(x, np.zeros(n), width=0.6, color='C0')
        self.prob_texts = [ax_p.text(i, 0, '', ha='center', va='bottom', fontsize=8)
                           for i in range(n)]
        self.grad_texts = [ax_g.text(i, 0, '', ha='center', fontsize=8) for i in range(n)]
        ax_p.set(ylim=(0, 1.15), xticks=x, xlabel='class', ylabel='probability',
                 title=r'$\hat{y} = \mathrm{softmax}(o / T)$')
        ax_g.set(xticks=x, xlabel='class', ylabel=r'$\partial L / \partial o$',
                 title=r'gradient $(\hat{y} - y) / T$')
        ax_g.axhline(0, color='0.3', lw=0.8)
        ax_p.legend(loc='upper right', fontsize=8)
        self.title = self.fig.suptitle('')
        self._watch(*self.logit_sliders, self.class_picker, self.temperature_slider)
        self._freeze_layout()
        self.refresh()

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

    def _draw(self, logits: Sequence[float] | None = None) -> None:
        logits = self.logits if logits is None else tuple(logits)
        k, t = self.true_class, self.temperature
        s = softmax_state(logits, k, t)
        colors = ['C1' if i == k else 'C0' for i in range(len(logits))]
        for i, (p, g, y) in enumerate(zip(s['probs'], s['grad'], s['target'])):
            self.prob_bars[i].set_height(p)
            self.prob_bars[i].set_facecolor(colors[i])
            self.target_bars[i].set_height(y)
            self.grad_bars[i].set_height(g)
            self.grad_bars[i].set_facecolor(colors[i])
            self.prob_texts[i].set_position((i, p + 0.02))
            self.prob_texts[i].set_text(f'{p:.3f}')
            self.grad_texts[i].set_position((i, g + (0.04 if g >= 0 else -0.04) / t))
            self.grad_texts[i].set_va('bottom' if g >= 0 else 'top')
            self.grad_texts[i].set_text(f'{g:+.3f}')
        self.axes[1].set_ylim(-1.2 / t, 1.2 / t)
        o = ', '.join(f'{v:.1f}' for v in logits)
        self.title.set_text(f'o = ({o}),  T = {t:.2f},  true class {k}:  cross-entropy '
                            f'−log ŷ{_SUBSCRIPTS[k]} = {s["loss"]:.4f}')

    def _sweep(self):
        lo, hi = self.logit_range
        values = np.round(np.linspace(lo, hi, 21), 3)
        k = self.true_class
        start = int(np.argmin(np.abs(values - self.logits[k])))
        base = list(self.logits)

        def draw_frame(v):
            self._draw(base[:k] + [float(v)] + base[k + 1:])

        caption = (f'静态预览：拖动滑块，真实类别 {k} 的 logit o{_SUBSCRIPTS[k]} 从 {lo:g} 变到 '
                   f'{hi:g}，其余 logit 不变。在 Jupyter 或 Colab 中运行本单元可调节每个 logit、'
                   '真实类别和温度 T。')
        return values, start, draw_frame, caption, 'softmax probabilities and gradient'

    def _plain(self) -> str:
        return (f'<SoftmaxExplorer: {len(self.logit_sliders)} logit sliders, '
                f'true class {self.true_class}>')


def huber_explorer(delta: float = 1.0) -> HuberExplorer:
    """A delta slider over L2, L1 and Huber losses and their gradients (see module doc)."""
    return HuberExplorer(delta)


def softmax_explorer(logits: Sequence[float] = (2.0, 1.0, 0.1), true_class: int = 0,
                     temperature: float = 1.0) -> SoftmaxExplorer:
    """One slider per logit (2-5 classes), the true class and a temperature (see module doc)."""
    return SoftmaxExplorer(logits, true_class, temperature)
