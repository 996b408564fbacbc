"""Labels of every integer dtype give the int64 answer in every function that takes labels.

Before (issue 25): uint8 labels were taken as a boolean mask by ``cross_entropy`` (an
``IndexError`` from torch, or other losses), int8 predictions wrapped in ``accuracy``, and a
0-d bool tensor passed as a class index. Bool and float labels are refused by the one shared
check, :func:`d2lhelpers.validation.class_indices`, with the argument, the dtype and a remedy.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import d2lhelpers as d
from d2lhelpers import validation
from d2lhelpers.exercises import TASKS
from d2lhelpers.exercises.records import Case

INT_DTYPES = [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64]


@st.composite
def problems(draw):
    """(logits [n, q], int64 labels that fit every integer dtype, q)."""
    q = draw(st.sampled_from([1, 2, 3, 10, 130, 300]))
    n = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**16))
    g = torch.Generator().manual_seed(seed)
    top = min(q, 128)                          # every label fits int8 as well
    y = torch.randint(0, top, (n,), generator=g)
    logits = torch.randn(n, q, generator=g, dtype=torch.float64) * 3
    return logits, y, q


def _loader(X, y, size=4):
    return [(X[i:i + size], y[i:i + size]) for i in range(0, len(y), size)]


def _answers(logits, y, q):
    """Every public function taking labels, on these labels (a dict of comparable values)."""
    P = torch.softmax(logits, dim=1)
    out = {
        'cross_entropy': d.cross_entropy(P, y),
        'softmax_cross_entropy': d.softmax_cross_entropy(logits, y),
        'accuracy': d.accuracy(logits, y),
        'evaluate_accuracy': d.evaluate_accuracy(lambda X: X, _loader(logits, y)),
        'one_hot': d.one_hot(y, q),
    }
    images, trues, preds = d.predictions(lambda X: X, _loader(logits, y), n=len(y))
    out['predictions'] = (trues, preds)
    if q >= 10:
        out['labels'] = d.get_fashion_mnist_labels(y % 10)
        out['labels_zh'] = d.get_fashion_mnist_labels(y % 10, chinese=True)
    return out


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and b.dtype == a.dtype and torch.equal(a, b)
    if isinstance(a, tuple):
        return all(_same(x, z) for x, z in zip(a, b))
    return a == b


@settings(max_examples=25, deadline=None)
@given(problems())
def test_every_integer_dtype_gives_the_int64_answer(problem):
    logits, y, q = problem
    want = _answers(logits, y, q)
    for dtype in INT_DTYPES:
        got = _answers(logits, y.to(dtype), q)
        for key in want:
            assert _same(want[key], got[key]), (dtype, key)


@pytest.mark.parametrize('dtype', INT_DTYPES)
def test_uint8_is_not_a_mask_and_int8_does_not_wrap(dtype):
    P = torch.tensor([[0.2, 0.8], [0.6, 0.4]])
    y = torch.tensor([1, 1], dtype=dtype)     # as a uint8 mask this would pick whole rows
    assert torch.allclose(d.cross_entropy(P, y), -torch.log(torch.tensor([0.8, 0.4])))
    # predicted class 300 is not label 44, even where 300 does not fit the labels' dtype
    assert d.accuracy(torch.tensor([300, 44]), torch.tensor([44, 44], dtype=dtype)) == 1.0


@pytest.mark.parametrize('make', [list, tuple, lambda y: y.numpy(),
                                  lambda y: y.numpy().astype(np.uint8),
                                  lambda y: y.numpy().astype(np.int16)])
def test_sequences_where_accepted_give_the_int64_answer(make):
    y = torch.tensor([0, 9, 3, 3])
    assert torch.equal(d.one_hot(make(y.tolist() if make in (list, tuple) else y), 10),
                       d.one_hot(y, 10))
    assert d.get_fashion_mnist_labels(make(y.tolist() if make in (list, tuple) else y)) == \
        d.get_fashion_mnist_labels(y)


BAD = [torch.tensor([True, False]), torch.tensor([1.0, 0.0]), torch.tensor([1.0, 0.0]).double(),
       np.array([True, False]), np.array([1.0, 0.0])]


def _calls():
    P = torch.tensor([[0.3, 0.7], [0.5, 0.5]])
    return {
        'cross_entropy': (lambda y: d.cross_entropy(P, y), 'labels y', True),
        'softmax_cross_entropy': (lambda y: d.softmax_cross_entropy(P, y), 'labels y', True),
        'accuracy': (lambda y: d.accuracy(P, y), 'labels y', True),
        'evaluate_accuracy': (lambda y: d.evaluate_accuracy(lambda X: X, [(P, y)]), 'labels y',
                              True),
        'predictions': (lambda y: d.predictions(lambda X: X, [(P, y)]), 'labels y of data_iter',
                        False),
        'one_hot': (lambda y: d.one_hot(y, 2), 'labels y of one_hot', False),
        'get_fashion_mnist_labels': (d.get_fashion_mnist_labels,
                                     'labels of get_fashion_mnist_labels', False),
    }


@pytest.mark.parametrize('name', list(_calls()))
@pytest.mark.parametrize('bad', BAD, ids=['bool', 'float32', 'float64', 'np-bool', 'np-float'])
def test_bool_and_float_labels_are_refused_with_argument_dtype_and_remedy(name, bad):
    call, argument, tensors_only = _calls()[name]
    if tensors_only and isinstance(bad, np.ndarray):
        with pytest.raises(ValueError, match='must be a torch.Tensor'):
            call(bad)
        return
    with pytest.raises(ValueError) as err:
        call(bad)
    message = str(err.value)
    assert argument in message and 'must be integer class indices' in message
    assert f'got dtype {bad.dtype}' in message and '; pass ' in message


def test_a_0d_bool_tensor_is_not_a_class_index():
    """Before: ``operator.index(torch.tensor(True))`` is 1: 'trouser'."""
    with pytest.raises(ValueError, match='integer class index'):
        d.get_fashion_mnist_labels([torch.tensor(True)])
    with pytest.raises(ValueError, match='integer'):
        validation.integer(torch.tensor(True), 'n')


def test_the_shared_check_returns_int64_on_the_same_device():
    for dtype in INT_DTYPES:
        y = validation.class_indices(torch.tensor([3, 1], dtype=dtype), 'y', 4)
        assert y.dtype == torch.int64 and y.tolist() == [3, 1]
    assert validation.class_indices([], 'y').dtype == torch.int64
    with pytest.raises(ValueError, match=r'^y must lie in \[0, 4\) for 4 classes'):
        validation.class_indices(torch.tensor([4], dtype=torch.uint8), 'y', 4)


LABEL_TASKS = ['accuracy', 'cross_entropy', 'one_hot']


def test_the_label_tasks_declare_their_labels():
    assert sorted(name for name, t in TASKS.items() if getattr(t, 'labels', ())) == LABEL_TASKS


@pytest.mark.parametrize('name', LABEL_TASKS)
@pytest.mark.parametrize('dtype', INT_DTYPES)
def test_the_checker_gives_the_int64_verdict_for_cases_of_every_integer_dtype(name, dtype):
    """The cases' labels reach the reference and the learner as int64, whatever their dtype."""
    t = TASKS[name]
    i = t.params.index('y')
    solution = t.solution_function()
    for case in t.cases[:6]:
        args = list(case.fresh())
        args[i] = args[i].to(dtype)
        other = Case(case.label, tuple(args))
        assert _same_value(t.expected(other).value, t.expected(case).value)
        got = t.call(solution, other)
        assert got.error is None and t.judge(got, t.expected(case), case) is None


def _same_value(a, b):
    return torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b


@pytest.mark.parametrize('name', LABEL_TASKS)
def test_a_case_with_float_labels_is_refused_naming_the_task_and_case(name):
    t = TASKS[name]
    i = t.params.index('y')
    args = list(t.cases[0].fresh())
    args[i] = args[i].float()
    with pytest.raises(ValueError, match=rf'练习 {name} 的用例「.*」的参数 y 不是类别下标'):
        t.expected(Case('float', tuple(args)))
