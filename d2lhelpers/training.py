"""Training a classifier: accuracy, evaluation, one epoch, the loop, device choice.

Works for the scratch model of the book (a plain function ``net`` and parameters updated by
:func:`sgd`) and for ``torch.nn`` models trained by a ``torch.optim`` optimizer.
Predictions drawn as images are :func:`d2lhelpers.plot.predict`.
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch import nn

from .validation import positive_int, positive_number

Updater = torch.optim.Optimizer | Callable[[int], None]


def try_gpu() -> torch.device:
    """The first CUDA GPU if there is one (e.g. on Colab), else the CPU.

    Taught in chapter 07 (concise implementation).
    """
    return torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Number of correct predictions (a float, as in the book).

    Taught in chapter 06 (from scratch). ``y_hat`` holds one row of scores (probabilities or
    logits) per example, shape ``[n, q]``, or predicted class indices of shape ``[n]``;
    ``y`` holds the true class indices ``[n]``.
    """
    if y.dim() != 1:
        raise ValueError(f'y must hold class indices, shape [n]; got shape {list(y.shape)}')
    if y_hat.dim() not in (1, 2) or y_hat.shape[0] != y.shape[0]:
        raise ValueError(f'y_hat of shape {list(y_hat.shape)} does not match y of shape '
                         f'{list(y.shape)}: expected [n, q] scores or [n] class indices')
    if y_hat.dim() == 2:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.to(y.dtype) == y).sum())


def _model_device(net) -> torch.device | None:
    """The device of a module's parameters; None for a plain function."""
    if isinstance(net, nn.Module):
        param = next(net.parameters(), None)
        if param is not None:
            return param.device
    return None


def evaluate_accuracy(net: Callable, data_iter: Iterable, device=None) -> float:
    """Fraction of examples of ``data_iter`` that ``net`` classifies correctly.

    Taught in chapter 06 (from scratch).
    """
    device = device if device is not None else _model_device(net)
    was_training = isinstance(net, nn.Module) and net.training
    if isinstance(net, nn.Module):
        net.eval()
    correct, total = 0.0, 0
    try:
        with torch.no_grad():
            for X, y in data_iter:
                if device is not None:
                    X, y = X.to(device), y.to(device)
                correct += accuracy(net(X), y)
                total += y.numel()
    finally:
        if was_training:
            net.train()
    if total == 0:
        raise ValueError('data_iter yielded no examples')
    return correct / total


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """Minibatch stochastic gradient descent from scratch, then zero the gradients.

    Taught in chapter 06 (from scratch). Divides by ``batch_size`` because
    :func:`train_epoch` back-propagates the *sum* of the losses when the updater is a
    function like ``lambda batch_size: sgd(params, lr, batch_size)``.
    """
    lr = positive_number(lr, 'the learning rate lr', 'e.g. 0.1')
    batch_size = positive_int(batch_size, 'batch_size')
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train_epoch(net: Callable, train_iter: Iterable, loss: Callable, updater: Updater,
                device=None) -> tuple[float, float]:
    """Train ``net`` for one pass over ``train_iter``; return (mean loss, accuracy).

    Taught in chapter 06 (from scratch). ``loss(y_hat, y)`` should give one loss per example
    (``reduction='none'``); a mean (scalar) loss is accepted too. ``updater`` is a
    ``torch.optim.Optimizer`` (the mean loss is back-propagated) or a function of the batch
    size such as ``lambda batch_size: sgd([W, b], lr, batch_size)`` (the summed loss is
    back-propagated).
    """
    is_optimizer = isinstance(updater, torch.optim.Optimizer)
    if not is_optimizer and not callable(updater):
        raise TypeError(f'updater must be a torch.optim.Optimizer or a function of the batch '
                        f'size, got {type(updater).__name__}')
    device = device if device is not None else _model_device(net)
    if isinstance(net, nn.Module):
        net.train()
    total_loss, total_correct, total_n = 0.0, 0.0, 0
    for X, y in train_iter:
        if device is not None:
            X, y = X.to(device), y.to(device)
        y_hat = net(X)
        l = loss(y_hat, y)
        n = y.shape[0]
        if l.dim() == 0:            # a loss already averaged over the batch
            l_mean, l_sum = l, l * n
        elif l.shape == (n,):
            l_mean, l_sum = l.mean(), l.sum()
        else:
            raise ValueError(f'loss must give one loss per example (shape [{n}]) or a '
                             f'scalar, got shape {list(l.shape)}')
        if is_optimizer:
            updater.zero_grad()
            l_mean.backward()
            updater.step()
        else:
            l_sum.backward()
            updater(n)
        total_loss += float(l_sum.detach())
        total_correct += accuracy(y_hat.detach(), y)
        total_n += n
    if total_n == 0:
        raise ValueError('train_iter yielded no examples')
    return total_loss / total_n, total_correct / total_n


def train(net: Callable, train_iter: Iterable, test_iter: Iterable, loss: Callable,
          num_epochs: int, updater: Updater, device=None, verbose: bool = True,
          scheduler=None) -> dict:
    """Train for ``num_epochs``; return the history ``{'train_loss', 'train_acc', 'test_acc'}``.

    Taught in chapter 06 (from scratch), reused in chapter 07 (concise implementation).
    Prints one line per epoch with rounded numbers (identical from run to run at the same
    seed). A module ``net`` is moved to ``device`` first; a function ``net`` must already
    have its parameters there. ``scheduler`` (e.g. a ``torch.optim.lr_scheduler``) has its
    ``step()`` called once after every epoch.
    """
    num_epochs = positive_int(num_epochs, 'num_epochs')
    if device is not None and isinstance(net, nn.Module):
        net.to(device)
    history = {'train_loss': [], 'train_acc': [], 'test_acc': []}
    for epoch in range(1, num_epochs + 1):
        train_loss, train_acc = train_epoch(net, train_iter, loss, updater, device)
        test_acc = evaluate_accuracy(net, test_iter, device)
        if scheduler is not None:
            scheduler.step()
        for key, value in zip(history, (train_loss, train_acc, test_acc)):
            history[key].append(value)
        if verbose:
            print(f'epoch {epoch:2d}  loss {train_loss:.3f}  train acc {train_acc:.3f}  '
                  f'test acc {test_acc:.3f}')
    return history

