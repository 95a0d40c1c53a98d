"""Shared pytest configuration: nbval's sanitize file resolved from the root, and the
markers `notebook`, `browser` (and authors' `slow`) that `make check` leaves out."""

from __future__ import annotations

import os

import matplotlib
import pytest
from hypothesis import settings

# Plots made by the tests themselves never need a window. (Do not set MPLBACKEND in the
# environment: the notebooks' kernels inherit it and would lose their inline figures.)
matplotlib.use("Agg")

SANITIZE = "tests/nbval_sanitize.cfg"

# In CI the property tests draw the same examples on every run, so a statistical check
# (a mean within five standard errors, say) cannot fail by bad luck on one run and pass on
# the next. Locally hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    settings.load_profile("ci")


def pytest_configure(config):
    # nbval reads --nbval-sanitize-with relative to the current directory; make it
    # relative to the project root so `pytest` works from any folder.
    if getattr(config.option, "nbval_sanitize_with", None):
        config.option.nbval_sanitize_with = str(config.rootpath / SANITIZE)


# Markers by file and kind (registered in pyproject.toml), so that no test file needs an
# edit: `make check` deselects them (`-m "not notebook and not browser and not slow"`).
# A test's own @pytest.mark.slow stays as its author put it.
BROWSER_FILES = {"test_book_pages.py", "test_lab.py", "test_widget.py", "test_pdf.py"}


def _kind(item) -> str | None:
    if type(item).__module__.startswith("nbval"):
        return "notebook"
    path = getattr(item, "path", None)
    if path is not None and path.suffix == ".ipynb":
        return "notebook"
    if path is not None and path.name in BROWSER_FILES:
        return "browser"
    module = getattr(item, "module", None)
    if module is not None and any(
        getattr(v, "__module__", "") == "_browser" for v in vars(module).values()
    ):
        return "browser"  # a new test file driving Chromium through tests/_browser.py
    return None


# The files that take longest (measured with `--durations=0`, longest first). pytest-xdist's
# `--dist loadfile` hands each worker whole files in collection order, so starting these
# first keeps one long notebook from running alone at the end while the other worker idles.
LONGEST_FIRST = [
    "recipes_control.ipynb",
    "cartpole.ipynb",
    "test_lab.py",
    "test_book_pages.py",
    "gridworld.ipynb",
    "short_corridor.ipynb",
    "test_widget.py",
    "natural_entropy.ipynb",
    "pytorch.ipynb",
    "test_pdf.py",
]


def _rank(item) -> int:
    name = item.path.name if getattr(item, "path", None) is not None else ""
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(config, items):
    for item in items:
        kind = _kind(item)
        if kind is not None:
            item.add_marker(getattr(pytest.mark, kind))
    items.sort(key=_rank)  # stable: the tests of a file, and a notebook's cells, keep their order
