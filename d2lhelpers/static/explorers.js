/* The d2lhelpers explorers on a static page: no kernel, no network.
 *
 * d2lhelpers/static_view.py writes, for each explorer, a <div class="d2l-explorer"
 * data-kind="softmax|huber|outlier"> holding a JSON config (controls, data, reference values
 * computed by the Python functions), followed by this script. The script builds the controls
 * (range inputs, radio buttons), recomputes the numbers in the browser whenever a control
 * moves (the same arithmetic as d2lhelpers, in doubles) and draws them as SVG.
 *
 * For tests and readers' curiosity each explorer element carries:
 *   el.d2lState  the numbers currently drawn (full precision), and the control values;
 *   el.d2lTimes  the time (ms) each redraw took.
 * The maths is also exposed as window.d2lExplorers.maths.
 */
(function () {
  'use strict';
  if (window.d2lExplorers) {            // a second explorer on the page: the code is loaded
    window.d2lExplorers.initAll();
    return;
  }

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var C0 = '#1f77b4', C1 = '#ff7f0e', C2 = '#2ca02c', C3 = '#d62728';
  var SUB = '₀₁₂₃₄₅₆₇₈₉';
  var W = 480, H = 300;                 // the viewBox of one panel

  /* ---------------- the maths (mirrors d2lhelpers) ---------------- */

  // softmax(o / T), cross-entropy -log y_hat[k], gradient (y_hat - y) / T
  // (d2lhelpers.explorer_data.softmax_state)
  function softmaxState(logits, k, T) {
    var s = logits.map(function (o) { return o / T; });
    var m = Math.max.apply(null, s);
    var ex = s.map(function (v) { return Math.exp(v - m); });
    var sum = ex.reduce(function (a, b) { return a + b; }, 0);
    var probs = ex.map(function (v) { return v / sum; });
    var target = logits.map(function (_, i) { return i === k ? 1 : 0; });
    var grad = probs.map(function (p, i) { return (p - target[i]) / T; });
    var loss = -(s[k] - (m + Math.log(sum)));
    return {probs: probs, target: target, grad: grad, loss: loss};
  }

  // n evenly spaced points in [-r, r], as d2lhelpers.explorer_data.errors computes them
  function errorGrid(r, n) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) out[i] = (2 * i - (n - 1)) / (n - 1) * r;
    return out;
  }

  // L2, L1, Huber losses and gradients over e = y_hat - y (d2lhelpers.explorer_data.huber_curves)
  function huberCurves(delta, r, n) {
    var e = errorGrid(r, n);
    var c = {e: e, l2: [], l1: [], huber: [], l2_grad: [], l1_grad: [], huber_grad: []};
    e.forEach(function (v) {
      var a = Math.abs(v);
      c.l2.push(v * v / 2);
      c.l1.push(a);
      c.huber.push(a <= delta ? v * v / 2 : delta * (a - delta / 2));
      c.l2_grad.push(v);
      c.l1_grad.push(v > 0 ? 1 : v < 0 ? -1 : 0);
      c.huber_grad.push(Math.min(Math.max(v, -delta), delta));
    });
    return c;
  }

  var GRADS = {
    l2: function (e) { return e; },
    l1: function (e) { return e > 0 ? 1 : e < 0 ? -1 : 0; },
    huber: function (e, delta) { return Math.min(Math.max(e, -delta), delta); }
  };

  // full-batch gradient descent on y_hat = w x + b (d2lhelpers.fitting.fit_line)
  function fitLine(x, y, loss, delta, steps, lr) {
    var n = x.length, w = 0, b = 0, grad = GRADS[loss];
    for (var t = 0; t < steps; t++) {
      var gx = 0, g1 = 0;
      for (var i = 0; i < n; i++) {
        var g = grad(w * x[i] + b - y[i], delta);
        gx += g * x[i];
        g1 += g;
      }
      var lrT = lr * (1 - t / steps) + 1e-3;
      w = w - lrT * (gx / n);
      b = b - lrT * (g1 / n);
    }
    return [w, b];
  }

  // d2lhelpers.fitting.outlier_data: the outliers pulled down by shift * pull
  function outlierY(data, shift) {
    var y = data.base.slice();
    data.outliers.forEach(function (i, j) { y[i] = data.base[i] - shift * data.pulls[j]; });
    return y;
  }

  /* ---------------- small helpers ---------------- */

  function svgEl(tag, attrs, parent, text) {
    var node = document.createElementNS(SVG_NS, tag);
    for (var key in attrs) if (attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function htmlEl(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    for (var key in attrs) if (attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  // Python's f'{v:.{d}f}' and f'{v:+.{d}f}' (ASCII minus, as in the kernel view)
  function fmt(v, d) {
    var s = Math.abs(v).toFixed(d);
    return (v < 0 && Number(s) !== 0 ? '-' : '') + s;
  }
  function fmtSigned(v, d) {
    var s = Math.abs(v).toFixed(d);
    return (v < 0 || Object.is(v, -0) ? '-' : '+') + s;
  }

  function niceTicks(lo, hi, count) {
    var span = hi - lo, raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; })
      .find(function (s) { return s >= raw; });
    var out = [];
    for (var v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * span; v += step) {
      out.push(Math.abs(v) < 1e-12 ? 0 : v);
    }
    return out;
  }

  function tickLabel(v) {
    var s = String(+v.toFixed(6));
    return s.charAt(0) === '-' ? '\u2212' + s.slice(1) : s;
  }

  /* One panel: an <svg> with axes, grid, ticks, labels; returns scales and a layer to draw in.
   * opts: {xlim, ylim, xlabel, ylabel, title, xticks, yticks, xtickLabels} */
  function panel(svg, opts) {
    var m = {l: 62, r: 12, t: 30, b: 50};
    var x0 = m.l, x1 = W - m.r, y0 = H - m.b, y1 = m.t;
    var sx = function (v) { return x0 + (v - opts.xlim[0]) / (opts.xlim[1] - opts.xlim[0]) * (x1 - x0); };
    var sy = function (v) { return y0 - (v - opts.ylim[0]) / (opts.ylim[1] - opts.ylim[0]) * (y0 - y1); };
    var clipId = svg.getAttribute('data-uid') + '-clip';
    var defs = svgEl('defs', {}, svg);
    var clip = svgEl('clipPath', {id: clipId}, defs);
    svgEl('rect', {x: x0, y: y1, width: x1 - x0, height: y0 - y1}, clip);
    var grid = svgEl('g', {'class': 'd2l-x-grid'}, svg);
    var xt = opts.xticks || niceTicks(opts.xlim[0], opts.xlim[1], 6);
    var yt = opts.yticks || niceTicks(opts.ylim[0], opts.ylim[1], 5);
    var axis = svgEl('g', {'class': 'd2l-x-axis'}, svg);
    xt.forEach(function (v, i) {
      svgEl('line', {x1: sx(v), x2: sx(v), y1: y0, y2: y1}, grid);
      svgEl('line', {x1: sx(v), x2: sx(v), y1: y0, y2: y0 + 5}, axis);
      svgEl('text', {x: sx(v), y: y0 + 21, 'text-anchor': 'middle'}, axis,
            opts.xtickLabels ? opts.xtickLabels[i] : tickLabel(v));
    });
    yt.forEach(function (v) {
      svgEl('line', {x1: x0, x2: x1, y1: sy(v), y2: sy(v)}, grid);
      svgEl('line', {x1: x0 - 5, x2: x0, y1: sy(v), y2: sy(v)}, axis);
      svgEl('text', {x: x0 - 8, y: sy(v) + 6, 'text-anchor': 'end'}, axis, tickLabel(v));
    });
    svgEl('rect', {x: x0, y: y1, width: x1 - x0, height: y0 - y1, fill: 'none'}, axis);
    svgEl('text', {x: (x0 + x1) / 2, y: H - 8, 'text-anchor': 'middle', 'class': 'd2l-x-label'},
          axis, opts.xlabel);
    svgEl('text', {x: 16, y: (y0 + y1) / 2, 'text-anchor': 'middle', 'class': 'd2l-x-label',
                   transform: 'rotate(-90 16 ' + (y0 + y1) / 2 + ')'}, axis, opts.ylabel);
    if (opts.title) {
      svgEl('text', {x: (x0 + x1) / 2, y: 20, 'text-anchor': 'middle', 'class': 'd2l-x-title'},
            axis, opts.title);
    }
    var layer = svgEl('g', {'clip-path': 'url(#' + clipId + ')'}, svg);
    var top = svgEl('g', {}, svg);   // texts and legends, not clipped
    return {sx: sx, sy: sy, layer: layer, top: top, x0: x0, x1: x1, y0: y0, y1: y1};
  }

  function polyline(p, xs, ys, attrs) {
    var pts = xs.map(function (x, i) { return p.sx(x).toFixed(2) + ',' + p.sy(ys[i]).toFixed(2); });
    var a = {points: pts.join(' '), fill: 'none'};
    for (var k in attrs) a[k] = attrs[k];
    return svgEl('polyline', a, p.layer);
  }

  // a legend box at (x, y) in the panel: items [{label, color, kind: line|box|dashed|area|dot}]
  function legend(p, items, x, y, columns) {
    var g = svgEl('g', {'class': 'd2l-x-legend'}, p.top);
    var colW = columns ? (p.x1 - p.x0 - 12) / columns : 0;
    items.forEach(function (it, i) {
      var cx = x + (columns ? (i % columns) * colW : 0);
      var cy = y + (columns ? Math.floor(i / columns) : i) * 20;
      if (it.kind === 'line') {
        svgEl('line', {x1: cx, x2: cx + 20, y1: cy, y2: cy, stroke: it.color,
                       'stroke-width': it.width || 2, 'stroke-dasharray': it.dash}, g);
      } else if (it.kind === 'dot') {
        svgEl('circle', {cx: cx + 10, cy: cy, r: 4, fill: it.color}, g);
      } else {
        svgEl('rect', {x: cx + 3, y: cy - 6, width: 14, height: 12,
                       fill: it.kind === 'dashed' ? 'none' : it.color,
                       'fill-opacity': it.kind === 'area' ? 0.2 : 1,
                       stroke: it.kind === 'dashed' ? 'currentColor' : 'none',
                       'stroke-dasharray': it.kind === 'dashed' ? '3 2' : undefined}, g);
      }
      svgEl('text', {x: cx + 25, y: cy + 4}, g, it.label);
    });
    return g;
  }

  /* ---------------- controls ---------------- */

  var nextId = 0;

  // Build the control rows from config.controls; call onChange() after any change.
  function buildControls(root, box, controls, onChange) {
    var inputs = {};
    controls.forEach(function (c) {
      var id = root.id + '-' + c.name;
      var row = htmlEl('div', {'class': 'd2l-x-row'}, box);
      if (c.options) {
        var lab = htmlEl('span', {'class': 'd2l-x-name', id: id + '-label'}, row, c.label);
        var group = htmlEl('span', {'class': 'd2l-x-radios', role: 'radiogroup',
                                    'aria-labelledby': id + '-label'}, row);
        inputs[c.name] = c.options.map(function (opt) {
          var l = htmlEl('label', {'class': 'd2l-x-radio'}, group);
          var input = htmlEl('input', {type: 'radio', name: id, value: String(opt),
                                       'data-control': c.name}, l);
          input.checked = opt === c.value;
          htmlEl('span', {}, l, String(opt));
          input.addEventListener('change', onChange);
          return input;
        });
        lab.setAttribute('lang', c.lang || 'en');
      } else {
        htmlEl('label', {'class': 'd2l-x-name', 'for': id}, row, c.label);
        var input = htmlEl('input', {type: 'range', id: id, min: c.min, max: c.max,
                                     step: c.step, 'data-control': c.name}, row);
        input.value = String(c.value);
        var out = htmlEl('output', {'for': id, 'class': 'd2l-x-value'}, row, fmt(c.value, c.decimals));
        input.addEventListener('input', function () {
          input.dataset.touched = '1';   // from now on the input's (stepped) value counts
          out.textContent = fmt(parseFloat(input.value), c.decimals);
          onChange();
        });
        inputs[c.name] = input;
      }
    });
    return inputs;
  }

  function readControls(inputs, controls, values) {
    controls.forEach(function (c) {
      var inp = inputs[c.name];
      if (Array.isArray(inp)) {
        inp.forEach(function (r) { if (r.checked) values[c.name] = parseInt(r.value, 10); });
      } else if (inp.dataset.touched) {
        values[c.name] = parseFloat(inp.value);
      }
    });
    return values;
  }

  /* ---------------- the three explorers ---------------- */

  function drawSoftmax(cfg, v, figure) {
    var n = cfg.num_classes, k = v.true_class, T = v.T;
    var logits = [];
    for (var i = 0; i < n; i++) logits.push(v['o' + i]);
    var s = softmaxState(logits, k, T);
    figure[0].textContent = '';
    figure[1].textContent = '';
    var classes = logits.map(function (_, i) { return i; });
    var xlim = [-0.6, n - 0.4];
    var p = panel(figure[0], {xlim: xlim, ylim: [0, 1.38], xticks: classes,
                              yticks: [0, 0.2, 0.4, 0.6, 0.8, 1.0], xlabel: 'class',
                              ylabel: 'probability', title: 'ŷ = softmax(o / T)'});
    var bw = p.sx(0.3) - p.sx(0);
    classes.forEach(function (i) {
      var color = i === k ? C1 : C0;
      svgEl('rect', {x: p.sx(i) - 1.33 * bw, width: 2.67 * bw, y: p.sy(s.target[i]),
                     height: p.sy(0) - p.sy(s.target[i]), fill: 'none', stroke: 'currentColor',
                     'stroke-dasharray': '5 3', 'stroke-opacity': 0.8}, p.layer);
      svgEl('rect', {x: p.sx(i) - bw, width: 2 * bw, y: p.sy(s.probs[i]),
                     height: p.sy(0) - p.sy(s.probs[i]), fill: color}, p.layer);
      svgEl('text', {x: p.sx(i), y: p.sy(s.probs[i] + 0.02) - 2, 'text-anchor': 'middle',
                     'class': 'd2l-x-small'}, p.top, fmt(s.probs[i], 3));
    });
    legend(p, [{label: 'one-hot y', kind: 'dashed'}, {label: 'ŷ', color: C0, kind: 'box'},
               {label: 'ŷ of the true class', color: C1, kind: 'box'}], p.x0 + 6, p.y1 + 14, 2);
    var g = panel(figure[1], {xlim: xlim, ylim: [-1.2 / T, 1.2 / T], xticks: classes,
                              xlabel: 'class', ylabel: '∂L/∂o', title: 'gradient (ŷ − y) / T'});
    svgEl('line', {x1: g.x0, x2: g.x1, y1: g.sy(0), y2: g.sy(0), stroke: 'currentColor',
                   'stroke-opacity': 0.7}, g.layer);
    classes.forEach(function (i) {
      var gi = s.grad[i], top = Math.min(g.sy(gi), g.sy(0));
      svgEl('rect', {x: g.sx(i) - bw, width: 2 * bw, y: top,
                     height: Math.abs(g.sy(gi) - g.sy(0)), fill: i === k ? C1 : C0}, g.layer);
      var off = (gi >= 0 ? 0.04 : -0.04) / T;
      svgEl('text', {x: g.sx(i), y: g.sy(gi + off) + (gi >= 0 ? -2 : 11),
                     'text-anchor': 'middle', 'class': 'd2l-x-small'}, g.top, fmtSigned(gi, 3));
    });
    var o = logits.map(function (x) { return fmt(x, 1); }).join(', ');
    var title = 'o = (' + o + '),  T = ' + fmt(T, 2) + ',  true class ' + k +
      ':  cross-entropy −log ŷ' + SUB[k] + ' = ' + fmt(s.loss, 4);
    var detail = 'ŷ = (' + s.probs.map(function (x) { return fmt(x, 3); }).join(', ') +
      '),  gradient (ŷ − y) / T = (' + s.grad.map(function (x) { return fmtSigned(x, 3); }).join(', ') + ')';
    return {numbers: {probs: s.probs, target: s.target, grad: s.grad, loss: s.loss},
            text: [title, detail]};
  }

  function drawHuber(cfg, v, figure) {
    var delta = v.delta, r = v.error_range;
    var c = huberCurves(delta, r, cfg.points);
    figure[0].textContent = '';
    figure[1].textContent = '';
    var styles = {l2: {stroke: C0, 'stroke-width': 1.6}, l1: {stroke: C1, 'stroke-width': 1.6},
                  huber: {stroke: C2, 'stroke-width': 3}};
    var specs = [['loss', [0, 1.125 * r], ''], ['gradient ∂l/∂ŷ', [-1.05 * r, 1.05 * r], '_grad']];
    specs.forEach(function (spec, j) {
      var p = panel(figure[j], {xlim: [-r, r], ylim: spec[1], xlabel: 'ŷ − y', ylabel: spec[0]});
      svgEl('rect', {x: p.sx(-delta), width: p.sx(delta) - p.sx(-delta), y: p.y1,
                     height: p.y0 - p.y1, fill: C2, 'fill-opacity': 0.15}, p.layer);
      ['l2', 'l1', 'huber'].forEach(function (key) {
        polyline(p, c.e, c[key + spec[2]], styles[key]);
      });
      if (j === 0) {
        legend(p, [{label: 'L2: ½e²', color: C0, kind: 'line'},
                   {label: 'L1: |e|', color: C1, kind: 'line'},
                   {label: 'Huber', color: C2, kind: 'line', width: 3},
                   {label: '|e| ≤ δ', color: C2, kind: 'area'}], p.sx(0) - 45, p.y1 + 12);
      }
    });
    var title = 'Huber loss with δ = ' + fmt(delta, 2) +
      ': quadratic where |e| ≤ δ (shaded), linear outside';
    var detail = 'At |e| = ' + fmt(r, 1) + ': L2 = ' + fmt(r * r / 2, 2) + ', L1 = ' + fmt(r, 2) +
      ', Huber = ' + fmt(c.huber[c.huber.length - 1], 2) + ';  Huber\'s gradient is clipped to ±' +
      fmt(delta, 2) + ' (L1: ±1, L2: up to ±' + fmt(r, 1) + ')';
    return {numbers: c, text: [title, detail]};
  }

  function drawOutlier(cfg, v, figure) {
    var data = cfg.data, shift = v.shift, delta = v.delta;
    var y = outlierY(data, shift);
    var fits = {}, errors = {}, params = [], errs = [];
    cfg.losses.forEach(function (loss) {
      var wb = fitLine(data.x, y, loss, delta, cfg.steps, cfg.lr);
      fits[loss] = wb;
      errors[loss] = Math.hypot(wb[0] - data.true_params[0], wb[1] - data.true_params[1]);
      params.push(wb[0], wb[1]);
      errs.push(errors[loss]);
    });
    figure[0].textContent = '';
    figure[1].textContent = '';
    var ymin = Math.min(Math.min.apply(null, y), -1.5) - 0.5;
    var p = panel(figure[0], {xlim: [-1.1, 1.1], ylim: [ymin, 4], xlabel: 'x', ylabel: 'y',
                              title: 'lines fitted to the points'});
    var isOut = {};
    data.outliers.forEach(function (i) { isOut[i] = true; });
    data.x.forEach(function (x, i) {
      svgEl('circle', {cx: p.sx(x), cy: p.sy(y[i]), r: 3.2,
                       fill: isOut[i] ? C3 : 'currentColor',
                       'fill-opacity': isOut[i] ? 1 : 0.55}, p.layer);
    });
    var ends = [-1.1, 1.1];
    var line = function (wb, attrs) {
      return polyline(p, ends, ends.map(function (x) { return wb[0] * x + wb[1]; }), attrs);
    };
    line(data.true_params, {stroke: 'currentColor', 'stroke-dasharray': '6 4', 'stroke-width': 1.3});
    var colors = {l2: C0, l1: C1, huber: C2}, names = {l2: 'L2', l1: 'L1', huber: 'Huber'};
    cfg.losses.forEach(function (loss) {
      line(fits[loss], {stroke: colors[loss], 'stroke-width': loss === 'huber' ? 2.6 : 2});
    });
    legend(p, [{label: 'y = 2x + 1', kind: 'line', color: 'currentColor', dash: '6 4', width: 1.3},
               {label: 'outliers', kind: 'dot', color: C3}]
      .concat(cfg.losses.map(function (l) { return {label: names[l], kind: 'line', color: colors[l]}; })),
           p.x0 + 8, p.y0 - 5 * 20 + 4);
    var emax = Math.max(2, Math.max.apply(null, errs) * 1.2);
    var q = panel(figure[1], {xlim: [-0.5, cfg.losses.length - 0.5], ylim: [0, emax],
                              xticks: cfg.losses.map(function (_, i) { return i; }),
                              xtickLabels: cfg.losses.map(function (l) { return names[l]; }),
                              xlabel: 'loss', ylabel: '‖(w, b) − (w*, b*)‖',
                              title: 'parameter error of each fit'});
    var bw = q.sx(0.3) - q.sx(0);
    cfg.losses.forEach(function (loss, i) {
      svgEl('rect', {x: q.sx(i) - bw, width: 2 * bw, y: q.sy(errors[loss]),
                     height: q.sy(0) - q.sy(errors[loss]), fill: colors[loss]}, q.layer);
      svgEl('text', {x: q.sx(i), y: q.sy(errors[loss]) - 5, 'text-anchor': 'middle',
                     'class': 'd2l-x-small'}, q.top, fmt(errors[loss], 3));
    });
    var pulls = data.pulls.map(function (d) { return fmt(shift * d, 1); }).join(', ');
    var title = 'shift = ' + fmt(shift, 2) + ' (outliers pulled down by ' + pulls + '),  δ = ' +
      fmt(delta, 2);
    var detail = cfg.losses.map(function (l) {
      return names[l] + ': w = ' + fmt(fits[l][0], 3) + ', b = ' + fmt(fits[l][1], 3) +
        ', error ' + fmt(errors[l], 3);
    }).join(';  ');
    return {numbers: {params: params, errors: errs}, text: [title, detail]};
  }

  var KINDS = {softmax: drawSoftmax, huber: drawHuber, outlier: drawOutlier};

  function init(root) {
    if (root.getAttribute('data-ready')) return;
    var cfgNode = root.querySelector('script.d2l-explorer-config');
    var draw = KINDS[root.getAttribute('data-kind')];
    if (!cfgNode || !draw) return;
    var cfg = JSON.parse(cfgNode.textContent);
    if (!root.id) root.id = 'd2l-explorer-' + (nextId++);
    var fallback = root.querySelector('.d2l-x-fallback');
    if (fallback) fallback.hidden = true;
    var app = htmlEl('div', {'class': 'd2l-x-app'}, root);
    htmlEl('p', {'class': 'd2l-x-caption'}, app, cfg.caption);
    var box = htmlEl('div', {'class': 'd2l-x-controls'}, app);
    // the numbers as text, above the figure like the kernel view's title; read out on change
    var status = htmlEl('div', {'class': 'd2l-x-status', 'aria-live': 'polite'}, app);
    var lines = [htmlEl('p', {'class': 'd2l-x-title-text'}, status),
                 htmlEl('p', {'class': 'd2l-x-detail'}, status)];
    var fig = htmlEl('div', {'class': 'd2l-x-figure'}, app);
    var svgs = [0, 1].map(function (j) {
      return svgEl('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'class': 'd2l-x-panel',
                           'aria-label': cfg.panels[j], 'data-uid': root.id + '-p' + j}, fig);
    });
    var values = {};
    cfg.controls.forEach(function (c) { values[c.name] = c.value; });
    root.d2lTimes = [];
    var inputs;
    function redraw() {
      var t0 = performance.now();
      readControls(inputs, cfg.controls, values);
      var out = draw(cfg, values, svgs);
      lines[0].textContent = out.text[0];
      lines[1].textContent = out.text[1];
      var controls = {};
      for (var key in values) controls[key] = values[key];
      root.d2lState = {controls: controls, numbers: out.numbers, text: out.text.join('\n')};
      return performance.now() - t0;
    }
    // before a range input is touched, its initial value (maybe between two steps) counts
    inputs = buildControls(root, box, cfg.controls, function () {
      root.d2lTimes.push(redraw());
    });
    redraw();
    root.setAttribute('data-ready', '1');
  }

  function initAll() {
    var roots = document.querySelectorAll('.d2l-explorer[data-kind]');
    for (var i = 0; i < roots.length; i++) init(roots[i]);
  }

  window.d2lExplorers = {
    init: init, initAll: initAll,
    maths: {softmaxState: softmaxState, huberCurves: huberCurves, fitLine: fitLine,
            outlierY: outlierY, errorGrid: errorGrid}
  };
  if (typeof module !== 'undefined') module.exports = window.d2lExplorers;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', initAll);
  else initAll();
})();
