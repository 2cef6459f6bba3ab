/**
 * microsim.js: the page runtime every sim shares.
 *
 *  - the browser bridge: boots Pyodide from the runtime the build placed (self-hosted by
 *    default), loads NumPy and the engine wheel through the pruned lock file, reports each
 *    stage and the elapsed time in the status line, and sets <html data-engine="...">;
 *  - one call into Python, `await microsim.call("module.action", {...})`, passing JSON strings
 *    both ways through a single long-lived proxy (so no PyProxy is created per call);
 *  - the declared controls (rendered by the build with data-control="<name>"), their URL
 *    parameters (validated; a bad value is ignored with a visible note) and change events;
 *  - `microsim.state`, always the latest state (plain JSON), and visibility-aware animation.
 *
 * The JSON read here is described on the Python side by sims/_contract.py (PageConfig,
 * ControlJSON). Change both together.
 *
 * @typedef {{name: string, kind: 'slider'|'select'|'checkbox'|'button'|'text', label: string,
 *   default?: any, min?: number, max?: number, step?: number, options?: string[][],
 *   maxlength?: number, help?: string, url?: boolean}} ControlJSON
 * @typedef {{slug: string, module: string, title: string, renderer: 'p5'|'html',
 *   drawHeight: number, controlHeight: number, describe: string, controls: ControlJSON[],
 *   root: string, pyodide: {mode: 'self'|'cdn', indexURL: string, lockFileURL: (string|null),
 *   packages: string[], engineWheel: string, engineName: string}}} PageConfig
 */
(function () {
  'use strict';

  /** @type {PageConfig} */
  const config = JSON.parse(document.getElementById('microsim-config').textContent);
  let state = JSON.parse(document.getElementById('microsim-state').textContent);

  const html = document.documentElement;
  const region = document.getElementById('draw-region');
  const statusEl = document.getElementById('status');
  const notesEl = document.getElementById('notes');
  const retryEl = document.getElementById('retry');
  const listeners = { state: [], control: [], visible: [] };
  const emit = (kind, ...args) => listeners[kind].forEach((fn) => fn(...args));
  const abs = (rel) => new URL(rel, window.location.href).href;

  // ---------------------------------------------------------------- status line and notes
  let engineStatus = 'Loading engine…';
  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle('error', Boolean(isError));
    statusEl.title = text;
  }
  /** Show a note (bad URL parameter, invalid text) under the status line. Text only. */
  function note(text) {
    const line = document.createElement('div');
    line.textContent = text;
    notesEl.appendChild(line);
    notesEl.hidden = false;
  }
  function clearNotes() {
    notesEl.replaceChildren();
    notesEl.hidden = true;
  }

  // In an iframe the "Fullscreen" link opens the sim on its own; on its own page it is noise.
  if (window.self === window.top) {
    const link = document.querySelector('.fullscreen');
    if (link) link.hidden = true;
  }

  // ---------------------------------------------------------------- controls
  const controls = {};
  for (const spec of config.controls) {
    const el = document.querySelector(`[data-control="${spec.name}"]`);
    if (!el) throw new Error(`control ${spec.name} is declared but not on the page`);
    const out = document.getElementById(`${el.id}-out`);
    const ctl = {
      spec,
      el,
      get value() {
        if (spec.kind === 'slider') return Number(el.value);
        if (spec.kind === 'checkbox') return el.checked;
        return el.value;
      },
      set value(v) {
        if (spec.kind === 'checkbox') el.checked = Boolean(v);
        else el.value = String(v);
        if (out) out.textContent = formatSlider(spec, Number(el.value));
      },
    };
    controls[spec.name] = ctl;
    if (out) out.textContent = formatSlider(spec, Number(el.value));
    const fire = () => {
      if (out) out.textContent = formatSlider(spec, Number(el.value));
      emit('control', spec.name, spec.kind === 'button' ? null : ctl.value);
    };
    if (spec.kind === 'button') el.addEventListener('click', fire);
    else if (spec.kind === 'slider') el.addEventListener('input', fire);
    else if (spec.kind === 'text') {
      el.addEventListener('change', fire);
      el.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); fire(); } });
    } else el.addEventListener('change', fire);
  }

  function decimals(step) {
    const s = String(step);
    return s.includes('.') ? s.split('.')[1].length : 0;
  }
  function formatSlider(spec, v) {
    return spec.kind === 'slider' ? v.toFixed(decimals(spec.step)) : String(v);
  }

  /** Parse one URL value for a control; returns {ok, value} or {ok: false, why}. */
  function parseParam(spec, raw) {
    if (spec.kind === 'button' || spec.url === false) {
      return { ok: false, why: `“${spec.name}” is a button, not a setting` };
    }
    if (spec.kind === 'slider') {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) return { ok: false, why: 'not a number' };
      if (v < spec.min || v > spec.max) {
        return { ok: false, why: `outside the range ${spec.min} to ${spec.max}` };
      }
      const snapped = spec.min + Math.round((v - spec.min) / spec.step) * spec.step;
      return { ok: true, value: Number(snapped.toFixed(decimals(spec.step))) };
    }
    if (spec.kind === 'select') {
      const values = spec.options.map((o) => o[0]);
      if (!values.includes(raw)) return { ok: false, why: `choose one of ${values.join(', ')}` };
      return { ok: true, value: raw };
    }
    if (spec.kind === 'checkbox') {
      const v = raw.toLowerCase();
      if (['1', 'true', 'on', 'yes'].includes(v)) return { ok: true, value: true };
      if (['0', 'false', 'off', 'no'].includes(v)) return { ok: true, value: false };
      return { ok: false, why: 'use true or false' };
    }
    if (raw.length > (spec.maxlength || 40)) {
      return { ok: false, why: `longer than ${spec.maxlength || 40} characters` };
    }
    return { ok: true, value: raw };
  }

  /** Apply URL parameters to the controls. Returns {name: value} of those that were set. */
  function applyUrlParams() {
    const set = {};
    const query = new URLSearchParams(window.location.search);
    for (const [name, raw] of query) {
      const ctl = controls[name];
      if (!ctl) {
        const known = config.controls.filter((c) => c.kind !== 'button' && c.url !== false)
          .map((c) => c.name).join(', ');
        note(`URL parameter “${name}” is unknown and was ignored (known: ${known}).`);
        continue;
      }
      const parsed = parseParam(ctl.spec, raw);
      if (!parsed.ok) {
        note(`URL parameter ${name}=“${raw}” was ignored: ${parsed.why}.`);
        continue;
      }
      ctl.value = parsed.value;
      set[name] = parsed.value;
    }
    return set;
  }
  const urlParams = applyUrlParams();

  /** Current values of every value-holding control: {name: value}. */
  function params() {
    const out = {};
    for (const [name, ctl] of Object.entries(controls)) {
      if (ctl.spec.kind !== 'button') out[name] = ctl.value;
    }
    return out;
  }

  // ---------------------------------------------------------------- visibility
  let onScreen = true;
  const isVisible = () => onScreen && document.visibilityState !== 'hidden';
  let lastVisible = isVisible();
  function visibilityChanged() {
    const now = isVisible();
    if (now !== lastVisible) {
      lastVisible = now;
      emit('visible', now);
    }
  }
  if ('IntersectionObserver' in window) {
    new IntersectionObserver((entries) => {
      onScreen = entries.some((e) => e.isIntersecting);
      visibilityChanged();
    }).observe(document.querySelector('.microsim'));
  }
  document.addEventListener('visibilitychange', visibilityChanged);

  /**
   * A repeating animation that runs only while the sim is visible.
   * step() returns (or resolves to) false to stop; interval() gives the delay in ms.
   */
  function animation({ step, interval, onStop }) {
    let running = false;
    let timer = null;
    async function tick() {
      timer = null;
      if (!running) return;
      if (!isVisible()) return; // resumed by the 'visible' listener below
      let more = false;
      try {
        more = await step();
      } catch (err) {
        more = false;
      }
      if (!running) return;
      if (more === false) return stop();
      timer = setTimeout(tick, interval());
    }
    function start() {
      if (running) return;
      running = true;
      tick();
    }
    function stop() {
      const was = running;
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      if (was && onStop) onStop();
    }
    listeners.visible.push((now) => { if (now && running && !timer) tick(); });
    return { start, stop, get running() { return running; } };
  }

  // ---------------------------------------------------------------- the engine bridge
  let pyodide = null;
  let pyCall = null; // the one long-lived proxy: sims._bridge.call
  let resolveReady;
  let rejectReady;
  let ready = null;
  function newReady() {
    ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
    ready.catch(() => {}); // a failed boot is reported in the status line, not as unhandled
  }
  newReady();

  class EngineError extends Error {
    constructor(info) {
      super(info.error);
      this.name = info.type || 'EngineError';
      this.detail = info.detail || '';
    }
  }

  const RUNTIME_TIMEOUT_MS = 120000;
  /**
   * loadPyodide() does not reject when the WebAssembly file cannot be fetched: it reports an
   * unhandled rejection and waits forever. Treat such a report (or a stall) as a failure.
   */
  function withFailureWatch(promise, timeoutMs) {
    let onReject;
    let timer;
    const failure = new Promise((_, reject) => {
      onReject = (event) => {
        const reason = event.reason || event.error || event.message;
        reject(new Error(reason && reason.message ? reason.message : String(reason)));
      };
      window.addEventListener('unhandledrejection', onReject);
      timer = setTimeout(() => reject(new Error(`no answer after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    return Promise.race([promise, failure]).finally(() => {
      window.removeEventListener('unhandledrejection', onReject);
      clearTimeout(timer);
    });
  }

  async function boot() {
    html.dataset.engine = 'loading';
    retryEl.hidden = true;
    const t0 = performance.now();
    let stage = 'runtime';
    const show = () => {
      engineStatus = `Loading engine: ${stage}… ${((performance.now() - t0) / 1000).toFixed(1)} s`;
      setStatus(engineStatus);
    };
    show();
    const ticker = setInterval(show, 100);
    try {
      if (typeof loadPyodide !== 'function') {
        throw new Error('the Pyodide runtime (pyodide.js) did not load');
      }
      const py = config.pyodide;
      if (!pyodide) {
        const options = { indexURL: abs(py.indexURL) };
        if (py.lockFileURL) options.lockFileURL = abs(py.lockFileURL);
        pyodide = await withFailureWatch(loadPyodide(options), RUNTIME_TIMEOUT_MS);
      }
      stage = 'NumPy';
      const wanted = py.mode === 'self' ? py.packages : [...py.packages, abs(py.engineWheel)];
      await pyodide.loadPackage(wanted, {
        messageCallback: (msg) => { if (/^Loaded .*numpy/.test(msg)) stage = 'engine'; },
        errorCallback: (msg) => console.warn(msg),
      });
      stage = 'engine';
      pyodide.runPython(`import sims._bridge, sims.${config.module}`);
      pyCall = pyodide.runPython('sims._bridge.call');
      clearInterval(ticker);
      engineStatus = `Engine ready (${((performance.now() - t0) / 1000).toFixed(1)} s)`;
      setStatus(engineStatus);
      html.dataset.engine = 'ready';
      resolveReady();
    } catch (err) {
      clearInterval(ticker);
      html.dataset.engine = 'error';
      engineStatus = `The engine failed to load (${stage}): ${err && err.message ? err.message : err}`;
      setStatus(engineStatus, true);
      retryEl.hidden = false;
      rejectReady(err);
    }
  }
  retryEl.addEventListener('click', () => {
    newReady();
    boot();
  });

  let queued = 0;
  /**
   * Call ACTIONS[action] of a sim module in Python: `call("perceptron.learn_step", {...})`.
   * Waits for the engine if it is still loading. Resolves with plain JSON; rejects with an
   * EngineError whose message is also shown in the status line (the sim keeps working).
   */
  async function call(path, args) {
    if (html.dataset.engine !== 'ready') {
      queued += 1;
      setStatus(`${engineStatus} (${queued} action${queued > 1 ? 's' : ''} waiting)`);
      try {
        await ready;
      } finally {
        queued -= 1;
      }
    }
    const out = JSON.parse(pyCall(path, JSON.stringify(args || {})));
    if (Object.prototype.hasOwnProperty.call(out, 'error')) {
      const err = new EngineError(out);
      setStatus(`${path}: ${err.name}: ${err.message}`, true);
      console.warn(err.detail);
      throw err;
    }
    setStatus(engineStatus);
    return out.ok;
  }

  function setState(next) {
    state = next;
    emit('state', state);
  }

  /**
   * Run an action on the current state and adopt the result: `act("set_param", {name, value})`
   * calls `<module>.set_param(state=<latest state>, name=..., value=...)`. Returns the new
   * state, or null when the engine raised (the message is in the status line).
   */
  async function act(action, extra) {
    if (html.dataset.engine !== 'ready') await ready.catch(() => {});
    try {
      const next = await call(`${config.module}.${action}`, { state, ...(extra || {}) });
      setState(next);
      return next;
    } catch (err) {
      if (!(err instanceof EngineError)) setStatus(`${action}: ${err.message || err}`, true);
      return null;
    }
  }

  /** Recompute the state from scratch with initial_state(params) (a reset). */
  async function reinit(overrides) {
    try {
      const next = await call(`${config.module}.initial_state`, { params: { ...params(), ...(overrides || {}) } });
      setState(next);
      return next;
    } catch (err) {
      if (!(err instanceof EngineError)) setStatus(`initial_state: ${err.message || err}`, true);
      return null;
    }
  }

  // ---------------------------------------------------------------- p5 helper
  /** Size of the drawing region in CSS pixels (without its 1 px border). */
  function size() {
    return { w: region.clientWidth, h: region.clientHeight };
  }
  let p5Instance = null;
  /**
   * Create the sim's p5 sketch in the drawing region, sized to it and re-sized with it.
   * `setup(p)` and `draw(p)` are the sketch; it redraws on every state change and pauses its
   * loop while the sim is not visible.
   */
  function sketch({ setup, draw, loop = false }) {
    p5Instance = new p5((p) => {
      p.setup = () => {
        const { w, h } = size();
        p.createCanvas(w, h);
        p.textFont('sans-serif');
        if (config.describe) p.describe(config.describe);
        if (setup) setup(p);
        if (!loop) p.noLoop();
      };
      p.draw = () => draw(p);
    }, region);
    new ResizeObserver(() => {
      const { w, h } = size();
      if (p5Instance && (p5Instance.width !== w || p5Instance.height !== h) && w > 0 && h > 0) {
        p5Instance.resizeCanvas(w, h);
      }
    }).observe(region);
    listeners.state.push(() => p5Instance && p5Instance.redraw());
    if (loop) listeners.visible.push((now) => (now ? p5Instance.loop() : p5Instance.noLoop()));
    return p5Instance;
  }

  /** Split ``text`` into lines no wider than ``width`` at p5's current text size. */
  function wrapText(p, text, width) {
    const lines = [];
    let cur = '';
    for (const word of String(text).split(' ')) {
      const next = cur ? `${cur} ${word}` : word;
      if (p.textWidth(next) > width && cur) {
        lines.push(cur);
        cur = word;
      } else cur = next;
    }
    if (cur) lines.push(cur);
    return lines;
  }

  // ---------------------------------------------------------------- public API
  window.microsim = {
    config,
    get state() { return state; },
    set state(next) { setState(next); },
    get ready() { return ready; },
    get visible() { return isVisible(); },
    /** The Pyodide instance, for tests (e.g. the engine parity suite); sims use call(). */
    get pyodide() { return pyodide; },
    controls,
    urlParams,
    params,
    call,
    act,
    reinit,
    note,
    clearNotes,
    setStatus: (text, isError) => setStatus(text, isError),
    region,
    size,
    sketch,
    wrapText,
    animation,
    /** Set a control's value from the state without firing its change event. */
    setControl(name, value) { if (controls[name]) controls[name].value = value; },
    onState(fn) { listeners.state.push(fn); },
    onControl(fn) { listeners.control.push(fn); },
    onVisible(fn) { listeners.visible.push(fn); },
  };

  // Let the sketch (the next script) register its listeners before the engine starts.
  window.addEventListener('DOMContentLoaded', async () => {
    await boot();
    // URL parameters that change a default need the engine to recompute the first state.
    if (html.dataset.engine === 'ready' && Object.keys(urlParams).length) await reinit();
  });
  // The one proxy is released when the page is discarded (not when it goes into bfcache).
  window.addEventListener('pagehide', (event) => {
    if (!event.persisted && pyCall) { pyCall.destroy(); pyCall = null; }
  });
})();
