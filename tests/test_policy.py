"""SoftmaxPolicy over a parametrisation: each method against the kernel and the vjp, one
observation without a batch axis, a features table, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from softmax_pg import (
    LinearPreferences,
    MLPPreferences,
    SoftmaxPolicy,
    TabularPreferences,
    kernel,
    natural_gradient,
    numerical_gradient,
)

RNG = np.random.default_rng(21)
TABLE = RNG.normal(size=(4, 3, 5))


def mlp_policy(tau: float = 0.7) -> tuple[SoftmaxPolicy, np.ndarray]:
    param = MLPPreferences(3, 4, hidden=(5,))
    theta = param.init(1) + 0.3 * np.random.default_rng(2).normal(size=param.n_params)
    return SoftmaxPolicy(param, theta, tau), np.random.default_rng(3).normal(size=(6, 3))


def test_tabular_worked_example():
    policy = SoftmaxPolicy(TabularPreferences(1, 3), np.zeros(3))
    np.testing.assert_allclose(policy.score(0, 0), [2 / 3, -1 / 3, -1 / 3])
    np.testing.assert_allclose(policy.score([0, 0], [0, 2])[1], [-1 / 3, -1 / 3, 2 / 3])
    assert policy.act(0) in (0, 1, 2) and policy.greedy(0) == 0


def test_methods_are_the_kernel_on_the_preferences():
    policy, obs = mlp_policy()
    h, tau = policy.preferences(obs), policy.temperature
    a = np.arange(6) % 4
    np.testing.assert_array_equal(policy.probs(obs), kernel.softmax(h, tau))
    np.testing.assert_array_equal(
        policy.log_prob(obs, a), kernel.log_softmax(h, tau)[np.arange(6), a]
    )
    np.testing.assert_array_equal(policy.entropy(obs), kernel.preference_entropy(h, tau))
    g = kernel.preference_score(h, a, tau)
    np.testing.assert_array_equal(policy.score(obs, a), policy.param.vjp(policy.theta, obs, g))
    eg = kernel.preference_entropy_gradient(h, tau)
    np.testing.assert_array_equal(
        policy.entropy_gradient(obs), policy.param.vjp(policy.theta, obs, eg)
    )
    np.testing.assert_array_equal(policy.sample(obs, 4), kernel.preference_sample(h, 4, tau))
    np.testing.assert_array_equal(policy.greedy(obs), np.argmax(h, axis=1))


def test_gradients_equal_finite_differences():
    policy, obs = mlp_policy()
    param, tau = policy.param, policy.temperature
    for i in range(3):
        one = obs[i]

        def log_pi(t, one=one):
            return SoftmaxPolicy(param, t, tau).log_prob(one, 2)

        def entropy(t, one=one):
            return SoftmaxPolicy(param, t, tau).entropy(one)

        np.testing.assert_allclose(
            policy.score(one, 2), numerical_gradient(log_pi, policy.theta), atol=1e-7
        )
        np.testing.assert_allclose(
            policy.entropy_gradient(one), numerical_gradient(entropy, policy.theta), atol=1e-7
        )


def test_fisher_and_natural_gradient():
    policy, obs = mlp_policy()
    f = policy.fisher(obs)
    p = policy.probs(obs)
    for i in range(len(obs)):
        scores = np.stack([policy.score(obs[i], b) for b in range(4)])
        np.testing.assert_allclose(f[i], scores.T @ (p[i, :, None] * scores), atol=1e-12)
    grad = np.random.default_rng(0).normal(size=policy.param.n_params)
    np.testing.assert_allclose(
        policy.natural_gradient(obs, grad, 0.1), natural_gradient(f.mean(axis=0), grad, 0.1)
    )
    np.testing.assert_allclose(policy.natural_gradient(obs[0], grad), natural_gradient(f[0], grad))


def test_one_observation_without_a_batch_axis():
    policy, obs = mlp_policy()
    np.testing.assert_array_equal(policy.probs(obs[2]), policy.probs(obs[2:3])[0])
    np.testing.assert_array_equal(policy.score(obs[2], 1), policy.score(obs[2:3], [1])[0])
    assert policy.fisher(obs[2]).shape == (policy.param.n_params,) * 2
    assert isinstance(policy.act(obs[2]), int) and isinstance(policy.greedy(obs[2]), int)


def test_a_features_table_becomes_linear_preferences():
    theta = RNG.normal(size=5)
    policy = SoftmaxPolicy(TABLE, theta)
    assert isinstance(policy.param, LinearPreferences)
    np.testing.assert_array_equal(
        policy.score([1, 3], [0, 2]),
        SoftmaxPolicy(LinearPreferences(TABLE), theta).score([1, 3], [0, 2]),
    )
    assert "LinearPreferences" in repr(policy)


def test_the_policy_holds_a_copy_of_theta():
    theta = np.zeros(3)
    policy = SoftmaxPolicy(TabularPreferences(1, 3), theta)
    theta[0] = 99.0
    assert policy.theta[0] == 0.0


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: SoftmaxPolicy(object(), np.zeros(2)),
            TypeError,
            "param must be a parametrisation",
        ),
        (
            lambda: SoftmaxPolicy(TABLE, np.zeros(4)),
            ValueError,
            r"theta must have shape \(n_params,\) = \(5,\)",
        ),
        (lambda: SoftmaxPolicy(TABLE, [np.nan] * 5), ValueError, "theta must contain only finite"),
        (lambda: SoftmaxPolicy(TABLE, np.zeros(5), -1.0), ValueError, "temperature must be"),
        (
            lambda: SoftmaxPolicy(TABLE, np.zeros(5)).score([0, 1], [0]),
            ValueError,
            r"actions must have shape \(batch,\) = \(2,\)",
        ),
        (
            lambda: SoftmaxPolicy(TABLE, np.zeros(5)).score([0], [3]),
            ValueError,
            r"actions must lie in \[0, 3\)",
        ),
        (
            lambda: SoftmaxPolicy(TABLE, np.zeros(5)).probs([4]),
            ValueError,
            r"observations must lie in \[0, 4\)",
        ),
        (lambda: SoftmaxPolicy(TABLE, np.zeros(5)).sample([0], None), TypeError, "rng must be"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
