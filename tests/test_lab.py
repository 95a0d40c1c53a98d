"""The notebooks as a reader opens them: a real JupyterLab, driven by headless Chromium.

The test starts JupyterLab the way ``make lab`` does (``tools/lab.py``, this environment,
127.0.0.1, a port the OS chooses), opens every notebook of ``_toc.yml`` with every cell
rendered (the notebook's windowing is off in the test's own settings, so nothing waits on
scrolling) and fails on a maths error (KaTeX's ``.katex-error``, MathJax's
``mjx-merror``, an "Undefined control sequence"), on a macro left as raw TeX, on a raw
MyST fence or role left in the rendered text, or on a markdown cell that never rendered.
It opens every notebook again in plain JupyterLab (``jupyter lab``, without ``make lab``'s
contents manager), as a reader who downloads a notebook would, and fails on any maths
error there: the notebooks carry the notation in their own front matter
(``tools/notebook_macros.py``). Screenshots go to ``_build/screenshots/lab/``.

It also checks the mechanism without a browser: the notation in the notebooks and in
JupyterLab's view is the book's (``_config.yml``), defined once; cross-references show the
book's numbers and titles; and saving an opened notebook gives back the book's source.

Needs Debian's ``chromium`` and ``chromium-driver``. Outside CI a missing browser skips
with what to install; in CI (``CI=true``) it fails.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book_view  # noqa: E402
import notebook_macros  # noqa: E402

SHOTS = ROOT / "_build" / "screenshots" / "lab"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
NOTEBOOKS = [p.relative_to(ROOT).as_posix() for p in book_view.toc_notebooks()]
MACROS = book_view.macros()


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: CI must provide it)")
    pytest.skip(reason)


# --- the mechanism, without a browser ----------------------------------------------------


def read(path: str) -> dict:
    """A notebook as the Jupyter server reads it (cell sources as strings)."""
    nb = json.loads((ROOT / path).read_text())
    for cell in nb["cells"]:
        cell["source"] = "".join(cell["source"])
    return nb


def test_the_toc_lists_notebooks():
    assert NOTEBOOKS, "no notebook found through _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_stored_notebook_defines_the_notation_of_config(path):
    """The front matter plain JupyterLab reads is _config.yml's macros, as the tool writes
    them (after editing the macros: `python tools/notebook_macros.py`)."""
    nb = read(path)
    first = notebook_macros.first_markdown(nb)["source"]
    data, _ = notebook_macros.split_front(first)
    assert data is not None, f"{path}: no front matter (run `python tools/notebook_macros.py`)"
    assert data["math"] == {f"\\{k}": v for k, v in MACROS.items()}, (
        f"{path}: the notation differs from _config.yml (run `python tools/notebook_macros.py`)"
    )
    assert notebook_macros.in_sync(nb)
    assert not any(
        c["source"].startswith("---\nmath:")
        for c in nb["cells"][1:]
        if c["cell_type"] == "markdown"
    )


def test_the_macros_tool_is_idempotent_and_keeps_other_keys():
    fm = notebook_macros.front_matter()
    once = notebook_macros.with_notation("# Title\ntext")
    assert once == fm + "# Title\ntext"
    assert notebook_macros.with_notation(once) == once
    stale = "---\nmath:\n  \\E: \\mathrm{E}\n---\n# Title\n"
    assert notebook_macros.with_notation(stale) == fm + "# Title\n"
    other = "---\ntitle: T\n---\n# Title\n"
    both = notebook_macros.with_notation(other)
    assert yaml.safe_load(both.split("---\n")[1]) == {
        "title": "T",
        **yaml.safe_load(fm.strip("-\n")),
    }


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_reader_view_defines_the_notation_once_and_resolves_every_role(path):
    nb = read(path)
    shown = book_view.to_reader(copy.deepcopy(nb), path.removesuffix(".ipynb"))
    markdown = [c["source"] for c in shown["cells"] if c["cell_type"] == "markdown"]
    front = book_view.front_matter()
    assert markdown[0].startswith(front)
    assert markdown[0].count("\n---\n") == 1 and markdown[0].count("math:") == 1, (
        "front matter doubled"
    )
    declared = yaml.safe_load(front.strip().strip("-"))["math"]
    assert declared == {f"\\{k}": v for k, v in MACROS.items()}  # the book's, from _config.yml
    _, labels, _ = book_view.book_index()
    here = path.removeprefix("book/").removesuffix(".ipynb")
    for text in markdown:
        left = book_view.ROLE.findall(text)
        # jupyterlab-myst numbers and links the page's own equations: those stay {eq}
        assert all(r == "eq" and labels[b][0] == here for r, b in left), (
            f"{path}: roles left {left}"
        )
        assert not re.search(r"equation \([\w-]*[a-z][\w-]*\)", text), f"{path}: a label shown"


def test_equations_show_the_numbers_of_the_built_book():
    """{eq} becomes "(8.2)": the chapter's number and the display's rank, which is how the
    book numbers them; checked against the built pages when the book is built."""
    _, labels, _ = book_view.book_index()
    equations = {k: v for k, v in labels.items() if v[1] == "equation"}
    assert equations
    html = ROOT / "_build" / "html"
    if not (html / "book").is_dir():
        pytest.skip("the book is not built (make book): numbers checked against the toc only")
    for label, (page, _, number) in equations.items():
        text = (html / "book" / f"{page}.html").read_text(encoding="utf-8")
        m = re.search(
            rf'id="equation-{re.escape(label)}"[^>]*>.*?<span class="eqno">\(([^)<]*)\)', text, re.S
        )
        assert m and m.group(1) == number, (
            f"{label}: book_view says ({number}), the book {m and m.group(1)}"
        )


def test_cross_references_read_as_numbers_and_titles():
    index = book_view.book_index()
    _, labels, _ = index
    eq = next(k for k, v in labels.items() if v[1] == "equation" and v[0] == "why_score")
    number = labels[eq][2]
    here = book_view.reader_view(f"see {{eq}}`{eq}`", "book/why_score", False, index=index)
    assert here == f"see {{eq}}`{eq}`"  # jupyterlab-myst numbers the page's own
    there = book_view.reader_view(f"see {{eq}}`{eq}`", "book/reinforce", False, index=index)
    assert there.startswith(f"see equation ({number}) in [") and "(why_score.ipynb)" in there
    named = book_view.reader_view(
        f"{{eq}}`{eq}` of {{doc}}`why_score`", "book/reinforce", False, index=index
    )
    assert named == f"equation ({number}) of [Why the score function](why_score.ipynb)", named


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_saving_an_opened_notebook_gives_back_the_book_source(path):
    nb = read(path)
    shown = book_view.to_reader(copy.deepcopy(nb), path.removesuffix(".ipynb"))
    assert book_view.to_book(shown) == nb


def test_an_edited_cell_with_stored_notation_keeps_it():
    fm = book_view.front_matter()
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": fm + "# T\n{cite:t}`williams1992`"}
        ]
    }
    shown = book_view.to_reader(copy.deepcopy(nb), "book/why_score")
    assert shown["cells"][0]["source"].count("math:") == 1
    shown["cells"][0]["source"] += "\nmy note"
    saved = book_view.to_book(shown)["cells"][0]
    assert saved["source"] == fm + "# T\nWilliams (1992)\nmy note"


def test_an_edited_cell_keeps_the_edit_and_loses_the_front_matter():
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# T\n{cite:t}`williams1992`"}
        ]
    }
    shown = book_view.to_reader(copy.deepcopy(nb), "book/why_score")
    assert "Williams (1992)" in shown["cells"][0]["source"]
    shown["cells"][0]["source"] += "\nmy note"
    saved = book_view.to_book(shown)["cells"][0]
    assert saved["source"] == "# T\nWilliams (1992)\nmy note" and saved["metadata"] == {}


# --- JupyterLab in Chromium --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The test's own JupyterLab settings: every cell rendered at once (JupyterLab's default
# windowing renders only what is in view, and the test would scroll and wait).
# No autosave: JupyterLab marks an opened notebook changed once the kernel reports its
# name, and would write it back to book/ while the test runs.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def serve(tmp_path_factory, book: bool):
    """JupyterLab on the root: `make lab`'s (tools/lab.py) or plain `jupyter lab`."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        unavailable("Chromium is absent: install Debian's chromium and chromium-driver")
    port = free_port()
    home = tmp_path_factory.mktemp("lab-book" if book else "lab-plain")
    log = home / "jupyterlab.log"
    for name, value in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),  # no user settings
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    offline = [
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    # window.jupyterapp: the test opens each notebook through JupyterLab's own command,
    # in the page already loaded, instead of loading the whole application again.
    expose = ["--LabApp.expose_app_in_browser=True"]
    start = (
        [sys.executable, str(ROOT / "tools" / "lab.py")]
        if book
        else [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}", *offline]
    )
    cmd = [
        *start,
        *expose,
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.port_retries=0",
        "--ServerApp.disable_check_xsrf=True",
        "--allow-root",
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(
                    f"JupyterLab did not start (`{' '.join(cmd)}`); install it with "
                    f"`make lab` (requirements.txt). Its log:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.2)
    stored = {p: p.read_bytes() for p in book_view.toc_notebooks()}
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    changed = [p for p, data in stored.items() if p.read_bytes() != data]
    for p in changed:  # put the book back, then say so
        p.write_bytes(stored[p])
    assert not changed, f"JupyterLab wrote to the book while the test ran: {changed}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    yield from serve(tmp_path_factory, book=True)


@pytest.fixture(scope="module")
def plain_lab(tmp_path_factory):
    yield from serve(tmp_path_factory, book=False)


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def stop_kernels(url: str) -> None:
    sessions = json.load(urllib.request.urlopen(f"{url}/api/sessions", timeout=10))
    for session in sessions:
        request = urllib.request.Request(f"{url}/api/sessions/{session['id']}", method="DELETE")
        urllib.request.urlopen(request, timeout=30)


# What the visible notebook shows now: maths errors, and the text of rendered markdown.
INSPECT = r"""
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
if (!panel) return null;
const errors = [];
panel.querySelectorAll('.katex-error, mjx-merror, [data-mjx-error]').forEach(
    e => errors.push((e.getAttribute('title') || e.getAttribute('data-mjx-error')
                      || e.textContent).slice(0, 200)));
const cells = Array.from(panel.querySelectorAll('.jp-Cell'));
const rendered = {};
cells.forEach((c, i) => {
    if (!c.classList.contains('jp-MarkdownCell')) return;
    const out = c.querySelector('.jp-MarkdownOutput, .jp-RenderedMarkdown, .myst');
    if (!out) return;  // not rendered yet (a cell may render empty: ```{solution-end}```)
    const clone = out.cloneNode(true);
    clone.querySelectorAll('pre, code, .katex, mjx-container, math').forEach(e => e.remove());
    rendered[i] = clone.innerText;
});
const scroller = panel.querySelector('.jp-WindowedPanel-outer');
return {errors: errors, rendered: rendered, n_cells: cells.length,
        top: scroller.scrollTop, height: scroller.scrollHeight, view: scroller.clientHeight,
        kernel: panel.querySelector('.jp-Notebook') !== null};
"""

# Close every tab, then open the notebook, with JupyterLab's own commands.
# (Disposed, not closed: closing a notebook whose metadata the kernel updated asks
# whether to save it.)
OPEN = """
const done = arguments[arguments.length - 1];
for (const widget of Array.from(jupyterapp.shell.widgets('main'))) widget.dispose();
jupyterapp.commands.execute('docmanager:open', {path: arguments[0]})
  .then(() => done('ok'), e => done('error: ' + e));
"""

# JupyterLab asks once whether to fetch its news; answer no (it would hide the text).
DISMISS_NEWS_PROMPT = """
document.querySelectorAll('.Toastify button, .jp-toast-button').forEach(b => {
    if (b.textContent.trim() === 'No') b.click();
});
"""

RAW = [
    (re.compile(r"^\s*(:::+|```+)\s*\{[\w:-]+\}", re.M), "raw directive fence"),
    (re.compile(r"\{[a-z]+(:[a-z]+)?\}`"), "raw role"),
    (re.compile(r"^:(label|class|name):", re.M), "raw directive option"),
    (
        re.compile(r"Undefined control sequence|Unknown directive|Unknown role"),
        "MyST/TeX error text",
    ),
]


def open_notebook(browser, url: str, path: str, shots: str) -> tuple[list, dict, int]:
    """Open ``path`` in JupyterLab at ``url`` and wait until every cell is there and every
    markdown cell has rendered, twice alike (the maths typeset); screenshots of its top and
    its end. Returns (maths errors, rendered text of each markdown cell, markdown cells)."""
    from selenium.webdriver.support.ui import WebDriverWait

    nb = json.loads((ROOT / path).read_text())
    n_markdown = sum(c["cell_type"] == "markdown" for c in nb["cells"])
    if not browser.current_url.startswith(f"{url}/lab"):
        browser.get(f"{url}/lab?reset")  # ?reset: no tabs of an earlier session
        WebDriverWait(browser, 120, poll_frequency=0.25).until(
            lambda d: d.execute_script(
                "return !!(window.jupyterapp && jupyterapp.commands.hasCommand('docmanager:open'))"
            )
        )
    opened = browser.execute_async_script(OPEN, path)
    assert opened == "ok", f"{path}: JupyterLab could not open it: {opened}"
    seen = []

    def settled(driver):
        state = driver.execute_script(INSPECT)
        if not state or state["n_cells"] != len(nb["cells"]):
            return False
        key = (len(state["rendered"]), len(state["errors"]), state["height"])
        seen.append(key)
        return len(state["rendered"]) >= n_markdown and seen[-2:] == [key, key] and state

    try:
        state = WebDriverWait(browser, 120, poll_frequency=0.25).until(settled)
    except Exception:  # noqa: BLE001  (report what rendered, then fail)
        state = browser.execute_script(INSPECT) or {"errors": [], "rendered": {}}
    browser.execute_script(DISMISS_NEWS_PROMPT)
    name = Path(path).stem
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{shots}{name}-top.png"))
    browser.execute_script(  # the last cells, not the empty space JupyterLab leaves below them
        "const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)"
        " .jp-WindowedPanel-outer'); p.scrollTop = p.scrollHeight - p.clientHeight - 600;"
    )
    browser.save_screenshot(str(SHOTS / f"{shots}{name}-end.png"))
    stop_kernels(url)  # opening a notebook starts its kernel; 14 idle kernels cost memory
    return state["errors"], state["rendered"], n_markdown


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_reads_right_in_jupyterlab(path, lab, browser):
    errors, texts, n_markdown = open_notebook(browser, lab, path, "")
    assert errors == [], f"{path}: maths errors in JupyterLab: {sorted(set(errors))[:5]}"
    assert len(texts) == n_markdown, f"{path}: {len(texts)} of {n_markdown} markdown cells rendered"
    for i, text in sorted(texts.items(), key=lambda kv: int(kv[0])):
        for pattern, what in RAW:
            m = pattern.search(text)
            assert m is None, f"{path}, cell {i}: {what} {m.group(0)!r} in {text[:200]!r}"
        for macro in MACROS:
            assert not re.search(rf"\\{macro}\b", text), f"{path}, cell {i}: raw macro \\{macro}"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_shows_no_maths_error_in_plain_jupyterlab(path, plain_lab, browser):
    """Without `make lab`: the notation comes from the notebook's own front matter. (Roles
    that only Sphinx resolves show as their content with a warning there, as expected.)"""
    errors, texts, n_markdown = open_notebook(browser, plain_lab, path, "plain-")
    assert errors == [], f"{path}: maths errors in plain JupyterLab: {sorted(set(errors))[:5]}"
    assert len(texts) == n_markdown, f"{path}: {len(texts)} of {n_markdown} markdown cells rendered"
    for i, text in sorted(texts.items(), key=lambda kv: int(kv[0])):
        assert "Undefined control sequence" not in text, f"{path}, cell {i}: a TeX error"
        for macro in MACROS:
            assert not re.search(rf"\\{macro}\b", text), f"{path}, cell {i}: raw macro \\{macro}"


def test_saving_through_jupyterlab_keeps_the_chapter_source(lab):
    """Open a chapter through the server's API as JupyterLab does, save it back unchanged:
    the file on disk is the book's source again (not the reader's view)."""
    path = NOTEBOOKS[0]
    before = (ROOT / path).read_bytes()
    model = json.load(urllib.request.urlopen(f"{lab}/api/contents/{path}?content=1", timeout=30))
    first = next(c for c in model["content"]["cells"] if c["cell_type"] == "markdown")
    assert first["source"].startswith(book_view.front_matter()), (
        "the server did not add the notation"
    )
    body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode()
    request = urllib.request.Request(
        f"{lab}/api/contents/{path}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=30)
        assert json.loads((ROOT / path).read_text()) == json.loads(before)
    finally:
        (ROOT / path).write_bytes(before)
