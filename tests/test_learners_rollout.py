"""Spaces, observation checks and episodes (learners.rollout): the errors name the cause."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from _learners_helpers import OneStep
from gymnasium import spaces
from softmax_pg import MatrixPreferences, TabularPreferences
from softmax_pg.envs import ShortCorridor, corridor_features
from softmax_pg.learners import actor_critic, reinforce, sample_episode

AC = {"step_size": 0.1, "value_step_size": 0.1, "n_episodes": 2, "rng": 0}
RF = {"step_size": 0.1, "n_episodes": 2, "rng": 0}


class Env(gym.Env):
    """Any spaces, a fixed first observation, one step that ends the episode."""

    metadata = {"render_modes": []}  # noqa: RUF012

    def __init__(self, observation_space, action_space, obs, reward=0.0):
        self.observation_space, self.action_space = observation_space, action_space
        self.obs, self.reward = obs, reward

    def reset(self, *, seed=None, options=None):
        """The fixed observation."""
        super().reset(seed=seed)
        return self.obs, {}

    def step(self, action):
        """The fixed observation again, the episode over."""
        return self.obs, self.reward, True, False, {}


D2, BOX2 = spaces.Discrete(2), spaces.Box(-1.0, 1.0, (2,))


def test_a_vector_env_is_refused_with_the_batched_learner_named():
    envs = gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="sync")
    with pytest.raises(
        TypeError,
        match="single environment; got a vector environment with num_envs = 2.*reinforce_batched",
    ):
        reinforce(envs, **RF)


def test_an_environment_id_is_refused_with_gym_make_named():
    with pytest.raises(
        TypeError,
        match=r"got the string 'CartPole-v1': pass gymnasium.make\('CartPole-v1'\)",
    ):
        reinforce("CartPole-v1", **RF)
    with pytest.raises(TypeError, match="gymnasium.make"):
        actor_critic("CartPole-v1", **AC)


@pytest.mark.parametrize("learner, kwargs", [(reinforce, RF), (actor_critic, AC)])
def test_a_nan_reward_names_the_reward_the_step_and_the_episode(learner, kwargs):
    with pytest.raises(
        ValueError,
        match=r"returned the reward nan at step 0 of episode 0.*environment, not the learner",
    ):
        learner(Env(D2, D2, 0, reward=float("nan")), **kwargs)


@pytest.mark.parametrize(
    "space",
    [spaces.Tuple((D2, D2)), spaces.Dict({"a": D2}), spaces.MultiDiscrete([2, 3])],
)
def test_structured_observations_point_to_flatten_observation(space):
    with pytest.raises(TypeError, match="gymnasium.wrappers.FlattenObservation"):
        reinforce(Env(space, D2, space.sample()), **RF)


def test_multi_discrete_and_box_actions_say_what_is_missing():
    with pytest.raises(TypeError, match="MultiDiscrete.*one softmax per choice"):
        reinforce(Env(D2, spaces.MultiDiscrete([2, 2]), 0), **RF)
    with pytest.raises(TypeError, match="Box .*continuous.* actions need a Gaussian policy"):
        actor_critic(Env(D2, BOX2, 0), **AC)


@pytest.mark.parametrize(
    "env, kwargs, error, match",
    [
        (
            Env(BOX2, D2, np.zeros(3)),
            {},
            ValueError,
            r"observation from env.reset\(\) must have shape \(2,\)",
        ),
        (Env(BOX2, D2, np.array([np.nan, 0.0])), {}, ValueError, r"env.reset\(\) must be finite"),
        (Env(D2, D2, 5), {}, ValueError, r"must be an integer state in \[0, 2\)"),
        (
            Env(BOX2, D2, np.zeros(2)),
            {"features": np.zeros((2, 2, 1))},
            ValueError,
            "needs a Discrete",
        ),
        (
            Env(BOX2, D2, np.zeros(2)),
            {"param": MatrixPreferences(2, 3)},
            ValueError,
            "n_actions = 2",
        ),
        (Env(D2, D2, 0), {"param": TabularPreferences(3, 2)}, ValueError, "n_states = 2"),
        (Env(D2, D2, 0), {"param": "tabular"}, TypeError, "param must be a parametrisation"),
        (
            Env(BOX2, D2, np.zeros(2)),
            {"theta0": np.zeros(5)},
            ValueError,
            r"theta0 must have shape \(n_params,\) = \(6,\)",
        ),
        (
            Env(BOX2, D2, np.zeros(2)),
            {"param": MatrixPreferences(3, 2)},
            ValueError,
            r"\(batch, n_inputs\) = \(batch, 3\)",
        ),
        (
            Env(D2, D2, 0),
            {"normalize_observations": True},
            ValueError,
            "normalize_observations needs Box",
        ),
        (Env(D2, D2, 0), {"episodes_per_update": 0}, ValueError, "episodes_per_update"),
        (Env(D2, D2, 0), {"optimizer": "adam"}, TypeError, r"optimizer must have a method step"),
        (Env(D2, D2, 0), {"entropy_coef": -1.0}, ValueError, "entropy_coef"),
        (
            Env(D2, D2, 0),
            {"discount_weighting": 1},
            TypeError,
            "discount_weighting must be True or False",
        ),
        (Env(D2, D2, 0), {"callback": 3}, TypeError, "callback must be callable"),
        (Env(D2, D2, 0), {"temperature": 0.0}, ValueError, "temperature"),
    ],
)
def test_bad_input_is_named(env, kwargs, error, match):
    with pytest.raises(error, match=match):
        reinforce(env, **(RF | kwargs))


def test_a_diverging_baseline_names_its_step_size_and_leaks_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning would fail here
        with pytest.raises(FloatingPointError, match=r"baseline_step_size = 1e\+200 is too large"):
            reinforce(
                ShortCorridor(),
                step_size=0.001,
                n_episodes=50,
                rng=0,
                features=corridor_features(),
                baseline_step_size=1e200,
            )
        with pytest.raises(FloatingPointError, match=r"value_step_size = 1e\+200 is too large"):
            actor_critic(
                ShortCorridor(), step_size=0.001, value_step_size=1e200, n_episodes=50, rng=0
            )


def test_a_diverging_policy_names_step_size():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            FloatingPointError,
            match=r"theta stopped being finite after episode \d+: step_size = 1e\+308",
        ):
            reinforce(gym.make("CartPole-v1"), step_size=1e308, n_episodes=20, rng=0)


def test_sample_episode_is_the_learners_first_episode():
    rng = np.random.default_rng(1)
    states, actions, rewards = sample_episode(
        ShortCorridor(), [0.0, 0.0], corridor_features(), rng, seed=int(rng.integers(2**32))
    )
    res = reinforce(
        ShortCorridor(),
        step_size=0.1,
        n_episodes=1,
        rng=1,
        features=corridor_features(),
        theta0=[0.0, 0.0],
    )
    assert res.lengths[0] == len(actions) and res.returns[0] == rewards.sum()


def test_box_observations_get_the_weight_matrix_and_one_step_env_runs():
    res = reinforce(Env(BOX2, D2, np.zeros(2, dtype=np.float32), reward=1.0), **RF)
    assert isinstance(res.param, MatrixPreferences) and res.policy.theta.shape == (6,)
    res = reinforce(OneStep(), **RF)
    assert isinstance(res.param, TabularPreferences)
