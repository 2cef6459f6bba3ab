// Perceptron Decision Boundary: draws the state of sims/perceptron.py. No math beyond
// mapping plot coordinates to pixels; every number shown comes from the engine's state.
(function () {
  'use strict';
  const ms = window.microsim;
  const LIM = ms.constants.plot_limit; // plot range [-LIM, LIM]^2: engine.perceptron.PLOT_LIMIT
  const { orange: ORANGE, blue: BLUE, grey: GREY, error: ERROR } = ms.palette;
  const f2 = (v) => ms.fmt(v, 2, 2);
  const vec = (v) => `(${f2(v[0])}, ${f2(v[1])})`;
  const sgn = (y) => (y > 0 ? '+1' : '−1');

  let layout = null;
  let dragW = null; // weight vector being dragged (preview until the engine answers)
  let lastSend = null; // the newest set_weights still waiting or running

  // ------------------------------------------------------------------ layout
  function infoLines(s, wide) {
    const lines = [];
    const acc = s.accuracy_text;
    const L = s.learn;
    const epoch = `Epoch ${L.epoch} of ${L.budget} · ${L.total_updates} updates`;
    if (wide) {
      lines.push({ text: acc, size: 20, bold: true });
      lines.push({ text: `w = ${vec(s.w)}   b = ${f2(s.b)}   η = ${s.params.lr}`, size: 16 });
      lines.push({ text: epoch, size: 16 });
    } else {
      // narrow: fewer, fuller lines so the plot keeps its room
      lines.push({ text: `${acc} · epoch ${L.epoch}/${L.budget}`, size: 18, bold: true });
      lines.push({ text: `w = ${vec(s.w)}  b = ${f2(s.b)}  η = ${s.params.lr}`, size: 16 });
    }
    if (wide || !s.last) {
      lines.push({ text: 'Update rule (misclassified x):  w ← w + η·y·x,  b ← b + η·y', size: 16, color: GREY });
    }
    if (s.last) {
      const u = s.last;
      if (wide) lines.push({ text: `point ${u.i}: x = ${vec(u.x)}, y = ${sgn(u.y)}`, size: 16 });
      lines.push({ text: `w ← ${vec(u.w_old)} + ${u.lr}·(${sgn(u.y)})·${vec(u.x)} = ${vec(u.w_new)}`, size: 16, mono: true });
      lines.push({ text: `b ← ${f2(u.b_old)} + ${u.lr}·(${sgn(u.y)}) = ${f2(u.b_new)}`, size: 16, mono: true });
    }
    const alert = s.learn.status === 'gave_up';
    lines.push({ text: s.message, size: 16, bold: alert, color: alert ? ERROR : undefined });
    // what the colours, shading, rings and lines mean
    if (wide) {
      lines.push({ text: 'Legend', size: 16, bold: true, gap: 10 });
      lines.push({ text: '● orange: class +1', size: 16, color: ORANGE });
      lines.push({ text: '■ blue: class −1', size: 16, color: BLUE });
      lines.push({ text: 'Shading: the class predicted there (w·x + b ≥ 0 → +1)', size: 16 });
      lines.push({ text: 'Black ring: misclassified · yellow ring: the point of the last update', size: 16 });
      lines.push({ text: 'Solid line: the boundary w·x + b = 0 · dashed: the direction of w', size: 16 });
    } else {
      lines.push({ text: 'Shading: predicted class · ring: misclassified', size: 16, color: GREY });
    }
    return lines;
  }

  function computeLayout(p, s) {
    const pad = 10;
    const W = p.width;
    const H = p.height;
    const wide = W >= 700;
    if (wide) {
      const size = Math.max(160, Math.min(H - 2 * pad, W * 0.55));
      const infoX = pad + size + 2 * pad;
      return { wide, pad, plot: { x: pad, y: (H - size) / 2, s: size }, info: { x: infoX, y: pad, w: W - infoX - pad } };
    }
    const infoW = W - 2 * pad;
    const infoH = ms.textPanel(p, infoLines(s, false), { w: infoW, draw: false }) + 8;
    const size = Math.max(140, Math.min(W - 2 * pad, H - infoH - 2 * pad));
    return { wide, pad, plot: { x: (W - size) / 2, y: pad, s: size }, info: { x: pad, y: pad + size + 6, w: infoW } };
  }

  const toPx = (pl, x, y) => [pl.x + ((x + LIM) / (2 * LIM)) * pl.s, pl.y + ((LIM - y) / (2 * LIM)) * pl.s];
  const toData = (pl, px, py) => [((px - pl.x) / pl.s) * 2 * LIM - LIM, LIM - ((py - pl.y) / pl.s) * 2 * LIM];

  // ------------------------------------------------------------------ drawing
  function drawPlot(p, s, pl) {
    p.push();
    ms.clipped(p, { x: pl.x, y: pl.y, w: pl.s, h: pl.s }, () => drawPlane(p, s, pl), { frame: true });

    // legend under the plot's top edge
    p.textSize(16);
    p.noStroke();
    p.fill(60);
    p.textAlign(p.LEFT, p.TOP);
    const hint = ms.controls.add_mode.value ? 'Click or tap to add a point' : 'Drag the tip of w';
    if (p.textWidth(hint) + 12 <= pl.s) {
      // on a white card, so the boundary and the shading never run through the words
      p.fill(255, 255, 255, 215);
      p.rect(pl.x + 2, pl.y + 2, p.textWidth(hint) + 8, 22, 3);
      p.fill(60);
      p.text(hint, pl.x + 6, pl.y + 4);
    }
    p.pop();
  }

  /** Inside the plot: the two half-planes, the boundary and w's axis, the points and the w handle. */
  function drawPlane(p, s, pl) {
    const ctx = p.drawingContext;
    const w = dragW || s.w;
    const b = s.b;
    // half-planes: class +1 where w·x + b >= 0 (orange), class −1 elsewhere (blue)
    const norm = Math.hypot(w[0], w[1]);
    p.noStroke();
    if (norm < 1e-9) {
      p.fill(...(b >= 0 ? ORANGE : BLUE), 40);
      p.rect(pl.x, pl.y, pl.s, pl.s);
    } else {
      const n = [w[0] / norm, w[1] / norm];
      const d = [-n[1], n[0]];
      const p0 = [(-b * w[0]) / (norm * norm), (-b * w[1]) / (norm * norm)];
      const far = 100;
      for (const [side, col] of [[1, ORANGE], [-1, BLUE]]) {
        const corners = [
          [p0[0] + far * d[0], p0[1] + far * d[1]],
          [p0[0] - far * d[0], p0[1] - far * d[1]],
          [p0[0] - far * d[0] + side * far * n[0], p0[1] - far * d[1] + side * far * n[1]],
          [p0[0] + far * d[0] + side * far * n[0], p0[1] + far * d[1] + side * far * n[1]],
        ];
        p.fill(...col, 38);
        p.beginShape();
        for (const c of corners) p.vertex(...toPx(pl, c[0], c[1]));
        p.endShape(p.CLOSE);
      }
      // axis of w through the origin (dashed) and the boundary w·x + b = 0 (solid)
      ctx.setLineDash([5, 5]);
      p.stroke(90);
      p.strokeWeight(1);
      p.line(...toPx(pl, -far * n[0], -far * n[1]), ...toPx(pl, far * n[0], far * n[1]));
      ctx.setLineDash([]);
      p.stroke(20);
      p.strokeWeight(3);
      p.line(...toPx(pl, p0[0] - far * d[0], p0[1] - far * d[1]), ...toPx(pl, p0[0] + far * d[0], p0[1] + far * d[1]));
      // right-angle marker where the w axis meets the boundary
      const m = 0.18;
      p.strokeWeight(1.5);
      p.noFill();
      p.beginShape();
      p.vertex(...toPx(pl, p0[0] + m * d[0], p0[1] + m * d[1]));
      p.vertex(...toPx(pl, p0[0] + m * d[0] - m * n[0], p0[1] + m * d[1] - m * n[1]));
      p.vertex(...toPx(pl, p0[0] - m * n[0], p0[1] - m * n[1]));
      p.endShape();
    }

    // axes
    p.stroke(170);
    p.strokeWeight(1);
    p.line(...toPx(pl, -LIM, 0), ...toPx(pl, LIM, 0));
    p.line(...toPx(pl, 0, -LIM), ...toPx(pl, 0, LIM));

    // points: +1 orange circles, −1 blue squares; misclassified ringed in black
    const X = s.X;
    const wrong = new Set(s.wrong);
    const r = Math.max(5, pl.s / 60);
    for (let i = 0; i < s.y.length; i++) {
      const [px, py] = toPx(pl, X[0][i], X[1][i]);
      if (wrong.has(i)) {
        p.noFill();
        p.stroke(0);
        p.strokeWeight(2.5);
        p.circle(px, py, 2 * r + 10);
      }
      p.stroke(255);
      p.strokeWeight(1.5);
      if (s.y[i] > 0) {
        p.fill(...ORANGE);
        p.circle(px, py, 2 * r);
      } else {
        p.fill(...BLUE);
        p.rect(px - r, py - r, 2 * r, 2 * r);
      }
    }
    if (s.last && !dragW) {
      const [px, py] = toPx(pl, s.last.x[0], s.last.x[1]);
      p.noFill();
      p.stroke(240, 200, 0);
      p.strokeWeight(4);
      p.circle(px, py, 2 * r + 20);
    }

    // the weight vector from the origin; its tip is the drag handle
    const [ox, oy] = toPx(pl, 0, 0);
    const [tx, ty] = toPx(pl, w[0], w[1]);
    p.stroke(0);
    p.strokeWeight(3);
    p.line(ox, oy, tx, ty);
    const ang = Math.atan2(ty - oy, tx - ox);
    p.fill(0);
    p.noStroke();
    p.triangle(tx, ty, tx - 14 * Math.cos(ang - 0.4), ty - 14 * Math.sin(ang - 0.4), tx - 14 * Math.cos(ang + 0.4), ty - 14 * Math.sin(ang + 0.4));
    p.fill(255, 255, 255, 200);
    p.stroke(0);
    p.strokeWeight(1.5);
    p.circle(tx, ty, 16);
    p.noStroke();
    p.fill(0);
    p.textSize(18);
    p.textStyle(p.BOLD);
    p.textAlign(p.CENTER, p.CENTER);
    // "w" beyond the tip along the vector, clear of the arrowhead and the handle; turned a
    // quarter either way where that would leave the plot
    const inside = ([x, y]) => x > pl.x + 10 && x < pl.x + pl.s - 10 && y > pl.y + 10 && y < pl.y + pl.s - 10;
    const spots = [0, Math.PI / 2, -Math.PI / 2, Math.PI].map((turn) => [tx + 22 * Math.cos(ang + turn), ty + 22 * Math.sin(ang + turn)]);
    p.text('w', ...(spots.find(inside) || spots[0]));
    p.textStyle(p.NORMAL);
  }

  function drawInfo(p, s, box) {
    ms.textPanel(p, infoLines(s, layout.wide), box);
  }

  // ------------------------------------------------------------------ interaction
  // The runtime queues the action; while one waits, a newer position replaces it.
  function sendWeights(w) {
    const sent = ms.act('set_weights', { w }, { latest: true });
    lastSend = sent;
    sent.then(() => {
      if (lastSend !== sent) return; // a newer position is still on its way
      lastSend = null;
      if (!dragging) dragW = null;
      p5i.redraw();
    });
  }

  let dragging = false;
  // the learn button plays and pauses; any other button or a new dataset pauses it
  const learning = ms.playButton('learn', {
    play: 'Run Perceptron Learning',
    pause: 'Pause learning',
    step: async () => {
      // one update per tick at first, then one epoch per tick (sims/perceptron.py run_step)
      const s = await ms.act('run_step');
      return Boolean(s) && s.learn.status === 'idle';
    },
    interval: () => 1000 / ms.controls.speed.value,
    before: async () => {
      if (ms.state.learn.status !== 'idle') await ms.act('restart_learning');
    },
    stopOn: ['step', 'reset', 'clear', 'preset', 'seed', 'bias'],
  });

  ms.onControl(async (name) => {
    if (name === 'step') {
      // both queued now, in this order, before anything the reader does next
      if (ms.state.learn.status !== 'idle') ms.act('restart_learning');
      await ms.act('learn_step');
    } else if (name === 'reset') await ms.act('new_weights');
    else if (name === 'clear') await ms.act('clear_points');
  });

  const p5i = ms.sketch({
    setup(p) {
      ms.region.tabIndex = 0;
      ms.region.setAttribute('aria-label', `${ms.config.describe} Arrow keys turn (left/right) and lengthen (up/down) w.`);
      ms.region.addEventListener('keydown', (e) => {
        const w = ms.state.w;
        const len = Math.hypot(w[0], w[1]);
        let ang = Math.atan2(w[1], w[0]);
        let L = len;
        if (e.key === 'ArrowLeft') ang += Math.PI / 36;
        else if (e.key === 'ArrowRight') ang -= Math.PI / 36;
        else if (e.key === 'ArrowUp') L = Math.min(4, len + 0.1);
        else if (e.key === 'ArrowDown') L = Math.max(0.1, len - 0.1);
        else return;
        e.preventDefault();
        learning.stop();
        sendWeights([L * Math.cos(ang), L * Math.sin(ang)]);
      });
    },
    draw(p) {
      const s = ms.state;
      p.background(240, 248, 255);
      layout = computeLayout(p, s);
      drawPlot(p, s, layout.plot);
      drawInfo(p, s, layout.info);
    },
  });

  // ------------------------------------------------------------------ pointer: mouse, pen, finger
  // Pointer events on the drawing region: the tip of w is a handle of at least 44 px (60 px for a
  // finger). A touch that starts on it (or, in Add Point mode, anywhere in the plot) does not
  // scroll the page; one that starts elsewhere scrolls it as usual.
  const HIT_RADIUS = { mouse: 22, pen: 22, touch: 30 };
  const canvasXY = (e) => {
    const r = ms.region.querySelector('canvas').getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const inPlot = ([x, y]) => {
    const pl = layout && layout.plot;
    return Boolean(pl) && x >= pl.x && x <= pl.x + pl.s && y >= pl.y && y <= pl.y + pl.s;
  };
  const onHandle = ([x, y], type) => {
    if (!inPlot([x, y])) return false;
    const [tx, ty] = toPx(layout.plot, ms.state.w[0], ms.state.w[1]);
    return Math.hypot(x - tx, y - ty) < (HIT_RADIUS[type] || HIT_RADIUS.mouse);
  };
  const grabs = (xy, type) => (ms.controls.add_mode.value ? inPlot(xy) : onHandle(xy, type));
  let dragId = null; // the pointer dragging w

  ms.region.addEventListener('touchstart', (e) => {
    const t = e.touches[0];
    if (e.touches.length === 1 && grabs(canvasXY(t), 'touch')) e.preventDefault(); // no scroll
  }, { passive: false });
  ms.region.addEventListener('pointerdown', (e) => {
    const xy = canvasXY(e);
    if (!layout || !grabs(xy, e.pointerType)) return;
    e.preventDefault();
    learning.stop();
    if (ms.controls.add_mode.value) {
      const [x, y] = toData(layout.plot, ...xy);
      ms.act('add_point', { x, y, label: Number(ms.controls.add_class.value) });
      return;
    }
    dragId = e.pointerId;
    dragging = true;
    ms.region.setPointerCapture(e.pointerId);
    ms.region.style.cursor = 'grabbing';
  });
  ms.region.addEventListener('pointermove', (e) => {
    const xy = canvasXY(e);
    if (dragId !== e.pointerId) {
      if (e.pointerType === 'mouse' && dragId === null) {
        ms.region.style.cursor = !grabs(xy, 'mouse') ? '' : ms.controls.add_mode.value ? 'crosshair' : 'grab';
      }
      return;
    }
    const clamp = (v) => Math.max(-LIM, Math.min(LIM, v));
    const [x, y] = toData(layout.plot, ...xy);
    dragW = [clamp(x), clamp(y)];
    p5i.redraw();
    sendWeights(dragW);
  });
  const endDrag = (e) => {
    if (dragId !== e.pointerId) return;
    dragId = null;
    dragging = false;
    ms.region.style.cursor = '';
    if (!lastSend) { dragW = null; p5i.redraw(); }
  };
  ms.region.addEventListener('pointerup', endDrag);
  ms.region.addEventListener('pointercancel', endDrag);
  // for tests: where the plot is on the canvas (CSS px), as last drawn
  Object.defineProperty(ms, 'plotBox', { get: () => (layout ? { ...layout.plot } : null) });
})();
