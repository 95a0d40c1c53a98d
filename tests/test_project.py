"""Promises of the project's files: the publishing workflow and the README's commands."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_pages_workflow_builds_with_the_readme_command_and_deploys():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    # YAML reads the key `on` as True
    triggers = workflow.get("on", workflow.get(True))
    assert "push" in triggers and triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = workflow["jobs"]["build"]["steps"]
    assert any(step.get("run") == "make book" for step in build)
    runs = [step.get("run", "") for step in build]
    # The PDF is built after the HTML (make pdf copies it into _build/html) and before upload.
    assert runs.index("make pdf") > runs.index("make book"), "the workflow must build the PDF"
    assert build.index(next(s for s in build if s.get("run") == "make pdf")) < build.index(
        next(s for s in build if "upload-pages-artifact" in str(s.get("uses", "")))
    )
    assert any("xelatex" in r or "texlive-xetex" in r for r in runs), (
        "the workflow installs TeX Live"
    )
    upload = [
        s for s in build if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@")
    ]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in deploy["steps"])


def test_readme_commands_are_the_makefile_targets_ci_uses():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    for target in ("book", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.MULTILINE)
    assert re.search(r"^make test$", ci, re.MULTILINE), (
        ".ci/run must call the README's test command"
    )
    assert "-W -n --keep-going" in makefile, "the book must build with warnings as errors"


def test_requirements_pin_jupyter_book_1_and_install_the_package():
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.in").read_text().splitlines()]
    assert "-e ." in lines
    assert "jupyter-book>=1.0.4,<2" in lines
    lock = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    assert "-e ." in lock and any(l.startswith("jupyter-book==1.") for l in lock)


def test_the_book_links_to_its_pdf_and_make_pdf_puts_it_there():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^pdf:", makefile, re.MULTILINE)
    assert "cp _build/latex/book.pdf _build/html/book.pdf" in makefile
    # run_it.md is book/run_it.html: the PDF at the root of the site is ../book.pdf.
    assert 'href="../book.pdf"' in (ROOT / "book" / "run_it.md").read_text()


def test_ci_installs_tex_and_builds_the_pdf_before_the_tests():
    ci = (ROOT / ".ci" / "run").read_text()
    for package in ("texlive-xetex", "latexmk", "poppler-utils", "chromium-driver"):
        assert package in ci
    assert ci.index("make pdf") < ci.index("\nmake test")
    readme = (ROOT / "README.md").read_text()
    for target in ("make lab", "make pdf", "make lock"):
        assert target in readme
    for package in ("texlive-xetex", "latexmk", "poppler-utils"):
        assert package in readme
