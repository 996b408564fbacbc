"""Generate every chapter's exercise cells from ``d2lhelpers.exercises.TASKS`` (one source).

Each exercise is five cells, in this order, in the chapter ``chapters/NN_*.ipynb`` where
``NN`` is the task's chapter:

    statement  markdown  the task's statement (a bold lead-in, then what to write)
    template   code      def my_x(...): ...           (the learner writes here)
    check      code      exercises.task('x').check(my_x)
    hints      markdown  a ``提示`` dropdown with the task's hints
    solution   code      exercises.task('x').solution()   (tagged hide-cell)

Every generated cell carries the cell metadata ``"exercise": "<task>/<part>"`` (in the MyST
text: ``:exercise: softmax/check`` or ``+++ {"exercise": "softmax/hints"}``), so the cells are
found by that mark wherever the prose around them moves. The prose before and after them
belongs to the chapter's authors; the tool never touches an unmarked cell, except on the
first ``--write`` which marks the copies it recognises (and splits a statement paragraph out
of a longer markdown cell).

    python tools/exercise_cells.py --check          # exit 1, naming each cell that differs
    python tools/exercise_cells.py --write          # rewrite them; then re-sync texts/*.md
    python tools/exercise_cells.py --check --book DIR    # another copy of the book

``--write`` refuses a chapter whose notebook and text are out of sync (sync them first, so that
no edit in either is lost), rewrites the marked cells, then runs ``jupytext --sync`` on the
notebooks it changed (jupytext's own command, run in this process). Code cells whose source changed keep their old outputs until the chapter
is re-executed (``make refresh NB=...``).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

BOOK = Path(__file__).resolve().parent.parent
if str(BOOK) not in sys.path:
    sys.path.insert(0, str(BOOK))

KEY = 'exercise'
PARTS = ('statement', 'template', 'check', 'hints', 'solution')
HIDE = 'hide-cell'


# ----- what each cell says -------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    kind: str            # 'markdown' or 'code'
    source: str
    tags: tuple = ()


def expected_cells(t) -> dict[str, Cell]:
    """The five cells of task ``t``, generated from its statement, template and hints."""
    hints = '\n'.join(f'{i}. {h}' for i, h in enumerate(t.hints, 1))
    return {
        'statement': Cell('markdown', t.statement),
        'template': Cell('code', t.template.rstrip('\n')),
        'check': Cell('code', f'from d2lhelpers import exercises\n'
                              f'passed = exercises.task({t.name!r}).check({t.func_name})'),
        'hints': Cell('markdown', f':::{{dropdown}} 提示\n{hints}\n\n'
                                  f'也可以在代码里调用 `exercises.task({t.name!r}).hint()`，'
                                  f'每调用一次给出下一条提示。\n'
                                  f'展开下面隐藏的代码单元可以看到参考答案。\n:::'),
        'solution': Cell('code', f'exercises.task({t.name!r}).solution()', (HIDE,)),
    }


def source(cell: dict) -> str:
    s = cell.get('source', '')
    return ''.join(s) if isinstance(s, list) else s


def mark(cell: dict) -> str | None:
    value = cell.get('metadata', {}).get(KEY)
    return value if isinstance(value, str) else None


def tasks_by_chapter() -> dict[str, list]:
    from d2lhelpers.exercises import TASKS
    out: dict[str, list] = {}
    for t in TASKS.values():
        out.setdefault(t.chapter, []).append(t)
    return out


# ----- finding the cells ---------------------------------------------------------------------

def _unmarked_copy(cells: list[dict], t, part: str) -> int | None:
    """The index of an unmarked cell that is recognisably this part of task ``t``."""
    check = f'exercises.task({t.name!r}).check('
    found = None
    for i, c in enumerate(cells):
        if mark(c) is not None:
            continue
        s = source(c)
        if part == 'check' and c['cell_type'] == 'code' and check in s:
            found = i
        elif part == 'solution' and c['cell_type'] == 'code' and \
                f'exercises.task({t.name!r}).solution()' in s:
            found = i
        elif part == 'hints' and c['cell_type'] == 'markdown' and \
                s.lstrip().startswith(':::{dropdown}') and f'exercises.task({t.name!r}).hint()' in s:
            found = i
        elif part == 'template' and c['cell_type'] == 'code' and \
                s.lstrip().startswith(f'def {t.func_name}(') and \
                any(check in source(d) for d in cells[i + 1:i + 3]):
            found = i
        elif part == 'statement' and c['cell_type'] == 'markdown' and \
                any(p.startswith('**动手练习') and f'`{t.func_name}(' in p for p in s.split('\n\n')):
            found = i
        if found is not None:
            return found
    return None


def locate(cells: list[dict], t) -> tuple[dict[str, int], list[str]]:
    """(part -> cell index) of the marked cells of task ``t``, and problems found on the way."""
    where: dict[str, int] = {}
    problems = []
    for i, c in enumerate(cells):
        m = mark(c)
        if m is None or m.split('/')[0] != t.name:
            continue
        part = m.split('/', 1)[1] if '/' in m else ''
        if part not in PARTS:
            problems.append(f'cell {i} is marked {m!r}: the part must be one of {", ".join(PARTS)}')
        elif part in where:
            problems.append(f'cells {where[part]} and {i} are both marked {m!r}')
        else:
            where[part] = i
    return where, problems


# ----- check -------------------------------------------------------------------------------

def chapter_path(book: Path, chapter: str) -> Path | None:
    found = sorted((book / 'chapters').glob(f'{chapter}_*.ipynb'))
    return found[0] if found else None


def check_notebook(nb: dict, tasks: list, name: str) -> list[str]:
    """Every way the notebook's exercise cells differ from ``tasks``, one line each."""
    cells = nb['cells']
    problems = []
    known = {t.name for t in tasks}
    for i, c in enumerate(cells):
        m = mark(c)
        if m is not None and m.split('/')[0] not in known:
            problems.append(f'{name}: cell {i} is marked {m!r}, but no task of this chapter is '
                            f'called {m.split("/")[0]!r}')
    for t in tasks:
        where, found = locate(cells, t)
        problems += [f'{name}: {p}' for p in found]
        want = expected_cells(t)
        for part in PARTS:
            label = f'{t.name}/{part}'
            if part not in where:
                copy = _unmarked_copy(cells, t, part)
                extra = (f' (cell {copy} looks like an unmarked copy: run tools/exercise_cells.py '
                         f'--write)' if copy is not None else '')
                problems.append(f'{name}: no cell is marked {label!r}{extra}')
                continue
            i, cell, exp = where[part], cells[where[part]], want[part]
            if cell['cell_type'] != exp.kind:
                problems.append(f'{name}: cell {i} ({label}) is a {cell["cell_type"]} cell, '
                                f'expected {exp.kind}')
            elif source(cell).strip('\n') != exp.source:
                problems.append(f'{name}: cell {i} ({label}) differs from TASKS[{t.name!r}]')
            tags = cell.get('metadata', {}).get('tags', [])
            if any(tag not in tags for tag in exp.tags):
                problems.append(f'{name}: cell {i} ({label}) lacks the tag(s) {list(exp.tags)}')
        order = [where[p] for p in PARTS if p in where]
        if order != sorted(order):
            problems.append(f'{name}: the cells of {t.name!r} are out of order (expected '
                            f'{", ".join(PARTS)})')
    return problems


def check(book: Path = BOOK) -> list[str]:
    """The problems of every chapter (empty when every exercise cell is as generated)."""
    problems = []
    for chapter, tasks in sorted(tasks_by_chapter().items()):
        path = chapter_path(book, chapter)
        if path is None:
            problems.append(f'chapters/{chapter}_*.ipynb: missing (tasks {", ".join(t.name for t in tasks)})')
            continue
        nb = json.loads(path.read_text(encoding='utf-8'))
        problems += check_notebook(nb, tasks, f'chapters/{path.name}')
    return problems


# ----- write -------------------------------------------------------------------------------

def _new_cell(t, part: str, exp: Cell) -> dict:
    cell = {'cell_type': exp.kind, 'id': f'ex-{t.name}-{part}'.replace('_', '-'),
            'metadata': {}, 'source': ''}
    if exp.kind == 'code':
        cell.update(execution_count=None, outputs=[])
    return cell


def _split_statement(cells: list[dict], i: int, t) -> int:
    """Split cell ``i`` so that the statement paragraph is a cell of its own; its new index."""
    paragraphs = source(cells[i]).split('\n\n')
    k = next(j for j, p in enumerate(paragraphs)
             if p.startswith('**动手练习') and f'`{t.func_name}(' in p)
    before, after = paragraphs[:k], paragraphs[k + 1:]
    cells[i]['source'] = paragraphs[k]
    if after:
        cells.insert(i + 1, {'cell_type': 'markdown', 'id': f'ex-{t.name}-after'.replace('_', '-'),
                             'metadata': {}, 'source': '\n\n'.join(after)})
    if before:
        cells.insert(i, {'cell_type': 'markdown', 'id': f'ex-{t.name}-before'.replace('_', '-'),
                         'metadata': {}, 'source': '\n\n'.join(before)})
        return i + 1
    return i


def write_notebook(nb: dict, tasks: list, name: str) -> bool:
    """Rewrite the exercise cells of ``tasks`` in ``nb``; whether anything changed."""
    before = json.dumps(nb, ensure_ascii=False, sort_keys=True)
    cells = nb['cells']
    for t in tasks:
        want = expected_cells(t)
        for part in PARTS:                       # mark the copies made by hand, once
            where, problems = locate(cells, t)
            if problems:
                raise SystemExit(f'{name}: ' + '; '.join(problems))
            if part in where:
                continue
            copy = _unmarked_copy(cells, t, part)
            if copy is not None:
                if part == 'statement' and source(cells[copy]).strip() != t.statement:
                    copy = _split_statement(cells, copy, t)
                cells[copy].setdefault('metadata', {})[KEY] = f'{t.name}/{part}'
        where, _ = locate(cells, t)
        if not where:
            raise SystemExit(f'{name}: no exercise cells for task {t.name!r}: add a cell with the '
                             f'metadata "{KEY}": "{t.name}/check" where the exercise belongs')
        for k, part in enumerate(PARTS):          # add the missing parts next to the others
            where, _ = locate(cells, t)
            if part in where:
                continue
            prev = [where[p] for p in PARTS[:k] if p in where]
            at = max(prev) + 1 if prev else min(where.values())
            cells.insert(at, _new_cell(t, part, want[part]))
            cells[at]['metadata'][KEY] = f'{t.name}/{part}'
            print(f'{name}: added cell {at} ({t.name}/{part}): no copy of it was recognised; '
                  f'check that no hand-written one is left', file=sys.stderr)
        where, _ = locate(cells, t)
        order = [where[p] for p in PARTS]
        if order != sorted(order):
            raise SystemExit(f'{name}: the cells of {t.name!r} are out of order; move them by hand '
                             f'into the order {", ".join(PARTS)}')
        for part in PARTS:
            cell, exp = cells[where[part]], want[part]
            if cell['cell_type'] != exp.kind:
                raise SystemExit(f'{name}: cell {where[part]} ({t.name}/{part}) is a '
                                 f'{cell["cell_type"]} cell, expected {exp.kind}')
            if source(cell).strip('\n') != exp.source:
                cell['source'] = exp.source.splitlines(keepends=True)
            tags = cell['metadata'].get('tags', [])
            missing = [tag for tag in exp.tags if tag not in tags]
            if missing:
                cell['metadata']['tags'] = missing + tags
    return json.dumps(nb, ensure_ascii=False, sort_keys=True) != before


def _texts_in_sync(book: Path, path: Path) -> bool:
    import jupytext
    text = book / 'texts' / f'{path.stem}.md'
    if not text.is_file():
        return True
    def cells(p):
        return [(c.cell_type, c.source.strip(), sorted(c.metadata.get('tags', [])))
                for c in jupytext.read(p).cells]
    return cells(path) == cells(text)


def write(book: Path = BOOK, sync: bool = True) -> list[str]:
    """Rewrite every chapter's exercise cells; return the notebooks changed."""
    changed = []
    for chapter, tasks in sorted(tasks_by_chapter().items()):
        path = chapter_path(book, chapter)
        if path is None:
            raise SystemExit(f'chapters/{chapter}_*.ipynb: missing')
        nb = json.loads(path.read_text(encoding='utf-8'))
        probe = json.loads(json.dumps(nb))
        if not write_notebook(probe, tasks, f'chapters/{path.name}'):
            continue
        if sync and not _texts_in_sync(book, path):
            raise SystemExit(f'chapters/{path.name} and texts/{path.stem}.md differ: sync them '
                             f'first (jupytext --sync chapters/{path.name}), then run --write again')
        path.write_text(json.dumps(probe, ensure_ascii=False, indent=1) + '\n', encoding='utf-8')
        changed.append(path)
    if sync and changed:
        from jupytext.cli import jupytext as jupytext_cli   # in-process: no second interpreter
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            jupytext_cli(['--sync', *map(str, changed)])
    return changed


def command_line(argv, description: str, write_cells, check_cells, write_help: str) -> int:
    """The command line of a cell generator (this one, ``selfcheck_cells.py``): --check / --write."""
    parser = argparse.ArgumentParser(description=description)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument('--check', action='store_true', help='exit 1 if a chapter differs')
    mode.add_argument('--write', action='store_true', help=write_help)
    parser.add_argument('--book', type=Path, default=BOOK, help='the book to work on')
    parser.add_argument('--no-sync', action='store_true', help='do not run jupytext --sync')
    args = parser.parse_args(argv)
    if args.write:
        for path in write_cells(args.book, sync=not args.no_sync):
            print(f'updated {path.relative_to(args.book)}')
        return 0
    problems = check_cells(args.book)
    for line in problems:
        print(line)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    return command_line(argv, __doc__.splitlines()[0], write, check,
                        'rewrite the cells, then sync texts')


if __name__ == '__main__':
    sys.exit(main())
