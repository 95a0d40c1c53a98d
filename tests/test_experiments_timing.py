"""The one form of the Recipes pages' wall times, and the sanitize rule that matches it."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbval.plugin import get_sanitize_patterns
from softmax_pg.experiments import timing
from softmax_pg.experiments.timing import wall_time_line

SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")


def sanitized(text: str) -> str:
    """``text`` as strict nbval compares it: every rule of the file, in order."""
    for regex, replace in get_sanitize_patterns(SANITIZE.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_a_line_by_hand():
    assert wall_time_line(86.6, load=3.21) == "87 s wall clock at load 3.2"
    assert wall_time_line(0, load=0) == "0 s wall clock at load 0.0"
    assert wall_time_line(5186.2, load=11.25) == "5186 s wall clock at load 11.2"


def test_the_load_is_read_now_by_default(monkeypatch):
    monkeypatch.setattr(timing.os, "getloadavg", lambda: (6.46, 1.0, 2.0))
    assert wall_time_line(13.5) == "14 s wall clock at load 6.5"
    assert wall_time_line(13.5, load=0.04) == "14 s wall clock at load 0.0"


@pytest.mark.parametrize(
    ("seconds", "load", "error", "named"),
    [
        (-1.0, 1.0, ValueError, "seconds must be a finite number >= 0; got -1.0"),
        (math.nan, 1.0, ValueError, "seconds must be a finite number >= 0; got nan"),
        (math.inf, 1.0, ValueError, "seconds must be a finite number >= 0; got inf"),
        ("12", 1.0, TypeError, "seconds must be a real number >= 0; got '12' of type str"),
        (True, 1.0, TypeError, "seconds must be a real number >= 0; got True of type bool"),
        (3.0, -0.5, ValueError, "load must be a finite number >= 0; got -0.5"),
        (3.0, [1.0], TypeError, "load must be a real number >= 0; got [1.0] of type list"),
    ],
)
def test_bad_input_is_named(seconds, load, error, named):
    with pytest.raises(error, match=re.escape(named)):
        wall_time_line(seconds, load=load)


@given(
    st.floats(0, 1e6, allow_nan=False),
    st.floats(0, 999, allow_nan=False),
    st.sampled_from(["{}", "  recipe{}\n", "all rows: {}, on 2 cores", "'{}'"]),
)
def test_one_sanitize_rule_replaces_every_line_whole(seconds, load, where):
    """Printed or glued (a quoted string), any line the helper writes reads the same to
    strict nbval, whatever its seconds and load: the digits differ from run to run."""
    line = wall_time_line(seconds, load=load)
    assert sanitized(where.format(line)) == where.format("N s wall clock at load L")


@given(st.integers(0, 10**7), st.floats(0, 999, allow_nan=False))
def test_a_total_without_a_load_reads_the_same_and_leaves_the_rows_alone(seconds, load):
    """A page's total, a sum of rows timed at different loads, is printed and glued with
    no load ("5210 s wall clock"); its own rule replaces its seconds, and the rows' rule
    still replaces a row's line whole."""
    total, row = f"{seconds} s wall clock", wall_time_line(seconds, load=load)
    printed = f"  PPO {row}\nall rows: {total} (loads as above), on 2 cores\n'{total}'"
    assert sanitized(printed) == (
        "  PPO N s wall clock at load L\nall rows: N s wall clock (loads as above), on 2 cores"
        "\n'N s wall clock'"
    )
