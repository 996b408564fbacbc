"""d2lhelpers.data: where the data comes from, that it is verified, and the loaders."""
import gzip
import shutil
import threading
from pathlib import Path

import pytest
import torch
import torchvision
from torch.utils import data as tud
from torchvision import transforms

from d2lhelpers import data

FIRST_TRAIN_LABELS = [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
FIRST_TEST_LABELS = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]


@pytest.fixture(scope='session')
def real_raw():
    """The prepared real files (``make data`` puts them under the default root)."""
    return data.fashion_mnist_dir()


@pytest.fixture(scope='session')
def system_copy(tmp_path_factory, real_raw):
    """A stand-in for /usr/share/datasets/fashion-mnist built from the real files."""
    folder = tmp_path_factory.mktemp('system')
    for name in data.FILES:
        with open(real_raw / name, 'rb') as src, gzip.open(folder / f'{name}.gz', 'wb',
                                                           compresslevel=1) as dst:
            shutil.copyfileobj(src, dst)
    return folder


def test_prepares_from_the_system_package(tmp_path, system_copy):
    raw = data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    assert raw == tmp_path / 'FashionMNIST' / 'raw'
    assert sorted(p.name for p in raw.iterdir()) == sorted(data.FILES)


def test_a_prepared_copy_comes_first(tmp_path, system_copy):
    data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    raw = data.fashion_mnist_dir(tmp_path, system_dir=tmp_path / 'no-such-dir', download=False)
    assert len(list(raw.iterdir())) == 4


def test_d2l_data_dir_sets_the_root(tmp_path, monkeypatch):
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path))
    assert data.default_root() == tmp_path


def test_no_data_anywhere_names_all_three_remedies(tmp_path):
    with pytest.raises(data.FashionMNISTError) as err:
        data.fashion_mnist_dir(tmp_path, system_dir=tmp_path / 'none', download=False)
    message = str(err.value)
    assert 'D2L_DATA_DIR' in message
    assert 'apt-get install dataset-fashion-mnist' in message
    assert 'internet' in message


def test_no_network_gives_the_same_clear_error(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise RuntimeError('Error downloading train-images-idx3-ubyte.gz: no route to host')
    monkeypatch.setattr(torchvision.datasets, 'FashionMNIST', offline)
    with pytest.raises(data.FashionMNISTError, match='connect to the internet'):
        data.fashion_mnist_dir(tmp_path, system_dir=tmp_path / 'none', download=True)


@pytest.mark.parametrize('damage', ['truncate', 'flip'])
def test_a_damaged_prepared_file_is_refused_by_name(tmp_path, system_copy, damage):
    raw = data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    victim = raw / 'train-labels-idx1-ubyte'
    content = bytearray(victim.read_bytes())
    if damage == 'truncate':
        content = content[:-100]
    else:
        content[1000] ^= 0xFF
    victim.write_bytes(bytes(content))
    with pytest.raises(data.FashionMNISTError, match='train-labels-idx1-ubyte'):
        data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)


def test_a_truncated_system_archive_is_refused_and_leaves_nothing(tmp_path, system_copy):
    broken = tmp_path / 'system'
    shutil.copytree(system_copy, broken)
    archive = broken / 't10k-labels-idx1-ubyte.gz'
    archive.write_bytes(archive.read_bytes()[:2000])
    root = tmp_path / 'root'
    with pytest.raises(data.FashionMNISTError, match='t10k-labels-idx1-ubyte.gz'):
        data.fashion_mnist_dir(root, system_dir=broken, download=False)
    raw = root / 'FashionMNIST' / 'raw'
    assert not (raw / 't10k-labels-idx1-ubyte').exists()
    assert not list(raw.glob('*.part'))


def test_an_interrupted_write_leaves_no_half_file(tmp_path):
    class Interrupted:
        def __init__(self):
            self.calls = 0

        def read(self, n):
            self.calls += 1
            if self.calls > 1:
                raise KeyboardInterrupt
            return b'\0' * 100

    target = tmp_path / 't10k-labels-idx1-ubyte'
    with pytest.raises(KeyboardInterrupt):
        data._write_verified(target, Interrupted())
    assert list(tmp_path.iterdir()) == []


def test_two_preparations_at_once_do_not_corrupt_each_other(tmp_path, system_copy):
    errors = []

    def prepare():
        try:
            data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
        except Exception as err:  # collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=prepare) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    raw = tmp_path / 'FashionMNIST' / 'raw'
    assert sorted(p.name for p in raw.iterdir()) == sorted(data.FILES)
    for name in data.FILES:
        data.verify_file(raw / name)


def test_the_loaders_follow_the_seed_contract(real_raw):
    train_iter, test_iter = data.load_data_fashion_mnist(256)
    assert len(train_iter.dataset) == 60000 and len(test_iter.dataset) == 10000
    assert len(train_iter) == 235 and len(test_iter) == 40
    X, y = next(iter(test_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (256,) and y.dtype == torch.int64
    assert 0 <= X.min() and X.max() <= 1
    assert y[:10].tolist() == FIRST_TEST_LABELS
    sizes = [len(y) for _, y in test_iter]
    assert sum(sizes) == 10000 and sizes[-1] == 10000 % 256


def test_raw_labels_are_the_original_ones(real_raw):
    _, train_labels = data.load_fashion_mnist_tensors(train=True)
    assert train_labels[:10].tolist() == FIRST_TRAIN_LABELS
    assert torch.bincount(train_labels).tolist() == [6000] * 10


def test_resize(real_raw):
    train_iter, _ = data.load_data_fashion_mnist(32, resize=64)
    X, _ = next(iter(train_iter))
    assert X.shape == (32, 1, 64, 64) and 0 <= X.min() and X.max() <= 1


def test_resize_to_height_and_width(real_raw):
    _, test_iter = data.load_data_fashion_mnist(8, resize=(14, 20))
    X, _ = next(iter(test_iter))
    assert X.shape == (8, 1, 14, 20)


@pytest.mark.parametrize('bad', [-3, 0, True, 2.5, '64', (28,), (0, 28), (28, 28, 28), [28, -1]])
def test_a_bad_resize_is_a_clear_error(bad):
    """Before: -3 surfaced torch's RuntimeError, 0 was silently ignored."""
    with pytest.raises(ValueError, match=r'^resize must be a positive integer \(e\.g\. 64\) or a '
                                         r'pair \(height, width\) of positive integers, got '):
        data.load_data_fashion_mnist(32, resize=bad)


@pytest.mark.parametrize('bad', [0, -1, 2.5, '256', True])
def test_a_bad_batch_size_is_a_clear_error(bad):
    with pytest.raises(ValueError, match='batch_size'):
        data.load_data_fashion_mnist(bad)


def test_same_batches_as_a_shuffling_dataloader():
    dataset = tud.TensorDataset(torch.arange(1000), torch.arange(1000) % 10)
    for shuffle in (True, False):
        torch.manual_seed(0)
        reference = [X.tolist() for _ in range(2) for X, _ in
                     tud.DataLoader(dataset, 64, shuffle=shuffle)]
        torch.manual_seed(0)
        ours = [X.tolist() for _ in range(2) for X, _ in
                data._batch_loader(data.BatchIndexedTensors(*dataset.tensors), 64, shuffle)]
        assert ours == reference


def test_same_batches_as_the_seed_pipeline(real_raw):
    """The seed's torchvision + ToTensor pipeline, read for two batches, gives our batches."""
    seed_train = torchvision.datasets.FashionMNIST(
        root=str(real_raw.parent.parent), train=True, transform=transforms.ToTensor(),
        download=False)
    torch.manual_seed(42)
    seed_batches = []
    for X, y in tud.DataLoader(seed_train, 256, shuffle=True):
        seed_batches.append((X, y))
        if len(seed_batches) == 2:
            break
    torch.manual_seed(42)
    train_iter, _ = data.load_data_fashion_mnist(256)
    for (X_seed, y_seed), (X, y) in zip(seed_batches, train_iter):
        assert torch.equal(X_seed, X) and torch.equal(y_seed, y)


def test_text_labels():
    assert data.get_fashion_mnist_labels(torch.tensor([0, 9])) == ['t-shirt', 'ankle boot']
    with pytest.raises(ValueError, match='0..9'):
        data.get_fashion_mnist_labels([10])
    with pytest.raises(ValueError, match='integer class index'):
        data.get_fashion_mnist_labels([1.0])


def test_to_float_images_is_what_totensor_gives(real_raw):
    images, _ = data.load_fashion_mnist_tensors(train=False)
    ours = data.to_float_images(images[:5])
    seed = torch.stack([transforms.ToTensor()(img.numpy()) for img in images[:5]])
    assert torch.equal(ours, seed)
    assert data.to_float_images(images[:2], (32, 16)).shape == (2, 1, 32, 16)


@pytest.mark.parametrize('images, resize', [
    (torch.zeros(2, 28, 28), None),                    # float, not uint8
    (torch.zeros(28, 28, dtype=torch.uint8), None),    # one image without the batch axis
    ([[0, 1], [2, 3]], None),                          # not a tensor
    (torch.zeros(2, 28, 28, dtype=torch.uint8), 0),    # a bad size
])
def test_to_float_images_refuses_what_it_cannot_convert(images, resize):
    with pytest.raises(ValueError, match='images must|resize'):
        data.to_float_images(images, resize)
