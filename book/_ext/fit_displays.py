"""Displayed formulas that fit a phone's column: ``fit_displays.js`` on every page with maths.

The script (in ``book/_static/``, the book's static files) must run after the MathJax
configuration (an inline script Sphinx adds with priority 500) and before MathJax itself
(deferred), so that it can hook MathJax's ``startup.pageReady``. ``html_js_files`` in
``_config.yml`` cannot give it that place (its YAML lists are not the tuples that carry a
priority), so this extension adds it, with priority 510, to the pages that have equations.
"""

from __future__ import annotations

from sphinx.application import Sphinx

SCRIPT = "fit_displays.js"


def _add_script(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if doctree is None:
        return
    if app.env.get_domain("math").has_equations(pagename):
        app.add_js_file(SCRIPT, priority=510)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _add_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
