# make book  - set up .venv, prepare the data, build the HTML site into _build/html
#              (only chapters whose code changed are re-executed: Jupyter Book's cache mode)
# make test  - set up .venv, prepare the data, run unit tests and strict nbval on every chapter
#              (JOBS pytest workers x TEST_THREADS torch threads: see below)
# make pdf   - the whole book as one PDF: _build/pdf/book.pdf (tools/pdf.py), then its tests
# make lab   - open the notebooks in Jupyter Lab
# make lighthouse - Lighthouse 12.2.3 (mobile) on three pages of the built site: its four scores
# make refresh NB=chapters/x.ipynb - sync it with texts/x.md, re-run it top to bottom, store outputs
# Other targets: site-test, test-ipywidgets7, notes-check, unit, nbval, texts, refresh-all,
# bench, colab-cell, exercise-cells, clean. CI runs .ci/run. Build elsewhere: make book BUILD_DIR=/tmp/b
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONSTRAINTS := constraints/docs.txt
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))
# make test runs $(JOBS) pytest workers, each chapter kernel with $(TEST_THREADS) torch thread(s).
# Measured on 2 idle cores: 2 workers x 1 thread 74 s; 1 worker x 1 thread 126 s; 1 worker x
# 2 threads 124 s; 2 workers x 2 threads 161 s (oversubscribed cores: torch's threads spin).
# Every stored output is the same with 1 or 2 threads (nbval passes both ways).
JOBS   ?= 2
TEST_THREADS ?= 1
# Where the book is built: $(BUILD_DIR)/_build/{html,singlehtml,pdf,.jupyter_cache}.
BUILD_DIR ?= .
BUILD  := $(BUILD_DIR)/_build
CACHE  := $(BUILD)/.jupyter_cache
# Everything the notebooks run besides their own cells: when one of these changes, every
# chapter must run again (jupyter-cache only looks at the notebooks' code cells).
CACHE_INPUTS := $(shell find d2lhelpers -name '*.py' -o -name '*.js' -o -name '*.css' 2>/dev/null) \
                pyproject.toml $(CONSTRAINTS)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with sanitize.cfg
# Node tools, pinned in package.json + package-lock.json, installed by `npm ci` into their
# node_modules/ (git-ignored; no CDN at build or test time): KaTeX (the site's formulas, typeset
# at build time) and axe-core (site-test) in tools/node; Lighthouse in tools/lighthouse.
NPM    ?= npm
NODE_TOOLS := tools/node/node_modules/.installed
LIGHTHOUSE := tools/lighthouse/node_modules/.installed
LIGHTHOUSE_PAGES ?= intro chapters/03_losses chapters/06_softmax_scratch
# Colab's ipywidgets (7.7.x), shadowing the venv's 8.x through PYTHONPATH (make test-ipywidgets7).
IPYW7  := $(VENV)/ipywidgets7
IPYW7_CHAPTER := chapters/03_losses.ipynb

.PHONY: setup data book book-force test unit nbval site-test test-ipywidgets7 pdf notes-check seed-check \
        lab refresh refresh-all texts bench colab-cell exercise-cells clean lighthouse node-tools

setup: $(STAMP)

# One dependency source: pyproject.toml (runtime + extras book, dev), installed WITH their
# dependencies under the documentation toolchain's constraints, then checked by pip check.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@echo "== Creating $(VENV) and installing .[book,dev] (first time: a few minutes, torch is large)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[book,dev]' -c $(CONSTRAINTS)
	$(BIN)/pip check
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (book .venv)" >/dev/null
	touch $(STAMP)

node-tools: $(NODE_TOOLS)

$(NODE_TOOLS): tools/node/package.json tools/node/package-lock.json
	@echo "== Node tools (KaTeX, axe-core) from tools/node/package-lock.json"
	@command -v node >/dev/null || { echo "make: Node.js (node, npm) is needed: https://nodejs.org or apt-get install nodejs npm" >&2; exit 1; }
	cd tools/node && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

$(LIGHTHOUSE): tools/lighthouse/package.json tools/lighthouse/package-lock.json
	@echo "== Lighthouse from tools/lighthouse/package-lock.json"
	cd tools/lighthouse && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

data: setup
	@echo "== Locating / preparing Fashion-MNIST (D2L_DATA_DIR, else ~/.cache/d2l)"
	$(BIN)/python -c "import d2lhelpers as d; print('Fashion-MNIST ready in', d.fashion_mnist_dir())"

# The cache is emptied when d2lhelpers or the toolchain changed (so is it by make book-force).
$(BUILD)/.cache-inputs: $(CACHE_INPUTS)
	@echo "== d2lhelpers or the toolchain changed: every chapter will be executed again"
	rm -rf $(CACHE) $(BUILD)/.doctrees
	mkdir -p $(BUILD)
	touch $@

book: data $(NODE_TOOLS) $(BUILD)/.cache-inputs
	@echo "== Building the book (chapters whose code changed are executed; any error or warning fails the build)"
	$(BIN)/jupyter-book build . -W -n --keep-going --path-output $(BUILD_DIR)
	@echo "== Site: $(BUILD)/html/index.html"

book-force:
	rm -rf $(CACHE)
	$(MAKE) --no-print-directory book

unit: data
	@echo "== Unit and property tests of d2lhelpers"
	$(BIN)/pytest tests -q --ignore=tests/site --ignore=tests/pdf

nbval: data
	@echo "== Strict nbval: every chapter re-executed and its outputs compared with the stored ones"
	$(BIN)/pytest $(NBVAL) chapters -q

# Unit tests and strict nbval in one pytest run on $(JOBS) workers. --dist loadfile keeps each
# file (a notebook's cells share one kernel) on one worker; files are handed out in the order
# given, so the chapters (the long ones) go first and the unit test files fill in around them.
test: data
	@echo "== Unit tests + strict nbval of every chapter ($(JOBS) workers)"
	OMP_NUM_THREADS=$(TEST_THREADS) $(BIN)/pytest -q -n $(JOBS) --dist loadfile $(NBVAL) \
	    chapters tests --ignore=tests/site --ignore=tests/pdf

site-test: book
	@echo "== The built site in headless Chromium (and axe-core on every page, both modes, two widths)"
	BOOK_HTML=$(BUILD)/html $(BIN)/pytest tests/site -q -n 2 --dist loadfile

# Lighthouse (mobile: a mid-range phone on a slow 4G link, simulated) on $(LIGHTHOUSE_PAGES) of
# the built site, served locally; prints performance, accessibility, best practices and SEO.
# Goals: >= 90, 100, >= 96, >= 95. Not part of CI (it takes a few minutes); reports in
# $(BUILD)/lighthouse/.
lighthouse: $(LIGHTHOUSE)
	@test -f $(BUILD)/html/index.html || { echo "make lighthouse: no site in $(BUILD)/html: run make book first" >&2; exit 1; }
	$(BIN)/python tools/lighthouse.py --site $(BUILD)/html --out $(BUILD)/lighthouse $(LIGHTHOUSE_PAGES)

$(IPYW7)/.installed: $(STAMP)
	rm -rf $(IPYW7)
	$(BIN)/pip install --quiet --no-deps --target $(IPYW7) 'ipywidgets==7.7.*' \
	    'widgetsnbextension==3.6.*' 'jupyterlab-widgets==1.*' 'ipython_genutils==0.2.*'
	touch $@

# Colab's path: the widget tests and one chapter under strict nbval with ipywidgets 7.7, in
# this process and in the kernels nbval starts (tests/test_environment.py checks both).
test-ipywidgets7: data $(IPYW7)/.installed
	@echo "== Widget tests and $(IPYW7_CHAPTER) with Colab's ipywidgets 7.7"
	PYTHONPATH=$(abspath $(IPYW7)) $(BIN)/python -c "import ipywidgets, sys; \
	    print('ipywidgets', ipywidgets.__version__, 'from', ipywidgets.__file__); \
	    sys.exit(not ipywidgets.__version__.startswith('7.7.'))"
	PYTHONPATH=$(abspath $(IPYW7)) D2L_EXPECT_IPYWIDGETS=7.7 OMP_NUM_THREADS=$(TEST_THREADS) \
	    $(BIN)/pytest -q -n $(JOBS) \
	    --dist loadfile $(NBVAL) tests/test_environment.py tests/test_widgets.py tests/test_selfcheck.py $(IPYW7_CHAPTER)

# The whole book as one PDF (tools/pdf.py: single-page build, printed by headless Chromium).
pdf: data $(NODE_TOOLS) $(BUILD)/.cache-inputs
	@echo "== The book as one PDF: $(BUILD)/pdf/book.pdf"
	$(BIN)/python tools/pdf.py --path-output $(BUILD_DIR)
	BOOK_PDF=$(BUILD)/pdf/book.pdf $(BIN)/pytest tests/pdf -q
	@# published with the site: _build/html/book.pdf (when the site has been built)
	if [ -d $(BUILD)/html ]; then cp $(BUILD)/pdf/book.pdf $(BUILD)/html/book.pdf; fi

# The course notes' code, run verbatim on their own pipeline, against chapters 06/07's outputs.
notes-check: data
	@echo "== The course notes' training loops vs the chapters' stored epochs"
	$(BIN)/python benchmarks/course_notes_code.py

# The old name of notes-check ("seed" read as a random seed), kept for one release.
seed-check: notes-check

lab: data
	$(BIN)/jupyter lab chapters

# A chapter is edited in its text (texts/NN_*.md) or in Jupyter: sync the pair, run the
# notebook top to bottom, store its outputs, sync the text again (jupytext.toml pairs them).
refresh: data
	$(BIN)/jupytext --sync $(NB)
	$(BIN)/jupyter execute --inplace $(NB)
	$(BIN)/jupytext --sync $(NB)

refresh-all: data
	for nb in $(NOTEBOOKS); do $(MAKE) --no-print-directory refresh NB=$$nb || exit 1; done

texts: setup
	$(BIN)/jupytext --sync $(NOTEBOOKS)

bench: data
	$(BIN)/python benchmarks/loaders.py

colab-cell:
	$(BIN)/python tools/colab_cell.py --write

# The learner-checked exercises' cells in the chapters, generated from their Tasks (one source);
# then make refresh the chapters it names.
exercise-cells:
	$(BIN)/python tools/exercise_cells.py --write

clean:
	rm -rf $(BUILD)
