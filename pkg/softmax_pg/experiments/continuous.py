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
    diverged_at : numpy.ndarray of int, shape (n_runs,)
        The step (from 1) at which each run diverged, 0 for a run that never did; a run
        that diverged is stopped there and its later entries are NaN (only with
        ``stop_diverged=True``; otherwise a divergence raises and this is all zeros).
    """

    rewards: np.ndarray
    means: np.ndarray
    stds: np.ndarray
    target: float
    diverged_at: np.ndarray

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
    natural_mean: bool = False,
    stop_diverged: bool = False,
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
    natural_mean : bool, default False
        Step the mean along its natural gradient: the mean's score times the inverse of
        its Fisher information :math:`\phi\phi^\top/\sigma^2 = 1/\sigma^2` (the single
        feature :math:`\phi = 1`), that is times :math:`\sigma^2`, which turns
        :math:`(A - \mu)/\sigma^2` into :math:`A - \mu` (Amari 1998; Kakade 2001).
    stop_diverged : bool, default False
        A run diverges when :math:`|\log\sigma| \ge 50` or its mean is not finite. With
        ``False`` the first divergence raises ValueError; with ``True`` that run alone
        stops (its step goes to ``diverged_at``) and the others go on, drawing the same
        numbers as before.
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
    for flag, name in ((natural_mean, "natural_mean"), (stop_diverged, "stop_diverged")):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False; got {flag!r}")
    gen = check_rng(rng)

    theta = np.full((nr, 1), mu0)  # mean = phi(s)^T theta with the single feature phi(s) = 1
    lam = np.full(nr, lam0)
    phi = np.ones(1)
    rewards, means, stds = (np.full((ns, nr), np.nan) for _ in range(3))
    reward_sum = np.zeros(nr)
    diverged_at = np.zeros(nr, dtype=int)
    for t in range(ns):
        live = diverged_at == 0
        mu, sigma = theta[:, 0], gaussian_std(lam)
        actions = mu + sigma * gen.standard_normal(nr)
        r = -((actions - a_star) ** 2) + noise_sd * gen.standard_normal(nr)
        weight = r - reward_sum / t if (baseline and t > 0) else r.copy()
        grad_theta = gaussian_score(theta, phi, actions, lam)
        if natural_mean:  # times the inverse Fisher information sigma^2 of the mean
            grad_theta = grad_theta * (sigma**2)[:, None]
        new_lam = lam
        if alpha_lam is not None:
            new_lam = lam + alpha_lam * weight * gaussian_score_log_std(theta, phi, actions, lam)
        new_theta = theta + alpha * weight[:, None] * grad_theta
        bad = live & ~(np.isfinite(new_theta[:, 0]) & (np.abs(new_lam) < 50.0))
        if bad.any() and not stop_diverged:
            raise ValueError(
                f"the learning diverged at step {t + 1} (|log sigma| >= 50 or a non-finite mean); "
                f"expected smaller step sizes: got step_size={alpha}, step_size_log_std={alpha_lam}"
            )
        means[t, live], stds[t, live], rewards[t, live] = mu[live], sigma[live], r[live]
        diverged_at[bad] = t + 1
        keep = diverged_at == 0  # a diverged run keeps its last parameters, unused
        theta, lam = np.where(keep[:, None], new_theta, theta), np.where(keep, new_lam, lam)
        reward_sum += np.where(live, r, 0.0)
    return GaussianBanditRuns(
        rewards=rewards.T, means=means.T, stds=stds.T, target=a_star, diverged_at=diverged_at
    )
