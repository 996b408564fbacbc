/* The training lab's trainer (d2lhelpers/explorers/training.py): pure maths, no page.
 *
 * The same text runs in three places: inline in the page (window.d2lTrainer, for tests and
 * curious readers), as the source of the lab's Web Worker (made from a Blob URL, so it works
 * from file:// too; explorer-training.js), and under Node.js (module.exports; the oracle test).
 * It is a file of its own because the page part (controls, views) is another concept and the
 * two together pass 400 lines.
 *
 * What it does is what chapter 06 does, in float32 (Float32Array storage, Math.fround where a
 * value is rounded): logits O = XW + b, a stable log-softmax, the mean cross-entropy of each
 * minibatch, its gradient X^T (Yhat - Y) / n, plain SGD. Mulberry32 (as Python's) draws the
 * initial W (Box-Muller, std 0.01; b = 0) and every epoch's order (Fisher-Yates).
 */
(function (root) {
  'use strict';
  var D = 784, K = 10;
  var OVERFLOW_LOGIT = 88.72;   // float32 exp overflows above ln(3.4e38): the chapter's softmax fails
  var LUT = new Float32Array(256);               // pixel -> float32(p / 255), as ToTensor
  for (var p = 0; p < 256; p++) LUT[p] = p / 255;

  function mulberry32(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = Math.imul(a ^ (a >>> 15), a | 1);
      t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function initialWeights(rand) {
    var W = new Float32Array(D * K);
    for (var i = 0; i < W.length; i++) {
      var u1 = 1 - rand(), u2 = rand();
      W[i] = 0.01 * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return W;
  }

  function permutation(rand, n) {
    var order = new Int32Array(n);
    for (var i = 0; i < n; i++) order[i] = i;
    for (i = n - 1; i > 0; i--) {
      var j = Math.floor(rand() * (i + 1)), t = order[i];
      order[i] = order[j]; order[j] = t;
    }
    return order;
  }

  // logits of image i (pixels px at offset i * D) into o[at .. at + K), float32
  function logits(px, i, W, b, o, at, acc) {
    for (var k = 0; k < K; k++) acc[k] = 0;
    for (var j = 0, base = i * D; j < D; j++) {
      var v = px[base + j];
      if (v === 0) continue;
      var x = LUT[v], w = j * K;
      for (k = 0; k < K; k++) acc[k] += x * W[w + k];
    }
    for (k = 0; k < K; k++) o[at + k] = Math.fround(acc[k]) + b[k];   // stored as float32
  }

  // the data: {pixels: Uint8Array (train then test images), labels: Uint8Array, nTrain, nTest}
  function Trainer(data, settings) {
    this.data = data;
    this.lr = settings.lr; this.batch = settings.batch; this.seed = settings.seed >>> 0;
    this.rand = mulberry32(this.seed);
    this.W = initialWeights(this.rand);
    this.b = new Float32Array(K);
    this.n = data.nTrain;
    this.order = null; this.pos = 0; this.epoch = 0; this.steps = 0; this.diverged = null;
    this.sumLoss = 0; this.correct = 0; this.seen = 0;
    this.history = {loss: [], train_acc: [], test_acc: [], ms: []};
    this.o = new Float32Array(settings.batch * K);
    this.g = new Float64Array(D * K);
    this.acc = new Float64Array(K);
    this.epochMs = 0;
  }

  // One minibatch: forward, loss, gradient, SGD. Returns false (and does nothing) where a logit
  // passes OVERFLOW_LOGIT or the loss is not finite: the run has diverged.
  Trainer.prototype.step = function () {
    if (this.diverged !== null) return false;
    var t0 = now();
    var d = this.data, px = d.pixels, labels = d.labels, W = this.W, b = this.b;
    if (this.pos === 0) this.order = permutation(this.rand, this.n);
    var m = Math.min(this.batch, this.n - this.pos), o = this.o, g = this.g, k, i;
    var lossSum = 0, correct = 0, maxO = -Infinity;
    for (i = 0; i < m; i++) {
      var idx = this.order[this.pos + i], at = i * K;
      logits(px, idx, W, b, o, at, this.acc);
      var best = 0, mx = o[at];
      for (k = 1; k < K; k++) if (o[at + k] > mx) { mx = o[at + k]; best = k; }
      if (mx > maxO) maxO = mx;
      var s = 0;
      for (k = 0; k < K; k++) s += Math.exp(o[at + k] - mx);
      var y = labels[idx], lse = Math.log(s);
      lossSum += Math.fround(mx + lse - o[at + y]);                 // -log softmax(o)_y
      if (best === y) correct++;
      for (k = 0; k < K; k++) {                                      // (softmax - onehot) / m
        o[at + k] = Math.fround((Math.exp(o[at + k] - mx - lse) - (k === y ? 1 : 0)) / m);
      }
    }
    if (!(maxO <= OVERFLOW_LOGIT) || !isFinite(lossSum)) {
      this.diverged = {step: this.steps, maxLogit: maxO};
      return false;
    }
    g.fill(0);
    var gb = this.acc;
    for (k = 0; k < K; k++) gb[k] = 0;
    for (i = 0; i < m; i++) {                                        // X^T G and sum of G
      var base = this.order[this.pos + i] * D, gi = i * K;
      for (k = 0; k < K; k++) gb[k] += o[gi + k];
      for (var j = 0; j < D; j++) {
        var v = px[base + j];
        if (v === 0) continue;
        var x = LUT[v], w = j * K;
        for (k = 0; k < K; k++) g[w + k] += x * o[gi + k];
      }
    }
    var lr = this.lr;
    for (var q = 0; q < D * K; q++) if (g[q] !== 0) W[q] = W[q] - Math.fround(lr * Math.fround(g[q]));
    for (k = 0; k < K; k++) b[k] = b[k] - Math.fround(lr * Math.fround(gb[k]));
    this.steps++; this.pos += m;
    this.sumLoss += lossSum; this.correct += correct; this.seen += m;
    this.epochMs += now() - t0;
    if (this.pos >= this.n) this.endEpoch();
    return true;
  };

  Trainer.prototype.endEpoch = function () {
    var h = this.history, t0 = now(), acc = this.evaluate().acc;
    h.loss.push(this.sumLoss / this.seen);
    h.train_acc.push(this.correct / this.seen);
    h.test_acc.push(acc);
    h.ms.push(this.epochMs + now() - t0);       // the epoch's steps and its test pass
    this.epoch++; this.pos = 0; this.sumLoss = 0; this.correct = 0; this.seen = 0;
    this.epochMs = 0;
  };

  // The test subset: accuracy, confusion matrix (row: true class), the top 3 of the first `show`
  Trainer.prototype.evaluate = function (show) {
    var d = this.data, nT = d.nTest, off = d.nTrain, o = new Float32Array(K);
    var confusion = new Int32Array(K * K), right = 0, strip = [], k;
    for (var i = 0; i < nT; i++) {
      logits(d.pixels, off + i, this.W, this.b, o, 0, this.acc);
      var best = 0;
      for (k = 1; k < K; k++) if (o[k] > o[best]) best = k;
      var y = d.labels[off + i];
      confusion[y * K + best]++;
      if (best === y) right++;
      if (show && strip.length < show.length && show.indexOf(i) >= 0) {
        var mx = o[best], s = 0, p = [];
        for (k = 0; k < K; k++) s += Math.exp(o[k] - mx);
        for (k = 0; k < K; k++) p.push([k, Math.exp(o[k] - mx) / s]);
        p.sort(function (u, v) { return v[1] - u[1]; });
        strip.push({index: i, label: y, top: p.slice(0, 3)});
      }
    }
    return {acc: right / nT, confusion: Array.from(confusion), strip: strip};
  };

  // What the page draws: the numbers so far and the views of the current weights
  Trainer.prototype.snapshot = function (show) {
    var ev = this.evaluate(show);
    return {epoch: this.epoch, steps: this.steps, pos: this.pos, n: this.n,
            history: this.history, diverged: this.diverged,
            running: this.seen ? {loss: this.sumLoss / this.seen, acc: this.correct / this.seen}
              : null,
            W: Array.from(this.W), b: Array.from(this.b), test: ev};
  };

  function now() { return typeof performance !== 'undefined' ? performance.now() : Date.now(); }

  // base64 of zlib bytes (the site's data file) -> Promise of {pixels, labels, nTrain, nTest}
  function unpack(file) {
    var bin = atob(file.data), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer().then(function (buf) {
      var all = new Uint8Array(buf), nL = file.nTrain + file.nTest;
      if (all.length !== file.rawBytes) throw new Error('data: ' + all.length + ' bytes');
      return {labels: all.subarray(0, nL), pixels: all.subarray(nL), nTrain: file.nTrain,
              nTest: file.nTest};
    });
  }

  // The worker: messages init / reset / run / pause / step; answers with snapshots.
  function serve(self) {
    var data = null, trainer = null, running = false, target = 0, show = [];
    function post(type) {
      self.postMessage({type: type, state: trainer.snapshot(show), running: running});
    }
    function loop() {
      if (!running) return;
      var t0 = now();
      while (running && now() - t0 < 25) {
        var epoch = trainer.epoch;
        if (!trainer.step()) { running = false; post('diverged'); return; }
        if (trainer.epoch !== epoch) {
          if (trainer.epoch >= target) running = false;
          post(running ? 'epoch' : 'done');
        }
      }
      if (running) setTimeout(loop, 0);
    }
    self.onmessage = function (e) {
      var m = e.data;
      if (m.type === 'init') {
        var file = m.file;
        if (!file) {      // over http the worker reads the data file itself (off the page's thread)
          try { self.importScripts(m.url); file = self.d2lTrainingData; } catch (err) { file = null; }
          if (!file) { self.postMessage({type: 'need-data'}); return; }   // file://: the page loads it
        }
        unpack(file).then(function (d) { data = d; self.postMessage({type: 'ready'}); },
                            function (err) { self.postMessage({type: 'error', message: String(err)}); });
        return;
      }
      if (m.type === 'reset') {
        running = false;
        if (m.show) {                              // the test images the page shows
          show = m.show;
          self.postMessage({type: 'pixels', pixels: show.map(function (i) {
            var at = (data.nTrain + i) * D;
            return Array.from(data.pixels.subarray(at, at + D));
          })});
        }
        trainer = new Trainer(data, m.settings);
        post('reset');
      } else if (m.type === 'run') {
        target = m.epochs; running = true; loop();
      } else if (m.type === 'pause') {
        running = false; post('paused');
      } else if (m.type === 'step') {
        running = false;
        post(trainer.step() ? 'step' : 'diverged');
      }
    };
  }

  var api = {mulberry32: mulberry32, initialWeights: initialWeights, permutation: permutation,
             Trainer: Trainer, unpack: unpack, serve: serve, OVERFLOW_LOGIT: OVERFLOW_LOGIT};
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.d2lTrainer = api;
  if (typeof document !== 'undefined' && document.currentScript) {
    api.source = document.currentScript.textContent;     // what the worker is made of
  } else if (typeof WorkerGlobalScope !== 'undefined' && root instanceof WorkerGlobalScope) {
    serve(root);
  }
})(typeof self !== 'undefined' ? self : globalThis);
