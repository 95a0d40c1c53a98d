"""Alt text for the figures a notebook draws, from their captions, where a cell gives none.

myst-nb writes a plotted output as an image whose ``alt`` is missing, and the HTML writer
then uses the image's file name (``../_images/d2d7….png``): a screen reader reads a hash.
The right alt text says what the figure shows and is written in the cell's metadata
(``"mystnb": {"image": {"alt": "..."}}``, next to the figure's ``caption``); until a figure
has one, this hook gives each image in a figure the figure's caption as alt text (the
caption describes what is drawn), and an image outside any figure the nearest section's
title ("A figure in section ..."). It never replaces an alt text a cell gave.

``python book/_ext/figure_alt.py`` lists, per notebook, the figures still without their
own alt text.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from docutils import nodes


def _caption(figure: nodes.figure) -> str:
    caption = next(iter(figure.findall(nodes.caption)), None)
    text = caption.astext() if caption is not None else ""
    return re.sub(r"\s+", " ", text).strip()


def _section_title(node: nodes.Node) -> str:
    while node is not None and not isinstance(node, nodes.section):
        node = node.parent
    if node is None:
        return ""
    title = next(iter(node.findall(nodes.title)), None)
    return title.astext() if title is not None else ""


def _lacks_alt(image: nodes.image) -> bool:
    alt = image.get("alt", "").strip()
    return not alt or alt == image.get("uri") or alt.endswith((".png", ".svg", ".jpg"))


def _fill_alt(app, doctree, docname) -> None:
    for image in doctree.findall(nodes.image):
        if not _lacks_alt(image):
            continue
        figure = image.parent
        while figure is not None and not isinstance(figure, nodes.figure):
            figure = figure.parent
        text = _caption(figure) if figure is not None else ""
        if not text:
            title = _section_title(image)
            text = f"A figure in the section “{title}”." if title else "A figure."
        image["alt"] = text


def setup(app) -> dict:
    app.connect("doctree-resolved", _fill_alt)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def figures_without_alt(book: Path) -> list[tuple[str, str, str]]:
    """(notebook, figure name, caption start) of each captioned figure cell without alt."""
    rows = []
    for path in sorted(book.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {}).get("mystnb", {})
            if "figure" in meta and not meta.get("image", {}).get("alt"):
                fig = meta["figure"]
                rows.append((path.name, fig.get("name", ""), fig.get("caption", "")[:70]))
    return rows


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[1]
    rows = figures_without_alt(Path(sys.argv[1]) if len(sys.argv) > 1 else here)
    for row in rows:
        print(" | ".join(row))
    print(f"{len(rows)} figure(s) with their caption as alt text (no alt of their own)")
