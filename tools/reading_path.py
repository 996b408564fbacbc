"""The learner's reading path, measured: how much a newcomer reads, and how much of it is the book.

    python tools/reading_path.py            # the book's figures and one line per chapter
    python tools/reading_path.py --json     # the same as JSON

What is counted (STYLE.md, "The reading path", says why):

main_cjk         CJK ideographs a learner reads on the main path: markdown of the chapters outside
                 the `_toc.yml` parts captioned 附录 / 开始之前, without the sections 练习 / 动手写一写 /
                 自测 and headings marked 选做 or 深入, and without directive blocks (dropdown,
                 admonition, ...) whose title or class says 选做 / 深入 / optional; maths excluded;
total_cjk        CJK ideographs in every chapter's markdown (but 自测 sections) plus intro.md and
                 notation.md: moving text into an optional box does not lower it, only cutting does;
tool_words       words about the book's own machinery in main-path prose (d2lhelpers, 课程笔记, nbval,
                 CI, benchmarks/, 逐位, SHA-256, fsync, umask, make ..., pytest ...);
goal_tooling     main-path 本节目标 items about the tooling agreeing with the notes (逐位, 逐一对照, ...);
visible_asserts  `assert` lines in main-path code cells a reader sees (not tagged hide-/remove-);
ctrl_chars       control characters (TAB, \\b, \\f, ...) in any markdown cell: a mangled escape.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parent.parent
GOALS = dict(main_cjk=14000, total_cjk=28000, tool_words=25, goal_tooling=0,
             visible_asserts=40, ctrl_chars=0)

IDEO = re.compile(r'[\u3400-\u9fff]')
OPTIONAL = re.compile(r'选做|深入|optional', re.I)
SKIP_HEAD = re.compile(r'练习|动手写一写|自测|选做|深入')
SELFCHECK_HEAD = re.compile(r'自测')
GOAL_TOOLING = re.compile(r'逐位|逐比特|同名函数|相同的数据|逐一对照|相同的结果|d2lhelpers|课程笔记')
TOOL = re.compile(r'd2lhelpers|课程笔记|nbval|\bCI\b|benchmarks/|逐位|逐比特|SHA-?256|fsync|umask|'
                  r'make [a-z]|pytest|headless|jupyter-book build')
CTRL = re.compile(r'[\x00-\x09\x0b\x0c\x0e-\x1f]')


def toc_parts(root: Path) -> list[tuple[str, list[str]]]:
    """[(caption, [file, ...]), ...] read from _toc.yml."""
    parts: list[tuple[str, list[str]]] = []
    for line in (root / '_toc.yml').read_text(encoding='utf-8').splitlines():
        m = re.match(r'\s*-\s*caption:\s*(.+)', line)
        if m:
            parts.append((m.group(1).strip(), []))
            continue
        m = re.match(r'\s*-\s*file:\s*(\S+)', line)
        if m and parts:
            parts[-1][1].append(m.group(1).strip())
    return parts


def main_path_files(root: Path) -> list[str]:
    return [f for caption, files in toc_parts(root)
            if not re.search(r'附录|开始之前|appendix', caption, re.I)
            for f in files if (root / f'{f}.ipynb').exists()]


def strip_optional_blocks(text: str) -> str:
    """Drop directive blocks (``` or :::) whose opening line or options say optional."""
    out, fence, lines, i = [], None, text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'\s*(`{3,}|:{3,})\{([\w-]+)\}(.*)', line)
        if fence is None and m and OPTIONAL.search(m.group(3) + ' ' + ' '.join(lines[i + 1:i + 4])):
            fence = m.group(1)
        elif fence is not None:
            if line.strip() == fence:
                fence = None
        else:
            out.append(line)
        i += 1
    return '\n'.join(out)


def prose(text: str) -> str:
    """Markdown without its maths."""
    text = re.sub(r'\$\$.*?\$\$', ' ', text, flags=re.S)
    return re.sub(r'\$[^$\n]+\$', ' ', text)


def hidden(cell: dict) -> bool:
    return any(t.startswith(('hide-', 'remove-')) for t in cell.get('metadata', {}).get('tags', []))


def without_sections(cells: list[dict], heading: re.Pattern) -> list[tuple[dict, str]]:
    """(cell, its text outside the sections whose heading matches), for every cell in order."""
    out, skip_level = [], None
    for c in cells:
        src = ''.join(c['source'])
        if c['cell_type'] != 'markdown':
            out.append((c, '' if skip_level is not None else src))
            continue
        kept = []
        for line in src.splitlines():
            h = re.match(r'(#+)\s+(.*)', line)
            if h:
                level = len(h.group(1))
                if skip_level is not None and level <= skip_level:
                    skip_level = None
                if skip_level is None and level >= 2 and heading.search(h.group(2)):
                    skip_level = level
            if skip_level is None:
                kept.append(line)
        out.append((c, '\n'.join(kept)))
    return out


def chapter(path: Path, on_main_path: bool) -> dict:
    """The figures of one chapter notebook."""
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    md = [t for c, t in without_sections(cells, SKIP_HEAD) if c['cell_type'] == 'markdown']
    code = [t for c, t in without_sections(cells, SKIP_HEAD)
            if c['cell_type'] == 'code' and not hidden(c)]
    main = prose(strip_optional_blocks('\n'.join(md)))
    whole = prose('\n'.join(t for c, t in without_sections(cells, SELFCHECK_HEAD)
                            if c['cell_type'] == 'markdown'))
    goals = [item for c in cells if c['cell_type'] == 'markdown'
             for g in [re.search(r'本节目标(.*?)(\n\n(?!\s*[-*])|$)', ''.join(c['source']), re.S)] if g
             for item in g.group(1).splitlines() if GOAL_TOOLING.search(item)]
    return dict(
        main_cjk=len(IDEO.findall(main)) if on_main_path else 0,
        total_cjk=len(IDEO.findall(whole)),
        tool_words=len(TOOL.findall(re.sub(r'```.*?```', ' ', main, flags=re.S))) if on_main_path else 0,
        goal_tooling=len(goals) if on_main_path else 0,
        visible_asserts=len(re.findall(r'^\s*assert\b', '\n'.join(code), re.M)) if on_main_path else 0,
        ctrl_chars=sum(len(CTRL.findall(''.join(c['source']))) for c in cells
                       if c['cell_type'] == 'markdown'))


def measure(root: Path = BOOK) -> dict:
    """{'book': figures, 'chapters': {name: figures}} for the whole book."""
    main_files = set(main_path_files(root))
    chapters = {p.stem: chapter(p, f'chapters/{p.stem}' in main_files)
                for p in sorted((root / 'chapters').glob('*.ipynb'))}
    book = {k: sum(c[k] for c in chapters.values()) for k in GOALS}
    for page in ('intro.md', 'notation.md'):
        if (root / page).exists():
            text = (root / page).read_text(encoding='utf-8')
            book['total_cjk'] += len(IDEO.findall(prose(text)))
            book['ctrl_chars'] += len(CTRL.findall(text))
    return dict(book=book, chapters=chapters)


def main(argv: list[str]) -> int:
    figures = measure()
    if '--json' in argv:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        return 0
    for name, c in figures['chapters'].items():
        print(f'{name:36s} ' + ' '.join(f'{k}={v}' for k, v in c.items()))
    print('book: ' + ' '.join(f'{k}={v} (goal <= {GOALS[k]})' for k, v in figures['book'].items()))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
