// Globals of the browser code, for `tsc --checkJs` (make lint). Nothing here is shipped.

/** The p5.js constructor (vendor/p5/p5.min.js); sketches get an instance. */
declare const p5: any;

interface Window {
  /** static/microsim.js's public API, extended by static/sketch-kit.js. */
  microsim: any;
  /** Pyodide's loader (pyodide.js), in the engine worker or the main-thread fallback. */
  loadPyodide: (options: object) => Promise<any>;
  /** static/engine-worker.js's engine, when it runs on the page itself (last resort). */
  MicrosimEngineHost: any;
  WorkerGlobalScope: any;
  SharedWorkerGlobalScope: any;
  /** Layout exports read by the browser tests. */
  __fpPositions: unknown;
  __nnArchLayout: unknown;
}
