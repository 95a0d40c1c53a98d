"""Start JupyterLab on the book, showing its notebooks as they read in the book (`make lab`).

The server runs from this environment with `tools/book_view.py`'s contents manager:
notation macros defined and cross-page roles resolved in every notebook of `_toc.yml`
(see that module). Any further argument goes to JupyterLab, e.g.
`python tools/lab.py --no-browser --port 8899`.
"""

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent


def argv(extra: list[str]) -> list[str]:
    """JupyterLab's command-line arguments for the book."""
    return [
        "--ServerApp.contents_manager_class=book_view.BookContentsManager",
        f"--ServerApp.root_dir={ROOT}",
        "--LabApp.default_url=/lab/tree/book",
        # The book reads offline: no news feed, no update check, no prompt about them.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *extra,
    ]


def main() -> None:
    try:
        from jupyterlab.labapp import LabApp
    except ImportError:
        sys.exit("JupyterLab is not installed here: run `make lab` (it installs requirements.txt).")
    sys.path.insert(0, str(TOOLS))
    LabApp.launch_instance(argv(sys.argv[1:]))


if __name__ == "__main__":
    main()
