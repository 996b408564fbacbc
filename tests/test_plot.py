"""d2lhelpers.plot: image grids, predictions drawn as images, training curves."""
import warnings

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

import d2lhelpers  # noqa: E402
from d2lhelpers import plot  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


def test_show_images_titles_and_grid():
    axes = plot.show_images(torch.rand(5, 1, 28, 28), 2, 3, titles=list('abcde'))
    assert len(axes) == 6
    assert [ax.get_title() for ax in axes[:5]] == list('abcde')


@pytest.mark.parametrize('rows, cols', [(0, 2), (1, True), (2.0, 1)])
def test_show_images_rejects_a_bad_grid(rows, cols):
    with pytest.raises(ValueError, match='num_rows|num_cols'):
        plot.show_images(torch.rand(1, 28, 28), rows, cols)


def test_show_images_too_many_images():
    with pytest.raises(ValueError, match='do not fit a 1x2 grid'):
        plot.show_images(torch.rand(3, 28, 28), 1, 2)


def test_plot_history_draws_one_line_per_curve():
    history = {'train_loss': [0.8, 0.5, 0.4], 'train_acc': [0.7, 0.8, 0.85],
               'test_acc': [0.75, 0.8, 0.82]}
    ax = plot.plot_history(history, title='scratch')
    assert [line.get_label() for line in ax.get_lines()] == ['train loss', 'train acc',
                                                            'test acc']
    assert list(ax.get_lines()[2].get_ydata()) == [0.75, 0.8, 0.82]
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 3]
    assert ax.get_xlabel() == 'epoch' and ax.get_title() == 'scratch'
    assert tuple(ax.figure.get_size_inches()) == plot.FIGSIZE


def test_plot_history_accepts_a_subset():
    ax = plot.plot_history({'test_acc': [0.5]})
    assert len(ax.get_lines()) == 1


def test_plot_history_rejects_unknown_keys():
    with pytest.raises(ValueError, match='train_loss'):
        plot.plot_history({'loss': [1.0]})


def test_plot_history_rejects_ragged_curves():
    with pytest.raises(ValueError, match='same, non-zero number of epochs'):
        plot.plot_history({'train_loss': [1.0, 0.5], 'test_acc': [0.5]})


# ---------------------------------------------------------------- predict (real Fashion-MNIST)
def test_predict_shows_titles_and_returns_labels(fashion_slice):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    _, test_iter = fashion_slice
    y_true, y_pred = d2lhelpers.predict(net, test_iter, n=6)
    assert y_true.shape == y_pred.shape == (6,)
    assert torch.equal(y_true, d2lhelpers.load_fashion_mnist_tensors(False)[1][:6])
    titles = [ax.get_title() for ax in plt.gcf().axes]
    assert titles[0] == 'ankle boot\n' + d2lhelpers.get_fashion_mnist_labels(y_pred[:1])[0]


def test_predict_wrong_only_shows_mistakes(fashion_slice):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    _, test_iter = fashion_slice
    y_true, y_pred = d2lhelpers.predict(net, test_iter, n=4, wrong_only=True)
    assert len(y_true) == 4 and bool((y_true != y_pred).all())


@pytest.mark.parametrize('n', [0, True, 2.0])
def test_predict_rejects_a_bad_n(fashion_slice, n):
    with pytest.raises(ValueError, match='n must be a positive integer'):
        d2lhelpers.predict(nn.Linear(784, 10), fashion_slice[1], n=n)


def test_predict_classifies_in_training_and_plot_only_draws():
    """Before: plot.predict ran the network and imported a private helper from training."""
    import inspect
    from d2lhelpers import prediction, training
    assert d2lhelpers.predict is prediction.predict
    assert not hasattr(plot, 'predict') and not hasattr(training, 'predict')
    assert 'plot' not in inspect.getsource(training).split('def ', 1)[0]     # training draws nothing
    source = inspect.getsource(plot)
    assert 'training' not in source.split('"""', 2)[2].split('def ', 1)[0]   # no import


def test_show_predictions_titles_true_over_predicted():
    axes = plot.show_predictions(torch.rand(3, 1, 28, 28), torch.tensor([9, 0, 1]),
                                 torch.tensor([9, 3, 1]))
    assert [ax.get_title() for ax in axes[:3]] == ['ankle boot\nankle boot', 't-shirt\ndress',
                                                   'trouser\ntrouser']
    with pytest.raises(ValueError, match='as long as each other'):
        plot.show_predictions(torch.rand(3, 28, 28), torch.tensor([9, 0]), torch.tensor([9, 3]))


# ---------------------------------------------------------------- show_images: what it draws
def _drawn(ax):
    return ax.images[0].get_array()


def test_grey_images_are_drawn_as_given_dark_on_light():
    imgs = torch.rand(2, 1, 5, 7)
    axes = plot.show_images(imgs, 1, 2)
    for ax, img in zip(axes, imgs):
        assert np.array_equal(_drawn(ax), img[0].numpy())
        assert ax.images[0].get_cmap().name == 'gray_r'


def test_tensors_that_require_grad_are_drawn():
    """Before: RuntimeError: Can't call numpy() on Tensor that requires grad."""
    imgs = torch.rand(2, 5, 5, requires_grad=True)
    axes = plot.show_images(imgs * 2, 1, 2)
    assert np.allclose(_drawn(axes[0]), (imgs[0] * 2).detach().numpy())


@pytest.mark.parametrize('layout', ['channels first', 'channels last'])
def test_colour_images_are_drawn_in_colour(layout):
    """Before: TypeError: Invalid shape (3, 8, 8) for image data (deep in matplotlib)."""
    img = torch.rand(3, 4, 6)
    given = img if layout == 'channels first' else img.permute(1, 2, 0).numpy()
    axes = plot.show_images([given], 1, 1)
    assert np.array_equal(_drawn(axes[0]), img.permute(1, 2, 0).numpy())


def test_colour_values_outside_0_1_are_clipped_without_a_warning():
    img = torch.tensor([[[-0.5, 2.0]], [[0.5, 0.5]], [[1.0, 0.0]]])  # [3, 1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter('error')              # any warning would reach a chapter's stderr
        axes = plot.show_images([img], 1, 1)
    assert np.array_equal(_drawn(axes[0]), [[[0.0, 0.5, 1.0], [1.0, 0.5, 0.0]]])


def test_numpy_arrays_and_pil_images_are_drawn():
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    axes = plot.show_images([grey, Image.fromarray(grey)], 1, 2)
    assert np.array_equal(_drawn(axes[0]), grey) and np.array_equal(_drawn(axes[1]), grey)


@pytest.mark.parametrize('img, shape', [(torch.rand(2, 8, 8), r'\(2, 8, 8\)'),
                                        (torch.rand(8), r'\(8,\)'),
                                        (torch.rand(2, 3, 8, 8), r'\(2, 3, 8, 8\)')])
def test_an_image_of_another_shape_is_refused_by_index_and_shape(img, shape):
    with pytest.raises(ValueError, match=rf'^image 1 must have shape \[H, W\] or \[1, H, W\] '
                                         rf'\(grey\), or \[3, H, W\] or \[H, W, 3\] '
                                         rf'\(colour\), got shape {shape}$'):
        plot.show_images([torch.rand(8, 8), img], 1, 2)


def test_complex_images_are_refused():
    with pytest.raises(ValueError, match='image 0 must hold real numbers'):
        plot.show_images([torch.zeros(4, 4, dtype=torch.complex64)], 1, 1)


@pytest.mark.parametrize('scale', [0, -1, float('nan'), float('inf'), True, '1.5'])
def test_a_bad_scale_is_refused_naming_it(scale):
    """Before: scale=0 gave LinAlgError: Singular matrix from matplotlib."""
    with pytest.raises(ValueError, match=r"^scale must be a finite number > 0 \(each image's "
                                         r"size in inches, e\.g\. 1\.5\), got "):
        plot.show_images(torch.rand(2, 8, 8), 1, 2, scale=scale)
