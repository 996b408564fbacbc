"""The book's Chinese typography (STYLE.md): full-width punctuation in Chinese prose.

Every page (intro, notation, the chapters' Markdown cells, their Chinese code comments and alt
texts) is checked by the book's own rules (tools/typography.py) and by the maintained formatter
autocorrect-py, so a relapse, an ASCII ``,`` next to a Chinese character, fails the test.
"""
from __future__ import annotations

import nbformat
import pytest

from tools import typography
from tools.typography import fix_comments, fix_markdown, fix_prose

PAGES = typography.book_pages()


@pytest.mark.parametrize('page', PAGES, ids=lambda p: p.name)
def test_page_follows_the_typography_rules(page):
    found = typography.problems(page)
    assert not found, ('ASCII punctuation in Chinese prose; run python tools/typography.py '
                       f'--fix {page.name} (then make texts):\n' + '\n'.join(found[:20]))


def _markdown_texts(page):
    if page.suffix == '.md':
        return [page.read_text(encoding='utf-8')]
    nb = nbformat.read(page, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == 'markdown']


@pytest.mark.parametrize('page', PAGES, ids=lambda p: p.name)
def test_autocorrect_agrees(page):
    """The maintained CJK formatter would change nothing (spacing, punctuation)."""
    autocorrect = pytest.importorskip('autocorrect_py')
    for text in _markdown_texts(page):
        formatted = autocorrect.format_for(text, 'markdown')
        diff = [(a, b) for a, b in zip(text.splitlines(), formatted.splitlines()) if a != b]
        assert not diff, f'{page.name}: autocorrect-py would rewrite:\n' + '\n'.join(
            f'  {a}\n  -> {b}' for a, b in diff[:10])


@pytest.mark.parametrize('before, after', [
    ('输出非负,和为 1;见下文:', '输出非负，和为 1；见下文：'),
    ('交叉熵损失 (cross-entropy loss) 是', '交叉熵损失（cross-entropy loss）是'),
    ('为什么?因为!', '为什么？因为！'),
    ('其中 $x$, 是输入:$y = 1$', '其中 $x$，是输入：$y = 1$'),
    ('它叫"独热编码"。', '它叫“独热编码”。'),
    ('它叫「独热编码」。', '它叫“独热编码”。'),
    ('这样就行.', '这样就行。'),
    ('阈值 $\\delta$:$\\delta$ 越小', '阈值 $\\delta$：$\\delta$ 越小'),
    ('先看 (第 2 节) 再说', '先看（第 2 节）再说'),
    ('英文原文 (e.g. one, two) 在此', '英文原文（e.g. one, two）在此'),   # English keeps its comma
])
def test_chinese_prose_gets_full_width_marks(before, after):
    assert fix_prose(before) == after


@pytest.mark.parametrize('text', [
    '调用 `f(a, b)` 即可',                 # code
    '公式 $f(x, y) = x: y$ 成立',           # math
    '复杂度是 O(dq) 的',                   # a Latin name glued to its bracket
    '形状是 [256, 10] 的张量',             # number tuples
    '取 1, 2, 3 三个值',                   # numbers
    '见 [链接](https://example.org/a,b?c=d)',
    'Plain English, with no Chinese: fine.',
    '{glue:text}`ch03_x:.3f` 与 {doc}`附录 <09_data_pipeline>`',
])
def test_ascii_stays_where_it_belongs(text):
    assert fix_prose(text) == text


def test_code_blocks_math_and_directive_options_are_untouched():
    text = ('说明,如下:\n\n```python\nprint("a, b")  # 注释,保留\n```\n\n$$\nf(x) = 1, x > 0\n$$\n\n'
            ':::{dropdown} 提示:展开\n:open:\n内容,中文\n:::\n')
    assert fix_markdown(text) == ('说明，如下：\n\n```python\nprint("a, b")  # 注释,保留\n```\n\n'
                                  '$$\nf(x) = 1, x > 0\n$$\n\n'
                                  ':::{dropdown} 提示：展开\n:open:\n内容，中文\n:::\n')


def test_markdown_structure_survives():
    """List markers and table pipes keep their spaces; the fix is idempotent."""
    text = '- (1) 第一项,说明\n\n| 列 | 含义 (meaning) |\n|---|---|\n| a | 值,说明 |\n'
    fixed = fix_markdown(text)
    assert fixed == '- （1）第一项，说明\n\n| 列 | 含义（meaning） |\n|---|---|\n| a | 值，说明 |\n'
    assert fix_markdown(fixed) == fixed


def test_chinese_comments_in_code_strings_untouched():
    code = "x = 'a,b'  # 形状:[n, d],每行一个样本\ny = 1  # plain English, kept\n"
    assert fix_comments(code) == "x = 'a,b'  # 形状：[n, d]，每行一个样本\ny = 1  # plain English, kept\n"
