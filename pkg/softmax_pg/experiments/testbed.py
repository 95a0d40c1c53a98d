r"""The 10-armed testbed and what a gradient-bandit experiment records.

The 10-armed testbed of Sutton & Barto (2018, §2.3): every run draws true action values
:math:`q_*(b) \sim \mathcal{N}(\mu, 1)` for its ``n_arms`` arms, and pulling arm
:math:`A` pays :math:`R \sim \mathcal{N}(q_*(A), 1)`. The gradient bandit (Sutton & Barto
2018, §2.8, eq. 2.12) keeps one preference :math:`H(b)` per arm, acts with
:math:`\pi = \mathrm{softmax}(H/\tau)` and updates

.. math::

    \begin{aligned}
    H &\leftarrow H + \alpha\,(R - \bar R)\,\nabla_H \log\pi(A)\\
      &= H + \frac{\alpha}{\tau}\,(R - \bar R)\,(e_A - \pi),
    \end{aligned}

a stochastic gradient ascent step on the expected reward (Williams 1992). A bandit is a
one-state problem with one-hot (identity) features, so :math:`\nabla_H\log\pi(A)` is the
package's :func:`softmax_pg.score` with ``features = I`` (the book's chapter "The
gradient bandit" derives it that way); nothing here writes ``one_hot - pi`` by hand.

Two ways to run the experiment, which pull the same arms and collect the same rewards,
bit for bit:

* ``run_gradient_bandit``: all runs at once, preferences of shape
  ``(n_runs, n_arms)``, one vectorised step for every run;
* ``run_gradient_bandit_loop``: the loop a reader would write, one
  ``GradientBanditAgent`` stepping through one bandit.

**Random numbers.** One :class:`numpy.random.Generator` is consumed in a fixed order:
first every run's true values, ``rng.normal(mean, 1, size=(n_runs, n_arms))``; then, at
every step, one uniform per run, ``rng.random(n_runs)``, which picks the arm by
inverting the cumulative distribution of :math:`\pi`, and one standard normal per run,
``rng.standard_normal(n_runs)``, the reward noise. Run ``i`` uses entry ``i`` of each
draw, so a single run can be replayed by a plain loop that takes that entry.

**The baseline** :math:`\bar R_t` is the average of the rewards *before* step
:math:`t`, :math:`\bar R_t = \frac{1}{t-1}\sum_{k<t} R_k`, with :math:`\bar R_1 = R_1`
(so the first update is zero). It does not depend on the action :math:`A_t`, so by the
expected-score-zero lemma it leaves the expected update unchanged. With
``include_current_reward=True`` the average also includes :math:`R_t`, as in
implementations that update the average before the preferences. Since
:math:`R_t - \frac{1}{t}\sum_{k\le t} R_k = \frac{t-1}{t}(R_t - \bar R_t)`, that is the
same update with the step size shrunk to :math:`\alpha (t-1)/t`; the learning curves
hardly change (the tests check it).

References
----------
Sutton, R. S., & Barto, A. G. (2018). *Reinforcement Learning: An Introduction* (2nd ed.),
§2.3 (the 10-armed testbed) and §2.8 (gradient bandit algorithms, eq. 2.12, Figure 2.5).
Williams, R. J. (1992). Simple statistical gradient-following algorithms for
connectionist reinforcement learning. *Machine Learning* 8, 229-256.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import (
    check_count,
    check_flag,
    check_positive,
    check_rng,
    check_scalar,
    check_temperature,
)

__all__ = ["BanditConfig", "BanditRuns", "check_config", "sample_testbed"]


@dataclass(frozen=True)
class BanditConfig:
    """The checked settings of one gradient-bandit experiment."""

    n_arms: int
    step_size: float
    baseline: bool
    temperature: float
    include_current_reward: bool
    entropy_bonus: float


def check_config(
    n_arms: object,
    step_size: object,
    baseline: object,
    temperature: object,
    include_current_reward: object,
    entropy_bonus: object,
) -> BanditConfig:
    """The settings checked, each error naming its argument."""
    beta = 0.0 if entropy_bonus == 0 else check_positive(entropy_bonus, "entropy_bonus")
    return BanditConfig(
        n_arms=check_count(n_arms, "n_arms"),
        step_size=check_positive(step_size, "step_size"),
        baseline=check_flag(baseline, "baseline"),
        temperature=check_temperature(temperature),
        include_current_reward=check_flag(include_current_reward, "include_current_reward"),
        entropy_bonus=beta,
    )


def sample_testbed(
    n_runs: int, n_arms: int = 10, testbed_mean: float = 0.0, rng: int | np.random.Generator = 0
) -> np.ndarray:
    r"""True action values :math:`q_*(b) \sim \mathcal{N}(\mu, 1)` of ``n_runs`` independent
    testbeds.

    This is the first draw of every experiment of this module (see the module's notes
    on random numbers).

    Parameters
    ----------
    n_runs : int
        Number of independent bandit problems, at least 1.
    n_arms : int, default 10
        Arms per problem, at least 1.
    testbed_mean : float, default 0.0
        :math:`\mu`; Sutton & Barto use 0 for the testbed and 4 for Figure 2.5.
    rng : numpy.random.Generator or int, default 0
        The source of randomness, or a seed for a new one.

    Returns
    -------
    numpy.ndarray, shape (n_runs, n_arms)
        ``q_star[i, b]`` is the expected reward of arm ``b`` in run ``i``.

    References
    ----------
    Sutton & Barto (2018), §2.3.
    """
    nr = check_count(n_runs, "n_runs")
    na = check_count(n_arms, "n_arms")
    mean = check_scalar(testbed_mean, "testbed_mean")
    return check_rng(rng).normal(mean, 1.0, size=(nr, na))


@dataclass(frozen=True)
class BanditRuns:
    r"""What a gradient-bandit experiment records, one row per run and one column per step.

    Attributes
    ----------
    optimal : numpy.ndarray of bool, shape (n_runs, n_steps)
        Whether the arm pulled at each step was the run's best arm :math:`\arg\max_b q_*(b)`.
    rewards : numpy.ndarray, shape (n_runs, n_steps)
        The rewards :math:`R_t`.
    reference_rewards : numpy.ndarray, shape (n_runs, n_steps)
        :math:`\bar R_t` at each step, by the run's convention, recorded whether or not
        the learner subtracts it.
    score_optimal : numpy.ndarray, shape (n_runs, n_steps)
        The score's entry for the best arm :math:`b^*`,
        :math:`((e_{A_t})_{b^*} - \pi_t(b^*))/\tau`: with the two arrays above
        it gives the update of :math:`H(b^*)` with and without baseline
        (:meth:`optimal_arm_update`).
    q_star : numpy.ndarray, shape (n_runs, n_arms)
        The true action values of each run.
    preferences : numpy.ndarray, shape (n_runs, n_arms)
        The preferences :math:`H` after the last step.
    step_size, temperature : float
        :math:`\alpha` and :math:`\tau`.
    baseline, include_current_reward : bool
        Whether the learner subtracted :math:`\bar R_t`, and its convention.
    """

    optimal: np.ndarray
    rewards: np.ndarray
    reference_rewards: np.ndarray
    score_optimal: np.ndarray
    q_star: np.ndarray
    preferences: np.ndarray
    step_size: float
    temperature: float
    baseline: bool
    include_current_reward: bool

    @property
    def n_runs(self) -> int:
        """Number of runs."""
        return int(self.rewards.shape[0])

    @property
    def n_steps(self) -> int:
        """Number of steps per run."""
        return int(self.rewards.shape[1])

    def percent_optimal(self) -> np.ndarray:
        """Percentage of runs that pulled their best arm, per step: shape ``(n_steps,)``."""
        return 100.0 * self.optimal.mean(axis=0)

    def optimal_arm_update(self, baseline: bool) -> np.ndarray:
        r"""The change of the best arm's preference, :math:`\alpha (R_t -
        b_t)\,\nabla_{H(b^*)}\log\pi_t(A_t)`.

        With ``baseline=True`` :math:`b_t = \bar R_t`, with ``False`` :math:`b_t = 0`,
        whichever the learner used: on the same trajectory the two are two estimates
        of the same expected change, so their means agree (the expected score is zero)
        while their variances differ.

        Returns
        -------
        numpy.ndarray, shape (n_runs, n_steps)
        """
        centred = (
            self.rewards - self.reference_rewards
            if check_flag(baseline, "baseline")
            else self.rewards
        )
        return self.step_size * centred * self.score_optimal
