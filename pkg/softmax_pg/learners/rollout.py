r"""Environments and episodes: the spaces the learners support, observation checks, and one
episode played with a fixed :math:`\theta` on a single environment.

Actions come from the kernel alone: :math:`\pi = \mathrm{softmax}(h_\theta(s)/\tau)` with
``h = param.preferences(theta, [s])``, then the inverse CDF of one uniform number
(``rng.random()``) per step (the package's random protocol, :mod:`softmax_pg.learners`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import _kernel
from .._validation import check_count, check_rng, check_temperature
from ..parametrisations import LinearPreferences, MatrixPreferences, TabularPreferences
from ..parametrisations.outputs import checked, checked_theta

__all__ = ["Episode", "Spaces", "check_env", "checked_reward", "play_episode", "sample_episode"]

_FLATTEN = "wrap it in gymnasium.wrappers.FlattenObservation(env) to get a Box"


def check_env(env: object, name: str = "env") -> object:
    """``env`` after checking it is one (not vectorised) Gymnasium environment."""
    if isinstance(env, str):
        raise TypeError(
            f"{name} must be a gymnasium.Env, not the environment's id; got the string {env!r}: "
            f"pass gymnasium.make({env!r})"
        )
    if getattr(env, "num_envs", None) is not None or hasattr(env, "single_action_space"):
        raise TypeError(
            f"{name} must be a single environment; got a vector environment with num_envs = "
            f"{getattr(env, 'num_envs', '?')}: use softmax_pg.learners.reinforce_batched, or "
            "gymnasium.make(...)"
        )
    if not (hasattr(env, "reset") and hasattr(env, "step")):
        raise TypeError(f"{name} must be a gymnasium.Env with reset() and step(); got {env!r}")
    return env


class Spaces:
    """The observation and action spaces of an environment, checked.

    Actions: ``Discrete(n)`` starting at 0. Observations: ``Discrete(n)`` starting at 0
    (``n_states`` is set) or ``Box`` (``obs_shape`` and ``obs_size``; an observation is
    flattened to ``(obs_size,)`` floats).
    """

    def __init__(self, observation_space, action_space, where: str = "env") -> None:
        from gymnasium import spaces

        if isinstance(action_space, (spaces.MultiDiscrete, spaces.MultiBinary)):
            raise TypeError(
                f"{where}.action_space must be gymnasium.spaces.Discrete(n) (one choice among n "
                "actions); "
                f"got {action_space!r}: several discrete choices at once need one softmax per "
                "choice, "
                "which these learners do not have"
            )
        if not isinstance(action_space, spaces.Discrete) or int(action_space.start) != 0:
            raise TypeError(
                f"{where}.action_space must be gymnasium.spaces.Discrete(n) starting at 0 (a "
                "softmax "
                f"over n actions); got {action_space!r}. Box (continuous) actions need a Gaussian "
                "policy (softmax_pg.gaussian), not a softmax"
            )
        self.n_actions = int(action_space.n)
        self.n_states: int | None = None
        self.obs_shape: tuple[int, ...] = ()
        self.obs_size = 0
        if isinstance(observation_space, spaces.Discrete):
            if int(observation_space.start) != 0:
                raise TypeError(
                    f"{where}.observation_space Discrete must start at 0; got {observation_space!r}"
                )
            self.n_states = int(observation_space.n)
        elif isinstance(observation_space, spaces.Box):
            self.obs_shape = tuple(int(n) for n in observation_space.shape)
            self.obs_size = int(np.prod(self.obs_shape, dtype=np.int64))
        elif isinstance(
            observation_space, (spaces.Tuple, spaces.Dict, spaces.MultiDiscrete, spaces.MultiBinary)
        ):
            raise TypeError(
                f"{where}.observation_space must be Discrete or Box; got {observation_space!r}: "
                f"{_FLATTEN}"
            )
        else:
            raise TypeError(
                f"{where}.observation_space must be gymnasium.spaces.Discrete (starting at 0) or "
                f"gymnasium.spaces.Box; got {observation_space!r}"
            )

    @classmethod
    def of(cls, env) -> Spaces:
        """The spaces of a single environment (checked with :func:`check_env`)."""
        check_env(env)
        return cls(getattr(env, "observation_space", None), getattr(env, "action_space", None))

    @property
    def discrete(self) -> bool:
        return self.n_states is not None

    def observe(self, obs, where: str):
        """One checked observation: a Python int state, or a (obs_size,) float64 vector."""
        if self.discrete:
            if (
                isinstance(obs, (bool, np.bool_))
                or not isinstance(obs, (int, np.integer))
                or not (0 <= obs < self.n_states)
            ):
                raise ValueError(
                    f"the observation from {where} must be an integer state in [0, "
                    f"{self.n_states}); got {obs!r}"
                )
            return int(obs)
        x = np.asarray(obs, dtype=np.float64)
        if x.shape != self.obs_shape:
            raise ValueError(
                f"the observation from {where} must have shape {self.obs_shape} (the "
                "observation_space); "
                f"got shape {x.shape}"
            )
        if not np.isfinite(x).all():
            raise ValueError(f"the observation from {where} must be finite; got {x!r}")
        return x.reshape(self.obs_size)

    def batch(self, xs: list) -> np.ndarray:
        """Observations from :meth:`observe` stacked: int64 (n,) or float64 (n, obs_size)."""
        if self.discrete:
            return np.array(xs, dtype=np.int64)
        return np.stack(xs) if xs else np.zeros((0, self.obs_size))

    def parametrisation(self, features: ArrayLike | None = None, param=None):
        """``param`` checked against the spaces; else a feature table's linear form; else default.

        The default is tabular for ``Discrete`` observations and the weight matrix
        :math:`W^\\top[x;1]` on the flattened observation for ``Box``.
        """
        if features is not None and param is not None:
            raise ValueError("give features or param, not both; got both")
        if param is not None:
            return self._check_param(checked(param))
        if features is None:
            if self.discrete:
                return TabularPreferences(self.n_states, self.n_actions)
            return MatrixPreferences(self.obs_size, self.n_actions)
        if not self.discrete:
            raise ValueError(
                "features (a table indexed by the state) needs a Discrete observation space; for "
                "Box "
                "observations pass param=LinearPreferences(callable, n_actions, n_features) or "
                "MatrixPreferences(...)"
            )
        phi = np.asarray(features, dtype=np.float64)
        shape = (self.n_states, self.n_actions)
        if phi.ndim != 3 or phi.shape[:2] != shape or phi.shape[2] == 0:
            raise ValueError(
                f"features must have shape (n_states, n_actions, n_features) = ({shape[0]}, "
                f"{shape[1]}, d) "
                f"for this environment; got shape {phi.shape}"
            )
        return LinearPreferences(phi)

    def _check_param(self, p):
        if p.n_actions != self.n_actions:
            raise ValueError(
                f"param must have n_actions = {self.n_actions} (the action space); got {p!r}"
            )
        n = getattr(p, "n_states", None)
        if (
            isinstance(p, (TabularPreferences, LinearPreferences))
            and n is not None
            and n != self.n_states
        ):
            raise ValueError(
                f"param {p!r} must have n_states = {self.n_states} (the observation space)"
            )
        return p


@dataclass
class Episode:
    """One episode: observations (as :meth:`Spaces.batch` stacks them), actions, rewards.

    ``last`` is the observation after the final step (None when the episode terminated),
    for a critic to bootstrap from.
    """

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminated: bool
    last: object = None

    @property
    def length(self) -> int:
        return int(self.actions.shape[0])


def checked_reward(r, t: int, episode: int, a: int) -> float:
    """The reward ``r`` of ``env.step()`` at step ``t`` (action ``a``) as a float, if finite."""
    r = float(r)
    if not math.isfinite(r):
        raise ValueError(
            f"env.step() returned the reward {r!r} at step {t} of episode {episode} (action {a}); "
            "rewards must be finite numbers: the environment, not the learner, produced it"
        )
    return r


def play_episode(
    env,
    spaces: Spaces,
    param,
    theta: np.ndarray,
    obs,
    rng: np.random.Generator,
    *,
    max_steps: int,
    tau: float = 1.0,
    episode: int = 0,
) -> Episode:
    """Play one episode from ``obs`` (just reset) with :math:`\\theta` fixed. Trusted."""
    xs, actions, rewards = [], [], []
    x = spaces.observe(obs, "env.reset()")
    terminated, last = False, None
    for t in range(max_steps):
        h = param.preferences(theta, spaces.batch([x]))[0]
        a = _kernel.sample_row(_kernel.softmax(h, tau), rng.random())  # one row: the fast path
        obs, r, terminated, truncated, _ = env.step(a)
        r = checked_reward(r, t, episode, a)
        xs.append(x)
        actions.append(a)
        rewards.append(r)
        if terminated:
            break
        x = spaces.observe(obs, "env.step()")
        if truncated:
            break
    if not terminated:
        last = x
    return Episode(
        spaces.batch(xs),
        np.array(actions, dtype=np.int64),
        np.array(rewards),
        bool(terminated),
        last,
    )


def sample_episode(
    env,
    theta: ArrayLike,
    features: ArrayLike | None,
    rng: int | np.random.Generator,
    *,
    param=None,
    max_steps: int = 1000,
    seed: int | None = None,
    temperature: float = 1.0,
):
    r"""Play one episode with the fixed policy :math:`\pi_\theta`: its states, actions, rewards.

    Resets ``env`` (with ``seed``), then draws one uniform number from ``rng`` per step and
    turns it into :math:`A_t \sim \pi_\theta(\cdot\mid S_t)` by inverting the cumulative
    distribution, until the episode terminates, is truncated, or reaches ``max_steps``.

    Parameters
    ----------
    env : gymnasium.Env
        Action space ``Discrete``; observation space ``Discrete`` or ``Box``.
    theta : array_like, shape (n_params,)
    features : array_like, shape (n_states, n_actions, n_features), or None
        A feature table (the linear policy); None: ``param``, or the default parametrisation.
    rng : int or numpy.random.Generator
    param : Parametrisation, optional
    max_steps : int, default 1000
    seed : int, optional
        Passed to ``env.reset``.
    temperature : float, default 1.0

    Returns
    -------
    observations : numpy.ndarray, shape (n_steps,) int64 states or (n_steps, obs_size)
    actions : numpy.ndarray of int64, shape (n_steps,)
    rewards : numpy.ndarray, shape (n_steps,)
    """
    spaces = Spaces.of(env)
    p = spaces.parametrisation(features, param)
    th = checked_theta(p, theta)
    gen = check_rng(rng)
    steps = check_count(max_steps, "max_steps")
    tau = check_temperature(temperature)
    obs, _ = env.reset(seed=seed)
    ep = play_episode(env, spaces, p, th, obs, gen, max_steps=steps, tau=tau)
    return ep.observations, ep.actions, ep.rewards
