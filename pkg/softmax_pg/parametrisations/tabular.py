r"""Tabular preferences: :math:`h_\theta(s) = \theta[s, :]`."""

from __future__ import annotations

import numpy as np

from .._validation import check_actions, check_count
from .base import Parametrisation

__all__ = ["TabularPreferences", "check_states"]


def check_states(observations, n_states: int) -> np.ndarray:
    """A batch of discrete states, int64 of shape (batch,), each in [0, n_states)."""
    s = check_actions(observations, n_states, "observations", kind="state")
    if s.ndim != 1:
        raise ValueError(
            f"observations must be a batch of states, shape (batch,), each in [0, {n_states}); "
            f"got shape {s.shape}"
        )
    return s


class TabularPreferences(Parametrisation):
    r"""One preference per state and action: :math:`\theta` is the table, :math:`h_\theta(s) =
    \theta[s,:]`.

    :math:`\theta` is the ``(n_states, n_actions)`` table flattened row-major
    (``theta[s * n_actions + b]``), the numbers of the linear policy with
    :func:`softmax_pg.tabular_features`. :math:`\mathrm{D}h(s)^\top g` is ``g`` placed in
    row ``s``: the score costs O(n_actions) per state (Sutton & Barto 2018, eq. 2.12).

    Parameters
    ----------
    n_states, n_actions : int
        Sizes of the discrete observation and action sets, each at least 1.
    """

    observation_shape = ()
    _blocked_score = False  # the vjp only places g in row s: blocks would add a copy

    def __init__(self, n_states: int, n_actions: int) -> None:
        self.n_states = check_count(n_states, "n_states")
        self.n_actions = check_count(n_actions, "n_actions")
        self.n_params = self.n_states * self.n_actions

    def __repr__(self) -> str:
        return f"TabularPreferences(n_states={self.n_states}, n_actions={self.n_actions})"

    def to_config(self) -> dict:
        return {"n_states": self.n_states, "n_actions": self.n_actions}

    def table(self, theta: np.ndarray) -> np.ndarray:
        """The table of preferences, a (n_states, n_actions) view of ``theta``."""
        return np.asarray(theta).reshape(self.n_states, self.n_actions)

    def check_observations(self, observations) -> np.ndarray:
        return check_states(observations, self.n_states)

    def preferences(self, theta, observations):
        return self.table(theta)[observations]

    def vjp(self, theta, observations, g):
        s = np.asarray(observations)
        out = np.zeros((s.shape[0], self.n_states, self.n_actions))
        out[np.arange(s.shape[0]), s] = g
        return out.reshape(s.shape[0], self.n_params)

    def vjp_sum(self, theta, observations, g):
        out = np.zeros((self.n_states, self.n_actions))
        np.add.at(out, np.asarray(observations), g)  # in batch order, O(batch * n_actions)
        return out.reshape(self.n_params)

    def preferences_many(self, thetas, observations):
        s = np.asarray(observations)
        tables = np.asarray(thetas).reshape(-1, self.n_states, self.n_actions)
        return tables[np.arange(tables.shape[0])[:, None], s]

    def linearise_many(self, thetas, observations):
        s = np.asarray(observations)  # (runs, batch)
        runs = np.arange(s.shape[0])[:, None]

        def pullback(g, summed=False):
            if summed:  # each run's g added into its table, in batch order
                out = np.zeros((s.shape[0], self.n_states, self.n_actions))
                np.add.at(out, (runs, s), g)
                return out.reshape(s.shape[0], self.n_params)
            out = np.zeros(s.shape + (self.n_states, self.n_actions))
            out[runs, np.arange(s.shape[1]), s] = g
            return out.reshape(s.shape + (self.n_params,))

        return self.preferences_many(thetas, s), pullback
