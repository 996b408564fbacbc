# make book  - set up .venv, prepare the data, build the HTML site into _build/html
# make test  - set up .venv, prepare the data, run unit tests and strict nbval on every chapter
# make lab   - open the notebooks in Jupyter Lab
# make refresh NB=chapters/x.ipynb - sync it with texts/x.md, re-run it top to bottom, store outputs
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))

.PHONY: setup data book test unit nbval site-test lab refresh refresh-all texts bench colab-cell clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@echo "== Creating $(VENV) and installing requirements-dev.txt (first time: a few minutes, torch is large)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (book .venv)" >/dev/null
	touch $(STAMP)

data: setup
	@echo "== Locating / preparing Fashion-MNIST (D2L_DATA_DIR, else ~/.cache/d2l)"
	$(BIN)/python -c "import d2lhelpers as d; print('Fashion-MNIST ready in', d.fashion_mnist_dir())"

book: data
	@echo "== Building the book (every notebook executed; any error or warning fails the build)"
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "== Site: _build/html/index.html"

unit: data
	@echo "== Unit and property tests of d2lhelpers"
	$(BIN)/pytest tests -q --ignore=tests/site

nbval: data
	@echo "== Strict nbval: every chapter re-executed and its outputs compared with the stored ones"
	$(BIN)/pytest --nbval --nbval-current-env --nbval-sanitize-with sanitize.cfg chapters -q -p no:cacheprovider

test: unit nbval

site-test: book
	@echo "== The built site in headless Chromium"
	$(BIN)/pytest tests/site -q

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

clean:
	rm -rf _build
