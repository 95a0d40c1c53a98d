"""Shared pytest configuration: nbval's sanitize file resolved from the root, and the
markers `notebook`, `browser` (and authors' `slow`) that `make check` leaves out."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from _examples import FAST_EXAMPLES
from _slow import missing_files
from hypothesis import settings

# Plots made by the tests themselves never need a window. (Do not set MPLBACKEND in the
# environment: the notebooks' kernels inherit it and would lose their inline figures.)
matplotlib.use("Agg")

SANITIZE = "tests/nbval_sanitize.cfg"

# In CI the property tests draw the same examples on every run, so a statistical check
# (a mean within five standard errors, say) cannot fail by bad luck on one run and pass on
# the next. Locally hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
# `make check`, the fast loop, selects HYPOTHESIS_PROFILE=fast: every property still runs,
# on fewer examples (a test with its own number caps it with tests/_examples.py's
# `examples(n)`, since a test's own settings override any profile); `make test` and CI draw
# hypothesis's default number, or the test's own.
settings.register_profile("fast", max_examples=FAST_EXAMPLES, deadline=None)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    settings.load_profile("ci")
elif os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


def pytest_configure(config):
    # nbval reads --nbval-sanitize-with relative to the current directory; make it
    # relative to the project root so `pytest` works from any folder.
    if getattr(config.option, "nbval_sanitize_with", None):
        config.option.nbval_sanitize_with = str(config.rootpath / SANITIZE)


# Markers by file and kind (registered in pyproject.toml), so that no test file needs an
# edit: `make check` deselects them (`-m "not notebook and not browser and not slow"`).
# A test's own @pytest.mark.slow stays as its author put it.
BROWSER_FILES = {"test_book_pages.py", "test_lab.py", "test_widget.py", "test_pdf.py"}


def _kind(item) -> str | None:
    if type(item).__module__.startswith("nbval"):
        return "notebook"
    path = getattr(item, "path", None)
    if path is not None and path.suffix == ".ipynb":
        return "notebook"
    if path is not None and path.name in BROWSER_FILES:
        return "browser"
    module = getattr(item, "module", None)
    if module is not None and any(
        getattr(v, "__module__", "") == "_browser" for v in vars(module).values()
    ):
        return "browser"  # a new test file driving Chromium through tests/_browser.py
    return None


# The files that take longest (measured with `--durations=0`, longest first). pytest-xdist's
# `--dist loadfile` hands each worker whole files in collection order, so starting these
# first keeps one long notebook from running alone at the end while the other worker idles.
LONGEST_FIRST = [
    "recipes_control.ipynb",
    "cartpole.ipynb",
    "test_lab.py",
    "test_book_pages.py",
    "gridworld.ipynb",
    "short_corridor.ipynb",
    "recipes_tabular.ipynb",
    "recipes_own.ipynb",
    "test_widget.py",
    "entropy.ipynb",
    "natural_gradient.ipynb",
    "pytorch.ipynb",
    "test_pdf.py",
]


def _rank(item) -> int:
    name = item.path.name if getattr(item, "path", None) is not None else ""
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


# Tests marked `slow` here, by file and name (every parametrisation, or one by its id), so
# that `make check` stays under a minute: each takes seconds (measured with `--durations=0`;
# seconds under a load of about 14 on two cores) because its claim needs the long run, the
# subprocess, torch.optim or the figure it makes. `make test` and CI run them.
# A name here that no test of its file has (a test renamed) fails that file's collection,
# naming it (pytest_make_collect_report below); a file here that tests/ does not hold (a
# file renamed or deleted) stops the session before it collects (pytest_sessionstart).
SLOW = {
    "test_envs_acrobot.py": {
        "test_batched_runs_are_twins_of_reinforce_on_gymnasium",  # 47 s and 26 s
        "test_steps_equal_gymnasium_across_termination_and_truncation",  # 33 s
        "test_batched_learner_runs_and_equals_it_on_gymnasium_dynamics",  # 23 s
    },
    "test_experiments_bandit.py": {
        "test_final_percent_optimal_matches_figure_2_5",  # 47 s: the figure's runs
        "test_other_baseline_convention_barely_changes_the_curves",  # 10 s
        "test_baseline_keeps_the_mean_update_and_cuts_its_variance",  # 41 s: its fixture
    },
    "test_learners_actor_critic.py": {
        "test_a_runaway_batch_critic_is_named_before_its_weights_overflow",  # 31 s
    },
    "test_experiments_continuous.py": {
        "test_natural_mean_survives_where_plain_steps_diverge",  # 15 s
        "test_learns_the_target_and_shrinks_the_spread",  # 10 s
    },
    "test_learners_optim.py": {
        "test_adam_matches_torch_on_the_same_gradients"
    },  # 24 s: torch.optim
    # one parametrisation of each: the other keeps the claim in `make check`
    "test_experiments_corridor.py": {
        "test_batched_equals_single_runs[1000-None]",  # 7 s each
        "test_batched_equals_single_runs[1000-0.015625]",
    },
    "test_batched.py": {"test_numpy_vector_env_is_reproducible_bit_for_bit[1]"},  # 7 s
    "test_envs.py": {"test_grid_plots"},  # 6 s: matplotlib figures
    "test_user_parametrisation.py": {"test_this_file_runs_without_torch"},  # 10 s, a subprocess
    "test_lock.py": {"test_pip_check_is_clean"},  # 10 s, pip check
}


def pytest_sessionstart(session):
    """Stop, naming them, when SLOW's keys name files that tests/ does not hold: no
    file's collection would ever check their entries."""
    missing = missing_files(SLOW, Path(__file__).parent)
    if missing:
        raise pytest.UsageError(
            "tests/conftest.py's SLOW names test files that do not exist (renamed or "
            f"removed? correct or delete the entry): {', '.join(missing)}"
        )


def _slow_names(item) -> set[str]:
    """The names of SLOW that ``item`` matches (its function's name, or its id)."""
    path = getattr(item, "path", None)
    names = {getattr(item, "originalname", None), getattr(item, "name", None)}
    return names & SLOW.get(path.name, set()) if path is not None else set()


def _test_names(nodes, *, into_classes: bool) -> set[str]:
    """The names and ids of the tests among ``nodes`` (and in their classes, if asked)."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, pytest.Item):
            names |= {getattr(node, "originalname", None), node.name}
        elif into_classes and isinstance(node, pytest.Collector):
            names |= _test_names(node.collect(), into_classes=True)
    return names


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """A test file whose SLOW entries name no test it holds fails to collect, naming
    them: a renamed test must not silently leave `make check`'s exclusions. Checked when
    the file is collected (whatever -k, -m or a `file.py::test` selects afterwards), so
    a file that is not collected is not checked."""
    report = yield
    path = getattr(collector, "path", None)
    if isinstance(collector, pytest.Module) and report.passed and path.name in SLOW:
        stale = SLOW[path.name] - _test_names(report.result, into_classes=False)
        if stale:  # a test in a class? collect the classes (once more) to look there
            stale = sorted(stale - _test_names(report.result, into_classes=True))
        if stale:
            report.outcome = "failed"
            report.longrepr = (
                f"tests/conftest.py's SLOW names tests that {path.name} does not hold "
                f"(renamed or removed? correct or delete the entry): {', '.join(stale)}"
            )
    return report


def pytest_collection_modifyitems(config, items):
    for item in items:
        kind = _kind(item)
        if kind is not None:
            item.add_marker(getattr(pytest.mark, kind))
        if _slow_names(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=_rank)  # stable: the tests of a file, and a notebook's cells, keep their order
