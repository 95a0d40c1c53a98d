"""Write the book's notation into every notebook, so that it reads outside `make lab` too.

The macros (``\\grad``, ``\\pit``, ``\\E``, ...) are defined once, in ``_config.yml``
(``sphinx.config.mathjax3_config.tex.macros``), which only the book's build reads. A
notebook opened in plain JupyterLab (jupyterlab-myst), downloaded from the book's page or
opened in another front end would show every display using them as an error. This tool
copies them into each notebook of ``_toc.yml`` as a MyST front matter at the top of its
first markdown cell, where jupyterlab-myst (mystmd) reads page-level ``math:`` macros::

    ---
    math:
      \\E: \\mathbb{E}
      ...
    ---
    # The chapter's title

The Sphinx build (myst-nb) reads the same block as the page's front matter and renders
the page as before (``_config.yml`` keeps defining the macros for it). Running the tool
again rewrites the block from ``_config.yml``: it is idempotent, keeps any other key of an
existing front matter, and touches nothing else in the file. ``tests/test_lab.py`` checks
that the stored notebooks agree with ``_config.yml``.

Usage: python tools/notebook_macros.py [--check] [NOTEBOOK ...]
(default: every notebook of ``_toc.yml``; ``--check`` changes nothing and exits 1 when a
notebook is out of date.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# A front matter (the cell's first line is `---`, a later line is `---`), matched as the
# book's build matches it: the pattern is the Sphinx hook's, book/_ext/notebook_front_matter.py.
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from notebook_front_matter import FRONT  # noqa: E402


def macros(root: Path = ROOT) -> dict[str, str]:
    """The notation macros of ``_config.yml`` (name without backslash -> definition)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return dict(config["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"])


def _dump(data: dict) -> str:
    body = yaml.safe_dump(
        data, default_flow_style=False, allow_unicode=True, sort_keys=False, width=1000
    )
    return f"---\n{body}---\n"


def front_matter(root: Path = ROOT) -> str:
    """The front matter defining the notation, as it stands at the top of a notebook."""
    return _dump({"math": {f"\\{k}": v for k, v in macros(root).items()}})


def split_front(source: str) -> tuple[dict | None, str]:
    """(front matter as a dict or None, the rest of the cell)."""
    m = FRONT.match(source)
    if m is None:
        return None, source
    data = yaml.safe_load(m.group("body") or "") or {}
    if not isinstance(data, dict):
        return None, source
    return data, source[m.end() :]


def with_notation(source: str, root: Path = ROOT) -> str:
    """A first markdown cell with the notation's front matter (other keys kept)."""
    data, rest = split_front(source)
    math = {f"\\{k}": v for k, v in macros(root).items()}
    if data is None:
        return front_matter(root) + rest
    data = {**data, "math": math}
    return _dump(data) + rest


def first_markdown(nb: dict) -> dict | None:
    return next((c for c in nb["cells"] if c["cell_type"] == "markdown"), None)


def _text(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def in_sync(nb: dict, root: Path = ROOT) -> bool:
    cell = first_markdown(nb)
    return cell is None or _text(cell) == with_notation(_text(cell), root)


def update(path: Path, root: Path = ROOT, check: bool = False) -> bool:
    """Rewrite ``path``'s first markdown cell if needed; True when it was out of date."""
    raw = path.read_text(encoding="utf-8")
    nb = json.loads(raw)
    cell = first_markdown(nb)
    if cell is None:
        return False
    old = _text(cell)
    new = with_notation(old, root)
    if new == old:
        return False
    if not check:
        # Stored as the file stores it: a list of lines or one string (JSON indented by one).
        lines = isinstance(cell["source"], list)
        cell["source"] = new.splitlines(keepends=True) if lines else new
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def toc_files(root: Path = ROOT) -> list[str]:
    """Every page of ``_toc.yml`` as a path without suffix, relative to the root."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook listed in ``_toc.yml``, in reading order."""
    return [root / f"{f}.ipynb" for f in toc_files(root) if (root / f"{f}.ipynb").exists()]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a).resolve() for a in argv if a != "--check"] or toc_notebooks()
    stale = [p for p in paths if update(p, check=check)]
    for p in stale:
        print(f"{'out of date' if check else 'updated'}: {p.relative_to(ROOT)}")
    if check and stale:
        print("run `python tools/notebook_macros.py` to write _config.yml's macros into them")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
