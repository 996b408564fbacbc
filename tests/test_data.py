"""d2lhelpers.data: where the data comes from, that it is verified, and the loaders."""
import errno
import os
import shutil
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
import torch
import torchvision
from torch.utils import data as tud
from torchvision import transforms

from d2lhelpers import data, data_folder

FIRST_TRAIN_LABELS = [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
FIRST_TEST_LABELS = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]


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


def test_same_batches_as_the_notes_pipeline(real_raw):
    """The course notes' torchvision + ToTensor pipeline, read for two batches, gives our batches."""
    notes_train = torchvision.datasets.FashionMNIST(
        root=str(real_raw.parent.parent), train=True, transform=transforms.ToTensor(),
        download=False)
    torch.manual_seed(42)
    notes_batches = []
    for X, y in tud.DataLoader(notes_train, 256, shuffle=True):
        notes_batches.append((X, y))
        if len(notes_batches) == 2:
            break
    torch.manual_seed(42)
    train_iter, _ = data.load_data_fashion_mnist(256)
    for (X_seed, y_seed), (X, y) in zip(notes_batches, train_iter):
        assert torch.equal(X_seed, X) and torch.equal(y_seed, y)


def test_text_labels():
    assert data.get_fashion_mnist_labels(torch.tensor([0, 9])) == ['t-shirt', 'ankle boot']
    with pytest.raises(ValueError, match='0..9'):
        data.get_fashion_mnist_labels([10])
    with pytest.raises(ValueError, match='integer class index'):
        data.get_fashion_mnist_labels([1.0])


def test_chinese_text_labels():
    # d2l-zh's names, one per class, in the same order as the English ones
    assert data.get_fashion_mnist_labels([0, 2, 9], chinese=True) == ['T恤', '套衫', '短靴']
    assert len(set(data.TEXT_LABELS_ZH)) == len(data.TEXT_LABELS) == 10


def test_to_float_images_is_what_totensor_gives(real_raw):
    images, _ = data.load_fashion_mnist_tensors(train=False)
    ours = data.to_float_images(images[:5])
    notes = torch.stack([transforms.ToTensor()(img.numpy()) for img in images[:5]])
    assert torch.equal(ours, notes)
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


# ------------------------------------------------------------ what learners receive is theirs
def test_editing_the_returned_tensors_changes_no_later_load_or_loader(real_raw):
    """Before: the cached tensors themselves were returned; ``labels -= 1`` reached every
    later call and every loader built afterwards."""
    images, labels = data.load_fashion_mnist_tensors(train=False)
    labels -= 1
    images.zero_()
    for args, kwargs in [((), {'train': False}), ((False,), {}), ((False, None), {})]:
        again_images, again_labels = data.load_fashion_mnist_tensors(*args, **kwargs)
        assert again_labels[:4].tolist() == FIRST_TEST_LABELS[:4]
        assert again_images.sum() > 0
    _, test_iter = data.load_data_fashion_mnist(16)
    X, y = next(iter(test_iter))
    assert y[:4].tolist() == FIRST_TEST_LABELS[:4] and X.sum() > 0


def test_editing_a_loaders_tensors_changes_no_later_load(real_raw):
    _, test_iter = data.load_data_fashion_mnist(16)
    test_iter.dataset.tensors[1].add_(1)
    assert data.load_fashion_mnist_tensors(False, None)[1][:4].tolist() == FIRST_TEST_LABELS[:4]


def test_each_split_is_decoded_once_whatever_the_spelling(real_raw, monkeypatch):
    """Before: ``train=False``, ``False`` and ``(False, None)`` were three cache entries,
    each decoding (and holding) another copy."""
    data.load_fashion_mnist_tensors.cache_clear()
    decoded = []
    real_read = data._read_idx
    monkeypatch.setattr(data, '_read_idx', lambda path, *a: decoded.append(path.name) or
                        real_read(path, *a))
    root = data.default_root()
    for args, kwargs in [((False,), {}), ((), {'train': False}), ((False, None), {}),
                         ((False, str(root)), {}), ((False, root / '.'), {}),
                         ((), {'train': False, 'root': root / 'FashionMNIST' / '..'})]:
        data.load_fashion_mnist_tensors(*args, **kwargs)
    data.load_data_fashion_mnist(64)                   # the test split is not decoded again
    assert decoded.count('t10k-images-idx3-ubyte') == 1
    assert decoded.count('t10k-labels-idx1-ubyte') == 1


@pytest.mark.parametrize('train', ['False', 0, 1, None, 'test'])
def test_train_must_be_true_or_false(train):
    """Before: ``train='False'`` (a non-empty string, so true) silently gave the training set."""
    with pytest.raises(ValueError, match=r'^train must be True \(the 60,000 training images\) '
                                         r'or False \(the 10,000 test images\), got '):
        data.load_fashion_mnist_tensors(train)


# ------------------------------------------------------------------------------ D2L_DATA_DIR
def test_d2l_data_dir_expands_the_home_folder(tmp_path, monkeypatch):
    """Before: '~/data' was taken literally: a folder named '~' in the notebook's folder."""
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('D2L_DATA_DIR', '~/data')
    assert data.default_root() == tmp_path / 'data'


@pytest.mark.parametrize('value', ['data', './data', '../data', 'd2l/cache'])
def test_a_relative_d2l_data_dir_is_refused_with_the_full_path(tmp_path, monkeypatch, value):
    """Before: a relative value meant a different folder for each notebook's folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv('D2L_DATA_DIR', value)
    with pytest.raises(data.FashionMNISTError, match='D2L_DATA_DIR must be an absolute folder') \
            as err:
        data.default_root()
    assert str(tmp_path / value) in str(err.value)
    with pytest.raises(data.FashionMNISTError, match='absolute'):
        data.load_fashion_mnist_tensors(False)
    assert list(tmp_path.iterdir()) == []             # nothing was created


@pytest.mark.parametrize('value', ['', '   '])
def test_an_empty_d2l_data_dir_means_the_default(monkeypatch, value):
    monkeypatch.setenv('D2L_DATA_DIR', value)
    assert data.default_root() == Path.home() / '.cache' / 'd2l'


def test_a_root_argument_expands_the_home_folder(tmp_path, monkeypatch, system_copy, real_raw):
    half_prepared(tmp_path / 'data', real_raw)
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.chdir(tmp_path)
    raw = data.fashion_mnist_dir('~/data', system_dir=system_copy, download=False)
    assert raw == tmp_path / 'data' / 'FashionMNIST' / 'raw'
    assert not (tmp_path / '~').exists()


# ---------------------------------------------------------------------- writing the folder
BIG = ('train-images-idx3-ubyte', 't10k-images-idx3-ubyte')


def half_prepared(root: Path, real_raw: Path) -> Path:
    """``root`` holding copies of the two image files: preparing it writes only the labels."""
    raw = root / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True)
    for name in BIG:
        shutil.copyfile(real_raw / name, raw / name)
    return raw


@pytest.mark.parametrize('umask, mode', [(0o022, 0o644), (0o027, 0o640)])
def test_prepared_files_follow_the_umask(tmp_path, system_copy, real_raw, umask, mode):
    """Before: every prepared file was 0600 (mkstemp), unreadable to a class sharing it."""
    raw = half_prepared(tmp_path, real_raw)
    old = os.umask(umask)
    try:
        data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    finally:
        os.umask(old)
    for name in ('train-labels-idx1-ubyte', 't10k-labels-idx1-ubyte'):
        assert stat.S_IMODE((raw / name).stat().st_mode) == mode


def test_each_file_is_flushed_to_disk_before_its_rename(tmp_path, system_copy, real_raw,
                                                         monkeypatch):
    """Before: no fsync, so a power cut after the rename could leave an empty file."""
    half_prepared(tmp_path, real_raw)
    synced, renamed = [], []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, 'fsync', lambda fd: synced.append(os.readlink(f'/proc/self/fd/{fd}'))
                        or real_fsync(fd))
    monkeypatch.setattr(os, 'replace', lambda src, dst: renamed.append((str(src), list(synced)))
                        or real_replace(src, dst))
    data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    assert len(renamed) == 2
    for src, synced_before in renamed:
        assert src in synced_before


def _only_under(root: Path, error: int, real):
    """``os.open``/``os.mkdir``, failing with ``error`` when asked to create under ``root``."""
    def fake(path, *args, **kwargs):
        flags = args[0] if real is os.open and args else os.O_CREAT
        if str(path).startswith(str(root)) and flags & os.O_CREAT:
            raise OSError(error, os.strerror(error), str(path))
        return real(path, *args, **kwargs)
    return fake


def assert_nothing_half_written(root: Path):
    for p in root.rglob('*'):
        assert not p.name.endswith('.part'), p
        if p.is_file():
            data.verify_file(p)                       # only complete, original files remain


@pytest.mark.parametrize('error, why', [(errno.EACCES, 'permission denied'),
                                        (errno.EPERM, 'permission denied'),
                                        (errno.EROFS, 'it is on a read-only file system')])
def test_a_folder_that_cannot_be_written_is_named_with_the_reason_and_remedy(
        tmp_path, system_copy, real_raw, monkeypatch, error, why):
    """Before: the Debian package was blamed (reinstall it), or a bare PermissionError."""
    raw = half_prepared(tmp_path, real_raw)
    monkeypatch.setattr(os, 'open', _only_under(tmp_path, error, os.open))
    with pytest.raises(data.FashionMNISTError) as err:
        data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    message = str(err.value)
    assert message.startswith(f'Fashion-MNIST cannot be prepared in {raw}: {why}')
    assert 'D2L_DATA_DIR' in message and 'reinstall' not in message
    monkeypatch.undo()
    assert_nothing_half_written(tmp_path)


def test_an_empty_folder_that_cannot_be_written(tmp_path, system_copy, monkeypatch):
    monkeypatch.setattr(os, 'mkdir', _only_under(tmp_path, errno.EACCES, os.mkdir))
    with pytest.raises(data.FashionMNISTError, match='cannot be prepared in .*: permission '
                                                     'denied.*D2L_DATA_DIR'):
        data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)


@pytest.mark.skipif(os.name != 'posix' or os.geteuid() == 0,
                    reason='root may write anywhere: the chmod cannot stop it (the monkeypatched '
                           'tests above cover this path; benchmarks/probes.py runs it as nobody)')
def test_a_read_only_folder_for_real(tmp_path, system_copy, real_raw):
    raw = half_prepared(tmp_path, real_raw)
    raw.chmod(0o555)
    try:
        with pytest.raises(data.FashionMNISTError, match='permission denied'):
            data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    finally:
        raw.chmod(0o755)


class FullDisk:
    """A file that takes ``room`` bytes, then fails as a full disk does."""

    def __init__(self, real, room):
        self.real, self.room = real, room

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()

    def write(self, chunk):
        if len(chunk) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(chunk)
        return self.real.write(chunk)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_full_disk_is_named_with_the_space_needed_and_leaves_nothing(
        tmp_path, system_copy, monkeypatch):
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, 'fdopen', lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k),
                                                                    3 << 20))
    raw = tmp_path / 'FashionMNIST' / 'raw'
    with pytest.raises(data.FashionMNISTError) as err:
        data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    message = str(err.value)
    assert message.startswith(f'Fashion-MNIST cannot be prepared in {raw}: the disk is full')
    assert 'free about 55 MB there' in message and 'D2L_DATA_DIR' in message
    assert 'reinstall' not in message
    monkeypatch.undo()
    assert_nothing_half_written(tmp_path)


def test_too_little_free_space_is_found_before_writing_anything(tmp_path, system_copy,
                                                                 monkeypatch):
    monkeypatch.setattr(shutil, 'disk_usage', lambda path: shutil._ntuple_diskusage(
        10**12, 10**12 - 10**6, 10**6))
    with pytest.raises(data.FashionMNISTError, match='the disk is full.*free about 55 MB'):
        data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    assert list((tmp_path / 'FashionMNIST' / 'raw').iterdir()) == []


def test_a_download_into_a_full_disk_is_not_blamed_on_the_network(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(torchvision.datasets, 'FashionMNIST', full)
    with pytest.raises(data.FashionMNISTError, match='the disk is full') as err:
        data.fashion_mnist_dir(tmp_path, system_dir=tmp_path / 'none', download=True)
    assert 'internet' not in str(err.value)


def test_a_prepared_file_another_user_cannot_read(tmp_path, system_copy, real_raw, monkeypatch):
    raw = tmp_path / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True)
    for name, (size, _) in data.FILES.items():
        with open(raw / name, 'wb') as f:              # the right size (sparse), never read
            f.truncate(size)

    def denied(path):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    monkeypatch.setattr(data, '_sha256', denied)
    with pytest.raises(data.FashionMNISTError, match=r'cannot be read: Permission denied.*'
                                                     r'chmod -R a\+rX.*D2L_DATA_DIR'):
        data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)


# --------------------------------------------------------------------- stale temporary files
def _dead_pid() -> int:
    child = subprocess.Popen(['true'])
    child.wait()
    return child.pid


def test_stale_part_files_of_killed_runs_are_removed(tmp_path, system_copy, real_raw):
    """Before: a kill -9 during preparation left hidden .part files (4-6 MB each) for ever."""
    raw = half_prepared(tmp_path, real_raw)
    host = socket.gethostname().replace('.', '_').replace('@', '_')
    old = time.time() - 2 * data_folder.STALE_PART_SECONDS
    parts = {
        'old, from mkstemp': (raw / '.train-labels-idx1-ubyte.k9x2ab_q.part', old, False),
        'writer died': (raw / f'.t10k-labels-idx1-ubyte.{_dead_pid()}@{host}.0a1b2c3d.part',
                        None, False),
        'this process (a thread)': (raw / f'.train-images-idx3-ubyte.{os.getpid()}@{host}.'
                                          f'0a1b2c3d.part', None, True),
        'another machine': (raw / f'.t10k-images-idx3-ubyte.{_dead_pid()}@elsewhere.'
                                  f'0a1b2c3d.part', None, True),
        'not ours': (raw / '.notes.txt.part', old, True),
    }
    for path, mtime, _ in parts.values():
        path.write_bytes(b'\0' * 1000)
        if mtime:
            os.utime(path, (mtime, mtime))
    data.fashion_mnist_dir(tmp_path, system_dir=system_copy, download=False)
    for what, (path, _, kept) in parts.items():
        assert path.exists() == kept, what
