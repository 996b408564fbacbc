/* The Huber explorer in the browser (d2lhelpers/explorers/huber.py): its maths, its drawing. */
(function () {
  'use strict';
  var X = window.d2lExplorers, U = X.util;

  // n evenly spaced points in [-r, r], as d2lhelpers.explorers.huber.errors computes them
  function errorGrid(r, n) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) out[i] = (2 * i - (n - 1)) / (n - 1) * r;
    return out;
  }

  // L2, L1, Huber losses and gradients over e = y_hat - y (...explorers.huber.huber_curves)
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

  // the series differ in colour, dash and width (never in colour alone)
  var STYLES = {l2: {'stroke-width': 1.8}, l1: {'stroke-width': 1.8, 'stroke-dasharray': '7 4'},
                huber: {'stroke-width': 3.2}};

  function draw(cfg, v, figure) {
    var delta = v.delta, r = v.error_range, names = cfg.names;
    var c = huberCurves(delta, r, cfg.points);
    var specs = [['损失', [0, 1.125 * r], ''], ['梯度 ∂l/∂ŷ', [-1.05 * r, 1.05 * r], '_grad']];
    specs.forEach(function (spec, j) {
      var p = U.panel(figure[j], {xlim: [-r, r], ylim: spec[1], xlabel: 'ŷ − y', ylabel: spec[0]});
      U.svgEl('rect', {x: p.sx(-delta), width: p.sx(delta) - p.sx(-delta), y: p.y1,
                       height: p.y0 - p.y1, fill: U.color('huber'), 'fill-opacity': 0.15}, p.layer);
      [-delta, delta].forEach(function (d) {     // the edges of the quadratic zone
        U.svgEl('line', {x1: p.sx(d), x2: p.sx(d), y1: p.y1, y2: p.y0, stroke: 'currentColor',
                         'stroke-dasharray': '2 3', 'stroke-opacity': 0.8}, p.layer);
      });
      ['l2', 'l1', 'huber'].forEach(function (key) {
        var a = {stroke: U.color(key), 'data-series': key};
        for (var s in STYLES[key]) a[s] = STYLES[key][s];
        U.polyline(p, c.e, c[key + spec[2]], a);
      });
      if (j === 0) {
        U.legend(p, [{label: names.l2 + '：½e²', color: U.color('l2'), kind: 'line', width: 1.8},
                     {label: names.l1 + '：|e|', color: U.color('l1'), kind: 'line', width: 1.8,
                      dash: STYLES.l1['stroke-dasharray']},
                     {label: names.huber, color: U.color('huber'), kind: 'line', width: 3.2},
                     {label: '|e| ≤ δ', color: U.color('huber'), kind: 'area'}],
                 p.sx(0) - 45, p.y1 + 12);
      }
    });
    var last = c.e.length - 1, R = U.fmt(r, 1), D = U.fmt(delta, 2);
    var at = names.l2 + ' = ' + U.fmt(c.l2[last], 2) + '，' + names.l1 + ' = ' + U.fmt(c.l1[last], 2) +
      '，' + names.huber + ' = ' + U.fmt(c.huber[last], 2);
    return {
      numbers: c,
      text: ['δ = ' + D + '：Huber 损失在 |e| ≤ δ（阴影）内是平方，之外是直线',
             '在 |e| = ' + R + ' 处：' + at + '；Huber 的梯度被截在 ±' + D + ' 之内（L1：±1，L2：最大 ±' +
             R + '）'],
      alt: ['折线图：L2、L1、Huber 三种损失随 ŷ − y（−' + R + ' 到 ' + R + '）变化，δ = ' + D +
            '，阴影是 |e| ≤ δ；在 |e| = ' + R + ' 处 ' + at,
            '折线图：三种损失对 ŷ 的梯度；L2 的梯度就是 ŷ − y（最大 ±' + R + '），L1 的是 ±1，' +
            'Huber 的被截在 ±' + D + ' 之内'],
      say: '在 |e| = ' + R + ' 处 ' + at + '；Huber 的梯度最大 ±' + D
    };
  }

  X.register('huber', {maths: {errorGrid: errorGrid, huberCurves: huberCurves}, draw: draw});
})();
