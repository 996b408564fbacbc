"""Every public function of the exercises API checks its arguments and says, in Chinese, which
function, which argument and what it expects (issue 25).

Before: ``task('softmax').hint('a')`` raised ``ValueError: invalid literal for int()``,
``hint(0)`` and ``hint(99)`` were silently clamped, ``check()`` and ``check(fn, O)`` gave
Python's English ``TypeError``, ``task(3)`` an English message.
"""
import re

import numpy as np
import pytest
import torch

from d2lhelpers import exercises
from d2lhelpers.exercises import TASKS, Task, is_unanswered, task
from d2lhelpers.exercises.records import Case

CHINESE = re.compile(r'[\u4e00-\u9fff]')


def _refused(call, *words):
    """``call()`` raises a TypeError and ValueError at once, in Chinese, holding ``words``."""
    with pytest.raises(TypeError) as err:
        call()
    assert isinstance(err.value, ValueError)
    message = str(err.value)
    assert CHINESE.search(message), message
    for word in words:
        assert word in message, (word, message)
    return message


@pytest.mark.parametrize('level', ['a', '2', 0, -1, 3, 99, 1.0, 2.5, True, None.__class__,
                                   [1], torch.tensor([1, 2]), np.float64(1.0)])
def test_hint_refuses_a_level_that_is_not_a_hint_number(level, capsys):
    t = task('softmax')
    _refused(lambda: t.hint(level), "task('softmax').hint", '参数 level', '1 到 2',
             type(level).__name__)
    assert capsys.readouterr().out == ''


@pytest.mark.parametrize('level', [1, 2, np.int64(2), torch.tensor(1)])
def test_hint_takes_integers_of_any_kind(level, capsys):
    task('softmax').hint(level)
    assert capsys.readouterr().out.startswith(f'💡 提示 {int(level)}/2：')


def test_check_without_the_function_or_with_more_says_how_to_call_it(capsys):
    t = task('one_hot')
    _refused(lambda: t.check(), "task('one_hot').check", '参数 fn',
             "task('one_hot').check(my_one_hot)")
    _refused(lambda: t.check(print, torch.tensor([0, 1]), 2), "task('one_hot').check",
             '不接受', 'tensor', "check(my_one_hot)")
    _refused(lambda: t.check(print, verbose=True), 'verbose=True')
    _refused(lambda: t.diagnose(), "task('one_hot').diagnose", '参数 fn')
    assert capsys.readouterr().out == ''


def test_check_of_a_non_function_names_the_argument(capsys):
    assert task('softmax').check('my_softmax') is False
    assert '参数 fn 应是一个函数' in capsys.readouterr().out


@pytest.mark.parametrize('method', ['solution', 'solution_function'])
def test_solution_takes_no_arguments(method, capsys):
    t = task('accuracy')
    _refused(lambda: getattr(t, method)(1), f"task('accuracy').{method}", '不接受', '1（int）',
             f"task('accuracy').{method}()")
    _refused(lambda: getattr(t, method)(level=2), 'level=2')
    assert capsys.readouterr().out == ''


@pytest.mark.parametrize('name', [3, None, b'softmax', ['softmax'], TASKS['softmax']])
def test_task_name_must_be_a_string_and_the_names_are_listed(name):
    message = _refused(lambda: task(name), 'exercises.task', '参数 name', '字符串')
    for known in TASKS:
        assert repr(known) in message


@pytest.mark.parametrize('name, guess', [('Softmax', 'softmax'), ('softmaxx', 'softmax'),
                                         ('crossentropy', 'cross_entropy'), (' sgd', 'sgd'),
                                         ('zzz', None), ('', None)])
def test_an_unknown_task_lists_the_existing_ones_and_guesses(name, guess):
    message = _refused(lambda: task(name), 'exercises.task', '参数 name', repr(name))
    for known in TASKS:
        assert repr(known) in message
    assert (f'你是不是想写 {guess!r}' in message) if guess else '你是不是想写' not in message


def test_task_takes_one_name():
    _refused(lambda: task('softmax', 'hint'), 'exercises.task', '不接受', "'hint'")


def test_is_unanswered_refuses_what_is_not_a_function():
    _refused(lambda: is_unanswered(42), 'exercises.is_unanswered', '参数 fn', '42（int）')
    _refused(lambda: is_unanswered('def f(): ...'), '参数 fn')


@pytest.mark.parametrize('case', [None, 0, (torch.zeros(2, 3),), 'case'])
def test_the_methods_taking_a_case_refuse_other_things(case):
    t = task('softmax')
    for method, call in [('expected', lambda: t.expected(case)),
                         ('describe_inputs', lambda: t.describe_inputs(case)),
                         ('call', lambda: t.call(print, case))]:
        _refused(call, f"task('softmax').{method}", '参数 case', 'Case')


def test_call_checks_its_function_and_budget():
    t = task('softmax')
    _refused(lambda: t.call(42, t.cases[0]), "task('softmax').call", '参数 fn', '函数')
    _refused(lambda: t.call(print, t.cases[0], 5), '参数 budget', 'Budget')


@pytest.mark.parametrize('index', [-1, 99, '0', 1.0, True])
def test_wrong_outcomes_checks_the_index(index):
    _refused(lambda: task('softmax').wrong_outcomes(index), "task('softmax').wrong_outcomes",
             '参数 index')


def test_a_task_whose_labels_are_not_among_its_parameters_is_refused():
    _refused(lambda: Task('t', '01', 'my_t', ('y', 'q'), '', len, list, '', ['a', 'b'],
                          labels=('labels',)), 'Task', '参数 labels')
    _refused(lambda: Task('t', '01', 'my_t', ('y', 3), '', len, list, '', ['a', 'b']),
             'Task', 'params')


def test_good_calls_still_work(capsys):
    t = task('one_hot')
    assert t.check(t.solution_function()) is True
    t.solution()
    t.hint()
    out = capsys.readouterr().out
    assert '✅' in out and '# 参考答案' in out and '💡 提示 1/' in out
    assert isinstance(t.describe_inputs(t.cases[0]), str)
    assert isinstance(t.expected(Case('x', (torch.tensor([1, 0]), 2))).value, torch.Tensor)
    assert exercises.task('one_hot') is t


def test_expectations_and_identify_check_their_arguments():
    t = task('softmax')
    _refused(lambda: t.expectations(1), "task('softmax').expectations", '不接受')
    _refused(lambda: t.identify(999, None, []), "task('softmax').identify", '参数 i')


def test_missing_or_extra_arguments_are_said_in_chinese(capsys):
    _refused(lambda: task(), 'exercises.task', '参数 name', "exercises.task('softmax')")
    _refused(lambda: task('softmax').hint(1, 2), "task('softmax').hint", '不接受', '2（int）')
    _refused(lambda: task('softmax').hint(levels=1), 'levels=1')
    _refused(lambda: is_unanswered(), 'exercises.is_unanswered', '参数 fn')
    assert capsys.readouterr().out == ''
