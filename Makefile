# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DATA ?= data
SERVER_PORT ?= 8700
APP_PORT ?= 8550

.PHONY: run test check install system-deps lint bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[server,web,dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

system-deps:
	bash .ci/system-deps

lint: install
	$(PY) -m ruff check app sync tests bench main.py run.py
	$(PY) -m mypy app sync run.py

test: install system-deps lint
	$(PY) -m pytest

# The fast loop: lint, types and every test that needs no browser and no
# PostgreSQL, the long random ones with fewer tries (tests/sizes.py), on both
# cores (`make test` runs them all in full, one at a time, as CI does).
check: install lint
	$(PY) -m pytest --quick -q -n 2

# The demo: the central store and two phones (the specialist's on APP_PORT, the
# supervisor's on the next port), data and logs under DATA. run.py checks the
# ports, says where everything is once all answer, and Ctrl+C stops them all.
run: install
	@$(PY) run.py --data $(DATA) --server-port $(SERVER_PORT) --app-port $(APP_PORT)

bench: install system-deps
	$(PY) bench/store.py
	$(PY) bench/due.py
	$(PY) bench/team.py
	$(PY) bench/app.py
	$(PY) bench/sync.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
