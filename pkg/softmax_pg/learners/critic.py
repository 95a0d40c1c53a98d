r"""State-value functions :math:`\hat v(s, w)` for the baseline and the critic.

* :class:`TabularValue`: :math:`w[s]` (one-hot features), O(1) per step;
* :class:`LinearValue`: :math:`w^\top x(s)` with :math:`x` a table row (``Discrete``) or
  :math:`[s; 1]` (``Box``);
* :class:`ParamValue`: any :class:`softmax_pg.Parametrisation` with one output,
  :math:`\hat v(s, w) = h_w(s)_0` (for instance ``MLPPreferences(n, 1, hidden=(64,))``),
  its semi-gradient the parametrisation's vjp of the TD errors.

Each has per-step methods (``x``, ``value``, ``add``: the textbook boxes, one step at a
time), ``baseline`` (the §13.4 box over one episode) and batch methods (``values``,
``update``) for the batch actor-critic. Trusted: the learners check the arguments.
"""

from __future__ import annotations

import numpy as np

from ..parametrisations.outputs import checked, checked_init

__all__ = ["LinearValue", "ParamValue", "TabularValue", "value_function"]


class TabularValue:
    """v(s, w) = w[s]: one weight per state (one-hot value features)."""

    def __init__(self, n_states: int) -> None:
        self.n = n_states

    def zeros(self) -> np.ndarray:
        return np.zeros(self.n)

    def x(self, obs):
        return obs

    @staticmethod
    def value(w: np.ndarray, x) -> float:
        return w[x]

    @staticmethod
    def add(w: np.ndarray, x, step: float) -> None:
        w[x] += step  # w += step * e_s

    def baseline(
        self, w: np.ndarray, states: np.ndarray, delta: np.ndarray, alpha_w: float
    ) -> None:
        """The §13.4 box in place: delta_t = G_t - w[S_t]; w[S_t] += a_w delta_t."""
        for t, s in enumerate(states.tolist()):
            delta[t] -= w[s]
            w[s] += alpha_w * delta[t]

    def values(self, w: np.ndarray, states: np.ndarray) -> np.ndarray:
        return w[states]

    def update(self, w: np.ndarray, states: np.ndarray, errors: np.ndarray, alpha_w: float) -> None:
        np.add.at(w, states, alpha_w * errors)


class LinearValue:
    """v(s, w) = w^T x(s), with x a row of a table (Discrete) or [obs, 1] (Box)."""

    def __init__(self, table: np.ndarray | None, size: int) -> None:
        self.table = table
        self.n = table.shape[1] if table is not None else size + 1

    def zeros(self) -> np.ndarray:
        return np.zeros(self.n)

    def x(self, obs) -> np.ndarray:
        if self.table is not None:
            return self.table[obs]
        return np.append(obs, 1.0)

    @staticmethod
    def value(w: np.ndarray, x: np.ndarray) -> float:
        return w @ x

    @staticmethod
    def add(w: np.ndarray, x: np.ndarray, step: float) -> None:
        w += step * x

    def baseline(self, w: np.ndarray, raw: np.ndarray, delta: np.ndarray, alpha_w: float) -> None:
        """The §13.4 box in place: delta_t = G_t - w^T x_t; w += a_w delta_t x_t."""
        if self.table is not None:
            for t, s in enumerate(raw.tolist()):
                x = self.table[s]
                delta[t] -= w @ x
                w += alpha_w * delta[t] * x
            return
        # [obs, 1]: the same sums in plain floats, feature by feature (short vectors, where
        # numpy's per-call overhead would dominate)
        ws, d = w.tolist(), delta.tolist()
        for t, xs in enumerate(raw.tolist()):
            xs.append(1.0)
            v = 0.0
            for wk, xk in zip(ws, xs, strict=False):
                v += wk * xk
            d[t] -= v
            step = alpha_w * d[t]
            ws = [wk + step * xk for wk, xk in zip(ws, xs, strict=False)]
        w[:] = ws
        delta[:] = d

    def features(self, raw: np.ndarray) -> np.ndarray:
        if self.table is not None:
            return self.table[raw]
        return np.concatenate([raw, np.ones((raw.shape[0], 1))], axis=1)

    def values(self, w: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return self.features(raw) @ w

    def update(self, w: np.ndarray, raw: np.ndarray, errors: np.ndarray, alpha_w: float) -> None:
        w += alpha_w * (errors @ self.features(raw))


class ParamValue:
    """v(s, w) = h_w(s)_0 of a parametrisation with one output; the semi-gradient by its vjp."""

    def __init__(self, param, rng: np.random.Generator | None = None) -> None:
        self.param = checked(param)
        if self.param.n_actions != 1:
            raise ValueError(
                f"value_param must have n_actions = 1 (one output, the value); got {param!r}"
            )
        self.n = self.param.n_params
        self.rng = rng

    def zeros(self) -> np.ndarray:
        return checked_init(self.param, self.rng if self.rng is not None else 0).copy()

    def _batch(self, raw):
        return np.asarray(raw)[None] if np.ndim(raw) <= 1 else raw

    def x(self, obs):
        return obs

    def value(self, w: np.ndarray, x) -> float:
        return float(self.param.preferences(w, self._batch(x))[0, 0])

    def add(self, w: np.ndarray, x, step: float) -> None:
        w += self.param.vjp_sum(w, self._batch(x), np.full((1, 1), step))

    def baseline(self, w: np.ndarray, raw: np.ndarray, delta: np.ndarray, alpha_w: float) -> None:
        for t in range(raw.shape[0]):
            delta[t] -= self.value(w, raw[t])
            self.add(w, raw[t], alpha_w * delta[t])

    def values(self, w: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return self.param.preferences(w, raw)[:, 0]

    def update(self, w: np.ndarray, raw: np.ndarray, errors: np.ndarray, alpha_w: float) -> None:
        w += alpha_w * self.param.vjp_sum(w, raw, errors[:, None])


def value_function(spaces, value_features=None, value_param=None, rng=None):
    """The critic: ``value_param``, else a table, else one-hot (Discrete) or [obs, 1] (Box)."""
    if value_param is not None:
        if value_features is not None:
            raise ValueError("give value_features or value_param, not both; got both")
        return ParamValue(value_param, rng)
    if value_features is None:
        return (
            TabularValue(spaces.n_states) if spaces.discrete else LinearValue(None, spaces.obs_size)
        )
    if not spaces.discrete:
        raise ValueError(
            "value_features (a table indexed by the state) needs a Discrete observation space; "
            "for Box "
            "observations the critic is linear in [obs, 1], or pass value_param=MLPPreferences(n, "
            "1, ...)"
        )
    x = np.asarray(value_features, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != spaces.n_states or x.shape[1] == 0 or not np.isfinite(x).all():
        raise ValueError(
            f"value_features must be a finite array of shape (n_states, n_value_features) = "
            f"({spaces.n_states}, k); got shape {x.shape}"
        )
    return LinearValue(x, 0)
