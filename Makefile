# The README's two commands are `make serve` and `make test`; `make build` stops after building.
# Each sets everything up from a fresh clone: a virtual environment, the Python packages, the
# pinned npm assets, the verified NumPy wheel (fetched by build.py), and for tests a Chromium.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: setup build serve test test-fast chromium lint fmt bench screenshots clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (apt-get install npm)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

setup: $(VENV)/.installed node_modules/.installed

build: setup
	$(PY) build.py

serve: build
	$(PY) build.py serve --port $(PORT)

# Chromium for the browser tests: $CHROMIUM, else /usr/bin/chromium, else Debian's package
# (as root), else Playwright's own download.
chromium: setup
	@if [ -n "$$CHROMIUM" ] && [ -x "$$CHROMIUM" ]; then echo "Chromium: $$CHROMIUM"; \
	elif [ -x /usr/bin/chromium ]; then echo "Chromium: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  && echo "Chromium: installed Debian's chromium"; \
	else $(PY) -m playwright install chromium; fi

test: setup chromium lint
	$(PY) build.py
	$(PY) -m pytest $(PYTEST_ARGS)

# The engine, the sims' Python side and the build, without a browser: a quick check while editing.
test-fast: setup
	$(PY) build.py
	$(PY) -m pytest -q tests/engine tests/sims tests/build

# ruff, mypy over engine/ sims/ build.py, and tsc over the JSDoc types of static/ (pinned in
# pyproject.toml and package.json).
lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	node_modules/.bin/tsc -p tsconfig.json

fmt: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Engine timings (CPython), then the chapter page vs a bare Pyodide page in Chromium.
bench: build chromium
	$(PY) bench/engine_bench.py
	$(PY) bench/chapter_bench.py
	$(PY) bench/soak_bench.py

screenshots: build chromium
	$(PY) tests/browser/screenshots.py

clean:
	rm -rf site build *.egg-info .pytest_cache
