// Forward Propagation Step-by-Step: draws the state of sims/forward.py (its docstring
// describes the state). The p5 canvas draws the network; a text panel (DOM, inside the drawing
// region, built with textContent only) shows the step's equations, which wrap instead of being
// cut off. No math here beyond layout: every number comes from the engine's state.
(function () {
  'use strict';
  const ms = window.microsim;
  const LAST_STEP = ms.constants.last_step; // sims/forward.py LAST_STEP
  const { orange: ORANGE, blue: BLUE, highlight: HILITE } = ms.palette;
  /** Numbers here show at least 2 decimals (at most `digits`): 1.50, 0.125. */
  const fmt = (v, digits = 3, min = 2) => ms.fmt(v, digits, min);

  // page styles: static/sketches/forward-propagation.css

  // ------------------------------------------------------------------ layout
  function computeLayout(p) {
    const W = p.width;
    const H = p.height;
    const pad = 8;
    if (W >= 720) {
      const nw = Math.min(Math.max(360, W * 0.47), 560);
      const nh = Math.min(H - 2 * pad, 440);
      const legendH = H - 2 * pad - nh >= 90 ? H - 2 * pad - nh : 0;
      return {
        wide: true,
        net: { x: pad, y: pad, w: nw, h: nh },
        legend: legendH ? { x: pad, y: pad + nh + 6, w: nw, h: legendH - 6 } : null,
        panel: { x: nw + 2 * pad, y: pad, w: W - nw - 3 * pad, h: H - 2 * pad },
      };
    }
    const nh = Math.round(Math.max(250, Math.min(300, H * 0.5)));
    return {
      wide: false,
      net: { x: pad, y: pad, w: W - 2 * pad, h: nh },
      legend: null,
      panel: { x: pad, y: pad + nh + 4, w: W - 2 * pad, h: H - nh - 2 * pad - 4 },
    };
  }

  const NODE_W = 80;
  const NODE_H = 44;
  const HEAD = 50; // two header lines above the nodes
  const FOOT = 28; // the W[l] labels under the edges

  function nodePositions(s, net) {
    const m = NODE_W / 2 + 4;
    const xs = [net.x + m, net.x + net.w / 2, net.x + net.w - m];
    const top = net.y + HEAD;
    const bottom = net.y + net.h - FOOT;
    return s.sizes.map((n, l) => {
      const gap = Math.min((bottom - top) / n, 100);
      const y0 = (top + bottom) / 2 - (gap * (n - 1)) / 2;
      return Array.from({ length: n }, (_, j) => ({ x: xs[l], y: y0 + j * gap }));
    });
  }

  /** Which layer a step works on, and how: 'input' | 'z' | 'act' | 'done'. */
  const stepInfo = (s) => s.steps[s.step];

  // ------------------------------------------------------------------ canvas: the network
  function textIn(p, str, cx, y, box) {
    const w = p.textWidth(str);
    const x = Math.max(box.x + 2, Math.min(box.x + box.w - w - 2, cx - w / 2));
    p.text(str, x, y);
  }

  function drawNetwork(p, s, net, pos, now) {
    const info = stepInfo(s);
    const L = info.layer;
    p.push();
    p.textAlign(p.LEFT, p.TOP);
    p.noStroke();

    // highlight band of the current layer
    const col = pos[L];
    const bandTop = net.y + 2;
    const bandBot = net.y + net.h - FOOT + 2;
    p.fill(...HILITE, info.kind === 'done' ? 120 : 200);
    p.stroke(224, 160, 0);
    p.strokeWeight(2);
    p.rect(col[0].x - NODE_W / 2 - 6, bandTop, NODE_W + 12, bandBot - bandTop, 10);

    // headers
    const names = ['input', 'hidden', 'output'];
    const acts = ['', 'ReLU', 'softmax'];
    p.noStroke();
    for (let l = 0; l < pos.length; l++) {
      const cx = pos[l][0].x;
      const current = l === L;
      p.fill(20);
      p.textSize(16);
      p.textStyle(p.BOLD);
      textIn(p, `a[${l}] ${names[l]}`, cx, net.y + 6, net);
      p.textStyle(current && info.kind === 'act' ? p.BOLD : p.NORMAL);
      p.fill(current && info.kind === 'act' ? 0 : 60);
      const shape = `${s.sizes[l]}×1`;
      textIn(p, acts[l] ? `${acts[l]} · ${shape}` : shape, cx, net.y + 26, net);
    }

    // edges
    for (let i = 0; i < s.W.length; i++) {
      const layer = i + 1;
      const live = info.kind === 'z' && L === layer;
      const c = s.contrib[i];
      let cmax = 1e-9;
      for (const row of c) for (const v of row) cmax = Math.max(cmax, Math.abs(v));
      for (let j = 0; j < pos[layer].length; j++) {
        for (let k = 0; k < pos[i].length; k++) {
          const a = pos[i][k];
          const b = pos[layer][j];
          const x1 = a.x + NODE_W / 2;
          const x2 = b.x - NODE_W / 2;
          if (!live) {
            p.stroke(150);
            p.strokeWeight(1);
            p.drawingContext.setLineDash([]);
          } else {
            const v = c[j][k];
            const focus = j === s.focus;
            p.stroke(...(v >= 0 ? ORANGE : BLUE), focus ? 255 : 90);
            p.strokeWeight(1 + 5 * (Math.abs(v) / cmax));
            p.drawingContext.setLineDash(v >= 0 ? [] : [7, 4]);
          }
          p.line(x1, a.y, x2, b.y);
        }
      }
      p.drawingContext.setLineDash([]);
      // W[l] label under the edges
      p.noStroke();
      p.fill(live ? 0 : 70);
      p.textSize(16);
      p.textStyle(live ? p.BOLD : p.NORMAL);
      const mid = (pos[i][0].x + pos[layer][0].x) / 2;
      textIn(p, `W[${layer}] ${s.W[i].length}×${s.W[i][0].length}`, mid, net.y + net.h - FOOT + 6, net);
    }

    // data flowing along the edges of the current z-step (dots travel source → target)
    if (anim && anim.kind === 'z') {
      const t = Math.min(1, (now - anim.start) / anim.dur);
      const i = L - 1;
      for (let j = 0; j < pos[L].length; j++) {
        for (let k = 0; k < pos[i].length; k++) {
          const a = pos[i][k];
          const b = pos[L][j];
          const x = a.x + NODE_W / 2 + t * (b.x - a.x - NODE_W);
          const y = a.y + t * (b.y - a.y);
          p.noStroke();
          p.fill(...(s.contrib[i][j][k] >= 0 ? ORANGE : BLUE));
          p.circle(x, y, 10);
        }
      }
    }

    // contribution labels w·a on the edges into the focused neuron, near their source end
    if (info.kind === 'z') {
      const i = L - 1;
      const b = pos[L][s.focus];
      p.textSize(16);
      p.textStyle(p.BOLD);
      for (let k = 0; k < pos[i].length; k++) {
        const a = pos[i][k];
        const x1 = a.x + NODE_W / 2;
        const x2 = b.x - NODE_W / 2;
        const t = 0.32;
        const lx = x1 + t * (x2 - x1);
        const ly = a.y + t * (b.y - a.y);
        const label = fmt(s.contrib[i][s.focus][k], 2);
        const w = p.textWidth(label) + 8;
        p.stroke(120);
        p.strokeWeight(1);
        p.fill(255);
        p.rect(lx - w / 2, ly - 11, w, 22, 4);
        p.noStroke();
        p.fill(0);
        p.text(label, lx - w / 2 + 4, ly - 9);
      }
    }

    // neurons: value boxes
    for (let l = 0; l < pos.length; l++) {
      for (let j = 0; j < pos[l].length; j++) {
        const { x, y } = pos[l][j];
        const focus = l === L && j === s.focus && (info.kind === 'z' || info.kind === 'act');
        const predicted = l === 2 && info.kind === 'done' && j === s.output.predicted;
        p.stroke(focus || predicted ? 0 : 110);
        p.strokeWeight(focus || predicted ? 3.5 : 1.5);
        p.fill(255);
        if (anim && anim.kind === 'act' && l === L) {
          const t = Math.min(1, (now - anim.start) / anim.dur);
          p.fill(255, 255 - 80 * (1 - t), 255 - 160 * (1 - t));
        }
        p.rect(x - NODE_W / 2, y - NODE_H / 2, NODE_W, NODE_H, 8);
        p.noStroke();
        p.fill(20);
        p.textSize(16);
        if (l === 0) {
          p.textStyle(p.BOLD);
          textIn(p, `x${ms.sub(j + 1)} = ${fmt(s.A[0][j], 2)}`, x, y - 9, { x: x - NODE_W / 2, w: NODE_W });
          continue;
        }
        const zKnown = s.step >= 2 * l - 1;
        const aKnown = s.step >= 2 * l;
        p.textStyle(zKnown && !aKnown ? p.BOLD : p.NORMAL);
        p.fill(zKnown && !aKnown ? 0 : 70);
        p.text(`z${ms.sub(j + 1)} ${zKnown ? fmt(s.Z[l - 1][j], 2) : '?'}`, x - NODE_W / 2 + 6, y - NODE_H / 2 + 3);
        p.textStyle(aKnown ? p.BOLD : p.NORMAL);
        p.fill(aKnown ? 0 : 110);
        p.text(`a${ms.sub(j + 1)} ${aKnown ? fmt(s.A[l][j], 2) : '?'}`, x - NODE_W / 2 + 6, y + 2);
      }
    }
    p.pop();
  }

  const LEGEND = [
    'Orange solid edge: positive contribution w·a; blue dashed: negative; thicker = larger.',
    'Click a neuron of the highlighted layer (or press ↑/↓) to follow its sum.',
  ];
  /** The legend under the network (wide screens; narrow ones show it in the text panel). */
  function drawLegend(p, box) {
    const lines = LEGEND.map((text, i) => ({ text, color: [50, 50, 50], gap: i ? 4 : 0 }));
    ms.textPanel(p, lines, { x: box.x + 4, y: box.y, w: box.w - 8, h: box.h, lead: 21 / 16 });
  }

  // ------------------------------------------------------------------ the text panel (DOM)
  let panel = null;
  let panelKey = null;
  let panelLayout = '';

  const el = ms.el; // el(tag, {class, text, ...attributes}, ...kids): static/sketch-kit.js

  /** A matrix as a bracketed grid; `hlRow` highlights one row. Values are formatted here. */
  function matrix(rows, caption, hlRow, digits = 3) {
    const cell = (v, r) => el('span', { class: r === hlRow ? 'fp-hl' : '', text: fmt(v, digits) });
    const mx = el('span', { class: 'fp-mx' }, ...rows.flatMap((row, r) => row.map((v) => cell(v, r))));
    mx.style.gridTemplateColumns = `repeat(${rows[0].length}, auto)`;
    return el('span', { class: 'fp-blk' }, mx, caption && el('span', { class: 'fp-cap', text: caption }));
  }
  const column = (v) => v.map((x) => [x]);

  /** One row of tokens (spans) with spaces between them, where a long row may wrap. */
  function tokenRow(tokens, hl) {
    const spans = tokens.flatMap((t, i) => [i ? ' ' : null, el('span', { text: t })]);
    return el('div', { class: hl ? 'fp-row fp-hl' : 'fp-row' }, ...spans);
  }
  /** The rows of tokens of a step, the focused neuron's highlighted. */
  const tokenRows = (rows, focus) =>
    el('div', { class: 'fp-rows' }, ...rows.map((tokens, j) => tokenRow(tokens, j === focus)));

  /** A row of text pieces (spans) and matrices. */
  const span = (t) => (typeof t === 'string' ? el('span', { text: t }) : t);
  const equation = (parts) => el('div', { class: 'fp-eq' }, ...parts.map(span));

  function buildPanel(s) {
    const info = stepInfo(s);
    const L = info.layer;
    const showMM = s.params.show_matmul;
    const frag = document.createDocumentFragment();
    frag.appendChild(el('h2', { text: `Step ${s.step} of ${LAST_STEP} · ${info.title}` }));
    frag.appendChild(el('p', { class: 'fp-dims', text: `Dimensions: ${info.dims}` }));

    if (info.kind === 'input') {
      frag.appendChild(equation(['a[0] = x =', matrix(column(s.A[0]), '2×1')]));
    } else if (info.kind === 'z') {
      const i = L - 1;
      const sh = s.shapes[i];
      if (showMM) {
        frag.appendChild(equation([
          `z[${L}] =`, matrix(s.W[i], `W[${L}] ${sh.W.join('×')}`, s.focus, 2), '·',
          matrix(column(s.A[i]), `a[${i}] ${sh.a.join('×')}`), '+',
          matrix(s.b[i], `b[${L}] ${sh.b.join('×')}`, s.focus, 2), '=',
          matrix(column(s.Z[i]), `z[${L}] ${sh.z.join('×')}`, s.focus),
        ]));
        frag.appendChild(tokenRows(s.rows[i].map((r) => r.tokens), s.focus));
      } else {
        frag.appendChild(equation([`z[${L}] =`, matrix(column(s.Z[i]), `${sh.z.join('×')}`, s.focus)]));
        const hint = `${s.rows[i][s.focus].symbolic}. Tick “Show Matrix Multiplication” to see every product.`;
        frag.appendChild(el('p', { class: 'fp-hint', text: hint }));
      }
    } else if (info.kind === 'act') {
      const i = L - 1;
      frag.appendChild(equation([
        `z[${L}] =`, matrix(column(s.Z[i]), `${s.sizes[L]}×1`, s.focus), '→',
        `a[${L}] =`, matrix(column(s.A[L]), `${s.sizes[L]}×1`, s.focus),
      ]));
      frag.appendChild(tokenRows(s.act_rows[i].map((r) => r.tokens), s.focus));
    } else {
      const k = s.output.predicted;
      frag.appendChild(equation(['ŷ = a[2] =', matrix(column(s.output.probs), 'probabilities', k)]));
      const rows = s.output.probs.map((v, j) => [`class ${j + 1}: ${fmt(v, 3, 3)}`, j === k ? '← predicted' : '']);
      frag.appendChild(tokenRows([...rows, [`sum = ${fmt(s.output.sum, 3, 3)}`]], k));
    }
    frag.appendChild(el('p', { class: 'fp-msg', text: s.message }));
    frag.appendChild(el('p', { text: info.explain }));

    if (!layout || !layout.legend) frag.appendChild(el('p', { class: 'fp-hint', text: LEGEND.join(' ') }));

    if (s.params.show_weights) {
      const bias = s.params.bias_init === 'zero' ? 'zero (as in the chapter)' : 'small random';
      const caption = `Weights (seed ${s.params.seed}, draw ${s.draws}, He init.; biases ${bias}):`;
      const box = el('div', { class: 'fp-weights' }, el('p', { text: caption }));
      for (let i = 0; i < s.W.length; i++) {
        const l = i + 1;
        const hl = (L === l && info.kind === 'z') ? s.focus : -1;
        box.appendChild(equation([
          `W[${l}] =`, matrix(s.W[i], `${s.W[i].length}×${s.W[i][0].length}`, hl, 2),
          `b[${l}] =`, matrix(s.b[i], `${s.b[i].length}×1`, hl, 2),
        ]));
      }
      frag.appendChild(box);
    }
    return frag;
  }

  function renderPanel(s, box) {
    if (!panel) return;
    Object.assign(panel.style, {
      left: `${box.x}px`, top: `${box.y}px`, width: `${box.w}px`, height: `${box.h}px`,
    });
    const key = `${Boolean(layout && layout.legend)}`;
    if (panelKey === s && panelLayout === key) return updateMore(); // nothing new to show
    panelKey = s;
    panelLayout = key;
    const scroll = panel.scrollTop;
    panel.replaceChildren(buildPanel(s), more);
    panel.scrollTop = scroll;
    updateMore();
  }
  // "more below" cue: scrollbars are hidden on many touch screens
  const more = el('div', { class: 'fp-more', text: '▼ scroll for more', 'aria-hidden': 'true' });
  function updateMore() {
    if (panel) more.hidden = panel.scrollTop + panel.clientHeight >= panel.scrollHeight - 4;
  }

  // ------------------------------------------------------------------ animation of each step
  let anim = null; // {kind: 'z'|'act', start, dur}
  let lastStep = null;
  let lastNotice = '';
  let p5i = null;

  function startStepAnimation(s) {
    const kind = stepInfo(s).kind;
    if (kind !== 'z' && kind !== 'act') return;
    const perStep = 60000 / ms.controls.speed.value;
    anim = { kind, start: performance.now(), dur: Math.max(250, Math.min(900, 0.6 * perStep)) };
    if (p5i && ms.visible) p5i.loop();
  }

  const auto = ms.playButton('auto', {
    play: 'Auto Run',
    pause: 'Pause Auto Run',
    step: async () => {
      if (ms.state.step >= LAST_STEP) return false;
      const s = await ms.act('next_step');
      return Boolean(s) && s.step < LAST_STEP;
    },
    interval: () => 60000 / ms.controls.speed.value,
    before: async () => {
      if (ms.state.step >= LAST_STEP) await ms.act('reset');
    },
    stopOn: ['next', 'reset'],
  });

  ms.onControl(async (name) => {
    if (name === 'next') await ms.act('next_step');
    else if (name === 'reset') await ms.act('reset');
    else if (name === 'new_weights') await ms.act('new_weights');
    // the settings go to the engine through the runtime
  });

  ms.onState((s) => {
    if (s.notice && s.notice !== lastNotice) ms.note(s.notice);
    lastNotice = s.notice;
    if (lastStep !== null && s.step !== lastStep) startStepAnimation(s);
    lastStep = s.step;
  });
  ms.onVisible((now) => { if (!now && p5i) p5i.noLoop(); else if (now && anim && p5i) p5i.loop(); });

  function moveFocus(delta) {
    const s = ms.state;
    const kind = stepInfo(s).kind;
    if (kind !== 'z' && kind !== 'act') return;
    const n = s.sizes[stepInfo(s).layer];
    ms.act('set_focus', { neuron: (s.focus + delta + n) % n });
  }

  let layout = null;
  let positions = null;
  /** Test hook: where the neurons are drawn (canvas pixels), positions[layer][neuron]. */
  window.__fpPositions = () => positions;
  p5i = ms.sketch({
    setup(p) {
      panel = el('div', {
        class: 'fp-panel', tabindex: 0, role: 'region', 'aria-label': 'Step details: the equations of the current step',
      });
      ms.region.appendChild(panel);
      panel.addEventListener('scroll', updateMore);
      ms.region.tabIndex = 0;
      ms.region.setAttribute('aria-label', `${ms.config.describe} Arrow keys up/down choose the highlighted neuron; N goes to the next step.`);
      ms.region.addEventListener('keydown', (e) => {
        if (e.target !== ms.region) return;
        if (e.key === 'ArrowUp') moveFocus(-1);
        else if (e.key === 'ArrowDown') moveFocus(1);
        else if (e.key === 'n' || e.key === 'N') { auto.stop(); ms.act('next_step'); }
        else return;
        e.preventDefault();
      });
      lastStep = ms.state.step;
    },
    draw(p) {
      const s = ms.state;
      const now = performance.now();
      if (anim && now - anim.start >= anim.dur) { // the step's animation is over
        anim = null;
        p.noLoop();
      }
      p.background(240, 248, 255);
      layout = computeLayout(p);
      positions = nodePositions(s, layout.net);
      drawNetwork(p, s, layout.net, positions, now);
      if (layout.legend) drawLegend(p, layout.legend);
      renderPanel(s, layout.panel);
    },
  });

  p5i.mousePressed = () => {
    if (!positions) return;
    const s = ms.state;
    const info = stepInfo(s);
    if (info.kind !== 'z' && info.kind !== 'act') return;
    positions[info.layer].forEach((n, j) => {
      if (Math.abs(p5i.mouseX - n.x) <= NODE_W / 2 && Math.abs(p5i.mouseY - n.y) <= NODE_H / 2) {
        ms.act('set_focus', { neuron: j });
      }
    });
  };
})();
