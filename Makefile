# The commands of the README:
#   make book   build the book into _build/html (warnings are errors)
#   make test   build the book, then run every test: the package's tests, strict nbval
#               on every notebook, and the browser checks of the built pages and of JupyterLab
#               (on 3 workers, pytest-xdist --dist loadfile: a notebook's cells run in order
#               in one kernel, a browser test file shares its Chromium and servers; the
#               longest files first, in tests/conftest.py's order)
#   make check  the fast loop: ruff (lint and format) and the package's unit tests, no
#               notebook, browser or slow test, hypothesis on fewer examples (profile
#               `fast` of tests/conftest.py) (under a minute)
#   make format apply ruff's formatting and its safe fixes to pkg tests benchmarks tools
#   make notebooks  re-execute every notebook in place, as strict nbval checks them
#   make lab    open the notebooks in JupyterLab, reading as they do in the book
#   make pdf    build the PDF into _build/latex/book.pdf (needs TeX Live, see the README)
#   make lock   re-resolve requirements.in into the lock requirements.txt
# All create .venv and install requirements.txt on first use (and again when it changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test check format notebooks bench lab pdf lock clean

# Where ruff looks (configured in pyproject.toml).
RUFF_PATHS := pkg tests benchmarks tools
# pytest-xdist workers for `make test` (`make test WORKERS=1` runs in one process). Three
# on two cores: the browser tests spend part of their time waiting on Chromium and
# JupyterLab, and the third worker runs a notebook meanwhile (measured: 4 min 26 s of
# pytest against 4 min 49 s with two).
WORKERS ?= 3
# `make check` on two: its unit tests wait on nothing, and each worker first imports every
# test module (about 12 s of CPU), so a third worker costs more than it brings (measured:
# 52 s of CPU with two against 64 s with three; 166 s against 195 s of wall time, both
# under a load of 10 to 12 on two cores).
CHECK_WORKERS ?= 2

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "Python 3.10+ is needed (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

test: book
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder

# Every step runs, and the target fails if any failed.
check: $(STAMP)
	@status=0; \
	$(BIN)/ruff check $(RUFF_PATHS) || status=1; \
	$(BIN)/ruff format --check $(RUFF_PATHS) || status=1; \
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest tests -q -n $(CHECK_WORKERS) -m "not notebook and not browser and not slow" || status=1; \
	exit $$status

format: $(STAMP)
	$(BIN)/ruff format $(RUFF_PATHS)
	$(BIN)/ruff check --fix $(RUFF_PATHS)

# In a fresh kernel each, with the floating-point environment of tools/numerics.py.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py

lab: $(STAMP)
	$(BIN)/python tools/lab.py

# Jupyter Book's LaTeX builder with XeLaTeX; tools/latex holds a stand-in for `bbm`.
# The PDF is also copied next to the HTML, where the book links to it.
TEX_TOOLS := xelatex latexmk
pdf: $(STAMP)
	@for t in $(TEX_TOOLS); do command -v $$t >/dev/null || { echo "make pdf needs TeX Live: $$t is missing. Install (Debian/Ubuntu): apt-get install latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex fonts-freefont-otf tex-gyre"; exit 1; }; done
	rm -rf _build/latex
	TEXINPUTS="$(CURDIR)/tools/latex:" $(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going
	test -f _build/latex/book.pdf
	if [ -d _build/html ]; then cp _build/latex/book.pdf _build/html/book.pdf; fi

# Resolve requirements.in with this machine's pip (same indexes as `pip install`) and
# write every package pinned into requirements.txt. Then re-run the notebooks and test.
lock: $(STAMP)
	$(BIN)/python tools/lock.py

bench: $(STAMP)
	for f in benchmarks/*.py; do \
		[ "$$f" = benchmarks/torch_reinforce.py ] && continue; \
		echo "== $$f"; $(BIN)/python $$f || exit 1; \
	done

clean:
	rm -rf _build .pytest_cache .hypothesis .jupyter_cache
