"""Evaluation of a trained policy (softmax_pg.learners.evaluate)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from softmax_pg import MatrixPreferences, SoftmaxPolicy
from softmax_pg.learners import evaluate, reinforce


def balancer():
    """A hand-set weight matrix that pushes the cart the way the pole leans (W on [x; 1])."""
    w = np.zeros((5, 2))
    w[2], w[3] = [-10.0, 10.0], [-10.0, 10.0]  # pole angle and angular velocity
    return SoftmaxPolicy(MatrixPreferences(4, 2), w.ravel())


def test_greedy_evaluation_is_deterministic_and_balances():
    env = gym.make("CartPole-v1", max_episode_steps=200)  # balancing: past 150 steps
    a = evaluate(balancer(), env, n_episodes=3, rng=1)
    b = evaluate(balancer(), env, n_episodes=3, rng=1)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert a.mean == a.returns.mean() and a.mean > 150
    assert a.se == pytest.approx(a.returns.std(ddof=1) / np.sqrt(3))


def test_sampled_evaluation_uses_the_policy_and_a_result_works():
    res = reinforce(gym.make("FrozenLake-v1"), step_size=0.1, n_episodes=3, rng=0)
    ev = evaluate(res, gym.make("FrozenLake-v1"), n_episodes=20, rng=0, greedy=False)
    assert ev.returns.shape == ev.lengths.shape == (20,) and 0.0 <= ev.mean <= 1.0
    with pytest.raises(TypeError, match="policy must be a SoftmaxPolicy"):
        evaluate("policy", gym.make("FrozenLake-v1"))
    with pytest.raises(ValueError, match="policy has 4 actions"):
        evaluate(res, gym.make("CartPole-v1"))
