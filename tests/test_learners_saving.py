"""Save and load a trained policy (softmax_pg.learners.saving): the round trip."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from softmax_pg import MLPPreferences
from softmax_pg.envs import ShortCorridor, corridor_features
from softmax_pg.learners import load_policy, reinforce, save_policy


@pytest.mark.parametrize(
    "make",
    [
        lambda: reinforce(
            gym.make("FrozenLake-v1"), step_size=0.5, n_episodes=20, rng=0, temperature=0.5
        ),
        lambda: reinforce(
            ShortCorridor(), step_size=0.1, n_episodes=5, rng=0, features=corridor_features()
        ),
        lambda: reinforce(gym.make("CartPole-v1"), step_size=0.01, n_episodes=5, rng=0),
        lambda: reinforce(
            gym.make("CartPole-v1"),
            step_size=0.01,
            n_episodes=5,
            rng=0,
            param=MLPPreferences(4, 2, hidden=(3, 2)),
        ),
        lambda: reinforce(
            gym.make("CartPole-v1"),
            step_size=0.01,
            n_episodes=5,
            rng=0,
            normalize_observations=True,
        ),
    ],
    ids=["tabular", "features", "matrix", "mlp", "normalised"],
)
def test_round_trip(make, tmp_path):
    res = make()
    save_policy(tmp_path / "policy.npz", res)
    loaded = load_policy(tmp_path / "policy.npz")
    np.testing.assert_array_equal(loaded.theta, res.policy.theta)
    assert loaded.temperature == res.policy.temperature
    obs = np.array([0, 1, 2]) if loaded.param.observation_shape == () else np.ones((3, 4))
    np.testing.assert_array_equal(loaded.probs(obs), res.policy.probs(obs))
