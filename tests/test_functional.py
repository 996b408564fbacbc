"""d2lhelpers.functional: softmax, log-softmax, log-sum-exp and one-hot encoding."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from d2lhelpers import functional as fn
from d2lhelpers import log_softmax, logsumexp, one_hot, softmax, softmax_cross_entropy

# Logit arrays of 1 to 3 dimensions (each side 1..6), values anywhere in [-1e4, 1e4].
LOGITS = hnp.arrays(np.float64,
                    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
                    elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False))
# Logits on a grid of halves: distinct values differ by at least 0.5, so argmax is unambiguous.
GRID = hnp.arrays(np.float64,
                  shape=hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8),
                  elements=st.integers(-40, 40).map(lambda k: k / 2))


def _with_dim(draw_array, data):
    X = torch.from_numpy(draw_array)
    dim = data.draw(st.integers(-X.dim(), X.dim() - 1), label='dim')
    return X, dim


# ---------------------------------------------------------------- softmax: examples

def test_softmax_small_example():
    o = torch.tensor([1.0, 2.0, 3.0])
    e = torch.exp(o)
    assert torch.allclose(softmax(o), e / e.sum())


def test_softmax_rows_of_a_matrix():
    O = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    P = softmax(O)
    assert P.shape == O.shape
    assert torch.allclose(P.sum(dim=1), torch.ones(2))
    assert torch.allclose(P[1], torch.full((3,), 1 / 3))


def test_softmax_along_dim_0():
    O = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(softmax(O, dim=0), torch.softmax(O, dim=0))
    assert torch.allclose(softmax(O, dim=0).sum(dim=0), torch.ones(3))


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64, torch.float16])
def test_softmax_is_finite_for_huge_logits(dtype):
    big = 1e4 if dtype != torch.float16 else 6e4
    o = torch.tensor([big, -big, 0.0], dtype=dtype)
    naive = torch.exp(o) / torch.exp(o).sum()
    assert torch.isnan(naive).any()  # the naive formula overflows: inf / inf
    p = softmax(o)
    assert p.dtype == dtype
    assert torch.isfinite(p).all()
    assert torch.equal(p, torch.tensor([1.0, 0.0, 0.0], dtype=dtype))


def test_softmax_of_very_negative_logits_is_not_nan():
    o = torch.tensor([-1e4, -1e4 - 1.0, -1e4 - 2.0])
    assert torch.allclose(softmax(o), torch.softmax(torch.tensor([0.0, -1.0, -2.0]), dim=0))


def test_softmax_keeps_gradients_equal_to_torch():
    o = torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    w = torch.tensor([[1.0, 2.0, 3.0]])
    (softmax(o) * w).sum().backward()
    g_ours = o.grad.clone()
    o.grad = None
    (torch.softmax(o, dim=-1) * w).sum().backward()
    assert torch.allclose(g_ours, o.grad)


def test_minus_infinity_logits_get_probability_zero():
    o = torch.tensor([0.0, -math.inf, 1.0])
    assert torch.allclose(softmax(o), torch.softmax(o, dim=0))
    assert softmax(o)[1] == 0


# ------------------------------------------------------ log_softmax / logsumexp: examples

def test_logsumexp_example_and_keepdim():
    X = torch.tensor([[0.0, math.log(3.0)], [1e4, 1e4]])
    assert torch.allclose(logsumexp(X), torch.tensor([math.log(4.0), 1e4 + math.log(2.0)]))
    assert logsumexp(X, keepdim=True).shape == (2, 1)
    assert logsumexp(X, dim=0).shape == (2,)


def test_log_softmax_is_finite_where_log_of_softmax_is_not():
    o = torch.tensor([1e4, -1e4, 0.0])
    assert torch.isinf(torch.log(softmax(o))).any()  # log(0) = -inf
    ls = log_softmax(o)
    assert torch.isfinite(ls).all()
    assert torch.allclose(ls, torch.tensor([0.0, -2e4, -1e4]))


def test_log_softmax_equals_log_of_softmax_on_moderate_logits():
    o = torch.tensor([[2.0, 1.0, 0.1], [-3.0, 0.0, 3.0]])
    assert torch.allclose(log_softmax(o), torch.log(softmax(o)))


# --------------------------------------------------------------- validation (softmax)

@pytest.mark.parametrize('func', [softmax, log_softmax, logsumexp])
def test_integer_tensor_is_rejected(func):
    with pytest.raises(ValueError, match=r'floating-point.*torch\.int64.*\.float\(\)'):
        func(torch.tensor([1, 2, 3]))


@pytest.mark.parametrize('func', [softmax, log_softmax, logsumexp])
def test_scalar_is_rejected(func):
    with pytest.raises(ValueError, match='at least 1 dimension.*0-d'):
        func(torch.tensor(1.0))


@pytest.mark.parametrize('func', [softmax, log_softmax, logsumexp])
def test_non_tensor_is_rejected(func):
    with pytest.raises(ValueError, match=r'torch\.Tensor.*list.*torch\.tensor'):
        func([1.0, 2.0])


@pytest.mark.parametrize('func', [softmax, log_softmax, logsumexp])
def test_dim_out_of_range_names_the_valid_range(func):
    with pytest.raises(ValueError, match=r'dim=2.*2 dimensions.*-2\.\.1'):
        func(torch.zeros(3, 4), dim=2)


@pytest.mark.parametrize('func', [softmax, log_softmax, logsumexp])
def test_empty_dim_is_rejected(func):
    with pytest.raises(ValueError, match='no entries along dim=1'):
        func(torch.zeros(3, 0), dim=1)


def test_non_integer_dim_is_rejected():
    with pytest.raises(ValueError, match='dim must be an integer'):
        softmax(torch.zeros(3), dim=0.5)


# ------------------------------------------------------------------ one_hot: examples

def test_one_hot_cat_example():
    # 3 classes (cat, dog, chicken); "cat" is class 0 -> (1, 0, 0)
    assert torch.equal(one_hot(torch.tensor([0]), 3), torch.tensor([[1.0, 0.0, 0.0]]))


def test_one_hot_batch_is_float_and_matches_torch():
    y = torch.tensor([2, 0, 1, 2])
    Y = one_hot(y, 3)
    assert Y.dtype == torch.float32
    assert torch.equal(Y, F.one_hot(y, 3).float())


def test_one_hot_accepts_a_list_and_uint8():
    assert torch.equal(one_hot([1, 0], 2), torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert torch.equal(one_hot(torch.tensor([1], dtype=torch.uint8), 2),
                       torch.tensor([[0.0, 1.0]]))


def test_one_hot_empty_batch():
    assert one_hot(torch.zeros(0, dtype=torch.long), 4).shape == (0, 4)


def test_one_hot_dtype_option():
    assert one_hot(torch.tensor([1]), 2, dtype=torch.float64).dtype == torch.float64


# ---------------------------------------------------------------- validation (one_hot)

def test_one_hot_label_too_large_names_the_range():
    with pytest.raises(ValueError, match=r'\[0, 3\).*0\.\.2.*3 at position 1'):
        one_hot(torch.tensor([0, 3, 1]), 3)


def test_one_hot_negative_label_names_the_range():
    with pytest.raises(ValueError, match=r'\[0, 10\).*-1 at position 0'):
        one_hot(torch.tensor([-1, 2]), 10)


def test_one_hot_float_labels_are_rejected():
    with pytest.raises(ValueError, match=r'integer.*torch\.float32.*\.long\(\)'):
        one_hot(torch.tensor([0.0, 1.0]), 2)


def test_one_hot_bool_labels_are_rejected():
    with pytest.raises(ValueError, match='integer'):
        one_hot(torch.tensor([True, False]), 2)


@pytest.mark.parametrize('shape', [(), (2, 3)])
def test_one_hot_needs_1d_labels(shape):
    with pytest.raises(ValueError, match=rf'1-D.*{len(shape)}-D'):
        one_hot(torch.zeros(shape, dtype=torch.long), 3)


@pytest.mark.parametrize('q', [0, -2, 2.5, True])
def test_one_hot_num_classes_must_be_a_positive_int(q):
    with pytest.raises(ValueError,
                       match=r'num_classes must be a positive integer \(1, 2, 3, \.\.\.\)'):
        one_hot(torch.tensor([0]), q)


# --------------------------------------------------------------------- properties

@settings(max_examples=200, deadline=None)
@given(LOGITS, st.data())
def test_prop_softmax_matches_torch_and_is_a_distribution(arr, data):
    X, dim = _with_dim(arr, data)
    P = softmax(X, dim=dim)
    assert torch.isfinite(P).all()
    assert (P >= 0).all() and (P <= 1).all()
    assert torch.allclose(P.sum(dim=dim), torch.ones(()).double().expand_as(P.sum(dim=dim)))
    assert torch.allclose(P, torch.softmax(X, dim=dim), rtol=1e-10, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(LOGITS, st.data())
def test_prop_float32_matches_torch(arr, data):
    X, dim = _with_dim(arr, data)
    X = X.float()
    assert torch.allclose(softmax(X, dim), torch.softmax(X, dim), atol=1e-6)
    assert torch.allclose(log_softmax(X, dim), torch.log_softmax(X, dim), rtol=1e-5, atol=1e-3)
    assert torch.allclose(logsumexp(X, dim), torch.logsumexp(X, dim), rtol=1e-5, atol=1e-3)


@settings(max_examples=200, deadline=None)
@given(LOGITS, st.data())
def test_prop_log_softmax_and_logsumexp_match_torch(arr, data):
    X, dim = _with_dim(arr, data)
    keepdim = data.draw(st.booleans(), label='keepdim')
    assert torch.allclose(log_softmax(X, dim), torch.log_softmax(X, dim),
                          rtol=1e-10, atol=1e-9)
    assert torch.allclose(logsumexp(X, dim, keepdim), torch.logsumexp(X, dim, keepdim),
                          rtol=1e-12, atol=1e-9)
    assert torch.isfinite(log_softmax(X, dim)).all()
    # log_softmax = X - logsumexp, and exp(log_softmax) = softmax
    assert torch.allclose(log_softmax(X, dim), X - logsumexp(X, dim, keepdim=True))
    assert torch.allclose(torch.exp(log_softmax(X, dim)), softmax(X, dim),
                          rtol=1e-9, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(LOGITS, st.floats(-100, 100), st.data())
def test_prop_shift_invariance(arr, c, data):
    X, dim = _with_dim(arr, data)
    assert torch.allclose(softmax(X + c, dim), softmax(X, dim), rtol=1e-8, atol=1e-10)
    assert torch.allclose(logsumexp(X + c, dim), logsumexp(X, dim) + c, rtol=1e-12, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(GRID, st.data())
def test_prop_order_preserving_argmax_equal(arr, data):
    X, dim = _with_dim(arr, data)
    P = softmax(X, dim)
    assert torch.equal(P.argmax(dim), X.argmax(dim))
    # monotone: x_i < x_j implies p_i < p_j, x_i == x_j implies p_i == p_j (pairwise, along dim)
    Xd, Pd = X.movedim(dim, -1), P.movedim(dim, -1)
    dx = Xd.unsqueeze(-1) - Xd.unsqueeze(-2)
    dp = Pd.unsqueeze(-1) - Pd.unsqueeze(-2)
    not_underflowed = (Pd.unsqueeze(-1) > 0) & (Pd.unsqueeze(-2) > 0)
    assert torch.equal(torch.sign(dx)[not_underflowed], torch.sign(dp)[not_underflowed])
    assert (torch.sign(dp) * torch.sign(dx) >= 0).all()


@settings(max_examples=100, deadline=None)
@given(LOGITS, st.data())
def test_prop_finite_at_extremes(arr, data):
    X, dim = _with_dim(arr, data)
    X = torch.where(X >= 0, torch.tensor(1e4, dtype=X.dtype), torch.tensor(-1e4, dtype=X.dtype))
    for dtype in (torch.float32, torch.float64):
        assert torch.isfinite(softmax(X.to(dtype), dim)).all()
        assert torch.isfinite(log_softmax(X.to(dtype), dim)).all()
        assert torch.isfinite(logsumexp(X.to(dtype), dim)).all()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12).flatmap(
    lambda q: st.tuples(st.just(q), st.lists(st.integers(0, q - 1), max_size=20))))
def test_prop_one_hot_matches_torch(q_and_labels):
    q, labels = q_and_labels
    y = torch.tensor(labels, dtype=torch.long)
    Y = one_hot(y, q)
    assert Y.shape == (len(labels), q)
    assert Y.dtype == torch.float32
    assert torch.equal(Y, F.one_hot(y, q).float())
    assert torch.equal(Y.sum(dim=1), torch.ones(len(labels)))
    if labels:
        assert torch.equal(Y.argmax(dim=1), y)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 12), st.lists(st.integers(-50, 50), min_size=1, max_size=10))
def test_prop_one_hot_rejects_exactly_the_labels_out_of_range(q, labels):
    y = torch.tensor(labels)
    if all(0 <= v < q for v in labels):
        assert one_hot(y, q).shape == (len(labels), q)
    else:
        with pytest.raises(ValueError, match=rf'\[0, {q}\)'):
            one_hot(y, q)


def test_module_exports():
    assert set(fn.__all__) == {'softmax', 'log_softmax', 'logsumexp', 'one_hot'}


# ------------------------------------------------------------------ infinite logits: limits
INF = math.inf


def _limit_oracle(X: torch.Tensor, dim: int) -> torch.Tensor:
    """torch.softmax with each +inf replaced by 1e300: exp(0) = 1 for those, 0 for the rest,
    which is the limit of softmax as those logits grow (an oracle independent of ours)."""
    return torch.softmax(torch.where(torch.isposinf(X), torch.tensor(1e300, dtype=X.dtype), X),
                         dim=dim)


@pytest.mark.parametrize('o, expected', [([INF, 0.0], [1.0, 0.0]),
                                         ([INF, INF, 0.0], [0.5, 0.5, 0.0]),
                                         ([INF, -INF, 3.0], [1.0, 0.0, 0.0])])
def test_plus_infinity_logits_share_the_whole_probability(o, expected):
    """Before: softmax([inf, 0]) gave the mixed row [nan, 0]."""
    o = torch.tensor(o, dtype=torch.float64)
    assert torch.equal(softmax(o), torch.tensor(expected, dtype=torch.float64))
    assert torch.equal(softmax(o), _limit_oracle(o, 0))
    assert torch.equal(torch.exp(log_softmax(o)), softmax(o))
    assert logsumexp(o) == INF


def test_plus_infinity_on_the_true_class_costs_nothing():
    o = torch.tensor([[INF, 0.0], [INF, 0.0]])
    assert softmax_cross_entropy(o, torch.tensor([0, 1])).tolist() == [0.0, INF]


def test_a_nan_row_is_nan_throughout_not_mixed():
    P = softmax(torch.tensor([[math.nan, INF, 0.0], [1.0, 2.0, 3.0]]))
    assert torch.isnan(P[0]).all() and torch.isfinite(P[1]).all()
    assert torch.isnan(log_softmax(torch.tensor([math.nan, INF]))).all()


def test_a_row_of_minus_infinities_has_no_distribution():
    assert torch.isnan(softmax(torch.tensor([-INF, -INF]))).all()   # 0 / 0, as torch gives


def test_gradients_stay_finite_next_to_infinite_logits():
    o = torch.tensor([[INF, 0.0, 1.0], [0.5, -1.0, 2.0]], requires_grad=True)
    (softmax(o) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert torch.isfinite(o.grad).all()
    assert torch.equal(o.grad[0], torch.zeros(3))          # the limit does not move
    o2 = torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    (torch.softmax(o2, dim=-1) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert torch.allclose(o.grad[1], o2.grad[0])


# Logits with some entries +inf or -inf (about one in five each), the rest in [-50, 50].
WITH_INF = hnp.arrays(np.float64,
                      shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
                      elements=st.one_of(st.floats(-50, 50), st.just(INF), st.just(-INF),
                                         st.floats(-50, 50)))


@settings(max_examples=100, deadline=None)
@given(WITH_INF, st.data())
def test_prop_infinite_logits_give_the_limit(arr, data):
    X, dim = _with_dim(arr, data)
    P = softmax(X, dim)
    defined = ~torch.isneginf(X).all(dim=dim, keepdim=True).expand_as(X)
    assert torch.allclose(P[defined], _limit_oracle(X, dim)[defined], rtol=1e-12, atol=1e-15)
    assert torch.allclose(P.sum(dim=dim)[defined.all(dim=dim)],
                          torch.ones((), dtype=X.dtype))
    assert torch.allclose(torch.exp(log_softmax(X, dim))[defined], P[defined],
                          rtol=1e-9, atol=1e-12)
    assert not torch.isnan(P[defined]).any()
