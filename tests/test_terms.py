"""The book's terms (STYLE.md §3): one word for accuracy, the course notes named for the reader.

Checked on every page: the Markdown, the code cells (comments and Chinese strings a figure or a
message shows) and the figures' text alternatives.
"""
from __future__ import annotations

import re

import nbformat
import pytest

from tools import typography

PAGES = typography.book_pages()

FORBIDDEN = {
    # 种子 alone reads as 随机种子 (random seed): the source is 课程笔记.
    r'(?<!随机)种子': '课程笔记 / 课程笔记的代码 (种子 only in 随机种子)',
    # accuracy is 准确率; 精度 only for floating-point precision.
    r'正确率': '准确率',
    r'(?<!单)(?<!双)(?<!半)(?<!浮点)(?<!数值)(?<!绝对)(?<!相对)精度': '准确率 (精度 only for numbers: 单精度, 双精度, 绝对精度)',
}


def _texts(page, pattern=None):
    if page.suffix == '.md':
        text = page.read_text(encoding='utf-8')
        if page.name == 'notation.md' and pattern == list(FORBIDDEN)[2]:
            # the terms table maps the book's 准确率 to d2l-zh's 精度: the one place that names it
            text = text.split('\n## 术语')[0]
        return [text]
    nb = nbformat.read(page, as_version=4)
    return [c.source for c in nb.cells] + [str(c.metadata.get('mystnb', '')) for c in nb.cells]


@pytest.mark.parametrize('page', PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize('pattern', FORBIDDEN, ids=['seed', 'zhengquelv', 'jingdu'])
def test_one_word_for_each_term(page, pattern):
    hits = [line.strip() for text in _texts(page, pattern) for line in text.splitlines()
            if re.search(pattern, line)]
    assert not hits, f'{page.name}: say {FORBIDDEN[pattern]}:\n' + '\n'.join(hits[:10])


def test_the_patterns_catch_what_they_name():
    assert re.search(list(FORBIDDEN)[0], '种子笔记的代码')
    assert not re.search(list(FORBIDDEN)[0], '固定随机种子')
    assert re.search(list(FORBIDDEN)[2], '测试精度为 0.83')
    assert not re.search(list(FORBIDDEN)[2], '双精度浮点数')


CHAPTERS = [p for p in PAGES if p.suffix == '.ipynb']


@pytest.mark.parametrize('page', CHAPTERS, ids=lambda p: p.name)
def test_every_figure_has_a_chinese_text_alternative(page):
    """STYLE.md §7: each PNG output's cell carries mystnb.image.alt, in Chinese, saying what it shows."""
    nb = nbformat.read(page, as_version=4)
    missing = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != 'code' or not any(
                'image/png' in o.get('data', {}) for o in cell.get('outputs', [])):
            continue
        alt = cell.metadata.get('mystnb', {}).get('image', {}).get('alt', '')
        if not re.search(f'[{typography.HAN}]', alt) or len(alt) < 8 or re.search(r'\.(png|svg)\b', alt):
            missing.append(f'cell {i}: {cell.source.splitlines()[0][:60]!r} alt={alt!r}')
    assert not missing, f'{page.name}: figures without a Chinese text alternative:\n' + '\n'.join(missing)
