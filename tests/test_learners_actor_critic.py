"""Actor-critic: worked by hand, learning on a small grid and on CartPole, bad input."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

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
    res = actor_critic(OneStep(), step_size=alpha, value_step_size=alpha_w, n_episodes=1, rng=seed)
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
    res = actor_critic(env, step_size=0.2, value_step_size=0.2, n_episodes=60, rng=0, max_steps=100)
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


# ------------------------------------------------------- the batch form: n-step, lambda


def _setup_and_episode(gamma, terminated):
    from softmax_pg.learners import LearnerOptions
    from softmax_pg.learners._run import Setup
    from softmax_pg.learners.rollout import Episode

    setup = Setup(
        GridWorld(("S..", "..G")),
        LearnerOptions(gamma=gamma, max_steps=10),
        step_size=0.1,
        n_episodes=1,
        rng=0,
        param=None,
        features=None,
        theta0=None,
        optimizer=None,
        callback=None,
        progress=False,
        value_step_size=0.1,
        value_name="value_step_size",
    )
    ep = Episode(
        np.array([0, 1, 2]),
        np.array([1, 1, 2]),
        np.array([1.0, 2.0, 4.0]),
        terminated,
        None if terminated else 5,
    )
    return setup, ep


def test_n_step_and_lambda_advantages_by_hand():
    from softmax_pg.learners.advantage import advantages

    gamma = 0.5
    setup, ep = _setup_and_episode(gamma, terminated=False)
    w = np.arange(6.0)  # v(s) = s; the episode is cut off in state 5
    v = np.array([0.0, 1.0, 2.0])
    # n = 2: G_t = r_t + g r_t+1 + g^2 v(S_t+2), with v(S_3) = 5 where the episode stops
    g2 = [1 + 0.5 * 2 + 0.25 * 2, 2 + 0.5 * 4 + 0.25 * 5, 4 + 0.5 * 5]
    np.testing.assert_allclose(advantages(setup, w, ep, 2, None)[0], np.array(g2) - v)
    # lambda = 1: the Monte Carlo return bootstrapped at the cut, minus v
    mc = [1 + 0.5 * 2 + 0.25 * 4 + 0.125 * 5, 2 + 0.5 * 4 + 0.25 * 5, 4 + 0.5 * 5]
    np.testing.assert_allclose(advantages(setup, w, ep, 1, 1.0)[0], np.array(mc) - v)
    # lambda = 0: the one-step TD errors
    td = np.array([1 + 0.5 * 1, 2 + 0.5 * 2, 4 + 0.5 * 5]) - v
    np.testing.assert_allclose(advantages(setup, w, ep, 1, 0.0)[0], td)
    setup, ep = _setup_and_episode(gamma, terminated=True)  # terminal: v = 0 after the end
    np.testing.assert_allclose(advantages(setup, w, ep, 1, 0.0)[0], td - [0, 0, 2.5])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lam": 1.5}, r"lam must be a number in \[0, 1\]"),
        ({"lam": 0.9, "n_step": 3}, "not both"),
        ({"n_step": 0}, "n_step"),
    ],
)
def test_n_step_and_lambda_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        actor_critic(OneStep(), step_size=0.1, value_step_size=0.1, n_episodes=1, rng=0, **kwargs)


def test_batch_form_learns_the_small_grid():
    env = GridWorld(SMALL)
    res = actor_critic(
        env,
        step_size=0.02,
        value_step_size=0.02,
        n_episodes=200,
        rng=0,
        max_steps=100,
        lam=0.9,
        episodes_per_update=2,
    )
    assert res.returns[-20:].mean() > -8.0  # the best return is -4; random walks take far longer


# ------------------------------------------------ CartPole: benchmarks/actor_critic_cartpole.py


@functools.cache
def _benchmark():
    """benchmarks/actor_critic_cartpole.py as a module (the benchmarks are not a package)."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "actor_critic_cartpole.py"
    spec = importlib.util.spec_from_file_location("actor_critic_cartpole", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cartpole_run(seed, n_episodes=300, **options):
    """The benchmark's ``settings(**options)`` on 300 episodes: the test runs what the
    benchmark's numbers are measured with."""
    import gymnasium as gym

    settings = _benchmark().settings(**options)
    return actor_critic(
        gym.make("CartPole-v1"), n_episodes=n_episodes, rng=seed, **settings
    ).returns


@pytest.mark.slow
def test_batch_form_learns_cartpole():
    returns = np.array([_cartpole_run(seed) for seed in range(4)])
    # each run's first update (10 episodes) is played with theta = 0: the uniform policy, ~22
    uniform = returns[:, :10].mean(axis=1)
    last = returns[:, -50:].mean(axis=1)
    assert (uniform < 40.0).all()
    assert last.mean() >= 150.0  # measured: 474, 171, 145, 235
    assert (last > 3.0 * uniform).all()  # every run learned


def test_a_runaway_batch_critic_is_named_before_its_weights_overflow():
    # lam = 0.95 and value_step_size = 0.05 with the default critic, linear in [obs, 1]: the
    # critic's effective step grows with the episodes' length and passes 2 once they last
    # about 240 steps; its weights stay finite
    with pytest.raises(FloatingPointError, match=r"the critic diverged .* value_step_size = 0\.05"):
        _cartpole_run(1, n_episodes=1000, critic="linear", value_step_size=0.05, lam=0.95)


def test_an_optimizer_needs_no_step_size_and_neither_is_named():
    import gymnasium as gym
    from softmax_pg.learners import Adam

    env = gym.make("CartPole-v1")
    res = actor_critic(env, optimizer=Adam(0.05), value_step_size=0.01, n_episodes=3, rng=0)
    assert len(res.returns) == 3
    with pytest.raises(TypeError, match="give step_size .* or optimizer"):
        actor_critic(env, value_step_size=0.01, n_episodes=3, rng=0)
