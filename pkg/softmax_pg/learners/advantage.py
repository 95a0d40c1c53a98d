r"""The batch form of actor-critic: advantages from n-step or λ-returns, one update per batch.

After ``episodes_per_update`` episodes played with :math:`\theta` and :math:`w` fixed, each
step's advantage is :math:`G^{(n)}_t - \hat v(S_t)` (the n-step return, Sutton & Barto 2018,
§7.1) or :math:`\sum_k(\gamma\lambda)^k\delta_{t+k}` (the λ-return's, GAE; Schulman et al.
2016); the critic moves by its semi-gradient TD step, the actor as REINFORCE moves it.
Trusted: :func:`~softmax_pg.learners.actor_critic` checks the arguments.
"""

from __future__ import annotations

import numpy as np

from ._run import Setup
from .returns import normalize_advantages, step_weights

__all__ = ["advantages", "batch_update", "run_batch"]


def advantages(setup: Setup, w, ep, n_step: int, lam):
    """(advantages, values) of one episode, the critic fixed: GAE(λ) or n-step TD errors."""
    v = setup.critic.values(w, ep.observations)
    boot = (
        0.0 if ep.last is None else float(setup.critic.values(w, setup.spaces.batch([ep.last]))[0])
    )
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


def batch_update(setup: Setup, theta, w, episodes, n_step, lam, first):
    advs = [advantages(setup, w, ep, n_step, lam)[0] for ep in episodes]
    obs = np.concatenate([ep.observations for ep in episodes])
    raw = np.concatenate(advs)
    setup.critic.update(w, obs, raw, setup.alpha_w / len(episodes))  # semi-gradient TD, averaged
    setup.check_finite(theta, w, first + len(episodes) - 1)
    if not np.isfinite(raw).all():  # the critic's values overflowed before its weights did
        raise FloatingPointError(
            f"the advantages stopped being finite in the update ending at episode "
            f"{first + len(episodes) - 1}: value_step_size = {setup.alpha_w!r} is too large"
        )
    flat = normalize_advantages(raw) if setup.normalize else raw
    parts = np.split(flat, np.cumsum([ep.length for ep in episodes])[:-1])
    weights = np.concatenate(
        [step_weights(a, setup.gamma, discount_weighting=setup.discount_weighting) for a in parts]
    ) / len(episodes)
    actions = np.concatenate([ep.actions for ep in episodes])
    gradient, scores, entropy = setup.gradient(theta, obs, actions, weights)
    return setup.ascend(theta, gradient, scores), entropy, float(np.linalg.norm(gradient))


def run_batch(setup: Setup, theta, w, obs, n_step, lam):
    mon, first = setup.monitor, 0
    while first < setup.episodes:
        last = min(first + setup.per_update, setup.episodes)
        episodes = setup.play_update(theta, first, last, obs)
        theta, entropy, norm = batch_update(setup, theta, w, episodes, n_step, lam, first)
        for i, ep in zip(range(first, last), episodes, strict=False):
            mon.episode(
                i,
                ep.rewards,
                float(step_weights(ep.rewards, setup.gamma).sum()) if ep.length else 0.0,
            )
        setup.check_finite(theta, w, last - 1)
        setup.observed(np.concatenate([ep.observations for ep in episodes]))
        mon.update(last - 1, first, entropy, norm)
        first = last
    return theta
