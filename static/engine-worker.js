/**
 * engine-worker.js: the one Python engine that every sim page of the site talks to.
 *
 * It runs in one of three places, chosen by static/microsim.js:
 *  - a SharedWorker (the default where the browser has one): ONE Pyodide for every sim page of
 *    this build open in the browser, all iframes of a chapter page and other tabs alike;
 *  - a dedicated Worker, one per page, where there is no SharedWorker;
 *  - the page's own main thread, as a last resort (microsim.js loads this file as a plain
 *    script and calls `MicrosimEngineHost.create()`); the status line says so.
 * In every place the page talks to it through a MessagePort-like endpoint with the same
 * messages (below), so the page code is the same in all three.
 *
 * THE INVARIANT THAT MAKES SHARING SAFE: every call is stateless. `sims._bridge.call(path,
 * args_json)` computes its result from its arguments alone (the sim's state goes in and the
 * new state comes out); nothing is kept inside Python between calls. So one interpreter can
 * serve any number of sims in any order, and a Python exception in one sim's call (returned
 * as an error result by the bridge) cannot affect another sim's calls. Keep it true: a sim
 * module must not keep module-level state that a call reads after another call wrote it.
 *
 * Messages, page -> engine:
 *   {type: 'hello', config, slug, module, visible}  attach (the first hello boots the engine;
 *                                            the sim module is imported ahead of its calls)
 *   {type: 'call', id, path, args}           args is a JSON string; answered with 'result'
 *   {type: 'visible', visible}               pages in view are served first
 *   {type: 'info', id}                       test hook: instance, boots, ports, queue length
 *   {type: 'python', id, code}               test hook: run code in a fresh namespace
 *   {type: 'bye'}                            the page goes away
 *   {type: 'test-exit'} / {type: 'test-hang'} test hooks: the engine dies / stops answering
 * Messages, engine -> page:
 *   {type: 'attached', instance, lock, where} {type: 'stage', stage}
 *   {type: 'ready', instance, boots, bootMs}   {type: 'failed', stage, message}
 *   {type: 'result', id, json}                 {type: 'info', id, info}
 */
(function (global) {
  'use strict';

  const RUNTIME_TIMEOUT_MS = 120000;
  const LOCK_PREFIX = 'nn-microsims-engine:';

  /** A short readable message for an error (the last line of a Python traceback). */
  function shortMessage(err) {
    const text = String(err && err.message ? err.message : err);
    if (!text.includes('Traceback (most recent call last)')) return text;
    const lines = text.trim().split('\n').filter((l) => l.trim());
    return lines[lines.length - 1].trim();
  }

  /** A file name short enough for a one-line status: numpy-2.0.2-cp312-…-wasm32.whl → numpy-2.0.2-…whl */
  const shortName = (name) => (name.length > 28 ? `${name.slice(0, 12)}…${name.slice(name.lastIndexOf('.') + 1)}` : name);
  const STALL_MS = 20000; // a watched download that gets no byte for this long has stalled
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

  /**
   * loadPyodide() does not reject when a runtime file cannot be fetched or compiled: it
   * reports an unhandled rejection, or nothing, and waits forever (a truncated
   * pyodide.asm.wasm hung it for minutes). So while it runs, every fetch is watched: an HTTP
   * error or a network failure fails the boot at once, naming the file; so does an unhandled
   * rejection, and a stall of ``timeoutMs``. A file the build wrote down in ``files`` (name ->
   * {size, sha256}) is also read on a side branch of its response (the consumer still streams
   * it): a size or hash that differs, a cut connection, or 20 s without a byte fail the boot
   * naming the file.
   */
  function withFailureWatch(start, timeoutMs, files = {}, reload = false) {
    let onReject;
    let timer;
    const realFetch = global.fetch;
    let failNow;
    let finished = false;
    const checks = []; // the running size-and-hash checks of watched files
    const failure = new Promise((_, reject) => {
      failNow = (err) => { if (!finished) reject(err); };
      onReject = (event) => {
        const reason = event.reason || event.error || event.message;
        reject(new Error(reason && reason.message ? reason.message : String(reason)));
      };
      global.addEventListener('unhandledrejection', onReject);
      timer = setTimeout(() => reject(new Error(`no answer after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const fileName = (input) => String(input && input.url ? input.url : input).split('?')[0].split('/').pop();

    /** Read a copy of a watched response to its end: its size, its hash, stalls. */
    async function check(file, response, want) {
      const name = shortName(file);
      const damaged = (what) => new Error(`${name} is damaged or incomplete (${what}): the download failed`);
      // (not Content-Length: a host that gzips the file sends the compressed size; the bytes
      // read here are the decoded ones, which is what the build measured)
      const reader = response.body.getReader();
      const chunks = [];
      let got = 0;
      let stall;
      const stalled = () => failNow(new Error(`the download of ${name} stalled after ${mb(got)} of ${mb(want.size)}`));
      try {
        for (;;) {
          clearTimeout(stall);
          stall = setTimeout(stalled, STALL_MS);
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          got += value.byteLength;
        }
      } catch (err) {
        failNow(new Error(`the download of ${name} was cut off after ${mb(got)} of ${mb(want.size)}`));
        return;
      } finally {
        clearTimeout(stall);
      }
      if (got !== want.size) {
        failNow(damaged(`${mb(got)} of ${mb(want.size)}`));
        return;
      }
      const data = new Uint8Array(got);
      let at = 0;
      for (const chunk of chunks) { data.set(chunk, at); at += chunk.byteLength; }
      const digest = hex(await global.crypto.subtle.digest('SHA-256', data));
      if (digest !== want.sha256) failNow(damaged('its SHA-256 differs from the build\'s'));
    }

    global.fetch = async (input, init) => {
      const name = fileName(input);
      const want = Object.prototype.hasOwnProperty.call(files, name) ? files[name] : null;
      let response;
      try {
        // a retry does not take a runtime file from the HTTP cache: it may be the damaged copy
        const options = want && reload ? { ...(init || {}), cache: 'reload' } : init;
        response = await realFetch.call(global, input, options);
      } catch (err) {
        const why = want ? 'connection failed or file damaged' : (err.message || err);
        failNow(new Error(`could not download ${shortName(name)} (${why})`));
        throw err;
      }
      if (!response.ok) failNow(new Error(`could not download ${shortName(name)} (HTTP ${response.status})`));
      else if (want && response.body && global.crypto && global.crypto.subtle) checks.push(check(name, response.clone(), want));
      return response;
    };
    let promise;
    try {
      promise = Promise.resolve(start());
    } catch (err) {
      promise = Promise.reject(err);
    }
    // done when the start is done and every watched file has passed its check
    const checked = promise.then(async (value) => { await Promise.all(checks); return value; });
    return Promise.race([checked, failure]).finally(() => {
      finished = true;
      global.fetch = realFetch;
      global.removeEventListener('unhandledrejection', onReject);
      clearTimeout(timer);
    });
  }

  /**
   * One engine host: boots Pyodide once, then answers calls from every connected endpoint.
   * ``loadScript(url)`` loads pyodide.js (importScripts in a worker, a <script> on a page).
   */
  function create({ loadScript, where }) {
    const instance = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const endpoints = new Map(); // endpoint -> {slug, visible}
    const queue = []; // pending calls: {endpoint, id, path, args}
    let status = 'idle'; // idle | booting | ready | failed
    let stage = null;
    let failure = null;
    let pyCall = null; // the long-lived proxies: sims._bridge.call and .prepare
    let pyPrepare = null;
    let pyodide = null;
    let boots = 0;
    let bootMs = null;
    let served = 0;

    // A Web Lock held for the engine's whole life: a page that asks for the same lock is
    // granted it only when the engine has died, which is how pages notice a crash.
    const lockName = LOCK_PREFIX + instance;
    let lockHeld = Promise.resolve(false);
    const locks = global.navigator && global.navigator.locks;
    if (locks && where !== 'main') {
      lockHeld = new Promise((resolve) => {
        locks.request(lockName, () => {
          resolve(true);
          return new Promise(() => {}); // never released while the engine lives
        }).catch(() => resolve(false));
      });
    }

    const send = (endpoint, message) => {
      try {
        endpoint.postMessage(message);
      } catch (err) {
        endpoints.delete(endpoint);
      }
    };
    const broadcast = (message) => endpoints.forEach((_, endpoint) => send(endpoint, message));
    const setStage = (next) => {
      stage = next;
      broadcast({ type: 'stage', stage });
    };

    function fail(message) {
      status = 'failed';
      failure = { type: 'failed', stage, message };
      broadcast(failure);
      queue.length = 0; // the pages keep their own queues; they retry on a fresh engine
    }

    async function boot(config) {
      status = 'booting';
      const t0 = Date.now();
      const loadErrors = [];
      try {
        setStage('runtime');
        await loadScript(`${config.indexURL}pyodide.js`);
        if (typeof global.loadPyodide !== 'function') {
          throw new Error('the Pyodide runtime (pyodide.js) did not load');
        }
        const options = { indexURL: config.indexURL };
        if (config.lockFileURL) options.lockFileURL = config.lockFileURL;
        const files = config.files || {};
        pyodide = await withFailureWatch(() => global.loadPyodide(options), RUNTIME_TIMEOUT_MS, files, config.reload);
        boots += 1;
        setStage('NumPy');
        const wanted = config.mode === 'self' ? config.packages : [...config.packages, config.engineWheel];
        await withFailureWatch(() => pyodide.loadPackage(wanted, {
          messageCallback: (msg) => { if (/^Loaded .*numpy/.test(msg)) setStage('engine'); },
          errorCallback: (msg) => loadErrors.push(msg),
        }), RUNTIME_TIMEOUT_MS, files, config.reload);
        setStage('engine');
        try {
          // NumPy's import (~0.7 s here) belongs to the boot, not to the first slider move
          pyodide.runPython('import numpy\nimport sims._bridge');
        } catch (err) {
          // a wheel that did not download or install: say which, not a traceback
          throw new Error(loadErrors.length ? loadErrors.join('; ') : shortMessage(err));
        }
        pyCall = pyodide.runPython('sims._bridge.call');
        pyPrepare = pyodide.runPython('sims._bridge.prepare');
        bootMs = Date.now() - t0;
        status = 'ready';
        broadcast({ type: 'ready', instance, boots, bootMs });
        schedule();
      } catch (err) {
        fail(shortMessage(err));
      }
    }

    // ---- the call queue: one call at a time, pages in view first, each page's calls in order
    let scheduled = false;
    const tick = new MessageChannel();
    tick.port1.onmessage = () => {
      scheduled = false;
      runOne();
    };
    function schedule() {
      if (!scheduled && status === 'ready' && queue.length) {
        scheduled = true;
        tick.port2.postMessage(0);
      }
    }
    function runOne() {
      if (status !== 'ready' || !queue.length) return;
      let index = queue.findIndex((c) => (endpoints.get(c.endpoint) || {}).visible);
      if (index < 0) index = 0;
      const [job] = queue.splice(index, 1);
      if (job.prepare) {
        if (endpoints.has(job.endpoint)) pyPrepare(job.prepare);
      } else if (endpoints.has(job.endpoint)) {
        let json;
        try {
          json = pyCall(job.path, job.args);
          served += 1;
        } catch (err) {
          // the bridge catches every Python exception, so this is the interpreter itself
          const message = `the engine crashed: ${shortMessage(err)}`;
          json = JSON.stringify({ error: message, type: 'EngineCrash', detail: '' });
          send(job.endpoint, { type: 'result', id: job.id, json });
          fail(message);
          return;
        }
        send(job.endpoint, { type: 'result', id: job.id, json });
      }
      schedule();
    }

    function runTestPython(code) {
      const ns = pyodide.globals.get('dict')();
      try {
        const out = pyodide.runPython(code, { globals: ns });
        if (out && typeof out.destroy === 'function') {
          const text = String(out);
          out.destroy();
          return text;
        }
        return out;
      } finally {
        ns.destroy();
      }
    }

    async function onMessage(endpoint, msg) {
      if (!msg || typeof msg !== 'object') return;
      const info = endpoints.get(endpoint);
      switch (msg.type) {
        case 'hello': {
          endpoints.set(endpoint, { slug: String(msg.slug || ''), visible: Boolean(msg.visible) });
          // import the page's sim module ahead of its first call, in that page's turn
          if (msg.module && status !== 'failed') {
            queue.push({ endpoint, prepare: String(msg.module) });
            schedule();
          }
          const held = await lockHeld;
          send(endpoint, { type: 'attached', instance, lock: held ? lockName : null, where });
          if (status === 'idle') boot(msg.config);
          else if (status === 'booting') send(endpoint, { type: 'stage', stage });
          else if (status === 'ready') send(endpoint, { type: 'ready', instance, boots, bootMs });
          else send(endpoint, failure);
          break;
        }
        case 'call':
          if (!info) return;
          if (status === 'failed') {
            send(endpoint, failure);
            return;
          }
          queue.push({ endpoint, id: msg.id, path: String(msg.path), args: String(msg.args || '{}') });
          schedule();
          break;
        case 'visible':
          if (info) info.visible = Boolean(msg.visible);
          break;
        case 'info':
          send(endpoint, {
            type: 'info',
            id: msg.id,
            info: { instance, where, status, boots, bootMs, served, ports: endpoints.size, queued: queue.length },
          });
          break;
        case 'python': {
          let result;
          try {
            result = status === 'ready' ? { ok: runTestPython(String(msg.code)) } : { error: `the engine is ${status}` };
          } catch (err) {
            result = { error: shortMessage(err) };
          }
          send(endpoint, { type: 'result', id: msg.id, json: JSON.stringify(result) });
          break;
        }
        case 'bye':
          endpoints.delete(endpoint);
          for (let i = queue.length - 1; i >= 0; i -= 1) if (queue[i].endpoint === endpoint) queue.splice(i, 1);
          break;
        case 'test-exit':
          if (typeof global.close === 'function' && where !== 'main') global.close();
          break;
        case 'test-hang':
          status = 'hung'; // accepts calls, never answers them
          break;
        default:
          break;
      }
    }

    /** Connect an endpoint (a MessagePort, or a dedicated worker's global scope). */
    function connect(endpoint) {
      endpoint.addEventListener('message', (event) => onMessage(endpoint, event.data));
      if (typeof endpoint.start === 'function') endpoint.start();
    }

    return { connect, instance };
  }

  const inWorker = typeof global.WorkerGlobalScope !== 'undefined' && global instanceof global.WorkerGlobalScope;
  if (!inWorker) {
    // On a page: microsim.js creates a host on the main thread (the last-resort mode).
    const loadScript = (url) => new Promise((resolve, reject) => {
      if (typeof global.loadPyodide === 'function') return resolve();
      const el = document.createElement('script');
      el.src = url;
      el.onload = () => resolve();
      el.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(el);
    });
    global.MicrosimEngineHost = { create: () => create({ loadScript, where: 'main' }) };
    return;
  }
  const loadScript = async (url) => {
    if (typeof global.loadPyodide !== 'function') global.importScripts(url);
  };
  if (typeof global.SharedWorkerGlobalScope !== 'undefined' && global instanceof global.SharedWorkerGlobalScope) {
    const host = create({ loadScript, where: 'shared' });
    global.addEventListener('connect', (/** @type {MessageEvent} */ event) => host.connect(event.ports[0]));
  } else {
    const host = create({ loadScript, where: 'worker' });
    host.connect(global);
  }
})(self);
