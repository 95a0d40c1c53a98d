r"""The score of a large batch, computed in blocks of rows that stay in cache. Trusted.

The score :math:`\mathrm{D}h_\theta(s_i)^\top(e_{a_i}-\pi_i)/\tau` reads what the
parametrisation reads twice: once for the preferences, once more for the vjp. Over a
batch larger than the cache the second pass reads everything again from memory (for
linear preferences, :math:`\Phi` twice); block by block it reads from cache. A block is a
slice of rows of the observations, so each row's numbers are those of one pass whenever
the parametrisation computes row by row (the package's own do, bit for bit). The public
routes (:meth:`softmax_pg.SoftmaxPolicy.score`, :func:`softmax_pg.score`) still make every
check they make in one pass, block by block.
"""

from __future__ import annotations

import numpy as np

from . import _kernel

__all__ = ["block_rows", "score_in_blocks"]

BLOCK_BYTES = 2**21  # bytes of observations a block reads: read again from cache (L2, L3)
MIN_ROWS = 256  # below this, the per-block calls cost more than the cache saves


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


def score_in_blocks(
    preferences, vjp, theta, observations: np.ndarray, actions: np.ndarray, tau: float, rows: int
) -> np.ndarray:
    """The scores (batch, n_params) of ``observations`` (batch, ...) and ``actions`` (batch,).

    ``preferences(theta, obs)`` and ``vjp(theta, obs, g)`` are the parametrisation's
    methods (checked or trusted, as the caller wants them), called on ``rows`` rows at a
    time; the results go into one array allocated once.
    """
    n = observations.shape[0]
    out = None
    for i in range(0, n, rows):
        obs = observations[i : i + rows]
        h = preferences(theta, obs)
        v = vjp(theta, obs, _kernel.preference_score(h, actions[i : i + rows], tau))
        if out is None:
            out = np.empty((n,) + v.shape[1:])
        out[i : i + rows] = v
    return out
