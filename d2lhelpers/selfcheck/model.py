"""The question model of the self-checks (自测): one source per question, checked the same way
in the kernel (:func:`check`, used by the ipywidgets view) and in the browser
(``d2lhelpers/static/selfcheck.js`` reads the feedback texts this module writes into the page).

A question has a statement, a kind, its options (or a number with a tolerance, or items to put
in order), the answer, an explanation, the Sphinx label of the section that teaches it, and
for every wrong answer it expects (each wrong option, each "trap" number or order) the
misconception it reveals: a short name and a sentence that explains it.
"""
from __future__ import annotations

import dataclasses
import math
import random
import re
import zlib
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch

__all__ = ['KINDS', 'Option', 'Trap', 'Question', 'Feedback', 'check', 'parse_number',
           'fmt_number']

KINDS = ('single', 'multiple', 'number', 'order')
KIND_NAMES = {'single': '单选', 'multiple': '多选（选出所有正确的）', 'number': '填一个数',
              'order': '排序'}
RIGHT, WRONG = '✓', '✗'


@dataclass(frozen=True)
class Option:
    """A choice. ``why`` says why it is right, or names and explains the misconception that
    picks it (``misconception``: its short name, required for a wrong option)."""
    text: str
    why: str
    correct: bool = False
    misconception: str = ''


@dataclass(frozen=True)
class Trap:
    """A wrong number (or order of item indices) that a named misconception gives."""
    value: float | tuple
    misconception: str
    why: str


@dataclass(frozen=True)
class Question:
    id: str                       # 'ch02-softmax-max': unique in the book, used in element ids
    chapter: str                  # '02'
    kind: str                     # one of KINDS
    prompt: str                   # the statement; `code` in backticks
    link: str                     # the Sphinx label of the section that teaches it
    explanation: str              # why the answer is right (feedback and the answer key)
    options: tuple[Option, ...] = ()      # single, multiple
    answer: float | None = None           # number: computed by code, never typed
    tolerance: float = 0.0
    decimals: int = 3                     # how the number is shown
    items: tuple[str, ...] = ()           # order: the items, as listed
    order: tuple[int, ...] = ()           # order: the right order (indices into items)
    traps: tuple[Trap, ...] = ()          # number, order: wrong answers a misconception gives
    fact: Callable[[], object] | None = field(default=None, compare=False, repr=False)
    # fact(): recomputes the answer from code (the index of the right option, the set of
    # right options, the number, the order); tests assert it equals the marked answer.

    def __post_init__(self):
        problems = self.problems()
        if problems:
            raise ValueError(f'question {self.id!r}: ' + '; '.join(problems))

    def problems(self) -> list[str]:
        out = []
        if self.kind not in KINDS:
            out.append(f'kind must be one of {KINDS}, got {self.kind!r}')
        if not re.fullmatch(r'ch0\d-[a-z0-9-]+', self.link):
            out.append(f'link {self.link!r} is not a chapter section label (chNN-...)')
        if self.kind in ('single', 'multiple'):
            right = [o for o in self.options if o.correct]
            if len(self.options) < 3:
                out.append('a choice question needs at least 3 options')
            if self.kind == 'single' and len(right) != 1:
                out.append(f'a single-choice question needs exactly 1 right option, has {len(right)}')
            if self.kind == 'multiple' and not right:
                out.append('a multiple-choice question needs a right option')
            for o in self.options:
                if not o.correct and not o.misconception:
                    out.append(f'wrong option {o.text!r} names no misconception')
                if not o.why:
                    out.append(f'option {o.text!r} has no feedback')
        if self.kind == 'number':
            if self.answer is None or not math.isfinite(self.answer):
                out.append('a number question needs a finite answer')
            elif self.tolerance <= 0:
                out.append('a number question needs a tolerance > 0')
            elif not self.traps:
                out.append('a number question needs at least one trap (a misconception)')
            else:
                for t in self.traps:
                    if abs(t.value - self.answer) <= self.tolerance:
                        out.append(f'trap {t.value} is within the tolerance of the answer')
                values = [t.value for t in self.traps]
                for i, a in enumerate(values):
                    if any(abs(a - b) <= 2 * self.tolerance for b in values[i + 1:]):
                        out.append(f'traps {a} and another are too close to tell apart')
        if self.kind == 'order':
            if sorted(self.order) != list(range(len(self.items))) or len(self.items) < 3:
                out.append('order must be a permutation of at least 3 items')
            if not self.traps:
                out.append('an order question needs at least one trap (a misconception)')
            for t in self.traps:
                if tuple(t.value) == tuple(self.order) or sorted(t.value) != sorted(self.order):
                    out.append(f'trap {t.value} is not a wrong order of the items')
        return out

    # --- what the views show ---
    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    def answer_text(self) -> str:
        """The answer, as the answer key states it."""
        if self.kind in ('single', 'multiple'):
            return '；'.join(f'{chr(65 + i)}. {o.text}' for i, o in enumerate(self.options)
                            if o.correct)
        if self.kind == 'number':
            return fmt_number(self.answer, self.decimals)
        return ' > '.join(self.items[i] for i in self.order)

    def right_answer(self):
        """The answer in the form :func:`check` takes (and ``fact()`` returns)."""
        if self.kind == 'single':
            return next(i for i, o in enumerate(self.options) if o.correct)
        if self.kind == 'multiple':
            return frozenset(i for i, o in enumerate(self.options) if o.correct)
        if self.kind == 'number':
            return self.answer
        return tuple(self.order)

    def wrong_answers(self) -> list:
        """One wrong answer per misconception (what the tests and the browser test try)."""
        if self.kind == 'single':
            return [i for i, o in enumerate(self.options) if not o.correct]
        if self.kind == 'multiple':
            right = self.right_answer()
            return [frozenset(right ^ {i}) for i in range(len(self.options))]
        return [t.value for t in self.traps]


@dataclass(frozen=True)
class Feedback:
    state: str          # 'right', 'wrong' or 'empty' (nothing to check yet)
    text: str           # what is shown and announced: starts with ✓ / ✗ and a word
    link: str = ''      # the label of the section to read again ('' when right)

    @property
    def correct(self) -> bool:
        return self.state == 'right'


def fmt_number(x: float, decimals: int) -> str:
    """A number as the questions show it: ``decimals`` places, trailing zeros dropped."""
    s = f'{x:.{decimals}f}'
    if '.' in s:
        s = s.rstrip('0').rstrip('.')
    return '0' if s in ('-0', '') else s


_NUMBER = re.compile(r'^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$')


def parse_number(text) -> float | None:
    """What the reader typed, as a number (full-width digits, a Chinese decimal point, a
    minus sign and a fraction ``a/b`` are accepted); None when it is not a number."""
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip()
    s = s.translate(str.maketrans('０１２３４５６７８９．－＋／', '0123456789.-+/'))
    s = s.replace('−', '-').replace('。', '.').replace(' ', '')
    if s.count('/') == 1:
        a, b = s.split('/')
        if _NUMBER.match(a) and _NUMBER.match(b) and float(b) != 0:
            return float(a) / float(b)
        return None
    return float(s) if _NUMBER.match(s) else None


def _quote(text: str) -> str:
    return f'「{text}」'


def check(q: Question, response) -> Feedback:
    """The feedback to ``response``: an option index (single), a collection of indices
    (multiple), a number or the text typed (number), a sequence of item indices, ``None`` for
    an empty place (order). ``selfcheck.js`` gives the same texts (tests/test_selfcheck.py)."""
    if q.kind == 'single':
        if response is None:
            return Feedback('empty', '还没有选择：先选一个选项，再按“检查”。')
        o = q.options[int(response)]
        if o.correct:
            return Feedback('right', f'{RIGHT} 正确。{o.why}')
        return Feedback('wrong', f'{WRONG} 不对：这是“{o.misconception}”。{o.why}', q.link)
    if q.kind == 'multiple':
        chosen = set(int(i) for i in (response or ()))
        if not chosen:
            return Feedback('empty', '还没有选择：选出所有正确的选项，再按“检查”。')
        right = set(q.right_answer())
        if chosen == right:
            return Feedback('right', f'{RIGHT} 正确。{q.explanation}')
        parts = [_part(o) for i, o in enumerate(q.options) if (i in chosen) != o.correct]
        return Feedback('wrong', MULTIPLE_WRONG + ' '.join(parts), q.link)
    if q.kind == 'number':
        x = parse_number(response) if response is not None else None
        if x is None:
            return Feedback('empty', '请输入一个数（例如 0.25 或 1/4），再按“检查”。')
        if abs(x - q.answer) <= q.tolerance:
            return Feedback('right', f'{RIGHT} 正确：{fmt_number(q.answer, q.decimals)}。'
                                     f'{q.explanation}')
        for t in q.traps:
            if abs(x - t.value) <= q.tolerance:
                return Feedback('wrong', f'{WRONG} 不对：{fmt_number(t.value, q.decimals)} 是'
                                         f'“{t.misconception}”得到的数。{t.why}', q.link)
        return Feedback('wrong', f'{WRONG} 不对：这不是答案（允许误差 ±'
                                 f'{fmt_number(q.tolerance, 6)}）。回到讲它的那一节，'
                                 f'照着公式一步一步算。', q.link)
    # order
    places = tuple(None if r is None or r == '' else int(r) for r in (response or ()))
    if len(places) != len(q.items) or None in places:
        return Feedback('empty', '还有位置没有填：给每个位置选一项，再按“检查”。')
    if len(set(places)) != len(places):
        return Feedback('empty', '有一项用了两次：每一项只能放在一个位置上。')
    if places == tuple(q.order):
        return Feedback('right', f'{RIGHT} 正确：{q.answer_text()}。{q.explanation}')
    for t in q.traps:
        if places == tuple(t.value):
            return Feedback('wrong', f'{WRONG} 不对：这是“{t.misconception}”给出的顺序。'
                                     f'{t.why}', q.link)
    return Feedback('wrong', ORDER_OTHER, q.link)


MULTIPLE_WRONG = f'{WRONG} 还不对。'
ORDER_OTHER = f'{WRONG} 不对：把每一项的值算出来再比较。'


def _part(o: Option) -> str:
    """What a multiple-choice answer says about option ``o`` when the reader got it wrong."""
    if o.correct:
        return f'漏选了{_quote(o.text)}：{o.why}'
    return f'选了{_quote(o.text)}：这是“{o.misconception}”。{o.why}'


def config(q: Question) -> dict:
    """What the browser needs to check ``q`` (the feedback texts are Python's)."""
    d = {'id': q.id, 'kind': q.kind, 'link': q.link,
         'empty': {k: v for k, v in _empties(q).items()}}
    if q.kind in ('single', 'multiple'):
        d['correct'] = [o.correct for o in q.options]
        d['right'] = check(q, q.right_answer()).text
        if q.kind == 'single':
            d['feedback'] = [check(q, i).text for i in range(len(q.options))]
        else:
            d['wrong'] = MULTIPLE_WRONG
            d['parts'] = [_part(o) for o in q.options]
    elif q.kind == 'number':
        d['answer'] = q.answer
        d['tolerance'] = q.tolerance
        d['decimals'] = q.decimals
        d['right'] = check(q, q.answer).text
        d['traps'] = [[t.value, check(q, t.value).text] for t in q.traps]
        d['other'] = check(q, q.answer + 1e9).text
    else:
        d['order'] = list(q.order)
        d['right'] = check(q, q.order).text
        d['traps'] = [[list(t.value), check(q, t.value).text] for t in q.traps]
        d['other'] = ORDER_OTHER
    return d


def _empties(q: Question) -> dict:
    if q.kind == 'order':
        return {'missing': check(q, ()).text,
                'twice': check(q, (0,) * len(q.items)).text}
    return {'missing': check(q, None).text}


def tensor32(values) -> torch.Tensor:
    """A float32 tensor of ``values`` (the questions' numbers)."""
    return torch.tensor(values, dtype=torch.float32)


def fmt_vector(v, d: int = 3) -> str:
    """``[0.090, 0.245, 0.665]``: a vector as a question shows it."""
    return '[' + ', '.join(fmt_number(float(x), d) for x in v) + ']'


def shuffled(q: Question) -> Question:
    """``q`` with its options (or items) in a fixed order of its own (seeded by its id): the
    bank lists the right option first, the reader must not find it there. The answer, the traps
    and ``fact`` follow the options."""
    n = len(q.options) if q.kind in ('single', 'multiple') else len(q.items)
    if q.kind == 'number' or n == 0:
        return q
    seed = zlib.crc32(q.id.encode())
    while True:
        perm = list(range(n))
        random.Random(seed).shuffle(perm)              # new position k shows old perm[k]
        seed += 1
        if perm[0] != 0 and (q.kind != 'order' or tuple(perm) != tuple(q.order)):
            break
    new = {old: k for k, old in enumerate(perm)}
    fact = q.fact
    if q.kind in ('single', 'multiple'):
        def moved(value):
            if value is None:
                return None
            return new[value] if q.kind == 'single' else frozenset(new[i] for i in value)
        return dataclasses.replace(
            q, options=tuple(q.options[old] for old in perm),
            fact=(lambda: moved(fact())) if fact else None)
    def moved_order(value):
        return tuple(new[i] for i in value)
    return dataclasses.replace(
        q, items=tuple(q.items[old] for old in perm), order=moved_order(q.order),
        traps=tuple(dataclasses.replace(t, value=moved_order(t.value)) for t in q.traps),
        fact=(lambda: moved_order(fact())) if fact else None)
