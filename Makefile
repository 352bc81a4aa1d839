# Two commands for a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test stress bench bench-large lint typecheck format screenshots sysdeps clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# System libraries, fonts and programs Sesame needs: the Qt window's libraries, Pango
# for the PDF report, a Myanmar font, Tesseract for OCR (installed where we can;
# about 0.1 s when nothing is missing).
sysdeps:
	@$(PYTHON) tools/sysdeps.py

run: $(STAMP) sysdeps
	$(PY) main.py $(ARGS)

test: $(STAMP) sysdeps
	$(PY) -m ruff check .
	$(PY) -m mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n 2 --dist loadfile

# Stress tests run for minutes: a longer per-test timeout than pyproject's 120 s.
stress: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m slow --timeout 1800

bench: $(STAMP) sysdeps
	for b in bench/*_bench.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Search at 200,000 articles beside SQLite FTS5 (and tantivy when it installs): hours
# on a laptop, most of it building the three indexes once into BENCH_WORK; a later run
# with the same folder reuses them and only times the queries.
BENCH_WORK ?= bench-large-work
bench-large: $(STAMP) sysdeps
	$(PY) bench/compare_bench.py 200000 --work $(BENCH_WORK)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

# mypy, configured in pyproject.toml: strict for archive/, the defaults for desktop/.
typecheck: $(STAMP)
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) tools/screenshots.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
