"""REINFORCE: one episode worked by hand, learning on a small grid, bad input."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from _learners_helpers import SMALL, BoxActions, OneStep, first_uniform, greedy_path
from softmax_pg import SoftmaxPolicy, tabular_features
from softmax_pg.envs import GridWorld, ShortCorridor, corridor_features
from softmax_pg.envs.corridor import LEFT, RIGHT
from softmax_pg.learners import (
    LearningResult,
    actor_critic,
    discounted_returns,
    episode_gradient,
    reinforce,
    sample_episode,
)

PHI = corridor_features()
ONES = np.ones((4, 1))
SEED_RLR = 1  # with theta = 0 (p = 1/2) this seed's first episode is right, left, right


def test_discounted_returns_by_hand():
    # G_2 = 3, G_1 = 2 + 0.5 * 3, G_0 = 1 + 0.5 * 3.5
    np.testing.assert_allclose(discounted_returns([1.0, 2.0, 3.0], 0.5), [2.75, 3.5, 3.0])
    np.testing.assert_allclose(discounted_returns([-1.0, -1.0, -1.0]), [-3.0, -2.0, -1.0])


def test_reinforce_one_episode_by_hand():
    alpha, gamma = 0.1, 0.9
    res = reinforce(
        ShortCorridor(),
        step_size=alpha,
        n_episodes=1,
        rng=SEED_RLR,
        features=PHI,
        gamma=gamma,
        theta0=[0.0, 0.0],
    )
    assert res.lengths.tolist() == [3]  # right, left, right: the only 3-step episode
    # G_t from step t on: G_2 = -1, G_1 = -1 - 0.9, G_0 = -1 - 0.9 - 0.81
    g = [-2.71, -1.9, -1.0]
    # pi = (1/2, 1/2), so score(right) = (1/2, -1/2) and score(left) = (-1/2, 1/2)
    right, left = np.array([0.5, -0.5]), -np.array([0.5, -0.5])
    step = alpha * (1.0 * g[0] * right + 0.9 * g[1] * left + 0.81 * g[2] * right)
    np.testing.assert_allclose(res.policy.theta, step)  # (-0.0905, 0.0905)
    np.testing.assert_allclose(res.discounted_returns, [-2.71])
    np.testing.assert_array_equal(res.returns, [-3.0])  # undiscounted: three rewards of -1
    assert res.value_weights is None
    # the two traps give other numbers: G_0 in place of G_t, a mean in place of the sum
    with_g0 = alpha * g[0] * (right + 0.9 * left + 0.81 * right)
    assert not np.allclose(res.policy.theta, with_g0)
    assert not np.allclose(res.policy.theta, step / 3)


def test_reinforce_with_baseline_one_episode_by_hand():
    alpha, alpha_w, gamma = 0.1, 0.5, 0.9
    res = reinforce(
        ShortCorridor(),
        step_size=alpha,
        n_episodes=1,
        rng=SEED_RLR,
        features=PHI,
        gamma=gamma,
        theta0=[0.0, 0.0],
        baseline_step_size=alpha_w,
        value_features=ONES,
    )
    g = [-2.71, -1.9, -1.0]
    w = 0.0
    d0 = g[0] - w  # -2.71
    w += alpha_w * d0  # -1.355
    d1 = g[1] - w  # -0.545
    w += alpha_w * d1  # -1.6275
    d2 = g[2] - w  # 0.6275
    w += alpha_w * d2  # -1.31375
    right, left = np.array([0.5, -0.5]), np.array([-0.5, 0.5])
    expected = alpha * (d0 * right + 0.9 * d1 * left + 0.81 * d2 * right)
    np.testing.assert_allclose(res.policy.theta, expected)
    np.testing.assert_allclose(res.value_weights, [w])


def test_reinforce_tabular_update_is_e_a_minus_pi():
    alpha = 0.5
    res = reinforce(OneStep(), step_size=alpha, n_episodes=1, rng=4)
    a = int(first_uniform(4) >= 0.5)
    r = 1.0 if a == 0 else 0.0
    expected = np.zeros(4)  # theta[s * 2 + b]; only state 0's entries move
    expected[:2] = alpha * r * (np.eye(2)[a] - 0.5)
    np.testing.assert_allclose(res.policy.theta, expected)


def test_result_shapes_and_reproducibility():
    env = GridWorld(("S.", ".G"))
    a = reinforce(env, step_size=0.1, n_episodes=5, rng=0, baseline_step_size=0.1)
    b = reinforce(env, step_size=0.1, n_episodes=5, rng=np.random.default_rng(0))
    assert isinstance(a, LearningResult) and isinstance(a.policy, SoftmaxPolicy)
    assert a.returns.shape == a.lengths.shape == (5,)
    assert a.policy.theta.shape == (4 * 4,) and a.value_weights.shape == (4,)
    # the baseline changes the updates, not the first episode's draws
    assert a.returns[0] == b.returns[0]
    again = reinforce(env, step_size=0.1, n_episodes=5, rng=0, baseline_step_size=0.1)
    np.testing.assert_array_equal(a.policy.theta, again.policy.theta)


@pytest.mark.filterwarnings("ignore:the policy's entropy collapsed")  # theta0 is deterministic
def test_max_steps_cuts_episodes():
    res = reinforce(
        ShortCorridor(),
        step_size=0.01,
        n_episodes=3,
        rng=0,
        features=PHI,
        theta0=[-20.0, 20.0],
        max_steps=7,
    )
    assert res.lengths.tolist() == [7, 7, 7]
    np.testing.assert_array_equal(res.returns, -7.0)
    res = actor_critic(
        ShortCorridor(),
        step_size=0.01,
        value_step_size=0.1,
        n_episodes=2,
        rng=0,
        max_steps=5,
        theta0=np.tile([20.0, -20.0], 4),
    )
    assert res.lengths.tolist() == [5, 5]


def test_reinforce_with_baseline_finds_the_goal():
    env = GridWorld(SMALL)
    res = reinforce(
        env,
        step_size=0.02,
        n_episodes=150,
        rng=0,
        baseline_step_size=0.1,
        max_steps=100,
    )
    phi = tabular_features(env.n_states, 4)
    path = greedy_path(env, res.policy, phi)
    assert path[-1] == env.state(2, 2) and len(path) == 5  # four steps, around the pit
    assert res.returns[-10:].mean() > -6.0  # the best return is -4


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(step_size=0.0), ValueError, "step_size"),
        (dict(step_size="0.1"), TypeError, "step_size"),
        (dict(n_episodes=0), ValueError, "n_episodes"),
        (dict(n_episodes=2.5), TypeError, "n_episodes"),
        (dict(gamma=1.5), ValueError, "gamma"),
        (dict(gamma=0.0), ValueError, "gamma"),
        (dict(max_steps=0), ValueError, "max_steps"),
        (dict(rng=None), TypeError, "rng"),
        (dict(features=np.zeros((2, 3, 4))), ValueError, "features"),
        (dict(features=np.full((2, 2, 1), np.nan)), ValueError, "features"),
        (dict(theta0=np.zeros(3)), ValueError, "theta0"),
        (dict(baseline_step_size=-1.0), ValueError, "baseline_step_size"),
        (
            dict(baseline_step_size=0.1, value_features=np.ones((3, 1))),
            ValueError,
            "value_features",
        ),
        (dict(value_features=np.ones((2, 1))), ValueError, "baseline_step_size"),
    ],
)
def test_reinforce_bad_input(kwargs, error, match):
    args = dict(step_size=0.1, n_episodes=1, rng=0) | kwargs
    with pytest.raises(error, match=match):
        reinforce(OneStep(), **args)


def test_learners_need_discrete_actions():
    with pytest.raises(TypeError, match=r"action_space must be gymnasium.spaces.Discrete.*got Box"):
        reinforce(BoxActions(), step_size=0.1, n_episodes=1, rng=0)
    with pytest.raises(TypeError, match="action_space must be gymnasium.spaces.Discrete"):
        actor_critic(BoxActions(), step_size=0.1, value_step_size=0.1, n_episodes=1, rng=0)
    with pytest.raises(ValueError, match="rewards"):
        discounted_returns([[1.0]])


def test_sample_episode_is_the_learners_first_episode():
    rng = np.random.default_rng(SEED_RLR)
    seed = int(rng.integers(2**32))
    states, actions, rewards = sample_episode(ShortCorridor(), [0.0, 0.0], PHI, rng, seed=seed)
    assert states.tolist() == [0, 1, 2] and actions.tolist() == [RIGHT, LEFT, RIGHT]
    assert rewards.tolist() == [-1.0, -1.0, -1.0]


def test_episode_gradient_by_hand():
    states, actions, rewards = [0, 1, 2], [RIGHT, LEFT, RIGHT], [-1.0, -1.0, -1.0]
    right, left = np.array([0.5, -0.5]), np.array([-0.5, 0.5])
    got = episode_gradient([0.0, 0.0], PHI, states, actions, rewards, gamma=0.9)
    np.testing.assert_allclose(got, -2.71 * right + 0.9 * -1.9 * left + 0.81 * -1.0 * right)
    # a baseline b_t is subtracted from G_t
    got = episode_gradient([0.0, 0.0], PHI, states, actions, rewards, baselines=[-3.0, -2.0, -1.0])
    np.testing.assert_allclose(got, 0.0, atol=1e-15)  # G_t - b_t = 0 at every step
    with pytest.raises(ValueError, match="same length"):
        episode_gradient([0.0, 0.0], PHI, states, actions[:2], rewards)
    with pytest.raises(ValueError, match="baselines"):
        episode_gradient([0.0, 0.0], PHI, states, actions, rewards, baselines=[0.0])
    with pytest.raises(ValueError, match=r"observations must lie in \[0, 4\)"):
        episode_gradient([0.0, 0.0], PHI, [0, 9, 1], actions, rewards)


def test_grid_policy_values_by_hand():
    env = GridWorld(("S.G",))  # states 0, 1, 2 in a row; right twice reaches the goal
    always_right = np.tile([0.0, 1.0, 0.0, 0.0], (3, 1))
    np.testing.assert_allclose(env.policy_values(always_right), [-2.0, -1.0, 0.0])
    np.testing.assert_allclose(env.policy_values(always_right, gamma=0.5), [-1.5, -1.0, 0.0])
    # uniform: up and down bump into the border (stay), right moves on, left moves back
    uniform = np.full((3, 4), 0.25)
    v = env.policy_values(uniform)
    np.testing.assert_allclose(v[0], -1 + 0.75 * v[0] + 0.25 * v[1])
    np.testing.assert_allclose(v[1], -1 + 0.5 * v[1] + 0.25 * v[0] + 0.25 * 0.0)
    # always up never ends: no finite value; right in 0 then up in 1 traps state 0 as well
    assert np.isnan(env.policy_values(np.tile([1.0, 0.0, 0.0, 0.0], (3, 1)))[:2]).all()
    trap = np.array([[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(np.isnan(env.policy_values(trap)), [True, True, False])
    # from state 1 half the steps bump into the border: the goal is still reached surely
    half = np.array([[0.0, 1.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(env.policy_values(half), [-3.0, -2.0, 0.0])
    np.testing.assert_allclose(env.policy_values(trap, gamma=0.5), [-2.0, -2.0, 0.0])
    with pytest.raises(ValueError, match="probs"):
        env.policy_values(np.ones((3, 4)))


# ------------------------------------------------------------- the options, by hand


def _children_episodes(seed, n, theta, phi):
    """The episodes of one update with episodes_per_update = n (the random protocol)."""
    from softmax_pg.learners import sample_episode

    g, out = np.random.default_rng(seed), []
    for _ in range(n):
        child = np.random.default_rng(int(g.integers(2**63)))
        out.append(
            sample_episode(ShortCorridor(), theta, phi, child, seed=int(child.integers(2**32)))
        )
    return out


def test_several_episodes_normalised_advantages_no_discount_factor_by_hand():
    from softmax_pg import score

    alpha, gamma, theta0 = 0.1, 0.9, np.array([0.3, -0.2])
    res = reinforce(
        ShortCorridor(),
        step_size=alpha,
        n_episodes=3,
        rng=7,
        features=PHI,
        theta0=theta0,
        gamma=gamma,
        episodes_per_update=3,
        normalize_advantages=True,
        discount_weighting=False,
    )
    episodes = _children_episodes(7, 3, theta0, PHI)
    g = np.concatenate([discounted_returns(r, gamma) for _, _, r in episodes])
    a = (g - g.mean()) / g.std()
    scores = np.concatenate([score(theta0, PHI[s], act) for s, act, _ in episodes])
    np.testing.assert_allclose(res.policy.theta, theta0 + alpha * (a @ scores) / 3, rtol=1e-12)
    np.testing.assert_array_equal(res.lengths, [len(s) for s, _, _ in episodes])


def test_natural_gradient_option_is_the_damped_solve_with_the_episodes_scores():
    from softmax_pg import score
    from softmax_pg.learners import NaturalGradient

    theta0, nu = np.array([0.3, -0.2]), 0.05
    res = reinforce(
        ShortCorridor(),
        step_size=1.0,
        n_episodes=2,
        rng=4,
        features=PHI,
        theta0=theta0,
        episodes_per_update=2,
        optimizer=NaturalGradient(0.5, damping=nu),
    )
    episodes = _children_episodes(4, 2, theta0, PHI)
    weights = np.concatenate([discounted_returns(r) for _, _, r in episodes]) / 2
    scores = np.concatenate([score(theta0, PHI[s], act) for s, act, _ in episodes])
    fisher = scores.T @ scores / len(scores)
    direction = np.linalg.solve(fisher + nu * np.eye(2), weights @ scores)
    np.testing.assert_allclose(res.policy.theta, theta0 + 0.5 * direction, rtol=1e-10)


def test_entropy_bonus_adds_its_gradient():
    from softmax_pg import entropy_gradient, score

    alpha, beta, theta0 = 0.5, 0.3, np.array([1.0, 0.0, 0.0, 0.0])
    res = reinforce(
        OneStep(), step_size=alpha, n_episodes=1, rng=4, theta0=theta0, entropy_coef=beta
    )
    a = int(first_uniform(4) >= 1 / (1 + np.exp(-1.0)))  # pi(0) = logistic(1)
    phi = tabular_features(2, 2)
    reward = 1.0 if a == 0 else 0.0
    expected = theta0 + alpha * (
        reward * score(theta0, phi[0], a) + beta * entropy_gradient(theta0, phi[0])
    )
    np.testing.assert_allclose(res.policy.theta, expected, rtol=1e-12)


def test_the_temperature_is_used():
    hot = reinforce(
        ShortCorridor(),
        step_size=0.1,
        n_episodes=1,
        rng=1,
        features=PHI,
        theta0=[0.0, 0.0],
        temperature=2.0,
    )
    cold = reinforce(
        ShortCorridor(), step_size=0.1, n_episodes=1, rng=1, features=PHI, theta0=[0.0, 0.0]
    )
    # pi = 1/2 at theta = 0 either way (same episode), the score carries 1/tau
    np.testing.assert_allclose(hot.policy.theta, cold.policy.theta / 2.0, rtol=1e-12)
    assert hot.policy.temperature == 2.0


@pytest.mark.slow
def test_the_recipe_learns_cartpole():
    from softmax_pg.learners import Adam, evaluate

    env = gym.make("CartPole-v1")
    for seed in range(4):
        res = reinforce(
            env,
            step_size=0.05,
            n_episodes=200,
            rng=seed,
            episodes_per_update=4,
            normalize_advantages=True,
            optimizer=Adam(0.05),
            discount_weighting=False,
            progress=False,
        )
        assert evaluate(res, env, n_episodes=10, rng=seed).mean >= 150, seed
