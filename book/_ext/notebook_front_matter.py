"""Read a notebook's MyST front matter the way the book means it: as no content.

Each notebook of the book starts its first markdown cell with a front matter that defines
the notation (``math:``, written by ``tools/notebook_macros.py`` from ``_config.yml``), so
that plain JupyterLab (jupyterlab-myst) and other front ends typeset the macros. myst-nb
parses every cell on its own with front matter switched off (a notebook's front matter is
its metadata there), so it would read the block as a horizontal rule followed by a
heading. This hook removes a leading front matter from the first markdown cell of every
``.ipynb`` source before myst-nb parses it; the book's build keeps taking the notation from
``_config.yml``, and the page renders exactly as without the block. The file on disk is
unchanged (the notebook a reader downloads keeps its front matter).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

# A front matter: the cell's first line is `---`, a later line is `---`; ``body`` is the YAML.
# The one copy of the pattern: tools/notebook_macros.py imports it from here.
FRONT = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


def strip_front_matter(text: str) -> str:
    """The notebook JSON ``text`` without a front matter at the top of its first markdown cell."""
    nb = json.loads(text)
    cell = next((c for c in nb.get("cells", []) if c.get("cell_type") == "markdown"), None)
    if cell is None:
        return text
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    m = FRONT.match(source)
    if m is None:
        return text
    cell["source"] = source[m.end():]
    return json.dumps(nb, ensure_ascii=False)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = strip_front_matter(source[0])


def setup(app: Sphinx) -> dict:
    app.connect("source-read", _source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
