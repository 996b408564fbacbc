/* The softmax explorer in the browser (d2lhelpers/explorers/softmax.py): its maths, its drawing. */
(function () {
  'use strict';
  var X = window.d2lExplorers, U = X.util;

  // softmax(o / T), cross-entropy -log y_hat[k], gradient (y_hat - y) / T
  // (d2lhelpers.explorers.softmax.softmax_state)
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

  function draw(cfg, v, figure) {
    var n = cfg.num_classes, k = v.true_class, T = v.T, sub = cfg.subscripts;
    var logits = [];
    for (var i = 0; i < n; i++) logits.push(v['o' + i]);
    var s = softmaxState(logits, k, T);
    var classes = logits.map(function (_, i) { return i; });
    var xlim = [-0.6, n - 0.4];
    var fill = function (i) { return U.color(i === k ? 'true' : 'prob'); };
    var p = U.panel(figure[0], {xlim: xlim, ylim: [0, 1.38], xticks: classes,
                                yticks: [0, 0.2, 0.4, 0.6, 0.8, 1.0], xlabel: '类别',
                                ylabel: '概率', title: 'ŷ = softmax(o / T)'});
    var bw = p.sx(0.3) - p.sx(0);
    classes.forEach(function (i) {
      U.svgEl('rect', {x: p.sx(i) - 1.33 * bw, width: 2.67 * bw, y: p.sy(s.target[i]),
                       height: p.sy(0) - p.sy(s.target[i]), fill: 'none', stroke: 'currentColor',
                       'stroke-dasharray': '5 3', 'stroke-opacity': 0.8}, p.layer);
      U.svgEl('rect', {x: p.sx(i) - bw, width: 2 * bw, y: p.sy(s.probs[i]),
                       height: p.sy(0) - p.sy(s.probs[i]), fill: fill(i),
                       'data-series': i === k ? 'true' : 'prob'}, p.layer);
      U.svgEl('text', {x: p.sx(i), y: p.sy(s.probs[i] + 0.02) - 2, 'text-anchor': 'middle',
                       'class': 'd2l-x-small'}, p.top, U.fmt(s.probs[i], 3));
    });
    U.legend(p, [{label: '独热标签 y', kind: 'dashed'},
                 {label: 'ŷ', color: U.color('prob'), kind: 'box'},
                 {label: '真实类别的 ŷ', color: U.color('true'), kind: 'box'}],
             p.x0 + 6, p.y1 + 14, 2);
    var g = U.panel(figure[1], {xlim: xlim, ylim: [-1.2 / T, 1.2 / T], xticks: classes,
                                xlabel: '类别', ylabel: '∂L/∂o', title: '梯度 (ŷ − y) / T'});
    U.svgEl('line', {x1: g.x0, x2: g.x1, y1: g.sy(0), y2: g.sy(0), stroke: 'currentColor',
                     'stroke-opacity': 0.7}, g.layer);
    classes.forEach(function (i) {
      var gi = s.grad[i], top = Math.min(g.sy(gi), g.sy(0));
      U.svgEl('rect', {x: g.sx(i) - bw, width: 2 * bw, y: top,
                       height: Math.abs(g.sy(gi) - g.sy(0)), fill: fill(i),
                       'data-series': i === k ? 'true' : 'prob'}, g.layer);
      var off = (gi >= 0 ? 0.04 : -0.04) / T;
      U.svgEl('text', {x: g.sx(i), y: g.sy(gi + off) + (gi >= 0 ? -2 : 11),
                       'text-anchor': 'middle', 'class': 'd2l-x-small'}, g.top,
              U.fmtSigned(gi, 3));
    });
    var probs = U.list(s.probs, 3), grads = U.list(s.grad, 3, true);
    var loss = '交叉熵 −log ŷ' + sub[k] + ' = ' + U.fmt(s.loss, 4);
    var title = 'o = ' + U.list(logits, 1) + '，T = ' + U.fmt(T, 2) + '，真实类别 ' + k + '：' + loss;
    return {
      numbers: {probs: s.probs, target: s.target, grad: s.grad, loss: s.loss},
      text: [title, 'ŷ = ' + probs + '，梯度 (ŷ − y) / T = ' + grads],
      alt: ['柱状图：各类别的预测概率 ŷ = ' + probs + '；虚线框是独热标签 y，真实类别 ' + k +
            ' 的柱子另用一种颜色',
            '柱状图：交叉熵对各 logit 的梯度 (ŷ − y) / T = ' + grads],
      say: loss + '；ŷ = ' + probs
    };
  }

  X.register('softmax', {maths: {softmaxState: softmaxState}, draw: draw});
})();
