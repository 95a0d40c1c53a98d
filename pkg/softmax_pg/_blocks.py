r"""The score of a large batch, computed in blocks of rows. Trusted.

The score :math:`\mathrm{D}h_\theta(s_i)^\top(e_{a_i}-\pi_i)/\tau` reads what the
parametrisation reads twice: once for the preferences, once more for the vjp. Over a
batch larger than the cache the second pass reads everything again from memory (for
linear preferences, :math:`\Phi` twice); block by block it is meant to read from cache
(not measured), which saved nothing measurable in ``benchmarks/results/``; the blocks
are what threads share out. A block is a slice of rows of the observations, so each
row's numbers are those of one pass whenever the parametrisation computes row by row
(the package's own do, bit for bit). The public routes
(:meth:`softmax_pg.SoftmaxPolicy.score`, :func:`softmax_pg.score`) still make every
check they make in one pass, block by block.

The blocks may be shared out between threads (:func:`block_threads`): each block is
computed whole by one thread, so the numbers do not depend on how many there are. Each
thread runs under the caller's floating-point error state (``np.errstate``), which a new
thread does not inherit.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _kernel

__all__ = ["block_rows", "block_threads", "score_in_blocks"]

BLOCK_BYTES = 2**21  # bytes of observations a block reads: sized for the cache (not measured)
MIN_ROWS = 256  # fewer rows per block: more calls per batch (a floor, not measured)
BLOCKS_PER_THREAD = 4  # a thread is started only for at least this many blocks of its own


def block_rows(observations: object, n_params: int) -> int | None:
    """Rows per block for this batch, or None for one pass (a small batch; not an array).

    A row's size is the larger of an observation's bytes and a score's (``n_params``
    numbers); a block holds about :data:`BLOCK_BYTES` of them, at least :data:`MIN_ROWS`
    rows, and there are at least two blocks.
    """
    if not isinstance(observations, np.ndarray) or observations.ndim == 0:
        return None
    n = observations.shape[0]
    row = max(observations.itemsize * (observations.size // max(n, 1)), 8 * n_params, 1)
    rows = max(MIN_ROWS, BLOCK_BYTES // row)
    return rows if n >= 2 * rows else None


def block_threads(n_rows: int, rows: int) -> int:
    """Threads for ``n_rows`` rows in blocks of ``rows``: one per CPU this process may use
    (at most ``OMP_NUM_THREADS`` when that is set), while each thread gets at least
    :data:`BLOCKS_PER_THREAD` blocks. Limits set on numpy's BLAS at run time (threadpoolctl)
    are not seen: numpy has no public way to read them."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    limit = os.environ.get("OMP_NUM_THREADS", "").strip()
    if limit.isdigit() and int(limit) > 0:
        cpus = min(cpus or 1, int(limit))
    n_blocks = -(-n_rows // rows)
    return max(1, min(cpus or 1, n_blocks // BLOCKS_PER_THREAD))


def score_in_blocks(
    preferences,
    vjp,
    theta,
    observations: np.ndarray,
    actions: np.ndarray,
    tau: float,
    rows: int,
    threads: int = 1,
) -> np.ndarray:
    """The scores (batch, n_params) of ``observations`` (batch, ...) and ``actions`` (batch,).

    ``preferences(theta, obs)`` and ``vjp(theta, obs, g)`` are the parametrisation's
    methods (checked or trusted, as the caller wants them), called on ``rows`` rows at a
    time; the results go into one array allocated once. With ``threads`` > 1 the blocks
    after the first are split into that many runs of consecutive blocks, one per thread
    (the caller's is one of them): the methods must then be safe to call concurrently.
    """

    def block(i: int) -> np.ndarray:
        obs = observations[i : i + rows]
        h = preferences(theta, obs)
        return vjp(theta, obs, _kernel.preference_score(h, actions[i : i + rows], tau))

    def fill(starts: range) -> None:
        for i in starts:
            out[i : i + rows] = block(i)

    n = observations.shape[0]
    first = block(0)
    out = np.empty((n,) + first.shape[1:])
    out[:rows] = first
    later = range(rows, n, rows)
    if threads <= 1:
        fill(later)
        return out
    cuts = [k * len(later) // threads for k in range(threads + 1)]
    runs = [later[cuts[k] : cuts[k + 1]] for k in range(threads)]
    errors, call = np.geterr(), np.geterrcall()

    def fill_as_the_caller(starts: range) -> None:
        with np.errstate(call=call, **errors):  # a new thread starts with numpy's defaults
            fill(starts)

    with ThreadPoolExecutor(threads - 1) as pool:
        others = [pool.submit(fill_as_the_caller, run) for run in runs[1:]]
        fill(runs[0])
        for other in others:
            other.result()
    return out
