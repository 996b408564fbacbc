"""Training a classifier: accuracy, evaluation, one epoch, the loop, predictions, device choice.

Works for the scratch model of the book (a plain function ``net`` and parameters updated by
:func:`sgd`) and for ``torch.nn`` models trained by a ``torch.optim`` optimizer.
:func:`predictions` runs a classifier on test images (:mod:`d2lhelpers.prediction` draws them).
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Iterator
from typing import Callable, Iterable

import torch
from torch import nn

from .validation import class_indices, positive_int, positive_number, tensor

Updater = torch.optim.Optimizer | Callable[[int], None]


def try_gpu() -> torch.device:
    """The first CUDA GPU if there is one (e.g. on Colab), else the CPU.

    Taught in chapter 07 (concise implementation).
    """
    return torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Number of correct predictions (a float, as in the book).

    Taught in chapter 06 (from scratch). ``y_hat`` holds one row of scores (probabilities or
    logits) per example, shape ``[n, q]``, or predicted class indices (integers) of shape
    ``[n]``; ``y`` holds the true class indices ``[n]``, integers in ``[0, q)``. A row's
    prediction is its largest score (the first one on a tie, as ``argmax`` gives).
    """
    tensor(y_hat, 'y_hat')
    tensor(y, 'y')
    if y.dim() != 1:
        raise ValueError(f'y must hold class indices, shape [n]; got shape {list(y.shape)}')
    y = class_indices(y, 'labels y', sequences=False)
    if y_hat.dim() not in (1, 2) or y_hat.shape[0] != y.shape[0]:
        raise ValueError(f'y_hat of shape {list(y_hat.shape)} does not match y of shape '
                         f'{list(y.shape)}: expected [n, q] scores or [n] class indices')
    if y_hat.device != y.device:
        raise ValueError(f'y_hat is on {y_hat.device} but y on {y.device}: move them to the '
                         f'same device first, e.g. y.to(y_hat.device)')
    if y_hat.dtype.is_complex or y_hat.dtype == torch.bool:
        raise ValueError(f'y_hat must hold real scores [n, q] or integer class indices [n], '
                         f'got dtype {y_hat.dtype}')
    if y_hat.dim() == 2:
        q = y_hat.shape[1]
        if q == 0:
            raise ValueError('y_hat has no classes (shape [n, 0]): one score per class needed')
        if y_hat.is_floating_point():
            bad = torch.isnan(y_hat).any(dim=1).nonzero().flatten()
            if len(bad):
                raise ValueError(f'y_hat holds nan scores (first in row {int(bad[0])}): the '
                                 f'model\'s output is not a number, so nothing is predicted; '
                                 f'a too large learning rate is the usual cause')
        y = class_indices(y, 'labels y', q)
        y_hat = y_hat.argmax(dim=1)
    else:
        if y_hat.is_floating_point():
            raise ValueError(f'y_hat of shape [n] must hold predicted class indices '
                             f'(integers), got dtype {y_hat.dtype}; pass the scores of shape '
                             f'[n, q] instead (accuracy takes each row\'s argmax)')
        y_hat = y_hat.long()             # compared as int64: an int8 300 would wrap to 44
        if y.numel() and (y.min() < 0 or y_hat.min() < 0):
            raise ValueError(f'class indices cannot be negative, got y from {y.min().item()} '
                             f'and y_hat from {y_hat.min().item()}')
    return float((y_hat == y).sum())


def _model_device(net) -> torch.device | None:
    """The device of a module's parameters; None for a plain function."""
    if isinstance(net, nn.Module):
        param = next(net.parameters(), None)
        if param is not None:
            return param.device
    return None


def _device(device) -> torch.device:
    try:
        return torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"device must be a torch.device or a name such as 'cpu', 'cuda' or "
                         f"'cuda:0', got {device!r}; d2lhelpers.try_gpu() picks one") from None


def evaluate_accuracy(net: Callable, data_iter: Iterable, device=None) -> float:
    """Fraction of examples of ``data_iter`` that ``net`` classifies correctly.

    Taught in chapter 06 (from scratch).
    """
    device = _device(device) if device is not None else _model_device(net)
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


def _parameters(params) -> list[torch.Tensor]:
    """``params`` as a list of tensors that each have a gradient, or a clear error."""
    if isinstance(params, torch.Tensor):
        raise ValueError(f'params must be a list of the tensors to update, e.g. [W, b], got a '
                         f'single tensor of shape {tuple(params.shape)}; pass a list: '
                         f'sgd([W, b], lr, batch_size)')
    if isinstance(params, dict):
        raise ValueError('params must be a list of tensors such as [W, b] (or '
                         'net.parameters()), got a dict (a state_dict?): pass its values as '
                         'a list, or net.parameters()')
    try:
        params = list(params)
    except TypeError:
        raise ValueError(f'params must be a list of tensors such as [W, b], got '
                         f'{type(params).__name__}') from None
    for i, p in enumerate(params):
        if not isinstance(p, torch.Tensor):
            raise ValueError(f'params[{i}] must be a tensor (a parameter such as W), got '
                             f'{type(p).__name__}; pass a list of tensors such as [W, b]')
        if p.grad is None:
            if not p.requires_grad:
                raise ValueError(f'params[{i}] (shape {tuple(p.shape)}) does not require '
                                 f'gradients: create it with requires_grad=True, e.g. '
                                 f'torch.zeros(10, requires_grad=True)')
            raise ValueError(f'params[{i}] (shape {tuple(p.shape)}) has no gradient yet: '
                             f'call backward() first, on the loss computed with it '
                             f'(e.g. l.sum().backward()), then sgd')
    return params


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """Minibatch stochastic gradient descent from scratch, then zero the gradients.

    Taught in chapter 06 (from scratch). Divides by ``batch_size`` because
    :func:`train_epoch` back-propagates the *sum* of the losses when the updater is a
    function like ``lambda batch_size: sgd(params, lr, batch_size)``. ``params`` is a list
    such as ``[W, b]``; every one must have a gradient (``backward()`` called) or nothing is
    updated.
    """
    lr = positive_number(lr, 'the learning rate lr', 'e.g. 0.1')
    batch_size = positive_int(batch_size, 'batch_size')
    params = _parameters(params)
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


class _NonFiniteLoss(FloatingPointError):
    """The loss of a batch is NaN or infinite (raised before it changes the parameters)."""


_NON_FINITE_CAUSES = ('The usual causes: too large a learning rate (try one 10 times smaller); '
                      'a softmax computed without subtracting the largest logit, whose exp '
                      'overflows (use d2lhelpers.softmax, or softmax_cross_entropy on the '
                      'logits); the log of a probability 0; NaN or inf in the inputs X.')


def train_epoch(net: Callable, train_iter: Iterable, loss: Callable, updater: Updater,
                device=None) -> tuple[float, float]:
    """Train ``net`` for one pass over ``train_iter``; return (mean loss, accuracy).

    Taught in chapter 06 (from scratch). ``loss(y_hat, y)`` should give one loss per example
    (``reduction='none'``); a mean (scalar) loss is accepted too. ``updater`` is a
    ``torch.optim.Optimizer`` (the mean loss is back-propagated) or a function of the batch
    size such as ``lambda batch_size: sgd([W, b], lr, batch_size)`` (the summed loss is
    back-propagated). A batch whose loss is NaN or infinite stops the epoch with a
    ``FloatingPointError`` before it changes the parameters.
    """
    is_optimizer = isinstance(updater, torch.optim.Optimizer)
    if not is_optimizer and not callable(updater):
        raise TypeError(f'updater must be a torch.optim.Optimizer or a function of the batch '
                        f'size, got {type(updater).__name__}')
    device = _device(device) if device is not None else _model_device(net)
    if isinstance(net, nn.Module):
        net.train()
    total_loss, total_correct, total_n = 0.0, 0.0, 0
    for batch, (X, y) in enumerate(train_iter, start=1):
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
        batch_loss = float(l_sum.detach())
        if not math.isfinite(batch_loss):
            raise _NonFiniteLoss(
                f'the loss of batch {batch} is {batch_loss}, not a finite number: training '
                f'stopped before this batch changed the parameters. {_NON_FINITE_CAUSES}')
        if is_optimizer:
            updater.zero_grad()
            l_mean.backward()
            updater.step()
        else:
            l_sum.backward()
            updater(n)
        total_loss += batch_loss
        total_correct += accuracy(y_hat.detach(), y)
        total_n += n
    if total_n == 0:
        raise ValueError('train_iter yielded no examples')
    return total_loss / total_n, total_correct / total_n


def _check_batches(batches, name: str, passes: int) -> None:
    """Refuse, before any training, what cannot be read once per epoch."""
    if isinstance(batches, (str, bytes)) or not hasattr(batches, '__iter__'):
        raise ValueError(f'{name} must yield (X, y) batches, like a DataLoader or a list of '
                         f'(X, y) pairs, got {type(batches).__name__}')
    if isinstance(batches, Iterator) and passes > 1:
        raise ValueError(f'{name} is an iterator (a generator, or iter(...) of a loader), which '
                         f'can be read only once, but train reads it once per epoch '
                         f'({passes} epochs): pass the DataLoader itself, or a list of batches')
    if hasattr(batches, '__len__') and len(batches) == 0:
        raise ValueError(f'{name} is empty: it holds no batches')


def _check_scheduler(scheduler, updater) -> None:
    if isinstance(scheduler, type):
        raise ValueError(f'scheduler must be a scheduler object built on the optimizer, e.g. '
                         f'torch.optim.lr_scheduler.StepLR(updater, step_size=5), got the '
                         f'class {scheduler.__name__} itself')
    step = getattr(scheduler, 'step', None)
    if not callable(step):
        raise ValueError(f'scheduler must have a step() method (e.g. a '
                         f'torch.optim.lr_scheduler object), got {type(scheduler).__name__}')
    try:
        inspect.signature(step).bind()
    except TypeError:
        raise ValueError(f'scheduler.step() of {type(scheduler).__name__} needs arguments '
                         f'(a metric?), but train calls it with none, once per epoch; use a '
                         f'scheduler such as StepLR or CosineAnnealingLR, or write the loop '
                         f'with train_epoch') from None
    except ValueError:                      # no signature to read (a builtin): trust it
        pass
    optimizer = getattr(scheduler, 'optimizer', None)
    if (isinstance(updater, torch.optim.Optimizer) and isinstance(optimizer, torch.optim.Optimizer)
            and optimizer is not updater):
        raise ValueError('scheduler adjusts another optimizer than updater: build it on the '
                         'optimizer that trains, e.g. StepLR(updater, step_size=5)')


def train(net: Callable, train_iter: Iterable, test_iter: Iterable, loss: Callable,
          num_epochs: int, updater: Updater, device=None, verbose: bool = True,
          scheduler=None) -> dict:
    """Train for ``num_epochs``; return the history ``{'train_loss', 'train_acc', 'test_acc'}``.

    Taught in chapter 06 (from scratch), reused in chapter 07 (concise implementation).
    Prints one line per epoch with rounded numbers (identical from run to run at the same
    seed). A module ``net`` is moved to ``device`` first; a function ``net`` must already
    have its parameters there. ``scheduler`` (e.g. a ``torch.optim.lr_scheduler``) has its
    ``step()`` called once after every epoch.

    The arguments are checked before the first epoch. A NaN or infinite training loss stops
    training with a ``FloatingPointError`` (before that batch's update) that names the epoch
    and the usual causes; its ``history`` attribute holds the epochs completed.
    """
    num_epochs = positive_int(num_epochs, 'num_epochs')
    for value, name in ((net, 'net'), (loss, 'loss')):
        if not callable(value):
            raise ValueError(f'{name} must be callable (a function or a torch.nn module), got '
                             f'{type(value).__name__}')
    if not isinstance(updater, torch.optim.Optimizer) and not callable(updater):
        raise TypeError(f'updater must be a torch.optim.Optimizer or a function of the batch '
                        f'size, got {type(updater).__name__}')
    _check_batches(train_iter, 'train_iter', num_epochs)
    _check_batches(test_iter, 'test_iter', num_epochs)
    if scheduler is not None:
        _check_scheduler(scheduler, updater)
    if device is not None:
        device = _device(device)
        if isinstance(net, nn.Module):
            net.to(device)
    history = {'train_loss': [], 'train_acc': [], 'test_acc': []}
    for epoch in range(1, num_epochs + 1):
        try:
            train_loss, train_acc = train_epoch(net, train_iter, loss, updater, device)
        except _NonFiniteLoss as err:
            stop = FloatingPointError(f'epoch {epoch}: {err}')
            stop.history = history
            raise stop from None
        test_acc = evaluate_accuracy(net, test_iter, device)
        if scheduler is not None:
            scheduler.step()
        for key, value in zip(history, (train_loss, train_acc, test_acc)):
            history[key].append(value)
        if verbose:
            print(f'epoch {epoch:2d}  loss {train_loss:.3f}  train acc {train_acc:.3f}  '
                  f'test acc {test_acc:.3f}')
    return history


def predictions(net: Callable, data_iter: Iterable, n: int = 6, wrong_only: bool = False,
                device=None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The first ``n`` images of ``data_iter`` with their true and predicted classes.

    Returns ``(images, y_true, y_pred)`` on the CPU; with ``wrong_only=True`` only the
    misclassified ones. A module ``net`` is evaluated in eval mode (then restored). Taught in
    chapter 06 (from scratch).
    """
    n = positive_int(n, 'n')
    if not isinstance(wrong_only, bool):
        raise ValueError(f'wrong_only must be True or False, got {wrong_only!r}')
    device = _device(device) if device is not None else _model_device(net)
    was_training = isinstance(net, nn.Module) and net.training
    if isinstance(net, nn.Module):
        net.eval()
    images, trues, preds, found = [], [], [], 0
    try:
        with torch.no_grad():
            for X, y in data_iter:
                y = class_indices(y, 'the labels y of data_iter')
                X_dev = X.to(device) if device is not None else X
                y_pred = net(X_dev).argmax(dim=1).cpu()
                keep = (y_pred != y) if wrong_only else torch.ones_like(y, dtype=torch.bool)
                images.append(X[keep])
                trues.append(y[keep])
                preds.append(y_pred[keep])
                found += int(keep.sum())
                if found >= n:
                    break
    finally:
        if was_training:
            net.train()
    if not images:
        raise ValueError('data_iter yielded no examples')
    return tuple(torch.cat(t)[:n] for t in (images, trues, preds))
