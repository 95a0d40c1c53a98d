"""What every single-run learner shares: its arguments checked once, the random protocol,
the optimiser's step, and the checks after each update (the policy-gradient step itself is
the public :func:`softmax_pg.step.policy_gradient`).
Private module: the learners import it; its functions trust their callers."""

from __future__ import annotations

import numpy as np

from .._validation import check_count, check_positive, check_rng
from ..parametrisations.outputs import (
    checked_init,
    checked_observations,
    checked_preferences,
    checked_theta,
    checked_vjp,
    checked_vjp_sum,
)
from ..policy import SoftmaxPolicy
from ..step import policy_gradient
from ._args import LearnerOptions, check_step_size
from .critic import value_function
from .optim import check_optimizer
from .results import Monitor
from .rollout import Spaces, check_env, play_episode
from .standardize import RunningMoments, Standardized
from .state import TrainingState, restore, resumable, run_generator, training_state


class Setup:
    """The arguments of one run, checked once; the run's generator, parametrisation and critic."""

    def __init__(
        self,
        env,
        options: LearnerOptions,
        *,
        step_size,
        n_episodes,
        rng,
        param,
        features,
        theta0,
        optimizer,
        callback,
        progress,
        value_step_size=None,
        value_features=None,
        value_param=None,
        value_name="baseline_step_size",
        resume=None,
    ):
        self.resume = None if resume is None else resumable(resume, rng, theta0)
        self.env = check_env(env)
        self.spaces = Spaces.of(env)
        self.alpha = check_step_size(step_size, optimizer)
        self.episodes = check_count(n_episodes, "n_episodes")
        self.rng = check_rng(rng) if self.resume is None else run_generator(self.resume.rng)
        self.options = options  # checked when built
        self.gamma, self.tau, self.steps = options.gamma, options.temperature, options.max_steps
        self.per_update, self.normalize = options.episodes_per_update, options.normalize_advantages
        self.discount_weighting = options.discount_weighting
        self.optimizer = check_optimizer(optimizer)
        self.keep_scores = bool(getattr(self.optimizer, "needs_scores", False))
        self.beta = options.entropy_coef
        self.param = self.spaces.parametrisation(features, param)
        self.moments = None
        if options.normalize_observations:
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
        offset = 0 if self.resume is None else self.resume.episodes
        self.monitor = Monitor(self.episodes, callback, progress, offset)
        self._theta0 = theta0
        self._checked = False
        if self.resume is not None:
            restore(
                self.resume,
                self.param,
                self.optimizer,
                moments=self.moments,
                critic=self.critic is not None,
                value_name=value_name,
                env=self.env,
            )
            if self.moments is not None:
                self.param.mean, self.param.std = self.moments.mean, self.moments.std()

    # ------------------------------------------------------------------ random protocol
    def start(self):
        """The first observation (None with several episodes per update) and theta, in order;
        a resumed run's next observation (the env's unseeded reset) and its theta."""
        if self.resume is not None:
            obs = self.env.reset()[0] if self.per_update == 1 else None
            return obs, self.resume.theta.copy()
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
        if self.resume is not None:
            w = self.resume.value_weights
            return None if w is None else w.copy()
        return self.critic.zeros() if self.critic is not None else None

    def state(self, policy: SoftmaxPolicy, w) -> TrainingState:
        """Everything the run needs to go on (``result.state``)."""
        mon = self.monitor
        return training_state(
            policy,
            mon.offset + mon.n,
            self.rng,
            w=w,
            optimizer=self.optimizer,
            moments=self.moments,
            env=self.env,
        )

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
    def update(self, theta, obs, actions, weights) -> tuple[np.ndarray, float, float]:
        """One update through the public step from the weighted steps of the update's
        episodes (entropy bonus averaged over them): (new theta, entropy, |gradient|)."""
        step = policy_gradient(
            self.param,
            theta,
            obs,
            actions,
            weights,
            temperature=self.tau,
            entropy_coef=self.beta / self.per_update,
            keep_scores=self.keep_scores,
            validate=False,
        )
        theta = self.ascend(theta, step.gradient, step.scores)
        return theta, step.entropy, float(np.linalg.norm(step.gradient))

    def ascend(self, theta, gradient, scores):
        """The new theta: theta + step_size * gradient (in place), or the optimiser's step."""
        if self.optimizer is None:
            theta += self.alpha * gradient
            return theta
        return np.asarray(self.optimizer.step(theta, gradient, scores), dtype=np.float64)
