# framing: `make reports` builds everything from data/raw; `make test` runs the suite.
# Both create .venv on first use. Run `make help` for the list of targets.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The CPU wheel; an unpinned torch would pull a CUDA build of several GB.
TORCH  := torch==2.13.0

.DEFAULT_GOAL := help
.PHONY: help venv reports test test-fast lint clean clean-venv

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo ">> creating $(VENV) and installing framing with its dev extras (first run: a few minutes)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the project (done automatically by the other targets)

reports: $(STAMP) ## Execute the notebooks on data/raw and write HTML reports to reports/
	@echo ">> executing notebooks/ and writing reports/*.html"
	$(VENV)/bin/framing reports
	@mkdir -p docs && cp reports/figures/stance_by_source.png docs/stance_by_source.png
	@echo ">> refreshed docs/stance_by_source.png (the README's figure)"

test: $(STAMP) ## Run the whole test suite (unit tests, notebooks, lint)
	@echo ">> running the full test suite"
	$(VENV)/bin/ruff check src tests
	$(PY) -m pytest

test-fast: $(STAMP) ## Run the tests not marked slow
	$(PY) -m pytest -m "not slow"

lint: $(STAMP) ## Check code style with ruff
	$(VENV)/bin/ruff check src tests

clean: ## Remove everything derived from data/raw (data/interim, data/processed, reports)
	@echo ">> removing derived files (data/raw is never touched)"
	rm -rf data/interim/* data/processed/* reports/*.html reports/figures reports/notebooks
	find . -name __pycache__ -prune -not -path './$(VENV)/*' -exec rm -rf {} +

clean-venv: ## Remove the virtual environment
	rm -rf $(VENV)
