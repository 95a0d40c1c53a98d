"""The interactive score-arrow figure (book/widgets/score_arrows.js) against the package.

Headless Chromium loads the built chapter "Deriving the score", sets the features, theta,
the temperature and the kind of features through the figure's own controls (number boxes,
selects, the checkbox, arrow keys, a pointer drag), reads the probabilities and scores the
page displays, and compares them with ``softmax_pg.action_probs`` and ``softmax_pg.score``
for the inputs the page shows: the full value each number carries in ``data-value`` to
1e-9 (relative), the printed text to its printed precision (4 decimals). Extreme cases
(preferences of +-700 at temperature 0.05) are included. Every test fails on a JavaScript
console error, and the layout test saves
screenshots at 390 and 1280 px under ``_build/screenshots/widget/`` for a human to look at.

Needs a built book (``make book``) and Debian's ``chromium`` and ``chromium-driver``;
skipped with the reason when they are missing, except in CI (``CI=true``), where it fails.
The server and driver are tests/_browser.py's, shared with tests/test_book_pages.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _browser import chromium, console_errors, static_server, unavailable
from softmax_pg import action_probs, score

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
PAGE = "book/deriving_score.html"
SHOTS = ROOT / "_build" / "screenshots" / "widget"

DISPLAYED = 0.5e-4  # the page prints 4 decimals
RTOL = 1e-9  # for the full values in data-value


@pytest.fixture(scope="module")
def server():
    if not (HTML / PAGE).exists():
        unavailable(f"the book is not built: {HTML / PAGE} is missing (run `make book`)")
    with static_server(HTML) as url:
        yield url


@pytest.fixture(scope="module")
def driver():
    with chromium() as drv:
        yield drv


@pytest.fixture
def page(server, driver):
    """The chapter freshly loaded at 1280 px, the figure started; no console errors after."""
    driver.set_window_size(1280, 1000)
    driver.get(f"{server}/{PAGE}")
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    started = (
        "return !!window.ScoreArrows && ScoreArrows.instances.length === 1"
        " && !!document.querySelector('[data-score-arrows] .sa-table')"
    )
    try:
        WebDriverWait(driver, 20).until(lambda d: d.execute_script(started))
    except TimeoutException:
        pytest.fail(f"the interactive figure did not start; console: {driver.get_log('browser')}")
    root = driver.find_element("css selector", "[data-score-arrows]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", root)
    yield driver
    errors = console_errors(driver)
    assert errors == [], f"JavaScript console errors: {errors}"


# ---------------------------------------------------------------- the page's controls
def q(drv, css):
    return drv.find_element("css selector", f"[data-score-arrows] {css}")


def type_number(drv, css, value):
    """Type a number into a box as a reader would (clear it, then key in the digits)."""
    box = q(drv, css)
    box.clear()
    box.send_keys(repr(float(value)))


def paste_number(drv, css, value):
    """Put a whole number in a box at once, as pasting does (typing passes through prefixes)."""
    drv.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
        q(drv, css),
        repr(float(value)),
    )


def choose(drv, css, value):
    from selenium.webdriver.support.ui import Select

    Select(q(drv, css)).select_by_value(str(value))


def set_figure(drv, *, tabular=False, features=None, theta=None, tau=1.0, action=0):
    """Everything through the controls: checkbox, selects and number boxes."""
    box = q(drv, ".sa-tabular")
    if box.is_selected() != tabular:
        box.click()
    n = len(theta) if tabular else len(features)
    choose(drv, ".sa-n", n)
    choose(drv, ".sa-action", action)
    for i, v in enumerate(theta):
        type_number(drv, f".sa-theta-{i}", v)
    if not tabular:
        for b, row in enumerate(features):
            for i, v in enumerate(row):
                type_number(drv, f".sa-phi-{b}-{i}", v)
    type_number(drv, ".sa-tau", tau)


READ = """
const root = document.querySelector('[data-score-arrows]');
const rows = [...root.querySelectorAll('.sa-table tbody tr')];
const num = (e) => ({text: e.textContent, value: Number(e.dataset.value)});
const values = (sel) => [...root.querySelectorAll(sel)].map(num);
return {
  tabular: root.querySelector('.sa-tabular').checked,
  n: Number(root.querySelector('.sa-n').value),
  action: Number(root.querySelector('.sa-action').value),
  tau: Number(root.querySelector('.sa-tau').value),
  theta: [...root.querySelectorAll('.sa-theta-inputs input')].map((i) => Number(i.value)),
  features: rows.map((r) => [...r.querySelectorAll('.sa-phi input')].map((i) => Number(i.value))),
  pi: rows.map((r) => num(r.querySelector('.sa-pi'))),
  scores: rows.map((r) => [...r.querySelectorAll('.sa-score .sa-num')].map(num)),
  chosen: values('.sa-chosen-score .sa-num'),
  weighted: values('.sa-sum .sa-num'),
  invalid: [...root.querySelectorAll('[aria-invalid="true"]')].length,
};
"""


def read(drv) -> dict:
    """The inputs the page shows and the numbers it displays."""
    return drv.execute_script(READ)


def shown(number: dict) -> float:
    return float(number["text"].replace("\u2212", "-"))


def assert_numbers(numbers, expected, what):
    """Displayed text to 4 decimals and the full value to RTOL, against the package."""
    expected = np.asarray(expected, dtype=float)
    assert len(numbers) == expected.size, (
        f"{what}: {len(numbers)} numbers shown, {expected.size} expected"
    )
    full = np.array([n["value"] for n in numbers])
    text = np.array([shown(n) for n in numbers])
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(full, expected.ravel(), rtol=RTOL, atol=RTOL * scale, err_msg=what)
    np.testing.assert_allclose(
        text, expected.ravel(), rtol=0, atol=DISPLAYED + 1e-12 * scale, err_msg=what
    )


def check_against_package(drv) -> dict:
    """The page's probabilities and scores equal the package's for the page's own inputs."""
    got = read(drv)
    assert got["invalid"] == 0, "a box is marked invalid"
    n, a, tau = got["n"], got["action"], got["tau"]
    if got["tabular"]:
        theta, phi = np.array(got["theta"]), np.eye(n)
    else:
        theta, phi = np.array(got["theta"]), np.array(got["features"])
    assert phi.shape == (n, theta.size)
    pi = action_probs(theta, phi, tau)
    scores = score(theta, phi, np.arange(n), tau)  # row b: the score of action b
    assert_numbers(got["pi"], pi, "pi(b|s)")
    assert_numbers(got["chosen"], scores[a], f"score of the action taken a = {a}")
    if got["tabular"]:
        # the table's score column holds the entries of (e_a - pi) / tau
        assert_numbers([row[0] for row in got["scores"]], scores[a], "entries of (e_a - pi)/tau")
    else:
        assert_numbers([v for row in got["scores"] for v in row], scores, "scores of every action")
    # sum_b pi_b score_b is zero up to rounding
    weighted = np.array([n["value"] for n in got["weighted"]])
    assert weighted.shape == (theta.size,)
    assert np.all(np.abs(weighted) <= 1e-12 * max(1.0, float(np.max(np.abs(scores))))), weighted
    return got


# ---------------------------------------------------------------- the tests
def test_starts_as_the_static_figure(page):
    got = check_against_package(page)
    # the four actions and theta of the static figure in the same chapter
    assert got["features"] == [[2.0, 0.5], [0.0, 2.0], [-1.5, -0.5], [0.5, -1.8]]
    assert got["theta"] == [0.8, 0.6] and got["tau"] == 1.0 and not got["tabular"]


rng = np.random.default_rng(12)
CASES = {
    "three actions, cool": dict(
        features=np.round(rng.normal(size=(3, 2)), 2), theta=[-1.3, 2.2], tau=0.3, action=2
    ),
    "five actions, hot": dict(
        features=np.round(rng.normal(size=(5, 2)), 2), theta=[0.7, -0.4], tau=5.0, action=4
    ),
    "preferences +-700 at tau 0.05": dict(
        features=[[2.0, 0.0], [-2.0, 0.0], [1.0, 0.5], [0.0, -1.0]],
        theta=[350.0, 0.0],
        tau=0.05,
        action=1,
    ),
    "ties at -700 at tau 0.05": dict(
        features=[[0.0, 1.0], [1.0, 1.0], [-1.0, 1.0], [0.0, 1.5]],
        theta=[0.0, -700.0],
        tau=0.05,
        action=3,
    ),
    "tabular, preferences +-700 at tau 0.05": dict(
        tabular=True, theta=[700.0, -700.0, 0.0, 699.9, -3.0], tau=0.05, action=3
    ),
    "tabular, three actions": dict(tabular=True, theta=[0.2, -0.5, 1.1], tau=1.0, action=0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_numbers_match_the_package(page, case):
    spec = CASES[case]
    set_figure(page, **spec)
    got = check_against_package(page)
    # the controls hold exactly what was typed: the comparison is about those inputs
    assert got["theta"] == list(map(float, spec["theta"])) and got["tau"] == spec["tau"]
    if not spec.get("tabular"):
        assert got["features"] == np.asarray(spec["features"], dtype=float).tolist()
    SHOTS.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in case)
    q(page, "").screenshot(str(SHOTS / f"case-{slug}.png"))


def test_keyboard_moves_points_theta_and_temperature(page):
    from selenium.webdriver.common.keys import Keys

    before = read(page)
    q(page, '.sa-point[data-action="1"]').send_keys(Keys.ARROW_RIGHT)
    after = check_against_package(page)
    assert after["features"][1] == pytest.approx(
        [before["features"][1][0] + 0.1, before["features"][1][1]]
    )
    assert after["pi"] != before["pi"], "moving a point did not change the probabilities"

    q(page, ".sa-theta-handle").send_keys(Keys.SHIFT, Keys.ARROW_UP)
    after = check_against_package(page)
    assert after["theta"] == pytest.approx([before["theta"][0], before["theta"][1] + 0.5])

    tau_slider = q(page, ".sa-tau-range")
    tau_slider.send_keys(Keys.ARROW_LEFT)  # one step cooler
    after = check_against_package(page)
    assert 0 < after["tau"] < before["tau"]

    # space on the checkbox: one-hot features, started at the same preferences, so the
    # probabilities do not move and the readout is e_a - pi
    previous = after
    q(page, ".sa-tabular").send_keys(Keys.SPACE)
    after = check_against_package(page)
    assert after["tabular"] and after["n"] == previous["n"]
    assert_numbers(after["pi"], [p["value"] for p in previous["pi"]], "pi across the switch")


def test_dragging_a_point_with_the_pointer(page):
    from selenium.webdriver.common.action_chains import ActionChains

    before = read(page)
    point = q(page, '.sa-point[data-action="2"]')
    ActionChains(page).drag_and_drop_by_offset(point, 40, -30).perform()
    after = check_against_package(page)
    moved = np.subtract(after["features"][2], before["features"][2])
    assert moved[0] > 0.2 and moved[1] > 0.2, f"the point moved by {moved}"


def test_bad_input_is_marked_and_ignored(page):
    before = read(page)
    for css, bad, words in [
        (".sa-tau", 0.0, "\u03c4 must be a number from 0.01 to 100"),
        (".sa-theta-1", 1e6, "\u03b8 must be a number from \u22121000 to 1000"),
        (".sa-phi-2-0", -1e300, "features must be numbers from \u22121000 to 1000"),
    ]:
        paste_number(page, css, bad)
        assert q(page, css).get_attribute("aria-invalid") == "true"
        assert q(page, ".sa-message").text == words
        assert [p["value"] for p in read(page)["pi"]] == [p["value"] for p in before["pi"]]
    type_number(page, ".sa-tau", 0.5)
    type_number(page, ".sa-theta-1", -2)
    type_number(page, ".sa-phi-2-0", 3)
    check_against_package(page)


def test_api_checks_its_input_and_agrees_with_the_controls(page):
    call = """
    try { ScoreArrows.instances[0].set(arguments[0]); return 'accepted'; }
    catch (e) { return e.name + ': ' + e.message; }
    """
    for bad, words in [
        ({"tau": 0}, ["tau = 0", "0.01 to 100"]),
        ({"n": 7}, ["n = 7", "3 to 5"]),
        ({"theta": [1.0]}, ["theta = [1]", "two numbers"]),
        ({"features": [[1e9, 0]]}, ["features = [[1000000000,0]]", "-1000 to 1000"]),
        ({"action": 4, "n": 3}, ["action = 4", "0 to 2"]),
    ]:
        message = page.execute_script(call, bad)
        assert message.startswith("RangeError") and all(w in message for w in words), message
    assert (
        page.execute_script(
            call,
            {
                "features": [[1, 0], [-1, 0], [0, 2]],
                "n": 3,
                "theta": [700, -700],
                "tau": 0.05,
                "action": 2,
            },
        )
        == "accepted"
    )
    got = check_against_package(page)
    assert got["theta"] == [700.0, -700.0] and got["features"] == [
        [1.0, 0.0],
        [-1.0, 0.0],
        [0.0, 2.0],
    ]


@pytest.mark.parametrize("width", [390, 1280])
def test_layout_fits_and_screenshots(page, width):
    page.set_window_size(width, 900)
    inner = page.execute_script("return window.innerWidth")
    assert abs(inner - width) <= 20, f"asked for a {width} px window, got {inner} px"
    root = q(page, "")
    page.execute_script("arguments[0].scrollIntoView({block: 'start'})", root)
    overflow = page.execute_script(
        "const r = arguments[0]; return [r.scrollWidth, r.clientWidth,"
        " document.documentElement.scrollWidth, window.innerWidth]",
        root,
    )
    assert overflow[0] <= overflow[1] + 1, f"the figure is wider than its box: {overflow}"
    assert overflow[2] <= overflow[3] + 1, f"the page scrolls sideways: {overflow}"
    plane = q(page, ".sa-plane").size
    assert plane["width"] >= 250, f"the plane is too small to drag in: {plane}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    # the figure in its page (the sentence above it, the static figure's end), then the
    # whole figure in a window tall enough to hold it, in both modes
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", root)
    page.save_screenshot(str(SHOTS / f"page-{width}.png"))
    for mode in ("", "-tabular"):
        if mode:
            q(page, ".sa-tabular").click()
            check_against_package(page)
        height = page.execute_script("return arguments[0].getBoundingClientRect().height", root)
        page.set_window_size(width, int(height) + 300)
        page.execute_script("arguments[0].scrollIntoView({block: 'center'})", root)
        root.screenshot(str(SHOTS / f"deriving_score-{width}{mode}.png"))
    page.execute_script("document.documentElement.dataset.theme = 'dark'")  # the theme's dark mode
    root.screenshot(str(SHOTS / f"deriving_score-{width}-tabular-dark.png"))
