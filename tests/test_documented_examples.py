"""Every Python example of the README and of the API page runs as written.

Each block runs in a fresh namespace in an empty temporary directory, so an example that
writes a file (``save_policy("cartpole.npz", ...)``) leaves nothing in the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "book/api.md"]
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> list:
    found = []
    for page in PAGES:
        text = (ROOT / page).read_text()
        for match in FENCE.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found.append(pytest.param(match.group(1), id=f"{page}:{line}"))
    return found


def test_the_pages_have_examples():
    assert len(examples()) >= 5, "an example block lost its ```python fence"


@pytest.mark.slow
@pytest.mark.parametrize("source", examples())
def test_example_runs_as_written(source, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(compile(source, "<example>", "exec"), {"__name__": "__example__"})  # noqa: S102
    capsys.readouterr()
