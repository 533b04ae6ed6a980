# Quick start: `make demo` runs the chain on the bundled example, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint test-project test-example compiled test-compiled bench golden generated clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "mono2lambda needs Python 3.10 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mono2lambda demo

test: lint test-project test-example

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy analyzer extractor mono2lambda

test-project: $(STAMP)
	$(BIN)/python -m pytest tests

test-example: $(STAMP)
	cd examples/shop && ../../$(BIN)/python -m pytest -q -p no:cacheprovider
	cd examples/ingest && ../../$(BIN)/python -m pytest -q -p no:cacheprovider

# The compiled build (docs/compiled-build.md), as `pip install .` makes it: a wheel with the analyzer's hot modules compiled
# by mypyc (the dev venv's pinned mypy, no build isolation), installed with the test extra into a venv of its
# own. The dev venv and its editable install stay pure Python.
COMPILED_VENV ?= .venv-compiled
COMPILED_BIN := $(COMPILED_VENV)/bin
COMPILED_STAMP := $(COMPILED_VENV)/.installed
compiled: $(COMPILED_STAMP)
$(COMPILED_STAMP): $(STAMP) setup.py pyproject.toml $(shell find analyzer -name '*.py')
	rm -rf build dist/compiled $(COMPILED_VENV)
	M2L_MYPYC=1 $(BIN)/python -m pip wheel --quiet --no-build-isolation --no-deps . -w dist/compiled
	$(PYTHON) -m venv $(COMPILED_VENV)
	$(COMPILED_BIN)/python -m pip install --quiet --upgrade pip
	$(COMPILED_BIN)/python -m pip install --quiet "$$(ls dist/compiled/mono2lambda-*.whl)[test]"
	@touch $(COMPILED_STAMP)

# The same tests against the compiled build. The pytest script (not `python -m`, which puts the current folder
# first) and --import-mode=append keep the source tree's analyzer off the front of sys.path;
# M2L_EXPECT_COMPILED=1 makes tests/conftest.py stop the run if it is imported anyway.
test-compiled: $(COMPILED_STAMP)
	PYTHONPATH= M2L_EXPECT_COMPILED=1 $(COMPILED_BIN)/pytest --import-mode=append -p no:cacheprovider tests

# Every benchmark in turn (each prints its figures against its goal); fails if one missed. The analyze figures
# are held to their goals with the compiled build, which `pip install .` installs (docs/compiled-build.md); the
# dev venv's pure-Python editable install is measured as well, for comparison only.
BENCHES := startup_bench.py serve_bench.py score_bench.py "score_bench.py --real" \
	select_bench.py "select_bench.py --real" select_page_bench.py "select_page_bench.py --real" report_bench.py \
	local_transport_bench.py
bench: $(STAMP) $(COMPILED_STAMP)
	@failed=""; \
	echo "== benchmarks/analyze_bench.py --installed --skip-pyan, with $(COMPILED_BIN)/python (the compiled build)"; \
	$(COMPILED_BIN)/python benchmarks/analyze_bench.py --installed --skip-pyan || failed="$$failed [analyze_bench.py]"; \
	echo "== benchmarks/analyze_bench.py with the dev venv (pure Python, for comparison: its misses do not fail)"; \
	$(BIN)/python benchmarks/analyze_bench.py || true; \
	for bench in $(BENCHES); do \
		echo "== benchmarks/$$bench"; \
		$(BIN)/python benchmarks/$$bench || failed="$$failed [$$bench]"; \
	done; \
	if [ -n "$$failed" ]; then echo "missed or failed:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) $(COMPILED_VENV) .mono2lambda build dist

# Refresh the golden snapshot of the example's graph after a reviewed analyzer change.
golden: $(STAMP)
	$(BIN)/mono2lambda analyze examples/shop --out .mono2lambda/golden --no-cache > /dev/null
	cp .mono2lambda/golden/graph.json tests/golden/shop-graph.json

# Refresh the committed extraction of the example (tests/extractor/test_extract.py compares it).
EXTRACTED := --service accounts --service cart --service catalog --service inventory --service notifications \
	--service payments --service pricing --service rates --service tax
generated: $(STAMP)
	$(BIN)/mono2lambda analyze examples/shop --out .mono2lambda/golden --no-cache > /dev/null
	$(BIN)/mono2lambda extract --plan examples/shop/boundaries.yaml --graph .mono2lambda/golden/graph.json \
		--out generated $(EXTRACTED)
