"""d2lhelpers.training: accuracy, evaluation, one epoch, the training loop, device choice.

Mechanics are checked on tiny synthetic tensors; learning on a small slice of the real
Fashion-MNIST.
"""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
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


P3 = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])


@pytest.mark.parametrize('y, message', [
    (torch.tensor([True, False]), r'^labels y must be integer class indices, got dtype '
                                  r'torch\.bool; pass the class index of each example'),
    (torch.tensor([2.0, 2.0]), r'^labels y must be integer class indices, got dtype '
                               r'torch\.float32; pass an integer tensor, e\.g\. '),
    (torch.tensor([0, 5]), r'^labels y must lie in \[0, 3\) for 3 classes, got values from 0 '
                           r'to 5$'),
    (torch.tensor([-1, 2]), r'^labels y must lie in \[0, 3\) for 3 classes, got values from -1'),
])
def test_accuracy_validates_labels_like_cross_entropy(y, message):
    """Before: bool labels counted 1.0 for 0 correct, out-of-range and float labels passed."""
    with pytest.raises(ValueError, match=message):
        T.accuracy(P3, y)
    if y.dtype == torch.long:          # the same wording as cross_entropy's
        with pytest.raises(ValueError, match=message):
            d2lhelpers.cross_entropy(P3, y)


@pytest.mark.parametrize('y_hat, message', [
    (torch.tensor([0.9, 1.7]), r'^y_hat of shape \[n\] must hold predicted class indices'),
    (torch.tensor([True, False]), r'^y_hat must hold real scores'),
    (torch.tensor([[0.5 + 0j, 0.5]]).expand(2, 2), r'^y_hat must hold real scores'),
    (torch.tensor([[math.nan, 0.0], [0.2, 0.8]]), r'^y_hat holds nan scores \(first in row 0\)'),
    (torch.tensor([-1, 0]), r'^class indices cannot be negative'),
    (torch.zeros(2, 0), r'^y_hat has no classes'),
])
def test_accuracy_refuses_scores_it_cannot_read(y_hat, message):
    """Before: 1-D float scores were truncated toward zero; NaN rows counted as class 0."""
    with pytest.raises(ValueError, match=message):
        T.accuracy(y_hat, torch.tensor([0, 1]))


@pytest.mark.parametrize('y_hat, y', [([[0.1, 0.9], [0.8, 0.2]], torch.tensor([1, 1])),
                                      (np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1])),
                                      (torch.tensor([[0.1, 0.9]]), [1])])
def test_accuracy_refuses_lists_and_arrays_like_cross_entropy(y_hat, y):
    """Before: AttributeError: 'list' object has no attribute 'dim'."""
    with pytest.raises(ValueError, match=r'must be a torch\.Tensor, got (list|ndarray); wrap '
                                         r'it first'):
        T.accuracy(y_hat, y)


def test_accuracy_refuses_two_devices():
    with pytest.raises(ValueError, match='y_hat is on meta but y on cpu'):
        T.accuracy(torch.zeros(2, 3, device='meta'), torch.tensor([0, 1]))


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.integers(1, 12), st.integers(0, 10_000))
def test_prop_accuracy_counts_what_numpy_counts(n, q, seed):
    g = torch.Generator().manual_seed(seed)
    y_hat = torch.randint(-3, 4, (n, q), generator=g).float()   # small integers: many ties
    y = torch.randint(0, q, (n,), generator=g)
    expected = float((np.argmax(y_hat.numpy(), axis=1) == y.numpy()).sum())  # first on a tie
    assert T.accuracy(y_hat, y) == expected
    assert T.accuracy(y_hat.argmax(dim=1), y) == expected


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


def test_evaluate_accuracy_is_the_eval_mode_fraction_and_keeps_train_mode():
    """Before: ``0 <= acc <= 1`` only. The oracle: the eval-mode model's argmax, counted here;
    with dropout in train mode the outputs are random, so a missing ``net.eval()`` shows."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.9))
    _, test_iter = loaders()
    X, y = blobs()
    net.eval()
    with torch.no_grad():
        expected = (net(X).argmax(dim=1) == y).double().mean().item()
    net.train()
    assert T.evaluate_accuracy(net, test_iter) == pytest.approx(expected, abs=1e-12)
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
    """Before: ``loss > 0 and 0 <= acc <= 1``. Now: the same epoch as one-loss-per-example
    (same batches, same steps, same statistics), the independent spelling of the same loss."""
    results = []
    for reduction in ('mean', 'none'):
        torch.manual_seed(0)
        net = nn.Linear(2, 3)
        train_iter, _ = loaders()
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        stats = T.train_epoch(net, train_iter, nn.CrossEntropyLoss(reduction=reduction), opt)
        results.append((stats, net.weight.detach().clone()))
    (mean_stats, W_mean), (none_stats, W_none) = results
    assert mean_stats == pytest.approx(none_stats, rel=1e-6)
    assert torch.allclose(W_mean, W_none, atol=1e-7)
    assert mean_stats[0] > 0 and mean_stats[1] > 0.5


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


@pytest.mark.parametrize('available, expected', [(True, torch.device('cuda', 0)),
                                                  (False, torch.device('cpu'))])
def test_try_gpu_picks_the_first_gpu_when_there_is_one(monkeypatch, available, expected):
    """Before: the test restated the implementation on this machine's one branch."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: available)
    assert T.try_gpu() == expected


class SpyLinear(nn.Linear):
    """nn.Linear that records every .to() call and the device of every batch it sees."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.to_calls, self.batch_devices = [], []

    def to(self, *args, **kwargs):
        self.to_calls.append((args, kwargs, len(self.batch_devices)))
        return super().to(*args, **kwargs)

    def forward(self, X):
        self.batch_devices.append(X.device)
        return super().forward(X)


@pytest.mark.parametrize('device', [torch.device('cpu'), 'cpu'])
def test_train_moves_a_module_to_the_device_before_the_first_batch(device):
    """Before: built, trained and asserted on the CPU, so it could not fail."""
    torch.manual_seed(0)
    net = SpyLinear(2, 3)
    train_iter, test_iter = loaders()
    T.train(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 1,
            torch.optim.SGD(net.parameters(), lr=0.1), device=device, verbose=False)
    assert len(net.to_calls) == 1
    args, kwargs, batches_before = net.to_calls[0]
    assert torch.device(*args, **kwargs) == torch.device('cpu') and batches_before == 0
    assert set(net.batch_devices) == {torch.device('cpu')}


def test_train_without_a_device_does_not_move_the_module():
    net = SpyLinear(2, 3)
    train_iter, test_iter = loaders()
    T.train(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 1,
            torch.optim.SGD(net.parameters(), lr=0.1), verbose=False)
    assert net.to_calls == []


# ---------------------------------------------------------------- real Fashion-MNIST slice
def test_softmax_regression_learns_real_fashion_mnist(fashion_slice):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    train_iter, test_iter = fashion_slice
    history = T.train(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 5,
                      torch.optim.SGD(net.parameters(), lr=0.1), verbose=False)
    assert history['train_loss'][-1] < history['train_loss'][0]
    assert history['test_acc'][-1] > 0.7   # chance is 0.1


# ---------------------------------------------------------------- sgd refuses clearly
def test_sgd_without_gradients_says_call_backward_first():
    """Before: TypeError: unsupported operand type(s) for *: 'float' and 'NoneType'."""
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=r'^params\[0\] \(shape \(2,\)\) has no gradient yet: '
                                         r'call backward\(\) first'):
        T.sgd([w], 0.1, 2)


def test_sgd_on_a_bare_tensor_says_pass_a_list():
    w = torch.ones(2, 3, requires_grad=True)
    (2 * w).sum().backward()
    with pytest.raises(ValueError, match=r'^params must be a list of the tensors to update, '
                                         r'e\.g\. \[W, b\], got a single tensor of shape '
                                         r'\(2, 3\); pass a list'):
        T.sgd(w, 0.1, 2)
    assert torch.equal(w.detach(), torch.ones(2, 3))


def test_sgd_updates_nothing_when_one_parameter_has_no_gradient():
    w, b = torch.ones(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    (3 * w).sum().backward()
    with pytest.raises(ValueError, match=r'^params\[1\] .* call backward\(\) first'):
        T.sgd([w, b], 0.1, 2)
    assert torch.equal(w.detach(), torch.ones(2))      # W was not updated either


@pytest.mark.parametrize('params, message', [
    (lambda: nn.Linear(2, 1).state_dict(), r'got a dict \(a state_dict\?\)'),
    (lambda: [torch.zeros(2)], r'params\[0\] .* does not require gradients: create it with '
                               r'requires_grad=True'),
    (lambda: [0.5], r'params\[0\] must be a tensor .* got float'),
    (lambda: 3, r'params must be a list of tensors such as \[W, b\], got int'),
])
def test_sgd_refuses_what_is_not_a_list_of_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        T.sgd(params(), 0.1, 2)


def test_sgd_accepts_a_generator_of_parameters():
    net = nn.Linear(2, 1)
    net(torch.ones(1, 2)).sum().backward()
    before = net.bias.detach().clone()
    T.sgd(net.parameters(), 0.5, 1)
    assert torch.allclose(net.bias.detach(), before - 0.5)   # d(out)/d(bias) = 1


# ------------------------------------------------------- train checks before the first epoch
class CountingLoader:
    """A loader that counts how often it is read."""

    def __init__(self, loader):
        self.loader, self.reads = loader, 0

    def __iter__(self):
        self.reads += 1
        return iter(self.loader)

    def __len__(self):
        return len(self.loader)


def _refused_before_training(match, **overrides):
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    before = [p.detach().clone() for p in net.parameters()]
    train_iter, test_iter = loaders()
    train_iter = CountingLoader(train_iter)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    kwargs = dict(net=net, train_iter=train_iter, test_iter=test_iter,
                  loss=nn.CrossEntropyLoss(reduction='none'), num_epochs=2, updater=opt,
                  verbose=False)
    kwargs.update({k: (v(opt) if callable(v) and k == 'scheduler' and
                       not isinstance(v, type) else v) for k, v in overrides.items()})
    with pytest.raises((ValueError, TypeError), match=match):
        T.train(**kwargs)
    assert train_iter.reads == 0                          # not a single epoch was run
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_train_refuses_an_empty_test_iter_before_training():
    """Before: 'data_iter yielded no examples', after a whole epoch of training."""
    _refused_before_training(r'^test_iter is empty', test_iter=[])


def test_train_refuses_a_one_shot_generator():
    """Before: 'train_iter yielded no examples' in epoch 2, after epoch 1 had trained."""
    train_iter, _ = loaders()
    _refused_before_training(r'^train_iter is an iterator .* read only once.*\(2 epochs\)',
                             train_iter=(batch for batch in train_iter))
    _refused_before_training(r'^test_iter is an iterator', test_iter=iter(loaders()[1]))


def test_train_reads_a_generator_once_when_there_is_one_epoch():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, test_iter = loaders()
    history = T.train(net, (b for b in train_iter), (b for b in test_iter),
                      nn.CrossEntropyLoss(reduction='none'), 1,
                      torch.optim.SGD(net.parameters(), lr=0.1), verbose=False)
    assert len(history['test_acc']) == 1


class NeedsAMetric:
    def __init__(self, opt):
        self.optimizer = opt

    def step(self, metric):
        pass


@pytest.mark.parametrize('scheduler, match', [
    (0.5, r'^scheduler must have a step\(\) method .* got float'),
    (torch.optim.lr_scheduler.StepLR, r'^scheduler must be a scheduler object .* got the class '
                                      r'StepLR itself'),
    (lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt),
     r'^scheduler\.step\(\) of ReduceLROnPlateau needs arguments'),
    (lambda opt: NeedsAMetric(opt), r'^scheduler\.step\(\) of NeedsAMetric needs arguments'),
    (lambda opt: torch.optim.lr_scheduler.StepLR(
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), 1),
     r'^scheduler adjusts another optimizer than updater'),
])
def test_train_refuses_a_bad_scheduler_before_training(scheduler, match):
    """Before: AttributeError / TypeError after a whole epoch."""
    _refused_before_training(match, scheduler=scheduler)


@pytest.mark.parametrize('overrides, match', [
    ({'device': 'gpu'}, r"^device must be a torch\.device or a name such as 'cpu'"),
    ({'device': 3.5}, r'^device must be'),
    ({'loss': 'cross_entropy'}, r'^loss must be callable'),
    ({'net': None}, r'^net must be callable'),
    ({'updater': 0.1}, r'^updater must be a torch\.optim\.Optimizer'),
    ({'train_iter': 5}, r'^train_iter must yield \(X, y\) batches'),
])
def test_train_refuses_other_bad_arguments_before_training(overrides, match):
    _refused_before_training(match, **overrides)


# ----------------------------------------------------------------- a loss that is not finite
class NanOnCall:
    """A per-example cross-entropy whose ``bad``-th call returns NaN; it keeps a copy of the
    parameters as they were when that call came (before that batch's update)."""

    def __init__(self, net, bad):
        self.net, self.bad, self.calls, self.params_at_bad = net, bad, 0, None

    def __call__(self, y_hat, y):
        self.calls += 1
        loss = nn.functional.cross_entropy(y_hat, y, reduction='none')
        if self.calls == self.bad:
            self.params_at_bad = [p.detach().clone() for p in self.net.parameters()]
            loss = loss + math.nan
        return loss


def test_train_stops_on_a_nan_loss_naming_the_epoch_and_keeps_the_last_good_parameters():
    """Before: training went on through NaN for every remaining epoch."""
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, test_iter = loaders()                 # 8 batches per epoch
    loss = NanOnCall(net, bad=8 + 3)                  # epoch 2, batch 3
    with pytest.raises(FloatingPointError, match=r'^epoch 2: the loss of batch 3 is nan, not a '
                                                 r'finite number: training stopped before this '
                                                 r'batch changed the parameters\. The usual '
                                                 r'causes: too large a learning rate') as err:
        T.train(net, train_iter, test_iter, loss, 5, torch.optim.SGD(net.parameters(), lr=0.1),
                verbose=False)
    assert len(err.value.history['train_loss']) == 1   # the completed epoch is kept
    assert all(torch.equal(a, b) for a, b in zip(loss.params_at_bad, net.parameters()))


def test_train_epoch_with_the_scratch_updater_stops_on_an_infinite_loss():
    W = torch.zeros(2, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    train_iter, _ = loaders()
    updates = []

    def cross_entropy(y_hat, y):                      # the seed's form: -log 0 = inf
        return -torch.log(torch.zeros(len(y)))

    with pytest.raises(FloatingPointError, match=r'^the loss of batch 1 is inf'):
        T.train_epoch(lambda X: X @ W + b, train_iter, cross_entropy,
                      lambda batch_size: updates.append(batch_size))
    assert updates == []


# ---------------------------------------------------------------- predictions (no drawing)
def test_predictions_are_the_nets_argmax_in_eval_mode(fashion_slice):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Dropout(0.9))
    _, test_iter = fashion_slice
    images, y_true, y_pred = T.predictions(net, test_iter, n=7)
    X, y = next(iter(test_iter))
    net.eval()
    with torch.no_grad():
        expected = net(X[:7]).argmax(dim=1)
    net.train()
    assert torch.equal(images, X[:7]) and torch.equal(y_true, y[:7])
    assert torch.equal(y_pred, expected)
    assert net.training


def test_predictions_wrong_only_are_the_mistakes_in_order(fashion_slice):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    _, test_iter = fashion_slice
    X = torch.cat([X for X, _ in test_iter])
    y = torch.cat([y for _, y in test_iter])
    with torch.no_grad():
        wrong = (net(X).argmax(dim=1) != y).nonzero().flatten()[:150]
    images, y_true, y_pred = T.predictions(net, test_iter, n=150, wrong_only=True)
    assert torch.equal(images, X[wrong]) and torch.equal(y_true, y[wrong])
    assert bool((y_true != y_pred).all())


def test_evaluate_accuracy_refuses_a_bad_device():
    with pytest.raises(ValueError, match="^device must be a torch.device or a name such as 'cpu'"):
        T.evaluate_accuracy(nn.Linear(2, 3), loaders()[1], device='gpu')


@pytest.mark.parametrize('kwargs, match', [({'n': 0}, 'n must be a positive integer'),
                                           ({'wrong_only': 'yes'}, 'wrong_only must be True'),
                                           ({'device': 'gpu'}, 'device must be')])
def test_predictions_refuse_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        T.predictions(nn.Linear(2, 3), [(torch.zeros(1, 2), torch.tensor([0]))], **kwargs)
