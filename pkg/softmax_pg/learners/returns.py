r"""Returns and the weights REINFORCE puts on each step's score.

* :func:`discounted_returns`: :math:`G_t = \sum_{k\ge t}\gamma^{k-t}R_{k+1}`, the return
  from step :math:`t` on (the "reward-to-go");
* :func:`step_weights`: the weight of the score at step :math:`t`, :math:`\gamma^t A_t`
  (Sutton & Barto's box) or :math:`A_t` (``discount_weighting=False``, what most code does);
* :func:`gae`: the generalised advantage :math:`A_t = \sum_k(\gamma\lambda)^k\delta_{t+k}`
  of a critic's TD errors (Schulman et al. 2016), what actor-critic weights the score by;
* :func:`normalize_advantages`: :math:`(A - \bar A)/\operatorname{std}(A)` over the
  steps of one update.

Each function checks its arguments; the checks cost O(n_steps), once per episode.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_scalar
from ._args import check_flag, check_gamma, rewards_array

__all__ = ["discounted_returns", "gae", "normalize_advantages", "step_weights"]


def discounted_returns(rewards: ArrayLike, gamma: float = 1.0) -> np.ndarray:
    r"""The return from every step, :math:`G_t = \sum_{k \ge t} \gamma^{k-t} R_{k+1}`.

    Computed backwards, :math:`G_t = R_{t+1} + \gamma G_{t+1}` (Sutton & Barto 2018,
    eq. 3.9), so :math:`G_t` holds the rewards *from step t on*: REINFORCE weights the
    score at step :math:`t` by :math:`G_t`, not by the whole episode's :math:`G_0`.

    Parameters
    ----------
    rewards : array_like, shape (n_steps,)
        :math:`R_1, \dots, R_T`, finite.
    gamma : float, default 1.0
        Discount in (0, 1].

    Returns
    -------
    numpy.ndarray, shape (n_steps,)
        :math:`G_0, \dots, G_{T-1}`.
    """
    r = rewards_array(rewards)
    g = check_gamma(gamma)
    out = np.empty_like(r)
    total = 0.0
    values = r.tolist()  # Python floats: the same IEEE double arithmetic, faster per step
    for t in range(len(values) - 1, -1, -1):
        total = values[t] + g * total
        out[t] = total
    return out


def gae(
    rewards: ArrayLike, values: ArrayLike, bootstrap: float, gamma: float, lam: float
) -> np.ndarray:
    r"""The generalised advantage estimate of every step (GAE(λ), Schulman et al. 2016).

    .. math::

        \delta_t = R_{t+1} + \gamma\,\hat v(S_{t+1}) - \hat v(S_t), \qquad
        A_t = \sum_{k=0}^{T-1-t} (\gamma\lambda)^k\,\delta_{t+k},

    with :math:`\hat v(S_T)` = ``bootstrap`` (0 after a terminal step, the critic's value of
    the last observation when the episode was cut off). Computed backwards,
    :math:`A_t = \delta_t + \gamma\lambda A_{t+1}`. ``lam = 0`` gives the one-step TD errors
    :math:`\delta_t`, ``lam = 1`` the return minus the value, :math:`G_t - \hat v(S_t)`
    (bootstrapped from :math:`\hat v(S_T)`).

    Parameters
    ----------
    rewards : array_like, shape (n_steps,)
        :math:`R_1, \dots, R_T`, finite.
    values : array_like, shape (n_steps,)
        :math:`\hat v(S_0), \dots, \hat v(S_{T-1})`, finite.
    bootstrap : float
        :math:`\hat v(S_T)`, finite.
    gamma : float
        Discount in (0, 1].
    lam : float
        :math:`\lambda \in [0, 1]`.

    Returns
    -------
    numpy.ndarray, shape (n_steps,)
        :math:`A_0, \dots, A_{T-1}`.
    """
    r = rewards_array(rewards)
    v = rewards_array(values, "values")
    if v.shape != r.shape:
        raise ValueError(
            f"values must have the shape of rewards, (n_steps,) = {r.shape}, one per step; got "
            f"shape {v.shape}"
        )
    boot = check_scalar(bootstrap, "bootstrap")
    g = check_gamma(gamma)
    lam_ = check_scalar(lam, "lam")
    if not 0.0 <= lam_ <= 1.0:
        raise ValueError(f"lam must lie in [0, 1] (the λ of GAE); got {lam_!r}")
    deltas = r + g * np.append(v, boot)[1:] - v
    out = np.empty_like(r)
    acc, decay = 0.0, g * lam_
    values_ = deltas.tolist()  # Python floats: the same IEEE double arithmetic, faster per step
    for t in range(len(values_) - 1, -1, -1):
        acc = values_[t] + decay * acc
        out[t] = acc
    return out


def step_weights(
    advantages: ArrayLike, gamma: float = 1.0, *, discount_weighting: bool = True
) -> np.ndarray:
    r"""The weight of each step's score in REINFORCE: :math:`\gamma^t A_t`, or :math:`A_t`.

    With ``discount_weighting`` (the default, Sutton & Barto 2018, §13.3 box) the
    estimate is :math:`\sum_t \gamma^t A_t \nabla\log\pi(A_t\mid S_t)`, the gradient of
    the discounted objective from the start state; without it the factor
    :math:`\gamma^t` is dropped (a biased estimate that weighs late steps as much as
    early ones, what most implementations do).

    Parameters
    ----------
    advantages : array_like, shape (n_steps,)
        :math:`A_t`: the returns :math:`G_t`, or :math:`G_t - b(S_t)`.
    gamma : float, default 1.0
    discount_weighting : bool, default True

    Returns
    -------
    numpy.ndarray, shape (n_steps,)
    """
    a = rewards_array(advantages, "advantages")
    g = check_gamma(gamma)
    if not check_flag(discount_weighting, "discount_weighting") or g == 1.0:
        return a.copy()
    return g ** np.arange(a.shape[0]) * a


def normalize_advantages(advantages: ArrayLike) -> np.ndarray:
    r"""Advantages centred and scaled over the steps of one update: :math:`(A - \bar A)/s_A`.

    :math:`s_A` is the standard deviation over the steps (``ddof=0``); when every
    advantage is the same (:math:`s_A = 0`) the result is all zeros (no update), with no
    small constant added to the denominator.

    Parameters
    ----------
    advantages : array_like, shape (n_steps,)
        One update's advantages, its episodes concatenated.

    Returns
    -------
    numpy.ndarray, shape (n_steps,)
    """
    a = rewards_array(advantages, "advantages")
    centred = a - a.mean()
    scale = float(np.sqrt(np.mean(centred * centred)))
    if scale == 0.0 or not np.isfinite(scale):
        return np.zeros_like(a)
    return centred / scale
