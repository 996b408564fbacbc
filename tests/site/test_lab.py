"""The training lab on the built site, and every explorer's state in the URL fragment, checked in
headless Chromium (part of ``make site-test``).

The lab (``d2lhelpers.explorers.training``, chapter 06) is driven by keyboard as a reader would:
fewer epochs, 训练 until done, 训练 again then 暂停, 单步, 重置, a learning rate that diverges.
Checked: the numbers equal PyTorch's reference run (shipped in the page) to 1e-4; the data file
is fetched once, only when the reader starts; nothing from another host; no JavaScript error;
no main-thread long task over 50 ms while it trains (PerformanceObserver 'longtask'); one
announcement per epoch; axe-core finds nothing in the lab, light and dark, desktop and phone;
it trains from ``file://`` too. The epoch time and the FLOP rate it implies go to
``_build/screenshots/lab.json``.

The URL fragment: every explorer restores its controls from a link such as ``#huber:delta=0.5``
or ``#training:lr=3,batch=1``, and a control moved rewrites the fragment.
"""
from __future__ import annotations

import json
import urllib.parse

import pytest

import test_explorers as tx
from test_explorers import (EXPLORER_PAGES, EXPLORERS_JS, FOCUS_JS, KNOWN_JS_ERRORS,
                            STATE_JS, _is_local)



def _shows_lab(docname: str) -> bool:
    path = tx.SOURCE / f'{docname}.ipynb'
    return path.exists() and any(
        c['cell_type'] == 'code' and 'training_explorer(' in ''.join(c['source'])
        for c in json.loads(path.read_text(encoding='utf-8'))['cells'])


LAB_PAGES = [d for d in tx.DOCNAMES if _shows_lab(d)]
LAB = '.d2l-explorer[data-kind=training]'
AXE = tx.BOOK / 'tools' / 'node' / 'node_modules' / 'axe-core' / 'axe.min.js'
# axe-core (WCAG 2.1 AA and best practices) on the lab only (test_readers.py audits pages)
AXE_JS = """(async () => (await axe.run({include: [['%s']]}, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  resultTypes: ['violations']})).violations.map(v => ({id: v.id, help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200)}))})))()"""
DATA_FILE = 'd2l-fashion-subset.js'
# dense-equivalent floating-point operations of one epoch over the default subset: forward and
# backward products over 4,000 images (2 x 2 x n x 784 x 10) plus the test subset's forward pass
EPOCH_FLOP = 4 * 4000 * 784 * 10 + 2 * 1000 * 784 * 10

STATE = f"(() => {{ const el = document.querySelector('{LAB}'); return el && el.d2lState; }})()"
# long tasks of the page's main thread, kept only while the lab trains (window.d2lTraining)
LONG_TASKS = """(() => { window.d2lLong = []; window.d2lTraining = false;
  new PerformanceObserver(l => l.getEntries().forEach(e => { if (d2lTraining) d2lLong.push([e.startTime, e.duration]); }))
    .observe({type: 'longtask'}); return true; })()"""
TRAINING = 'window.d2lTraining = %s; (window.d2lWindows = window.d2lWindows || []).push(performance.now())'
LISTEN = f"""(() => {{ const r = document.querySelector('{LAB} [aria-live]'); window.d2lHeard = [];
  new MutationObserver(() => d2lHeard.push(r.textContent))
    .observe(r, {{childList: true, characterData: true, subtree: true}}); return true; }})()"""


def _focus(browser, selector: str) -> None:
    ok = browser.evaluate(f"(() => {{ const b = document.querySelector('{LAB} {selector}');"
                          "b.scrollIntoView({block: 'center'}); b.focus();"
                          "return document.activeElement === b; })()")
    assert ok, f'{selector} cannot take the keyboard focus'


def _button(browser, action: str) -> None:
    _focus(browser, f'button[data-action={action}]')
    browser.press(' ')


def _wait(browser, condition: str, timeout: float = 60.0):
    return browser.wait_for(f"(() => {{ const el = document.querySelector('{LAB}');"
                            f"const s = el && el.d2lState; return !!(s && ({condition})); }})()",
                            timeout=timeout)


def _state(browser) -> dict:
    return browser.evaluate(STATE)


@pytest.fixture(scope='module')
def lab_run(browser, server, screenshot_dir):
    """Drive the lab once by keyboard; keep what happened."""
    if not LAB_PAGES:
        pytest.skip('no chapter shows the training lab')
    url = server + LAB_PAGES[0] + '.html'
    log = browser.goto(url)
    browser.pump(0.3)
    r = {'url': url, 'start': _state(browser)}
    r['fetched_before_start'] = [q.url for q in log.requests.values() if DATA_FILE in q.url]
    cfg = browser.evaluate(f"JSON.parse(document.querySelector('{LAB} script.d2l-explorer-config')"
                           ".textContent)")
    r['reference'] = cfg['reference']
    # three epochs: the epochs box by arrow keys, then 训练
    _focus(browser, 'input[data-control=epochs]')
    for _ in range(7):
        browser.press('ArrowDown')
    r['epochs_set'] = _state(browser)['controls']['epochs']
    browser.pump(0.6)                   # the burst of presses has been announced
    r['heard_epochs'] = _state(browser)['say']
    browser.evaluate(LONG_TASKS)        # from here on: training
    browser.evaluate(LISTEN)
    browser.evaluate(TRAINING % 'true')
    _button(browser, 'play')
    r['after_train'] = _wait(browser, "s.history.loss.length >= 3 && !s.running", 120) and _state(browser)
    r['heard_train'] = browser.evaluate('window.d2lHeard.slice()')
    # 训练 again (three more), 暂停 at once; then 单步
    _button(browser, 'play')
    browser.pump(0.05)
    _button(browser, 'play')
    r['after_pause'] = _wait(browser, "!s.running && s.say.startsWith('已暂停')", 30) and _state(browser)
    _button(browser, 'step')
    r['after_step'] = _wait(browser, "s.say.startsWith('单步')", 30) and _state(browser)
    browser.evaluate(TRAINING % 'false')   # 重置 and the learning rate: controls, not training
    r['hash_before_reset'] = browser.evaluate('location.hash')
    _button(browser, 'reset')
    browser.pump(0.5)
    r['after_reset'] = _state(browser)
    r['hash_after_reset'] = browser.evaluate('location.hash')
    # the largest learning rate (End), then 训练: it diverges
    _focus(browser, 'input[data-control=lr]')
    browser.press('End')
    browser.pump(0.3)
    browser.evaluate(TRAINING % 'true')
    _button(browser, 'play')
    r['after_diverge'] = _wait(browser, 's.diverged && !s.running', 60) and _state(browser)
    browser.pump(0.3)
    browser.evaluate(TRAINING % 'false')
    r['warning'] = browser.evaluate(f"(() => {{ const w = document.querySelector('{LAB} .d2l-lab-warn');"
                                    "return {hidden: w.hidden, text: w.textContent,"
                                    "href: (w.querySelector('a') || {}).href}; })()")
    r['long_tasks'] = browser.evaluate('window.d2lLong.slice()')
    marks = browser.evaluate('window.d2lWindows')       # [start, end, start, end]
    r['redraws'] = [x for x in _state(browser)['renderMs']
                    if any(a <= x[0] <= b for a, b in zip(marks[::2], marks[1::2]))]
    r['requests'] = list(log.requests.values())
    r['errors'] = list(log.errors)
    # axe on the lab, light and dark, desktop and phone
    if not AXE.is_file():
        pytest.fail(f'axe-core is not installed at {AXE}: make node-tools', pytrace=False)
    browser.evaluate(AXE.read_text(encoding='utf-8') + '\n;true')
    r['axe'] = {}
    for mode in ('light', 'dark'):
        for width in (1280, 390):
            browser.evaluate(f"document.documentElement.dataset.theme = '{mode}'")
            browser.set_width(width)
            browser.pump(0.3)
            r['axe'][f'{mode}-{width}'] = browser.evaluate(AXE_JS % LAB, timeout=120)
    browser.set_width()
    browser.evaluate("document.documentElement.dataset.theme = 'light'")
    browser.screenshot_element(screenshot_dir / 'lab.png', f"document.querySelector('{LAB}')")
    times = r['after_train']['times']   # the worker's time per epoch (steps + test pass)
    ms = sorted(times)[len(times) // 2]
    r['epoch_ms'] = ms
    (screenshot_dir / 'lab.json').write_text(json.dumps({
        'epoch_ms_median': round(ms, 1), 'epoch_ms': [round(t, 1) for t in times],
        'gflop_per_s': round(EPOCH_FLOP / (ms / 1000) / 1e9, 2),
        'long_tasks_ms': [round(d) for _, d in r['long_tasks']],
        'redraw_ms_max': round(max(d for _, d in r['redraws']), 1),
        'redraw_ms': [round(d, 1) for _, d in r['redraws']],
        'data_bytes': [q.bytes for q in r['requests'] if DATA_FILE in q.url]}, indent=1))
    return r


def test_lab_is_on_chapter_06():
    assert LAB_PAGES == ['chapters/06_softmax_scratch'], LAB_PAGES


def test_lab_fetches_its_data_only_on_start(lab_run):
    assert lab_run['start']['phase'] == 'idle' and not lab_run['fetched_before_start']
    data = [q for q in lab_run['requests'] if DATA_FILE in q.url]
    assert len(data) == 1 and data[0].status == 200, data


def test_lab_trains_by_keyboard_and_equals_pytorch(lab_run):
    assert lab_run['epochs_set'] == 3
    s, ref = lab_run['after_train'], lab_run['reference']
    assert s and s['reference'] and s['history']['loss'] and len(s['history']['loss']) == 3
    for key in ('loss', 'train_acc', 'test_acc'):
        for got, want in zip(s['history'][key], ref[key]):
            assert abs(got - want) <= 1e-4, f'{key}: browser {got}, PyTorch {want}'


def test_lab_pauses_steps_and_resets(lab_run):
    p, st, rs = lab_run['after_pause'], lab_run['after_step'], lab_run['after_reset']
    assert p and not p['running'] and p['steps'] >= lab_run['after_train']['steps']
    assert st and st['steps'] == p['steps'] + 1
    assert rs['steps'] == 0 and rs['history']['loss'] == [] and not rs['reference']
    assert rs['controls']['seed'] != 0
    assert f"seed={rs['controls']['seed']}" in lab_run['hash_after_reset']


def test_lab_stops_and_explains_a_diverging_learning_rate(lab_run):
    d, w = lab_run['after_diverge'], lab_run['warning']
    assert d and d['controls']['lr'] == 100 and d['diverged'] and not d['running']
    assert not w['hidden'] and '88.72' in w['text'] and '发散' in w['text']
    assert w['href'].endswith('04_cross_entropy.html#ch04-numerical-stability')


def test_lab_announces_once_per_epoch(lab_run):
    assert lab_run['heard_epochs'] == '训练轮数 3。'     # seven key presses: said once
    heard = lab_run['heard_train']
    assert len(heard) == 3 and all(h.startswith(f'第 {i} 轮') for i, h in enumerate(heard, 1)), heard


def test_lab_never_blocks_the_page(lab_run):
    """While it trains (three epochs, pause, step; a diverging run), no long task
    (PerformanceObserver 'longtask': over 50 ms on the main thread) contains one of the lab's
    redraws. The redraws' own wall-clock times (style and layout included) are reported in
    ``lab.json`` but not failed on: on 2 cores shared with the other test worker they include
    time the page did not have (CI once measured the first redraw at 50.7 ms with no long task
    holding it). Long tasks that hold no redraw are the machine's, also only reported."""
    ours = [round(d) for t, d in lab_run['long_tasks'] if d > 50 and any(
        t <= r0 <= t + d for r0, _ in lab_run['redraws'])]
    assert not ours, f'long tasks holding a redraw of the lab: {ours} ms'


def test_lab_epoch_time(lab_run):
    """One epoch over the default subset in the worker (goal: 0.5 s on a 2-core machine)."""
    assert lab_run['epoch_ms'] < 500, f"{lab_run['epoch_ms']:.0f} ms per epoch"


def test_lab_offline_without_errors(lab_run, server):
    remote = sorted({q.url for q in lab_run['requests'] if not _is_local(q.url, server)})
    assert not remote, remote
    assert not [e for e in lab_run['errors'] if not any(k in e for k in KNOWN_JS_ERRORS)]


def test_lab_axe_finds_nothing(lab_run):
    bad = {k: [(v['id'], [n['target'] for n in v['nodes']]) for v in found]
           for k, found in lab_run['axe'].items() if found}
    assert not bad, bad


def test_lab_trains_from_a_file_url(browser, site):
    if not LAB_PAGES:
        pytest.skip('no chapter shows the training lab')
    log = browser.goto((site / f'{LAB_PAGES[0]}.html').as_uri() + '#training:epochs=1')
    browser.pump(0.3)
    _button(browser, 'play')
    s = _wait(browser, 's.history.loss.length === 1 && !s.running', 120) and _state(browser)
    assert s, f'from file:// the lab did not train: {_state(browser)} {log.errors}'
    remote = [q.url for q in log.requests.values()
              if urllib.parse.urlsplit(q.url).scheme not in ('file', 'data', 'blob', 'about')]
    assert not remote and not log.errors, (remote, log.errors)


# --- every explorer's state in the URL fragment -------------------------------------------

def _first_range(cfg: dict) -> dict:
    return next(c for c in cfg['controls'] if 'options' not in c)


@pytest.mark.parametrize('docname', EXPLORER_PAGES)
def test_explorer_state_round_trips_through_the_url(browser, server, docname):
    """Open page#kind:name=value for each explorer: the control shows it; moving it rewrites
    the fragment."""
    log = browser.goto(server + docname + '.html')
    found = browser.evaluate(EXPLORERS_JS)
    names = browser.evaluate("[...document.querySelectorAll('.d2l-explorer')]"
                             ".map(el => [el.id, el.dataset.kind])")
    seen: dict = {}
    for e in found:
        c = _first_range(e['config'])
        kind = e['kind']
        seen[kind] = seen.get(kind, 0) + 1
        name = kind if seen[kind] == 1 else f'{kind}{seen[kind]}'
        target = c['min'] + c['step'] * round((c['max'] - c['min']) / c['step'] / 3)
        text = f"{target:.{c['decimals']}f}"
        browser.goto('about:blank')    # (a new fragment alone would not load the page again)
        browser.goto(server + docname + f'.html#{name}:{c["name"]}={text}')
        index = [i for i, (_, k) in enumerate(names) if k == kind][seen[kind] - 1]
        uid = browser.evaluate(f"document.querySelectorAll('.d2l-explorer')[{index}].id")
        state = browser.evaluate(STATE_JS % uid)
        assert abs(state['values'][c['name']] - target) < 1e-9, (
            f'{docname}#{name}:{c["name"]}={text} restored {state["values"][c["name"]]}')
        browser.evaluate(FOCUS_JS % (uid, c['name']))
        browser.press('ArrowRight')
        moved = browser.evaluate(STATE_JS % uid)['values'][c['name']]
        frag = urllib.parse.unquote(browser.evaluate('location.hash'))
        assert f"{name}:" in frag and f"{c['name']}={moved:.{c['decimals']}f}" in frag, frag
    assert not log.errors


def test_lab_state_round_trips_through_the_url(browser, server):
    if not LAB_PAGES:
        pytest.skip('no chapter shows the training lab')
    browser.goto('about:blank')
    browser.goto(server + LAB_PAGES[0] + '.html#training:lr=3,batch=1')
    s = _state(browser)
    assert s['controls']['lr'] == 3 and s['controls']['batch'] == 1 and not s['reference']
    shown = browser.evaluate(f"[...document.querySelectorAll('{LAB} input')].map(i => "
                             "i.getAttribute('aria-valuetext') || i.value)")
    assert shown[:2] == ['3', '1'], shown
    _focus(browser, 'input[data-control=lr]')
    browser.press('ArrowLeft')
    frag = browser.evaluate('location.hash')
    assert 'training:lr=2,batch=1,epochs=10,seed=0' in urllib.parse.unquote(frag), frag
