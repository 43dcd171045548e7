# Every target sets up what it needs: a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-large mutate check clean report

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; install Python 3.11 or run make PYTHON=python3"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## run: install groom and run it on the example backlog: check, list, sprint-candidates
run: $(STAMP)
	$(BIN)/groom check
	$(BIN)/groom list
	$(BIN)/groom sprint-candidates

## lint: mypy --strict and ruff
lint: $(STAMP)
	$(BIN)/ruff check groom tests bench
	$(BIN)/ruff format --check groom tests bench
	$(BIN)/mypy

## test: lint, the whole test suite, and groom check on our own backlog (dogfooding)
test: lint
	$(BIN)/python -m pytest
	$(BIN)/groom check

## bench: wall time and peak memory on generated 1,000 and 10,000 story backlogs
bench: $(STAMP)
	$(BIN)/python bench/bench.py

## bench-large: the floor and the warm-cache rows on a generated 100,000-story backlog (minutes)
bench-large: $(STAMP)
	$(BIN)/python bench/bench.py --large

## mutate: mutation testing of the deciding modules on the unit tests (mutmut; minutes, not in make test)
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet "mutmut>=3.3"
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 > /dev/null || true
	$(BIN)/python bench/mutation_score.py

## report: the example's report.html and a screenshot of it, report.png (needs chromium; both ignored by git)
report: $(STAMP)
	$(BIN)/groom report --out report.html
	@command -v chromium >/dev/null || { echo "make: chromium not found; apt-get install -y chromium for report.png"; exit 2; }
	$(BIN)/python -m tests.browser report.html report.png

clean:
	rm -rf $(VENV) .groom_cache .mypy_cache .ruff_cache .pytest_cache .hypothesis mutants build *.egg-info
