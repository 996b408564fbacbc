"""d2lhelpers.plot: image grids and training curves."""
import matplotlib
import pytest
import torch

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from d2lhelpers import plot  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


def test_show_images_titles_and_grid():
    axes = plot.show_images(torch.rand(5, 1, 28, 28), 2, 3, titles=list('abcde'))
    assert len(axes) == 6
    assert [ax.get_title() for ax in axes[:5]] == list('abcde')


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
