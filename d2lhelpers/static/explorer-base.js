/* The d2lhelpers explorers on a static page: the shared part (no kernel, no network).
 *
 * d2lhelpers/explorers/base.py writes, for each explorer, a <div class="d2l-explorer"
 * data-kind="..."> holding a JSON config (controls, data, reference values computed by the
 * Python functions), followed by this script and the explorer's own script
 * (explorer-<kind>.js), which calls d2lExplorers.register(kind, {maths, draw}).
 *
 * This file builds the controls (range inputs, radio buttons), calls the explorer's draw()
 * whenever a control moves and shows what it returns:
 *   draw(cfg, values, svgs) -> {numbers, text: [title, detail], alt: [panel 0, panel 1], say}
 * `text` is the visible status, `alt` each panel's text alternative (the current numbers),
 * `say` what a screen reader hears: one live region per explorer, written once a burst of
 * key presses has settled (the range inputs themselves are not live; their readouts are
 * hidden from screen readers, which read the input's value).
 *
 * For tests and readers' curiosity each explorer element carries:
 *   el.d2lState  the numbers currently drawn (full precision), and the control values;
 *   el.d2lTimes  the time (ms) each redraw took.
 * Each explorer's maths is exposed as window.d2lExplorers.kinds[kind].maths.
 */
(function () {
  'use strict';
  if (window.d2lExplorers) return;      // a second explorer on the page: already loaded

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var W = 480, H = 300;                 // the viewBox of one panel
  var SAY_DELAY = 350;                  // ms without a change before the result is announced
  var kinds = {};

  /* ---------------- small helpers ---------------- */

  // Attributes whose value is a CSS variable (the palette) go to the style: SVG presentation
  // attributes do not resolve var().
  function setAttrs(node, attrs) {
    for (var key in attrs) {
      var v = attrs[key];
      if (v === undefined) continue;
      if (typeof v === 'string' && v.indexOf('var(') === 0) node.style.setProperty(key, v);
      else node.setAttribute(key, v);
    }
  }

  function svgEl(tag, attrs, parent, text) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function htmlEl(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  // The colour of a drawn series: a CSS variable set by base.py (light and dark mode).
  function color(series) { return 'var(--d2l-' + series + ')'; }

  // Python's f'{v:.{d}f}' and f'{v:+.{d}f}' (ASCII minus, as in the kernel view)
  function fmt(v, d) {
    var s = Math.abs(v).toFixed(d);
    return (v < 0 && Number(s) !== 0 ? '-' : '') + s;
  }
  function fmtSigned(v, d) {
    var s = Math.abs(v).toFixed(d);
    return (v < 0 || Object.is(v, -0) ? '-' : '+') + s;
  }
  function list(values, d, signed) {
    return '(' + values.map(function (x) { return signed ? fmtSigned(x, d) : fmt(x, d); })
      .join(', ') + ')';
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

  /* One panel: axes, grid, ticks, labels in an <svg>; returns scales and layers to draw in.
   * opts: {xlim, ylim, xlabel, ylabel, title, xticks, yticks, xtickLabels} */
  function panel(svg, opts) {
    svg.textContent = '';
    var x0 = 62, x1 = W - 12, y0 = H - 50, y1 = 30;
    var sx = function (v) { return x0 + (v - opts.xlim[0]) / (opts.xlim[1] - opts.xlim[0]) * (x1 - x0); };
    var sy = function (v) { return y0 - (v - opts.ylim[0]) / (opts.ylim[1] - opts.ylim[0]) * (y0 - y1); };
    var clipId = svg.getAttribute('data-uid') + '-clip';
    var clip = svgEl('clipPath', {id: clipId}, svgEl('defs', {}, svg));
    svgEl('rect', {x: x0, y: y1, width: x1 - x0, height: y0 - y1}, clip);
    var grid = svgEl('g', {'class': 'd2l-x-grid'}, svg);
    var axis = svgEl('g', {'class': 'd2l-x-axis'}, svg);
    var xt = opts.xticks || niceTicks(opts.xlim[0], opts.xlim[1], 6);
    var yt = opts.yticks || niceTicks(opts.ylim[0], opts.ylim[1], 5);
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

  // A legend at (x, y) in panel p: items [{label, color, kind: line|box|dashed|area|dot|tri,
  // width, dash}], in `columns` columns (default one).
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
        svgEl('circle', {cx: cx + 10, cy: cy, r: 4, fill: it.color, 'fill-opacity': it.opacity}, g);
      } else if (it.kind === 'tri') {
        svgEl('path', {d: triangle(cx + 10, cy, 6), fill: it.color}, g);
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

  // a downward triangle of half-width r centred at (x, y): the outliers' marker
  function triangle(x, y, r) {
    return 'M' + (x - r) + ',' + (y - r * 0.8) + 'L' + (x + r) + ',' + (y - r * 0.8) +
      'L' + x + ',' + (y + r) + 'Z';
  }

  /* ---------------- controls ---------------- */

  var nextId = 0;

  /* ---------------- the state in the URL fragment ----------------
   * #huber:delta=0.5 or #training:lr=3,batch=1 (several explorers: joined by &). The second
   * explorer of a kind on a page is kind2. Opening such a link restores the controls;
   * moving a control rewrites the fragment (history.replaceState: no new history entry). */
  function stateName(root) {
    var k = root.getAttribute('data-kind');
    var all = document.querySelectorAll('.d2l-explorer[data-kind="' + k + '"]');
    var i = Array.prototype.indexOf.call(all, root);
    return i > 0 ? k + (i + 1) : k;
  }
  function hashParts() {
    var h = location.hash.slice(1);
    try { h = decodeURIComponent(h); } catch (e) { return []; }
    return h.split('&').filter(function (p) { return /^[\w-]+:/.test(p); });
  }
  function readHash(name) {
    var out = null;
    hashParts().forEach(function (part) {
      if (part.slice(0, name.length + 1) !== name + ':') return;
      out = {};
      part.slice(name.length + 1).split(',').forEach(function (kv) {
        var e = kv.indexOf('=');
        if (e > 0) out[kv.slice(0, e)] = kv.slice(e + 1);
      });
    });
    return out;
  }
  function writeHash(name, values) {
    var parts = hashParts().filter(function (p) { return p.slice(0, name.length + 1) !== name + ':'; });
    parts.push(name + ':' + Object.keys(values).map(function (k) { return k + '=' + values[k]; }).join(','));
    try { history.replaceState(history.state, '', '#' + parts.join('&')); } catch (e) { /* sandboxed */ }
  }
  var hashState = {name: stateName, read: readHash, write: writeHash};

  // Build the control rows from config.controls; call onChange() after any change.
  function buildControls(root, box, controls, onChange) {
    var inputs = {};
    controls.forEach(function (c) {
      var id = root.id + '-' + c.name;
      var row = htmlEl('div', {'class': 'd2l-x-row'}, box);
      if (c.options) {
        htmlEl('span', {'class': 'd2l-x-name', id: id + '-label'}, row, c.label);
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
      } else {
        htmlEl('label', {'class': 'd2l-x-name', 'for': id}, row, c.label);
        var input = htmlEl('input', {type: 'range', id: id, min: c.min, max: c.max,
                                     step: c.step, 'data-control': c.name,
                                     'aria-valuetext': fmt(c.value, c.decimals)}, row);
        input.value = String(c.value);
        // the readout is for the eye; a screen reader reads the input's own value (valuetext)
        var out = htmlEl('span', {'class': 'd2l-x-value', 'aria-hidden': 'true'}, row,
                         fmt(c.value, c.decimals));
        input.d2lSet = function (v) {     // the URL fragment sets a value
          input.value = String(v);
          input.dataset.touched = '1';   // from now on the input's (stepped) value counts
          var text = fmt(parseFloat(input.value), c.decimals);
          out.textContent = text;
          input.setAttribute('aria-valuetext', text);
        };
        input.addEventListener('input', function () {
          input.d2lSet(input.value);
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

  /* ---------------- one explorer ---------------- */

  function init(root) {
    if (root.getAttribute('data-ready')) return;
    var cfgNode = root.querySelector('script.d2l-explorer-config');
    var kind = kinds[root.getAttribute('data-kind')];
    if (!cfgNode || !kind) return;
    var cfg = JSON.parse(cfgNode.textContent);
    if (!root.id) root.id = 'd2l-explorer-' + (nextId++);
    var fallback = root.querySelector('.d2l-x-fallback');
    if (fallback) fallback.hidden = true;
    var app = htmlEl('div', {'class': 'd2l-x-app'}, root);
    htmlEl('p', {'class': 'd2l-x-caption'}, app, cfg.caption);
    if (cfg.print_caption) htmlEl('p', {'class': 'd2l-x-print'}, app, cfg.print_caption);
    if (kind.mount) {                     // an explorer with its own life (the training lab)
      kind.mount(root, cfg, app, hashState);
      root.setAttribute('data-ready', '1');
      return;
    }
    var box = htmlEl('div', {'class': 'd2l-x-controls'}, app);
    // the numbers as text, above the figure like the kernel view's title (not live)
    var status = htmlEl('div', {'class': 'd2l-x-status'}, app);
    var lines = [htmlEl('p', {'class': 'd2l-x-title-text'}, status),
                 htmlEl('p', {'class': 'd2l-x-detail'}, status)];
    // what a screen reader announces after a change: this region only
    var live = htmlEl('p', {'class': 'd2l-x-sr', 'aria-live': 'polite', 'aria-atomic': 'true'},
                      app);
    var fig = htmlEl('div', {'class': 'd2l-x-figure'}, app);
    var svgs = [0, 1].map(function (j) {
      return svgEl('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'class': 'd2l-x-panel',
                           'data-uid': root.id + '-p' + j}, fig);
    });
    var values = {};
    cfg.controls.forEach(function (c) { values[c.name] = c.value; });
    root.d2lTimes = [];
    var inputs, timer = null;
    function redraw() {
      var t0 = performance.now();
      readControls(inputs, cfg.controls, values);
      var out = kind.draw(cfg, values, svgs);
      lines[0].textContent = out.text[0];
      lines[1].textContent = out.text[1];
      svgs.forEach(function (svg, j) { svg.setAttribute('aria-label', out.alt[j]); });
      var controls = {};
      for (var key in values) controls[key] = values[key];
      root.d2lState = {controls: controls, numbers: out.numbers, text: out.text.join('\n'),
                       alt: out.alt.slice(), say: out.say};
      return performance.now() - t0;
    }
    function announce() {
      timer = null;
      live.textContent = root.d2lState.say;
    }
    // before a range input is touched, its initial value (maybe between two steps) counts
    var name = stateName(root);
    function fragment() {               // the controls' values, as the inputs show them
      var out = {};
      cfg.controls.forEach(function (c) {
        out[c.name] = c.options ? String(values[c.name]) : fmt(values[c.name], c.decimals);
      });
      return out;
    }
    inputs = buildControls(root, box, cfg.controls, function () {
      root.d2lTimes.push(redraw());
      writeHash(name, fragment());
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(announce, SAY_DELAY);
    });
    function fromHash() {               // a link such as #huber:delta=0.5 sets the controls
      var h = readHash(name);
      if (!h) return false;
      cfg.controls.forEach(function (c) {
        if (!(c.name in h)) return;
        var inp = inputs[c.name], v = parseFloat(h[c.name]);
        if (!isFinite(v)) return;
        if (Array.isArray(inp)) inp.forEach(function (r) { r.checked = parseInt(r.value, 10) === v; });
        else inp.d2lSet(v);
      });
      return true;
    }
    var linked = fromHash();
    redraw();
    root.setAttribute('data-ready', '1');
    if (linked) root.scrollIntoView();
    window.addEventListener('hashchange', function () { if (fromHash()) redraw(); });
  }

  function initAll() {
    var roots = document.querySelectorAll('.d2l-explorer[data-kind]');
    for (var i = 0; i < roots.length; i++) init(roots[i]);
  }

  // An explorer's script registers its maths and its draw(); then its elements are built.
  function register(name, spec) {
    if (!kinds[name]) kinds[name] = spec;
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', initAll);
    initAll();
  }

  window.d2lExplorers = {
    register: register, init: init, initAll: initAll, kinds: kinds,
    hash: hashState,
    util: {svgEl: svgEl, htmlEl: htmlEl, color: color, fmt: fmt, fmtSigned: fmtSigned,
           list: list, panel: panel, polyline: polyline, legend: legend, triangle: triangle}
  };
  if (typeof module !== 'undefined') module.exports = window.d2lExplorers;
})();
