r"""KL estimators to a reference model, per token, and the weights of their gradients.

With the token log-ratio :math:`\ell_t = \log\pi_\theta(A_t|S_t) - \log\pi_\text{ref}(A_t|S_t)`
(Schulman 2020, "Approximating KL divergence"; summed over a response, the book's
:math:`\hat D_1, \hat D_2, \hat D_3`):

* :math:`k_1 = \ell_t`, :math:`k_2 = \tfrac12\ell_t^2`, :math:`k_3 = e^{-\ell_t} - 1 + \ell_t`.

Used in the reward (no gradient through it) their sum over a response enters the weights
like a reward; used as a loss they are differentiated, and
:math:`\nabla k_1 = \nabla\log\pi_t`, :math:`\nabla k_2 = \ell_t\nabla\log\pi_t`,
:math:`\nabla k_3 = (1 - e^{-\ell_t})\nabla\log\pi_t`: :func:`kl_loss_weights` returns those
factors (K. Liu et al. 2025 compare the combinations).
"""

from __future__ import annotations

import numpy as np

from .._validation import as_real_array

__all__ = ["KL_ESTIMATORS", "kl_estimates", "kl_loss_weights"]

KL_ESTIMATORS = ("k1", "k2", "k3")


def _pair(log_probs, ref_log_probs) -> np.ndarray:
    lp = as_real_array(log_probs, "log_probs")
    ref = as_real_array(ref_log_probs, "ref_log_probs")
    if lp.shape != ref.shape:
        raise ValueError(
            f"log_probs and ref_log_probs must have one shape; got {lp.shape} and {ref.shape}"
        )
    return lp - ref


def _kind(estimator: str) -> str:
    if estimator not in KL_ESTIMATORS:
        raise ValueError(f"estimator must be one of {KL_ESTIMATORS}; got {estimator!r}")
    return estimator


def kl_estimates(log_probs, ref_log_probs, estimator: str = "k3") -> np.ndarray:
    r""":math:`k_1, k_2` or :math:`k_3` of each token, the shape of ``log_probs``.

    ``log_probs``, ``ref_log_probs``: :math:`\log\pi_\theta(A_t|S_t)` and
    :math:`\log\pi_\text{ref}(A_t|S_t)` of tokens sampled from :math:`\pi_\theta` (0 at
    padding in both gives 0 there). :math:`k_1` and :math:`k_3` have expectation
    :math:`\mathrm{KL}(\pi_\theta(\cdot|S_t)\|\pi_\text{ref}(\cdot|S_t))`; :math:`k_3 \ge 0`.
    """
    ell, kind = _pair(log_probs, ref_log_probs), _kind(estimator)
    if kind == "k1":
        return ell
    if kind == "k2":
        return 0.5 * ell * ell
    return np.expm1(-ell) + ell


def kl_loss_weights(log_probs, ref_log_probs, estimator: str = "k3") -> np.ndarray:
    r"""The factor :math:`c_t` in :math:`\nabla k_t = c_t\nabla\log\pi_\theta(A_t|S_t)`.

    :math:`c_t = 1` (k1), :math:`\ell_t` (k2), :math:`1 - e^{-\ell_t}` (k3), same shape as
    ``log_probs``; pass :math:`-c_t` times the penalty's weight as token weights to descend
    that weight times :math:`\sum_t k_t`.
    """
    ell, kind = _pair(log_probs, ref_log_probs), _kind(estimator)
    if kind == "k1":
        return np.ones_like(ell)
    if kind == "k2":
        return ell
    return -np.expm1(-ell)
