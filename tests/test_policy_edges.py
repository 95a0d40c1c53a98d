"""The edges a new user reaches: empty batches, preferences at +-1e308 (no warning), one
observation of a user's own class, act's generator, and messages that name the real cause."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
import softmax_pg as sp
from softmax_pg import (
    MatrixPreferences,
    MLPPreferences,
    Parametrisation,
    SoftmaxPolicy,
    TabularPreferences,
)

HUGE = np.array([1e308, -1e308, 0.0])


class Quadratic(Parametrisation):
    """The README's class: h(x) = [x, x**2] @ theta.reshape(2 m, n_actions), no
    observation_shape set."""

    def __init__(self, m, n_actions):
        self.m, self.n_actions, self.n_params = m, n_actions, 2 * m * n_actions

    def preferences(self, theta, observations):
        x = np.concatenate([observations, observations**2], axis=1)
        return x @ theta.reshape(2 * self.m, self.n_actions)

    def vjp(self, theta, observations, g):
        x = np.concatenate([observations, observations**2], axis=1)
        return (x[:, :, None] * g[:, None, :]).reshape(len(x), -1)


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ------------------------------------------------------------------ empty batches


POLICIES = {
    "tabular": (SoftmaxPolicy(TabularPreferences(3, 2), np.zeros(6)), np.zeros(0, dtype=int)),
    "matrix": (SoftmaxPolicy(MatrixPreferences(4, 2), np.zeros(10)), np.zeros((0, 4))),
    "mlp": (
        SoftmaxPolicy(MLPPreferences(4, 2, hidden=(3,)), MLPPreferences(4, 2, (3,)).init(0)),
        np.zeros((0, 4)),
    ),
}


@pytest.mark.parametrize("kind", POLICIES)
def test_an_empty_batch_gives_empty_results(kind):
    policy, obs = POLICIES[kind]
    n, d = policy.param.n_actions, policy.param.n_params
    none = np.zeros(0, dtype=np.int64)
    assert policy.probs(obs).shape == (0, n)
    assert policy.preferences(obs).shape == (0, n)
    assert policy.log_prob(obs, none).shape == (0,)
    assert policy.score(obs, none).shape == (0, d)
    assert policy.entropy(obs).shape == (0,)
    assert policy.entropy_gradient(obs).shape == (0, d)
    assert policy.fisher(obs).shape == (0, d, d)
    assert policy.greedy(obs).shape == (0,) and policy.sample(obs, 0).shape == (0,)


# ------------------------------------------------------------- +-1e308, no warning


def test_the_kernel_at_1e308_is_right_and_silent(no_warnings):
    np.testing.assert_array_equal(sp.softmax(HUGE), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(sp.softmax(HUGE, 0.5), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(sp.log_softmax(HUGE), [0.0, -np.inf, -1e308])
    np.testing.assert_array_equal(sp.log_softmax(np.stack([HUGE, -HUGE])[:, ::-1]).shape, (2, 3))
    np.testing.assert_array_equal(sp.preference_score(HUGE, 1), [-1.0, 1.0, 0.0])
    assert sp.kernel.preference_entropy(HUGE) == 0.0
    np.testing.assert_array_equal(sp.kernel.preference_entropy_gradient(HUGE), [0.0, 0.0, 0.0])
    assert sp.kernel.preference_sample(HUGE, 0) == 0


def test_action_probs_and_the_policy_at_1e308_are_right_and_silent(no_warnings):
    features = HUGE.reshape(3, 1)  # theta = 1 gives the preferences HUGE
    np.testing.assert_array_equal(sp.action_probs(np.ones(1), features), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(sp.score(np.ones(1), features, 0), [0.0])
    assert sp.entropy(np.ones(1), features) == 0.0
    policy = SoftmaxPolicy(TabularPreferences(1, 3), HUGE)
    np.testing.assert_array_equal(policy.probs(0), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(policy.log_prob(0, 0), 0.0)
    np.testing.assert_array_equal(policy.score(0, 1), [-1.0, 1.0, 0.0])
    assert policy.entropy(0) == 0.0 and policy.act(0) == 0


# ------------------------------------------- one observation of a user's own class


def test_a_users_class_takes_one_observation_after_a_batch():
    policy = SoftmaxPolicy(Quadratic(4, 2), np.linspace(-1, 1, 16))
    obs = np.random.default_rng(0).normal(size=(8, 4))
    batch = policy.probs(obs)  # the first batch tells the policy what one observation is
    assert policy.observation_shape == (4,)
    np.testing.assert_array_equal(policy.probs(obs[3]), batch[3])
    np.testing.assert_array_equal(policy.score(obs[3], 1), policy.score(obs[3:4], [1])[0])


def test_a_users_class_acts_on_one_observation_first():
    policy = SoftmaxPolicy(Quadratic(4, 2), np.linspace(-1, 1, 16))
    obs = np.random.default_rng(0).normal(size=4)
    assert policy.act(obs, deterministic=True) == int(np.argmax(policy.preferences(obs[None])))
    assert policy.observation_shape == (4,)
    np.testing.assert_array_equal(policy.probs(obs), policy.probs(obs[None])[0])


class OnScalars(Parametrisation):
    """h(s) = theta * [s, -s] for a scalar observation s."""

    n_actions, n_params = 2, 1

    def preferences(self, theta, observations):
        s = np.asarray(observations, dtype=float)[:, None]
        return theta[0] * np.concatenate([s, -s], axis=1)

    def vjp(self, theta, observations, g):
        s = np.asarray(observations, dtype=float)
        return (s * (g[:, 0] - g[:, 1]))[:, None]


def test_act_on_a_scalar_observation_infers_the_shape_of_a_scalar():
    policy = SoftmaxPolicy(OnScalars(), [3.0])
    assert policy.act(0.5, deterministic=True) == 0 and policy.observation_shape == ()
    assert policy.probs([0.5, -0.5]).shape == (2, 2)
    assert policy.greedy(-0.5) == 1


def test_the_observation_shape_can_be_given():
    policy = SoftmaxPolicy(Quadratic(1, 2), np.zeros(4), observation_shape=(1,))
    assert policy.probs([0.5]).shape == (2,)  # one observation, not a batch of one number
    with pytest.raises(TypeError, match="observation_shape must be a tuple of ints"):
        SoftmaxPolicy(Quadratic(1, 2), np.zeros(4), observation_shape=3)


# -------------------------------------------------------------------------- act


def test_act_draws_fresh_numbers_from_a_kept_generator():
    policy = SoftmaxPolicy(TabularPreferences(1, 4), np.zeros(4), rng=0)
    draws = [policy.act(0) for _ in range(200)]
    assert len(set(draws)) == 4  # uniform over 4 actions: all of them come up
    again = SoftmaxPolicy(TabularPreferences(1, 4), np.zeros(4), rng=0)
    assert [again.act(0) for _ in range(200)] == draws  # same seed, same actions
    gen = np.random.default_rng(5)
    mine = [policy.act(0, gen) for _ in range(50)]
    assert mine == [
        int(a) for a in sp.kernel.preference_sample(np.zeros((50, 4)), np.random.default_rng(5))
    ]


def test_act_refuses_a_seed_per_call_and_a_batch():
    policy = SoftmaxPolicy(TabularPreferences(2, 3), np.zeros(6))
    with pytest.raises(TypeError, match="a seed given on every call would draw the same"):
        policy.act(0, 7)
    with pytest.raises(ValueError, match=r"observation must be one observation of shape \(\)"):
        policy.act([0, 1])
    with pytest.raises(TypeError, match="deterministic must be True or False"):
        policy.act(0, deterministic="yes")


def test_greedy_and_act_return_the_same_type():
    policy = SoftmaxPolicy(MatrixPreferences(2, 3), np.arange(9.0))
    x = np.array([0.3, -1.0])
    assert type(policy.greedy(x)) is type(policy.act(x)) is int
    assert policy.greedy(x) == policy.act(x, deterministic=True)
    assert type(policy.sample(x, 0)) is int


# ---------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: TabularPreferences(5, 2).check_observations(np.array([2.5])),
            TypeError,
            r"observations must be integer state indices in \[0, 5\); got an array",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(5, 2), np.zeros(10)).probs(7),
            ValueError,
            r"observations must lie in \[0, 5\) for 5 state\(s\); got 7",
        ),
        (
            lambda: SoftmaxPolicy(MatrixPreferences(4, 2), np.zeros(10)).probs(np.ones((2, 2, 4))),
            ValueError,
            r"got shape \(2, 2, 4\) \(8 numbers each, flattened from \(2, 4\)\)",
        ),
        (
            lambda: SoftmaxPolicy(MatrixPreferences(6, 2), np.zeros(14)).probs(np.ones((1, 4))),
            ValueError,
            r"for MatrixPreferences\(n_inputs=6.*the parametrisation's n_inputs is wrong \(make "
            r"it with n_inputs = 4\)",
        ),
        (
            lambda: SoftmaxPolicy(MatrixPreferences(6, 2), np.zeros(14)).probs(np.array([3, 1])),
            ValueError,
            r"look like discrete states \(a Discrete observation space\)",
        ),
        (
            lambda: sp.score(np.zeros(2), np.zeros((1, 3, 2)), [object()] * 200),
            TypeError,
            r"got an object of type list$",
        ),
    ],
)
def test_messages_name_the_real_cause(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_taxi_with_a_matrix_policy_says_discrete():
    from softmax_pg.learners import evaluate

    policy = SoftmaxPolicy(MatrixPreferences(4, 6), np.zeros(30))
    with pytest.raises(ValueError, match="Discrete"):
        evaluate(policy, gym.make("Taxi-v4"), n_episodes=1)


def test_a_learner_with_too_many_inputs_blames_n_inputs():
    from softmax_pg.learners import reinforce

    with pytest.raises(ValueError, match=r"the parametrisation's n_inputs is wrong"):
        reinforce(
            gym.make("CartPole-v1"),
            param=MatrixPreferences(6, 2),
            step_size=0.1,
            n_episodes=1,
            rng=0,
        )


def test_blocked_score_is_no_part_of_the_interface():
    """What a user implements is the docstring's list; blocking the score is the package's."""
    assert not hasattr(Parametrisation, "blocked_score")
    assert "blocked_score" not in Parametrisation.__doc__
    assert "to_config" in Parametrisation.__doc__ and "observation_shape" in Parametrisation.__doc__
