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

  /**
   * loadPyodide() does not reject when a runtime file cannot be fetched or compiled: it
   * reports an unhandled rejection, or nothing, and waits forever. So while it runs, every
   * fetch is watched: an HTTP error or a network failure fails the boot at once, naming the
   * file; so does an unhandled rejection, and a stall of ``timeoutMs``.
   */
  function withFailureWatch(start, timeoutMs) {
    let onReject;
    let timer;
    const realFetch = global.fetch;
    let failNow;
    const failure = new Promise((_, reject) => {
      failNow = reject;
      onReject = (event) => {
        const reason = event.reason || event.error || event.message;
        reject(new Error(reason && reason.message ? reason.message : String(reason)));
      };
      global.addEventListener('unhandledrejection', onReject);
      timer = setTimeout(() => reject(new Error(`no answer after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const fileName = (input) => String(input && input.url ? input.url : input).split('?')[0].split('/').pop();
    global.fetch = async (input, init) => {
      let response;
      try {
        response = await realFetch.call(global, input, init);
      } catch (err) {
        failNow(new Error(`could not download ${fileName(input)} (${err.message || err})`));
        throw err;
      }
      if (!response.ok) failNow(new Error(`could not download ${fileName(input)} (HTTP ${response.status})`));
      return response;
    };
    let promise;
    try {
      promise = Promise.resolve(start());
    } catch (err) {
      promise = Promise.reject(err);
    }
    return Promise.race([promise, failure]).finally(() => {
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
        pyodide = await withFailureWatch(() => global.loadPyodide(options), RUNTIME_TIMEOUT_MS);
        boots += 1;
        setStage('NumPy');
        const wanted = config.mode === 'self' ? config.packages : [...config.packages, config.engineWheel];
        await withFailureWatch(() => pyodide.loadPackage(wanted, {
          messageCallback: (msg) => { if (/^Loaded .*numpy/.test(msg)) setStage('engine'); },
          errorCallback: (msg) => loadErrors.push(msg),
        }), RUNTIME_TIMEOUT_MS);
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
