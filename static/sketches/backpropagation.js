// Backpropagation Step-by-Step: draws the state of sims/backprop.py (placeholder, replaced next).
(function () {
  'use strict';
  const ms = window.microsim;
  ms.sketch({ draw(p) { p.background(240, 248, 255); p.fill(20); p.textSize(16); p.text(ms.state.message, 10, 30); } });
})();
