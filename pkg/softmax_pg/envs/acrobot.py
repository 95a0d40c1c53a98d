r"""Gymnasium's Acrobot-v1 as a numpy vector environment: every sub-environment stepped at once.

The acrobot (Sutton 1996; Sutton & Barto 2018, §16.3) is two links hanging from a fixed
pivot, with a torque of -1, 0 or +1 at the joint between them; every step costs a reward of
-1 until the tip swings above the height of one link over the pivot. Gymnasium's
``Acrobot-v1`` steps one system at a time in Python (tens of microseconds a step) and has no
vector version; :class:`AcrobotVectorEnv` integrates ``num_envs`` systems with the same
equations ("book" dynamics), the same fourth-order Runge-Kutta step of 0.2 s, the same
wrapping of the angles and bounds on the velocities, the same reward and termination,
written over arrays in the same order of operations, so that its numbers are Gymnasium's.

Episodes are cut at ``max_episode_steps`` (500). Like Gymnasium's ``CartPoleVectorEnv`` it
resets a finished sub-environment on the *next* call of :meth:`~AcrobotVectorEnv.step`
(``AutoresetMode.NEXT_STEP``: that step ignores its action and returns the new first
observation with reward 0). Unlike CartPole's, every sub-environment draws from its own
generator, seeded as ``SyncVectorEnv`` seeds its sub-environments (``seed + i``, or a list),
and ``reset`` accepts ``options={"reset_mask": mask}``: with the same seeds and actions it
returns what ``gymnasium.make_vec("Acrobot-v1", n, vectorization_mode="sync")`` returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.envs.classic_control import utils
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space
from numpy import cos, pi, sin

from .._validation import check_count

__all__ = ["AcrobotVectorEnv"]


class AcrobotVectorEnv(VectorEnv):
    r"""``num_envs`` copies of Gymnasium's ``Acrobot-v1``, stepped together in numpy.

    Observation space (per sub-environment) ``Box(6,)`` of float32:
    :math:`(\cos\theta_1, \sin\theta_1, \cos\theta_2, \sin\theta_2, \dot\theta_1,
    \dot\theta_2)`; action space ``Discrete(3)``, torques -1, 0, +1. The reward is -1 per step
    and 0 on the step that reaches the goal height :math:`-\cos\theta_1 - \cos(\theta_1 +
    \theta_2) > 1`, which terminates the episode; ``truncated`` after ``max_episode_steps``.

    Parameters
    ----------
    num_envs : int, default 1
        The number of sub-environments.
    max_episode_steps : int, default 500
        Episodes are truncated after this many steps (Acrobot-v1's time limit).
    render_mode : None
        Rendering is not supported; only None is accepted.

    Attributes
    ----------
    state : numpy.ndarray of float64, shape (num_envs, 4)
        :math:`(\theta_1, \theta_2, \dot\theta_1, \dot\theta_2)` of every sub-environment.

    References
    ----------
    Sutton (1996), "Generalization in reinforcement learning: successful examples using sparse
    coarse coding"; Gymnasium's ``gymnasium/envs/classic_control/acrobot.py``.
    """

    # reset_mask: reset(seed=[...], options={"reset_mask": m}) resets those sub-environments
    # alone, as SyncVectorEnv does, so the batched learner resets them slot by slot
    metadata = {"render_modes": [], "autoreset_mode": AutoresetMode.NEXT_STEP, "reset_mask": True}

    dt = 0.2
    LINK_LENGTH_1 = 1.0
    LINK_MASS_1 = 1.0
    LINK_MASS_2 = 1.0
    LINK_COM_POS_1 = 0.5
    LINK_COM_POS_2 = 0.5
    LINK_MOI = 1.0
    MAX_VEL_1 = 4 * pi
    MAX_VEL_2 = 9 * pi
    AVAIL_TORQUE = np.array([-1.0, 0.0, +1])

    def __init__(
        self, num_envs: int = 1, max_episode_steps: int = 500, render_mode: str | None = None
    ) -> None:
        if render_mode is not None:
            raise ValueError(
                f"render_mode must be None (AcrobotVectorEnv does not render); got {render_mode!r}"
            )
        self.num_envs = check_count(num_envs, "num_envs")
        self.max_episode_steps = check_count(max_episode_steps, "max_episode_steps")
        self.render_mode = None
        high = np.array([1.0, 1.0, 1.0, 1.0, self.MAX_VEL_1, self.MAX_VEL_2], dtype=np.float32)
        self.single_observation_space = spaces.Box(low=-high, high=high, dtype=np.float32)
        self.single_action_space = spaces.Discrete(3)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.state = None
        self.steps = np.zeros(self.num_envs, dtype=np.int64)
        self.prev_done = np.zeros(self.num_envs, dtype=bool)
        self._gens: list[np.random.Generator | None] = [None] * self.num_envs
        self._bounds = (-0.1, 0.1)

    def _seeds(self, seed) -> list[int | None]:
        if seed is None:
            return [None] * self.num_envs
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            return [int(seed) + i for i in range(self.num_envs)]
        seeds = list(seed)
        if len(seeds) != self.num_envs:
            raise ValueError(
                f"seed must be None, an int, or a list of num_envs = {self.num_envs} seeds; got "
                f"a list of length {len(seeds)}"
            )
        return seeds

    def _draw(self, i: int) -> np.ndarray:
        """A first state for sub-environment ``i`` from its generator (Acrobot's reset)."""
        if self._gens[i] is None:
            self._gens[i], _ = seeding.np_random()
        low, high = self._bounds
        return self._gens[i].uniform(low=low, high=high, size=(4,)).astype(np.float32)

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start new episodes: all of them, or those in ``options["reset_mask"]``.

        Parameters
        ----------
        seed : None, int or list of (int or None)
            ``int``: sub-environment ``i`` is seeded with ``seed + i``; a list: one seed (or
            None) per sub-environment; None: each continues its own generator.
        options : dict, optional
            ``"reset_mask"``: boolean array, shape (num_envs,), the sub-environments to reset
            (default all); ``"low"``, ``"high"``: bounds of the uniform first state
            (default -0.1, 0.1), as for ``Acrobot-v1``.

        Returns
        -------
        observations : numpy.ndarray of float32, shape (num_envs, 6)
        info : dict
            Empty.
        """
        options = dict(options or {})
        mask = self._mask(options.pop("reset_mask", None))
        self._bounds = utils.maybe_parse_reset_bounds(options or None, -0.1, 0.1)
        seeds = self._seeds(seed)
        if self.state is None:
            self.state = np.zeros((self.num_envs, 4))
        for i in np.flatnonzero(mask).tolist():
            if seeds[i] is not None:
                self._gens[i], _ = seeding.np_random(seeds[i])
            self.state[i] = self._draw(i)
        self.steps[mask] = 0
        self.prev_done[mask] = False
        return self._observation(), {}

    def _mask(self, mask) -> np.ndarray:
        if mask is None:
            return np.ones(self.num_envs, dtype=bool)
        if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
            raise TypeError(f"options['reset_mask'] must be a numpy bool array; got {mask!r}")
        if mask.shape != (self.num_envs,):
            raise ValueError(
                f"options['reset_mask'] must have shape ({self.num_envs},); got {mask.shape}"
            )
        return mask

    def step(
        self, actions
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Apply one torque in every sub-environment; reset those whose episode ended last step.

        Parameters
        ----------
        actions : array of int, shape (num_envs,)
            0, 1 or 2 (torque -1, 0, +1).

        Returns
        -------
        observations : numpy.ndarray of float32, shape (num_envs, 6)
        rewards : numpy.ndarray of float64, shape (num_envs,)
            -1, 0 on the step that reaches the goal and on a reset step.
        terminated, truncated : numpy.ndarray of bool, shape (num_envs,)
        info : dict
            Empty.
        """
        if self.state is None:
            raise RuntimeError("call reset() before step()")
        a = np.asarray(actions)
        if a.shape != (self.num_envs,) or not np.issubdtype(a.dtype, np.integer):
            raise ValueError(
                f"actions must be integers of shape ({self.num_envs},); got {actions!r}"
            )
        if a.min() < 0 or a.max() > 2:
            raise ValueError(f"actions must be 0, 1 or 2; got {actions!r}")
        self.state = self._integrate(self.state, self.AVAIL_TORQUE[a])
        s = self.state
        terminated = -cos(s[:, 0]) - cos(s[:, 1] + s[:, 0]) > 1.0
        rewards = np.where(terminated, 0.0, -1.0)
        self.steps += 1
        truncated = self.steps >= self.max_episode_steps
        for i in np.flatnonzero(self.prev_done).tolist():  # NEXT_STEP autoreset
            self.state[i] = self._draw(i)
        done = self.prev_done
        self.steps[done] = 0
        rewards[done] = 0.0
        terminated[done] = False
        truncated[done] = False
        self.prev_done = terminated | truncated
        return self._observation(), rewards, terminated, truncated, {}

    def _integrate(self, s: np.ndarray, torque: np.ndarray) -> np.ndarray:
        """One RK4 step of 0.2 s, then wrap the angles and bound the velocities (on the
        transposed state, shape (4, n), whose rows are contiguous)."""
        y0 = np.ascontiguousarray(s.T)
        dt = self.dt
        dt2 = dt / 2.0
        k1 = self._dsdt(y0, torque)
        k2 = self._dsdt(y0 + dt2 * k1, torque)
        k3 = self._dsdt(y0 + dt2 * k2, torque)
        k4 = self._dsdt(y0 + dt * k3, torque)
        ns = y0 + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        ns[0] = _wrap(ns[0], -pi, pi)
        ns[1] = _wrap(ns[1], -pi, pi)
        ns[2] = np.minimum(np.maximum(ns[2], -self.MAX_VEL_1), self.MAX_VEL_1)
        ns[3] = np.minimum(np.maximum(ns[3], -self.MAX_VEL_2), self.MAX_VEL_2)
        return np.ascontiguousarray(ns.T)

    def _dsdt(self, s: np.ndarray, a: np.ndarray) -> np.ndarray:
        """The time derivative of the states ``s`` (4, n) under torques ``a`` (n,): the book's
        equations, written as in Gymnasium."""
        m1 = self.LINK_MASS_1
        m2 = self.LINK_MASS_2
        l1 = self.LINK_LENGTH_1
        lc1 = self.LINK_COM_POS_1
        lc2 = self.LINK_COM_POS_2
        I1 = self.LINK_MOI
        I2 = self.LINK_MOI
        g = 9.8
        theta1, theta2, dtheta1, dtheta2 = s
        cos2, sin2 = cos(theta2), sin(theta2)  # each used more than once
        d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * cos2) + I1 + I2
        d2 = m2 * (lc2**2 + l1 * lc2 * cos2) + I2
        phi2 = m2 * lc2 * g * cos(theta1 + theta2 - pi / 2.0)
        phi1 = (
            -m2 * l1 * lc2 * _sq(dtheta2) * sin2
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - pi / 2)
            + phi2
        )
        ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * _sq(dtheta1) * sin2 - phi2) / (
            m2 * lc2**2 + I2 - _sq(d2) / d1
        )
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return np.stack([dtheta1, dtheta2, ddtheta1, ddtheta2])

    def _observation(self) -> np.ndarray:
        s = self.state
        return np.stack(
            [cos(s[:, 0]), sin(s[:, 0]), cos(s[:, 1]), sin(s[:, 1]), s[:, 2], s[:, 3]], axis=1
        ).astype(np.float32)


def _sq(x: np.ndarray) -> np.ndarray:
    """``x ** 2`` as Gymnasium's scalars compute it, with ``pow`` (``x * x``, which numpy uses
    for an array, rounds differently in the last bit now and then)."""
    return np.float_power(x, 2.0)


def _wrap(x: np.ndarray, m: float, M: float) -> np.ndarray:
    """``x`` shifted by whole multiples of ``M - m`` into ``[m, M]``, one shift at a time as in
    Gymnasium's ``wrap`` (so the rounding is the same)."""
    diff = M - m
    x = x.copy()
    while (x > M).any():
        x = np.where(x > M, x - diff, x)
    while (x < m).any():
        x = np.where(x < m, x + diff, x)
    return x
