"""Chapter 03's outlier experiment: the data, the gradient-descent fit, the parameter error."""
import math

import pytest
import torch

import d2lhelpers
from d2lhelpers import fitting as f
from d2lhelpers.losses import huber_grad, l1_grad, l2_grad


def test_outlier_data_is_the_chapters_line_with_four_outliers():
    x, y = f.outlier_data()
    assert x.dtype == y.dtype == torch.float64 and x.shape == y.shape == (40,)
    assert x[0] == -1 and x[-1] == 1
    torch.manual_seed(0)
    noise = torch.randn(40).double()                       # the chapter's draws
    clean = 2 * x + 1 + 0.1 * noise
    outliers = list(f.OUTLIER_INDICES)
    normal = [i for i in range(40) if i not in outliers]
    torch.testing.assert_close(y[normal], clean[normal], rtol=0, atol=0)
    torch.testing.assert_close(clean[outliers] - y[outliers],
                               torch.tensor([6.0, 8.0, 7.0, 9.0], dtype=torch.float64))


def test_outlier_data_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    f.outlier_data()
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize('shift', [0.0, 0.5, 2.0, -1.0])
def test_shift_scales_the_pull(shift):
    x, y = f.outlier_data(shift)
    _, base = f.outlier_data(0.0)
    idx = list(f.OUTLIER_INDICES)
    torch.testing.assert_close(base[idx] - y[idx],
                               shift * torch.tensor(f.OUTLIER_PULLS, dtype=torch.float64))
    others = [i for i in range(40) if i not in idx]
    assert torch.equal(y[others], base[others])


def _reference_fit(x, y, grad_fn, steps=2000, lr=0.5):
    """The chapter's loop, written out as in chapters/03_losses.ipynb."""
    w, b = torch.zeros((), dtype=torch.float64), torch.zeros((), dtype=torch.float64)
    for t in range(steps):
        g = grad_fn(w * x + b, y)
        lr_t = lr * (1 - t / steps) + 1e-3
        w, b = w - lr_t * (g * x).mean(), b - lr_t * g.mean()
    return w.item(), b.item()


@pytest.mark.parametrize('loss, grad_fn', [('l2', l2_grad), ('l1', l1_grad),
                                           ('huber', lambda a, b: huber_grad(a, b, 0.5))])
def test_fit_line_is_the_chapters_gradient_descent(loss, grad_fn):
    x, y = f.outlier_data()
    assert f.fit_line(x, y, loss, delta=0.5) == _reference_fit(x, y, grad_fn)


def test_l2_fit_is_the_least_squares_solution():
    x, y = f.outlier_data()
    w, b = f.fit_line(x, y, 'l2')
    A = torch.stack([x, torch.ones_like(x)], dim=1)
    w_ls, b_ls = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.flatten().tolist()
    assert w == pytest.approx(w_ls, abs=1e-6) and b == pytest.approx(b_ls, abs=1e-6)


def test_robustness_ranking_of_the_chapter():
    """The chapter's claim: the outliers drag L2's line away, L1 and Huber stay close."""
    x, y = f.outlier_data()
    err = {loss: f.parameter_error(*f.fit_line(x, y, loss, delta=0.5)) for loss in f.LOSSES}
    assert err['l1'] < err['huber'] < 0.2 < 1.5 < err['l2']
    assert round(err['l2'], 3) == 1.832 and round(err['l1'], 3) == 0.026
    assert round(err['huber'], 3) == 0.167


def test_without_outliers_every_loss_finds_the_line():
    x, y = f.outlier_data(0.0)
    for loss in f.LOSSES:
        assert f.parameter_error(*f.fit_line(x, y, loss)) < 0.05, loss


def test_float32_input_is_fitted_in_float64():
    x, y = f.outlier_data()
    assert f.fit_line(x.float(), y.float(), 'l2') == pytest.approx(
        f.fit_line(x, y, 'l2'), abs=1e-6)


def test_parameter_error():
    assert f.parameter_error(2.0, 1.0) == 0.0
    assert f.parameter_error(5.0, 5.0) == pytest.approx(5.0)
    assert math.isclose(f.parameter_error(1.0, 0.0), math.sqrt(2))


def test_reexported_from_the_package():
    assert d2lhelpers.fit_line is f.fit_line
    assert d2lhelpers.outlier_data is f.outlier_data
    assert d2lhelpers.parameter_error is f.parameter_error


@pytest.mark.parametrize('kwargs, match', [
    ({'loss': 'mse'}, "loss must be one of 'l2', 'l1', 'huber'"),
    ({'loss': 'huber', 'delta': 0}, 'delta'), ({'loss': 'huber', 'delta': True}, 'delta'),
    ({'loss': 'l2', 'steps': 0}, 'steps'), ({'loss': 'l2', 'steps': 2.5}, 'steps'),
    ({'loss': 'l2', 'lr': -1.0}, 'lr')])
def test_fit_line_bad_arguments(kwargs, match):
    x, y = f.outlier_data()
    with pytest.raises(ValueError, match=match):
        f.fit_line(x, y, **kwargs)


def test_fit_line_bad_data():
    x, y = f.outlier_data()
    with pytest.raises(ValueError, match='torch.Tensor'):
        f.fit_line(x.tolist(), y, 'l2')
    with pytest.raises(ValueError, match='same'):
        f.fit_line(x, y[:-1], 'l2')
    with pytest.raises(ValueError, match='same'):
        f.fit_line(x.reshape(4, 10), y.reshape(4, 10), 'l2')


@pytest.mark.parametrize('shift', [float('nan'), '1', None, True])
def test_outlier_data_bad_shift(shift):
    with pytest.raises(ValueError, match='shift'):
        f.outlier_data(shift)
