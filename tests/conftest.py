"""Shared pytest configuration: nbval's sanitize file resolved from the root."""

from __future__ import annotations

import matplotlib

# Plots made by the tests themselves never need a window. (Do not set MPLBACKEND in the
# environment: the notebooks' kernels inherit it and would lose their inline figures.)
matplotlib.use("Agg")

SANITIZE = "tests/nbval_sanitize.cfg"


def pytest_configure(config):
    # nbval reads --nbval-sanitize-with relative to the current directory; make it
    # relative to the project root so `pytest` works from any folder.
    if getattr(config.option, "nbval_sanitize_with", None):
        config.option.nbval_sanitize_with = str(config.rootpath / SANITIZE)
