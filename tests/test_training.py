"""d2lhelpers.training: accuracy, evaluation, one epoch, the training loop, device choice.

Mechanics are checked on tiny synthetic tensors; learning on a small slice of the real
Fashion-MNIST.
"""
import pytest
import torch
from torch import nn
from torch.utils import data as tud

import d2lhelpers
T = d2lhelpers  # tested through the public API


# ---------------------------------------------------------------- accuracy
def test_accuracy_counts_correct_rows():
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [0.8, 0.1, 0.1]])
    y = torch.tensor([2, 1, 0])
    assert T.accuracy(y_hat, y) == 2.0
    assert isinstance(T.accuracy(y_hat, y), float)


def test_accuracy_accepts_class_indices():
    assert T.accuracy(torch.tensor([1, 2, 3]), torch.tensor([1, 0, 3])) == 2.0


def test_accuracy_names_both_shapes_on_mismatch():
    with pytest.raises(ValueError, match=r'\[4, 3\].*\[5\]'):
        T.accuracy(torch.zeros(4, 3), torch.zeros(5, dtype=torch.long))


def test_accuracy_rejects_2d_labels():
    with pytest.raises(ValueError, match='class indices'):
        T.accuracy(torch.zeros(4, 3), torch.zeros(4, 3))


# ---------------------------------------------------------------- tiny synthetic data
def blobs(n=240, seed=0):
    """Three well separated Gaussian blobs in 2-D: a tiny, learnable classification set."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    y = torch.arange(n) % 3
    X = centres[y] + torch.randn(n, 2, generator=g) * 0.5
    return X, y


def loaders(batch_size=32):
    X, y = blobs()
    ds = tud.TensorDataset(X, y)
    return (tud.DataLoader(ds, batch_size, shuffle=True),
            tud.DataLoader(ds, batch_size, shuffle=False))


def test_evaluate_accuracy_is_a_fraction_and_keeps_train_mode():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    _, test_iter = loaders()
    acc = T.evaluate_accuracy(net, test_iter)
    assert 0.0 <= acc <= 1.0
    assert net.training  # restored after evaluation


def test_evaluate_accuracy_of_function_nets():
    y = torch.arange(90) % 3
    ds = tud.DataLoader(tud.TensorDataset(y.float().unsqueeze(1), y), 50)  # X holds the label
    perfect = lambda X: nn.functional.one_hot(X[:, 0].long(), 3).float()  # noqa: E731
    always_zero = lambda X: torch.zeros(len(X), dtype=torch.long)  # noqa: E731
    assert T.evaluate_accuracy(perfect, ds) == 1.0
    assert T.evaluate_accuracy(always_zero, ds) == pytest.approx(1 / 3)


def test_train_epoch_with_an_optimizer_lowers_the_loss():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, _ = loaders()
    loss = nn.CrossEntropyLoss(reduction='none')
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    first, _ = T.train_epoch(net, train_iter, loss, opt)
    for _ in range(5):
        last, acc = T.train_epoch(net, train_iter, loss, opt)
    assert last < first
    assert acc > 0.9


def test_train_epoch_with_a_scratch_updater_matches_the_optimizer():
    """``l.sum()`` + sgd dividing by the batch size is the same step as ``l.mean()`` + SGD."""
    train_iter, _ = loaders()
    loss = nn.CrossEntropyLoss(reduction='none')
    results = []
    for scratch in (False, True):
        torch.manual_seed(0)
        W = torch.normal(0, 0.01, size=(2, 3), requires_grad=True)
        b = torch.zeros(3, requires_grad=True)

        def net(X):
            return X @ W + b
        updater = ((lambda batch_size: T.sgd([W, b], 0.1, batch_size)) if scratch
                   else torch.optim.SGD([W, b], lr=0.1))
        results.append((T.train_epoch(net, train_iter, loss, updater), W.detach().clone()))
    (opt_stats, W_opt), (sgd_stats, W_sgd) = results
    assert torch.allclose(W_opt, W_sgd, atol=1e-6)
    assert opt_stats == pytest.approx(sgd_stats, abs=1e-5)


def test_sgd_updates_and_zeroes_the_gradients():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * torch.tensor([4.0, 8.0])).sum().backward()
    T.sgd([w], lr=0.5, batch_size=2)
    assert torch.equal(w.detach(), torch.tensor([0.0, 0.0]))
    assert torch.equal(w.grad, torch.zeros(2))


def test_train_epoch_accepts_a_mean_reduced_loss():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, _ = loaders()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loss_value, acc = T.train_epoch(net, train_iter, nn.CrossEntropyLoss(), opt)
    assert loss_value > 0 and 0 <= acc <= 1


def test_train_epoch_rejects_a_loss_of_the_wrong_shape():
    net = nn.Linear(2, 3)
    train_iter, _ = loaders()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match='one loss per example'):
        T.train_epoch(net, train_iter, lambda y_hat, y: torch.zeros(2, 2), opt)


def test_train_epoch_rejects_an_updater_that_is_neither():
    net = nn.Linear(2, 3)
    train_iter, _ = loaders()
    with pytest.raises(TypeError, match='torch.optim.Optimizer'):
        T.train_epoch(net, train_iter, nn.CrossEntropyLoss(reduction='none'), 0.1)


def test_train_returns_a_history_and_prints_one_line_per_epoch(capsys):
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, test_iter = loaders()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    history = T.train(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 3, opt)
    assert set(history) == {'train_loss', 'train_acc', 'test_acc'}
    assert all(len(v) == 3 for v in history.values())
    assert history['train_loss'][-1] < history['train_loss'][0]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith('epoch  1') and 'test acc' in lines[0]


def test_train_is_identical_run_to_run(capsys):
    outputs = []
    for _ in range(2):
        torch.manual_seed(0)
        net = nn.Linear(2, 3)
        train_iter, test_iter = loaders()
        T.train(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 2,
                torch.optim.SGD(net.parameters(), lr=0.1))
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


def test_train_steps_the_scheduler_once_per_epoch():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, test_iter = loaders()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    T.train(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 3, opt,
            verbose=False, scheduler=sched)
    assert opt.param_groups[0]['lr'] == pytest.approx(0.1 / 8)


@pytest.mark.parametrize('num_epochs', [0, -1, True, 2.0])
def test_train_rejects_a_bad_number_of_epochs(num_epochs):
    with pytest.raises(ValueError, match='num_epochs must be a positive integer'):
        T.train(nn.Linear(2, 3), [], [], nn.CrossEntropyLoss(), num_epochs,
                torch.optim.SGD(nn.Linear(2, 3).parameters(), lr=0.1))


@pytest.mark.parametrize('lr, batch_size, match', [(0, 2, 'lr'), (-0.1, 2, 'lr'),
                                                   (True, 2, 'lr'), (0.1, 0, 'batch_size'),
                                                   (0.1, True, 'batch_size')])
def test_sgd_rejects_a_bad_learning_rate_or_batch_size(lr, batch_size, match):
    w = torch.tensor([1.0], requires_grad=True)
    (2 * w).sum().backward()
    with pytest.raises(ValueError, match=match):
        T.sgd([w], lr, batch_size)
    assert w.item() == 1.0   # nothing was updated


def test_try_gpu_returns_a_device():
    device = T.try_gpu()
    assert isinstance(device, torch.device)
    assert device.type == ('cuda' if torch.cuda.is_available() else 'cpu')


def test_train_moves_a_module_to_the_device():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, test_iter = loaders()
    T.train(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 1,
            torch.optim.SGD(net.parameters(), lr=0.1), device=torch.device('cpu'), verbose=False)
    assert net.weight.device.type == 'cpu'


# ---------------------------------------------------------------- real Fashion-MNIST slice
def test_softmax_regression_learns_real_fashion_mnist(fashion_slice):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    train_iter, test_iter = fashion_slice
    history = T.train(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 5,
                      torch.optim.SGD(net.parameters(), lr=0.1), verbose=False)
    assert history['train_loss'][-1] < history['train_loss'][0]
    assert history['test_acc'][-1] > 0.7   # chance is 0.1
