// Neural Network Architecture Visualizer: draws the state of sims/architecture.py.
// No math beyond layout and pixel mapping: sizes, shapes, counts, equations, errors and the
// node values of the data flow all come from the engine through ms.state.
(function () {
  'use strict';
  const ms = window.microsim;
  const MAX_HIDDEN = ms.constants.max_hidden; // sims/architecture.py MAX_HIDDEN
  const { orange: ORANGE, blue: BLUE, highlight: HILITE, error: BAD, ink: INK, grey: GREY } = ms.palette;
  const FLOW_TEXT = ms.palette.orangeDark; // the data-flow line: dark orange text
  const LINE = 16 * 1.3;

  // ------------------------------------------------------------------ text helpers
  const fmt2 = (v) => ms.fmt(v, 2, 2);

  /** Info panel lines, in display order; `rank` says which to drop first when short of room. */
  function infoLines(s, wide) {
    const lines = [];
    const add = (text, rank, opts) => lines.push({ text, rank, size: 16, ...(opts || {}) });
    add(`Parameters: ${s.total_params} = ${s.breakdown}`, 0, { size: wide ? 20 : 18, bold: true });
    if (wide) {
      for (const lay of s.layers) {
        const w = lay.W_shape_shown.join('×');
        const t = `Layer ${lay.layer}: W[${lay.layer}] ${w} (${lay.weights}) + b[${lay.layer}] ${lay.b_shape.join('×')} (${lay.biases}) = ${lay.params}`;
        add(t, 6, { color: lay.broken ? BAD : GREY });
      }
      add(`${s.total_weights} weights + ${s.total_biases} biases`, 7, { color: GREY });
    }
    if (s.mismatch) add(`✗ ${s.mismatch.error}`, 1, { bold: true, color: BAD });
    if (s.highlight) {
      const h = s.highlight;
      add(h.equation, 2, { size: 18, bold: true, mono: true });
      add(h.shapes, 2, { mono: true });
      add(`${h.product};  ${h.rule}`, 3, { color: h.ok ? INK : BAD, bold: !h.ok });
    }
    const f = s.flow;
    if (f.pos > 0 || flowing) {
      add(`Data flow: ${f.text}`, 3, { color: FLOW_TEXT });
      if (s.output && f.pos >= f.end) {
        const vals = s.output.values;
        const shown = vals.slice(0, 4).map(fmt2).join(', ') + (vals.length > 4 ? ', …' : '');
        add(`ŷ = a[${s.L}] = [${shown}]${s.output.activation === 'softmax' ? ` (sum ${fmt2(s.output.sum)})` : ''}`, 4, { mono: true });
      }
    }
    if (!s.highlight) {
      add('Each layer l computes a[l] = σ(W[l] a[l−1] + b[l]) with W[l] ∈ ℝ^(n_l × n_(l−1)) and b[l] ∈ ℝ^(n_l × 1).', 5, { color: GREY });
      add('Press Next layer (or click a column) to see one layer with its shapes.', 9, { color: GREY });
    }
    for (const n of s.notes) add(`Note: ${n}`, 4, { color: FLOW_TEXT });
    if (!s.mismatch || s.message !== s.mismatch.error) add(s.message, 8, { color: GREY });
    return lines;
  }

  const measure = (p, lines, w) => ms.textPanel(p, lines, { w, draw: false }) + 6;

  // ------------------------------------------------------------------ layout
  function computeLayout(p, s) {
    const pad = 10;
    const W = p.width;
    const H = p.height;
    const wide = W >= 900;
    let net;
    let info;
    let lines = infoLines(s, wide || W >= 700);
    if (wide) {
      const infoW = Math.min(440, Math.round(W * 0.38));
      info = { x: W - infoW - pad, y: pad, w: infoW, h: H - 2 * pad };
      while (measure(p, lines, infoW) > info.h && lines.length > 1) lines = dropOne(lines);
      net = { x: pad, y: pad, w: W - infoW - 3 * pad, h: H - 2 * pad };
    } else {
      const infoW = W - 2 * pad;
      const minNet = Math.min(220, H * 0.6);
      let infoH = measure(p, lines, infoW);
      while (H - infoH - 3 * pad < minNet && lines.length > 1) {
        lines = dropOne(lines);
        infoH = measure(p, lines, infoW);
      }
      net = { x: pad, y: pad, w: W - 2 * pad, h: H - infoH - 3 * pad };
      info = { x: pad, y: net.y + net.h + pad, w: infoW, h: infoH };
    }
    return { wide, pad, net, info, lines, cols: layoutNetwork(p, s, net) };
  }

  function dropOne(lines) {
    const worst = Math.max(...lines.map((l) => l.rank));
    const i = lines.map((l) => l.rank).lastIndexOf(worst);
    return lines.filter((_, j) => j !== i);
  }

  /** Text rows of the label of connection l: one line on wide screens, two when narrow. */
  function weightLabel(p, s, l, oneLine) {
    const info = s.layers[l - 1];
    const shape = info.W_shape_shown.join('×');
    return oneLine ? [`W[${l}] ∈ ℝ^(${shape})`, `b[${l}] ∈ ℝ^${info.n_out}`] : [`W[${l}]`, shape];
  }

  /**
   * Column positions and visible nodes (at most ~10 per column: the rest become "⋮ n"), and
   * the bands under the nodes: the moving vector's shape tag, the weight labels (when they
   * do not fit on the connections) with small matrix pictures, and the dimension labels.
   */
  function layoutNetwork(p, s, net) {
    const nCols = s.columns.length;
    const showW = s.params.show_weights;
    const header = 2 * LINE + 4;
    const footer = s.params.show_dims ? LINE + 4 : 0;
    const pulseRow = s.flow.pos > 0 || flowing ? LINE + 6 : 0;
    const margin = Math.max(28, Math.min(70, net.w * 0.06));
    const spacing = (net.w - 2 * margin) / (nCols - 1);
    // weight labels sit on the connections when they leave room for the "⋮ n" counts
    p.textSize(16);
    let labelMode = 'none';
    if (showW) {
      const widest = (one) => Math.max(...s.layers.map((lay) =>
        Math.max(...weightLabel(p, s, lay.layer, one).map((t) => p.textWidth(t))))) + 8;
      if (widest(true) <= spacing - 90) labelMode = 'one';
      else if (widest(false) <= spacing - 80) labelMode = 'two';
      else labelMode = 'band';
    }
    const labelBand = labelMode === 'band' ? 2 * LINE + 4 : 0;
    let glyph = showW ? 46 : 0;
    const fixed = header + footer + pulseRow + labelBand;
    if (net.h - fixed - glyph < 130) glyph = Math.max(0, Math.min(glyph, net.h - fixed - 130));
    if (glyph < 14) glyph = 0;
    const top = net.y + header;
    const bottom = net.y + net.h - footer - glyph - labelBand - pulseRow;
    const colH = bottom - top;
    const maxNodes = Math.max(3, Math.min(10, Math.floor(colH / 18)));
    const cols = s.columns.map((c, i) => {
      const x = net.x + margin + i * spacing;
      const ellipsis = c.n > maxNodes;
      // visible slots: the first maxNodes−2 neurons, a "⋮" slot, the last neuron
      const idx = ellipsis ? [...Array(maxNodes - 2).keys(), null, c.n - 1] : [...Array(c.n).keys()];
      const step = colH / idx.length;
      const slots = idx.map((k, j) => ({ k, y: top + step * (j + 0.5) }));
      return { x, slots, ellipsis, n: c.n, step };
    });
    const minStep = Math.min(...cols.map((c) => c.step));
    const nodeD = Math.max(8, Math.min(28, minStep * 0.72, spacing * 0.35));
    return {
      cols, spacing, top, bottom, header, footer, glyph, nodeD, margin, labelMode,
      pulseY: bottom + 2, labelY: bottom + pulseRow, glyphY: bottom + pulseRow + labelBand + 4,
    };
  }

  // ------------------------------------------------------------------ drawing
  /** x of a centred item of width w near column x, kept inside the network box. */
  const clampX = (x, w, net) => Math.max(net.x + w / 2, Math.min(net.x + net.w - w / 2, x));

  function drawHeader(p, s, lay, net) {
    const { cols, spacing } = lay;
    p.textSize(16);
    p.noStroke();
    p.textAlign(p.CENTER, p.TOP);
    const hl = s.highlight ? s.highlight.layer : -1;
    s.columns.forEach((c, i) => {
      const x = cols[i].x;
      const room = spacing - 6;
      p.textStyle(i === hl ? p.BOLD : p.NORMAL);
      p.fill(...INK);
      const name = p.textWidth(c.name) <= room ? c.name : c.short;
      p.text(name, clampX(x, p.textWidth(name), net), net.y);
      p.textStyle(p.NORMAL);
      if (!c.activation) {
        p.fill(90);
        const t = p.textWidth('x = a[0]') <= room ? 'x = a[0]' : 'x';
        p.text(t, clampX(x, p.textWidth(t), net), net.y + LINE);
        return;
      }
      const a = c.activation;
      const iconW = 26;
      const iconH = 16;
      const y = net.y + LINE + 2;
      let label = a.label;
      if (iconW + 4 + p.textWidth(label) > room) label = a.short;
      const fitsLabel = iconW + 4 + p.textWidth(label) <= room;
      const total = fitsLabel ? iconW + 4 + p.textWidth(label) : iconW;
      const ix = clampX(x, total, net) - total / 2;
      drawIcon(p, a.icon, ix, y, iconW, iconH);
      if (fitsLabel) {
        p.noStroke();
        p.fill(...INK);
        p.textAlign(p.LEFT, p.TOP);
        p.text(label, ix + iconW + 4, y - 1);
        p.textAlign(p.CENTER, p.TOP);
      }
    });
  }

  function drawIcon(p, icon, x, y, w, h) {
    p.push();
    p.noFill();
    p.stroke(150);
    p.strokeWeight(1);
    p.rect(x, y, w, h, 3);
    if (icon.kind === 'curve') {
      p.stroke(...BLUE);
      p.strokeWeight(2);
      p.beginShape();
      for (const [u, v] of icon.points) p.vertex(x + 2 + u * (w - 4), y + h - 2 - v * (h - 4));
      p.endShape();
    } else {
      const bw = (w - 4) / icon.values.length;
      p.noStroke();
      p.fill(...ORANGE);
      icon.values.forEach((v, j) => p.rect(x + 2 + j * bw + 1, y + h - 2 - v * (h - 4), bw - 2, v * (h - 4)));
    }
    p.pop();
  }

  function drawEdges(p, s, lay) {
    const { cols } = lay;
    const ctx = p.drawingContext;
    const hl = s.highlight ? s.highlight.layer : 0;
    for (let l = 1; l < cols.length; l++) {
      const a = cols[l - 1];
      const b = cols[l];
      const broken = s.layers[l - 1].broken;
      const active = l === hl;
      p.strokeWeight(active ? 1.6 : 1);
      if (broken) {
        ctx.setLineDash([6, 5]);
        p.stroke(...BAD, 150);
      } else if (active) p.stroke(20, 60, 140, 170);
      else p.stroke(110, hl ? 45 : 80);
      for (const sa of a.slots) {
        if (sa.k === null) continue;
        for (const sb of b.slots) {
          if (sb.k === null) continue;
          p.line(a.x, sa.y, b.x, sb.y);
        }
      }
      ctx.setLineDash([]);
    }
  }

  function drawNodes(p, s, lay) {
    const { cols, nodeD } = lay;
    const hl = s.highlight ? s.highlight.layer : -1;
    const reached = s.flow.pos > 0 || flowing ? s.flow.layer : -1;
    s.columns.forEach((c, i) => {
      const col = cols[i];
      for (const slot of col.slots) {
        if (slot.k === null) {
          p.noStroke();
          p.fill(...INK);
          p.textAlign(p.CENTER, p.CENTER);
          p.textSize(18);
          p.text('⋮', col.x, slot.y);
          p.textSize(16);
          p.textAlign(p.LEFT, p.CENTER);
          const tw = p.textWidth(String(c.n));
          p.fill(240, 248, 255, 230);
          p.rect(col.x + 5, slot.y - 9, tw + 4, 18, 3);
          p.fill(...INK);
          p.text(String(c.n), col.x + 7, slot.y);
          continue;
        }
        let fill = [255, 255, 255];
        if (c.shade && i <= reached) {
          const v = c.shade[slot.k];
          const base = v >= 0 ? ORANGE : BLUE;
          const t = Math.min(1, Math.abs(v));
          fill = base.map((ch) => Math.round(255 + (ch - 255) * t));
        }
        p.fill(...fill);
        p.stroke(i === hl ? 0 : 70);
        p.strokeWeight(i === hl ? 2.5 : 1.3);
        if (i === 0) p.rect(col.x - nodeD / 2, slot.y - nodeD / 2, nodeD, nodeD, 3);
        else p.circle(col.x, slot.y, nodeD);
      }
    });
  }

  function drawConnectionLabels(p, s, lay) {
    const { cols, labelMode } = lay;
    const mid = (lay.top + lay.bottom) / 2;
    p.textSize(16);
    for (let l = 1; l < cols.length; l++) {
      const info = s.layers[l - 1];
      const rows = weightLabel(p, s, l, labelMode === 'one');
      const x = (cols[l - 1].x + cols[l].x) / 2;
      const h = rows.length * LINE + 4;
      p.textAlign(p.CENTER, p.TOP);
      if (labelMode === 'band') {
        // under the nodes, centred under the connection
        p.noStroke();
        p.fill(...(info.broken ? BAD : INK));
        p.textStyle(info.broken ? p.BOLD : p.NORMAL);
        rows.forEach((t, j) => p.text(t, x, lay.labelY + 2 + j * LINE));
        p.textStyle(p.NORMAL);
        continue;
      }
      const w = Math.max(...rows.map((t) => p.textWidth(t))) + 8;
      const y = mid - h / 2 + (labelMode === 'two' ? (l % 2 ? -0.18 : 0.18) * (lay.bottom - lay.top) : 0);
      p.stroke(...(info.broken ? BAD : [120, 120, 120]));
      p.strokeWeight(info.broken ? 2 : 1);
      p.fill(255, 255, 255, 235);
      p.rect(x - w / 2, y, w, h, 4);
      p.noStroke();
      p.fill(...(info.broken ? BAD : INK));
      rows.forEach((t, j) => p.text(t, x, y + 2 + j * LINE));
    }
  }

  /** Small matrix pictures n_out × n_in under each connection ("expands to show shapes"). */
  function drawGlyphs(p, s, lay) {
    const { cols, spacing } = lay;
    const y0 = lay.glyphY;
    const box = Math.min(lay.glyph - 8, spacing - 16);
    for (let l = 1; l < cols.length; l++) {
      const info = s.layers[l - 1];
      const [r, c] = info.W_shape_shown;
      const cell = box / Math.max(r, c);
      const w = Math.max(5, c * cell); // a 3×64 matrix stays visible as a thin bar
      const h = Math.max(5, r * cell);
      const x = (cols[l - 1].x + cols[l].x) / 2 - w / 2;
      p.stroke(...(info.broken ? BAD : [60, 60, 60]));
      p.strokeWeight(1.5);
      p.fill(...(info.broken ? [255, 225, 225] : [225, 235, 250]));
      p.rect(x, y0, w, h);
      if (Math.max(r, c) <= 16 && cell >= 2.5) {
        p.stroke(160);
        p.strokeWeight(0.6);
        for (let i = 1; i < r; i++) p.line(x, y0 + i * cell, x + w, y0 + i * cell);
        for (let j = 1; j < c; j++) p.line(x + j * cell, y0, x + j * cell, y0 + h);
      }
    }
  }

  function drawFooter(p, s, lay, net) {
    if (!s.params.show_dims) return;
    const { cols, spacing } = lay;
    const y = net.y + net.h - LINE;
    p.noStroke();
    p.fill(...INK);
    p.textSize(16);
    p.textAlign(p.CENTER, p.TOP);
    s.columns.forEach((c, i) => {
      const full = `a[${i}]: ${c.a_shape.join('×')}`;
      const t = p.textWidth(full) <= spacing - 6 ? full : c.a_shape.join('×');
      p.text(t, clampX(cols[i].x, p.textWidth(t), net), y);
    });
  }

  function drawHighlightBand(p, s, lay, net) {
    if (!s.highlight) return;
    const { cols, spacing } = lay;
    const l = s.highlight.layer;
    const x0 = cols[l - 1].x + lay.nodeD / 2 + 2;
    const x1 = Math.min(net.x + net.w, cols[l].x + spacing * 0.25);
    p.noStroke();
    p.fill(...HILITE, 170);
    p.rect(x0, net.y + lay.header - 2, x1 - x0, lay.bottom - net.y - lay.header + 4, 6);
  }

  function drawMismatchMark(p, s, lay) {
    if (!s.mismatch) return;
    const { cols } = lay;
    const l = s.mismatch.layer;
    const x = (cols[l - 1].x + cols[l].x) / 2;
    const y = lay.top + 14;
    p.noStroke();
    p.fill(...BAD);
    p.circle(x, y, 24);
    p.fill(255);
    p.textSize(18);
    p.textStyle(p.BOLD);
    p.textAlign(p.CENTER, p.CENTER);
    p.text('✗', x, y + 1);
    p.textStyle(p.NORMAL);
  }

  /** The data-flow pulse: dots along the connections and the shape of the vector in transit. */
  function drawPulse(p, s, lay) {
    const f = s.flow;
    if (!(f.pos > 0 || flowing)) return;
    const { cols } = lay;
    const k = f.layer;
    const a = cols[k];
    const b = cols[Math.min(k + 1, cols.length - 1)];
    const t = f.frac;
    if (t > 0) {
      p.noStroke();
      p.fill(...ORANGE);
      for (const sa of a.slots) {
        if (sa.k === null) continue;
        for (const sb of b.slots) {
          if (sb.k === null) continue;
          p.circle(a.x + (b.x - a.x) * t, sa.y + (sb.y - sa.y) * t, 6);
        }
      }
    }
    const stopped = f.stopped && s.mismatch;
    const label = `a[${k}]: ${s.columns[k].a_shape.join('×')}${stopped ? ' ✗' : ''}`;
    p.textSize(16);
    const w = p.textWidth(label) + 8;
    const x = Math.max(4, Math.min(p.width - w - 4, a.x + (b.x - a.x) * t - w / 2));
    const y = lay.pulseY;
    p.fill(255, 240, 220);
    p.stroke(...(stopped ? BAD : ORANGE));
    p.strokeWeight(stopped ? 2 : 1);
    p.rect(x, y, w, LINE + 2, 4);
    p.noStroke();
    p.fill(...(stopped ? BAD : [120, 55, 0]));
    p.textAlign(p.LEFT, p.TOP);
    p.text(label, x + 4, y + 2);
  }

  function drawInfo(p, layout) {
    ms.textPanel(p, layout.lines, layout.info);
  }

  // ------------------------------------------------------------------ controls and animation
  let flowing = false;
  const flow = ms.playButton('play', {
    play: 'Play data flow',
    pause: 'Pause data flow',
    step: async () => {
      const s = await ms.act('flow_step');
      return Boolean(s) && !s.flow.stopped;
    },
    interval: () => 1000 / ms.controls.speed.value,
    onChange: (on) => {
      flowing = on;
      if (p5i) p5i.redraw();
    },
  });

  // the buttons are ours; the settings go to the engine through the runtime
  ms.onControl(async (name) => {
    if (name === 'next_layer') await ms.act('next_layer');
  });

  /** Per-layer controls beyond the layer count are disabled (the runtime sets the values). */
  function followState(s) {
    disableUnused(s.params.n_hidden);
    ms.region.setAttribute('aria-label', `${ms.config.describe} ${s.summary} Left/right arrow keys highlight a layer; space plays the data flow.`);
  }
  function disableUnused(nHidden) {
    for (let k = 1; k <= MAX_HIDDEN; k++) {
      for (const name of [`h${k}`, `act${k}`]) {
        const el = ms.controls[name].el;
        el.disabled = k > nHidden;
        el.title = el.disabled ? `Hidden layer ${k} is not in use (raise Hidden layers)` : '';
      }
    }
  }
  ms.onState(followState);

  const p5i = ms.sketch({
    setup(p) {
      ms.region.tabIndex = 0;
      // the controls may hold URL parameters the embedded state does not have yet
      disableUnused(ms.controls.n_hidden.value);
      ms.region.setAttribute('aria-label', `${ms.config.describe} ${ms.state.summary}`);
      // long checkbox labels wrap instead of being cut off with an ellipsis on narrow screens
      for (const name of ['show_dims', 'show_weights']) {
        const label = ms.controls[name].el.closest('label');
        if (label) label.style.whiteSpace = 'normal';
      }
      // relative actions: quick presses each move from the state they run on
      ms.region.addEventListener('keydown', (e) => {
        if (e.key === 'ArrowRight') ms.act('next_layer');
        else if (e.key === 'ArrowLeft') ms.act('prev_layer');
        else if (e.key === 'Escape') ms.act('set_param', { name: 'highlight', value: 0 });
        else if (e.key === ' ' || e.key === 'Enter') flow.toggle();
        else return;
        e.preventDefault();
      });
    },
    draw(p) {
      const s = ms.state;
      p.background(240, 248, 255);
      const layout = computeLayout(p, s);
      const lay = layout.cols;
      const net = layout.net;
      drawHighlightBand(p, s, lay, net);
      drawHeader(p, s, lay, net);
      drawEdges(p, s, lay);
      drawPulse(p, s, lay);
      drawNodes(p, s, lay);
      if (s.params.show_weights) {
        drawConnectionLabels(p, s, lay);
        if (lay.glyph) drawGlyphs(p, s, lay);
      }
      drawMismatchMark(p, s, lay);
      drawFooter(p, s, lay, net);
      drawInfo(p, layout);
      // for the browser tests: what was laid out (no numbers of the model here)
      window.__nnArchLayout = {
        width: p.width,
        columns: lay.cols.map((c) => ({ n: c.n, drawn: c.slots.filter((x) => x.k !== null).length, ellipsis: c.ellipsis })),
        nodeD: lay.nodeD,
        infoLines: layout.lines.map((l) => l.text),
      };
    },
  });

  // click a column (or the connection into it) to highlight that layer
  p5i.mousePressed = () => {
    const s = ms.state;
    if (p5i.mouseX < 0 || p5i.mouseY < 0 || p5i.mouseX > p5i.width || p5i.mouseY > p5i.height) return;
    const layout = computeLayout(p5i, s);
    const { cols, spacing } = layout.cols;
    if (p5i.mouseY > layout.net.y + layout.net.h) return;
    for (let l = 1; l < cols.length; l++) {
      if (Math.abs(p5i.mouseX - cols[l].x) < spacing / 2 && p5i.mouseX > cols[l - 1].x + spacing / 2 - 1) {
        ms.act('set_param', { name: 'highlight', value: l });
        return false;
      }
    }
  };
})();
