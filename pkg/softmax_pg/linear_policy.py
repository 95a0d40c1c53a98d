r"""Part I's functions for the linear softmax policy, features given directly.

The policy is :math:`\pi_\theta(\cdot\mid s) = \mathrm{softmax}(\Phi(s)\theta/\tau)` with
``features[..., b, :]`` :math:`=\phi(s,b)`, batched over leading axes. Each function is a
thin wrapper: the kernel's preference-space vector pulled back by the vjp of
:class:`~softmax_pg.LinearPreferences` whose observations are the features themselves,
:math:`\Phi^\top g` (the book's chapters "Deriving the score" and "Properties of the score").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _kernel
from ._blocks import block_rows, block_threads, score_in_blocks
from ._fisher import fisher_from_scores  # defined below policy.py; still importable here
from ._validation import (
    QUIET,
    as_real_array,
    check_actions,
    check_broadcastable,
    check_rng,
    check_temperature,
    finite_preferences,
)
from .parametrisations.linear import LinearPreferences, features_as_observations

__all__ = [
    "action_probs",
    "entropy",
    "entropy_gradient",
    "expected_features",
    "fisher_information",
    "log_prob",
    "sample_actions",
    "score",
]


def _inputs(theta: ArrayLike, features: ArrayLike, temperature: float):
    """Checked theta, features (finiteness aside: see ``_setup``), tau, the linear
    parametrisation."""
    th = as_real_array(theta, "theta")
    if th.ndim != 1 or th.shape[0] == 0:
        raise ValueError(
            f"theta must have shape (n_features,) with n_features >= 1; got shape {th.shape}"
        )
    phi = as_real_array(features, "features", finite=False)  # checked through the preferences
    if phi.ndim < 2 or phi.shape[-1] != th.shape[0] or phi.shape[-2] == 0:
        raise ValueError(
            "features must have shape (..., n_actions, n_features) with n_actions >= 1 and "
            f"n_features = len(theta) = {th.shape[0]}; got shape {phi.shape}"
        )
    tau = check_temperature(temperature)
    return th, phi, tau, features_as_observations(phi.shape[-2], phi.shape[-1])


def _setup(theta: ArrayLike, features: ArrayLike, temperature: float):
    """Checked theta, features, tau, the linear parametrisation and its finite preferences."""
    th, phi, tau, param = _inputs(theta, features, temperature)
    return th, phi, tau, param, _finite_preferences(param, th, phi)


def _finite_preferences(param: LinearPreferences, th: np.ndarray, phi: np.ndarray) -> np.ndarray:
    return finite_preferences(
        lambda: param.preferences(th, phi), "features @ theta", phi, "features"
    )


def _score_in_blocks(th, phi, tau, param, actions):
    """:func:`score` of a large batch in blocks of states, shared out
    between threads (the same numbers: each state's preferences and vjp are its own, and
    its own methods are safe to call concurrently); None for one pass (a small or
    broadcast batch, or a check failed: one pass then raises naming the whole batch's index)."""
    if phi.ndim < 3 or (phi.ndim > 3 and not phi.flags.c_contiguous):
        return None
    flat = phi.reshape((-1,) + phi.shape[-2:])  # a view: C-contiguous, or already 3-d
    rows = block_rows(flat, th.shape[0])
    batch = phi.shape[:-2]
    a = None if rows is None else _actions(actions, phi)
    if a is None or np.broadcast_shapes(a.shape, batch) != batch:
        return None
    try:
        out = score_in_blocks(
            lambda t, block: _finite_preferences(param, t, block),
            param.vjp,
            th,
            flat,
            np.broadcast_to(a, batch).reshape(-1),
            tau,
            rows,
            block_threads(flat.shape[0], rows),  # its own methods: safe in threads
        )
    except ValueError:
        return None
    return out.reshape(batch + (th.shape[0],))


def _actions(actions: ArrayLike, phi: np.ndarray) -> np.ndarray:
    a = check_actions(actions, phi.shape[-2])
    check_broadcastable(
        "actions",
        a.shape,
        phi.shape[:-2],
        f"the batch shape features.shape[:-2] = {phi.shape[:-2]}",
    )
    return a


@QUIET
def action_probs(theta: ArrayLike, features: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Action probabilities :math:`\pi_\theta(\cdot\mid s) = \mathrm{softmax}(\Phi\theta/\tau)`.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
        ``features[..., b, :]`` is :math:`\phi(s, b)`.
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (..., n_actions)

    References
    ----------
    Sutton & Barto (2018), eq. 13.2-13.3.
    """
    *_, tau, _, h = _setup(theta, features, temperature)
    return _kernel.softmax(h, tau)


@QUIET
def log_prob(
    theta: ArrayLike, features: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""Log-probability :math:`\log\pi_\theta(a\mid s)` of the chosen actions, from the log-softmax.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
    actions : int or array_like of int, shape broadcasting with features.shape[:-2]
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(features.shape[:-2], actions.shape)``
    """
    _, phi, tau, _, h = _setup(theta, features, temperature)
    return _kernel.take(_kernel.log_softmax(h, tau), _actions(actions, phi))


@QUIET
def score(
    theta: ArrayLike, features: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""The score :math:`\nabla_\theta\log\pi_\theta(a\mid s) = \Phi^\top(e_a - \pi_\theta)/\tau`.

    Equal to :math:`(\phi(s,a) - \mathbb{E}_{b\sim\pi_\theta}[\phi(s,b)])/\tau`. With tabular
    features it is :math:`(e_a - \pi)/\tau` in the entries of state :math:`s`.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
    actions : int or array_like of int, shape broadcasting with features.shape[:-2]
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(features.shape[:-2], actions.shape) + (n_features,)``

    Notes
    -----
    A batch of at least two blocks, each about 2 MiB of features and at least 256 states
    (features of shape (batch, n_actions, n_features), or a C-contiguous array with more
    batch axes, and actions no larger than that batch), is computed block by block, and
    the blocks are shared out between threads, each thread taking at least four blocks:
    one thread per CPU the process may use, at most ``OMP_NUM_THREADS`` when that is set
    (``OMP_NUM_THREADS=1`` keeps the call on one thread; limits set on numpy's BLAS with
    threadpoolctl do not apply). Each state's numbers are those of one pass, bit for bit,
    whatever the number of threads.
    :meth:`SoftmaxPolicy.score` computes blocks too, on one thread.

    References
    ----------
    Sutton & Barto (2018), eq. 13.9; Williams (1992).
    """
    th, phi, tau, param = _inputs(theta, features, temperature)
    blocked = _score_in_blocks(th, phi, tau, param, actions)
    if blocked is not None:
        return blocked
    h = _finite_preferences(param, th, phi)
    return param.vjp(th, phi, _kernel.preference_score(h, _actions(actions, phi), tau))


@QUIET
def expected_features(
    theta: ArrayLike, features: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""The policy's average feature :math:`\mathbb{E}_{b\sim\pi_\theta}[\phi(s,b)] =
    \Phi^\top\pi_\theta`.

    Returns
    -------
    numpy.ndarray, shape (..., n_features)
    """
    th, phi, tau, param, h = _setup(theta, features, temperature)
    return param.vjp(th, phi, _kernel.softmax(h, tau))


@QUIET
def entropy(theta: ArrayLike, features: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Entropy :math:`-\sum_b\pi_\theta(b\mid s)\log\pi_\theta(b\mid s)`, from the
    log-probabilities.

    Returns
    -------
    numpy.ndarray, shape (...)
        In nats, in :math:`[0, \log n_\text{actions}]`.
    """
    *_, tau, _, h = _setup(theta, features, temperature)
    return _kernel.preference_entropy(h, tau)


@QUIET
def entropy_gradient(theta: ArrayLike, features: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Gradient of the entropy, :math:`\nabla_\theta H = \Phi^\top\nabla_h H
    = -\mathrm{Cov}_\pi[\log\pi_\theta(b\mid s), \phi(s,b)]/\tau`.

    Returns
    -------
    numpy.ndarray, shape (..., n_features)

    References
    ----------
    The book's chapter "Entropy regularisation".
    """
    th, phi, tau, param, h = _setup(theta, features, temperature)
    return param.vjp(th, phi, _kernel.preference_entropy_gradient(h, tau))


@QUIET
def fisher_information(
    theta: ArrayLike, features: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""Fisher information :math:`F = \mathbb{E}_{b\sim\pi}[\nabla\log\pi_b\nabla\log\pi_b^\top] =
    \mathrm{Cov}_\pi[\phi]/\tau^2`.

    Built from the scores of every action, :math:`\Phi^\top(e_b-\pi)/\tau`.

    Returns
    -------
    numpy.ndarray, shape (..., n_features, n_features)
        Symmetric positive semi-definite.

    References
    ----------
    Kakade (2001); the book's chapter "Properties of the score".
    """
    th, phi, tau, param, h = _setup(theta, features, temperature)
    p = _kernel.softmax(h, tau)
    return fisher_from_scores(_all_scores(param, th, phi, p, tau), p)


def _all_scores(param: LinearPreferences, th, phi, p, tau) -> np.ndarray:
    """Scores of every action, (..., n_actions, n_features): row b is Phi^T (e_b - pi) / tau."""
    n = p.shape[-1]
    g = _kernel.score_from_probs(p[..., None, :], np.arange(n), tau)  # (..., n, n)
    return param.vjp(th, phi[..., None, :, :], g)


@QUIET
def sample_actions(
    theta: ArrayLike, features: ArrayLike, rng: int | np.random.Generator, temperature: float = 1.0
) -> np.ndarray:
    r"""Draw :math:`a\sim\pi_\theta(\cdot\mid s)` for every state, one uniform number each (inverse
    CDF).

    Parameters
    ----------
    theta : array_like, shape (n_features,)
    features : array_like, shape (..., n_actions, n_features)
    rng : numpy.random.Generator or int
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray of int64, shape ``features.shape[:-2]``
    """
    *_, tau, _, h = _setup(theta, features, temperature)
    gen = check_rng(rng)
    return _kernel.preference_sample(h, gen.random(h.shape[:-1]), tau)
