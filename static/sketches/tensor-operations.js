// Tensor Operations Visualizer: draws the state of sims/tensor_ops.py. Every shape, mapping,
// rule and message (titles, headings, notes: built in Python) comes from the engine's state;
// this file only lays tensors out as nested boxes (pixel mapping) and interpolates cell
// positions for the animation.
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
  const AXIS_INK = [20, 60, 120]; // the axis annotations and the reshape targets
  /** Panel lines of the state, their colour given as a palette name. */
  const styled = (lines) => lines.map((l) => ({ ...l, color: l.color ? ms.palette[l.color] : undefined }));
  const font = (p, size, bold = false, mono = false) => {
    p.textSize(size);
    p.textStyle(bold ? p.BOLD : p.NORMAL);
    p.textFont(mono ? 'monospace' : 'sans-serif');
  };

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
  /** Slots for a group of tensors inside a rect: stacked or side by side. */
  function groupSlots(group, r, sideBySide) {
    const n = Math.max(1, group.length);
    return group.map((_, i) => (sideBySide
      ? { x: r.x + (i * r.w) / n, y: r.y, w: r.w / n - (i < n - 1 ? 10 : 0), h: r.h }
      : { x: r.x, y: r.y + (i * r.h) / n, w: r.w, h: r.h / n - (i < n - 1 ? 8 : 0) }));
  }

  /** Fit each tensor of `items` that is drawn cell by cell to its slot; the smallest cell size. */
  function fitAll(items) {
    const drawable = items.filter((it) => it.tensor.role === 'in' || it.tensor.drawable);
    for (const it of drawable) it.fit = fit(it.tensor.shape, it.slot.w - 4, it.slot.h - TITLE - 2);
    return Math.min(...drawable.map((it) => it.fit.c));
  }

  /** Choose the arrangement (input | output side by side or above each other) with the largest cells. */
  function arrange(s, area) {
    const ins = s.inputs.map((t, i) => ({ ...t, role: 'in', t: i }));
    const outs = s.outputs.map((t) => ({ ...t, role: 'out' }));
    const outsOrBox = outs.length ? outs : [{ role: 'out', placeholder: true, shape: [], drawable: false }];
    const options = [];
    const AR = 34; // arrow band
    for (const horizontal of [true, false]) {
      const half = (second) => (horizontal
        ? { x: area.x + (second ? (area.w + AR) / 2 : 0), y: area.y, w: (area.w - AR) / 2, h: area.h }
        : { x: area.x, y: area.y + (second ? (area.h + AR) / 2 : 0), w: area.w, h: (area.h - AR) / 2 });
      const [inR, outR] = [half(false), half(true)];
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
  /** The first label that fits `width` at the current text size, or ''. */
  function fitLabel(p, options, width) {
    for (const t of options) if (p.textWidth(t) <= width) return t;
    return '';
  }
  /** "axis 2: 4", or a shorter form when that does not fit `width`. */
  const axisLabel = (p, axis, n, width) => fitLabel(p, [`axis ${axis}: ${n}`, `ax${axis}: ${n}`, `${n}`], width);

  /**
   * The valid reshape targets as panel lines: the head and the shapes, wrapped into at most
   * two lines of `width`, with "+k more" when not all fit.
   */
  function targetLines(p, s, width) {
    if (!s.targets) return [];
    const { head, tokens, total } = s.targets;
    font(p, 16);
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
    let lines = [head];
    for (let use = tokens.length; use >= 0; use--) {
      const more = total - use;
      const tried = greedy(more > 0 ? [...tokens.slice(0, use), `+${more} more`] : tokens);
      if (tried.length <= 2) { lines = tried; break; }
    }
    return lines.map((text) => ({ text, color: AXIS_INK }));
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
  /** The result shape (right of the NumPy call, or above it when both do not fit one line); returns the height. */
  function drawHeader(p, s, W) {
    p.noStroke();
    font(p, 16, false, true);
    const callW = p.textWidth(s.call);
    font(p, 24, true);
    const oneLine = callW + p.textWidth(s.heading) + 40 <= W - 20;
    p.fill(...(s.result_shape ? INK : ERR));
    p.textAlign(oneLine ? p.RIGHT : p.LEFT, p.CENTER);
    p.text(s.heading, oneLine ? W - 10 : 10, oneLine ? 20 : 18);
    font(p, 16, false, true);
    p.textAlign(p.LEFT, p.CENTER);
    p.fill(40, 40, 90);
    p.text(ms.fitText(p, s.call, W - 20), 10, oneLine ? 20 : 46);
    font(p, 16);
    return oneLine ? 38 : 64;
  }

  function drawTensor(p, it, L, s, phase) {
    const T = it.tensor;
    const { slot } = it;
    const placed = L && L.c >= MINC;
    p.noStroke();
    p.fill(...INK);
    p.textAlign(p.LEFT, p.TOP);
    font(p, 16, true);
    const lab = fitLabel(p, T.titles, slot.w - 4);
    const tx = placed ? Math.max(slot.x + 2, Math.min(L.x, slot.x + slot.w - p.textWidth(lab) - 2)) : slot.x + 2;
    p.text(lab, tx, placed ? L.y - TITLE + 2 : slot.y + 2);
    p.textStyle(p.NORMAL);
    if (T.note || !placed) {
      // too many elements to draw (the engine's note), or too little room here
      const box = { x: slot.x + 4, y: slot.y + TITLE + 6, w: slot.w - 8, lead: 1.25 };
      ms.textPanel(p, [{ text: T.note || 'too small to draw here: widen the window', color: [60, 60, 60] }], box);
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
      p.textAlign(p.LEFT, p.CENTER);
      const axis = axisLabel(p, f.axis, f.n, f.w - 2 * PAD);
      p.text(axis, f.x + PAD, f.y + HEAD / 2 + 1);
      rec.labels.push(axis);
    }
    // cells: an input's elements; a result's once applied, else empty places
    const showCells = T.role === 'in' || (T.src_index && phase === 'rest' && s.applied);
    p.textAlign(p.CENTER, p.CENTER);
    L.cells.forEach((cell, m) => {
      const t = T.role === 'in' ? T.t : T.src_tensor ? T.src_tensor[m] : 0;
      const k = T.role === 'out' && T.src_index ? T.src_index[m] : m;
      // while moving the element is on its way to the result: its input place fades
      if (showCells) drawCell(p, t, k, s.inputs[t].n, cell.x, cell.y, L.c, { alpha: phase === 'moving' ? 70 : 255 });
      else {
        p.fill(255, 255, 255, 200);
        p.stroke(170);
        p.strokeWeight(1);
        p.rect(cell.x, cell.y, L.c, L.c);
      }
    });
    // grid outlines
    p.noFill();
    p.stroke(60);
    p.strokeWeight(1.5);
    for (const g of L.grids) p.rect(g.x, g.y, g.w, g.h);
    // the last two axes, along the top and down the left of the first grid
    const g = L.grids[0];
    p.noStroke();
    p.fill(...AXIS_INK);
    const annotate = (axis, room, x, y, vertical) => {
      const text = axisLabel(p, axis, T.shape[axis], room);
      p.push();
      p.translate(x, y);
      p.rotate(vertical ? -Math.PI / 2 : 0);
      p.textAlign(vertical ? p.CENTER : p.LEFT, p.CENTER);
      p.text(text, 0, 0);
      p.pop();
      rec.labels.push(text);
      p.stroke(...AXIS_INK);
      p.strokeWeight(1);
      if (vertical) p.line(L.x + ANN - 3, g.y, L.x + ANN - 3, g.y + g.h);
      else p.line(g.x, L.y + ANN - 3, g.x + g.w, L.y + ANN - 3);
      p.noStroke();
    };
    if (nd >= 1) annotate(nd - 1, Math.max(g.w, L.w - (g.x - L.x)), g.x, L.y + ANN / 2, false);
    else {
      p.textAlign(p.LEFT, p.CENTER);
      p.text('scalar: 0 axes', L.x, L.y + ANN / 2);
    }
    if (nd >= 2) annotate(nd - 2, Math.max(g.h, 20), L.x + ANN / 2, g.y + g.h / 2, true);
  }

  /** Element k of input t (of n) as a cell of size c, in its colour and with its number when it fits. */
  function drawCell(p, t, k, n, x, y, c, { alpha = 255, edge = 255 } = {}) {
    const col = cellColour(p, t, k, n);
    col.setAlpha(alpha);
    p.fill(col);
    p.stroke(edge);
    p.strokeWeight(1);
    p.rect(x, y, c, c);
    const lab = c < 18 ? '' : fitLabel(p, t === 1 ? [`b${k}`, `${k}`] : [`${k}`], c - 3);
    if (!lab) return;
    p.noStroke();
    p.fill(...INK);
    p.text(lab, x + c / 2, y + c / 2 + 1);
  }

  /** An arrow in the band between the inputs and the result, pointing to the result. */
  function drawArrow(p, { horizontal, inR, outR }) {
    p.push();
    const [x0, y0] = [inR.x + inR.w, inR.y + inR.h]; // where the inputs' half ends
    p.translate(horizontal ? (x0 + outR.x) / 2 : inR.x + inR.w / 2, horizontal ? inR.y + inR.h / 2 : (y0 + outR.y) / 2);
    p.rotate(horizontal ? 0 : Math.PI / 2);
    p.stroke(80);
    p.strokeWeight(3);
    p.fill(80);
    p.line(-12, 0, 10, 0);
    p.triangle(14, 0, 4, -7, 4, 7);
    p.pop();
  }

  /** The engine's error in a box in the middle of `r` (in place of the result). */
  function drawError(p, s, r) {
    const lines = styled(s.error_box);
    const panel = { x: r.x + 10, w: r.w - 20, lead: 1.25 };
    const h = Math.min(r.h - 4, 22 + ms.textPanel(p, lines, { ...panel, draw: false }));
    const y0 = r.y + Math.max(2, (r.h - h) / 2);
    p.fill(255, 240, 240);
    p.stroke(...ERR);
    p.strokeWeight(2);
    p.rect(r.x + 2, y0, r.w - 4, h, 6);
    ms.textPanel(p, lines, { ...panel, y: y0 + 10, h: h - 12 });
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
      const Lo = layouts.get(it);
      if (T.role !== 'out' || !T.src_index || !Lo || Lo.c < MINC) continue;
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
        drawCell(p, t, k, s.inputs[t].n, from.x + (to.x - from.x) * u, from.y + (to.y - from.y) * u, c, { edge: 40 });
      }
    }
  }

  function draw(p) {
    const s = ms.state;
    const W = p.width;
    const H = p.height;
    p.background(240, 248, 255);
    drawn = [];
    const headH = drawHeader(p, s, W);
    // info panel at the bottom, at most 40 % of the height
    const info = [...styled(s.info), ...targetLines(p, s, W - 20)];
    const panel = { x: 10, w: W - 20, h: Math.floor((H * 0.4) / 20) * 20, lead: 1.25 };
    const infoH = ms.textPanel(p, info, { ...panel, draw: false }) + 10;
    const area = { x: 8, y: headH, w: W - 16, h: H - headH - infoH - 4 };
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
        layouts.set(it, place(it.tensor.shape, it.slot.x + dx, it.slot.y + TITLE + dy, it.fit.c, it.fit.dirs));
      }
      const moving = animT < 1 && s.applied;
      for (const it of arr.items) {
        ms.clipped(p, it.slot, () => {
          if (it.tensor.placeholder) drawError(p, s, it.slot);
          else drawTensor(p, it, layouts.get(it), s, moving ? 'moving' : 'rest');
        });
      }
      drawArrow(p, arr);
      if (moving) ms.clipped(p, area, () => drawMoving(p, s, layouts, arr.items));
    }
    p.stroke(200);
    p.strokeWeight(3);
    p.line(8, H - infoH, W - 8, H - infoH);
    ms.textPanel(p, info, { ...panel, y: H - infoH + 4 });
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
    ms.region.setAttribute('aria-label', s.describe);
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
      ms.region.setAttribute('aria-label', ms.state.describe);
    },
    draw,
  });
})();
