"""The short corridor's lanes stepped ``chunk`` steps at a time, through tables of outcomes.

Used by :mod:`softmax_pg.experiments.corridor_runs`; with features identical in every state
a run's next ``chunk`` actions follow from its next ``chunk`` uniform numbers alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields

import numpy as np

from ..envs.corridor import GOAL, LEFT, NEXT_STATE

__all__ = ["WIDTH", "Chunks", "Lanes", "Uniforms", "chunk_tables", "right_weights"]

WIDTH = 4096  # uniform numbers buffered per lane


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

    def advance(self, lanes: Lanes, u: np.ndarray) -> None:
        """Move the lanes (a ``_Lanes``) on by the actions their uniforms ``u`` (n_live, chunk)
        pick."""
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


@dataclass
class Lanes:
    """Per-lane state of the live lanes (one lane per step size and run), compacted together."""

    lane: np.ndarray
    theta: np.ndarray
    w: np.ndarray
    probs: np.ndarray
    episode: np.ndarray
    state: np.ndarray
    t: np.ndarray
    ptr: np.ndarray
    n_right: np.ndarray  # right actions so far in the episode
    t_right: np.ndarray  # sum of their times t
    q_right: np.ndarray  # sum of q**t over them (baseline only)
    q_t: np.ndarray

    @classmethod
    def start(cls, n_lanes: int, theta0: np.ndarray, probs) -> Lanes:
        theta = np.tile(theta0, (n_lanes, 1))
        ints = [np.zeros(n_lanes, dtype=np.int64) for _ in range(5)]
        return cls(
            np.arange(n_lanes),
            theta,
            np.zeros(n_lanes),
            probs(theta),
            ints[0],
            ints[1],
            ints[2],
            ints[3],
            ints[4],
            np.zeros(n_lanes, dtype=np.int64),
            np.zeros(n_lanes),
            np.ones(n_lanes),
        )

    def keep(self, mask: np.ndarray) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name)[mask])

    def new_episode(self, e: np.ndarray) -> None:
        self.episode[e] += 1
        for name in ("state", "t", "n_right", "t_right"):
            getattr(self, name)[e] = 0
        self.q_right[e] = 0.0
        self.q_t[e] = 1.0


class Uniforms:
    """Each lane's uniform numbers, drawn ``WIDTH`` at a time from its generator."""

    def __init__(self, gens: list[np.random.Generator], chunk: int) -> None:
        for g in gens:
            g.integers(2**32)  # the environment's seed, drawn first by the learners too
        self.gens, self.chunk = gens, chunk
        self.buf = np.stack([g.random(WIDTH) for g in gens])
        self.flat = self.buf.reshape(-1)  # a view: refills write through it
        self.offsets = np.arange(chunk)

    def next(self, lanes: Lanes) -> np.ndarray:
        """The next ``chunk`` uniforms of every live lane, (n_live, chunk), topping buffers up."""
        for i in np.flatnonzero(lanes.ptr > WIDTH - self.chunk):
            row = lanes.lane[i]
            rest = self.buf[row, lanes.ptr[i] :].copy()
            self.buf[row, : rest.size] = rest
            self.buf[row, rest.size :] = self.gens[row].random(WIDTH - rest.size)
            lanes.ptr[i] = 0
        return self.flat[(lanes.lane * WIDTH + lanes.ptr)[:, None] + self.offsets]
