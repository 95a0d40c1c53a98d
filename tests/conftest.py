"""Shared pytest configuration: nbval's sanitize file resolved from the root."""

from __future__ import annotations

import os

import matplotlib
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
