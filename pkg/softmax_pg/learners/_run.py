"""What every single-run learner shares: its arguments checked once, the random protocol,
the policy-gradient step on the one score route, and the checks after each update.
Private module: the learners import it; its functions trust their callers."""

from __future__ import annotations

import copy

import numpy as np

from .. import _kernel
from .._validation import check_count, check_positive, check_rng, check_temperature
from ..parametrisations.outputs import (
    checked_init,
    checked_observations,
    checked_preferences,
    checked_theta,
    checked_vjp,
    checked_vjp_sum,
)
from ..policy import SoftmaxPolicy
from ._args import check_flag, check_gamma, check_nonnegative, check_step_size
from .critic import value_function
from .results import Monitor
from .rollout import Spaces, check_env, play_episode
from .standardize import RunningMoments, Standardized

SCORES_UP_TO = 2**20  # numbers: 8 MiB of per-step scores


def check_optimizer(optimizer):
    """A private copy of the user's optimiser (None stays None: the textbook update)."""
    if optimizer is None:
        return None
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            "optimizer must have a method step(theta, gradient, scores=None) returning the new "
            "theta "
            f"(softmax_pg.learners.SGD, Adam, NaturalGradient); got {optimizer!r}"
        )
    return copy.deepcopy(optimizer)


class Setup:
    """The arguments of one run, checked once; the run's generator, parametrisation and critic."""

    def __init__(
        self,
        env,
        *,
        step_size,
        n_episodes,
        rng,
        param,
        features,
        gamma,
        theta0,
        temperature,
        max_steps,
        episodes_per_update,
        normalize_advantages,
        discount_weighting,
        optimizer,
        entropy_coef,
        normalize_observations,
        callback,
        progress,
        value_step_size=None,
        value_features=None,
        value_param=None,
        value_name="baseline_step_size",
    ):
        self.env = check_env(env)
        self.spaces = Spaces.of(env)
        self.alpha = check_step_size(step_size, optimizer)
        self.episodes = check_count(n_episodes, "n_episodes")
        self.rng = check_rng(rng)
        self.gamma = check_gamma(gamma)
        self.tau = check_temperature(temperature)
        self.steps = check_count(max_steps, "max_steps")
        self.per_update = check_count(episodes_per_update, "episodes_per_update")
        self.normalize = check_flag(normalize_advantages, "normalize_advantages")
        self.discount_weighting = check_flag(discount_weighting, "discount_weighting")
        self.optimizer = check_optimizer(optimizer)
        self.beta = check_nonnegative(entropy_coef, "entropy_coef")
        self.param = self.spaces.parametrisation(features, param)
        self.moments = None
        if check_flag(normalize_observations, "normalize_observations"):
            if self.spaces.discrete:
                raise ValueError(
                    "normalize_observations needs Box observations; got a Discrete observation "
                    "space"
                )
            self.moments = RunningMoments(self.spaces.obs_size)
            self.param = Standardized(self.param, self.moments.mean, self.moments.std())
        self.value_name = value_name
        if value_step_size is None:
            if value_features is not None or value_param is not None:
                raise ValueError(
                    f"value_features and value_param are only used with {value_name}; got no "
                    f"{value_name}"
                )
            self.alpha_w, self.critic = None, None
        else:
            self.alpha_w = check_positive(value_step_size, value_name)
            self.critic = value_function(self.spaces, value_features, value_param, self.rng)
        self.monitor = Monitor(self.episodes, callback, progress)
        self._theta0 = theta0
        self._checked = False

    # ------------------------------------------------------------------ random protocol
    def start(self):
        """The first observation (None with several episodes per update) and theta, in order."""
        obs = None
        if self.per_update == 1:
            obs, _ = self.env.reset(seed=int(self.rng.integers(2**32)))
        if self._theta0 is not None:
            theta = checked_theta(self.param, self._theta0, "theta0").copy()
        else:
            theta = checked_init(self.param, self.rng).copy()
        return obs, theta

    def reset(self, i: int, obs):
        """Episode ``i``'s first observation and generator: the run's (one episode per
        update; later resets unseeded) or a child generator per episode."""
        if self.per_update == 1:
            return (obs if i == 0 else self.env.reset()[0]), self.rng
        child = np.random.default_rng(int(self.rng.integers(2**63)))
        return self.env.reset(seed=int(child.integers(2**32)))[0], child

    def play_update(self, theta: np.ndarray, first: int, last: int, obs) -> list:
        """Episodes ``first`` to ``last - 1`` of one update, all played with ``theta``."""
        episodes = []
        for i in range(first, last):
            start, gen = self.reset(i, obs)
            self.check_param(theta, start)
            episodes.append(
                play_episode(
                    self.env,
                    self.spaces,
                    self.param,
                    theta,
                    start,
                    gen,
                    max_steps=self.steps,
                    tau=self.tau,
                    episode=i,
                )
            )
        return episodes

    def value_weights(self):
        return self.critic.zeros() if self.critic is not None else None

    # ---------------------------------------------------------------- checks, once and after
    def check_param(self, theta: np.ndarray, obs) -> None:
        """What the parametrisation returns, checked once per run on the first observation."""
        if self._checked:
            return
        batch = self.spaces.batch([self.spaces.observe(obs, "env.reset()")])
        batch, n = checked_observations(self.param, batch)
        checked_preferences(self.param, theta, batch, n)
        g = np.zeros((n, self.param.n_actions))
        checked_vjp(self.param, theta, batch, g)
        checked_vjp_sum(self.param, theta, batch, g)
        self._checked = True

    def check_finite(self, theta: np.ndarray, w, episode: int) -> None:
        """A diverged run is an error that names the step size that caused it."""
        if w is not None and not np.isfinite(w).all():
            raise FloatingPointError(
                f"the value weights w stopped being finite after episode {episode}: "
                f"{self.value_name} = "
                f"{self.alpha_w!r} is too large for this problem (the critic diverged); try a "
                "smaller one"
            )
        if not np.isfinite(theta).all():
            what = "step_size" if self.optimizer is None else f"the optimizer {self.optimizer!r}"
            raise FloatingPointError(
                f"theta stopped being finite after episode {episode}: {what} = {self.alpha!r} is "
                "too large "
                "for this problem; try a smaller one"
                if self.optimizer is None
                else f"theta stopped being finite after episode {episode}: {what} diverged"
            )

    def observed(self, observations: np.ndarray) -> None:
        """After an update: the running moments of the observations move (normalisation on)."""
        if self.moments is not None:
            self.moments.update(observations)
            self.param.mean, self.param.std = self.moments.mean, self.moments.std()

    def policy(self, theta: np.ndarray) -> SoftmaxPolicy:
        param = self.param.frozen() if self.moments is not None else self.param
        return SoftmaxPolicy(param, theta, self.tau)

    # ------------------------------------------------------------------- the update
    def gradient(self, theta, obs, actions, weights):
        r"""The update's direction :math:`\sum_t w_t \nabla\log\pi(A_t|S_t)` (+ the entropy term),
        the per-step scores when they were formed, and the policy's mean entropy.

        The per-step scores ``param.vjp(theta, S, (e_A - pi)/tau)`` are formed when they fit in
        :data:`SCORES_UP_TO` numbers (or the optimiser needs them) and the direction is then
        ``weights @ scores``; beyond, ``param.vjp_sum`` with the weights folded into g.
        """
        h = self.param.preferences(theta, obs)
        log_probs = _kernel.log_softmax(h, self.tau)
        g = _kernel.score_from_probs(
            _kernel.softmax(h, self.tau), actions, self.tau, overwrite=True
        )
        entropy = float(np.mean(_kernel.entropy_from_log_probs(log_probs))) if len(actions) else 0.0
        needs = self.optimizer is not None and getattr(self.optimizer, "needs_scores", False)
        scores = None
        if needs or len(actions) * self.param.n_params <= SCORES_UP_TO:
            scores = self.param.vjp(theta, obs, g)
            gradient = weights @ scores
        else:
            gradient = self.param.vjp_sum(theta, obs, weights[:, None] * g)
        if self.beta > 0.0:
            gh = (self.beta / self.per_update) * _kernel.entropy_gradient_from_log_probs(
                log_probs, self.tau
            )
            gradient = gradient + self.param.vjp_sum(theta, obs, gh)
        return gradient, scores, entropy

    def ascend(self, theta, gradient, scores):
        """The new theta: theta + step_size * gradient (in place), or the optimiser's step."""
        if self.optimizer is None:
            theta += self.alpha * gradient
            return theta
        return np.asarray(self.optimizer.step(theta, gradient, scores), dtype=np.float64)
