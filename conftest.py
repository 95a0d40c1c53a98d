"""Loaded by every pytest run from the root, whichever paths it is given (book/ alone too).

The notebooks' kernels, started by nbval in this process or in an xdist worker, inherit
this environment: numpy, OpenBLAS and PyTorch at their AVX2 kernels on every x86-64 CPU,
the level the stored outputs are made at (see tools/numerics.py and `make notebooks`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from numerics import pinned_environ  # noqa: E402

os.environ.update(pinned_environ())
