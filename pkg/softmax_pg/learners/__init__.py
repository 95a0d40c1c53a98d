"""Policy-gradient learners for Gymnasium environments with a ``Discrete`` action space.

The only part of :mod:`softmax_pg` that imports gymnasium. (Transitional: the learners
themselves are being rebuilt on the parametrisation interface; ``optim`` and ``returns``
are final.)
"""

from ._legacy import (
    LearningResult,
    actor_critic,
    episode_gradient,
    reinforce,
    sample_episode,
)
from .optim import SGD, Adam, NaturalGradient
from .returns import discounted_returns, normalize_advantages, step_weights

__all__ = [
    "SGD",
    "Adam",
    "LearningResult",
    "NaturalGradient",
    "actor_critic",
    "discounted_returns",
    "episode_gradient",
    "normalize_advantages",
    "reinforce",
    "sample_episode",
    "step_weights",
]
