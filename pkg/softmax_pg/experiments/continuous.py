r"""A one-dimensional continuous bandit learned with the Gaussian policy's score.

One state, real actions, reward :math:`R = -(A - a^*)^2 + \varepsilon` with
:math:`\varepsilon \sim \mathcal{N}(0, \text{noise}^2)`, so the expected reward of the policy
:math:`\mathcal{N}(\mu, \sigma^2)` is :math:`J(\mu, \sigma) = -(\mu - a^*)^2 - \sigma^2`: the
best policy puts its mean on :math:`a^*` and its spread to zero. The learner is
REINFORCE for one step (Williams 1992): :math:`\theta \leftarrow \theta + \alpha (R - b)
\nabla_\theta\log\pi(A)` and, when the spread is learned, the same for
:math:`\lambda = \log\sigma`, with the scores of :mod:`softmax_pg.gaussian` (the book's
chapter "Other policies, same recipe"). All runs advance together, one vectorised step
each; one :class:`numpy.random.Generator` from the seed draws, at every step, one normal
per run for the action and one for the reward noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_real_array, check_count, check_positive, check_rng
from ..gaussian import gaussian_score, gaussian_score_log_std, gaussian_std

__all__ = ["GaussianBanditRuns", "run_gaussian_bandit"]


@dataclass(frozen=True)
class GaussianBanditRuns:
    """What :func:`run_gaussian_bandit` records, one row per run, one column per step.

    Attributes
    ----------
    rewards : numpy.ndarray, shape (n_runs, n_steps)
        The reward :math:`R_t` received.
    means : numpy.ndarray, shape (n_runs, n_steps)
        The policy's mean :math:`\\mu` when acting at step :math:`t`.
    stds : numpy.ndarray, shape (n_runs, n_steps)
        The policy's standard deviation :math:`\\sigma` when acting at step :math:`t`.
    target : float
        The best action :math:`a^*`.
    """

    rewards: np.ndarray
    means: np.ndarray
    stds: np.ndarray
    target: float

    def expected_reward(self) -> np.ndarray:
        """:math:`J = -(\\mu - a^*)^2 - \\sigma^2` of the policy at every step: (n_runs,
        n_steps)."""
        return -((self.means - self.target) ** 2) - self.stds**2


def run_gaussian_bandit(
    *,
    n_runs: int = 200,
    n_steps: int = 2000,
    step_size: float = 0.01,
    step_size_log_std: float | None = None,
    target: float = 2.0,
    init_mean: float = 0.0,
    init_log_std: float = 0.0,
    reward_noise: float = 1.0,
    baseline: bool = True,
    rng: int | np.random.Generator = 0,
) -> GaussianBanditRuns:
    r"""Run REINFORCE with a Gaussian policy on the continuous bandit, all runs at once.

    Parameters
    ----------
    n_runs, n_steps : int
        Independent runs and steps per run, each at least 1.
    step_size : float, default 0.01
        :math:`\alpha > 0` for the mean's parameter.
    step_size_log_std : float or None, default None
        Step size for :math:`\lambda = \log\sigma`; ``None`` keeps :math:`\sigma` fixed.
    target : float, default 2.0
        The best action :math:`a^*`.
    init_mean, init_log_std : float
        The initial :math:`\mu` and :math:`\log\sigma`.
    reward_noise : float, default 1.0
        Standard deviation of the reward noise, at least 0.
    baseline : bool, default True
        Subtract the average of the rewards received before the step (zero at the first
        step).
    rng : numpy.random.Generator or int, default 0
        The source of randomness, or its seed.

    Returns
    -------
    GaussianBanditRuns
    """
    nr, ns = check_count(n_runs, "n_runs"), check_count(n_steps, "n_steps")
    alpha = check_positive(step_size, "step_size")
    alpha_lam = (
        None
        if step_size_log_std is None
        else check_positive(step_size_log_std, "step_size_log_std")
    )
    scalars = as_real_array(
        [target, init_mean, init_log_std, reward_noise],
        "target/init_mean/init_log_std/reward_noise",
    )
    a_star, mu0, lam0, noise_sd = (float(v) for v in scalars)
    if noise_sd < 0:
        raise ValueError(f"reward_noise must be >= 0; got {noise_sd}")
    if not isinstance(baseline, (bool, np.bool_)):
        raise TypeError(f"baseline must be True or False; got {baseline!r}")
    gen = check_rng(rng)

    theta = np.full((nr, 1), mu0)  # mean = phi(s)^T theta with the single feature phi(s) = 1
    lam = np.full(nr, lam0)
    phi = np.ones(1)
    rewards, means, stds = (np.empty((ns, nr)) for _ in range(3))
    reward_sum = np.zeros(nr)
    for t in range(ns):
        mu, sigma = theta[:, 0], gaussian_std(lam)
        actions = mu + sigma * gen.standard_normal(nr)
        r = -((actions - a_star) ** 2) + noise_sd * gen.standard_normal(nr)
        weight = r - reward_sum / t if (baseline and t > 0) else r.copy()
        grad_theta = gaussian_score(theta, phi, actions, lam)
        if alpha_lam is not None:
            lam = lam + alpha_lam * weight * gaussian_score_log_std(theta, phi, actions, lam)
        theta = theta + alpha * weight[:, None] * grad_theta
        if not (np.all(np.isfinite(theta)) and np.all(np.abs(lam) < 50.0)):
            raise ValueError(
                f"the learning diverged at step {t + 1} (|log sigma| >= 50 or a non-finite mean); "
                f"expected smaller step sizes: got step_size={alpha}, step_size_log_std={alpha_lam}"
            )
        means[t], stds[t], rewards[t] = mu, sigma, r
        reward_sum += r
    return GaussianBanditRuns(rewards=rewards.T, means=means.T, stds=stds.T, target=a_star)
