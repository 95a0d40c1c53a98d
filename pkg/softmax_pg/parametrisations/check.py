"""``check_preferences``: a thorough check of a parametrisation, for its author.

In the spirit of gymnasium's ``check_env``: each problem is reported with what to change.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive, check_rng
from .base import Parametrisation
from .outputs import (
    checked,
    checked_init,
    checked_observations,
    checked_preferences,
    checked_preferences_many,
    checked_theta,
    checked_vjp,
    checked_vjp_sum,
)

__all__ = ["check_preferences"]

_FULL_JACOBIAN_UP_TO = 64  # parameters; beyond, random directions only


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    return np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))


def _directions(n_params: int, gen: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Unit coordinate vectors for a small theta (so a bad entry is named), else 3 random ones."""
    if n_params <= _FULL_JACOBIAN_UP_TO:
        return np.eye(n_params), True
    v = gen.normal(size=(3, n_params))
    return v / np.linalg.norm(v, axis=1, keepdims=True), False


def _check_vjp_by_differences(param, theta, obs, batch, gen, eps, rtol, atol) -> None:
    """vjp(theta, obs, g) . v against the central difference of g . h along v, per observation."""
    g = gen.normal(size=(batch, param.n_actions))
    vjp = checked_vjp(param, theta, obs, g)
    directions, coordinates = _directions(param.n_params, gen)
    for k, v in enumerate(directions):
        up = checked_preferences(param, theta + eps * v, obs, batch)
        down = checked_preferences(param, theta - eps * v, obs, batch)
        numeric = np.sum(g * (up - down), axis=1) / (2.0 * eps)
        analytic = vjp @ v
        bad = ~_close(analytic, numeric, rtol, atol)
        if bad.any():
            i = int(np.argmax(bad))
            along = f"theta[{k}]" if coordinates else "a random direction"
            raise ValueError(
                f"{type(param).__name__}.vjp disagrees with central finite differences of "
                f"preferences at observation {i}, along {along}: vjp gives {analytic[i]:.6g}, "
                f"differences give {numeric[i]:.6g}. Row i of vjp(theta, observations, g) must be "
                "Dh(observations[i])^T g[i] (the Jacobian transposed, an array (n_params,)), with "
                "the parameters in theta's order."
            )


def _check_optional(param, theta, obs, batch, gen, rtol, atol) -> None:
    """Overridden optional methods against their defaults, built from the two required ones."""
    cls = type(param)
    g = gen.normal(size=(batch, param.n_actions))
    if cls.vjp_sum is not Parametrisation.vjp_sum:
        got = checked_vjp_sum(param, theta, obs, g)
        if not _close(got, Parametrisation.vjp_sum(param, theta, obs, g), rtol, atol).all():
            raise ValueError(
                f"{cls.__name__}.vjp_sum must equal vjp(theta, observations, g).sum(0); "
                "it does not (fix vjp_sum, or delete it to use the default)"
            )
    thetas = np.stack([theta, theta + 0.1 * gen.normal(size=theta.shape)])
    many = np.stack([obs, obs])
    if cls.preferences_many is not Parametrisation.preferences_many:
        got = checked_preferences_many(param, thetas, many, batch)
        want = Parametrisation.preferences_many(param, thetas, many)
        if not _close(got, want, rtol, atol).all():
            raise ValueError(
                f"{cls.__name__}.preferences_many(thetas, observations)[r] must equal "
                "preferences(thetas[r], observations[r]); it does not (fix it, or delete it to use "
                "the default)"
            )
    if cls.linearise_many is not Parametrisation.linearise_many:
        _check_linearise_many(param, thetas, many, np.stack([g, -g]), rtol, atol)
    if cls.init is not Parametrisation.init:
        first, again = checked_init(param, 0), checked_init(param, 0)
        if not np.array_equal(first, again):
            raise ValueError(
                f"{cls.__name__}.init(rng) must draw only from rng: init(0) gave two "
                "different thetas"
            )


def _check_linearise_many(param, thetas, many, g, rtol, atol) -> None:
    """An overridden ``linearise_many`` against its default, run by run."""
    h, pullback = param.linearise_many(thetas, many)
    h0, pullback0 = Parametrisation.linearise_many(param, thetas, many)
    pairs = ((h, h0), (pullback(g), pullback0(g)), (pullback(g, True), pullback0(g, True)))
    if not all(np.shape(a) == np.shape(b) and _close(a, b, rtol, atol).all() for a, b in pairs):
        raise ValueError(
            f"{type(param).__name__}.linearise_many(thetas, observations) must give "
            "preferences_many and a pull-back equal to vjp (or vjp_sum, summed) run by run; it "
            "does not (fix it, or delete it to use the default)"
        )


def _probe(param, theta: np.ndarray, obs, batch: int) -> None:
    """Call the two required methods once, naming the method if one of them raises."""
    g = np.zeros((batch, param.n_actions))
    calls = (
        ("preferences(theta, observations)", lambda: param.preferences(theta, obs)),
        ("vjp(theta, observations, g)", lambda: param.vjp(theta, obs, g)),
    )
    for method, call in calls:
        try:
            call()
        except NotImplementedError:
            raise
        except Exception as exc:
            shape = getattr(obs, "shape", f"of length {batch}")
            message = (
                f"{type(param).__name__}.{method} raised {type(exc).__name__}: {exc} "
                f"(theta of shape {theta.shape}, observations {shape}, g of shape {g.shape}); "
                "it must accept a batch of observations (batch, ...)"
            )
            try:
                error = type(exc)(message)
            except Exception:
                error = ValueError(message)
            raise error from exc


def check_preferences(
    param: Parametrisation,
    observations,
    theta=None,
    rng=0,
    *,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> None:
    """Check a parametrisation on a batch of observations; raise an error saying what to change.

    Checks: ``n_actions`` and ``n_params``; the observations (``check_observations``);
    ``preferences`` and ``vjp`` return (batch, n_actions) and (batch, n_params) of finite
    numbers and leave theta and the observations unchanged; ``vjp`` equals the central
    finite differences of ``g . preferences`` (along every coordinate of theta when
    n_params <= 64, else along random directions); overridden ``vjp_sum``,
    ``preferences_many``, ``linearise_many`` and ``init`` agree with their defaults.

    Parameters
    ----------
    param : Parametrisation
    observations : batch of observations, (batch, ...)
    theta : array_like, shape (n_params,), optional
        Where to check; ``param.init(rng)`` perturbed by small normal noise when None.
    rng : int or numpy.random.Generator, default 0
        Draws the noise, the vectors g and the directions.
    eps, rtol, atol : float
        The finite-difference step and the tolerances of the comparison.

    Returns
    -------
    None; raises TypeError or ValueError on the first problem.
    """
    param = checked(param)
    gen = check_rng(rng)
    eps = check_positive(eps, "eps")
    if theta is None:
        theta = checked_init(param, gen) + 0.5 * gen.normal(size=param.n_params)
    theta = checked_theta(param, theta)
    obs, batch = checked_observations(param, observations)
    before = (theta.copy(), np.array(obs, copy=True))
    _probe(param, theta, obs, batch)
    checked_preferences(param, theta, obs, batch)
    _check_vjp_by_differences(param, theta, obs, batch, gen, eps, rtol, atol)
    if not (np.array_equal(before[0], theta) and np.array_equal(before[1], np.asarray(obs))):
        raise ValueError(
            f"{type(param).__name__}.preferences or vjp changed theta or the observations "
            "in place; work on copies"
        )
    _check_optional(param, theta, obs, batch, gen, rtol, atol)
