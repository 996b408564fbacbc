/* The training lab in the browser (d2lhelpers/explorers/training.py): controls, worker, views.
 *
 * The trainer (explorer-training-worker.js, inline before this file) runs in a Web Worker made
 * from a Blob URL of its own source (works from file:// as over http). The data file (the
 * Fashion-MNIST subset, a script that sets window.d2lTrainingData) is inserted as a <script>
 * only when the reader presses 训练 or 单步 (fetch/XHR of files are refused from file://).
 * The views are redrawn once per epoch (and after 单步 / 暂停): no animation.
 * For tests: el.d2lState (controls, history, reference shown, diverged, epoch times).
 */
(function () {
  'use strict';
  var X = window.d2lExplorers, U = X.util, T = window.d2lTrainer;
  var K = 10;

  function el(tag, attrs, parent, text) { return U.htmlEl(tag, attrs || {}, parent, text); }
  function pct(v) { return (100 * v).toFixed(1) + '%'; }
  function num(v, d) { return U.fmt(v, d); }
  function lrText(v) { return String(+v.toPrecision(3)); }

  // the site's root, from a stylesheet or script of _static (works over http and from file://)
  function siteRoot() {
    var node = document.querySelector('link[href*="_static/"], script[src*="_static/"]');
    var url = node ? (node.href || node.src) : '';
    var i = url.indexOf('_static/');
    return i >= 0 ? url.slice(0, i) : '';
  }

  // a diverging, colour-blind-safe map (blue - white - orange, after Okabe & Ito): v in [-1, 1]
  var NEG = [0, 114, 178], POS = [213, 94, 0];
  function paintTemplate(canvas, W, k) {
    var ctx = canvas.getContext('2d'), img = ctx.createImageData(28, 28), d = img.data, m = 1e-12;
    for (var j = 0; j < 784; j++) m = Math.max(m, Math.abs(W[j * K + k]));
    for (j = 0; j < 784; j++) {
      var t = W[j * K + k] / m, a = Math.abs(t), c = t < 0 ? NEG : POS;
      d[4 * j] = 255 + (c[0] - 255) * a; d[4 * j + 1] = 255 + (c[1] - 255) * a;
      d[4 * j + 2] = 255 + (c[2] - 255) * a; d[4 * j + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return m;
  }

  function paintImage(canvas, px) {
    var ctx = canvas.getContext('2d'), img = ctx.createImageData(28, 28), d = img.data;
    for (var j = 0; j < 784; j++) { d[4 * j] = d[4 * j + 1] = d[4 * j + 2] = 255 - px[j]; d[4 * j + 3] = 255; }
    ctx.putImageData(img, 0, 0);
  }

  function table(parent, caption, head, rows) {
    var t = el('table', {'class': 'd2l-lab-table'}, parent);
    el('caption', {}, t, caption);
    var tr = el('tr', {}, el('thead', {}, t));
    head.forEach(function (h) { el('th', {scope: 'col'}, tr, h); });
    var body = el('tbody', {}, t);
    rows.forEach(function (r) {
      var row = el('tr', {}, body);
      r.forEach(function (v, i) { el(i ? 'td' : 'th', i ? {} : {scope: 'row'}, row, v); });
    });
    return t;
  }

  function mount(root, cfg, app, hash) {
    var names = cfg.names, lrs = cfg.lr_values, ref = cfg.reference, D = cfg.defaults;
    var name = hash.name(root);
    var s = {lr: D.lr, batch: D.batch, epochs: D.epochs, seed: D.seed};
    var h = hash.read(name);
    if (h) {                                          // a link such as #training:lr=3,batch=1
      ['lr', 'batch', 'epochs', 'seed'].forEach(function (k) {
        var v = parseFloat(h[k]);
        if (isFinite(v)) s[k] = v;
      });
    }
    function nearestLr(v) {
      var best = 0;
      lrs.forEach(function (x, i) { if (Math.abs(Math.log(x / v)) < Math.abs(Math.log(lrs[best] / v))) best = i; });
      return best;
    }
    function clampInt(v, lo, hi) { return Math.max(lo, Math.min(hi, Math.round(v))); }
    s.lr = lrs[nearestLr(s.lr > 0 ? s.lr : D.lr)];
    s.batch = clampInt(s.batch, 1, cfg.n_train); s.epochs = clampInt(s.epochs, 1, cfg.max_epochs);
    s.seed = clampInt(s.seed, 0, 4294967295);

    /* controls: native, labelled in Chinese */
    var box = el('div', {'class': 'd2l-x-controls'}, app), id = root.id;
    function row(label, input) {
      var r = el('div', {'class': 'd2l-x-row'}, box);
      el('label', {'class': 'd2l-x-name', 'for': id + '-' + input}, r, label);
      return r;
    }
    var r = row('学习率', 'lr');
    var lr = el('input', {type: 'range', id: id + '-lr', min: 0, max: lrs.length - 1, step: 1,
                          'data-control': 'lr'}, r);
    var lrOut = el('span', {'class': 'd2l-x-value', 'aria-hidden': 'true'}, r);
    r = row('批量大小', 'batch');
    var batch = el('input', {type: 'number', id: id + '-batch', min: 1, max: cfg.n_train, step: 1,
                             'data-control': 'batch', 'class': 'd2l-lab-number'}, r);
    r = row('训练轮数', 'epochs');
    var epochs = el('input', {type: 'number', id: id + '-epochs', min: 1, max: cfg.max_epochs,
                              step: 1, 'data-control': 'epochs', 'class': 'd2l-lab-number'}, r);
    var buttons = el('div', {'class': 'd2l-lab-buttons'}, box);
    var play = el('button', {type: 'button', 'data-action': 'play'}, buttons, '训练');
    var stepB = el('button', {type: 'button', 'data-action': 'step'}, buttons, '单步');
    var reset = el('button', {type: 'button', 'data-action': 'reset'}, buttons, '重置');
    var size = el('span', {'class': 'd2l-lab-size'}, buttons,
                  '首次训练时下载数据 ' + (cfg.data_bytes / 1e6).toFixed(1) + ' MB');
    function showControls() {
      lr.value = String(lrs.indexOf(s.lr));
      lrOut.textContent = lrText(s.lr);
      lr.setAttribute('aria-valuetext', lrText(s.lr));
      batch.value = String(s.batch); epochs.value = String(s.epochs);
    }
    showControls();

    var status = el('div', {'class': 'd2l-x-status'}, app);
    var line1 = el('p', {'class': 'd2l-x-title-text'}, status), line2 = el('p', {'class': 'd2l-x-detail'}, status);
    var warn = el('p', {'class': 'd2l-lab-warn', hidden: ''}, app);
    var live = el('p', {'class': 'd2l-x-sr', 'aria-live': 'polite', 'aria-atomic': 'true'}, app);
    var fig = el('div', {'class': 'd2l-x-figure'}, app);
    var svgs = [0, 1].map(function (j) {
      return U.svgEl('svg', {viewBox: '0 0 480 300', role: 'img', 'class': 'd2l-x-panel',
                             'data-uid': id + '-p' + j}, fig);
    });
    var curveTable = el('details', {'class': 'd2l-lab-details'}, app);
    el('summary', {}, curveTable, '曲线的数据表');
    el('p', {'class': 'd2l-lab-head'}, app, '权重模板（每个类别的 784 个权重排成 28×28；橙色为正、蓝色为负，各图按自己的最大 |w| 着色）');
    var tmpl = el('div', {'class': 'd2l-lab-grid', role: 'group', 'aria-label': '十个类别的权重模板'}, app);
    var canv = names.map(function (n) {
      var f = el('figure', {'class': 'd2l-lab-cell'}, tmpl);
      var c = el('canvas', {width: 28, height: 28, role: 'img'}, f);
      el('figcaption', {}, f, n);
      return c;
    });
    var lower = el('div', {'class': 'd2l-lab-lower'}, app);
    var confusion = el('div', {'class': 'd2l-lab-confusion', role: 'region', 'aria-label': '混淆矩阵'}, lower);
    if (window.ResizeObserver) new ResizeObserver(function () {   // a Tab stop only while it scrolls
      if (confusion.scrollWidth > confusion.clientWidth + 1) confusion.setAttribute('tabindex', '0');
      else confusion.removeAttribute('tabindex');
    }).observe(confusion);
    var strip = el('div', {'class': 'd2l-lab-strip'}, lower);
    var credit = el('p', {'class': 'd2l-lab-credit'}, app, '数据：Fashion-MNIST（Zalando Research，MIT 许可），');
    el('a', {href: 'https://github.com/zalandoresearch/fashion-mnist'}, credit, '来源');
    credit.appendChild(document.createTextNode('；训练集 ' + cfg.n_train + ' 张、测试集 ' + cfg.n_test +
                                               ' 张，每类各取前若干张。'));

    var worker = null, phase = 'idle', running = false, last = null, pending = [], times = [];
    var pixels = null;      // the strip's test images, kept by the page
    function isDefault() { return s.lr === D.lr && s.batch === D.batch && s.seed === D.seed; }
    function state() {
      root.d2lState = {controls: {lr: s.lr, batch: s.batch, epochs: s.epochs, seed: s.seed},
                       phase: phase, running: running, reference: isDefault(),
                       epoch: last ? last.epoch : 0, steps: last ? last.steps : 0,
                       history: last ? last.history : {loss: [], train_acc: [], test_acc: [], ms: []},
                       diverged: last ? last.diverged : null, W: last ? last.W : null,
                       confusion: last ? last.test.confusion : null, say: live.textContent,
                       times: times, renderMs: renderMs};
    }
    function writeHash() {
      hash.write(name, {lr: lrText(s.lr), batch: s.batch, epochs: s.epochs, seed: s.seed});
    }

    /* views */
    function drawCurves(hist) {
      var E = Math.max(s.epochs, hist.loss.length, 1), useRef = isDefault();
      var maxLoss = Math.max.apply(null, [2.5].concat(hist.loss.filter(isFinite),
                                                      useRef ? ref.loss : []));
      var specs = [{y: [0, maxLoss * 1.05], label: '训练损失', keys: ['loss']},
                   {y: [0, 1], label: '准确率', keys: ['train_acc', 'test_acc']}];
      var dash = {loss: undefined, train_acc: undefined, test_acc: '7 4'};
      var series = {loss: 'l2', train_acc: 'l2', test_acc: 'l1'};
      var label = {loss: '训练损失', train_acc: '训练准确率', test_acc: '测试准确率'};
      specs.forEach(function (sp, j) {
        var p = U.panel(svgs[j], {xlim: [0, E], ylim: sp.y, xlabel: '轮数', ylabel: sp.label});
        var items = [];
        sp.keys.forEach(function (k) {
          var xs = hist[k].map(function (_, i) { return i + 1; });
          if (useRef) {
            var rx = ref[k].map(function (_, i) { return i + 1; }).filter(function (x) { return x <= E; });
            U.polyline(p, rx, ref[k].slice(0, rx.length), {stroke: 'currentColor', 'stroke-width': 7,
              'stroke-opacity': 0.25, 'data-series': 'reference'});
          }
          U.polyline(p, xs, hist[k], {stroke: U.color(series[k]), 'stroke-width': 2.2,
                                      'stroke-dasharray': dash[k], 'data-series': k});
          xs.forEach(function (x, i) {
            U.svgEl('circle', {cx: p.sx(x), cy: p.sy(hist[k][i]), r: 3.5, fill: U.color(series[k])}, p.layer);
          });
          items.push({label: label[k] + '（网页）', color: U.color(series[k]), kind: 'line', dash: dash[k]});
        });
        if (useRef) items.push({label: 'PyTorch 参考', color: 'currentColor', kind: 'line', width: 7});
        U.legend(p, items, p.x0 + 10, p.y1 + 14);
      });
      var n = hist.loss.length;
      svgs[0].setAttribute('aria-label', '折线图：训练损失随轮数变化' + (n ? '，第 ' + n + ' 轮为 ' +
        num(hist.loss[n - 1], 4) : '，尚未训练') + (useRef ? '；灰色宽线是 PyTorch 的参考曲线' : ''));
      svgs[1].setAttribute('aria-label', '折线图：训练准确率和测试准确率随轮数变化' + (n ? '，第 ' + n +
        ' 轮为 ' + pct(hist.train_acc[n - 1]) + ' 和 ' + pct(hist.test_acc[n - 1]) : '，尚未训练'));
      var rows = hist.loss.map(function (v, i) {
        var out = [String(i + 1), num(v, 4), pct(hist.train_acc[i]), pct(hist.test_acc[i])];
        if (useRef && i < ref.loss.length) out.push(num(ref.loss[i], 4), pct(ref.test_acc[i]));
        return out;
      });
      var old = curveTable.querySelector('table');
      if (old) old.remove();
      table(curveTable, '每轮的数字', ['轮', '训练损失', '训练准确率', '测试准确率']
            .concat(useRef ? ['参考损失', '参考测试准确率'] : []), rows);
    }
    function drawTemplates(W) {
      canv.forEach(function (c, k) {
        var m = paintTemplate(c, W, k);
        c.setAttribute('aria-label', names[k] + ' 的权重模板，最大 |w| = ' + num(m, 3));
      });
    }
    // The confusion matrix and the strip are built once (placeholders before training) and
    // then only filled in: the page around the lab is never laid out again while it trains.
    var cmCells = [], stripItems = [], per = cfg.n_test / K;
    (function build() {
      var t = el('table', {'class': 'd2l-lab-cm'}, confusion);
      el('caption', {}, t, '测试集上的混淆矩阵（行：真实类别，列：预测类别；每类 ' + per + ' 张）');
      var tr = el('tr', {}, el('thead', {}, t));
      el('td', {}, tr);
      names.forEach(function (n) { el('th', {scope: 'col'}, tr, n); });
      var body = el('tbody', {}, t);
      names.forEach(function (n) {
        var row = el('tr', {}, body);
        el('th', {scope: 'row'}, row, n);
        for (var j = 0; j < K; j++) cmCells.push(el('td', {}, row, '–'));
      });
      el('p', {'class': 'd2l-lab-head'}, strip, '测试图片与模型给出的前三个类别');
      var list = el('ul', {'class': 'd2l-lab-preds'}, strip);
      cfg.strip.forEach(function () {
        var li = el('li', {}, list);
        stripItems.push({canvas: el('canvas', {width: 28, height: 28, 'aria-hidden': 'true'}, li),
                         truth: el('p', {}, li, '真实：—'), top: el('p', {}, li, '开始训练后显示'),
                         painted: false});
      });
    })();
    function drawConfusion(cm) {
      cmCells.forEach(function (td, q) {
        td.textContent = cm ? String(cm[q]) : '–';
        td.style.background = cm ? 'rgba(' + (q % (K + 1) === 0 ? '0,158,115' : '213,94,0') + ',' +
          (0.45 * cm[q] / per).toFixed(3) + ')' : '';
      });
    }
    function drawStrip(test) {
      stripItems.forEach(function (it, i) {
        var p = test && pixels ? test.strip[i] : null;
        if (p && !it.painted) { paintImage(it.canvas, pixels[i]); it.painted = true; }
        it.truth.textContent = p ? '真实：' + names[p.label] + (p.top[0][0] === p.label ? '（✓）' : '（✗）') : '真实：—';
        it.top.textContent = p ? p.top.map(function (t) { return names[t[0]] + ' ' + pct(t[1]); }).join('、')
          : '开始训练后显示';
      });
    }
    function statusText() {
      var hist = last ? last.history : {loss: []}, n = hist.loss.length;
      var head = '学习率 = ' + lrText(s.lr) + '，批量大小 = ' + s.batch + '，种子 = ' + s.seed + '：';
      if (!last) return [head + '按“训练”开始（' + size.textContent + '）', isDefault() ?
        '默认设置下，图中灰色宽线是 PyTorch 在同一子集、同样初始参数和顺序上训练的结果。' :
        '参考曲线只在默认设置（学习率 0.1、批量 256、种子 0）下显示。'];
      var t = head + '第 ' + n + ' 轮 / 共 ' + s.epochs + ' 轮（' + last.steps + ' 步）';
      if (n) t += '：训练损失 ' + num(hist.loss[n - 1], 4) + '，训练准确率 ' + pct(hist.train_acc[n - 1]) +
        '，测试准确率 ' + pct(hist.test_acc[n - 1]);
      var d = '';
      if (isDefault() && n) {
        var m = 0;
        for (var i = 0; i < Math.min(n, ref.loss.length); i++) m = Math.max(m, Math.abs(hist.loss[i] - ref.loss[i]));
        d = '与 PyTorch 的参考损失最多相差 ' + m.toExponential(1) + '。';
      } else if (!isDefault()) d = '不是默认设置：不画 PyTorch 的参考曲线。';
      if (last.running) d += '本轮进行中：已训练 ' + last.pos + ' / ' + last.n + ' 张，平均损失 ' + num(last.running.loss, 4) + '。';
      return [t, d];
    }
    var renderMs = [], init = null;     // init: the initial weights of a seed (drawn before data)
    function render(snap, say) {
      var t0 = performance.now();
      if (snap) last = snap;
      var hist = last ? last.history : {loss: [], train_acc: [], test_acc: []};
      drawCurves(hist);
      if (!last && (!init || init.seed !== s.seed)) init = {seed: s.seed, W: T.initialWeights(T.mulberry32(s.seed))};
      drawTemplates(last ? last.W : init.W);
      drawConfusion(last && last.test.confusion);
      drawStrip(last && last.test);
      var text = statusText();
      line1.textContent = text[0]; line2.textContent = text[1];
      var dv = last && last.diverged;
      warn.hidden = !dv;
      warn.textContent = '';
      if (dv) {
        warn.appendChild(document.createTextNode('训练在第 ' + (dv.step + 1) + ' 步停止：一个 logit 达到 ' +
          (isFinite(dv.maxLogit) ? num(dv.maxLogit, 1) : '非有限值') + '，超过 88.72。本章从零写的 softmax 先算 exp(o)，' +
          '在 float32 里会溢出成 inf，损失变成 NaN：学习率太大，训练发散了。见'));
        el('a', {href: cfg.stability_href}, warn, '第 04 章的“数值稳定性”一节');
        warn.appendChild(document.createTextNode('；换一个小一些的学习率再按“重置”。'));
      }
      play.textContent = running ? '暂停' : '训练';
      if (say) live.textContent = say;
      if (phase !== 'idle') {             // (not while the page loads: no forced layout then)
        void root.offsetHeight;           // style and layout now: timed with the redraw
        renderMs.push([t0, performance.now() - t0]);
      }
      state();
    }

    /* the worker and the data */
    function post(m) { if (phase === 'ready') worker.postMessage(m); else pending.push(m); }
    function settings() { return {lr: s.lr, batch: s.batch, seed: s.seed}; }
    function load() {
      if (phase !== 'idle') return;
      phase = 'loading';
      line2.textContent = '正在下载数据（' + (cfg.data_bytes / 1e6).toFixed(1) + ' MB）……';
      worker = new Worker(URL.createObjectURL(new Blob([T.source], {type: 'text/javascript'})));
      worker.onmessage = onMessage;
      worker.postMessage({type: 'init', url: siteRoot() + cfg.data_file});
    }
    function loadHere() {                 // from file:// a worker cannot read files: a <script>
      var script = document.createElement('script');
      script.src = siteRoot() + cfg.data_file;
      script.onload = function () {
        var file = window.d2lTrainingData;
        window.d2lTrainingData = null;
        worker.postMessage({type: 'init', file: file});
      };
      script.onerror = function () { phase = 'idle'; line2.textContent = '数据没有下载成功（' + cfg.data_file + '）。'; };
      document.head.appendChild(script);
    }
    function onMessage(e) {
      var m = e.data;
      if (m.type === 'ready') {
        phase = 'ready';
        worker.postMessage({type: 'reset', settings: settings(), show: cfg.strip});
        pending.splice(0).forEach(function (p) { worker.postMessage(p); });
        return;
      }
      if (m.type === 'need-data') { loadHere(); return; }
      if (m.type === 'error') { line2.textContent = '数据无法解压：' + m.message; return; }
      if (m.type === 'pixels') { pixels = m.pixels; return; }
      running = m.running;
      var hst = m.state.history, n = hst.loss.length, say = null;
      if (m.type === 'epoch' || m.type === 'done') {
        times.push(hst.ms[n - 1]);
        say = '第 ' + n + ' 轮：训练损失 ' + num(hst.loss[n - 1], 3) + '，测试准确率 ' + pct(hst.test_acc[n - 1]) +
          (m.type === 'done' ? '。训练完成。' : '');
      } else if (m.type === 'diverged') {
        say = '训练发散，已停止：logit 超过 88.72。';
      } else if (m.type === 'step') {
        say = '单步：第 ' + m.state.steps + ' 步，本轮平均损失 ' + (m.state.running ? num(m.state.running.loss, 3) : num(hst.loss[n - 1], 3));
      } else if (m.type === 'paused') {
        say = '已暂停，第 ' + n + ' 轮。';
      }
      render(m.state, say);
    }
    function start() {
      load();
      if (running) { running = false; post({type: 'pause'}); play.textContent = '训练'; state(); return; }
      var done = last ? last.history.loss.length : 0;
      running = true; play.textContent = '暂停';
      post({type: 'run', epochs: done >= s.epochs ? done + s.epochs : s.epochs});
      state();
    }
    function restart(newSeed, why) {
      if (newSeed) {
        s.seed = Math.floor(Math.random() * 4294967296);
        why = '已重置：新的随机初始参数（种子 ' + s.seed + '）。';
      }
      running = false; last = null; times.length = 0;
      if (phase !== 'idle') post({type: 'reset', settings: settings(), show: cfg.strip});
      writeHash(); render(null, null); sayLater(why);
    }
    var sayTimer = null;                  // a burst of key presses on a control: said once
    function sayLater(text) {
      if (sayTimer !== null) clearTimeout(sayTimer);
      sayTimer = setTimeout(function () { sayTimer = null; live.textContent = text; state(); }, 350);
    }
    play.addEventListener('click', start);
    stepB.addEventListener('click', function () { load(); running = false; post({type: 'step'}); });
    reset.addEventListener('click', function () { restart(true); });
    lr.addEventListener('input', function () {
      s.lr = lrs[+lr.value]; showControls();
      restart(false, '学习率 ' + lrText(s.lr) + '：模型回到初始参数。');
    });
    function intInput(input, key, lo, hi) {
      input.addEventListener('change', function () {
        var v = parseInt(input.value, 10);
        s[key] = isFinite(v) ? clampInt(v, lo, hi) : s[key];
        showControls();
        if (key === 'batch') restart(false, '批量大小 ' + s.batch + '：模型回到初始参数。');
        else { writeHash(); render(null, null); sayLater('训练轮数 ' + s.epochs + '。'); }
      });
    }
    intInput(batch, 'batch', 1, cfg.n_train);
    intInput(epochs, 'epochs', 1, cfg.max_epochs);
    root.d2lLab = {load: load, start: start};
    render(null, null);
    if (h) root.scrollIntoView();
  }

  X.register('training', {maths: T, mount: mount});
})();
