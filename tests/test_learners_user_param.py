"""A reader's own parametrisations, with the required methods only, through every learner."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from softmax_pg import Parametrisation, numerical_gradient
from softmax_pg.kernel import log_softmax
from softmax_pg.learners import (
    Adam,
    NaturalGradient,
    actor_critic,
    evaluate,
    load_policy,
    reinforce,
    sample_episode,
    save_policy,
)


class Quadratic(Parametrisation):
    """h_b(x) = phi(x) . theta_b with phi(x) = [x, x**2, 1]: a quadratic feature map."""

    def __init__(self, n_inputs, n_actions):
        self.n_inputs, self.n_actions = n_inputs, n_actions
        self.observation_shape = (n_inputs,)  # optional: lets the policy take one observation
        self.d = 2 * n_inputs + 1
        self.n_params = self.d * n_actions

    def phi(self, observations):
        x = np.asarray(observations, dtype=float)
        return np.concatenate([x, x**2, np.ones((len(x), 1))], axis=1)

    def preferences(self, theta, observations):
        return self.phi(observations) @ theta.reshape(self.d, self.n_actions)

    def vjp(self, theta, observations, g):
        f = self.phi(observations)
        return (f[:, :, None] * g[:, None, :]).reshape(len(f), -1)


class TinyNet(Parametrisation):
    """h = tanh(x W1 + b1) W2: a small network, backpropagation by hand."""

    def __init__(self, n_inputs, n_actions, hidden=5):
        self.shapes = (n_inputs, hidden, n_actions)
        self.n_actions = n_actions
        self.n_params = n_inputs * hidden + hidden + hidden * n_actions

    def unpack(self, theta):
        n, k, a = self.shapes
        w1 = theta[: n * k].reshape(n, k)
        b1 = theta[n * k : n * k + k]
        return w1, b1, theta[n * k + k :].reshape(k, a)

    def preferences(self, theta, observations):
        w1, b1, w2 = self.unpack(theta)
        return np.tanh(np.asarray(observations) @ w1 + b1) @ w2

    def vjp(self, theta, observations, g):
        w1, b1, w2 = self.unpack(theta)
        x = np.asarray(observations, dtype=float)
        z = np.tanh(x @ w1 + b1)
        dz = (g @ w2.T) * (1 - z**2)
        gw1 = (x[:, :, None] * dz[:, None, :]).reshape(len(x), -1)
        gw2 = (z[:, :, None] * g[:, None, :]).reshape(len(x), -1)
        return np.concatenate([gw1, dz, gw2], axis=1)


def theta_of(param, seed=0):
    return 0.1 * np.random.default_rng(seed).normal(size=param.n_params)


PARAMS = [Quadratic(4, 2), TinyNet(4, 2)]


@pytest.mark.parametrize("param", PARAMS, ids=["quadratic", "network"])
def test_one_reinforce_episode_equals_finite_differences_of_log_pi(param):
    env, alpha, gamma = gym.make("CartPole-v1"), 0.01, 0.9
    theta0 = theta_of(param)
    res = reinforce(
        env, step_size=alpha, n_episodes=1, rng=3, param=param, theta0=theta0, gamma=gamma
    )
    rng = np.random.default_rng(3)
    obs, actions, rewards = sample_episode(
        env, theta0, None, rng, param=param, seed=int(rng.integers(2**32))
    )
    g, expected = 0.0, np.zeros(param.n_params)
    returns = []
    for r in rewards[::-1]:
        g = r + gamma * g
        returns.append(g)
    for t, (x, a, big_g) in enumerate(zip(obs, actions, returns[::-1], strict=False)):
        score = numerical_gradient(
            lambda th, x=x, a=a: log_softmax(param.preferences(th, x[None]))[0, a], theta0
        )
        expected += gamma**t * big_g * score
    np.testing.assert_allclose(res.policy.theta, theta0 + alpha * expected, rtol=1e-6, atol=1e-8)


OPTIONS = [
    {},
    {"episodes_per_update": 3, "normalize_advantages": True, "discount_weighting": False},
    {"optimizer": Adam(0.01), "entropy_coef": 0.01},
    {"optimizer": NaturalGradient(0.05, damping=0.1), "normalize_observations": True},
]


@pytest.mark.parametrize("param", PARAMS, ids=["quadratic", "network"])
@pytest.mark.parametrize("options", OPTIONS, ids=["textbook", "batch", "adam", "natural"])
def test_every_learner_and_option_runs_with_a_users_class(param, options, tmp_path):
    env = gym.make("CartPole-v1")
    common = {"n_episodes": 6, "rng": 0, "param": param, "theta0": theta_of(param), "gamma": 0.99}
    runs = [
        reinforce(env, step_size=0.01, baseline_step_size=0.01, **common, **options),
        actor_critic(env, step_size=0.01, value_step_size=0.01, **common, **options),
        actor_critic(env, step_size=0.01, value_step_size=0.01, lam=0.9, **common, **options),
    ]
    for res in runs:
        assert np.isfinite(res.policy.theta).all() and res.returns.shape == (6,)
        one = np.zeros(4) if param.observation_shape else np.zeros((1, 4))
        assert res.policy.probs(one).shape[-1] == 2  # raw observations
        assert evaluate(res, env, n_episodes=2).returns.shape == (2,)
    again = reinforce(env, step_size=0.01, baseline_step_size=0.01, **common, **options)
    np.testing.assert_array_equal(
        again.policy.theta, runs[0].policy.theta
    )  # same seed, same numbers
    save_policy(tmp_path / "p.npz", runs[0])
    with pytest.raises(ValueError, match="pass it as load_policy"):
        load_policy(tmp_path / "p.npz")
    if not options.get("normalize_observations"):
        loaded = load_policy(tmp_path / "p.npz", param=param)
        np.testing.assert_array_equal(loaded.theta, runs[0].policy.theta)


class WrongWidth(Quadratic):
    def preferences(self, theta, observations):
        return np.zeros((len(observations), 3))


def test_what_a_users_class_returns_is_checked_with_the_method_named():
    with pytest.raises(
        ValueError, match=r"WrongWidth.preferences\(theta, observations\) returned shape \(1, 3\)"
    ):
        reinforce(
            gym.make("CartPole-v1"), step_size=0.1, n_episodes=1, rng=0, param=WrongWidth(4, 2)
        )
