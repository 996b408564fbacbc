"""Chinese typography of the book's prose, as STYLE.md states it (d2l-zh, GB/T 15834).

In Chinese prose the marks ， ： ； （ ） ？ ！ are full-width and quotes are “ ”; code, math,
identifiers, links and English phrases keep ASCII. The source lesson notes lost their full-width
marks in text extraction; this tool restores them and its test keeps them restored.

    python tools/typography.py --check [FILE ...]   # list lines that break the rules (exit 1)
    python tools/typography.py --fix FILE ...       # rewrite them in place

FILE is a chapter notebook (its Markdown cells, the Chinese comments of its code cells and the
figures' alt texts are checked) or a Markdown page; without FILE: every page of the book.
A notebook's text in texts/ is then re-synced with ``make texts``.

How it decides: protected spans (code, math, roles, URLs, HTML, directive options) are set aside;
an ASCII mark is Chinese punctuation when the nearest character before or after it, skipping
spaces and emphasis markers, is Chinese. A bracket pair is Chinese when it is next to Chinese or
holds Chinese, unless it is glued to a Latin name, as in f(x) or O(dq). The maintained formatter
``autocorrect-py`` (spaces between Chinese and Latin) is run by the test as a second opinion.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tokenize
from pathlib import Path

import nbformat

BOOK = Path(__file__).resolve().parent.parent

HAN = '\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff'
CJK_PUNCT = '\u3000-\u303f\uff01-\uff1f\u2014\u2026\u201c\u201d\u300a\u300b'
CHINESE = re.compile(f'[{HAN}{CJK_PUNCT}]')
HAN_CHAR = re.compile(f'[{HAN}]')
FULL = {',': '，', ':': '：', ';': '；', '?': '？', '!': '！', '(': '（', ')': '）'}
FULL_MARKS = set(FULL.values()) | {'。', '、', '“', '”'}
SKIP = ' \t\n*_'         # skipped when looking for a mark's neighbour (spaces, emphasis)
OBJ0 = 0xE000            # protected spans become private-use characters while rules run

# Inline spans that keep their ASCII: code and roles, math, link targets, HTML, URLs, ...
PROTECTED = re.compile(r'''
    \{[\w:.-]+\}(`+).*?\1          # a MyST role: {glue:text}`x:.3f`, {doc}`...`, {eq}`...`
  | (`+).+?\2                      # inline code
  | \$\$.+?\$\$                    # display math on one line
  | (?<![\\$])\$[^$]+?(?<!\\)\$    # inline math
  | \]\([^)\s]*\)                  # a link's target (its text stays prose)
  | <[a-zA-Z/!][^<>]*>             # HTML tags, autolinks
  | https?://[^\s)）]+             # bare URLs
  | \{\{[^}]*\}\}                  # substitutions
  | \[\^[^\]]+\]                   # footnote references
  | !\[                            # the start of an image
  | [\[(][-+\d.\s]*,[-+\d.,\s]*[\])]   # number tuples: [256, 10], (0, 1)
''', re.VERBOSE | re.DOTALL)

PROSE_DIRECTIVES = {'dropdown', 'note', 'tip', 'hint', 'warning', 'important', 'caution',
                    'attention', 'seealso', 'admonition', 'epigraph', 'sidebar', 'margin',
                    'topic', 'danger', 'error'}
FENCE = re.compile(r'^(\s*)(`{3,}|~{3,}|:{3,})\s*(\{([\w:-]+)\})?(.*)$')


def _is_chinese(ch: str) -> bool:
    return bool(ch) and bool(CHINESE.match(ch))


def _neighbour(s: str, i: int, step: int) -> str:
    """The first character from s[i] in direction step that is not a space or emphasis."""
    while 0 <= i < len(s):
        if s[i] not in SKIP:
            return s[i]
        i += step
    return ''


def _strip_around(s: str) -> str:
    """No spaces next to full-width punctuation, except where Markdown needs them (lists, tables)."""
    marks = ''.join(sorted(FULL_MARKS))
    s = re.sub(f'(?<=[^\\s|>*+#.-])[ \t]+([{marks}])', r'\1', s)
    return re.sub(f'([{marks}])[ \t]+(?![ \t|])', r'\1', s)


def _brackets(s: str) -> str:
    chars = list(s)
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(chars):
        if ch in '(（':
            stack.append(i)
        elif ch in ')）' and stack:
            pairs.append((stack.pop(), i))
    for i, j in pairs:
        if chars[i] == '（' and chars[j] == '）':
            continue
        before = s[i - 1] if i else ''
        glued = (before.isalpha() and not HAN_CHAR.match(before)) or before in '_]²·'   # f(x), δ·(…)
        if chars[i] == '（' or chars[j] == '）' or HAN_CHAR.search(s[i + 1:j]) or not glued and (
                _is_chinese(_neighbour(s, i - 1, -1)) or _is_chinese(_neighbour(s, j + 1, 1))):
            chars[i], chars[j] = '（', '）'
    return ''.join(chars)


ENGLISH = re.compile(r"[A-Za-z][A-Za-z'-]*[ \t]+[A-Za-z]")


def _chinese_side(s: str, i: int, step: int) -> bool:
    """Whether the clause on this side of s[i] is Chinese: it reaches a Chinese character
    across objects (math, code, numbers, single Latin tokens) but no English phrase."""
    j = i
    while 0 <= j < len(s) and not _is_chinese(s[j]) and s[j] not in ',;:?!.()[]"\n':
        j += step
    if not (0 <= j < len(s)) or not _is_chinese(s[j]) or s[j] in '（）':
        return False
    run = s[min(i, j + 1):max(i, j)] if step < 0 else s[i:j]
    return not ENGLISH.search(run)


def _marks(s: str) -> str:
    chars = list(s)
    for i, ch in enumerate(s):
        if ch not in ',:;?!.':
            continue
        left, right = _neighbour(s, i - 1, -1), _neighbour(s, i + 1, 1)
        if ch == '.':                       # a Chinese sentence ended with an ASCII full stop
            if HAN_CHAR.match(s[i - 1:i]) and (i + 1 == len(s) or s[i + 1] in ' \n' or _is_chinese(s[i + 1])):
                chars[i] = '。'
            continue
        if ch == ':' and right == ':' or ch == '!' and right == '[':
            continue
        if left.isdigit() and right.isdigit():
            continue                        # 1,000 · 12:30 · 1, 2, 3
        if _is_chinese(left) or _is_chinese(right) or (
                _chinese_side(s, i - 1, -1) or _chinese_side(s, i + 1, 1)) and not (
                _english_side(s, i - 1, -1) or _english_side(s, i + 1, 1)):
            chars[i] = FULL[ch]
    return ''.join(chars)


def _english_side(s: str, i: int, step: int) -> bool:
    """Whether an English phrase stands on this side of s[i], before any Chinese character."""
    j = i
    while 0 <= j < len(s) and not _is_chinese(s[j]) and s[j] != '\n':
        j += step
    run = s[j + 1:i + 1] if step < 0 else s[i:j]
    return bool(ENGLISH.search(run))


def _quotes(s: str) -> str:
    s = s.replace('「', '“').replace('」', '”').replace('『', '‘').replace('』', '’')
    idx = [m.start() for m in re.finditer('"', s)]
    chars = list(s)
    for a, b in zip(idx[0::2], idx[1::2]):
        inner = s[a + 1:b]
        if HAN_CHAR.search(inner) or _is_chinese(_neighbour(s, a - 1, -1)) \
                or _is_chinese(_neighbour(s, b + 1, 1)):
            chars[a], chars[b] = '“', '”'
    return ''.join(chars)


def fix_prose(text: str) -> str:
    """Full-width punctuation in a run of Markdown prose (no code blocks or display math)."""
    spans: list[str] = []

    def hide(m: re.Match) -> str:
        spans.append(m.group(0))
        return chr(OBJ0 + len(spans) - 1)

    s = PROTECTED.sub(hide, text)
    for _ in range(5):                      # a fixed mark can make its neighbour's context Chinese
        new = _strip_around(_marks(_brackets(_quotes(s))))
        if new == s:
            break
        s = new
    return re.sub(f'[{chr(OBJ0)}-{chr(OBJ0 + 6399)}]', lambda m: spans[ord(m.group(0)) - OBJ0], s)


def fix_markdown(text: str) -> str:
    """Fix the prose of a Markdown/MyST document; code, math and directive options untouched."""
    out: list[str] = []
    prose: list[str] = []
    lines = text.splitlines(keepends=True)
    fences: list[tuple[str, bool]] = []     # open fences: (marker, body is prose)
    math_end = ''                           # inside display math: the line that closes it
    options = False

    def flush() -> None:
        if prose:
            out.append(fix_prose(''.join(prose)))
            prose.clear()

    i = 0
    if lines and lines[0].strip() == '---':      # front matter
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == '---'), 0)
        out.extend(lines[:end + 1])
        i = end + 1
    for line in lines[i:]:
        stripped = line.strip()
        body_is_prose = all(p for _, p in fences)
        if math_end:
            out.append(line)
            if stripped.startswith(math_end):
                math_end = ''
            continue
        m = FENCE.match(line)
        if m and fences and m.group(2).startswith(fences[-1][0][0]) \
                and len(m.group(2)) >= len(fences[-1][0]) and not m.group(3) and not m.group(5).strip():
            flush()
            fences.pop()
            out.append(line)
            options = False
            continue
        if m and body_is_prose:
            flush()
            name = m.group(4)
            is_prose = name in PROSE_DIRECTIVES or (name is None and m.group(2)[0] == ':')
            title = m.group(5)
            out.append(line[:len(line) - len(title) - (1 if line.endswith('\n') else 0)]
                       + (fix_prose(title) if is_prose else title) + ('\n' if line.endswith('\n') else ''))
            fences.append((m.group(2), is_prose))
            options = True
            continue
        if not body_is_prose:
            out.append(line)
            continue
        if options and re.match(r'^\s*:[\w-]+:', line):
            flush()
            out.append(line)
            continue
        options = False
        begin = re.match(r'^\\begin\{([^}]+)\}', stripped)
        if stripped.startswith('$$') and not re.match(r'^\$\$.*\$\$', stripped):
            math_end = '$$'
        elif begin and '\\end{%s}' % begin.group(1) not in stripped:
            math_end = '\\end{%s}' % begin.group(1)
        if math_end or begin or re.match(r'^\(.*\)=\s*$', stripped) \
                or stripped.startswith(('%', '+++')) or re.match(r'^\$\$.*\$\$', stripped):
            flush()
            out.append(line)
            continue
        prose.append(line)
    flush()
    return ''.join(out)


def fix_comments(code: str) -> str:
    """Full-width punctuation in the Chinese comments of Python code (strings untouched)."""
    if not HAN_CHAR.search(code):
        return code
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code
    lines = code.splitlines(keepends=True)
    for tok in reversed(tokens):
        if tok.type == tokenize.COMMENT and HAN_CHAR.search(tok.string):
            (row, col), (_, end) = tok.start, tok.end
            line = lines[row - 1]
            lines[row - 1] = line[:col] + fix_prose(tok.string) + line[end:]
    return ''.join(lines)


def _source(cell: dict) -> str:
    src = cell['source']
    return ''.join(src) if isinstance(src, list) else src


def _fix_notebook(nb: dict) -> dict:
    for cell in nb['cells']:
        src = _source(cell)
        if cell['cell_type'] == 'markdown':
            new = fix_markdown(src)
        elif cell['cell_type'] == 'code':
            new = fix_comments(src)
        else:
            continue
        if new != src:
            cell['source'] = new
        mystnb = cell.get('metadata', {}).get('mystnb', {})
        for holder, key in ((mystnb.get('image', {}), 'alt'), (mystnb, 'code_prompt_show'),
                            (mystnb, 'code_prompt_hide')):
            if isinstance(holder.get(key), str):
                holder[key] = fix_prose(holder[key])
    return nb


def fixed(path: Path) -> tuple[str, str]:
    """The file's text and the text after the rules are applied."""
    text = path.read_text(encoding='utf-8')
    if path.suffix == '.ipynb':
        return text, nbformat.writes(_fix_notebook(nbformat.reads(text, as_version=4))) + '\n'
    return text, fix_markdown(text)


def problems(path: Path) -> list[str]:
    """One line per place that breaks the rules: 'file: before  ->  after'."""
    text = path.read_text(encoding='utf-8')
    if path.suffix == '.ipynb':
        nb = nbformat.reads(text, as_version=4)
        olds = [_source(c) for c in nb['cells']] + [json.dumps(c.get('metadata', {}), ensure_ascii=False)
                                                   for c in nb['cells']]
        _fix_notebook(nb)
        news = [_source(c) for c in nb['cells']] + [json.dumps(c.get('metadata', {}), ensure_ascii=False)
                                                   for c in nb['cells']]
    else:
        olds, news = [text], [fix_markdown(text)]
    found = []
    for old, new in zip(olds, news):
        for a, b in zip(old.splitlines(), new.splitlines()):
            if a != b:
                found.append(f'{_name(path)}: {a.strip()}\n    -> {b.strip()}')
    return found


def _name(path: Path) -> str:
    return str(path.relative_to(BOOK)) if path.is_relative_to(BOOK) else str(path)


def book_pages() -> list[Path]:
    """Every page of the book: the Markdown pages and the chapter notebooks."""
    return [BOOK / 'intro.md', BOOK / 'notation.md'] + sorted((BOOK / 'chapters').glob('*.ipynb'))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument('--check', action='store_true')
    mode.add_argument('--fix', action='store_true')
    parser.add_argument('files', nargs='*', type=Path)
    args = parser.parse_args(argv)
    files = [f.resolve() for f in args.files] or book_pages()
    if args.fix:
        for f in files:
            old, new = fixed(f)
            if new != old:
                f.write_text(new, encoding='utf-8')
                print(f'fixed {_name(f)}')
        return 0
    found = [p for f in files for p in problems(f)]
    print('\n'.join(found) if found else 'typography: no problems')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
