"""The PDF of the book (``make pdf``) read back as text and as images.

``pdftotext`` turns ``_build/latex/book.pdf`` into text; the tests check that every page of
``_toc.yml`` is in it by its title, that the notation typeset (no raw macro, the symbols of
the macros present), that every captioned figure of the notebooks is there, that every
theorem, lemma and exercise block is numbered, and that no reference was left as "??".
``pdftoppm`` renders a few pages to ``_build/screenshots/pdf/`` for a human to look at.

Needs the PDF (``make pdf``, which needs TeX Live) and Debian's ``poppler-utils``. Outside
CI a missing one skips with what to install; in CI (``CI=true``) it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book_view  # noqa: E402

PDF = ROOT / "_build" / "latex" / "book.pdf"
SHOTS = ROOT / "_build" / "screenshots" / "pdf"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: CI must provide it)")
    pytest.skip(reason)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u201c", '"')
    return re.sub(r"\s+", " ", text.replace("\u201d", '"')).lower()


@lru_cache(maxsize=1)
def pages() -> list[str]:
    """The PDF's text, one string per page."""
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext is missing: install Debian's poppler-utils")
    if not PDF.exists():
        unavailable(
            f"{PDF.relative_to(ROOT)} is missing: run `make pdf` (needs TeX Live, see the README)"
        )
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")


def sources() -> list[tuple[str, str, list[dict]]]:
    """(page, markdown text, cells) of every page of the table of contents."""
    out = []
    for name in book_view.toc_files():
        for path in (ROOT / f"{name}.ipynb", ROOT / f"{name}.md"):
            if path.exists():
                cells, text = book_view._cells(path)
                out.append((name, text, cells))
                break
    return out


@pytest.mark.parametrize("page", book_view.toc_files())
def test_every_chapter_title_is_in_the_pdf(page):
    text = normalise(" ".join(pages()))
    source = dict((n, t) for n, t, _ in sources())[page]
    title = book_view.HEADING.search(source).group(1)
    title = re.sub(r"[`*]", "", re.sub(r"\{[^}]+\}`([^`]*)`", r"\1", title))
    assert normalise(title) in text, f"chapter title {title!r} of {page} is not in the PDF"


def test_no_unresolved_reference_and_no_raw_markup():
    text = "\n".join(pages())
    for raw in ("??", "{eq}`", "{numref}`", "{cite", "{glue", ":::{", "```{", "$$"):
        at = text.find(raw)
        assert at < 0, (
            f"{raw!r} in the PDF (?? is an unresolved reference): "
            f"...{text[max(at - 80, 0) : at + 40]!r}"
        )


def test_the_notation_is_typeset():
    text = "\n".join(pages())
    quoted = " ".join(re.findall(r"`[^`\n]*`", " ".join(t for _, t, _ in sources())))
    for macro in book_view.macros():  # only where the text quotes a macro as code
        pattern = rf"\\{macro}(?![A-Za-z])"
        assert len(re.findall(pattern, text)) <= len(re.findall(pattern, quoted)), (
            f"raw \\{macro} in the PDF"
        )
    # What the macros typeset to: blackboard E and R, nabla with theta, the transpose,
    # Cov as an operator; and a sample of the book's symbols.
    for symbol in (
        "\U0001d53c",
        "\u211d",
        "\u2207\U0001d703",
        "\u22a4",
        "Cov",
        "\U0001d70b\U0001d703",
        "\u2211",
        "\U0001d719(\U0001d460, \U0001d44e)",
    ):
        assert symbol in text, f"{symbol!r} does not appear in the PDF's maths"


def test_every_figure_is_in_the_pdf():
    figures = [
        c["metadata"]["mystnb"]["figure"]
        for _, _, cells in sources()
        for c in cells
        if "figure" in c.get("metadata", {}).get("mystnb", {})
    ]
    assert figures, "the notebooks have captioned figures"
    captions = re.findall(r"^Fig\. \d+\.\d+:", "\n".join(pages()), re.M)
    assert len(captions) == len(figures), (
        f"{len(captions)} figure captions in the PDF, {len(figures)} in the book"
    )
    text = normalise(" ".join(pages()))
    for figure in figures:
        # the caption's words up to its first formula (maths is typeset, not copied as TeX)
        start = normalise(figure["caption"].split("$")[0]).strip()[:40]
        assert start in text, f"caption {start!r}... not in the PDF"
    if shutil.which("pdfimages"):
        listing = subprocess.run(
            ["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert len(listing) >= len(figures), "fewer images in the PDF than figures in the book"


def test_theorem_and_exercise_blocks_are_numbered():
    text = "\n".join(pages())
    for kind, word in (
        ("exercise", "Exercise"),
        ("prf:theorem", "Theorem"),
        ("prf:lemma", "Lemma"),
    ):
        expected = sum(
            len(re.findall(rf"^(:::+|```+)\{{{kind}\}}", t, re.M)) for _, t, _ in sources()
        )
        found = set(re.findall(rf"^{word} (\d+(?:\.\d+)+)", text, re.M))
        assert len(found) == expected, (
            f"{len(found)} numbered {word} blocks in the PDF, {expected} in the book"
        )


def test_pages_render(tmp_path):
    if shutil.which("pdftoppm") is None:
        unavailable("pdftoppm is missing: install Debian's poppler-utils")
    found = [i + 1 for i, p in enumerate(pages()) if "Theorem" in p or "Fig." in p][:2]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for number in [1, *found]:
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-png",
                "-singlefile",
                "-f",
                str(number),
                "-l",
                str(number),
                str(PDF),
                str(SHOTS / f"page-{number:03d}"),
            ],
            check=True,
        )
        image = SHOTS / f"page-{number:03d}.png"
        assert image.stat().st_size > 5000, f"page {number} rendered blank"


def test_the_latex_preamble_defines_the_book_notation():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    preamble = config["sphinx"]["config"]["latex_elements"]["preamble"]
    defined = dict(re.findall(r"\\renewcommand\{\\(\w+)\}\{(.*)\}\s*$", preamble, re.M))
    assert defined == book_view.macros(), "the LaTeX preamble and mathjax3_config disagree"
