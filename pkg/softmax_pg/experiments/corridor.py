r"""The short corridor in closed form, and many REINFORCE runs on it at once.

**Closed form.** Let :math:`p = \pi(\text{right})`, the same in every state because the
agent cannot tell the states apart. The Bellman equations of the three non-terminal
states (Sutton & Barto 2018, Example 13.1; ``softmax_pg.envs.corridor.NEXT_STATE``)

.. math::

    \begin{aligned}
    v_0 &= -1 + p\,v_1 + (1-p)\,v_0,\\
    v_1 &= -1 + p\,v_0 + (1-p)\,v_2,\\
    v_2 &= -1 + (1-p)\,v_1
    \end{aligned}

give the value of the start state

.. math::

    v(p) = v_0 = \frac{2p - 4}{p(1-p)},

maximal at :math:`p^* = 2 - \sqrt 2 \approx 0.586` with
:math:`v^* = -(6 + 4\sqrt 2) \approx -11.66` (:func:`short_corridor_value`,
:func:`short_corridor_state_values` by a linear solve, :func:`short_corridor_optimum`).

**Batched runs** (``softmax_pg.experiments.corridor_runs``, re-exported here):
:func:`short_corridor_runs` reproduces Sutton & Barto's Figures 13.1
and 13.2: many independent REINFORCE runs, with or without a learned baseline, stepped
together with plain numpy arrays. Run ``r`` draws from its own generator,
``run_generators(seed, n_runs)[r]``, in the order of ``softmax_pg.learners``, so it
repeats, draw for draw, what ``softmax_pg.learners.reinforce`` does on
:class:`~softmax_pg.envs.ShortCorridor` with :func:`~softmax_pg.envs.corridor_features`
and the same generator: the same actions and returns, and parameters equal to
rounding.

Why it is fast: with features identical in every state the action probabilities do
not depend on the state, so a run's next ``chunk`` actions follow from its next
``chunk`` uniform numbers alone. Tables computed once give, for each start state and
each pattern of ``chunk`` actions, where the corridor ends up, after how many steps,
and the sums the update needs. One pass of the loop advances every run by up to
``chunk`` steps; each run moves on to its next episode as soon as its current one ends.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_real_array
from ..envs.corridor import GOAL, LEFT, NEXT_STATE, REWARD, RIGHT
from .corridor_runs import CorridorRuns, run_generators, short_corridor_runs

__all__ = [
    "CorridorRuns",
    "run_generators",
    "short_corridor_optimum",
    "short_corridor_runs",
    "short_corridor_state_values",
    "short_corridor_value",
]

# ------------------------------------------------------------------------ closed form


def _prob_right(prob_right: ArrayLike) -> np.ndarray:
    p = as_real_array(prob_right, "prob_right")
    if np.any((p <= 0.0) | (p >= 1.0)):
        raise ValueError(
            f"prob_right must lie strictly between 0 and 1 (at 0 or 1 the goal is never reached); "
            f"got values in [{p.min()}, {p.max()}]"
        )
    return p


def short_corridor_value(prob_right: ArrayLike) -> np.ndarray:
    r"""Start value :math:`v(p) = \frac{2p - 4}{p(1-p)}` of the policy going right with probability
    :math:`p`.

    The undiscounted expected return from state 0, minus the expected episode length
    (Sutton & Barto 2018, Example 13.1).

    Parameters
    ----------
    prob_right : array_like, shape (...)
        :math:`p = \pi(\text{right})`, each strictly between 0 and 1.

    Returns
    -------
    numpy.ndarray, shape (...)
    """
    p = _prob_right(prob_right)
    return (2.0 * p - 4.0) / (p * (1.0 - p))


def short_corridor_state_values(prob_right: ArrayLike) -> np.ndarray:
    r"""Values :math:`(v_0, v_1, v_2)` of the three states, by solving the Bellman equations.

    Builds :math:`P_\pi` from the environment's transition table and solves
    :math:`(I - P_\pi) v = r` with :math:`r = -1` in every state: a check of
    :func:`short_corridor_value` that does not use its formula.

    Parameters
    ----------
    prob_right : array_like, shape (...)
        :math:`p = \pi(\text{right})`, each strictly between 0 and 1.

    Returns
    -------
    numpy.ndarray, shape (..., 3)
    """
    p = _prob_right(prob_right)
    n = GOAL  # the non-terminal states 0, 1, 2
    transition = np.zeros(p.shape + (n, n))
    for s in range(n):
        for a, prob in ((LEFT, 1.0 - p), (RIGHT, p)):
            s_next = NEXT_STATE[s, a]
            if s_next != GOAL:
                transition[..., s, s_next] += prob
    rewards = np.full(p.shape + (n, 1), REWARD)
    return np.linalg.solve(np.eye(n) - transition, rewards)[..., 0]


def short_corridor_optimum() -> tuple[float, float]:
    r"""The best probability of going right and its value, :math:`(2 - \sqrt 2,\; -(6 + 4\sqrt 2))`.

    From :math:`\frac{d}{dp} v(p) = 0 \iff p^2 - 4p + 2 = 0`, the root in (0, 1).

    Returns
    -------
    p_star, v_star : float
        About 0.5858 and -11.657.
    """
    return 2.0 - np.sqrt(2.0), -(6.0 + 4.0 * np.sqrt(2.0))
