r"""Actor-critic: the one-step textbook algorithm (online, Sutton & Barto 2018, §13.5) and
its batch form with n-step or λ-returns (an advantage actor-critic), on the one score route.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .. import _kernel
from ..parametrisations import TabularPreferences
from ._run import Setup
from .results import LearningResult
from .returns import normalize_advantages, step_weights
from .rollout import play_episode

__all__ = ["actor_critic"]


def _check_n_step(n_step, lam):
    from .._validation import check_count

    n = check_count(n_step, "n_step")
    if lam is None:
        return n, None
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.floating, np.integer)) or not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be a number in [0, 1] (the λ of the λ-return) or None; got {lam!r}")
    if n != 1:
        raise ValueError(f"give n_step or lam, not both; got n_step = {n} and lam = {lam!r}")
    return n, float(lam)


def _online_episode(setup: Setup, theta, w, obs, rng, i: int, sparse: bool):
    """One episode of the one-step box, updating theta and w after every step; returns the rewards,
    the preferences seen, G_0 and theta (a new array when an optimiser steps it)."""
    sp, param, critic, tau = setup.spaces, setup.param, setup.critic, setup.tau
    alpha, alpha_w, g = setup.alpha, setup.alpha_w, setup.gamma
    x = sp.observe(obs, "env.reset()")
    discount, total, rewards, hs, xs = 1.0, 0.0, [], [], []
    for t in range(setup.steps):
        xb = sp.batch([x])
        h = param.preferences(theta, xb)
        probs = _kernel.softmax(h, tau)
        a = int(_kernel.inverse_cdf(probs, rng.random())[0])
        obs, r, terminated, truncated, _ = setup.env.step(a)
        r = float(r)
        if not math.isfinite(r):
            raise ValueError(f"env.step() returned the reward {r!r} at step {t} of episode {i} (action {a}); "
                             "rewards must be finite numbers: the environment, not the learner, produced it")
        xv = critic.x(x)
        if terminated:
            target = r
        else:
            x = sp.observe(obs, "env.step()")
            target = r + g * critic.value(w, critic.x(x))
        delta = target - critic.value(w, xv)
        critic.add(w, xv, alpha_w * delta)
        score = _kernel.score_from_probs(probs, np.array([a]), tau, overwrite=True)
        weight = discount if setup.discount_weighting else 1.0
        if sparse:  # TabularPreferences: Dh(s)^T g is g in row s, so only that row moves
            param.table(theta)[xb[0]] += (alpha * weight * delta) * score[0]
        elif setup.optimizer is None and setup.beta == 0.0:
            theta += (alpha * weight * delta) * param.vjp(theta, xb, score)[0]
        else:
            gh = (weight * delta) * score
            if setup.beta > 0.0:
                gh += setup.beta * _kernel.entropy_gradient_from_log_probs(_kernel.log_softmax(h, tau), tau)
            needs = getattr(setup.optimizer, "needs_scores", False)
            theta = setup.ascend(theta, param.vjp(theta, xb, gh)[0], param.vjp(theta, xb, score) if needs else None)
        hs.append(h[0])
        xs.append(xb[0])
        rewards.append(r)
        total += discount * r
        discount *= g
        if terminated or truncated:
            break
    return np.array(rewards), hs, total, theta, xs


def _run_online(setup: Setup, theta, w, obs):
    mon = setup.monitor
    sparse = (type(setup.param) is TabularPreferences and setup.optimizer is None and setup.beta == 0.0)
    for i in range(setup.episodes):
        start, rng = setup.reset(i, obs)
        setup.check_param(theta, start)
        before = theta.copy()
        rewards, hs, total, theta, xs = _online_episode(setup, theta, w, start, rng, i, sparse)
        mon.episode(i, rewards, total)
        setup.check_finite(theta, w, i)
        setup.observed(setup.spaces.batch(xs))
        entropy = float(np.mean(_kernel.entropy_from_log_probs(_kernel.log_softmax(np.array(hs), setup.tau))))
        mon.update(i, i, entropy, float(np.linalg.norm(theta - before)) / setup.alpha)
    return theta


def _advantages(setup: Setup, w, ep, n_step: int, lam):
    """(advantages, values) of one episode, the critic fixed: GAE(λ) or n-step TD errors."""
    v = setup.critic.values(w, ep.observations)
    boot = 0.0 if ep.last is None else float(setup.critic.values(w, setup.spaces.batch([ep.last]))[0])
    ext = np.append(v, boot)
    g, r, T = setup.gamma, ep.rewards, ep.length
    if lam is not None:
        deltas = r + g * ext[1:] - v
        adv, acc = np.empty(T), 0.0
        for t in range(T - 1, -1, -1):
            acc = deltas[t] + g * lam * acc
            adv[t] = acc
        return adv, v
    target = np.empty(T)
    for t in range(T):
        m = min(n_step, T - t)
        target[t] = sum(g**k * r[t + k] for k in range(m)) + g**m * ext[t + m]
    return target - v, v


def _batch_update(setup: Setup, theta, w, episodes, n_step, lam, first):
    advs = [_advantages(setup, w, ep, n_step, lam)[0] for ep in episodes]
    obs = np.concatenate([ep.observations for ep in episodes])
    raw = np.concatenate(advs)
    setup.critic.update(w, obs, raw, setup.alpha_w / len(episodes))  # semi-gradient TD, averaged
    setup.check_finite(theta, w, first + len(episodes) - 1)
    if not np.isfinite(raw).all():  # the critic's values overflowed before its weights did
        raise FloatingPointError(f"the advantages stopped being finite in the update ending at episode "
                                 f"{first + len(episodes) - 1}: value_step_size = {setup.alpha_w!r} is too large")
    flat = normalize_advantages(raw) if setup.normalize else raw
    parts = np.split(flat, np.cumsum([ep.length for ep in episodes])[:-1])
    weights = np.concatenate([step_weights(a, setup.gamma, discount_weighting=setup.discount_weighting)
                              for a in parts]) / len(episodes)
    actions = np.concatenate([ep.actions for ep in episodes])
    gradient, scores, entropy = setup.gradient(theta, obs, actions, weights)
    return setup.ascend(theta, gradient, scores), entropy, float(np.linalg.norm(gradient))


def _run_batch(setup: Setup, theta, w, obs, n_step, lam):
    mon, first = setup.monitor, 0
    while first < setup.episodes:
        last = min(first + setup.per_update, setup.episodes)
        episodes = []
        for i in range(first, last):
            start, gen = setup.reset(i, obs)
            setup.check_param(theta, start)
            episodes.append(play_episode(setup.env, setup.spaces, setup.param, theta, start, gen,
                                         max_steps=setup.steps, tau=setup.tau, episode=i))
        theta, entropy, norm = _batch_update(setup, theta, w, episodes, n_step, lam, first)
        for i, ep in zip(range(first, last), episodes):
            mon.episode(i, ep.rewards, float(step_weights(ep.rewards, setup.gamma).sum()) if ep.length else 0.0)
        setup.check_finite(theta, w, last - 1)
        setup.observed(np.concatenate([ep.observations for ep in episodes]))
        mon.update(last - 1, first, entropy, norm)
        first = last
    return theta


def actor_critic(env, *, step_size: float, value_step_size: float, n_episodes: int,
                 rng: int | np.random.Generator, param=None, features: ArrayLike | None = None,
                 gamma: float = 1.0, value_features: ArrayLike | None = None, value_param=None,
                 theta0: ArrayLike | None = None, temperature: float = 1.0, max_steps: int = 1000,
                 n_step: int = 1, lam: float | None = None, episodes_per_update: int = 1,
                 normalize_advantages: bool = False, discount_weighting: bool = True, optimizer=None,
                 entropy_coef: float = 0.0, normalize_observations: bool = False, callback=None,
                 progress: bool | None = None) -> LearningResult:
    r"""Actor-critic: one-step and online by default (Sutton & Barto 2018, §13.5), or its batch form.

    By default, after every step :math:`S, A, R, S'` (:prf:ref:`alg-actor-critic`),

    .. math::

        \delta = R + \gamma\hat v(S', w) - \hat v(S, w),\quad
        w \leftarrow w + \alpha_w\delta\,\nabla\hat v(S, w),\quad
        \theta \leftarrow \theta + \alpha\gamma^t\delta\,\nabla_\theta\log\pi_\theta(A\mid S),

    with :math:`\hat v(\text{terminal}) = 0` and, when an episode is cut off (``max_steps``
    or a time limit), the value of :math:`S'` used. The score is the parametrisation's vjp
    of :math:`(e_A - \pi)/\tau`; with the tabular parametrisation only row :math:`S` of
    :math:`\theta` moves, so a step costs O(n_actions) whatever the number of states.

    With ``n_step > 1``, ``lam``, ``episodes_per_update > 1`` or ``normalize_advantages``
    the updates are made in batch after every ``episodes_per_update`` episodes played with
    :math:`\theta` and :math:`w` fixed: advantages :math:`A_t = G^{(n)}_t - \hat v(S_t)` (the
    n-step return, §7.1) or :math:`\sum_k(\gamma\lambda)^k\delta_{t+k}` (the λ-return's
    advantage, GAE; Schulman et al. 2016), the critic moved by
    :math:`\alpha_w\sum_t A_t\nabla\hat v(S_t)` (averaged over the episodes), the actor as
    :func:`~softmax_pg.learners.reinforce` moves it with :math:`A_t` in place of :math:`G_t - b`.
    ``optimizer``, ``entropy_coef``, ``discount_weighting``, ``normalize_observations`` and
    ``temperature`` apply in both forms.

    Parameters
    ----------
    env, step_size, n_episodes, rng, param, features, gamma, theta0, temperature, max_steps
        As :func:`~softmax_pg.learners.reinforce`.
    value_step_size : float
        :math:`\alpha_w > 0`, the critic's step size.
    value_features : array_like, shape (n_states, k), optional
        :math:`x(s)` of a linear critic (``Discrete`` observations); one-hot by default,
        :math:`[s; 1]` for ``Box``.
    value_param : Parametrisation with n_actions = 1, optional
        A richer critic, e.g. ``MLPPreferences(n, 1, hidden=(64,))``.
    n_step : int, default 1
    lam : float in [0, 1], optional
    episodes_per_update, normalize_advantages, discount_weighting, optimizer, entropy_coef,
    normalize_observations, callback, progress
        As :func:`~softmax_pg.learners.reinforce`.

    Returns
    -------
    LearningResult

    Raises
    ------
    TypeError, ValueError, FloatingPointError
        As :func:`~softmax_pg.learners.reinforce`; a diverged critic names ``value_step_size``.
    """
    n, lam = _check_n_step(n_step, lam)
    setup = Setup(env, step_size=step_size, n_episodes=n_episodes, rng=rng, param=param, features=features,
                  gamma=gamma, theta0=theta0, temperature=temperature, max_steps=max_steps,
                  episodes_per_update=episodes_per_update, normalize_advantages=normalize_advantages,
                  discount_weighting=discount_weighting, optimizer=optimizer, entropy_coef=entropy_coef,
                  normalize_observations=normalize_observations, callback=callback, progress=progress,
                  value_step_size=value_step_size, value_features=value_features, value_param=value_param,
                  value_name="value_step_size")
    obs, theta = setup.start()
    w = setup.value_weights()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if n == 1 and lam is None and setup.per_update == 1 and not setup.normalize:
            theta = _run_online(setup, theta, w, obs)
        else:
            theta = _run_batch(setup, theta, w, obs, n, lam)
    policy = setup.policy(theta)
    return setup.monitor.result(policy, w, policy.param)
