"""The short corridor ``chunk`` steps at a time: tables of outcomes of every action pattern.

Used by :mod:`softmax_pg.experiments.corridor_runs`; with features identical in every state
a run's next ``chunk`` actions follow from its next ``chunk`` uniform numbers alone.
"""

from __future__ import annotations

import functools

import numpy as np

from ..envs.corridor import GOAL, LEFT, NEXT_STATE

__all__ = ["Chunks", "chunk_tables", "right_weights"]


@functools.lru_cache(maxsize=4)
def chunk_tables(m: int) -> np.ndarray:
    """Outcome of ``m`` actions from each start state, for each action pattern and step limit.

    Row ``(s * 2**m + pattern) * m + limit - 1``, where bit ``i`` of ``pattern`` is
    action ``i`` (1 = right) and at most ``limit`` steps are taken. Columns: the steps
    taken (fewer if the goal comes first), the state reached, the number of right
    actions among them and the sum of their offsets ``i``.
    """
    s = np.broadcast_to(np.arange(GOAL)[:, None, None], (GOAL, 2**m, m)).copy()
    pattern = np.arange(2**m)[None, :, None]
    limit = np.arange(1, m + 1)[None, None, :]
    steps = np.zeros_like(s)
    n_right = np.zeros_like(s)
    t_right = np.zeros_like(s)
    for i in range(m):
        bit = (pattern >> i) & 1
        live = (s != GOAL) & (i < limit)
        s = np.where(live, NEXT_STATE[s, bit], s)
        steps += live
        n_right += live * bit
        t_right += live * bit * i
    table = np.stack([steps.ravel(), s.ravel(), n_right.ravel(), t_right.ravel()], axis=1)
    table.flags.writeable = False  # cached: shared by every call
    return table


def right_weights(m: int, q: float) -> np.ndarray:
    """``sum(q**i for right actions i among the steps taken)``, indexed as :func:`chunk_tables`."""
    bits = (np.arange(2**m)[:, None] >> np.arange(m)) & 1  # (2**m, m)
    taken = np.arange(m)[None, :] < np.arange(1, m + 1)[:, None]  # (limit, i)
    per_limit = (bits * q ** np.arange(m)) @ taken.T  # (2**m, limit): before the goal cut
    return per_limit  # cut at the goal by the caller through `steps`


class Chunks:
    """Advance every live lane by up to ``chunk`` steps through the precomputed tables."""

    def __init__(self, chunk: int, steps_cap: int, alpha_w: float | None) -> None:
        m = chunk
        self.m, self.steps_cap, self.baseline = m, steps_cap, alpha_w is not None
        self.table = chunk_tables(m)  # columns: steps, state, n_right, t_right
        self.q = 1.0 - (alpha_w or 0.0)
        self.right_w = right_weights(m, self.q) if self.baseline else None
        self.q_pow = self.q ** np.arange(m + 1)
        self.pow2 = 1 << np.arange(m)

    def advance(self, lanes, u: np.ndarray) -> None:
        """Move the lanes (a ``_Lanes``) on by the actions their uniforms ``u`` (n_live, chunk) pick."""
        m = self.m
        # Action right iff cdf(left) <= u: what the kernel's inverse CDF does with one uniform.
        pattern = (u >= lanes.probs[:, LEFT, None]) @ self.pow2
        row = (lanes.state * 2**m + pattern) * m + np.minimum(m, self.steps_cap - lanes.t) - 1
        taken, lanes.state, nr, tr = self.table[row].T
        lanes.n_right += nr
        lanes.t_right += tr + lanes.t * nr
        if self.baseline:
            lanes.q_right += lanes.q_t * self.right_w[pattern, taken - 1]
            lanes.q_t *= self.q_pow[taken]
        lanes.t += taken
        lanes.ptr += taken
