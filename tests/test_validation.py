"""The shared argument checks: what they accept, what they refuse, and how they say it."""
import math
import re

import numpy as np
import pytest
import torch

from d2lhelpers import validation as v


@pytest.mark.parametrize('value', [1, 0, -2.5, 1e-300, np.float32(0.5), np.int64(3)])
def test_real_number_accepts_finite_reals(value):
    out = v.real_number(value, 'x')
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize('value', [True, False, '1.0', None, math.nan, math.inf, -math.inf,
                                   [1.0], torch.tensor(1.0), 1j])
def test_real_number_refuses(value):
    with pytest.raises(ValueError, match=r'^x must be a finite number, got '):
        v.real_number(value, 'x')


def test_hint_is_shown_in_parentheses():
    with pytest.raises(ValueError, match=r'^the Huber threshold delta must be a finite number '
                                         r'> 0 \(e\.g\. 1\.0\), got -1$'):
        v.positive_number(-1, 'the Huber threshold delta', 'e.g. 1.0')


@pytest.mark.parametrize('value', [0.1, 3, 1e-12, np.float64(2.0)])
def test_positive_number_accepts(value):
    assert v.positive_number(value, 'lr') == float(value)


@pytest.mark.parametrize('value', [0, 0.0, -0.1, -3, True, 'fast', math.nan, math.inf, None])
def test_positive_number_refuses(value):
    with pytest.raises(ValueError, match=rf'^lr must be a finite number > 0, got '
                                         rf'{re.escape(repr(value))}$'):
        v.positive_number(value, 'lr')


@pytest.mark.parametrize('value', [0, -4, 7, np.int64(5), torch.tensor(2)])
def test_integer_accepts_integers_of_any_library(value):
    out = v.integer(value, 'dim')
    assert type(out) is int and out == int(value)


@pytest.mark.parametrize('value', [True, 1.0, '1', None, torch.tensor([1]), np.array([1, 2])])
def test_integer_refuses(value):
    with pytest.raises(ValueError, match='^dim must be an integer, got '):
        v.integer(value, 'dim')


@pytest.mark.parametrize('value', [1, 256, np.int32(10)])
def test_positive_int_accepts(value):
    out = v.positive_int(value, 'batch_size')
    assert type(out) is int and out == int(value)


@pytest.mark.parametrize('value', [0, -1, True, False, 2.0, 2.5, '3', None])
def test_positive_int_refuses_bools_floats_and_non_positive(value):
    with pytest.raises(ValueError, match=r'^num_epochs must be a positive integer '
                                         r'\(1, 2, 3, \.\.\.\), got '):
        v.positive_int(value, 'num_epochs')


@pytest.mark.parametrize('value', [0, 2, np.int64(1), torch.tensor(2)])
def test_class_index_accepts(value):
    assert v.class_index(value, 3, 'true_class') == int(value)


def test_class_index_out_of_range_names_the_range():
    with pytest.raises(ValueError, match=r'^true_class must lie in 0\.\.2 for 3 classes, got 3$'):
        v.class_index(3, 3, 'true_class')
    with pytest.raises(ValueError, match=r'0\.\.2 for 3 classes, got -1$'):
        v.class_index(-1, 3, 'true_class')


@pytest.mark.parametrize('value', [True, 1.0, 'cat', None])
def test_class_index_refuses_non_integers(value):
    with pytest.raises(ValueError, match='^label must be an integer class index, got '):
        v.class_index(value, 10, 'label')


def test_class_index_checks_num_classes():
    with pytest.raises(ValueError, match='num_classes must be a positive integer'):
        v.class_index(0, 0, 'label')


@pytest.mark.parametrize('value, expected', [(28, 28), (np.int64(64), 64), ((32, 48), (32, 48)),
                                             ([1, 1], (1, 1))])
def test_image_size_accepts_an_int_or_a_pair(value, expected):
    assert v.image_size(value) == expected


@pytest.mark.parametrize('value', [0, -3, True, 2.0, (0, 28), (28,), (28, 28, 28), (28, -1),
                                   (28, 2.5), 'big', [True, 28]])
def test_image_size_refuses(value):
    with pytest.raises(ValueError, match=r'^resize must be a positive integer \(e\.g\. 64\) or a '
                                         r'pair \(height, width\) of positive integers, got '):
        v.image_size(value)


def test_tensor_passes_tensors_through_and_says_how_to_make_one():
    t = torch.zeros(2)
    assert v.tensor(t, 'X') is t
    with pytest.raises(ValueError, match=r'^X must be a torch\.Tensor, got list; wrap it first, '
                                         r'e\.g\. torch\.tensor\(\.\.\.\)$'):
        v.tensor([1.0, 2.0], 'X')
