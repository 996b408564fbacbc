"""The course notes' load_data_fashion_mnist, as written there, reading the prepared files.

The reference both benchmarks measure d2lhelpers against: torchvision's FashionMNIST with
``ToTensor`` per image and ``DataLoader(num_workers=4)``. Only ``download=True`` is dropped:
the files under ``d2lhelpers.default_root()`` are already in torchvision's layout.
"""
import warnings

import torchvision
from torch.utils import data
from torchvision import transforms

import d2lhelpers


def notes_load_data_fashion_mnist(batch_size: int, resize=None):
    """Return the course notes' ``(train_iter, test_iter)`` (``resize`` as there)."""
    root = str(d2lhelpers.default_root())
    trans = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)
    mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                    download=False)
    mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                   download=False)
    # The course notes ask for 4 workers; torch warns that this machine suggests fewer. Measured as is.
    warnings.filterwarnings('ignore', message='This DataLoader will create 4 worker processes')
    return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=4),
            data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=4))
