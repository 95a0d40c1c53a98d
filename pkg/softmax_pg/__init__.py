r"""softmax_pg: the softmax policy's score function, derived, checked and put to work.

The companion package of the book; importing it loads numpy and nothing heavier. Its
one idea: a softmax policy is preferences :math:`h_\theta(s)` and a softmax, so its score
is :math:`\mathrm{D}h_\theta(s)^\top(e_a-\pi)/\tau`:

* :mod:`softmax_pg.kernel`: softmax, log-softmax, the preference-space score
  :math:`(e_a-\pi)/\tau`, entropy and its gradient, sampling (the only place each is written);
* :mod:`softmax_pg.parametrisations`: :class:`Parametrisation` (``preferences`` and
  ``vjp``), the tabular, linear, weight-matrix and network forms, :func:`check_preferences`;
* :mod:`softmax_pg.policy`: :class:`SoftmaxPolicy` of any parametrisation;
* Part I's functions of features given directly (:func:`score`, :func:`score_matrix`,
  :func:`action_probs`, ...), thin wrappers over the same two steps;
* :mod:`softmax_pg.features`, :mod:`softmax_pg.gradcheck`, :mod:`softmax_pg.gaussian`.

Reached through their sub-modules: :mod:`softmax_pg.learners` (REINFORCE, actor-critic;
needs gymnasium), :mod:`softmax_pg.envs` (registers the book's environments on import),
:mod:`softmax_pg.experiments` (the bandit testbed, the corridor's runs, the continuous
bandit) and :mod:`softmax_pg.plotting` (matplotlib); :mod:`softmax_pg.sequences` (numpy only): a
language model small enough to enumerate, its sequence score and the estimators on it.
"""

from .features import one_hot, state_action_features, tabular_features
from .gradcheck import numerical_gradient
from .kernel import log_softmax, preference_score, softmax
from .linear_policy import (
    action_probs,
    entropy,
    entropy_gradient,
    expected_features,
    fisher_information,
    log_prob,
    sample_actions,
    score,
)
from .matrix_policy import log_prob_matrix, score_matrix
from .parametrisations import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    Parametrisation,
    TabularPreferences,
    check_preferences,
)
from .policy import SoftmaxPolicy, natural_gradient
from .step import PolicyGradient, policy_gradient

__version__ = "0.1.0"

__all__ = [
    "LinearPreferences",
    "MLPPreferences",
    "MatrixPreferences",
    "Parametrisation",
    "PolicyGradient",
    "SoftmaxPolicy",
    "TabularPreferences",
    "action_probs",
    "check_preferences",
    "entropy",
    "entropy_gradient",
    "expected_features",
    "fisher_information",
    "log_prob",
    "log_prob_matrix",
    "log_softmax",
    "natural_gradient",
    "numerical_gradient",
    "one_hot",
    "policy_gradient",
    "preference_score",
    "sample_actions",
    "score",
    "score_matrix",
    "softmax",
    "state_action_features",
    "tabular_features",
]
