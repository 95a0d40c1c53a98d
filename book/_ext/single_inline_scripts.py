"""Write every inline script of a page once.

Extensions that register an inline script (``app.add_js_file(None, body=...)``) after the
HTML builder has started, as sphinx-thebe does with ``const THEBE_JS_URL = ...`` and
sphinx-togglebutton with ``var togglebuttonSelector = ...``, reach the builder twice under
Sphinx 7.4: at once, with the file name ``None``, and again when the builder prepares to
write, which re-adds every registered asset with the file name ``''``. The two copies
compare unequal, both are written into every page, and the browser stops at the second
``const`` declaration ("Identifier 'THEBE_JS_URL' has already been declared").

After the documents are read, and before the builder prepares to write, this hook drops
from the registry the inline scripts the builder already holds, so that they are added once.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _drop_registered_twice(app: Sphinx, env) -> None:
    held = getattr(app.builder, "_js_files", None)
    if held is None:  # not an HTML builder
        return
    inline = {(js.priority, tuple(sorted(js.attributes.items()))) for js in held if js.filename is None}
    app.registry.js_files = [
        (filename, attrs)
        for filename, attrs in app.registry.js_files
        if filename is not None
        or (attrs.get("priority", 500), tuple(sorted((k, v) for k, v in attrs.items() if k != "priority")))
        not in inline
    ]


def setup(app: Sphinx) -> dict:
    app.connect("env-updated", _drop_registered_twice)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
