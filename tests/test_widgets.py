"""The explorers: the numbers behind the figures, the live widgets, the static fallback."""
import json
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import d2lhelpers
from d2lhelpers import explorer_data as xd
from d2lhelpers import widgets as w
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
def soft_bundle():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        return w.softmax_explorer((1.0, -0.5, 0.3, 2.0), true_class=2)._repr_mimebundle_()


# --- the numbers behind the figures -------------------------------------------------------

@pytest.mark.parametrize('delta', [0.1, 0.5, 1.0, 2.7])
def test_huber_curves_equal_the_loss_functions(delta):
    c = xd.huber_curves(delta)
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
    s = xd.softmax_state(logits, k, t)
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


# --- driving the widgets through their API --------------------------------------------------

def test_huber_slider_moves_the_plotted_data(huber):
    before = huber.image.value
    huber.delta_slider.value = 2.0
    c = xd.huber_curves(2.0)
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


def _heights(bars):
    return np.array([b.get_height() for b in bars])


def test_softmax_sliders_move_the_bars(soft):
    s0 = soft.state()
    np.testing.assert_allclose(_heights(soft.prob_bars), s0['probs'])
    soft.logit_sliders[1].value = 3.0
    s1 = xd.softmax_state((2.0, 3.0, 0.1), 0)
    np.testing.assert_allclose(_heights(soft.prob_bars), s1['probs'])
    np.testing.assert_allclose(_heights(soft.grad_bars), s1['grad'])
    assert _heights(soft.prob_bars)[1] > s0['probs'][1]
    assert f'{s1["loss"]:.4f}' in soft.title.get_text()
    assert soft.prob_texts[1].get_text() == f'{s1["probs"][1]:.3f}'

    soft.class_picker.value = 1
    s2 = xd.softmax_state((2.0, 3.0, 0.1), 1)
    np.testing.assert_allclose(_heights(soft.target_bars), [0, 1, 0])
    np.testing.assert_allclose(_heights(soft.grad_bars), s2['grad'])
    assert 'true class 1' in soft.title.get_text()

    soft.temperature_slider.value = 2.0
    s3 = xd.softmax_state((2.0, 3.0, 0.1), 1, 2.0)
    np.testing.assert_allclose(_heights(soft.prob_bars), s3['probs'])
    np.testing.assert_allclose(_heights(soft.grad_bars), s3['grad'])
    assert soft.axes[1].get_ylim() == pytest.approx((-0.6, 0.6))


def test_explorers_leave_no_pyplot_figure():
    plt.close('all')
    w.huber_explorer(), w.softmax_explorer()
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


# --- the display bundle ---------------------------------------------------------------------

@pytest.mark.parametrize('name, n_frames', [('huber_bundle', 15), ('soft_bundle', 21)])
def test_bundle_has_widget_view_and_offline_js_slider(name, n_frames, request):
    bundle = request.getfixturevalue(name)
    assert bundle[WIDGET_VIEW]['model_id']
    assert len(bundle['text/plain']) < 120
    html = bundle['text/html']
    assert '<input' in html and 'type="range"' in html and '<script>' in html
    frames = json.loads(re.search(r'var frames = (\[.*?\]);', html).group(1))
    labels = json.loads(re.search(r'var labels = (\[.*?\]);', html).group(1))
    assert len(frames) == len(labels) == n_frames
    assert all(f.startswith('data:image/png;base64,') for f in frames)
    assert len(set(frames)) == n_frames                  # every frame shows something new
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html)
    assert 'http://' not in html and 'https://' not in html
    assert 'fa fa-' not in html and '<link' not in html
    assert len(html) < 400_000             # the page stays light


def test_ipython_displays_the_whole_bundle(huber):
    """The route IPython takes for the last expression of a cell (ipywidgets 7 and 8)."""
    from IPython.core.interactiveshell import InteractiveShell
    data, _ = InteractiveShell.instance().display_formatter.format(huber)
    assert {WIDGET_VIEW, 'text/html', 'text/plain'} <= set(data)
    assert data[WIDGET_VIEW]['model_id'] == huber.model_id


def test_static_html_starts_at_the_given_value(huber_bundle, soft_bundle):
    # delta=0.5 is not a frame: the nearest frame (0.4 or 0.6) is shown first
    assert re.search(r'type="range" min="0" max="14" step="1" value="[12]"',
                     huber_bundle['text/html'])
    # logit o2 = 0.3 of (1.0, -0.5, 0.3, 2.0) with true class 2: frames -5, -4.5, ..., 5
    assert 'value="11"' in soft_bundle['text/html'] and '"0.5"' in soft_bundle['text/html']


def test_static_html_does_not_change_the_live_figure():
    h = w.huber_explorer(1.7)
    h.static_html()
    assert 'δ = 1.70' in h.title.get_text()
    np.testing.assert_array_equal(h.grad_lines['huber'].get_ydata(),
                                  xd.huber_curves(1.7)['huber_grad'])
    assert h.fig.dpi == h.dpi


def test_static_html_follows_the_controls():
    s = w.softmax_explorer((2.0, 1.0, 0.1), true_class=0)
    first = s.static_html()
    assert s.static_html() is first                   # cached while nothing moves
    s.class_picker.value = 2
    second = s.static_html()
    assert second != first and 'logit o₂' in second   # now sweeps the new true class


def test_frames_player_html():
    out = w.frames_player_html([b'a', b'b'], ['1', '2'], start=1, name='δ', caption='<c>')
    assert out.count('data:image/png;base64,') == 3      # 2 frames + the start frame in <img>
    assert 'value="1"' in out and '&lt;c&gt;' in out
    with pytest.raises(ValueError, match='one label per frame'):
        w.frames_player_html([b'a'], ['1', '2'])
    with pytest.raises(ValueError, match='start'):
        w.frames_player_html([b'a'], ['1'], start=1)


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
