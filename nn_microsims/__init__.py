"""The author command, ``nn-microsims export``: the sims and their runtime into a MkDocs book.

``cli`` (the command line), ``export`` (what is written where, the manifest, the printed
mkdocs.yml lines and snippets), ``npm`` (the pinned Pyodide and p5.js from the npm registry,
without Node.js). The build itself is build.py's, found by ``_source``.
"""
