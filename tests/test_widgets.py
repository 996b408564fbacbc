"""The explorers: the numbers behind the figures, the live widgets, the static view, and the
structure they share (file sizes, import chain, colours, constants in one place)."""
import html as html_lib
import json
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import d2lhelpers
from d2lhelpers import fitting
from d2lhelpers import widgets as w
from d2lhelpers.explorers import base
from d2lhelpers.explorers import huber as hx
from d2lhelpers.explorers import outlier as ox
from d2lhelpers.explorers import softmax as sx
from d2lhelpers.functional import softmax
from d2lhelpers.losses import (huber_grad, huber_loss, l1_grad, l1_loss, l2_grad, l2_loss,
                               softmax_cross_entropy)

WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'


@pytest.fixture(scope='module')
def huber():
    return w.huber_explorer(1.0)


@pytest.fixture(scope='module')
def soft():
    return w.softmax_explorer((2.0, 1.0, 0.1), true_class=0)


@pytest.fixture(scope='module')
def huber_bundle():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        return w.huber_explorer(0.5)._repr_mimebundle_()


@pytest.fixture(scope='module')
def outlier():
    return w.outlier_explorer(1.0, 0.5)


@pytest.fixture(scope='module')
def outlier_bundle():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        return w.outlier_explorer(1.5, 1.0)._repr_mimebundle_()


@pytest.fixture(scope='module')
def soft_bundle():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        return w.softmax_explorer((1.0, -0.5, 0.3, 2.0), true_class=2)._repr_mimebundle_()


# --- the numbers behind the figures -------------------------------------------------------

def test_error_grid_is_symmetric_with_zero_in_the_middle():
    e = hx.errors(4.0)
    assert len(e) == hx.NUM_ERRORS and e[0] == -4.0 and e[-1] == 4.0
    assert e[hx.NUM_ERRORS // 2] == 0.0 and torch.equal(e, -e.flip(0))
    np.testing.assert_allclose(e, np.linspace(-4, 4, hx.NUM_ERRORS), atol=1e-15)
    assert hx.errors(2.5)[-1] == 2.5


@pytest.mark.parametrize('delta, r', [(0.1, 4.0), (0.5, 1.0), (1.0, 4.0), (2.7, 9.5)])
def test_huber_curves_equal_the_loss_functions(delta, r):
    c = hx.huber_curves(delta, r)
    assert c['e'][-1] == r
    e = torch.as_tensor(c['e'])
    zero = torch.zeros_like(e)
    expected = {'l2': l2_loss(e, zero), 'l1': l1_loss(e, zero),
                'huber': huber_loss(e, zero, delta=delta), 'l2_grad': l2_grad(e, zero),
                'l1_grad': l1_grad(e, zero), 'huber_grad': huber_grad(e, zero, delta=delta)}
    for key, value in expected.items():
        np.testing.assert_array_equal(c[key], value.numpy(), err_msg=key)
    # and with PyTorch's own Huber loss
    torch_huber = torch.nn.HuberLoss(reduction='none', delta=delta)(e, zero)
    np.testing.assert_allclose(c['huber'], torch_huber.numpy(), atol=1e-12)


@pytest.mark.parametrize('logits, k, t', [((2.0, 1.0, 0.1), 0, 1.0), ((0.0, 0.0), 1, 1.0),
                                          ((3.0, -2.0, 0.5, 1.0, 4.0), 4, 0.5),
                                          ((1.0, 2.0, 3.0), 1, 2.5)])
def test_softmax_state_equals_softmax_and_cross_entropy(logits, k, t):
    s = sx.softmax_state(logits, k, t)
    o = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    probs = softmax(o / t)
    np.testing.assert_array_equal(s['probs'], probs.detach().numpy())
    loss = softmax_cross_entropy((o / t).unsqueeze(0), torch.tensor([k]))[0]
    assert s['loss'] == pytest.approx(loss.item(), abs=1e-12)
    loss.backward()   # the drawn gradient is the true gradient w.r.t. the logits
    np.testing.assert_allclose(s['grad'], o.grad.numpy(), atol=1e-12)
    y = np.eye(len(logits))[k]
    np.testing.assert_array_equal(s['target'], y)
    np.testing.assert_allclose(s['grad'], (s['probs'] - y) / t, atol=1e-15)


def test_outlier_state_is_the_fitting_code():
    s = ox.outlier_state(1.5, 0.7)
    x, y = fitting.outlier_data(1.5)
    np.testing.assert_array_equal(s['x'], x.numpy())
    np.testing.assert_array_equal(s['y'], y.numpy())
    for loss in fitting.LOSSES:
        wb = fitting.fit_line(x, y, loss, delta=0.7)
        assert s['fits'][loss] == wb
        assert s['errors'][loss] == fitting.parameter_error(*wb)


# --- driving the widgets through their API --------------------------------------------------

def test_huber_slider_moves_the_plotted_data(huber):
    before = huber.image.value
    huber.delta_slider.value = 2.0
    c = hx.huber_curves(2.0)
    np.testing.assert_array_equal(huber.loss_lines['huber'].get_ydata(), c['huber'])
    np.testing.assert_array_equal(huber.grad_lines['huber'].get_ydata(), c['huber_grad'])
    np.testing.assert_array_equal(huber.loss_lines['l2'].get_ydata(), c['l2'])
    np.testing.assert_array_equal(huber.grad_lines['l1'].get_ydata(), c['l1_grad'])
    for span in huber.spans:
        assert span.get_x() == pytest.approx(-2.0) and span.get_width() == pytest.approx(4.0)
    assert 'δ = 2.00' in huber.title.get_text()
    assert huber.image.value != before and huber.image.value[:4] == b'\x89PNG'
    huber.delta_slider.value = 0.3
    assert huber.grad_lines['huber'].get_ydata().max() == pytest.approx(0.3)
    assert 'δ = 0.30' in huber.title.get_text()
    huber.range_slider.value = 8.0
    c = hx.huber_curves(0.3, 8.0)
    np.testing.assert_array_equal(huber.loss_lines['l2'].get_xdata(), c['e'])
    np.testing.assert_array_equal(huber.loss_lines['l2'].get_ydata(), c['l2'])
    assert huber.axes[0].get_xlim() == (-8.0, 8.0) and huber.axes[1].get_ylim() == (-8.4, 8.4)
    np.testing.assert_array_equal(huber.state()['huber'], c['huber'])


def _heights(bars):
    return np.array([b.get_height() for b in bars])


def test_softmax_sliders_move_the_bars(soft):
    s0 = soft.state()
    np.testing.assert_allclose(_heights(soft.prob_bars), s0['probs'])
    soft.logit_sliders[1].value = 3.0
    s1 = sx.softmax_state((2.0, 3.0, 0.1), 0)
    np.testing.assert_allclose(_heights(soft.prob_bars), s1['probs'])
    np.testing.assert_allclose(_heights(soft.grad_bars), s1['grad'])
    assert _heights(soft.prob_bars)[1] > s0['probs'][1]
    assert f'{s1["loss"]:.4f}' in soft.title.get_text()
    assert soft.prob_texts[1].get_text() == f'{s1["probs"][1]:.3f}'

    soft.class_picker.value = 1
    s2 = sx.softmax_state((2.0, 3.0, 0.1), 1)
    np.testing.assert_allclose(_heights(soft.target_bars), [0, 1, 0])
    np.testing.assert_allclose(_heights(soft.grad_bars), s2['grad'])
    assert 'true class 1' in soft.title.get_text()

    soft.temperature_slider.value = 2.0
    s3 = sx.softmax_state((2.0, 3.0, 0.1), 1, 2.0)
    np.testing.assert_allclose(_heights(soft.prob_bars), s3['probs'])
    np.testing.assert_allclose(_heights(soft.grad_bars), s3['grad'])
    assert soft.axes[1].get_ylim() == pytest.approx((-0.6, 0.6))


def test_outlier_sliders_move_the_lines_and_bars(outlier):
    s0 = ox.outlier_state(1.0, 0.5)
    for k, line in outlier.fit_lines.items():
        w_, b_ = s0['fits'][k]
        np.testing.assert_allclose(line.get_ydata(), w_ * np.array([-1.1, 1.1]) + b_)
    np.testing.assert_allclose(_heights(outlier.error_bars),
                               [s0['errors'][k] for k in fitting.LOSSES])
    assert [t.get_text() for t in outlier.error_texts] == ['1.832', '0.026', '0.167']
    before = outlier.image.value
    outlier.shift_slider.value = 2.5
    s1 = ox.outlier_state(2.5, 0.5)
    np.testing.assert_allclose(_heights(outlier.error_bars),
                               [s1['errors'][k] for k in fitting.LOSSES])
    assert outlier.outliers.get_offsets()[:, 1].min() == pytest.approx(s1['y'].min())
    assert outlier.axes[0].get_ylim()[0] < s1['y'].min()
    assert 'shift = 2.50' in outlier.title.get_text() and outlier.image.value != before
    outlier.delta_slider.value = 2.0
    s2 = ox.outlier_state(2.5, 2.0)
    assert outlier.fit_lines['huber'].get_ydata()[1] == pytest.approx(
        s2['fits']['huber'][0] * 1.1 + s2['fits']['huber'][1])
    assert outlier.state()['errors'] == s2['errors']


@pytest.mark.parametrize('make', [w.huber_explorer, w.softmax_explorer, w.outlier_explorer])
def test_drawn_at_the_shown_width_twice_the_density(make):
    e = make()
    from PIL import Image
    import io
    img = Image.open(io.BytesIO(e.image.value))
    assert img.width == 2 * 960
    assert len(e.image.value) < 80_000     # also stored in the widget state of the page
    assert e.image.layout.width == '960px' and e.image.layout.max_width == '100%'


@pytest.mark.parametrize('make', [w.huber_explorer, w.softmax_explorer, w.outlier_explorer])
def test_control_labels_line_up(make):
    """Every control (sliders and the true-class buttons) has the same label column."""
    e = make()
    widths = {c.style.description_width for c in e.controls}
    assert widths == {'90px'}


def test_explorers_leave_no_pyplot_figure():
    plt.close('all')
    w.huber_explorer(), w.softmax_explorer(), w.outlier_explorer()
    assert plt.get_fignums() == []


def test_out_of_range_values_widen_the_sliders():
    h = w.huber_explorer(4.5)
    assert h.delta_slider.max == 4.5 and h.delta_slider.value == 4.5
    s = w.softmax_explorer((8.0, -7.5), true_class=1, temperature=0.1)
    assert [sl.value for sl in s.logit_sliders] == [8.0, -7.5]
    assert s.logit_sliders[0].max == 8 and s.logit_sliders[0].min == -8
    assert s.temperature_slider.value == 0.1


def test_reexported_from_the_package():
    assert d2lhelpers.huber_explorer is w.huber_explorer
    assert d2lhelpers.softmax_explorer is w.softmax_explorer
    assert d2lhelpers.outlier_explorer is w.outlier_explorer


# --- the display bundle ---------------------------------------------------------------------

def _config(html):
    m = re.search(r'<script type="application/json" class="d2l-explorer-config">(.*?)</script>',
                  html, re.S)
    return json.loads(m.group(1))


STATIC = Path(base.__file__).parents[1] / 'static'
KINDS = ('softmax', 'huber', 'outlier')


@pytest.mark.parametrize('name, kind', [('huber_bundle', 'huber'), ('soft_bundle', 'softmax'),
                                        ('outlier_bundle', 'outlier')])
def test_bundle_has_widget_view_and_offline_static_view(name, kind, request):
    bundle = request.getfixturevalue(name)
    assert bundle[WIDGET_VIEW]['model_id']
    assert len(bundle['text/plain']) < 120
    html = bundle['text/html']
    assert f'<div class="d2l-explorer" data-kind="{kind}"' in html
    for name in ('explorers.css', 'explorer-base.js', f'explorer-{kind}.js'):
        assert base._asset(name) in html
    others = [k for k in KINDS if k != kind]       # only the code this explorer needs
    assert not any(base._asset(f'explorer-{k}.js') in html for k in others)
    # nothing loaded from anywhere: no src/href, no <link>, no import, no fetch
    assert not re.search(r'\b(src|href)\s*=', html) and '<link' not in html
    assert not re.search(r'\b(import|fetch|XMLHttpRequest)\b\s*\(', html)
    assert len(html) < 60_000              # the page stays light (no image frames)
    assert len(_config(html)['reference']) >= 3


def test_softmax_reference_values_are_pythons(soft_bundle):
    cfg = _config(soft_bundle['text/html'])
    names = [c['name'] for c in cfg['controls']]
    assert names == ['o0', 'o1', 'o2', 'o3', 'true_class', 'T']
    assert cfg['controls'][4]['options'] == [0, 1, 2, 3] and cfg['controls'][4]['value'] == 2
    moved = set()
    for ref in cfg['reference']:
        c = ref['controls']
        s = sx.softmax_state([c[f'o{i}'] for i in range(4)], c['true_class'], c['T'])
        for key in ('probs', 'grad', 'target'):
            assert ref['numbers'][key] == s[key].tolist()
        assert ref['numbers']['loss'] == s['loss']
        for ctrl in cfg['controls']:   # a value the control can take
            v = c[ctrl['name']]
            if 'options' in ctrl:
                assert v in ctrl['options']
            else:
                k = (v - ctrl['min']) / ctrl['step']
                assert ctrl['min'] <= v <= ctrl['max'] and abs(k - round(k)) < 1e-9
            if v != cfg['reference'][0]['controls'][ctrl['name']]:
                moved.add(ctrl['name'])
    assert moved == set(names)             # the references move every control
    # the same amount added to every logit changes nothing (the chapter's observation)
    np.testing.assert_allclose(cfg['reference'][1]['numbers']['probs'],
                               cfg['reference'][0]['numbers']['probs'])


def test_huber_reference_values_are_pythons(huber_bundle):
    cfg = _config(huber_bundle['text/html'])
    assert [c['name'] for c in cfg['controls']] == ['delta', 'error_range']
    assert cfg['points'] == hx.NUM_ERRORS
    for ref in cfg['reference']:
        c = hx.huber_curves(ref['controls']['delta'], ref['controls']['error_range'])
        for key, values in ref['numbers'].items():
            assert values == c[key][ref['index']].tolist(), key
    assert {r['controls']['delta'] for r in cfg['reference']} >= {0.5, 0.3, 2.5}


def test_outlier_reference_values_are_pythons(outlier_bundle):
    cfg = _config(outlier_bundle['text/html'])
    assert [c['name'] for c in cfg['controls']] == ['shift', 'delta']
    x, base = fitting.outlier_data(0.0)
    assert cfg['data']['x'] == x.tolist() and cfg['data']['base'] == base.tolist()
    assert cfg['steps'] == 2000 and cfg['lr'] == 0.5
    for ref in cfg['reference']:
        s = ox.outlier_state(**ref['controls'])
        assert ref['numbers']['params'] == [p for k in fitting.LOSSES for p in s['fits'][k]]
        assert ref['numbers']['errors'] == [s['errors'][k] for k in fitting.LOSSES]


def _node() -> str:
    """The ``node`` executable; without it the test is skipped, except under CI (``CI`` set),
    where a missing Node.js is a failure (``.ci/run`` installs it)."""
    node = shutil.which('node')
    if node is None:
        message = 'Node.js is not installed (apt-get install nodejs): the JS maths check needs it'
        if os.environ.get('CI'):
            pytest.fail(message + ' and CI is set', pytrace=False)
        pytest.skip(message)
    return node


NODE_CHECK = """
global.window = {}; global.document = {readyState: 'complete', querySelectorAll: () => []};
const fs = require('fs');
for (const file of process.argv.slice(4)) eval(fs.readFileSync(file, 'utf8'));
const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const kind = process.argv[3], X = window.d2lExplorers.kinds[kind].maths;
const out = cfg.reference.map(ref => {
  const c = ref.controls;
  if (kind === 'softmax') {
    const o = []; for (let i = 0; i < cfg.num_classes; i++) o.push(c['o' + i]);
    return X.softmaxState(o, c.true_class, c.T);
  }
  if (kind === 'huber') {
    const h = X.huberCurves(c.delta, c.error_range, cfg.points), r = {};
    for (const k in ref.numbers) r[k] = ref.index.map(i => h[k][i]);
    return r;
  }
  const f = X.fits(cfg, c.shift, c.delta), r = {params: [], errors: []};
  for (const l of cfg.losses) { r.params.push(...f.fits[l]); r.errors.push(f.errors[l]); }
  return r;
});
console.log(JSON.stringify(out));
"""


@pytest.mark.parametrize('name', ['huber_bundle', 'soft_bundle', 'outlier_bundle'])
def test_javascript_maths_reproduces_the_references(name, request, tmp_path):
    """The browser test does this in Chromium; Node.js checks it quickly (the compact copies
    that the pages carry, base script first)."""
    node = _node()
    page = request.getfixturevalue(name)['text/html']
    cfg, kind = _config(page), page.split('data-kind="')[1].split('"')[0]
    (tmp_path / 'check.js').write_text(NODE_CHECK)
    (tmp_path / 'cfg.json').write_text(json.dumps(cfg))
    files = []
    for asset in ('explorer-base.js', f'explorer-{kind}.js'):
        files.append(tmp_path / asset)
        files[-1].write_text(base._asset(asset), encoding='utf-8')
    run = subprocess.run([node, str(tmp_path / 'check.js'), str(tmp_path / 'cfg.json'), kind,
                          *map(str, files)], capture_output=True, text=True, check=True)
    for ref, got in zip(cfg['reference'], json.loads(run.stdout)):
        for key, expected in ref['numbers'].items():
            np.testing.assert_allclose(got[key], expected, rtol=0, atol=1e-9, err_msg=key)


def test_node_check_fails_under_ci_without_node(monkeypatch):
    monkeypatch.setattr(shutil, 'which', lambda name: None)
    monkeypatch.setenv('CI', '1')
    with pytest.raises(pytest.fail.Exception, match='CI is set'):
        _node()
    monkeypatch.delenv('CI')
    with pytest.raises(pytest.skip.Exception):
        _node()


def test_ipython_displays_the_whole_bundle(huber):
    """The route IPython takes for the last expression of a cell (ipywidgets 7 and 8)."""
    from IPython.core.interactiveshell import InteractiveShell
    data, _ = InteractiveShell.instance().display_formatter.format(huber)
    assert {WIDGET_VIEW, 'text/html', 'text/plain'} <= set(data)
    assert data[WIDGET_VIEW]['model_id'] == huber.model_id


def test_static_view_starts_at_the_given_values(huber_bundle, soft_bundle):
    cfg = _config(huber_bundle['text/html'])
    assert cfg['controls'][0]['value'] == 0.5 and cfg['controls'][1]['value'] == 4.0
    cfg = _config(soft_bundle['text/html'])
    assert [c['value'] for c in cfg['controls']] == [1.0, -0.5, 0.3, 2.0, 2, 1.0]
    # without JavaScript the starting numbers are still there, as text
    assert '真实类别 2' in html_lib.unescape(soft_bundle['text/html'])


def test_static_html_follows_the_controls():
    s = w.softmax_explorer((2.0, 1.0, 0.1), true_class=0)
    first = s.static_html()
    assert s.static_html() is first                   # cached while nothing moves
    s.class_picker.value = 2
    s.logit_sliders[0].value = 1.5
    cfg = _config(s.static_html())
    assert cfg['controls'][3]['value'] == 2 and cfg['controls'][0]['value'] == 1.5


@pytest.mark.parametrize('name', ['explorer-base.js', *[f'explorer-{k}.js' for k in KINDS]])
def test_compact_assets_keep_the_code(name):
    js, raw = base._asset(name), (STATIC / name).read_text(encoding='utf-8')
    assert len(js) < 0.9 * len(raw) and '/*' not in js
    for fn in re.findall(r'function (\w+)\(', raw):
        assert f'function {fn}(' in js
    if name == 'explorer-base.js':
        assert "'http://www.w3.org/2000/svg'" in js      # a '//' inside a string survives
    css = base._asset('explorers.css')
    assert '{' in css and '/*' not in css


def test_static_view_escapes_the_config():
    out = base.explorer_html('huber', {'caption': '</script><b>'}, ['<i>'])
    assert '</script><b>' not in out and '&lt;i&gt;' in out
    assert _config(out)['caption'] == '</script><b>'


# --- bad arguments --------------------------------------------------------------------------

@pytest.mark.parametrize('delta', [0, -1.0, float('nan'), float('inf'), '1', None, True])
def test_bad_delta(delta):
    with pytest.raises(ValueError, match='delta'):
        w.huber_explorer(delta)


@pytest.mark.parametrize('logits, match', [((1.0,), 'got 1'), ((), 'got 0'),
                                           ((1, 2, 3, 4, 5, 6), 'got 6'),
                                           ((1.0, float('nan')), 'finite'),
                                           ((1.0, float('inf'), 0.0), 'finite'),
                                           (((1.0, 2.0), (3.0, 4.0)), 'flat'),
                                           ('abc', 'sequence of numbers')])
def test_bad_logits(logits, match):
    with pytest.raises(ValueError, match=match):
        w.softmax_explorer(logits)


@pytest.mark.parametrize('k', [3, -1, 1.0, True, None, torch.tensor([1])])
def test_bad_true_class(k):
    with pytest.raises(ValueError, match='true_class'):
        w.softmax_explorer((2.0, 1.0, 0.1), true_class=k)


def test_true_class_accepts_integer_scalars():
    for k in (np.int64(2), torch.tensor(2)):
        assert w.softmax_explorer((2.0, 1.0, 0.1), true_class=k).true_class == 2


def test_true_class_message_names_the_valid_range():
    with pytest.raises(ValueError, match=r'0\.\.2 for 3 classes, got 3'):
        w.softmax_explorer((2.0, 1.0, 0.1), true_class=3)


@pytest.mark.parametrize('t', [0, -1.0, float('inf')])
def test_bad_temperature(t):
    with pytest.raises(ValueError, match='temperature'):
        w.softmax_explorer((2.0, 1.0), temperature=t)


@pytest.mark.parametrize('r', [0, -2.0, float('nan'), 'far'])
def test_bad_error_range(r):
    with pytest.raises(ValueError, match='error_range'):
        w.huber_explorer(1.0, error_range=r)


@pytest.mark.parametrize('kwargs, match', [({'shift': float('nan')}, 'shift'),
                                           ({'shift': '2'}, 'shift'),
                                           ({'delta': 0.0}, 'delta'),
                                           ({'delta': None}, 'delta')])
def test_bad_outlier_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        w.outlier_explorer(**kwargs)


# --- structure: file sizes, import chain, work done, colours, constants in one place ----------

PACKAGE = Path(d2lhelpers.__file__).parent
MAX_LINES = 400


@pytest.mark.parametrize('path', sorted(p.relative_to(PACKAGE).as_posix()
                                        for p in PACKAGE.rglob('*')
                                        if p.suffix in ('.py', '.js', '.css')
                                        and '__pycache__' not in p.parts))
def test_no_package_file_over_400_lines(path):
    lines = len((PACKAGE / path).read_text(encoding='utf-8').splitlines())
    assert lines <= MAX_LINES, f'd2lhelpers/{path} has {lines} lines (at most {MAX_LINES})'


def _import_graph() -> dict[str, set[str]]:
    """d2lhelpers' modules and the d2lhelpers modules each imports (anywhere in its code)."""
    import ast
    modules = {}
    for p in PACKAGE.rglob('*.py'):
        parts = list(p.relative_to(PACKAGE.parent).with_suffix('').parts)
        modules['.'.join(parts[:-1] if parts[-1] == '__init__' else parts)] = p
    graph = {}
    for name, p in modules.items():
        package = name if p.name == '__init__.py' else name.rpartition('.')[0]
        deps = set()
        for node in ast.walk(ast.parse(p.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parent = package.split('.')[:len(package.split('.')) - node.level + 1]
                    target = '.'.join(parent + ([node.module] if node.module else []))
                else:
                    target = node.module or ''
                deps.add(target)
                deps.update(f'{target}.{a.name}' for a in node.names)
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def _longest_chain(graph: dict[str, set[str]], root: str = 'd2lhelpers') -> list[str]:
    """The longest import chain, not counting the package's re-exporting ``__init__``
    (the measure of issue 17: widgets -> static_view -> ... -> validation was 7); raises on
    a cycle."""
    best: dict[str, list[str]] = {}

    def chain(name: str, path: tuple) -> list[str]:
        if name in path:
            raise AssertionError('import cycle: ' + ' -> '.join(path + (name,)))
        if name not in best:
            longest = max((chain(d, path + (name,)) for d in graph[name] if d != root),
                          key=len, default=[])
            best[name] = [name, *longest]
        return best[name]
    for name in graph:
        chain(name, ())
    if any(root in deps for name, deps in graph.items() if name != root):
        raise AssertionError('a module imports the package itself: a cycle through __init__')
    return max((c for n, c in best.items() if n != root), key=len)


def test_import_chain_is_short_and_acyclic():
    chain = _longest_chain(_import_graph())
    assert len(chain) <= 5, f'{len(chain)} levels: ' + ' -> '.join(chain)


def test_import_chain_measure_finds_cycles_and_depth():
    assert _longest_chain({'d2lhelpers': {'a'}, 'a': {'b'}, 'b': {'c'}, 'c': set()}) == \
        ['a', 'b', 'c']
    with pytest.raises(AssertionError, match='cycle'):
        _longest_chain({'d2lhelpers': {'a'}, 'a': {'b'}, 'b': {'a'}})


def test_outlier_explorer_fits_once_per_setting(monkeypatch):
    """Three 2,000-step fits per setting of (shift, delta), however often it is drawn."""
    calls = []
    real = ox.fit_line
    monkeypatch.setattr(ox, 'fit_line', lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    ox._fits.cache_clear()
    e = w.outlier_explorer(1.0, 0.5)
    assert sorted(calls) == sorted(fitting.LOSSES)               # created: one setting
    e._repr_mimebundle_()       # the static view: its start and two more reference settings
    assert len(calls) == 3 * 3
    e.state(), e.static_html(), e.refresh()
    assert len(calls) == 9                                        # nothing new
    e.shift_slider.value = 2.0                                   # a new setting
    e._repr_mimebundle_()       # (its reference settings are the same two as before)
    assert len(calls) == 12
    e.shift_slider.value = 1.0
    assert len(calls) == 12
    state = e.state()
    state['x'][:] = 0           # what a learner gets is a fresh copy: the cache stays right
    assert e.state()['x'][0] == -1.0


def _luminance(hex_color: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour ``#rrggbb``."""
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# Machado, Oliveira & Fernandes (2009), severity 1, applied to linear RGB.
CVD = {'protanopia': [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                      [-0.003882, -0.048116, 1.051998]],
       'deuteranopia': [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                        [-0.011820, 0.042940, 0.968881]],
       'tritanopia': [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                      [0.004733, 0.691367, 0.303900]]}


def _lab(hex_color: str, matrix=None) -> np.ndarray:
    """CIELAB (D65) of a colour, as seen with a simulated colour-vision deficiency."""
    c = np.array([int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    rgb = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if matrix is not None:
        rgb = np.clip(np.array(matrix) @ rgb, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def colour_blind_distance(colors) -> float:
    """The smallest CIE76 colour difference of any two colours under any simulated
    dichromacy (about 10 or more is easy to tell apart; 5 is hard)."""
    colors = sorted(set(colors))
    return min(float(np.linalg.norm(_lab(a, m) - _lab(b, m)))
               for m in CVD.values() for i, a in enumerate(colors) for b in colors[i + 1:])


@pytest.mark.parametrize('mode', ['light', 'dark'])
def test_palette_contrast_and_colour_blind_safety(mode):
    bg, fg = base.BACKGROUND[mode], base.FOREGROUND[mode]
    ratios = {s: contrast(base.series_color(s, mode), bg) for s in base.SERIES}
    assert min(ratios.values()) >= 3.0, f'{mode}: graphics need 3:1 against {bg}: {ratios}'
    assert contrast(fg, bg) >= 7.0                               # the texts (AAA even)
    assert colour_blind_distance(base.PALETTE[mode].values()) >= 15


def test_the_old_palette_fails_these_checks():
    """matplotlib's C0..C2, which the explorers used, fail both checks (the tests can fail)."""
    old = ['#1f77b4', '#ff7f0e', '#2ca02c']
    assert round(contrast('#ff7f0e', '#ffffff'), 2) == 2.53      # issue 17's figure
    assert round(contrast('#ff7f0e', '#ced6dd'), 2) == 1.72      # ... on the theme's dark box
    assert colour_blind_distance(old) < 5                        # orange/green, protanopia


def test_palette_reaches_the_page_as_css_variables(soft_bundle):
    page = soft_bundle['text/html']
    for mode, selector in (('light', '.d2l-explorer{'), ('dark', 'html[data-theme=dark]')):
        block = page.split(selector, 1)[1].split('}', 1)[0]
        assert f'--d2l-bg:{base.BACKGROUND[mode]}' in block
        for s in base.SERIES:
            assert f'--d2l-{s}:{base.series_color(s, mode)}' in block
    for name in ['explorers.css', 'explorer-base.js', *[f'explorer-{k}.js' for k in KINDS]]:
        code = re.sub(r'/\*.*?\*/', '', (STATIC / name).read_text(encoding='utf-8'), flags=re.S)
        assert not re.search(r'#[0-9a-fA-F]{6}\b|rgb\(', code.replace('#000', '')), (
            f'{name} types a colour: use the palette (base.PALETTE, var(--d2l-...))')


def _code_strings(path: Path) -> list[str]:
    """The string literals of a Python file, docstrings left out."""
    import ast
    tree = ast.parse(path.read_text(encoding='utf-8'))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in docs]


def test_constants_are_typed_once():
    """Subscripts, the losses' display names and the true line live in one place each."""
    strings = {p: _code_strings(p) for p in PACKAGE.rglob('*.py')}
    js = ' '.join((STATIC / f).read_text(encoding='utf-8') for f in os.listdir(STATIC)
                  if f.endswith('.js'))
    where = lambda pred: sorted(p.name for p, ss in strings.items() if any(map(pred, ss)))  # noqa
    assert where(lambda s: '₀₁₂' in s) == ['base.py'] and '₀₁₂' not in js
    assert where(lambda s: s == 'Huber') == ['base.py'] and "'Huber'" not in js
    assert not where(lambda s: '2x + 1' in s) and '2x + 1' not in js
    assert ox.true_line() == 'y = 2x + 1' and fitting.TRUE_PARAMS == (2.0, 1.0)
