"""The chapter 05 exercise (issue 22): a uint8 image batch becomes the model's float input.

``tests/test_exercises.py`` runs the checks every task gets (oracle, probes, texts, cells);
these tests pin what this task teaches: the answer is what ``ToTensor`` gives, and each
misconception the hints name is told apart from the others.
"""
from __future__ import annotations

import numpy as np
import torch
import d2lhelpers
from d2lhelpers.exercises import task

T = task('float_images')


def test_reference_is_what_ToTensor_gives():
    # d2lhelpers.to_float_images is tested against ToTensor (tests/test_data.py); torchvision
    # is not imported here: importing it wraps torch.manual_seed, which the checks would report
    images = torch.randint(0, 256, (3, 28, 28), generator=torch.Generator().manual_seed(0),
                           dtype=torch.uint8)
    assert torch.equal(T.reference(images), d2lhelpers.to_float_images(images))
    assert torch.equal(T.reference(images)[1, 0],
                       torch.from_numpy(images[1].numpy().astype(np.float32) / np.float32(255)))
    assert T.reference(images).dtype == torch.float32


def test_cases_cover_dark_black_non_square_full_batch_and_resize():
    shapes = [tuple(c.fresh()[0].shape) for c in T.cases]
    assert (256, 28, 28) in shapes and any(h == w == 64 for _, h, w in shapes)
    assert any(h != w for _, h, w in shapes) and any(n == 1 for n, _, _ in shapes)
    maxima = [int(c.fresh()[0].max()) for c in T.cases]
    assert 0 in maxima and any(0 < m < 255 for m in maxima)
    assert all(c.fresh()[0].dtype == torch.uint8 for c in T.cases)


def test_failure_shows_the_first_image_as_a_matrix():
    lines = T.diagnose(lambda images: images.unsqueeze(1).float()).message.splitlines()
    assert lines[2] == '   输入：images = [[0, 255], [51, 102]]（第 1 张图片；整批的形状 (2, 2, 2)，uint8）'
    assert lines[3] == '   期望：[[0, 1], [0.2, 0.4]]（第 1 张图片；整批的形状 (2, 1, 2, 2)）'
    assert lines[-1].startswith('💡 像素没有缩放')


def test_float64_and_uint8_results_are_named():
    assert T.diagnose(lambda images: images.unsqueeze(1).double() / 255).kind == 'dtype'
    report = T.diagnose(lambda images: images.unsqueeze(1))
    assert report.kind == 'dtype' and '浮点数' in report.message


def test_hard_coded_28_is_told_so():
    report = T.diagnose(lambda images: images.view(-1, 1, 28, 28).float() / 255)
    assert report.hint_key == 'fixed_size'


def test_numpy_result_is_refused():
    report = T.diagnose(lambda images: np.asarray(images.unsqueeze(1), dtype=np.float32) / 255)
    assert report.kind == 'type' and not report.passed
