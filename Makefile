# The two commands of the README: `make run` and `make test`. Everything they need is
# installed into .venv from setup.cfg, so a fresh machine needs nothing by hand.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test check lint typecheck pytest format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files make re-runs cheap; they are redone whenever the packaging or the C sources of
# the optional speed-ups (built in place by setup.py) change.
ACCEL  := $(wildcard translators/_accel/*.c translators/_accel/*.h)
PACKAGING := setup.cfg setup.py pyproject.toml $(ACCEL)

$(VENV)/.run-installed: $(BIN)/python $(PACKAGING)
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: $(BIN)/python $(PACKAGING)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/edigw serve

# Scenario A against the gateway `make run` started (in another terminal): plays ACME Freight
# over AS2 with demo keys it makes under var/demo-keys (docs/decisions/0004-demo-keys.md).
.PHONY: demo
demo: $(VENV)/.run-installed
	$(BIN)/edigw demo scenario-a

# Lint, format check and types, then the whole suite. pytest's exit 5 ("no tests
# collected") is a failure here: an empty run must never look green.
test: $(VENV)/.dev-installed check pytest

check: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: $(VENV)/.dev-installed
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev-installed
	@for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
