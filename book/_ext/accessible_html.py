"""Two repairs to the HTML Sphinx writes, so that screen readers get well-formed structure.

- A signature written one parameter a line (``python_maximum_signature_line_length``) is a
  ``<dl>`` holding only ``<dd>`` elements, a definition list without terms, which assistive
  technology announces as a list of definitions of nothing (axe: ``definition-list``). It
  becomes a ``<div class="sig-param-list">`` of ``<div class="sig-param-line">``, drawn as
  before (book/_static/book.css indents the lines).
- The bibliography (``<div role="list" class="citation-list">``) holds entries with the
  role ``doc-biblioentry``, deprecated in ARIA 1.3, so a list's items are not list items
  (axe: ``aria-required-children``, critical). Each entry gets the role ``listitem``.

The rewrite is done on the page's body just before it is written (``html-page-context``);
the doctree and the other builders (the PDF) are untouched.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx

# A definition list whose first child is a signature's parameter: the multi-line form.
SIG_LIST = re.compile(r"<dl>(\s*<dd><em class=\"sig-param\">.*?)</dl>", re.S)
SIG_LINE = re.compile(r"<dd>(.*?)</dd>", re.S)
BIBLIOENTRY = 'role="doc-biblioentry"'


def _signature_lines(match: re.Match) -> str:
    inner = SIG_LINE.sub(r'<div class="sig-param-line">\1</div>', match.group(1))
    return f'<div class="sig-param-list">{inner}</div>'


def rewrite(body: str) -> str:
    """The page body with multi-line signatures and bibliography entries repaired."""
    body = SIG_LIST.sub(_signature_lines, body)
    return body.replace(BIBLIOENTRY, 'role="listitem"')


def _page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if isinstance(context.get("body"), str):
        context["body"] = rewrite(context["body"])


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
