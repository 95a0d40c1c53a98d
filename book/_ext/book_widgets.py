"""Serve the book's interactive figures from its own static files, only on the pages that use them.

The scripts and style sheets live in ``book/widgets/`` (plain JavaScript, no CDN). This
Sphinx extension, loaded through ``sphinx: local_extensions`` in ``_config.yml``, copies
that folder into ``_build/html/_static/`` and adds a widget's script and style sheet to a
page only when the page holds the widget's container (raw HTML with its ``data-``
attribute). Every other page loads nothing extra.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes

WIDGETS = Path(__file__).resolve().parents[1] / "widgets"
# container attribute -> the files that draw it (in book/widgets/)
ASSETS = {"data-score-arrows": ("score_arrows.js", "score_arrows.css")}


def _add_static_path(app, config):
    config.html_static_path.append(str(WIDGETS))


def _used(doctree) -> list[tuple[str, str]]:
    """The (script, style) pairs of the widgets whose containers are in the doctree."""
    html = "".join(n.astext() for n in doctree.findall(nodes.raw) if "html" in n.get("format", "").split())
    return [files for marker, files in ASSETS.items() if marker in html]


def _note_dependencies(app, doctree):
    # Sphinx copies static files only when some page is rebuilt: making a page depend on
    # its widget's files rebuilds it (and recopies them) when a widget alone was edited.
    for files in _used(doctree):
        for name in files:
            app.env.note_dependency(str(WIDGETS / name))


def _add_assets(app, pagename, templatename, context, doctree):
    if doctree is None:
        return
    for script, style in _used(doctree):
        app.add_js_file(script, defer="defer")
        app.add_css_file(style)


def setup(app):
    app.connect("config-inited", _add_static_path)
    app.connect("doctree-read", _note_dependencies)
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
