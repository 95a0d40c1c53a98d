"""Argument checks shared by every public function of :mod:`softmax_pg`.

Public functions call these at the boundary; private helpers trust their caller.
Each check raises a :class:`TypeError` (wrong kind of object) or a
:class:`ValueError` (right kind, wrong value or shape) whose message names the
argument, what it got and what was expected.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_real_array",
    "check_actions",
    "check_broadcastable",
    "check_count",
    "check_flag",
    "check_positive",
    "check_rng",
    "check_scalar",
    "check_temperature",
    "finite_preferences",
]


def _describe(value: object) -> str:
    """A short description of ``value`` for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 80:  # a result object, a long list: its kind says enough
        return f"an object of type {type(value).__name__}"
    return f"{text} of type {type(value).__name__}"


def as_real_array(
    value: object, name: str, *, min_ndim: int = 0, finite: bool = True
) -> np.ndarray:
    """Return ``value`` as a float64 array with at least ``min_ndim`` axes.

    With ``finite=False`` the (full-pass) check for NaN and infinity is left to the
    caller, which must then make it some cheaper way: the policy functions check the
    preferences ``features @ theta`` instead, which are non-finite whenever the
    features are.

    Raises
    ------
    TypeError
        If ``value`` is not an array of real numbers (strings, objects, complex).
    ValueError
        If it has fewer than ``min_ndim`` axes, or contains NaN or infinity.
    """
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array of real numbers; got {value!r}"
        ) from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating)
        or np.issubdtype(arr.dtype, np.integer)
        or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of real numbers; got {_describe(arr)}")
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimension(s); got shape {arr.shape}"
        )
    arr = arr.astype(np.float64, copy=False)
    if finite and not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(
            f"{name} must contain only finite values; got {arr[bad]} at index {bad} "
            f"(shape {arr.shape})"
        )
    return arr


def check_temperature(temperature: object) -> float:
    """Return the temperature as a float after checking it is a finite number > 0."""
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a real number > 0; got {_describe(temperature)}")
    tau = float(temperature)
    if not np.isfinite(tau) or tau <= 0.0:
        raise ValueError(f"temperature must be a finite number > 0; got {tau!r}")
    return tau


def check_positive(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite number > 0 (a step size)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number > 0; got {_describe(value)}")
    x = float(value)
    if not np.isfinite(x) or x <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0; got {x!r}")
    return x


def check_count(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {_describe(value)}")
    n = int(value)
    if n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {n}")
    return n


def check_actions(
    actions: object, n_actions: int, name: str = "actions", kind: str = "action"
) -> np.ndarray:
    """Return ``actions`` as an int64 array after checking each is in ``range(n_actions)``.

    ``kind`` names what the integers index in the messages (``"state"`` for discrete
    observations)."""
    arr = np.asarray(actions)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"{name} must be integer {kind} indices in [0, {n_actions}); got {_describe(actions)}"
        )
    arr = arr.astype(np.int64, copy=False)
    if arr.size and (arr.min() < 0 or arr.max() >= n_actions):
        bad = arr[(arr < 0) | (arr >= n_actions)].flat[0]
        raise ValueError(
            f"{name} must lie in [0, {n_actions}) for {n_actions} {kind}(s); got {int(bad)}"
        )
    return arr


def check_rng(rng: object) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator`: ``rng`` itself, or one seeded with ``rng``.

    ``None`` is refused on purpose: every random result of this package is reproducible.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        if int(rng) < 0:
            raise ValueError(f"rng as a seed must be a non-negative integer; got {int(rng)}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be a numpy.random.Generator or a non-negative integer seed; got {_describe(rng)}"
    )


def check_broadcastable(
    name: str, shape: tuple[int, ...], batch_shape: tuple[int, ...], batch: str
) -> None:
    """Raise a ValueError naming ``name`` unless ``shape`` broadcasts against ``batch_shape``.

    ``batch`` describes the batch shape in the message, e.g. ``"features.shape[:-2] = (4,)"``.
    """
    try:
        np.broadcast_shapes(shape, batch_shape)
    except ValueError:
        raise ValueError(
            f"{name} must have a shape that broadcasts against {batch}; got shape {shape}"
        ) from None


def finite_preferences(compute, product: str, source: np.ndarray, source_name: str) -> np.ndarray:
    """``compute()`` (the preferences), after checking every entry is finite.

    A NaN or infinity in ``source`` makes a preference non-finite, so one look at the
    (smaller) preferences replaces a full pass over ``source``; on failure the source is
    checked to name the bad entry.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        h = compute()
    if not np.isfinite(h).all():
        as_real_array(source, source_name)  # raises, naming the bad entry, if there is one
        raise ValueError(
            f"the preferences {product} overflowed float64 (|value| > 1.8e308); "
            "expected inputs small enough that every preference is finite"
        )
    return h


def check_flag(value: object, name: str) -> bool:
    """Return ``value`` as a bool after checking it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be True or False; got {value!r} of type {type(value).__name__}"
        )
    return bool(value)


def check_scalar(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is one finite number."""
    x = as_real_array(value, name)
    if x.ndim != 0:
        raise ValueError(f"{name} must be a single finite number; got shape {x.shape}")
    return float(x)


def check_seed(seed: object) -> int:
    """``seed`` after checking it is an integer >= 0 (no Generator made yet: that costs)."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    check_rng(seed)  # raises its message for anything else
    return int(seed)  # pragma: no cover


def check_kept_generator(rng: object) -> np.random.Generator:
    """``rng`` after checking it is a Generator (a seed per call would repeat its draws)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator kept between calls, or None for the "
            f"policy's own; got {_describe(rng)}: a seed given on every call would draw the "
            "same number each time (seed once: SoftmaxPolicy(..., rng=seed))"
        )
    return rng


def check_shape(shape: object, name: str) -> tuple[int, ...] | None:
    """``shape`` as a tuple of ints >= 0, or None."""
    if shape is None:
        return None
    try:
        out = tuple(int(n) for n in shape)  # type: ignore[union-attr]
    except TypeError:
        raise TypeError(f"{name} must be a tuple of ints or None; got {_describe(shape)}") from None
    if any(n < 0 for n in out):
        raise ValueError(f"{name} must have sizes >= 0; got {out}")
    return out


def safe_ndim(value: object) -> int:
    """The number of axes of ``value``; 0 when it is no regular array (ragged, objects)."""
    try:
        return np.ndim(value)
    except ValueError:
        return 0


# Preferences more than 1.8e308 apart overflow to -inf in the kernel's max shift, h - max h:
# the right answer (an exponential of 0, a log-probability of -inf), and the entropy's
# pi log pi = 0 * -inf is then replaced by its limit 0; so the public functions silence
# those two warnings (as a decorator; their inputs are checked finite first), and the
# trusted kernel stays lean for the learners.
QUIET = np.errstate(over="ignore", invalid="ignore")
