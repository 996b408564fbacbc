"""The self-checks (自测, ``d2lhelpers.selfcheck``): the bank, the model, the views, the tool.

- the bank: 3-6 questions in each of chapters 01-07, at least 2 kinds across the book, every
  wrong option and trap names a misconception, every link is a section label of its chapter;
- every numeric answer is recomputed here with plain PyTorch / math (not with the bank's code),
  and every choice question's marked answer equals its executable fact (``Question.fact``, or
  one computed here with the data);
- ``check`` says ✓ for the answer, ✗ with the misconception for every wrong answer, and asks
  again for an empty one; ``selfcheck.js`` (under Node.js) gives the same texts;
- the static view: one fieldset with a legend per question, every input labelled, one live
  region, an answer key, the same HTML every run, nothing from the network;
- the kernel view (ipywidgets): answering and 检查 give the same feedback, 再试一次 clears;
- ``tools/selfcheck_cells.py``: --check is clean on the book; --write places the cells before
  小结, idempotently, and rewrites an edited one.
"""
from __future__ import annotations

import html.parser
import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

from d2lhelpers.selfcheck import CHAPTERS, all_questions, check, questions
from d2lhelpers.selfcheck.model import Option, Question, Trap, config, parse_number
from d2lhelpers.selfcheck import self_check, selfcheck_html, selfcheck_text
from d2lhelpers.selfcheck.sections import SECTIONS
from tools import selfcheck_cells

BOOK = Path(__file__).resolve().parents[1]
QUESTIONS = all_questions()
IDS = [q.id for q in QUESTIONS]
BY_ID = {q.id: q for q in QUESTIONS}
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'


# ----- the bank ----------------------------------------------------------------------------

@pytest.mark.parametrize('chapter', CHAPTERS)
def test_each_chapter_has_three_to_six_questions(chapter):
    assert 3 <= len(questions(chapter)) <= 6
    assert all(q.chapter == chapter and q.link.startswith(f'ch{chapter}-')
               for q in questions(chapter))


def test_the_book_asks_several_kinds_and_unique_ids():
    assert len({q.kind for q in QUESTIONS}) >= 2
    assert {'single', 'multiple', 'number', 'order'} <= {q.kind for q in QUESTIONS}
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize('qid', IDS)
def test_every_wrong_answer_names_a_misconception(qid):
    q = BY_ID[qid]
    assert q.problems() == []
    if q.kind in ('single', 'multiple'):
        assert all(o.misconception and o.why for o in q.options if not o.correct)
        assert len({o.text for o in q.options}) == len(q.options)
    else:
        assert q.traps and all(t.misconception and t.why for t in q.traps)


@pytest.mark.parametrize('qid', IDS)
def test_every_link_is_a_section_of_the_book(qid):
    q = BY_ID[qid]
    assert q.link in SECTIONS, f'{qid} links {q.link!r}, not a section label of texts/'
    text = (BOOK / f'texts/{SECTIONS[q.link][0].split("/")[1]}.md').read_text(encoding='utf-8')
    assert f'({q.link})=' in text


def test_the_right_option_is_not_always_first():
    firsts = [q.right_answer() for q in QUESTIONS if q.kind == 'single']
    assert len(set(firsts)) >= 3


# Every number, recomputed with plain PyTorch / math (not with the bank's code).
RECOMPUTED = {
    'ch01-fc-params': lambda: 784 * 10 + 10,
    'ch02-softmax-max': lambda: math.exp(3) / (math.exp(1) + math.exp(2) + math.exp(3)),
    'ch03-huber-value': lambda: torch.nn.functional.huber_loss(
        torch.tensor([0.0]), torch.tensor([3.0]), delta=1.0).item(),
    'ch04-ce-value': lambda: -math.log(0.7),
    'ch05-pixel': lambda: 128 / 255,
    'ch05-chance': lambda: 1000 / 10000,
    'ch06-zero-loss': lambda: math.log(10),
    'ch06-recall': lambda: 30 / (20 + 30 + 10),
    'ch07-mean': lambda: torch.nn.functional.cross_entropy(
        torch.zeros(4, 10), torch.arange(4)).item(),
}
NUMBER_IDS = [q.id for q in QUESTIONS if q.kind == 'number']


def test_every_number_question_is_recomputed():
    assert sorted(RECOMPUTED) == sorted(NUMBER_IDS)


@pytest.mark.parametrize('qid', NUMBER_IDS)
def test_numeric_answers_equal_their_recomputation(qid):
    q = BY_ID[qid]
    assert abs(q.answer - RECOMPUTED[qid]()) < 1e-6
    assert abs(q.fact() - q.answer) < 1e-6


# Choice and order questions without a fact in the bank: a fact computed here, or why not.
NO_FACT = {'ch01-which-classification': 'which tasks are classification is a definition'}


def _labels_fact(q: Question):
    """ch05-labels: the loader's labels are int64 class indices of shape [batch]."""
    from d2lhelpers import load_data_fashion_mnist
    try:
        train_iter, _ = load_data_fashion_mnist(256)
    except Exception as err:                       # no data on this machine
        pytest.skip(f'Fashion-MNIST is not available: {err}')
    _, y = next(iter(train_iter))
    assert y.dtype == torch.int64 and tuple(y.shape) == (256,) and 0 <= y.min() <= y.max() <= 9
    return next(i for i, o in enumerate(q.options) if 'int64' in o.text)


@pytest.mark.parametrize('qid', [q.id for q in QUESTIONS if q.kind != 'number'])
def test_the_marked_answer_is_an_executable_fact(qid):
    q = BY_ID[qid]
    if q.fact is None:
        if qid == 'ch05-labels':
            assert _labels_fact(q) == q.right_answer()
            return
        assert qid in NO_FACT, f'{qid} has no executable fact'
        return
    assert q.fact() == q.right_answer()


# ----- the model ---------------------------------------------------------------------------

@pytest.mark.parametrize('qid', IDS)
def test_check_says_right_wrong_and_why(qid):
    q = BY_ID[qid]
    right = check(q, q.right_answer())
    assert right.state == 'right' and right.text.startswith('✓ 正确') and not right.link
    for wrong in q.wrong_answers():
        f = check(q, wrong)
        assert f.state == 'wrong' and f.text.startswith('✗') and f.link == q.link, (wrong, f)
    for i in ([q.right_answer()] if q.kind == 'single' else []):
        assert check(q, i).text.endswith(q.options[i].why)
    if q.kind == 'single':
        for i in q.wrong_answers():
            assert q.options[i].misconception in check(q, i).text
    if q.kind in ('number', 'order'):
        for t in q.traps:
            assert t.misconception in check(q, t.value).text
    empty = {'single': None, 'multiple': set(), 'number': '  ', 'order': ()}[q.kind]
    assert check(q, empty).state == 'empty'


def test_a_number_is_read_as_a_reader_types_it():
    assert parse_number('0.25') == parse_number('1/4') == parse_number('０．２５') == 0.25
    assert parse_number('−2') == -2 and parse_number('2。5') == 2.5
    assert parse_number('abc') is None and parse_number('1/0') is None and parse_number('') is None
    q = BY_ID['ch03-huber-value']
    assert check(q, '2.5').correct and check(q, '5/2').correct and not check(q, '2.6').correct
    assert check(q, 'x').state == 'empty'


def test_multiple_choice_names_each_wrong_pick_and_each_miss():
    q = BY_ID['ch04-temperature']
    right = set(q.right_answer())
    wrong_pick = next(i for i in range(len(q.options)) if i not in right)
    missed = next(iter(right))
    f = check(q, (right - {missed}) | {wrong_pick})
    assert f.state == 'wrong'
    assert q.options[wrong_pick].misconception in f.text and '漏选了' in f.text


def test_order_refuses_an_item_used_twice():
    q = BY_ID['ch03-order']
    assert check(q, (0, 0, 1)).state == 'empty' and '两次' in check(q, (0, 0, 1)).text
    assert check(q, (0, None, 1)).state == 'empty'


def test_bad_questions_are_refused():
    ok = dict(id='ch09-x', chapter='09', kind='single', prompt='?', link='ch09-x', explanation='.')
    with pytest.raises(ValueError, match='names no misconception'):
        Question(**ok, options=(Option('a', 'yes', True), Option('b', 'no'), Option('c', 'no', False, 'm')))
    with pytest.raises(ValueError, match='exactly 1 right option'):
        Question(**ok, options=(Option('a', 'y', True), Option('b', 'y', True), Option('c', 'n', False, 'm')))
    with pytest.raises(ValueError, match='within the tolerance'):
        Question(**{**ok, 'kind': 'number'}, answer=1.0, tolerance=0.1, traps=(Trap(1.05, 'm', 'w'),))
    with pytest.raises(ValueError, match='kind must be'):
        Question(**{**ok, 'kind': 'essay'})


# ----- the browser's check equals Python's ---------------------------------------------------

NODE_CHECK = r"""
global.window = {}; global.document = {readyState: 'complete', querySelectorAll: () => []};
const fs = require('fs');
eval(fs.readFileSync(process.argv[2], 'utf8'));
const cases = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
console.log(JSON.stringify(cases.map(c => window.d2lSelfcheck.feedback(c.q, c.r))));
"""


def _node() -> str:
    node = shutil.which('node')
    if node is None:
        message = 'Node.js is not installed: the check of selfcheck.js needs it'
        if os.environ.get('CI'):
            pytest.fail(message + ' and CI is set', pytrace=False)
        pytest.skip(message)
    return node


def _js_response(q: Question, r):
    if q.kind == 'multiple':
        return sorted(r)
    if q.kind == 'number':
        return r if isinstance(r, str) else repr(float(r))
    if q.kind == 'order':
        return list(r)
    return r


def test_selfcheck_js_gives_pythons_feedback(tmp_path):
    from d2lhelpers.selfcheck.render import _asset
    node = _node()
    cases = []
    for q in QUESTIONS:
        responses = [q.right_answer(), *q.wrong_answers()]
        if q.kind == 'number':
            responses += ['1/4', ' ', '12345', '０．５']
        elif q.kind == 'order':
            responses += [(0, 0, 1), (0, None, 1), tuple(reversed(q.order))]
        elif q.kind == 'multiple':
            responses += [frozenset(), frozenset(range(len(q.options)))]
        else:
            responses += [None]
        for r in responses:
            cases.append({'q': config(q), 'r': _js_response(q, r), 'py': check(q, r)})
    (tmp_path / 'selfcheck.js').write_text(_asset('selfcheck.js'), encoding='utf-8')
    (tmp_path / 'cases.json').write_text(json.dumps(
        [{'q': c['q'], 'r': c['r']} for c in cases], ensure_ascii=False), encoding='utf-8')
    (tmp_path / 'check.js').write_text(NODE_CHECK)
    run = subprocess.run([node, str(tmp_path / 'check.js'), str(tmp_path / 'selfcheck.js'),
                          str(tmp_path / 'cases.json')], capture_output=True, text=True, check=True)
    for c, got in zip(cases, json.loads(run.stdout)):
        assert (got['state'], got['text'], got.get('link', '')) == (
            c['py'].state, c['py'].text, c['py'].link), (c['q']['id'], c['r'])


# ----- the static view ---------------------------------------------------------------------

class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_static_view_is_accessible_markup(chapter):
    page = selfcheck_html(chapter)
    assert page == selfcheck_html(chapter), 'the HTML differs between runs (nbval compares it)'
    p = _Page()
    p.feed(page)
    tags = p.tags
    n = len(questions(chapter))
    assert tags[0][0] == 'div' and 'd2l-selfcheck' in tags[0][1]['class'].split()
    assert sum(t == 'fieldset' for t, _ in tags) == n
    assert sum(t == 'legend' for t, _ in tags) == n
    labels = {a['for'] for t, a in tags if t == 'label' and 'for' in a}
    controls = [a for t, a in tags if t in ('input', 'select')]
    assert controls and all(a['id'] in labels for a in controls), 'an input without a label'
    ids = [a['id'] for _, a in tags if 'id' in a]
    assert len(ids) == len(set(ids)), 'duplicate ids'
    live = [a for _, a in tags if a.get('role') == 'status' or 'aria-live' in a]
    assert len(live) == 1
    assert any(t == 'details' and 'd2l-sc-key' in a.get('class', '') for t, a in tags)
    assert page.count('答案：') == n
    assert 'http://' not in page and 'https://' not in page and 'localStorage' not in page
    assert 'sessionStorage' not in page and 'cookie' not in page and 'fetch(' not in page


def test_static_view_links_each_question_to_its_section():
    page = selfcheck_html('04')
    for q in questions('04'):
        assert f'href="04_cross_entropy.html#{q.link}"' in page


def test_text_view_lists_the_questions():
    text = selfcheck_text('03')
    assert text.startswith('自测（4 题）') and 'Huber' in text


# ----- the kernel view ---------------------------------------------------------------------

def test_kernel_view_checks_and_retries():
    view = self_check('03')
    assert len(view.views) == len(questions('03'))
    for v in view.views:
        q = v.q
        v.answer(q.right_answer() if q.kind != 'number' else str(q.answer))
        assert v.check().correct and '✓' in v.feedback.value
        assert v.retry_button.layout.display != 'none'
        wrong = q.wrong_answers()[0]
        v.retry()
        assert v.feedback.value == '' and v.response() in (None, set(), '', (None,) * len(q.items))
        v.answer(wrong)
        f = v.check()
        assert f.state == 'wrong' and '✗' in v.feedback.value and '复习' in v.feedback.value
    v = view.views[0]
    v.retry()
    assert v.check().state == 'empty'


def test_kernel_view_clicks_the_buttons():
    view = self_check('02')
    v = next(v for v in view.views if v.q.kind == 'single')
    v.answer(v.q.right_answer())
    v.check_button.click()
    assert v.last.correct
    v.retry_button.click()
    assert v.last is None and v.input.value is None


def test_ipython_displays_the_whole_bundle():
    from IPython.core.interactiveshell import InteractiveShell
    view = self_check('01')
    data, _ = InteractiveShell.instance().display_formatter.format(view)
    assert {WIDGET_VIEW, 'text/html', 'text/plain'} <= set(data)
    assert data['text/html'] == selfcheck_html('01')
    assert data['text/plain'] == selfcheck_text('01')


def test_unknown_chapter_is_refused():
    with pytest.raises(ValueError, match='no self-check for chapter'):
        questions('09')


# ----- tools/selfcheck_cells.py --------------------------------------------------------------

def test_the_chapters_hold_the_generated_cells():
    """`python tools/selfcheck_cells.py --check` (fails until --write has placed the cells)."""
    problems = selfcheck_cells.check(BOOK)
    assert problems == [], '\n'.join(problems)


def _stored_selfchecks() -> list[tuple[str, str, dict]]:
    out = []
    for chapter in CHAPTERS:
        path = selfcheck_cells.chapter_path(BOOK, chapter)
        for cell in json.loads(path.read_text(encoding='utf-8'))['cells']:
            if cell.get('metadata', {}).get('selfcheck') == f'{chapter}/questions':
                out.append((chapter, path.name, cell))
    return out


@pytest.mark.parametrize('chapter, name, cell', _stored_selfchecks(),
                         ids=[c for c, _, _ in _stored_selfchecks()])
def test_stored_output_is_the_current_selfcheck(chapter, name, cell):
    """The compared check of the questions cell (tagged nbval-ignore-output for its widget
    view): its stored HTML and text are what the bank gives now (else: make refresh)."""
    outputs = [o for o in cell.get('outputs', []) if 'text/html' in o.get('data', {})]
    assert len(outputs) == 1, f'{name}: the self-check cell has no stored output: make refresh NB=chapters/{name}'
    data = outputs[0]['data']
    assert ''.join(data['text/html']) == selfcheck_html(chapter), (
        f'{name}: the stored self-check is stale: make refresh NB=chapters/{name}')
    assert ''.join(data['text/plain']) == selfcheck_text(chapter)


def _tiny_book(root: Path) -> Path:
    (root / 'chapters').mkdir(parents=True)
    (root / 'texts').mkdir()
    for chapter in CHAPTERS:
        src = sorted((BOOK / 'texts').glob(f'{chapter}_*.md'))[0]
        (root / 'texts' / src.name).write_text(src.read_text(encoding='utf-8'), encoding='utf-8')
        cells = [{'cell_type': 'markdown', 'metadata': {}, 'source': f'# 第 {chapter} 章'},
                 {'cell_type': 'markdown', 'metadata': {}, 'source': '## 练习前\n\n一些话。\n\n## 小结\n\n- 要点'},
                 {'cell_type': 'markdown', 'metadata': {}, 'source': '## 练习'}]
        for i, c in enumerate(cells):
            c['id'] = f'c{i}'
        nb = {'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
        (root / 'chapters' / f'{src.stem}.ipynb').write_text(json.dumps(nb, ensure_ascii=False))
    (root / selfcheck_cells.SECTIONS_FILE).parent.mkdir(parents=True)
    return root


def test_tool_places_the_cells_before_the_summary_idempotently(tmp_path):
    book = _tiny_book(tmp_path)
    assert any('no cell is marked 04/heading' in p for p in selfcheck_cells.check(book))
    changed = selfcheck_cells.write(book, sync=False)
    assert len(changed) == len(CHAPTERS) + 1            # the chapters and the sections file
    assert selfcheck_cells.check(book) == []
    assert selfcheck_cells.write(book, sync=False) == []   # idempotent
    path = next((book / 'chapters').glob('04_*.ipynb'))
    cells = json.loads(path.read_text())['cells']
    sources = [selfcheck_cells.source(c) for c in cells]
    assert sources[1] == '## 练习前\n\n一些话。'                  # the text before stays
    assert cells[2]['metadata']['selfcheck'] == '04/heading' and '## 自测' in sources[2]
    assert cells[3]['metadata'] == {'selfcheck': '04/questions',
                                    'tags': ['remove-input', 'nbval-ignore-output']}
    assert sources[3] == "d2lhelpers.self_check('04')" and sources[4].startswith('## 小结')
    # an edited cell is named, and rewritten; prose moved around it is left alone
    cells[3]['source'] = "d2lhelpers.self_check('03')"
    path.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4,
                                'nbformat_minor': 5}, ensure_ascii=False))
    assert selfcheck_cells.check(book) == [
        f'chapters/{path.name}: cell 3 (04/questions) differs from the generated one']
    assert selfcheck_cells.main(['--check', '--book', str(book)]) == 1
    selfcheck_cells.write(book, sync=False)
    assert selfcheck_cells.check(book) == []


def test_tool_sections_file_follows_the_texts(tmp_path):
    book = _tiny_book(tmp_path)
    selfcheck_cells.write(book, sync=False)
    text = next((book / 'texts').glob('04_*.md'))
    text.write_text(text.read_text(encoding='utf-8').replace('## 数值稳定性', '## 数值稳定'),
                    encoding='utf-8')
    assert any('out of date' in p for p in selfcheck_cells.check(book))
    selfcheck_cells.write(book, sync=False)
    assert "'数值稳定')" in (book / selfcheck_cells.SECTIONS_FILE).read_text(encoding='utf-8')
