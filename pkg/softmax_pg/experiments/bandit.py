r"""The gradient bandit on the 10-armed testbed, every run at once.

The batched form of :mod:`softmax_pg.experiments.bandit_agent`: the runs' preferences are
``TabularPreferences(1, n_arms)`` with one :math:`\theta` per run, and each step is the
public :func:`~softmax_pg.step.policy_gradient` with those many :math:`\theta`: the kernel's
:math:`(e_A - \pi)/\tau` pulled back by the vjp, weighted (Sutton & Barto 2018, §2.8,
eq. 2.12). The testbed, the random-number order and the baseline's convention are
described in :mod:`softmax_pg.experiments.testbed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _kernel
from .._validation import check_count, check_flag, check_rng, check_scalar
from ..parametrisations import TabularPreferences
from ..step import policy_gradient
from .bandit_agent import GradientBanditAgent, run_gradient_bandit_loop
from .testbed import BanditConfig, BanditRuns, check_config, sample_testbed

__all__ = [
    "BanditRuns",
    "GradientBanditAgent",
    "run_gradient_bandit",
    "run_gradient_bandit_loop",
    "sample_testbed",
]


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
    rng: int | np.random.Generator = 0,
    progress: bool = False,
) -> BanditRuns:
    r"""Run the gradient bandit on ``n_runs`` independent testbeds at once.

    All runs advance together: preferences of shape ``(n_runs, n_arms)``, and each step
    is one vectorised update :math:`H \leftarrow H + \alpha (R - \bar R)(e_A - \pi)/\tau`
    for every run (Sutton & Barto 2018, eq. 2.12): :func:`~softmax_pg.step.policy_gradient` with
    one :math:`\theta` per run of ``TabularPreferences(1, n_arms)`` and the weights
    :math:`\alpha(R - \bar R)`, the arguments checked once here instead of at every step.
    The defaults are the experiment of Figure 2.5 (testbed mean 4, 2000 runs, 1000 steps);
    the book's algorithm box :prf:ref:`alg-gradient-bandit` lists the steps.

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
    cfg = check_config(
        n_arms, step_size, baseline, temperature, include_current_reward, entropy_bonus
    )
    mean = check_scalar(testbed_mean, "testbed_mean")
    show = check_flag(progress, "progress")
    gen = check_rng(rng)
    q_star = gen.normal(mean, 1.0, size=(nr, cfg.n_arms))
    record = _Record.empty(ns, nr)
    thetas = np.zeros((nr, cfg.n_arms))  # one table of one state per run
    learner = _Learner(cfg, TabularPreferences(1, cfg.n_arms), q_star)
    for t in _steps(ns, show):
        learner.step(thetas, t, gen, record)
    return record.result(cfg, q_star, thetas)


def _steps(n_steps: int, show: bool):
    if not show:
        return range(n_steps)
    from tqdm import tqdm

    return tqdm(range(n_steps), desc="gradient bandit", unit="step")


@dataclass
class _Record:
    """What every step writes, step-major (n_steps, n_runs) so a step fills one row."""

    optimal: np.ndarray
    rewards: np.ndarray
    reference: np.ndarray
    score_best: np.ndarray

    @classmethod
    def empty(cls, n_steps: int, n_runs: int) -> _Record:
        return cls(
            np.empty((n_steps, n_runs), dtype=bool),
            *(np.empty((n_steps, n_runs)) for _ in range(3)),
        )

    def result(self, cfg: BanditConfig, q_star: np.ndarray, thetas: np.ndarray) -> BanditRuns:
        return BanditRuns(
            optimal=self.optimal.T,
            rewards=self.rewards.T,
            reference_rewards=self.reference.T,
            score_optimal=self.score_best.T,
            q_star=q_star,
            preferences=thetas,
            step_size=cfg.step_size,
            temperature=cfg.temperature,
            baseline=cfg.baseline,
            include_current_reward=cfg.include_current_reward,
        )


class _Learner:
    """The runs' shared pieces: the parametrisation, the testbed, the running averages."""

    def __init__(self, cfg: BanditConfig, param: TabularPreferences, q_star: np.ndarray) -> None:
        n_runs = q_star.shape[0]
        self.cfg, self.param = cfg, param
        self.state = np.zeros((n_runs, 1), dtype=np.int64)  # each run: the bandit's one state
        self.q_flat, self.offsets = q_star.ravel(), np.arange(n_runs) * cfg.n_arms
        self.best = np.argmax(q_star, axis=1)
        self.average = np.zeros(n_runs)

    def reference(self, r: np.ndarray, t: int) -> np.ndarray:
        """The baseline R-bar_t, updating the running average where its convention says."""
        if self.cfg.include_current_reward:
            self.average += (r - self.average) / (t + 1)
            return self.average  # the average of R_1, ..., R_t
        return r if t == 0 else self.average  # of R_1, ..., R_{t-1}; R_1 at the first step

    def step(self, thetas: np.ndarray, t: int, gen: np.random.Generator, record: _Record) -> None:
        """One step of every run: act, get rewarded, theta += alpha (R - R-bar) Dh^T (e_A -
        pi)/tau (+ alpha beta grad H), the public step with one theta per run."""
        cfg, tau = self.cfg, self.cfg.temperature
        h = self.param.preferences_many(thetas, self.state)[:, 0]  # (n_runs, n_arms)
        actions = _kernel.preference_sample(h, gen.random(len(h)), tau)
        r = self.q_flat[self.offsets + actions]
        r += gen.standard_normal(len(h))
        rbar = self.reference(r, t)
        record.reference[t], record.rewards[t] = rbar, r
        np.equal(actions, self.best, out=record.optimal[t])
        weights = cfg.step_size * (r - rbar) if cfg.baseline else cfg.step_size * r
        step = policy_gradient(
            self.param,
            thetas,
            self.state,
            actions[:, None],
            weights[:, None],
            temperature=tau,
            entropy_coef=cfg.step_size * cfg.entropy_bonus,
            keep_scores=True,
            validate=False,  # checked once, in run_gradient_bandit
        )
        # One state: each run's score (e_A - pi)/tau is its theta-space score.
        record.score_best[t] = _kernel.take(step.scores[:, 0], self.best)
        thetas += step.gradient
        if not cfg.include_current_reward:
            self.average += (r - self.average) / (t + 1)
