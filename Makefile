# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DATA ?= data
SERVER_PORT ?= 8700
APP_PORT ?= 8550

.PHONY: run test install system-deps lint bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[server,web,dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

system-deps:
	bash .ci/system-deps

lint: install
	$(PY) -m ruff check app sync tests bench main.py
	$(PY) -m mypy app sync

test: install system-deps lint
	$(PY) -m pytest

# The central store on its embedded SQLite default, then the app; stopping the
# app stops the store.
run: install
	@mkdir -p $(DATA)
	$(PY) -m sync.server demo --db sqlite:///$(DATA)/central.db
	@$(PY) -m sync.server serve --db sqlite:///$(DATA)/central.db --port $(SERVER_PORT) & \
	  server=$$!; trap 'kill $$server 2>/dev/null' EXIT INT TERM; \
	  $(PY) main.py --port $(APP_PORT)

bench: install system-deps
	$(PY) bench/store.py
	$(PY) bench/due.py
	$(PY) bench/app.py
	$(PY) bench/sync.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
