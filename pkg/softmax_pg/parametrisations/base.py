r"""The interface of a parametrisation of the preferences.

A softmax policy is preferences :math:`h_\theta(s)\in\mathbb{R}^{n_\text{actions}}`
followed by a softmax. Its score is the preference-space score pulled back through the
Jacobian :math:`\mathrm{D}h_\theta(s)` of the preferences,

.. math::

    \nabla_\theta\log\pi_\theta(a\mid s) = \mathrm{D}h_\theta(s)^\top(e_a - \pi)/\tau ,

so a parametrisation needs only its preferences and the vector-Jacobian product
:math:`\mathrm{D}h_\theta(s)^\top g` (the book's chapter "Any differentiable preferences").
"""

from __future__ import annotations

import numpy as np

from .._validation import check_rng

__all__ = ["Parametrisation", "class_name", "find_class"]

# Every subclass of Parametrisation defined in this process, by module and qualified name:
# how load_policy finds the class a file names without importing anything.
_CLASSES: dict[str, type] = {}


def class_name(param: object) -> str:
    """``param``'s class as ``module.QualifiedName``."""
    cls = type(param)
    return f"{cls.__module__}.{cls.__qualname__}"


def find_class(name: str) -> type:
    """The subclass of :class:`Parametrisation` called ``name`` (``module.QualifiedName``)."""
    if name not in _CLASSES:
        raise ValueError(
            f"no parametrisation class {name!r} is defined in this process: import or define "
            "it first, or pass the parametrisation itself"
        )
    return _CLASSES[name]


class Parametrisation:
    r"""Base class of every parametrisation: subclass it and write two methods.

    **Required.**

    ``n_actions``, ``n_params`` (int attributes)
        The number of actions and the length of :math:`\theta`.
    ``preferences(theta, observations)``
        :math:`h_\theta(s_i)` for a batch: ``theta`` (n_params,), ``observations``
        (batch, ...) give (batch, n_actions).
    ``vjp(theta, observations, g)``
        :math:`\mathrm{D}h_\theta(s_i)^\top g_i` for a batch: ``g`` (batch, n_actions)
        gives (batch, n_params).

    **Optional** (override for speed; the defaults use only the two above).

    ``vjp_sum(theta, observations, g)``
        :math:`\sum_i \mathrm{D}h_\theta(s_i)^\top g_i`, shape (n_params,).
    ``preferences_many(thetas, observations)``
        One :math:`\theta` per run: ``thetas`` (runs, n_params), ``observations``
        (runs, batch, ...) give (runs, batch, n_actions).
    ``linearise_many(thetas, observations)``
        The same with its pull-back ``pullback(g, summed=False)``: ``g`` (runs, batch,
        n_actions) gives the vjp of each run, (runs, batch, n_params), or its sum over the
        batch, (runs, n_params); the many-:math:`\theta` form of
        :func:`~softmax_pg.step.policy_gradient` uses it.
    ``init(rng)``
        A first :math:`\theta`, shape (n_params,); zeros (the uniform policy) by default.
    ``check_observations(observations)``
        Raise an error naming what is wrong with a batch of observations, or return it
        (possibly converted); the public functions call it once per call. By default it
        returns the batch unchanged.
    ``observation_shape`` (tuple of int or None)
        The shape of one observation (``()`` for a discrete state): lets
        :class:`softmax_pg.SoftmaxPolicy` take one observation without a batch axis.
        Left as None (the default), the policy infers it from the first batch it is given
        (the shape of ``observations[0]``), or a learner from its environment's observation
        space; set it when one observation could be mistaken for a batch.
    ``to_config()`` and the class method ``from_config(config)``
        Describe the parametrisation as a dict of numbers and arrays, and rebuild it from
        that dict: :func:`softmax_pg.learners.save_policy` stores the description and
        :func:`~softmax_pg.learners.load_policy` rebuilds the parametrisation from the file
        alone. ``to_config`` returns None by default (the file then holds :math:`\theta`
        alone, and ``load_policy`` needs the parametrisation passed to it).

    The methods are trusted: ``softmax_pg.parametrisations.outputs`` checks what
    they return once per public call, and :func:`softmax_pg.check_preferences` checks a
    new class thoroughly (its vjp against finite differences).
    """

    n_actions: int
    n_params: int
    observation_shape: tuple[int, ...] | None = None
    # Whether SoftmaxPolicy.score may compute a large batch in blocks of rows (an
    # implementation detail of the package's classes: False where the vjp only places g in
    # a mostly-zero output, as the tabular one does).
    _blocked_score: bool = True

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        _CLASSES[f"{cls.__module__}.{cls.__qualname__}"] = cls

    def preferences(self, theta: np.ndarray, observations) -> np.ndarray:
        """Preferences of a batch, shape (batch, n_actions). Required."""
        raise NotImplementedError(
            f"{type(self).__name__} must define preferences(theta, observations) returning "
            "an array of shape (batch, n_actions)"
        )

    def vjp(self, theta: np.ndarray, observations, g: np.ndarray) -> np.ndarray:
        """Row i is Dh(obs_i)^T g_i, shape (batch, n_params). Required."""
        raise NotImplementedError(
            f"{type(self).__name__} must define vjp(theta, observations, g) returning an array "
            "of shape (batch, n_params) whose row i is Dh(observations[i])^T g[i]"
        )

    def vjp_sum(self, theta: np.ndarray, observations, g: np.ndarray) -> np.ndarray:
        """Sum over the batch of the vjp, shape (n_params,); default ``vjp(...).sum(0)``."""
        return np.sum(self.vjp(theta, observations, g), axis=0)

    def linearise(self, theta: np.ndarray, observations):
        """The preferences (batch, n_actions) and their pull-back ``pullback(g, summed=False)``:
        ``vjp(theta, observations, g)``, or ``vjp_sum`` when ``summed``. Optional; the default
        calls the methods, a network overrides it to run its forward pass once."""

        def pullback(g: np.ndarray, summed: bool = False) -> np.ndarray:
            if summed:
                return self.vjp_sum(theta, observations, g)
            return self.vjp(theta, observations, g)

        return self.preferences(theta, observations), pullback

    def preferences_many(self, thetas: np.ndarray, observations) -> np.ndarray:
        """Preferences with one theta per run, shape (runs, batch, n_actions); default a loop."""
        return np.stack(
            [
                np.asarray(self.preferences(thetas[r], observations[r]), dtype=np.float64)
                for r in range(len(thetas))
            ]
        )

    def linearise_many(self, thetas: np.ndarray, observations):
        """:meth:`preferences_many` and its pull-back ``pullback(g, summed=False)``, run by run:
        (runs, batch, n_params), or (runs, n_params) when ``summed``. Default: loops over runs."""

        def pullback(g: np.ndarray, summed: bool = False) -> np.ndarray:
            vjp = self.vjp_sum if summed else self.vjp
            return np.stack([vjp(thetas[r], observations[r], g[r]) for r in range(len(thetas))])

        return self.preferences_many(thetas, observations), pullback

    def init(self, rng: int | np.random.Generator) -> np.ndarray:
        """A first theta, shape (n_params,): zeros, the uniform policy (``rng`` unused)."""
        check_rng(rng)
        return np.zeros(self.n_params)

    def check_observations(self, observations):
        """Check a batch of observations and return it; default: unchanged."""
        return observations

    def to_config(self) -> dict | None:
        """What :meth:`from_config` rebuilds this parametrisation from: a dict of numbers and
        arrays (nested dicts allowed), or None when it cannot be described (the default)."""
        return None

    @classmethod
    def from_config(cls, config: dict) -> Parametrisation:
        """The parametrisation :meth:`to_config` described; ``cls(**config)`` by default."""
        return cls(**config)
