// Neural Network Architecture Visualizer: draws the state of sims/architecture.py.
// No math beyond layout and pixel mapping: sizes, shapes, counts, equations, errors and the
// node values of the data flow all come from the engine through ms.state.
(function () {
  'use strict';
  const ms = window.microsim;
  const MAX_HIDDEN = ms.constants.max_hidden; // sims/architecture.py MAX_HIDDEN
  const { orange: ORANGE, blue: BLUE, highlight: HILITE, error: BAD, ink: INK } = ms.palette;
  const LINE = 16 * 1.3;

  /**
   * The info panel's lines (built by sims/architecture.py), in display order; `rank` says
   * which to drop first when short of room. `wide`: the screen has room for every line.
   */
  function infoLines(s, wide) {
    return s.info
      .filter((l) => (wide || !l.wide_only) && (!l.while_flowing || inFlow(s)))
      .map((l) => ({ ...l, size: (!wide && l.narrow_size) || l.size, color: l.color && ms.palette[l.color] }));
  }

  const measure = (p, lines, w) => ms.textPanel(p, lines, { w, draw: false }) + 6;

  // ------------------------------------------------------------------ layout
  function computeLayout(p, s) {
    const pad = 10;
    const W = p.width;
    const H = p.height;
    const wide = W >= 900;
    const infoW = wide ? Math.min(440, Math.round(W * 0.38)) : W - 2 * pad;
    // beside the network the lines have the full height; under it, what the network leaves
    const room = wide ? H - 2 * pad : H - 3 * pad - Math.min(220, H * 0.6);
    let lines = infoLines(s, wide || W >= 700);
    while (measure(p, lines, infoW) > room && lines.length > 1) lines = dropOne(lines);
    const infoH = wide ? H - 2 * pad : measure(p, lines, infoW);
    const net = wide
      ? { x: pad, y: pad, w: W - infoW - 3 * pad, h: H - 2 * pad }
      : { x: pad, y: pad, w: W - 2 * pad, h: H - infoH - 3 * pad };
    const info = { x: wide ? W - infoW - pad : pad, y: wide ? pad : net.y + net.h + pad, w: infoW, h: infoH };
    return { wide, pad, net, info, lines, cols: layoutNetwork(p, s, net) };
  }

  function dropOne(lines) {
    const ranks = lines.map((l) => l.rank);
    const i = ranks.lastIndexOf(Math.max(...ranks));
    return lines.filter((_, j) => j !== i);
  }

  /** Text rows of the label of connection l (from the engine): one line each, or two short rows. */
  const weightLabel = (s, l, oneLine) => s.layers[l - 1].label_rows[oneLine ? 'one' : 'two'];

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
    const pulseRow = inFlow(s) ? LINE + 6 : 0;
    const margin = Math.max(28, Math.min(70, net.w * 0.06));
    const spacing = (net.w - 2 * margin) / (nCols - 1);
    // weight labels sit on the connections when they leave room for the "⋮ n" counts
    p.textSize(16);
    let labelMode = 'none';
    if (showW) {
      const widest = (one) => Math.max(...s.layers.map((lay) =>
        Math.max(...weightLabel(s, lay.layer, one).map((t) => p.textWidth(t))))) + 8;
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
      const label = [a.label, a.short].find((t) => iconW + 4 + p.textWidth(t) <= room); // or none
      const total = label ? iconW + 4 + p.textWidth(label) : iconW;
      const ix = clampX(x, total, net) - total / 2;
      drawIcon(p, a.icon, ix, y, iconW, iconH);
      if (label) {
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

  /** Every pair of drawn nodes (not the "⋮" slots) of the columns a and b. */
  function pairs(a, b) {
    const shown = (c) => c.slots.filter((slot) => slot.k !== null);
    return shown(a).flatMap((sa) => shown(b).map((sb) => [sa, sb]));
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
      for (const [sa, sb] of pairs(a, b)) p.line(a.x, sa.y, b.x, sb.y);
      ctx.setLineDash([]);
    }
  }

  function drawNodes(p, s, lay) {
    const { cols, nodeD } = lay;
    const hl = s.highlight ? s.highlight.layer : -1;
    const reached = inFlow(s) ? s.flow.layer : -1;
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
    p.textAlign(p.CENTER, p.TOP);
    for (let l = 1; l < cols.length; l++) {
      const info = s.layers[l - 1];
      const rows = weightLabel(s, l, labelMode === 'one');
      const x = (cols[l - 1].x + cols[l].x) / 2;
      const h = rows.length * LINE + 4;
      // in the band under the nodes, centred under the connection; else in a box on it
      let y = lay.labelY;
      if (labelMode !== 'band') {
        const w = Math.max(...rows.map((t) => p.textWidth(t))) + 8;
        y = mid - h / 2 + (labelMode === 'two' ? (l % 2 ? -0.18 : 0.18) * (lay.bottom - lay.top) : 0);
        p.stroke(...(info.broken ? BAD : [120, 120, 120]));
        p.strokeWeight(info.broken ? 2 : 1);
        p.fill(255, 255, 255, 235);
        p.rect(x - w / 2, y, w, h, 4);
      }
      p.noStroke();
      p.fill(...(info.broken ? BAD : INK));
      p.textStyle(info.broken && labelMode === 'band' ? p.BOLD : p.NORMAL); // no red box there
      rows.forEach((t, j) => p.text(t, x, y + 2 + j * LINE));
    }
    p.textStyle(p.NORMAL);
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
      const t = p.textWidth(c.dims[0]) <= spacing - 6 ? c.dims[0] : c.dims[1];
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
    if (!inFlow(s)) return;
    const { layer: k, frac: t } = s.flow;
    const a = lay.cols[k];
    const b = lay.cols[Math.min(k + 1, lay.cols.length - 1)];
    if (t > 0) {
      p.noStroke();
      p.fill(...ORANGE);
      for (const [sa, sb] of pairs(a, b)) p.circle(a.x + (b.x - a.x) * t, sa.y + (sb.y - sa.y) * t, 6);
    }
    const stopped = s.flow.stopped && s.mismatch;
    const label = `${s.columns[k].dims[0]}${stopped ? ' ✗' : ''}`;
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

  // ------------------------------------------------------------------ controls and animation
  let flowing = false;
  /** The data flow has started or plays: its line, pulse and node colours show. */
  const inFlow = (s) => s.flow.pos > 0 || flowing;
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

  /**
   * Per-layer controls beyond the layer count are disabled (the runtime sets the values).
   * `nHidden`: the state's count, or at setup the control's (it may hold a URL parameter the
   * embedded state does not have yet).
   */
  function followState(s, nHidden = s.params.n_hidden, range = true) {
    for (let k = 1; k <= MAX_HIDDEN; k++) {
      for (const name of [`h${k}`, `act${k}`]) {
        const el = ms.controls[name].el;
        el.disabled = k > nHidden;
        el.title = el.disabled ? `Hidden layer ${k} is not in use (raise Hidden layers)` : '';
      }
    }
    if (range) followRange(s);
    ms.region.setAttribute('aria-label', `${ms.config.describe} ${s.summary} Left/right arrow keys highlight a layer; space plays the data flow.`);
  }
  /**
   * The highlight slider runs 0…L of this network (`highlight_max` from Python; its Control
   * declares the largest L), and Break a connection offers only the W[l] that exist.
   */
  function followRange(s) {
    const hl = ms.controls.highlight;
    const oldMax = Number(hl.el.max);
    hl.el.max = String(s.highlight_max);
    // the runtime set the value before the range grew, and the browser clamped it: set it again
    if (s.params.highlight > oldMax) ms.setControl('highlight', s.params.highlight);
    for (const opt of ms.controls.break_layer.el.options) {
      opt.disabled = opt.value !== 'none' && Number(opt.value) > s.L;
    }
  }
  ms.onState((s) => followState(s));

  const p5i = ms.sketch({
    setup(p) {
      ms.region.tabIndex = 0;
      // with URL parameters the embedded state is not the page's network yet: the range
      // follows the state they lead to (narrowing it now would clamp a ?highlight= value)
      followState(ms.state, ms.controls.n_hidden.value, !Object.keys(ms.urlParams).length);
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
      const { cols: lay, net } = layout;
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
      ms.textPanel(p, layout.lines, layout.info);
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
