r"""The linear softmax policy and its score function.

Notation (the book's chapter "The softmax policy"): an action set of ``n_actions``
actions; for a state :math:`s`, the feature vectors :math:`\phi(s, b) \in \mathbb{R}^d`
of every action :math:`b`, stacked as ``features[..., b, :]``; parameters
:math:`\theta \in \mathbb{R}^d`; a temperature :math:`\tau > 0`. The policy is

.. math::

    \pi_\theta(b \mid s) = \frac{\exp(\phi(s,b)^\top\theta / \tau)}
                                {\sum_k \exp(\phi(s,k)^\top\theta / \tau)},

and its score (Sutton & Barto 2018, eq. 13.9; Williams 1992) is

.. math::

    \nabla_\theta \log \pi_\theta(a \mid s)
      = \frac{1}{\tau}\Bigl(\phi(s,a) - \mathbb{E}_{b\sim\pi_\theta}[\phi(s,b)]\Bigr)
      = \frac{1}{\tau}\,\Phi^\top (e_a - \pi_\theta),

where :math:`\Phi` is the ``(n_actions, n_features)`` matrix of features, :math:`e_a`
the one-hot vector of action :math:`a` and :math:`\pi_\theta` the vector of
probabilities. With tabular (one-hot) features :math:`\Phi` is a selection matrix and
the score is :math:`(e_a - \pi_\theta)/\tau` placed in the rows of state :math:`s`: the
"``1 - softmax`` for the chosen action, ``-softmax`` for the others" formula. It is
one formula, so it is one function, :func:`score`.

Every function is batched over leading axes: ``features`` of shape
``(..., n_actions, n_features)`` and ``actions`` of a shape that broadcasts against
``features.shape[:-2]``.
"""

from __future__ import annotations

from typing import Union

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_real_array,
    check_actions,
    check_broadcastable,
    check_positive,
    check_rng,
    check_temperature,
)
from .softmax import _check as _check_preferences
from .softmax import _log_softmax, _softmax, _sum_last

__all__ = [
    "SoftmaxPolicy",
    "action_probs",
    "entropy",
    "entropy_gradient",
    "expected_features",
    "fisher_information",
    "log_prob",
    "log_prob_matrix",
    "natural_gradient",
    "preference_score",
    "sample_actions",
    "score",
    "score_matrix",
]

SeedOrGenerator = Union[int, np.random.Generator]

# ----------------------------------------------------------------------------- checks


def _check_theta(theta: ArrayLike) -> np.ndarray:
    th = as_real_array(theta, "theta")
    if th.ndim != 1 or th.shape[0] == 0:
        raise ValueError(f"theta must have shape (n_features,) with n_features >= 1; got shape {th.shape}")
    return th


def _check_theta_features(theta: ArrayLike, features: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    th = _check_theta(theta)
    phi = as_real_array(features, "features", finite=False)  # see _preferences
    if phi.ndim < 2 or phi.shape[-1] != th.shape[0] or phi.shape[-2] == 0:
        raise ValueError(
            "features must have shape (..., n_actions, n_features) with n_actions >= 1 and "
            f"n_features = len(theta) = {th.shape[0]}; got shape {phi.shape}"
        )
    return th, phi


def _finite_product(left: np.ndarray, right: np.ndarray, product: str) -> np.ndarray:
    """``left @ right``, the preferences, after checking that every entry is finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        h = left @ right
    if not np.isfinite(h).all():
        raise ValueError(
            f"the preferences {product} overflowed float64 (|value| > 1.8e308); "
            "expected inputs small enough that every preference is finite"
        )
    return h


def _preferences(theta: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Preferences phi(s,b)^T theta, checked finite.

    This is where the features' finiteness is checked: a NaN or infinity in the
    features makes its preference non-finite, so one cheap look at the preferences
    replaces a full pass over the features.
    """
    try:
        return _finite_product(features, theta, "features @ theta")
    except ValueError:
        as_real_array(features, "features")  # raises, naming the bad entry, if there is one
        raise


def _log_probs(theta: np.ndarray, features: np.ndarray, tau: float) -> np.ndarray:
    """log pi(.|s) for checked arrays."""
    return _log_softmax(_preferences(theta, features), tau)


def _probs(theta: np.ndarray, features: np.ndarray, tau: float) -> np.ndarray:
    """pi(.|s) for checked arrays."""
    return _softmax(_preferences(theta, features), tau)


def _actions_for(actions: ArrayLike, features: np.ndarray) -> np.ndarray:
    a = check_actions(actions, features.shape[-2])
    check_broadcastable("actions", a.shape, features.shape[:-2],
                        f"the batch shape features.shape[:-2] = {features.shape[:-2]}")
    return a


def _take(values: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """values[..., actions] with broadcasting of the leading axes."""
    shape = np.broadcast_shapes(values.shape[:-1], actions.shape)
    v = np.broadcast_to(values, shape + values.shape[-1:])
    a = np.broadcast_to(actions, shape)[..., None]
    return np.take_along_axis(v, a, axis=-1)[..., 0]


def _one_hot_minus(probs: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """e_a - pi, broadcasting ``actions`` against the leading axes of ``probs``."""
    shape = np.broadcast_shapes(probs.shape[:-1], actions.shape)
    g = -np.broadcast_to(probs, shape + probs.shape[-1:])  # a fresh, writable array
    g[np.indices(shape, sparse=True) + (np.broadcast_to(actions, shape),)] += 1.0
    return g


def _score_from_probs(probs: np.ndarray, actions: np.ndarray, tau: float) -> np.ndarray:
    """(e_a - pi) / tau: the score with respect to the preferences, from the probabilities.

    The one implementation of the tabular score; :func:`score` multiplies it by the
    features, and the batched learners (whose runs each have their own preferences) call
    it directly after their own softmax.
    """
    g = _one_hot_minus(probs, actions)
    if tau != 1.0:
        g /= tau  # on the (..., n_actions) factor, cheaper than on the (..., n_features) result
    return g


def _p_log_p(log_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pi and pi log pi from log pi; an action whose probability underflows to zero has
    pi log pi = 0, its limit (not 0 * -inf)."""
    p = np.exp(log_probs)
    return p, np.where(p > 0.0, p * log_probs, 0.0)


def _entropy_gradient_from_log_probs(log_probs: np.ndarray, tau: float) -> np.ndarray:
    """Gradient of the entropy with respect to the preferences, from log pi (no checks).

    -pi_b (log pi_b - E[log pi]) / tau; the weights sum to zero. :func:`entropy_gradient`
    multiplies it by the features; learners with one table of preferences per run call it
    directly. An action whose probability underflows to zero contributes zero, its limit.
    """
    p, plogp = _p_log_p(log_probs)
    g = p * _sum_last(plogp)[..., None] - plogp
    if tau != 1.0:
        g /= tau
    return g


# -------------------------------------------------------------------- linear features


def preference_score(preferences: ArrayLike, actions: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""The score with respect to the preferences, :math:`\nabla_h \log\mathrm{softmax}(h/\tau)_a = (e_a - \pi)/\tau`.

    Row :math:`a` of the Jacobian of log-softmax, :math:`I - \mathbf{1}\pi^\top` (the book's
    chapter "The tabular case and the weight-matrix case"): :math:`1 - \pi_a` for the chosen
    action, :math:`-\pi_b` for every other, divided by :math:`\tau`. It is the tabular
    score: :func:`score` with one-hot features gives the same numbers, since
    :func:`score` is this vector multiplied by :math:`\Phi^\top`.

    Parameters
    ----------
    preferences : array_like, shape (..., n_actions)
        Finite preferences :math:`h` (for a tabular policy, the rows of the table).
    actions : int or array_like of int, shape broadcasting with preferences.shape[:-1]
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(preferences.shape[:-1], actions.shape) + (n_actions,)``
        Each row sums to zero.
    """
    h, tau, _ = _check_preferences(preferences, temperature, -1)  # as softmax() checks them
    a = check_actions(actions, h.shape[-1])
    check_broadcastable("actions", a.shape, h.shape[:-1], f"preferences.shape[:-1] = {h.shape[:-1]}")
    return _score_from_probs(_softmax(h, tau), a, tau)


def action_probs(theta: ArrayLike, features: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Action probabilities :math:`\pi_\theta(\cdot \mid s)` of the linear softmax policy.

    :math:`\pi_\theta(b \mid s) = \mathrm{softmax}(\Phi\theta/\tau)_b` (Sutton & Barto 2018,
    eq. 13.2 with linear preferences, eq. 13.3).

    Parameters
    ----------
    theta : array_like, shape (n_features,)
        Policy parameters :math:`\theta`.
    features : array_like, shape (..., n_actions, n_features)
        ``features[..., b, :]`` is :math:`\phi(s, b)`.
    temperature : float, default 1.0
        :math:`\tau > 0`.

    Returns
    -------
    numpy.ndarray, shape (..., n_actions)
        Probabilities, summing to one over the last axis.

    Raises
    ------
    TypeError, ValueError
        On non-real, non-finite or mis-shaped input, or ``temperature <= 0``.
    """
    th, phi = _check_theta_features(theta, features)
    return _probs(th, phi, check_temperature(temperature))


def log_prob(
    theta: ArrayLike, features: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""Log-probability :math:`\log \pi_\theta(a \mid s)` of the chosen actions.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
        Policy parameters.
    features : array_like, shape (..., n_actions, n_features)
        ``features[..., b, :]`` is :math:`\phi(s, b)`.
    actions : int or array_like of int, shape broadcasting with features.shape[:-2]
        The chosen actions :math:`a`, each in ``range(n_actions)``.
    temperature : float, default 1.0
        :math:`\tau > 0`.

    Returns
    -------
    numpy.ndarray, shape ``broadcast(features.shape[:-2], actions.shape)``
        :math:`\phi(s,a)^\top\theta/\tau - \log\sum_k \exp(\phi(s,k)^\top\theta/\tau)`.
    """
    th, phi = _check_theta_features(theta, features)
    a = _actions_for(actions, phi)
    return _take(_log_probs(th, phi, check_temperature(temperature)), a)


def expected_features(theta: ArrayLike, features: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""The policy's average feature :math:`\mathbb{E}_{b\sim\pi_\theta}[\phi(s,b)] = \Phi^\top\pi_\theta`.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (..., n_features)
        :math:`\sum_b \pi_\theta(b \mid s)\,\phi(s,b)`.
    """
    th, phi = _check_theta_features(theta, features)
    p = _probs(th, phi, check_temperature(temperature))
    return (p[..., None, :] @ phi)[..., 0, :]


def score(
    theta: ArrayLike, features: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""The score :math:`\nabla_\theta \log \pi_\theta(a \mid s)` of the linear softmax policy.

    .. math::

        \nabla_\theta \log \pi_\theta(a \mid s)
        = \frac{\phi(s,a) - \mathbb{E}_{b\sim\pi_\theta}[\phi(s,b)]}{\tau}
        = \frac{\Phi^\top (e_a - \pi_\theta)}{\tau}.

    It is computed in the second form: one pass over the features for the preferences,
    one for the contraction. With tabular features (:func:`softmax_pg.tabular_features`)
    it is :math:`(e_a - \pi_\theta)/\tau` in the entries of state :math:`s` and zero
    elsewhere: ``1 - pi(a)`` for the chosen action, ``-pi(b)`` for every other.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
        Policy parameters :math:`\theta`.
    features : array_like, shape (..., n_actions, n_features)
        ``features[..., b, :]`` is :math:`\phi(s, b)`; a single state is ``(n_actions, n_features)``.
    actions : int or array_like of int, shape broadcasting with features.shape[:-2]
        The chosen actions :math:`a`.
    temperature : float, default 1.0
        :math:`\tau > 0`.

    Returns
    -------
    numpy.ndarray, shape ``broadcast(features.shape[:-2], actions.shape) + (n_features,)``

    Raises
    ------
    TypeError
        If an argument is not real, or ``actions`` are not integers.
    ValueError
        On NaN or infinity, mismatched shapes, an action outside ``range(n_actions)``,
        or ``temperature <= 0``.

    References
    ----------
    Sutton & Barto (2018), §13.2 and eq. 13.9 (the "eligibility vector");
    Williams (1992), "Simple statistical gradient-following algorithms for connectionist
    reinforcement learning", *Machine Learning* 8.
    """
    th, phi = _check_theta_features(theta, features)
    a = _actions_for(actions, phi)
    tau = check_temperature(temperature)
    g = _score_from_probs(_probs(th, phi, tau), a, tau)  # (e_a - pi) / tau
    return (g[..., None, :] @ phi)[..., 0, :]  # Phi^T (e_a - pi) / tau


def entropy(theta: ArrayLike, features: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Entropy :math:`H(\pi_\theta(\cdot\mid s)) = -\sum_b \pi_\theta(b\mid s)\log\pi_\theta(b\mid s)`.

    Computed from the log-probabilities (never ``log(softmax)``); an action whose
    probability underflows to zero contributes zero, its limit.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (...)
        In nats, between 0 and :math:`\log(\text{n\_actions})`.
    """
    th, phi = _check_theta_features(theta, features)
    _, plogp = _p_log_p(_log_probs(th, phi, check_temperature(temperature)))
    return -np.sum(plogp, axis=-1)


def entropy_gradient(theta: ArrayLike, features: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Gradient of the policy's entropy, :math:`\nabla_\theta H = -\frac{1}{\tau}\mathrm{Cov}_{b\sim\pi_\theta}\bigl[\log\pi_\theta(b\mid s),\ \phi(s,b)\bigr]`.

    From :math:`H = -\sum_b \pi_b\log\pi_b` and :math:`\nabla\pi_b = \pi_b\,\nabla\log\pi_b`:
    :math:`\nabla H = -\sum_b \pi_b\,(\log\pi_b + 1)\,\nabla\log\pi_b
    = -\mathbb{E}_\pi\bigl[(\log\pi - \mathbb{E}_\pi[\log\pi])\,(\phi - \mathbb{E}_\pi[\phi])\bigr]/\tau`,
    the constants dropping out because the expected score is zero (the book's chapter
    "Natural gradient and entropy").

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (..., n_features)
    """
    th, phi = _check_theta_features(theta, features)
    tau = check_temperature(temperature)
    g = _entropy_gradient_from_log_probs(_log_probs(th, phi, tau), tau)
    return (g[..., None, :] @ phi)[..., 0, :]  # Phi^T grad_h H


def fisher_information(theta: ArrayLike, features: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Fisher information :math:`F(\theta) = \mathbb{E}_{a\sim\pi_\theta}[\nabla\log\pi\,\nabla\log\pi^\top]`.

    For the linear softmax policy it equals the covariance of the features under the
    policy, scaled: :math:`F = \mathrm{Cov}_{b\sim\pi_\theta}[\phi(s,b)]/\tau^2`, and
    :math:`-F` is the Hessian of :math:`\log\pi_\theta(a\mid s)` for every action
    :math:`a` (the book's chapter "Properties of the score").

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (..., n_features, n_features)
        Symmetric positive semi-definite; computed from centred features.
    """
    th, phi = _check_theta_features(theta, features)
    tau = check_temperature(temperature)
    p = _probs(th, phi, tau)
    centred = phi - (p[..., None, :] @ phi)  # phi(s,b) - E[phi]
    weighted = centred * np.sqrt(p)[..., :, None]
    f = np.swapaxes(weighted, -1, -2) @ weighted / tau**2
    return 0.5 * (f + np.swapaxes(f, -1, -2))


def natural_gradient(fisher: ArrayLike, gradient: ArrayLike, damping: float = 1e-3) -> np.ndarray:
    r"""The natural gradient :math:`(F + \lambda I)^{-1} g`, by a damped linear solve.

    The softmax policy's Fisher matrix (:func:`fisher_information`) is singular whenever
    some direction of :math:`\theta` changes no probability (for instance tabular features:
    adding a constant to every preference of a state), so the solve is damped by
    :math:`\lambda > 0` (Kakade 2001; the book's chapter "Natural gradient and entropy").

    Parameters
    ----------
    fisher : array_like, shape (..., n_features, n_features)
        Symmetric positive semi-definite matrices :math:`F`.
    gradient : array_like, shape (..., n_features)
        The (vanilla) gradients :math:`g`.
    damping : float, default 1e-3
        :math:`\lambda > 0`, added to the diagonal.

    Returns
    -------
    numpy.ndarray, shape broadcast of the batch shapes + (n_features,)
    """
    f = as_real_array(fisher, "fisher", min_ndim=2)
    if f.shape[-1] != f.shape[-2] or f.shape[-1] == 0:
        raise ValueError(f"fisher must have shape (..., n_features, n_features); got shape {f.shape}")
    g = as_real_array(gradient, "gradient", min_ndim=1)
    if g.shape[-1] != f.shape[-1]:
        raise ValueError(
            f"gradient must have shape (..., n_features) with n_features = {f.shape[-1]} to match "
            f"fisher; got shape {g.shape}"
        )
    lam = check_positive(damping, "damping")
    damped = f + lam * np.eye(f.shape[-1])
    return np.linalg.solve(damped, g[..., None])[..., 0]


def sample_actions(
    theta: ArrayLike, features: ArrayLike, rng: SeedOrGenerator, temperature: float = 1.0
) -> np.ndarray:
    r"""Draw :math:`a \sim \pi_\theta(\cdot \mid s)` for every state of the batch.

    One uniform number per state, by inverting the cumulative distribution, so a
    batch of states consumes ``rng`` exactly as a loop over the same states would.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
    rng : numpy.random.Generator or int
        The source of randomness, or a seed for a new one.
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray of int64, shape ``features.shape[:-2]``
    """
    th, phi = _check_theta_features(theta, features)
    gen = check_rng(rng)
    p = _probs(th, phi, check_temperature(temperature))
    return _inverse_cdf(p, gen.random(p.shape[:-1]))


def _inverse_cdf(probs: np.ndarray, u: np.ndarray | float) -> np.ndarray:
    """The action b with cdf(b-1) <= u < cdf(b), for uniforms ``u`` in [0, 1).

    Counts the actions b < n - 1 whose cumulative probability is at most ``u`` (the
    last action takes whatever rounding leaves above the final sum). For a few actions
    the running sum goes column by column, faster than ``cumsum`` over a short axis and
    in the same order.
    """
    n = probs.shape[-1]
    u = np.asarray(u)
    if n > 16:
        cdf = np.cumsum(probs, axis=-1)
        return np.minimum(np.sum(cdf <= u[..., None], axis=-1), n - 1).astype(np.int64)
    shape = np.broadcast_shapes(probs.shape[:-1], u.shape)
    cdf = np.zeros(shape)
    a = np.zeros(shape, dtype=np.int64)
    for b in range(n - 1):
        cdf += probs[..., b]
        a += cdf <= u
    return a


# ---------------------------------------------------------------- weight-matrix form


def _check_weights_state(weights: ArrayLike, state: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    w = as_real_array(weights, "weights")
    if w.ndim != 2 or 0 in w.shape:
        raise ValueError(
            f"weights must have shape (n_state_features, n_actions), both >= 1; got shape {w.shape}"
        )
    x = as_real_array(state, "state")
    if x.ndim < 1 or x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"state must have shape (..., n_state_features) with n_state_features = "
            f"weights.shape[0] = {w.shape[0]}; got shape {x.shape}"
        )
    return w, x


def _log_probs_matrix(w: np.ndarray, x: np.ndarray, tau: float) -> np.ndarray:
    return _log_softmax(_finite_product(x, w, "state @ weights"), tau)


def _matrix_actions(actions: ArrayLike, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    a = check_actions(actions, w.shape[1])
    check_broadcastable("actions", a.shape, x.shape[:-1], f"state.shape[:-1] = {x.shape[:-1]}")
    return a


def log_prob_matrix(
    weights: ArrayLike, state: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""Log-probability for the weight-matrix parametrisation, :math:`\pi = \mathrm{softmax}(W^\top x/\tau)`.

    Parameters
    ----------
    weights : array_like, shape (n_state_features, n_actions)
        The matrix :math:`W`; column :math:`b` holds the weights of action :math:`b`.
    state : array_like, shape (..., n_state_features)
        The state's feature vector :math:`x(s)`.
    actions : int or array_like of int, shape broadcasting with state.shape[:-1]
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(state.shape[:-1], actions.shape)``
    """
    w, x = _check_weights_state(weights, state)
    a = _matrix_actions(actions, w, x)
    return _take(_log_probs_matrix(w, x, check_temperature(temperature)), a)


def score_matrix(
    weights: ArrayLike, state: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""The score for the weight-matrix parametrisation, :math:`\nabla_W \log\pi(a\mid s) = x\,(e_a - \pi)^\top/\tau`.

    Preferences are :math:`h = W^\top x / \tau` (in numpy, ``state @ weights / tau``) with
    :math:`W` of shape ``(n_state_features, n_actions)``. The gradient is the outer
    product of the state vector with :math:`e_a - \pi`: column :math:`a` gets
    :math:`x(1-\pi_a)/\tau`, every other column :math:`b` gets :math:`-x\pi_b/\tau`. It is
    :func:`score` with the features :math:`\phi(s,b) = x \otimes e_b`
    (:func:`softmax_pg.state_action_features`) and :math:`\theta = \mathrm{vec}(W)`.

    Parameters
    ----------
    weights : array_like, shape (n_state_features, n_actions)
    state : array_like, shape (..., n_state_features)
    actions : int or array_like of int, shape broadcasting with state.shape[:-1]
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(state.shape[:-1], actions.shape) + (n_state_features, n_actions)``

    References
    ----------
    Sutton & Barto (2018), §13.2 and eq. 13.9, with features :math:`x(s)\otimes e_b`.
    """
    w, x = _check_weights_state(weights, state)
    a = _matrix_actions(actions, w, x)
    tau = check_temperature(temperature)
    probs = _softmax(_finite_product(x, w, "state @ weights"), tau)
    g = _score_from_probs(probs, a, tau)  # (e_a - pi) / tau
    return x[..., :, None] * g[..., None, :]  # the outer product x (e_a - pi)^T / tau


# ------------------------------------------------------------------------ the class


class SoftmaxPolicy:
    r"""A softmax policy :math:`\pi_\theta(\cdot\mid s) = \mathrm{softmax}(h_\theta(s)/\tau)` holding its parameters.

    Two forms, one formula. Without ``preferences`` it is the linear-feature policy
    :math:`h_\theta(s)_b = \phi(s,b)^\top\theta`, and every method takes the features of
    the states it is asked about, ``(..., n_actions, n_features)`` (the module's functions
    :func:`action_probs`, :func:`score`, ...). With a parametrisation ``preferences``
    (:class:`softmax_pg.TabularPreferences`, :class:`softmax_pg.MatrixPreferences`,
    :class:`softmax_pg.MLPPreferences`, ...) every method takes a batch of
    **observations** and calls :func:`softmax_pg.policy_probs`,
    :func:`softmax_pg.policy_score`, ...: the score is :math:`J_h^\top(e_a - \pi)/\tau`.

    Parameters
    ----------
    theta : array_like, shape (n_features,) or (n_params,)
        Initial parameters (copied).
    temperature : float, default 1.0
        :math:`\tau > 0`.
    preferences : Preferences, optional
        The parametrisation of :math:`h_\theta`; None for the linear-feature policy.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_pg import SoftmaxPolicy, TabularPreferences, tabular_features
    >>> phi = tabular_features(n_states=1, n_actions=3)[0]   # (3 actions, 3 features)
    >>> policy = SoftmaxPolicy(np.zeros(3))
    >>> policy.score(phi, 0)                                # e_0 - pi
    array([ 0.66666667, -0.33333333, -0.33333333])
    >>> table = SoftmaxPolicy(np.zeros(3), preferences=TabularPreferences(1, 3))
    >>> table.score([0], [0])                               # the same, from the observation
    array([[ 0.66666667, -0.33333333, -0.33333333]])
    """

    def __init__(self, theta: ArrayLike, temperature: float = 1.0, *, preferences=None) -> None:
        self.theta = _check_theta(theta).copy()
        self.temperature = check_temperature(temperature)
        if preferences is not None:
            from .preferences import _check_prefs

            preferences = _check_prefs(preferences)
            preferences._check_theta(self.theta)
        self.preferences = preferences

    @property
    def n_features(self) -> int:
        """Length of :math:`\\theta`."""
        return int(self.theta.shape[0])

    def __repr__(self) -> str:
        if self.preferences is not None:
            return f"SoftmaxPolicy({self.preferences!r}, temperature={self.temperature})"
        return f"SoftmaxPolicy(n_features={self.n_features}, temperature={self.temperature})"

    def _linear_only(self, method: str) -> None:
        if self.preferences is not None:
            raise TypeError(
                f"SoftmaxPolicy.{method} is defined for the linear-feature policy (preferences=None); "
                f"this policy has {self.preferences!r}"
            )

    def probs(self, x: ArrayLike) -> np.ndarray:
        """Probabilities, shape ``(..., n_actions)``: :func:`action_probs` of features ``x``,
        or :func:`softmax_pg.policy_probs` of observations ``x`` with ``preferences``."""
        if self.preferences is not None:
            from .preferences import policy_probs

            return policy_probs(self.preferences, self.theta, x, self.temperature)
        return action_probs(self.theta, x, self.temperature)

    def log_prob(self, x: ArrayLike, actions: ArrayLike) -> np.ndarray:
        """:func:`log_prob` (features) or :func:`softmax_pg.policy_log_prob` (observations)."""
        if self.preferences is not None:
            from .preferences import policy_log_prob

            return policy_log_prob(self.preferences, self.theta, x, actions, self.temperature)
        return log_prob(self.theta, x, actions, self.temperature)

    def score(self, x: ArrayLike, actions: ArrayLike) -> np.ndarray:
        """:func:`score` (features, shape ``(..., n_features)``) or
        :func:`softmax_pg.policy_score` (observations, shape ``(batch, n_params)``)."""
        if self.preferences is not None:
            from .preferences import policy_score

            return policy_score(self.preferences, self.theta, x, actions, self.temperature)
        return score(self.theta, x, actions, self.temperature)

    def expected_features(self, features: ArrayLike) -> np.ndarray:
        """:func:`expected_features` with this policy's parameters (linear-feature policy only)."""
        self._linear_only("expected_features")
        return expected_features(self.theta, features, self.temperature)

    def entropy(self, x: ArrayLike) -> np.ndarray:
        """:func:`entropy` (features) or :func:`softmax_pg.policy_entropy` (observations)."""
        if self.preferences is not None:
            from .preferences import policy_entropy

            return policy_entropy(self.preferences, self.theta, x, self.temperature)
        return entropy(self.theta, x, self.temperature)

    def fisher_information(self, x: ArrayLike) -> np.ndarray:
        """:func:`fisher_information` (features) or :func:`softmax_pg.policy_fisher` (observations)."""
        if self.preferences is not None:
            from .preferences import policy_fisher

            return policy_fisher(self.preferences, self.theta, x, self.temperature)
        return fisher_information(self.theta, x, self.temperature)

    def sample(self, x: ArrayLike, rng: SeedOrGenerator) -> np.ndarray:
        """:func:`sample_actions` (features) or :func:`softmax_pg.policy_sample` (observations)."""
        if self.preferences is not None:
            from .preferences import policy_sample

            return policy_sample(self.preferences, self.theta, x, rng, self.temperature)
        return sample_actions(self.theta, x, rng, self.temperature)
