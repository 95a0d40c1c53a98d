r"""REINFORCE, Monte Carlo policy gradient, with an optional learned baseline, and the
practitioner's options (several episodes per update, advantage normalisation, the
:math:`\gamma^t` factor dropped, an optimiser, an entropy bonus, observation normalisation).

Williams (1992); Sutton & Barto (2018), §13.3-13.4; the book's chapter "REINFORCE".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..parametrisations.outputs import checked_theta
from ._args import LearnerOptions
from ._run import Setup
from .results import LearningResult
from .returns import discounted_returns, normalize_advantages, step_weights

__all__ = ["episode_gradient", "reinforce"]


def episode_gradient(
    theta: ArrayLike,
    features: ArrayLike,
    states: ArrayLike,
    actions: ArrayLike,
    rewards: ArrayLike,
    gamma: float = 1.0,
    baselines: ArrayLike | None = None,
    *,
    param=None,
    temperature: float = 1.0,
) -> np.ndarray:
    r"""REINFORCE's estimate of the policy gradient from one episode.

    .. math::

        \widehat{\nabla J} = \sum_{t=0}^{T-1} \gamma^t\,(G_t - b_t)\,
            \nabla_\theta\log\pi_\theta(A_t\mid S_t),

    a **sum** over the steps, with :math:`G_t` the return from step :math:`t`
    (:func:`discounted_returns`) and :math:`b_t = 0` unless ``baselines`` are given
    (Williams 1992; Sutton & Barto 2018, eq. 13.8). The score is the parametrisation's
    vjp of :math:`(e_a - \pi)/\tau`; with a feature table it is :func:`softmax_pg.score`.

    Parameters
    ----------
    theta : array_like, shape (n_params,)
    features : array_like, shape (n_states, n_actions, n_features), or None
        A feature table (then ``states`` index it); None with ``param``.
    states : array_like, shape (n_steps,) or (n_steps, ...)
        :math:`S_t`, as ``param`` takes them.
    actions : array_like of int, shape (n_steps,)
    rewards : array_like, shape (n_steps,)
    gamma : float, default 1.0
    baselines : array_like, shape (n_steps,), optional
    param : Parametrisation, optional
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (n_params,)
    """
    from .._validation import check_actions, check_temperature
    from ..parametrisations import LinearPreferences
    from ..policy import SoftmaxPolicy

    if (features is None) == (param is None):
        raise ValueError(
            "give features (a table) or param, exactly one; got "
            + ("both" if param is not None else "neither")
        )
    p = LinearPreferences(features) if param is None else param
    policy = SoftmaxPolicy(p, checked_theta(p, theta), check_temperature(temperature))
    weights = discounted_returns(rewards, gamma)
    if baselines is not None:
        b = np.asarray(baselines, dtype=np.float64)
        if b.shape != weights.shape:
            raise ValueError(
                f"baselines must have shape {weights.shape}, one per step; got shape {b.shape}"
            )
        weights = weights - b
    a = check_actions(actions, policy.param.n_actions)
    if a.shape != weights.shape:
        raise ValueError(
            "states, actions and rewards must have the same length (n_steps,); got actions of "
            "shape "
            f"{a.shape} and rewards of shape {weights.shape}"
        )
    return step_weights(weights, gamma) @ policy.score(states, a)


def _update(setup: Setup, theta, w, episodes: list, first: int) -> tuple[np.ndarray, float, float]:
    """One REINFORCE update from the episodes played with theta; returns (theta, entropy, |g|)."""
    advantages = []
    for i, ep in enumerate(episodes):
        delta = discounted_returns(ep.rewards, setup.gamma)  # G_t, then G_t - b(S_t)
        if w is not None:
            setup.critic.baseline(
                w, ep.observations, delta, setup.alpha_w
            )  # the §13.4 box: w moves each step
            setup.check_finite(theta, w, first + i)
        advantages.append(delta)
    if setup.normalize:
        flat = normalize_advantages(np.concatenate(advantages))
        advantages = np.split(flat, np.cumsum([len(a) for a in advantages])[:-1])
    weights = [
        step_weights(a, setup.gamma, discount_weighting=setup.discount_weighting)
        for a in advantages
    ]
    if len(episodes) == 1:
        obs, actions, weights = episodes[0].observations, episodes[0].actions, weights[0]
    else:
        obs = np.concatenate([ep.observations for ep in episodes])
        actions = np.concatenate([ep.actions for ep in episodes])
        weights = np.concatenate(weights) / len(episodes)  # the gradient averaged over the episodes
    return setup.update(theta, obs, actions, weights)


def reinforce(
    env,
    *,
    step_size: float | None = None,
    n_episodes: int,
    rng: int | np.random.Generator | None = None,
    param=None,
    features: ArrayLike | None = None,
    gamma: float | None = None,
    baseline_step_size: float | None = None,
    value_features: ArrayLike | None = None,
    value_param=None,
    theta0: ArrayLike | None = None,
    temperature: float | None = None,
    max_steps: int | None = None,
    episodes_per_update: int | None = None,
    normalize_advantages: bool | None = None,
    discount_weighting: bool | None = None,
    optimizer=None,
    entropy_coef: float | None = None,
    normalize_observations: bool | None = None,
    options: LearnerOptions | None = None,
    callback=None,
    progress: bool | None = None,
    resume=None,
) -> LearningResult:
    r"""REINFORCE (Monte Carlo policy gradient), with an optional learned baseline.

    After every episode :math:`S_0, A_0, R_1, \dots, R_T`, with the :math:`\theta` that played it,

    .. math::

        \theta \leftarrow \theta + \alpha \sum_{t=0}^{T-1} \gamma^t\,(G_t - b(S_t))\,
            \nabla_\theta\log\pi_\theta(A_t\mid S_t),

    a sum over the steps, :math:`G_t` the return from step :math:`t`, the score the
    parametrisation's vjp of :math:`(e_{A_t} - \pi)/\tau` (Sutton & Barto 2018, eq. 13.8; the
    book's :prf:ref:`alg-reinforce`). With ``baseline_step_size`` :math:`\alpha_w`,
    :math:`b(s) = \hat v(s, w)` is learned as in §13.4 (:prf:ref:`alg-reinforce-baseline`):
    for each step, :math:`\delta_t = G_t - \hat v(S_t, w)`,
    :math:`w \leftarrow w + \alpha_w\delta_t x(S_t)`.

    The options change the textbook update into what practitioners run: with
    ``episodes_per_update = E`` the gradient is averaged over E episodes played with the
    same :math:`\theta`; ``normalize_advantages`` centres and scales :math:`G_t - b(S_t)`
    over the update's steps; ``discount_weighting=False`` drops :math:`\gamma^t`;
    ``optimizer`` (:class:`SGD`, :class:`Adam`, :class:`NaturalGradient`) replaces
    :math:`\theta + \alpha\hat g`; ``entropy_coef`` :math:`\beta` adds
    :math:`\beta\sum_t\nabla\mathcal{H}(\pi(\cdot\mid S_t))`; ``normalize_observations``
    standardises ``Box`` observations with running moments (the policy returned applies them:
    it takes raw observations; during training the parametrisation receives the standardised
    ones).

    Parameters
    ----------
    env : gymnasium.Env
        One environment (not vectorised): action space ``Discrete``, observations
        ``Discrete`` or ``Box``.
    step_size : float, optional
        :math:`\alpha > 0` of plain gradient ascent; needed unless ``optimizer`` is given
        (then ignored: the optimiser has its own step).
    n_episodes : int
    rng : int or numpy.random.Generator
        Every random draw (:mod:`softmax_pg.learners`, "Random protocol"); left out with
        ``resume``.
    param : Parametrisation, optional
        Default: tabular for ``Discrete`` observations, ``MatrixPreferences`` for ``Box``.
    features : array_like, shape (n_states, n_actions, n_features), optional
        A feature table: ``LinearPreferences(features)``.
    gamma : float, optional
        The discount, default 1.0 (this and the other options marked "a
        :class:`LearnerOptions` field" default to its value, or to ``options``').
    baseline_step_size : float, optional
        :math:`\alpha_w`: learn a state-value baseline (one-hot or :math:`[s;1]` by default).
    value_features : array_like, shape (n_states, k), optional
    value_param : Parametrisation with n_actions = 1, optional
        A richer baseline, e.g. ``MLPPreferences(n, 1, hidden=(64,))``.
    theta0 : array_like, shape (n_params,), optional
        Default ``param.init(rng)``.
    temperature, max_steps, episodes_per_update, normalize_advantages : optional
        :class:`LearnerOptions` fields (defaults 1.0, 1000, 1, False).
    discount_weighting, entropy_coef, normalize_observations : optional
        :class:`LearnerOptions` fields (defaults True, 0.0, False).
    optimizer : Optimizer, optional
        An object with ``step(theta, gradient, scores=None)`` (:class:`Optimizer`): an
        instance such as ``Adam(0.05)``, not the class.
    options : LearnerOptions, optional
        The shared options in one object; a keyword above, when given, replaces its field.
    callback : callable, optional
        Called after every update with a dict: the keys of :attr:`LearningResult.history`
        and ``"theta"`` (a copy). Returning False stops the run after that update (the
        result then holds the episodes played).
    progress : bool or None, default None
        A tqdm bar; None: only on a terminal, once the run has taken a few seconds.
    resume : TrainingState or LearningResult, optional
        A run to go on with (``result.state``, or :func:`load_run`), called with the run's
        other arguments: the ``n_episodes`` next episodes are those the uninterrupted run
        would play, bit for bit (:class:`TrainingState`).

    Returns
    -------
    LearningResult

    Raises
    ------
    TypeError
        An unsupported environment or space, or an argument of the wrong type.
    ValueError
        A bad argument value or shape, or a bad observation or reward from the environment.
    FloatingPointError
        The run diverged; the message names the step size responsible.
    """
    options = LearnerOptions.from_arguments(locals())
    setup = Setup(
        env,
        options,
        step_size=step_size,
        n_episodes=n_episodes,
        rng=rng,
        param=param,
        features=features,
        theta0=theta0,
        optimizer=optimizer,
        callback=callback,
        progress=progress,
        resume=resume,
        value_step_size=baseline_step_size,
        value_features=value_features,
        value_param=value_param,
    )
    return _run(setup)


def _run(setup: Setup) -> LearningResult:
    obs, theta = setup.start()
    w = setup.value_weights()
    mon, first = setup.monitor, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while first < setup.episodes:
            last = min(first + setup.per_update, setup.episodes)
            episodes = setup.play_update(theta, first, last, obs)
            theta, entropy, norm = _update(setup, theta, w, episodes, first)
            for i, ep in zip(range(first, last), episodes, strict=False):
                mon.episode(i, ep.rewards, _g0(ep.rewards, setup.gamma))
            setup.check_finite(theta, w, last - 1)
            setup.observed(np.concatenate([ep.observations for ep in episodes]))
            go = mon.update(last - 1, first, entropy, norm, theta)
            first = last
            if not go:  # the callback returned False
                break
    policy = setup.policy(theta)
    return mon.result(policy, w, policy.param, setup.state(policy, w))


def _g0(rewards: np.ndarray, gamma: float) -> float:
    return float(discounted_returns(rewards, gamma)[0]) if rewards.size else 0.0
