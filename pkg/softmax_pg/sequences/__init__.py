r"""A language model small enough to enumerate, its sequence score, and the estimators on it.

The policy is a softmax over tokens at every position; the score of a response is
:math:`\sum_t \mathrm{D}h_\theta(S_t)^\top(e_{A_t} - \pi_t)`, one call of
``softmax_pg.policy_gradient`` on its tokens. The estimators (REINFORCE, RLOO, GRPO,
length normalisation, PPO's clipped ratio, KL terms) are weights on those tokens, and the
oracle computes every expectation exactly by listing all responses. The book's chapter
"The score in a language model". Imports numpy only.
"""

from .estimators import (
    expected_group_advantages,
    grpo_advantages,
    ppo_weights,
    reinforce_advantages,
    rloo_advantages,
    token_weights,
)
from .kl import KL_ESTIMATORS, kl_estimates, kl_loss_weights
from .model import MaskedPreferences, Responses, TinyLanguageModel
from .oracle import (
    all_responses,
    exact_gradient,
    exact_kl,
    exact_kl_gradient,
    expected_gradient,
    expected_reward,
    response_probs,
)
from .responses import (
    sample_responses,
    sequence_policy_gradient,
    sequence_scores,
    token_log_probs,
)
from .train import ESTIMATORS, advantages_of, train

__all__ = [
    "ESTIMATORS",
    "KL_ESTIMATORS",
    "MaskedPreferences",
    "Responses",
    "TinyLanguageModel",
    "advantages_of",
    "all_responses",
    "exact_gradient",
    "exact_kl",
    "exact_kl_gradient",
    "expected_gradient",
    "expected_group_advantages",
    "expected_reward",
    "grpo_advantages",
    "kl_estimates",
    "kl_loss_weights",
    "ppo_weights",
    "reinforce_advantages",
    "response_probs",
    "rloo_advantages",
    "sample_responses",
    "sequence_policy_gradient",
    "sequence_scores",
    "token_log_probs",
    "token_weights",
    "train",
]
