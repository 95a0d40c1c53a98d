"""Formulas that fit a phone's column, displayed and inline: ``fit_displays.js`` on maths pages.

The script (in ``book/_static/``, the book's static files) must run after the MathJax
configuration (an inline script Sphinx adds with priority 500) and before MathJax itself
(deferred), so that it can hook MathJax's ``startup.pageReady``. ``html_js_files`` in
``_config.yml`` cannot give it that place (its YAML lists are not the tuples that carry a
priority), so this extension adds it, with priority 510, to the pages that have equations.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

SCRIPT = "fit_displays.js"
STATIC = Path(__file__).resolve().parents[1] / "_static"


def _note_dependencies(app: Sphinx, doctree) -> None:
    # Sphinx copies static files only when some page is rebuilt: every page depends on the
    # book's style sheet and this script, so that editing them alone rebuilds the book.
    for name in ("book.css", SCRIPT):
        app.env.note_dependency(str(STATIC / name))


def _add_script(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if doctree is None:
        return
    if app.env.get_domain("math").has_equations(pagename):
        app.add_js_file(SCRIPT, priority=510)


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", _note_dependencies)
    app.connect("html-page-context", _add_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
