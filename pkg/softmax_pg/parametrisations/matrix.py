r"""The weight matrix on a state vector with a bias: :math:`h = W^\top[x(s); 1]`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validation import check_count
from ._inputs import check_inputs, check_state_fn, inputs
from .base import Parametrisation

__all__ = ["MatrixPreferences"]


class MatrixPreferences(Parametrisation):
    r"""A weight matrix on the state vector and a constant 1: :math:`h = W^\top[x;1]`.

    :math:`W` has shape ``(n_inputs + 1, n_actions)``, its last row the bias, and
    :math:`\theta` = ``W.ravel()`` (row-major; :meth:`weights` gives the view).
    :math:`\mathrm{D}h^\top g = [x;1]\,g^\top`, so the score is :func:`softmax_pg.score_matrix`'s
    outer product :math:`[x;1](e_a-\pi)^\top/\tau`. PyTorch's ``nn.Linear(n_inputs, n_actions)``
    is ``weight = W[:-1].T``, ``bias = W[-1]``; the numbers are those of
    :class:`MLPPreferences` with ``hidden=()``.

    Parameters
    ----------
    n_inputs : int
        Length of :math:`x(s)`: the flattened observation, or ``state_fn``'s output.
    n_actions : int
    state_fn : callable, optional
        Maps a batch of observations to (batch, n_inputs).
    bias : bool, default True
        False leaves out the constant 1: :math:`h = W^\top x`, W of shape (n_inputs, n_actions).
    """

    def __init__(
        self, n_inputs: int, n_actions: int, *, state_fn: Callable | None = None, bias: bool = True
    ) -> None:
        self.n_inputs = check_count(n_inputs, "n_inputs")
        self.n_actions = check_count(n_actions, "n_actions")
        self.state_fn = check_state_fn(state_fn)
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"bias must be True or False; got {bias!r}")
        self.bias = bool(bias)
        self.n_rows = self.n_inputs + int(self.bias)
        self.n_params = self.n_rows * self.n_actions
        self.observation_shape = (self.n_inputs,) if state_fn is None else None

    def __repr__(self) -> str:
        return (
            f"MatrixPreferences(n_inputs={self.n_inputs}, n_actions={self.n_actions}, "
            f"bias={self.bias})"
        )

    def to_config(self) -> dict | None:
        """Sizes and bias; None with a ``state_fn`` (a function is not stored)."""
        if self.state_fn is not None:
            return None
        return {"n_inputs": self.n_inputs, "n_actions": self.n_actions, "bias": self.bias}

    def weights(self, theta) -> np.ndarray:
        """:math:`W`, a (n_rows, n_actions) view of ``theta`` (with the bias, its last row)."""
        return np.asarray(theta).reshape(np.shape(theta)[:-1] + (self.n_rows, self.n_actions))

    def check_observations(self, observations):
        return check_inputs(observations, self.state_fn, self.n_inputs, repr(self))

    def _h(self, w: np.ndarray, x: np.ndarray) -> np.ndarray:
        if self.bias:
            return x @ w[..., :-1, :] + w[..., -1:, :]
        return x @ w

    def preferences(self, theta, observations):
        return self._h(self.weights(theta), inputs(observations, self.state_fn, self.n_inputs))

    def preferences_many(self, thetas, observations):
        if self.state_fn is not None:  # state_fn sees batches (batch, ...) only
            return super().preferences_many(thetas, observations)
        return self._h(self.weights(thetas), inputs(observations, self.state_fn, self.n_inputs))

    def vjp(self, theta, observations, g):
        x = inputs(observations, self.state_fn, self.n_inputs)
        outer = x[..., :, None] * g[..., None, :]  # x g^T
        if self.bias:  # the bias row's block is g itself
            outer = np.concatenate([outer, g[..., None, :]], axis=-2)
        return outer.reshape(outer.shape[:-2] + (self.n_params,))

    def vjp_sum(self, theta, observations, g):
        x = inputs(observations, self.state_fn, self.n_inputs)
        out = np.empty((self.n_rows, self.n_actions))
        out[: self.n_inputs] = x.T @ g  # sum_i x_i g_i^T
        if self.bias:
            out[-1] = g.sum(axis=0)
        return out.reshape(self.n_params)
