r"""Optimisers for gradient **ascent**: small numpy objects with one method.

``step(theta, gradient, scores=None) -> new theta`` moves :math:`\theta` *up* the
estimated gradient of :math:`J`. ``scores`` are the per-step scores
:math:`\nabla_\theta\log\pi_\theta(A_t\mid S_t)` of the update, shape
``(n_steps, n_params)``: only :class:`NaturalGradient` reads them (its attribute
``needs_scores`` is True), to estimate the Fisher matrix. An optimiser with state
(:class:`Adam`) sizes it at its first step; a learner works on a copy of the optimiser
it is given, so one object can configure several runs.

Any object with such a ``step`` method (and, optionally, ``needs_scores``) can be passed
as a learner's ``optimizer``: the interface is the protocol :class:`Optimizer`, which
:func:`check_optimizer` checks.
"""

from __future__ import annotations

import copy
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_positive

__all__ = ["SGD", "Adam", "NaturalGradient", "Optimizer", "check_optimizer"]


@runtime_checkable
class Optimizer(Protocol):
    r"""What a learner's ``optimizer`` is: an object whose ``step`` returns the new theta.

    ``step(theta, gradient, scores=None)`` moves :math:`\theta` *up* the estimated
    gradient :math:`\hat g` (shape ``(n_params,)``) and returns the new parameters, shape
    ``(n_params,)``; ``scores``, shape ``(n_steps, n_params)``, are the update's per-step
    scores, passed when the optimiser's attribute ``needs_scores`` is True (optional,
    False when absent). :class:`SGD`, :class:`Adam` and :class:`NaturalGradient` follow it;
    so may any class of yours, without inheriting from it.
    """

    def step(self, theta, gradient, scores=None) -> np.ndarray:
        """The new parameters, shape (n_params,)."""
        ...  # pragma: no cover


def check_optimizer(optimizer: object) -> Optimizer | None:
    """A private copy of the user's optimiser (None stays None: the textbook update).

    Raises
    ------
    TypeError
        ``optimizer`` is a class (pass an instance) or has no method ``step``.
    """
    if optimizer is None:
        return None
    if isinstance(optimizer, type):
        example = "Adam(0.05)" if optimizer.__name__ == "Adam" else f"{optimizer.__name__}(...)"
        raise TypeError(
            f"optimizer must be an optimiser object, not the class {optimizer.__name__}: pass "
            f"an instance, {example}"
        )
    if not isinstance(optimizer, Optimizer) or not callable(optimizer.step):
        raise TypeError(
            "optimizer must have a method step(theta, gradient, scores=None) returning the new "
            "theta "
            f"(softmax_pg.learners.SGD, Adam, NaturalGradient); got {optimizer!r}"
        )
    return copy.deepcopy(optimizer)


def _vector(x: ArrayLike, name: str, n: int | None = None) -> np.ndarray:
    v = np.asarray(x, dtype=np.float64)
    if v.ndim != 1 or (n is not None and v.shape[0] != n):
        want = "(n_params,)" if n is None else f"(n_params,) = ({n},)"
        raise ValueError(f"{name} must have shape {want}; got shape {v.shape}")
    return v


class SGD:
    r"""Plain gradient ascent, :math:`\theta \leftarrow \theta + \alpha\,\hat g`.

    Parameters
    ----------
    step_size : float
        :math:`\alpha > 0`.
    """

    needs_scores = False

    def __init__(self, step_size: float) -> None:
        self.step_size = check_positive(step_size, "step_size")

    def __repr__(self) -> str:
        return f"SGD(step_size={self.step_size!r})"

    def step(
        self, theta: ArrayLike, gradient: ArrayLike, scores: ArrayLike | None = None
    ) -> np.ndarray:
        """The new parameters, shape (n_params,)."""
        th = _vector(theta, "theta")
        return th + self.step_size * _vector(gradient, "gradient", th.shape[0])


class Adam:
    r"""Adam (Kingma & Ba 2015) for ascent, with PyTorch's arithmetic (``torch.optim.Adam``).

    With :math:`\hat g` the gradient estimate at step :math:`k`,
    :math:`m \leftarrow \beta_1 m + (1-\beta_1)\hat g`,
    :math:`v \leftarrow \beta_2 v + (1-\beta_2)\hat g^2` and

    .. math::

        \theta \leftarrow \theta + \frac{\alpha}{1-\beta_1^k}\,
            \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^k} + \epsilon}.

    This is ``torch.optim.Adam`` minimising :math:`-J`: its gradient is :math:`-\hat g`, so
    :math:`m` changes sign and :math:`v` does not.

    Parameters
    ----------
    step_size : float, default 1e-3
        :math:`\alpha > 0` (torch's ``lr``).
    betas : (float, float), default (0.9, 0.999)
        :math:`\beta_1, \beta_2 \in [0, 1)`.
    eps : float, default 1e-8
        :math:`\epsilon > 0`, added to the denominator.
    """

    needs_scores = False

    def __init__(
        self,
        step_size: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.step_size = check_positive(step_size, "step_size")
        try:
            b1, b2 = (float(b) for b in betas)
        except (TypeError, ValueError):
            raise TypeError(f"betas must be a pair of numbers in [0, 1); got {betas!r}") from None
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"betas must lie in [0, 1); got {betas!r}")
        self.betas = (b1, b2)
        self.eps = check_positive(eps, "eps")
        self.reset()

    def __repr__(self) -> str:
        return f"Adam(step_size={self.step_size!r}, betas={self.betas!r}, eps={self.eps!r})"

    def reset(self) -> None:
        """Forget the moments and the step count."""
        self.t = 0
        self.m: np.ndarray | None = None
        self.v: np.ndarray | None = None

    def step(
        self, theta: ArrayLike, gradient: ArrayLike, scores: ArrayLike | None = None
    ) -> np.ndarray:
        """The new parameters, shape (n_params,); updates the moments."""
        th = _vector(theta, "theta")
        g = _vector(gradient, "gradient", th.shape[0])
        if self.m is None or self.m.shape != th.shape:
            self.m, self.v = np.zeros_like(th), np.zeros_like(th)
        b1, b2 = self.betas
        self.t += 1
        self.m = b1 * self.m + (1.0 - b1) * g
        self.v = b2 * self.v + (1.0 - b2) * (g * g)
        denom = np.sqrt(self.v) / np.sqrt(1.0 - b2**self.t) + self.eps
        return th + (self.step_size / (1.0 - b1**self.t)) * (self.m / denom)


class NaturalGradient:
    r"""The natural gradient with the Fisher matrix estimated from the update's own scores.

    With the per-step scores :math:`s_t = \nabla_\theta\log\pi_\theta(A_t\mid S_t)`,
    :math:`t = 1..n`, :math:`\hat F = \frac1n\sum_t s_t s_t^\top` (the Fisher matrix is the
    covariance of the score, whose mean is zero), damped as in the chapter "The natural
    gradient":

    .. math::

        \theta \leftarrow \theta + \alpha\,(\hat F + \nu I)^{-1}\hat g .

    With fewer steps than parameters the solve uses the :math:`n\times n` form
    :math:`(\hat F+\nu I)^{-1}\hat g = (\hat g - S^\top(n\nu I + S S^\top)^{-1}S\hat g)/\nu`
    (Woodbury), so a step costs :math:`O(n^2 d)` instead of :math:`O(d^3)`.

    Parameters
    ----------
    step_size : float
        :math:`\alpha > 0`.
    damping : float, default 1e-3
        :math:`\nu > 0`.

    References
    ----------
    Kakade (2001), "A natural policy gradient"; the book's chapter "The natural gradient".
    """

    needs_scores = True

    def __init__(self, step_size: float, damping: float = 1e-3) -> None:
        self.step_size = check_positive(step_size, "step_size")
        self.damping = check_positive(damping, "damping")

    def __repr__(self) -> str:
        return f"NaturalGradient(step_size={self.step_size!r}, damping={self.damping!r})"

    def direction(self, gradient: ArrayLike, scores: ArrayLike) -> np.ndarray:
        r""":math:`(\hat F + \nu I)^{-1}\hat g`, shape (n_params,)."""
        g = _vector(gradient, "gradient")
        s = np.asarray(scores, dtype=np.float64)
        if s.ndim != 2 or s.shape[1] != g.shape[0] or s.shape[0] == 0:
            raise ValueError(
                f"scores must have shape (n_steps, n_params) = (n_steps >= 1, {g.shape[0]}); got "
                f"shape {s.shape}"
            )
        n, d = s.shape
        nu = self.damping
        if n >= d:
            return np.linalg.solve(s.T @ s / n + nu * np.eye(d), g)
        small = s @ s.T + (n * nu) * np.eye(n)
        return (g - s.T @ np.linalg.solve(small, s @ g)) / nu

    def step(
        self, theta: ArrayLike, gradient: ArrayLike, scores: ArrayLike | None = None
    ) -> np.ndarray:
        """The new parameters, shape (n_params,)."""
        if scores is None:
            raise TypeError(
                "NaturalGradient.step needs the update's per-step scores, shape (n_steps, n_params)"
            )
        th = _vector(theta, "theta")
        return th + self.step_size * self.direction(
            _vector(gradient, "gradient", th.shape[0]), scores
        )
