r"""Evaluate a trained policy on an environment: greedy (argmax) or sampled actions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _kernel
from .._validation import check_count, check_rng
from ._args import check_flag
from .rollout import Spaces
from .saving import policy_of

__all__ = ["Evaluation", "evaluate"]


@dataclass(frozen=True)
class Evaluation:
    """Returns of the evaluation episodes, their mean and its standard error.

    Attributes
    ----------
    returns : numpy.ndarray, shape (n_episodes,)
        Undiscounted returns.
    lengths : numpy.ndarray of int64, shape (n_episodes,)
    mean : float
    se : float
        Standard error of the mean, ``std(returns, ddof=1) / sqrt(n_episodes)`` (0 for one episode).
    """

    returns: np.ndarray
    lengths: np.ndarray
    mean: float
    se: float


def evaluate(
    policy,
    env,
    *,
    n_episodes: int = 100,
    rng: int | np.random.Generator = 0,
    greedy: bool = True,
    max_steps: int = 100_000,
) -> Evaluation:
    r"""Play ``n_episodes`` episodes with a fixed policy; their returns, mean and standard error.

    Each episode resets ``env`` with the seed ``int(g.integers(2**32))`` from the generator
    ``g`` of ``rng``; with ``greedy`` every action is :math:`\arg\max_b h_\theta(s)_b` (the
    first on ties), so the same ``rng`` gives the same returns; otherwise actions are
    sampled from :math:`\pi_\theta` by the inverse CDF of ``g.random()``, as in training.

    Parameters
    ----------
    policy : SoftmaxPolicy or LearningResult
        ``result.policy`` is taken from a learner's result.
    env : gymnasium.Env
    n_episodes : int, default 100
    rng : int or numpy.random.Generator, default 0
    greedy : bool, default True
    max_steps : int, default 100000
        A guard against a policy that never ends an episode (time limits usually end it first).

    Returns
    -------
    Evaluation
    """
    pol = policy_of(policy)
    if getattr(env, "num_envs", None) is not None or hasattr(env, "single_action_space"):
        raise TypeError(
            "env must be a single environment; got a vector environment with num_envs = "
            f"{getattr(env, 'num_envs', '?')}: evaluate reinforce_batched's result on it with "
            "softmax_pg.learners.evaluate_batched(envs, result), or pass gymnasium.make(...)"
        )
    spaces = Spaces.of(env)
    n = check_count(n_episodes, "n_episodes")
    gen = check_rng(rng)
    use_greedy = check_flag(greedy, "greedy")
    steps = check_count(max_steps, "max_steps")
    if pol.param.n_actions != spaces.n_actions:
        raise ValueError(
            f"policy has {pol.param.n_actions} actions; env.action_space has {spaces.n_actions}"
        )
    returns, lengths = np.empty(n), np.empty(n, dtype=np.int64)
    for i in range(n):
        obs, _ = env.reset(seed=int(gen.integers(2**32)))
        total, t = 0.0, 0
        while t < steps:
            batch = spaces.batch([spaces.observe(obs, "env.step()" if t else "env.reset()")])
            if use_greedy:
                a = int(pol.greedy(batch)[0])
            else:
                a = int(_kernel.inverse_cdf(pol.probs(batch), gen.random())[0])
            obs, r, terminated, truncated, _ = env.step(a)
            total += float(r)
            t += 1
            if terminated or truncated:
                break
        returns[i], lengths[i] = total, t
    se = float(np.std(returns, ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    return Evaluation(returns, lengths, float(returns.mean()), se)
