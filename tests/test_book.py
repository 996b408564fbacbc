"""Static checks of the book's sources (fast, no kernel, no browser).

They hold the conventions of the style guide (STYLE.md) that a build or nbval would not
catch, or would catch only after minutes: the table of contents points at real files, every
notebook's set-up cell is in sync with ``repository.url``, every chapter has its title, goals,
summary and exercises with revealable solutions, and the stored outputs are clean (they come
from one top-to-bottom run, with no errors, stderr, memory addresses or CDN links).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools.toc import toc_docnames   # tools/ is importable: see tests/conftest.py

BOOK = Path(__file__).resolve().parent.parent


def source_of(name: str) -> Path | None:
    for suffix in ('.ipynb', '.md'):
        if (BOOK / f'{name}{suffix}').is_file():
            return BOOK / f'{name}{suffix}'
    return None


TOC = toc_docnames(BOOK / '_toc.yml')
CHAPTERS = [f for f in TOC if f.startswith('chapters/')]


def load(name: str) -> dict:
    path = BOOK / f'{name}.ipynb'
    if not path.is_file():
        pytest.skip(f'{path.name} is not written yet (see test_toc_files_exist)')
    return json.loads(path.read_text(encoding='utf-8'))


def src(cell: dict) -> str:
    return ''.join(cell['source'])


def text_outside_fences(markdown: str) -> list[str]:
    """Markdown lines that are not inside a ``` code fence."""
    lines, fence = [], None
    for line in markdown.splitlines():
        stripped = line.strip()
        match = re.match(r'^(`{3,}|~{3,})', stripped)
        if match:
            if fence is None:
                fence = match.group(1)[0] * len(match.group(1))
                continue
            if stripped.startswith(fence) and stripped.strip('`~') == '':
                fence = None
                continue
        if fence is None:
            lines.append(line)
    return lines


def headings(nb: dict) -> list[tuple[int, str, int]]:
    """(level, text, cell index) of every markdown heading."""
    found = []
    for i, cell in enumerate(nb['cells']):
        if cell['cell_type'] != 'markdown':
            continue
        for line in text_outside_fences(src(cell)):
            match = re.match(r'^(#{1,6})\s+(.*\S)\s*$', line)
            if match:
                found.append((len(match.group(1)), match.group(2), i))
    return found


# ---------------------------------------------------------------- the table of contents
def test_toc_lists_the_eight_chapters():
    """The lesson's eight chapters 01..08 in order (appendices may follow them)."""
    lesson = [c for c in CHAPTERS if re.match(r'chapters/0[1-8]_', c)]
    assert [c[len('chapters/'):][:2] for c in lesson] == [f'0{i}' for i in range(1, 9)], (
        f'_toc.yml lists {CHAPTERS}')
    assert CHAPTERS[:8] == lesson, f'appendices come after the eight chapters: {CHAPTERS}'


@pytest.mark.parametrize('name', TOC)
def test_toc_files_exist(name):
    assert source_of(name) is not None, f'_toc.yml names {name}, but neither {name}.ipynb nor .md exists'


def test_no_chapter_outside_the_toc():
    notebooks = {f'chapters/{p.stem}' for p in (BOOK / 'chapters').glob('*.ipynb')}
    missing = sorted(notebooks - set(TOC))
    assert not missing, f'notebooks not in _toc.yml (the book would not show them): {missing}'


def test_intro_links_every_chapter():
    """The intro's chapter map links each chapter with {doc}."""
    intro = (BOOK / f'{TOC[0]}.md').read_text(encoding='utf-8')
    linked = set(re.findall(r'\{doc\}`(?:[^`<]*<)?/?([^`>]+)>?`', intro))
    missing = [c for c in CHAPTERS if c not in linked]
    assert not missing, f'{TOC[0]}.md does not link: {missing}'


# ---------------------------------------------------------------- the Colab set-up cell



def test_setup_cells_in_sync_with_repository_url(capsys):
    """tools/colab_cell.py (check mode) finds every first code cell up to date."""
    from tools import colab_cell
    status = colab_cell.main(write=False)
    out = capsys.readouterr().out
    assert status == 0, f'set-up cells out of date (run make colab-cell):\n{out}'


@pytest.mark.parametrize('name', CHAPTERS)
def test_setup_cell_comes_first(name):
    nb = load(name)
    code = [c for c in nb['cells'] if c['cell_type'] == 'code']
    from tools.colab_cell import MARKER as marker
    assert code and src(code[0]).startswith(marker), (
        f'{name}: the first code cell must be the set-up cell starting with {marker!r}')
    assert len(code) > 1 and 'manual_seed' in src(code[1]), (
        f'{name}: the second code cell should import and call torch.manual_seed(...)')


# ---------------------------------------------------------------- chapter structure
@pytest.mark.parametrize('name', CHAPTERS)
def test_kernel_is_python3(name):
    nb = load(name)
    kernel = nb.get('metadata', {}).get('kernelspec', {}).get('name')
    assert kernel == 'python3', f'{name}: kernelspec name is {kernel!r}, not python3'


@pytest.mark.parametrize('name', CHAPTERS)
def test_one_title_first(name):
    nb = load(name)
    titles = [h for h in headings(nb) if h[0] == 1]
    assert len(titles) == 1, f'{name}: {len(titles)} "#" headings, want exactly one: {titles}'
    assert titles[0][2] == 0, f'{name}: the "#" title must be in the first cell'


@pytest.mark.parametrize('name', CHAPTERS)
def test_goals_summary_exercises(name):
    """本节目标 before the first code cell, then "## 小结" and "## 练习" ending the chapter."""
    nb = load(name)
    first_code = next((i for i, c in enumerate(nb['cells']) if c['cell_type'] == 'code'),
                      len(nb['cells']))
    opening = '\n'.join(src(c) for c in nb['cells'][:first_code] if c['cell_type'] == 'markdown')
    assert '本节目标' in opening, f'{name}: no 本节目标 (learning goals) before the first code cell'
    texts = [(text, cell) for level, text, cell in headings(nb) if level >= 2]
    where = {}
    for key in ('小结', '练习'):
        hits = [cell for text, cell in texts if text.startswith(key)]
        assert hits, f'{name}: no "## {key}" heading'
        where[key] = hits[-1]
    assert where['小结'] <= where['练习'], f'{name}: 小结 should come before 练习'
    after = [h for h in texts if h[1] > where['练习']]
    assert not after, f'{name}: headings after 练习 (exercises should end the chapter): {after}'


@pytest.mark.parametrize('name', CHAPTERS)
def test_exercises_have_revealable_solutions(name):
    nb = load(name)
    start = next((cell for level, text, cell in headings(nb)
                  if level >= 2 and text.startswith('练习')), None)
    if start is None:
        pytest.fail(f'{name}: no 练习 section')
    tail = nb['cells'][start:]
    dropdowns = sum(len(re.findall(r'^\s*(?::{3,}|`{3,})\{dropdown\}', src(c), re.M))
                    for c in tail if c['cell_type'] == 'markdown')
    assert dropdowns >= 1, f'{name}: no {{dropdown}} solution after 练习'
    for cell in tail:
        if cell['cell_type'] == 'code':
            tags = cell.get('metadata', {}).get('tags', [])
            assert {'hide-cell', 'hide-input'} & set(tags), (
                f'{name}: solution code in the exercises should be tagged hide-cell: '
                f'{src(cell)[:60]!r}')


# ---------------------------------------------------------------- stored outputs
def _code_cells(nb):
    return [c for c in nb['cells'] if c['cell_type'] == 'code']


def _output_text(out: dict) -> str:
    if out['output_type'] == 'stream':
        return ''.join(out.get('text', ''))
    data = out.get('data', {})
    return ''.join(''.join(data.get(m, '')) for m in ('text/plain', 'text/html', 'text/markdown'))


@pytest.mark.parametrize('name', CHAPTERS)
def test_execution_counts_in_order(name):
    """Outputs come from one top-to-bottom run: every code cell ran, counted 1, 2, 3, ..."""
    nb = load(name)
    counts = [c.get('execution_count') for c in _code_cells(nb) if src(c).strip()]
    assert None not in counts, f'{name}: code cells that never ran (execution_count None)'
    assert counts == list(range(1, len(counts) + 1)), (
        f'{name}: execution counts {counts} are not 1..{len(counts)}: re-run it top to bottom')


@pytest.mark.parametrize('name', CHAPTERS)
def test_no_error_outputs(name):
    nb = load(name)
    errors = [(c.get('execution_count'), o.get('ename')) for c in _code_cells(nb)
              for o in c.get('outputs', []) if o['output_type'] == 'error']
    assert not errors, f'{name}: stored error outputs (cell, exception): {errors}'


@pytest.mark.parametrize('name', CHAPTERS)
def test_no_stderr(name):
    """No warnings or logs stored: stderr fails the -W book build."""
    nb = load(name)
    stderr = [(c.get('execution_count'), ''.join(o.get('text', ''))[:120])
              for c in _code_cells(nb) for o in c.get('outputs', [])
              if o['output_type'] == 'stream' and o.get('name') == 'stderr']
    assert not stderr, f'{name}: stderr in stored outputs: {stderr}'


@pytest.mark.parametrize('name', CHAPTERS)
def test_no_memory_addresses_or_figure_reprs(name):
    nb = load(name)
    bad = []
    for cell in _code_cells(nb):
        tags = cell.get('metadata', {}).get('tags', [])
        for out in cell.get('outputs', []):
            text = _output_text(out)
            if ' at 0x' in text:
                bad.append((cell.get('execution_count'), 'memory address'))
            if (out['output_type'] == 'execute_result' and 'nbval-ignore-output' not in tags
                    and re.search(r'<Figure size \d+x\d+', text)):
                bad.append((cell.get('execution_count'), '<Figure ...> repr: end with plt.show()'))
    assert not bad, f'{name}: unstable outputs (cell, what): {bad}'


REMOTE_ASSET = re.compile(
    r'<(?:script|img|iframe)[^>]*\ssrc=["\']?(?:https?:)?//|<link[^>]*\shref=["\']?(?:https?:)?//',
    re.I)


@pytest.mark.parametrize('name', CHAPTERS)
def test_outputs_load_nothing_from_the_internet(name):
    """HTML outputs (e.g. to_jshtml) must not pull scripts, styles or images from a CDN."""
    nb = load(name)
    bad = []
    for cell in _code_cells(nb):
        for out in cell.get('outputs', []):
            html = ''.join(out.get('data', {}).get('text/html', ''))
            for match in REMOTE_ASSET.finditer(html):
                bad.append((cell.get('execution_count'), html[match.start():match.start() + 100]))
    assert not bad, f'{name}: outputs that load from the internet (cell, tag): {bad}'


@pytest.mark.parametrize('name', CHAPTERS)
def test_interactive_outputs_ignored_by_nbval(name):
    """Widgets and JS animations differ run to run: their cells carry nbval-ignore-output."""
    nb = load(name)
    bad = []
    for cell in _code_cells(nb):
        tags = cell.get('metadata', {}).get('tags', [])
        for out in cell.get('outputs', []):
            data = out.get('data', {})
            interactive = ('application/vnd.jupyter.widget-view+json' in data
                           or re.search(r'type=["\']?range', ''.join(data.get('text/html', ''))))
            if interactive and 'nbval-ignore-output' not in tags:
                bad.append(cell.get('execution_count'))
    assert not bad, f'{name}: interactive outputs without the nbval-ignore-output tag: cells {bad}'


# ---------------------------------------------------------------- helpers name their chapter
# The modules whose public helpers say in their docstring which chapter teaches them.
TAUGHT_MODULES = ('data', 'labels', 'prediction', 'functional', 'losses', 'training', 'plot', 'widgets', 'fitting',
                  'huber', 'softmax', 'outlier')


def public_helpers() -> list[str]:
    import inspect

    import d2lhelpers
    return sorted(name for name, obj in vars(d2lhelpers).items()
                  if not name.startswith('_') and inspect.isfunction(obj)
                  and obj.__module__.rsplit('.', 1)[-1] in TAUGHT_MODULES)


def test_there_are_public_helpers_to_check():
    assert {'load_data_fashion_mnist', 'softmax', 'huber_loss', 'train', 'predict'} <= set(
        public_helpers())


@pytest.mark.parametrize('name', public_helpers())
def test_each_helper_names_the_chapter_that_teaches_it(name):
    """'Taught in chapter NN (...)' in the docstring, and chapter NN really uses the helper."""
    import d2lhelpers
    doc = ' '.join((getattr(d2lhelpers, name).__doc__ or '').split())
    match = re.search(r'Taught in chapter (\d\d)\b', doc)
    assert match, f'd2lhelpers.{name}: the docstring should say "Taught in chapter NN (...)"'
    chapter = [c for c in CHAPTERS if Path(c).name.startswith(match.group(1) + '_')]
    assert chapter, f'd2lhelpers.{name}: there is no chapter {match.group(1)} in _toc.yml'
    text = (BOOK / f'{chapter[0]}.ipynb').read_text(encoding='utf-8')
    assert name in text or name.replace('_', '-') in text, (
        f'd2lhelpers.{name} says chapter {match.group(1)} teaches it, but {chapter[0]} never '
        f'mentions it')


# ---------------------------------------------------------------- the PDF's single-page build
def test_pdf_build_makes_the_sites_output_choices_for_singlehtml():
    """tools/pdf.py: an explorer prints its HTML view, as the site shows it, not a dead widget."""
    from tools.pdf import pdf_config
    config = pdf_config(BOOK, stored_outputs=False)
    overrides = config['sphinx']['config']['nb_mime_priority_overrides']
    html = sorted(tuple(rest) for builder, *rest in overrides if builder == 'html')
    single = sorted(tuple(rest) for builder, *rest in overrides if builder == 'singlehtml')
    assert html and single == html
    assert config['execute'] == load_config()['execute']
    assert pdf_config(BOOK, stored_outputs=True)['execute']['execute_notebooks'] == 'off'


def load_config() -> dict:
    import yaml
    return yaml.safe_load((BOOK / '_config.yml').read_text(encoding='utf-8'))
