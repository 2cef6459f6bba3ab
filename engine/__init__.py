"""The chapter's math in NumPy: one concept per module.

Imports only NumPy and the standard library, so the same code runs in CPython at build and
test time and in Pyodide in the reader's browser.

Conventions (the chapter's own), which every module follows:

- Dense layers: ``W`` has shape ``(n_out, n_in)``, ``b`` ``(n_out, 1)``, a batch is columns:
  ``X`` ``(n_in, m)``, and ``Z = W @ A + b``.
- Images ``(C, H, W)``, batches ``(N, C, H, W)``, kernels ``(C_out, C_in, kh, kw)``.
  Convolution is cross-correlation as in the chapter (no kernel flip);
  ``out = (in - k + 2p) // s + 1``; "valid" is no padding, "same" keeps the size at stride 1.
- Randomness is always an explicit ``numpy.random.Generator`` argument.
- Softmax, sigmoid and log-softmax are numerically stable; cross-entropy never takes ``log(0)``.
- Shape errors raise a ``ValueError`` subclass whose message names the shapes and the rule
  broken, written for a student.
- Each activation carries its derivative next to it; each forward step has its backward beside it.
"""
