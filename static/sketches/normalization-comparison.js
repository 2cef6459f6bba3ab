// Normalization Comparison: an HTML + SVG infographic (renderer "html", no p5 canvas).
// Draws the state of sims/normalization.py (its docstring describes the state). No math
// beyond layout and pixel mapping: every mean, variance, output and histogram count comes
// from engine.norm through the state. Text goes in with textContent only.
(function () {
  'use strict';
  const ms = window.microsim;
  const SVG = 'http://www.w3.org/2000/svg';
  // one colour per channel: the palette's Okabe–Ito categories (static/microsim.css), safe for
  // colour-blind readers; stacking order and labels carry the same information.
  const hex = ms.palette.hex;
  const CH = [1, 2, 3, 4, 5, 6].map((i) => hex[`cat${i}`]);
  const SCOPE = hex.yellow;
  /** `d` decimals exactly (static/sketch-kit.js). */
  const fmt = (v, d = 2) => ms.fmt(v, d, d);
  /** Up to 3 decimals, trailing zeros dropped (0.9, 0.1, 0, 1). */
  const short = (v) => ms.fmt(v, 3);
  /** Batch Norm at inference: the statistics shown and used are the running ones. */
  const running = (s) => s.bn.shown_label === 'running';

  // ------------------------------------------------------------------ DOM helpers
  const el = ms.el; // static/sketch-kit.js: text always goes in as text
  function sv(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgRoot(w, h, label, desc, key) {
    const s = sv('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': label, 'data-key': key });
    s.appendChild(sv('title', {}, label));
    s.appendChild(sv('desc', {}, desc));
    return s;
  }
  function text(parent, x, y, str, attrs) {
    const t = sv('text', { x, y, 'font-size': 16, ...(attrs || {}) }, str);
    parent.appendChild(t);
    return t;
  }

  // page styles: static/sketches/normalization-comparison.css

  // The region scrolls (sections stack at narrow widths); it holds a table and text, so it is a
  // labelled region for screen readers rather than one image (each SVG is its own image).
  const region = ms.region;
  region.classList.add('html-view');
  region.style.scrollbarGutter = 'stable';
  region.setAttribute('role', 'region');
  region.setAttribute('aria-label', `${ms.config.title}: ${ms.config.describe}`);
  region.tabIndex = -1;
  const root = el('div', { class: 'nc' });
  region.appendChild(root);

  // ------------------------------------------------------------------ the 3-D tensor
  /**
   * One tensor diagram: N rows (samples, downwards) × C columns (channels) on the front face
   * (position l = 0), the spatial axis L going back; the top face is sample 0, the right face
   * the last channel. Cells of the highlighted scope carry class "scope".
   */
  function tensorSvg(s, kind, availW, highlightOn) {
    const [N, C, L] = s.shape;
    const narrow = availW < 420;
    const dx = narrow ? 9 : 13;
    const dy = narrow ? 7 : 9;
    const lm = 32;
    const statW = kind === 'ln' ? 2 * 52 : 0;
    const reserve = Math.max(statW, 34); // LN's μ, σ² columns; the depth-axis label
    const cw = Math.max(36, Math.min(56, Math.floor((availW - lm - L * dx - 8 - reserve) / C)));
    const ch = 24;
    const x0 = lm;
    const y0 = 6 + L * dy;
    const W = x0 + C * cw + L * dx + 8 + reserve;
    // BN: channel labels, μ, σ² (and at inference a line saying they are the running ones)
    const bottomRows = kind === 'bn' ? 3 + (running(s) ? 1 : 0) : 1;
    const H = y0 + N * ch + 20 * bottomRows + 8;
    const showVals = cw >= 44;
    const stats = kind === 'bn' ? s.bn : s.ln;
    const focus = s.focus[kind];
    const animOn = s.anim.phase === kind;
    const on = highlightOn || animOn;
    const label = kind === 'bn'
      ? `Batch Norm tensor, ${N} samples × ${C} channels × ${L} positions; highlighted: channel ${focus}, every sample and position (a vertical slice).`
      : `Layer Norm tensor, ${N} samples × ${C} channels × ${L} positions; highlighted: sample ${focus}, every channel and position (a horizontal slice).`;
    const desc = kind === 'bn'
      ? `${running(s) ? `Running means per channel, from ${s.fixed.train_steps} training batches` : 'Means per channel, from this batch'}: ${s.bn.shown_mean.map((v) => fmt(v)).join(', ')}; variances: ${s.bn.shown_var.map((v) => fmt(v)).join(', ')}.`
      : `Means per sample: ${s.ln.mean.map((v) => fmt(v)).join(', ')}; variances: ${s.ln.var.map((v) => fmt(v)).join(', ')}.`;
    const svg = svgRoot(W, H, label, desc, `tensor-${kind}`);
    svg.classList.add('nc-tensor', `nc-tensor-${kind}`);
    svg.setAttribute('tabindex', '0');
    svg.dataset.kind = kind;
    svg.dataset.highlight = on ? 'on' : 'off';

    const fillFor = (n, c, l) => {
      const inScope = on && stats.stat_index[n][c][l] === focus;
      if (inScope) return { fill: SCOPE, cls: 'cell scope' };
      const v = s.x_shade[n][c][l];
      const a = Math.abs(v);
      const base = v >= 0 ? [230, 97, 0] : [26, 95, 180];
      const mix = (k) => Math.round(255 + (base[k] - 255) * (0.15 + 0.55 * a));
      return { fill: `rgb(${mix(0)},${mix(1)},${mix(2)})`, cls: on ? 'cell dim' : 'cell' };
    };
    const cell = (pts, n, c, l, face) => {
      const f = fillFor(n, c, l);
      const poly = sv('polygon', {
        points: pts.map((p) => p.join(',')).join(' '), fill: f.fill, class: f.cls,
        stroke: f.cls.includes('scope') ? '#111' : '#5b6b7c', 'stroke-width': f.cls.includes('scope') ? 2 : 1,
        'fill-opacity': f.cls.includes('dim') ? 0.45 : 1,
        'data-n': n, 'data-c': c, 'data-l': l, 'data-face': face,
      });
      poly.style.cursor = 'pointer';
      svg.appendChild(poly);
      return poly;
    };
    // front face (l = 0)
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const X = x0 + c * cw;
        const Y = y0 + n * ch;
        cell([[X, Y], [X + cw, Y], [X + cw, Y + ch], [X, Y + ch]], n, c, 0, 'front');
        if (showVals) {
          text(svg, X + cw / 2, Y + 17, fmt(s.x[n][c][0], 1), { 'text-anchor': 'middle', fill: '#111', 'pointer-events': 'none' });
        }
      }
    }
    // top face (sample 0, every channel and position)
    const P = (c, l) => [x0 + c * cw + l * dx, y0 - l * dy];
    for (let c = 0; c < C; c++) {
      for (let l = 0; l < L; l++) cell([P(c, l), P(c + 1, l), P(c + 1, l + 1), P(c, l + 1)], 0, c, l, 'top');
    }
    // right face (last channel, every sample and position)
    const Q = (n, l) => [x0 + C * cw + l * dx, y0 + n * ch - l * dy];
    for (let n = 0; n < N; n++) {
      for (let l = 0; l < L; l++) cell([Q(n, l), Q(n, l + 1), Q(n + 1, l + 1), Q(n + 1, l)], n, C - 1, l, 'right');
    }
    // axes
    text(svg, x0 + C * cw + L * dx + 4, y0 - L * dy + 10, 'l ↗', { fill: '#333' });
    for (let n = 0; n < N; n++) text(svg, x0 - 6, y0 + n * ch + 17, `n${n}`, { 'text-anchor': 'end', fill: '#333' });
    const yC = y0 + N * ch + 18;
    for (let c = 0; c < C; c++) {
      text(svg, x0 + c * cw + cw / 2, yC, `c${c}`, { 'text-anchor': 'middle', fill: CH[c % CH.length], 'font-weight': 700 });
    }
    // statistics beside their slices (hidden until the animation reaches them)
    if (kind === 'bn') {
      const shown = s.anim.bn_revealed;
      const mu = running(s) ? 'μ̂' : 'μ';
      const vr = running(s) ? 'σ̂²' : 'σ²';
      text(svg, x0 - 6, yC + 20, mu, { 'text-anchor': 'end', 'font-weight': 700 });
      text(svg, x0 - 6, yC + 40, vr, { 'text-anchor': 'end', 'font-weight': 700 });
      for (let c = 0; c < C; c++) {
        const cx = x0 + c * cw + cw / 2;
        const bold = on && c === focus ? { 'font-weight': 700 } : {};
        const t1 = text(svg, cx, yC + 20, c < shown ? fmt(s.bn.shown_mean[c]) : '…', { 'text-anchor': 'middle', class: 'stat-mean', 'data-c': c, ...bold });
        const t2 = text(svg, cx, yC + 40, c < shown ? fmt(s.bn.shown_var[c]) : '…', { 'text-anchor': 'middle', class: 'stat-var', 'data-c': c, ...bold });
        if (!showVals) { t1.setAttribute('font-size', 16); t2.setAttribute('font-size', 16); }
      }
      if (running(s)) text(svg, 2, yC + 60, 'μ̂, σ̂²: running, from training', { fill: '#333', class: 'stat-source' });
    } else {
      const shown = s.anim.ln_revealed;
      const sx = x0 + C * cw + L * dx + 8;
      text(svg, sx + 24, y0 - 4, 'μ', { 'text-anchor': 'middle', 'font-weight': 700 });
      text(svg, sx + 76, y0 - 4, 'σ²', { 'text-anchor': 'middle', 'font-weight': 700 });
      for (let n = 0; n < N; n++) {
        const yy = y0 + n * ch + 17;
        const bold = on && n === focus ? { 'font-weight': 700 } : {};
        text(svg, sx + 24, yy, n < shown ? fmt(s.ln.mean[n]) : '…', { 'text-anchor': 'middle', class: 'stat-mean', 'data-n': n, ...bold });
        text(svg, sx + 76, yy, n < shown ? fmt(s.ln.var[n]) : '…', { 'text-anchor': 'middle', class: 'stat-var', 'data-n': n, ...bold });
      }
    }
    // interaction: click a column (BN) or a row (LN), or use the arrow keys
    svg.addEventListener('click', (e) => {
      const t = e.target;
      if (!t.dataset || t.dataset.n === undefined) return;
      const idx = kind === 'bn' ? Number(t.dataset.c) : Number(t.dataset.n);
      if (idx !== s.focus[kind]) ms.act('set_focus', { kind, index: idx });
    });
    svg.addEventListener('keydown', (e) => {
      const size = kind === 'bn' ? C : N;
      const keys = kind === 'bn' ? { ArrowLeft: -1, ArrowRight: 1 } : { ArrowUp: -1, ArrowDown: 1 };
      if (!(e.key in keys)) return;
      e.preventDefault();
      const idx = (s.focus[kind] + keys[e.key] + size) % size;
      ms.act('set_focus', { kind, index: idx });
    });
    return svg;
  }

  // ------------------------------------------------------------------ histograms
  // The top BAND px of a plot hold no bars (the β label goes there); the off-scale count has
  // its own row under the tick labels, so neither is drawn over the bars.
  const BAND = 16;
  function histPlot(svg, h, x, y, w, ph, title, beta) {
    text(svg, x, y + 16, title, { 'font-weight': 700 });
    const top = y + 24;
    const e = h.edges;
    const X = (v) => x + 4 + ((v - e[0]) / (e[e.length - 1] - e[0])) * (w - 8);
    const Y = (cnt) => top + ph - (cnt / h.ymax) * (ph - BAND);
    const g = sv('g', { class: 'bars' });
    svg.appendChild(g);
    svg.appendChild(sv('line', { x1: x, y1: top + ph, x2: x + w, y2: top + ph, stroke: '#333' }));
    for (let c = 0; c < h.counts.length; c++) {
      for (let b = 0; b < h.counts[c].length; b++) {
        const cnt = h.counts[c][b];
        if (!cnt) continue;
        const x1 = X(e[b]);
        const x2 = X(e[b + 1]);
        g.appendChild(sv('rect', {
          x: x1 + 0.5, y: Y(h.base[c][b] + cnt), width: Math.max(1, x2 - x1 - 1), height: Y(h.base[c][b]) - Y(h.base[c][b] + cnt),
          fill: CH[c % CH.length], stroke: 'white', 'stroke-width': 0.5, 'data-c': c, 'data-bin': b, 'data-count': cnt,
        }));
      }
    }
    if (beta !== undefined && beta >= e[0] && beta <= e[e.length - 1]) {
      svg.appendChild(sv('line', { x1: X(beta), y1: top - 2, x2: X(beta), y2: top + ph, stroke: '#111', 'stroke-dasharray': '4 3', class: 'beta-line' }));
      text(svg, X(beta) + 4, top + 13, 'β', { fill: '#111', class: 'beta-label' });
    }
    const last = h.ticks.length - 1;
    h.ticks.forEach((t, i) => {
      svg.appendChild(sv('line', { x1: X(t), y1: top + ph, x2: X(t), y2: top + ph + 4, stroke: '#333' }));
      const anchor = i === 0 ? 'start' : i === last ? 'end' : 'middle';
      text(svg, i === 0 ? x : i === last ? x + w : X(t), top + ph + 20, fmt(t, 0), { 'text-anchor': anchor, fill: '#333' });
    });
    if (h.clipped) {
      text(svg, x, top + ph + 40, `${h.clipped} off-scale`, { fill: '#7a4a00', class: 'clipped' });
    }
  }

  function histSvg(s, kind, w) {
    const name = kind === 'bn' ? 'Batch Norm' : 'Layer Norm';
    const after = s.hist[kind];
    const gap = 14;
    const pw = (w - gap) / 2;
    const ph = 58 + BAND;
    const offRow = s.hist.before.clipped || after.clipped ? 20 : 0;
    const H = 24 + ph + 26 + offRow;
    const inference = kind === 'bn' && running(s);
    const off = (h) => (h.clipped ? ` (${h.clipped} values off-scale, counted in the end bins)` : '');
    const svg = svgRoot(w, H,
      `Histograms per channel before and after ${name}`,
      `Stacked histograms per channel on fixed axes: before from ${fmt(s.hist.before.edges[0], 0)} to ${fmt(s.hist.before.edges[s.hist.before.edges.length - 1], 0)}${off(s.hist.before)}; after${inference ? ' (inference, running statistics)' : ''} from ${fmt(after.edges[0], 0)} to ${fmt(after.edges[after.edges.length - 1], 0)}${off(after)}, centred near β = ${fmt(s.params.beta, 1)} with spread set by γ = ${fmt(s.params.gamma, 1)}.`,
      `hist-${kind}`);
    svg.classList.add('nc-hist', `nc-hist-${kind}`);
    histPlot(svg, s.hist.before, 0, 0, pw, ph, 'before (x)');
    const g = sv('g', { class: 'after' });
    svg.appendChild(g);
    histPlot(svg, after, pw + gap, 0, pw, ph, inference ? 'after (y, inference)' : 'after (y)', s.params.beta);
    return svg;
  }

  // ------------------------------------------------------------------ panels
  function panel(s, kind, pw, hl, sideBeside) {
    const isBN = kind === 'bn';
    const [N, C, L] = s.shape;
    const sec = el('section', { class: `nc-panel nc-panel-${kind}`, 'aria-label': isBN ? 'Batch Normalization' : 'Layer Normalization' });
    sec.appendChild(el('h2', { text: isBN ? 'Batch Norm: per channel, over the batch' : 'Layer Norm: per sample, over the features' }));
    const row = el('div', { class: 'nc-row' });
    const tsvg = tensorSvg(s, kind, pw - 12, hl);
    const fig = el('div', { class: 'nc-fig' }, tsvg, el('p', { class: 'nc-axes', text: 'n ↓ samples · c → channels · l ↗ spatial' }));
    fig.style.maxWidth = `${tsvg.getAttribute('width')}px`;
    row.appendChild(fig);
    const side = el('div', { class: 'nc-side' });
    if (!sideBeside) row.classList.add('stack');
    const focus = s.focus[kind];
    const P = (t, cls) => side.appendChild(el('p', { class: cls || '', text: t }));
    if (isBN) {
      P(running(s)
        ? `Scope: channel ${focus}, a vertical slice of N·L = ${s.bn.m} values, normalised with one running μ̂, σ̂² from training.`
        : `Scope: channel ${focus}, a vertical slice of N·L = ${s.bn.m} values → one μ, σ².`, 'nc-scope');
      P(`Learnable γ = ${fmt(s.params.gamma, 1)}, β = ${fmt(s.params.beta, 1)} (one pair per channel): y = γ·x̂ + β.`, 'nc-param');
      const train = !running(s);
      P('Training: uses this batch’s μ_B, σ²_B.', train ? 'on' : '');
      P(`Inference: uses the running mean μ̂ = [${s.bn.running_mean.map((v) => fmt(v)).join(', ')}] from ${s.fixed.train_steps} training batches; output differs by up to ${fmt(s.bn.train_infer_max_diff)}.`, train ? '' : 'on');
      P(train
        ? `Sample 0 alone (batch of 1): its output changes by up to ${fmt(s.bn.alone_max_diff)}.`
        : `Sample 0 alone (batch of 1): its output changes by ${fmt(s.bn.alone_max_diff)}: no batch dependency at inference.`, 'nc-alone');
    } else {
      P(`Scope: sample ${focus}, a horizontal slice of C·L = ${s.ln.d} values → one μ, σ².`);
      P(`Learnable γ = ${fmt(s.params.gamma, 1)}, β = ${fmt(s.params.beta, 1)} (one pair per feature): y = γ·x̂ + β.`, 'nc-param');
      P(`Training = inference: the same per-sample μ, σ²; outputs differ by ${fmt(s.ln.train_infer_max_diff)}.`, 'on');
      P(`Sample 0 alone (batch of 1): its output changes by ${fmt(s.ln.alone_max_diff)}: no batch dependency.`, 'nc-alone');
    }
    row.appendChild(side);
    sec.appendChild(row);
    sec.appendChild(histSvg(s, kind, pw - 14));
    return sec;
  }

  function animBox(s) {
    const a = s.anim;
    const box = el('div', { class: 'nc-anim', 'aria-live': 'polite' });
    if (a.stat === 'running') {
      // Batch Norm at inference: the running statistics and the training batches behind them
      box.appendChild(el('p', { class: 'on', text: a.title }));
      box.appendChild(el('p', { class: 'nc-mono', text: `μ_B of the ${a.steps} training batches = [${a.train_means.map((v) => fmt(v)).join(', ')}]` }));
      box.appendChild(el('p', { class: 'nc-mono', text: `unbiased σ²_B of the same batches = [${a.train_vars.map((v) => fmt(v)).join(', ')}]` }));
      box.appendChild(el('p', { class: 'nc-formula', text: `running mean μ̂ ← ${short(a.decay)}·μ̂ + ${short(a.momentum)}·μ_B after each batch, from μ̂ = ${short(a.init_mean)}: μ̂ = ${fmt(a.mean, 3)};   σ̂² ← ${short(a.decay)}·σ̂² + ${short(a.momentum)}·σ²_B, from σ̂² = ${short(a.init_var)}: σ̂² = ${fmt(a.var, 3)}` }));
      box.appendChild(el('p', { text: `This batch’s own mean of channel ${a.index}, ${fmt(a.batch_mean, 3)}, is not used at inference.` }));
    } else if (a.phase === 'bn' || a.phase === 'ln') {
      box.appendChild(el('p', { class: 'on', text: a.title }));
      box.appendChild(el('p', { class: 'nc-mono', text: `x = [${a.values.map((v) => fmt(v)).join(', ')}]` }));
      box.appendChild(el('p', { class: 'nc-formula', text: `μ = (sum of the ${a.count} values) / ${a.count} = ${fmt(a.sum, 3)} / ${a.count} = ${fmt(a.mean, 3)};   σ² = (1/${a.count}) Σ (x − μ)² = ${fmt(a.var, 3)}` }));
    } else {
      box.appendChild(el('p', { text: a.phase === 'done'
        ? (running(s)
          ? 'All statistics shown: at inference Batch Norm uses one running μ̂, σ̂² per channel (from training), Layer Norm computes one μ, σ² per sample (over its features).'
          : 'All statistics computed: Batch Norm made one μ, σ² per channel (over the batch), Layer Norm one per sample (over its features).')
        : 'Press “Compute statistics” to watch each mean and variance being computed from its values.' }));
      box.appendChild(el('p', { class: 'nc-message', text: s.message }));
    }
    return box;
  }

  function legend(s) {
    const item = (p, colour, label) => {
      const sw = el('span', { class: 'sw' });
      sw.style.background = colour;
      p.appendChild(el('span', { class: 'nc-item' }, sw, label));
    };
    const p = el('p', { class: 'nc-legend' });
    const hist = el('span', { class: 'nc-legend-hist' }, 'Histogram colours, stacked in order:');
    for (let c = 0; c < s.shape[1]; c++) item(hist, CH[c % CH.length], `channel ${c}`);
    const cube = el('span', { class: 'nc-legend-tensor' }, 'Tensor cells:');
    item(cube, SCOPE, 'the highlighted scope (one μ, σ²)');
    p.append(hist, cube);
    return p;
  }

  function table(s) {
    const cols = [
      ['name', 'Normalization'], ['normalize_over', 'Normalizes over'], ['batch_dependency', 'Batch dependency'],
      ['best_for', 'Use cases'], ['compute_notes', 'Computational considerations'], ['here', 'On this tensor'],
    ];
    const t = el('table', { class: 'nc-table' });
    t.appendChild(el('caption', { text: running(s)
      ? `Comparison on this ${s.shape.join(' × ')} tensor (Batch Norm at inference: running μ̂, σ̂² from training)`
      : `Comparison (statistics computed on this ${s.shape.join(' × ')} tensor)` }));
    const head = el('tr');
    for (const [, label] of cols) head.appendChild(el('th', { scope: 'col', text: label }));
    t.appendChild(el('thead', {}, head));
    const body = el('tbody');
    for (const row of s.table) {
      const tr = el('tr', { class: row.kind === 'batch' ? 'bn-row' : row.kind === 'layer' ? 'ln-row' : '', 'data-kind': row.kind });
      cols.forEach(([key, label], i) => {
        tr.appendChild(el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row', text: row[key] } : { 'data-label': label, text: row[key] }));
      });
      body.appendChild(tr);
    }
    t.appendChild(body);
    return t;
  }

  // ------------------------------------------------------------------ render
  function render() {
    const s = ms.state;
    const W = region.clientWidth - 16;
    if (W <= 0) return;
    const hl = s.params.highlight;
    const stack = W < 760;
    const focused = /** @type {HTMLElement|null} */ (document.activeElement);
    const active = focused && focused.dataset ? focused.dataset.key : null;
    root.className = `nc${stack ? ' stack' : ''}`;
    const pw = stack ? W : (W - 10) / 2;
    // side text beside the tensors only when both panels have room for it (same layout)
    const tW = Math.max(...['bn', 'ln'].map((k) => Number(tensorSvg(s, k, pw - 12, false).getAttribute('width'))));
    const beside = pw - 12 - tW >= 200;
    const panels = el('div', { class: 'nc-panels' },
      panel(s, 'bn', pw, hl === 'bn' || hl === 'both', beside),
      panel(s, 'ln', pw, hl === 'ln' || hl === 'both', beside));
    root.replaceChildren(panels, legend(s), animBox(s), table(s));
    if (active) {
      const again = root.querySelector(`[data-key="${active}"]`);
      if (again) again.focus();
    }
  }

  // ------------------------------------------------------------------ controls and animation
  const anim = ms.playButton('compute', {
    play: 'Compute statistics',
    pause: 'Stop animation',
    step: async () => {
      const next = await ms.act('anim_step');
      return Boolean(next) && next.anim.phase !== 'done' && next.anim.phase !== 'idle';
    },
    interval: () => 1000 / ms.controls.speed.value,
    before: async () => Boolean(await ms.act('anim_start')),
    waitFirst: true, // the first statistic appears one interval after the start
    stopOn: ['scale', 'shift', 'batch', 'seed'], // a new tensor
  });

  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  };
  ms.onState(render);
  new ResizeObserver(schedule).observe(region);
  window.addEventListener('resize', schedule);
  render();
})();
