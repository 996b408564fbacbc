"""d2lhelpers.losses: equal to torch's losses, gradients equal to autograd, and the properties
the loss chapters claim (Huber's continuity and bounded gradient, CE >= 0, stability)."""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from d2lhelpers import losses

DELTAS = [0.1, 0.5, 1.0, 2.0, 7.5]
finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
deltas = st.floats(0.01, 20, allow_nan=False, allow_infinity=False)


def _pair(n=200, seed=0, scale=4.0):
    g = torch.Generator().manual_seed(seed)
    y_hat = torch.randn(n, generator=g, dtype=torch.float64) * scale
    y = torch.randn(n, generator=g, dtype=torch.float64) * scale
    return y_hat, y


# --- equal to torch.nn -------------------------------------------------------------------

def test_l2_is_half_mse():
    y_hat, y = _pair()
    expected = 0.5 * nn.MSELoss(reduction='none')(y_hat, y)
    assert torch.allclose(losses.l2_loss(y_hat, y), expected)


def test_l1_is_l1loss():
    y_hat, y = _pair()
    assert torch.allclose(losses.l1_loss(y_hat, y), nn.L1Loss(reduction='none')(y_hat, y))


@pytest.mark.parametrize('delta', DELTAS)
def test_huber_is_huberloss(delta):
    y_hat, y = _pair()
    expected = nn.HuberLoss(reduction='none', delta=delta)(y_hat, y)
    assert torch.allclose(losses.huber_loss(y_hat, y, delta=delta), expected)


def test_huber_default_delta_is_one():
    y_hat, y = _pair()
    assert torch.allclose(losses.huber_loss(y_hat, y), losses.huber_loss(y_hat, y, 1.0))


def test_losses_keep_shape_and_dtype():
    y_hat = torch.zeros(3, 4)
    y = torch.ones(3, 4)
    for fn in (losses.l2_loss, losses.l1_loss, losses.huber_loss,
               losses.l2_grad, losses.l1_grad, losses.huber_grad):
        out = fn(y_hat, y)
        assert out.shape == (3, 4) and out.dtype == torch.float32


# --- gradients equal to autograd ----------------------------------------------------------

def _autograd(loss_fn, y_hat, y, **kw):
    y_hat = y_hat.clone().requires_grad_(True)
    loss_fn(y_hat, y, **kw).sum().backward()
    return y_hat.grad


def test_l2_grad_is_autograd():
    y_hat, y = _pair()
    assert torch.allclose(losses.l2_grad(y_hat, y), _autograd(losses.l2_loss, y_hat, y))
    assert torch.allclose(losses.l2_grad(y_hat, y), y_hat - y)


def test_l1_grad_is_autograd_away_from_zero():
    y_hat, y = _pair()
    assert (y_hat != y).all()
    auto = _autograd(lambda a, b: nn.L1Loss(reduction='none')(a, b), y_hat, y)
    assert torch.equal(losses.l1_grad(y_hat, y), auto)


def test_l1_subgradient_at_zero_is_zero():
    y = torch.tensor([1.0, -2.0, 0.0])
    assert torch.equal(losses.l1_grad(y.clone(), y), torch.zeros(3))


@pytest.mark.parametrize('delta', DELTAS)
def test_huber_grad_is_autograd(delta):
    y_hat, y = _pair()
    auto = _autograd(lambda a, b: nn.HuberLoss(reduction='none', delta=delta)(a, b), y_hat, y)
    assert torch.allclose(losses.huber_grad(y_hat, y, delta=delta), auto)
    assert torch.allclose(losses.huber_grad(y_hat, y, delta=delta),
                          _autograd(losses.huber_loss, y_hat, y, delta=delta))


# --- Huber properties ---------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(delta=deltas, sign=st.sampled_from([-1.0, 1.0]))
def test_huber_and_its_gradient_are_continuous_at_delta(delta, sign):
    y = torch.tensor([0.0], dtype=torch.float64)
    eps = 1e-7 * max(1.0, delta)
    inside = torch.tensor([sign * (delta - eps)], dtype=torch.float64)
    outside = torch.tensor([sign * (delta + eps)], dtype=torch.float64)
    at = torch.tensor([sign * delta], dtype=torch.float64)
    h = [losses.huber_loss(v, y, delta).item() for v in (inside, at, outside)]
    g = [losses.huber_grad(v, y, delta).item() for v in (inside, at, outside)]
    assert h[1] == pytest.approx(0.5 * delta ** 2)
    assert abs(h[0] - h[1]) <= 2 * delta * eps and abs(h[2] - h[1]) <= 2 * delta * eps
    assert abs(g[0] - g[1]) <= 2 * eps and abs(g[2] - g[1]) <= 2 * eps
    assert g[1] == pytest.approx(sign * delta)


@settings(max_examples=200, deadline=None)
@given(y_hat=finite, y=finite, delta=deltas)
def test_huber_gradient_is_bounded_by_delta(y_hat, y, delta):
    g = losses.huber_grad(torch.tensor([y_hat], dtype=torch.float64),
                          torch.tensor([y], dtype=torch.float64), delta)
    assert g.abs().item() <= delta


@settings(max_examples=200, deadline=None)
@given(e=st.floats(-1, 1, allow_nan=False), delta=deltas)
def test_huber_equals_l2_near_zero(e, delta):
    y_hat = torch.tensor([e * delta], dtype=torch.float64)  # |e| <= delta
    y = torch.zeros(1, dtype=torch.float64)
    assert torch.allclose(losses.huber_loss(y_hat, y, delta), losses.l2_loss(y_hat, y))
    assert torch.allclose(losses.huber_grad(y_hat, y, delta), losses.l2_grad(y_hat, y))


@settings(max_examples=200, deadline=None)
@given(factor=st.floats(1.0, 1e4, allow_nan=False), sign=st.sampled_from([-1.0, 1.0]),
       delta=deltas)
def test_huber_is_shifted_scaled_l1_far_out(factor, sign, delta):
    y_hat = torch.tensor([sign * factor * delta], dtype=torch.float64)  # |e| >= delta
    y = torch.zeros(1, dtype=torch.float64)
    l1 = losses.l1_loss(y_hat, y)
    h = losses.huber_loss(y_hat, y, delta)
    assert torch.allclose(h, delta * l1 - delta ** 2 / 2)
    assert torch.allclose(losses.huber_grad(y_hat, y, delta), delta * losses.l1_grad(y_hat, y))
    # Huber / delta approaches L1: the relative gap is delta / (2 |e|) <= 1 / (2 factor).
    assert (l1 - h / delta).item() == pytest.approx(delta / 2)


# --- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize('delta', [0.0, -1.0, float('nan'), float('inf'), True, '1.0'])
@pytest.mark.parametrize('fn', [losses.huber_loss, losses.huber_grad])
def test_bad_delta(fn, delta):
    with pytest.raises(ValueError, match=r'^the Huber threshold delta must be a finite number '
                                         r'> 0 \(e\.g\. 1\.0\), got '):
        fn(torch.zeros(3), torch.zeros(3), delta)


@pytest.mark.parametrize('fn', [losses.l2_loss, losses.l1_loss, losses.huber_loss,
                                losses.l2_grad, losses.l1_grad, losses.huber_grad])
def test_regression_shape_mismatch_names_both_shapes(fn):
    with pytest.raises(ValueError, match=r'\(3, 1\).*\(3,\)'):
        fn(torch.zeros(3, 1), torch.zeros(3))


@pytest.mark.parametrize('fn', [losses.l2_loss, losses.huber_grad, losses.cross_entropy,
                                losses.softmax_cross_entropy])
def test_non_tensors_are_refused(fn):
    with pytest.raises(ValueError, match='torch.Tensor'):
        fn([[0.5, 0.5]], [0])


# --- cross-entropy ------------------------------------------------------------------------

def _logits(n=64, q=10, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    o = torch.randn(n, q, generator=g, dtype=torch.float64) * scale
    y = torch.randint(0, q, (n,), generator=g)
    return o, y


def test_seed_example():
    y = torch.tensor([0, 2])
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    ce = losses.cross_entropy(y_hat, y)
    assert torch.allclose(ce, -torch.log(torch.tensor([0.1, 0.5])))


def test_cross_entropy_is_nll_of_log():
    o, y = _logits()
    p = F.softmax(o, dim=1)
    assert torch.allclose(losses.cross_entropy(p, y), F.nll_loss(p.log(), y, reduction='none'))
    assert torch.allclose(losses.cross_entropy(p, y), F.cross_entropy(o, y, reduction='none'))


def test_softmax_cross_entropy_is_torch():
    o, y = _logits()
    assert torch.allclose(losses.softmax_cross_entropy(o, y),
                          F.cross_entropy(o, y, reduction='none'))
    assert torch.allclose(losses.softmax_cross_entropy(o, y),
                          nn.CrossEntropyLoss(reduction='none')(o, y))


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), q=st.integers(1, 12), n=st.integers(1, 20),
       scale=st.floats(0.0, 30.0))
def test_cross_entropy_is_non_negative(seed, q, n, scale):
    o, y = _logits(n, q, seed, scale)
    assert (losses.softmax_cross_entropy(o, y) >= 0).all()
    assert (losses.cross_entropy(F.softmax(o, dim=1), y) >= 0).all()


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), q=st.integers(2, 12), n=st.integers(1, 20))
def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot(seed, q, n):
    o, y = _logits(n, q, seed)
    o.requires_grad_(True)
    losses.softmax_cross_entropy(o, y).sum().backward()
    expected = F.softmax(o.detach(), dim=1) - F.one_hot(y, q).to(o.dtype)
    assert torch.allclose(o.grad, expected)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_softmax_cross_entropy_is_finite_for_huge_logits(dtype):
    o = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e4, 1e4, 1e4]], dtype=dtype)
    y = torch.tensor([1, 1, 2])
    ce = losses.softmax_cross_entropy(o, y)
    assert torch.isfinite(ce).all()
    # At magnitude 1e4 the representable spacing is about 1e4 * eps: compare to that.
    atol = 4 * 1e4 * torch.finfo(dtype).eps
    assert torch.allclose(ce, torch.tensor([2e4, math.log(2), math.log(3)], dtype=dtype),
                          atol=atol)
    assert torch.allclose(ce, F.cross_entropy(o, y, reduction='none'), atol=atol)


def test_cross_entropy_gives_inf_for_zero_probability():
    # The seed's form cannot do better: p_y = 0 means -log 0 = inf (why logits are preferred).
    ce = losses.cross_entropy(torch.tensor([[1.0, 0.0]]), torch.tensor([1]))
    assert math.isinf(ce.item())


@pytest.mark.parametrize('fn', [losses.cross_entropy, losses.softmax_cross_entropy])
@pytest.mark.parametrize('bad', [[0, 3], [-1, 0]])
def test_labels_out_of_range_name_the_range(fn, bad):
    with pytest.raises(ValueError, match=r'\[0, 3\)'):
        fn(torch.full((2, 3), 1 / 3), torch.tensor(bad))


@pytest.mark.parametrize('fn', [losses.cross_entropy, losses.softmax_cross_entropy])
def test_labels_must_be_integers(fn):
    with pytest.raises(ValueError, match='integer'):
        fn(torch.full((2, 3), 1 / 3), torch.tensor([0.0, 1.0]))


@pytest.mark.parametrize('fn', [losses.cross_entropy, losses.softmax_cross_entropy])
def test_cross_entropy_shape_mismatch_names_both_shapes(fn):
    with pytest.raises(ValueError, match=r'\(4, 3\).*\(2,\)'):
        fn(torch.full((4, 3), 1 / 3), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r'\(3,\).*\(3,\)'):
        fn(torch.full((3,), 1 / 3), torch.tensor([0, 1, 2]))


@pytest.mark.parametrize('bad', [1.5, -0.1, float('nan')])
def test_cross_entropy_rejects_non_probabilities(bad):
    y_hat = torch.full((2, 3), 1 / 3)
    y_hat[1, 2] = bad
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        losses.cross_entropy(y_hat, torch.tensor([0, 1]))


# --- decisions on hostile inputs ------------------------------------------------------------

def test_l1_grad_of_a_nan_error_is_nan_like_the_other_gradients():
    """Before: torch.sign(nan) = 0, so an L1 fit silently ignored a NaN point."""
    y_hat = torch.tensor([math.nan, 1.0, 2.0, math.nan])
    y = torch.tensor([0.0, math.nan, 2.0, math.nan])
    nan_where = torch.isnan(losses.l2_grad(y_hat, y))           # the oracle: y_hat - y
    assert nan_where.tolist() == [True, True, False, True]
    assert torch.equal(torch.isnan(losses.l1_grad(y_hat, y)), nan_where)
    assert torch.equal(torch.isnan(losses.huber_grad(y_hat, y)), nan_where)
    assert losses.l1_grad(y_hat, y)[2] == 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(finite, st.just(math.nan)), min_size=1, max_size=12), st.data())
def test_l1_grad_is_the_sign_and_nan_exactly_where_the_error_is(values, data):
    y_hat = torch.tensor(values, dtype=torch.float64)
    y = torch.tensor(data.draw(st.lists(st.one_of(finite, st.just(math.nan)),
                                        min_size=len(values), max_size=len(values))),
                     dtype=torch.float64)
    g = losses.l1_grad(y_hat, y)
    d = y_hat - y
    assert torch.equal(torch.isnan(g), torch.isnan(d))
    ok = ~torch.isnan(d) & (d != 0)
    auto = _autograd(lambda a, b: nn.L1Loss(reduction='none')(a, b), y_hat[ok], y[ok])
    assert torch.equal(g[ok], auto)


REGRESSION = [losses.l2_loss, losses.l1_loss, losses.huber_loss,
              losses.l2_grad, losses.l1_grad, losses.huber_grad]


@pytest.mark.parametrize('fn', REGRESSION)
def test_complex_inputs_are_refused(fn):
    """Before: complex "losses" came back (l2, l1, huber) or torch crashed (the gradients)."""
    z = torch.tensor([1 + 1j, 2 - 1j])
    with pytest.raises(ValueError, match=r'^y_hat must hold real numbers, got a complex tensor'):
        fn(z, torch.zeros(2, dtype=torch.complex64))
    with pytest.raises(ValueError, match=r'^y must hold real numbers'):
        fn(torch.zeros(2), z)


@pytest.mark.parametrize('fn', REGRESSION)
def test_bool_inputs_are_refused(fn):
    with pytest.raises(ValueError, match=r'^y_hat must hold numbers, got a bool tensor.*'
                                         r'y_hat\.float\(\)'):
        fn(torch.tensor([True, False]), torch.tensor([False, False]))


@pytest.mark.parametrize('fn', REGRESSION)
def test_integer_inputs_give_the_float_answer(fn):
    ints = (torch.tensor([3, -1, 0]), torch.tensor([0, 2, 0]))
    floats = tuple(t.double() for t in ints)
    assert torch.allclose(fn(*ints).double(), fn(*floats))


@pytest.mark.parametrize('y_hat', [torch.tensor([[0, 1], [1, 0]]),
                                   torch.tensor([[False, True], [True, False]])])
def test_cross_entropy_refuses_integer_or_bool_probabilities(y_hat):
    """Before: one-hot labels passed as y_hat gave a loss of 0 for every example."""
    with pytest.raises(ValueError, match=r'^y_hat must hold floating-point probabilities, got '
                                         r'dtype torch\.(int64|bool); one-hot rows are labels'):
        losses.cross_entropy(y_hat, torch.tensor([1, 0]))


def test_cross_entropy_refuses_complex_probabilities():
    with pytest.raises(ValueError, match='floating-point probabilities.*complex64'):
        losses.cross_entropy(torch.tensor([[0.5 + 0j, 0.5 + 0j]]), torch.tensor([0]))


def test_softmax_cross_entropy_refuses_integer_logits():
    with pytest.raises(ValueError, match=r'^logits must be a floating-point tensor.*\.float\(\)'):
        losses.softmax_cross_entropy(torch.tensor([[1, 2]]), torch.tensor([1]))


@pytest.mark.parametrize('row, total', [([0.2, 0.2, 0.2], '0.6'), ([0.5, 0.5, 0.5], '1.5'),
                                        ([0.33, 0.33, 0.33], '0.99')])
def test_cross_entropy_refuses_rows_that_are_not_distributions(row, total):
    """Before: any entries in [0, 1] passed, so a loss of unnormalised scores looked fine."""
    y_hat = torch.tensor([[0.1, 0.3, 0.6], row])
    with pytest.raises(ValueError, match=rf'^each row of y_hat must sum to 1 .* row 1 sums to '
                                         rf'{total}; apply softmax'):
        losses.cross_entropy(y_hat, torch.tensor([0, 2]))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), q=st.integers(1, 300), n=st.integers(1, 8),
       scale=st.floats(0.0, 50.0),
       dtype=st.sampled_from([torch.float16, torch.bfloat16, torch.float32, torch.float64]))
def test_every_softmax_output_is_accepted(seed, q, n, scale, dtype):
    """The sum-to-1 check must never refuse what a softmax gives, rounding and all."""
    o, y = _logits(n, q, seed, scale)
    for p in (F.softmax(o.to(dtype), dim=1), F.softmax(o, dim=1).to(dtype)):
        assert losses.cross_entropy(p, y).shape == (n,)
