"""Sphinx extension: a {numref} to an exercise on another page reads right in the PDF.

sphinx-exercise (1.2.1) labels an exercise in LaTeX as ``exercise:<label>`` and rewrites
only references *within* a page to point there. In the single LaTeX document of the PDF
a reference from another page still points at ``<page>:<label>``, which LaTeX does not
know: it prints "Exercise ??". This post-transform rewrites those references the same
way sphinx-exercise rewrites its own, keeping the numbered text Sphinx resolved
("Exercise 5.2"). HTML builds are left alone.
"""

from __future__ import annotations

from sphinx.addnodes import number_reference
from sphinx.transforms.post_transforms import SphinxPostTransform


class ExerciseReferencesAcrossPages(SphinxPostTransform):
    default_priority = 21  # after Sphinx resolves references, before sphinx-exercise's 22
    formats = ("latex",)

    def run(self, **kwargs):
        from sphinx_exercise.nodes import exercise_enumerable_node, exercise_latex_number_reference

        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(number_reference)):
            target = node.get("refuri", "").rpartition("#")[2] or node.get("refid", "")
            label = target.rpartition(":")[2] if target else ""
            entry = registry.get(label)
            if entry is None or not isinstance(entry.get("node"), exercise_enumerable_node):
                continue
            new = exercise_latex_number_reference(refid=label)
            new += node.children
            node.replace_self(new)


def setup(app):
    app.add_post_transform(ExerciseReferencesAcrossPages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
