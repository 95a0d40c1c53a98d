r"""Policy-gradient learners for any Gymnasium environment with discrete spaces.

Both learners follow a linear softmax policy
:math:`\pi_\theta(a\mid s) \propto \exp(\phi(s,a)^\top\theta)` given by a feature map,
an array ``features`` of shape ``(n_states, n_actions, n_features)`` indexed by the
observation (tabular, :func:`softmax_pg.tabular_features`, by default), and both move
:math:`\theta` along the score :math:`\nabla_\theta\log\pi_\theta(A_t\mid S_t)` computed by
:func:`softmax_pg.score`, the package's one implementation of it.

* :func:`reinforce`: Monte Carlo policy gradient (Williams 1992; Sutton & Barto 2018,
  §13.3), optionally with a learned state-value baseline (§13.4);
* :func:`actor_critic`: one-step actor-critic (§13.5).

**Random draws.** Every learner draws from one :class:`numpy.random.Generator` in a fixed order: first
one integer ``rng.integers(2**32)``, the seed of the environment's first ``reset``, then
one uniform number per step, turned into an action by inverting the cumulative
distribution of :math:`\pi_\theta(\cdot\mid S_t)`. So a batched implementation that
gives each run its own generator and keeps this order reproduces these learners draw
for draw (:func:`softmax_pg.corridor.short_corridor_runs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_actions, check_count, check_positive, check_rng
from .features import tabular_features
from .policy import SoftmaxPolicy, _inverse_cdf, action_probs, score

__all__ = [
    "LearningResult",
    "actor_critic",
    "discounted_returns",
    "episode_gradient",
    "reinforce",
    "sample_episode",
]


@dataclass(frozen=True)
class LearningResult:
    """What a learner returns.

    Attributes
    ----------
    policy : SoftmaxPolicy
        The trained policy; query it with the ``features`` the learner was given.
    returns : numpy.ndarray, shape (n_episodes,)
        The return :math:`G_0 = \\sum_t \\gamma^t R_{t+1}` of every episode.
    lengths : numpy.ndarray of int64, shape (n_episodes,)
        The number of steps of every episode.
    value_weights : numpy.ndarray, shape (n_value_features,), or None
        The weights :math:`w` of the learned state value
        :math:`\\hat v(s, w) = w^\\top x(s)`; None without a critic or baseline.
    """

    policy: SoftmaxPolicy
    returns: np.ndarray
    lengths: np.ndarray
    value_weights: np.ndarray | None


# ----------------------------------------------------------------------------- checks


def _discrete_sizes(env: object) -> tuple[int, int]:
    """(n_states, n_actions) of an environment with Discrete spaces starting at 0."""
    from gymnasium import spaces  # only the learners need gymnasium, and only here

    sizes = []
    for name in ("observation_space", "action_space"):
        space = getattr(env, name, None)
        if not isinstance(space, spaces.Discrete) or int(space.start) != 0:
            raise TypeError(
                f"env.{name} must be gymnasium.spaces.Discrete(n) starting at 0; got {space!r}"
            )
        sizes.append(int(space.n))
    return sizes[0], sizes[1]


def _policy_features(features: ArrayLike | None, n_states: int, n_actions: int) -> np.ndarray:
    if features is None:
        return tabular_features(n_states, n_actions)
    phi = as_real_array(features, "features")
    if phi.ndim != 3 or phi.shape[:2] != (n_states, n_actions) or phi.shape[2] == 0:
        raise ValueError(
            f"features must have shape (n_states, n_actions, n_features) = ({n_states}, {n_actions}, d) "
            f"for this environment; got shape {phi.shape}"
        )
    return phi


def _value_features(value_features: ArrayLike | None, n_states: int) -> np.ndarray:
    if value_features is None:
        return np.eye(n_states)
    x = as_real_array(value_features, "value_features")
    if x.ndim != 2 or x.shape[0] != n_states or x.shape[1] == 0:
        raise ValueError(
            f"value_features must have shape (n_states, n_value_features) = ({n_states}, k); "
            f"got shape {x.shape}"
        )
    return x


def _initial_theta(theta0: ArrayLike | None, n_features: int) -> np.ndarray:
    if theta0 is None:
        return np.zeros(n_features)
    th = as_real_array(theta0, "theta0")
    if th.shape != (n_features,):
        raise ValueError(f"theta0 must have shape (n_features,) = ({n_features},); got shape {th.shape}")
    return th.copy()


def _discount(gamma: object) -> float:
    g = check_positive(gamma, "gamma")
    if g > 1.0:
        raise ValueError(f"gamma must lie in (0, 1]; got {g!r}")
    return g


# ---------------------------------------------------------------------------- helpers


def discounted_returns(rewards: ArrayLike, gamma: float = 1.0) -> np.ndarray:
    r"""The return from every step, :math:`G_t = \sum_{k \ge t} \gamma^{k-t} R_{k+1}`.

    Computed backwards, :math:`G_t = R_{t+1} + \gamma G_{t+1}` (Sutton & Barto 2018,
    eq. 3.9), so :math:`G_t` holds the rewards *from step t on*: REINFORCE weights the
    score at step :math:`t` by :math:`G_t`, not by the whole episode's :math:`G_0`.

    Parameters
    ----------
    rewards : array_like, shape (n_steps,)
        :math:`R_1, \dots, R_T`.
    gamma : float, default 1.0
        Discount in (0, 1].

    Returns
    -------
    numpy.ndarray, shape (n_steps,)
        :math:`G_0, \dots, G_{T-1}`.
    """
    r = as_real_array(rewards, "rewards")
    if r.ndim != 1:
        raise ValueError(f"rewards must have shape (n_steps,); got shape {r.shape}")
    return _returns(r, _discount(gamma))


def _returns(rewards: np.ndarray, gamma: float) -> np.ndarray:
    out = np.empty_like(rewards)
    g = 0.0
    for t in range(rewards.shape[0] - 1, -1, -1):
        g = rewards[t] + gamma * g
        out[t] = g
    return out


def sample_episode(
    env,
    theta: ArrayLike,
    features: ArrayLike,
    rng: int | np.random.Generator,
    *,
    max_steps: int = 1000,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Play one episode with the fixed policy :math:`\pi_\theta`; return its states, actions and rewards.

    Resets ``env`` (with ``seed``), then draws one uniform number from ``rng`` per step
    and turns it into :math:`A_t \sim \pi_\theta(\cdot \mid S_t)` by inverting the
    cumulative distribution, until the episode terminates, is truncated, or reaches
    ``max_steps``.

    Parameters
    ----------
    env : gymnasium.Env
        Observation and action spaces ``Discrete`` (starting at 0).
    theta : array_like, shape (n_features,)
        Policy parameters, fixed during the episode.
    features : array_like, shape (n_states, n_actions, n_features)
        :math:`\phi(s, a)` for every observation :math:`s`.
    rng : numpy.random.Generator or int
        Source of the uniform numbers.
    max_steps : int, default 1000
        Cut the episode off after this many steps.
    seed : int, optional
        Passed to ``env.reset``.

    Returns
    -------
    states, actions : numpy.ndarray of int64, shape (n_steps,)
        :math:`S_0, \dots, S_{T-1}` and :math:`A_0, \dots, A_{T-1}`.
    rewards : numpy.ndarray, shape (n_steps,)
        :math:`R_1, \dots, R_T`.
    """
    n_states, n_actions = _discrete_sizes(env)
    phi = _policy_features(features, n_states, n_actions)
    th = _initial_theta(theta, phi.shape[2])
    gen = check_rng(rng)
    steps = check_count(max_steps, "max_steps")
    obs, _ = env.reset(seed=seed)
    return _episode(env, action_probs(th, phi), gen, int(obs), steps)


def _episode(env, probs: np.ndarray, rng: np.random.Generator, obs: int, max_steps: int):
    """Run one episode with fixed action probabilities ``probs[s]``; return its arrays."""
    states, actions, rewards = [], [], []
    s = obs
    for _ in range(max_steps):
        a = int(_inverse_cdf(probs[s], rng.random()))
        s_next, r, terminated, truncated, _ = env.step(a)
        states.append(s)
        actions.append(a)
        rewards.append(float(r))
        s = int(s_next)
        if terminated or truncated:
            break
    return (np.array(states, dtype=np.int64), np.array(actions, dtype=np.int64), np.array(rewards))


def episode_gradient(
    theta: ArrayLike,
    features: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    rewards: ArrayLike,
    gamma: float = 1.0,
    baselines: ArrayLike | None = None,
) -> np.ndarray:
    r"""REINFORCE's estimate of the policy gradient from one episode.

    .. math::

        \widehat{\nabla J} = \sum_{t=0}^{T-1} \gamma^t\,(G_t - b_t)\,
            \nabla_\theta \log\pi_\theta(A_t \mid S_t),

    with :math:`G_t` the return from step :math:`t` (:func:`discounted_returns`), a **sum**
    over the steps, the score from :func:`softmax_pg.score`, and :math:`b_t = 0` unless
    ``baselines`` are given (Williams 1992; Sutton & Barto 2018, eq. 13.8 and §13.4).
    :func:`reinforce` moves :math:`\theta` by ``step_size`` times this vector.

    Parameters
    ----------
    theta : array_like, shape (n_features,)
        The parameters that generated the episode.
    features : array_like, shape (n_states, n_actions, n_features)
        :math:`\phi(s, a)` for every observation.
    states, actions : array_like of int, shape (n_steps,)
        :math:`S_t` and :math:`A_t`.
    rewards : array_like, shape (n_steps,)
        :math:`R_{t+1}`.
    gamma : float, default 1.0
        Discount in (0, 1].
    baselines : array_like, shape (n_steps,), optional
        :math:`b_t`, which must not depend on :math:`A_t` (for example
        :math:`\hat v(S_t, w)`).

    Returns
    -------
    numpy.ndarray, shape (n_features,)
    """
    th = as_real_array(theta, "theta")
    phi = as_real_array(features, "features")
    if phi.ndim != 3:
        raise ValueError(f"features must have shape (n_states, n_actions, n_features); got shape {phi.shape}")
    s = check_actions(states, phi.shape[0], "states")
    r = as_real_array(rewards, "rewards")
    if s.ndim != 1 or r.shape != s.shape:
        raise ValueError(f"states, actions and rewards must have the same shape (n_steps,); got {s.shape} and {r.shape}")
    g = _discount(gamma)
    weights = _returns(r, g)
    if baselines is not None:
        b = as_real_array(baselines, "baselines")
        if b.shape != r.shape:
            raise ValueError(f"baselines must have shape {r.shape}, one per step; got shape {b.shape}")
        weights = weights - b
    return _gradient(th, phi, s, check_actions(actions, phi.shape[1]), weights, g)


def _gradient(theta, phi, states, actions, weights, gamma):
    """sum_t gamma^t weights[t] score(theta, phi[S_t], A_t), for checked arrays."""
    if states.shape != actions.shape:
        raise ValueError(f"states and actions must have the same shape; got {states.shape} and {actions.shape}")
    discount = gamma ** np.arange(states.shape[0])
    return (discount * weights) @ score(theta, phi[states], actions)


# --------------------------------------------------------------------------- learners


def reinforce(
    env,
    *,
    step_size: float,
    n_episodes: int,
    rng: int | np.random.Generator,
    features: ArrayLike | None = None,
    gamma: float = 1.0,
    baseline_step_size: float | None = None,
    value_features: ArrayLike | None = None,
    theta0: ArrayLike | None = None,
    max_steps: int = 1000,
) -> LearningResult:
    r"""REINFORCE, Monte Carlo policy gradient, with an optional learned baseline.

    After every episode :math:`S_0, A_0, R_1, \dots, R_T`, with the parameters
    :math:`\theta` that generated it,

    .. math::

        \theta \leftarrow \theta + \alpha \sum_{t=0}^{T-1} \gamma^t\,
            (G_t - b(S_t))\,\nabla_\theta \log\pi_\theta(A_t \mid S_t),

    with :math:`G_t` the return *from step t* (:func:`discounted_returns`), a **sum** over
    the steps, not a mean, and the score from :func:`softmax_pg.score`: the update is
    :math:`\alpha` times :func:`episode_gradient`. Without a baseline
    :math:`b = 0` (Sutton & Barto 2018, eq. 13.8; Williams 1992). With
    ``baseline_step_size`` :math:`\alpha_w`, :math:`b(s) = \hat v(s, w) = w^\top x(s)` is
    learned as in Sutton & Barto's §13.4 box: for :math:`t = 0, 1, \dots`,
    :math:`\delta_t = G_t - \hat v(S_t, w)`, :math:`w \leftarrow w + \alpha_w \delta_t x(S_t)`,
    and :math:`\delta_t` replaces :math:`G_t` above. Any baseline that does not depend
    on the action leaves the expected update unchanged, because the expected score is
    zero.

    The score is evaluated at the :math:`\theta` that generated the episode (the
    gradient estimate of the policy-gradient theorem); the book's pseudocode updates
    :math:`\theta` inside the loop over :math:`t`, which differs by :math:`O(\alpha^2)`.

    Parameters
    ----------
    env : gymnasium.Env
        Observation and action spaces ``Discrete`` (starting at 0).
    step_size : float
        :math:`\alpha > 0` (:math:`\alpha_\theta` with a baseline).
    n_episodes : int
        Number of episodes, at least 1.
    rng : int or numpy.random.Generator
        The source of every random draw (see the module's "Random draws").
    features : array_like, shape (n_states, n_actions, n_features), optional
        :math:`\phi(s, a)` for every observation :math:`s`; tabular by default.
    gamma : float, default 1.0
        Discount :math:`\gamma \in (0, 1]`.
    baseline_step_size : float, optional
        :math:`\alpha_w > 0`; learn a state-value baseline. None: plain REINFORCE.
    value_features : array_like, shape (n_states, n_value_features), optional
        :math:`x(s)` of the baseline; one-hot (tabular) by default.
    theta0 : array_like, shape (n_features,), optional
        Initial parameters; zeros (the uniform policy) by default.
    max_steps : int, default 1000
        An episode still running after this many steps is cut off (truncated) and
        learned from as it stands: a guard against runaway episodes.

    Returns
    -------
    LearningResult
        The trained policy, per-episode returns and lengths, and the baseline's
        weights (None without a baseline).

    Raises
    ------
    TypeError
        If the spaces are not ``Discrete`` or an argument has the wrong type.
    ValueError
        On a non-positive step size, ``gamma`` outside (0, 1], or mis-shaped features.

    References
    ----------
    Williams (1992); Sutton & Barto (2018), §13.3 (REINFORCE) and §13.4 (with baseline).
    """
    n_states, n_actions = _discrete_sizes(env)
    phi = _policy_features(features, n_states, n_actions)
    alpha = check_positive(step_size, "step_size")
    episodes = check_count(n_episodes, "n_episodes")
    g = _discount(gamma)
    steps = check_count(max_steps, "max_steps")
    rng = check_rng(rng)
    theta = _initial_theta(theta0, phi.shape[2])
    if baseline_step_size is None:
        if value_features is not None:
            raise ValueError("value_features is only used with baseline_step_size; got no baseline_step_size")
        alpha_w, x, w = None, None, None
    else:
        alpha_w = check_positive(baseline_step_size, "baseline_step_size")
        x = _value_features(value_features, n_states)
        w = np.zeros(x.shape[1])

    returns = np.empty(episodes)
    lengths = np.empty(episodes, dtype=np.int64)
    obs, _ = env.reset(seed=int(rng.integers(2**32)))
    for i in range(episodes):
        if i > 0:
            obs, _ = env.reset()
        probs = action_probs(theta, phi)  # theta is fixed during the episode
        states, actions, rewards = _episode(env, probs, rng, int(obs), steps)
        big_g = _returns(rewards, g)
        delta = big_g.copy()  # G_t - b_t
        if w is not None:
            for t, s in enumerate(states):  # the §13.4 box: w moves step by step
                delta[t] -= w @ x[s]
                w += alpha_w * delta[t] * x[s]
        theta += alpha * _gradient(theta, phi, states, actions, delta, g)
        returns[i] = big_g[0]
        lengths[i] = len(states)
    return LearningResult(SoftmaxPolicy(theta), returns, lengths, w)


def actor_critic(
    env,
    *,
    step_size: float,
    value_step_size: float,
    n_episodes: int,
    rng: int | np.random.Generator,
    features: ArrayLike | None = None,
    gamma: float = 1.0,
    value_features: ArrayLike | None = None,
    theta0: ArrayLike | None = None,
    max_steps: int = 1000,
) -> LearningResult:
    r"""One-step actor-critic (episodic), Sutton & Barto (2018), §13.5.

    After every step :math:`S, A, R, S'`,

    .. math::

        \delta = R + \gamma \hat v(S', w) - \hat v(S, w), \quad
        w \leftarrow w + \alpha_w \delta\, x(S), \quad
        \theta \leftarrow \theta + \alpha_\theta I \delta\,\nabla_\theta\log\pi_\theta(A\mid S), \quad
        I \leftarrow \gamma I,

    with :math:`\hat v(\text{terminal}) = 0`, :math:`I = 1` at the start of each episode,
    :math:`\hat v(s, w) = w^\top x(s)` and the score from :func:`softmax_pg.score`. The
    TD error :math:`\delta` plays the role of :math:`G_t - b(S_t)` in REINFORCE with
    baseline, with the critic's estimate in place of the rest of the return. When an
    episode is cut off (``max_steps`` or a time limit), :math:`S'` is not terminal and
    its value is used.

    Parameters
    ----------
    env : gymnasium.Env
        Observation and action spaces ``Discrete`` (starting at 0).
    step_size : float
        :math:`\alpha_\theta > 0`, the actor's step size.
    value_step_size : float
        :math:`\alpha_w > 0`, the critic's step size.
    n_episodes : int
        Number of episodes, at least 1.
    rng : int or numpy.random.Generator
        The source of every random draw (see the module's "Random draws").
    features : array_like, shape (n_states, n_actions, n_features), optional
        :math:`\phi(s, a)`; tabular by default.
    gamma : float, default 1.0
        Discount :math:`\gamma \in (0, 1]`.
    value_features : array_like, shape (n_states, n_value_features), optional
        :math:`x(s)` of the critic; one-hot by default.
    theta0 : array_like, shape (n_features,), optional
        Initial parameters; zeros by default.
    max_steps : int, default 1000
        Cut an episode off after this many steps.

    Returns
    -------
    LearningResult
        The trained policy, per-episode returns and lengths, and the critic's weights.

    References
    ----------
    Sutton & Barto (2018), §13.5, "One-step Actor-Critic (episodic)".
    """
    n_states, n_actions = _discrete_sizes(env)
    phi = _policy_features(features, n_states, n_actions)
    alpha = check_positive(step_size, "step_size")
    alpha_w = check_positive(value_step_size, "value_step_size")
    episodes = check_count(n_episodes, "n_episodes")
    g = _discount(gamma)
    steps = check_count(max_steps, "max_steps")
    rng = check_rng(rng)
    theta = _initial_theta(theta0, phi.shape[2])
    x = _value_features(value_features, n_states)
    w = np.zeros(x.shape[1])

    returns = np.empty(episodes)
    lengths = np.empty(episodes, dtype=np.int64)
    obs, _ = env.reset(seed=int(rng.integers(2**32)))
    for i in range(episodes):
        if i > 0:
            obs, _ = env.reset()
        s, discount, total, t = int(obs), 1.0, 0.0, 0
        while t < steps:
            a = int(_inverse_cdf(action_probs(theta, phi[s]), rng.random()))
            s_next, r, terminated, truncated, _ = env.step(a)
            s_next = int(s_next)
            target = float(r) if terminated else float(r) + g * (w @ x[s_next])
            delta = target - w @ x[s]
            w += alpha_w * delta * x[s]
            theta += alpha * discount * delta * score(theta, phi[s], a)
            total += discount * float(r)
            discount *= g
            t += 1
            s = s_next
            if terminated or truncated:
                break
        returns[i] = total
        lengths[i] = t
    return LearningResult(SoftmaxPolicy(theta), returns, lengths, w)
