"""Interactive explorers: the Huber-delta explorer and the softmax (logit) explorer.

Each explorer is an ``ipywidgets.VBox``: sliders above an ``ipywidgets.Image`` showing one
matplotlib figure.

* In a kernel (Jupyter Lab / Notebook, VS Code, Colab) the sliders are live. Moving one
  updates the data of the plotted artists (line data, bar heights, texts), redraws only those
  artists over a cached background (blitting on an Agg canvas) and sends the new PNG to the
  ``Image``. This works with any matplotlib backend (inline, widget, ...) and leaves no extra
  figure in the output: the figure is never registered with ``pyplot``.
* On the static HTML site there is no kernel. The same display bundle therefore also carries
  a ``text/html`` part: pre-rendered frames behind a JavaScript range slider, self-contained
  (frames inline as data URIs, no external script, style sheet or font) and starting at the
  value the explorer was created with. Jupyter front ends render the widget view in
  preference to ``text/html``; the book's ``_config.yml`` asks MyST-NB for the opposite.

The numbers come from :mod:`d2lhelpers.explorer_data`, i.e. from the tested loss and softmax
functions.

In a chapter, make the explorer the last expression of a cell tagged ``nbval-ignore-output``
(model ids and frame ids differ on every run) and check its numbers in a compared cell, e.g.
with :func:`d2lhelpers.explorer_data.softmax_state` or ``explorer.state()``.
"""
from __future__ import annotations

import base64
import html
import io
import json
import math
import uuid
from typing import Callable, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from PIL import Image

from .explorer_data import (check_delta, check_logits, check_temperature, check_true_class,
                            huber_curves, softmax_state)

__all__ = ['huber_explorer', 'softmax_explorer', 'HuberExplorer', 'SoftmaxExplorer',
           'frames_player_html']

_SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉'
_WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'

_PLAYER = """\
<div class="d2l-explorer" id="{uid}">
<p class="d2l-explorer-caption" style="margin:0 0 4px 0;font-size:90%;">{caption}</p>
<div style="display:flex;align-items:center;gap:8px;flex-wrap:wrap;">
<label for="{uid}-slider" style="font-family:serif;font-style:italic;">{name}</label>
<input id="{uid}-slider" type="range" min="0" max="{last}" step="1" value="{start}"
 style="width:min(360px,70vw);" aria-label="{name}">
<output id="{uid}-value" for="{uid}-slider"
 style="min-width:4em;font-family:monospace;">{label}</output>
<button type="button" id="{uid}-play" title="play / pause" aria-label="play / pause"
 style="min-width:2.5em;">&#9654;</button>
</div>
<img id="{uid}-img" src="{first}" alt="{alt}" style="max-width:100%;height:auto;">
</div>
<script>
(function () {{
  var frames = {frames};
  var labels = {labels};
  var slider = document.getElementById("{uid}-slider");
  var img = document.getElementById("{uid}-img");
  var out = document.getElementById("{uid}-value");
  var play = document.getElementById("{uid}-play");
  var timer = null;
  function show(i) {{
    slider.value = i; img.src = frames[i]; out.textContent = labels[i];
  }}
  function stop() {{
    if (timer !== null) {{ clearInterval(timer); timer = null; play.innerHTML = "&#9654;"; }}
  }}
  slider.addEventListener("input", function () {{ stop(); show(parseInt(slider.value, 10)); }});
  play.addEventListener("click", function () {{
    if (timer !== null) {{ stop(); return; }}
    if (parseInt(slider.value, 10) >= frames.length - 1) {{ show(0); }}
    play.innerHTML = "&#10074;&#10074;";
    timer = setInterval(function () {{
      var i = parseInt(slider.value, 10) + 1;
      if (i >= frames.length) {{ stop(); }} else {{ show(i); }}
    }}, {interval});
  }});
}})();
</script>"""


def frames_player_html(frames: Sequence[bytes], labels: Sequence[str], start: int = 0,
                       name: str = '', caption: str = '', alt: str = '',
                       interval_ms: int = 250) -> str:
    """Self-contained HTML: PNG ``frames`` behind a range slider (plus a play button).

    The slider starts at frame ``start``; ``labels[i]`` is shown next to it for frame ``i``.
    Everything is inline (data URIs, one small script); nothing is loaded from the network,
    and without JavaScript the start frame is still shown.
    """
    if not frames or len(frames) != len(labels):
        raise ValueError(f'need one label per frame, got {len(frames)} frames and '
                         f'{len(labels)} labels')
    if not 0 <= start < len(frames):
        raise ValueError(f'start must lie in 0..{len(frames) - 1}, got {start}')
    uris = ['data:image/png;base64,' + base64.b64encode(f).decode('ascii') for f in frames]
    esc = html.escape
    return _PLAYER.format(uid='d2l-explorer-' + uuid.uuid4().hex[:12], caption=esc(caption),
                          name=esc(name), last=len(frames) - 1, start=start,
                          label=esc(labels[start]), first=uris[start], alt=esc(alt),
                          frames=json.dumps(uris, separators=(',', ':')),
                          labels=json.dumps(list(labels), ensure_ascii=False),
                          interval=int(interval_ms))


def _png(rgba: np.ndarray, colors: int | None = None) -> bytes:
    """Encode an RGBA canvas buffer as PNG; with ``colors``, as a small-palette PNG."""
    img = Image.fromarray(rgba, 'RGBA').convert('RGB')
    out = io.BytesIO()
    if colors:
        img = img.quantize(colors=colors, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
        img.save(out, format='png', optimize=True)
    else:
        img.save(out, format='png', compress_level=1)
    return out.getvalue()


class _Explorer(widgets.VBox):
    """Sliders above a live figure; displays with a static JS-slider fallback.

    Subclasses build the figure, list the artists that change in :meth:`_animated`, update
    them in :meth:`_draw` and describe the static frames in :meth:`_sweep`.
    """

    dpi = 100           # the live image
    frame_dpi = 72      # the pre-rendered frames of the static fallback
    frame_colors = 32   # palette size of the pre-rendered frames

    def __init__(self, controls: Sequence[widgets.Widget], figsize: tuple[float, float]):
        self.fig = Figure(figsize=figsize, dpi=self.dpi, layout='constrained')
        self.canvas = FigureCanvasAgg(self.fig)   # a plain Agg canvas, unknown to pyplot
        self.image = widgets.Image(format='png')
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

    def _sweep(self) -> tuple[Sequence, int, Callable, list[str], str, str, str]:
        """``(values, start, draw_value, labels, name, caption, alt)`` of the static frames."""
        raise NotImplementedError

    # --- machinery ---
    def _finish(self, *controls: widgets.Widget) -> None:
        """Lay the figure out once, mark the changing artists, watch the controls, draw."""
        self._draw()
        self.canvas.draw()
        self.fig.set_layout_engine('none')   # keep that layout: redraws skip it
        for artist in self._animated():
            artist.set_animated(True)
        for control in controls:
            control.observe(self._on_change, names='value')
        self.refresh()

    def _on_change(self, _change=None) -> None:
        self.refresh()

    def _render(self, dpi: float) -> np.ndarray:
        """Blit: restore the cached background, draw the changing artists, return RGBA."""
        if self.fig.dpi != dpi:
            self.fig.set_dpi(dpi)
        key = (dpi, *(tuple(ax.get_xlim()) + tuple(ax.get_ylim()) for ax in self.fig.axes))
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
        self.image.value = _png(self._render(self.dpi))

    def static_html(self) -> str:
        """Self-contained HTML: pre-rendered frames behind a JavaScript slider.

        Cached for the current control values (they choose the swept values and the start).
        """
        key = tuple(c.value for c in self.children if hasattr(c, 'value') and c is not self.image)
        if self._static_html is None or self._static_html[0] != key:
            values, start, draw_value, labels, name, caption, alt = self._sweep()
            frames = []
            try:
                for v in values:
                    draw_value(v)
                    frames.append(_png(self._render(self.frame_dpi), self.frame_colors))
            finally:
                self._draw()   # back to the state of the live controls
                self.fig.set_dpi(self.dpi)
            self._static_html = (key, frames_player_html(frames, labels, start, name, caption,
                                                         alt))
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
        self.spans = [ax.axvspan(-delta, delta, color='C2', alpha=0.12, lw=0,
                                 label=r'$|e| \leq \delta$') for ax in self.axes]
        style = {'l2': dict(color='C0', label=r'L2: $\frac{1}{2}e^2$'),
                 'l1': dict(color='C1', label=r'L1: $|e|$'),
                 'huber': dict(color='C2', lw=2.5, label='Huber')}
        self.loss_lines = {k: ax_loss.plot(e, c[k], **s)[0] for k, s in style.items()}
        self.grad_lines = {k: ax_grad.plot(e, c[f'{k}_grad'], **s)[0] for k, s in style.items()}
        # The book's error is e = y - y_hat; the losses depend on |e| only, and the
        # gradients are taken with respect to the prediction, as in chapter 03.
        ax_loss.set(xlabel=r'$\hat{y} - y$', ylabel='loss', ylim=(0, 4.5),
                    xlim=(e[0], e[-1]))
        ax_grad.set(xlabel=r'$\hat{y} - y$', ylabel=r'gradient $\partial l / \partial \hat{y}$',
                    ylim=(-4.2, 4.2), xlim=(e[0], e[-1]))
        self.legend = ax_loss.legend(loc='upper center', fontsize=8)
        for ax in self.axes:
            ax.grid(alpha=0.3)
        self.title = self.fig.suptitle('')
        self._finish(self.delta_slider)

    @property
    def delta(self) -> float:
        return float(self.delta_slider.value)

    def _animated(self) -> list[Artist]:
        return [*self.spans, *self.loss_lines.values(), *self.grad_lines.values(), self.legend,
                self.title]

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
        values = [round(0.2 * i, 2) for i in range(1, 16)]     # 0.2, 0.4, ..., 3.0
        start = int(np.argmin([abs(v - self.delta) for v in values]))
        caption = ('静态预览：拖动滑块，δ 从 0.2 变到 3.0（每步 0.2）。'
                   '在 Jupyter 或 Colab 中运行本单元可得到实时控件。')
        return (values, start, lambda v: self._draw(float(v)), [f'{v:.2f}' for v in values],
                'δ', caption, 'L2, L1 and Huber losses and their gradients for one delta')

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
            widgets.FloatSlider(value=v, min=lo, max=hi, step=0.1,
                                description=f'o{_SUBSCRIPTS[i]}', readout_format='.1f',
                                continuous_update=True, layout=widgets.Layout(width='420px'))
            for i, v in enumerate(logits)]
        self.class_picker = widgets.ToggleButtons(
            options=[(str(i), i) for i in range(n)], value=k, description='true class',
            style={'button_width': '40px', 'description_width': 'initial'})
        self.temperature_slider = widgets.FloatSlider(
            value=t, min=min(0.25, t), max=max(4.0, t), step=0.05, description='T',
            readout_format='.2f', continuous_update=True, layout=widgets.Layout(width='420px'))
        super().__init__([*self.logit_sliders, self.class_picker, self.temperature_slider],
                         figsize=(8, 3.2))
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
                 ylabel='probability',
                 title=r'$\hat{y} = \mathrm{softmax}(o / T)$')
        ax_g.set(xticks=x, xlabel='class', ylabel=r'$\partial L / \partial o$',
                 title=r'gradient $(\hat{y} - y) / T$')
        self.zero_line = ax_g.axhline(0, color='0.3', lw=0.8)
        self.legend = ax_p.legend(handles=[self.target_bars, self.prob_bars, true_patch],
                                  loc='upper center', ncols=3, fontsize=8, handlelength=1.5,
                                  columnspacing=1.0)
        self.title = self.fig.suptitle('')
        self._finish(*self.logit_sliders, self.class_picker, self.temperature_slider)

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

    def _draw(self, logits: Sequence[float] | None = None) -> None:
        logits = self.logits if logits is None else tuple(logits)
        k, t = self.true_class, self.temperature
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

    def _sweep(self):
        lo, hi = self.logit_range
        values = [round(float(v), 3) for v in np.linspace(lo, hi, 21)]
        k = self.true_class
        start = int(np.argmin([abs(v - self.logits[k]) for v in values]))
        base = list(self.logits)
        name = f'o{_SUBSCRIPTS[k]}'
        caption = (f'静态预览：拖动滑块，真实类别 {k} 的 logit {name} 从 {lo:g} 变到 {hi:g}，'
                   '其余 logit 不变。在 Jupyter 或 Colab 中运行本单元可调节每个 logit、'
                   '真实类别和温度 T。')
        return (values, start, lambda v: self._draw(base[:k] + [float(v)] + base[k + 1:]),
                [f'{v:.1f}' for v in values], name, caption,
                'softmax probabilities and cross-entropy gradient for one logit value')

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
