r"""The policy-gradient step, public and pure: the score-weighted sum every learner ascends.

.. math::

    \hat g = \sum_i w_i\,\nabla_\theta\log\pi_\theta(a_i\mid s_i)
           + \beta\sum_i \nabla_\theta \mathcal H\big(\pi_\theta(\cdot\mid s_i)\big),
    \qquad
    \nabla_\theta\log\pi_\theta(a\mid s) = \mathrm{D}h_\theta(s)^\top(e_a-\pi)/\tau .

Two lines, as in min-char-rnn: the kernel's preference-space score :math:`(e_a-\pi)/\tau`
(``dy = ps - onehot``), then the parametrisation's vector-Jacobian product
(``dh = Why.T @ dy``). REINFORCE, actor-critic, PPO and the language-model estimators
differ only in the weights :math:`w_i` they pass.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass
from functools import cached_property

import numpy as np

from . import _kernel
from ._validation import as_real_array, check_actions, check_scalar, check_temperature
from .parametrisations.base import Parametrisation
from .parametrisations.outputs import (
    batch_size,
    checked,
    checked_observations,
    checked_preferences,
    checked_preferences_many,
    checked_theta,
    checked_vjp,
    checked_vjp_sum,
)

__all__ = ["PolicyGradient", "SCORES_UP_TO", "policy_gradient"]

SCORES_UP_TO = 2**20  # numbers: per-step scores up to 8 MiB are formed, larger ones are not


@dataclass(frozen=True)
class PolicyGradient:
    r"""What one step computes.

    ``entropy`` and ``log_probs`` are computed from the step's preferences when first read
    (the same numbers whenever they are read): an online learner that reads only the
    gradient pays for neither.

    Attributes
    ----------
    gradient : numpy.ndarray, shape (n_params,)
        :math:`\sum_i w_i \nabla\log\pi(a_i|s_i)` plus ``entropy_coef`` times the summed
        entropy gradient.
    scores : numpy.ndarray, shape (batch, n_params), or None
        The per-step scores :math:`\nabla\log\pi(a_i|s_i)`, when formed (``keep_scores``,
        or when they hold at most :data:`SCORES_UP_TO` numbers); the natural gradient needs them.
    preferences : numpy.ndarray, shape (batch, n_actions)
        :math:`h_\theta(s_i)`, as the step saw them (a copy, as ``actions`` is).
    actions : numpy.ndarray of int, shape (batch,)
    temperature : float
    entropy : float
        The mean entropy :math:`\mathcal H(\pi(\cdot|s_i))` over the batch (0 for an empty one).
    log_probs : numpy.ndarray, shape (batch,)
        :math:`\log\pi(a_i|s_i)`, for ratios (PPO) and KL terms.
    """

    gradient: np.ndarray
    scores: np.ndarray | None
    preferences: np.ndarray
    actions: np.ndarray
    temperature: float
    known_log_softmax: InitVar[np.ndarray | None] = None  # when the step needed it anyway

    def __post_init__(self, known_log_softmax: np.ndarray | None) -> None:
        if known_log_softmax is not None:
            self.__dict__["_log_softmax"] = known_log_softmax  # the cached property's value

    @cached_property
    def _log_softmax(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):  # a masked action's -inf
            return _kernel.log_softmax(self.preferences, self.temperature)

    @cached_property
    def entropy(self) -> float | np.ndarray:
        """The mean entropy over the batch (per run, shape (runs,), with many theta)."""
        with np.errstate(invalid="ignore"):  # 0 * log 0 of a masked action, set to 0
            entropies = _kernel.entropy_from_log_probs(self._log_softmax)
        if self.preferences.ndim == 3:
            return np.mean(entropies, axis=-1)
        return float(np.mean(entropies)) if len(self.actions) else 0.0

    @cached_property
    def log_probs(self) -> np.ndarray:
        r""":math:`\log\pi(a_i|s_i)`, shape of ``actions``."""
        if self.preferences.ndim == 2 and len(self.actions) == 1:  # the one-row path's slice
            a = int(self.actions[0])
            return self._log_softmax[0, a : a + 1].copy()
        return _kernel.take(self._log_softmax, self.actions)


def policy_gradient(
    param: Parametrisation,
    theta,
    observations,
    actions,
    weights,
    *,
    temperature: float = 1.0,
    entropy_coef: float = 0.0,
    keep_scores: bool = False,
    summed: bool = False,
    validate: bool = True,
) -> PolicyGradient:
    r"""The score-weighted sum :math:`\sum_i w_i \mathrm{D}h_\theta(s_i)^\top(e_{a_i}-\pi_i)/\tau`.

    Parameters
    ----------
    param : Parametrisation
        The preferences :math:`h_\theta` and their vector-Jacobian product.
    theta : array_like, shape (n_params,), or (runs, n_params) for many runs at once
        With one :math:`\theta` per run, every other batch argument gains a leading ``runs``
        axis, the step is summed (as ``summed=True``), and the results are per run:
        gradient (runs, n_params), scores (runs, batch, n_params), entropy (runs,),
        log-probabilities (runs, batch); ``param.linearise_many`` pulls back.
    observations : batch of observations, length ``batch``
        What ``param.preferences`` takes.
    actions : array_like of int, shape (batch,)
        The actions taken, in ``0 .. n_actions - 1``.
    weights : array_like, shape (batch,)
        :math:`w_i`: returns, advantages, :math:`\gamma^t A_t`, ratios times advantages, ...
    temperature : float, default 1.0
        :math:`\tau > 0`.
    entropy_coef : float, default 0.0
        :math:`\beta \ge 0`: adds :math:`\beta\sum_i\nabla_\theta\mathcal H(\pi(\cdot|s_i))`.
    keep_scores : bool, default False
        Always form and return the per-step scores (else only when they are small and
        ``summed`` is False).
    summed : bool, default False
        One pull-back: the weighted preference-space scores and the entropy term are added
        before a single ``param.vjp_sum`` (the per-step scores, when kept, are formed beside
        it). The same gradient up to rounding; the batched learner's arithmetic.
    validate : bool, default True
        Check the arguments and what ``param`` returns. A learner checks its parametrisation
        once per run and passes ``False`` in its loop.

    Returns
    -------
    PolicyGradient
        The gradient, the per-step scores (or None), the mean entropy, the log-probabilities.

    References
    ----------
    Williams (1992), eq. 11; Sutton & Barto (2018), eq. 13.8; the book's chapter "Any
    preferences".
    """
    many = np.ndim(theta) == 2  # one theta per run
    if validate:
        theta, observations, actions, weights, temperature, entropy_coef = (
            _checked_many if many else _checked
        )(param, theta, observations, actions, weights, temperature, entropy_coef)
    args = (param, theta, observations, actions, weights, temperature, entropy_coef, keep_scores)
    out = _many(*args) if many else _one(*args, summed)
    if validate:
        _check_outputs(param, out.gradient, out.scores)
    return out


def _one(param, theta, observations, actions, weights, tau, beta, keep_scores, summed):
    """The step of one theta: the score of every step pulled back, weighted and summed."""
    h, pullback = param.linearise(theta, observations)
    if len(actions) == 1:  # one step (online learners): the kernel's one-row paths, same rounding
        g = _kernel.score_from_probs(_kernel.softmax(h[0], tau), int(actions[0]), tau)[None]
    else:
        g = _kernel.preference_score(h, actions, tau)
    log_probs = _kernel.log_softmax(h, tau) if beta > 0.0 else None
    with np.errstate(over="ignore", invalid="ignore"):
        scores = None
        if summed:
            scores = pullback(g) if keep_scores else None
            gw = weights[:, None] * g
            if beta > 0.0:
                gw += beta * _kernel.entropy_gradient_from_log_probs(log_probs, tau)
            gradient = pullback(gw, summed=True)
        elif keep_scores or len(actions) * param.n_params <= SCORES_UP_TO:
            scores = pullback(g)
            gradient = weights @ scores
        else:
            gradient = pullback(weights[:, None] * g, summed=True)
        if beta > 0.0 and not summed:
            gh = beta * _kernel.entropy_gradient_from_log_probs(log_probs, tau)
            gradient = gradient + pullback(gh, summed=True)
    return PolicyGradient(gradient, scores, h.copy(), np.array(actions), tau, log_probs)


def _many(param, thetas, observations, actions, weights, tau, beta, keep_scores) -> PolicyGradient:
    """The step of many runs at once, summed: one pull-back of each run's weighted scores."""
    h, pullback = param.linearise_many(thetas, observations)  # (runs, batch, n_actions)
    g = _kernel.preference_score(h, actions, tau)
    log_probs = _kernel.log_softmax(h, tau) if beta > 0.0 else None
    with np.errstate(over="ignore", invalid="ignore"):
        scores = pullback(g) if keep_scores else None
        gw = weights[..., None] * g
        if beta > 0.0:
            gw += beta * _kernel.entropy_gradient_from_log_probs(log_probs, tau)
        gradient = pullback(gw, summed=True)
    return PolicyGradient(gradient, scores, h.copy(), np.array(actions), tau, log_probs)


def _checked_many(param, thetas, observations, actions, weights, temperature, entropy_coef):
    """The arguments of the many-theta form, checked: each run as the one-theta step checks
    its own, then ``param.preferences_many``."""
    param = checked(param)
    th = as_real_array(thetas, "theta")
    if th.shape[0] == 0 or th.shape[1] != param.n_params:
        raise ValueError(
            f"theta must have shape (n_params,) or (runs, n_params) with runs >= 1 and "
            f"n_params = {param.n_params} for {param!r}; got shape {th.shape}"
        )
    if batch_size(observations) != th.shape[0]:
        raise ValueError(
            f"observations must hold one batch per run, length runs = {th.shape[0]}; got "
            f"length {batch_size(observations)}"
        )
    obs = np.stack([checked_observations(param, o)[0] for o in observations])
    a = check_actions(actions, param.n_actions)
    w = as_real_array(weights, "weights")
    if a.shape != obs.shape[:2] or w.shape != obs.shape[:2]:
        raise ValueError(
            f"actions and weights must have shape (runs, batch) = {obs.shape[:2]}, one per "
            f"observation; got actions of shape {a.shape} and weights of shape {w.shape}"
        )
    for r in range(th.shape[0]):
        *_, tau, beta = _checked(param, th[r], obs[r], a[r], w[r], temperature, entropy_coef)
    checked_preferences_many(param, th, obs, obs.shape[1])
    return th, obs, a, w, tau, beta


def _checked(param, theta, observations, actions, weights, temperature, entropy_coef):
    """The arguments of :func:`policy_gradient`, checked; the parametrisation's outputs too."""
    param = checked(param)
    theta = checked_theta(param, theta)
    observations, n = checked_observations(param, observations)
    actions = check_actions(actions, param.n_actions)
    w = as_real_array(weights, "weights")
    if actions.shape != (n,) or w.shape != (n,):
        raise ValueError(
            f"actions and weights must have shape (batch,) = ({n},), one per observation; got "
            f"actions of shape {actions.shape} and weights of shape {w.shape}"
        )
    tau = check_temperature(temperature)
    beta = check_scalar(entropy_coef, "entropy_coef")
    if beta < 0.0:
        raise ValueError(f"entropy_coef must be >= 0 (a bonus on entropy); got {beta!r}")
    checked_preferences(param, theta, observations, n)
    probe = np.zeros((n, param.n_actions))
    checked_vjp(param, theta, observations, probe)
    checked_vjp_sum(param, theta, observations, probe)
    return theta, observations, actions, w, tau, beta


def _check_outputs(param, gradient, scores) -> None:
    """A finite input whose gradient overflows is reported, never returned as inf."""
    if not np.isfinite(gradient).all() or (scores is not None and not np.isfinite(scores).all()):
        raise FloatingPointError(
            f"the policy gradient of {type(param).__name__} overflowed (it has entries beyond "
            "1.8e308): the weights times the scores are too large; scale the weights down"
        )
