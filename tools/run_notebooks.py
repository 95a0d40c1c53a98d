"""Re-execute the book's notebooks in place, as strict nbval will check them.

    python tools/run_notebooks.py                 # every notebook of _toc.yml
    python tools/run_notebooks.py book/X.ipynb    # some of them

Each runs in a fresh kernel (`jupyter execute --inplace`, nbclient) with the pinned
floating-point environment of `tools/numerics.py`, so the stored outputs are the ones
that strict nbval reproduces on any x86-64 machine with AVX2.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from book_view import toc_notebooks
from numerics import pinned_environ


def main(argv: list[str]) -> int:
    notebooks = [Path(a) for a in argv] or toc_notebooks()
    env = pinned_environ()
    jupyter = Path(sys.executable).with_name("jupyter")
    for nb in notebooks:
        print(f"executing {nb}", flush=True)
        done = subprocess.run([str(jupyter), "execute", "--inplace", str(nb)], env=env)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
