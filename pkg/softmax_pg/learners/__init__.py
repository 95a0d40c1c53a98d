r"""Policy-gradient learners for Gymnasium environments with a ``Discrete`` action space.

The only part of the package that imports gymnasium. Every learner follows a softmax
policy :math:`\mathrm{softmax}(h_\theta(s)/\tau)` of a parametrisation
(:class:`softmax_pg.Parametrisation`) and moves :math:`\theta` along the score
:math:`\mathrm{D}h_\theta(s)^\top(e_a-\pi)/\tau`: the parametrisation's ``vjp`` of the
kernel's preference-space score, nothing else.

* :func:`reinforce` (§13.3-13.4), :func:`actor_critic` (§13.5, and its batch form with
  n-step or λ-returns), :func:`reinforce_batched` (runs stepped together on a vector env),
  :func:`ppo` (the clipped surrogate, on one or a vector env);
* :func:`evaluate` a trained policy, greedy or sampled; :func:`save_policy`, :func:`load_policy`;
  a run's whole state (:class:`TrainingState`, ``result.state``) to resume it
  (``resume=``), :func:`save_run`, :func:`load_run`;
  a :class:`BatchedResult` kept whole (not resumed): :func:`save_batched`, :func:`load_batched`;
* the options they share in one object, :class:`LearnerOptions` (``options=``);
* optimisers :class:`SGD`, :class:`Adam`, :class:`NaturalGradient`, and the protocol
  :class:`Optimizer` any of yours follows; the returns, GAE advantages (:func:`gae`) and
  step weights (:func:`step_weights`); one episode (:func:`sample_episode`).

Every learner takes its update through the public step
:func:`softmax_pg.step.policy_gradient`.

**Random protocol.** A run draws everything from one generator ``g`` (from ``rng``). With
one episode per update (the default, the textbook algorithms): first
``int(g.integers(2**32))``, the seed of the first ``env.reset``; then ``param.init(g)``
(unless ``theta0``); then one ``g.random()`` per step, turned into an action by the
inverse CDF of :math:`\pi_\theta(\cdot\mid S_t)`; later resets are unseeded. With
``episodes_per_update = E > 1``: first ``param.init(g)``; then, for each episode of each
update in order, ``child = numpy.random.default_rng(int(g.integers(2**63)))``, the episode
reset with ``seed=int(child.integers(2**32))`` and its actions drawn from ``child.random()``.
"""

from ._args import LearnerOptions
from .actor_critic import actor_critic
from .batched import BatchedResult, evaluate_batched, reinforce_batched
from .batched_saving import load_batched, save_batched
from .evaluate import evaluate
from .optim import SGD, Adam, NaturalGradient, Optimizer
from .ppo import clipped_surrogate_weights, ppo
from .reinforce import episode_gradient, reinforce
from .results import LearningResult
from .returns import discounted_returns, gae, normalize_advantages, step_weights
from .rollout import sample_episode
from .saving import load_policy, save_policy
from .state import TrainingState, load_run, save_run

__all__ = [
    "SGD",
    "Adam",
    "BatchedResult",
    "LearnerOptions",
    "LearningResult",
    "NaturalGradient",
    "Optimizer",
    "TrainingState",
    "actor_critic",
    "clipped_surrogate_weights",
    "discounted_returns",
    "episode_gradient",
    "evaluate",
    "evaluate_batched",
    "gae",
    "load_batched",
    "load_policy",
    "load_run",
    "normalize_advantages",
    "ppo",
    "reinforce",
    "reinforce_batched",
    "sample_episode",
    "save_batched",
    "save_policy",
    "save_run",
    "step_weights",
]
