"""The check of tests/conftest.py's SLOW table that needs no collection: its files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def missing_files(names: Iterable[str], folder: Path) -> list[str]:
    """The paths (``folder/name``, sorted) of the ``names`` that no file under ``folder``
    has: a SLOW key whose test file was renamed or deleted, which no file's collection
    would ever check."""
    return sorted(
        str(folder / name) for name in names if not any(p.is_file() for p in folder.rglob(name))
    )
