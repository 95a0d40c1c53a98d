r"""A small configurable grid world, laid out from a text map.

A map is a list of equally long strings (or one string with a line per row):

* ``S`` the start (exactly one), ``.`` a free cell,
* ``G`` a goal and ``X`` a pit (terminal cells; at least one goal),
* ``#`` a wall; the border of the map is a wall too.

The agent moves ``up``, ``right``, ``down`` or ``left`` (actions 0 to 3, the order of
Gymnasium's ``CliffWalking``); a move into a wall or off the map leaves it in place.
The reward of a step is the reward of the cell it lands in: ``goal_reward`` for a goal,
``pit_reward`` for a pit, ``step_reward`` otherwise. A goal ends the episode. A pit
is a cliff edge as in Sutton & Barto's cliff walking (Example 6.6): the step into it
costs ``pit_reward`` and puts the agent back on the start, unless
``pit_terminates=True`` makes pits terminal too.

The observation is the index of the agent's cell among the non-wall cells, numbered
row by row (:meth:`GridWorld.cell`, :meth:`GridWorld.state`), so a tabular policy needs
``observation_space.n`` states; goals (and terminal pits) are states too, they are
just never left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .._validation import as_real_array
from .gridmap import ACTION_DELTAS, ACTION_NAMES, DEFAULT_MAP, DEFAULT_REWARDS, parse_map

__all__ = [
    "ACTION_DELTAS",
    "ACTION_NAMES",
    "DEFAULT_MAP",
    "DEFAULT_REWARDS",
    "GridWorld",
    "parse_map",
]


class GridWorld(gym.Env):
    r"""A deterministic grid world with walls, a start, goals and pits (cliffs).

    Observation space ``Discrete(n_cells)``, the index of the agent's cell among the
    non-wall cells in row-major order; action space ``Discrete(4)`` (up, right, down,
    left). See the module docstring for the map and the rewards.

    Parameters
    ----------
    layout : str or sequence of str, default DEFAULT_MAP
        The map (:func:`parse_map`).
    step_reward : float, default -1.0
        Reward for a step that lands on a free cell (or bumps into a wall).
    goal_reward : float, default -1.0
        Reward for the step into a goal.
    pit_reward : float, default -20.0
        Reward for the step into a pit.
    pit_terminates : bool, default False
        False: a pit sends the agent back to the start (a cliff). True: a pit ends
        the episode like a goal.
    render_mode : {None, "ansi"}, default None
        ``"ansi"`` makes :meth:`render` return the map as text with the agent as ``A``.

    Attributes
    ----------
    rows : tuple of str
        The map.
    shape : tuple of int
        ``(n_rows, n_cols)``.
    cells : numpy.ndarray of int64, shape (n_cells, 2)
        ``cells[s]`` is the (row, column) of state ``s``.
    next_state : numpy.ndarray of int64, shape (n_cells, 4)
        The deterministic transition table (a fall into a cliff pit leads to ``start``).
    rewards : numpy.ndarray, shape (n_cells, 4)
        The reward of each state-action pair.
    terminal : numpy.ndarray of bool, shape (n_cells,)
        Goals, and pits if ``pit_terminates``.
    pits : numpy.ndarray of bool, shape (n_cells,)
        The pit cells.
    start : int
        The start state.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        layout: str | Sequence[str] = DEFAULT_MAP,
        *,
        step_reward: float = -1.0,
        goal_reward: float = -1.0,
        pit_reward: float = -20.0,
        pit_terminates: bool = False,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be None or one of {self.metadata['render_modes']}; got "
                f"{render_mode!r}"
            )
        rewards = as_real_array([step_reward, goal_reward, pit_reward], "rewards (step, goal, pit)")
        self.render_mode = render_mode
        self.rows = parse_map(layout)
        self.shape = (len(self.rows), len(self.rows[0]))
        self.cells = np.array(
            [(i, j) for i, row in enumerate(self.rows) for j, c in enumerate(row) if c != "#"],
            dtype=np.int64,
        )
        index = {(int(i), int(j)): s for s, (i, j) in enumerate(self.cells)}
        kind = np.array([self.rows[i][j] for i, j in self.cells])
        if not isinstance(pit_terminates, (bool, np.bool_)):
            raise TypeError(f"pit_terminates must be a bool; got {pit_terminates!r}")
        self.pits = kind == "X"
        self.terminal = (kind == "G") | (self.pits & bool(pit_terminates))
        self.start = int(np.flatnonzero(kind == "S")[0])
        self.next_state = np.empty((len(self.cells), 4), dtype=np.int64)
        for s, (i, j) in enumerate(self.cells):
            for a, (di, dj) in enumerate(ACTION_DELTAS):
                self.next_state[s, a] = index.get((int(i + di), int(j + dj)), s)
        landed = kind[self.next_state]
        self.rewards = np.where(
            landed == "G", rewards[1], np.where(landed == "X", rewards[2], rewards[0])
        )
        if not pit_terminates:  # a cliff: the fall is paid, then the agent is back at the start
            self.next_state[landed == "X"] = self.start
        self.observation_space = spaces.Discrete(len(self.cells))
        self.action_space = spaces.Discrete(4)
        self._state = self.start

    @property
    def n_states(self) -> int:
        """Number of states, the non-wall cells."""
        return int(self.cells.shape[0])

    def state(self, row: int, col: int) -> int:
        """The state index of the cell (``row``, ``col``); raises ``ValueError`` for a wall."""
        hit = np.flatnonzero((self.cells[:, 0] == row) & (self.cells[:, 1] == col))
        if hit.size == 0:
            raise ValueError(f"({row}, {col}) is a wall or outside the {self.shape} map")
        return int(hit[0])

    def cell(self, state: int) -> tuple[int, int]:
        """The (row, column) of ``state``."""
        i, j = self.cells[state]
        return int(i), int(j)

    def policy_values(self, probs: np.ndarray, gamma: float = 1.0) -> np.ndarray:
        r"""Exact state values of a policy, by solving the Bellman equations.

        :math:`v = r_\pi + \gamma P_\pi v` on the non-terminal states, :math:`v = 0` on the
        terminal ones, with :math:`r_\pi(s) = \sum_a \pi(a\mid s) r(s,a)` and
        :math:`P_\pi(s, s') = \sum_a \pi(a\mid s)\,[\text{next}(s,a) = s']`.

        Parameters
        ----------
        probs : array_like, shape (n_states, 4)
            :math:`\pi(a \mid s)`, each row summing to one.
        gamma : float, default 1.0
            Discount in (0, 1].

        Returns
        -------
        numpy.ndarray, shape (n_states,)
            With ``gamma = 1``, NaN for the states from which the policy may never reach a
            goal (their return is unbounded); a finite value for every other state.

        Raises
        ------
        ValueError
            On mis-shaped probabilities or ``gamma`` outside (0, 1].
        """
        p = as_real_array(probs, "probs")
        if p.shape != (self.n_states, 4) or np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0):
            raise ValueError(
                f"probs must be ({self.n_states}, 4) probabilities with rows summing to 1; got "
                f"shape {p.shape}"
            )
        g = float(gamma)
        if not 0.0 < g <= 1.0:
            raise ValueError(f"gamma must lie in (0, 1]; got {gamma!r}")
        transition = np.zeros((self.n_states, self.n_states))
        np.add.at(
            transition, (np.repeat(np.arange(self.n_states), 4), self.next_state.ravel()), p.ravel()
        )
        transition[self.terminal] = 0.0  # episodes end there
        proper = ~self.terminal
        if g == 1.0:
            # states that reach a goal with probability one:
            # no path to a state without a path to a goal
            edges = transition > 0
            reach_goal = self._reaches(edges, self.terminal)
            proper &= ~self._reaches(edges, ~reach_goal)
        live = np.flatnonzero(proper)
        system = np.eye(live.size) - g * transition[np.ix_(live, live)]
        values = np.where(self.terminal, 0.0, np.nan)
        values[live] = np.linalg.solve(system, (p * self.rewards).sum(axis=1)[live])
        return values

    @staticmethod
    def _reaches(edges: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """States with a path (of length >= 0) along ``edges`` to a ``targets`` state."""
        found = targets.copy()
        while True:
            grown = found | (edges & found[None, :]).any(axis=1)
            if (grown == found).all():
                return found
            found = grown

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Put the agent on the start cell.

        Parameters
        ----------
        seed : int, optional
            Seeds ``np_random`` (unused by the deterministic dynamics).
        options : dict, optional
            Ignored.

        Returns
        -------
        observation : int
            The start state.
        info : dict
            Empty.
        """
        super().reset(seed=seed)
        self._state = self.start
        return self._state, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        """Move one cell in the direction of ``action`` unless a wall is in the way.

        Parameters
        ----------
        action : int
            0 up, 1 right, 2 down, 3 left.

        Returns
        -------
        observation : int
            The new state (the start after a fall into a cliff pit).
        reward : float
            The reward of the cell landed in.
        terminated : bool
            Whether that cell is a goal (or a terminal pit).
        truncated : bool
            Always False; time limits come from :class:`gymnasium.wrappers.TimeLimit`.
        info : dict
            Empty.
        """
        if not self.action_space.contains(action):
            raise ValueError(f"action must be an integer in [0, 4); got {action!r}")
        if self.terminal[self._state]:
            raise RuntimeError(
                "the episode has ended (a terminal cell was reached); call reset() first"
            )
        a = int(action)
        reward = float(self.rewards[self._state, a])
        self._state = int(self.next_state[self._state, a])
        return self._state, reward, bool(self.terminal[self._state]), False, {}

    def render(self) -> str | None:
        """The map as text, one line per row, the agent's cell shown as ``A``.

        Returns
        -------
        str or None
            The text when ``render_mode == "ansi"``, else None.
        """
        if self.render_mode != "ansi":
            return None
        grid = [list(r) for r in self.rows]
        i, j = self.cell(self._state)
        grid[i][j] = "A"
        return "\n".join("".join(r) for r in grid)
