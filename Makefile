# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make run    installs Miarka in .venv and serves the shipped real data (embedded PostgreSQL)
#   make test   installs Miarka with its test tools and runs lint and every test tier (CI)
#   make test-fast  the default tier only: needs PostgreSQL and Redis, nothing else
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Two workers (pytest-xdist); the browser and fuzz tiers each stay on one worker (loadgroup).
PYTEST_WORKERS ?= 2
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: install run test test-fast test-deps bench-deps lint format clean audit

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Miarka needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "python -m venv failed; on Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/miarka serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint test-deps
	$(BIN)/pytest --all-tiers $(PYTEST_XDIST) --durations=15

test-fast: install
	$(BIN)/pytest $(PYTEST_XDIST)

# System packages of the marked tiers, installed here and never by a test: Debian's chromium
# (browser tier; never a browser downloaded by Playwright) and LibreOffice Calc (spreadsheet).
test-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-calc"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "the browser and spreadsheet tiers need:$$missing (sudo apt-get install$$missing)"; \
		exit 1; \
	fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q && \
	for deb in $$missing; do \
		case $$deb in \
			chromium) apt-get install -y -q chromium ;; \
			*) apt-get install -y -q --no-install-recommends $$deb ;; \
		esac || exit 1; \
	done

# What bench/run.py drives besides Python: Debian's wrk (HTTP load on 127.0.0.1 only).
bench-deps: install
	@command -v wrk >/dev/null && exit 0; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "bench/run.py needs wrk (sudo apt-get install wrk)"; exit 1; \
	fi; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk || \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }

# Fails on a known vulnerability; on a network without PyPI's advisory API every package is
# reported "not audited" (listed), which is not a pass of the audit.
audit: install
	$(BIN)/pip-audit --skip-editable --progress-spinner off

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
