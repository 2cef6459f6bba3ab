/**
 * microsim.js: the page runtime every sim shares.
 *
 *  - the engine client: the page never loads Pyodide itself. It attaches to the site's one
 *    engine (static/engine-worker.js: a SharedWorker for every sim page in the browser, else a
 *    dedicated Worker, else, as a last resort, the main thread) when the sim comes near the
 *    viewport or on the first interaction, shows the stage and elapsed time in the status line
 *    and sets <html data-engine="idle|loading|ready|error"> (and data-engine-mode);
 *  - one call into Python, `await microsim.call("module.action", {...})`, as JSON strings in
 *    messages (no PyProxy ever reaches the page);
 *  - `microsim.act(...)`: one sim's actions strictly one after another on the latest state,
 *    queued while the engine starts; after every state the declared controls are set from
 *    `state.params`, so the DOM and the state never disagree;
 *  - the declared controls (rendered by the build with data-control="<name>"), their URL
 *    parameters (validated; a bad value is ignored with a visible note) and change events,
 *    delivered in order with the actions (a run of slider `input` events coalesces);
 *  - `microsim.state`, always the latest state (plain JSON), and visibility-aware animation;
 *  - the service worker (the site's sw.js) that keeps the runtime for the next visit.
 *
 * The JSON read here is described on the Python side by sims/_contract.py (PageConfig,
 * ControlJSON, PyodideConfig). Change both together.
 */
/**
 * @typedef {{name: string, kind: 'slider'|'select'|'checkbox'|'button'|'text', label: string,
 *   default?: any, min?: number, max?: number, step?: number, options?: string[][],
 *   maxlength?: number, help?: string, url?: boolean, change?: 'update'|'reinit'}} ControlJSON
 */
/**
 * @typedef {{mode: 'self'|'cdn', indexURL: string, lockFileURL: (string|null),
 *   packages: string[], engineWheel: string, engineName: string,
 *   files: Object<string, {size: number, sha256: string}>, reload?: boolean}} PyodideConfig
 */
/**
 * @typedef {{slug: string, module: string, title: string, renderer: 'p5'|'html',
 *   drawHeight: number, controlHeight: number, describe: string, controls: ControlJSON[],
 *   constants: Object<string, any>, root: string, build: string,
 *   serviceWorker: (string|null), views: string[], pyodide: PyodideConfig}} PageConfig
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

  // ---------------------------------------------------------------- DOM (text only)
  /**
   * A DOM element: el('p', {class: 'note', text: 'Hi'}, child, 'more text'). Text always goes
   * in as text (textContent / text nodes), never as HTML. Other attributes via setAttribute.
   * @param {string} tag
   * @param {{[name: string]: any} | null} [attrs]
   * @param {...(Node | string | null | undefined | false)} kids
   * @returns {HTMLElement}
   */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') { if (v) e.className = v; } // no empty class="" attribute
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, String(v));
    }
    for (const kid of kids) if (kid) e.appendChild(typeof kid === 'string' ? document.createTextNode(kid) : kid);
    return e;
  }

  // ---------------------------------------------------------------- status line and notes
  const moreEl = /** @type {HTMLButtonElement} */ (document.getElementById('status-more'));
  const detailEl = /** @type {HTMLElement} */ (document.getElementById('status-detail'));
  /** The first line of a message, cut to one short sentence for the status line. */
  function sentence(text) {
    const line = String(text).split('\n')[0].trim();
    return line.length > 160 ? `${line.slice(0, 159)}…` : line;
  }
  /**
   * The status line: one sentence. A longer message, or the `detail` given (a Python
   * traceback), is kept under "details" for whoever reports the problem.
   * @param {string} text
   * @param {boolean} [isError]
   * @param {string} [detail]
   */
  function setStatus(text, isError, detail) {
    const short = sentence(text);
    statusEl.textContent = short;
    statusEl.classList.toggle('error', Boolean(isError));
    statusEl.title = short;
    const more = [short !== String(text).trim() ? String(text) : '', detail || ''].filter(Boolean).join('\n\n');
    detailEl.textContent = more;
    moreEl.hidden = !more;
    if (!more) {
      detailEl.hidden = true;
      moreEl.setAttribute('aria-expanded', 'false');
    }
  }
  moreEl.addEventListener('click', () => {
    detailEl.hidden = !detailEl.hidden;
    moreEl.setAttribute('aria-expanded', String(!detailEl.hidden));
  });
  /**
   * Show a note (bad URL parameter, invalid text) under the status line. Text only. With a
   * `key`, it replaces the earlier note of that key (so a sim's notes of one kind never pile
   * up); clearNote(key) removes it.
   * @param {string} text
   * @param {string} [key]
   */
  function note(text, key) {
    if (key) clearNote(key);
    notesEl.appendChild(el('div', key ? { text, 'data-note': key } : { text }));
    notesEl.hidden = false;
  }
  /** Remove the note of `key` (see note); the notes box hides when nothing is left in it. */
  function clearNote(key) {
    for (const n of [...notesEl.children]) {
      if (n instanceof HTMLElement && n.dataset.note === key) n.remove();
    }
    if (!notesEl.childElementCount) notesEl.hidden = true;
  }
  function clearNotes() {
    notesEl.replaceChildren();
    notesEl.hidden = true;
  }

  // In an iframe the "Fullscreen" link opens the sim on its own; on its own page it is noise,
  // and the page shows the way back to its lesson instead (hidden in an iframe: the lesson is
  // the page around it).
  if (window.self === window.top) {
    const link = /** @type {HTMLElement|null} */ (document.querySelector('.fullscreen'));
    if (link) link.hidden = true;
    const back = /** @type {HTMLElement|null} */ (document.querySelector('.lesson-link'));
    if (back) back.hidden = false;
  }

  // ---------------------------------------------------------------- controls
  /** @type {{[name: string]: any}} the page's controls by name (no inherited keys: a link's ?constructor= is just unknown) */
  const controls = Object.create(null);
  for (const spec of config.controls) {
    const el = /** @type {HTMLInputElement|null} */ (document.querySelector(`[data-control="${spec.name}"]`));
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
      controlChanged(spec, ctl);
    };
    if (spec.kind === 'button') el.addEventListener('click', fire);
    else if (spec.kind === 'slider') el.addEventListener('input', fire);
    else if (spec.kind === 'text') {
      el.addEventListener('change', fire);
      el.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter') { e.preventDefault(); fire(); } });
    } else el.addEventListener('change', fire);
  }

  function decimals(step) {
    const s = String(step);
    return s.includes('.') ? s.split('.')[1].length : 0;
  }
  function formatSlider(spec, v) {
    return spec.kind === 'slider' ? v.toFixed(decimals(spec.step)) : String(v);
  }

  // A number as a URL may spell it: the same pattern as NUMBER in sims/_contract.py.
  const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

  /**
   * Parse one URL value for a control; returns {ok, value} or {ok: false, why}. The rules and
   * the `why` texts are those of Control.validate in sims/_contract.py (a test compares them).
   */
  function parseParam(spec, raw) {
    if (spec.kind === 'button') return { ok: false, why: `“${spec.name}” is a button, not a setting` };
    if (spec.url === false) return { ok: false, why: `“${spec.name}” is not a URL setting` };
    if (spec.kind === 'slider') {
      const v = Number(raw);
      if (!NUMBER.test(raw) || !Number.isFinite(v)) return { ok: false, why: 'not a number' };
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

  const MAX_URL_PARAMS = 50; // parameters read from one link; the rest are counted, not parsed
  const URL_NOTE_ITEMS = 8; // problems listed in the note; the rest are counted
  /** A piece of a link (name or value) cut for the note: a long one would bury the page. */
  const cut = (t) => (t.length > 40 ? `${t.slice(0, 39)}…` : t);

  /**
   * One compact, dismissible note for every URL parameter that was ignored: the first problem
   * in a sentence, the others and the known names under "details". Text only, never HTML.
   * @param {string[]} problems
   * @param {number} unread how many parameters beyond MAX_URL_PARAMS were not looked at
   */
  function urlNote(problems, unread) {
    const n = problems.length + unread;
    const head = n === 1 ? `URL parameter ignored: ${problems[0]}.` : `${n} URL parameters ignored: ${problems[0]}; …`;
    const known = config.controls.filter((c) => c.kind !== 'button' && c.url !== false).map((c) => c.name);
    const rest = (problems.length > URL_NOTE_ITEMS ? `…and ${problems.length - URL_NOTE_ITEMS} more. ` : '')
      + (unread ? `${unread} parameters after the first ${MAX_URL_PARAMS} were not read. ` : '')
      + `The settings a link can carry: ${known.join(', ')}. The sim uses its defaults for the rest.`;
    const close = el('button', { type: 'button', class: 'note-close', text: '×', 'aria-label': 'Dismiss the note about the link' });
    const box = el('div', { class: 'url-note' }, close, el('span', { text: head }), el('details', null,
      el('summary', { text: 'details' }),
      el('ul', null, ...problems.slice(0, URL_NOTE_ITEMS).map((text) => el('li', { text }))),
      el('p', { text: rest })));
    close.addEventListener('click', () => {
      box.remove();
      if (!notesEl.childElementCount) notesEl.hidden = true;
    });
    notesEl.appendChild(box);
    notesEl.hidden = false;
  }

  /** Apply URL parameters to the controls. Returns {name: value} of those that were set. */
  function applyUrlParams() {
    /** @type {{[name: string]: any}} */
    const set = Object.create(null);
    const problems = [];
    const query = [...new URLSearchParams(window.location.search)];
    for (const [name, raw] of query.slice(0, MAX_URL_PARAMS)) {
      const ctl = controls[name] || null;
      if (!ctl) {
        problems.push(`“${cut(name)}” is not a setting of this sim`);
        continue;
      }
      const parsed = parseParam(ctl.spec, raw);
      if (!parsed.ok) {
        problems.push(`${name}=“${cut(raw)}”: ${parsed.why}`);
        continue;
      }
      ctl.value = parsed.value;
      set[name] = parsed.value;
    }
    const unread = Math.max(0, query.length - MAX_URL_PARAMS);
    if (problems.length || unread) urlNote(problems, unread);
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

  // ---------------------------------------------------------------- the engine client
  class EngineError extends Error {
    constructor(info) {
      super(info.error);
      this.name = info.type || 'EngineError';
      this.detail = info.detail || '';
    }
  }

  /** Where the engine runs here: 'shared' | 'worker' | 'main' (the last resort). */
  function pickMode() {
    if (typeof SharedWorker === 'function') return 'shared';
    if (typeof Worker === 'function') return 'worker';
    return 'main';
  }
  // short enough for a 400 px status line; the line's title holds the whole text
  const MODE_TEXT = {
    shared: 'shared engine',
    worker: 'own worker',
    main: 'on this page: no Web Workers',
  };
  const GEN_KEY = 'nn-microsims-engine-generation';
  function readGeneration() {
    try { return Number(window.localStorage.getItem(GEN_KEY)) || 0; } catch (err) { return 0; }
  }
  function writeGeneration(gen) {
    try { window.localStorage.setItem(GEN_KEY, String(gen)); } catch (err) { /* private mode */ }
  }

  const engine = {
    mode: pickMode(),
    status: 'idle', // idle | loading | ready | error
    endpoint: null, // what we post to: a MessagePort, a Worker, or a main-thread channel port
    worker: null, // the Worker / SharedWorker object
    instance: null,
    generation: readGeneration(),
    callTimeoutMs: 30000, // a call with no answer by then means the engine is stuck
    nextId: 1,
    pending: new Map(), // id -> {resolve, reject, timer}
    t0: 0,
    stage: 'runtime',
    ticker: null,
    heard: false, // has the current worker answered at all (see fallBack)
    retried: false, // Retry was pressed: the runtime is fetched again (not from the HTTP cache)
  };
  html.dataset.engine = 'idle';
  let engineStatus = 'Engine starts when the sim is in view';
  setStatus(engineStatus);
  let resolveReady;
  let ready = null;
  function newReady() {
    ready = new Promise((res) => { resolveReady = res; });
  }
  newReady();

  function absoluteConfig() {
    const py = config.pyodide;
    return {
      mode: py.mode,
      indexURL: abs(py.indexURL),
      lockFileURL: py.lockFileURL ? abs(py.lockFileURL) : null,
      packages: py.packages,
      engineWheel: abs(py.engineWheel),
      files: py.files || {}, // size and hash of each runtime file: the engine checks downloads
      // after a failed boot the browser's HTTP cache may hold the damaged file: skip it
      reload: Boolean(engine.retried),
    };
  }

  function showLoading() {
    const secs = ((performance.now() - engine.t0) / 1000).toFixed(1);
    engineStatus = `Loading engine: ${engine.stage}… ${secs} s`;
    const waiting = tasks.length + (taskRunning ? 1 : 0);
    setStatus(waiting ? `${engineStatus} (${waiting} action${waiting > 1 ? 's' : ''} waiting)` : engineStatus);
  }

  /** Start talking to the engine (creating it if no page has yet). Idempotent. */
  function attach() {
    if (engine.endpoint || engine.status === 'error') return;
    engine.status = 'loading';
    html.dataset.engine = 'loading';
    html.dataset.engineMode = engine.mode;
    retryEl.hidden = true;
    engine.t0 = performance.now();
    engine.stage = 'runtime';
    showLoading();
    clearInterval(engine.ticker);
    engine.ticker = setInterval(showLoading, 100);
    const workerURL = abs(`${config.root}static/engine-worker.js`);
    try {
      if (engine.mode === 'shared') {
        // one engine per build and generation: a rebuilt site never talks to an old engine
        const name = `nn-microsims-engine-${config.build}-${engine.generation}`;
        engine.worker = new SharedWorker(workerURL, { name });
        engine.endpoint = engine.worker.port;
        engine.endpoint.onmessage = (event) => onEngineMessage(event.data);
        engine.worker.onerror = () => fallBack('the engine worker script did not load');
      } else if (engine.mode === 'worker') {
        engine.worker = new Worker(workerURL, { name: 'nn-microsims-engine' });
        engine.endpoint = engine.worker;
        engine.worker.onmessage = (event) => onEngineMessage(event.data);
        engine.worker.onerror = (event) => {
          event.preventDefault();
          fallBack(event.message || 'the engine worker stopped');
        };
      } else {
        attachMainThread(workerURL);
        return;
      }
    } catch (err) {
      // e.g. a sandboxed iframe that may not create workers: try the next place down
      engine.endpoint = null;
      engine.mode = engine.mode === 'shared' ? 'worker' : 'main';
      engine.status = 'idle';
      attach();
      return;
    }
    engine.heard = false;
    hello();
  }

  /**
   * A worker that fails before it has said a word (a SharedWorker the browser will not start
   * under this embedding's origin, e.g. a sandboxed or opaque-origin course page) is not a
   * broken engine: the next place down is tried (shared → own worker → this page). Once a
   * worker has answered, a failure is the engine's: the error state with Retry.
   * @param {string} message
   */
  function fallBack(message) {
    if (engine.heard || engine.status === 'error' || engine.mode === 'main') {
      engineFailed(message);
      return;
    }
    console.warn(`engine: ${engine.mode} worker failed before answering (${message}); trying the next place down`);
    try { if (engine.mode === 'worker' && engine.worker) engine.worker.terminate(); } catch (err) { /* gone */ }
    clearInterval(engine.ticker);
    engine.endpoint = null;
    engine.worker = null;
    engine.mode = engine.mode === 'shared' ? 'worker' : 'main';
    engine.status = 'idle';
    attach();
  }

  function hello() {
    engine.endpoint.postMessage({
      type: 'hello', config: absoluteConfig(), slug: config.slug, module: config.module, visible: isVisible(),
    });
  }

  function attachMainThread(workerURL) {
    const start = () => {
      const channel = new MessageChannel();
      window.MicrosimEngineHost.create().connect(channel.port2);
      engine.endpoint = channel.port1;
      engine.endpoint.onmessage = (event) => onEngineMessage(event.data);
      engine.endpoint.start();
      hello();
    };
    if (window.MicrosimEngineHost) { start(); return; }
    const el = document.createElement('script');
    el.src = workerURL;
    el.onload = start;
    el.onerror = () => engineFailed('the engine script did not load');
    engine.endpoint = { postMessage() {} }; // attached, waiting for the script
    document.head.appendChild(el);
  }

  function onEngineMessage(msg) {
    if (!msg || engine.status === 'error') return;
    engine.heard = true;
    if (msg.type === 'attached') {
      engine.instance = msg.instance;
      // the engine holds this lock for its whole life: being granted it means it died
      if (msg.lock && navigator.locks) {
        const mine = engine.endpoint;
        navigator.locks.request(msg.lock, () => {
          if (engine.endpoint === mine) engineFailed('the engine stopped');
        }).catch(() => {});
      }
    } else if (msg.type === 'stage') {
      engine.stage = msg.stage;
      showLoading();
    } else if (msg.type === 'ready') {
      clearInterval(engine.ticker);
      engine.status = 'ready';
      engine.instance = msg.instance;
      const secs = ((performance.now() - engine.t0) / 1000).toFixed(1);
      engineStatus = `Engine ready (${secs} s, ${MODE_TEXT[engine.mode]})`;
      setStatus(engineStatus);
      html.dataset.engine = 'ready';
      resolveReady();
      registerServiceWorker();
    } else if (msg.type === 'failed') {
      engine.stage = msg.stage || engine.stage;
      engineFailed(msg.message);
    } else if (msg.type === 'result' || msg.type === 'info') {
      const waiter = engine.pending.get(msg.id);
      if (!waiter) return;
      engine.pending.delete(msg.id);
      clearTimeout(waiter.timer);
      waiter.resolve(msg.type === 'info' ? msg.info : msg.json);
    }
  }

  /** The engine failed to boot, died or stopped answering: error state with a Retry. */
  function engineFailed(message) {
    if (engine.status === 'error') return;
    clearInterval(engine.ticker);
    const stage = engine.status === 'ready' ? 'running' : engine.stage;
    engine.status = 'error';
    html.dataset.engine = 'error';
    engineStatus = `The engine failed (${stage}): ${message}`;
    if (stage !== 'running') engineStatus = `The engine failed to load (${stage}): ${message}`;
    setStatus(engineStatus, true);
    retryEl.hidden = false;
    for (const waiter of engine.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(message));
    }
    engine.pending.clear();
  }

  /** Retry: a fresh engine (a new generation, shared with every page that retries). */
  function retry() {
    if (engine.status !== 'error') return;
    try { if (engine.endpoint && engine.endpoint.postMessage) engine.endpoint.postMessage({ type: 'bye' }); } catch (err) { /* gone */ }
    if (engine.mode === 'worker' && engine.worker) engine.worker.terminate();
    if (engine.mode === 'shared') {
      const stored = readGeneration();
      engine.generation = stored > engine.generation ? stored : engine.generation + 1;
      writeGeneration(engine.generation);
    }
    engine.endpoint = null;
    engine.worker = null;
    engine.status = 'idle';
    engine.retried = true; // the fresh engine fetches the runtime from the network, not a cache
    attach();
  }
  retryEl.addEventListener('click', retry);

  /** Post a request and wait for its answer (bounded by engine.callTimeoutMs). */
  function request(message) {
    const id = engine.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        engine.pending.delete(id);
        reject(new Error(`no answer from the engine after ${engine.callTimeoutMs / 1000} s`));
        engineFailed(`no answer after ${engine.callTimeoutMs / 1000} s`);
      }, engine.callTimeoutMs);
      engine.pending.set(id, { resolve, reject, timer });
      engine.endpoint.postMessage({ ...message, id });
    });
  }

  /** Resolves when the engine is ready (attaching first); waits through a retry. */
  async function whenReady() {
    if (engine.status === 'idle') attach();
    while (engine.status !== 'ready') await ready;
  }

  /**
   * Call ACTIONS[action] of a sim module in Python: `call("perceptron.learn_step", {...})`.
   * Waits for the engine if it is still loading. Resolves with plain JSON; rejects with an
   * EngineError whose message is also shown in the status line (the sim keeps working).
   */
  async function call(path, args) {
    await whenReady();
    const out = JSON.parse(await request({ type: 'call', path, args: JSON.stringify(args || {}) }));
    if (Object.prototype.hasOwnProperty.call(out, 'error')) {
      const err = new EngineError(out);
      // a refusal is a sentence for the reader; a bug names the call, for whoever reports it
      const refusal = err.name !== 'InternalError'; // ValueError, LookupError, DimensionError…
      const sentence = err.message.charAt(0).toUpperCase() + err.message.slice(1);
      setStatus(refusal ? sentence : `${path}: ${err.message}`, true, err.detail);
      console.warn(err.detail);
      throw err;
    }
    setStatus(engineStatus);
    return out.ok;
  }

  // ---------------------------------------------------------------- ordered actions
  // One queue per page: actions and control changes run strictly one after another, each on
  // the latest state. A control change that is waiting (the engine is busy or starting) takes
  // the newest value of its slider instead of queueing another step.
  const tasks = [];
  let taskRunning = false;
  let insertAt = -1; // >= 0 while a control's listeners run: their actions go first
  const waitingControls = new Map(); // name -> newest value while its change is queued

  /**
   * Queue ``run`` behind every earlier task of this page. With a ``key``, a task of the same
   * key that is still waiting is given the new ``run`` instead (a drag sends only its latest
   * position), and both callers get its result.
   */
  function enqueue(run, key) {
    if (key) {
      const waiting = tasks.find((t) => t.key === key);
      if (waiting) {
        waiting.run = run;
        return waiting.promise;
      }
    }
    const task = { run, key };
    task.promise = new Promise((resolve, reject) => {
      task.resolve = resolve;
      task.reject = reject;
    });
    if (insertAt >= 0) tasks.splice(insertAt++, 0, task);
    else tasks.push(task);
    if (engine.status === 'loading') showLoading();
    pump();
    return task.promise;
  }
  async function pump() {
    if (taskRunning) return;
    taskRunning = true;
    while (tasks.length) {
      const task = tasks.shift();
      try {
        task.resolve(await task.run());
      } catch (err) {
        task.reject(err);
      }
    }
    taskRunning = false;
  }

  function controlChanged(spec, ctl) {
    const value = spec.kind === 'button' ? null : ctl.value; // as the user left it
    const coalesce = spec.kind === 'slider';
    if (coalesce && waitingControls.has(spec.name)) {
      waitingControls.set(spec.name, value); // the queued change will send this newest value
      return;
    }
    waitingControls.set(spec.name, value);
    enqueue(() => {
      const latest = waitingControls.get(spec.name);
      waitingControls.delete(spec.name);
      const v = coalesce ? latest : value;
      insertAt = 0;
      try {
        emit('control', spec.name, v); // the sketch's own reactions (a button's action, a pause)
        route(spec, v);
      } finally {
        insertAt = -1;
      }
    });
  }

  /**
   * A value control's change goes to the engine as the control declares (`change` in
   * sims/_contract.py): "reinit" starts over from initial_state(params), "update" is
   * set_param. Sketches never route controls; buttons are theirs (onControl).
   */
  function route(spec, value) {
    if (spec.kind === 'button') return;
    if (spec.change === 'reinit') reinit({ [spec.name]: value });
    else act('set_param', { name: spec.name, value });
  }

  /** Set every declared control from state.params (not those with a change still queued). */
  function syncControls(s) {
    const p = s && s.params;
    if (!p || typeof p !== 'object') return;
    for (const [name, ctl] of Object.entries(controls)) {
      if (ctl.spec.kind === 'button' || !Object.prototype.hasOwnProperty.call(p, name)) continue;
      if (waitingControls.has(name)) continue;
      const v = p[name];
      if (ctl.spec.kind === 'text' && document.activeElement === ctl.el) continue;
      if (ctl.spec.kind === 'select' && !ctl.spec.options.some((o) => o[0] === String(v))) continue;
      if (ctl.spec.kind === 'slider' && !Number.isFinite(Number(v))) continue;
      if (String(ctl.value) !== String(ctl.spec.kind === 'checkbox' ? Boolean(v) : v)) ctl.value = v;
    }
  }

  function setState(next) {
    state = next;
    syncControls(state);
    shareState(state);
    emit('state', state);
  }

  /**
   * Shareable state (issue 12): the page's URL and its Fullscreen link carry every setting a
   * link can carry (the URL parameters' names) that differs from its default, after every
   * state from the engine, so a copied link or "Fullscreen" opens what the reader sees. (Not
   * from the embedded first state: that would drop a link's parameters before they apply.)
   * @param {any} s
   */
  function shareState(s) {
    const p = (s && s.params) || {};
    const query = new URLSearchParams();
    for (const spec of config.controls) {
      if (spec.kind === 'button' || spec.url === false || !Object.prototype.hasOwnProperty.call(p, spec.name)) continue;
      const v = spec.kind === 'checkbox' ? Boolean(p[spec.name]) : p[spec.name];
      if (String(v) !== String(spec.default)) query.set(spec.name, String(v));
    }
    const search = query.toString() ? `?${query}` : '';
    const link = document.querySelector('.fullscreen');
    if (link) link.setAttribute('href', `main.html${search}`);
    if (search !== window.location.search) {
      try {
        window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}${window.location.hash}`);
      } catch (err) { /* a sandboxed frame may not: the Fullscreen link still carries it */ }
    }
  }

  /**
   * Run an action on the current state and adopt the result: `act("set_param", {name, value})`
   * calls `<module>.set_param(state=<latest state>, name=..., value=...)` once every earlier
   * action of this page has finished. Returns the new state, or null when the engine raised
   * (the message is in the status line). ``{latest: true}``: while this action waits, a newer
   * call of the same action replaces it (for drags: only the latest position is computed).
   */
  function act(action, extra, { latest = false } = {}) {
    return enqueue(async () => {
      try {
        const next = await call(`${config.module}.${action}`, { state, ...(extra || {}) });
        setState(next);
        return next;
      } catch (err) {
        if (!(err instanceof EngineError)) setStatus(`${action}: ${err.message || err}`, true);
        return null;
      }
    }, latest ? `act:${action}` : null);
  }

  /** Recompute the state from scratch with initial_state(params) (a reset), in order. */
  function reinit(overrides) {
    return enqueue(async () => {
      try {
        const next = await call(`${config.module}.initial_state`, { params: { ...params(), ...(overrides || {}) } });
        setState(next);
        return next;
      } catch (err) {
        if (!(err instanceof EngineError)) setStatus(`initial_state: ${err.message || err}`, true);
        return null;
      }
    });
  }

  // ---------------------------------------------------------------- Show NumPy
  /**
   * A read-only call of the sim module's VIEWS (e.g. numpy_code): state in, text out. Quiet:
   * it never touches the status line (an error there belongs to the reader's last action).
   * @param {string} name
   * @returns {Promise<any>}
   */
  async function view(name) {
    await whenReady();
    const args = JSON.stringify({ state });
    const out = JSON.parse(await request({ type: 'call', path: `${config.module}.${name}`, args }));
    if (Object.prototype.hasOwnProperty.call(out, 'error')) throw new EngineError(out);
    return out.ok;
  }

  /*
   * "Show NumPy" (issue 13): the plain-NumPy script that recomputes what the sim shows,
   * made by the sim module's numpy_code(state) in the engine after every state while the
   * panel is open, put in as text (textContent), with a Copy button.
   */
  const numpyToggle = document.getElementById('numpy-toggle');
  const numpyPanel = document.getElementById('numpy-panel');
  const numpyCode = document.getElementById('numpy-code');
  const numpyCopy = document.getElementById('numpy-copy');
  if (numpyToggle && numpyPanel && numpyCode && numpyCopy && (config.views || []).includes('numpy_code')) {
    let busy = false;
    let again = false;
    const refresh = async () => {
      if (numpyPanel.hidden) return;
      if (busy) { again = true; return; }
      busy = true;
      try {
        do {
          again = false;
          numpyCode.textContent = await view('numpy_code');
        } while (again);
        numpyPanel.dataset.state = 'current';
      } catch (err) {
        numpyCode.textContent = `# The NumPy code could not be made: ${err.message}`;
        numpyPanel.dataset.state = 'error';
      } finally {
        busy = false;
      }
    };
    numpyToggle.addEventListener('click', () => {
      const open = numpyPanel.hidden;
      numpyPanel.hidden = !open;
      numpyToggle.setAttribute('aria-expanded', String(open));
      numpyToggle.textContent = open ? 'Hide NumPy' : 'Show NumPy';
      if (open) {
        if (!numpyCode.textContent) numpyCode.textContent = '# Starting the engine…';
        numpyPanel.dataset.state = 'pending';
        refresh();
      }
    });
    listeners.state.push(() => {
      if (!numpyPanel.hidden) numpyPanel.dataset.state = 'pending';
      refresh();
    });
    numpyCopy.addEventListener('click', async () => {
      const text = numpyCode.textContent || '';
      let done = false;
      try {
        await navigator.clipboard.writeText(text);
        done = true;
      } catch (err) {
        // no clipboard permission (an iframe without it, http://): select the text instead
        const range = document.createRange();
        range.selectNodeContents(numpyCode);
        const sel = window.getSelection();
        if (sel) { sel.removeAllRanges(); sel.addRange(range); }
        try { done = document.execCommand('copy'); } catch (e) { done = false; }
      }
      numpyCopy.textContent = done ? 'Copied' : 'Selected: press Ctrl+C';
      setTimeout(() => { numpyCopy.textContent = 'Copy'; }, 2000);
    });
  }

  // ---------------------------------------------------------------- lazy attach
  // Attach when the sim comes near the viewport (of the course page, for an iframe) or on the
  // first interaction, not on load; tell the engine whether we are in view (served first).
  const ATTACH_MARGIN = '300px';
  if ('IntersectionObserver' in window) {
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) attach();
    }, { rootMargin: ATTACH_MARGIN }).observe(document.querySelector('.microsim'));
  } else {
    attach();
  }
  for (const type of ['pointerdown', 'keydown', 'focusin', 'touchstart']) {
    document.addEventListener(type, () => attach(), { once: true, capture: true, passive: true });
  }
  listeners.visible.push((now) => {
    if (engine.endpoint && engine.endpoint.postMessage) engine.endpoint.postMessage({ type: 'visible', visible: now });
  });

  // ---------------------------------------------------------------- service worker
  let offlineReady = null;
  function registerServiceWorker() {
    if (offlineReady || !config.serviceWorker || !('serviceWorker' in navigator)) return;
    offlineReady = navigator.serviceWorker
      .register(abs(`${config.root}${config.serviceWorker}`), { scope: abs(config.root) })
      .then(() => navigator.serviceWorker.ready)
      .then((reg) => Boolean(reg.active))
      .catch((err) => {
        console.warn(`offline cache not available: ${err.message || err}`);
        return false;
      });
  }

  // ---------------------------------------------------------------- page height
  /*
   * The drawing region keeps its designed height (drawHeight) at every width: when the
   * controls wrap onto more rows (a phone, a narrow embed) the page grows instead of taking the
   * height from the drawing. The page fills the window (the iframe, or the browser window of
   * the fullscreen page); when its content needs more, an embedded page asks its parent for it
   * with the MicroSim ecosystem's message {type: 'microsim-resize', height} (a parent that does
   * not listen keeps its fixed height and shows the top of the page), and the fullscreen page
   * scrolls.
   */
  const mainEl = /** @type {HTMLElement} */ (document.querySelector('.microsim'));
  const controlRegion = /** @type {HTMLElement} */ (document.querySelector('.control-region'));
  const embedded = window.parent !== window;
  html.dataset.embedded = String(embedded);
  let askedHeight = 0;
  function fitHeight() {
    const needed = Math.ceil(config.drawHeight + controlRegion.offsetHeight);
    const height = Math.max(window.innerHeight, needed);
    if (mainEl.style.height !== `${height}px`) mainEl.style.height = `${height}px`;
    if (embedded && needed > window.innerHeight && needed !== askedHeight) {
      askedHeight = needed;
      try {
        window.parent.postMessage({ type: 'microsim-resize', height: needed, slug: config.slug }, '*');
      } catch (err) {
        /* a parent we cannot post to keeps its height */
      }
    }
  }
  fitHeight();
  new ResizeObserver(fitHeight).observe(controlRegion);
  window.addEventListener('resize', fitHeight);

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
      cacheTextWidths(p);
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

  /**
   * Remember ``p.textWidth`` answers: the sketches lay out their panels from text widths on
   * every redraw, and measuring the same labels again was a third of a redraw. The width
   * depends only on the string and the canvas font (p5 sets ``drawingContext.font`` from
   * textSize/textStyle/textFont), so that pair is the key.
   */
  function cacheTextWidths(p) {
    const measure = p.textWidth;
    const widths = new Map();
    p.textWidth = function textWidth(text) {
      const ctx = this.drawingContext;
      if (!ctx || typeof ctx.font !== 'string') return measure.call(this, text);
      const key = `${ctx.font}\u0000${text}`;
      let w = widths.get(key);
      if (w === undefined) {
        if (widths.size > 5000) widths.clear();
        w = measure.call(this, text);
        widths.set(key, w);
      }
      return w;
    };
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
    el,
    config,
    /** The sim module's CONSTANTS (plot limits, step counts...): never retyped in a sketch. */
    constants: Object.freeze({ ...(config.constants || {}) }),
    get state() { return state; },
    set state(next) { setState(next); },
    /** Resolves when the engine is ready (it attaches first if it has not yet). */
    get ready() { return whenReady(); },
    get visible() { return isVisible(); },
    controls,
    urlParams,
    /** The URL rules for one control: {ok, value} or {ok: false, why} (tests compare them with Python). */
    parseParam,
    params,
    call,
    act,
    reinit,
    note,
    clearNote,
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
    /** The engine connection, for tests and the benchmark. */
    engine: {
      get mode() { return engine.mode; },
      get status() { return engine.status; },
      get instance() { return engine.instance; },
      get callTimeoutMs() { return engine.callTimeoutMs; },
      set callTimeoutMs(ms) { engine.callTimeoutMs = Number(ms); },
      attach,
      retry,
      /** {instance, where, status, boots, ports, served, queued} from the engine itself. */
      async info() { await whenReady(); return request({ type: 'info' }); },
      /** Test hook: run Python in a fresh namespace in the engine; resolves with its value. */
      async runPython(code) {
        await whenReady();
        const out = JSON.parse(await request({ type: 'python', code }));
        if (out.error) throw new Error(out.error);
        return out.ok;
      },
      /** Test hooks: make the engine die, or stop answering. */
      testExit() { engine.endpoint.postMessage({ type: 'test-exit' }); },
      testHang() { engine.endpoint.postMessage({ type: 'test-hang' }); },
      /** Resolves true once the service worker caching the site for offline use is active. */
      get offlineReady() { return offlineReady || Promise.resolve(false); },
    },
  };

  // The sketch (the next script) registers its listeners before anything is dispatched.
  window.addEventListener('DOMContentLoaded', () => {
    // URL parameters that change a default need the engine to recompute the first state
    // (queued: it runs once the engine is ready, before any later action).
    if (Object.keys(urlParams).length) {
      enqueue(async () => { while (engine.status !== 'ready') await ready; }); // no attach of its own
      reinit();
    }
  });
  window.addEventListener('pagehide', (event) => {
    if (!event.persisted && engine.endpoint && engine.endpoint.postMessage) {
      try { engine.endpoint.postMessage({ type: 'bye' }); } catch (err) { /* gone */ }
    }
  });
})();
