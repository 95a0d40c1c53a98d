r"""The Gaussian policy for one-dimensional continuous actions, and its score.

The policy is :math:`\pi_\theta(a\mid s) = \mathcal{N}\bigl(a;\ \mu_\theta(s),\ \sigma^2\bigr)`
with a linear mean :math:`\mu_\theta(s) = \phi(s)^\top\theta` and a standard deviation
:math:`\sigma = e^{\lambda}` parametrised by its logarithm :math:`\lambda` (so any real
:math:`\lambda` is valid). Its score has the same "observed minus expected" shape as the
softmax score (the book's chapter "Other policies, same recipe"):

.. math::

    \begin{aligned}
    \nabla_\theta \log\pi(a\mid s) &= \frac{a - \mu_\theta(s)}{\sigma^2}\,\phi(s),\\
    \frac{\partial}{\partial\lambda}\log\pi(a\mid s) &= \frac{(a - \mu_\theta(s))^2}{\sigma^2} - 1.
    \end{aligned}

References: Williams (1992), §6; Sutton & Barto (2018), §13.7.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_broadcastable, check_rng

__all__ = [
    "gaussian_log_prob",
    "gaussian_sample",
    "gaussian_score",
    "gaussian_score_log_std",
    "gaussian_std",
]

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


def _check(
    theta: ArrayLike, features: ArrayLike, log_std: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    th = as_real_array(theta, "theta", min_ndim=1)
    if th.shape[-1] == 0:
        raise ValueError(
            f"theta must have shape (..., n_features) with n_features >= 1; got shape {th.shape}"
        )
    phi = as_real_array(features, "features", min_ndim=1)
    if phi.shape[-1] != th.shape[-1]:
        raise ValueError(
            f"features must have shape (..., n_features) with n_features = theta.shape[-1] = "
            f"{th.shape[-1]}; got shape {phi.shape}"
        )
    check_broadcastable(
        "theta.shape[:-1]", th.shape[:-1], phi.shape[:-1], f"features' batch shape {phi.shape[:-1]}"
    )
    lam = as_real_array(log_std, "log_std")
    if np.any(np.abs(lam) > 300.0):
        raise ValueError(
            f"log_std must lie in [-300, 300] so that the standard deviation exp(log_std) is a "
            f"normal float; got {lam[np.abs(lam) > 300.0].flat[0]}"
        )
    return th, phi, lam


def _mean(theta: np.ndarray, features: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        mu = np.einsum("...f,...f->...", features, theta)
    if not np.all(np.isfinite(mu)):
        raise ValueError("the mean features @ theta overflowed float64; expected a finite mean")
    return mu


def _actions(actions: ArrayLike, mu: np.ndarray) -> np.ndarray:
    a = as_real_array(actions, "actions")
    check_broadcastable(
        "actions", a.shape, mu.shape, f"the batch shape {mu.shape} of theta and features"
    )
    return a


def gaussian_log_prob(
    theta: ArrayLike, features: ArrayLike, actions: ArrayLike, log_std: ArrayLike = 0.0
) -> np.ndarray:
    r""":math:`\log\mathcal{N}(a;\ \phi(s)^\top\theta,\ e^{2\lambda}) = -\tfrac12 z^2 - \lambda -
    \tfrac12\log 2\pi`, :math:`z = (a - \mu)/\sigma`.

    Parameters
    ----------
    theta : array_like, shape (..., n_features)
        Parameters of the mean; leading axes (one parameter vector per run, say) broadcast
        against those of ``features``.
    features : array_like, shape (..., n_features)
        The state features :math:`\phi(s)`.
    actions : array_like, shape broadcasting with features.shape[:-1]
        Real actions :math:`a`.
    log_std : float or array_like broadcasting with the batch, default 0.0
        :math:`\lambda = \log\sigma`, within [-300, 300].

    Returns
    -------
    numpy.ndarray, shape ``broadcast(features.shape[:-1], actions.shape)``
    """
    th, phi, lam = _check(theta, features, log_std)
    mu = _mean(th, phi)
    a = _actions(actions, mu)
    z = (a - mu) * np.exp(-lam)
    return -0.5 * z**2 - lam - _LOG_SQRT_2PI


def gaussian_score(
    theta: ArrayLike, features: ArrayLike, actions: ArrayLike, log_std: ArrayLike = 0.0
) -> np.ndarray:
    r"""The score with respect to the mean's parameters, :math:`\nabla_\theta\log\pi(a\mid s) =
    \frac{a - \mu}{\sigma^2}\,\phi(s)`.

    Parameters
    ----------
    theta : array_like, shape (..., n_features)
    features : array_like, shape (..., n_features)
    actions : array_like, shape broadcasting with features.shape[:-1]
    log_std : float or array_like, default 0.0
        :math:`\lambda = \log\sigma`.

    Returns
    -------
    numpy.ndarray, shape ``broadcast(features.shape[:-1], actions.shape) + (n_features,)``

    References
    ----------
    Williams (1992), §6; Sutton & Barto (2018), eq. 13.20.
    """
    th, phi, lam = _check(theta, features, log_std)
    mu = _mean(th, phi)
    a = _actions(actions, mu)
    return ((a - mu) * np.exp(-2.0 * lam))[..., None] * phi


def gaussian_score_log_std(
    theta: ArrayLike, features: ArrayLike, actions: ArrayLike, log_std: ArrayLike = 0.0
) -> np.ndarray:
    r"""The score with respect to :math:`\lambda = \log\sigma`: :math:`\frac{(a - \mu)^2}{\sigma^2}
    - 1`.

    Its expectation under the policy is zero: :math:`\mathbb{E}[(A-\mu)^2] = \sigma^2`.

    Parameters
    ----------
    theta : array_like, shape (..., n_features)
    features : array_like, shape (..., n_features)
    actions : array_like, shape broadcasting with features.shape[:-1]
    log_std : float or array_like, default 0.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(features.shape[:-1], actions.shape)``

    References
    ----------
    Sutton & Barto (2018), eq. 13.21 (with :math:`\sigma = e^{\lambda}`).
    """
    th, phi, lam = _check(theta, features, log_std)
    mu = _mean(th, phi)
    a = _actions(actions, mu)
    return ((a - mu) * np.exp(-lam)) ** 2 - 1.0


def gaussian_sample(
    theta: ArrayLike,
    features: ArrayLike,
    rng: int | np.random.Generator,
    log_std: ArrayLike = 0.0,
) -> np.ndarray:
    r"""Draw :math:`a \sim \mathcal{N}(\phi(s)^\top\theta, e^{2\lambda})` for every state of the
    batch.

    Parameters
    ----------
    theta : array_like, shape (..., n_features)
    features : array_like, shape (..., n_features)
    rng : numpy.random.Generator or int
        The source of randomness, or a seed for a new one.
    log_std : float or array_like, default 0.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(features.shape[:-1], log_std.shape)``
    """
    th, phi, lam = _check(theta, features, log_std)
    gen = check_rng(rng)
    mu = _mean(th, phi)
    noise = gen.standard_normal(np.broadcast_shapes(mu.shape, lam.shape))
    return mu + np.exp(lam) * noise


def gaussian_std(log_std: ArrayLike) -> np.ndarray:
    r"""The standard deviation :math:`\sigma = e^{\lambda}` of the log-standard deviation
    :math:`\lambda`.

    Parameters
    ----------
    log_std : array_like, any shape

    Returns
    -------
    numpy.ndarray, the shape of ``log_std``
    """
    return np.exp(as_real_array(log_std, "log_std"))
