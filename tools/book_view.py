"""The book's notebooks as JupyterLab shows them: notation defined, roles resolved.

The chapters are written for Jupyter Book (Sphinx, myst-nb). JupyterLab renders their
MyST directives (admonitions, proofs, exercises) through jupyterlab-myst, but two things
live only in the book's build: the notation macros (``_config.yml``) and the roles that
Sphinx resolves across pages (``{cite}``, ``{glue:text}``, ``{eq}``, ``{numref}``,
``{prf:ref}``, ``{ref}``, ``{doc}``).

:class:`BookContentsManager` is the Jupyter server's contents manager with one layer
added, for notebooks listed in ``_toc.yml``:

* on *open* (``get``), every markdown cell is shown through :func:`reader_view`: the first
  one starts with a MyST front matter whose ``math:`` holds the macros read from
  ``_config.yml`` (jupyterlab-myst reads its macros there; the stored notebooks carry it
  already, ``tools/notebook_macros.py``, and it is rewritten if stale, never doubled), and
  every role the browser cannot resolve becomes text: a citation its authors and year
  (``references.bib``), a glued value the number stored in the notebook's outputs, a
  cross-reference the figure, theorem, exercise or section title it names, or another
  chapter's equation by the book's number ("equation (1.5)"), with a link to its chapter
  (jupyterlab-myst numbers and links the notebook's own equations);
* on *save*, a cell the reader did not edit gets its book source back (kept in the cell's
  metadata while the notebook is open), so saving never rewrites the book's text.

Files on disk are never changed by opening them. ``tools/lab.py`` starts JupyterLab with
this manager (``make lab``).
"""

from __future__ import annotations

import ast
import json
import re
from functools import lru_cache
from pathlib import Path

import yaml

# Re-exported: the tests and tools read the notation and _toc.yml through book_view too
# (notebook_macros, the command that writes the notation, imports nothing from here).
from notebook_macros import (  # noqa: F401
    FRONT,
    front_matter,
    macros,
    toc_files,
    toc_notebooks,
    with_notation,
)

ROOT = Path(__file__).resolve().parent.parent
META_KEY = "book_view"

ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]*)`")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
HEADING = re.compile(r"^#\s+(.+?)\s*$", re.M)
TARGET = re.compile(r"^\((?P<label>[\w.:-]+)\)=\s*\n+#+\s+(?P<title>.+?)\s*$", re.M)
EQ_THEN_DOC = re.compile(
    r"\{eq\}`(?P<label>[^`<>]+)`(?P<join>\s+(?:of|in|from)\s+)\{doc\}`(?P<doc>[^`<>]+)`"
)
EQ_LABEL = re.compile(r"^\$\$\s*\((?P<label>[\w.:-]+)\)\s*$", re.M)
DIRECTIVE = re.compile(
    r"^(?P<fence>:::+|```+)\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>[^\n]*)\n"
    r"(?P<opts>(?::[\w-]+:[^\n]*\n)*)",
    re.M,
)
KINDS = {
    "prf:theorem": "Theorem",
    "prf:lemma": "Lemma",
    "prf:definition": "Definition",
    "prf:proof": "Proof",
    "prf:corollary": "Corollary",
    "prf:proposition": "Proposition",
    "prf:algorithm": "Algorithm",
    "prf:remark": "Remark",
    "prf:example": "Example",
    "exercise": "Exercise",
}


# --- what the book knows: notation, bibliography, pages and their labels --------------


def chapter_numbers(root: Path = ROOT) -> dict[str, int]:
    """The number of every chapter of a numbered part (``book/x`` -> 8), as the book numbers
    them: one count through all numbered parts."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    numbers: dict[str, int] = {}
    for part in toc.get("parts", []):
        if part.get("numbered"):
            for entry in part.get("chapters") or []:
                if "file" in entry:
                    numbers[entry["file"]] = len(numbers) + 1
    return numbers


def _bib_field(entry: str, name: str) -> str:
    m = re.search(rf"\b{name}\s*=\s*[{{\"](.*?)[}}\"]\s*,?\s*$", entry, re.M | re.S | re.I)
    return re.sub(r"[{}]", "", m.group(1)).strip() if m else ""


@lru_cache(maxsize=4)
def _bibliography(path: Path, mtime: float) -> dict[str, tuple[str, str]]:
    out = {}
    for m in re.finditer(r"@\w+\{([^,\s]+),(.*?)\n\}", path.read_text(), re.S):
        authors = [a.strip() for a in _bib_field(m.group(2), "author").split(" and ")]
        last = [a.split(",")[0].strip() if "," in a else a.split()[-1] for a in authors if a]
        if not last:
            last = [_bib_field(m.group(2), "title") or m.group(1)]
        names = (
            last[0]
            if len(last) == 1
            else f"{last[0]} and {last[1]}"
            if len(last) == 2
            else f"{last[0]} et al."
        )
        out[m.group(1)] = (names, _bib_field(m.group(2), "year"))
    return out


def bibliography(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """``references.bib`` as key -> (authors as cited, year)."""
    path = root / "book" / "references.bib"
    return _bibliography(path, path.stat().st_mtime)


def _cells(path: Path) -> tuple[list[dict], str]:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text())
        return nb["cells"], "".join(
            "".join(c["source"]) + "\n\n" for c in nb["cells"] if c["cell_type"] == "markdown"
        )
    return [], path.read_text()


def _short(text: str, limit: int = 50) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    first = re.split(r"(?<=[.:;])\s", text)[0].rstrip(".:;")
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "..."


@lru_cache(maxsize=4)
def _index(root: Path, stamp: tuple) -> tuple[dict, dict, dict]:
    titles, labels, glue = {}, {}, {}
    numbers = chapter_numbers(root)
    for name in toc_files(root):
        path = next((p for p in (root / f"{name}.ipynb", root / f"{name}.md") if p.exists()), None)
        if path is None:
            continue
        page = path.relative_to(root / "book").with_suffix("").as_posix()
        cells, text = _cells(path)
        heading = HEADING.search(text)
        titles[page] = (heading.group(1) if heading else page, path.name)
        for m in TARGET.finditer(text):
            labels[m.group("label")] = (page, "section", m.group("title"))
        # The book numbers a chapter's labelled displays in order: (chapter.k).
        for k, m in enumerate(EQ_LABEL.finditer(text), start=1):
            number = f"{numbers[name]}.{k}" if name in numbers else str(k)
            labels[m.group("label")] = (page, "equation", number)
        exercises = 0
        for m in DIRECTIVE.finditer(text):
            label = re.search(r"^:label:\s*(\S+)", m.group("opts"), re.M)
            if m.group("name") == "exercise":
                exercises += 1  # jupyterlab-myst numbers a notebook's exercises 1, 2, ...
                if label:
                    labels[label.group(1)] = (page, "Exercise", str(exercises))
            elif label and m.group("name") in KINDS:
                labels[label.group(1)] = (page, KINDS[m.group("name")], m.group("arg").strip())
        for cell in cells:
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
            if "name" in figure:
                labels[figure["name"]] = (page, "Figure", _short(figure.get("caption", "")))
            for out in cell.get("outputs", []):
                key = out.get("metadata", {}).get("scrapbook", {}).get("name")
                value = out.get("data", {}).get("application/papermill.record/text/plain")
                if key and value is not None:
                    glue[(page, key)] = value
    return titles, labels, glue


def book_index(root: Path = ROOT):
    """(titles, labels, glue) of every page in ``_toc.yml``, rebuilt when a page changes."""
    stamp = tuple(
        sorted(
            (str(p), p.stat().st_mtime)
            for p in (root / "book").iterdir()
            if p.suffix in {".ipynb", ".md"}
        )
    )
    return _index(root, stamp + ((str(root / "_toc.yml"), (root / "_toc.yml").stat().st_mtime),))


# --- the reader's view of one markdown cell ---------------------------------------------


def _format(value: str, spec: str) -> str:
    try:
        return format(ast.literal_eval(value), spec)
    except (ValueError, SyntaxError, TypeError):
        return value.strip("'\"")


def _link(page: str, here: str, titles: dict) -> str:
    title, filename = titles.get(page, (page, page))
    return f"[{title}]({filename})"


def _reference(role: str, body: str, here: str, index) -> str:
    titles, labels, _ = index
    explicit = EXPLICIT.match(body)
    text, target = (explicit.group("text"), explicit.group("target")) if explicit else (None, body)
    if role == "doc":
        page = (Path(here).parent / target).as_posix() if not target.startswith("/") else target[1:]
        page = page.removeprefix("./")
        title, filename = titles.get(page, (target, f"{target}.ipynb"))
        return f"[{text or title}]({filename})"
    if target not in labels:
        return text or target
    page, kind, title = labels[target]
    where = "" if page == here else f" in {_link(page, here, titles)}"
    if kind == "equation":
        if page == here:  # jupyterlab-myst numbers the page's equations and links to them
            return f"{{eq}}`{target}`"
        # another chapter's: the book's number, "(8.2)", as the built page and PDF show it
        return f"{text} ({title}){where}" if text else f"equation ({title}){where}"
    if kind == "section":
        return f"{text or title}{where}"
    if kind == "Exercise":
        name = text or f"Exercise {title}"
    else:
        name = text or (f"{kind} *{title}*" if title else f"{kind} {target}")
    return f"{name}{where}"


def _cite(role: str, body: str, bib: dict) -> str:
    found = [bib.get(k.strip(), (k.strip(), "")) for k in body.split(",")]
    if role == "cite:t":
        return "; ".join(f"{a} ({y})" if y else a for a, y in found)
    return "(" + "; ".join(f"{a}, {y}" if y else a for a, y in found) + ")"


def reader_view(source: str, page: str, first: bool, root: Path = ROOT, index=None) -> str:
    """One markdown cell of page ``page`` (e.g. ``"book/softmax_policy"``) as shown in
    JupyterLab: roles JupyterLab cannot resolve become text, and the first markdown cell
    of the notebook starts with the notation's front matter."""
    index = index or book_index(root)
    bib = bibliography(root)
    here = Path(page).relative_to("book").as_posix() if page.startswith("book/") else page

    def replace(m: re.Match) -> str:
        role, body = m.group("role"), m.group("body")
        if role in ("cite", "cite:t", "cite:p", "cite:ps", "cite:ts"):
            return _cite("cite:t" if role.startswith("cite:t") else "cite", body, bib)
        if role in ("glue:text", "glue", "glue:"):
            key, _, spec = body.partition(":") if "::" not in body else (body, "", "")
            if "::" in body:
                nb, _, rest = body.partition("::")
                key, _, spec = rest.partition(":")
                target = (Path(here).parent / nb).with_suffix("").as_posix().removeprefix("./")
            else:
                target = here
            value = index[2].get((target, key))
            return _format(value, spec) if value is not None else f"`{key}`"
        if role in ("eq", "numref", "ref", "prf:ref", "doc"):
            return _reference(role, body, here, index)
        if role.startswith("py:"):  # an API name: shown as code ("~" keeps its last part)
            return f"`{body.rpartition('.')[2] if body.startswith('~') else body}`"
        return m.group(0)

    def named_chapter(m: re.Match) -> str:
        # "{eq}`x` of {doc}`chapter`": the chapter is named once, by the text
        label, doc = m.group("label"), m.group("doc").removeprefix("./")
        found = index[1].get(label)
        if found and found[1] == "equation" and found[0] != here and found[0] == doc:
            return f"equation ({found[2]}){m.group('join')}{{doc}}`{m.group('doc')}`"
        return m.group(0)

    shown = ROLE.sub(replace, EQ_THEN_DOC.sub(named_chapter, source))
    # The stored notebooks carry the notation already (tools/notebook_macros.py): written
    # from _config.yml again, never twice.
    return with_notation(shown, root) if first else shown


def to_reader(nb: dict, page: str, root: Path = ROOT) -> dict:
    """Show a notebook's markdown cells through :func:`reader_view`, keeping each
    original source in the cell's metadata so :func:`to_book` can put it back."""
    index = book_index(root)
    first = True
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        shown = reader_view(source, page, first, root, index)
        first = False
        if shown != source:
            cell.setdefault("metadata", {})[META_KEY] = {"source": source, "shown": shown}
            cell["source"] = shown
    return nb


def to_book(nb: dict, root: Path = ROOT) -> dict:
    """Undo :func:`to_reader` before saving: an unedited cell gets its book source back;
    a cell the reader edited keeps the edit, and the notation's front matter only if the
    book's source had one."""
    fm = front_matter(root)
    for cell in nb["cells"]:
        saved = cell.get("metadata", {}).pop(META_KEY, None)
        if saved is None:
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if source == saved["shown"]:
            cell["source"] = saved["source"]
        elif source.startswith(fm) and not FRONT.match(saved["source"]):
            cell["source"] = source[len(fm) :]
    return nb


def page_of(path: str, root: Path = ROOT) -> str | None:
    """The toc page (``book/x``) of a contents path, or None if it is not a book notebook."""
    name = path.strip("/")
    if not name.endswith(".ipynb"):
        return None
    page = name[: -len(".ipynb")]
    return page if page in toc_files(root) else None


# --- the contents manager ---------------------------------------------------------------

try:
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
except ImportError:  # pragma: no cover - only the pure functions above are needed then
    AsyncLargeFileManager = object


class BookContentsManager(AsyncLargeFileManager):
    """JupyterLab's contents manager, showing the book's notebooks through
    :func:`to_reader` and saving them through :func:`to_book` (see the module doc)."""

    def _page(self, path: str) -> str | None:
        root = Path(self.root_dir).resolve()
        if root != ROOT:
            # Served from another folder (e.g. `book/`): paths are relative to it.
            try:
                path = (root / path.strip("/")).relative_to(ROOT).as_posix()
            except ValueError:
                return None
        return page_of(path)

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        page = self._page(path)
        if page and model.get("type") == "notebook" and model.get("content"):
            to_reader(model["content"], page)
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and model.get("content") and self._page(path):
            to_book(model["content"])
        return await super().save(model, path)
