"""The notebooks as a reader opens them: a real JupyterLab, driven by headless Chromium.

The test starts JupyterLab the way ``make lab`` does (``tools/lab.py``, this environment,
127.0.0.1, a port the OS chooses), opens every notebook of ``_toc.yml``, scrolls it to the
end (JupyterLab renders cells lazily) and fails on a maths error (KaTeX's
``.katex-error``, MathJax's ``mjx-merror``, an "Undefined control sequence"), on a macro
left as raw TeX, on a raw MyST fence or role left in the rendered text, or on a markdown
cell that never rendered. Screenshots go to ``_build/screenshots/lab/``.

It also checks the mechanism without a browser: the notation JupyterLab gets is the
book's (``_config.yml``), and saving an opened notebook gives back the book's source.

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
def test_reader_view_defines_the_notation_and_resolves_every_role(path):
    nb = read(path)
    shown = book_view.to_reader(copy.deepcopy(nb), path.removesuffix(".ipynb"))
    markdown = [c["source"] for c in shown["cells"] if c["cell_type"] == "markdown"]
    front = book_view.front_matter()
    assert markdown[0].startswith(front)
    declared = yaml.safe_load(front.strip().strip("-"))["math"]
    assert declared == {f"\\{k}": v for k, v in MACROS.items()}  # the book's, from _config.yml
    for text in markdown:
        left = book_view.ROLE.findall(text)
        assert all(role == "eq" for role, _ in left) or left == [], f"{path}: roles left {left}"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_saving_an_opened_notebook_gives_back_the_book_source(path):
    nb = read(path)
    shown = book_view.to_reader(copy.deepcopy(nb), path.removesuffix(".ipynb"))
    assert book_view.to_book(shown) == nb


def test_an_edited_cell_keeps_the_edit_and_loses_the_front_matter():
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# T\n{cite:t}`williams1992`"}]}
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


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        unavailable("Chromium is absent: install Debian's chromium and chromium-driver")
    port = free_port()
    log = tmp_path_factory.mktemp("lab") / "jupyterlab.log"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(log.parent / "config")}  # no user settings
    cmd = [sys.executable, str(ROOT / "tools" / "lab.py"), "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
           "--ServerApp.port_retries=0", "--ServerApp.disable_check_xsrf=True", "--allow-root"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"JupyterLab did not start (`{' '.join(cmd)}`); install it with "
                            f"`make lab` (requirements.txt). Its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,1600"):
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
    e => errors.push((e.getAttribute('title') || e.getAttribute('data-mjx-error') || e.textContent).slice(0, 200)));
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
    (re.compile(r"Undefined control sequence|Unknown directive|Unknown role"), "MyST/TeX error text"),
]


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_reads_right_in_jupyterlab(path, lab, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    nb = json.loads((ROOT / path).read_text())
    n_markdown = sum(c["cell_type"] == "markdown" for c in nb["cells"])
    browser.get(f"{lab}/lab/tree/{path}?reset")  # ?reset: no tabs of earlier tests
    WebDriverWait(browser, 90).until(
        lambda d: (s := d.execute_script(INSPECT)) and s["n_cells"] == len(nb["cells"])
        and any(t.strip() for t in s["rendered"].values()))
    time.sleep(1)  # the first cells' maths
    browser.execute_script(DISMISS_NEWS_PROMPT)
    name = Path(path).stem
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors, texts, step = [], {}, 0
    while True:
        state = browser.execute_script(INSPECT)
        errors += state["errors"]
        texts.update(state["rendered"])
        if step % 4 == 0:
            browser.save_screenshot(str(SHOTS / f"{name}-{step:02d}.png"))
        if state["top"] + state["view"] >= state["height"] - 2 or step > 200:
            break
        browser.execute_script(
            "const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)"
            " .jp-WindowedPanel-outer'); p.scrollTop += p.clientHeight * 0.9;")
        step += 1
        time.sleep(0.3)
    state = browser.execute_script(INSPECT)
    errors += state["errors"]
    texts.update(state["rendered"])
    browser.execute_script(  # the last cells, not the empty space JupyterLab leaves below them
        "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
        ".scrollTop -= 600;")
    time.sleep(0.4)
    browser.save_screenshot(str(SHOTS / f"{name}-end.png"))
    stop_kernels(lab)  # opening a notebook starts its kernel; 14 idle kernels cost memory

    assert errors == [], f"{path}: maths errors in JupyterLab: {sorted(set(errors))[:5]}"
    assert len(texts) == n_markdown, (
        f"{path}: {len(texts)} of {n_markdown} markdown cells rendered after scrolling")
    for i, text in sorted(texts.items()):
        for pattern, what in RAW:
            m = pattern.search(text)
            assert m is None, f"{path}, cell {i}: {what} {m.group(0)!r} in {text[:200]!r}"
        for macro in MACROS:
            assert not re.search(rf"\\{macro}\b", text), f"{path}, cell {i}: raw macro \\{macro}"


def test_saving_through_jupyterlab_keeps_the_chapter_source(lab):
    """Open a chapter through the server's API as JupyterLab does, save it back unchanged:
    the file on disk is the book's source again (not the reader's view)."""
    path = NOTEBOOKS[0]
    before = (ROOT / path).read_bytes()
    model = json.load(urllib.request.urlopen(f"{lab}/api/contents/{path}?content=1", timeout=30))
    first = next(c for c in model["content"]["cells"] if c["cell_type"] == "markdown")
    assert first["source"].startswith(book_view.front_matter()), "the server did not add the notation"
    body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode()
    request = urllib.request.Request(f"{lab}/api/contents/{path}", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=30)
        assert json.loads((ROOT / path).read_text()) == json.loads(before)
    finally:
        (ROOT / path).write_bytes(before)
