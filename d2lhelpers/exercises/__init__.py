"""Exercises that check the learner's own code (issue 13).

Each chapter stores a template cell ``def my_softmax(O): ...`` and a check cell::

    from d2lhelpers import exercises
    passed = exercises.task('softmax').check(my_softmax)

``check`` computes the expected values with the tested ``d2lhelpers`` reference, runs the
learner's function on deterministic and seeded random cases in a sandbox (printing captured,
a time limit, nothing it changes outlives the call: see :mod:`.sandbox`), prints ✅ or the
first failing case in Chinese (with a hint when the mistake is a known misconception) and
returns True or False. ``hint()`` prints the next hint, ``solution()`` the chapter's teaching
version. The chapters' exercise cells are generated from :data:`TASKS` by
``tools/exercise_cells.py``.
"""
from __future__ import annotations

import difflib

from .formatting import ArgumentError, bad_argument, no_more_arguments
from .images import FLOAT_IMAGES
from .losses import CROSS_ENTROPY, HUBER_GRAD, HUBER_LOSS, L2_LOSS
from .probabilities import LOG_SUM_EXP, ONE_HOT, SOFTMAX, STABLE_SOFTMAX
from .records import Report
from .sandbox import remember_pristine
from .task import Task, is_unanswered
from .training import ACCURACY, SGD

__all__ = ['TASKS', 'task', 'Task', 'Report', 'is_unanswered']

TASKS: dict[str, Task] = {t.name: t for t in (
    ONE_HOT, SOFTMAX, STABLE_SOFTMAX, L2_LOSS, HUBER_LOSS, HUBER_GRAD, CROSS_ENTROPY,
    LOG_SUM_EXP, FLOAT_IMAGES, ACCURACY, SGD)}

remember_pristine()       # the functions as they are now: the expected values are computed with them


_NO_NAME = object()       # task() called without a name


def task(name: str = _NO_NAME, *args, **kwargs) -> Task:
    """The exercise called ``name`` (see :data:`TASKS`)."""
    names = '、'.join(repr(n) for n in TASKS)
    no_more_arguments('exercises.task', args, kwargs, "exercises.task('softmax')")
    if name is _NO_NAME:
        raise ArgumentError(f'exercises.task 需要一个参数 name：练习的名字，例如 '
                            f"exercises.task('softmax')；可选的有：{names}。")
    if not isinstance(name, str):
        raise bad_argument('exercises.task', 'name', f'练习的名字（字符串），可选的有：{names}', name)
    if name in TASKS:
        return TASKS[name]
    close = difflib.get_close_matches(name.strip().lower(), TASKS, n=1, cutoff=0.6)
    guess = f'你是不是想写 {close[0]!r}？' if close else ''
    raise ArgumentError(f'exercises.task 的参数 name：没有名为 {name!r} 的练习。{guess}'
                        f'可选的有：{names}。')
