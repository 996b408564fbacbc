"""Hostile and clumsy probes of d2lhelpers' data, functional, losses, training and plot modules.

Each probe feeds one public function a mistake a learner (or a shared machine) makes and says
what came back, as one of:

  clear  refused by d2lhelpers itself (a deliberate ``raise``) with a message holding the words
         a learner needs (the argument, what was expected, the remedy), or the right result;
  weak   refused by d2lhelpers, but the message lacks those words (or the result is right but
         only with a warning on stderr);
  wrong  a silently wrong result (or a refusal where the right answer is well defined);
  crash  an exception from deep inside torch, matplotlib, NumPy or Python (a bare
         ``TypeError``, ``AttributeError``, ``PermissionError``, ...).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/probes.py [--only WORD] [--verbose]

The data probes work on temporary copies of the prepared files only (never on the real data
root). Permission probes need a second user: run as root, they re-run themselves as ``nobody``
through ``setpriv``; run as another user, they use ``chmod`` directly. Disk-full and read-only
file-system probes patch the write / open calls to raise ``ENOSPC`` / ``EROFS``.
Exit status: 0 always (this is a report, the regression tests are in tests/).
"""
from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import gzip
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils import data as tud

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

import d2lhelpers as d  # noqa: E402
from d2lhelpers import data as D  # noqa: E402

OUR_ERRORS = (ValueError, TypeError, RuntimeError, FloatingPointError, OSError)
PROBES = []


def probe(name):
    def register(fn):
        PROBES.append((name, fn))
        return fn
    return register


# ----------------------------------------------------------------------------- judging
class Verdict(Exception):
    def __init__(self, kind, detail=''):
        super().__init__(kind)
        self.kind, self.detail = kind, detail


def _deliberate(exc: BaseException) -> bool:
    """Raised by a ``raise`` statement in d2lhelpers itself (not deep in torch/matplotlib)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    last = frames[-1]
    return 'd2lhelpers' in last.filename and (last.line or '').lstrip().startswith('raise')


def refused(call, *words, also_ok=None):
    """Expect ``call()`` to be refused by d2lhelpers with every one of ``words`` in the message.

    ``also_ok(result)``: the right answer, for the decisions the issue leaves open (refuse
    clearly OR compute the right thing): a result that passes it is clear too.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            result = call()
        except Exception as exc:  # judged below
            message = f'{type(exc).__name__}: {exc}'
            if not _deliberate(exc):
                raise Verdict('crash', message)
            missing = [w for w in words if w.lower() not in str(exc).lower()]
            if missing:
                raise Verdict('weak', f'{message}  [missing: {missing}]')
            raise Verdict('clear', message)
    if also_ok is not None:
        try:
            ok = also_ok(result)
        except Exception as exc:  # the check itself failing means the result is not right
            ok = False
            result = f'{result!r} ({type(exc).__name__}: {exc})'
        if ok:
            if caught:
                raise Verdict('weak', f'right result, with warning {caught[0].message}')
            raise Verdict('clear', f'computed: {_short(result)}')
    raise Verdict('wrong', f'returned {_short(result)}')


def computes(call, check, *warn_words):
    """Expect ``call()`` to return a result for which ``check(result)`` is true (no stderr).

    A warning whose message holds all ``warn_words`` counts as a clear answer (used where
    "stop or warn clearly" is the contract).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            result = call()
        except Exception as exc:  # judged below
            message = f'{type(exc).__name__}: {exc}'
            raise Verdict('weak' if _deliberate(exc) else 'crash', message)
    if check(result):
        if caught and not warn_words:
            raise Verdict('weak', f'right result, with warning {caught[0].message}')
        raise Verdict('clear', f'computed: {_short(result)}')
    if warn_words and any(all(w.lower() in str(c.message).lower() for w in warn_words)
                          for c in caught):
        raise Verdict('clear', f'warned: {caught[0].message}')
    raise Verdict('wrong', f'returned {_short(result)}')


def _short(value, n=110):
    text = repr(value).replace('\n', ' ')
    return text if len(text) <= n else text[:n] + '...'


# ----------------------------------------------------------------------------- fixtures
T = torch.tensor
P3 = T([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])


def blobs(n=240):
    g = torch.Generator().manual_seed(0)
    centres = T([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    y = torch.arange(n) % 3
    return centres[y] + torch.randn(n, 2, generator=g) * 0.5, y


def loaders(batch_size=32):
    ds = tud.TensorDataset(*blobs())
    return tud.DataLoader(ds, batch_size, shuffle=True), tud.DataLoader(ds, batch_size)


def params_of(net):
    return [p.detach().clone() for p in net.parameters()]


def unchanged(net, before):
    return all(torch.equal(a, b) for a, b in zip(before, net.parameters()))


CE = nn.CrossEntropyLoss(reduction='none')
WORK = Path(tempfile.mkdtemp(prefix='d2l-probes-'))
os.chmod(WORK, 0o755)


def system_copy() -> Path:
    """A stand-in for /usr/share/datasets/fashion-mnist made from the prepared files."""
    folder = WORK / 'system'
    if not folder.exists():
        folder.mkdir()
        raw = D.fashion_mnist_dir()
        for name in D.FILES:
            with open(raw / name, 'rb') as src, gzip.open(folder / f'{name}.gz', 'wb',
                                                           compresslevel=1) as dst:
                shutil.copyfileobj(src, dst)
            os.chmod(folder / f'{name}.gz', 0o644)
        os.chmod(folder, 0o755)
    return folder


def fresh(name) -> Path:
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    return path


def raw_of(root: Path) -> Path:
    return root / 'FashionMNIST' / 'raw'


def leftovers(root: Path) -> list[str]:
    """Half-written things under ``root``: .part files, or files that are not the originals."""
    bad = []
    for p in root.rglob('*'):
        if p.is_file() and (p.name.endswith('.part') or
                            (p.name in D.FILES and p.stat().st_size != D.FILES[p.name][0])):
            bad.append(p.name)
    return bad


def clear_cache():
    clear = getattr(D.load_fashion_mnist_tensors, 'cache_clear', None)
    if clear:
        clear()


# ---------------------------------------------------------------- as another user (EACCES)
def as_other_user(code: str) -> dict:
    """Run ``code`` (which sets ``result``) as a user without root's powers; return its outcome."""
    script = ('import json, traceback, sys\n'
              f'sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})\n'
              'import d2lhelpers as d\n'
              'try:\n'
              + ''.join(f'    {line}\n' for line in code.splitlines()) +
              '    out = {"ok": True, "result": repr(result)}\n'
              'except Exception as exc:\n'
              '    last = traceback.extract_tb(exc.__traceback__)[-1]\n'
              '    out = {"ok": False, "type": type(exc).__name__, "message": str(exc),\n'
              '           "deliberate": "d2lhelpers" in last.filename and\n'
              '                         (last.line or "").lstrip().startswith("raise")}\n'
              'print("RESULT " + json.dumps(out))\n')
    env = dict(os.environ, HOME=str(WORK), MPLCONFIGDIR=str(WORK / 'mpl'))
    env.pop('D2L_DATA_DIR', None)
    cmd = [sys.executable, '-c', script]
    if os.geteuid() == 0:
        cmd = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    for line in out.stdout.splitlines():
        if line.startswith('RESULT '):
            return json.loads(line[7:])
    return {'ok': False, 'type': 'NoResult', 'message': out.stderr[-500:], 'deliberate': False}


def judge_other(outcome: dict, *words, want_ok=False):
    if outcome['ok']:
        raise Verdict('clear' if want_ok else 'wrong', f'returned {outcome["result"][:100]}')
    message = f'{outcome["type"]}: {outcome["message"]}'
    if want_ok or not outcome['deliberate']:
        raise Verdict('crash', message)
    missing = [w for w in words if w.lower() not in outcome['message'].lower()]
    raise Verdict('weak' if missing else 'clear',
                  message + (f'  [missing: {missing}]' if missing else ''))


# =============================================================================== data
@probe('data: an in-place edit of the returned labels does not reach the next load')
def _():
    _, labels = d.load_fashion_mnist_tensors(False)
    labels -= 1
    try:
        computes(lambda: d.load_fashion_mnist_tensors(False)[1][:4].tolist(),
                 lambda v: v == [9, 2, 1, 1])
    finally:
        clear_cache()


@probe('data: an in-place edit of the returned images does not reach a later loader')
def _():
    for args in [(False,), (False, None)]:      # spelled as a chapter and as the loader do
        d.load_fashion_mnist_tensors(*args)[0].zero_()
    try:
        computes(lambda: float(next(iter(d.load_data_fashion_mnist(8)[1]))[0].sum()),
                 lambda v: v > 0)
    finally:
        clear_cache()


@probe('data: an edit of a loader\'s labels does not reach the next load')
def _():
    _, test_iter = d.load_data_fashion_mnist(8)
    test_iter.dataset.tensors[1].add_(1)
    try:
        computes(lambda: [d.load_fashion_mnist_tensors(*args)[1][:4].tolist()
                          for args in [(False,), (False, None)]],
                 lambda v: v == [[9, 2, 1, 1]] * 2)
    finally:
        clear_cache()


def _rss() -> int:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


@probe('data: one cached copy whatever the spelling (train=True, True, root=None, root=str)')
def _():
    clear_cache()
    gc.collect()
    d.load_fashion_mnist_tensors(True)
    gc.collect()
    before = _rss()
    root = d.default_root()
    for args, kwargs in [((), {'train': True}), ((True, None), {}), ((True, str(root)), {}),
                         ((True, root), {}), ((), {})]:
        d.load_fashion_mnist_tensors(*args, **kwargs)
    gc.collect()
    grown = (_rss() - before) / 1e6
    clear_cache()
    verdict = 'clear' if grown < 20 else 'wrong'
    raise Verdict(verdict, f'resident memory grew by {grown:.0f} MB over 5 more spellings '
                           f'(one copy of the training images: 47 MB)')


@probe("data: train='False' (a string) is refused, not read as the training set")
def _():
    refused(lambda: d.load_fashion_mnist_tensors('False'), 'train', 'True', 'False')


@probe("data: D2L_DATA_DIR='~/data' means the home folder's data, not ./~/data")
def _():
    with _env(D2L_DATA_DIR='~/data', HOME=str(WORK / 'home')):
        computes(d.default_root, lambda r: r == WORK / 'home' / 'data')


@probe('data: a relative D2L_DATA_DIR does not mean one folder per notebook folder')
def _():
    def both():
        with _env(D2L_DATA_DIR='data'):
            out = []
            for cwd in (fresh('nb1'), fresh('nb2')):
                with _cwd(cwd):
                    out.append(d.default_root())
            return out
    refused(both, 'D2L_DATA_DIR', 'absolute',
            also_ok=lambda r: r[0] == r[1] and Path(r[0]).is_absolute())


@probe('data: prepared files respect the umask (0644 under umask 022), for a shared class folder')
def _():
    root = fresh('umask')
    old = os.umask(0o022)
    try:
        raw = d.fashion_mnist_dir(root, system_dir=system_copy(), download=False)
    finally:
        os.umask(old)
    modes = sorted({oct(p.stat().st_mode & 0o777) for p in raw.iterdir()})
    raise Verdict('clear' if modes == ['0o644'] else 'wrong', f'modes {modes}')


def chmod_folders(root: Path, mode: int) -> None:
    """Set ``mode`` on ``root`` and every folder below it (read-only: 0o555; back: 0o755)."""
    for p in [root, *root.rglob('*')]:
        if p.is_dir():
            os.chmod(p, mode)


@probe("data: a folder prepared by one user is readable by another (a teacher's class copy)")
def _():
    root = fresh('teacher')
    old = os.umask(0o022)
    try:
        d.fashion_mnist_dir(root, system_dir=system_copy(), download=False)
    finally:
        os.umask(old)
    chmod_folders(root, 0o555)
    outcome = as_other_user(f'result = d.load_fashion_mnist_tensors(False, {str(root)!r})'
                            f'[1][:4].tolist()')
    chmod_folders(root, 0o755)
    judge_other(outcome, want_ok=True)


@probe('data: an empty folder the user cannot write: names the folder, why, and the remedy')
def _():
    root = fresh('readonly')
    os.chmod(root, 0o555)
    outcome = as_other_user(f'result = d.fashion_mnist_dir({str(root)!r}, '
                            f'system_dir={str(system_copy())!r}, download=False)')
    os.chmod(root, 0o755)
    judge_other(outcome, str(root), 'permission', 'D2L_DATA_DIR')


@probe('data: a half-prepared folder the user cannot write: the folder, why, the remedy')
def _():
    root = fresh('readonly2')
    d.fashion_mnist_dir(root, system_dir=system_copy(), download=False)
    (raw_of(root) / 't10k-labels-idx1-ubyte').unlink()
    chmod_folders(root, 0o555)
    outcome = as_other_user(f'result = d.fashion_mnist_dir({str(root)!r}, '
                            f'system_dir={str(system_copy())!r}, download=False)')
    chmod_folders(root, 0o755)
    judge_other(outcome, str(raw_of(root)), 'permission', 'D2L_DATA_DIR')


@contextlib.contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _cwd(path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@contextlib.contextmanager
def _patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


class _FullDisk(io.RawIOBase):
    """A file object that accepts 2 MB, then fails as a full disk does."""

    def __init__(self, real):
        self.real, self.written = real, 0

    def write(self, chunk):
        if self.written + len(chunk) > 2 << 20:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.written += len(chunk)
        return self.real.write(chunk)

    def writable(self):
        return True

    def fileno(self):
        return self.real.fileno()

    def flush(self):
        if not self.real.closed:
            self.real.flush()

    def close(self):
        self.real.close()
        super().close()


@probe('data: disk full while preparing: names the folder, why, the remedy; nothing half-written')
def _():
    root = fresh('full')
    real_fdopen = os.fdopen

    def fdopen(fd, *args, **kwargs):
        return _FullDisk(real_fdopen(fd, *args, **kwargs))
    try:
        with _patched(os, 'fdopen', fdopen):
            refused(lambda: d.fashion_mnist_dir(root, system_dir=system_copy(), download=False),
                    str(raw_of(root)), 'space', 'D2L_DATA_DIR')
    except Verdict as v:
        left = leftovers(root)
        if left and v.kind == 'clear':
            raise Verdict('weak', f'{v.detail}; left behind: {left}')
        raise


@probe('data: a read-only file system: names the folder, why, the remedy; nothing half-written')
def _():
    root = fresh('rofs')
    real_open, real_mkdir = os.open, os.mkdir

    def ro_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(root)) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    def ro_mkdir(path, *args, **kwargs):
        if str(path).startswith(str(root)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)
    with _patched(os, 'open', ro_open), _patched(os, 'mkdir', ro_mkdir):
        refused(lambda: d.fashion_mnist_dir(root, system_dir=system_copy(), download=False),
                str(root), 'read-only', 'D2L_DATA_DIR')


@probe('data: a corrupt package archive still names the package and its reinstall')
def _():
    broken = fresh('broken-system')
    for name in D.FILES:
        shutil.copyfile(system_copy() / f'{name}.gz', broken / f'{name}.gz')
    gz = broken / 't10k-labels-idx1-ubyte.gz'
    gz.write_bytes(gz.read_bytes()[:2000])
    root = fresh('broken-root')
    refused(lambda: d.fashion_mnist_dir(root, system_dir=broken, download=False),
            't10k-labels-idx1-ubyte.gz', 'apt-get install --reinstall')


@probe('data: stale hidden .part files left by kill -9 are cleaned up')
def _():
    root = fresh('stale')
    raw = raw_of(root)
    raw.mkdir(parents=True)
    stale = [raw / '.train-images-idx3-ubyte.k9x2ab.part',
             raw / f'.t10k-images-idx3-ubyte.{2 ** 22 + 17}.0f3c9a1e.part']
    for p in stale:
        p.write_bytes(b'\0' * 4096)
        os.utime(p, (time.time() - 7200, time.time() - 7200))
    d.fashion_mnist_dir(root, system_dir=system_copy(), download=False)
    left = [p.name for p in stale if p.exists()]
    raise Verdict('wrong' if left else 'clear', f'left: {left}' if left else 'removed')


@probe('data: every prepared file is fsync-ed before its atomic rename')
def _():
    root = fresh('fsync')
    synced, renamed = [], []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        with contextlib.suppress(OSError):
            synced.append(os.readlink(f'/proc/self/fd/{fd}'))
        return real_fsync(fd)

    def replace(src, dst, *args, **kwargs):
        renamed.append((str(src), str(src) in synced))
        return real_replace(src, dst, *args, **kwargs)
    with _patched(os, 'fsync', fsync), _patched(os, 'replace', replace):
        d.fashion_mnist_dir(root, system_dir=system_copy(), download=False)
    ok = len(renamed) == 4 and all(was_synced for _, was_synced in renamed)
    raise Verdict('clear' if ok else 'wrong',
                  f'{sum(s for _, s in renamed)} of {len(renamed)} renamed files fsync-ed first')


# ============================================================================ accuracy
@probe('accuracy: bool labels are refused (not counted as 0/1)')
def _():
    refused(lambda: d.accuracy(P3, T([True, False])), 'y', 'integer')


@probe('accuracy: 1-D float scores are refused (not truncated toward zero)')
def _():
    refused(lambda: d.accuracy(T([0.9, 1.7]), T([0, 1])), 'y_hat', 'class indices')


@probe('accuracy: out-of-range labels are refused')
def _():
    refused(lambda: d.accuracy(P3, T([0, 5])), 'y', '[0, 3)')


@probe('accuracy: negative labels are refused')
def _():
    refused(lambda: d.accuracy(P3, T([-1, 2])), 'y', '[0, 3)')


@probe('accuracy: float labels are refused')
def _():
    refused(lambda: d.accuracy(P3, T([2.0, 2.0])), 'y', 'integer')


@probe('accuracy: lists are refused clearly (like cross_entropy) or counted right')
def _():
    refused(lambda: d.accuracy([[0.1, 0.9], [0.8, 0.2]], [1, 1]), 'torch.Tensor',
            also_ok=lambda r: r == 1.0)


@probe('accuracy: NumPy arrays are refused clearly (like cross_entropy) or counted right')
def _():
    refused(lambda: d.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1])),
            'torch.Tensor', also_ok=lambda r: r == 1.0)


@probe('accuracy: NaN scores are refused (a diverged model is not "predicting class 0")')
def _():
    refused(lambda: d.accuracy(T([[math.nan, 0.0], [0.2, 0.8]]), T([0, 1])), 'y_hat', 'nan')


@probe('accuracy: bool predictions [n] are refused')
def _():
    refused(lambda: d.accuracy(T([True, False]), T([1, 0])), 'y_hat', 'class indices')


# ================================================================================== sgd
@probe('sgd: a parameter without .grad says "call backward() first"')
def _():
    w = torch.ones(2, requires_grad=True)
    refused(lambda: d.sgd([w], 0.1, 2), 'backward()')


@probe('sgd: a bare tensor instead of a list says "pass a list [W, b]"')
def _():
    w = torch.ones(2, requires_grad=True)
    (2 * w).sum().backward()
    refused(lambda: d.sgd(w, 0.1, 2), 'list', '[W, b]')


@probe('sgd: one parameter without .grad: refused before any parameter is updated')
def _():
    w, b = torch.ones(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    (3 * w).sum().backward()
    try:
        refused(lambda: d.sgd([w, b], 0.1, 2), 'backward()')
    except Verdict as v:
        if v.kind == 'clear' and not torch.equal(w.detach(), torch.ones(2)):
            raise Verdict('weak', v.detail + '; but W was already updated') from None
        raise


@probe('sgd: a state_dict (names, not tensors) is refused clearly')
def _():
    net = nn.Linear(2, 1)
    refused(lambda: d.sgd(net.state_dict(), 0.1, 2), 'tensor')


# ================================================================================ train
def refused_before_training(expect: str, empty_test_iter: bool = False, **train_kwargs) -> None:
    """``train`` refuses its arguments clearly, and before it trains an epoch (else: weak)."""
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    before = params_of(net)
    train_iter, test_iter = loaders()
    try:
        refused(lambda: d.train(net, train_iter, [] if empty_test_iter else test_iter, CE, 2,
                                torch.optim.SGD(net.parameters(), lr=0.1), verbose=False,
                                **train_kwargs), expect)
    except Verdict as v:
        if v.kind == 'clear' and not unchanged(net, before):
            raise Verdict('weak', v.detail + ' (after training an epoch)') from None
        raise


@probe('train: an empty test_iter is refused before the first epoch')
def _():
    refused_before_training('test_iter', empty_test_iter=True)


@probe('train: a scheduler that is not one is refused before the first epoch')
def _():
    refused_before_training('scheduler', scheduler=0.5)


@probe('train: a scheduler class (not an instance) is refused before the first epoch')
def _():
    refused_before_training('scheduler', scheduler=torch.optim.lr_scheduler.StepLR)


@probe('train: a one-shot generator as train_iter is refused (it would be empty after epoch 1)')
def _():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, test_iter = loaders()
    gen = (batch for batch in train_iter)
    refused(lambda: d.train(net, gen, test_iter, CE, 3,
                            torch.optim.SGD(net.parameters(), lr=0.1), verbose=False),
            'train_iter', 'once')


@probe("train: a non-finite loss (the course notes' naive softmax, too large a step) stops or warns")
def _():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    train_iter, test_iter = loaders()

    def naive(X):                      # the course notes' softmax: exp overflows for logits > 88
        E = torch.exp(net(X) * 10)
        return E / E.sum(1, keepdim=True)

    def cross_entropy(y_hat, y):
        return -torch.log(y_hat[range(len(y)), y])
    refused(lambda: d.train(naive, train_iter, test_iter, cross_entropy, 3,
                            torch.optim.SGD(net.parameters(), lr=10), verbose=False),
            'loss', 'epoch', 'learning rate', 'softmax',
            also_ok=lambda h: all(math.isfinite(v) for v in h['train_loss']))


@probe('train: NaN in the inputs stops or warns clearly')
def _():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    X, y = blobs()
    X[5, 0] = math.nan
    it = tud.DataLoader(tud.TensorDataset(X, y), 32)
    refused(lambda: d.train(net, it, it, CE, 2, torch.optim.SGD(net.parameters(), lr=0.1),
                            verbose=False), 'loss', 'nan', 'inputs',
            also_ok=lambda h: all(math.isfinite(v) for v in h['train_loss']))


@probe("train: device='gpu' (not a device name) is refused clearly")
def _():
    net = nn.Linear(2, 3)
    train_iter, test_iter = loaders()
    refused(lambda: d.train(net, train_iter, test_iter, CE, 1,
                            torch.optim.SGD(net.parameters(), lr=0.1), device='gpu',
                            verbose=False), 'device', 'cuda')


@probe('train_epoch: a NaN loss is not used to update the parameters')
def _():
    torch.manual_seed(0)
    net = nn.Linear(2, 3)
    X, y = blobs(64)
    X[0, 0] = math.nan
    before = params_of(net)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    try:
        d.train_epoch(net, tud.DataLoader(tud.TensorDataset(X, y), 64), CE, opt)
    except Exception as exc:  # judged below
        if not _deliberate(exc):
            raise Verdict('crash', f'{type(exc).__name__}: {exc}') from None
    ok = unchanged(net, before)
    raise Verdict('clear' if ok else 'wrong',
                  'parameters kept' if ok else 'parameters became NaN')


# ============================================================================ losses
@probe('l1_grad: a NaN error gives NaN (as l2_grad and huber_grad do), not 0')
def _():
    computes(lambda: d.l1_grad(T([math.nan, 1.0]), T([0.0, 0.0])),
             lambda g: bool(torch.isnan(g[0])) and g[1] == 1)


for _fn in ('l1_loss', 'l2_loss', 'huber_loss', 'l1_grad', 'huber_grad'):
    @probe(f'{_fn}: complex inputs are refused (a loss is a real number)')
    def _(fn=_fn):
        z = T([1 + 1j, 2 - 1j])
        refused(lambda: getattr(d, fn)(z, torch.zeros(2, dtype=torch.complex64)), 'complex')


@probe('l2_loss: bool tensors are refused clearly')
def _():
    refused(lambda: d.l2_loss(T([True, False]), T([False, False])), 'bool')


@probe('cross_entropy: integer "probabilities" (one-hot labels?) are refused')
def _():
    refused(lambda: d.cross_entropy(T([[0, 1], [1, 0]]), T([1, 0])), 'y_hat', 'float')


@probe('cross_entropy: bool "probabilities" are refused')
def _():
    refused(lambda: d.cross_entropy(T([[False, True], [True, False]]), T([1, 0])),
            'y_hat', 'float')


@probe('cross_entropy: rows that do not sum to 1 are refused')
def _():
    refused(lambda: d.cross_entropy(T([[0.2, 0.2, 0.2], [0.3, 0.2, 0.5]]), T([0, 2])),
            'sum to 1', 'softmax')


@probe('cross_entropy: complex probabilities are refused')
def _():
    refused(lambda: d.cross_entropy(T([[0.5 + 0j, 0.5 + 0j]]), T([0])), 'y_hat', 'float')


@probe('softmax_cross_entropy: bool labels are refused (control)')
def _():
    refused(lambda: d.softmax_cross_entropy(torch.zeros(2, 3), T([True, False])), 'integer')


# ========================================================================= functional
def _limit_ok(p, expected):
    return torch.allclose(p, T(expected, dtype=p.dtype))


@probe('softmax: a +inf logit gives the limit [1, 0] (or a clear refusal), not [nan, 0]')
def _():
    refused(lambda: d.softmax(T([math.inf, 0.0])), 'inf',
            also_ok=lambda p: _limit_ok(p, [1.0, 0.0]))


@probe('softmax: two +inf logits share the probability (or a clear refusal)')
def _():
    refused(lambda: d.softmax(T([[math.inf, math.inf, 0.0]])), 'inf',
            also_ok=lambda p: _limit_ok(p, [[0.5, 0.5, 0.0]]))


@probe('log_softmax: a +inf logit gives [0, -inf] (or a clear refusal), not nan')
def _():
    refused(lambda: d.log_softmax(T([math.inf, 0.0])), 'inf',
            also_ok=lambda p: p[0] == 0 and p[1] == -math.inf)


@probe('softmax_cross_entropy: a +inf logit on the true class costs 0 (or a clear refusal)')
def _():
    refused(lambda: d.softmax_cross_entropy(T([[math.inf, 0.0]]), T([0])), 'inf',
            also_ok=lambda loss: loss.tolist() == [0.0])


@probe('softmax: a complex tensor is refused (control)')
def _():
    refused(lambda: d.softmax(T([1 + 0j, 2 + 0j])), 'floating-point')


@probe('one_hot: a float tensor of labels is refused (control)')
def _():
    refused(lambda: d.one_hot(T([0.0, 1.0]), 2), 'integer')


# ============================================================================== plot
def _drawn(axes):
    plt.close('all')
    return len(axes) >= 1


@probe('show_images: tensors that require grad are drawn (or refused clearly)')
def _():
    imgs = torch.rand(2, 1, 8, 8, requires_grad=True) * 1
    refused(lambda: d.show_images(imgs, 1, 2), 'requires_grad', also_ok=_drawn)


@probe('show_images: 3-channel [3, H, W] images are drawn in colour (or refused clearly)')
def _():
    imgs = torch.rand(2, 3, 8, 8)

    def colour(axes):
        shape = axes[0].images[0].get_array().shape
        plt.close('all')
        return tuple(shape) == (8, 8, 3)
    refused(lambda: d.show_images(imgs, 1, 2), '3', also_ok=colour)


@probe('show_images: scale=0 is refused naming scale')
def _():
    refused(lambda: d.show_images(torch.rand(2, 8, 8), 1, 2, scale=0), 'scale')


@probe('show_images: scale=-1 is refused naming scale')
def _():
    refused(lambda: d.show_images(torch.rand(2, 8, 8), 1, 2, scale=-1), 'scale')


@probe('show_images: a [2, H, W] image (2 channels?) is refused naming the image and its shape')
def _():
    refused(lambda: d.show_images([torch.rand(2, 8, 8)], 1, 1), '(2, 8, 8)')


@probe('show_images: NumPy arrays and PIL images are drawn (the course notes accept both)')
def _():
    from PIL import Image
    imgs = [np.random.rand(8, 8), Image.fromarray(np.zeros((8, 8), dtype=np.uint8))]
    computes(lambda: _drawn(d.show_images(imgs, 1, 2)), bool)


@probe('plot draws only: predict runs the net in training, plot does not import training')
def _():
    import inspect
    from d2lhelpers import plot
    src = inspect.getsource(plot)
    ok = 'from .training' not in src and 'net(' not in src
    raise Verdict('clear' if ok else 'wrong',
                  'plot.py draws only' if ok else 'plot.py imports training and runs the net')


# =============================================================================== main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', default='', help='run the probes whose name contains this')
    parser.add_argument('--verbose', action='store_true', help='print each probe\'s detail')
    args = parser.parse_args()
    counts = {k: 0 for k in ('clear', 'weak', 'wrong', 'crash')}
    torch.set_num_threads(1)
    try:
        for name, fn in PROBES:
            if args.only.lower() not in name.lower():
                continue
            try:
                fn()
                kind, detail = 'crash', 'the probe returned no verdict'
            except Verdict as v:
                kind, detail = v.kind, v.detail
            except Exception as exc:  # the probe's own set-up was hit by the fault
                kind, detail = 'crash', f'{type(exc).__name__}: {exc}'
            counts[kind] += 1
            print(f'{kind:<6} {name}')
            if args.verbose or kind != 'clear':
                print(f'       {detail[:400]}')
            plt.close('all')
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    print('\n' + '  '.join(f'{k} {v}' for k, v in counts.items()),
          f' (of {sum(counts.values())} probes)')


if __name__ == '__main__':
    main()
