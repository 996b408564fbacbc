"""The explorers' static view: self-contained HTML whose controls work without a kernel.

On the book's HTML site there is no Python to redraw a figure, so an explorer's display bundle
also carries a ``text/html`` part made here: a ``<div class="d2l-explorer">`` with a JSON
config, followed by ``static/explorers.css`` and ``static/explorers.js`` (package data, inlined
at display time so that a page needs nothing else: no CDN, no file next to the page, works
from ``file://``). The script builds the same controls as the kernel view, recomputes the
numbers in the browser (softmax, Huber, a small gradient-descent fit) and draws SVG.

The config also carries *reference values*: the numbers that the tested Python functions
(:mod:`d2lhelpers.explorer_data`, :mod:`d2lhelpers.fitting`) give for a few control settings.
The browser test moves the controls to those settings and checks that the JavaScript agrees
to 1e-6.
"""
from __future__ import annotations

import html
import json
import re
import uuid
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np

from .explorer_data import huber_curves, outlier_state, softmax_state
from .fitting import (LOSSES, LR, OUTLIER_INDICES, OUTLIER_PULLS, STEPS, TRUE_PARAMS,
                      outlier_data)

__all__ = ['control', 'explorer_html', 'softmax_html', 'huber_html', 'outlier_html']

_SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉'


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    """A file of ``d2lhelpers/static``, made compact for inlining: comments, indentation and
    blank lines go (every explorer on a page carries its own copy, so bytes count)."""
    text = resources.files('d2lhelpers').joinpath('static', name).read_text(encoding='utf-8')
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)              # /* block comments */
    if name.endswith('.js'):
        text = re.sub(r'(^|\s)//\s.*$', '', text, flags=re.M)      # // line comments
    return '\n'.join(line.strip() for line in text.splitlines() if line.strip())


def control(name: str, label: str, value: float, lo: float, hi: float, step: float,
            decimals: int) -> dict:
    """A range control as the static view builds it (the kernel view's slider, described)."""
    return {'name': name, 'label': label, 'value': float(value), 'min': float(lo),
            'max': float(hi), 'step': float(step), 'decimals': int(decimals)}


def _snap(c: dict, value: float) -> float:
    """The value of control ``c`` nearest to ``value`` that its range input can take."""
    k = round((min(max(value, c['min']), c['max']) - c['min']) / c['step'])
    return round(min(c['min'] + k * c['step'], c['max']), 10)


def _json(data) -> str:
    """JSON for a ``<script type="application/json">``: no ``<`` that could end the script."""
    return json.dumps(data, ensure_ascii=False, separators=(',', ':')).replace('<', '\\u003c')


def explorer_html(kind: str, config: dict, fallback: Sequence[str]) -> str:
    """The static view of one explorer: container, config, style and script, all inline.

    ``fallback`` lines are shown where JavaScript does not run (and replaced where it does).
    """
    uid = 'd2l-explorer-' + uuid.uuid4().hex[:12]
    text = ''.join(f'<p>{html.escape(line)}</p>' for line in fallback)
    return (f'<div class="d2l-explorer" data-kind="{kind}" id="{uid}">'
            f'<style>{_asset("explorers.css")}</style>'
            f'<script type="application/json" class="d2l-explorer-config">{_json(config)}'
            f'</script><div class="d2l-x-fallback">{text}</div></div>'
            f'<script>{_asset("explorers.js")}</script>')


def _floats(a) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


# --- softmax ---------------------------------------------------------------------------

def softmax_references(logits: Sequence[float], true_class: int, temperature: float,
                       controls: Sequence[dict]) -> list[dict]:
    """Python's numbers at the start and at three settings reached by moving every control."""
    c = {ctrl['name']: ctrl for ctrl in controls}
    n = len(logits)
    up = 0.5 if max(logits) + 0.5 <= c['o0']['max'] else -0.5
    settings = [
        {**{f'o{i}': v for i, v in enumerate(logits)}, 'true_class': true_class,
         'T': temperature},
        # the same amount added to every logit: nothing changes
        {**{f'o{i}': _snap(c[f'o{i}'], v + up) for i, v in enumerate(logits)},
         'true_class': true_class, 'T': temperature},
        # another true class, a lower temperature
        {**{f'o{i}': _snap(c[f'o{i}'], v + up) for i, v in enumerate(logits)},
         'true_class': (true_class + 1) % n, 'T': _snap(c['T'], 0.5)},
        # the last logit to its largest value, a higher temperature
        {**{f'o{i}': _snap(c[f'o{i}'], v + up) for i, v in enumerate(logits)},
         f'o{n - 1}': c[f'o{n - 1}']['max'], 'true_class': (true_class + 1) % n,
         'T': _snap(c['T'], 2.0)}]
    refs = []
    for s in settings:
        state = softmax_state([s[f'o{i}'] for i in range(n)], s['true_class'], s['T'])
        refs.append({'controls': s, 'numbers': {
            'probs': _floats(state['probs']), 'target': _floats(state['target']),
            'grad': _floats(state['grad']), 'loss': float(state['loss'])}})
    return refs


def softmax_html(logits: Sequence[float], true_class: int, temperature: float,
                 controls: Sequence[dict]) -> str:
    """Static view of the softmax explorer; ``controls``: the logit and ``T`` range controls."""
    n = len(logits)
    picker = {'name': 'true_class', 'label': 'true class', 'options': list(range(n)),
              'value': int(true_class)}
    ranges = [ctrl for ctrl in controls if ctrl['name'] != 'T']
    all_controls = [*ranges, picker, *[ctrl for ctrl in controls if ctrl['name'] == 'T']]
    s = softmax_state(logits, true_class, temperature)
    config = {
        'caption': ('拖动滑块改变每个 logit 和温度 T，点选真实类别：预测概率 ŷ、交叉熵和梯度随之'
                    '重新计算（在浏览器中计算，无需内核）。'),
        'panels': ['bar chart: predicted probabilities and the one-hot label per class',
                   'bar chart: gradient of the cross-entropy with respect to each logit'],
        'num_classes': n, 'controls': all_controls,
        'reference': softmax_references(logits, true_class, temperature, all_controls)}
    o = ', '.join(f'{v:.1f}' for v in logits)
    fallback = [f'o = ({o}), T = {temperature:.2f}, true class {true_class}: cross-entropy '
                f'−log ŷ{_SUBSCRIPTS[true_class]} = {s["loss"]:.4f}',
                'ŷ = (' + ', '.join(f'{p:.3f}' for p in s['probs']) + ')']
    return explorer_html('softmax', config, fallback)


# --- Huber -----------------------------------------------------------------------------

def huber_references(delta: float, error_range: float, controls: Sequence[dict]) -> list[dict]:
    """Python's curves (at a few points) at the start and at two other settings."""
    c = {ctrl['name']: ctrl for ctrl in controls}
    settings = [{'delta': delta, 'error_range': error_range},
                {'delta': _snap(c['delta'], 0.3), 'error_range': _snap(c['error_range'], 2.0)},
                {'delta': _snap(c['delta'], 2.5), 'error_range': _snap(c['error_range'], 8.0)}]
    refs = []
    for s in settings:
        curves = huber_curves(s['delta'], s['error_range'])
        last = len(curves['e']) - 1
        near_delta = round((s['delta'] + s['error_range']) / (2 * s['error_range']) * last)
        index = sorted({*range(0, last + 1, last // 8), near_delta - 1, near_delta,
                        near_delta + 1} & set(range(last + 1)))
        refs.append({'controls': s, 'index': index,
                     'numbers': {k: _floats(v[index]) for k, v in curves.items()}})
    return refs


def huber_html(delta: float, error_range: float, controls: Sequence[dict],
               num_points: int) -> str:
    """Static view of the Huber explorer; ``controls``: the ``delta`` and ``error_range`` ones."""
    config = {
        'caption': ('拖动滑块改变 δ 和横轴显示的误差范围：三种损失（左）和它们对预测值的梯度（右）'
                    '随之重画，阴影是 |e| ≤ δ 的区域（在浏览器中计算，无需内核）。'),
        'panels': ['line chart: L2, L1 and Huber losses over y_hat - y',
                   'line chart: their gradients with respect to y_hat'],
        'points': num_points, 'controls': list(controls),
        'reference': huber_references(delta, error_range, controls)}
    fallback = [f'Huber loss with δ = {delta:.2f}: quadratic where |e| ≤ δ, linear outside']
    return explorer_html('huber', config, fallback)


# --- outliers --------------------------------------------------------------------------

def outlier_references(shift: float, delta: float, controls: Sequence[dict]) -> list[dict]:
    """Python's fits (:func:`d2lhelpers.fitting.fit_line`) at the start and two settings."""
    c = {ctrl['name']: ctrl for ctrl in controls}
    settings = [{'shift': shift, 'delta': delta},
                # (keys in the order the browser test moves them: δ while there are outliers,
                # since without outliers every residual is below δ and δ changes nothing)
                {'delta': _snap(c['delta'], 1.0), 'shift': _snap(c['shift'], 0.0)},
                {'shift': _snap(c['shift'], 2.5), 'delta': _snap(c['delta'], 0.2)}]
    refs = []
    for s in settings:
        state = outlier_state(s['shift'], s['delta'])
        refs.append({'controls': s, 'numbers': {
            'params': [float(p) for loss in LOSSES for p in state['fits'][loss]],
            'errors': [float(state['errors'][loss]) for loss in LOSSES]}})
    return refs


def outlier_html(shift: float, delta: float, controls: Sequence[dict]) -> str:
    """Static view of the outlier explorer; ``controls``: the ``shift`` and ``delta`` ones."""
    x, base = outlier_data(0.0)
    state = outlier_state(shift, delta)
    config = {
        'caption': ('拖动滑块把 4 个离群点拉得更远或更近、改变 Huber 的 δ：用 L2、L1 和 Huber '
                    '拟合的直线和参数误差随之重新计算（浏览器里跑同样的梯度下降，无需内核）。'),
        'panels': ['scatter plot of the points with the lines fitted under L2, L1 and Huber',
                   'bar chart: parameter error of each fitted line'],
        'controls': list(controls), 'losses': list(LOSSES), 'steps': STEPS, 'lr': LR,
        'data': {'x': _floats(x), 'base': _floats(base), 'outliers': list(OUTLIER_INDICES),
                 'pulls': list(OUTLIER_PULLS), 'true_params': list(TRUE_PARAMS)},
        'reference': outlier_references(shift, delta, controls)}
    names = {'l2': 'L2', 'l1': 'L1', 'huber': 'Huber'}
    fallback = [f'shift = {shift:.2f}, δ = {delta:.2f}',
                '; '.join(f'{names[k]}: w = {w:.3f}, b = {b:.3f}, error '
                          f'{state["errors"][k]:.3f}' for k, (w, b) in state['fits'].items())]
    return explorer_html('outlier', config, fallback)
