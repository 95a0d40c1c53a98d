"""The grid world's text maps: the default layout, the rewards and the map parser."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ACTION_DELTAS", "ACTION_NAMES", "DEFAULT_MAP", "DEFAULT_REWARDS", "parse_map"]

DEFAULT_MAP = (
    "......",
    ".##.#.",
    "......",
    "S.XX.G",
)
"""The default layout: the short way to the goal runs along the edge of two pits."""

DEFAULT_REWARDS = {"step_reward": -1.0, "goal_reward": -1.0, "pit_reward": -20.0}
"""Every step costs 1, the step into the goal included (as in the short corridor); a fall costs
20."""

ACTION_NAMES = ("up", "right", "down", "left")
"""Names of the actions 0 to 3."""

ACTION_DELTAS = np.array([(-1, 0), (0, 1), (1, 0), (0, -1)], dtype=np.int64)
"""``ACTION_DELTAS[a]``: the (row, column) step of action ``a``."""
ACTION_DELTAS.flags.writeable = False

_CELLS = frozenset("S.GX#")


def parse_map(layout: str | Sequence[str]) -> tuple[str, ...]:
    """Check a text map and return it as a tuple of rows.

    Parameters
    ----------
    layout : str or sequence of str
        One string per row, or one string with a row per line (blank lines ignored).

    Returns
    -------
    tuple of str
        The rows, all of the same length.

    Raises
    ------
    TypeError
        If ``layout`` is not text.
    ValueError
        If rows differ in length, a character is not one of ``S . G X #``, or the map
        has not exactly one ``S`` and at least one ``G``.
    """
    if isinstance(layout, str):
        rows = tuple(line.strip() for line in layout.splitlines() if line.strip())
    elif isinstance(layout, Sequence) and all(isinstance(r, str) for r in layout):
        rows = tuple(layout)
    else:
        raise TypeError(f"layout must be a string or a sequence of strings; got {layout!r}")
    if not rows or not rows[0]:
        raise ValueError("layout must have at least one non-empty row")
    if len({len(r) for r in rows}) != 1:
        raise ValueError(
            f"layout rows must all have the same length; got lengths {[len(r) for r in rows]}"
        )
    bad = sorted(set("".join(rows)) - _CELLS)
    if bad:
        raise ValueError(
            f"layout may only contain the characters 'S', '.', 'G', 'X', '#'; got {bad}"
        )
    text = "".join(rows)
    if text.count("S") != 1:
        raise ValueError(f"layout must have exactly one start 'S'; got {text.count('S')}")
    if "G" not in text:
        raise ValueError("layout must have at least one goal 'G'")
    return rows
