r"""Training the small language model with one estimator, the exact :math:`J` recorded.

Each step samples ``group_size`` responses to every prompt, turns their rewards into
advantages (:mod:`softmax_pg.sequences.estimators`) and per-token weights, and ascends
:func:`~softmax_pg.sequences.responses.sequence_policy_gradient` divided by the number of responses.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_count, check_positive, check_rng
from ._checks import checked_model
from .estimators import grpo_advantages, reinforce_advantages, rloo_advantages, token_weights
from .oracle import expected_reward
from .responses import sample_responses, sequence_policy_gradient

__all__ = ["ESTIMATORS", "advantages_of", "train"]

ESTIMATORS = {  # name: (advantages of a (n_prompts, k) reward table, token normalisation)
    "reinforce": (reinforce_advantages, "none"),
    "rloo": (rloo_advantages, "none"),
    "grpo": (grpo_advantages, "length"),
    "dr_grpo": (lambda r: grpo_advantages(r, scale=False), "constant"),
}


def advantages_of(estimator: str, rewards) -> np.ndarray:
    """The advantages of ``ESTIMATORS[estimator]`` for rewards (n_groups, group_size)."""
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {sorted(ESTIMATORS)}; got {estimator!r}")
    return ESTIMATORS[estimator][0](rewards)


def train(
    lm, param, theta, *, estimator: str, steps: int, group_size: int, lr: float, rng
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient ascent on :math:`J` with one estimator; returns (final theta, J per step).

    Parameters
    ----------
    lm : TinyLanguageModel
    param : MaskedPreferences
    theta : array_like, shape (n_params,)
        The start.
    estimator : {"reinforce", "rloo", "grpo", "dr_grpo"}
        REINFORCE (sum over tokens), RLOO (sum), GRPO (group mean and std, each response's
        token mean), Dr. GRPO (group mean, one constant ``n_positions``).
    steps, group_size : int
        Updates, and responses per prompt per update (>= 2).
    lr : float
        The step size :math:`\alpha > 0`.
    rng : numpy.random.Generator or int

    Returns
    -------
    theta : numpy.ndarray, shape (n_params,)
    exact_j : numpy.ndarray, shape (steps + 1,)
        :math:`J(\theta)` before the first update and after each.
    """
    theta = checked_model(lm, param, theta).copy()
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {sorted(ESTIMATORS)}; got {estimator!r}")
    steps, k = (
        check_count(steps, "steps", minimum=0),
        check_count(group_size, "group_size", minimum=2),
    )
    lr, gen = check_positive(lr, "lr"), check_rng(rng)
    advantages, normalise = ESTIMATORS[estimator]
    prompts = np.repeat(np.arange(lm.n_prompts), k)
    exact_j = np.empty(steps + 1)
    exact_j[0] = expected_reward(lm, param, theta)
    for i in range(steps):
        batch = sample_responses(lm, param, theta, prompts, gen)
        a = advantages(batch.rewards.reshape(lm.n_prompts, k)).reshape(-1)
        w = token_weights(
            a, batch.lengths, lm.n_positions, normalise=normalise, constant=float(lm.n_positions)
        )
        g = sequence_policy_gradient(param, theta, batch, w, validate=False).gradient
        theta += lr * g / len(batch)
        exact_j[i + 1] = expected_reward(lm, param, theta)
    return theta, exact_j
