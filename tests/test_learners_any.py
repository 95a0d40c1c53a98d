"""The learners on any Gymnasium environment with Discrete actions: Gymnasium's FrozenLake
and CartPole, any parametrisation, the batched runs against the single ones, bad input."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from hypothesis import given, settings
from hypothesis import strategies as st

import softmax_pg as sp
from softmax_pg import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    TabularPreferences,
    actor_critic,
    policy_probs,
    reinforce,
    reinforce_batched,
    tabular_features,
)
from softmax_pg._learning import act
from softmax_pg.envs import GridWorld, ShortCorridor, corridor_features
from softmax_pg.policy import _inverse_cdf
from softmax_pg.softmax import _softmax

CARTPOLE = dict(step_size=2.0**-9, baseline_step_size=2.0**-6)


def cartpole_vec(n):
    return gym.make_vec("CartPole-v1", num_envs=n, vectorization_mode="vector_entry_point")


# ------------------------------------------------------------------- learning


def test_frozen_lake_not_slippery_reaches_the_goal():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    res = actor_critic(env, step_size=0.5, value_step_size=0.5, n_episodes=400, rng=0)
    assert res.returns[-100:].mean() >= 0.9  # reward 1 at the goal only: the success rate
    res = reinforce(env, step_size=0.5, n_episodes=400, rng=0, baseline_step_size=0.5)
    assert res.returns[-100:].mean() >= 0.9


def test_frozen_lake_8x8_tabular_is_the_default():
    env = gym.make("FrozenLake-v1", map_name="8x8", is_slippery=False)
    res = actor_critic(env, step_size=0.5, value_step_size=0.5, n_episodes=5, rng=0)
    assert isinstance(res.preferences, TabularPreferences) and res.preferences.n_states == 64
    assert res.policy.theta.shape == (64 * 4,) and res.value_weights.shape == (64,)


def test_cartpole_learns_with_the_weight_matrix_by_default():
    env = gym.make("CartPole-v1")
    res = reinforce(env, n_episodes=150, rng=0, **CARTPOLE)
    assert isinstance(res.preferences, MatrixPreferences) and res.policy.theta.shape == (10,)
    assert res.returns[:20].mean() < 40  # the uniform policy lasts about 22 steps
    assert res.returns[-30:].mean() > 60  # clearly learning
    # the policy is queried with observations: (batch, 4) -> (batch, 2)
    assert res.policy.probs(np.zeros((3, 4))).shape == (3, 2)


def test_cartpole_actor_critic_runs_and_is_reproducible():
    env = gym.make("CartPole-v1")
    a = actor_critic(env, step_size=2.0**-6, value_step_size=2.0**-5, n_episodes=20, rng=4, gamma=0.99)
    b = actor_critic(env, step_size=2.0**-6, value_step_size=2.0**-5, n_episodes=20, rng=np.random.default_rng(4),
                     gamma=0.99)
    np.testing.assert_array_equal(a.policy.theta, b.policy.theta)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert a.value_weights.shape == (5,)  # linear in [obs, 1]


def test_mlp_on_cartpole_same_seed_same_numbers():
    env = gym.make("CartPole-v1")
    prefs = MLPPreferences(4, 2, hidden=(8,))
    a = reinforce(env, preferences=prefs, n_episodes=10, rng=1, **CARTPOLE)
    b = reinforce(env, preferences=prefs, n_episodes=10, rng=1, **CARTPOLE)
    np.testing.assert_array_equal(a.policy.theta, b.policy.theta)
    assert a.policy.preferences is prefs
    # the initial weights are the rng's draws right after the env's seed
    rng = np.random.default_rng(1)
    rng.integers(2**32)
    c = reinforce(env, preferences=prefs, n_episodes=1, rng=1, step_size=1e-300)
    np.testing.assert_allclose(c.policy.theta, prefs.init(rng), rtol=0, atol=1e-290)


# ------------------------------------------- the same numbers through any route


def test_tabular_route_equals_the_dense_one_hot_features_bit_for_bit():
    env = GridWorld(("S..", ".X.", "..G"))
    phi = tabular_features(env.n_states, 4)
    for learner, kw in [(reinforce, dict(baseline_step_size=0.1)), (actor_critic, dict(value_step_size=0.2))]:
        fast = learner(env, step_size=0.05, n_episodes=30, rng=3, max_steps=100, **kw)
        dense = learner(env, step_size=0.05, n_episodes=30, rng=3, max_steps=100, features=phi, **kw)
        given_prefs = learner(env, step_size=0.05, n_episodes=30, rng=3, max_steps=100,
                              preferences=TabularPreferences(env.n_states, 4), **kw)
        np.testing.assert_array_equal(fast.policy.theta, dense.policy.theta)
        np.testing.assert_array_equal(fast.policy.theta, given_prefs.policy.theta)
        np.testing.assert_array_equal(fast.value_weights, dense.value_weights)


def test_linear_preferences_equal_the_features_argument():
    phi = corridor_features()
    a = reinforce(ShortCorridor(), step_size=2.0**-9, n_episodes=40, rng=2, features=phi)
    b = reinforce(ShortCorridor(), step_size=2.0**-9, n_episodes=40, rng=2, preferences=LinearPreferences(phi))
    np.testing.assert_array_equal(a.policy.theta, b.policy.theta)
    np.testing.assert_array_equal(
        policy_probs(b.preferences, b.policy.theta, [0, 1]), a.policy.probs(phi[[0, 1]])
    )


def test_matrix_preferences_with_a_state_function_on_a_discrete_env():
    """One-hot states through the weight matrix without bias: the tabular policy again."""
    env = GridWorld(("S..", ".X.", "..G"))
    n = env.n_states
    prefs = MatrixPreferences(n, 4, state_fn=lambda s: np.eye(n)[np.asarray(s)], bias=False)
    a = actor_critic(env, step_size=0.2, value_step_size=0.2, n_episodes=20, rng=0, max_steps=100, preferences=prefs)
    b = actor_critic(env, step_size=0.2, value_step_size=0.2, n_episodes=20, rng=0, max_steps=100)
    np.testing.assert_allclose(a.policy.theta, b.policy.theta, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(h=st.lists(st.floats(-30, 30), min_size=1, max_size=20), u=st.floats(0, 1, exclude_max=True))
def test_the_one_step_route_rounds_as_the_batched_softmax(h, u):
    prefs = TabularPreferences(1, len(h))
    theta = np.array(h)
    a, probs = act(prefs, theta, np.array([0]), u)
    batched = _softmax(theta[None], 1.0)
    np.testing.assert_array_equal(probs, batched[0])
    assert a == int(_inverse_cdf(batched, np.array([u]))[0])


# ----------------------------------------------------------- batched == single


@pytest.mark.parametrize("baseline", [None, 2.0**-6])
def test_batched_cartpole_equals_single_runs(baseline):
    rngs = [0, 5, np.random.default_rng(9)]
    batched = reinforce_batched(cartpole_vec(3), step_size=2.0**-9, n_episodes=25, rngs=rngs,
                                baseline_step_size=baseline)
    env = gym.make("CartPole-v1")
    for i, rng in enumerate([0, 5, np.random.default_rng(9)]):
        single = reinforce(env, step_size=2.0**-9, n_episodes=25, rng=rng, baseline_step_size=baseline)
        np.testing.assert_array_equal(batched.returns[i], single.returns)
        np.testing.assert_array_equal(batched.lengths[i], single.lengths)
        np.testing.assert_array_equal(batched.thetas[i], single.policy.theta)
        if baseline is None:
            assert batched.value_weights is None
        else:
            np.testing.assert_array_equal(batched.value_weights[i], single.value_weights)


def test_batched_mlp_equals_single_runs_and_max_steps():
    prefs = MLPPreferences(4, 2, hidden=(6,))
    batched = reinforce_batched(cartpole_vec(2), step_size=2.0**-8, n_episodes=8, rngs=[3, 4],
                                preferences=prefs, max_steps=30)
    assert batched.lengths.max() <= 30
    for i, seed in enumerate([3, 4]):
        single = reinforce(gym.make("CartPole-v1"), step_size=2.0**-8, n_episodes=8, rng=seed,
                           preferences=prefs, max_steps=30)
        np.testing.assert_array_equal(batched.thetas[i], single.policy.theta)
        np.testing.assert_array_equal(batched.returns[i], single.returns)


def test_batched_bad_input():
    with pytest.raises(ValueError, match=r"rngs must be a sequence of one seed or generator per run"):
        reinforce_batched(cartpole_vec(2), step_size=0.1, n_episodes=1, rngs=[0])
    with pytest.raises(ValueError, match=r"rngs must be"):
        reinforce_batched(cartpole_vec(2), step_size=0.1, n_episodes=1, rngs=0)
    sync = gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="sync")
    with pytest.raises(TypeError, match="envs must be CartPole's numpy vector environment"):
        reinforce_batched(sync, step_size=0.1, n_episodes=1, rngs=[0, 1])
    with pytest.raises(ValueError, match="step_size"):
        reinforce_batched(cartpole_vec(2), step_size=-1.0, n_episodes=1, rngs=[0, 1])


# ------------------------------------------------------------------- bad input


class Env(gym.Env):
    """One step, configurable spaces and observation."""

    metadata = {"render_modes": []}

    def __init__(self, observation_space, action_space, obs):
        self.observation_space, self.action_space, self.obs = observation_space, action_space, obs

    def reset(self, *, seed=None, options=None):
        """Start."""
        super().reset(seed=seed)
        return self.obs, {}

    def step(self, action):
        """Stop."""
        return self.obs, 1.0, True, False, {}


BOX2 = spaces.Box(-1.0, 1.0, (2,))
D2 = spaces.Discrete(2)


@pytest.mark.parametrize(
    "env, kwargs, error, match",
    [
        (Env(BOX2, BOX2, np.zeros(2)), {}, TypeError, r"env.action_space must be gymnasium.spaces.Discrete.*got Box"),
        (Env(spaces.MultiBinary(3), D2, np.zeros(3, dtype=np.int8)), {}, TypeError,
         r"env.observation_space must be gymnasium.spaces.Discrete .* or gymnasium.spaces.Box; got MultiBinary"),
        (Env(D2, spaces.Discrete(2, start=1), 0), {}, TypeError, "starting at 0"),
        (Env(BOX2, D2, np.zeros(3)), {}, ValueError, r"observation from env.reset\(\) must have shape \(2,\)"),
        (Env(BOX2, D2, np.array([np.nan, 0.0])), {}, ValueError, r"observation from env.reset\(\) must be finite"),
        (Env(D2, D2, 5), {}, ValueError, r"observation from env.reset\(\) must be an integer state in \[0, 2\)"),
        (Env(BOX2, D2, np.zeros(2)), dict(features=np.zeros((2, 2, 1))), ValueError, "needs a Discrete observation"),
        (Env(BOX2, D2, np.zeros(2)), dict(preferences=MatrixPreferences(2, 3)), ValueError, "n_actions = 2"),
        (Env(D2, D2, 0), dict(preferences=TabularPreferences(3, 2)), ValueError, "n_states = 2"),
        (Env(D2, D2, 0), dict(preferences=TabularPreferences(2, 2), features=np.zeros((2, 2, 1))), ValueError,
         "features or preferences, not both"),
        (Env(D2, D2, 0), dict(preferences="tabular"), TypeError, "prefs must be a parametrisation"),
        (Env(BOX2, D2, np.zeros(2)), dict(theta0=np.zeros(5)), ValueError, r"theta0 must have shape \(n_params,\) = \(6,\)"),
        (Env(BOX2, D2, np.zeros(2)), dict(baseline_step_size=0.1, value_features=np.ones((2, 1))), ValueError,
         "value_features .* needs a Discrete observation space"),
    ],
)
def test_reinforce_bad_input(env, kwargs, error, match):
    with pytest.raises(error, match=match):
        reinforce(env, step_size=0.1, n_episodes=1, rng=0, **kwargs)


def test_actor_critic_bad_observation_after_a_step():
    class Drifting(Env):
        def step(self, action):
            """Return a NaN observation."""
            return np.array([np.nan, 0.0]), 0.0, False, False, {}

    with pytest.raises(ValueError, match=r"observation from env.step\(\) must be finite"):
        actor_critic(Drifting(BOX2, D2, np.zeros(2)), step_size=0.1, value_step_size=0.1, n_episodes=1, rng=0)
