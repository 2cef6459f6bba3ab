// Forward Propagation Step-by-Step: draws the state of sims/forward.py (work in progress).
(function () {
  'use strict';
  const ms = window.microsim;
  ms.sketch({ draw(p) { p.background(240, 248, 255); } });
})();
