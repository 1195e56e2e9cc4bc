(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var WIDTH = 1000, LEFT = 190, RIGHT = 20, LANE = 26, GAP = 6;

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function text(parent, x, y, content, cls, anchor) {
    var node = el('text', { x: x, y: y, 'class': cls || '', 'text-anchor': anchor || 'start' }, parent);
    node.textContent = content;
    return node;
  }

  function tip(node, content) { el('title', {}, node).textContent = content; return node; }

  function clip(content, max) { return content.length > max ? content.slice(0, max - 1) + '\u2026' : content; }

  function draw(container, data) {
    var start = Date.parse(data.startedAt), end = Math.max(Date.parse(data.finishedAt), start + 1);
    var span = end - start, plot = WIDTH - LEFT - RIGHT;
    var x = function (iso) { return LEFT + Math.min(Math.max((Date.parse(iso) - start) / span, 0), 1) * plot; };
    var lanes = 2 + data.probes.length;
    var height = 30 + lanes * (LANE + GAP) + 44;
    var svg = el('svg', { viewBox: '0 0 ' + WIDTH + ' ' + height, role: 'img', 'class': 'timeline', 'data-experiment': data.experimentId });
    container.appendChild(svg);
    tip(svg, 'Timeline of experiment ' + data.experimentId + ': ' + data.verdict + ', seed ' + data.seed);

    var axis = el('g', { 'class': 'axis' }, svg);
    var step = Math.max(Math.pow(10, Math.floor(Math.log10(span / 1000 / 4 || 1))), 0.001);
    for (var s = 0, n = 0; s * 1000 <= span && n < 40; s += step, n++) {
      var tx = LEFT + (s * 1000 / span) * plot;
      el('line', { x1: tx, x2: tx, y1: 18, y2: height - 42 }, axis);
      text(axis, tx, 12, (Math.round(s * 1000) / 1000) + ' s', '', 'middle');
    }

    var y = 24;
    text(svg, LEFT - 8, y + LANE / 2 + 4, 'phases', 'lane-label', 'end');
    data.phases.forEach(function (phase) {
      var x1 = x(phase.startedAt), x2 = Math.max(x(phase.finishedAt), x1 + 1);
      var band = el('rect', { x: x1, y: y, width: x2 - x1, height: LANE, 'class': 'phase phase-' + phase.name.replace(/[^a-z-]/g, ''), 'data-phase': phase.name }, svg);
      tip(band, phase.name + ': ' + phase.startedAt + ' \u2192 ' + phase.finishedAt);
      if (x2 - x1 > 40) { text(svg, (x1 + x2) / 2, y + LANE / 2 + 4, phase.name, 'phase-label', 'middle'); }
    });
    y += LANE + GAP;

    data.probes.forEach(function (probe) {
      text(svg, LEFT - 8, y + LANE / 2 + 4, clip(probe.name, 30), 'lane-label', 'end');
      probe.samples.forEach(function (sample, i) {
        var x1 = x(sample.at), next = probe.samples[i + 1];
        var x2 = Math.max(next ? x(next.at) : LEFT + plot, x1 + 2);
        var state = sample.held ? 'held' : 'broken';
        var seg = el('rect', { x: x1, y: y + 4, width: x2 - x1, height: LANE - 8, 'class': 'sample sample-' + state, 'data-held': sample.held }, svg);
        tip(seg, probe.name + ' ' + state + ' at ' + sample.at + ': ' + sample.observed);
        tip(el('circle', { cx: x1, cy: y + LANE / 2, r: 4, 'class': 'sample-point sample-' + state }, svg), sample.at + ': ' + sample.observed);
        if (x2 - x1 > 70) { text(svg, x1 + 6, y + LANE / 2 + 4, clip(sample.observed, Math.floor((x2 - x1) / 6.5)), 'sample-value'); }
      });
      y += LANE + GAP;
    });

    text(svg, LEFT - 8, y + LANE / 2 + 4, 'affected (' + data.affected.length + ')', 'lane-label', 'end');
    data.affected.forEach(function (target) {
      var ax = x(target.at), cy = y + LANE / 2;
      var mark = el('path', { d: 'M' + ax + ' ' + (cy - 7) + ' l7 7 l-7 7 l-7 -7 z', 'class': 'affected-mark' }, svg);
      tip(mark, target.kind + ' ' + (target.namespace ? target.namespace + '/' : '') + target.name + ': ' + target.action + ' at ' + target.at);
    });

    var legend = el('g', { 'class': 'legend' }, svg), lx = LEFT;
    var keys = data.phases.map(function (p) { return ['phase phase-' + p.name.replace(/[^a-z-]/g, ''), p.name]; })
      .concat([['sample-held', 'held'], ['sample-broken', 'broken'], ['affected-mark', 'affected']]);
    keys.filter(function (k, i) { return keys.findIndex(function (o) { return o[1] === k[1]; }) === i; }).forEach(function (key) {
      el('rect', { x: lx, y: height - 34, width: 12, height: 12, 'class': key[0] }, legend);
      lx += 16 + text(legend, lx + 16, height - 24, key[1], 'legend-label').getComputedTextLength() + 14;
    });
    text(legend, LEFT, height - 4, 'seed ' + data.seed + ' \u00b7 ' + data.verdict + (data.failureReason ? ' \u00b7 ' + clip(data.failureReason, 120) : ''), 'chart-caption');
  }

  document.querySelectorAll('script.chaos-data').forEach(function (source) {
    var container = document.querySelector('.chart[data-index="' + source.getAttribute('data-index') + '"]');
    if (container) { draw(container, JSON.parse(source.textContent)); }
  });
})();
