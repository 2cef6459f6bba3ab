// Tensor Operations Visualizer: draws the state of sims/tensor_ops.py. Every shape, mapping,
// rule and message comes from the engine's state; this file only lays tensors out as nested
// boxes (pixel mapping) and interpolates cell positions for the animation.
(function () {
  'use strict';
  const ms = window.microsim;
  const PAD = 5; // inside a frame
  const GAP = 8; // between sibling boxes
  const HEAD = 20; // a frame's header line ("axis 0: 2")
  const ANN = 22; // margins for the column / row annotations of the first grid
  const TITLE = 24; // a tensor's title line
  const MAXC = 60; // largest cell
  const MINC = 3; // below this a tensor is summarised in words
  const { ink: INK, error: ERR } = ms.palette; // static/microsim.css
  const fmt = (shape) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

  let animT = 1; // 0..1 progress of the element animation; 1 = at rest
  let lastApplies = ms.state.applies;
  let urlNoteDone = false;
  let drawn = []; // what the last frame drew per tensor (test hook: #draw-region[data-layout])

  // ------------------------------------------------------------------ nested-box layout
  /** Size of the box of the last (level + 1) axes of `shape` at cell size c. */
  function boxSize(shape, level, c, dirs) {
    const nd = shape.length;
    if (nd === 0) return { w: c, h: c };
    if (level === 0) return { w: shape[nd - 1] * c, h: c };
    if (level === 1) return { w: shape[nd - 1] * c, h: shape[nd - 2] * c };
    const n = shape[nd - 1 - level];
    const s = boxSize(shape, level - 1, c, dirs);
    if (dirs[level] === 'h') return { w: 2 * PAD + n * s.w + (n - 1) * GAP, h: HEAD + 2 * PAD + s.h };
    return { w: 2 * PAD + s.w, h: HEAD + 2 * PAD + n * s.h + (n - 1) * GAP };
  }

  function totalSize(shape, c, dirs) {
    const s = boxSize(shape, Math.max(0, shape.length - 1), c, dirs);
    return { w: s.w + (shape.length >= 2 ? ANN : 0), h: s.h + ANN };
  }

  /** Every arrangement of the outer axes (row or column of boxes per level >= 2). */
  function dirChoices(nd) {
    let out = [[]];
    for (let level = 2; level < nd; level++) {
      out = out.flatMap((d) => ['h', 'v'].map((x) => { const e = d.slice(); e[level] = x; return e; }));
    }
    return out;
  }

  /** Largest cell size (and arrangement) so the tensor fits a w x h slot. */
  function fit(shape, w, h) {
    let best = { c: -Infinity, dirs: [] };
    for (const dirs of dirChoices(shape.length)) {
      const s0 = totalSize(shape, 0, dirs);
      const s1 = totalSize(shape, 1, dirs);
      const c = Math.min((w - s0.w) / (s1.w - s0.w), (h - s0.h) / (s1.h - s0.h), MAXC);
      if (c > best.c) best = { c, dirs };
    }
    best.c = Math.floor(best.c * 2) / 2;
    return best;
  }

  /** Cells (row-major), grids and frames of a tensor placed with its top-left at (x, y). */
  function place(shape, x, y, c, dirs) {
    const nd = shape.length;
    const out = { cells: [], frames: [], grids: [], c, shape };
    const left = nd >= 2 ? ANN : 0;
    function node(level, x0, y0) {
      if (nd === 0 || level <= 1) {
        const rows = nd >= 2 ? shape[nd - 2] : 1;
        const cols = nd >= 1 ? shape[nd - 1] : 1;
        out.grids.push({ x: x0, y: y0, w: cols * c, h: rows * c, rows, cols });
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.cells.push({ x: x0 + j * c, y: y0 + i * c });
        return;
      }
      const s = boxSize(shape, level, c, dirs);
      const child = boxSize(shape, level - 1, c, dirs);
      const n = shape[nd - 1 - level];
      out.frames.push({ x: x0, y: y0, w: s.w, h: s.h, axis: nd - 1 - level, n, level });
      for (let i = 0; i < n; i++) {
        const cx = x0 + PAD + (dirs[level] === 'h' ? i * (child.w + GAP) : 0);
        const cy = y0 + HEAD + PAD + (dirs[level] === 'v' ? i * (child.h + GAP) : 0);
        node(level - 1, cx, cy);
      }
    }
    node(Math.max(0, nd - 1), x + left, y + ANN);
    const t = totalSize(shape, c, dirs);
    out.x = x; out.y = y; out.w = t.w; out.h = t.h;
    return out;
  }

  // ------------------------------------------------------------------ page layout
  function tensorsOf(s) {
    const ins = s.inputs.map((t, i) => ({ ...t, role: 'in', t: i, title: `${t.name}: ${fmt(t.shape)}` }));
    const outs = s.outputs.map((t, i) => ({ ...t, role: 'out', o: i, title: `${t.name}: ${fmt(t.shape)}` }));
    return { ins, outs };
  }

  /** Slots for a group of tensors inside a rect: stacked or side by side. */
  function groupSlots(group, r, sideBySide) {
    const n = Math.max(1, group.length);
    return group.map((_, i) => (sideBySide
      ? { x: r.x + (i * r.w) / n, y: r.y, w: r.w / n - (i < n - 1 ? 10 : 0), h: r.h }
      : { x: r.x, y: r.y + (i * r.h) / n, w: r.w, h: r.h / n - (i < n - 1 ? 8 : 0) }));
  }

  function fitAll(items) {
    let score = Infinity;
    for (const it of items) {
      if (it.tensor.role === 'out' && !it.tensor.drawable) continue;
      const f = fit(it.tensor.shape, it.slot.w - 4, it.slot.h - TITLE - 2);
      it.fit = f;
      score = Math.min(score, f.c);
    }
    return score;
  }

  /** Choose the arrangement (input | output side by side or above each other) with the largest cells. */
  function arrange(s, area) {
    const { ins, outs } = tensorsOf(s);
    const outsOrBox = outs.length ? outs : [{ role: 'out', placeholder: true, shape: [], drawable: false }];
    const options = [];
    const AR = 34; // arrow band
    for (const horizontal of [true, false]) {
      const inR = horizontal
        ? { x: area.x, y: area.y, w: (area.w - AR) / 2, h: area.h }
        : { x: area.x, y: area.y, w: area.w, h: (area.h - AR) / 2 };
      const outR = horizontal
        ? { x: area.x + (area.w + AR) / 2, y: area.y, w: (area.w - AR) / 2, h: area.h }
        : { x: area.x, y: area.y + (area.h + AR) / 2, w: area.w, h: (area.h - AR) / 2 };
      for (const side of [false, true]) {
        const items = [
          ...groupSlots(ins, inR, side).map((slot, i) => ({ tensor: ins[i], slot })),
          ...groupSlots(outsOrBox, outR, side).map((slot, i) => ({ tensor: outsOrBox[i], slot })),
        ];
        options.push({ horizontal, items, inR, outR, score: fitAll(items) });
        if (ins.length < 2 && outs.length < 2) break;
      }
    }
    options.sort((a, b) => b.score - a.score);
    return options[0];
  }

  // ------------------------------------------------------------------ text helpers
  const wrap = ms.wrapText; // word-wrap for p5 text (static/microsim.js)

  /** The first label that fits `width` at the current text size, or ''. */
  function fitLabel(p, options, width) {
    for (const t of options) if (p.textWidth(t) <= width) return t;
    return '';
  }

  /** Shapes as tokens, wrapped into at most maxLines lines, with "+k more" when cut. */
  function tokenLines(p, head, tokens, total, width, maxLines) {
    const greedy = (toks) => {
      const lines = [];
      let cur = head;
      for (const tok of toks) {
        const next = cur ? `${cur}  ${tok}` : tok;
        if (p.textWidth(next) > width && cur) { lines.push(cur); cur = tok; } else cur = next;
      }
      lines.push(cur);
      return lines;
    };
    for (let use = tokens.length; use >= 0; use--) {
      const more = total - use;
      const lines = greedy(more > 0 ? [...tokens.slice(0, use), `+${more} more`] : tokens);
      if (lines.length <= maxLines) return lines;
    }
    return [head];
  }

  // ------------------------------------------------------------------ colours
  function cellColour(p, t, k, n) {
    if (t === 1) {
      const g = 235 - Math.round((70 * k) / Math.max(1, n - 1));
      return p.color(g, g, g);
    }
    p.colorMode(p.HSB, 360, 100, 100);
    const col = p.color((300 * k) / Math.max(1, n - 1), 45, 98);
    p.colorMode(p.RGB, 255);
    return col;
  }

  // ------------------------------------------------------------------ drawing
  function header(p, s, W) {
    const expr = s.expr || (s.error ? `${s.params.op}: cannot run` : '');
    p.textStyle(p.BOLD);
    p.textSize(24);
    const res = s.result_shape ? `Result shape: ${fmt(s.result_shape)}` : 'Result shape: —';
    const resW = p.textWidth(res);
    p.textStyle(p.NORMAL);
    p.textSize(16);
    p.textFont('monospace');
    const exprW = p.textWidth(expr);
    const oneLine = exprW + resW + 40 <= W - 20;
    return { expr, res, oneLine, h: oneLine ? 38 : 64 };
  }

  function drawHeader(p, s, hd, W) {
    p.noStroke();
    p.textAlign(p.LEFT, p.CENTER);
    p.textFont('sans-serif');
    p.textStyle(p.BOLD);
    p.textSize(24);
    p.fill(...(s.result_shape ? INK : ERR));
    const resY = hd.oneLine ? 20 : 18;
    if (hd.oneLine) {
      p.textAlign(p.RIGHT, p.CENTER);
      p.text(hd.res, W - 10, resY);
    } else p.text(hd.res, 10, resY);
    p.textStyle(p.NORMAL);
    p.textSize(16);
    p.textFont('monospace');
    p.textAlign(p.LEFT, p.CENTER);
    p.fill(40, 40, 90);
    let expr = hd.expr;
    while (expr.length > 4 && p.textWidth(expr) > W - 20) expr = `${expr.slice(0, -2)}…`;
    p.text(expr, 10, hd.oneLine ? 20 : 46);
    p.textFont('sans-serif');
  }

  function infoLines(p, s, W) {
    const out = [];
    const width = W - 20;
    p.textSize(16);
    if (s.error) {
      p.textStyle(p.BOLD);
      for (const l of wrap(p, `Error: ${s.error}`, width)) out.push({ text: l, color: ERR, bold: true });
      p.textStyle(p.NORMAL);
    } else {
      const note = s.applied && s.order_note ? s.order_note : s.message;
      for (const l of wrap(p, note, width)) out.push({ text: l });
    }
    const op = s.params.op;
    if (s.inputs.length && ['reshape', 'flatten', 'squeeze', 'unsqueeze'].includes(op) && s.reshape_targets.length) {
      const n = s.inputs[0].n;
      const head = `Valid reshape targets (${n} elements):`;
      for (const l of tokenLines(p, head, s.reshape_targets.map(fmt), s.n_targets, width, 2)) out.push({ text: l, color: [20, 60, 120] });
    }
    if (s.broadcast_rules) {
      for (const r of s.broadcast_rules) {
        const a = r.a === null ? '—' : r.a;
        const b = r.b === null ? '—' : r.b;
        for (const l of wrap(p, `axis ${r.axis}: a ${a}, b ${b} → ${r.result} (${r.rule})`, width)) out.push({ text: l, mono: false });
      }
    }
    if (s.einsum_letters) {
      const names = ['a', 'b'];
      const parts = s.einsum_letters.map((r) => `${r.letter} = ${r.size} (in ${r.in.map((i) => names[i]).join(', ')}; ${r.kept ? 'kept' : 'summed'})`);
      for (const l of wrap(p, parts.join(' · '), width)) out.push({ text: l });
    }
    return out;
  }

  function drawTensor(p, it, L, s, phase) {
    const T = it.tensor;
    const { slot } = it;
    p.noStroke();
    p.fill(...INK);
    p.textAlign(p.LEFT, p.TOP);
    p.textStyle(p.BOLD);
    p.textSize(16);
    let title = T.title;
    if (T.role === 'in' || T.drawable) title += ` · ${T.n} elements`;
    const lab = fitLabel(p, [title, T.title, fmt(T.shape)], slot.w - 4);
    const placed = L && L.c >= MINC;
    const tx = placed ? Math.max(slot.x + 2, Math.min(L.x, slot.x + slot.w - p.textWidth(lab) - 2)) : slot.x + 2;
    const ty = placed ? L.y - TITLE + 2 : slot.y + 2;
    p.text(lab, tx, ty);
    p.textStyle(p.NORMAL);
    if (T.role === 'out' && !T.drawable) {
      p.fill(60);
      const msg = `${T.n} elements: too many to draw cell by cell; the shape is ${fmt(T.shape)}.`;
      let y = slot.y + TITLE + 6;
      for (const l of wrap(p, msg, slot.w - 8)) { p.text(l, slot.x + 4, y); y += 20; }
      return;
    }
    if (!L || L.c < MINC) {
      p.fill(60);
      p.text('too small to draw here: widen the window', slot.x + 4, slot.y + TITLE + 6);
      return;
    }
    const nd = T.shape.length;
    const rec = { name: T.name, shape: T.shape, c: L.c, frames: L.frames.length, grids: L.grids.length, cells: L.cells.length, labels: [] };
    drawn.push(rec);
    // frames (outer boxes) with their axis headers
    for (const f of L.frames) {
      p.stroke(90);
      p.strokeWeight(f.level >= 3 ? 2 : 1.2);
      p.fill(255, 255, 255, f.level >= 3 ? 60 : 150);
      p.rect(f.x, f.y, f.w, f.h, 4);
      p.noStroke();
      p.fill(40);
      p.textSize(16);
      p.textAlign(p.LEFT, p.CENTER);
      const lab = fitLabel(p, [`axis ${f.axis}: ${f.n}`, `ax${f.axis}: ${f.n}`, `${f.n}`], f.w - 2 * PAD);
      p.text(lab, f.x + PAD, f.y + HEAD / 2 + 1);
      rec.labels.push(lab);
    }
    // cells
    const showCells = T.role === 'in' || (T.src_index && phase === 'rest' && s.applied);
    p.textAlign(p.CENTER, p.CENTER);
    p.textSize(16);
    for (let m = 0; m < L.cells.length; m++) {
      const cell = L.cells[m];
      let t = T.t;
      let k = m;
      if (T.role === 'out') { t = T.src_tensor ? T.src_tensor[m] : 0; k = T.src_index ? T.src_index[m] : m; }
      if (showCells) {
        const n = s.inputs[t].n;
        const col = cellColour(p, t, k, n);
        if (phase === 'moving') col.setAlpha(70); // the element is on its way to the result
        p.fill(col);
        p.stroke(255);
        p.strokeWeight(1);
        p.rect(cell.x, cell.y, L.c, L.c);
        drawCellLabel(p, t, k, cell.x, cell.y, L.c, s);
      } else {
        p.fill(255, 255, 255, 200);
        p.stroke(170);
        p.strokeWeight(1);
        p.rect(cell.x, cell.y, L.c, L.c);
      }
    }
    // grid outlines
    p.noFill();
    p.stroke(60);
    p.strokeWeight(1.5);
    for (const g of L.grids) p.rect(g.x, g.y, g.w, g.h);
    // annotations of the last two axes on the first grid
    const g = L.grids[0];
    p.noStroke();
    p.fill(20, 60, 120);
    p.textSize(16);
    if (nd >= 1) {
      const lab = fitLabel(p, [`axis ${nd - 1}: ${T.shape[nd - 1]}`, `ax${nd - 1}: ${T.shape[nd - 1]}`, `${T.shape[nd - 1]}`], Math.max(g.w, L.w - (g.x - L.x)));
      p.textAlign(p.LEFT, p.CENTER);
      p.text(lab, g.x, L.y + ANN / 2);
      rec.labels.push(lab);
      p.stroke(20, 60, 120);
      p.strokeWeight(1);
      p.line(g.x, L.y + ANN - 3, g.x + g.w, L.y + ANN - 3);
      p.noStroke();
    } else {
      p.textAlign(p.LEFT, p.CENTER);
      p.text('scalar: 0 axes', L.x, L.y + ANN / 2);
    }
    if (nd >= 2) {
      const lab = fitLabel(p, [`axis ${nd - 2}: ${T.shape[nd - 2]}`, `ax${nd - 2}: ${T.shape[nd - 2]}`, `${T.shape[nd - 2]}`], Math.max(g.h, 20));
      p.push();
      p.translate(L.x + ANN / 2, g.y + g.h / 2);
      p.rotate(-Math.PI / 2);
      p.textAlign(p.CENTER, p.CENTER);
      p.text(lab, 0, 0);
      p.pop();
      rec.labels.push(lab);
      p.stroke(20, 60, 120);
      p.strokeWeight(1);
      p.line(L.x + ANN - 3, g.y, L.x + ANN - 3, g.y + g.h);
      p.noStroke();
    }
  }

  function drawCellLabel(p, t, k, x, y, c, s) {
    if (c < 18) return;
    const lab = fitLabel(p, t === 1 ? [`b${k}`, `${k}`] : [`${k}`], c - 3);
    if (!lab) return;
    p.noStroke();
    p.fill(...INK);
    p.text(lab, x + c / 2, y + c / 2 + 1);
  }

  function drawArrow(p, arr) {
    const r = arr.horizontal
      ? { x: arr.inR.x + arr.inR.w, y: arr.inR.y, w: arr.outR.x - (arr.inR.x + arr.inR.w), h: arr.inR.h }
      : { x: arr.inR.x, y: arr.inR.y + arr.inR.h, w: arr.inR.w, h: arr.outR.y - (arr.inR.y + arr.inR.h) };
    const cx = r.x + r.w / 2;
    const cy = r.y + r.h / 2;
    p.stroke(80);
    p.strokeWeight(3);
    p.fill(80);
    if (arr.horizontal) {
      p.line(cx - 12, cy, cx + 10, cy);
      p.triangle(cx + 14, cy, cx + 4, cy - 7, cx + 4, cy + 7);
    } else {
      p.line(cx, cy - 10, cx, cy + 8);
      p.triangle(cx, cy + 13, cx - 7, cy + 3, cx + 7, cy + 3);
    }
  }

  function drawError(p, s, r) {
    p.textSize(16);
    p.textStyle(p.BOLD);
    const heads = wrap(p, `⚠ Cannot apply ${s.params.op}:`, r.w - 20);
    p.textStyle(p.NORMAL);
    const lines = wrap(p, s.error, r.w - 20);
    if (s.error_field === 'shape' && s.message) lines.push(...wrap(p, s.message, r.w - 20));
    const h = Math.min(r.h - 4, 22 + 20 * (heads.length + lines.length));
    const y0 = r.y + Math.max(2, (r.h - h) / 2);
    p.fill(255, 240, 240);
    p.stroke(...ERR);
    p.strokeWeight(2);
    p.rect(r.x + 2, y0, r.w - 4, h, 6);
    p.noStroke();
    p.fill(...ERR);
    p.textAlign(p.LEFT, p.TOP);
    p.textStyle(p.BOLD);
    let y = y0 + 10;
    for (const l of heads) { p.text(l, r.x + 10, y); y += 20; }
    y += 2;
    p.textStyle(p.NORMAL);
    for (const l of lines) {
      if (y + 20 > y0 + h) break;
      p.text(l, r.x + 10, y);
      y += 20;
    }
  }

  function easeInOut(u) { return u < 0.5 ? 2 * u * u : 1 - 2 * (1 - u) * (1 - u); }

  /** Cells flying from their input place to their output place (animation frame). */
  function drawMoving(p, s, layouts, items) {
    const ins = items.filter((it) => it.tensor.role === 'in');
    const total = s.inputs.reduce((acc, t) => acc + t.n, 0);
    const offset = [0, s.inputs[0] ? s.inputs[0].n : 0];
    p.textAlign(p.CENTER, p.CENTER);
    p.textSize(16);
    for (const it of items) {
      const T = it.tensor;
      if (T.role !== 'out' || !T.src_index) continue;
      const Lo = layouts.get(it);
      if (!Lo || Lo.c < MINC) continue;
      for (let m = 0; m < Lo.cells.length; m++) {
        const t = T.src_tensor[m];
        const k = T.src_index[m];
        const Li = layouts.get(ins[t]);
        if (!Li || Li.c < MINC) continue;
        const from = Li.cells[k];
        const to = Lo.cells[m];
        const start = (0.6 * (offset[t] + k)) / Math.max(1, total - 1);
        const u = easeInOut(Math.max(0, Math.min(1, (animT - start) / 0.4)));
        const c = Li.c + (Lo.c - Li.c) * u;
        const x = from.x + (to.x - from.x) * u;
        const y = from.y + (to.y - from.y) * u;
        p.fill(cellColour(p, t, k, s.inputs[t].n));
        p.stroke(40);
        p.strokeWeight(1);
        p.rect(x, y, c, c);
        drawCellLabel(p, t, k, x, y, c, s);
      }
    }
  }

  function draw(p) {
    const s = ms.state;
    const W = p.width;
    const H = p.height;
    p.background(240, 248, 255);
    drawn = [];
    const hd = header(p, s, W);
    drawHeader(p, s, hd, W);
    // info panel at the bottom, at most 40 % of the height
    const lines = infoLines(p, s, W);
    const maxInfo = Math.floor((H * 0.4) / 20);
    const shown = lines.slice(0, maxInfo);
    const infoH = shown.length * 20 + 10;
    const area = { x: 8, y: hd.h, w: W - 16, h: H - hd.h - infoH - 4 };
    // tensors
    if (!s.inputs.length) {
      drawError(p, s, area);
    } else {
      const arr = arrange(s, area);
      const layouts = new Map();
      for (const it of arr.items) {
        if (!it.fit || it.fit.c < MINC) { layouts.set(it, null); continue; }
        const size = totalSize(it.tensor.shape, it.fit.c, it.fit.dirs);
        const dx = Math.max(2, (it.slot.w - size.w) / 2);
        const dy = Math.max(0, (it.slot.h - TITLE - size.h) / 2);
        const L = place(it.tensor.shape, it.slot.x + dx, it.slot.y + TITLE + dy, it.fit.c, it.fit.dirs);
        layouts.set(it, L);
      }
      const ctx = p.drawingContext;
      const moving = animT < 1 && s.applied;
      for (const it of arr.items) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(it.slot.x, it.slot.y, it.slot.w, it.slot.h);
        ctx.clip();
        if (it.tensor.placeholder) drawError(p, s, it.slot);
        else drawTensor(p, it, layouts.get(it), s, moving ? 'moving' : 'rest');
        ctx.restore();
      }
      drawArrow(p, arr);
      if (moving) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(area.x, area.y, area.w, area.h);
        ctx.clip();
        drawMoving(p, s, layouts, arr.items);
        ctx.restore();
      }
    }
    // info panel
    let y = H - infoH + 4;
    p.noStroke();
    p.stroke(200);
    p.line(8, y - 4, W - 8, y - 4);
    p.noStroke();
    p.textAlign(p.LEFT, p.TOP);
    p.textSize(16);
    for (const l of shown) {
      p.textStyle(l.bold ? p.BOLD : p.NORMAL);
      p.fill(...(l.color || INK));
      p.text(l.text, 10, y);
      y += 20;
    }
    p.textStyle(p.NORMAL);
    ms.region.dataset.layout = JSON.stringify(drawn);
  }

  // ------------------------------------------------------------------ animation and controls
  const anim = ms.animation({
    step: () => {
      animT = Math.min(1, animT + 1 / 50);
      ms.region.dataset.anim = animT < 1 ? 'running' : 'done';
      p5i.redraw();
      return animT < 1;
    },
    interval: () => 100 / Number(ms.state.params.speed || 3),
  });

  function describe(s) {
    const ins = s.inputs.map((t) => `${t.name} ${fmt(t.shape)}`).join(' and ');
    if (s.error) return `Input ${ins || 'invalid'}: ${s.params.op} cannot run: ${s.error}`;
    const order = s.order_note ? ` ${s.order_note}` : '';
    return `Input ${ins}; ${s.expr} gives the result shape ${fmt(s.result_shape)}.${order}`;
  }

  ms.onState((s) => {
    if (s.error) ms.setStatus(`Error: ${s.error}`, true);
    if (!urlNoteDone && document.documentElement.dataset.engine === 'ready') {
      urlNoteDone = true;
      const given = Object.keys(ms.urlParams);
      if (s.error && given.length) {
        const names = s.error_field in ms.urlParams ? [s.error_field] : given;
        const list = names.map((n) => `${n}=“${ms.urlParams[n]}”`).join(', ');
        ms.note(`URL parameter${names.length > 1 ? 's' : ''} ${list}: ${s.error}`);
      }
    }
    ms.region.setAttribute('aria-label', describe(s));
    if (s.applied && s.applies !== lastApplies) {
      animT = 0;
      ms.region.dataset.anim = 'running';
      anim.stop();
      anim.start();
    } else if (!s.applied) {
      anim.stop();
      animT = 1;
      ms.region.dataset.anim = 'idle';
    }
    lastApplies = s.applies;
  });

  ms.onControl(async (name) => {
    if (name === 'apply') await ms.act('apply');
    else if (name === 'use_result') await ms.act('use_result');
    // the settings go to the engine through the runtime
  });

  const p5i = ms.sketch({
    setup() {
      ms.region.dataset.anim = 'idle';
      ms.region.setAttribute('aria-label', describe(ms.state));
    },
    draw,
  });
})();
