r"""The softmax policy of any parametrisation: :class:`SoftmaxPolicy`, and :func:`natural_gradient`.

:math:`\pi_\theta(\cdot\mid s) = \mathrm{softmax}(h_\theta(s)/\tau)`; every method is the
kernel (:mod:`softmax_pg._kernel`) on the parametrisation's preferences, and every
gradient the parametrisation's vjp of a kernel vector, e.g. the score
:math:`\mathrm{D}h_\theta(s)^\top(e_a-\pi)/\tau` (the book's chapter "Any differentiable
preferences").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _kernel
from ._blocks import block_rows, score_in_blocks
from ._fisher import fisher_from_scores
from ._validation import (
    QUIET,
    as_real_array,
    check_actions,
    check_flag,
    check_kept_generator,
    check_positive,
    check_rng,
    check_seed,
    check_shape,
    check_temperature,
    safe_ndim,
)
from .parametrisations import LinearPreferences, Parametrisation
from .parametrisations.outputs import (
    checked,
    checked_observations,
    checked_preferences,
    checked_theta,
    checked_vjp,
)

__all__ = ["SoftmaxPolicy", "natural_gradient"]


def natural_gradient(fisher: ArrayLike, gradient: ArrayLike, damping: float = 1e-3) -> np.ndarray:
    r"""The natural gradient :math:`(F + \nu I)^{-1}\nabla J`, by a damped linear solve.

    The softmax policy's Fisher matrix is singular whenever a direction of :math:`\theta`
    changes no probability, hence the damping :math:`\nu > 0` (Kakade 2001).

    Parameters
    ----------
    fisher : array_like, shape (..., d, d)
    gradient : array_like, shape (..., d)
    damping : float, default 1e-3

    Returns
    -------
    numpy.ndarray, shape broadcast of the batch shapes + (d,)
    """
    f = as_real_array(fisher, "fisher", min_ndim=2)
    if f.shape[-1] != f.shape[-2] or f.shape[-1] == 0:
        raise ValueError(
            f"fisher must have shape (..., n_features, n_features); got shape {f.shape}"
        )
    g = as_real_array(gradient, "gradient", min_ndim=1)
    if g.shape[-1] != f.shape[-1]:
        raise ValueError(
            f"gradient must have shape (..., n_features) with n_features = {f.shape[-1]} to match "
            f"fisher; got shape {g.shape}"
        )
    lam = check_positive(damping, "damping")
    return np.linalg.solve(f + lam * np.eye(f.shape[-1]), g[..., None])[..., 0]


def _as_param(param) -> Parametrisation:
    """``param`` itself, or a features table wrapped in LinearPreferences."""
    if isinstance(param, (Parametrisation, str, bytes)) or callable(param):
        return param
    table = np.asarray(param) if isinstance(param, (np.ndarray, list, tuple)) else None
    if table is not None and table.ndim == 3 and np.issubdtype(table.dtype, np.number):
        return LinearPreferences(table)
    return param  # checked() names what is wrong


class SoftmaxPolicy:
    r"""A softmax policy :math:`\mathrm{softmax}(h_\theta(s)/\tau)` holding its parametrisation and
    :math:`\theta`.

    Every method takes a batch of observations ``(batch, ...)``, or one observation
    without the batch axis when :attr:`observation_shape` says what one looks like (then
    the batch axis is dropped from the result too). An empty batch gives empty results
    (``probs`` of shape (0, n_actions), ``score`` (0, n_params), ...).

    Parameters
    ----------
    param : Parametrisation or array_like
        The preferences; a features table (n_states, n_actions, d) becomes
        :class:`~softmax_pg.LinearPreferences`.
    theta : array_like, shape (n_params,)
        Copied.
    temperature : float, default 1.0
    observation_shape : tuple of int, optional
        The shape of one observation, when the parametrisation's ``observation_shape`` is
        None. Left out, it is inferred: from the first batch given to a method (the shape
        of ``observations[0]``), or from the one observation given to :meth:`act`.
    rng : int or numpy.random.Generator, default 0
        The generator :meth:`act` draws from when given none, kept between calls.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_pg import SoftmaxPolicy, TabularPreferences
    >>> SoftmaxPolicy(TabularPreferences(1, 3), np.zeros(3)).score(0, 0)
    array([ 0.66666667, -0.33333333, -0.33333333])
    """

    def __init__(
        self,
        param,
        theta: ArrayLike,
        temperature: float = 1.0,
        *,
        observation_shape: tuple[int, ...] | None = None,
        rng: int | np.random.Generator = 0,
    ) -> None:
        self.param = checked(_as_param(param))
        self.theta = checked_theta(self.param, theta).copy()
        self.temperature = check_temperature(temperature)
        self._shape = check_shape(observation_shape, "observation_shape")
        self._seed = rng if isinstance(rng, np.random.Generator) else check_seed(rng)
        self._rng: np.random.Generator | None = None

    @property
    def rng(self) -> np.random.Generator:
        """The generator :meth:`act` draws from by default, made from the seed on first use."""
        if self._rng is None:
            self._rng = check_rng(self._seed)
        return self._rng

    @property
    def observation_shape(self) -> tuple[int, ...] | None:
        """The shape of one observation: the parametrisation's, else given or inferred."""
        shape = self.param.observation_shape
        return tuple(shape) if shape is not None else self._shape

    def __repr__(self) -> str:
        return f"SoftmaxPolicy({self.param!r}, temperature={self.temperature})"

    def _batch(self, observations, single: bool = False):
        """(checked batch, its size, whether one observation was given without a batch axis).

        ``single``: the caller gives one observation (:meth:`act`)."""
        shape = self.observation_shape
        if shape is None and safe_ndim(observations) >= int(not single):  # infer it, once
            self._shape = np.shape(observations)[int(not single) :]
            shape = self._shape
        single = shape is not None and np.shape(observations) == tuple(shape)
        obs, batch = checked_observations(
            self.param, np.asarray(observations)[None] if single else observations
        )
        return obs, batch, single

    def _h(self, observations, single: bool = False):
        obs, batch, single = self._batch(observations, single)
        return obs, checked_preferences(self.param, self.theta, obs, batch), single

    def _actions(self, actions, batch: int, single: bool) -> np.ndarray:
        a = check_actions(actions, self.param.n_actions)
        a = a.reshape(1) if single and a.ndim == 0 else a
        if a.shape != (batch,):
            raise ValueError(
                f"actions must have shape (batch,) = ({batch},), one per observation; got shape "
                f"{a.shape}"
            )
        return a

    def preferences(self, observations) -> np.ndarray:
        """:math:`h_\\theta(s)`, shape (batch, n_actions)."""
        _, h, single = self._h(observations)
        return h[0] if single else h

    @QUIET
    def probs(self, observations) -> np.ndarray:
        """:math:`\\pi_\\theta(\\cdot\\mid s)`, shape (batch, n_actions)."""
        _, h, single = self._h(observations)
        p = _kernel.softmax(h, self.temperature)
        return p[0] if single else p

    @QUIET
    def log_prob(self, observations, actions) -> np.ndarray:
        """:math:`\\log\\pi_\\theta(a_i\\mid s_i)`, shape (batch,)."""
        _, h, single = self._h(observations)
        out = _kernel.take(
            _kernel.log_softmax(h, self.temperature), self._actions(actions, len(h), single)
        )
        return out[0] if single else out

    @QUIET
    def score(self, observations, actions) -> np.ndarray:
        """:math:`\\mathrm{D}h_\\theta(s_i)^\\top(e_{a_i}-\\pi)/\\tau`, shape (batch, n_params).

        A large batch is computed in blocks of rows (the same numbers), on one thread: a
        parametrisation need not be safe to call from several threads at once.
        """
        obs, batch, single = self._batch(observations)
        rows = block_rows(obs, self.param.n_params)
        if rows is not None and getattr(self.param, "_blocked_score", True):
            blocked = self._score_in_blocks(obs, self._actions(actions, batch, single), rows)
            if blocked is not None:
                return blocked
        h = checked_preferences(self.param, self.theta, obs, batch)
        a = self._actions(actions, batch, single)
        g = _kernel.preference_score(h, a, self.temperature)
        out = checked_vjp(self.param, self.theta, obs, g)
        return out[0] if single else out

    def _score_in_blocks(self, obs, actions: np.ndarray, rows: int):
        """:meth:`score` of a checked batch, block by block, each block's outputs checked; None
        if a check failed (one pass then raises, naming the index in the whole batch)."""
        param = self.param

        def preferences(theta, block):
            return checked_preferences(param, theta, block, len(block))

        def vjp(theta, block, g):
            return checked_vjp(param, theta, block, g)

        try:
            return score_in_blocks(
                preferences, vjp, self.theta, obs, actions, self.temperature, rows
            )
        except (TypeError, ValueError):
            return None

    @QUIET
    def entropy(self, observations) -> np.ndarray:
        """:math:`-\\sum_b\\pi_b\\log\\pi_b` at each observation, shape (batch,)."""
        _, h, single = self._h(observations)
        out = _kernel.preference_entropy(h, self.temperature)
        return out[0] if single else out

    @QUIET
    def entropy_gradient(self, observations) -> np.ndarray:
        """:math:`\\nabla_\\theta H` at each observation, the vjp of the kernel's, shape (batch,
        n_params)."""
        obs, h, single = self._h(observations)
        g = _kernel.preference_entropy_gradient(h, self.temperature)
        out = checked_vjp(self.param, self.theta, obs, g)
        return out[0] if single else out

    @QUIET
    def fisher(self, observations) -> np.ndarray:
        r""":math:`F(s) = \sum_b\pi_b\,\nabla\log\pi_b\nabla\log\pi_b^\top`, shape (batch,
        n_params, n_params)."""
        obs, h, single = self._h(observations)
        p = _kernel.softmax(h, self.temperature)
        scores = np.stack(
            [
                checked_vjp(
                    self.param,
                    self.theta,
                    obs,
                    _kernel.score_from_probs(p, np.full(len(h), b), self.temperature),
                )
                for b in range(self.param.n_actions)
            ],
            axis=1,
        )
        out = fisher_from_scores(scores, p)
        return out[0] if single else out

    def natural_gradient(
        self, observations, gradient: ArrayLike, damping: float = 1e-3
    ) -> np.ndarray:
        r""":math:`(\bar F + \nu I)^{-1}\nabla J` with :math:`\bar F` the mean Fisher over the
        observations."""
        fisher = self.fisher(observations)
        return natural_gradient(
            fisher if fisher.ndim == 2 else fisher.mean(axis=0), gradient, damping
        )

    @QUIET
    def sample(self, observations, rng: int | np.random.Generator) -> np.ndarray:
        """:math:`a_i\\sim\\pi_\\theta(\\cdot\\mid s_i)`, one ``rng.random()`` each (inverse CDF),
        int64 (batch,); a Python int for one observation."""
        gen = check_rng(rng)
        _, h, single = self._h(observations)
        a = _kernel.preference_sample(h, gen.random(len(h)), self.temperature)
        return int(a[0]) if single else a

    @QUIET
    def act(
        self,
        observation,
        rng: np.random.Generator | None = None,
        *,
        deterministic: bool = False,
    ) -> int:
        """One action for one observation, as a Python int: sampled from
        :math:`\\pi_\\theta(\\cdot\\mid s)`, or :meth:`greedy`'s with ``deterministic=True``.

        ``rng`` is a generator kept between calls, by default the policy's own
        (:attr:`rng`), so successive calls draw fresh numbers.
        """
        gen = self.rng if rng is None else check_kept_generator(rng)
        check_flag(deterministic, "deterministic")
        _, h, single = self._h(observation, single=True)
        if not single:
            raise ValueError(
                f"observation must be one observation of shape {self.observation_shape}; got "
                f"shape {np.shape(observation)} (sample() takes a batch)"
            )
        if deterministic:
            return int(np.argmax(h[0]))
        return int(_kernel.preference_sample(h, gen.random(1), self.temperature)[0])

    def greedy(self, observations):
        """The most probable action(s), :math:`\\arg\\max_b h_\\theta(s)_b` (the first on ties):
        int64 (batch,), or a Python int for one observation (as :meth:`act`)."""
        _, h, single = self._h(observations)
        a = np.argmax(h, axis=-1)
        return int(a[0]) if single else a
