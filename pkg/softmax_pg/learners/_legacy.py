r"""Policy-gradient learners for any Gymnasium environment with a ``Discrete`` action space.

Both learners follow a softmax policy :math:`\pi_\theta(\cdot\mid s) = \mathrm{softmax}(h_\theta(s))`
over a parametrisation of the preferences (:mod:`softmax_pg.preferences`) and move
:math:`\theta` along the score :math:`J_h(s)^\top(e_a - \pi_\theta(\cdot\mid s))`, the package's
one score route. By default the parametrisation is **tabular** for a ``Discrete``
observation space (a step costs O(n_actions), whatever the number of states) and the
**weight matrix** :math:`W^\top[x, 1]` on the raw observation for a ``Box`` one; a feature
table ``features`` of shape ``(n_states, n_actions, n_features)`` gives the linear policy
of part one (:func:`softmax_pg.score`).

* :func:`reinforce`: Monte Carlo policy gradient (Williams 1992; Sutton & Barto 2018,
  §13.3), optionally with a learned state-value baseline (§13.4); the book's algorithm
  boxes *REINFORCE* and *REINFORCE with baseline* (chapter 'REINFORCE');
* :func:`actor_critic`: one-step actor-critic (§13.5); the algorithm box *One-step
  actor-critic* (chapter 'A grid world');
* :func:`softmax_pg.batched.reinforce_batched` (module :mod:`softmax_pg.batched`): independent runs of
  :func:`reinforce` stepped together on a vectorised environment.

**Random draws.** Every learner draws from one :class:`numpy.random.Generator` in a fixed order: first
one integer ``rng.integers(2**32)``, the seed of the environment's first ``reset``, then
(for the network only, :meth:`softmax_pg.MLPPreferences.init`) the initial weights, then
one uniform number per step, turned into an action by inverting the cumulative
distribution of :math:`\pi_\theta(\cdot\mid S_t)`. So a batched implementation that
gives each run its own generator and keeps this order reproduces these learners draw
for draw (:func:`softmax_pg.corridor.short_corridor_runs`, :func:`softmax_pg.batched.reinforce_batched`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_real_array, check_actions, check_count, check_positive, check_rng
from ..features import tabular_features
from .._learning import Spaces, act, check_finite_theta, initial_theta, policy_parametrisation, value_function
from ..policy import SoftmaxPolicy, _inverse_cdf, _score_from_probs, action_probs, score
from ..preferences import LinearPreferences, Preferences
from ..softmax import _softmax

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
        The trained policy. With a feature table (``features``, or the tabular default for
        a ``Discrete`` observation space) it is the linear-feature policy, queried with
        features ``phi[s]`` as in part one (tabular: :func:`softmax_pg.tabular_features`);
        otherwise it carries its parametrisation and is queried with observations.
    returns : numpy.ndarray, shape (n_episodes,)
        The return :math:`G_0 = \\sum_t \\gamma^t R_{t+1}` of every episode.
    lengths : numpy.ndarray of int64, shape (n_episodes,)
        The number of steps of every episode.
    value_weights : numpy.ndarray, shape (n_value_features,), or None
        The weights :math:`w` of the learned state value
        :math:`\\hat v(s, w) = w^\\top x(s)`; None without a critic or baseline.
    preferences : Preferences or None
        The parametrisation the learner used (:func:`softmax_pg.policy_probs` takes it with
        ``policy.theta`` and observations).
    """

    policy: SoftmaxPolicy
    returns: np.ndarray
    lengths: np.ndarray
    value_weights: np.ndarray | None
    preferences: Preferences | None = None


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


# --------------------------------------------------------------------------- learners


class _Setup:
    """The learners' arguments, checked once: spaces, parametrisation, theta, critic."""

    def __init__(self, env, step_size, n_episodes, rng, features, preferences, gamma, theta0, max_steps,
                 value_step_size=None, value_features=None, value_name="baseline_step_size"):
        self.spaces = Spaces(getattr(env, "observation_space", None), getattr(env, "action_space", None))
        self.alpha = check_positive(step_size, "step_size")
        self.episodes = check_count(n_episodes, "n_episodes")
        self.gamma = _discount(gamma)
        self.steps = check_count(max_steps, "max_steps")
        self.rng = check_rng(rng)
        self.prefs = policy_parametrisation(self.spaces, features, preferences)
        self.feature_policy = isinstance(self.prefs, LinearPreferences) and self.prefs.table is not None or (
            preferences is None and self.spaces.discrete
        )
        if value_step_size is None:
            if value_features is not None:
                raise ValueError(f"value_features is only used with {value_name}; got no {value_name}")
            self.alpha_w, self.critic = None, None
        else:
            self.alpha_w = check_positive(value_step_size, value_name)
            self.critic = value_function(self.spaces, value_features)
        self._theta0 = theta0

    def start(self, env):
        """The first reset (seeded by the first draw), then theta (the network draws its weights)."""
        obs, _ = env.reset(seed=int(self.rng.integers(2**32)))
        theta = initial_theta(self._theta0, self.prefs, self.rng)
        return obs, theta

    def result(self, theta, returns, lengths, w) -> LearningResult:
        if self.feature_policy:
            policy = SoftmaxPolicy(theta)
        else:
            policy = SoftmaxPolicy(theta, preferences=self.prefs)
        return LearningResult(policy, returns, lengths, w, self.prefs)


def _play(env, setup: _Setup, theta: np.ndarray, obs) -> tuple[list, list, list, list]:
    """One episode with theta fixed: the observations (raw and prepared), actions, rewards."""
    sp, prefs, rng = setup.spaces, setup.prefs, setup.rng
    raw, prepared, actions, rewards = [], [], [], []
    x = sp.observe(obs, "env.reset()")
    for _ in range(setup.steps):
        xp = prefs._trusted_prepare(x)
        a, _ = act(prefs, theta, xp, rng.random())
        obs, r, terminated, truncated, _ = env.step(a)
        raw.append(x)
        prepared.append(xp)
        actions.append(a)
        rewards.append(float(r))
        if terminated or truncated:
            break
        x = sp.observe(obs, "env.step()")
    return raw, prepared, actions, rewards


def _reinforce_update(setup: _Setup, theta, w, raw, prepared, actions, rewards) -> float:
    """The REINFORCE update of one episode from the lists :func:`_play` fills; returns G_0."""
    return _reinforce_update_arrays(setup, theta, w, np.concatenate(raw, axis=0), np.concatenate(prepared, axis=0),
                                    np.array(actions, dtype=np.int64), np.array(rewards))


def _reinforce_update_arrays(setup: _Setup, theta, w, raw, batch, a, r) -> float:
    """The REINFORCE update of one episode, in place on theta (and w); returns G_0.

    ``raw``: the observations as the spaces give them, stacked (``(n_steps,)`` states or
    ``(n_steps, obs_size)`` vectors); ``batch``: the prepared observations stacked; ``a``,
    ``r``: the actions (int64) and rewards (float64). Shared by :func:`reinforce` and the
    batched learner, so both compute the same numbers.
    """
    prefs, g = setup.prefs, setup.gamma
    big_g = _returns(r, g)
    delta = big_g.copy()  # G_t - b_t
    if w is not None:
        setup.critic.baseline(w, raw, delta, setup.alpha_w)  # the §13.4 box: w moves step by step
    probs = _softmax(prefs._h(theta, batch), 1.0)  # the policy that generated the episode
    discount = g ** np.arange(a.shape[0])
    prefs._ascend(theta, batch, _score_from_probs(probs, a, 1.0), discount * delta, setup.alpha)
    return float(big_g[0])


def reinforce(
    env,
    *,
    step_size: float,
    n_episodes: int,
    rng: int | np.random.Generator,
    features: ArrayLike | None = None,
    preferences: Preferences | None = None,
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
    the steps, not a mean, and the score :math:`J_h(S_t)^\top(e_{A_t} - \pi_\theta)` of the
    parametrisation (with a feature table, :func:`softmax_pg.score`: the update is
    :math:`\alpha` times :func:`episode_gradient`). Without a baseline :math:`b = 0`
    (Sutton & Barto 2018, eq. 13.8; Williams 1992; the book's algorithm box
    :prf:ref:`alg-reinforce`). With ``baseline_step_size`` :math:`\alpha_w`,
    :math:`b(s) = \hat v(s, w) = w^\top x(s)` is learned as in Sutton & Barto's §13.4 box
    (the book's :prf:ref:`alg-reinforce-baseline`): for :math:`t = 0, 1, \dots`,
    :math:`\delta_t = G_t - \hat v(S_t, w)`, :math:`w \leftarrow w + \alpha_w \delta_t x(S_t)`,
    and :math:`\delta_t` replaces :math:`G_t` above. :math:`x(s)` is one-hot (tabular) for a
    ``Discrete`` observation space and :math:`[s, 1]` (the observation and a bias) for a
    ``Box`` one. Any baseline that does not depend on the action leaves the expected
    update unchanged, because the expected score is zero.

    The score is evaluated at the :math:`\theta` that generated the episode (the
    gradient estimate of the policy-gradient theorem); the book's pseudocode updates
    :math:`\theta` inside the loop over :math:`t`, which differs by :math:`O(\alpha^2)`.

    Parameters
    ----------
    env : gymnasium.Env
        Action space ``Discrete`` (starting at 0); observation space ``Discrete``
        (starting at 0) or ``Box``.
    step_size : float
        :math:`\alpha > 0` (:math:`\alpha_\theta` with a baseline).
    n_episodes : int
        Number of episodes, at least 1.
    rng : int or numpy.random.Generator
        The source of every random draw (see the module's "Random draws").
    features : array_like, shape (n_states, n_actions, n_features), optional
        A feature table :math:`\phi(s, a)` (``Discrete`` observations only): the linear
        policy of part one.
    preferences : Preferences, optional
        Any parametrisation (:class:`softmax_pg.TabularPreferences`,
        :class:`softmax_pg.LinearPreferences`, :class:`softmax_pg.MatrixPreferences`,
        :class:`softmax_pg.MLPPreferences`). Without it and without ``features``: tabular
        for ``Discrete`` observations, ``MatrixPreferences`` on the observation plus a bias
        for ``Box``.
    gamma : float, default 1.0
        Discount :math:`\gamma \in (0, 1]`.
    baseline_step_size : float, optional
        :math:`\alpha_w > 0`; learn a state-value baseline. None: plain REINFORCE.
    value_features : array_like, shape (n_states, n_value_features), optional
        :math:`x(s)` of the baseline (``Discrete`` observations); one-hot by default.
    theta0 : array_like, shape (n_params,), optional
        Initial parameters; ``preferences.init(rng)`` by default (zeros, the uniform
        policy, except for the network).
    max_steps : int, default 1000
        An episode still running after this many steps is cut off (truncated) and
        learned from as it stands: a guard against runaway episodes.

    Returns
    -------
    LearningResult
        The trained policy, per-episode returns and lengths, the baseline's weights (None
        without a baseline) and the parametrisation.

    Raises
    ------
    TypeError
        If the action space is not ``Discrete``, the observation space neither
        ``Discrete`` nor ``Box``, or an argument has the wrong type.
    ValueError
        On a non-positive step size, ``gamma`` outside (0, 1], mis-shaped features or
        ``theta0``, or an observation of the wrong shape, NaN or infinite.

    Examples
    --------
    >>> import gymnasium as gym
    >>> import softmax_pg
    >>> result = softmax_pg.reinforce(gym.make("CartPole-v1"), step_size=2**-10,
    ...                               n_episodes=3, rng=0, baseline_step_size=2**-6)
    >>> result.policy.theta.shape                  # W: 4 observations + bias, 2 actions
    (10,)

    References
    ----------
    Williams (1992); Sutton & Barto (2018), §13.3 (REINFORCE) and §13.4 (with baseline).
    """
    setup = _Setup(env, step_size, n_episodes, rng, features, preferences, gamma, theta0, max_steps,
                   baseline_step_size, value_features)
    obs, theta = setup.start(env)
    w = setup.critic.zeros() if setup.critic is not None else None
    returns = np.empty(setup.episodes)
    lengths = np.empty(setup.episodes, dtype=np.int64)
    for i in range(setup.episodes):
        if i > 0:
            obs, _ = env.reset()
        raw, prepared, actions, rewards = _play(env, setup, theta, obs)
        returns[i] = _reinforce_update(setup, theta, w, raw, prepared, actions, rewards)
        lengths[i] = len(actions)
        check_finite_theta(theta, i)
    return setup.result(theta, returns, lengths, w)


def actor_critic(
    env,
    *,
    step_size: float,
    value_step_size: float,
    n_episodes: int,
    rng: int | np.random.Generator,
    features: ArrayLike | None = None,
    preferences: Preferences | None = None,
    gamma: float = 1.0,
    value_features: ArrayLike | None = None,
    theta0: ArrayLike | None = None,
    max_steps: int = 1000,
) -> LearningResult:
    r"""One-step actor-critic (episodic), Sutton & Barto (2018), §13.5.

    After every step :math:`S, A, R, S'`,

    .. math::

        \begin{aligned}
        \delta &= R + \gamma \hat v(S', w) - \hat v(S, w),\\
        w &\leftarrow w + \alpha_w \delta\, x(S),\\
        \theta &\leftarrow \theta + \alpha \gamma^t \delta\,\nabla_\theta\log\pi_\theta(A\mid S),
        \end{aligned}

    with :math:`t` the step's index within its episode, :math:`\hat v(\text{terminal}) = 0`,
    :math:`\hat v(s, w) = w^\top x(s)` (one-hot :math:`x` for ``Discrete`` observations,
    :math:`[s, 1]` for ``Box``) and the score :math:`J_h(S)^\top(e_A - \pi_\theta)` of the
    parametrisation (the book's algorithm box :prf:ref:`alg-actor-critic`).
    The TD error :math:`\delta` plays the role of :math:`G_t - b(S_t)` in REINFORCE with
    baseline, with the critic's estimate in place of the rest of the return. When an
    episode is cut off (``max_steps`` or a time limit), :math:`S'` is not terminal and
    its value is used. With the tabular parametrisation and critic a step costs
    O(n_actions), whatever the number of states.

    Parameters
    ----------
    env : gymnasium.Env
        Action space ``Discrete`` (starting at 0); observation space ``Discrete`` or ``Box``.
    step_size : float
        :math:`\alpha_\theta > 0`, the actor's step size.
    value_step_size : float
        :math:`\alpha_w > 0`, the critic's step size.
    n_episodes : int
        Number of episodes, at least 1.
    rng : int or numpy.random.Generator
        The source of every random draw (see the module's "Random draws").
    features : array_like, shape (n_states, n_actions, n_features), optional
        A feature table :math:`\phi(s, a)` (``Discrete`` observations only).
    preferences : Preferences, optional
        Any parametrisation; by default tabular (``Discrete``) or the weight matrix (``Box``).
    gamma : float, default 1.0
        Discount :math:`\gamma \in (0, 1]`.
    value_features : array_like, shape (n_states, n_value_features), optional
        :math:`x(s)` of the critic (``Discrete`` observations); one-hot by default.
    theta0 : array_like, shape (n_params,), optional
        Initial parameters; ``preferences.init(rng)`` by default.
    max_steps : int, default 1000
        Cut an episode off after this many steps.

    Returns
    -------
    LearningResult
        The trained policy, per-episode returns and lengths, the critic's weights and the
        parametrisation.

    Raises
    ------
    TypeError, ValueError
        As :func:`reinforce`.

    References
    ----------
    Sutton & Barto (2018), §13.5, "One-step Actor-Critic (episodic)".
    """
    setup = _Setup(env, step_size, n_episodes, rng, features, preferences, gamma, theta0, max_steps,
                   value_step_size, value_features, "value_step_size")
    sp, prefs, critic, rng = setup.spaces, setup.prefs, setup.critic, setup.rng
    alpha, alpha_w, g = setup.alpha, setup.alpha_w, setup.gamma
    obs, theta = setup.start(env)
    w = critic.zeros()
    returns = np.empty(setup.episodes)
    lengths = np.empty(setup.episodes, dtype=np.int64)
    for i in range(setup.episodes):
        if i > 0:
            obs, _ = env.reset()
        x = sp.observe(obs, "env.reset()")
        discount, total, t = 1.0, 0.0, 0
        while t < setup.steps:
            xp = prefs._trusted_prepare(x)
            a, probs = act(prefs, theta, xp, rng.random())
            obs, r, terminated, truncated, _ = env.step(a)
            xv = critic.x(x)
            if terminated:
                target = float(r)
            else:
                x = sp.observe(obs, "env.step()")
                target = float(r) + g * critic.value(w, critic.x(x))
            delta = target - critic.value(w, xv)
            critic.add(w, xv, alpha_w * delta)
            probs = -probs  # e_A - pi, in place
            probs[a] += 1.0
            prefs._ascend1(theta, xp, probs, alpha * discount * delta)
            total += discount * float(r)
            discount *= g
            t += 1
            if terminated or truncated:
                break
        returns[i] = total
        lengths[i] = t
        check_finite_theta(theta, i)
    return setup.result(theta, returns, lengths, w)
