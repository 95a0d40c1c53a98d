r"""PPO's clipped surrogate (Schulman et al. 2017) on the public policy-gradient step.

With :math:`\rho_i = \pi_\theta(a_i\mid s_i)/\pi_{\text{old}}(a_i\mid s_i)` and advantages
:math:`A_i`, PPO ascends

.. math::

    L(\theta) = \frac1n\sum_i \min\big(\rho_i A_i,\ \mathrm{clip}(\rho_i, 1-\epsilon,
    1+\epsilon) A_i\big).

Since :math:`\nabla_\theta\rho_i = \rho_i\nabla_\theta\log\pi_\theta(a_i\mid s_i)`, the
gradient of a term is its score weighted by :math:`\rho_i A_i` where the clip is inactive
and 0 where it is active (:math:`A_i > 0,\ \rho_i > 1+\epsilon` or
:math:`A_i < 0,\ \rho_i < 1-\epsilon`): one call of :func:`softmax_pg.policy_gradient`
with the weights of :func:`clipped_surrogate_weights` divided by :math:`n`.
"""

from __future__ import annotations

import copy

import numpy as np
from numpy.typing import ArrayLike

from .. import kernel
from .._validation import as_real_array, check_count, check_rng, check_temperature
from ..parametrisations.outputs import checked_init, checked_theta
from ..policy import SoftmaxPolicy
from ..step import policy_gradient
from ._args import check_gamma, check_nonnegative
from .optim import Adam
from .results import LearningResult, Monitor
from .returns import discounted_returns, normalize_advantages
from .rollout import Spaces, check_env, sample_episode
from .state import restore, resumable, run_generator, training_state

__all__ = ["clipped_surrogate_weights", "ppo"]


def clipped_surrogate_weights(log_probs, old_log_probs, advantages, clip: float) -> np.ndarray:
    r"""The weights :math:`w_i` with :math:`\nabla L = \sum_i w_i\nabla\log\pi_\theta(a_i|s_i)`
    for one term each, :math:`\min(\rho_i A_i, \mathrm{clip}(\rho_i,1-\epsilon,1+\epsilon)A_i)`.

    :math:`w_i = \rho_i A_i` where the clip is inactive, 0 where it is active; divide by the
    batch size for the mean :math:`L`.

    Parameters
    ----------
    log_probs, old_log_probs : array_like, shape (batch,)
        :math:`\log\pi_\theta(a_i|s_i)` and :math:`\log\pi_{\text{old}}(a_i|s_i)`, finite.
    advantages : array_like, shape (batch,)
    clip : float
        :math:`\epsilon` in (0, 1).

    Returns
    -------
    numpy.ndarray, shape (batch,)

    References
    ----------
    Schulman et al. (2017), "Proximal policy optimization algorithms", eq. 7.
    """
    new, old = as_real_array(log_probs, "log_probs"), as_real_array(old_log_probs, "old_log_probs")
    adv, eps = as_real_array(advantages, "advantages"), _check_clip(clip)
    if not (new.ndim == 1 and new.shape == old.shape == adv.shape):
        raise ValueError(
            "log_probs, old_log_probs and advantages must have one shape (batch,); got "
            f"{new.shape}, {old.shape} and {adv.shape}"
        )
    with np.errstate(over="ignore"):
        rho = np.exp(new - old)  # the probability ratio (not a softmax)
    clipped = ((adv > 0) & (rho > 1.0 + eps)) | ((adv < 0) & (rho < 1.0 - eps))
    return np.where(clipped, 0.0, rho * adv)


def ppo(
    env,
    *,
    n_episodes: int,
    rng: int | np.random.Generator | None = None,
    param=None,
    theta0: ArrayLike | None = None,
    optimizer=None,
    episodes_per_update: int | None = None,
    epochs: int = 4,
    minibatch_size: int = 256,
    clip: float = 0.2,
    gamma: float = 0.99,
    temperature: float = 1.0,
    entropy_coef: float = 0.0,
    max_steps: int = 1000,
    callback=None,
    progress: bool | None = None,
    resume=None,
) -> LearningResult:
    r"""Proximal policy optimisation with the clipped surrogate, on one or a vector env.

    Per update: play ``episodes_per_update`` episodes with :math:`\theta_{\text{old}}`
    (on a vector env, one episode on each of its ``num_envs`` sub-environments, stepped
    together); advantages :math:`A_t` = the reward-to-go :math:`G_t` normalised over the
    update (:func:`normalize_advantages`): the CartPole recipe's advantages, no critic, so
    that the clipped surrogate's epochs are what differs from the recipe; then ``epochs``
    passes over random minibatches, each an ``optimizer`` step along the gradient of the
    clipped surrogate :math:`L` of the minibatch (:func:`clipped_surrogate_weights`) plus
    ``entropy_coef`` times its mean entropy gradient.

    Parameters
    ----------
    env : gymnasium.Env or gymnasium.vector.VectorEnv
        Actions ``Discrete``; observations ``Discrete`` or ``Box``.
    n_episodes : int
    rng : int or numpy.random.Generator
        All randomness: ``param.init`` (unless ``theta0``), then per update the episodes'
        reset seeds and one uniform number per action, then the minibatch permutations.
    param : Parametrisation, optional
        Default: tabular (``Discrete`` observations), ``MatrixPreferences`` on [obs, 1] (``Box``).
    theta0 : array_like, shape (n_params,), optional
    optimizer : object with ``step(theta, gradient, scores=None)``, default ``Adam(0.01)``
    episodes_per_update : int, optional
        Default 8 on a single env; on a vector env it must be ``num_envs`` (or None).
    epochs : int, default 4
    minibatch_size : int, default 256
        The update's steps are split into ``max(1, round(n / minibatch_size))`` minibatches.
    clip : float, default 0.2
        :math:`\epsilon` in (0, 1).
    gamma : float, default 0.99
    temperature : float, default 1.0
    entropy_coef : float, default 0.0
    max_steps : int, default 1000
        Steps at most per episode.
    callback, progress
        As in :func:`reinforce`.
    resume : TrainingState or LearningResult, optional
        As in :func:`reinforce` (``rng`` left out): :math:`\theta`, the optimiser's state
        and the generator go on (every episode's reset is seeded from it).

    Returns
    -------
    LearningResult
        One run, on a single or a vector env (``evaluate`` takes it).

    References
    ----------
    Schulman et al. (2017), "Proximal policy optimization algorithms", Algorithm 1.
    """
    vector = getattr(env, "num_envs", None) is not None and hasattr(env, "single_action_space")
    if vector:
        spaces = Spaces(getattr(env, "single_observation_space", None), env.single_action_space)
    else:
        spaces = Spaces.of(check_env(env))
    p = spaces.parametrisation(None, param)
    state = None if resume is None else resumable(resume, rng, theta0)
    g = check_rng(rng) if state is None else run_generator(state.rng)
    n, per = check_count(n_episodes, "n_episodes"), _per_update(env, vector, episodes_per_update)
    opt = _checked_optimizer(optimizer)
    epochs, size = check_count(epochs, "epochs"), check_count(minibatch_size, "minibatch_size")
    args = (_check_clip(clip), check_gamma(gamma), check_temperature(temperature))
    beta = check_nonnegative(entropy_coef, "entropy_coef")
    steps = check_count(max_steps, "max_steps")
    if state is not None:
        restore(state, p, opt)
        theta = state.theta.copy()
    else:
        theta = checked_init(p, g) if theta0 is None else checked_theta(p, theta0, "theta0").copy()
    mon, first = Monitor(n, callback, progress, 0 if state is None else state.episodes), 0
    with np.errstate(over="ignore", invalid="ignore"):
        while first < n:
            last = min(first + per, n)
            if vector:
                episodes = _vector_episodes(env, spaces, p, theta, g, args[2], steps)
            else:
                episodes = [_episode(env, p, theta, g, args[2], steps) for _ in range(last - first)]
            episodes = episodes[: last - first]
            theta, entropy, norm = _update(p, theta, opt, episodes, g, args, epochs, size, beta)
            for i, (_, _, r) in enumerate(episodes):
                mon.episode(first + i, r, float(discounted_returns(r, args[1])[0]))
            mon.update(last - 1, first, entropy, norm)
            first = last
    policy = SoftmaxPolicy(p, theta, args[2])
    return mon.result(policy, None, p, training_state(policy, mon.offset + mon.n, g, optimizer=opt))


def _update(param, theta, opt, episodes, g, args, epochs, size, beta):
    """One PPO update (Schulman et al. 2017, Algorithm 1): (new theta, entropy, mean |g|)."""
    clip, gamma, tau = args
    obs = np.concatenate([o for o, _, _ in episodes])
    actions = np.concatenate([a for _, a, _ in episodes])
    advantages = normalize_advantages(
        np.concatenate([discounted_returns(r, gamma) for _, _, r in episodes])
    )
    n = actions.shape[0]
    old = policy_gradient(param, theta, obs, actions, np.zeros(n), temperature=tau)  # checks param
    needs = bool(getattr(opt, "needs_scores", False))
    norms = []
    for _ in range(epochs):
        for idx in np.array_split(g.permutation(n), max(1, round(n / size))):
            o, a, m = obs[idx], actions[idx], idx.shape[0]
            log_pi = np.take_along_axis(
                kernel.log_softmax(param.preferences(theta, o), tau), a[:, None], axis=1
            )[:, 0]
            w = clipped_surrogate_weights(log_pi, old.log_probs[idx], advantages[idx], clip)
            step = policy_gradient(
                param, theta, o, a, w / m, temperature=tau, entropy_coef=beta / m,
                keep_scores=needs, validate=False,
            )  # fmt: skip
            theta = opt.step(theta, step.gradient, step.scores)
            norms.append(float(np.linalg.norm(step.gradient)))
            if not np.isfinite(theta).all():
                raise FloatingPointError(
                    f"theta stopped being finite in a PPO update: the optimizer {opt!r} steps "
                    "too far; try a smaller step size"
                )
    return theta, old.entropy, float(np.mean(norms))


def _episode(env, param, theta, g, tau, max_steps):
    """One episode on a single env, reset with a seed drawn from ``g``."""
    seed = int(g.integers(2**32))
    return sample_episode(
        env, theta, None, g, param=param, max_steps=max_steps, seed=seed, temperature=tau
    )


def _vector_episodes(envs, spaces, param, theta, g, tau, max_steps):
    """One episode per sub-environment, stepped together from one seeded reset; what a
    sub-environment does after its episode ended (an autoreset) is not kept."""
    n = envs.num_envs
    obs, _ = envs.reset(seed=int(g.integers(2**32)))
    xs, acts, rews = [], [], []
    running, lengths = np.ones(n, dtype=bool), np.zeros(n, dtype=np.int64)
    for t in range(max_steps):
        x = _observations(spaces, obs, "env.step()" if t else "env.reset()")
        a = kernel.preference_sample(param.preferences(theta, x), g, tau)
        obs, r, terminated, truncated, _ = envs.step(a)
        r = np.asarray(r, dtype=np.float64)
        if not np.isfinite(r[running]).all():
            raise ValueError(f"env.step() returned a reward that is not finite: {r!r}")
        xs.append(x), acts.append(a), rews.append(r)
        lengths += running
        running &= ~np.logical_or(terminated, truncated)
        if not running.any():
            break
    xs, acts, rews = np.stack(xs, axis=1), np.stack(acts, axis=1), np.stack(rews, axis=1)
    return [(xs[i, : lengths[i]], acts[i, : lengths[i]], rews[i, : lengths[i]]) for i in range(n)]


def _observations(spaces, obs, where: str) -> np.ndarray:
    """A vector env's observations, checked: (num_envs,) states or (num_envs, obs_size)."""
    if spaces.discrete:
        return spaces.batch([spaces.observe(o, where) for o in obs])
    x = np.asarray(obs, dtype=np.float64)
    if x.shape[1:] != spaces.obs_shape or not np.isfinite(x).all():
        raise ValueError(
            f"the observations from {where} must be finite, of shape (num_envs,) + "
            f"{spaces.obs_shape}; got {x!r}"
        )
    return x.reshape(x.shape[0], spaces.obs_size)


def _per_update(env, vector: bool, episodes_per_update) -> int:
    if not vector:
        e = 8 if episodes_per_update is None else episodes_per_update
        return check_count(e, "episodes_per_update")
    n = int(env.num_envs)
    if episodes_per_update is not None and episodes_per_update != n:
        raise ValueError(
            f"episodes_per_update must be None or env.num_envs = {n} on a vector env (one "
            f"episode per sub-environment and update); got {episodes_per_update!r}"
        )
    return n


def _checked_optimizer(optimizer):
    """A private copy of the optimiser (default ``Adam(0.01)``)."""
    if optimizer is None:
        return Adam(0.01)
    if isinstance(optimizer, type) or not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            "optimizer must be an object with a method step(theta, gradient, scores=None), "
            f"e.g. softmax_pg.learners.Adam(0.01) (an instance, not the class); got {optimizer!r}"
        )
    return copy.deepcopy(optimizer)


def _check_clip(clip) -> float:
    eps = check_nonnegative(clip, "clip")
    if not 0.0 < eps < 1.0:
        raise ValueError(f"clip (epsilon) must lie in (0, 1), e.g. 0.2; got {eps!r}")
    return eps
