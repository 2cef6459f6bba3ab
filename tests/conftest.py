"""Settings shared by every test.

Hypothesis runs derandomized by default: the property and fuzz tests draw the same examples on
every run, so `make test` on a fresh clone (CI) cannot fail by the luck of the draw. To search
new examples, run with ``HYPOTHESIS_PROFILE=explore`` (random draws, more of them); a failure it
finds prints the example, which then belongs in a regular test.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, max_examples=500, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
