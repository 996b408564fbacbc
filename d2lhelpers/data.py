"""Fashion-MNIST: find or prepare the real files, verify them, and serve minibatches fast.

Where the data comes from, in this order (:func:`fashion_mnist_dir`):

1. a prepared copy under the data root: ``$D2L_DATA_DIR`` or, if unset, ``~/.cache/d2l``
   (files in ``<root>/FashionMNIST/raw/``, the layout torchvision uses);
2. the Debian/Ubuntu package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
3. torchvision's download (needs internet; this is what Colab uses);
4. otherwise :class:`FashionMNISTError` naming all three remedies.

``D2L_DATA_DIR`` may start with ``~`` (your home folder); a relative value such as ``data`` is
refused, because Jupyter runs each notebook in its own folder and the same setting would mean a
different folder for every notebook. A ``root`` passed to a function is an ordinary path
(``~`` expanded, a relative one taken from the current folder).

Every file is checked against the size and SHA-256 of the original decompressed file. A file is
written under a hidden temporary name (``.<name>.<pid>@<host>.<random>.part``), flushed to disk
(``fsync``) and renamed only once it is verified; its permissions follow the umask (``0644``
under the usual ``022``), so a folder one user prepares can be read by others. Temporary files
left behind by a killed run are removed by the next one. A folder that cannot be written
(permission denied, a read-only file system, a full disk) is reported with the reason and the
remedy, and nothing half-written is left in it (:mod:`d2lhelpers.data_folder`).
"""
from __future__ import annotations

import collections
import contextlib
import gzip
import hashlib
import os
import threading
from pathlib import Path

import numpy as np
import torch
from torch.utils import data

from .data_folder import (REASONS, NotAFile, SourceError, WriteError, chunks, in_the_way,
                          not_a_file, not_a_folder, open_regular, ready_to_write,
                          remove_stale_parts, unwritable_message, write_atomically)
from .validation import class_index, image_size, positive_int, tensor

from .labels import TEXT_LABELS, TEXT_LABELS_ZH, get_fashion_mnist_labels  # noqa: F401 (re-exported)

SYSTEM_DIR = Path('/usr/share/datasets/fashion-mnist')

# Size in bytes and SHA-256 of each original, decompressed file.
FILES = {
    'train-images-idx3-ubyte': (
        47040016, 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888'),
    'train-labels-idx1-ubyte': (
        60008, 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9'),
    't10k-images-idx3-ubyte': (
        7840016, '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b'),
    't10k-labels-idx1-ubyte': (
        10008, '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34'),
}

class FashionMNISTError(RuntimeError):
    """The Fashion-MNIST files are missing, incomplete, corrupt or cannot be written
    (chapter 05, Fashion-MNIST)."""


def default_root() -> Path:
    """The data root: ``$D2L_DATA_DIR`` if set (``~`` expanded), else ``~/.cache/d2l``.

    A relative ``D2L_DATA_DIR`` is refused with :class:`FashionMNISTError`: each notebook runs
    in its own folder, so it would name a different folder for each. Taught in chapter 05
    (Fashion-MNIST).
    """
    value = os.environ.get('D2L_DATA_DIR', '')
    if not value.strip():
        return Path.home() / '.cache' / 'd2l'
    try:
        path = Path(value).expanduser()
    except RuntimeError:               # ~someone who does not exist
        path = Path(value)
    if not path.is_absolute():
        raise FashionMNISTError(
            f'D2L_DATA_DIR must be an absolute folder (or start with ~), got {value!r}: a '
            f'relative folder would be a different one for every notebook\'s folder. Set it to '
            f'the full path, e.g. D2L_DATA_DIR={Path(value).absolute()} '
            f'(that is {value!r} taken from the current folder, {Path.cwd()}).')
    return path


def _root(root) -> Path:
    """The data root of ``root`` (None: :func:`default_root`), ``~`` expanded, absolute."""
    if root is None:
        return default_root().absolute()
    if not isinstance(root, (str, os.PathLike)):
        raise ValueError(f'root must be a folder (a str or a pathlib.Path) or None for the '
                         f'default data root, got {type(root).__name__}')
    return Path(root).expanduser().absolute()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def _unreadable(path: Path, err: OSError) -> FashionMNISTError:
    return FashionMNISTError(
        f'{path} cannot be read: {err.strerror or err}. If another user prepared it, ask them '
        f'to make it readable (chmod -R a+rX {path.parent}), or point D2L_DATA_DIR at a '
        f'folder of your own.')


def _check_kinds(raw: Path) -> None:
    """Refuse, before anything is read or written, what is not a folder or file as it should be."""
    for path in (raw.parent.parent, raw.parent, raw, *(raw / name for name in FILES)):
        _check_kind(path, folder=path.name not in FILES)


def _check_kind(path: Path, folder: bool = False) -> None:
    try:
        what = (not_a_folder if folder else not_a_file)(path)
    except PermissionError as err:          # a folder we may not look into: not "missing"
        raise _unreadable(path, err) from err
    if what:
        should_be = 'a folder should be' if folder else f'the data file {path.name} should be'
        raise FashionMNISTError(in_the_way(path, what, should_be))


def _unusable(path: Path, err: OSError) -> FashionMNISTError:
    """A data file that could not be read: what the system said and what to do."""
    if isinstance(err, PermissionError):
        return _unreadable(path, err)
    if isinstance(err, NotAFile):
        return FashionMNISTError(in_the_way(path, err.what, f'the data file {path.name} should be'))
    return FashionMNISTError(f'{path} cannot be read: {err.strerror or err}. Delete it and run '
                             f'again to prepare it anew, or point D2L_DATA_DIR at another '
                             f'folder.')


def _problem(path: Path, name: str) -> str | None:
    """Why ``path`` is not the original file ``name``, or None if it is."""
    size, sha = FILES[name]
    actual = path.stat().st_size
    if actual != size:
        return f'it has {actual} bytes, the original {name} has {size} (truncated?)'
    if _sha256(path) != sha:
        return f'its SHA-256 differs from the original {name} (corrupt)'
    return None


def verify_file(path: Path) -> None:
    """Raise :class:`FashionMNISTError` unless ``path`` is the original file of its name."""
    _check_kind(path)
    try:
        problem = _problem(path, path.name)
    except OSError as err:
        raise _unusable(path, err) from err
    if problem:
        raise FashionMNISTError(f'{path} cannot be used: {problem}. '
                                f'Delete it and run again to prepare it anew.')


def _write_verified(target: Path, source) -> None:
    """Copy the stream ``source`` to ``target`` atomically; rename only once verified."""
    def check(tmp: Path) -> None:
        problem = _problem(tmp, target.name)
        if problem:
            raise FashionMNISTError(problem)
    write_atomically(target, chunks(source), check)


@contextlib.contextmanager
def _writing_into(raw: Path, need: int):
    """Turn a failed write into the error that names ``raw``, the reason and the remedy."""
    try:
        yield
    except WriteError as err:
        raise FashionMNISTError(unwritable_message(raw, err.oserror, need)) from err.oserror


def _missing_bytes(raw: Path) -> int:
    return sum(size for name, (size, _) in FILES.items() if not os.path.lexists(raw / name))


def _prepare_from_system(raw: Path, system_dir: Path) -> bool:
    """Decompress the Debian package's files into ``raw``; False if the package is absent."""
    sources = {name: system_dir / f'{name}.gz' for name in FILES}
    if not all(p.is_file() for p in sources.values()):
        return False
    need = _missing_bytes(raw)
    with _writing_into(raw, need):
        ready_to_write(raw, need)
    for name, gz in sources.items():
        if os.path.lexists(raw / name):
            continue
        with _writing_into(raw, need):          # WriteError: the folder's fault
            try:
                with gzip.open(gz, 'rb') as source:
                    _write_verified(raw / name, source)
            except (SourceError, OSError, EOFError, FashionMNISTError) as err:
                cause = err.__cause__ if isinstance(err, SourceError) else err
                raise FashionMNISTError(
                    f'{gz} does not hold the original data: {cause}. Reinstall it with '
                    f'sudo apt-get install --reinstall dataset-fashion-mnist.') from err
    return True


def _prepare_from_download(root: Path) -> bool:
    """Let torchvision download the files into ``root``; False when that fails (offline)."""
    import torchvision
    raw = root / 'FashionMNIST' / 'raw'
    need = 2 * _missing_bytes(raw)           # the .gz files and the decompressed ones
    with _writing_into(raw, need):
        ready_to_write(raw, need)
    try:
        for train in (True, False):
            torchvision.datasets.FashionMNIST(root=str(root), train=train, download=True)
    except OSError as err:
        if err.errno in REASONS:               # the folder, not the network, is the problem
            raise FashionMNISTError(unwritable_message(raw, err, need)) from err
        return False
    except Exception:  # no network, a proxy error, a server error: all mean "not this way"
        return False
    return True


def fashion_mnist_dir(root: str | os.PathLike | None = None,
                      system_dir: str | os.PathLike = SYSTEM_DIR,
                      download: bool = True) -> Path:
    """Return the folder holding the four verified, decompressed Fashion-MNIST files.

    Prepares them if needed (see the module docstring for the order tried). Taught in
    chapter 05 (Fashion-MNIST).
    """
    root = _root(root)
    raw = root / 'FashionMNIST' / 'raw'
    _check_kinds(raw)
    remove_stale_parts(raw, FILES)
    if not all(os.path.lexists(raw / name) for name in FILES):
        if not _prepare_from_system(raw, Path(system_dir)) and not (
                download and _prepare_from_download(root)):
            missing = [name for name in FILES if not os.path.lexists(raw / name)]
            raise FashionMNISTError(
                f'Fashion-MNIST is not in {raw} (missing: {", ".join(missing)}). Any one of '
                f'these fixes it:\n'
                f'  1. point D2L_DATA_DIR at a folder that holds FashionMNIST/raw/ with the '
                f'four decompressed files;\n'
                f'  2. on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist;\n'
                f'  3. connect to the internet, so that torchvision can download it.')
    for name in FILES:
        verify_file(raw / name)
    return raw


# ----------------------------------------------------------------------- decoded tensors
def _read_idx(path: Path, offset: int, shape: tuple[int, ...]) -> torch.Tensor:
    try:
        with open_regular(path) as f:
            buffer = bytearray(f.read())
    except OSError as err:
        raise _unusable(path, err) from err
    return torch.frombuffer(buffer, dtype=torch.uint8, offset=offset).reshape(shape)


def _train_flag(train) -> bool:
    if isinstance(train, (bool, np.bool_)):
        return bool(train)
    raise ValueError(f'train must be True (the 60,000 training images) or False (the 10,000 '
                     f'test images), got {train!r}')


_SPLITS: collections.OrderedDict = collections.OrderedDict()   # (train, root) -> tensors
_SPLITS_LOCK = threading.Lock()
_MAX_SPLITS = 4       # two roots x two splits; one entry per split whatever the spelling


def _split(train, root) -> tuple[torch.Tensor, torch.Tensor]:
    """The decoded split, cached once per (split, data root). Never hand these out: copy."""
    key = (_train_flag(train), _root(root).resolve())
    with _SPLITS_LOCK:
        if key in _SPLITS:
            _SPLITS.move_to_end(key)
            return _SPLITS[key]
    raw = fashion_mnist_dir(key[1])
    prefix, n = ('train', 60000) if key[0] else ('t10k', 10000)
    images = _read_idx(raw / f'{prefix}-images-idx3-ubyte', 16, (n, 28, 28))
    labels = _read_idx(raw / f'{prefix}-labels-idx1-ubyte', 8, (n,)).long()
    with _SPLITS_LOCK:
        _SPLITS[key] = images, labels
        while len(_SPLITS) > _MAX_SPLITS:
            _SPLITS.popitem(last=False)
    return images, labels


def load_fashion_mnist_tensors(train: bool = True,
                               root: str | os.PathLike | None = None
                               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode one split: images uint8 ``[N, 28, 28]`` and labels int64 ``[N]``.

    The files are decoded once per split and data root (however the arguments are spelled);
    every call returns a fresh copy, so editing it in place (``labels -= 1``) changes only
    that copy, never a later call or loader. Taught in chapter 05 (Fashion-MNIST); chapters
    01 and 02 use it earlier to show examples.
    """
    images, labels = _split(train, root)
    return images.clone(), labels.clone()


load_fashion_mnist_tensors.cache_clear = lambda: _SPLITS.clear()  # e.g. to time the decoding


def to_float_images(images: torch.Tensor, resize=None) -> torch.Tensor:
    """uint8 images ``[N, 28, 28]`` to float32 ``[N, 1, H, W]`` in [0, 1], as ``ToTensor`` gives,
    resized (an int or ``(h, w)``) when asked: the step the loader applies to the whole dataset.
    Taught in chapter 05 (Fashion-MNIST).
    """
    images = tensor(images, 'images')
    if images.dtype != torch.uint8 or images.dim() != 3:
        raise ValueError(f'images must be a uint8 tensor of shape [N, height, width], got '
                         f'{images.dtype} of shape {tuple(images.shape)}')
    if resize is not None:
        resize = image_size(resize, 'resize')
    X = images.unsqueeze(1).float().div_(255)
    if resize is not None:
        from torchvision.transforms import functional as TF
        X = TF.resize(X, resize, antialias=True).clamp_(0, 1)
    return X


class BatchIndexedTensors(data.Dataset):
    """Tensors indexed by a whole batch of positions at once: ``ds[[3, 1, 4]]``.

    The rows are gathered by NumPy, single-threaded: for a batch this small torch's
    multi-threaded gather spends more time synchronising threads than copying,
    and becomes several times slower when the other cores are busy.
    """

    def __init__(self, *tensors: torch.Tensor):
        self.tensors = tensors
        self._arrays = [t.numpy() for t in tensors]

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, indices):
        indices = np.asarray(indices)
        return tuple(torch.from_numpy(a[indices]) for a in self._arrays)


class ResizedBatches(BatchIndexedTensors):
    """uint8 images kept once, converted and resized a whole batch at a time.

    ``ds[[3, 1, 4]]`` gives float32 ``[3, 1, H, W]`` images (:func:`to_float_images`) and the
    labels: memory holds the decoded dataset (1 byte a pixel) and one resized batch, never the
    whole dataset resized (60,000 images at 224x224 in float32 would be 12 GB).
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, resize):
        super().__init__(images, labels)
        self.resize = resize

    def __getitem__(self, indices):
        images, labels = super().__getitem__(indices)
        return to_float_images(images, self.resize), labels


def _batch_loader(dataset: data.Dataset, batch_size: int, shuffle: bool) -> data.DataLoader:
    """A DataLoader that indexes ``dataset`` by whole batches.

    It makes the same random draws as ``DataLoader(dataset, batch_size, shuffle)``,
    so with the same ``torch.manual_seed`` it yields exactly the same batches.
    """
    order = data.RandomSampler(dataset) if shuffle else data.SequentialSampler(dataset)
    return data.DataLoader(dataset, batch_size=None,
                           sampler=data.BatchSampler(order, batch_size, drop_last=False))


def load_data_fashion_mnist(batch_size: int, resize: int | tuple[int, int] | None = None,
                            root: str | os.PathLike | None = None):
    """Return ``(train_iter, test_iter)`` over Fashion-MNIST, as the seed's function does.

    Taught in chapter 05 (Fashion-MNIST). Batches are ``X`` float32 ``[B, 1, 28, 28]`` in
    [0, 1] and ``y`` int64; the training set is shuffled, the test set keeps file order.
    ``resize`` is ``None`` (keep 28x28), an int (the new shorter side, as torchvision's
    ``Resize`` takes it) or a pair ``(height, width)``, all sizes >= 1. Resized images are made
    batch by batch from the uint8 images (:class:`ResizedBatches`), so ``resize=224`` needs the
    memory of a batch, not of the resized dataset.
    """
    batch_size = positive_int(batch_size, 'batch_size')
    if resize is not None:
        resize = image_size(resize, 'resize')
    loaders = []
    for train in (True, False):
        images, labels = _split(train, root)      # the loader gets its own copies:
        dataset = (BatchIndexedTensors(to_float_images(images), labels.clone()) if resize is None
                   else ResizedBatches(images.clone(), labels.clone(), resize))
        loaders.append(_batch_loader(dataset, batch_size, shuffle=train))
    return tuple(loaders)
