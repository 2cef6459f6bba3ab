"""The chapter's math in NumPy: one concept per module.

Imports only NumPy and the standard library, so the same code runs in CPython at build and
test time and in Pyodide in the reader's browser.
"""
