"""Fashion-MNIST: find or prepare the real files, verify them, and serve minibatches fast.

Where the data comes from, in this order (:func:`fashion_mnist_dir`):

1. a prepared copy under the data root: ``$D2L_DATA_DIR`` or, if unset, ``~/.cache/d2l``
   (files in ``<root>/FashionMNIST/raw/``, the layout torchvision uses);
2. the Debian/Ubuntu package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
3. torchvision's download (needs internet; this is what Colab uses);
4. otherwise :class:`FashionMNISTError` naming all three remedies.

Every file is checked against the size and SHA-256 of the original decompressed file;
a file is written under a temporary name and renamed only once it is verified.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch.utils import data

from .validation import class_index, image_size, positive_int, tensor

TEXT_LABELS = ('t-shirt', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')

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
    """The Fashion-MNIST files are missing, incomplete or corrupt (chapter 05, Fashion-MNIST)."""


def default_root() -> Path:
    """The data root: ``$D2L_DATA_DIR`` if set, else ``~/.cache/d2l``.

    Taught in chapter 05 (Fashion-MNIST).
    """
    return Path(os.environ.get('D2L_DATA_DIR') or Path.home() / '.cache' / 'd2l')


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


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
    problem = _problem(path, path.name)
    if problem:
        raise FashionMNISTError(f'{path} cannot be used: {problem}. '
                                f'Delete it and run again to prepare it anew.')


def _write_verified(target: Path, source) -> None:
    """Copy the stream ``source`` to ``target`` via a temporary file; rename once verified."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f'.{target.name}.', suffix='.part')
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, 'wb') as out:
            for chunk in iter(lambda: source.read(1 << 20), b''):
                out.write(chunk)
        problem = _problem(tmp, target.name)
        if problem:
            raise FashionMNISTError(problem)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _prepare_from_system(raw: Path, system_dir: Path) -> bool:
    """Decompress the Debian package's files into ``raw``; False if the package is absent."""
    sources = {name: system_dir / f'{name}.gz' for name in FILES}
    if not all(p.is_file() for p in sources.values()):
        return False
    raw.mkdir(parents=True, exist_ok=True)
    for name, gz in sources.items():
        if (raw / name).exists():
            continue
        try:
            with gzip.open(gz, 'rb') as source:
                _write_verified(raw / name, source)
        except (OSError, EOFError, FashionMNISTError) as err:  # BadGzipFile is an OSError
            raise FashionMNISTError(
                f'{gz} does not hold the original data: {err}. Reinstall it with '
                f'sudo apt-get install --reinstall dataset-fashion-mnist.') from err
    return True


def _prepare_from_download(root: Path) -> bool:
    """Let torchvision download the files into ``root``; False when that fails (offline)."""
    import torchvision
    try:
        for train in (True, False):
            torchvision.datasets.FashionMNIST(root=str(root), train=train, download=True)
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
    root = Path(root) if root is not None else default_root()
    raw = root / 'FashionMNIST' / 'raw'
    if not all((raw / name).exists() for name in FILES):
        if not _prepare_from_system(raw, Path(system_dir)) and not (
                download and _prepare_from_download(root)):
            missing = [name for name in FILES if not (raw / name).exists()]
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


def _read_idx(path: Path, offset: int, shape: tuple[int, ...]) -> torch.Tensor:
    buffer = bytearray(path.read_bytes())
    return torch.frombuffer(buffer, dtype=torch.uint8, offset=offset).reshape(shape)


@functools.lru_cache(maxsize=4)
def load_fashion_mnist_tensors(train: bool = True,
                               root: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode one split once: images uint8 ``[N, 28, 28]`` and labels int64 ``[N]``.

    Taught in chapter 05 (Fashion-MNIST); chapters 01 and 02 use it earlier to show examples.
    """
    raw = fashion_mnist_dir(root)
    prefix, n = ('train', 60000) if train else ('t10k', 10000)
    images = _read_idx(raw / f'{prefix}-images-idx3-ubyte', 16, (n, 28, 28))
    labels = _read_idx(raw / f'{prefix}-labels-idx1-ubyte', 8, (n,)).long()
    return images, labels


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


def _batch_loader(dataset: data.Dataset, batch_size: int, shuffle: bool) -> data.DataLoader:
    """A DataLoader that indexes ``dataset`` by whole batches.

    It makes the same random draws as ``DataLoader(dataset, batch_size, shuffle)``,
    so with the same ``torch.manual_seed`` it yields exactly the same batches.
    """
    order = data.RandomSampler(dataset) if shuffle else data.SequentialSampler(dataset)
    return data.DataLoader(dataset, batch_size=None,
                           sampler=data.BatchSampler(order, batch_size, drop_last=False))


def load_data_fashion_mnist(batch_size: int, resize: int | tuple[int, int] | None = None,
                            root: str | None = None):
    """Return ``(train_iter, test_iter)`` over Fashion-MNIST, as the seed's function does.

    Taught in chapter 05 (Fashion-MNIST). Batches are ``X`` float32 ``[B, 1, 28, 28]`` in
    [0, 1] and ``y`` int64; the training set is shuffled, the test set keeps file order.
    ``resize`` is ``None`` (keep 28x28), an int (the new shorter side, as torchvision's
    ``Resize`` takes it) or a pair ``(height, width)``, all sizes >= 1.
    """
    batch_size = positive_int(batch_size, 'batch_size')
    if resize is not None:
        resize = image_size(resize, 'resize')
    loaders = []
    for train in (True, False):
        images, labels = load_fashion_mnist_tensors(train, root)
        dataset = BatchIndexedTensors(to_float_images(images, resize), labels)
        loaders.append(_batch_loader(dataset, batch_size, shuffle=train))
    return tuple(loaders)


def get_fashion_mnist_labels(labels) -> list[str]:
    """Return the text labels of Fashion-MNIST class indices.

    Taught in chapter 05 (Fashion-MNIST).

    ``labels`` is any iterable of integer class indices 0..9 (a list, a 1-D tensor).
    """
    return [TEXT_LABELS[class_index(i, len(TEXT_LABELS), 'a Fashion-MNIST label')]
            for i in labels]
