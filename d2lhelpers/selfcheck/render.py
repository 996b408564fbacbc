"""The views of a chapter's self-check (自测): the same questions, three ways.

* the static view (:func:`selfcheck_html`): a ``<div class="d2l-selfcheck">`` whose questions are
  ``<fieldset>``\\ s with their ``<legend>`` and native, labelled inputs, a JSON config (the
  feedback texts :mod:`.model` writes), ``static/selfcheck.css`` and ``static/selfcheck.js``
  inlined (as the explorers' views: only pages that show a self-check carry it; no file next
  to the page, works from ``file://``, no network). The script adds the 检查 / 再试一次 buttons,
  shows the feedback as text (✓ / ✗ and words) and says it once in one live region. Nothing is
  stored. An answer key (a ``<details>``, printed open) follows the questions; the script
  moves it to the end of the chapter. The output is the same on every run
  (``tests/test_selfcheck.py`` compares the chapters' stored copies with it).
* the kernel view (:class:`SelfCheck`): an ``ipywidgets.VBox`` per chapter (radio buttons,
  check boxes, a text box, drop-downs; 检查 / 再试一次), checked in Python by
  :func:`.model.check`. It displays with the static view as its ``text/html`` (as the
  explorers do), so a front end without a widget manager, and the book's site, show that.
* plain text (:func:`selfcheck_text`): the questions and the answer key, for ``text/plain``.
"""
from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Sequence

import ipywidgets as widgets

from .model import Question, check, config
from .sections import SECTIONS

__all__ = ['selfcheck_html', 'selfcheck_text', 'SelfCheck', 'self_check', 'section_title',
           'section_href']

_WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
LETTERS = 'ABCDEFGHIJ'
INTRO = ('选好答案后按“检查”：答错时，反馈会说出这个答案背后的误解，并指向讲清它的那一节，'
         '然后可以再试一次。答案只在这个页面上核对，不会被保存或发送。')
PRINT_NOTE = '答案与解释见本章末尾的“自测答案与解释”。'


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    """A file of ``d2lhelpers/static``, compacted for inlining (comments, indentation)."""
    text = resources.files('d2lhelpers').joinpath('static', name).read_text(encoding='utf-8')
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    if name.endswith('.js'):
        text = re.sub(r'(^|\s)//\s.*$', '', text, flags=re.M)
    return '\n'.join(line.strip() for line in text.splitlines() if line.strip())


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(',', ':')).replace('<', '\\u003c')


def section_title(label: str) -> str:
    return SECTIONS[label][1] if label in SECTIONS else label


def section_href(label: str) -> str:
    """The link from a chapter page to the section (the script makes it ``#label`` when the
    section is on the same page, as in the one-page book that is printed)."""
    if label not in SECTIONS:
        return f'#{label}'
    return f'{SECTIONS[label][0].rsplit("/", 1)[-1]}.html#{label}'


def _inline(text: str) -> str:
    """Escaped text with `code` spans."""
    parts = re.split(r'`([^`]+)`', text)
    return ''.join(f'<code>{html.escape(p)}</code>' if i % 2 else html.escape(p)
                   for i, p in enumerate(parts))


def _review(label: str) -> str:
    return f'复习：「{section_title(label)}」一节'


# --- the static view ------------------------------------------------------------------------

def _inputs(q: Question, uid: str) -> str:
    if q.kind in ('single', 'multiple'):
        kind = 'radio' if q.kind == 'single' else 'checkbox'
        rows = []
        for i, o in enumerate(q.options):
            iid = f'{uid}-o{i}'
            rows.append(f'<div class="d2l-sc-option"><input type="{kind}" id="{iid}" '
                        f'name="{uid}" value="{i}"><label for="{iid}">'
                        f'<span class="d2l-sc-letter">{LETTERS[i]}.</span> {_inline(o.text)}'
                        f'</label></div>')
        return f'<div class="d2l-sc-options">{"".join(rows)}</div>'
    if q.kind == 'number':
        return (f'<div class="d2l-sc-options"><label for="{uid}-n">你的答案</label> '
                f'<input type="text" inputmode="decimal" autocomplete="off" spellcheck="false" '
                f'id="{uid}-n" name="{uid}" size="12"></div>')
    listing = '、'.join(f'{LETTERS[i]}. {_inline(t)}' for i, t in enumerate(q.items))
    rows = [f'<p class="d2l-sc-items">要排序的几项：{listing}</p>']
    for k in range(len(q.items)):
        sid = f'{uid}-p{k}'
        opts = ''.join(f'<option value="{i}">{LETTERS[i]}. {html.escape(t)}</option>'
                       for i, t in enumerate(q.items))
        rows.append(f'<div class="d2l-sc-place"><label for="{sid}">第 {k + 1} 位</label> '
                    f'<select id="{sid}" name="{sid}"><option value="">（请选择）</option>'
                    f'{opts}</select></div>')
    return f'<div class="d2l-sc-options">{"".join(rows)}</div>'


def _key_entry(n: int, q: Question) -> str:
    lines = [f'<p><strong>答案：{_inline(q.answer_text())}</strong>。{_inline(q.explanation)}</p>']
    wrong = []
    if q.kind in ('single', 'multiple'):
        wrong = [f'{LETTERS[i]}（{_inline(o.misconception)}）：{_inline(o.why)}'
                 for i, o in enumerate(q.options) if not o.correct]
    else:
        from .model import fmt_number
        for t in q.traps:
            shown = (fmt_number(t.value, q.decimals) if q.kind == 'number'
                     else ' > '.join(q.items[i] for i in t.value))
            wrong.append(f'{_inline(shown)}（{_inline(t.misconception)}）：{_inline(t.why)}')
    if wrong:
        lines.append('<ul>' + ''.join(f'<li>{w}</li>' for w in wrong) + '</ul>')
    lines.append(f'<p class="d2l-sc-keylink">{_review(q.link)}。</p>')
    return f'<li>{"".join(lines)}</li>'


def selfcheck_html(chapter: str, qs: Sequence[Question]) -> str:
    """The static view of chapter ``chapter``'s questions ``qs`` (deterministic: same every run)."""
    root = f'd2l-selfcheck-{chapter}'
    blocks = []
    for n, q in enumerate(qs, 1):
        uid = f'd2l-sc-{q.id}'
        blocks.append(
            f'<fieldset class="d2l-sc-q" id="{uid}" data-kind="{q.kind}">'
            f'<legend><span class="d2l-sc-n">{n}.</span> {_inline(q.prompt)} '
            f'<span class="d2l-sc-kind">（{q.kind_name}）</span></legend>'
            f'{_inputs(q, uid)}'
            f'<p class="d2l-sc-review" hidden><a href="{section_href(q.link)}" '
            f'data-label="{q.link}">{_review(q.link)}</a></p></fieldset>')
    cfg = {'chapter': chapter, 'questions': [config(q) for q in qs],
           'review': {q.id: _review(q.link) for q in qs}}
    key = ''.join(_key_entry(n, q) for n, q in enumerate(qs, 1))
    return (f'<div class="d2l-selfcheck" id="{root}" data-chapter="{chapter}" lang="zh-CN">'
            f'<style>{_asset("selfcheck.css")}</style>'
            f'<script type="application/json" class="d2l-sc-config">{_json(cfg)}</script>'
            f'<p class="d2l-sc-intro">{INTRO}</p><p class="d2l-sc-print">{PRINT_NOTE}</p>'
            f'{"".join(blocks)}'
            f'<div class="d2l-sc-live" role="status" aria-live="polite" aria-atomic="true"></div>'
            f'<details class="d2l-sc-key" id="{root}-key"><summary>自测答案与解释</summary>'
            f'<ol>{key}</ol></details></div>'
            f'<script>{_asset("selfcheck.js")}</script>')


def selfcheck_text(chapter: str, qs: Sequence[Question]) -> str:
    """The questions in plain text (a front end that shows neither widgets nor HTML)."""
    out = [f'自测（{len(qs)} 题）']
    for n, q in enumerate(qs, 1):
        out.append(f'{n}. {q.prompt}（{q.kind_name}）')
        if q.kind in ('single', 'multiple'):
            out += [f'   {LETTERS[i]}. {o.text}' for i, o in enumerate(q.options)]
        elif q.kind == 'order':
            out += [f'   {LETTERS[i]}. {t}' for i, t in enumerate(q.items)]
    return '\n'.join(out)


# --- the kernel view ------------------------------------------------------------------------

class _QuestionView(widgets.VBox):
    """One question in a kernel: its inputs, 检查, 再试一次 and the feedback (text)."""

    def __init__(self, n: int, q: Question):
        self.q = q
        self.prompt = widgets.HTML(f'<b>{n}. {_inline(q.prompt)}</b>（{q.kind_name}）')
        layout = widgets.Layout(width='auto')
        if q.kind == 'single':
            self.input = widgets.RadioButtons(
                options=[(f'{LETTERS[i]}. {o.text}', i) for i, o in enumerate(q.options)],
                index=None, layout=layout)
            controls = [self.input]
        elif q.kind == 'multiple':
            self.boxes = [widgets.Checkbox(value=False, description=f'{LETTERS[i]}. {o.text}',
                                           indent=False, layout=layout)
                          for i, o in enumerate(q.options)]
            controls = self.boxes
        elif q.kind == 'number':
            self.input = widgets.Text(value='', placeholder='输入一个数', description='你的答案',
                                      style={'description_width': 'initial'})
            controls = [self.input]
        else:
            choices = [('（请选择）', None)] + [(f'{LETTERS[i]}. {t}', i)
                                           for i, t in enumerate(q.items)]
            self.places = [widgets.Dropdown(options=choices, value=None,
                                            description=f'第 {k + 1} 位')
                           for k in range(len(q.items))]
            controls = self.places
        self.check_button = widgets.Button(description='检查')
        self.retry_button = widgets.Button(description='再试一次',
                                           layout=widgets.Layout(display='none'))
        self.feedback = widgets.HTML('')
        self.check_button.on_click(lambda _b: self.check())
        self.retry_button.on_click(lambda _b: self.retry())
        super().__init__(children=[self.prompt, *controls,
                                   widgets.HBox([self.check_button, self.retry_button]),
                                   self.feedback],
                         layout=widgets.Layout(margin='0 0 12px 0'))
        self.last = None

    def response(self):
        q = self.q
        if q.kind == 'single':
            return self.input.value
        if q.kind == 'multiple':
            return {i for i, b in enumerate(self.boxes) if b.value}
        if q.kind == 'number':
            return self.input.value
        return tuple(p.value for p in self.places)

    def answer(self, response) -> None:
        """Put ``response`` into the inputs (what a reader does by clicking)."""
        q = self.q
        if q.kind == 'single':
            self.input.value = response
        elif q.kind == 'multiple':
            for i, b in enumerate(self.boxes):
                b.value = i in set(response)
        elif q.kind == 'number':
            self.input.value = str(response)
        else:
            for p, v in zip(self.places, response):
                p.value = v

    def check(self):
        self.last = check(self.q, self.response())
        text = html.escape(self.last.text)
        if self.last.link:
            text += f'<br>{html.escape(_review(self.last.link))}（本书的网页版可直接跳转）'
        self.feedback.value = f'<div role="status">{text}</div>'
        self.retry_button.layout.display = '' if self.last.state != 'empty' else 'none'
        return self.last

    def retry(self) -> None:
        q = self.q
        if q.kind == 'single':
            self.input.index = None
        elif q.kind == 'multiple':
            for b in self.boxes:
                b.value = False
        elif q.kind == 'number':
            self.input.value = ''
        else:
            for p in self.places:
                p.value = None
        self.feedback.value = ''
        self.retry_button.layout.display = 'none'
        self.last = None


class SelfCheck(widgets.VBox):
    """A chapter's self-check in a kernel; on the book's site its static view."""

    def __init__(self, chapter: str, qs: Sequence[Question]):
        self.chapter = chapter
        self.questions = tuple(qs)
        self.views = [_QuestionView(n, q) for n, q in enumerate(self.questions, 1)]
        intro = widgets.HTML(html.escape(INTRO.split('答案只在')[0]))
        super().__init__(children=[intro, *self.views])

    def _plain(self) -> str:
        return selfcheck_text(self.chapter, self.questions)

    # as the explorers (explorers/base.py): ipywidgets 7 would drop the text/html part
    _ipython_display_ = None

    def _repr_mimebundle_(self, **kwargs):
        base = getattr(super(), '_repr_mimebundle_', None)   # ipywidgets >= 8
        bundle = dict(base(**kwargs) or {}) if base else {
            _WIDGET_VIEW: {'version_major': 2, 'version_minor': 0, 'model_id': self.model_id}}
        bundle['text/plain'] = self._plain()
        bundle['text/html'] = selfcheck_html(self.chapter, self.questions)
        return bundle

