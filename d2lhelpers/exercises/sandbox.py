"""Run the learner's function so that nothing it does outlives the call.

:func:`quiet_call` is the one way a check calls learner code (``Task.call`` and
``SGDTask.call`` both use it). Around the call it

- captures what the function prints (stdout and stderr; the first :data:`KEEP_CHARS`
  characters are kept, the rest only counted), and silences its warnings;
- stops it after a time limit. In the main thread on Unix (Linux, macOS, Colab, a local
  Jupyter kernel) a ``SIGALRM`` timer interrupts it, even inside ``time.sleep``. Elsewhere
  (Windows, or a check run from another thread) a watchdog thread raises the stop in the
  calling thread (CPython's ``PyThreadState_SetAsyncExc``): that interrupts Python code but not
  one long C call such as ``time.sleep(60)`` or a huge matrix product, which is stopped only
  when it returns. Where neither exists the call runs to its end;
- saves and restores the global state a learner's code may change: torch's random state,
  torch's default dtype, grad mode and thread count, and every function of
  ``torch``, ``torch.nn.functional``, ``torch.special``, ``torch.linalg``, ``torch.Tensor``,
  ``math``, ``builtins`` and ``d2lhelpers`` (each module but the checker's own). Replaced
  functions are put back and named in the outcome (``patched``), changed settings too
  (``settings``). Python's and NumPy's random states are restored once per check
  (:func:`other_random_states`).

:func:`pristine` runs the checker's own computations (the expected values) with the functions
as they were when ``d2lhelpers.exercises`` was imported, in case a learner's cell replaced one
of them before the check.
"""
from __future__ import annotations

import builtins
import contextlib
import ctypes
import io
import math
import operator
import random
import signal
import sys
import threading
import time
import types
import warnings
from typing import Callable, Iterator

import torch

from .records import Outcome

__all__ = ['CALL_LIMIT', 'TOTAL_LIMIT', 'KEEP_CHARS', 'TimeLimit', 'quiet_call', 'pristine',
           'remember_pristine', 'replaced_before', 'Budget', 'other_random_states']

CALL_LIMIT = 3.0      # seconds one call may take on a small case
TOTAL_LIMIT = 10.0    # seconds all of a check's calls may take together
KEEP_CHARS = 2000     # characters of printed output kept (the rest is only counted)


class TimeLimit(BaseException):
    """Raised inside the learner's function when its time is up (not an ``Exception``, so a
    learner's ``except Exception`` cannot swallow it)."""


# ----- what a learner's code may replace -------------------------------------------------

_PACKAGE_MODULES: tuple[int, list[str]] = (-1, [])


def _package_modules() -> list[str]:
    """The names of the loaded ``d2lhelpers`` modules (recomputed when modules are loaded)."""
    global _PACKAGE_MODULES
    if _PACKAGE_MODULES[0] != len(sys.modules):
        names = sorted(n for n in list(sys.modules)
                       if (n == 'd2lhelpers' or n.startswith('d2lhelpers.'))
                       and not n.startswith('d2lhelpers.exercises'))
        _PACKAGE_MODULES = (len(sys.modules), names)
    return _PACKAGE_MODULES[1]


def _watched() -> list[tuple[str, object]]:
    """(name, namespace) of every module and class whose functions a check protects."""
    spaces: list[tuple[str, object]] = [
        ('torch', torch), ('torch.nn.functional', torch.nn.functional),
        ('torch.special', torch.special), ('torch.linalg', torch.linalg),
        ('torch.Tensor', torch.Tensor), ('math', math), ('builtins', builtins)]
    for name in _package_modules():
        module = sys.modules.get(name)
        if module is not None:
            spaces.append((name, module))
    return spaces


Snapshot = dict[str, tuple[object, dict, tuple]]


def snapshot() -> Snapshot:
    """A shallow copy of each watched namespace (cheap: dictionaries of references)."""
    out = {}
    for name, space in _watched():
        names = vars(space).copy()        # dict.copy: five times faster than dict(...)
        out[name] = (space, names, tuple(names.values()))
    return out


def _changes(before: Snapshot, added: bool = True) -> list[tuple[object, str, str, object]]:
    """(namespace, qualified name, attribute, old value or _MISSING) for every function (or
    class, or other callable) that was replaced, deleted, or (when ``added``) added. Data
    (a module's cache, a constant) is not watched: the package's own code may rebind it."""
    out = []
    for name, (space, old, values) in before.items():
        now = vars(space)
        if len(now) == len(values) and all(map(operator.is_, values, now.values())):
            continue                      # the usual case, decided at C speed
        for key, value in old.items():
            current = now.get(key, _MISSING)
            if current is not value and not _same_method(current, value) \
                    and (_is_function(value) or _is_function(current)):
                out.append((space, f'{name}.{key}', key, value))
        if added:
            for key in now.keys() - old.keys():
                if _is_function(now[key]):
                    out.append((space, f'{name}.{key}', key, _MISSING))
    return out


def _is_function(value) -> bool:
    return value is not _MISSING and callable(value) and not isinstance(value, types.ModuleType)


_MISSING = object()


def _same_method(a, b) -> bool:
    """Two bound methods of the same function and object (ipykernel re-binds
    ``builtins.input`` before every cell: a new method object, the same method)."""
    return isinstance(a, types.MethodType) and isinstance(b, types.MethodType) and a == b


def _put_back(changes) -> None:
    for space, _, key, value in changes:
        try:
            if value is _MISSING:
                delattr(space, key)
            else:
                setattr(space, key, value)
        except (AttributeError, TypeError):  # a read-only slot: nothing was replaced there
            pass


_PRISTINE: Snapshot = {}


def remember_pristine() -> None:
    """Record the functions as they are now (called once ``d2lhelpers.exercises`` is
    imported); the checker's own package is left out, it is not the learner's to change."""
    _PRISTINE.clear()
    _PRISTINE.update({name: entry for name, entry in snapshot().items()
                      if not name.startswith('d2lhelpers.exercises')})


def replaced_before() -> list[str]:
    """Names of the protected functions that differ from the ones seen at import."""
    return [qual for _, qual, _, _ in _changes(_PRISTINE, added=False)]


@contextlib.contextmanager
def pristine() -> Iterator[None]:
    """Run the checker's own code with the functions seen at import, then put back the
    current ones (the learner's replacements, if any, are theirs to keep). Attributes added
    since are left alone."""
    changes = _changes(_PRISTINE, added=False)
    if not changes:
        yield
        return
    current = snapshot()
    _put_back(changes)
    try:
        yield
    finally:
        _put_back(_changes(current, added=False))


# ----- global settings -------------------------------------------------------------------

def _settings() -> dict:
    return {'torch_rng': torch.get_rng_state(), 'default_dtype': torch.get_default_dtype(),
            'grad': torch.is_grad_enabled(), 'threads': torch.get_num_threads()}


_SETTING_NAMES = {'default_dtype': 'torch.set_default_dtype', 'grad': 'torch.set_grad_enabled',
                  'threads': 'torch.set_num_threads'}


def _restore_settings(before: dict) -> list[str]:
    """Restore every setting; return the names of the visible ones that had changed."""
    changed = []
    if torch.get_default_dtype() != before['default_dtype']:
        changed.append(_SETTING_NAMES['default_dtype'])
        torch.set_default_dtype(before['default_dtype'])
    if torch.is_grad_enabled() != before['grad']:
        changed.append(_SETTING_NAMES['grad'])
        torch.set_grad_enabled(before['grad'])
    if torch.get_num_threads() != before['threads']:
        changed.append(_SETTING_NAMES['threads'])
        torch.set_num_threads(before['threads'])
    torch.set_rng_state(before['torch_rng'])
    return changed


@contextlib.contextmanager
def other_random_states() -> Iterator[None]:
    """Save Python's and NumPy's global random states around a whole check (NumPy's takes
    about a millisecond to save: once per check, not once per call)."""
    python_state = random.getstate()
    numpy = sys.modules.get('numpy')
    numpy_state = numpy.random.get_state() if numpy is not None else None
    try:
        yield
    finally:
        random.setstate(python_state)
        if numpy_state is not None:
            numpy.random.set_state(numpy_state)


# ----- printed output --------------------------------------------------------------------

class _Capture(io.TextIOBase):
    """A text stream that keeps the first ``KEEP_CHARS`` characters and counts the rest."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, s) -> int:
        s = str(s)
        room = KEEP_CHARS - min(self.chars, KEEP_CHARS)
        if room > 0:
            self.kept.append(s[:room])
        self.chars += len(s)
        return len(s)

    def text(self) -> str:
        return ''.join(self.kept)


# ----- the time limit --------------------------------------------------------------------

class Budget:
    """The seconds left for a check's learner calls: each call gets at most ``CALL_LIMIT``."""

    def __init__(self, total: float | None = None, per_call: float | None = None) -> None:
        self.total = TOTAL_LIMIT if total is None else total
        self.per_call = CALL_LIMIT if per_call is None else per_call
        self.used = 0.0

    def next_limit(self) -> float:
        return max(0.05, min(self.per_call, self.total - self.used))

    def spend(self, seconds: float) -> None:
        self.used += seconds


class _Alarm:
    """SIGALRM after ``limit`` seconds, then every 0.5 s until :meth:`stop` (in case the
    learner's code swallows one). The handler raises only while the innermost Python frame is
    outside this file, so the clean-up here is never cut short. An alarm armed by someone
    else (pytest-timeout, a notebook's own) is put back afterwards."""

    def __init__(self, limit: float) -> None:
        self.limit, self.armed = limit, False

    def _ring(self, signum, frame) -> None:
        if self.armed and (frame is None or frame.f_code.co_filename != __file__):
            raise TimeLimit()

    def start(self) -> None:
        self.previous = signal.signal(signal.SIGALRM, self._ring)
        self.outer = signal.setitimer(signal.ITIMER_REAL, self.limit, 0.5)
        self.started = time.monotonic()
        self.armed = True

    def stop(self, delivered: bool = False) -> None:
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)
        delay, interval = self.outer
        if delay > 0:
            left = max(delay - (time.monotonic() - self.started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, interval)


class _Watchdog:
    """Raise :class:`TimeLimit` in the calling thread from another thread after ``limit``
    seconds (CPython's ``PyThreadState_SetAsyncExc``). :meth:`stop` makes sure a stop that was
    sent arrives inside it, where the caller catches it, not later in someone else's code."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.lock, self.done = threading.Lock(), threading.Event()
        self.finished = self.fired = False

    def _watch(self, target: int) -> None:
        if self.done.wait(self.limit):
            return
        with self.lock:
            if not self.finished:
                self.fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target),
                                                           ctypes.py_object(TimeLimit))

    def start(self) -> None:
        threading.Thread(target=self._watch, args=(threading.get_ident(),), daemon=True,
                         name='d2lhelpers-check-watchdog').start()

    def stop(self, delivered: bool = False) -> None:
        with self.lock:
            self.finished = True
        self.done.set()
        if self.fired and not delivered:      # sent but not yet arrived: let it arrive here
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                pass


def _stopper(limit: float | None):
    """The way to stop a call after ``limit`` seconds on this platform and thread (None: no
    way, or no limit)."""
    if limit is None:
        return None
    if hasattr(signal, 'setitimer') and threading.current_thread() is threading.main_thread():
        return _Alarm(limit)
    if sys.implementation.name == 'cpython':
        return _Watchdog(limit)
    return None


# ----- the call ----------------------------------------------------------------------------

def quiet_call(fn: Callable, args: tuple, budget: Budget | None = None) -> Outcome:
    """Call ``fn(*args)`` in the sandbox described above; return its :class:`Outcome`.

    ``budget`` limits the time (none: no limit). ``KeyboardInterrupt`` (the notebook's stop
    button) is passed on, after everything was restored.
    """
    saved, names = _settings(), snapshot()
    capture = _Capture()
    outcome = Outcome()
    limit = budget.next_limit() if budget is not None else None
    outcome.time_limit = limit or 0.0
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(capture), contextlib.redirect_stderr(capture), \
                warnings.catch_warnings():
            warnings.simplefilter('ignore')
            stopper, arrived = _stopper(limit), False
            try:
                if stopper is not None:
                    stopper.start()
                try:
                    outcome.value = fn(*args)
                except TimeLimit:
                    arrived = True
                    raise
                finally:
                    if stopper is not None:
                        stopper.stop(delivered=arrived)
            except TimeLimit:
                outcome.timed_out = True
            except Exception as error:  # noqa: BLE001 -- any learner error becomes one sentence
                outcome.error = error
    finally:
        outcome.seconds = time.perf_counter() - start
        if budget is not None:
            budget.spend(outcome.seconds)
        outcome.settings = _restore_settings(saved)   # first: set_default_dtype rebinds torch.Storage
        changes = _changes(names)
        _put_back(changes)
        outcome.patched = [qual for _, qual, _, _ in changes]
        outcome.output, outcome.output_chars = capture.text(), capture.chars
    return outcome
