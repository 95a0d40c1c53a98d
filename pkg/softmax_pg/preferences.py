r"""Parametrisations of the preferences, and the one score route that serves them all.

A softmax policy is preferences :math:`h_\theta(s) \in \mathbb{R}^{n_\text{actions}}`
followed by a softmax, :math:`\pi_\theta(\cdot\mid s) = \mathrm{softmax}(h_\theta(s)/\tau)`.
By the chain rule its score is the preference-space score pulled back through the
Jacobian :math:`J_h(s) = \partial h_\theta(s)/\partial\theta` (the book's chapter
"Any differentiable preferences"):

.. math::

    \nabla_\theta \log\pi_\theta(a\mid s) = J_h(s)^\top (e_a - \pi_\theta(\cdot\mid s)) / \tau .

So a parametrisation needs three things: its number of parameters ``n_params``, its
preferences for a batch of observations, and the vector-Jacobian product
:math:`J_h^\top g`. This module holds four:

=================================  ==================================  ==============================
parametrisation                    preferences :math:`h`               :math:`J_h^\top g`
=================================  ==================================  ==============================
:class:`TabularPreferences`        :math:`\theta[s, :]`                ``g`` placed in row ``s``
:class:`LinearPreferences`         :math:`\Phi(s)\theta`               :math:`\Phi(s)^\top g`
:class:`MatrixPreferences`         :math:`W^\top x(s)`                 :math:`x(s)\,g^\top`
:class:`MLPPreferences`            a tanh network                      backpropagation of ``g``
=================================  ==================================  ==============================

and :func:`softmax_pg.policy_probs`, :func:`softmax_pg.policy_log_prob` and :func:`softmax_pg.policy_score`, written once
on top of that interface (Sutton & Barto 2018, §13.2; Williams 1992).

Every parametrisation takes a **batch** of observations, ``(batch, ...)``: integer
states ``(batch,)`` for the tabular and feature-table cases, vectors
``(batch, n_inputs)`` (or anything a ``state_fn`` turns into them) for the weight
matrix and the network.
"""

from __future__ import annotations

import numbers
from typing import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_actions, check_count, check_rng, check_temperature
from .policy import _inverse_cdf, _p_log_p, _score_from_probs, _take
from .softmax import _log_softmax, _softmax

__all__ = [
    "LinearPreferences",
    "MLPPreferences",
    "MatrixPreferences",
    "Preferences",
    "TabularPreferences",
    "policy_entropy",
    "policy_fisher",
    "policy_log_prob",
    "policy_probs",
    "policy_sample",
    "policy_score",
]


class Preferences:
    r"""The interface every parametrisation implements (a base class, not used alone).

    Attributes
    ----------
    n_actions : int
        Number of actions.
    n_params : int
        Length of :math:`\theta`.

    Methods ``preferences(theta, observations)`` and ``vjp(theta, observations, g)``
    check their arguments and call the private, trusted ``_prepare`` (observations to
    the internal form), ``_h`` and ``_vjp``, which the learners call in their loops.
    """

    n_actions: int
    n_params: int

    # ---------------------------------------------------------------- public, checked
    def init(self, rng: int | np.random.Generator) -> np.ndarray:
        """An initial :math:`\\theta`, shape ``(n_params,)``: zeros (the uniform policy)."""
        check_rng(rng)
        return np.zeros(self.n_params)

    def preferences(self, theta: ArrayLike, observations: ArrayLike) -> np.ndarray:
        r"""The preferences :math:`h_\theta(s)` of a batch of observations.

        Parameters
        ----------
        theta : array_like, shape (n_params,)
        observations : array_like, shape (batch, ...)

        Returns
        -------
        numpy.ndarray, shape (batch, n_actions)
        """
        th = self._check_theta(theta)
        return self._h(th, self._prepare(observations))

    def vjp(self, theta: ArrayLike, observations: ArrayLike, g: ArrayLike) -> np.ndarray:
        r"""The vector-Jacobian products :math:`J_h(s_i)^\top g_i`, one per observation.

        Parameters
        ----------
        theta : array_like, shape (n_params,)
        observations : array_like, shape (batch, ...)
        g : array_like, shape (batch, n_actions)
            One vector in preference space per observation (for the score, :math:`(e_a-\pi)/\tau`).

        Returns
        -------
        numpy.ndarray, shape (batch, n_params)
        """
        th = self._check_theta(theta)
        obs = self._prepare(observations)
        gg = as_real_array(g, "g")
        batch = _batch_size(obs)
        if gg.shape != (batch, self.n_actions):
            raise ValueError(
                f"g must have shape (batch, n_actions) = ({batch}, {self.n_actions}); got shape {gg.shape}"
            )
        return self._vjp(th, obs, gg)

    # ---------------------------------------------------------------- checks
    def _check_theta(self, theta: ArrayLike) -> np.ndarray:
        th = as_real_array(theta, "theta")
        if th.shape != (self.n_params,):
            raise ValueError(
                f"theta must have shape (n_params,) = ({self.n_params},) for {self!r}; got shape {th.shape}"
            )
        return th

    # ---------------------------------------------------------------- private, trusted
    def _prepare(self, observations: ArrayLike):  # pragma: no cover - abstract
        raise NotImplementedError

    def _h(self, theta: np.ndarray, obs) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _vjp(self, theta: np.ndarray, obs, g: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _vjp_sum(self, theta: np.ndarray, obs, g: np.ndarray, coef: np.ndarray) -> np.ndarray:
        r""":math:`\sum_i c_i J_h(s_i)^\top g_i`, shape (n_params,). Dense by default;
        the tabular case overrides it with a scatter that costs O(batch * n_actions)."""
        return coef @ self._vjp(theta, obs, g)

    def _ascend(self, theta: np.ndarray, obs, g: np.ndarray, coef: np.ndarray, scale: float) -> None:
        r"""In place, :math:`\theta \mathrel{+}= \text{scale}\sum_i c_i J_h(s_i)^\top g_i`: the learners' update."""
        theta += scale * self._vjp_sum(theta, obs, g, coef)

    def _trusted_prepare(self, obs):
        """``_prepare`` for an observation the learner has already checked against its space."""
        return self._prepare(obs)

    def _h1(self, theta: np.ndarray, obs) -> np.ndarray:
        """The preferences of one prepared observation, shape (n_actions,), as ``_h_runs`` computes them."""
        return self._h_runs(theta[None], obs)[0]

    def _ascend1(self, theta: np.ndarray, obs, g: np.ndarray, scale: float) -> None:
        """``_ascend`` for one observation with coefficient 1: theta += scale * J_h^T g."""
        self._ascend(theta, obs, g[None], _ONE, scale)

    def _h_runs(self, thetas: np.ndarray, obs) -> np.ndarray:
        """Preferences for runs that each have their own theta, ``thetas[i]`` at
        observation ``i``: shape (n_runs, n_actions). The default loops over the runs."""
        return np.stack([self._h(thetas[i], _index(obs, i)) [0] for i in range(thetas.shape[0])])


_ONE = np.ones(1)


def _batch_size(obs) -> int:
    return int(obs.shape[0])


def _index(obs, i: int):
    return obs[i : i + 1]


def _check_discrete_observations(observations: ArrayLike, n_states: int) -> np.ndarray:
    s = check_actions(observations, n_states, "observations")
    if s.ndim != 1:
        raise ValueError(
            f"observations must be a batch of states, shape (batch,), each in [0, {n_states}); "
            f"got shape {s.shape}"
        )
    return s


def _state_matrix(observations: ArrayLike, state_fn: Callable | None, width: int, what: str) -> np.ndarray:
    """(batch, width) real matrix from observations, through ``state_fn`` when given."""
    if state_fn is None:
        x = as_real_array(observations, "observations")
        if x.ndim < 1:
            raise ValueError(f"observations must have shape (batch, {what}) = (batch, {width}); got shape {x.shape}")
        x = x.reshape(x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64)))
        name = "observations"
    else:
        x = as_real_array(state_fn(observations), "state_fn(observations)")
        name = "state_fn(observations)"
    if x.ndim != 2 or x.shape[1] != width:
        raise ValueError(f"{name} must have shape (batch, {what}) = (batch, {width}); got shape {x.shape}")
    return x


# ============================================================================ tabular


class TabularPreferences(Preferences):
    r"""Tabular preferences: :math:`\theta` is the table, :math:`h_\theta(s) = \theta[s, :]`.

    :math:`\theta` is the ``(n_states, n_actions)`` table flattened row-major, so
    ``theta[s * n_actions + b]`` is the preference of action ``b`` in state ``s``: the same
    numbers as the linear policy with :func:`softmax_pg.tabular_features`, without the
    one-hot features. :math:`J_h(s)^\top g` is ``g`` placed in row ``s`` of a table of zeros,
    so the learners' step costs O(n_actions) however many states there are.

    Parameters
    ----------
    n_states, n_actions : int
        Sizes of the (discrete) observation and action sets, each at least 1.
    """

    def __init__(self, n_states: int, n_actions: int) -> None:
        self.n_states = check_count(n_states, "n_states")
        self.n_actions = check_count(n_actions, "n_actions")
        self.n_params = self.n_states * self.n_actions

    def __repr__(self) -> str:
        return f"TabularPreferences(n_states={self.n_states}, n_actions={self.n_actions})"

    def _prepare(self, observations: ArrayLike) -> np.ndarray:
        return _check_discrete_observations(observations, self.n_states)

    def _h(self, theta: np.ndarray, obs: np.ndarray) -> np.ndarray:
        return theta.reshape(self.n_states, self.n_actions)[obs]

    def _vjp(self, theta: np.ndarray, obs: np.ndarray, g: np.ndarray) -> np.ndarray:
        out = np.zeros((obs.shape[0], self.n_states, self.n_actions))
        out[np.arange(obs.shape[0]), obs] = g
        return out.reshape(obs.shape[0], self.n_params)

    def _vjp_sum(self, theta: np.ndarray, obs: np.ndarray, g: np.ndarray, coef: np.ndarray) -> np.ndarray:
        out = np.zeros((self.n_states, self.n_actions))
        np.add.at(out, obs, coef[:, None] * g)  # in step order, O(batch * n_actions)
        return out.reshape(self.n_params)

    def _ascend(self, theta: np.ndarray, obs: np.ndarray, g: np.ndarray, coef: np.ndarray, scale: float) -> None:
        # Only the k visited rows: O(batch * k * n_actions) with k <= min(batch, n_states),
        # never O(n_states). The sum over the batch is the product coef @ scores of the
        # one-hot (linear-feature) computation restricted to those rows, so it rounds as
        # that computation does, bit for bit (a scatter-add would round differently).
        rows, where = np.unique(obs, return_inverse=True)
        batch = obs.shape[0]
        scores = np.zeros((batch, rows.shape[0], self.n_actions))
        scores[np.arange(batch), where] = g
        acc = coef @ scores.reshape(batch, -1)
        theta.reshape(self.n_states, self.n_actions)[rows] += scale * acc.reshape(rows.shape[0], self.n_actions)

    def _h_runs(self, thetas: np.ndarray, obs: np.ndarray) -> np.ndarray:
        return thetas.reshape(thetas.shape[0], self.n_states, self.n_actions)[np.arange(obs.shape[0]), obs]

    def _trusted_prepare(self, obs: np.ndarray) -> np.ndarray:
        return obs  # the learner checked the state against its Discrete space of n_states

    def _h1(self, theta: np.ndarray, obs: np.ndarray) -> np.ndarray:
        return theta.reshape(self.n_states, self.n_actions)[obs[0]]

    def _ascend1(self, theta: np.ndarray, obs: np.ndarray, g: np.ndarray, scale: float) -> None:
        theta.reshape(self.n_states, self.n_actions)[obs[0]] += scale * g  # O(n_actions)


# ============================================================================ linear


class LinearPreferences(Preferences):
    r"""Linear preferences :math:`h_\theta(s)_b = \phi(s, b)^\top\theta`, i.e. :math:`h = \Phi(s)\theta`.

    :math:`J_h(s) = \Phi(s)`, so :math:`J_h^\top(e_a - \pi)/\tau = (\phi(s,a) - \mathbb{E}_\pi[\phi(s,\cdot)])/\tau`:
    this is :func:`softmax_pg.score`, which stays the package's function for features given directly.

    Parameters
    ----------
    features : array_like, shape (n_states, n_actions, d), or callable
        Either a table indexed by a discrete observation (``features[s, b]`` is
        :math:`\phi(s, b)`), or a callable mapping a batch of observations to an array
        ``(batch, n_actions, d)``.
    n_actions : int, optional
        Needed only with a callable (the table gives it); with a table it must match.
    n_features : int, optional
        Needed only with a callable: :math:`d`, the length of :math:`\theta`.
    """

    def __init__(self, features, n_actions: int | None = None, n_features: int | None = None) -> None:
        if callable(features):
            if n_actions is None or n_features is None:
                raise TypeError(
                    "LinearPreferences with a callable features needs n_actions and n_features "
                    f"(the shape of its output, (batch, n_actions, n_features)); got n_actions={n_actions!r}, "
                    f"n_features={n_features!r}"
                )
            self.table = None
            self.features_fn = features
            self.n_actions = check_count(n_actions, "n_actions")
            self.n_params = check_count(n_features, "n_features")
            return
        phi = as_real_array(features, "features")
        if phi.ndim != 3 or 0 in phi.shape:
            raise ValueError(
                f"features must be a callable or an array of shape (n_states, n_actions, n_features), "
                f"all >= 1; got shape {phi.shape}"
            )
        if n_actions is not None and check_count(n_actions, "n_actions") != phi.shape[1]:
            raise ValueError(f"n_actions must equal features.shape[1] = {phi.shape[1]}; got {n_actions}")
        if n_features is not None and check_count(n_features, "n_features") != phi.shape[2]:
            raise ValueError(f"n_features must equal features.shape[2] = {phi.shape[2]}; got {n_features}")
        self.table = phi
        self.features_fn = None
        self.n_states, self.n_actions, self.n_params = (int(n) for n in phi.shape)

    def __repr__(self) -> str:
        if self.table is None:
            return f"LinearPreferences(<callable>, n_actions={self.n_actions}, n_features={self.n_params})"
        return f"LinearPreferences(features of shape {self.table.shape})"

    def _prepare(self, observations: ArrayLike) -> np.ndarray:
        """The features Phi(s) of the batch, (batch, n_actions, d)."""
        if self.table is not None:
            return self.table[_check_discrete_observations(observations, self.n_states)]
        phi = as_real_array(self.features_fn(observations), "features(observations)")
        if phi.ndim != 3 or phi.shape[1:] != (self.n_actions, self.n_params):
            raise ValueError(
                f"features(observations) must have shape (batch, n_actions, n_features) = "
                f"(batch, {self.n_actions}, {self.n_params}); got shape {phi.shape}"
            )
        return phi

    def _h(self, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
        return phi @ theta

    def _vjp(self, theta: np.ndarray, phi: np.ndarray, g: np.ndarray) -> np.ndarray:
        return (g[..., None, :] @ phi)[..., 0, :]  # Phi^T g, as softmax_pg.score computes it


# ====================================================================== weight matrix


class MatrixPreferences(Preferences):
    r"""The weight matrix on a state vector: :math:`h = W^\top x(s)`, :math:`J_h^\top g = x(s)\,g^\top`.

    :math:`x(s)` is the raw observation, flattened, with a constant 1 appended when
    ``bias`` is true (or ``state_fn(obs)``, then the 1). :math:`W` has shape
    ``(m, n_actions)`` with :math:`m` = ``n_state_features`` (+1 with the bias), and
    :math:`\theta` = ``W.ravel()`` (row-major). The score is :func:`softmax_pg.score_matrix`'s
    outer product :math:`x(e_a - \pi)^\top/\tau`. PyTorch's ``nn.Linear(n_obs, n_actions)``
    corresponds to ``weight = W[:-1].T`` and ``bias = W[-1]``.

    Parameters
    ----------
    n_state_features : int
        Length of the (flattened) observation, or of ``state_fn``'s output.
    n_actions : int
    state_fn : callable, optional
        Maps a batch of observations to ``(batch, n_state_features)``.
    bias : bool, default True
        Append the constant feature 1 (the last row of :math:`W` is then a bias).
    """

    def __init__(self, n_state_features: int, n_actions: int, state_fn: Callable | None = None,
                 bias: bool = True) -> None:
        self.n_state_features = check_count(n_state_features, "n_state_features")
        self.n_actions = check_count(n_actions, "n_actions")
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"bias must be True or False; got {bias!r}")
        if state_fn is not None and not callable(state_fn):
            raise TypeError(f"state_fn must be callable or None; got {state_fn!r}")
        self.state_fn = state_fn
        self.bias = bool(bias)
        self.m = self.n_state_features + int(self.bias)
        self.n_params = self.m * self.n_actions

    def __repr__(self) -> str:
        return (f"MatrixPreferences(n_state_features={self.n_state_features}, n_actions={self.n_actions}, "
                f"bias={self.bias})")

    def _prepare(self, observations: ArrayLike) -> np.ndarray:
        """x(s) for the batch, (batch, m)."""
        x = _state_matrix(observations, self.state_fn, self.n_state_features, "n_state_features")
        if self.bias:
            x = np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)
        return x

    def _trusted_prepare(self, obs: np.ndarray) -> np.ndarray:
        """``_prepare`` for checked float64 observations (batch, n_state_features): [x, 1] without re-checking."""
        if self.state_fn is not None or not self.bias:
            return self._prepare(obs)
        out = np.empty((obs.shape[0], self.m))
        out[:, :-1] = obs.reshape(obs.shape[0], -1)
        out[:, -1] = 1.0
        return out

    def _h(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        return x @ theta.reshape(self.m, self.n_actions)

    def _vjp(self, theta: np.ndarray, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        return (x[:, :, None] * g[:, None, :]).reshape(x.shape[0], self.n_params)

    def _vjp_sum(self, theta: np.ndarray, x: np.ndarray, g: np.ndarray, coef: np.ndarray) -> np.ndarray:
        return (x.T @ (coef[:, None] * g)).reshape(self.n_params)  # sum_i c_i x_i g_i^T

    def _h_runs(self, thetas: np.ndarray, x: np.ndarray) -> np.ndarray:
        # column by column, elementwise: the same rounding for one run or many
        w = thetas.reshape(thetas.shape[0], self.m, self.n_actions)
        h = x[:, 0, None] * w[:, 0, :]
        for k in range(1, self.m):
            h += x[:, k, None] * w[:, k, :]
        return h


# ============================================================================= network


class MLPPreferences(Preferences):
    r"""A small multilayer perceptron: tanh hidden layers, a linear output layer.

    With :math:`z_0 = x(s)`, :math:`z_l = \tanh(z_{l-1} W_l + b_l)` for the hidden layers and
    :math:`h = z_{L-1} W_L + b_L`. :math:`\theta` is the flat concatenation, layer by layer,
    of ``W_l`` (shape ``(in_l, out_l)``, row-major) then ``b_l`` (``(out_l,)``); see
    :meth:`unflatten` and :meth:`flatten`. :math:`J_h^\top g` is backpropagation of ``g``
    through the network: :math:`\delta_L = g`, :math:`\nabla_{W_l} = z_{l-1}^\top\delta_l`,
    :math:`\nabla_{b_l} = \delta_l`, :math:`\delta_{l-1} = (\delta_l W_l^\top)\odot(1 - z_{l-1}^2)`.
    PyTorch's ``nn.Sequential(Linear(n_in, h), Tanh(), Linear(h, n_a))`` corresponds to
    ``W_1 = lin1.weight.T``, ``b_1 = lin1.bias``, and so on.

    Parameters
    ----------
    n_inputs : int
        Width of :math:`x(s)`: the flattened observation, or ``state_fn``'s output.
    n_actions : int
    hidden : sequence of int, default (32,)
        Widths of the hidden layers (may be empty: then it is the weight matrix with a bias).
    state_fn : callable, optional
        Maps a batch of observations to ``(batch, n_inputs)``.
    """

    def __init__(self, n_inputs: int, n_actions: int, hidden: Sequence[int] = (32,),
                 state_fn: Callable | None = None) -> None:
        self.n_inputs = check_count(n_inputs, "n_inputs")
        self.n_actions = check_count(n_actions, "n_actions")
        if isinstance(hidden, numbers.Integral) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in hidden
        ):
            raise TypeError(f"hidden must be a sequence of layer widths >= 1, e.g. (32,); got {hidden!r}")
        if state_fn is not None and not callable(state_fn):
            raise TypeError(f"state_fn must be callable or None; got {state_fn!r}")
        self.hidden = tuple(int(n) for n in hidden)
        self.state_fn = state_fn
        widths = (self.n_inputs,) + self.hidden + (self.n_actions,)
        self.shapes = [(widths[i], widths[i + 1]) for i in range(len(widths) - 1)]
        self.n_params = sum(i * o + o for i, o in self.shapes)

    def __repr__(self) -> str:
        return f"MLPPreferences(n_inputs={self.n_inputs}, n_actions={self.n_actions}, hidden={self.hidden})"

    def init(self, rng: int | np.random.Generator) -> np.ndarray:
        r"""Small random weights: :math:`W_l \sim U(\pm 1/\sqrt{\text{in}_l})`, the output layer
        scaled by 0.1 so the first policy is close to uniform; biases zero. Draws the
        layers in order from ``rng``."""
        gen = check_rng(rng)
        layers = []
        for i, (n_in, n_out) in enumerate(self.shapes):
            bound = 1.0 / np.sqrt(n_in)
            w = gen.uniform(-bound, bound, size=(n_in, n_out))
            if i == len(self.shapes) - 1:
                w *= 0.1
            layers.append((w, np.zeros(n_out)))
        return self._flatten(layers)

    def unflatten(self, theta: ArrayLike) -> list[tuple[np.ndarray, np.ndarray]]:
        """The layers ``[(W_1, b_1), ...]`` of a flat :math:`\\theta` (views, not copies)."""
        return self._unflatten(self._check_theta(theta))

    def flatten(self, layers: Sequence[tuple[ArrayLike, ArrayLike]]) -> np.ndarray:
        """The flat :math:`\\theta` of a list of layers ``[(W_1, b_1), ...]``."""
        if len(layers) != len(self.shapes):
            raise ValueError(f"layers must hold {len(self.shapes)} (W, b) pairs; got {len(layers)}")
        checked = []
        for i, ((w, b), (n_in, n_out)) in enumerate(zip(layers, self.shapes)):
            w = as_real_array(w, f"layers[{i}][0]")
            b = as_real_array(b, f"layers[{i}][1]")
            if w.shape != (n_in, n_out) or b.shape != (n_out,):
                raise ValueError(
                    f"layer {i} must have W of shape {(n_in, n_out)} and b of shape {(n_out,)}; "
                    f"got {w.shape} and {b.shape}"
                )
            checked.append((w, b))
        return self._flatten(checked)

    @staticmethod
    def _flatten(layers) -> np.ndarray:
        return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in layers])

    def _unflatten(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        layers, i = [], 0
        for n_in, n_out in self.shapes:
            w = theta[i : i + n_in * n_out].reshape(n_in, n_out)
            i += n_in * n_out
            layers.append((w, theta[i : i + n_out]))
            i += n_out
        return layers

    def _prepare(self, observations: ArrayLike) -> np.ndarray:
        return _state_matrix(observations, self.state_fn, self.n_inputs, "n_inputs")

    def _forward(self, theta: np.ndarray, x: np.ndarray):
        layers = self._unflatten(theta)
        zs = [x]
        for w, b in layers[:-1]:
            zs.append(np.tanh(zs[-1] @ w + b))
        w, b = layers[-1]
        return layers, zs, zs[-1] @ w + b

    def _h(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        return self._forward(theta, x)[2]

    def _backward(self, layers, zs, delta: np.ndarray, per_sample: bool):
        grads = []
        for l in range(len(layers) - 1, -1, -1):
            w, _ = layers[l]
            z = zs[l]
            if per_sample:
                gw = (z[:, :, None] * delta[:, None, :]).reshape(z.shape[0], -1)
                grads.append(np.concatenate([gw, delta], axis=1))
            else:
                grads.append(np.concatenate([(z.T @ delta).ravel(), delta.sum(axis=0)]))
            if l > 0:
                delta = (delta @ w.T) * (1.0 - z * z)
        grads.reverse()
        return np.concatenate(grads, axis=-1)

    def _vjp(self, theta: np.ndarray, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        layers, zs, _ = self._forward(theta, x)
        return self._backward(layers, zs, g, per_sample=True)

    def _vjp_sum(self, theta: np.ndarray, x: np.ndarray, g: np.ndarray, coef: np.ndarray) -> np.ndarray:
        layers, zs, _ = self._forward(theta, x)
        return self._backward(layers, zs, coef[:, None] * g, per_sample=False)


# ================================================================ one formula, one function


def _check_prefs(prefs: object) -> Preferences:
    if not isinstance(prefs, Preferences):
        raise TypeError(
            "prefs must be a parametrisation of the preferences (TabularPreferences, LinearPreferences, "
            f"MatrixPreferences, MLPPreferences); got {prefs!r} of type {type(prefs).__name__}"
        )
    return prefs


def _checked(prefs, theta, observations, temperature):
    p = _check_prefs(prefs)
    th = p._check_theta(theta)
    obs = p._prepare(observations)
    tau = check_temperature(temperature)
    with np.errstate(over="ignore", invalid="ignore"):
        h = p._h(th, obs)
    if not np.isfinite(h).all():
        raise ValueError(
            "the preferences h_theta(observations) are not all finite; expected theta and observations "
            "small enough that every preference is a finite float64"
        )
    return p, th, obs, tau, h


def _checked_actions(actions: ArrayLike, p: Preferences, batch: int) -> np.ndarray:
    a = check_actions(actions, p.n_actions)
    if a.shape != (batch,):
        raise ValueError(f"actions must have shape (batch,) = ({batch},), one per observation; got shape {a.shape}")
    return a


def policy_probs(prefs: Preferences, theta: ArrayLike, observations: ArrayLike,
                 temperature: float = 1.0) -> np.ndarray:
    r"""Action probabilities :math:`\pi_\theta(\cdot\mid s) = \mathrm{softmax}(h_\theta(s)/\tau)`.

    Parameters
    ----------
    prefs : Preferences
        The parametrisation (:class:`TabularPreferences`, :class:`LinearPreferences`,
        :class:`MatrixPreferences`, :class:`MLPPreferences`).
    theta : array_like, shape (n_params,)
    observations : array_like, shape (batch, ...)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (batch, n_actions)
    """
    _, _, _, tau, h = _checked(prefs, theta, observations, temperature)
    return _softmax(h, tau)


def policy_log_prob(prefs: Preferences, theta: ArrayLike, observations: ArrayLike, actions: ArrayLike,
                    temperature: float = 1.0) -> np.ndarray:
    r"""Log-probabilities :math:`\log\pi_\theta(a_i\mid s_i)`, from the stable log-softmax.

    Parameters
    ----------
    prefs : Preferences
    theta : array_like, shape (n_params,)
    observations : array_like, shape (batch, ...)
    actions : array_like of int, shape (batch,)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (batch,)
    """
    p, _, obs, tau, h = _checked(prefs, theta, observations, temperature)
    a = _checked_actions(actions, p, h.shape[0])
    return _take(_log_softmax(h, tau), a)


def policy_score(prefs: Preferences, theta: ArrayLike, observations: ArrayLike, actions: ArrayLike,
                 temperature: float = 1.0) -> np.ndarray:
    r"""The score :math:`\nabla_\theta\log\pi_\theta(a\mid s) = J_h(s)^\top(e_a - \pi_\theta(\cdot\mid s))/\tau`.

    The preference-space score :math:`(e_a - \pi)/\tau` (:func:`softmax_pg.preference_score`'s
    formula) pulled back through the parametrisation's vector-Jacobian product. For
    :class:`LinearPreferences` this is :func:`softmax_pg.score`, for :class:`MatrixPreferences`
    the flattened :func:`softmax_pg.score_matrix`, for :class:`MLPPreferences`
    backpropagation of :math:`e_a - \pi`.

    Parameters
    ----------
    prefs : Preferences
    theta : array_like, shape (n_params,)
    observations : array_like, shape (batch, ...)
    actions : array_like of int, shape (batch,)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (batch, n_params)

    Raises
    ------
    TypeError
        If ``prefs`` is not a parametrisation, or an argument has the wrong type.
    ValueError
        On a mis-shaped ``theta``, observations or actions, an action out of range,
        non-finite input or ``temperature <= 0``.

    References
    ----------
    Sutton & Barto (2018), §13.2 and eq. 13.9; Williams (1992).
    """
    p, th, obs, tau, h = _checked(prefs, theta, observations, temperature)
    a = _checked_actions(actions, p, h.shape[0])
    return p._vjp(th, obs, _score_from_probs(_softmax(h, tau), a, tau))


def policy_sample(prefs: Preferences, theta: ArrayLike, observations: ArrayLike,
                  rng: int | np.random.Generator, temperature: float = 1.0) -> np.ndarray:
    r"""Draw :math:`a_i \sim \pi_\theta(\cdot\mid s_i)`, one uniform number per observation.

    As :func:`softmax_pg.sample_actions`: the cumulative distribution is inverted at
    ``rng.random(batch)``, so a batch consumes ``rng`` as a loop over it would.

    Returns
    -------
    numpy.ndarray of int64, shape (batch,)
    """
    _, _, _, tau, h = _checked(prefs, theta, observations, temperature)
    gen = check_rng(rng)
    return _inverse_cdf(_softmax(h, tau), gen.random(h.shape[0]))


def policy_entropy(prefs: Preferences, theta: ArrayLike, observations: ArrayLike,
                   temperature: float = 1.0) -> np.ndarray:
    r"""Entropy :math:`-\sum_b \pi_b\log\pi_b` of the policy at each observation, shape (batch,)."""
    _, _, _, tau, h = _checked(prefs, theta, observations, temperature)
    _, plogp = _p_log_p(_log_softmax(h, tau))
    return -np.sum(plogp, axis=-1)


def policy_fisher(prefs: Preferences, theta: ArrayLike, observations: ArrayLike,
                  temperature: float = 1.0) -> np.ndarray:
    r"""Fisher information :math:`F(s) = \mathbb{E}_{b\sim\pi}[\nabla\log\pi_b\nabla\log\pi_b^\top]
    = J_h^\top(\mathrm{diag}\,\pi - \pi\pi^\top)J_h/\tau^2`, one matrix per observation.

    Returns
    -------
    numpy.ndarray, shape (batch, n_params, n_params)
    """
    p, th, obs, tau, h = _checked(prefs, theta, observations, temperature)
    probs = _softmax(h, tau)
    batch = h.shape[0]
    scores = np.stack(
        [p._vjp(th, obs, _score_from_probs(probs, np.full(batch, b), tau)) for b in range(p.n_actions)],
        axis=1,
    )  # (batch, n_actions, n_params)
    weighted = scores * np.sqrt(probs)[:, :, None]
    f = np.swapaxes(weighted, -1, -2) @ weighted
    return 0.5 * (f + np.swapaxes(f, -1, -2))
