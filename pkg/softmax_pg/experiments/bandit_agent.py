r"""The gradient bandit one bandit at a time: the loop a reader would write.

:class:`GradientBanditAgent` keeps the preferences :math:`h` of one bandit and updates them
with :func:`softmax_pg.score` on one-hot features (Sutton & Barto 2018, eq. 2.12);
:func:`run_gradient_bandit_loop` replays one run of
:func:`softmax_pg.experiments.bandit.run_gradient_bandit` with it, bit for bit.
"""

from __future__ import annotations

import numpy as np

from .. import _kernel
from .._validation import check_actions, check_count, check_rng, check_scalar
from ..linear_policy import action_probs, entropy_gradient, score
from .testbed import BanditRuns, check_config

__all__ = ["GradientBanditAgent", "run_gradient_bandit_loop"]


class GradientBanditAgent:
    r"""One gradient-bandit learner: preferences :math:`H`, policy :math:`\pi =
    \mathrm{softmax}(H/\tau)`.

    The plain form of the algorithm, one bandit at a time, written with the package's
    public functions: :func:`softmax_pg.action_probs` and :func:`softmax_pg.score` on
    one-hot features (the identity matrix), so the update is

    .. math::

        \begin{aligned}
        H &\leftarrow H + \alpha\,(R - \bar R)\,\nabla_H\log\pi(A)\\
          &= H + \alpha\,(R - \bar R)\,(e_A - \pi)/\tau
        \end{aligned}

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
        the policy from collapsing early (the book's chapter "Entropy regularisation").

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
    >>> agent.update(action=0, reward=1.0)  # H += 0.5*1*(e_0 - [1/2, 1/2])
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
        cfg = check_config(
            n_arms, step_size, baseline, temperature, include_current_reward, entropy_bonus
        )
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
        x = check_scalar(u, "u")
        if not 0.0 <= x < 1.0:
            raise ValueError(f"u must be a uniform number in [0, 1); got {x!r}")
        return int(_kernel.inverse_cdf(self.probs(), x))

    def score(self, action: int) -> np.ndarray:
        r""":math:`\nabla_H\log\pi(a) = (e_a - \pi)/\tau`: :func:`softmax_pg.score` on one-hot
        features."""
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
        r = check_scalar(reward, "reward")
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
        r = check_scalar(reward, "reward")
        s = self.score(action)
        b = self.reference_reward(r) if self.baseline else 0.0
        step = self.step_size * (r - b) * s
        if self.entropy_bonus:
            bonus = entropy_gradient(self.preferences, self._features, self.temperature)
            step += (self.step_size * self.entropy_bonus) * bonus
        self.preferences += step
        self.n_updates += 1
        self.average_reward += (r - self.average_reward) / self.n_updates


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
    rng: int | np.random.Generator = 0,
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
    mean = check_scalar(testbed_mean, "testbed_mean")
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
