"""What the learners share: the environment's spaces, the default parametrisations, the
critic, and one step of acting. Private: the public learners check their arguments once
and then call these trusted helpers in their loops."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array
from .preferences import LinearPreferences, MatrixPreferences, Preferences, TabularPreferences, _check_prefs


class Spaces:
    """The observation and action spaces the learners support.

    Actions: ``Discrete(n)`` starting at 0. Observations: ``Discrete(n)`` starting at 0
    (``n_states`` is set) or ``Box`` (``obs_shape``, ``obs_size`` are set).
    """

    def __init__(self, observation_space, action_space, where: str = "env") -> None:
        from gymnasium import spaces  # only the learners need gymnasium, and only here

        if not isinstance(action_space, spaces.Discrete) or int(action_space.start) != 0:
            raise TypeError(
                f"{where}.action_space must be gymnasium.spaces.Discrete(n) starting at 0 (a softmax policy "
                f"over n actions); got {action_space!r}. Box (continuous) actions need a Gaussian policy "
                "(softmax_pg.gaussian_score)"
            )
        self.n_actions = int(action_space.n)
        self.n_states: int | None = None
        self.obs_shape: tuple[int, ...] | None = None
        if isinstance(observation_space, spaces.Discrete):
            if int(observation_space.start) != 0:
                raise TypeError(f"{where}.observation_space Discrete must start at 0; got {observation_space!r}")
            self.n_states = int(observation_space.n)
        elif isinstance(observation_space, spaces.Box):
            self.obs_shape = tuple(int(n) for n in observation_space.shape)
            self.obs_size = int(np.prod(self.obs_shape, dtype=np.int64))
        else:
            raise TypeError(
                f"{where}.observation_space must be gymnasium.spaces.Discrete (starting at 0) or "
                f"gymnasium.spaces.Box; got {observation_space!r}"
            )

    @property
    def discrete(self) -> bool:
        return self.n_states is not None

    def default_preferences(self) -> Preferences:
        """Tabular for Discrete observations, the weight matrix on [obs, 1] for Box."""
        if self.discrete:
            return TabularPreferences(self.n_states, self.n_actions)
        return MatrixPreferences(self.obs_size, self.n_actions)

    def observe(self, obs, where: str) -> np.ndarray:
        """A checked batch of one observation: ``[s]`` (int64) or ``(1, obs_size)`` floats."""
        if self.discrete:
            if isinstance(obs, (bool, np.bool_)) or not isinstance(obs, (int, np.integer)) or not 0 <= obs < self.n_states:
                raise ValueError(
                    f"the observation from {where} must be an integer state in [0, {self.n_states}); got {obs!r}"
                )
            return np.array([obs], dtype=np.int64)
        x = np.asarray(obs, dtype=np.float64)
        if x.shape != self.obs_shape:
            raise ValueError(
                f"the observation from {where} must have shape {self.obs_shape} (the observation_space); "
                f"got shape {x.shape}"
            )
        if not np.isfinite(x).all():
            raise ValueError(f"the observation from {where} must be finite; got {x!r}")
        return x.reshape(1, self.obs_size)


def policy_parametrisation(spaces_: Spaces, features, preferences) -> Preferences:
    """The learners' parametrisation: ``preferences``, else a feature table, else the default."""
    if features is not None and preferences is not None:
        raise ValueError("give features or preferences, not both; got both")
    if preferences is not None:
        p = _check_prefs(preferences)
        if p.n_actions != spaces_.n_actions:
            raise ValueError(
                f"preferences must have n_actions = {spaces_.n_actions} (the action space); got {p!r}"
            )
        if isinstance(p, TabularPreferences) and p.n_states != spaces_.n_states:
            raise ValueError(
                f"preferences {p!r} must have n_states = {spaces_.n_states} (the observation space "
                f"{'Discrete(%d)' % spaces_.n_states if spaces_.discrete else 'is not Discrete'})"
            )
        return p
    if features is None:
        return spaces_.default_preferences()
    if not spaces_.discrete:
        raise ValueError(
            "features (a table indexed by the state) needs a Discrete observation space; for Box observations "
            "pass preferences=LinearPreferences(callable, ...) or MatrixPreferences(...)"
        )
    phi = as_real_array(features, "features")
    shape = (spaces_.n_states, spaces_.n_actions)
    if phi.ndim != 3 or phi.shape[:2] != shape or phi.shape[2] == 0:
        raise ValueError(
            f"features must have shape (n_states, n_actions, n_features) = ({shape[0]}, {shape[1]}, d) "
            f"for this environment; got shape {phi.shape}"
        )
    return LinearPreferences(phi)


def initial_theta(theta0: ArrayLike | None, prefs: Preferences, rng: np.random.Generator) -> np.ndarray:
    """theta0 checked, else ``prefs.init(rng)`` (zeros for all but the network, which draws)."""
    if theta0 is None:
        return prefs.init(rng)
    th = as_real_array(theta0, "theta0")
    if th.shape != (prefs.n_params,):
        raise ValueError(f"theta0 must have shape (n_params,) = ({prefs.n_params},); got shape {th.shape}")
    return th.copy()


# ----------------------------------------------------------------------------- critic


class TabularValue:
    """v(s, w) = w[s]: one weight per state, O(1) per step (one-hot value features)."""

    def __init__(self, n_states: int) -> None:
        self.n = n_states

    def zeros(self) -> np.ndarray:
        return np.zeros(self.n)

    def x(self, obs: np.ndarray):
        return int(obs[0])

    @staticmethod
    def value(w: np.ndarray, x) -> float:
        return w[x]

    @staticmethod
    def add(w: np.ndarray, x, step: float) -> None:
        w[x] += step  # w += step * e_s

    def baseline(self, w: np.ndarray, raw: np.ndarray, delta: np.ndarray, alpha_w: float) -> None:
        """The §13.4 box over one episode, in place: delta_t = G_t - w[S_t]; w[S_t] += alpha_w delta_t.

        ``raw``: the episode's states, shape (n_steps,)."""
        for t, s in enumerate(raw.tolist()):
            delta[t] -= w[s]
            w[s] += alpha_w * delta[t]


class LinearValue:
    """v(s, w) = w^T x(s), with x from a table (Discrete) or [obs, 1] (Box)."""

    def __init__(self, table: np.ndarray | None, size: int) -> None:
        self.table = table
        self.n = table.shape[1] if table is not None else size + 1

    def zeros(self) -> np.ndarray:
        return np.zeros(self.n)

    def x(self, obs: np.ndarray) -> np.ndarray:
        if self.table is not None:
            return self.table[int(obs[0])]
        return np.append(obs[0], 1.0)

    @staticmethod
    def value(w: np.ndarray, x: np.ndarray) -> float:
        return w @ x

    @staticmethod
    def add(w: np.ndarray, x: np.ndarray, step: float) -> None:
        w += step * x

    def baseline(self, w: np.ndarray, raw: np.ndarray, delta: np.ndarray, alpha_w: float) -> None:
        """The §13.4 box over one episode, in place: delta_t = G_t - w^T x_t; w += alpha_w delta_t x_t.

        ``raw``: the episode's observations, states (n_steps,) or vectors (n_steps, obs_size)."""
        if self.table is not None:
            for t, s in enumerate(raw.tolist()):
                x = self.table[s]
                delta[t] -= w @ x
                w += alpha_w * delta[t] * x
            return
        # [obs, 1] for Box observations: the same sums in plain floats, in the order of the
        # features (short vectors: numpy's per-call overhead would dominate)
        ws = w.tolist()
        d = delta.tolist()
        for t, xs in enumerate(raw.tolist()):
            xs.append(1.0)
            v = 0.0
            for wk, xk in zip(ws, xs):
                v += wk * xk
            d[t] -= v
            step = alpha_w * d[t]
            ws = [wk + step * xk for wk, xk in zip(ws, xs)]
        w[:] = ws
        delta[:] = d


def value_function(spaces_: Spaces, value_features):
    """The critic's features: one-hot (tabular) for Discrete, [obs, 1] for Box, or a table."""
    if value_features is None:
        if spaces_.discrete:
            return TabularValue(spaces_.n_states)
        return LinearValue(None, spaces_.obs_size)
    if not spaces_.discrete:
        raise ValueError("value_features (a table indexed by the state) needs a Discrete observation space; "
                         "for Box observations the critic is linear in [obs, 1]")
    x = as_real_array(value_features, "value_features")
    if x.ndim != 2 or x.shape[0] != spaces_.n_states or x.shape[1] == 0:
        raise ValueError(
            f"value_features must have shape (n_states, n_value_features) = ({spaces_.n_states}, k); "
            f"got shape {x.shape}"
        )
    return LinearValue(x, 0)


# ------------------------------------------------------------------------------- acting


def act(prefs: Preferences, theta: np.ndarray, prepared, u: float) -> tuple[int, np.ndarray]:
    """A ~ pi_theta(.|s) from the uniform ``u`` (inverse CDF), and pi itself, for one prepared observation.

    The same arithmetic as ``_softmax`` and ``_inverse_cdf`` on a batch of one (the column
    order of their sums), written for one small vector: a learner's step is dominated by
    such per-call overheads, not by the arithmetic.
    """
    h = prefs._h1(theta, prepared)
    z = h - max(h.tolist())  # the max shift, as _max_last
    np.exp(z, out=z)
    if z.shape[0] > 16:
        total = np.sum(z)  # as _sum_last for many actions
    else:
        zs = z.tolist()
        total = zs[0]
        for v in zs[1:]:
            total += v  # the sum column by column, as _sum_last
    z /= total
    cdf, a = 0.0, 0
    for p in z.tolist()[:-1]:  # as _inverse_cdf: count the cumulative sums <= u
        cdf += p
        a += cdf <= u
    return a, z


def check_finite_theta(theta: np.ndarray, episode: int) -> None:
    """After an update: a diverged theta (too large a step) is an error, not silent NaN."""
    if not np.isfinite(theta).all():
        raise FloatingPointError(
            f"theta stopped being finite after episode {episode}: the step size is too large for this problem"
        )
