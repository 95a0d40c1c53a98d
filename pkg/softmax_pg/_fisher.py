r"""The Fisher matrix from the scores of every action, below the policies that use it.

:math:`F(s) = \sum_b \pi_b\, s_b s_b^\top` with :math:`s_b = \nabla_\theta\log\pi_\theta(b\mid s)`:
the covariance of the score (its mean is zero). :class:`softmax_pg.SoftmaxPolicy` and Part I's
:func:`softmax_pg.fisher_information` both form it here. Trusted: the callers check the shapes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fisher_from_scores"]


def fisher_from_scores(scores: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """sum_b pi_b s_b s_b^T from the scores (..., n_actions, d) of every action, symmetrised."""
    weighted = scores * np.sqrt(probs)[..., :, None]
    f = np.swapaxes(weighted, -1, -2) @ weighted
    return 0.5 * (f + np.swapaxes(f, -1, -2))
