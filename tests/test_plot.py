"""d2lhelpers.plot: image grids, predictions drawn as images, training curves."""
import matplotlib
import pytest
import torch
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


def test_predict_is_a_plotting_helper():
    assert d2lhelpers.predict is plot.predict
