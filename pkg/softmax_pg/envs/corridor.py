r"""The short corridor with switched actions (Sutton & Barto 2018, Example 13.1).

Three non-terminal states in a row and a goal on the right::

    [0] [1] [2] [G]
     S   ↔

In states 0 and 2 the actions do what they say (``left`` from state 0 bumps into the
wall and stays); in state 1 they are *reversed*: ``right`` moves left, ``left`` moves
right. Every step costs a reward of :math:`-1`, the step into the goal included, so
the undiscounted return of an episode is minus its length.

The agent is meant to see nothing of the state: with the features
:math:`\phi(s,\text{right}) = (1, 0)` and :math:`\phi(s,\text{left}) = (0, 1)` in every
state (:func:`corridor_features`) the three states look identical, no deterministic
policy reaches the goal, and the best stochastic one goes right with probability
:math:`p^* = 2 - \sqrt 2`. The *observation* is still the state index, so that the
same environment serves learners with tabular features; whether the agent can use it
is decided by the feature map, not by the environment.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .._validation import check_positive

__all__ = [
    "GOAL",
    "LEFT",
    "NEXT_STATE",
    "REWARD",
    "RIGHT",
    "ShortCorridor",
    "corridor_features",
    "corridor_theta",
]

LEFT = 0
"""Index of the action ``left``."""
RIGHT = 1
"""Index of the action ``right``."""
GOAL = 3
"""Index of the terminal (goal) state."""

NEXT_STATE = np.array(
    [
        [0, 1],  # state 0: left bumps into the wall, right moves to 1
        [2, 0],  # state 1: reversed, left moves right to 2, right moves left to 0
        [1, 3],  # state 2: left moves to 1, right reaches the goal
        [3, 3],  # the goal is absorbing (never stepped from)
    ],
    dtype=np.int64,
)
"""``NEXT_STATE[s, a]``: the state after action ``a`` in state ``s`` (deterministic)."""
NEXT_STATE.flags.writeable = False

REWARD = -1.0
"""The reward of every step, the step into the goal included."""


class ShortCorridor(gym.Env):
    r"""Sutton & Barto's short corridor with switched actions, as a Gymnasium environment.

    Observation space ``Discrete(4)``: the index of the state, 0, 1 or 2 while the
    episode runs and 3 (``GOAL``) on the step that ends it; every episode starts in
    state 0. Action space ``Discrete(2)``: 0 is ``left``, 1 is ``right``. The reward is
    :math:`-1` on every step. The dynamics are deterministic (``NEXT_STATE``), so
    ``reset(seed=...)`` only seeds ``np_random`` as Gymnasium expects.

    Parameters
    ----------
    render_mode : {None, "ansi"}, default None
        ``"ansi"`` makes :meth:`render` return the corridor as a line of text.

    References
    ----------
    Sutton & Barto (2018), *Reinforcement Learning: An Introduction*, Example 13.1.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(self, render_mode: str | None = None) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be None or one of {self.metadata['render_modes']}; got "
                f"{render_mode!r}"
            )
        self.render_mode = render_mode
        self.observation_space = spaces.Discrete(4)
        self.action_space = spaces.Discrete(2)
        self._state = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Start an episode in state 0.

        Parameters
        ----------
        seed : int, optional
            Seeds ``np_random`` (unused by the deterministic dynamics).
        options : dict, optional
            Ignored.

        Returns
        -------
        observation : int
            0, the leftmost state.
        info : dict
            Empty.
        """
        super().reset(seed=seed)
        self._state = 0
        return self._state, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        """Take ``action`` (0 left, 1 right; reversed in state 1).

        Parameters
        ----------
        action : int
            0 or 1.

        Returns
        -------
        observation : int
            The next state, 3 when the goal is reached.
        reward : float
            -1.0.
        terminated : bool
            Whether the goal was reached.
        truncated : bool
            Always False; time limits come from :class:`gymnasium.wrappers.TimeLimit`.
        info : dict
            Empty.
        """
        if not self.action_space.contains(action):
            raise ValueError(f"action must be 0 (left) or 1 (right); got {action!r}")
        if self._state == GOAL:
            raise RuntimeError("the episode has ended (the goal was reached); call reset() first")
        self._state = int(NEXT_STATE[self._state, int(action)])
        return self._state, REWARD, self._state == GOAL, False, {}

    def render(self) -> str | None:
        """The corridor as text, ``"[ ][A][ ][G]"`` with ``A`` on the agent's state.

        Returns
        -------
        str or None
            The text when ``render_mode == "ansi"``, else None.
        """
        if self.render_mode != "ansi":
            return None
        cells = [" ", " ", " ", "G"]
        cells[self._state] = "A"
        return "".join(f"[{c}]" for c in cells)


def corridor_features() -> np.ndarray:
    r"""The book's features for the corridor: identical in every state.

    :math:`\phi(s, \text{right}) = (1, 0)`, :math:`\phi(s, \text{left}) = (0, 1)` for every
    state :math:`s` (Sutton & Barto 2018, Example 13.1), so
    :math:`\pi(\text{right}) = \sigma(\theta_0 - \theta_1)` whatever the state.

    Returns
    -------
    numpy.ndarray, shape (4, 2, 2)
        ``features[s, a]`` for the four observations (the goal's row is never used) and
        the actions ``LEFT = 0``, ``RIGHT = 1``.
    """
    phi = np.empty((4, 2, 2))
    phi[:, LEFT] = (0.0, 1.0)
    phi[:, RIGHT] = (1.0, 0.0)
    return phi


def corridor_theta(prob_right: float) -> np.ndarray:
    r"""Parameters :math:`\theta` with :math:`\pi(\text{right})` equal to ``prob_right`` for
    :func:`corridor_features`.

    :math:`\theta = \bigl(\tfrac12\log\frac{p}{1-p}, -\tfrac12\log\frac{p}{1-p}\bigr)`, symmetric
    like the widely used reproduction of Figure 13.1 (``prob_right = 0.05`` gives
    :math:`\theta \approx (-1.47, 1.47)`).

    Parameters
    ----------
    prob_right : float
        In (0, 1).

    Returns
    -------
    numpy.ndarray, shape (2,)
    """
    p = check_positive(prob_right, "prob_right")
    if p >= 1.0:
        raise ValueError(f"prob_right must lie in (0, 1); got {p!r}")
    half = 0.5 * np.log(p / (1.0 - p))
    return np.array([half, -half])
