r"""The gradient bandit: the score function of one state put to work.

The 10-armed testbed of Sutton & Barto (2018, §2.3): every run draws true action values
:math:`q_*(b) \sim \mathcal{N}(\mu, 1)` for its ``n_arms`` arms, and pulling arm
:math:`A` pays :math:`R \sim \mathcal{N}(q_*(A), 1)`. The gradient bandit (Sutton & Barto
2018, §2.8, eq. 2.12) keeps one preference :math:`H(b)` per arm, acts with
:math:`\pi = \mathrm{softmax}(H/\tau)` and updates

.. math::

    H \leftarrow H + \alpha\,(R - \bar R)\,\nabla_H \log\pi(A)
      = H + \frac{\alpha}{\tau}\,(R - \bar R)\,(e_A - \pi),

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
from typing import Union

import numpy as np

from ._validation import (
    as_real_array,
    check_actions,
    check_count,
    check_positive,
    check_rng,
    check_temperature,
)
from .policy import (
    _entropy_gradient_from_log_probs,
    _inverse_cdf,
    _score_from_probs,
    action_probs,
    entropy_gradient,
    score,
)
from .softmax import _log_softmax, _softmax

__all__ = [
    "BanditRuns",
    "GradientBanditAgent",
    "run_gradient_bandit",
    "run_gradient_bandit_loop",
    "sample_testbed",
]

SeedOrGenerator = Union[int, np.random.Generator]


# ----------------------------------------------------------------------------- checks


def _check_flag(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r} of type {type(value).__name__}")
    return bool(value)


def _scalar(value: object, name: str) -> float:
    x = as_real_array(value, name)
    if x.ndim != 0:
        raise ValueError(f"{name} must be a single finite number; got shape {x.shape}")
    return float(x)


@dataclass(frozen=True)
class _Config:
    n_arms: int
    step_size: float
    baseline: bool
    temperature: float
    include_current_reward: bool
    entropy_bonus: float


def _check_config(
    n_arms: object,
    step_size: object,
    baseline: object,
    temperature: object,
    include_current_reward: object,
    entropy_bonus: object,
) -> _Config:
    beta = 0.0 if entropy_bonus == 0 else check_positive(entropy_bonus, "entropy_bonus")
    return _Config(
        n_arms=check_count(n_arms, "n_arms"),
        step_size=check_positive(step_size, "step_size"),
        baseline=_check_flag(baseline, "baseline"),
        temperature=check_temperature(temperature),
        include_current_reward=_check_flag(include_current_reward, "include_current_reward"),
        entropy_bonus=beta,
    )


# ---------------------------------------------------------------------------- testbed


def sample_testbed(
    n_runs: int, n_arms: int = 10, testbed_mean: float = 0.0, rng: SeedOrGenerator = 0
) -> np.ndarray:
    r"""True action values :math:`q_*(b) \sim \mathcal{N}(\mu, 1)` of ``n_runs`` independent testbeds.

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
    mean = _scalar(testbed_mean, "testbed_mean")
    return check_rng(rng).normal(mean, 1.0, size=(nr, na))


# ------------------------------------------------------------------- the single agent


class GradientBanditAgent:
    r"""One gradient-bandit learner: preferences :math:`H`, policy :math:`\pi = \mathrm{softmax}(H/\tau)`.

    The plain form of the algorithm, one bandit at a time, written with the package's
    public functions: :func:`softmax_pg.action_probs` and :func:`softmax_pg.score` on
    one-hot features (the identity matrix), so the update is

    .. math::

        H \leftarrow H + \alpha\,(R - \bar R)\,\nabla_H\log\pi(A)
          = H + \alpha\,(R - \bar R)\,(e_A - \pi)/\tau

    (Sutton & Barto 2018, eq. 2.12; the book's chapter "The gradient bandit").

    Parameters
    ----------
    n_arms : int
        Number of arms, at least 1.
    step_size : float
        :math:`\alpha > 0`.
    baseline : bool, optional
        Subtract the average reward :math:`\bar R` (see the module's notes for its
        convention); without it the update uses :math:`R` itself. Default ``True``.
    temperature : float, default 1.0
        :math:`\tau > 0`.
    include_current_reward : bool, optional
        Let :math:`\bar R_t` include :math:`R_t` (the other convention). Default ``False``.
    entropy_bonus : float, default 0.0
        :math:`\beta \ge 0`: add :math:`\alpha\beta\,\nabla_H H(\pi)` to every update, the
        gradient of the policy's entropy (:func:`softmax_pg.entropy_gradient`), which keeps
        the policy from collapsing early (the book's chapter "Natural gradient and entropy").

    Attributes
    ----------
    preferences : numpy.ndarray, shape (n_arms,)
        :math:`H`, zero at the start.
    average_reward : float
        Average of the rewards seen so far (0 before the first).
    n_updates : int
        Number of updates so far.

    Examples
    --------
    >>> import numpy as np
    >>> agent = GradientBanditAgent(n_arms=2, step_size=0.5, baseline=False)
    >>> agent.update(action=0, reward=1.0)       # H += 0.5 * 1 * (e_0 - [1/2, 1/2])
    >>> agent.preferences
    array([ 0.25, -0.25])
    """

    def __init__(
        self,
        n_arms: int,
        step_size: float,
        baseline: bool = True,
        temperature: float = 1.0,
        include_current_reward: bool = False,
        entropy_bonus: float = 0.0,
    ) -> None:
        cfg = _check_config(n_arms, step_size, baseline, temperature, include_current_reward, entropy_bonus)
        self.n_arms = cfg.n_arms
        self.step_size = cfg.step_size
        self.baseline = cfg.baseline
        self.temperature = cfg.temperature
        self.include_current_reward = cfg.include_current_reward
        self.entropy_bonus = cfg.entropy_bonus
        self.preferences = np.zeros(cfg.n_arms)
        self.average_reward = 0.0
        self.n_updates = 0
        self._features = np.eye(cfg.n_arms)  # one state, one-hot features: phi(b) = e_b

    def __repr__(self) -> str:
        return (
            f"GradientBanditAgent(n_arms={self.n_arms}, step_size={self.step_size}, "
            f"baseline={self.baseline}, temperature={self.temperature})"
        )

    def probs(self) -> np.ndarray:
        r""":math:`\pi = \mathrm{softmax}(H/\tau)`, shape ``(n_arms,)``."""
        return action_probs(self.preferences, self._features, self.temperature)

    def act(self, u: float) -> int:
        r"""The arm whose cumulative probability first exceeds ``u``: :math:`A \sim \pi`.

        Parameters
        ----------
        u : float
            A uniform number in :math:`[0, 1)`, such as ``rng.random()``.
        """
        x = _scalar(u, "u")
        if not 0.0 <= x < 1.0:
            raise ValueError(f"u must be a uniform number in [0, 1); got {x!r}")
        return int(_inverse_cdf(self.probs(), x))

    def score(self, action: int) -> np.ndarray:
        r""":math:`\nabla_H\log\pi(a) = (e_a - \pi)/\tau`: :func:`softmax_pg.score` on one-hot features."""
        a = check_actions(action, self.n_arms, "action")
        if a.ndim != 0:
            raise ValueError(f"action must be a single arm index; got shape {a.shape}")
        return score(self.preferences, self._features, a, self.temperature)

    def reference_reward(self, reward: float) -> float:
        r""":math:`\bar R_t` for the reward :math:`R_t` just received (before :meth:`update`).

        The average of the earlier rewards (the reward itself at the first step), or of
        all rewards up to and including this one with ``include_current_reward``.
        Returned whether or not the agent subtracts it.
        """
        r = _scalar(reward, "reward")
        n = self.n_updates + 1
        if self.include_current_reward:
            return self.average_reward + (r - self.average_reward) / n
        return r if self.n_updates == 0 else self.average_reward

    def update(self, action: int, reward: float) -> None:
        r"""One step of eq. 2.12: :math:`H \leftarrow H + \alpha (R - \bar R)\nabla_H\log\pi(A)`.

        Parameters
        ----------
        action : int
            The arm :math:`A` that was pulled, in ``range(n_arms)``.
        reward : float
            The reward :math:`R` it paid (finite).
        """
        r = _scalar(reward, "reward")
        s = self.score(action)
        b = self.reference_reward(r) if self.baseline else 0.0
        step = self.step_size * (r - b) * s
        if self.entropy_bonus:
            bonus = entropy_gradient(self.preferences, self._features, self.temperature)
            step += (self.step_size * self.entropy_bonus) * bonus
        self.preferences += step
        self.n_updates += 1
        self.average_reward += (r - self.average_reward) / self.n_updates


# ----------------------------------------------------------------------- the results


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
        :math:`(\mathbb{1}\{A_t = b^*\} - \pi_t(b^*))/\tau`: with the two arrays above
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
        r"""The change of the best arm's preference, :math:`\alpha (R_t - b_t)\,\nabla_{H(b^*)}\log\pi_t(A_t)`.

        With ``baseline=True`` :math:`b_t = \bar R_t`, with ``False`` :math:`b_t = 0`,
        whichever the learner used: on the same trajectory the two are two estimates
        of the same expected change, so their means agree (the expected score is zero)
        while their variances differ.

        Returns
        -------
        numpy.ndarray, shape (n_runs, n_steps)
        """
        centred = self.rewards - self.reference_rewards if _check_flag(baseline, "baseline") else self.rewards
        return self.step_size * centred * self.score_optimal


# ------------------------------------------------------------------ the batched runs


def run_gradient_bandit(
    n_runs: int = 2000,
    n_steps: int = 1000,
    *,
    n_arms: int = 10,
    step_size: float = 0.1,
    baseline: bool = True,
    temperature: float = 1.0,
    testbed_mean: float = 4.0,
    include_current_reward: bool = False,
    entropy_bonus: float = 0.0,
    rng: SeedOrGenerator = 0,
    progress: bool = False,
) -> BanditRuns:
    r"""Run the gradient bandit on ``n_runs`` independent testbeds at once.

    All runs advance together: preferences of shape ``(n_runs, n_arms)``, and each step
    is one vectorised update :math:`H \leftarrow H + \alpha (R - \bar R)(e_A - \pi)/\tau`
    for every run (Sutton & Barto 2018, eq. 2.12). The factor :math:`(e_A - \pi)/\tau`
    is the score of :func:`softmax_pg.score` on one-hot features, computed by the core
    functions that :func:`~softmax_pg.score` itself calls (the softmax and
    :math:`e_A - \pi`), with the arguments checked once here instead of at every step;
    the preferences are the table itself, since :math:`I H = H`. The defaults are the
    experiment of Figure 2.5 (testbed mean 4, 2000 runs, 1000 steps); the book's algorithm
    box :prf:ref:`alg-gradient-bandit` lists the steps.

    Parameters
    ----------
    n_runs : int, default 2000
        Independent runs, each on its own testbed; at least 1.
    n_steps : int, default 1000
        Steps per run; at least 1.
    n_arms : int, default 10
        Arms per testbed; at least 1.
    step_size : float, default 0.1
        :math:`\alpha > 0`.
    baseline : bool, optional
        Subtract the average reward :math:`\bar R_t`. Default ``True``.
    temperature : float, default 1.0
        :math:`\tau > 0`.
    testbed_mean : float, default 4.0
        Mean :math:`\mu` of the true values :math:`q_*(b) \sim \mathcal{N}(\mu, 1)`.
    include_current_reward : bool, optional
        Let :math:`\bar R_t` include :math:`R_t` (see the module's notes). Default ``False``.
    entropy_bonus : float, default 0.0
        :math:`\beta \ge 0`: add :math:`\alpha\beta\,\nabla_H H(\pi)`, the gradient of the
        policy's entropy, to every update (see :class:`GradientBanditAgent`).
    rng : numpy.random.Generator or int, default 0
        The source of randomness or a seed; the same seed gives the same arrays.
    progress : bool, optional
        Show a progress bar (needs ``tqdm``). Default ``False``: nothing is printed.

    Returns
    -------
    BanditRuns
        Per-step arrays of shape ``(n_runs, n_steps)``; see :class:`BanditRuns`.

    Raises
    ------
    TypeError, ValueError
        On a count below 1, ``step_size <= 0``, ``temperature <= 0``, a non-finite
        ``testbed_mean``, a non-boolean flag or a bad ``rng``.

    See Also
    --------
    run_gradient_bandit_loop : the same experiment for one run, as a plain loop.

    References
    ----------
    Sutton & Barto (2018), §2.8 and Figure 2.5; Williams (1992); the book's chapter
    "The gradient bandit".
    """
    nr = check_count(n_runs, "n_runs")
    ns = check_count(n_steps, "n_steps")
    cfg = _check_config(n_arms, step_size, baseline, temperature, include_current_reward, entropy_bonus)
    mean = _scalar(testbed_mean, "testbed_mean")
    show = _check_flag(progress, "progress")
    gen = check_rng(rng)

    q_star = gen.normal(mean, 1.0, size=(nr, cfg.n_arms))
    rows = np.arange(nr)
    q_flat, offsets = q_star.ravel(), rows * cfg.n_arms  # q_star[i, b] is q_flat[offsets[i] + b]
    best = np.argmax(q_star, axis=1)

    # Recorded step-major, (n_steps, n_runs), so each step writes one contiguous row.
    optimal = np.empty((ns, nr), dtype=bool)
    rewards = np.empty((ns, nr))
    reference = np.empty((ns, nr))
    score_best = np.empty((ns, nr))

    alpha, tau = cfg.step_size, cfg.temperature
    # Preferences (n_runs, n_arms) stored arm-major: the core's loops over the few arms
    # then run over contiguous rows of n_runs numbers (about 30 % faster than run-major).
    h = np.zeros((cfg.n_arms, nr)).T
    average = np.zeros(nr)
    steps = range(ns)
    if show:
        from tqdm import tqdm

        steps = tqdm(steps, desc="gradient bandit", unit="step")
    for t in steps:
        probs = _softmax(h, tau)  # pi = softmax(I H / tau), the identity features left out
        actions = _inverse_cdf(probs, gen.random(nr))
        r = q_flat[offsets + actions]
        r += gen.standard_normal(nr)
        g = _score_from_probs(probs, actions, tau)  # (e_A - pi)/tau: score() on one-hot features
        if cfg.include_current_reward:
            average += (r - average) / (t + 1)
            rbar = average  # the average of R_1, ..., R_t
        else:
            rbar = r if t == 0 else average  # of R_1, ..., R_{t-1}; R_1 at the first step
        reference[t] = rbar
        np.equal(actions, best, out=optimal[t])
        rewards[t] = r
        score_best[t] = g[rows, best]

        g *= (alpha * (r - rbar) if cfg.baseline else alpha * r)[:, None]
        if cfg.entropy_bonus:  # + alpha beta grad_H H(pi), entropy_gradient() on one-hot features
            g += (alpha * cfg.entropy_bonus) * _entropy_gradient_from_log_probs(_log_softmax(h, tau), tau)
        h += g  # H <- H + alpha (R - Rbar) score
        if not cfg.include_current_reward:
            average += (r - average) / (t + 1)

    return BanditRuns(
        optimal=optimal.T,
        rewards=rewards.T,
        reference_rewards=reference.T,
        score_optimal=score_best.T,
        q_star=q_star,
        preferences=np.ascontiguousarray(h),
        step_size=alpha,
        temperature=tau,
        baseline=cfg.baseline,
        include_current_reward=cfg.include_current_reward,
    )


# -------------------------------------------------------------------- the plain loop


def run_gradient_bandit_loop(
    run: int = 0,
    n_runs: int = 1,
    n_steps: int = 1000,
    *,
    n_arms: int = 10,
    step_size: float = 0.1,
    baseline: bool = True,
    temperature: float = 1.0,
    testbed_mean: float = 4.0,
    include_current_reward: bool = False,
    entropy_bonus: float = 0.0,
    rng: SeedOrGenerator = 0,
) -> BanditRuns:
    r"""Run ``run`` of :func:`run_gradient_bandit`, replayed as a plain loop over steps.

    One :class:`GradientBanditAgent` on one bandit, the loop a reader would write::

        q_star = rng.normal(testbed_mean, 1.0, size=(n_runs, n_arms))[run]
        for t in range(n_steps):
            u = rng.random(n_runs)[run]                 # picks the arm
            noise = rng.standard_normal(n_runs)[run]    # reward noise
            a = agent.act(u)
            agent.update(a, q_star[a] + noise)

    It draws the random numbers of all ``n_runs`` runs and keeps entry ``run`` of each
    draw, so with the same arguments and seed it reproduces row ``run`` of the batched
    result exactly; with ``n_runs=1`` it is the natural loop for a single bandit.

    Parameters
    ----------
    run : int, default 0
        Which run of the batch to replay, in ``range(n_runs)``.
    n_runs : int, default 1
        The size of the batch whose random numbers are replayed.
    n_steps, n_arms, step_size, baseline, temperature, testbed_mean, include_current_reward
        As :func:`run_gradient_bandit`.
    entropy_bonus, rng
        As :func:`run_gradient_bandit`.

    Returns
    -------
    BanditRuns
        With one row (``n_runs == 1``).
    """
    nr = check_count(n_runs, "n_runs")
    i = check_count(run, "run", minimum=0)
    if i >= nr:
        raise ValueError(f"run must be in [0, n_runs) = [0, {nr}); got {i}")
    ns = check_count(n_steps, "n_steps")
    mean = _scalar(testbed_mean, "testbed_mean")
    agent = GradientBanditAgent(
        n_arms, step_size, baseline, temperature, include_current_reward, entropy_bonus
    )
    gen = check_rng(rng)

    q_star = gen.normal(mean, 1.0, size=(nr, agent.n_arms))[i]
    best = int(np.argmax(q_star))
    optimal = np.empty(ns, dtype=bool)
    rewards = np.empty(ns)
    reference = np.empty(ns)
    score_best = np.empty(ns)
    for t in range(ns):
        u = gen.random(nr)[i]
        noise = gen.standard_normal(nr)[i]
        a = agent.act(u)
        r = q_star[a] + noise
        optimal[t] = a == best
        rewards[t] = r
        reference[t] = agent.reference_reward(r)
        score_best[t] = agent.score(a)[best]
        agent.update(a, r)

    return BanditRuns(
        optimal=optimal[None],
        rewards=rewards[None],
        reference_rewards=reference[None],
        score_optimal=score_best[None],
        q_star=q_star[None],
        preferences=agent.preferences[None].copy(),
        step_size=agent.step_size,
        temperature=agent.temperature,
        baseline=agent.baseline,
        include_current_reward=agent.include_current_reward,
    )
