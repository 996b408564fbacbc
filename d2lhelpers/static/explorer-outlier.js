/* The outlier explorer in the browser (d2lhelpers/explorers/outlier.py): its maths, its drawing. */
(function () {
  'use strict';
  var X = window.d2lExplorers, U = X.util;

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

  // the three fits and their parameter errors ||(w, b) - (w*, b*)||, once per setting
  // for each explorer (its config): moving a slider back and forth does not fit again
  function fits(cfg, shift, delta) {
    var seen = cfg.seen || (cfg.seen = {count: 0, fits: {}}), key = shift + '|' + delta;
    if (!seen.fits[key]) {
      if (++seen.count > 500) { seen.fits = {}; seen.count = 1; }
      seen.fits[key] = fitAll(cfg, shift, delta);
    }
    return seen.fits[key];
  }
  function fitAll(cfg, shift, delta) {
    var data = cfg.data, y = outlierY(data, shift), out = {y: y, fits: {}, errors: {}};
    cfg.losses.forEach(function (loss) {
      var wb = fitLine(data.x, y, loss, delta, cfg.steps, cfg.lr);
      out.fits[loss] = wb;
      out.errors[loss] = Math.hypot(wb[0] - data.true_params[0], wb[1] - data.true_params[1]);
    });
    return out;
  }

  var WIDTHS = {l2: 2, l1: 2, huber: 3.2}, DASHES = {l1: '7 4'};

  function draw(cfg, v, figure) {
    var data = cfg.data, shift = v.shift, delta = v.delta, names = cfg.names;
    var f = fits(cfg, shift, delta), y = f.y;
    var ymin = Math.min(Math.min.apply(null, y), -1.5) - 0.5;
    var p = U.panel(figure[0], {xlim: [-1.1, 1.1], ylim: [ymin, 4], xlabel: 'x', ylabel: 'y',
                                title: '拟合的直线'});
    var isOut = {};
    data.outliers.forEach(function (i) { isOut[i] = true; });
    data.x.forEach(function (x, i) {
      if (isOut[i]) U.svgEl('path', {d: U.triangle(p.sx(x), p.sy(y[i]), 6), fill: 'currentColor'}, p.layer);
      else U.svgEl('circle', {cx: p.sx(x), cy: p.sy(y[i]), r: 3.2, fill: 'currentColor',
                              'fill-opacity': 0.6}, p.layer);
    });
    var ends = [-1.1, 1.1];
    var line = function (wb, attrs) {
      return U.polyline(p, ends, ends.map(function (x) { return wb[0] * x + wb[1]; }), attrs);
    };
    line(data.true_params, {stroke: 'currentColor', 'stroke-dasharray': '2 3', 'stroke-width': 1.5});
    cfg.losses.forEach(function (loss) {
      line(f.fits[loss], {stroke: U.color(loss), 'stroke-width': WIDTHS[loss],
                          'stroke-dasharray': DASHES[loss], 'data-series': loss});
    });
    U.legend(p, [{label: cfg.true_line + '（真实直线）', kind: 'line', color: 'currentColor',
                  dash: '2 3', width: 1.5},
                 {label: '离群点', kind: 'tri', color: 'currentColor'}]
      .concat(cfg.losses.map(function (l) {
        return {label: names[l], kind: 'line', color: U.color(l), width: WIDTHS[l], dash: DASHES[l]};
      })), p.x0 + 8, p.y0 - 5 * 20 + 4);
    var errs = cfg.losses.map(function (l) { return f.errors[l]; });
    var emax = Math.max(2, Math.max.apply(null, errs) * 1.2);
    var q = U.panel(figure[1], {xlim: [-0.5, cfg.losses.length - 0.5], ylim: [0, emax],
                                xticks: cfg.losses.map(function (_, i) { return i; }),
                                xtickLabels: cfg.losses.map(function (l) { return names[l]; }),
                                xlabel: '损失', ylabel: '‖(w, b) − (w*, b*)‖',
                                title: '每条直线的参数误差'});
    var bw = q.sx(0.3) - q.sx(0);
    cfg.losses.forEach(function (loss, i) {
      var e = f.errors[loss];
      U.svgEl('rect', {x: q.sx(i) - bw, width: 2 * bw, y: q.sy(e), height: q.sy(0) - q.sy(e),
                       fill: U.color(loss), 'data-series': loss}, q.layer);
      U.svgEl('text', {x: q.sx(i), y: q.sy(e) - 5, 'text-anchor': 'middle', 'class': 'd2l-x-small'},
              q.top, U.fmt(e, 3));
    });
    var pulls = data.pulls.map(function (d) { return U.fmt(shift * d, 1); }).join('、');
    var each = function (part) { return cfg.losses.map(part).join('；'); };
    var errors = cfg.losses.map(function (l) { return names[l] + ' ' + U.fmt(f.errors[l], 3); }).join('，');
    var params = [];
    cfg.losses.forEach(function (l) { params.push(f.fits[l][0], f.fits[l][1]); });
    return {
      numbers: {params: params, errors: errs},
      text: ['离群偏移 = ' + U.fmt(shift, 2) + '（离群点下移 ' + pulls + '），δ = ' + U.fmt(delta, 2),
             each(function (l) {
               return names[l] + '：w = ' + U.fmt(f.fits[l][0], 3) + '，b = ' + U.fmt(f.fits[l][1], 3) +
                 '，参数误差 ' + U.fmt(f.errors[l], 3);
             })],
      alt: ['散点图：' + data.x.length + ' 个点和真实直线 ' + cfg.true_line + '，其中 ' +
            data.outliers.length + ' 个离群点（三角）下移 ' + pulls + '；拟合的直线 ' +
            each(function (l) {
              var b = f.fits[l][1];
              return names[l] + '：y = ' + U.fmt(f.fits[l][0], 3) + 'x ' + (b < 0 ? '− ' : '+ ') +
                U.fmt(Math.abs(b), 3);
            }),
            '柱状图：每条直线的参数误差 ' + errors],
      say: '参数误差 ' + errors
    };
  }

  X.register('outlier', {maths: {fitLine: fitLine, outlierY: outlierY, fits: fitAll}, draw: draw});
})();
