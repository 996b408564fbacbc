"""What every explorer shares: constants, the static view's page parts, the kernel view's base.

* Constants used by more than one explorer or view (subscripts, the losses' display names, the
  colours) live here, once.
* The static view: on the book's HTML site there is no kernel, so an explorer's display bundle
  also carries a ``text/html`` part made by :func:`explorer_html`: a ``<div class="d2l-explorer">``
  with a JSON config (controls, data, reference values computed by the tested Python functions)
  and a plain-text fallback, then ``static/explorers.css``, ``static/explorer-base.js`` and the
  explorer's own ``static/explorer-<kind>.js``, inlined (no CDN, no file next to the page, works
  from ``file://``). The script builds the controls, recomputes the numbers in the browser and
  draws SVG; the browser test checks that it reproduces the reference values.
* The kernel view: :class:`Explorer`, an ``ipywidgets.VBox`` of controls above an ``Image`` of one
  matplotlib figure, redrawn by blitting on an Agg canvas unknown to ``pyplot``. Jupyter front
  ends render its widget view; the book's ``_config.yml`` asks MyST-NB for the ``text/html``.
"""
from __future__ import annotations

import html
import io
import json
import re
import uuid
from functools import lru_cache
from importlib import resources
from typing import Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ['SUBSCRIPTS', 'LOSS_NAMES', 'BACKGROUND', 'FOREGROUND', 'PALETTE', 'SERIES',
           'series_color', 'palette_css', 'control', 'snap', 'floats', 'explorer_html',
           'slider', 'toggle', 'Explorer']

SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉'                    #: o₀, ŷ₁, ... (at most 10 classes)
LOSS_NAMES = {'l2': 'L2', 'l1': 'L1', 'huber': 'Huber'}   #: how figures and texts name them

# The colours. Okabe & Ito's palette for colour-blind readers, a darker set for the light
# background and a lighter one for the dark: every colour is >= 3:1 against the explorer's own
# background in its mode (WCAG 1.4.11), and every pair stays apart under simulated protanopia,
# deuteranopia and tritanopia (both computed in tests/test_widgets.py). The explorer paints its
# own background, so these ratios hold whatever the page's theme puts behind it.
BACKGROUND = {'light': '#ffffff', 'dark': '#14181e'}     #: the pydata theme's page backgrounds
FOREGROUND = {'light': '#222832', 'dark': '#ced6dd'}     #: ... and its text colours
PALETTE = {'light': {'blue': '#0072b2', 'orange': '#d55e00', 'green': '#009e73'},
           'dark': {'blue': '#56b4e9', 'orange': '#e69f00', 'green': '#009e73'}}
#: which colour each drawn series takes (the CSS variable ``--d2l-<series>``)
SERIES = {'l2': 'blue', 'l1': 'orange', 'huber': 'green', 'prob': 'blue', 'true': 'orange'}

_ASSET_DIR = 'static'
_WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
_STYLE = {'description_width': '90px'}     # every control's label column: they line up


def series_color(series: str, mode: str = 'light') -> str:
    """The colour of a drawn series (``'l2'``, ``'prob'``, ...) in ``'light'`` or ``'dark'`` mode."""
    return PALETTE[mode][SERIES[series]]


def palette_css() -> str:
    """The colours as CSS variables of ``.d2l-explorer``: light, and dark under the theme's
    ``html[data-theme="dark"]`` (the JS and ``explorers.css`` use only these variables)."""
    def block(mode: str) -> str:
        pairs = {'bg': BACKGROUND[mode], 'fg': FOREGROUND[mode],
                 **{s: series_color(s, mode) for s in SERIES}}
        return ';'.join(f'--d2l-{k}:{v}' for k, v in pairs.items())
    return (f'.d2l-explorer{{{block("light")}}}'
            f'html[data-theme=dark] .d2l-explorer{{{block("dark")}}}')


# --- the static view ----------------------------------------------------------------------

@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    """A file of ``d2lhelpers/static``, made compact for inlining: comments, indentation and
    blank lines go (every explorer on a page carries its own copy, so bytes count)."""
    text = resources.files('d2lhelpers').joinpath(_ASSET_DIR, name).read_text(encoding='utf-8')
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)              # /* block comments */
    if name.endswith('.js'):
        text = re.sub(r'(^|\s)//\s.*$', '', text, flags=re.M)      # // line comments
    return '\n'.join(line.strip() for line in text.splitlines() if line.strip())


def control(name: str, label: str, value: float, lo: float, hi: float, step: float,
            decimals: int) -> dict:
    """A range control as the static view builds it (the kernel view's slider, described)."""
    return {'name': name, 'label': label, 'value': float(value), 'min': float(lo),
            'max': float(hi), 'step': float(step), 'decimals': int(decimals)}


def snap(c: dict, value: float) -> float:
    """The value of control ``c`` nearest to ``value`` that its range input can take."""
    k = round((min(max(value, c['min']), c['max']) - c['min']) / c['step'])
    return round(min(c['min'] + k * c['step'], c['max']), 10)


def floats(a) -> list[float]:
    """A flat list of Python floats (what the JSON config holds)."""
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def _json(data) -> str:
    """JSON for a ``<script type="application/json">``: no ``<`` that could end the script."""
    return json.dumps(data, ensure_ascii=False, separators=(',', ':')).replace('<', '\\u003c')


def explorer_html(kind: str, config: dict, fallback: Sequence[str],
                  scripts: Sequence[str] = ()) -> str:
    """The static view of one explorer: container, config, style and scripts, all inline.

    ``fallback`` lines are shown where JavaScript does not run (and replaced where it does);
    the first one is also the first status line the script writes. ``scripts``: more files of
    ``static/`` that the explorer's own script needs, inlined before it (the lab's trainer).
    """
    uid = 'd2l-explorer-' + uuid.uuid4().hex[:12]
    text = ''.join(f'<p>{html.escape(line)}</p>' for line in fallback)
    return (f'<div class="d2l-explorer" data-kind="{kind}" id="{uid}" lang="zh-CN">'
            f'<style>{palette_css()}{_asset("explorers.css")}</style>'
            f'<script type="application/json" class="d2l-explorer-config">{_json(config)}'
            f'</script><div class="d2l-x-fallback">{text}</div></div>'
            f'<script>{_asset("explorer-base.js")}</script>'
            + ''.join(f'<script>{_asset(name)}</script>' for name in scripts) +
            f'<script>{_asset(f"explorer-{kind}.js")}</script>')


# --- the kernel view ----------------------------------------------------------------------

def _png(rgba: np.ndarray) -> bytes:
    """Encode an RGBA canvas buffer as a 64-colour PNG (~40 KB for 1920 x 660 pixels).

    Small matters: the last image of each explorer is also stored in the notebook's widget
    state. A figure of flat colours loses nothing visible.
    """
    img = Image.fromarray(rgba, 'RGBA').convert('RGB').quantize(
        colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    img.save(out, format='png', compress_level=6)
    return out.getvalue()


def slider(value: float, lo: float, hi: float, step: float, description: str,
           decimals: int, continuous: bool = True) -> widgets.FloatSlider:
    """A kernel-view slider with the explorers' common look."""
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                               readout_format=f'.{decimals}f', continuous_update=continuous,
                               style=_STYLE, layout=widgets.Layout(width='520px'))


def toggle(options: Sequence[int], value: int, description: str) -> widgets.ToggleButtons:
    """A kernel-view row of buttons (the softmax explorer's true class)."""
    return widgets.ToggleButtons(options=[(str(i), i) for i in options], value=value,
                                 description=description,
                                 style={**_STYLE, 'button_width': '44px'})


class Explorer(widgets.VBox):
    """Controls above a live figure; displays with a static, browser-computed view too.

    A subclass builds its figure, lists the artists that change in :meth:`_animated`, updates
    them in :meth:`_draw` and makes its static view in :meth:`_static`; then calls
    :meth:`_finish`. ``controls`` maps each control's name in the static view to its widget.
    """

    width_px = 960      # CSS pixels: about a notebook cell's width
    density = 2         # device pixels per CSS pixel of the live image

    def __init__(self, controls: dict[str, widgets.Widget], height_px: int = 330):
        self.fig = Figure(figsize=(self.width_px / 100, height_px / 100), dpi=100,
                          layout='constrained')
        self.canvas = FigureCanvasAgg(self.fig)   # a plain Agg canvas, unknown to pyplot
        self.image = widgets.Image(format='png', layout=widgets.Layout(
            width=f'{self.width_px}px', max_width='100%', height='auto'))
        self.named_controls = dict(controls)
        self.controls = list(controls.values())
        super().__init__(children=[*self.controls, self.image])
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

    def static_controls(self, decimals: dict[str, int]) -> list[dict]:
        """The range controls described for the static view (same label, range, step)."""
        return [control(name, w.description, w.value, w.min, w.max, w.step, decimals[name])
                for name, w in self.named_controls.items() if name in decimals]

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
        self.image.value = _png(self._render())

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
