// Activation Functions Visualizer: draws the state of sims/activations.py. No math beyond
// mapping numbers to pixels (and choosing axis ticks); every number shown comes from the
// engine's state (curves, y-range, saturation intervals, trace values, gradient flow, softmax).
(function () {
  'use strict';
  const ms = window.microsim;

  const C = ms.palette; // static/microsim.css; the dashes below tell the curves apart too
  const COLORS = {
    relu: C.blue,
    sigmoid: C.orange,
    tanh: C.purple,
    leaky_relu: C.categories[2],
    softplus: C.categories[4],
    softmax: C.categories[3],
  };
  const DASHES = {
    relu: [],
    sigmoid: [10, 5],
    tanh: [3, 4],
    leaky_relu: [12, 4, 3, 4],
    softplus: [6, 6],
    softmax: [16, 6],
  };
  const BAR_COLORS = [C.blue, C.orange, C.purple];
  const DERIV = C.orange;
  const SM_DERIV = C.ink; // softmax's p₂ is orange, so its derivative is dark
  const MAIN = C.blue;

  const fx = (v, d) => ms.fmt(v, d, d); // d decimals exactly (static/sketch-kit.js)
  const fg = (v) => ms.sig(v, 3); // 3 significant digits
  const vec = (a, d) => `[${a.map((v) => fx(v, d)).join(', ')}]`;

  // ------------------------------------------------------------------ text helpers
  const LH = 1.28;
  const SWATCH = 26; // room left of a legend line for its dashed swatch
  const measure = (p, lines, w) => ms.textPanel(p, lines, { w, lead: LH, draw: false });

  // ------------------------------------------------------------------ the side panel
  /** @returns {PanelLine[]} */
  function panelLines(s, narrow) {
    const P = s.params;
    const t = s.table;
    const L = [];
    const R = fx(P.z_range, 1);
    const props = (row) => (narrow
      ? [{ text: `Range ${row.range} · Use: ${row.use_case} · Issue: ${row.gradient_issue}`, size: 16 }]
      : [
        { text: `Range: ${row.range}`, size: 16 },
        { text: `Typical use: ${row.use_case}`, size: 16 },
        { text: `Gradient issue: ${row.gradient_issue}`, size: 16 },
      ]);
    if (P.compare_all) {
      L.push({ text: `All functions at z = ${fx(P.z, 2)} (N = ${P.depth})`, size: 18, bold: true });
      s.trace.all.forEach((a, i) => {
        const fl = s.flow_all[i];
        const text = narrow
          ? `${a.label}: ${fx(a.f, 3)}, f′ ${fx(a.df, 3)}, max|f′|^N ${fg(fl.best)}`
          : `${a.label}: f = ${fx(a.f, 3)}, f′ = ${fx(a.df, 3)}, max|f′|^N = ${fg(fl.best)}`;
        L.push({ text, size: 16, swatch: a.key, indent: SWATCH });
      });
      L.push({ text: narrow ? 'Range · use · gradient issue' : 'The chapter’s table: range · use · gradient issue', size: 18, bold: true });
      const rows = narrow ? s.table_all.filter((r) => r.name === s.selected) : s.table_all;
      for (const row of rows) {
        L.push({ text: `${row.label}: ${row.range} · ${row.use_case} · ${row.gradient_issue}`, size: 16,
          swatch: row.name, indent: SWATCH });
      }
      L.push({ text: s.flow.sentence, size: 16, opt: true, color: [40, 40, 40] });
      return L;
    }
    if (s.selected === 'softmax') {
      const sm = s.softmax;
      L.push({ text: narrow ? `Softmax: p_i = ${t.formula}` : 'Softmax (3 classes)', size: narrow ? 18 : 20, bold: true });
      if (!narrow) L.push({ text: `p_i = ${t.formula}`, size: 16 });
      L.push(...props(t));
      if (!narrow) L.push({ text: `Logits z = ${vec(sm.logits, 1)}`, size: 16 });
      L.push({ text: `p = ${vec(sm.probs, 3)},  Σ p = ${fx(sm.sum, 3)}`, size: 16, bold: true });
      L.push({ text: `∂p₁/∂z₁ = p₁(1 − p₁) = ${fx(sm.jacobian[0][0], 4)}`, size: 16 });
      L.push({ text: `Cross-entropy, true class 1: L = ${fx(sm.ce_loss, 3)}, ∂L/∂z = p − y = ${vec(sm.ce_grad, 3)}`, size: 16 });
      L.push({ text: `Gradient flow: ${s.flow.sentence}`, size: 16 });
      L.push({ text: t.gradient_flow, size: 16, opt: true, color: [60, 60, 60] });
      return L;
    }
    const tr = s.trace;
    const fl = s.flow;
    if (narrow) {
      L.push({ text: `${t.label}: f(z) = ${t.formula}`, size: 18, bold: true });
    } else {
      L.push({ text: t.label, size: 20, bold: true });
      L.push({ text: `f(z) = ${t.formula}`, size: 16 });
    }
    L.push({ text: `f′(z) = ${t.derivative}`, size: 16 });
    L.push(...props(t));
    L.push({ text: `Saturated (|f′| < ${fg(P.threshold)}): ${Math.round(100 * s.saturated_fraction)} % of [−${R}, ${R}]`, size: 16 });
    L.push({ text: `Gradient flow through N = ${fl.depth} layers`, size: 18, bold: true });
    L.push({ text: `Best case: max|f′|^N = ${fg(fl.max_grad)}^${fl.depth} = ${fg(fl.best)} (it ${fl.verdict})`, size: 16 });
    L.push({ text: `Every layer at z = ${fx(tr.z, 2)}: |f′(z)|^N = ${fg(fl.at_trace)}`, size: 16 });
    L.push({ text: '(activation factor only; the weights multiply in too)', size: 16, opt: true, color: [90, 90, 90] });
    L.push({ text: t.gradient_flow, size: 16, opt: true, color: [60, 60, 60] });
    return L;
  }

  /** The side panel: required lines first, optional ones while they fit; a legend line
   * starts with its curve's dashed swatch. */
  function drawPanel(p, lines, box) {
    ms.textPanel(p, lines, {
      ...box,
      lead: LH,
      mark: (q, line, x, y) => {
        q.push();
        q.stroke(...COLORS[line.swatch]);
        q.strokeWeight(3);
        q.drawingContext.setLineDash(DASHES[line.swatch]);
        q.line(x, y + line.size * 0.65, x + 20, y + line.size * 0.65);
        q.pop();
      },
    });
  }

  // ------------------------------------------------------------------ the graph
  function heatColor(v) {
    // dark navy (|f′| = 0, no gradient) → purple → orange → pale yellow (|f′| = 1)
    /** @type {[number, number[]][]} */
    const stops = [[0, [15, 15, 60]], [0.33, [110, 40, 140]], [0.66, [225, 110, 40]], [1, [250, 235, 120]]];
    const t = Math.max(0, Math.min(1, v));
    for (let i = 1; i < stops.length; i++) {
      if (t <= stops[i][0]) {
        const [a, ca] = stops[i - 1];
        const [b, cb] = stops[i];
        const u = (t - a) / (b - a);
        return ca.map((c, k) => c + u * (cb[k] - c));
      }
    }
    return stops[stops.length - 1][1];
  }

  function drawGraph(p, s, area) {
    const P = s.params;
    const R = P.z_range;
    const zs = s.zs;
    const sm = s.selected === 'softmax';
    const compare = P.compare_all;
    const ctx = p.drawingContext;
    const yr = s.y_range;

    // trace read-out at the top: the numbers of the traced point
    p.noStroke();
    p.fill(20);
    p.textAlign(p.LEFT, p.TOP);
    p.textStyle(p.BOLD);
    p.textSize(16);
    const tr = s.trace;
    const zName = sm ? 'z₁' : 'z';
    const fName = sm ? 'p₁' : 'f(z)';
    const dName = sm ? '∂p₁/∂z₁' : 'f′(z)';
    let readout = `${zName} = ${fx(tr.z, 2)}:  ${fName} = ${fx(tr.f, 4)},  ${dName} = ${fx(tr.df, 4)}${tr.saturated ? '  (saturated)' : ''}`;
    if (p.textWidth(readout) > area.w) readout = `${zName}=${fx(tr.z, 2)}  ${sm ? 'p₁' : 'f'}=${fx(tr.f, 4)}  ${sm ? 'p₁′' : 'f′'}=${fx(tr.df, 4)}`;
    p.text(readout, area.x, area.y + 2);
    p.textStyle(p.NORMAL);

    // legend (what each line is) under it, wrapped to the width: a line swatch or a filled box
    /** @type {{label: string, color?: number[], weight?: number, dash?: number[], fill?: number[], inset?: number}[]} */
    const items = [];
    const line = (label, color, weight, dash) => items.push({ label, color, weight, dash });
    if (compare) {
      for (const [k, c] of Object.entries(s.curves)) line(c.label, COLORS[k], 3, DASHES[k]);
    } else if (sm) {
      BAR_COLORS.forEach((fill, i) => items.push({ label: i ? `p${ms.sub(i + 1)}` : 'p₁ as z₁ varies', fill, inset: 3 }));
    } else {
      line(`f(z) = ${s.table.formula}`, MAIN, 3, []);
    }
    if (P.show_derivative && compare) line('thin dotted: f′(z)', [60, 60, 60], 1.5, [2, 4]);
    else if (P.show_derivative) line(sm ? '∂p₁/∂z₁' : 'f′(z)', sm ? SM_DERIV : DERIV, 3, [7, 5]);
    items.push({ label: `saturated |f′| < ${fg(P.threshold)}`, fill: [120, 120, 120, 70], inset: 2 });
    const readoutH = 24;
    const top = area.y + readoutH + 2;
    let lx = area.x;
    let ly = top;
    for (const it of items) {
      const w = 30 + p.textWidth(it.label) + 14;
      if (lx + w > area.x + area.w && lx > area.x) {
        lx = area.x;
        ly += 21;
      }
      p.push();
      if (it.fill) {
        p.fill(...it.fill);
        p.rect(lx, ly + it.inset, 24, 20 - 2 * it.inset);
      } else {
        p.stroke(...it.color);
        p.strokeWeight(it.weight);
        ctx.setLineDash(it.dash);
        p.line(lx, ly + 10, lx + 24, ly + 10);
      }
      p.pop();
      p.fill(30);
      p.text(it.label, lx + 30, ly);
      lx += w;
    }

    const legendH = ly - top + 21 + 4;
    const lt = ms.ticks(yr[0], yr[1], 5);
    const labelW = Math.max(...lt.values.map((v) => p.textWidth(lt.label(v)))) + 12;
    const bottomH = 20 /* z tick labels */ + 6 + 16 /* heat strip */ + 22 /* heat caption */;
    const box = { x: area.x + labelW, y: area.y + readoutH + legendH, w: area.w - labelW - 8, h: area.h - readoutH - legendH - bottomH };
    if (box.h < 60) box.h = 60;
    const m = ms.plotMap(box, [-R, R], yr);

    const yt = ms.ticks(yr[0], yr[1], Math.max(3, Math.floor(box.h / 60)));
    const xt = ms.ticks(-R, R, Math.max(4, Math.floor(box.w / 70)));
    const curve = (ys, color, weight, dash) => {
      p.stroke(...color);
      p.strokeWeight(weight);
      ctx.setLineDash(dash);
      ms.polyline(p, m, zs, ys);
    };
    // traced point (inside the range; the softmax trace is logit z₁, which may lie outside)
    const inside = tr.z >= -R - 1e-9 && tr.z <= R + 1e-9;
    ms.clipped(p, box, () => {
      // saturation regions (from the engine's mask)
      p.noStroke();
      p.fill(120, 120, 120, 55);
      for (const [a, b] of s.saturated) p.rect(m.x(a), box.y, Math.max(1, m.x(b) - m.x(a)), box.h);
      // grid and axes
      p.stroke(225);
      p.strokeWeight(1);
      for (const v of yt.values) p.line(box.x, m.y(v), box.x + box.w, m.y(v));
      for (const v of xt.values) p.line(m.x(v), box.y, m.x(v), box.y + box.h);
      p.stroke(120);
      p.line(box.x, m.y(0), box.x + box.w, m.y(0));
      p.line(m.x(0), box.y, m.x(0), box.y + box.h);

      p.noFill();
      // derivative curves (thin and dotted when all are compared)
      if (P.show_derivative && compare) {
        for (const [k, c] of Object.entries(s.curves)) {
          curve(c.df, [...COLORS[k], 200], k === s.selected ? 2.5 : 1.5, [2, 4]);
        }
      } else if (P.show_derivative) {
        curve(s.curves[s.selected].df, sm ? SM_DERIV : DERIV, 2.5, [7, 5]);
      }
      // function curves, the highlighted one last so it lies on top
      if (compare) {
        for (const [k, c] of Object.entries(s.curves)) if (k !== s.selected) curve(c.f, COLORS[k], 2, DASHES[k]);
        curve(s.curves[s.selected].f, COLORS[s.selected], 4, DASHES[s.selected]);
      } else if (sm) {
        const dashes = [[], [10, 5], [3, 4]];
        [2, 1, 0].forEach((i) => curve(s.softmax.sweep.p[i], BAR_COLORS[i], i === 0 ? 3.5 : 2, dashes[i]));
      } else {
        curve(s.curves[s.selected].f, MAIN, 3.5, []);
      }
      ctx.setLineDash([]);

      if (!inside) return;
      const px = m.x(tr.z);
      p.stroke(60);
      p.strokeWeight(1);
      ctx.setLineDash([4, 4]);
      p.line(px, box.y, px, box.y + box.h);
      ctx.setLineDash([]);
      p.stroke(255);
      if (P.show_derivative) {
        p.strokeWeight(1.5);
        p.fill(...(compare ? COLORS[s.selected] : sm ? SM_DERIV : DERIV));
        p.rect(px - 6, m.y(tr.df) - 6, 12, 12);
      }
      p.strokeWeight(2);
      p.fill(...(compare ? COLORS[s.selected] : sm ? BAR_COLORS[0] : MAIN));
      p.circle(px, m.y(tr.f), 15);
      p.strokeWeight(1.5);
      for (const a of compare ? tr.all : []) {
        if (a.key === s.selected) continue;
        p.fill(...COLORS[a.key]);
        p.circle(px, m.y(a.f), 10);
      }
    }, { frame: true });
    if (!inside) {
      p.noStroke();
      p.fill(90, 60, 0);
      p.textAlign(p.RIGHT, p.TOP);
      p.text(`${zName} = ${fx(tr.z, 1)} is outside ±${fx(R, 1)}`, box.x + box.w - 6, box.y + 4);
    }

    // tick labels
    p.noStroke();
    p.fill(50);
    p.textSize(16);
    p.textAlign(p.RIGHT, p.CENTER);
    for (const v of yt.values) {
      const y = m.y(v);
      if (y > box.y + 2 && y < box.y + box.h - 6) p.text(yt.label(v), box.x - 5, y);
    }
    p.textAlign(p.RIGHT, p.TOP);
    p.text(sm ? 'z₁' : 'z', box.x - 5, box.y + box.h + 2);
    p.textAlign(p.CENTER, p.TOP);
    for (const v of xt.values) {
      const x = m.x(v);
      const lbl = xt.label(v);
      const w2 = p.textWidth(lbl) / 2;
      if (x - w2 >= box.x - 3 && x + w2 <= area.x + area.w) p.text(lbl, x, box.y + box.h + 2);
    }

    // gradient-magnitude heat strip along the input axis
    const sy = box.y + box.h + 24;
    const n = zs.length;
    p.noStroke();
    for (let i = 0; i < n; i++) {
      const a = i === 0 ? zs[0] : (zs[i - 1] + zs[i]) / 2;
      const b = i === n - 1 ? zs[n - 1] : (zs[i] + zs[i + 1]) / 2;
      p.fill(...heatColor(s.grad_abs[i]));
      p.rect(Math.floor(m.x(a)), sy, Math.ceil(m.x(b)) - Math.floor(m.x(a)) + 1, 16);
    }
    p.noFill();
    p.stroke(120);
    p.strokeWeight(1);
    p.rect(box.x, sy, box.w, 16);
    if (inside) {
      p.stroke(255);
      p.strokeWeight(2);
      p.line(m.x(tr.z), sy - 3, m.x(tr.z), sy + 19);
    }
    p.noStroke();
    p.fill(50);
    p.textAlign(p.RIGHT, p.CENTER);
    p.text(sm ? '|p₁′|' : '|f′|', box.x - 5, sy + 8);
    p.textAlign(p.LEFT, p.TOP);
    const cap = area.w > 520 ? 'gradient magnitude |f′(z)|: dark = 0 (no gradient) … bright = 1' : 'dark = 0 … bright = 1';
    p.text(cap, box.x, sy + 19);
    return box;
  }

  // ------------------------------------------------------------------ softmax bars
  function drawBars(p, s, area) {
    const sm = s.softmax;
    p.push();
    p.noStroke();
    p.fill(20);
    p.textSize(18);
    p.textStyle(p.BOLD);
    p.textAlign(p.LEFT, p.TOP);
    p.text(`Softmax probabilities   Σ p = ${fx(sm.sum, 3)}`, area.x, area.y);
    p.textStyle(p.NORMAL);
    p.textSize(16);
    const top = area.y + 26 + 20; // title, then room for the value labels
    const base = area.y + area.h - 22 - 20; // room for two label lines below
    const h = Math.max(20, base - top);
    const slot = area.w / 3;
    const bw = Math.min(90, slot * 0.55);
    p.stroke(150);
    p.line(area.x, base, area.x + area.w, base);
    p.stroke(225);
    p.line(area.x, top, area.x + area.w, top); // p = 1
    p.noStroke();
    p.fill(110);
    p.textAlign(p.RIGHT, p.BOTTOM);
    p.text('p = 1', area.x + area.w - 4, top - 1);
    for (let i = 0; i < 3; i++) {
      const cx = area.x + slot * (i + 0.5);
      const bh = sm.probs[i] * h;
      p.fill(...BAR_COLORS[i]);
      p.rect(cx - bw / 2, base - bh, bw, bh);
      p.fill(20);
      p.textAlign(p.CENTER, p.BOTTOM);
      p.textStyle(i === sm.argmax ? p.BOLD : p.NORMAL);
      p.text(fx(sm.probs[i], 3), cx, base - bh - 2);
      p.textStyle(p.NORMAL);
      p.textAlign(p.CENTER, p.TOP);
      p.text(`class ${i + 1}`, cx, base + 2);
      p.text(`z${ms.sub(i + 1)} = ${fx(sm.logits[i], 1)}`, cx, base + 22);
    }
    p.pop();
  }

  // ------------------------------------------------------------------ layout and draw
  function draw(p) {
    const s = ms.state;
    const W = p.width;
    const H = p.height;
    const pad = 10;
    p.background(240, 248, 255);
    const wide = W >= 760;
    const lines = panelLines(s, !wide);
    let main;
    let panel;
    if (wide) {
      const pw = Math.max(300, Math.min(470, W * 0.38));
      main = { x: pad, y: pad, w: W - pw - 3 * pad, h: H - 2 * pad };
      panel = { x: W - pw - pad, y: pad, w: pw, h: H - 2 * pad };
    } else {
      const w = W - 2 * pad;
      const required = measure(p, lines.filter((l) => !l.opt), w);
      const minMain = s.selected === 'softmax' && !s.params.compare_all ? 420 : 320;
      const mainH = Math.max(minMain, H - 3 * pad - required);
      main = { x: pad, y: pad, w, h: mainH };
      panel = { x: pad, y: pad + mainH + pad, w, h: H - mainH - 3 * pad };
    }
    if (s.selected === 'softmax' && !s.params.compare_all) {
      const barsH = Math.max(130, Math.min(220, main.h * (wide ? 0.4 : 0.33)));
      drawBars(p, s, { x: main.x, y: main.y, w: main.w, h: barsH });
      drawGraph(p, s, { x: main.x, y: main.y + barsH + 8, w: main.w, h: main.h - barsH - 8 });
    } else {
      drawGraph(p, s, main);
    }
    if (wide) {
      p.stroke(200);
      p.line(panel.x - pad, pad, panel.x - pad, H - pad);
    }
    drawPanel(p, lines, panel);
  }

  // ------------------------------------------------------------------ controls
  // every control here is a setting: the runtime sends it to set_param (no routing here)
  let lastClampNote = '';
  ms.onState((s) => {
    if (s.clamped && s.message !== lastClampNote) {
      lastClampNote = s.message;
      ms.note(s.message);
    }
  });

  ms.sketch({
    setup(p) {
      ms.region.tabIndex = 0;
      ms.region.setAttribute('aria-label', `${ms.config.describe} Left and right arrow keys move the traced point.`);
      ms.region.addEventListener('keydown', (e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        // relative: each press moves z from the state it runs on; the slider follows the state
        ms.act('move_z', { steps: e.key === 'ArrowRight' ? 1 : -1 });
      });
    },
    draw,
  });
})();
