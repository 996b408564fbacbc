/* The self-checks (自测) on a static page: no kernel, no network, nothing stored.
 *
 * d2lhelpers/selfcheck/render.py writes, per chapter, a <div class="d2l-selfcheck"> holding
 * the questions (one <fieldset> each, with native labelled inputs), a JSON config (for each
 * question the feedback texts that d2lhelpers/selfcheck/model.py writes, so the browser and
 * the kernel say the same words), one live region and an answer key (<details>), followed by
 * this script. The script:
 *   - adds to each question a 检查 button, a 再试一次 button and a feedback paragraph;
 *   - on 检查 (or Enter in the number box) shows the feedback as text (✓ / ✗ and words, the
 *     colour only repeats them) with a link to the section that teaches it, and says it once
 *     in the block's live region;
 *   - on 再试一次 clears the answer and the feedback and puts the focus back on the inputs;
 *   - moves the answer key to the end of the chapter (printed open there: tools/pdf.py opens
 *     every <details>);
 *   - links each section on the same page as "#label" (the one-page book that is printed).
 * For tests each block carries el.d2lSelfcheck = {check(id), said: [...]}.
 */
(function () {
  'use strict';
  var root = window.d2lSelfcheck = window.d2lSelfcheck || {ready: []};
  if (root.setUp) {                    // a second block on the page (the one-page book)
    // While the page is still being read, the first script's DOMContentLoaded handler will
    // set up every block once the whole page (each chapter's end) is there.
    if (document.readyState !== 'loading') root.setUp();
    return;
  }

  var SAY_DELAY = 60;     // ms between clearing the live region and writing it (re-announce)

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function parseNumber(text) {
    // as model.parse_number: full-width digits and signs, 。 as a point, a fraction a/b
    var s = String(text).trim().replace(/[０-９]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/．|。/g, '.').replace(/[－−]/g, '-').replace(/＋/g, '+').replace(/／/g, '/')
      .replace(/ /g, '');
    var num = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
    var parts = s.split('/');
    if (parts.length === 2) {
      if (num.test(parts[0]) && num.test(parts[1]) && Number(parts[1]) !== 0) {
        return Number(parts[0]) / Number(parts[1]);
      }
      return null;
    }
    return num.test(s) ? Number(s) : null;
  }

  // The feedback for a response, exactly as model.check: {state, text, link}
  function feedback(q, response) {
    var i, parts;
    if (q.kind === 'single') {
      if (response === null) return {state: 'empty', text: q.empty.missing};
      return q.correct[response] ? {state: 'right', text: q.right}
        : {state: 'wrong', text: q.feedback[response], link: q.link};
    }
    if (q.kind === 'multiple') {
      if (!response.length) return {state: 'empty', text: q.empty.missing};
      parts = [];
      var same = true;
      for (i = 0; i < q.correct.length; i++) {
        if ((response.indexOf(i) >= 0) !== q.correct[i]) { same = false; parts.push(q.parts[i]); }
      }
      return same ? {state: 'right', text: q.right}
        : {state: 'wrong', text: q.wrong + parts.join(' '), link: q.link};
    }
    if (q.kind === 'number') {
      var x = parseNumber(response);
      if (x === null) return {state: 'empty', text: q.empty.missing};
      if (Math.abs(x - q.answer) <= q.tolerance) return {state: 'right', text: q.right};
      for (i = 0; i < q.traps.length; i++) {
        if (Math.abs(x - q.traps[i][0]) <= q.tolerance) {
          return {state: 'wrong', text: q.traps[i][1], link: q.link};
        }
      }
      return {state: 'wrong', text: q.other, link: q.link};
    }
    // order: response is a list of item indices (null: an empty place)
    if (response.indexOf(null) >= 0 || response.length !== q.order.length) {
      return {state: 'empty', text: q.empty.missing};
    }
    var seen = {};
    for (i = 0; i < response.length; i++) {
      if (seen[response[i]]) return {state: 'empty', text: q.empty.twice};
      seen[response[i]] = true;
    }
    var key = response.join(',');
    if (key === q.order.join(',')) return {state: 'right', text: q.right};
    for (i = 0; i < q.traps.length; i++) {
      if (key === q.traps[i][0].join(',')) return {state: 'wrong', text: q.traps[i][1], link: q.link};
    }
    return {state: 'wrong', text: q.other, link: q.link};
  }

  function response(q, fieldset) {
    var inputs = fieldset.querySelectorAll('input, select'), out = [], i;
    if (q.kind === 'single') {
      for (i = 0; i < inputs.length; i++) if (inputs[i].checked) return Number(inputs[i].value);
      return null;
    }
    if (q.kind === 'multiple') {
      for (i = 0; i < inputs.length; i++) if (inputs[i].checked) out.push(Number(inputs[i].value));
      return out;
    }
    if (q.kind === 'number') return inputs[0].value;
    for (i = 0; i < inputs.length; i++) out.push(inputs[i].value === '' ? null : Number(inputs[i].value));
    return out;
  }

  // The chapter: the section the print layout marks, or the article's outermost section.
  function chapterOf(node) {
    var marked = node.closest('section.print-chapter');
    if (marked) return marked;
    var found = null;
    for (var s = node.closest('section'); s; s = s.parentElement && s.parentElement.closest('section')) {
      found = s;
    }
    return found;
  }

  function setUpBlock(block) {
    if (block.d2lSelfcheck) return;
    var cfg = JSON.parse(block.querySelector('script.d2l-sc-config').textContent);
    var live = block.querySelector('.d2l-sc-live');
    var state = {said: [], check: null, retry: null};
    var timer = null;
    block.d2lSelfcheck = state;

    function say(text) {
      live.textContent = '';
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () { live.textContent = text; state.said.push(text); }, SAY_DELAY);
    }

    var views = {};
    cfg.questions.forEach(function (q) {
      var fieldset = block.querySelector('#d2l-sc-' + q.id);
      if (!fieldset) return;
      var review = fieldset.querySelector('.d2l-sc-review');
      var link = review.querySelector('a');
      if (document.getElementById(q.link)) link.setAttribute('href', '#' + q.link);
      var actions = el('div', {'class': 'd2l-sc-actions'});
      var checkButton = el('button', {type: 'button', 'class': 'd2l-sc-check'}, '检查');
      var retryButton = el('button', {type: 'button', 'class': 'd2l-sc-retry', hidden: ''}, '再试一次');
      var out = el('p', {'class': 'd2l-sc-feedback', id: 'd2l-sc-' + q.id + '-feedback'});
      actions.appendChild(checkButton);
      actions.appendChild(retryButton);
      fieldset.insertBefore(actions, review);
      fieldset.insertBefore(out, review);

      function run() {
        var f = feedback(q, response(q, fieldset));
        out.textContent = f.text;
        out.setAttribute('data-state', f.state);
        fieldset.setAttribute('data-state', f.state);
        review.hidden = !f.link;
        retryButton.hidden = f.state === 'empty';
        say(f.text + (f.link ? ' ' + cfg.review[q.id] + '。' : ''));
        return f;
      }
      function retry() {
        fieldset.querySelectorAll('input, select').forEach(function (i) {
          if (i.type === 'radio' || i.type === 'checkbox') i.checked = false;
          else i.value = '';
        });
        out.textContent = '';
        out.removeAttribute('data-state');
        fieldset.removeAttribute('data-state');
        review.hidden = true;
        retryButton.hidden = true;
        say('已清空第 ' + fieldset.querySelector('.d2l-sc-n').textContent.replace('.', '') +
            ' 题，可以重新作答。');
        var first = fieldset.querySelector('input, select');
        if (first) first.focus();
      }
      checkButton.addEventListener('click', run);
      retryButton.addEventListener('click', retry);
      fieldset.querySelectorAll('input[type=text]').forEach(function (i) {
        i.addEventListener('keydown', function (e) {
          if (e.key === 'Enter') { e.preventDefault(); run(); }
        });
      });
      views[q.id] = {run: run, retry: retry};
    });
    state.check = function (id) { return views[id].run(); };
    state.retry = function (id) { return views[id].retry(); };
    state.feedback = function (id, r) {
      return feedback(cfg.questions.filter(function (q) { return q.id === id; })[0], r);
    };

    // The answer key goes to the end of the chapter (after its exercises).
    var key = block.querySelector('.d2l-sc-key');
    var chapter = chapterOf(block);
    if (key && chapter) {
      key.classList.add('d2l-sc-key-moved');
      chapter.appendChild(key);
    }
    block.setAttribute('data-ready', '1');
  }

  root.setUp = function () {
    document.querySelectorAll('.d2l-selfcheck').forEach(setUpBlock);
  };
  root.feedback = feedback;
  root.parseNumber = parseNumber;
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', root.setUp);
  } else {
    root.setUp();
  }
})();
