"""``load_data_fashion_mnist(128, resize=224)`` (d2l's AlexNet and later) within memory.

Before (issue 25): the loader resized the whole dataset at once, 60,000 images of 224x224 in
float32 (12.0 GB), and failed under an 11 GiB address-space limit. Now the decoded images stay
uint8 and each batch is converted and resized when it is read; the batches are those the
whole-dataset conversion gave (bit for bit), within 1/255 of the course notes' PIL resize.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torchvision
from torch.utils import data as tud
from torchvision import transforms

from d2lhelpers import data

ROOT = str(Path(data.__file__).parent.parent)

UNDER_A_LIMIT = '''
import resource, sys
limit = int(sys.argv[1]) << 30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import torch
from d2lhelpers import data
train_iter, test_iter = data.load_data_fashion_mnist(128, resize=224)
for i, (X, y) in enumerate(train_iter):
    assert X.shape == (128, 1, 224, 224) and X.dtype == torch.float32 and y.shape == (128,)
    if i == 2:
        break
X, y = next(iter(test_iter))
print('read', i + 1, 'training batches and a test batch of', tuple(X.shape))
'''


@pytest.mark.skipif(not hasattr(os, 'fork'), reason='RLIMIT_AS is a POSIX limit')
@pytest.mark.parametrize('gib', [11])
def test_resize_224_loads_under_an_address_space_limit(real_raw, gib):
    env = {**os.environ, 'PYTHONPATH': ROOT, 'OMP_NUM_THREADS': '1'}
    done = subprocess.run([sys.executable, '-c', UNDER_A_LIMIT, str(gib)], capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'read 3 training batches and a test batch of (128, 1, 224, 224)' in done.stdout


@pytest.fixture(scope='module')
def real_raw():
    return data.fashion_mnist_dir()


def test_a_resizing_loader_keeps_uint8_images_not_the_resized_dataset(real_raw):
    train_iter, test_iter = data.load_data_fashion_mnist(128, resize=224)
    for loader, n in ((train_iter, 60000), (test_iter, 10000)):
        images, labels = loader.dataset.tensors
        assert images.dtype == torch.uint8 and images.shape == (n, 28, 28)
        assert labels.dtype == torch.int64 and len(loader.dataset) == n
    assert len(train_iter) == 469 and len(test_iter) == 79


@pytest.mark.parametrize('resize', [64, (14, 20), 224])
def test_each_batch_is_what_the_whole_dataset_conversion_gave(real_raw, resize):
    images, labels = data.load_fashion_mnist_tensors(train=False)
    _, test_iter = data.load_data_fashion_mnist(50, resize=resize)
    for k, (X, y) in zip(range(2), test_iter):
        part = slice(50 * k, 50 * (k + 1))
        assert torch.equal(X, data.to_float_images(images[part], resize))
        assert torch.equal(y, labels[part])


def test_same_order_and_within_one_grey_level_of_the_notes_pipeline(real_raw):
    """The course notes' Resize + ToTensor on PIL images, same seed: same labels in the same
    order, pixels at most 1/255 apart (the notes round to k/255, d2lhelpers does not)."""
    trans = transforms.Compose([transforms.Resize(64), transforms.ToTensor()])
    notes = torchvision.datasets.FashionMNIST(root=str(real_raw.parent.parent), train=True,
                                              transform=trans, download=False)
    torch.manual_seed(7)
    notes_batches = [b for _, b in zip(range(2), tud.DataLoader(notes, 32, shuffle=True))]
    torch.manual_seed(7)
    train_iter, _ = data.load_data_fashion_mnist(32, resize=64)
    ours_batches = [b for _, b in zip(range(2), train_iter)]
    for (Xn, yn), (Xo, yo) in zip(notes_batches, ours_batches):
        assert torch.equal(yn, yo) and Xn.shape == Xo.shape == (32, 1, 64, 64)
        assert float((Xn - Xo).abs().max()) <= 1 / 255 + 1e-6


def test_editing_a_resizing_loaders_images_changes_no_later_load(real_raw):
    _, test_iter = data.load_data_fashion_mnist(16, resize=32)
    test_iter.dataset.tensors[0].zero_()
    test_iter.dataset.tensors[1].add_(1)
    images, labels = data.load_fashion_mnist_tensors(train=False)
    assert images.sum() > 0 and labels[:4].tolist() == [9, 2, 1, 1]
