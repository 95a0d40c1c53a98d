"""The options the learners share, and the argument checks behind them (private module:
:class:`LearnerOptions` is exported by :mod:`softmax_pg.learners`)."""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np

from .._validation import check_count, check_positive, check_temperature

__all__ = ["LearnerOptions"]


@dataclasses.dataclass(frozen=True)
class LearnerOptions:
    r"""The options :func:`reinforce`, :func:`actor_critic` and :func:`reinforce_batched`
    share, checked once: one object to keep a recipe in and pass as ``options=``.

    Every learner also takes these as keyword arguments; given beside ``options``, a
    keyword replaces that field (``reinforce(env, options=RECIPE, gamma=0.99, ...)``).

    Attributes
    ----------
    gamma : float, default 1.0
        The discount :math:`\gamma \in (0, 1]`.
    discount_weighting : bool, default True
        Weight step :math:`t`'s score by :math:`\gamma^t` (Sutton & Barto's box); False
        drops the factor, as most code does.
    normalize_advantages : bool, default False
        Centre and scale the advantages over each update's steps.
    episodes_per_update : int, default 1
        :math:`E`: the gradient averaged over E episodes played with the same :math:`\theta`.
    entropy_coef : float, default 0.0
        :math:`\beta \ge 0`: adds :math:`\beta\sum_t\nabla\mathcal H(\pi(\cdot\mid S_t))`
        (averaged over the update's episodes).
    normalize_observations : bool, default False
        Standardise ``Box`` observations with running moments (the returned policy applies
        them). Your parametrisation then receives :math:`(x-\mu)/s`, not the environment's
        raw :math:`x`, during training: features, scales or a ``state_fn`` written for raw
        observations see standardised ones (``result.policy`` still takes raw ones).
    temperature : float, default 1.0
        :math:`\tau > 0` of :math:`\mathrm{softmax}(h/\tau)`.
    max_steps : int, default 1000
        An episode is cut off after this many steps.

    Raises
    ------
    TypeError, ValueError
        A field of the wrong type or value; the message names it.
    """

    gamma: float = 1.0
    discount_weighting: bool = True
    normalize_advantages: bool = False
    episodes_per_update: int = 1
    entropy_coef: float = 0.0
    normalize_observations: bool = False
    temperature: float = 1.0
    max_steps: int = 1000

    def __post_init__(self) -> None:
        checked = {
            "gamma": check_gamma(self.gamma),
            "temperature": check_temperature(self.temperature),
            "max_steps": check_count(self.max_steps, "max_steps"),
            "episodes_per_update": check_count(self.episodes_per_update, "episodes_per_update"),
            "normalize_advantages": check_flag(self.normalize_advantages, "normalize_advantages"),
            "discount_weighting": check_flag(self.discount_weighting, "discount_weighting"),
            "entropy_coef": check_nonnegative(self.entropy_coef, "entropy_coef"),
            "normalize_observations": check_flag(
                self.normalize_observations, "normalize_observations"
            ),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @classmethod
    def build(cls, options: LearnerOptions | None = None, **given) -> LearnerOptions:
        """``options`` (default: the defaults) with the keywords given (not None) replacing
        its fields."""
        if options is not None and not isinstance(options, LearnerOptions):
            raise TypeError(
                "options must be a softmax_pg.learners.LearnerOptions, e.g. "
                f"LearnerOptions(gamma=0.99); got {options!r}"
            )
        changes = {k: v for k, v in given.items() if v is not None}
        if options is None:
            return cls(**changes)
        return dataclasses.replace(options, **changes) if changes else options

    @classmethod
    def from_arguments(cls, arguments: dict) -> LearnerOptions:
        """:meth:`build` from a learner's arguments (its ``locals()``): ``options`` and the
        keywords named as the fields."""
        fields = {f.name: arguments[f.name] for f in dataclasses.fields(cls)}
        return cls.build(arguments["options"], **fields)


def check_gamma(gamma: object) -> float:
    """The discount as a float in (0, 1]."""
    if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a real number in (0, 1]; got {gamma!r}")
    g = float(gamma)
    if not 0.0 < g <= 1.0:
        raise ValueError(f"gamma must lie in (0, 1]; got {g!r}")
    return g


def check_flag(value: object, name: str) -> bool:
    """A bool argument (numpy bools accepted)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_step_size(step_size: object, optimizer: object) -> float | None:
    """alpha of plain gradient ascent, or None when an optimiser steps instead (one is needed)."""
    if optimizer is None and step_size is None:
        raise TypeError(
            "give step_size (plain gradient ascent) or optimizer (e.g. Adam(0.05)); got neither"
        )
    return None if step_size is None else check_positive(step_size, "step_size")


def check_nonnegative(value: object, name: str) -> float:
    """A finite real number >= 0 (a coefficient such as entropy_coef)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0; got {value!r}")
    x = float(value)
    if not np.isfinite(x) or x < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0; got {x!r}")
    return x


def rewards_array(rewards: object, name: str = "rewards") -> np.ndarray:
    """A 1-d float64 array of finite rewards, the error naming the first bad step."""
    try:
        r = np.asarray(rewards, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-d array of real numbers; got {rewards!r}") from exc
    if r.ndim != 1:
        raise ValueError(f"{name} must have shape (n_steps,); got shape {r.shape}")
    if not np.isfinite(r).all():
        t = int(np.flatnonzero(~np.isfinite(r))[0])
        raise ValueError(f"{name} must be finite; got {float(r[t])!r} at step {t}")
    return r
