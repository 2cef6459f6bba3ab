/**
 * The sketch toolkit: what every sketch in static/sketches/ would otherwise write again.
 * Loaded after static/microsim.js and before the sim's sketch; it adds to window.microsim:
 *
 *  - `palette`: the colours, defined once as CSS custom properties in static/microsim.css
 *    (colour-blind-safe: blue/orange contrast, Okabe–Ito categories), as [r, g, b] for p5;
 *  - `fmt(v, digits, min)` and `sig(v, n)`: numbers for the screen, "−" as the minus sign;
 *    their Python twin is `sims._contract.fmt` (same rules: a test compares them);
 *  - `sub(...indices)`: indices as subscript digits, exactly as given (sub(1, 2) → "₁₂"):
 *    a sketch adds 1 itself when it shows 1-based indices; twin `sims._contract.sub`;
 *  - `playButton(name, options)`: a play/pause button bound to `microsim.animation`;
 *  - `textPanel(p, lines, box)`: styled, wrapped lines of text on a p5 canvas;
 *  - plots: `plotMap(box, xr, yr)`, `ticks(lo, hi, n)`, `polyline(p, m, xs, ys)`,
 *    `clipped(p, box, draw, {frame})`; canvas text: `fitText(p, text, w)`, `inkOn(colour)`;
 *  (`ms.el(tag, attrs, ...kids)`, a DOM element whose text is always text, is in microsim.js.)
 */

/**
 * A line of ms.textPanel: a string, or its text with a style.
 * @typedef {{text: string, size?: number, bold?: boolean, mono?: boolean, color?: number[],
 *   gap?: number, indent?: number, opt?: boolean, swatch?: string}} PanelLine
 */
(function () {
  'use strict';
  const ms = window.microsim;

  // ---------------------------------------------------------------- palette
  const NAMES = ['ink', 'grey', 'blue', 'orange', 'purple', 'highlight', 'error', 'blue-dark', 'orange-dark', 'yellow'];
  const key = (name) => name.replace(/-(\w)/g, (_, c) => c.toUpperCase()); // blue-dark → blueDark
  /** "#1a5fb4" or "rgb(26, 95, 180)" → [26, 95, 180]. */
  function rgb(text) {
    const t = text.trim();
    if (t.startsWith('#')) {
      const hex = t.length === 4 ? t.slice(1).split('').map((c) => c + c).join('') : t.slice(1);
      return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    }
    return (t.match(/\d+/g) || ['0', '0', '0']).slice(0, 3).map(Number);
  }
  const css = getComputedStyle(document.documentElement);
  const read = (name) => rgb(css.getPropertyValue(`--ms-${name}`) || '#000');
  /** @type {{[name: string]: number[]} & {categories: number[][]}} */
  const palette = Object.fromEntries(NAMES.map((n) => [key(n), read(n)]));
  palette.categories = [1, 2, 3, 4, 5, 6].map((i) => read(`cat-${i}`));
  /** A palette colour as CSS text, for DOM and SVG sims: palette.hex.blue → "#1a5fb4". */
  palette.hex = Object.fromEntries(
    [...NAMES.map((n) => [key(n), palette[key(n)]]), ...palette.categories.map((c, i) => [`cat${i + 1}`, c])]
      .map(([n, c]) => [n, `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`]),
  );

  // ---------------------------------------------------------------- numbers and subscripts
  const minus = (t) => t.replace(/-/g, '−');
  /**
   * A number with at most `digits` decimals, trailing zeros dropped down to `min` decimals,
   * "−" for minus and never "−0". fmt(2.5) → "2.5", fmt(2.5, 3, 2) → "2.50", fmt(-0.0001, 2) → "0".
   */
  function fmt(v, digits = 3, min = 0) {
    if (v === null || v === undefined || Number.isNaN(Number(v))) return '?';
    let t = Number(v).toFixed(digits);
    if (t.includes('.')) {
      const [whole, frac] = t.split('.');
      const kept = frac.replace(/0+$/, '').padEnd(min, '0');
      t = kept ? `${whole}.${kept}` : whole;
    }
    if (Number(t) === 0) t = t.replace('-', '');
    return minus(t);
  }
  /**
   * `n` significant digits; below 10⁻³ in scientific form ("1.23×10^−4"); a value that would
   * round to ±1 without being ±1 keeps 5 decimals (0.99995, not 1).
   */
  function sig(v, n = 3) {
    if (v === null || v === undefined || Number.isNaN(Number(v))) return '?';
    v = Number(v);
    if (v === 0) return '0';
    if (Math.abs(v) < 1e-3) return minus(v.toExponential(n - 1).replace('e', '×10^').replace('+', ''));
    const r = Number(v.toPrecision(n));
    if (Math.abs(r) === 1 && Math.abs(v) !== 1) return minus(v.toFixed(5));
    return minus(String(r));
  }
  const SUB = '₀₁₂₃₄₅₆₇₈₉';
  const sub = (...indices) => indices.join('').replace(/[0-9]/g, (d) => SUB[Number(d)]);

  // ---------------------------------------------------------------- play/pause
  /**
   * A button (control `name`) that starts and pauses an animation, with its label and
   * aria-pressed kept in step. Options: `play` and `pause` (the two labels), `step` and
   * `interval` (as microsim.animation), `before()` (awaited before a start; false cancels it),
   * `waitFirst` (the first step comes one interval after the start), `stopOn` (controls,
   * buttons or settings, whose use pauses it first) and `onChange(on)`.
   * Returns {start, stop, toggle, running}.
   */
  function playButton(name, { play, pause, step, interval, before, waitFirst = false, stopOn = [], onChange }) {
    const el = ms.controls[name].el;
    function show(on, quiet = false) {
      el.textContent = on ? pause : play;
      el.setAttribute('aria-pressed', on ? 'true' : 'false');
      if (onChange && !quiet) onChange(on);
    }
    const anim = ms.animation({ step, interval, onStop: () => show(false) });
    let waiting = null; // with waitFirst: the timer of the first step, between start and it
    function start() {
      if (anim.running || waiting) return;
      show(true);
      if (!waitFirst) return anim.start();
      waiting = setTimeout(() => { waiting = null; anim.start(); }, interval());
    }
    function stop() {
      if (waiting) {
        clearTimeout(waiting);
        waiting = null;
        show(false);
      } else if (anim.running) anim.stop();
    }
    async function toggle() {
      if (anim.running || waiting) return stop();
      if (before && (await before()) === false) return;
      start();
    }
    ms.onControl((changed) => {
      if (changed === name) return toggle();
      if (stopOn.includes(changed)) stop();
    });
    show(false, true); // the first label; onChange is not called before the caller has the handle
    return { start, stop, toggle, get running() { return anim.running; } };
  }

  // ---------------------------------------------------------------- text panel
  /**
   * Styled, wrapped lines of text on a p5 canvas (long lines wrap, never get cut off).
   * `lines`: strings or {text, size, bold, mono, color, gap, indent, opt}: `gap` adds space
   * above the line, `indent` leaves room on its left for `mark(p, line, x, y)` to draw in (a
   * legend swatch), `opt` lines are kept only while the others still fit in the height `h`.
   * Nothing is drawn below y + h. `draw: false` only measures. Returns the height used.
   */
  function textPanel(p, lines, { x = 0, y = 0, w, h = Infinity, size = 16, lead = 1.3, draw = true, mark = null }) {
    const items = lines.map((item) => (typeof item === 'string' ? { text: item } : item));
    const style = (line) => {
      p.textSize(line.size || size);
      p.textStyle(line.bold ? p.BOLD : p.NORMAL);
      p.textFont(line.mono ? 'monospace' : 'sans-serif');
    };
    const heightOf = (line) => {
      style(line);
      const n = ms.wrapText(p, line.text, w - (line.indent || 0)).length;
      return n * (line.size || size) * lead + (line.gap || 0);
    };
    p.push();
    let room = h - items.filter((l) => !l.opt).reduce((sum, l) => sum + heightOf(l), 0);
    const kept = items.filter((l) => {
      if (!l.opt) return true;
      const lh = heightOf(l);
      if (lh > room) return false;
      room -= lh;
      return true;
    });
    let top = y;
    p.noStroke();
    p.textAlign(p.LEFT, p.TOP);
    for (const line of kept) {
      const lh = heightOf(line);
      if (top + lh - (line.gap || 0) > y + h + 1) break;
      top += line.gap || 0;
      if (draw) {
        if (mark && line.indent) mark(p, line, x, top);
        style(line);
        p.fill(...(line.color || palette.ink));
        const px = line.size || size;
        ms.wrapText(p, line.text, w - (line.indent || 0)).forEach((part, i) => p.text(part, x + (line.indent || 0), top + i * px * lead));
      }
      top += lh - (line.gap || 0);
    }
    p.pop();
    return top - y;
  }

  // ---------------------------------------------------------------- plots and canvas helpers
  /**
   * A data → pixel map for `box` ({x, y, w, h}) showing x in `xr` and y in `yr` ([lo, hi]);
   * y grows upwards. {x(v), y(v), box}.
   */
  function plotMap(box, xr, yr) {
    return {
      box,
      x: (v) => box.x + ((v - xr[0]) / (xr[1] - xr[0])) * box.w,
      y: (v) => box.y + box.h - ((v - yr[0]) / (yr[1] - yr[0])) * box.h,
    };
  }
  /** A "nice" tick step (1, 2, 2.5 or 5 × 10ⁿ) giving about `target` ticks over `span`. */
  function niceStep(span, target) {
    const raw = span / Math.max(1, target);
    const mag = 10 ** Math.floor(Math.log10(raw));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
    return 10 * mag;
  }
  /** About `target` ticks from lo to hi: {step, values, label(v)} (labels with the step's decimals). */
  function ticks(lo, hi, target) {
    const step = niceStep(hi - lo, target);
    const values = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) values.push(Math.abs(v) < 1e-9 ? 0 : v);
    const d = Math.min(3, Number.isInteger(step) ? 0 : String(step).split('.')[1].length);
    return { step, values, label: (v) => fmt(v, d, d) };
  }
  /** Connect (xs[i], ys[i]) through the map `m` (from plotMap) with one p5 shape. */
  function polyline(p, m, xs, ys) {
    p.beginShape();
    for (let i = 0; i < xs.length; i++) p.vertex(m.x(xs[i]), m.y(ys[i]));
    p.endShape();
  }
  /** Run `draw()` with the canvas clipped to `box`; `frame: true` first paints it white with a grey border. */
  function clipped(p, box, draw, { frame = false } = {}) {
    if (frame) {
      p.push();
      p.fill(255);
      p.stroke(192);
      p.strokeWeight(1);
      p.rect(box.x, box.y, box.w, box.h);
      p.pop();
    }
    const ctx = p.drawingContext;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.w, box.h);
    ctx.clip();
    try {
      draw();
    } finally {
      ctx.restore();
    }
  }
  /** `text` cut with "…" to fit `w` pixels at the current text size. */
  function fitText(p, text, w) {
    if (p.textWidth(text) <= w) return text;
    let t = text;
    while (t.length > 4 && p.textWidth(`${t}…`) > w) t = t.slice(0, -1);
    return `${t}…`;
  }
  /** Black or white, whichever reads on the background colour `c` ([r, g, b]). */
  const inkOn = (c) => (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] < 140 ? 255 : 20);

  Object.assign(ms, { palette, fmt, sig, sub, playButton, textPanel, plotMap, ticks, polyline, clipped, fitText, inkOn });
})();
