r"""softmax_pg: the softmax policy's score function, derived, checked and put to work.

The companion package of the book. Its core, importing nothing but numpy:

* :mod:`softmax_pg.softmax`: :func:`softmax`, :func:`log_softmax` (stable log-sum-exp);
* :mod:`softmax_pg.policy`: the linear softmax policy, its :func:`score`
  :math:`\nabla_\theta\log\pi_\theta(a\mid s) = (\phi(s,a) - \mathbb{E}_\pi[\phi(s,\cdot)])/\tau`,
  the weight-matrix form :func:`score_matrix`, entropy, Fisher information and
  :class:`SoftmaxPolicy`;
* :mod:`softmax_pg.preferences`: parametrisations of the preferences (tabular, linear
  features, weight matrix, a small network) and the one score route
  :func:`policy_score`, :math:`J_h^\top(e_a - \pi)/\tau`, for all of them;
* :mod:`softmax_pg.gaussian`: the Gaussian policy's log-density and score, for
  continuous actions;
* :mod:`softmax_pg.features`: tabular and state-times-action feature maps;
* :mod:`softmax_pg.gradcheck`: :func:`numerical_gradient`, the central differences that
  check every gradient.

On top of the core: :mod:`softmax_pg.bandits` (the gradient bandit on the 10-armed
testbed), :mod:`softmax_pg.envs` (the short corridor and a grid world as Gymnasium
environments, registered as ``softmax_pg/ShortCorridor-v0`` and
``softmax_pg/GridWorld-v0`` when the package is imported), :mod:`softmax_pg.learners`
(REINFORCE with or without a baseline, one-step actor-critic), :mod:`softmax_pg.corridor`
(the short corridor's closed form and batched runs), :mod:`softmax_pg.continuous` (a
continuous bandit for the Gaussian policy) and :mod:`softmax_pg.plotting` (learning
curves with bands, policies and values on a grid).
"""

from .batched import BatchedResult, reinforce_batched
from .bandits import (
    BanditRuns,
    GradientBanditAgent,
    run_gradient_bandit,
    run_gradient_bandit_loop,
    sample_testbed,
)
from .corridor import (
    CorridorRuns,
    short_corridor_optimum,
    short_corridor_runs,
    short_corridor_state_values,
    short_corridor_value,
)
from .envs import GridWorld, ShortCorridor  # importing registers the Gymnasium ids
from .gradcheck import numerical_gradient
from .learners import (
    LearningResult,
    actor_critic,
    discounted_returns,
    episode_gradient,
    reinforce,
    sample_episode,
)
from .features import one_hot, state_action_features, tabular_features
from .gaussian import gaussian_log_prob, gaussian_sample, gaussian_score, gaussian_score_log_std
from .policy import (
    SoftmaxPolicy,
    action_probs,
    entropy,
    entropy_gradient,
    expected_features,
    fisher_information,
    log_prob,
    log_prob_matrix,
    natural_gradient,
    preference_score,
    sample_actions,
    score,
    score_matrix,
)
from .preferences import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    Preferences,
    TabularPreferences,
    policy_entropy,
    policy_fisher,
    policy_log_prob,
    policy_probs,
    policy_sample,
    policy_score,
)
from .softmax import log_softmax, softmax

__version__ = "0.1.0"

__all__ = [
    "BanditRuns",
    "BatchedResult",
    "CorridorRuns",
    "GradientBanditAgent",
    "GridWorld",
    "LearningResult",
    "LinearPreferences",
    "MLPPreferences",
    "MatrixPreferences",
    "Preferences",
    "ShortCorridor",
    "SoftmaxPolicy",
    "TabularPreferences",
    "action_probs",
    "actor_critic",
    "discounted_returns",
    "entropy",
    "entropy_gradient",
    "episode_gradient",
    "expected_features",
    "fisher_information",
    "gaussian_log_prob",
    "gaussian_sample",
    "gaussian_score",
    "gaussian_score_log_std",
    "log_prob",
    "log_prob_matrix",
    "log_softmax",
    "natural_gradient",
    "numerical_gradient",
    "one_hot",
    "policy_entropy",
    "policy_fisher",
    "policy_log_prob",
    "policy_probs",
    "policy_sample",
    "policy_score",
    "preference_score",
    "reinforce",
    "reinforce_batched",
    "run_gradient_bandit",
    "run_gradient_bandit_loop",
    "sample_actions",
    "sample_episode",
    "sample_testbed",
    "score",
    "score_matrix",
    "short_corridor_optimum",
    "short_corridor_runs",
    "short_corridor_state_values",
    "short_corridor_value",
    "softmax",
    "state_action_features",
    "tabular_features",
]
