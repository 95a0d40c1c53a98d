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
from .returns import gae, normalize_advantages, step_weights

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
        if not (np.isfinite(v).all() and np.isfinite(boot)):  # the checks after report it
            return np.full(T, np.nan), v
        return gae(r, v, boot, g, lam), v
    target = np.empty(T)
    for t in range(T):
        m = min(n_step, T - t)
        target[t] = sum(g**k * r[t + k] for k in range(m)) + g**m * ext[t + m]
    return target - v, v


# A critic fitted to returns predicts values of their size; one this many times larger than
# every return of an update has diverged, while its weights may stay finite for long.
RUNAWAY = 1e6


def check_critic(setup: Setup, values: list, episodes, last: int) -> None:
    """Raise if the critic's values dwarf every return the update's episodes could have."""
    scale = max(float(np.abs(ep.rewards).sum()) for ep in episodes)  # bounds |G_t|, gamma <= 1
    largest = max(float(np.abs(v).max(initial=0.0)) for v in values)
    if largest > RUNAWAY * (1.0 + scale):
        raise FloatingPointError(
            f"the critic diverged in the update ending at episode {last}: its values reach "
            f"{largest:.3g}, while no return of the update's episodes exceeds {scale:.3g} in size; "
            f"value_step_size = {setup.alpha_w!r} is too large for episodes of up to "
            f"{max(ep.length for ep in episodes)} steps (the batch critic's step sums over an "
            "episode's steps, so it grows with their length); try a smaller one"
        )


def batch_update(setup: Setup, theta, w, episodes, n_step, lam, first):
    pairs = [advantages(setup, w, ep, n_step, lam) for ep in episodes]
    check_critic(setup, [v for _, v in pairs], episodes, first + len(episodes) - 1)
    obs = np.concatenate([ep.observations for ep in episodes])
    raw = np.concatenate([a for a, _ in pairs])
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
    return setup.update(theta, obs, actions, weights)


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
        go = mon.update(last - 1, first, entropy, norm, theta)
        first = last
        if not go:  # the callback returned False
            break
    return theta
