// Convolution Operation Visualizer: draws the state of sims/convolution.py. Every number and
// every label comes from the engine's state; this file only lays out grids and maps values
// to colours (the colour scale's limit also comes from the state).
(function () {
  'use strict';
  const ms = window.microsim;
  const BLUE = [33, 102, 172];
  const ORANGE = [230, 97, 0];
  const ACCENT = [120, 30, 160]; // kernel overlay, current output cell, products frame
  const INK = [25, 25, 25];
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
  function wrap(p, text, width) {
    const words = String(text).split(' ');
    const out = [];
    let cur = '';
    for (const word of words) {
      const next = cur ? `${cur} ${word}` : word;
      if (p.textWidth(next) > width && cur) {
        out.push(cur);
        cur = word;
      } else cur = next;
    }
    if (cur) out.push(cur);
    return out;
  }
  /** Draw wrapped lines (or only measure when draw is false); returns the height used. */
  function para(p, lines, x, y, w, draw, opts = {}) {
    const size = opts.size || FONT;
    const lh = Math.round(size * 1.3);
    let h = 0;
    p.textSize(size);
    p.textStyle(opts.bold ? p.BOLD : p.NORMAL);
    for (const line of lines) {
      const text = typeof line === 'string' ? line : line.text;
      if (draw) {
        p.fill(...((line && line.color) || opts.color || INK));
      }
      for (const part of wrap(p, text, w)) {
        if (draw) p.text(part, x, y + h);
        h += lh;
      }
    }
    p.textStyle(p.NORMAL);
    return h;
  }
  /** A label centred in a cell when it fits at 16 px; returns whether it was drawn. */
  function cellText(p, text, cx, cy, w, ink) {
    p.textSize(FONT);
    if (p.textWidth(text) > w - 3) return false;
    p.fill(ink);
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
      const title = s.pad ? `Input 7×7, zero padding p = ${s.pad}` : 'Input 7×7 (no padding)';
      p.text(fitText(p, title, box.w + 60), x0, box.y);
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
    const cw = Math.max(Math.min(cap, 44), Math.ceil(widest(p, labels) + 8));
    const ch = Math.max(22, Math.min(cap, 36));
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
        cellText(p, labels[r][q], x + q * g.cw + g.cw / 2, y + r * g.ch + g.ch / 2, g.cw, inkOn(col));
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
    parts(p, s, w, cap) {
      const cur = s.current;
      const ker = s.kernel;
      const windowLabels = cur.window_labels;
      const gWin = gridSize(p, windowLabels, cap);
      const gKer = gridSize(p, ker.labels, cap);
      const gProd = gridSize(p, cur.scaled_labels, cap, cur.row_sum_labels);
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
      let use = items;
      const total = (list) => list.reduce((a, it) => a + it.w + 6, 0);
      if (total(items) > w) use = items.slice(2);
      const rows = [[]];
      let x = 0;
      for (const it of use) {
        if (x + it.w > w && rows[rows.length - 1].length) {
          if (it.key === 'op') continue;
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
    sumLines(s) {
      const cur = s.current;
      const lines = [];
      if (cur.n_terms <= 9) lines.push(`Σ = ${cur.terms.join(' + ')} ${cur.result}`);
      else lines.push(`Σ of ${cur.n_terms} products = ${cur.row_sum_labels.join(' + ')} ${cur.result}`);
      return lines;
    },
    measure(p, s, w, cap) {
      const { rowH } = this.parts(p, s, w, cap);
      const h = rowH.reduce((a, b) => a + b, 0) + para(p, this.sumLines(s), 0, 0, w, false);
      return { w, h };
    },
    draw(p, s, box, cap) {
      const { rows, rowH } = this.parts(p, s, box.w, cap);
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
            fill, side: it.side, frame: it.key === 'win' || it.key === 'prod' ? ACCENT : null,
          });
        }
        y += rowH[ri];
      });
      p.noStroke();
      para(p, this.sumLines(s), box.x, y, box.w, true, { color: ACCENT });
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
      return Math.max(10, Math.min(cap + 6, Math.floor(w / Math.max(s.output.length, 4))));
    },
    legendH: 2 * Math.round(FONT * 1.3) + 14,
    measure(p, s, w, cap) {
      const n = s.output.length;
      const c = this.cell(s, w, cap);
      let h = TITLE + c * n + 6 + para(p, [s.scale.label], 0, 0, w, false) + 16;
      if (s.pool) h += this.poolMeasure(p, s, w, cap);
      return { w, h };
    },
    poolCell(s, w, cap) {
      return Math.max(12, Math.min(cap + 6, Math.floor(w / 3)));
    },
    poolMeasure(p, s, w, cap) {
      const pool = s.pool;
      if (pool.too_small) return 8 + para(p, pool.lines, 0, 0, w, false);
      const c = this.poolCell(s, w, cap);
      return 8 + TITLE + c * pool.output.length + 6;
    },
    draw(p, s, box, cap) {
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
      if (s.pool) this.drawPool(p, s, { x: x0, y: y + 8, w: box.w }, cap);
    },
    legend(p, scale, x, y, w) {
      const bw = Math.min(w, 160);
      for (let i = 0; i < bw; i++) {
        const v = scale.kind === 'gray' ? (i / (bw - 1)) * scale.limit : (2 * i / (bw - 1) - 1) * scale.limit;
        p.stroke(...colourOf(v, scale));
        p.line(x + i, y, x + i, y + 10);
      }
      p.noStroke();
      return 14 + para(p, [scale.label], x, y + 14, w, true, { color: [60, 60, 60] });
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
      p.text(fitText(p, `${pool.mode === 'max' ? 'Max' : 'Average'} pool ${m}×${m}`, box.w), box.x, box.y);
      p.textStyle(p.NORMAL);
      mapGrid(p, s, box.x, box.y + TITLE, c, pool.output, pool.labels, s.scale, { done: (idx) => pool.ready[idx] });
    },
  };

  const samplePanel = {
    px(s, w, cap) {
      // pixel size of the before/after pictures: two side by side
      return Math.max(2, Math.min(Math.floor(cap / 6), Math.floor((w - 12) / 2 / 28)));
    },
    thumbs(w) {
      const per = w >= 330 ? 3 : 3;
      const px = Math.max(1, Math.min(3, Math.floor((w - 8 * (per - 1)) / per / 28)));
      return { per, px };
    },
    measure(p, s, w, cap, showPresets) {
      const px = this.px(s, w, cap);
      let h = TITLE + 28 * px + 6 + para(p, s.sample.lines.slice(1), 0, 0, w, false) + 6;
      if (showPresets) {
        const t = this.thumbs(w);
        h += TITLE + 2 * (28 * t.px + TITLE);
      }
      return { w, h };
    },
    image(p, img, scale, x, y, px) {
      for (let r = 0; r < img.length; r++) {
        for (let q = 0; q < img[r].length; q++) {
          p.fill(...colourOf(img[r][q], scale));
          p.rect(x + q * px, y + r * px, px, px);
        }
      }
      p.noFill();
      p.stroke(150);
      p.rect(x, y, img[0].length * px, img.length * px);
      p.noStroke();
    },
    draw(p, s, box, cap, showPresets) {
      const sm = s.sample;
      const px = this.px(s, box.w, cap);
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
      let yy = y + 28 * px + 6;
      yy += para(p, sm.lines.slice(1), box.x, yy, box.w, true, { color: sm.size.exact ? [60, 60, 60] : [140, 50, 0] });
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

  function textLines(s, withSample) {
    const lines = [];
    lines.push({ text: s.size.lines.join(' '), color: INK });
    if (s.pool) for (const l of s.pool.lines) lines.push({ text: l, color: s.pool.exact === false ? [140, 50, 0] : INK });
    lines.push({ text: s.message, color: [60, 60, 60] });
    lines.push({ text: s.kernel.note, color: [60, 60, 60] });
    if (withSample) lines.push({ text: s.sample.lines[0], color: [60, 60, 60] });
    return lines;
  }

  // ------------------------------------------------------------------ layout
  const PAD = 10;
  const GAP = 18;

  function plan(p, s, W, H) {
    const inner = W - 2 * PAD;
    for (let cap = 40; cap >= 16; cap -= 2) {
      let L;
      if (W >= 1100) {
        const cw = [0.25, 0.3, 0.19, 0.26].map((f) => Math.floor((inner - 3 * GAP) * f));
        const xs = [PAD];
        for (let i = 1; i < 4; i++) xs.push(xs[i - 1] + cw[i - 1] + GAP);
        const hs = [
          inputPanel.measure(p, s, cw[0], cap).h,
          calcPanel.measure(p, s, cw[1], cap).h,
          outputPanel.measure(p, s, cw[2], cap).h,
          samplePanel.measure(p, s, cw[3], cap, true).h,
        ];
        const top = Math.max(...hs);
        const textH = para(p, textLines(s, false), 0, 0, inner, false);
        L = {
          cap, h: PAD + top + GAP + textH,
          boxes: [
            ['input', { x: xs[0], y: PAD, w: cw[0] }], ['calc', { x: xs[1], y: PAD, w: cw[1] }],
            ['output', { x: xs[2], y: PAD, w: cw[2] }], ['sample', { x: xs[3], y: PAD, w: cw[3] }, true],
            ['text', { x: PAD, y: PAD + top + GAP, w: inner }],
          ],
        };
      } else if (W >= 700) {
        const cw = [0.3, 0.42, 0.28].map((f) => Math.floor((inner - 2 * GAP) * f));
        const xs = [PAD, PAD + cw[0] + GAP, PAD + cw[0] + cw[1] + 2 * GAP];
        const top = Math.max(
          inputPanel.measure(p, s, cw[0], cap).h,
          calcPanel.measure(p, s, cw[1], cap).h,
          outputPanel.measure(p, s, cw[2], cap).h,
        );
        const tw = Math.floor((inner - GAP) * 0.5);
        const y2 = PAD + top + GAP;
        const bottom = Math.max(
          para(p, textLines(s, false), 0, 0, tw, false),
          samplePanel.measure(p, s, inner - tw - GAP, cap, true).h,
        );
        L = {
          cap, h: y2 + bottom,
          boxes: [
            ['input', { x: xs[0], y: PAD, w: cw[0] }], ['calc', { x: xs[1], y: PAD, w: cw[1] }],
            ['output', { x: xs[2], y: PAD, w: cw[2] }],
            ['text', { x: PAD, y: y2, w: tw }],
            ['sample', { x: PAD + tw + GAP, y: y2, w: inner - tw - GAP }, true],
          ],
        };
      } else {
        const half = Math.floor((inner - GAP) / 2);
        const top = Math.max(inputPanel.measure(p, s, half, cap).h, outputPanel.measure(p, s, half, cap).h);
        const y2 = PAD + top + 8;
        const calcH = calcPanel.measure(p, s, inner, cap).h;
        const y3 = y2 + calcH + 6;
        const textH = para(p, textLines(s, false), 0, 0, inner, false);
        const y4 = y3 + textH + 6;
        const sampleH = samplePanel.measure(p, s, inner, cap, false).h;
        L = {
          cap, h: y4 + sampleH,
          boxes: [
            ['input', { x: PAD, y: PAD, w: half }], ['output', { x: PAD + half + GAP, y: PAD, w: half }],
            ['calc', { x: PAD, y: y2, w: inner }], ['text', { x: PAD, y: y3, w: inner }],
            ['sample', { x: PAD, y: y4, w: inner }, false],
          ],
        };
      }
      if (L.h <= H - PAD || cap <= 16) return L;
    }
    return null;
  }

  // ------------------------------------------------------------------ interaction
  const animation = ms.animation({
    step: async () => {
      const s = await ms.act('animate_step');
      return Boolean(s) && s.pos < s.n_positions;
    },
    interval: () => 1000 / ms.controls.speed.value,
    onStop: () => setAnimateButton(false),
  });
  function setAnimateButton(on) {
    const el = ms.controls.animate.el;
    el.textContent = on ? 'Pause animation' : 'Animate Convolution';
    el.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  setAnimateButton(false);

  ms.onControl(async (name, value) => {
    if (name === 'animate') {
      if (animation.running) animation.stop();
      else {
        setAnimateButton(true);
        animation.start();
      }
    } else if (name === 'next' || name === 'prev') {
      animation.stop();
      await ms.act('move', { direction: name });
    } else if (name === 'speed') {
      await ms.act('set_param', { name, value });
    } else {
      if (name !== 'pool' && name !== 'image') animation.stop();
      await ms.act('set_param', { name, value });
    }
  });

  let lastWarning = null;
  function syncFromState(s) {
    const pos = ms.controls.pos.el;
    pos.max = String(s.n_positions);
    ms.setControl('pos', s.pos);
    pos.setAttribute('aria-valuetext', `position ${s.pos} of ${s.n_positions}`);
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
        else if (name === 'calc') calcPanel.draw(p, s, box, L.cap);
        else if (name === 'output') outputPanel.draw(p, s, box, L.cap);
        else if (name === 'sample') samplePanel.draw(p, s, box, L.cap, extra);
        else if (name === 'text') para(p, textLines(s, false), box.x, box.y, box.w, true);
      }
    },
  });
})();
