"""The built book as a reader sees it: every page opened in headless Chromium.

For each page of ``_toc.yml`` the test loads the built HTML from a local server, waits for
MathJax to finish, and fails on a MathJax error (``mjx-merror``), on raw TeX delimiters
left in the prose of a page with maths, on an image that did not load, or on a page that
is missing from the build or from the table of contents. It also fails on any error in the
browser's console, on a displayed equation wider than the text column at a 1280-px window,
on a code block or output (``pre``) that scrolls sideways at 1280 px (``scrollWidth >
clientWidth``; the failure lists each block with its longest line, and
``_build/screenshots/wide-code/`` keeps the list per page), on a page that scrolls
sideways at 1280 px, on a page whose text scrolls sideways at a 390-px phone width
(there a code block may scroll inside its own box, the page may not), on a displayed
equation wider than its column at 390 px (book/_static/fit_displays.js typesets a wide
display smaller, down to a floor; below it the display needs its text reflowed), on an
inline formula cut off by its box at 390 or 1280 px (the same script typesets it smaller,
and at the floor lets it scroll with a shadow as the cue), on an image without alt text
(or with its file name as alt), and on any critical or serious accessibility violation
found by axe-core (the ``axe.min.js`` that the wheel of ``axe-playwright-python`` ships,
injected through Selenium: no network). It saves a screenshot of each page at 1280 and
390 px under ``_build/screenshots/`` for a human to look at.

Needs a built book (``make book``; ``make test`` builds it first) and Debian's
``chromium`` and ``chromium-driver``. Outside CI a missing browser skips the test with the
reason; in CI (``CI=true``) it fails, because CI installs them.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest
from _browser import chromium, console_errors, static_server, unavailable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from book_view import toc_files  # noqa: E402  (the one reader of _toc.yml)

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
# Pages Sphinx writes that are not chapters.
GENERATED = {"genindex.html", "search.html", "index.html", "py-modindex.html", "prf-prf.html"}


@pytest.fixture(scope="module")
def server():
    if not (HTML / "book").is_dir():
        unavailable(f"the book is not built: {HTML} is missing (run `make book`)")
    with static_server(HTML) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def test_every_built_chapter_is_in_the_toc():
    if not (HTML / "book").is_dir():
        unavailable(f"the book is not built: {HTML} is missing (run `make book`)")
    listed = {f"{f}.html" for f in toc_files()}
    built = {str(p.relative_to(HTML)) for p in HTML.rglob("*.html") if "_static" not in p.parts}
    built -= GENERATED
    assert built - listed == set(), "pages built but missing from the table of contents"
    assert listed - built == set(), "pages in the table of contents that were not built"


def axe_source() -> str:
    """axe-core's script, from the wheel of axe-playwright-python (the lock pins it)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        unavailable("axe-playwright-python is not installed (it is in requirements.txt)")
    return (Path(spec.origin).parent / "axe.min.js").read_text(encoding="utf-8")


# axe-core on the whole page, MathJax's typeset output excepted (MathJax hides its drawing
# from assistive technology and gives it MathML; walking its thousands of elements makes a
# run take minutes). The run is started here and its result read by polling (a Selenium
# call that waits longer than 120 s is cut by its HTTP client).
AXE_START = """
window.__axe = null;
axe.run({exclude: [['mjx-container']]}, {resultTypes: ['violations'], iframes: false})
  .then(r => { window.__axe = r.violations
      .filter(v => v.impact === 'critical' || v.impact === 'serious')
      .map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.html.slice(0, 120))})); })
  .catch(e => { window.__axe = 'error: ' + e; });
"""


def axe_violations(browser, timeout: float = 300) -> list[dict]:
    browser.execute_script(axe_source())
    browser.execute_script(AXE_START)
    start = time.monotonic()
    while (result := browser.execute_script("return window.__axe")) is None:
        assert time.monotonic() - start < timeout, f"axe-core did not finish in {timeout} s"
        time.sleep(0.5)
    assert not isinstance(result, str), f"axe-core failed: {result}"
    return result


# Images without alt text, or with an alt that is only the file's name.
IMAGES_WITHOUT_ALT = r"""
return Array.from(document.querySelectorAll('article img, main img'))
  .filter(i => { const a = (i.getAttribute('alt') || '').trim();
                 return !a || /\.(png|svg|jpe?g|gif)$/i.test(a) || a === i.getAttribute('src'); })
  .map(i => i.getAttribute('src'));
"""

# Displays still wider than a 390-px column at fit_displays.js's floor (0.6 of MathJax's
# size), by page and the id of the element around them: their text needs a reflow (shorter
# lines, the reasons below the steps). None is left (2026-12-07). The test fails on any
# display that overflows and is not listed, and on a listed one that fits (remove it then).
REFLOW_PENDING: dict[str, set[str]] = {}


def display_label(report: str) -> str:
    """The id in a DISPLAY_OVERFLOW line, ``display 3 (in #x): ...`` -> ``x``."""
    return report.split("(in #", 1)[1].split(")", 1)[0]


# After a resize: the displays are refitted (ResizeObserver) within a frame or two.
NEXT_FRAMES = """
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 50)));
"""


def screenshot(browser, page: str, width: int) -> None:
    """The whole page at the window's width in one capture (no second layout)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {
                "x": 0,
                "y": 0,
                "width": width,
                "height": min(max(int(height), 800), 16000),
                "scale": 1,
            },
        },
    )
    suffix = "" if width == 1280 else f"-{width}"
    name = page.replace("/", "__") + suffix + ".png"
    (SHOTS / name).write_bytes(base64.b64decode(shot["data"]))


# Text of the page without code, scripts and MathJax's own output.
PROSE_TEXT = """
const clone = document.querySelector('main') ? document.querySelector('main').cloneNode(true)
                                             : document.body.cloneNode(true);
clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight, .cell_output')
     .forEach(e => e.remove());
return clone.textContent;
"""

# MathJax is loaded asynchronously: on a busy machine the page's load event can come before
# its script has run, so wait (up to 20 s) for MathJax.startup before reading its promise.
WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const start = Date.now();
(function poll() {
  // Looked up on every poll: right after navigation the document may not be complete yet.
  const loads = document.querySelector('script[src*="mathjax" i]') !== null;
  const ready = document.readyState === 'complete';
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    window.MathJax.startup.promise.then(() => done('ok')).catch(e => done('error: ' + e));
  } else if (ready && !loads && Date.now() - start > 5000) {
    done('none');
  } else if (Date.now() - start > 90000) {
    done('timeout: MathJax was still loading after 90 s');
  } else {
    setTimeout(poll, 100);
  }
})();
"""


# Every displayed equation, the hidden solutions opened first: how far its typeset content
# reaches beyond the box it is drawn in (the text column), in CSS pixels.
DISPLAY_OVERFLOW = """
document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
document.querySelectorAll('details').forEach(d => { d.open = true; });
const out = [];
document.querySelectorAll('mjx-container[display]').forEach((m, i) => {
  const column = m.parentElement.clientWidth;
  const excess = Math.max(m.scrollWidth - m.clientWidth, m.scrollWidth - column);
  if (column > 0 && excess > 1) {
    const label = m.closest('[id]') ? m.closest('[id]').id : '';
    const box = Math.min(m.clientWidth, column);
    out.push(`display ${i} (in #${label}): ${m.scrollWidth}px of content in ${box}px`);
  }
});
return out;
"""

# Every code block and output, the hidden solutions opened first, that scrolls sideways:
# where it is, its longest line and how many characters that line has.
CODE_OVERFLOW = """
document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
document.querySelectorAll('details').forEach(d => { d.open = true; });
const out = [];
document.querySelectorAll('pre').forEach((p, i) => {
  if (p.clientWidth > 0 && p.scrollWidth > p.clientWidth) {
    const lines = p.textContent.replace(/\\n$/, '').split('\\n');
    const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
    const cell = p.closest('.cell');
    const where = p.closest('.cell_output, .output') ? 'output' : 'code';
    const section = p.closest('section[id]');
    out.push({block: i, kind: where, chars: longest.length, line: longest.slice(0, 100),
              scroll: p.scrollWidth, client: p.clientWidth,
              cell: cell ? Array.from(document.querySelectorAll('.cell')).indexOf(cell) : null,
              section: section ? section.id : ''});
  }
});
return out;
"""

# Horizontal scrolling of the page itself and of its article (code blocks and displays
# scroll inside their own boxes, which is allowed).
PAGE_OVERFLOW = """
const doc = document.documentElement;
const article = document.querySelector('article') || document.querySelector('main')
                || document.body;
return {page: doc.scrollWidth - doc.clientWidth,
        article: article.scrollWidth - article.clientWidth};
"""


# Inline formulas, the hidden solutions opened first, whose typeset content is cut off by
# their box: the theme's span.math is at most as wide as the paragraph and hides the rest.
# book/_static/fit_displays.js typesets a wider formula smaller; at its floor the span
# scrolls with a shadow as the cue (class bk-math-scroll), which is not a cut.
INLINE_OVERFLOW = """
document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
document.querySelectorAll('details').forEach(d => { d.open = true; });
const out = [];
document.querySelectorAll('span.math > mjx-container:not([display])').forEach((m, i) => {
  const wrap = m.parentElement;
  if (wrap.clientWidth === 0 || wrap.classList.contains('bk-math-scroll')) return;
  const width = m.getBoundingClientRect().width;
  const cut = width - wrap.getBoundingClientRect().width;
  if (cut > 1) {
    const label = m.closest('[id]') ? m.closest('[id]').id : '';
    out.push(`inline formula ${i} (in #${label}), ${Math.round(width)}px wide: ` +
             `${Math.round(cut)}px cut off (${m.textContent.slice(0, 60)})`);
  }
});
return out;
"""


@pytest.mark.parametrize("page", toc_files())
def test_page_reads_right_in_chromium(page, server, browser):
    path = HTML / f"{page}.html"
    assert path.exists(), f"{page} is in _toc.yml but {path} was not built"
    browser.set_window_size(1280, 1000)
    browser.get_log("browser")  # empty the log of the previous page
    browser.get(f"{server}/{page}.html")
    state = browser.execute_async_script(WAIT_FOR_MATHJAX)
    assert not state.startswith("error"), f"{page}: MathJax failed: {state}"

    source = path.read_text(encoding="utf-8")
    has_math = 'class="math' in source or "\\(" in source or "$$" in source
    if has_math:
        assert state == "ok", (
            f"{page}: the page has maths but MathJax did not load ({state}; "
            "offline MathJax missing?)"
        )
        n_math = browser.execute_script("return document.querySelectorAll('mjx-container').length")
        assert n_math > 0, f"{page}: the page has maths but nothing was typeset"
        prose = browser.execute_script(PROSE_TEXT)
        for delimiter in ("$$", "\\(", "\\)", "\\[", "\\begin{"):
            assert delimiter not in prose, f"{page}: raw TeX {delimiter!r} left in the text"
    errors = browser.execute_script("return document.querySelectorAll('mjx-merror').length")
    assert errors == 0, f"{page}: {errors} MathJax error(s) (mjx-merror)"

    broken = browser.execute_script(
        "return Array.from(document.images)"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert broken == [], f"{page}: images that did not load: {broken}"
    errors = console_errors(browser)
    assert errors == [], f"{page}: errors in the browser console: {errors}"

    no_alt = browser.execute_script(IMAGES_WITHOUT_ALT)
    assert no_alt == [], f"{page}: images without alt text (or with a file name as alt): {no_alt}"
    screenshot(browser, page, 1280)

    wide = browser.execute_script(DISPLAY_OVERFLOW)
    code = browser.execute_script(CODE_OVERFLOW)
    at_desktop = browser.execute_script(PAGE_OVERFLOW)
    record = SHOTS / "wide-code" / (page.replace("/", "__") + ".json")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(code, indent=1)) if code else record.unlink(missing_ok=True)
    assert wide == [], f"{page}: displayed equations wider than the text column at 1280 px: {wide}"
    assert code == [], (
        f"{page}: {len(code)} code block(s) scroll sideways at 1280 px (lines of "
        f"{sorted({c['chars'] for c in code})} characters; about 82 fit): "
        + "; ".join(
            f"{c['kind']} in cell {c['cell']} (#{c['section']}): {c['line']!r}" for c in code
        )
    )
    assert at_desktop["page"] <= 1 and at_desktop["article"] <= 1, (
        f"{page}: at 1280 px the page scrolls sideways by {at_desktop} px (page, article)"
    )
    browser.set_window_size(390, 844)
    browser.execute_async_script(NEXT_FRAMES)
    overflow = browser.execute_script(PAGE_OVERFLOW)
    wide_phone = browser.execute_script(DISPLAY_OVERFLOW)
    cut_phone = browser.execute_script(INLINE_OVERFLOW)
    screenshot(browser, page, 390)
    browser.set_window_size(1280, 1000)
    browser.execute_async_script(NEXT_FRAMES)
    cut_desktop = browser.execute_script(INLINE_OVERFLOW)
    assert cut_phone == [] and cut_desktop == [], (
        f"{page}: inline formulas cut off without a cue (at 390 px: {cut_phone}; at 1280 px: "
        f"{cut_desktop}); book/_static/fit_displays.js should have fitted them"
    )
    assert overflow["page"] <= 1 and overflow["article"] <= 1, (
        f"{page}: at 390 px the text scrolls sideways by {overflow} px (page, article)"
    )
    pending = REFLOW_PENDING.get(page, set())
    new_wide = [w for w in wide_phone if display_label(w) not in pending]
    assert new_wide == [], (
        f"{page}: displayed equations wider than the column at 390 px, even typeset at the "
        f"floor size of book/_static/fit_displays.js (reflow their text): {new_wide}"
    )
    fitted = pending - {display_label(w) for w in wide_phone}
    assert not fitted, f"{page}: {fitted} fit at 390 px now: remove them from REFLOW_PENDING"
    bad = axe_violations(browser)
    found = "; ".join(f"{v['impact']} {v['id']} ({v['help']}): {v['nodes'][:5]}" for v in bad)
    assert bad == [], f"{page}: critical or serious accessibility violations (axe): {found}"
