r"""A small tanh network, its vjp written as backpropagation by hand."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np

from .._validation import as_real_array, check_count, check_rng
from ._inputs import check_inputs, check_state_fn, inputs
from .base import Parametrisation

__all__ = ["MLPPreferences"]


class MLPPreferences(Parametrisation):
    r"""A multilayer perceptron: tanh hidden layers, a linear output layer.

    :math:`z_0 = x(s)`, :math:`z_l = \tanh(z_{l-1}W_l + b_l)`, :math:`h = z_{L-1}W_L + b_L`.
    :math:`\theta` concatenates, layer by layer, ``W_l`` (``(in_l, out_l)``, row-major)
    then ``b_l`` (:meth:`unflatten`, :meth:`flatten`). The vjp is backpropagation of
    :math:`g`: :math:`\delta_L = g`, :math:`\nabla_{W_l} = z_{l-1}^\top\delta_l`,
    :math:`\nabla_{b_l} = \delta_l`, :math:`\delta_{l-1} = (\delta_l W_l^\top)\odot(1-z_{l-1}^2)`
    (Rumelhart, Hinton & Williams 1986). PyTorch's ``nn.Sequential(Linear, Tanh, Linear)``
    has ``W_1 = lin1.weight.T``, ``b_1 = lin1.bias``, and so on.

    Parameters
    ----------
    n_inputs : int
        Length of :math:`x(s)`: the flattened observation, or ``state_fn``'s output.
    n_actions : int
    hidden : sequence of int, default (32,)
        Widths of the hidden layers; empty gives :class:`MatrixPreferences`' numbers.
    state_fn : callable, optional
        Maps a batch of observations to (batch, n_inputs).
    """

    def __init__(
        self,
        n_inputs: int,
        n_actions: int,
        hidden: Sequence[int] = (32,),
        *,
        state_fn: Callable | None = None,
    ) -> None:
        self.n_inputs = check_count(n_inputs, "n_inputs")
        self.n_actions = check_count(n_actions, "n_actions")
        if isinstance(hidden, numbers.Integral) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in hidden
        ):
            raise TypeError(
                f"hidden must be a sequence of layer widths >= 1, e.g. (32,); got {hidden!r}"
            )
        self.hidden = tuple(int(n) for n in hidden)
        self.state_fn = check_state_fn(state_fn)
        widths = (self.n_inputs,) + self.hidden + (self.n_actions,)
        self.shapes = [(widths[i], widths[i + 1]) for i in range(len(widths) - 1)]
        self.n_params = sum(i * o + o for i, o in self.shapes)
        self.observation_shape = (self.n_inputs,) if state_fn is None else None

    def __repr__(self) -> str:
        return (
            f"MLPPreferences(n_inputs={self.n_inputs}, n_actions={self.n_actions}, "
            f"hidden={self.hidden})"
        )

    def to_config(self) -> dict | None:
        """Sizes and hidden widths; None with a ``state_fn`` (a function is not stored)."""
        if self.state_fn is not None:
            return None
        return {"n_inputs": self.n_inputs, "n_actions": self.n_actions, "hidden": self.hidden}

    def init(self, rng: int | np.random.Generator) -> np.ndarray:
        r"""Weights :math:`U(\pm1/\sqrt{\text{in}_l})`, the output layer's scaled by 0.1, biases 0.

        Draws the layers in order from ``rng``; shape (n_params,).
        """
        gen = check_rng(rng)
        layers = []
        for i, (n_in, n_out) in enumerate(self.shapes):
            bound = 1.0 / np.sqrt(n_in)
            w = gen.uniform(-bound, bound, size=(n_in, n_out))
            if i == len(self.shapes) - 1:
                w *= 0.1
            layers.append((w, np.zeros(n_out)))
        return _flatten(layers)

    def unflatten(self, theta) -> list[tuple[np.ndarray, np.ndarray]]:
        """The layers ``[(W_1, b_1), ...]`` of ``theta`` (..., n_params) as views, W (..., in,
        out)."""
        theta = np.asarray(theta)
        lead, layers, i = theta.shape[:-1], [], 0
        for n_in, n_out in self.shapes:
            w = theta[..., i : i + n_in * n_out].reshape(lead + (n_in, n_out))
            i += n_in * n_out
            layers.append((w, theta[..., i : i + n_out]))
            i += n_out
        return layers

    def flatten(self, layers: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """The flat theta (n_params,) of layers ``[(W_1, b_1), ...]``."""
        if len(layers) != len(self.shapes):
            raise ValueError(f"layers must hold {len(self.shapes)} (W, b) pairs; got {len(layers)}")
        checked = []
        for i, ((w, b), (n_in, n_out)) in enumerate(zip(layers, self.shapes, strict=True)):
            w, b = as_real_array(w, f"layers[{i}][0]"), as_real_array(b, f"layers[{i}][1]")
            if w.shape != (n_in, n_out) or b.shape != (n_out,):
                raise ValueError(
                    f"layer {i} must have W of shape {(n_in, n_out)} and b of shape {(n_out,)}; "
                    f"got {w.shape} and {b.shape}"
                )
            checked.append((w, b))
        return _flatten(checked)

    def check_observations(self, observations):
        return check_inputs(observations, self.state_fn, self.n_inputs, repr(self))

    def _forward(self, theta, observations):
        """The layers, the activations z_0 .. z_{L-1}, and h; batched over leading axes of theta."""
        layers = self.unflatten(theta)
        zs = [inputs(observations, self.state_fn, self.n_inputs)]
        for w, b in layers[:-1]:
            zs.append(np.tanh(zs[-1] @ w + b[..., None, :]))
        w, b = layers[-1]
        return layers, zs, zs[-1] @ w + b[..., None, :]

    def preferences(self, theta, observations):
        return self._forward(theta, observations)[2]

    def preferences_many(self, thetas, observations):
        if self.state_fn is not None:  # state_fn sees batches (batch, ...) only
            return super().preferences_many(thetas, observations)
        return self._forward(np.asarray(thetas), observations)[2]

    def _backward(self, layers, zs, delta, per_sample: bool) -> np.ndarray:
        grads = []
        for layer in range(len(layers) - 1, -1, -1):
            z = zs[layer]
            if per_sample:
                gw = (z[:, :, None] * delta[:, None, :]).reshape(
                    z.shape[0], z.shape[1] * delta.shape[1]
                )
                grads.append(np.concatenate([gw, delta], axis=1))
            else:
                grads.append(np.concatenate([(z.T @ delta).ravel(), delta.sum(axis=0)]))
            if layer > 0:
                delta = (delta @ layers[layer][0].T) * (1.0 - z * z)
        grads.reverse()
        return np.concatenate(grads, axis=-1)

    def vjp(self, theta, observations, g):
        layers, zs, _ = self._forward(theta, observations)
        return self._backward(layers, zs, g, per_sample=True)

    def vjp_sum(self, theta, observations, g):
        layers, zs, _ = self._forward(theta, observations)
        return self._backward(layers, zs, g, per_sample=False)

    def linearise(self, theta, observations):
        """The preferences and their pull-back from one forward pass (the same numbers as
        ``preferences``, ``vjp`` and ``vjp_sum``)."""
        layers, zs, h = self._forward(theta, observations)

        def pullback(g, summed=False):
            return self._backward(layers, zs, g, per_sample=not summed)

        return h, pullback


def _flatten(layers) -> np.ndarray:
    return np.concatenate([np.concatenate([np.ravel(w), b]) for w, b in layers])
