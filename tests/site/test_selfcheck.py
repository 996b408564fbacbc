"""The self-checks (自测) on the built site, in headless Chromium (part of ``make site-test``).

A chapter's self-check is a ``<div class="d2l-selfcheck">`` (``d2lhelpers.selfcheck``) whose
questions are ``<fieldset>``\\ s checked by ``selfcheck.js`` without a kernel. On every page
whose notebook holds a self-check cell (metadata ``selfcheck``), each question is answered with
the keyboard only (Tab, arrows, space, typing, Enter), first right, then, after 再试一次, wrong
(one wrong answer per misconception):
- the feedback is text: ✓ 正确 / ✗ 不对 and the words of ``d2lhelpers.selfcheck.check`` (the
  misconception, and a link to the section that teaches it), shown in the question and said
  once in the block's one live region;
- 再试一次 clears the answer and the feedback and puts the focus back on the first input;
- axe-core finds no violation in the self-check (before and after answering, light and dark);
  no JavaScript error; nothing is fetched from the internet, nothing is stored (no cookie, no
  local or session storage);
- the answer key sits at the end of the chapter, after its exercises; in print the buttons go
  and the questions stay;
- it works from ``file://`` too.
"""
from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path

import pytest

from tools.toc import toc_docnames   # tests/conftest.py puts the repository on sys.path

BOOK = Path(__file__).resolve().parents[2]
SOURCE = Path(os.environ.get('BOOK_SRC') or BOOK).resolve()
DOCNAMES = toc_docnames(Path(os.environ.get('BOOK_TOC') or SOURCE / '_toc.yml'))
AXE = BOOK / 'tools' / 'node' / 'node_modules' / 'axe-core' / 'axe.min.js'
KNOWN_JS_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)


def selfchecks_in(docname: str) -> int:
    path = SOURCE / f'{docname}.ipynb'
    if not path.exists():
        return 0
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    return sum(1 for c in cells if c['cell_type'] == 'code'
               and str(c.get('metadata', {}).get('selfcheck', '')).endswith('/questions'))


PAGES = [d for d in DOCNAMES if selfchecks_in(d)]

BLOCKS_JS = r"""
[...document.querySelectorAll('.d2l-selfcheck')].map(el => ({
  id: el.id, ready: el.dataset.ready === '1',
  config: JSON.parse(el.querySelector('script.d2l-sc-config').textContent),
  fieldsets: [...el.querySelectorAll('fieldset.d2l-sc-q')].map(f => ({
     id: f.id, legend: !!f.querySelector(':scope > legend') &&
       f.querySelector(':scope > legend').textContent.trim().length > 0})),
  live: [...el.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status], [role=alert], output')].length,
  unlabelled: [...el.querySelectorAll('input, select, button')]
      .filter(i => i.tagName === 'BUTTON' ? !i.textContent.trim() : i.labels.length === 0)
      .map(i => i.outerHTML.slice(0, 100)),
}))
"""

# Record what the live regions of block %r say from now on.
LISTEN_JS = r"""
((id) => {
  const el = document.getElementById(id);
  const heard = el.d2lHeard = [];
  (el.d2lListeners || []).forEach(o => o.disconnect());
  el.d2lListeners = [...el.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status]')]
    .map(r => { const o = new MutationObserver(() => { if (r.textContent.trim()) heard.push(r.textContent); });
                o.observe(r, {childList: true, characterData: true, subtree: true}); return o; });
  return true;
})(%r)
"""

FOCUS_FIRST_JS = r"""
((id) => { const i = document.querySelector('#' + id + ' input, #' + id + ' select');
           i.scrollIntoView({block: 'center'}); i.focus(); return document.activeElement === i; })(%r)
"""

ACTIVE_JS = r"""
(() => { const a = document.activeElement; return {tag: a.tagName, type: a.type || '',
  cls: a.className || '', fieldset: a.closest('fieldset') ? a.closest('fieldset').id : '',
  value: a.value === undefined ? null : a.value, checked: !!a.checked}; })()
"""

STATE_JS = r"""
((id) => { const f = document.getElementById(id);
  const fb = f.querySelector('.d2l-sc-feedback'), rv = f.querySelector('.d2l-sc-review');
  const retry = f.querySelector('.d2l-sc-retry');
  const inputs = [...f.querySelectorAll('input, select')];
  return {feedback: fb ? fb.textContent : null, state: fb ? fb.dataset.state || '' : null,
          review: rv && !rv.hidden ? rv.textContent : '', href: rv ? rv.querySelector('a').getAttribute('href') : '',
          retry_shown: !!retry && !retry.hidden,
          answered: inputs.some(i => i.type === 'radio' || i.type === 'checkbox' ? i.checked : i.value !== '')};
})(%r)
"""


STORAGE_JS = "({local: Object.keys(localStorage).sort().map(k => k + '=' + localStorage.getItem(k)), session: Object.keys(sessionStorage).sort().map(k => k + '=' + sessionStorage.getItem(k)), cookie: document.cookie})"


def _enter(browser) -> None:
    common = {'key': 'Enter', 'code': 'Enter', 'windowsVirtualKeyCode': 13,
              'nativeVirtualKeyCode': 13}
    browser.send('Input.dispatchKeyEvent', {'type': 'rawKeyDown', **common})
    browser.send('Input.dispatchKeyEvent', {'type': 'char', 'text': '\r', **common})
    browser.send('Input.dispatchKeyEvent', {'type': 'keyUp', **common})


def _tab_to(browser, fid: str, cls: str, limit: int = 12) -> bool:
    """Press Tab until the focus is on the button ``cls`` of fieldset ``fid``."""
    for _ in range(limit):
        a = browser.evaluate(ACTIVE_JS)
        if a['tag'] == 'BUTTON' and cls in a['cls'] and a['fieldset'] == fid:
            return True
        browser.press('Tab')
    return False


def _answer(browser, fid: str, q: dict, response) -> None:
    """Give ``response`` with the keyboard (the inputs start empty)."""
    assert browser.evaluate(FOCUS_FIRST_JS % fid), f'{fid}: the first input takes no focus'
    kind = q['kind']
    if kind == 'single':
        browser.press(' ')                       # checks the first option
        for _ in range(response):
            browser.press('ArrowDown')           # moves to, and checks, the next one
    elif kind == 'multiple':
        n = len(q['correct'])
        for i in range(n):
            if i in response:
                browser.press(' ')
            if i < n - 1:
                browser.press('Tab')
    elif kind == 'number':
        browser.send('Input.insertText', {'text': str(response)})
    else:
        for k, item in enumerate(response):
            for _ in range(item + 1):            # option 0 is "（请选择）"
                browser.press('ArrowDown')
            if k < len(response) - 1:
                browser.press('Tab')


def _check(browser, block: str, fid: str) -> dict:
    """Tab to 检查, press Enter: what is shown and what was said."""
    browser.evaluate(LISTEN_JS % block)
    assert _tab_to(browser, fid, 'd2l-sc-check'), f'{fid}: 检查 cannot be reached with Tab'
    _enter(browser)
    browser.pump(0.4)
    state = browser.evaluate(STATE_JS % fid)
    state['heard'] = browser.evaluate(f'document.getElementById({block!r}).d2lHeard')
    return state


def _retry(browser, block: str, fid: str) -> dict:
    assert _tab_to(browser, fid, 'd2l-sc-retry'), f'{fid}: 再试一次 cannot be reached with Tab'
    _enter(browser)
    browser.pump(0.3)
    state = browser.evaluate(STATE_JS % fid)
    state['focus'] = browser.evaluate(ACTIVE_JS)
    return state


def _right(q: dict):
    if q['kind'] == 'single':
        return q['correct'].index(True)
    if q['kind'] == 'multiple':
        return [i for i, c in enumerate(q['correct']) if c]
    if q['kind'] == 'number':
        return f"{q['answer']:.6f}"
    return q['order']


def _wrongs(q: dict) -> list:
    """One wrong answer per misconception, with the feedback it must give."""
    if q['kind'] == 'single':
        return [(i, q['feedback'][i]) for i, c in enumerate(q['correct']) if not c]
    if q['kind'] == 'multiple':
        right = {i for i, c in enumerate(q['correct']) if c}
        out = []
        for i in range(len(q['correct'])):
            r = sorted(right ^ {i})
            if r:
                out.append((r, q['wrong'] + q['parts'][i]))
        return out
    if q['kind'] == 'number':
        return [(f'{v:.6f}', text) for v, text in q['traps']]
    return [(v, text) for v, text in q['traps']]


@pytest.fixture(scope='module')
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f'axe-core is not installed at {AXE}: make node-tools', pytrace=False)
    return AXE.read_text(encoding='utf-8')


AXE_JS = r"""
(async () => {
  const result = await axe.run({include: [['.d2l-selfcheck'], ['.d2l-sc-key']]}, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
    resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.html.slice(0, 120))}));
})()
"""


@pytest.fixture(scope='module')
def runs(browser, server, axe_source):
    """Answer every question of a page right and wrong by keyboard (once per page)."""
    cache: dict[str, dict] = {}

    def run(docname: str) -> dict:
        if docname in cache:
            return cache[docname]
        url = server + docname + '.html'
        browser.set_width()
        browser.emulate_media('', [{'name': 'prefers-color-scheme', 'value': 'light'}])
        log = browser.goto(url)
        browser.wait_for("document.querySelector('.d2l-selfcheck[data-ready=\"1\"]') !== null", 10)
        blocks = browser.evaluate(BLOCKS_JS)
        stored_before = browser.evaluate(STORAGE_JS)      # what the theme keeps (its colour mode)
        browser.evaluate(axe_source + '\n;true')
        r = {'url': url, 'blocks': blocks, 'answers': [],
             'axe': {'start': browser.evaluate(AXE_JS, timeout=120)}}
        for block in blocks:
            for q in block['config']['questions']:
                fid = f"d2l-sc-{q['id']}"
                _answer(browser, fid, q, _right(q))
                right = _check(browser, block['id'], fid)
                retried = _retry(browser, block['id'], fid)
                wrongs = []
                for response, expected in _wrongs(q):
                    _answer(browser, fid, q, response)
                    got = _check(browser, block['id'], fid)
                    wrongs.append({'response': response, 'expected': expected, **got})
                    _retry(browser, block['id'], fid)
                _answer(browser, fid, q, _wrongs(q)[0][0])      # leave it answered wrong
                _check(browser, block['id'], fid)
                r['answers'].append({'id': q['id'], 'q': q, 'right': right, 'retry': retried,
                                     'wrong': wrongs})
        r['axe']['answered'] = browser.evaluate(AXE_JS, timeout=120)
        browser.emulate_media('', [{'name': 'prefers-color-scheme', 'value': 'dark'}])
        browser.pump(0.2)
        r['axe']['dark'] = browser.evaluate(AXE_JS, timeout=120)
        browser.emulate_media('')
        r['stored'] = {'before': stored_before, 'after': browser.evaluate(STORAGE_JS)}
        r['key'] = browser.evaluate(r"""
          [...document.querySelectorAll('.d2l-sc-key')].map(k => {
            const chapter = k.parentElement;
            const h2 = [...chapter.querySelectorAll(':scope > section > h2')].map(h => h.textContent);
            return {last: chapter.lastElementChild === k, in_section: chapter.tagName,
                    items: k.querySelectorAll('ol > li').length,
                    after_exercises: h2.some(t => t.includes('练习')),
                    summary: k.querySelector('summary').textContent};
          })""")
        browser.emulate_media('print')
        r['print'] = browser.evaluate(r"""
          (() => { const shown = s => [...document.querySelectorAll(s)].some(n => n.getClientRects().length > 0);
            return {buttons: shown('.d2l-selfcheck button'), questions: shown('.d2l-selfcheck fieldset'),
                    feedback: shown('.d2l-sc-feedback')}; })()""")
        browser.emulate_media('')
        r['requests'] = [q.url for q in log.requests.values()]
        r['errors'] = list(log.errors) + list(log.console_errors)
        cache[docname] = r
        return r

    yield run


def test_there_are_selfcheck_pages():
    assert len(PAGES) >= 7, f'self-checks on {PAGES}: chapters 01-07 should each have one'


@pytest.mark.parametrize('docname', PAGES)
def test_the_selfcheck_is_built_from_fieldsets(runs, docname):
    r = runs(docname)
    assert len(r['blocks']) == selfchecks_in(docname)
    for b in r['blocks']:
        assert b['ready'], f"{r['url']}: the self-check was not set up"
        assert 3 <= len(b['fieldsets']) == len(b['config']['questions']) <= 6
        assert all(f['legend'] for f in b['fieldsets']), 'a question without a legend'
        assert b['live'] == 1, f"{r['url']}: {b['live']} live regions"
        assert not b['unlabelled'], f"{r['url']}: unlabelled controls {b['unlabelled']}"


@pytest.mark.parametrize('docname', PAGES)
def test_a_right_answer_by_keyboard_is_confirmed_once(runs, docname):
    r = runs(docname)
    for a in r['answers']:
        got, where = a['right'], f"{r['url']} {a['id']}"
        assert got['state'] == 'right' and got['feedback'] == a['q']['right'], (where, got)
        assert got['feedback'].startswith('✓ 正确'), where
        assert got['heard'] == [got['feedback']], f'{where}: announced {got["heard"]}'
        assert got['retry_shown'], f'{where}: no 再试一次 after an answer'


@pytest.mark.parametrize('docname', PAGES)
def test_each_wrong_answer_names_its_misconception_once(runs, docname):
    r = runs(docname)
    for a in r['answers']:
        assert a['wrong'], f"{a['id']}: no wrong answer tried"
        for w in a['wrong']:
            where = f"{r['url']} {a['id']} answered {w['response']}"
            assert w['state'] == 'wrong' and w['feedback'] == w['expected'], (where, w['feedback'])
            assert w['feedback'].startswith('✗'), where
            assert w['review'].startswith('复习：'), f'{where}: no link to the section'
            assert w['href'].endswith('#' + a['q']['link']), (where, w['href'])
            assert w['heard'] == [f"{w['feedback']} {w['review']}。"], (
                f'{where}: announced {w["heard"]}')


@pytest.mark.parametrize('docname', PAGES)
def test_try_again_clears_and_returns_the_focus(runs, docname):
    r = runs(docname)
    for a in r['answers']:
        t, where = a['retry'], f"{r['url']} {a['id']}"
        assert t['feedback'] == '' and not t['answered'] and not t['retry_shown'], (where, t)
        assert t['focus']['fieldset'] == f"d2l-sc-{a['id']}" and t['focus']['tag'] in (
            'INPUT', 'SELECT'), (where, t['focus'])


@pytest.mark.parametrize('docname', PAGES)
def test_no_axe_violations(runs, docname):
    r = runs(docname)
    for when, violations in r['axe'].items():
        assert not violations, f"{r['url']} ({when}): {json.dumps(violations, ensure_ascii=False)}"


@pytest.mark.parametrize('docname', PAGES)
def test_offline_private_and_without_errors(runs, server, docname):
    r = runs(docname)
    remote = [u for u in r['requests'] if not u.startswith(server)
              and urllib.parse.urlsplit(u).scheme not in ('data', 'blob', 'about')]
    assert not remote, f"{r['url']}: fetched {remote}"
    errors = [e for e in r['errors'] if not any(k in e for k in KNOWN_JS_ERRORS)]
    assert not errors, f"{r['url']}: {errors}"
    assert r['stored']['after'] == r['stored']['before'], f"answering stored {r['stored']}"
    assert r['stored']['after']['cookie'] == ''


@pytest.mark.parametrize('docname', PAGES)
def test_the_answer_key_ends_the_chapter_and_prints(runs, docname):
    r = runs(docname)
    assert len(r['key']) == len(r['blocks'])
    for k, b in zip(r['key'], r['blocks']):
        assert k['last'] and k['in_section'] == 'SECTION' and k['after_exercises'], k
        assert k['items'] == len(b['config']['questions']) and '答案' in k['summary']
    p = r['print']
    assert p['questions'] and not p['buttons'] and not p['feedback'], p


@pytest.mark.parametrize('docname', PAGES[:1])
def test_works_from_file_urls(browser, site, docname):
    log = browser.goto((site / f'{docname}.html').as_uri())
    ready = browser.wait_for("document.querySelector('.d2l-selfcheck[data-ready=\"1\"]') !== null", 10)
    assert ready, f'{docname} from file://: the self-check was not set up'
    block = browser.evaluate(BLOCKS_JS)[0]
    q = block['config']['questions'][0]
    fid = f"d2l-sc-{q['id']}"
    _answer(browser, fid, q, _right(q))
    got = _check(browser, block['id'], fid)
    assert got['state'] == 'right', got
    assert not [e for e in log.errors if not any(k in e for k in KNOWN_JS_ERRORS)], log.errors
