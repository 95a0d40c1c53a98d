"""One-step actor-critic: worked by hand, learning on a small grid, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from _learners_helpers import SMALL, OneStep, first_uniform, greedy_path
from softmax_pg import tabular_features
from softmax_pg.envs import GridWorld, ShortCorridor, corridor_features
from softmax_pg.envs.corridor import LEFT, RIGHT
from softmax_pg.learners import (
    actor_critic,
)

PHI = corridor_features()
ONES = np.ones((4, 1))
SEED_RLR = 1  # with theta = 0 (p = 1/2) this seed's first episode is right, left, right


@pytest.mark.parametrize("seed", [4, 5])
def test_actor_critic_one_step_by_hand(seed):
    alpha, alpha_w = 0.5, 0.25
    res = actor_critic(
        OneStep(), step_size=alpha, value_step_size=alpha_w, n_episodes=1, rng=seed
    )
    a = int(first_uniform(seed) >= 0.5)
    delta = (1.0 if a == 0 else 0.0) + 0.0 - 0.0  # R + v(terminal) - v(start), w = 0
    expected = np.zeros(4)
    expected[:2] = alpha * delta * (np.eye(2)[a] - 0.5)
    np.testing.assert_allclose(res.policy.theta, expected)
    np.testing.assert_allclose(res.value_weights, [alpha_w * delta, 0.0])


def test_actor_critic_corridor_episode_by_hand():
    alpha, alpha_w, gamma = 0.1, 0.5, 0.9
    res = actor_critic(
        ShortCorridor(),
        step_size=alpha,
        value_step_size=alpha_w,
        n_episodes=1,
        rng=SEED_RLR,
        features=PHI,
        gamma=gamma,
        value_features=ONES,
        theta0=[0.0, 0.0],
    )
    # replay with the same uniforms; the actions are right, left, right as long as the
    # updated policy still maps these uniforms to them (checked by the lengths)
    assert res.lengths.tolist() == [3]
    theta, w, discount = np.zeros(2), 0.0, 1.0
    for a, terminal in ((RIGHT, False), (LEFT, False), (RIGHT, True)):
        p = 1.0 / (1.0 + np.exp(theta[1] - theta[0]))  # pi(right)
        sc = np.array([1 - p, -(1 - p)]) if a == RIGHT else np.array([-p, p])
        delta = -1.0 + (0.0 if terminal else gamma * w) - w
        w += alpha_w * delta
        theta = theta + alpha * discount * delta * sc
        discount *= gamma
    np.testing.assert_allclose(res.policy.theta, theta)
    np.testing.assert_allclose(res.value_weights, [w])


def test_actor_critic_finds_the_goal():
    env = GridWorld(SMALL)
    res = actor_critic(
        env, step_size=0.2, value_step_size=0.2, n_episodes=60, rng=0, max_steps=100
    )
    path = greedy_path(env, res.policy, tabular_features(env.n_states, 4))
    assert path[-1] == env.state(2, 2) and len(path) == 5


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(value_step_size=0.0), ValueError, "value_step_size"),
        (dict(step_size=float("inf")), ValueError, "step_size"),
        (dict(value_features=np.ones((5, 1))), ValueError, "value_features"),
    ],
)
def test_actor_critic_bad_input(kwargs, error, match):
    args = dict(step_size=0.1, value_step_size=0.1, n_episodes=1, rng=0) | kwargs
    with pytest.raises(error, match=match):
        actor_critic(OneStep(), **args)
