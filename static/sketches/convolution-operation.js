// Convolution Operation Visualizer: draws the state of sims/convolution.py. Every number and
// every label comes from the engine's state; this file only lays out grids and maps values
// to colours (the colour scale's limit also comes from the state).
(function () {
  'use strict';
  const ms = window.microsim;
  const { blue: BLUE, orange: ORANGE, ink: INK } = ms.palette;
  const ACCENT = ms.palette.purple; // kernel overlay, current output cell, products frame
  const WHITE = [255, 255, 255];
  const TONES = { ink: INK, note: [60, 60, 60], warn: [140, 50, 0] }; // the state's text tones
  const FONT = 16;
  const TITLE = 24; // one title line
  const LEGEND = 22; // the colour bar line under the output map

  // ------------------------------------------------------------------ colours
  function colourOf(v, scale) {
    if (scale.kind === 'gray') {
      const g = 255 * Math.max(0, Math.min(1, v / scale.limit));
      return [g, g, g];
    }
    const t = Math.max(-1, Math.min(1, v / scale.limit));
    const end = t < 0 ? BLUE : ORANGE;
    const a = Math.abs(t);
    return [0, 1, 2].map((i) => 255 + (end[i] - 255) * a);
  }
  const GRAY01 = { kind: 'gray', limit: 1 };

  // ------------------------------------------------------------------ drawing helpers
  /** Wrapped lines of text in one colour (only measured when draw is false); returns the height used. */
  const para = (p, lines, x, y, w, draw, color = undefined) =>
    ms.textPanel(p, lines.map((text) => ({ text, color })), { x, y, w, draw, size: FONT });
  /**
   * A bold panel title: the first of `texts` (one, or a list longest first) that fits w, else the
   * last, cut; only measured when draw is false. Returns its width.
   */
  function title(p, texts, x, y, w, draw = true) {
    p.textSize(FONT);
    p.textStyle(p.BOLD);
    const all = [texts].flat();
    const text = ms.fitText(p, all.find((t) => p.textWidth(t) <= w) || all[all.length - 1], w);
    const width = p.textWidth(text);
    if (draw) {
      p.noStroke();
      p.fill(...INK);
      p.text(text, x, y);
    }
    p.textStyle(p.NORMAL);
    return width;
  }
  /** A label centred on (cx, cy), when it fits in the width w at `size` px. */
  function cellText(p, text, cx, cy, w, ink, size = FONT) {
    p.textSize(size);
    if (p.textWidth(text) > w - 3) return;
    p.fill(...[ink].flat());
    p.textAlign(p.CENTER, p.CENTER);
    p.text(text, cx, cy);
    p.textAlign(p.LEFT, p.TOP);
  }
  function widest(p, labels) {
    p.textSize(FONT);
    return Math.max(0, ...labels.flat().map((t) => p.textWidth(t)));
  }
  /** A rectangle's outline in colour `col`, `weight` px wide. */
  function outline(p, x, y, w, h, col, weight) {
    p.noFill();
    p.stroke(...col);
    p.strokeWeight(weight);
    p.rect(x, y, w, h);
    p.strokeWeight(1);
    p.noStroke();
  }
  /** Diagonal lines over `box`: padding cells, and output cells no pooling window covers. */
  function hatch(p, box, col) {
    ms.clipped(p, box, () => {
      p.stroke(...col);
      p.strokeWeight(1);
      for (let d = -box.h; d < box.w; d += 6) p.line(box.x + d, box.y + box.h, box.x + d + box.h, box.y);
    });
  }
  /**
   * rows × cols cells of cw × ch from (x, y); cell(r, q) gives {fill, stroke, text, ink, top, hatch}:
   * `text` centred in `ink` (by default what reads on the fill), or under a second label `top`.
   */
  function cells(p, x, y, cw, ch, rows, cols, cell) {
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++) {
        const { fill = WHITE, stroke = 150, text = '', ink = ms.inkOn(fill), top, hatch: hatched } = cell(r, q);
        const bx = x + q * cw;
        const by = y + r * ch;
        p.fill(...fill);
        p.stroke(stroke);
        p.rect(bx, by, cw, ch);
        if (hatched) hatch(p, { x: bx, y: by, w: cw, h: ch }, [205, 205, 215]);
        p.noStroke();
        // 1 px below the middle: digits look centred
        if (top) cellText(p, top, bx + cw / 2, by + 12, cw, ACCENT);
        cellText(p, text, bx + cw / 2, by + (top ? 31 : ch / 2 + 1), cw, ink);
      }
    }
  }
  /** A square map of values: the cells done(index) in the scale's colours with labels, the rest blank. */
  function mapGrid(p, x, y, c, values, labels, scale, done) {
    const n = values.length;
    cells(p, x, y, c, c, n, n, (r, q) =>
      done(r * n + q) ? { fill: colourOf(values[r][q], scale), text: labels[r][q] } : { stroke: 200 },
    );
  }

  // ------------------------------------------------------------------ panels
  // Each panel: (p, s, box, cap, extra, draw) -> the height it needs in box.w, drawn at box.x,
  // box.y when `draw` is true. `cap` is the largest cell size allowed; the layout lowers it until
  // everything fits in the height.

  function inputPanel(p, s, box, cap, _extra, draw) {
    const n = s.padded.length;
    const c = Math.max(8, Math.min(cap, Math.floor(box.w / n)));
    const y0 = box.y + TITLE;
    if (!draw) return TITLE + c * n;
    title(p, s.titles.input, box.x, box.y, box.w);
    const isPad = (i) => i < s.pad || i >= n - s.pad;
    cells(p, box.x, y0, c, c, n, n, (r, q) =>
      isPad(r) || isPad(q)
        ? { stroke: 170, hatch: true, text: s.padded_labels[r][q], ink: 110 }
        : { fill: colourOf(s.padded[r][q], GRAY01), text: s.padded_labels[r][q] },
    );
    // the kernel overlay at the current position
    const [tr, tc] = s.current.top_left;
    const k = s.kernel.size * c;
    outline(p, box.x + tc * c, y0 + tr * c, k, k, WHITE, 6);
    outline(p, box.x + tc * c, y0 + tr * c, k, k, ACCENT, 3.5);
    return TITLE + c * n;
  }

  /** The size of a labelled grid of k×k cells (window, kernel or products) with an optional side column. */
  function gridSize(p, labels, cap, side, ch = Math.max(24, Math.min(cap, 40))) {
    const k = labels.length;
    const cw = Math.max(Math.min(cap, 48), Math.ceil(widest(p, labels) + 7));
    const sideW = side ? Math.ceil(widest(p, [side.map((t) => `= ${t}`)]) + 10) : 0;
    return { cw, ch, w: cw * k + sideW, h: ch * k };
  }
  /** A grid item of the calculation (see calcRows) at (x, y): its cells, frame and side column. */
  function drawGrid(p, it, x, y) {
    const { g, labels } = it;
    const k = labels.length;
    cells(p, x, y, g.cw, g.ch, k, k, (r, q) => ({
      fill: it.fill && it.fill(r, q), stroke: 160, text: labels[r][q], top: it.top && it.top[r][q],
    }));
    if (it.frame) outline(p, x, y, g.cw * k, g.ch * k, ACCENT, 3);
    if (it.side) {
      p.fill(...INK);
      p.textSize(FONT);
      p.textAlign(p.LEFT, p.CENTER);
      for (let r = 0; r < k; r++) p.text(`= ${it.side[r]}`, x + k * g.cw + 6, y + r * g.ch + g.ch / 2 + 1);
      p.textAlign(p.LEFT, p.TOP);
    }
  }

  /** The calculation's grids, flowed into rows: {rows (items with their x offset dx), rowH}. */
  function calcRows(p, s, w, cap, narrow) {
    const { current: cur, kernel: ker, titles } = s;
    // a grid item: its title, labels, cell colours (fill), side column, frame; g is its size
    const grid = (it) => {
      const g = gridSize(p, it.size || it.labels, cap, it.side, it.ch);
      return { frame: true, ...it, g, w: Math.max(g.w, title(p, it.title, 0, 0, Infinity, false) + 4) };
    };
    const kernel = grid({ title: titles.kernel, labels: ker.labels, fill: () => [250, 244, 255], frame: false });
    const products = grid({ title: titles.products, labels: cur.scaled_labels, side: cur.row_sum_labels });
    if (narrow && w < 500 && kernel.g.w + 28 + products.g.w > w) {
      // too narrow for kernel and products side by side (a 5×5 kernel at 400 px): one grid
      // whose cells show the weight (top) and the product (bottom)
      const top = ker.labels.map((row) => row.map((t) => `×${t}`));
      const wider = (a, b) => (p.textWidth(a) > p.textWidth(b) ? a : b);
      const size = cur.scaled_labels.map((row, r) => row.map((t, q) => wider(t, top[r][q]))); // sizes the cells
      const side = gridSize(p, size, cap, cur.row_sum_labels).w > w ? null : cur.row_sum_labels;
      const it = grid({ title: titles.both, labels: cur.scaled_labels, size, top, side, ch: 42, dx: 0 });
      return { rows: [[it]], rowH: [TITLE + it.g.h + 8] };
    }
    const op = (text) => ({ op: true, text, w: 22 });
    const windowFill = (r, q) => colourOf(cur.window[r][q], GRAY01);
    const win = grid({ title: titles.window, labels: cur.window_labels, fill: windowFill });
    const items = [win, op('×'), kernel, op('='), products];
    // flow left to right, wrapping; at narrow widths the input grid above shows the window's
    // values: skip the copy
    const use = narrow ? items.slice(2) : items;
    const rows = [[]];
    let x = 0;
    for (const it of use) {
      // a grid that does not fit starts a new row; an operator never starts or ends one
      if (x + it.w > w && rows.at(-1).length) {
        if (it.op) continue;
        if (rows.at(-1).at(-1).op) rows.at(-1).pop();
        rows.push([]);
        x = 0;
      }
      rows.at(-1).push({ ...it, dx: x });
      x += it.w + 6;
    }
    const rowH = rows.map((row) => TITLE + Math.max(...row.map((it) => (it.g ? it.g.h : 0))) + 8);
    return { rows, rowH };
  }

  function calcPanel(p, s, box, cap, narrow, draw) {
    const { rows, rowH } = calcRows(p, s, box.w, cap, narrow);
    let y = box.y;
    rows.forEach((row, ri) => {
      for (const it of draw ? row : []) {
        const x = box.x + it.dx;
        if (it.op) cellText(p, it.text, x + 11, y + TITLE + (rowH[ri] - TITLE - 8) / 2, it.w, INK, 22);
        else {
          title(p, it.title, x, y, it.w);
          drawGrid(p, it, x, y + TITLE);
        }
      }
      y += rowH[ri];
    });
    return y - box.y + para(p, [s.current.written], box.x, y, box.w, draw, ACCENT);
  }

  /** The output map, filled up to the current position, its colour bar, and (extra false) the pool under it. */
  function outputPanel(p, s, box, cap, narrow, draw) {
    const n = s.output.length;
    const c = Math.max(10, Math.min(n <= 3 ? 48 : cap + 6, Math.floor(box.w / Math.max(n, 3))));
    const [x0, y0] = [box.x, box.y + TITLE];
    const h = TITLE + c * n + 6 + LEGEND;
    if (draw) {
      title(p, s.titles.output, x0, box.y, box.w);
      mapGrid(p, x0, y0, c, s.output, s.labels, s.scale, (idx) => idx < s.pos);
      const [ci, cj] = s.current.out;
      outline(p, x0 + cj * c, y0 + ci * c, c, c, ACCENT, 3.5);
      if (s.pool && !s.pool.too_small) {
        // the 2×2 windows (dashed) and the rows/columns no window covers (hatched)
        const used = s.pool.used;
        p.drawingContext.setLineDash([4, 3]);
        p.stroke(20);
        p.strokeWeight(2);
        for (let a = 0; a < used; a += 2) {
          for (let b = 0; b < used; b += 2) p.rect(x0 + b * c, y0 + a * c, 2 * c, 2 * c);
        }
        p.drawingContext.setLineDash([]);
        p.strokeWeight(1);
        if (used < n) {
          hatch(p, { x: x0 + used * c, y: y0, w: (n - used) * c, h: n * c }, [90, 90, 90]);
          hatch(p, { x: x0, y: y0 + used * c, w: used * c, h: (n - used) * c }, [90, 90, 90]);
        }
      }
      p.noStroke();
      legend(p, s.scale, x0, y0 + n * c + 6, box.w);
    }
    if (!s.pool || narrow) return h;
    return h + 8 + poolPanel(p, s, { x: x0, y: box.y + h + 8, w: box.w }, cap, null, draw);
  }
  /** "lo [colour bar] hi" on one line. */
  function legend(p, scale, x, y, w) {
    p.textSize(FONT);
    const lw = p.textWidth(scale.lo_label) + 6;
    const bw = Math.max(30, Math.min(160, w - lw - p.textWidth(scale.hi_label) - 6));
    p.fill(60);
    p.text(scale.lo_label, x, y);
    for (let i = 0; i < bw; i++) {
      const v = scale.kind === 'gray' ? (i / (bw - 1)) * scale.limit : ((2 * i) / (bw - 1) - 1) * scale.limit;
      p.stroke(...colourOf(v, scale));
      p.line(x + lw + i, y + 3, x + lw + i, y + 15);
    }
    p.noStroke();
    p.text(scale.hi_label, x + lw + bw + 6, y);
  }
  const poolCell = (w, cap) => Math.max(12, Math.min(cap + 6, Math.floor(w / 3)));
  /** The pooled map: each cell appears once its window of the output is computed. */
  function poolPanel(p, s, box, cap, _extra, draw) {
    const pool = s.pool;
    if (pool.too_small) return para(p, pool.lines, box.x, box.y, box.w, draw);
    const c = poolCell(box.w, cap);
    if (draw) {
      title(p, s.titles.pool, box.x, box.y, box.w);
      mapGrid(p, box.x, box.y + TITLE, c, pool.output, pool.labels, s.scale, (idx) => pool.ready[idx]);
    }
    return TITLE + c * pool.output.length + 6;
  }

  /** The sample picture before and after the kernel, its size formula, and (extra true) every preset on it. */
  function samplePanel(p, s, box, cap, showPresets, draw) {
    const sm = s.sample;
    // pixel size of the before/after pictures: two side by side (small on narrow screens,
    // where the formula goes beside them)
    const most = showPresets ? Math.min(5, Math.floor(cap / 6)) : cap >= 30 ? 3 : 2;
    const px = Math.max(2, Math.min(most, Math.floor((box.w - 12) / 2 / 28)));
    const used = 2 * 28 * px + 12;
    const beside = !showPresets && box.w - used - 12 >= 150;
    const y = box.y + TITLE;
    // the formula with the numbers; the long explanation where there is room
    const lines = showPresets ? sm.lines.slice(1) : sm.short;
    const colour = TONES[sm.size.exact ? 'note' : 'warn'];
    const textH = beside
      ? para(p, lines, box.x + used + 12, y, box.w - used - 12, draw, colour)
      : para(p, lines, box.x, y + 28 * px + 6, box.w, draw, colour);
    const h = TITLE + (beside ? Math.max(28 * px, textH) : 28 * px + 6 + textH) + 6;
    if (draw) {
      title(p, s.titles.sample, box.x, box.y, box.w);
      image(p, sm.image, GRAY01, box.x, y, px);
      // the result keeps its own pixels: a 13×13 result is drawn at the scale of 13 cells
      image(p, sm.after, sm.scale, box.x + 28 * px + 12, y, (28 * px) / sm.after_shape[0]);
    }
    return showPresets ? h + presetPanel(p, s, box.x, box.y + h, box.w, draw) : h;
  }
  /** Every preset kernel (stride 1, same) on the sample picture, the current one framed. */
  function presetPanel(p, s, x, y, w, draw) {
    // all six presets in one row when they fit at 2 px per pixel, else two rows of three
    const per = 6 * 56 + 5 * 24 <= w ? 6 : 3;
    const px = per === 6 ? 2 : Math.max(1, Math.min(3, Math.floor((w - 16) / 3 / 28)));
    const tw = 28 * px;
    if (draw) {
      title(p, s.titles.presets, x, y, w);
      const gap = Math.min(40, Math.floor((w - per * tw) / Math.max(1, per - 1)));
      s.sample.presets.forEach((pr, i) => {
        const cx = x + (i % per) * (tw + gap);
        const cy = y + TITLE + Math.floor(i / per) * (tw + TITLE);
        image(p, presetPicture(pr), pr.scale, cx, cy, px);
        if (pr.kernel === s.kernel.name) outline(p, cx - 2, cy - 2, tw + 4, tw + 4, ACCENT, 3);
        p.fill(...INK);
        p.text(ms.fitText(p, pr.kernel, tw + gap - 2), cx, cy + tw + 2);
      });
    }
    return TITLE + Math.ceil(6 / per) * (tw + TITLE);
  }
  /**
   * A preset's 28×28 picture from its bytes (sims/convolution.py _pixels): byte b is the value
   * lo + b/255·(hi − lo) of its colour scale. Kept per text, so a state with the same gallery
   * reuses the pictures.
   */
  const presetPictures = new Map();
  function presetPicture(pr) {
    let img = presetPictures.get(pr.pixels);
    if (!img) {
      const bytes = Uint8Array.from(atob(pr.pixels), (ch) => ch.charCodeAt(0));
      const { limit } = pr.scale;
      const lo = pr.scale.kind === 'diverging' ? -limit : 0;
      const side = Math.round(Math.sqrt(bytes.length));
      img = Array.from({ length: side }, (_, r) => Array.from(bytes.subarray(r * side, (r + 1) * side), (b) => lo + (b / 255) * (limit - lo)));
      if (presetPictures.size > 60) presetPictures.clear();
      presetPictures.set(pr.pixels, img);
    }
    return img;
  }
  const pictures = new WeakMap(); // picture array (from the state) -> p5.Image with its colours
  function image(p, img, scale, x, y, px) {
    if (!pictures.has(img)) {
      const pic = p.createImage(img[0].length, img.length);
      pic.loadPixels();
      img.flat().forEach((v, i) => pic.pixels.set([...colourOf(v, scale), 255], 4 * i)); // rows in reading order
      pic.updatePixels();
      pictures.set(img, pic);
    }
    p.noSmooth(); // crisp pixels when scaled up
    p.image(pictures.get(img), x, y, img[0].length * px, img.length * px);
    p.smooth();
    outline(p, x, y, img[0].length * px, img.length * px, [150, 150, 150], 1);
  }

  /** The state's text lines: the size formulas, the pooling, the message (fewer when narrow). */
  function textLines(p, s, box, _cap, narrow, draw) {
    const lines = s.text[narrow ? 'narrow' : 'wide'].map(({ text, tone }) => ({ text, color: TONES[tone] }));
    return ms.textPanel(p, lines, { x: box.x, y: box.y, w: box.w, draw, size: FONT });
  }

  // ------------------------------------------------------------------ layout
  const PAD = 10;
  const GAP = 18;
  const PANELS = {
    input: inputPanel, calc: calcPanel, output: outputPanel, pool: poolPanel, text: textLines, sample: samplePanel,
  };

  /**
   * One try's rows, top to bottom: [the gap under it, its panels as [name, x, w, extra]].
   * @returns {[number, any[][]][]}
   */
  function layout(s, W, cap, win) {
    const inner = W - 2 * PAD;
    if (W >= 700) {
      const shares = W >= 1100 ? [0.28, 0.44, 0.28] : [0.27, 0.46, 0.27];
      const [a, b, c] = shares.map((x) => Math.floor((inner - 2 * GAP) * x));
      const tw = Math.floor((inner - GAP) * 0.55);
      return [
        [GAP, [['input', PAD, a], ['calc', PAD + a + GAP, b, !win], ['output', PAD + a + b + 2 * GAP, c, false]]],
        [0, [['text', PAD, tw, false], ['sample', PAD + tw + GAP, inner - tw - GAP, true]]],
      ];
    }
    const half = Math.floor((inner - GAP) / 2);
    // the pooled map sits left of the formula text
    const poolW = s.pool ? Math.max(96, Math.min(inner * 0.3, 3 * poolCell(half, cap)) + 12) : 0;
    const pool = s.pool ? [['pool', PAD, poolW - 12]] : [];
    return [
      [8, [['input', PAD, half], ['output', PAD + half + GAP, half, true]]],
      [4, [['calc', PAD, inner, !win]]],
      [8, [['text', PAD + poolW, inner - poolW, true], ...pool]],
      [0, [['sample', PAD, inner, false]]],
    ];
  }

  function plan(p, s, W, H) {
    // try the richest layout first (input window grid shown, big cells), then give up
    // the window copy, then shrink the cells, until everything fits in the height
    const tries = [];
    for (let cap = 60; cap >= 24; cap -= 4) tries.push({ cap, win: true });
    for (let cap = 60; cap >= 14; cap -= 2) tries.push({ cap, win: false });
    let L = null;
    for (const { cap, win } of tries) {
      if (W < 700 && win && cap > 40) continue;
      const boxes = [];
      let y = PAD;
      for (const [gap, row] of layout(s, W, cap, win)) {
        const placed = row.map(([name, x, w, extra]) => [name, { x, y, w }, extra]);
        y += Math.max(...placed.map(([name, box, extra]) => PANELS[name](p, s, box, cap, extra, false))) + gap;
        boxes.push(...placed);
      }
      L = { cap, h: y, boxes };
      if (L.h <= H - PAD) return L;
    }
    return L;
  }
  // ------------------------------------------------------------------ interaction
  const animation = ms.playButton('animate', {
    play: 'Animate Convolution',
    pause: 'Pause animation',
    step: async () => {
      const s = await ms.act('animate_step');
      return Boolean(s) && s.pos < s.n_positions;
    },
    interval: () => 1000 / ms.controls.speed.value,
    stopOn: ['prev', 'next', 'kernel', 'ksize', 'stride', 'padding'], // a new geometry or kernel
  });

  ms.onControl(async (name) => {
    if (name === 'next' || name === 'prev') await ms.act('move', { direction: name });
  });

  // one note at most for a clamped kernel position: replaced by the next, gone with a good state
  function syncFromState(s) {
    ms.region.setAttribute('aria-label', `${ms.config.describe} ${s.summary} Arrow keys move the kernel.`);
    if (s.warning) ms.note(s.warning, 'position');
    else ms.clearNote('position');
  }
  ms.onState(syncFromState);

  const KEYS = { ArrowRight: 'next', ArrowLeft: 'prev', ArrowUp: 'up', ArrowDown: 'down', Home: 'first', End: 'last' };

  ms.sketch({
    setup() {
      ms.region.tabIndex = 0;
      ms.region.addEventListener('keydown', (e) => {
        const direction = KEYS[e.key];
        if (!direction) return;
        e.preventDefault();
        animation.stop();
        ms.act('move', { direction });
      });
      syncFromState(ms.state);
    },
    draw(p) {
      const s = ms.state;
      p.background(240, 248, 255);
      p.textAlign(p.LEFT, p.TOP);
      p.noStroke();
      const L = plan(p, s, p.width, p.height);
      if (L) for (const [name, box, extra] of L.boxes) PANELS[name](p, s, box, L.cap, extra, true);
    },
  });
})();
