"""Hostile and clumsy learner functions against the exercise checker (issue 18, section 1).

    PYTHONPATH=. OMP_NUM_THREADS=1 .venv/bin/python tests/probe_exercises.py [-v]

Each probe is a function a learner could write, with the verdict a careful teacher would give
(pass / fail) and, for a known mistake, the hint that fits it. Every probe runs through
``task(name).diagnose(fn)`` and is classified:

- clear: right verdict, and the hint expected (or no hint where none is expected);
- weak: right verdict, but the expected hint is missing, the learner's printing reached the
  notebook (> 2,000 characters), or the check took more than 10 s;
- wrong: wrong verdict, a misleading hint, "not answered" for an answer, or the check left the
  notebook changed (torch / d2lhelpers functions replaced, RNG state, default dtype, grad mode);
- crash: the checker itself raised, or did not return within 30 s.

Not a pytest file (its name does not start with ``test_``): it also runs against an older
``d2lhelpers`` (``PYTHONPATH=/old/tree``) to count before/after. ``tests/test_exercises.py``
holds the regression tests.
"""
from __future__ import annotations

import io
import signal
import sys
import time
from collections import Counter
from contextlib import redirect_stdout
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

import d2lhelpers
from d2lhelpers.exercises import task

torch.set_num_threads(1)


@dataclass
class Probe:
    task: str
    name: str
    fn: object
    verdict: str                       # 'pass' or 'fail'
    hint: str | None = None            # the hint key expected, if a specific one
    ok: set = field(default_factory=set)   # other hint keys that are also right
    not_kind: str | None = None        # a report kind that would be misleading


P: list[Probe] = []


def probe(task_name, verdict, hint=None, ok=(), not_kind=None):
    def deco(fn):
        P.append(Probe(task_name, fn.__name__, fn, verdict, hint, set(ok), not_kind))
        return fn
    return deco


def add(task_name, name, fn, verdict, hint=None, ok=(), not_kind=None):
    fn.__name__ = name
    P.append(Probe(task_name, name, fn, verdict, hint, set(ok), not_kind))


# ----- one_hot ------------------------------------------------------------------------------
add('one_hot', 'F_one_hot_float', lambda y, q: F.one_hot(y, q).float(), 'pass')
add('one_hot', 'eye_index', lambda y, q: torch.eye(q)[y], 'pass')
add('one_hot', 'arange_eq_double', lambda y, q: (y[:, None] == torch.arange(q)).double(), 'pass')


@probe('one_hot', 'pass')
def one_hot_loop(y, q):
    Y = torch.zeros(len(y), q)
    for i in range(len(y)):
        Y[i, y[i]] = 1
    return Y


add('one_hot', 'int_dtype', lambda y, q: F.one_hot(y, q), 'fail', 'int_dtype')
add('one_hot', 'width_from_labels', lambda y, q: F.one_hot(y).float(), 'fail', 'width_from_labels')


@probe('one_hot', 'fail', 'transposed')
def one_hot_transposed(y, q):
    Y = torch.zeros(q, len(y))
    Y[y, range(len(y))] = 1
    return Y


add('one_hot', 'one_based', lambda y, q: F.one_hot((y - 1) % q, q).float(), 'fail', 'one_based')
add('one_hot', 'list_of_lists', lambda y, q: [[float(j == int(c)) for j in range(q)] for c in y],
    'fail')
add('one_hot', 'numpy', lambda y, q: np.eye(q)[y.numpy()], 'fail')


@probe('one_hot', 'fail')
def one_hot_at_most_10_classes(y, q):
    Y = torch.zeros(len(y), min(q, 10))
    Y[range(len(y)), y.clamp(max=9)] = 1
    return Y


@probe('one_hot', 'fail')
def one_hot_first_9_rows(y, q):
    Y = torch.zeros(len(y), q)
    n = min(len(y), 9)
    Y[range(n), y[:n]] = 1
    return Y


@probe('one_hot', 'fail', not_kind='unanswered')
def one_hot_return_none(y, q):
    return None


# ----- softmax ------------------------------------------------------------------------------
add('softmax', 'torch_softmax', lambda O: torch.softmax(O, dim=1), 'pass')
add('softmax', 'torch_softmax_last', lambda O: torch.softmax(O, dim=-1), 'pass')
add('softmax', 'exp_over_sum', lambda O: torch.exp(O) / torch.exp(O).sum(1, keepdim=True), 'pass')
add('softmax', 'stable', lambda O: torch.softmax(O - O.max(1, keepdim=True).values, 1), 'pass')
add('softmax', 'mean_shift', lambda O: torch.softmax(O - O.mean(1, keepdim=True), 1), 'pass')
add('softmax', 'dim0', lambda O: torch.exp(O) / torch.exp(O).sum(0, keepdim=True), 'fail',
    'wrong_dim')
add('softmax', 'no_keepdim', lambda O: torch.exp(O) / torch.exp(O).sum(1), 'fail', 'no_keepdim')
add('softmax', 'whole_sum', lambda O: torch.exp(O) / torch.exp(O).sum(), 'fail', 'whole_sum')
add('softmax', 'no_exp', lambda O: O / O.sum(dim=1, keepdim=True), 'fail', 'no_exp')
add('softmax', 'no_normalise', lambda O: torch.exp(O), 'fail', 'no_normalise')
add('softmax', 'numpy', lambda O: np.exp(O.numpy()) / np.exp(O.numpy()).sum(1, keepdims=True),
    'fail')
add('softmax', 'float32_always', lambda O: torch.softmax(O.float(), 1), 'fail')


@probe('softmax', 'fail')
def softmax_first_10_columns(O):
    E = torch.exp(O[:, :10])
    return E / E.sum(dim=1, keepdim=True)


@probe('softmax', 'fail')
def softmax_first_9_rows(O):
    E = torch.exp(O[:9])
    return E / E.sum(dim=1, keepdim=True)


@probe('softmax', 'fail')
def softmax_uniform_by_patching_exp(O):
    torch.exp = lambda x: torch.ones_like(x)             # a learner's "trick"
    E = torch.exp(O)
    return E / E.sum(dim=1, keepdim=True)


@probe('softmax', 'fail')
def softmax_patching_d2lhelpers(O):
    d2lhelpers.softmax = lambda X: torch.ones_like(X) / X.shape[1]
    d2lhelpers.functional.softmax = d2lhelpers.softmax
    return torch.ones_like(O) / O.shape[1]


@probe('softmax', 'fail')
def softmax_patching_tensor_sum(O):
    torch.Tensor.sum = lambda self, *a, **k: torch.ones(())
    return torch.exp(O)


@probe('softmax', 'pass')
def softmax_seeding_inside(O):
    torch.manual_seed(0)
    return torch.softmax(O, dim=1)


@probe('softmax', 'pass')
def softmax_drawing_random_numbers(O):
    torch.rand(3)
    return torch.softmax(O, dim=1)


@probe('softmax', 'pass')
def softmax_setting_default_dtype(O):
    torch.set_default_dtype(torch.float64)
    return torch.softmax(O, dim=1)


@probe('softmax', 'pass')
def softmax_turning_grad_off(O):
    torch.set_grad_enabled(False)
    return torch.softmax(O, dim=1)


@probe('softmax', 'pass')
def softmax_printing_a_lot(O):
    for row in range(200):
        print('debug', row, O.shape)
    return torch.softmax(O, dim=1)


@probe('softmax', 'fail')
def softmax_infinite_loop(O):
    while True:
        pass


@probe('softmax', 'fail')
def softmax_very_slow(O):
    time.sleep(6)
    return torch.softmax(O, dim=1)


add('softmax', 'meta_device', lambda O: torch.empty_like(O, device='meta'), 'fail')
add('softmax', 'in_place', lambda O: O.exp_() / O.sum(1, keepdim=True), 'fail')


@probe('softmax', 'fail', not_kind='unanswered')
def softmax_return_none(O):
    return None


# ----- stable softmax -----------------------------------------------------------------------
add('stable_softmax', 'torch_softmax', lambda O: torch.softmax(O, dim=1), 'pass')
add('stable_softmax', 'via_logsumexp',
    lambda O: torch.exp(O - torch.logsumexp(O, dim=1, keepdim=True)), 'pass')


@probe('stable_softmax', 'pass')
def stable_by_the_book(O):
    E = torch.exp(O - O.max(dim=1, keepdim=True).values)
    return E / E.sum(dim=1, keepdim=True)


add('stable_softmax', 'no_shift', lambda O: torch.exp(O) / torch.exp(O).sum(1, keepdim=True),
    'fail', 'no_max_shift')


@probe('stable_softmax', 'fail', 'global_max')
def stable_global_max(O):
    E = torch.exp(O - O.max())
    return E / E.sum(dim=1, keepdim=True)


@probe('stable_softmax', 'fail', 'max_namedtuple')
def stable_namedtuple(O):
    E = torch.exp(O - O.max(dim=1, keepdim=True))
    return E / E.sum(dim=1, keepdim=True)


@probe('stable_softmax', 'fail', 'max_no_keepdim')
def stable_max_no_keepdim(O):
    E = torch.exp(O - O.max(dim=1).values)
    return E / E.sum(dim=1, keepdim=True)


@probe('stable_softmax', 'fail', 'wrong_dim')
def stable_dim0(O):
    O = O - O.max(dim=1, keepdim=True).values
    return torch.exp(O) / torch.exp(O).sum(dim=0, keepdim=True)


@probe('stable_softmax', 'fail', 'subtract_min')
def stable_subtract_min(O):
    E = torch.exp(O - O.min(dim=1, keepdim=True).values)
    return E / E.sum(dim=1, keepdim=True)


@probe('stable_softmax', 'fail', 'subtract_mean')
def stable_subtract_mean(O):
    E = torch.exp(O - O.mean(dim=1, keepdim=True))
    return E / E.sum(dim=1, keepdim=True)


@probe('stable_softmax', 'fail', 'add_max')
def stable_add_max(O):
    E = torch.exp(O + O.max(dim=1, keepdim=True).values)
    return E / E.sum(dim=1, keepdim=True)


@probe('stable_softmax', 'fail')
def stable_clamped(O):
    E = torch.exp(O.clamp(-80, 80))
    return E / E.sum(dim=1, keepdim=True)


@probe('stable_softmax', 'fail')
def stable_in_place(O):
    O -= O.max(dim=1, keepdim=True).values
    E = torch.exp(O)
    return E / E.sum(dim=1, keepdim=True)


@probe('stable_softmax', 'fail')
def stable_first_10_columns(O):
    O = O[:, :10]
    return torch.softmax(O, dim=1)


@probe('stable_softmax', 'fail', 'overflow', ok={'no_max_shift'})
def stable_inf_on_large(O):
    return torch.where(O > 500, torch.inf, torch.softmax(O, dim=1))


# ----- l2 loss ------------------------------------------------------------------------------
add('l2_loss', 'half_square', lambda y_hat, y: 0.5 * (y - y_hat) ** 2, 'pass')
add('l2_loss', 'mse_none', lambda y_hat, y: F.mse_loss(y_hat, y, reduction='none') / 2, 'pass')
add('l2_loss', 'square_fn', lambda y_hat, y: torch.square(y_hat - y) / 2, 'pass')
add('l2_loss', 'no_half', lambda y_hat, y: (y_hat - y) ** 2, 'fail', 'no_half')
add('l2_loss', 'mean', lambda y_hat, y: ((y_hat - y) ** 2 / 2).mean(), 'fail', 'reduced_mean')
add('l2_loss', 'sum', lambda y_hat, y: ((y_hat - y) ** 2 / 2).sum(), 'fail', 'reduced_sum')
add('l2_loss', 'abs', lambda y_hat, y: (y_hat - y).abs() / 2, 'fail', 'abs_not_square')
add('l2_loss', 'third', lambda y_hat, y: (y_hat - y) ** 2 / 3, 'fail')
add('l2_loss', 'flattened', lambda y_hat, y: ((y_hat - y) ** 2 / 2).reshape(-1), 'fail')
add('l2_loss', 'python_float', lambda y_hat, y: float(((y_hat - y) ** 2 / 2).sum()), 'fail',
    ok={'reduced_sum'})

# ----- huber loss ---------------------------------------------------------------------------
add('huber_loss', 'F_huber', lambda y_hat, y, delta=1.0:
    F.huber_loss(y_hat, y, reduction='none', delta=delta), 'pass')


@probe('huber_loss', 'pass')
def huber_where(y_hat, y, delta=1.0):
    e = y - y_hat
    return torch.where(e.abs() <= delta, e ** 2 / 2, delta * (e.abs() - delta / 2))


@probe('huber_loss', 'pass')
def huber_strict_less(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e < delta, e ** 2 / 2, delta * (e - delta / 2))


@probe('huber_loss', 'fail', 'no_half_delta_term')
def huber_no_half_delta(y_hat, y, delta=1.0):
    e = y - y_hat
    return torch.where(e.abs() <= delta, 0.5 * e ** 2, delta * e.abs())


@probe('huber_loss', 'fail', 'delta_wrong_branch')
def huber_smooth_l1(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e < delta, 0.5 * e ** 2 / delta, e - 0.5 * delta)


@probe('huber_loss', 'fail', 'linear_missing_delta')
def huber_linear_without_delta(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e <= delta, e ** 2 / 2, e - delta / 2)


@probe('huber_loss', 'fail', 'branches_swapped')
def huber_swapped(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e > delta, e ** 2 / 2, delta * (e - delta / 2))


@probe('huber_loss', 'fail', 'ignores_delta')
def huber_delta_fixed(y_hat, y, delta=1.0):
    e = (y - y_hat).abs()
    return torch.where(e <= 1, e ** 2 / 2, e - 0.5)


@probe('huber_loss', 'fail', 'python_if')
def huber_python_if(y_hat, y, delta=1.0):
    e = y - y_hat
    if e.abs() <= delta:
        return e ** 2 / 2
    return delta * (e.abs() - delta / 2)


add('huber_loss', 'mean', lambda y_hat, y, delta=1.0:
    F.huber_loss(y_hat, y, delta=delta), 'fail', 'reduced')
add('huber_loss', 'no_half_quadratic', lambda y_hat, y, delta=1.0: torch.where(
    (y - y_hat).abs() <= delta, (y - y_hat) ** 2, delta * ((y - y_hat).abs() - delta / 2)),
    'fail', 'no_half_quadratic')


@probe('huber_loss', 'fail')
def huber_two_args(y_hat, y):
    return (y_hat - y) ** 2 / 2


# ----- huber grad ---------------------------------------------------------------------------
add('huber_grad', 'clamp', lambda y_hat, y, delta=1.0: torch.clamp(y_hat - y, -delta, delta),
    'pass')


@probe('huber_grad', 'pass')
def huber_grad_where(y_hat, y, delta=1.0):
    d = y_hat - y
    return torch.where(d.abs() <= delta, d, delta * torch.sign(d))


add('huber_grad', 'flipped', lambda y_hat, y, delta=1.0: torch.clamp(y - y_hat, -delta, delta),
    'fail', 'sign_flipped')


@probe('huber_grad', 'fail', 'linear_no_sign')
def huber_grad_no_sign(y_hat, y, delta=1.0):
    d = y_hat - y
    return torch.where(d.abs() <= delta, d, torch.full_like(d, delta))


@probe('huber_grad', 'fail', 'linear_missing_delta')
def huber_grad_sign_only(y_hat, y, delta=1.0):
    d = y_hat - y
    return torch.where(d.abs() <= delta, d, torch.sign(d))


add('huber_grad', 'no_clip', lambda y_hat, y, delta=1.0: y_hat - y, 'fail', 'no_clip')
add('huber_grad', 'ignores_delta', lambda y_hat, y, delta=1.0: torch.clamp(y_hat - y, -1, 1),
    'fail', 'ignores_delta')


@probe('huber_grad', 'fail', 'smooth_l1_grad')
def huber_grad_smooth_l1(y_hat, y, delta=1.0):
    d = y_hat - y
    return torch.where(d.abs() <= delta, d / delta, torch.sign(d))


@probe('huber_grad', 'fail', 'loss_not_grad')
def huber_grad_returns_loss(y_hat, y, delta=1.0):
    e = y - y_hat
    return torch.where(e.abs() <= delta, e ** 2 / 2, delta * (e.abs() - delta / 2))


@probe('huber_grad', 'fail', 'python_if')
def huber_grad_python_if(y_hat, y, delta=1.0):
    d = y_hat - y
    if d.abs() <= delta:
        return d
    return delta * torch.sign(d)


# ----- cross-entropy ------------------------------------------------------------------------
add('cross_entropy', 'nll', lambda y_hat, y: F.nll_loss(torch.log(y_hat), y, reduction='none'),
    'pass')
add('cross_entropy', 'gather', lambda y_hat, y: -torch.log(y_hat.gather(1, y[:, None])).squeeze(1),
    'pass')
add('cross_entropy', 'fancy', lambda y_hat, y: -torch.log(y_hat[range(len(y)), y]), 'pass')
add('cross_entropy', 'column_index', lambda y_hat, y: -torch.log(y_hat[:, y]), 'fail',
    'column_index')
add('cross_entropy', 'row_index', lambda y_hat, y: -torch.log(y_hat[y]), 'fail', 'row_index')
add('cross_entropy', 'row_sum', lambda y_hat, y: -torch.log(y_hat.sum(dim=1)), 'fail',
    'log_row_sum')
add('cross_entropy', 'all_classes', lambda y_hat, y: -torch.log(y_hat).sum(dim=1), 'fail',
    'all_classes')
add('cross_entropy', 'keepdim', lambda y_hat, y: -torch.log(y_hat.gather(1, y[:, None])), 'fail',
    'keepdim_shape')
add('cross_entropy', 'no_minus', lambda y_hat, y: torch.log(y_hat[range(len(y)), y]), 'fail',
    'no_minus')
add('cross_entropy', 'mean', lambda y_hat, y: -torch.log(y_hat[range(len(y)), y]).mean(), 'fail',
    'reduced_mean')
add('cross_entropy', 'sum', lambda y_hat, y: -torch.log(y_hat[range(len(y)), y]).sum(), 'fail',
    'reduced_sum')
add('cross_entropy', 'log10', lambda y_hat, y: -torch.log10(y_hat[range(len(y)), y]), 'fail',
    'log_base', ok={'log2'})
add('cross_entropy', 'log2', lambda y_hat, y: -torch.log2(y_hat[range(len(y)), y]), 'fail',
    'log2', ok={'log_base'})


@probe('cross_entropy', 'fail', 'one_hot_product')
def ce_one_hot(y_hat, y):
    Y = torch.zeros_like(y_hat)
    Y[range(len(y)), y] = 1
    return -(Y * torch.log(y_hat)).sum(dim=1)


@probe('cross_entropy', 'fail')
def ce_first_9_rows(y_hat, y):
    n = min(len(y), 9)
    return torch.cat([-torch.log(y_hat[range(n), y[:n]]), torch.zeros(len(y) - n)])


@probe('cross_entropy', 'pass')
def ce_loop(y_hat, y):
    return torch.stack([-torch.log(y_hat[i, y[i]]) for i in range(len(y))])


# ----- log-sum-exp --------------------------------------------------------------------------
add('log_sum_exp', 'torch_lse', lambda O: torch.logsumexp(O, dim=1), 'pass')


@probe('log_sum_exp', 'pass')
def lse_by_the_book(O):
    c = O.max(dim=1, keepdim=True).values
    return (c + torch.log(torch.exp(O - c).sum(dim=1, keepdim=True))).squeeze(1)


add('log_sum_exp', 'no_shift', lambda O: torch.log(torch.exp(O).sum(dim=1)), 'fail', 'no_shift')


@probe('log_sum_exp', 'fail', 'shift_not_added_back')
def lse_not_added_back(O):
    c = O.max(dim=1, keepdim=True).values
    return torch.log(torch.exp(O - c).sum(dim=1))


@probe('log_sum_exp', 'fail', 'global_max')
def lse_global_max(O):
    c = O.max()
    return c + torch.log(torch.exp(O - c).sum(dim=1))


@probe('log_sum_exp', 'fail', 'keepdim_shape')
def lse_keepdim(O):
    c = O.max(dim=1, keepdim=True).values
    return c + torch.log(torch.exp(O - c).sum(dim=1, keepdim=True))


add('log_sum_exp', 'dim0', lambda O: torch.logsumexp(O, dim=0), 'fail', 'wrong_dim')
add('log_sum_exp', 'no_log', lambda O: torch.exp(O).sum(dim=1), 'fail', 'no_log')
add('log_sum_exp', 'max_only', lambda O: O.max(dim=1).values, 'fail')


@probe('log_sum_exp', 'fail')
def lse_first_10_columns(O):
    return torch.logsumexp(O[:, :10], dim=1)


# ----- float_images -------------------------------------------------------------------------
add('float_images', 'unsqueeze_true_divide', lambda images: images.unsqueeze(1) / 255, 'pass')
add('float_images', 'none_index_div', lambda images: images[:, None].float().div(255), 'pass')
add('float_images', 'reshape_from_shape',
    lambda images: images.reshape(images.shape[0], 1, *images.shape[1:]).float() / 255, 'pass')
add('float_images', 'no_scale', lambda images: images.unsqueeze(1).float(), 'fail', 'no_scale')
add('float_images', 'floor_divide', lambda images: (images // 255).unsqueeze(1).float(), 'fail',
    'floor_divide')
add('float_images', 'batch_max', lambda images: images.unsqueeze(1).float() / images.max(), 'fail',
    'batch_max')
add('float_images', 'by_256', lambda images: images.unsqueeze(1).float() / 256, 'fail', 'by_256')
add('float_images', 'no_channel', lambda images: images.float() / 255, 'fail', 'no_channel')
add('float_images', 'channel_last', lambda images: images.unsqueeze(-1).float() / 255, 'fail',
    'channel_last')
add('float_images', 'float64', lambda images: images.unsqueeze(1).double() / 255, 'fail', 'float64')
add('float_images', 'fixed_28', lambda images: images.reshape(-1, 1, 28, 28).float() / 255, 'fail',
    'fixed_size')
add('float_images', 'stays_uint8', lambda images: images.unsqueeze(1), 'fail')


# ----- accuracy -----------------------------------------------------------------------------
add('accuracy', 'zero_d_tensor', lambda y_hat, y: (y_hat.argmax(dim=1) == y).sum(), 'pass')
add('accuracy', 'int', lambda y_hat, y: int((y_hat.argmax(dim=-1) == y).sum()), 'pass')
add('accuracy', 'max_indices', lambda y_hat, y: float((y_hat.max(dim=1).indices == y).sum()),
    'pass')
add('accuracy', 'numpy_number', lambda y_hat, y: np.float64((y_hat.argmax(1) == y).sum()), 'pass')


@probe('accuracy', 'pass')
def acc_loop(y_hat, y):
    n = 0
    for row, label in zip(y_hat, y):
        n += int(row.argmax()) == int(label)
    return float(n)


@probe('accuracy', 'fail', 'argmax_batch_axis')
def acc_batch_axis(y_hat, y):
    return float((y_hat.argmax(axis=0).type(y.dtype) == y).sum())


add('accuracy', 'fraction', lambda y_hat, y: float((y_hat.argmax(1) == y).float().mean()), 'fail',
    'fraction')
add('accuracy', 'no_argmax', lambda y_hat, y: float((y_hat == y).sum()), 'fail', 'no_argmax')
add('accuracy', 'not_summed', lambda y_hat, y: y_hat.argmax(dim=1) == y, 'fail', 'not_summed')
add('accuracy', 'count_wrong', lambda y_hat, y: float((y_hat.argmax(1) != y).sum()), 'fail',
    'count_wrong')
add('accuracy', 'argmin', lambda y_hat, y: float((y_hat.argmin(1) == y).sum()), 'fail', 'argmin')
add('accuracy', 'python_bool', lambda y_hat, y: True, 'fail')
add('accuracy', 'all_correct_bool', lambda y_hat, y: bool((y_hat.argmax(1) == y).all()), 'fail')


@probe('accuracy', 'fail', 'ties_counted')
def acc_counting_ties(y_hat, y):
    best = y_hat.max(dim=1, keepdim=True).values
    return float((y_hat == best)[range(len(y)), y].sum())


@probe('accuracy', 'fail')
def acc_first_10_rows(y_hat, y):
    return float((y_hat[:10].argmax(1) == y[:10]).sum())


add('accuracy', 'off_by_one', lambda y_hat, y: float((y_hat.argmax(1) == y).sum()) + 1, 'fail')


@probe('accuracy', 'fail', not_kind='unanswered')
def acc_return_none(y_hat, y):
    return None


# ----- sgd ----------------------------------------------------------------------------------
@probe('sgd', 'pass')
def sgd_by_the_book(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


@probe('sgd', 'pass')
def sgd_add(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-lr / batch_size)
            p.grad.zero_()


@probe('sgd', 'pass')
def sgd_data_and_grad_none(params, lr, batch_size):
    for p in params:
        p.data.sub_(lr * p.grad / batch_size)
        p.grad = None


@probe('sgd', 'pass')
def sgd_assign_data(params, lr, batch_size):
    for p in params:
        p.data = p.data - lr * p.grad / batch_size
        p.grad.zero_()


@probe('sgd', 'pass')
def sgd_copy(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p.copy_(p - lr * p.grad / batch_size)
            p.grad = torch.zeros_like(p)


@probe('sgd', 'pass')
def sgd_then_clears_the_list(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad.zero_()
    params.clear()


@probe('sgd', 'fail', 'rebind_slots')
def sgd_rebinding_list_slots(params, lr, batch_size):
    for i, p in enumerate(params):
        params[i] = (p - lr * p.grad / batch_size).detach().requires_grad_()


@probe('sgd', 'fail', 'rebind')
def sgd_rebind(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param = param - lr * param.grad / batch_size
            param.grad.zero_()


@probe('sgd', 'fail', 'no_batch_divide')
def sgd_no_batch_size(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()


@probe('sgd', 'fail', 'times_batch_size')
def sgd_times_batch_size(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad * batch_size
            param.grad.zero_()


@probe('sgd', 'fail', 'ascent')
def sgd_plus(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param += lr * param.grad / batch_size
            param.grad.zero_()


@probe('sgd', 'fail', 'no_zero_grad')
def sgd_no_zero(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size


@probe('sgd', 'fail', 'zero_before_update')
def sgd_zero_first(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param.grad.zero_()
            param -= lr * param.grad / batch_size


@probe('sgd', 'fail', 'first_only')
def sgd_return_in_loop(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
            return


@probe('sgd', 'fail', 'fixed_params')
def sgd_two_params(params, lr, batch_size):
    W, b = params
    with torch.no_grad():
        W -= lr * W.grad / batch_size
        b -= lr * b.grad / batch_size
        W.grad.zero_()
        b.grad.zero_()


@probe('sgd', 'fail', 'no_torch_no_grad')
def sgd_no_no_grad(params, lr, batch_size):
    for param in params:
        param -= lr * param.grad / batch_size
        param.grad.zero_()


@probe('sgd', 'fail')
def sgd_turns_off_requires_grad(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
            param.requires_grad_(False)


@probe('sgd', 'pass')
def sgd_seeding_inside(params, lr, batch_size):
    torch.manual_seed(1)
    sgd_by_the_book(params, lr, batch_size)


@probe('sgd', 'fail')
def sgd_infinite_loop(params, lr, batch_size):
    while True:
        pass


@probe('sgd', 'fail', ok={'rebind'}, not_kind='unanswered')   # its hint starts "参数和梯度都原封未动"
def sgd_explicit_return_none(params, lr, batch_size):
    return None


# ----- the runner ---------------------------------------------------------------------------

class Hang(BaseException):
    """Raised by the runner's own alarm: the checker did not return in time."""


def _on_alarm(signum, frame):
    raise Hang()


def state():
    """What a check must leave as it found it."""
    return {
        'torch.exp': torch.exp, 'torch.softmax': torch.softmax, 'torch.log': torch.log,
        'Tensor.sum': torch.Tensor.sum, 'd2lhelpers.softmax': d2lhelpers.softmax,
        'functional.softmax': d2lhelpers.functional.softmax,
        'default_dtype': torch.get_default_dtype(), 'grad_enabled': torch.is_grad_enabled(),
    }


def leaks(before: dict, rng: torch.Tensor) -> list[str]:
    now = state()
    out = [k for k in before if now[k] is not before[k] and now[k] != before[k]]
    if not torch.equal(torch.get_rng_state(), rng):
        out.append('rng_state')
    return out


def restore(before: dict, rng: torch.Tensor) -> None:
    torch.exp, torch.softmax, torch.log = before['torch.exp'], before['torch.softmax'], before['torch.log']
    torch.Tensor.sum = before['Tensor.sum']
    d2lhelpers.softmax = before['d2lhelpers.softmax']
    d2lhelpers.functional.softmax = before['functional.softmax']
    torch.set_default_dtype(before['default_dtype'])
    torch.set_grad_enabled(before['grad_enabled'])
    torch.set_rng_state(rng)


class Counting(io.StringIO):
    pass


def classify(p: Probe) -> tuple[str, str]:
    before, rng = state(), torch.get_rng_state()
    out = Counting()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 30)
    start = time.perf_counter()
    try:
        with redirect_stdout(out):
            report = task(p.task).diagnose(p.fn)
    except Hang:
        restore(before, rng)
        return 'crash', 'the check did not return within 30 s'
    except Exception as error:  # noqa: BLE001
        signal.setitimer(signal.ITIMER_REAL, 0)
        restore(before, rng)
        return 'crash', f'{type(error).__name__}: {error}'.splitlines()[0][:120]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.perf_counter() - start
    leaked = leaks(before, rng)
    restore(before, rng)
    verdict = 'pass' if report.passed else 'fail'
    got = f'{verdict} kind={report.kind} hint={report.hint_key}'
    if leaked:
        return 'wrong', f'{got}; left changed: {", ".join(leaked)}'
    if verdict != p.verdict:
        return 'wrong', got
    if p.not_kind is not None and report.kind == p.not_kind:
        return 'wrong', got
    hint = report.hint_key
    if hint is not None and hint != p.hint and hint not in p.ok:
        return 'wrong', f'{got} (misleading hint)'
    printed = len(out.getvalue())
    if printed > 2000:
        return 'weak', f'{got}; {printed} characters of the learner\'s output reached the notebook'
    if seconds > 10:
        return 'weak', f'{got}; took {seconds:.0f} s'
    if p.hint is not None and hint is None:
        return 'weak', f'{got} (expected hint {p.hint})'
    return 'clear', got


def main(argv: list[str]) -> int:
    verbose = '-v' in argv
    counts: Counter = Counter()
    by_task: dict = {}
    for p in P:
        label, detail = classify(p)
        counts[label] += 1
        by_task.setdefault(p.task, Counter())[label] += 1
        if verbose or label != 'clear':
            print(f'{label:5s}  {p.task}/{p.name}: {detail}', file=sys.__stdout__)
    print(f'{len(P)} probes: ' + ', '.join(f'{k} {counts[k]}' for k in
                                          ('clear', 'weak', 'wrong', 'crash')))
    for name, c in by_task.items():
        print(f'  {name:15s} ' + ', '.join(f'{k} {c[k]}' for k in ('clear', 'weak', 'wrong', 'crash')))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
