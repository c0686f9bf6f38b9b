# The whole set-up on a fresh machine is `make fit` (train the default plugin) and
# `make test` (the test suite); each makes its own virtual environment first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LANDMARK := $(VENV)/bin/landmark
# Debian packages the tests need (installed by `make test`; apt-get needs root, as in CI).
DEB_PACKAGES ?= dataset-fashion-mnist
FIT_CONFIG ?= configs/backprop1986/symmetry.yaml

.PHONY: fit test deb-packages bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The example third-party plugin package, installed as a user would install one.
$(VENV)/.example-plugin: $(VENV)/.installed tests/example_plugin/pyproject.toml
	$(PY) -m pip install -q --no-deps -e tests/example_plugin
	touch $@

fit: $(VENV)/.installed
	$(LANDMARK) fit --config $(FIT_CONFIG)

deb-packages:
	@if [ -n "$(strip $(DEB_PACKAGES))" ]; then \
	  missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; fi; \
	fi

test: $(VENV)/.installed $(VENV)/.example-plugin deb-packages
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) benchmarks/overhead.py

clean:
	rm -rf runs lightning_logs .pytest_cache
