"""The records a check passes around: a case, a known mistake, one call's outcome, a failure,
the final report. Plain data, no behaviour beyond copying inputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import torch

__all__ = ['Case', 'Misconception', 'Outcome', 'Failure', 'Report', 'clone']


def clone(x):
    """A deep copy of tensors inside lists and tuples (other values as they are)."""
    if isinstance(x, torch.Tensor):
        return x.detach().clone()
    if isinstance(x, list):
        return [clone(v) for v in x]
    if isinstance(x, tuple):
        return tuple(clone(v) for v in x)
    return x


@dataclass
class Case:
    """One input for the learner's function. ``build`` (if given) makes fresh arguments."""
    label: str
    args: tuple = ()
    build: Callable[[], tuple] | None = None

    def fresh(self) -> tuple:
        """New copies of the arguments, so that no call can change another call's input."""
        if self.build is not None:
            return self.build()
        return tuple(clone(a) for a in self.args)


@dataclass
class Misconception:
    """A known mistake. ``wrong`` implements it; ``when`` recognises it from a failure."""
    key: str
    hint: str
    wrong: Callable | None = None
    when: Callable[['Failure'], bool] | None = None


@dataclass
class Outcome:
    """What one call did: the value it returned (or the state it left), or the exception.

    The learner's calls also record what the sandbox saw: the output printed (its start, and
    how many characters in all), whether the time limit stopped the call, the torch or
    d2lhelpers functions it replaced (restored since) and the global settings it changed.
    """
    value: Any = None
    error: BaseException | None = None
    mutated: bool = False
    output: str = ''
    output_chars: int = 0
    timed_out: bool = False
    time_limit: float = 0.0
    seconds: float = 0.0
    patched: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)


@dataclass
class Failure:
    """Why a case failed: ``kind`` is one of raised/none/type/shape/dtype/device/value/
    nonfinite/mutated/patched/timeout/unchanged/rebound/grad/requires_grad; ``headline`` is one
    Chinese sentence."""
    kind: str
    headline: str
    show_got: bool = True
    error: BaseException | None = None


@dataclass
class Report:
    """The result of a check: whether it passed, the message printed, the hint id if any."""
    passed: bool
    kind: str
    message: str
    hint_key: str | None = None
    case_index: int | None = None
