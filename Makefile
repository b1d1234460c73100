# Entry points: `make demo`, `make test` (everything) and `make test-fast` (no e2e tests); all create the venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bytecode lint fmt bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and pinned: the machine ships these wheels, a bare `torch` could pull gigabytes.
	$(BIN)/python -m pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/python -m pip install -q -e '.[dev]'
	# torchattacks pins requests~=2.25.1 and an old robustbench; its real needs are in pyproject.
	$(BIN)/python -m pip install -q --no-deps torchattacks==3.5.1
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tltui open demo

# The suite runs on every core, at most four (pytest-xdist); `JOBS=0 make test` runs it in one process.
JOBS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(JOBS) --maxprocesses 4 --dist loadgroup

test: lint bytecode
	$(PYTEST)

# Lint and types, then the tests not marked `e2e` (no real CLI runs, jobs, demo analysis, wheel builds or tmux).
test-fast: lint bytecode
	$(PYTEST) -m "not e2e"

# Each CLI run and job a test starts imports tltui afresh: compiled once here, not by every process (an
# editable install leaves no bytecode, and PYTHONDONTWRITEBYTECODE keeps each process from writing its own).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q tltui tests

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports && $(BIN)/mypy tltui
	$(BIN)/mypy --strict tltui/base tltui/ui/model

fmt: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/tltui bench

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
