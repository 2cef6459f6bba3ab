// Convolution Operation Visualizer: draws the state of sims/convolution.py. Every number and
// every label comes from the engine's state; this file only lays out grids and maps values
// to colours (the colour scale's limit also comes from the state).
(function () {
  'use strict';
  const ms = window.microsim;
  const { blue: BLUE, orange: ORANGE, ink: INK } = ms.palette;
  const ACCENT = ms.palette.purple; // kernel overlay, current output cell, products frame
  const FONT = 16;

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
  const inkOn = (c) => (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] < 140 ? 255 : 20);
  const GRAY01 = { kind: 'gray', limit: 1 };

  // ------------------------------------------------------------------ text helpers
  /** Draw wrapped lines (or only measure when draw is false); returns the height used. */
  function para(p, lines, x, y, w, draw, opts = {}) {
    const styled = lines.map((line) => ({ bold: opts.bold, color: opts.color, ...(typeof line === 'string' ? { text: line } : line) }));
    return ms.textPanel(p, styled, { x, y, w, draw, size: opts.size || FONT });
  }
  /** A label centred in a cell when it fits at 16 px; returns whether it was drawn. */
  function cellText(p, text, cx, cy, w, ink) {
    p.textSize(FONT);
    if (p.textWidth(text) > w - 3) return false;
    if (Array.isArray(ink)) p.fill(...ink);
    else p.fill(ink);
    p.textAlign(p.CENTER, p.CENTER);
    p.text(text, cx, cy + 1);
    p.textAlign(p.LEFT, p.TOP);
    return true;
  }
  function widest(p, labels) {
    p.textSize(FONT);
    let w = 0;
    for (const row of labels) for (const t of row) w = Math.max(w, p.textWidth(t));
    return w;
  }
  function hatch(p, x, y, w, h, col) {
    const ctx = p.drawingContext;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, y, w, h);
    ctx.clip();
    p.stroke(...col);
    p.strokeWeight(1);
    for (let d = -h; d < w; d += 6) p.line(x + d, y + h, x + d + h, y);
    ctx.restore();
  }

  // ------------------------------------------------------------------ panels
  // Each panel: measure(p, s, w, cap) -> {w, h} and draw(p, s, box, cap). `cap` is the
  // largest cell size allowed; the layout lowers it until everything fits in the height.

  const TITLE = 24; // one title line

  const inputPanel = {
    cell(s, w, cap) {
      return Math.max(8, Math.min(cap, Math.floor(w / s.padded.length)));
    },
    measure(p, s, w, cap) {
      const c = this.cell(s, w, cap);
      return { w: c * s.padded.length, h: TITLE + c * s.padded.length };
    },
    draw(p, s, box, cap) {
      const n = s.padded.length;
      const c = this.cell(s, box.w, cap);
      const x0 = box.x;
      const y0 = box.y + TITLE;
      p.noStroke();
      p.fill(...INK);
      p.textSize(FONT);
      p.textStyle(p.BOLD);
      const title = s.pad ? `Input 7×7, pad p = ${s.pad}` : 'Input 7×7, no padding';
      p.text(fitText(p, title, box.w), x0, box.y);
      p.textStyle(p.NORMAL);
      for (let r = 0; r < n; r++) {
        for (let q = 0; q < n; q++) {
          const v = s.padded[r][q];
          const isPad = r < s.pad || q < s.pad || r >= n - s.pad || q >= n - s.pad;
          const x = x0 + q * c;
          const y = y0 + r * c;
          if (isPad) {
            p.fill(255);
            p.stroke(170);
            p.rect(x, y, c, c);
            hatch(p, x, y, c, c, [205, 205, 215]);
            p.noStroke();
            cellText(p, '0', x + c / 2, y + c / 2, c, 110);
          } else {
            const col = colourOf(v, GRAY01);
            p.fill(...col);
            p.stroke(150);
            p.rect(x, y, c, c);
            p.noStroke();
            cellText(p, s.padded_labels[r][q], x + c / 2, y + c / 2, c, inkOn(col));
          }
        }
      }
      // the kernel overlay at the current position
      const [tr, tc] = s.current.top_left;
      const k = s.kernel.size;
      p.noFill();
      p.stroke(255);
      p.strokeWeight(6);
      p.rect(x0 + tc * c, y0 + tr * c, k * c, k * c);
      p.stroke(...ACCENT);
      p.strokeWeight(3.5);
      p.rect(x0 + tc * c, y0 + tr * c, k * c, k * c);
      p.strokeWeight(1);
      p.noStroke();
    },
  };
  function fitText(p, text, w) {
    if (p.textWidth(text) <= w) return text;
    let t = text;
    while (t.length > 4 && p.textWidth(`${t}…`) > w) t = t.slice(0, -1);
    return `${t}…`;
  }

  /** A labelled grid of k×k cells (window, kernel or products) with an optional side column. */
  function gridSize(p, labels, cap, side) {
    const k = labels.length;
    const cw = Math.max(Math.min(cap, 48), Math.ceil(widest(p, labels) + 7));
    const ch = Math.max(24, Math.min(cap, 40));
    const sideW = side ? Math.ceil(widest(p, [side.map((t) => `= ${t}`)]) + 10) : 0;
    return { cw, ch, w: cw * k + sideW, h: ch * k, sideW };
  }
  function drawGrid(p, labels, x, y, g, opts) {
    const k = labels.length;
    for (let r = 0; r < k; r++) {
      for (let q = 0; q < k; q++) {
        const col = opts.fill ? opts.fill(r, q) : [255, 255, 255];
        p.fill(...col);
        p.stroke(160);
        p.rect(x + q * g.cw, y + r * g.ch, g.cw, g.ch);
        p.noStroke();
        const cx = x + q * g.cw + g.cw / 2;
        if (opts.top) {
          cellText(p, opts.top[r][q], cx, y + r * g.ch + 11, g.cw, ACCENT);
          cellText(p, labels[r][q], cx, y + r * g.ch + 30, g.cw, inkOn(col));
        } else cellText(p, labels[r][q], cx, y + r * g.ch + g.ch / 2, g.cw, inkOn(col));
      }
    }
    if (opts.frame) {
      p.noFill();
      p.stroke(...opts.frame);
      p.strokeWeight(3);
      p.rect(x, y, g.cw * k, g.ch * k);
      p.strokeWeight(1);
      p.noStroke();
    }
    if (opts.side) {
      p.fill(...INK);
      p.textSize(FONT);
      p.textAlign(p.LEFT, p.CENTER);
      for (let r = 0; r < k; r++) p.text(`= ${opts.side[r]}`, x + k * g.cw + 6, y + r * g.ch + g.ch / 2 + 1);
      p.textAlign(p.LEFT, p.TOP);
    }
  }

  const calcPanel = {
    parts(p, s, w, cap, narrow) {
      const cur = s.current;
      const ker = s.kernel;
      const windowLabels = cur.window_labels;
      const gWin = gridSize(p, windowLabels, cap);
      const gKer = gridSize(p, ker.labels, cap);
      const gProd = gridSize(p, cur.scaled_labels, cap, cur.row_sum_labels);
      if (narrow && w < 500 && gKer.w + 28 + gProd.w > w) {
        // too narrow for kernel and products side by side (a 5×5 kernel at 400 px): one grid
        // whose cells show the weight (top) and the product (bottom)
        const top = ker.labels.map((row) => row.map((t) => `×${t}`));
        const both = cur.scaled_labels.map((row, r) => row.map((t, q) => (p.textWidth(t) > p.textWidth(top[r][q]) ? t : top[r][q])));
        let g = gridSize(p, both, cap, cur.row_sum_labels);
        let side = cur.row_sum_labels;
        if (g.w > w) {
          g = gridSize(p, both, cap, null);
          side = null;
        }
        g.ch = 42;
        g.h = 42 * both.length;
        const title = ker.factor ? `Weights × ${ker.factor} (top), products` : 'Weights (top), products';
        const it = { key: 'both', title, g, labels: cur.scaled_labels, top, side, dx: 0 };
        p.textSize(FONT);
        p.textStyle(p.BOLD);
        it.w = Math.max(g.w, p.textWidth(title) + 4);
        p.textStyle(p.NORMAL);
        return { rows: [[it]], rowH: [TITLE + g.h + 8] };
      }
      const items = [
        { key: 'win', title: 'Input window', g: gWin, labels: windowLabels },
        { key: 'op', text: '×' },
        { key: 'ker', title: ker.factor ? `Kernel × ${ker.factor}` : 'Kernel', g: gKer, labels: ker.labels },
        { key: 'op', text: '=' },
        { key: 'prod', title: 'Products, row sums', g: gProd, labels: cur.scaled_labels, side: cur.row_sum_labels },
      ];
      p.textSize(FONT);
      p.textStyle(p.BOLD);
      for (const it of items) {
        if (it.g) it.w = Math.max(it.g.w, p.textWidth(it.title) + 4);
        else it.w = 22;
      }
      p.textStyle(p.NORMAL);
      // flow left to right, wrapping; drop the window grid when even the rest hardly fits
      // at narrow widths the input grid above shows the window's values; skip the copy
      const use = narrow ? items.slice(2) : items;
      const rows = [[]];
      let x = 0;
      for (const it of use) {
        if (x + it.w > w && rows[rows.length - 1].length) {
          if (it.key === 'op') continue;
          const last = rows[rows.length - 1];
          if (last[last.length - 1].key === 'op') last.pop();
          rows.push([]);
          x = 0;
        }
        if (it.key === 'op' && rows[rows.length - 1].length === 0) continue;
        rows[rows.length - 1].push({ ...it, dx: x });
        x += it.w + 6;
      }
      const rowH = rows.map((row) => TITLE + Math.max(...row.map((it) => (it.g ? it.g.h : 0))) + 8);
      return { rows, rowH };
    },
    sumLines(s, narrow) {
      // every product is in the grid; the written sum lists all nine for a 3×3 kernel, and
      // the row sums (each a sum of one grid row) for a 5×5 kernel or a narrow screen
      const cur = s.current;
      return [cur.n_terms <= 9 ? cur.sum_line : cur.rows_line];
    },
    measure(p, s, w, cap, narrow) {
      const { rowH } = this.parts(p, s, w, cap, narrow);
      const h = rowH.reduce((a, b) => a + b, 0) + para(p, this.sumLines(s, narrow), 0, 0, w, false);
      return { w, h };
    },
    draw(p, s, box, cap, narrow) {
      const { rows, rowH } = this.parts(p, s, box.w, cap, narrow);
      let y = box.y;
      rows.forEach((row, ri) => {
        for (const it of row) {
          const x = box.x + it.dx;
          if (it.key === 'op') {
            p.fill(...INK);
            p.textSize(22);
            p.textAlign(p.CENTER, p.CENTER);
            p.text(it.text, x + 11, y + TITLE + (rowH[ri] - TITLE - 8) / 2);
            p.textAlign(p.LEFT, p.TOP);
            continue;
          }
          p.fill(...INK);
          p.textSize(FONT);
          p.textStyle(p.BOLD);
          p.text(it.title, x, y);
          p.textStyle(p.NORMAL);
          const fill = it.key === 'win'
            ? (r, q) => colourOf(s.current.window[r][q], GRAY01)
            : it.key === 'ker' ? () => [250, 244, 255] : () => [255, 255, 255];
          drawGrid(p, it.labels, x, y + TITLE, it.g, {
            fill, side: it.side, top: it.top, frame: it.key === 'ker' ? null : ACCENT,
          });
        }
        y += rowH[ri];
      });
      p.noStroke();
      para(p, this.sumLines(s, narrow), box.x, y, box.w, true, { color: ACCENT });
    },
  };

  function mapGrid(p, s, x, y, c, values, labels, scale, opts) {
    const n = values.length;
    for (let r = 0; r < n; r++) {
      for (let q = 0; q < n; q++) {
        const idx = r * n + q;
        const done = opts.done(idx, r, q);
        const cx = x + q * c;
        const cy = y + r * c;
        if (done) {
          const col = colourOf(values[r][q], scale);
          p.fill(...col);
          p.stroke(150);
          p.rect(cx, cy, c, c);
          p.noStroke();
          cellText(p, labels[r][q], cx + c / 2, cy + c / 2, c, inkOn(col));
        } else {
          p.fill(255);
          p.stroke(200);
          p.rect(cx, cy, c, c);
        }
      }
    }
    p.noStroke();
  }

  const outputPanel = {
    cell(s, w, cap) {
      return Math.max(10, Math.min(s.output.length <= 3 ? 48 : cap + 6, Math.floor(w / Math.max(s.output.length, 3))));
    },
    measure(p, s, w, cap, narrow) {
      const n = s.output.length;
      const c = this.cell(s, w, cap);
      let h = TITLE + c * n + 6 + this.legendH();
      if (s.pool && !narrow) h += 8 + this.poolMeasure(p, s, w, cap);
      return { w, h };
    },
    poolCell(s, w, cap) {
      return Math.max(12, Math.min(cap + 6, Math.floor(w / 3)));
    },
    poolMeasure(p, s, w, cap) {
      const pool = s.pool;
      if (pool.too_small) return para(p, pool.lines, 0, 0, w, false);
      const c = this.poolCell(s, w, cap);
      return TITLE + c * pool.output.length + 6;
    },
    draw(p, s, box, cap, narrow) {
      const n = s.output.length;
      const c = this.cell(s, box.w, cap);
      const x0 = box.x;
      const y0 = box.y + TITLE;
      p.noStroke();
      p.fill(...INK);
      p.textSize(FONT);
      p.textStyle(p.BOLD);
      p.text(fitText(p, `Output ${n}×${n}`, box.w), x0, box.y);
      p.textStyle(p.NORMAL);
      const pos = s.pos;
      mapGrid(p, s, x0, y0, c, s.output, s.labels, s.scale, { done: (idx) => idx < pos });
      const [ci, cj] = s.current.out;
      p.noFill();
      p.stroke(...ACCENT);
      p.strokeWeight(3.5);
      p.rect(x0 + cj * c, y0 + ci * c, c, c);
      p.strokeWeight(1);
      if (s.pool && !s.pool.too_small) {
        // the 2×2 windows (dashed) and the rows/columns no window covers (hatched)
        const used = s.pool.used;
        const ctx = p.drawingContext;
        ctx.setLineDash([4, 3]);
        p.stroke(20);
        p.strokeWeight(2);
        for (let a = 0; a < used; a += 2) {
          for (let b = 0; b < used; b += 2) p.rect(x0 + b * c, y0 + a * c, 2 * c, 2 * c);
        }
        ctx.setLineDash([]);
        p.strokeWeight(1);
        if (used < n) {
          hatch(p, x0 + used * c, y0, (n - used) * c, n * c, [90, 90, 90]);
          hatch(p, x0, y0 + used * c, used * c, (n - used) * c, [90, 90, 90]);
        }
      }
      p.noStroke();
      let y = y0 + n * c + 6;
      y += this.legend(p, s.scale, x0, y, box.w);
      if (s.pool && !narrow) this.drawPool(p, s, { x: x0, y: y + 8, w: box.w }, cap);
    },
    legendH() {
      return 22;
    },
    legend(p, scale, x, y, w) {
      // "lo [colour bar] hi" on one line; the sentence under it when there is room
      p.textSize(FONT);
      const lw = p.textWidth(scale.lo_label) + 6;
      const bw = Math.max(30, Math.min(160, w - lw - p.textWidth(scale.hi_label) - 6));
      p.fill(60);
      p.text(scale.lo_label, x, y);
      for (let i = 0; i < bw; i++) {
        const v = scale.kind === 'gray' ? (i / (bw - 1)) * scale.limit : (2 * i / (bw - 1) - 1) * scale.limit;
        p.stroke(...colourOf(v, scale));
        p.line(x + lw + i, y + 3, x + lw + i, y + 15);
      }
      p.noStroke();
      p.fill(60);
      p.text(scale.hi_label, x + lw + bw + 6, y);
      return this.legendH();
    },
    drawPool(p, s, box, cap) {
      const pool = s.pool;
      if (pool.too_small) {
        para(p, pool.lines, box.x, box.y, box.w, true);
        return;
      }
      const m = pool.output.length;
      const c = this.poolCell(s, box.w, cap);
      p.fill(...INK);
      p.textSize(FONT);
      p.textStyle(p.BOLD);
      const mode = pool.mode === 'max' ? 'Max' : 'Average';
      const titles = [`${mode} pool ${m}×${m}`, `${mode} ${m}×${m}`, `${m}×${m}`];
      p.text(titles.find((t) => p.textWidth(t) <= box.w) || titles[2], box.x, box.y);
      p.textStyle(p.NORMAL);
      mapGrid(p, s, box.x, box.y + TITLE, c, pool.output, pool.labels, s.scale, { done: (idx) => pool.ready[idx] });
    },
  };

  const samplePanel = {
    px(s, w, cap, showPresets) {
      // pixel size of the before/after pictures: two side by side (small on narrow screens,
      // where the formula goes beside them)
      const most = showPresets ? Math.min(5, Math.floor(cap / 6)) : cap >= 30 ? 3 : 2;
      return Math.max(2, Math.min(most, Math.floor((w - 12) / 2 / 28)));
    },
    thumbs(w) {
      // all six presets in one row when they fit at 2 px per pixel, else two rows of three
      if (6 * 56 + 5 * 24 <= w) return { per: 6, px: 2 };
      return { per: 3, px: Math.max(1, Math.min(3, Math.floor((w - 16) / 3 / 28))) };
    },
    textBox(s, w, cap, showPresets) {
      const px = this.px(s, w, cap, showPresets);
      const used = 2 * 28 * px + 12;
      if (!showPresets && w - used - 12 >= 150) return { beside: true, dx: used + 12, w: w - used - 12 };
      return { beside: false, dx: 0, w };
    },
    lines(s, full) {
      // the formula with the numbers; the long explanation where there is room
      return full ? s.sample.lines.slice(1) : s.sample.short;
    },
    measure(p, s, w, cap, showPresets) {
      const px = this.px(s, w, cap, showPresets);
      const tb = this.textBox(s, w, cap, showPresets);
      const textH = para(p, this.lines(s, showPresets), 0, 0, tb.w, false);
      let h = TITLE + (tb.beside ? Math.max(28 * px, textH) : 28 * px + 6 + textH) + 6;
      if (showPresets) {
        const t = this.thumbs(w);
        h += TITLE + Math.ceil(6 / t.per) * (28 * t.px + TITLE);
      }
      return { w, h };
    },
    cache: new WeakMap(), // picture array (from the state) -> p5.Image with its colours
    image(p, img, scale, x, y, px) {
      let pic = this.cache.get(img);
      if (!pic) {
        const h = img.length;
        const w = img[0].length;
        pic = p.createImage(w, h);
        pic.loadPixels();
        for (let r = 0; r < h; r++) {
          for (let q = 0; q < w; q++) {
            const c = colourOf(img[r][q], scale);
            const i = 4 * (r * w + q);
            pic.pixels[i] = c[0];
            pic.pixels[i + 1] = c[1];
            pic.pixels[i + 2] = c[2];
            pic.pixels[i + 3] = 255;
          }
        }
        pic.updatePixels();
        this.cache.set(img, pic);
      }
      p.noSmooth(); // crisp pixels when scaled up
      p.image(pic, x, y, img[0].length * px, img.length * px);
      p.smooth();
      p.noFill();
      p.stroke(150);
      p.rect(x, y, img[0].length * px, img.length * px);
      p.noStroke();
    },
    draw(p, s, box, cap, showPresets) {
      const sm = s.sample;
      const px = this.px(s, box.w, cap, showPresets);
      const tb = this.textBox(s, box.w, cap, showPresets);
      p.noStroke();
      p.fill(...INK);
      p.textSize(FONT);
      p.textStyle(p.BOLD);
      const shape = sm.after_shape;
      p.text(fitText(p, `Sample 28×28 → ${s.kernel.name} → ${shape[0]}×${shape[1]}`, box.w), box.x, box.y);
      p.textStyle(p.NORMAL);
      const y = box.y + TITLE;
      this.image(p, sm.image, GRAY01, box.x, y, px);
      // the result keeps its own pixels: a 13×13 result is drawn at the scale of 13 cells
      const apx = (28 * px) / shape[0];
      this.image(p, sm.after, sm.scale, box.x + 28 * px + 12, y, apx);
      const colour = { color: sm.size.exact ? [60, 60, 60] : [140, 50, 0] };
      let yy = y + 28 * px + 6;
      if (tb.beside) para(p, this.lines(s, showPresets), box.x + tb.dx, y, tb.w, true, colour);
      else yy += para(p, this.lines(s, showPresets), box.x, yy, box.w, true, colour);
      if (showPresets) {
        const t = this.thumbs(box.w);
        yy += 6;
        p.fill(...INK);
        p.textStyle(p.BOLD);
        p.text(fitText(p, `Every preset, ${s.kernel.size}×${s.kernel.size}, same`, box.w), box.x, yy);
        p.textStyle(p.NORMAL);
        yy += TITLE;
        const tw = 28 * t.px;
        const gap = Math.floor((box.w - t.per * tw) / Math.max(1, t.per - 1));
        sm.presets.forEach((pr, i) => {
          const cx = box.x + (i % t.per) * (tw + Math.min(gap, 40));
          const cy = yy + Math.floor(i / t.per) * (tw + TITLE);
          this.image(p, pr.image, pr.scale, cx, cy, t.px);
          if (pr.kernel === s.kernel.name) {
            p.noFill();
            p.stroke(...ACCENT);
            p.strokeWeight(3);
            p.rect(cx - 2, cy - 2, tw + 4, tw + 4);
            p.strokeWeight(1);
            p.noStroke();
          }
          p.fill(...INK);
          p.text(fitText(p, pr.kernel, tw + Math.min(gap, 40) - 2), cx, cy + tw + 2);
        });
      }
    },
  };

  function textLines(s, narrow) {
    const lines = [];
    if (narrow) lines.push({ text: `Output size = ${s.size.lines[1]}`, color: INK });
    else for (const l of s.size.lines) lines.push({ text: l, color: INK });
    if (s.pool) {
      for (const l of narrow ? s.pool.short : s.pool.lines) {
        lines.push({ text: l, color: s.pool.exact === false ? [140, 50, 0] : INK });
      }
    }
    if (!narrow || !s.pool) lines.push({ text: s.message, color: [60, 60, 60] });
    if (!narrow) {
      lines.push({ text: `Output colours: ${s.scale.label}.`, color: [60, 60, 60] });
      lines.push({ text: `Kernel: ${s.kernel.note}.`, color: [60, 60, 60] });
    }
    return lines;
  }

  // ------------------------------------------------------------------ layout
  const PAD = 10;
  const GAP = 18;

  function plan(p, s, W, H) {
    const inner = W - 2 * PAD;
    // try the richest layout first (input window grid shown, big cells), then give up
    // the window copy, then shrink the cells, until everything fits in the height
    const tries = [];
    for (let cap = 60; cap >= 24; cap -= 4) tries.push({ cap, win: true });
    for (let cap = 60; cap >= 14; cap -= 2) tries.push({ cap, win: false });
    let L = null;
    for (const { cap, win } of tries) {
      if (W >= 700) {
        const f = W >= 1100 ? [0.28, 0.44, 0.28] : [0.27, 0.46, 0.27];
        const cw = f.map((x) => Math.floor((inner - 2 * GAP) * x));
        const xs = [PAD, PAD + cw[0] + GAP, PAD + cw[0] + cw[1] + 2 * GAP];
        const top = Math.max(
          inputPanel.measure(p, s, cw[0], cap).h,
          calcPanel.measure(p, s, cw[1], cap, !win).h,
          outputPanel.measure(p, s, cw[2], cap, false).h,
        );
        const tw = Math.floor((inner - GAP) * 0.55);
        const y2 = PAD + top + GAP;
        const bottom = Math.max(
          para(p, textLines(s, false), 0, 0, tw, false),
          samplePanel.measure(p, s, inner - tw - GAP, cap, true).h,
        );
        L = {
          cap, h: y2 + bottom,
          boxes: /** @type {[string, {x: number, y: number, w: number}, any?][]} */ ([
            ['input', { x: xs[0], y: PAD, w: cw[0] }], ['calc', { x: xs[1], y: PAD, w: cw[1] }, !win],
            ['output', { x: xs[2], y: PAD, w: cw[2] }, false],
            ['text', { x: PAD, y: y2, w: tw }, false],
            ['sample', { x: PAD + tw + GAP, y: y2, w: inner - tw - GAP }, true],
          ]),
        };
      } else {
        if (win && cap > 40) continue;
        const half = Math.floor((inner - GAP) / 2);
        const top = Math.max(inputPanel.measure(p, s, half, cap).h, outputPanel.measure(p, s, half, cap, true).h);
        const y2 = PAD + top + 8;
        const calcH = calcPanel.measure(p, s, inner, cap, !win).h;
        const y3 = y2 + calcH + 4;
        // the pooled map sits left of the formula text
        const poolW = s.pool ? Math.max(96, Math.min(inner * 0.3, 3 * outputPanel.poolCell(s, half, cap)) + 12) : 0;
        const textW = inner - poolW;
        const poolH = s.pool ? outputPanel.poolMeasure(p, s, poolW - 12, cap) : 0;
        const textH = Math.max(poolH, para(p, textLines(s, true), 0, 0, textW, false));
        const y4 = y3 + textH + 8;
        const sampleH = samplePanel.measure(p, s, inner, cap, false).h;
        /** @type {[string, {x: number, y: number, w: number}, any?][]} */
        const boxes = [
          ['input', { x: PAD, y: PAD, w: half }], ['output', { x: PAD + half + GAP, y: PAD, w: half }, true],
          ['calc', { x: PAD, y: y2, w: inner }, !win], ['text', { x: PAD + poolW, y: y3, w: textW }, true],
          ['sample', { x: PAD, y: y4, w: inner }, false],
        ];
        if (s.pool) boxes.push(['pool', { x: PAD, y: y3, w: poolW - 12 }]);
        L = { cap, h: y4 + sampleH, boxes };
      }
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

  let lastWarning = null;
  function syncFromState(s) {
    ms.region.setAttribute('aria-label', `${ms.config.describe} ${s.summary} Arrow keys move the kernel.`);
    if (s.warning && s.warning !== lastWarning) ms.note(s.warning);
    lastWarning = s.warning;
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
      if (!L) return;
      for (const [name, box, extra] of L.boxes) {
        if (name === 'input') inputPanel.draw(p, s, box, L.cap);
        else if (name === 'calc') calcPanel.draw(p, s, box, L.cap, extra);
        else if (name === 'output') outputPanel.draw(p, s, box, L.cap, extra);
        else if (name === 'pool') outputPanel.drawPool(p, s, box, L.cap);
        else if (name === 'sample') samplePanel.draw(p, s, box, L.cap, extra);
        else if (name === 'text') para(p, textLines(s, extra), box.x, box.y, box.w, true);
      }
    },
  });
})();
