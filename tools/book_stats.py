"""Editorial figures of the book, for a revision's closing note (STYLE.md says what they mean).

    python tools/book_stats.py [REV]     # REV: a git revision (default: the working tree)

Prints: ASCII , : ; ( ) ? ! touching a Chinese character in prose; places the typography rules
would change; visible code lines in chapters 05-07 (code cells not collapsed by hide-cell /
hide-input / remove-*); figures and how many have a text alternative; 种子 used for the source
notes; the words used for accuracy.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import typography  # noqa: E402

BOOK = typography.BOOK
HIDDEN = {'hide-cell', 'hide-input', 'remove-cell', 'remove-input'}
CODE_OR_MATH = re.compile(r'```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$', re.DOTALL)
TOUCHING = re.compile(f'(?<=[{typography.HAN}])[,:;()?!]|[,:;()?!](?=[{typography.HAN}])')


def read(rev: str | None, path: str) -> str:
    if rev is None:
        return (BOOK / path).read_text(encoding='utf-8')
    return subprocess.run(['git', 'show', f'{rev}:{path}'], cwd=BOOK, check=True,
                          capture_output=True, text=True).stdout


def pages(rev: str | None) -> dict[str, str]:
    names = ['intro.md', 'notation.md'] + [f'chapters/{p.name}' for p in
                                            sorted((BOOK / 'chapters').glob('*.ipynb'))]
    return {n: read(rev, n) for n in names}


def prose_of(name: str, text: str) -> list[str]:
    if name.endswith('.md'):
        return [text]
    nb = nbformat.reads(text, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == 'markdown']


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else None
    texts = pages(rev)
    touching = sum(len(TOUCHING.findall(CODE_OR_MATH.sub(' ', s)))
                   for n, t in texts.items() for s in prose_of(n, t))
    with tempfile.TemporaryDirectory() as tmp:
        rule_hits = 0
        for name, text in texts.items():
            copy = Path(tmp) / Path(name).name
            copy.write_text(text, encoding='utf-8')
            old, new = typography.fixed(copy)
            rule_hits += sum(a != b for a, b in zip(old.splitlines(), new.splitlines()))
    visible = {}
    figures = with_alt = 0
    all_text = ''
    for name, text in texts.items():
        all_text += '\n'.join(prose_of(name, text))
        if not name.endswith('.ipynb'):
            continue
        nb = nbformat.reads(text, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != 'code':
                continue
            all_text += '\n' + '\n'.join(l for l in cell.source.splitlines() if '#' in l)
            tags = set(cell.metadata.get('tags', []))
            if not tags & HIDDEN:
                chapter = Path(name).name[:2]
                visible[chapter] = visible.get(chapter, 0) + sum(
                    bool(l.strip()) for l in cell.source.splitlines())
            pngs = sum('image/png' in o.get('data', {}) for o in cell.get('outputs', []))
            figures += pngs
            alt = cell.metadata.get('mystnb', {}).get('image', {}).get('alt', '')
            if pngs and alt and not alt.endswith('.png'):
                with_alt += pngs
    seed = len(re.findall('种子', all_text)) - len(re.findall('随机种子', all_text))
    print(f'revision: {rev or "working tree"}')
    print(f'ASCII ,:;()?! touching a Chinese character in prose: {touching}')
    print(f'lines the typography rules would change: {rule_hits}')
    print('visible code lines, chapters 05-07: '
          f'{sum(visible.get(c, 0) for c in ("05", "06", "07"))} '
          f'({", ".join(f"{c}: {visible.get(c, 0)}" for c in ("05", "06", "07"))})')
    print(f'figures (PNG outputs): {figures}, with a text alternative: {with_alt}')
    print(f'种子 not meaning a random seed (prose and comments): {seed}')
    print('accuracy words: ' + ', '.join(f'{w} {len(re.findall(w, all_text))}'
                                         for w in ('准确率', '正确率', '精度')))


if __name__ == '__main__':
    main()
