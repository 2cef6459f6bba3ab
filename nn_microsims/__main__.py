"""``python -m nn_microsims``: the same as the ``nn-microsims`` command."""

import sys

from nn_microsims.cli import main

sys.exit(main())
