// Backpropagation Step-by-Step: draws the state of sims/backprop.py. No math here beyond
// layout and number formatting; every value shown is in window.microsim.state, computed by
// engine.dense / engine.losses / engine.activations in Python.
(function () {
  'use strict';
  const ms = window.microsim;

  // ------------------------------------------------------------------ style
  const C = ms.palette; // static/microsim.css
  const INK = C.ink;
  const GREY = C.grey;
  const FWD = C.blueDark; // forward values: blue
  const GRAD = C.orangeDark; // gradients / δ: dark orange (always labelled δ or d…)
  const HL = C.yellow; // highlight
  const POS = C.blue;
  const NEG = C.purple; // negative weights: purple, dashed
  const T = 16; // smallest text size
  const LH = 21; // line height for 16 px text

  const STEP_TITLES = {
    1: 'output error signal δ[2]',
    2: 'weight gradient of layer 2',
    3: 'δ flows back through W[2]ᵀ',
    4: 'weight gradient of layer 1',
  };

  /** A number for display: 3 decimals, 3 significant digits when small (static/sketch-kit.js). */
  const fmt = (v) => (Math.abs(v) >= 0.1 ? ms.fmt(v, 3, 3) : ms.sig(v, 3));
  const paren = (v) => (v < 0 ? `(${fmt(v)})` : fmt(v));
  const shapeStr = (sh) => `(${sh[0]}, ${sh[1]})`;
  const dims = (M) => `${M.length}×${M[0].length}`;
  const sub = ms.sub;

  // ------------------------------------------------------------------ text helpers
  const wrap = ms.wrapText; // word-wrap for p5 text (static/microsim.js)

  /** Draw (or measure, when draw is false) wrapped text; returns the height used. */
  function para(p, text, x, y, w, opts, draw) {
    const o = opts || {};
    const size = o.size || T;
    p.textSize(size);
    p.textStyle(o.bold ? p.BOLD : p.NORMAL);
    const lines = wrap(p, text, w);
    const lh = Math.round(size * 1.3);
    if (draw) {
      p.noStroke();
      p.fill(...(o.color || INK));
      p.textAlign(p.LEFT, p.TOP);
      lines.forEach((line, k) => p.text(line, x, y + k * lh));
    }
    p.textStyle(p.NORMAL);
    return lines.length * lh;
  }

  // ------------------------------------------------------------------ matrices in a flow
  // A flow is a list of items laid out left to right, wrapping into rows:
  //   {text, color?}  or  {mat: 2-D array, name, color?, hl?: [r, c]}
  let compact = false; // narrow screens: a matrix's shape goes beside its name, not under it
  const matLabel = (it) => (compact ? `${it.name || ''} ${dims(it.mat)}` : it.name || '');
  function itemSize(p, it) {
    p.textSize(T);
    if (it.text !== undefined) return { w: p.textWidth(it.text) + 6, h: LH, body: LH };
    const cellW = Math.max(...it.mat.flat().map((v) => p.textWidth(fmt(v)))) + 12;
    const bodyW = cellW * it.mat[0].length + 10;
    const bodyH = LH * it.mat.length + 4;
    const w = Math.max(bodyW, p.textWidth(matLabel(it)), p.textWidth(dims(it.mat))) + 8;
    return { w, h: bodyH + (compact ? 1 : 2) * LH, body: bodyH, cellW, bodyW };
  }

  function drawMatrix(p, it, sz, x, cy) {
    const top = cy - sz.body / 2;
    const left = x + (sz.w - sz.bodyW) / 2;
    const rows = it.mat.length;
    const cols = it.mat[0].length;
    if (it.hl) {
      p.noStroke();
      p.fill(...HL, 170);
      p.rect(left + 5 + it.hl[1] * sz.cellW, top + 2 + it.hl[0] * LH, sz.cellW, LH, 3);
    }
    p.stroke(...INK);
    p.strokeWeight(1.5);
    p.noFill();
    const br = (bx, dir) => {
      p.line(bx, top, bx, top + sz.body);
      p.line(bx, top, bx + 5 * dir, top);
      p.line(bx, top + sz.body, bx + 5 * dir, top + sz.body);
    };
    br(left + 1, 1);
    br(left + sz.bodyW - 1, -1);
    p.noStroke();
    p.textSize(T);
    p.textAlign(p.CENTER, p.CENTER);
    p.fill(...(it.color || INK));
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        p.text(fmt(it.mat[r][c]), left + 5 + (c + 0.5) * sz.cellW, top + 2 + (r + 0.5) * LH);
      }
    }
    p.fill(...INK);
    p.textAlign(p.CENTER, p.BOTTOM);
    p.text(matLabel(it), x + sz.w / 2, top - 1);
    if (!compact) {
      p.fill(...GREY);
      p.textAlign(p.CENTER, p.TOP);
      p.text(dims(it.mat), x + sz.w / 2, top + sz.body + 1);
    }
  }

  /** Lay out a flow in width w; draw it when draw is true. Returns the height used. */
  function flow(p, items, x, y, w, draw) {
    const rows = [[]];
    let rowW = 0;
    for (const it of items) {
      const sz = itemSize(p, it);
      if (rowW + sz.w > w && rows[rows.length - 1].length) {
        rows.push([]);
        rowW = 0;
      }
      rows[rows.length - 1].push({ it, sz });
      rowW += sz.w;
    }
    let cy = y;
    for (const row of rows) {
      const h = Math.max(...row.map((e) => e.sz.h));
      if (draw) {
        let cx = x;
        for (const { it, sz } of row) {
          if (it.text !== undefined) {
            p.noStroke();
            p.fill(...(it.color || INK));
            p.textSize(T);
            p.textStyle(it.bold ? p.BOLD : p.NORMAL);
            p.textAlign(p.LEFT, p.CENTER);
            p.text(it.text, cx + 3, cy + h / 2);
            p.textStyle(p.NORMAL);
          } else drawMatrix(p, it, sz, cx, cy + h / 2 + (compact ? LH / 2 : 0));
          cx += sz.w;
        }
      }
      cy += h + 4;
    }
    return cy - y;
  }

  // ------------------------------------------------------------------ panels
  // Each panel is (p, s, box, draw) -> height used; box = {x, y, w}.
  function chainWeight(s) {
    const [name, i, j] = String(s.params.weight).split('_');
    return { layer: Number(name.slice(1)), i: Number(i), j: Number(j) };
  }

  function panelNetwork(p, s, box, draw) {
    const h = box.h;
    if (!draw) return h;
    const f = s.forward;
    const bw = s.backward || {};
    const step = s.step;
    const x0 = box.x;
    const w = box.w;
    // header: the example, the output and the loss
    let y = box.y;
    y += para(p, `x = (${fmt(s.x[0])}, ${fmt(s.x[1])})   target y = ${fmt(s.y)}`, x0, y, w, { bold: true }, true);
    const head = f ? `ŷ = ${fmt(f.y_hat)}   ŷ − y = ${fmt(f.error)}   L = ${f.loss.toFixed(4)}` : 'no forward pass yet';
    y += para(p, head, x0, y, w, { bold: true, color: f ? INK : GREY }, true) + 2;
    // column labels
    // node width: wide enough for its longest value ("δ −0.00350"), at most w / 3.6
    p.textSize(T);
    const texts = [...(f ? f.a1.map((r) => `a ${fmt(r[0])}`) : []), ...(bw.delta1 || []).map((r) => `δ ${fmt(r[0])}`),
      ...(bw.delta2 ? [`δ ${fmt(bw.delta2[0][0])}`] : []), f ? `ŷ ${fmt(f.y_hat)}` : '', `x₁ ${fmt(s.x[0])}`, `x₂ ${fmt(s.x[1])}`];
    const nodeW = Math.min(w / 3.6, Math.max(78, ...texts.map((t) => p.textWidth(t) + 14)));
    const colX = [x0 + nodeW / 2 + 2, x0 + w / 2, x0 + w - nodeW / 2 - 2];
    p.noStroke();
    p.fill(...GREY);
    p.textSize(T);
    p.textAlign(p.CENTER, p.TOP);
    const labels = w > 420 ? ['input a[0] = x', 'hidden a[1] (σ)', 'output a[2] = ŷ (σ)'] : ['a[0] = x', 'a[1] σ', 'ŷ = a[2] σ'];
    p.textAlign(p.LEFT, p.TOP);
    p.text(labels[0], x0, y);
    p.textAlign(p.CENTER, p.TOP);
    p.text(labels[1], colX[1], y);
    p.textAlign(p.RIGHT, p.TOP);
    p.text(labels[2], x0 + w, y);
    y += LH + 2;
    const area = { y, h: box.y + h - y };
    const nodeH = Math.min(48, area.h / 3 - 6);
    const ys = (n) => Array.from({ length: n }, (_, k) => area.y + (area.h * (k + 0.5)) / n);
    const nodes = [ys(2), ys(3), ys(1)];

    // current layer highlighted (the one the latest backward step worked on)
    const bandX = { 1: [colX[2] - nodeW / 2 - 6, colX[2] + nodeW / 2 + 6], 2: [colX[1] + nodeW / 2, colX[2] - nodeW / 2],
      3: [colX[1] - nodeW / 2 - 6, colX[1] + nodeW / 2 + 6], 4: [colX[0] + nodeW / 2, colX[1] - nodeW / 2] }[step];
    if (bandX) {
      p.noStroke();
      p.fill(...HL, 80);
      p.rect(bandX[0], area.y - 2, bandX[1] - bandX[0], area.h + 2, 6);
    }

    // edges: width by |w|, blue solid for w > 0, orange dashed for w < 0
    const cw = s.params.chain ? chainWeight(s) : null;
    const ctx = p.drawingContext;
    const edge = (l, i, j) => {
      const a = [colX[l - 1] + nodeW / 2, nodes[l - 1][j]];
      const b = [colX[l] - nodeW / 2, nodes[l][i]];
      return [a, b];
    };
    for (let l = 1; l <= 2; l++) {
      const Wl = s.W[l - 1];
      for (let i = 0; i < Wl.length; i++) {
        for (let j = 0; j < Wl[0].length; j++) {
          const [a, b] = edge(l, i, j);
          const v = Wl[i][j];
          const on = cw && cw.layer === l && cw.i === i && cw.j === j;
          if (on) {
            p.stroke(...HL);
            p.strokeWeight(11);
            p.line(a[0], a[1], b[0], b[1]);
          }
          ctx.setLineDash(v < 0 ? [7, 5] : []);
          p.stroke(...(v < 0 ? NEG : POS), 200);
          p.strokeWeight(1 + Math.min(4, 2 * Math.abs(v)));
          p.line(a[0], a[1], b[0], b[1]);
          ctx.setLineDash([]);
          // gradient flowing back along the edge once that layer's gradient exists
          const flowing = (l === 2 && step >= 2) || (l === 1 && step >= 4);
          if (flowing) {
            const t = 0.45;
            const mx = a[0] + (b[0] - a[0]) * t;
            const my = a[1] + (b[1] - a[1]) * t;
            const ang = Math.atan2(a[1] - b[1], a[0] - b[0]);
            p.noStroke();
            p.fill(...GRAD);
            p.triangle(mx + 11 * Math.cos(ang), my + 11 * Math.sin(ang),
              mx + 9 * Math.cos(ang + 2.5), my + 9 * Math.sin(ang + 2.5),
              mx + 9 * Math.cos(ang - 2.5), my + 9 * Math.sin(ang - 2.5));
          }
        }
      }
    }
    // nodes: value inside (a), δ under it once computed
    const drawNode = (cx, cy, top, bottom, hl) => {
      p.stroke(...(hl ? [120, 90, 0] : [110, 110, 110]));
      p.strokeWeight(hl ? 3 : 1.5);
      p.fill(255);
      const hh = bottom ? nodeH : Math.min(nodeH, 30);
      p.rect(cx - nodeW / 2, cy - hh / 2, nodeW, hh, 8);
      p.noStroke();
      p.textSize(T);
      p.textAlign(p.CENTER, p.CENTER);
      p.fill(...FWD);
      p.text(top, cx, bottom && bottom.trim() ? cy - hh / 4 : cy);
      if (bottom) {
        p.fill(...GRAD);
        p.text(bottom, cx, cy + hh / 4);
      }
    };
    nodes[0].forEach((cy, j) => drawNode(colX[0], cy, `x${sub(j + 1)} ${fmt(s.x[j])}`, null, false));
    nodes[1].forEach((cy, i) => {
      const a = f ? `a ${fmt(f.a1[i][0])}` : `h${i + 1}`;
      const d = bw.delta1 ? `δ ${fmt(bw.delta1[i][0])}` : (f ? 'δ ?' : ' ');
      drawNode(colX[1], cy, a, d, step === 3);
    });
    {
      const a = f ? `ŷ ${fmt(f.y_hat)}` : 'ŷ';
      const d = bw.delta2 ? `δ ${fmt(bw.delta2[0][0])}` : (f ? 'δ ?' : ' ');
      drawNode(colX[2], nodes[2][0], a, d, step === 1);
    }
    // the highlighted weight's value on its edge, when there is room for the label
    if (cw) {
      const [a, b] = edge(cw.layer, cw.i, cw.j);
      const label = `W[${cw.layer}]${sub(cw.i + 1, cw.j + 1)} = ${fmt(s.W[cw.layer - 1][cw.i][cw.j])}`;
      p.textSize(T);
      const lw = p.textWidth(label) + 8;
      const gap = b[0] - a[0];
      if (lw < gap - 4) {
        const mx = (a[0] + b[0]) / 2;
        const my = (a[1] + b[1]) / 2 - 14;
        p.fill(255, 250, 220);
        p.stroke(...HL);
        p.strokeWeight(1.5);
        p.rect(mx - lw / 2, my - 11, lw, 22, 4);
        p.noStroke();
        p.fill(...INK);
        p.textAlign(p.CENTER, p.CENTER);
        p.text(label, mx, my);
      }
    }
    return h;
  }

  function shapeCheck(c) {
    return `shape of d${c.name} = ${shapeStr(c.grad_shape)} = shape of ${c.name} ${shapeStr(c.param_shape)} ${c.ok ? '✓' : '✗ MISMATCH'}`;
  }

  function stepBody(s, k, narrow) {
    // returns a list of blocks: {para, opts} or {flow: items}
    const f = s.forward;
    const b = s.backward;
    const out = [];
    const P = (text, opts) => out.push({ para: text, opts });
    const F = (items) => out.push({ flow: items });
    const cw = chainWeight(s);
    if (k === 0 && !f) {
      P('Press Forward Pass (key F). The backward controls stay disabled until the forward pass has computed the z and a values that backpropagation reuses.');
      F([{ mat: s.W[0], name: 'W[1]' }, { mat: s.b[0], name: 'b[1]' }, { mat: s.W[1], name: 'W[2]' }, { mat: s.b[1], name: 'b[2]' }]);
      return out;
    }
    if (k === 0) {
      F([{ text: 'z[1] =' }, { mat: s.W[0], name: 'W[1]' }, { mat: s.x.map((v) => [v]), name: 'x' }, { text: '+' },
        { mat: s.b[0], name: 'b[1]' }, { text: '=' }, { mat: f.z1, name: 'z[1]', color: FWD }]);
      F([{ text: 'a[1] = σ(z[1]) =' }, { mat: f.a1, name: 'a[1]', color: FWD }, { text: `z[2] = W[2]a[1] + b[2] = ${fmt(f.z2[0][0])}` }]);
      P(`ŷ = a[2] = σ(z[2]) = ${fmt(f.y_hat)};  output error ŷ − y = ${fmt(f.y_hat)} − ${fmt(s.y)} = ${fmt(f.error)}`, { color: FWD });
      P(`${f.loss_label} = ${f.loss.toFixed(5)}`);
      return out;
    }
    if (k === 1) {
      if (b.simplified) {
        P(`∂L/∂a[2] = (ŷ − y) / (ŷ(1 − ŷ)) = ${fmt(b.dL_da2[0][0])}`);
        P(`σ'(z[2]) = ŷ(1 − ŷ) = ${fmt(b.sp2[0][0])}`);
        P(`δ[2] = ∂L/∂a[2] · σ'(z[2]) = ${paren(b.dL_da2[0][0])} · ${fmt(b.sp2[0][0])} = ${fmt(b.delta2_chain[0][0])}`, { color: GRAD });
        P(`Simplified: ŷ(1 − ŷ) cancels, so δ[2] = ŷ − y = ${fmt(f.y_hat)} − ${fmt(s.y)} = ${fmt(b.delta2[0][0])} (what the engine computes)`, { color: GRAD, bold: true });
      } else {
        P(`∂L/∂a[2] = 2(ŷ − y) = 2(${fmt(f.y_hat)} − ${fmt(s.y)}) = ${fmt(b.dL_da2[0][0])}`);
        P(`σ'(z[2]) = ŷ(1 − ŷ) = ${fmt(b.sp2[0][0])}`);
        P(`δ[2] = ∂L/∂a[2] ⊙ σ'(z[2]) = ${paren(b.dL_da2[0][0])} · ${fmt(b.sp2[0][0])} = ${fmt(b.delta2[0][0])}`, { color: GRAD, bold: true });
      }
      return out;
    }
    if (k === 2) {
      F([{ text: 'transpose:' }, { mat: b.a1, name: 'a[1]', color: FWD }, { text: 'ᵀ →' }, { mat: b.a1T, name: 'a[1]ᵀ', color: FWD }]);
      F([{ text: 'dW[2] =' }, { mat: b.delta2, name: 'δ[2]', color: GRAD }, { text: '·' }, { mat: b.a1T, name: 'a[1]ᵀ', color: FWD },
        { text: '=' }, { mat: b.dW2, name: 'dW[2]', color: GRAD, hl: cw.layer === 2 && s.params.chain ? [cw.i, cw.j] : null }]);
      P(`db[2] = δ[2] = ${fmt(b.db2[0][0])}`, { color: GRAD });
      P(shapeCheck(b.check2), { bold: true });
      return out;
    }
    if (k === 3) {
      F([{ text: 'transpose:' }, { mat: s.W[1], name: 'W[2]' }, { text: 'ᵀ →' }, { mat: b.W2T, name: 'W[2]ᵀ' }]);
      F([compact ? { text: 'W[2]ᵀ ·' } : { mat: b.W2T, name: 'W[2]ᵀ' }, ...(compact ? [] : [{ text: '·' }]), { mat: b.delta2, name: 'δ[2]', color: GRAD }, { text: '=' },
        { mat: b.W2T_delta2, name: 'W[2]ᵀδ[2]', color: GRAD }, { text: '⊙' }, { mat: b.sp1, name: "σ'(z[1])" }, { text: '=' },
        { mat: b.delta1, name: 'δ[1]', color: GRAD }]);
      if (!compact) P("σ'(z[1]) = a[1](1 − a[1]) for the sigmoid; ⊙ multiplies entry by entry.", { color: GREY });
      return out;
    }
    F([{ text: 'transpose:' }, { mat: b.a0, name: 'a[0] = x', color: FWD }, { text: 'ᵀ →' }, { mat: b.a0T, name: 'a[0]ᵀ', color: FWD }]);
    F([{ text: 'dW[1] =' }, { mat: b.delta1, name: 'δ[1]', color: GRAD }, { text: '·' }, { mat: b.a0T, name: 'a[0]ᵀ', color: FWD },
      { text: '=' }, { mat: b.dW1, name: 'dW[1]', color: GRAD, hl: cw.layer === 1 && s.params.chain ? [cw.i, cw.j] : null }]);
    P(`db[1] = δ[1] = (${b.db1.map((r) => fmt(r[0])).join(', ')})ᵀ`, { color: GRAD });
    P(shapeCheck(b.check1), { bold: true });
    return out;
  }

  function panelStep(p, s, box, draw) {
    let y = box.y;
    const k = s.step;
    const title = k ? `Step ${k} of ${ms.constants.backward_steps}: ${STEP_TITLES[k]}` : (s.forward ? 'Forward pass: values and output error' : 'Start: run the forward pass');
    y += para(p, title, box.x, y, box.w, { size: 18, bold: true }, draw) + 2;
    // one-line summaries of the steps already done
    const b = s.backward;
    const done = [];
    if (k >= 2) done.push(`✓ 1: δ[2] = ${fmt(b.delta2[0][0])}`);
    if (k >= 3) done.push(`✓ 2: dW[2] ${dims(b.dW2)} ✓ shape`);
    if (k >= 4) done.push(`✓ 3: δ[1] = (${b.delta1.map((r) => fmt(r[0])).join(', ')})ᵀ`);
    if (done.length && !compact) y += para(p, done.join('    '), box.x, y, box.w, { color: GREY }, draw) + 2;
    for (const block of stepBody(s, k)) {
      if (block.flow) y += flow(p, block.flow, box.x, y, box.w, draw);
      else y += para(p, block.para, box.x, y, box.w, block.opts, draw) + 2;
    }
    return y - box.y;
  }

  function panelChain(p, s, box, draw) {
    let y = box.y;
    const c = s.chain;
    const cw = chainWeight(s);
    const name = `W[${cw.layer}]${sub(cw.i + 1, cw.j + 1)}`;
    if (!c) {
      y += para(p, `Chain rule for ${name}`, box.x, y, box.w, { size: 18, bold: true }, draw);
      y += para(p, 'Run the Forward Pass to see the chain of factors with their numbers.', box.x, y, box.w, { color: GREY }, draw);
      return y - box.y;
    }
    y += para(p, `Chain rule for ${c.weight} (now ${fmt(c.value)})`, box.x, y, box.w, { size: 18, bold: true }, draw) + 2;
    y += para(p, `∂L/∂${c.weight} = ${c.factors.map((f) => f.symbol).join(' · ')}`, box.x, y, box.w, {}, draw) + 2;
    // one row per factor: symbol, what it is, value
    p.textSize(T);
    const col2 = box.x + Math.min(box.w * 0.45, Math.max(...c.factors.map((f) => p.textWidth(f.symbol))) + 14);
    for (const f of c.factors) {
      if (draw) {
        p.noStroke();
        p.textAlign(p.LEFT, p.TOP);
        p.fill(...INK);
        p.text(f.symbol, box.x + 4, y);
        p.fill(...GREY);
        p.text(`= ${f.meaning} = `, col2, y);
        p.fill(...INK);
        p.text(fmt(f.value), col2 + p.textWidth(`= ${f.meaning} = `), y);
      }
      y += LH;
    }
    y += 2;
    const prod = `product = ${c.factors.map((f) => paren(f.value)).join(' · ')} = ${fmt(c.product)}`;
    y += para(p, prod, box.x, y, box.w, { color: GRAD, bold: true }, draw) + 2;
    const cmp = c.engine === null
      ? `Step backward to dW[${c.layer}] to compare with the engine's gradient.`
      : `engine's d${c.weight} = ${fmt(c.engine)}  ${Math.abs(c.engine - c.product) <= 1e-12 + 1e-9 * Math.abs(c.engine) ? '✓ same' : '≠'}`;
    y += para(p, cmp, box.x, y, box.w, { color: c.engine === null ? GREY : INK }, draw);
    return y - box.y;
  }

  function panelLoss(p, s, box, draw) {
    let y = box.y;
    const hist = s.history;
    y += para(p, `Loss over updates (${s.updates} update${s.updates === 1 ? '' : 's'})`, box.x, y, box.w, { size: 18, bold: true }, draw) + 2;
    const plotH = compact ? 50 : 90;
    if (draw) {
      p.textSize(T);
      const maxV = hist.length ? Math.max(...hist) : 1;
      const lab = maxV.toFixed(3);
      const lw = p.textWidth(lab) + 6;
      const px = box.x + lw;
      const pw = box.w - lw - 4;
      p.fill(255);
      p.stroke(190);
      p.strokeWeight(1);
      p.rect(px, y, pw, plotH);
      p.noStroke();
      p.fill(...GREY);
      p.textAlign(p.RIGHT, p.TOP);
      p.text(lab, px - 3, y - 2);
      p.textAlign(p.RIGHT, p.BOTTOM);
      p.text('0', px - 3, y + plotH + 2);
      if (hist.length) {
        const n = Math.max(2, hist.length);
        const X = (k) => px + 6 + ((pw - 12) * k) / (n - 1);
        const Y = (v) => y + plotH - 4 - ((plotH - 10) * v) / (maxV || 1);
        p.stroke(...GRAD);
        p.strokeWeight(2);
        p.noFill();
        p.beginShape();
        hist.forEach((v, k) => p.vertex(X(k), Y(v)));
        p.endShape();
        p.noStroke();
        p.fill(...GRAD);
        hist.forEach((v, k) => p.circle(X(k), Y(v), hist.length > 40 ? 3 : 7));
      } else {
        p.textAlign(p.CENTER, p.CENTER);
        p.text('(forward pass, then updates)', px + pw / 2, y + plotH / 2);
      }
    }
    y += plotH + 6;
    const u = s.last_update;
    if (u) {
      const head = compact ? `Last update (η = ${u.lr}): L` : `Last update W ← W − η·dW, η = ${u.lr}: loss`;
      y += para(p, `${head} ${u.loss_before.toFixed(5)} → ${u.loss_after.toFixed(5)}`, box.x, y, box.w, { bold: true }, draw);
      const cw = chainWeight(s);
      const l = cw.layer - 1;
      const before = u.W_before[l][cw.i][cw.j];
      const g = u.dW[l][cw.i][cw.j];
      const after = u.W_after[l][cw.i][cw.j];
      if (!compact) y += para(p, `W[${cw.layer}]${sub(cw.i + 1, cw.j + 1)}: ${fmt(before)} − ${u.lr} · ${paren(g)} = ${fmt(after)}`, box.x, y, box.w, {}, draw);
    } else if (s.phase === 'done') {
      y += para(p, `Apply Update will step W ← W − η·dW with η = ${s.params.lr}.`, box.x, y, box.w, { color: GREY }, draw);
    }
    if (s.check) {
      const c = s.check;
      y += para(p, `Finite differences (ε = ${c.eps.toExponential(0).replace('-', '−')}) vs engine: largest |difference| = ${c.max_abs_diff.toExponential(1)} ${c.agree ? '✓ agree' : '✗ disagree'}`, box.x, y + 2, box.w, { color: c.agree ? INK : [150, 0, 0] }, draw) + 2;
    }
    return y - box.y;
  }

  // ------------------------------------------------------------------ layout
  const PAD = 10;
  function layoutAndDraw(p, s) {
    const W = p.width;
    const H = p.height;
    const skipped = [];
    compact = W < 760;
    const place = (col, name, fn, minRoom) => {
      const box = { x: col.x, y: col.y, w: col.w };
      const need = fn(p, s, box, false);
      if (col.y + need > col.bottom - (minRoom || 0)) return false;
      fn(p, s, box, true);
      col.y += need + 12;
      return true;
    };
    if (W >= 760) {
      const lw = Math.max(320, Math.min(470, W * 0.4));
      const left = { x: PAD, y: PAD, w: lw - PAD, bottom: H - PAD };
      const right = { x: lw + 2 * PAD, y: PAD, w: W - lw - 3 * PAD, bottom: H - PAD };
      const netH = Math.max(250, Math.min(340, H * 0.5));
      panelNetwork(p, s, { x: left.x, y: left.y, w: left.w, h: netH }, true);
      left.y += netH + 12;
      p.stroke(200);
      p.line(lw + PAD / 2, PAD, lw + PAD / 2, H - PAD);
      if (!place(right, 'step', panelStep)) skipped.push('the step details');
      if (s.params.chain && !place(right, 'chain', panelChain) && !place(left, 'chain', panelChain)) skipped.push('the chain rule');
      if (!place(left, 'loss', panelLoss) && !place(right, 'loss', panelLoss)) skipped.push('the loss plot');
    } else {
      const col = { x: PAD, y: PAD, w: W - 2 * PAD, bottom: H - PAD };
      const netH = 195;
      panelNetwork(p, s, { x: col.x, y: col.y, w: col.w, h: netH }, true);
      col.y += netH + 10;
      if (s.params.chain && !place(col, 'chain', panelChain)) skipped.push('the chain rule');
      // after an update the falling loss matters more than the forward values
      const lossFirst = s.step === 0 && s.history.length > 1;
      if (lossFirst && !place(col, 'loss', panelLoss)) skipped.push('the loss plot');
      if (!place(col, 'step', panelStep)) skipped.push('the step details');
      if (!lossFirst && !place(col, 'loss', panelLoss)) skipped.push('the loss plot');
    }
    if (skipped.length) {
      p.noStroke();
      p.fill(...GREY);
      p.textSize(T);
      p.textAlign(p.LEFT, p.BOTTOM);
      p.text(`Widen to see: ${skipped.join(', ')}`, PAD, H - 4);
    }
  }

  // ------------------------------------------------------------------ controls
  const auto = ms.playButton('auto', {
    play: 'Auto Backprop',
    pause: 'Pause Auto',
    step: async () => {
      const next = await ms.act('backward_step');
      return Boolean(next) && next.step < ms.constants.backward_steps;
    },
    interval: () => 1000 / ms.controls.speed.value,
    stopOn: ['forward', 'backward', 'update', 'reset', 'target', 'loss', 'seed'],
    onChange: () => syncButtons(ms.state),
  });

  /** Backward controls need a forward pass; the update and the check need all four steps. */
  function syncButtons(s) {
    const noForward = s.phase === 'ready';
    ms.controls.backward.el.disabled = noForward || s.step >= ms.constants.backward_steps;
    ms.controls.auto.el.disabled = !auto.running && (noForward || s.step >= ms.constants.backward_steps);
    ms.controls.update.el.disabled = s.phase !== 'done';
    ms.controls.check.el.disabled = s.phase !== 'done';
  }

  ms.onControl(async (name) => {
    if (name === 'forward') await ms.act('forward_pass');
    else if (name === 'backward') await ms.act('backward_step');
    else if (name === 'update') await ms.act('apply_update');
    else if (name === 'check') await ms.act('check_gradients');
    else if (name === 'reset') await ms.act('reset');
  });
  ms.onState(syncButtons);
  syncButtons(ms.state);

  ms.sketch({
    setup() {
      ms.region.tabIndex = 0;
      ms.region.setAttribute('aria-label', `${ms.config.describe} Keys: F forward pass, B backward step, U apply update, C chain rule.`);
      ms.region.addEventListener('keydown', (e) => {
        const keys = { f: 'forward', b: 'backward', u: 'update', c: 'chain' };
        const name = keys[e.key.toLowerCase()];
        if (!name) return;
        e.preventDefault();
        ms.controls[name].el.click();
      });
    },
    draw(p) {
      const s = ms.state;
      p.background(240, 248, 255);
      layoutAndDraw(p, s);
    },
  });
})();
