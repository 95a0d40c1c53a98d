"""What a learner returns: undiscounted and discounted returns, history, callback, progress."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from softmax_pg.envs import ShortCorridor, corridor_features
from softmax_pg.learners import LearningResult, actor_critic, discounted_returns, reinforce


def test_returns_are_undiscounted_and_discounted_returns_are_g0():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    res = reinforce(env, step_size=0.5, n_episodes=30, rng=0, gamma=0.9)
    assert isinstance(res, LearningResult) and res.wall_time > 0
    # FrozenLake pays 1 at the goal: the undiscounted return is 0 or 1, G_0 = 0.9^(T-1) or 0
    assert set(res.returns.tolist()) <= {0.0, 1.0}
    reached = res.returns == 1.0
    np.testing.assert_allclose(res.discounted_returns[reached], 0.9 ** (res.lengths[reached] - 1))
    corridor = reinforce(
        ShortCorridor(),
        step_size=0.01,
        n_episodes=5,
        rng=1,
        features=corridor_features(),
        gamma=0.5,
    )
    np.testing.assert_array_equal(corridor.returns, -corridor.lengths)
    for g0, n in zip(corridor.discounted_returns, corridor.lengths, strict=False):
        assert g0 == discounted_returns(-np.ones(n), 0.5)[0]


def test_a_callback_sees_every_update_and_history_matches():
    seen = []
    res = reinforce(
        gym.make("CartPole-v1"),
        step_size=0.01,
        n_episodes=10,
        rng=0,
        episodes_per_update=3,
        callback=seen.append,
    )
    assert [s["episode"] for s in seen] == [2, 5, 8, 9]  # the last update has one episode
    np.testing.assert_array_equal(res.history["episode"], [2, 5, 8, 9])
    np.testing.assert_allclose(res.history["return"][0], res.returns[:3].mean())
    assert (res.history["entropy"] > 0).all() and (res.history["gradient_norm"] > 0).all()
    assert set(seen[0]) == {"episode", "return", "entropy", "gradient_norm"}
    seen.clear()
    actor_critic(
        gym.make("CartPole-v1"),
        step_size=0.01,
        value_step_size=0.01,
        n_episodes=4,
        rng=0,
        callback=seen.append,
    )
    assert [s["episode"] for s in seen] == [0, 1, 2, 3]


def test_no_progress_bar_writes_nothing(capsys):
    reinforce(gym.make("CartPole-v1"), step_size=0.01, n_episodes=3, rng=0, progress=False)
    reinforce(
        gym.make("CartPole-v1"), step_size=0.01, n_episodes=3, rng=0
    )  # automatic: not a terminal
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_a_progress_bar_on_request(capsys):
    reinforce(gym.make("CartPole-v1"), step_size=0.01, n_episodes=3, rng=0, progress=True)
    assert "episode" in capsys.readouterr().err


def test_same_seed_same_result_bit_for_bit():
    env = gym.make("CartPole-v1")
    kw = {
        "step_size": 0.01,
        "n_episodes": 12,
        "episodes_per_update": 4,
        "normalize_advantages": True,
    }
    a = reinforce(env, rng=5, **kw)
    b = reinforce(env, rng=np.random.default_rng(5), **kw)
    np.testing.assert_array_equal(a.policy.theta, b.policy.theta)
    np.testing.assert_array_equal(a.returns, b.returns)
