"""The learner's reading path stays within its budgets (STYLE.md §6; tools/reading_path.py)."""
from __future__ import annotations

import json

import pytest

from tools import reading_path

FIGURES = reading_path.measure()


@pytest.mark.parametrize('measure', list(reading_path.GOALS))
def test_the_book_stays_within_its_budget(measure):
    got, goal = FIGURES['book'][measure], reading_path.GOALS[measure]
    per_chapter = {name: c[measure] for name, c in FIGURES['chapters'].items() if c[measure]}
    assert got <= goal, f'{measure} = {got} > {goal}; per chapter: {json.dumps(per_chapter)}'


def test_the_main_path_excludes_what_it_says(tmp_path):
    """Optional sections and boxes, exercises and self-checks are left out of the main path;
    the whole-book count keeps optional text (moving is not cutting)."""
    cells = [
        {'cell_type': 'markdown', 'metadata': {}, 'source': '# 标题\n\n正文三字'},
        {'cell_type': 'code', 'metadata': {}, 'source': 'assert True\nx = 1', 'outputs': []},
        {'cell_type': 'code', 'metadata': {'tags': ['hide-cell']}, 'source': 'assert True', 'outputs': []},
        {'cell_type': 'markdown', 'metadata': {}, 'source': ':::{admonition} 深入：长\n盒子里\n:::\n\n之后'},
        {'cell_type': 'markdown', 'metadata': {}, 'source': '## 更进一步（选做）\n\n选做文字'},
        {'cell_type': 'code', 'metadata': {}, 'source': 'assert False', 'outputs': []},
        {'cell_type': 'markdown', 'metadata': {}, 'source': '## 小结\n\n总结\t'},
        {'cell_type': 'markdown', 'metadata': {}, 'source': '## 自测\n\n测验'},
        {'cell_type': 'markdown', 'metadata': {}, 'source': '## 练习\n\n题目 $数学$'},
    ]
    path = tmp_path / 'ch.ipynb'
    path.write_text(json.dumps({'cells': cells}), encoding='utf-8')
    c = reading_path.chapter(path, on_main_path=True)
    assert c['main_cjk'] == len('标题正文三字之后小结总结')
    assert c['total_cjk'] == len('标题正文三字深入长盒子里之后更进一步选做选做文字小结总结练习题目')
    assert c['visible_asserts'] == 1
    assert c['ctrl_chars'] == 1
    off = reading_path.chapter(path, on_main_path=False)
    assert off['main_cjk'] == off['visible_asserts'] == 0 and off['total_cjk'] == c['total_cjk']


def test_a_tooling_goal_is_counted(tmp_path):
    cells = [{'cell_type': 'markdown', 'metadata': {}, 'source':
              '# 题\n\n**本节目标**\n\n- 学会 softmax；\n- 看 d2lhelpers 的版本为什么逐位相同。\n\n正文'}]
    path = tmp_path / 'ch.ipynb'
    path.write_text(json.dumps({'cells': cells}), encoding='utf-8')
    assert reading_path.chapter(path, on_main_path=True)['goal_tooling'] == 1
