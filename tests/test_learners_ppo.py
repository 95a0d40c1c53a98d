"""PPO's clipped surrogate: its gradient against torch autograd and central differences,
the learner on single and vector CartPole, determinism, and the messages of bad arguments."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from softmax_pg import MatrixPreferences, MLPPreferences, TabularPreferences, policy_gradient
from softmax_pg.kernel import log_softmax
from softmax_pg.learners import (
    SGD,
    Adam,
    LearningResult,
    clipped_surrogate_weights,
    evaluate,
    ppo,
)

EPS, TAU = 0.2, 0.7
# ratios on both sides of the clip range and inside it, each with both signs of A
RATIOS = np.array([0.5, 0.5, 0.95, 0.95, 1.05, 1.05, 1.6, 1.6, 0.7, 1.3])
ADV = np.array([1.3, -0.7, 0.4, -1.1, 0.9, -0.2, 2.0, -1.5, -0.6, 0.8])


def batch():
    """A matrix policy, a batch of states and actions, and old log-probabilities giving RATIOS."""
    g = np.random.default_rng(7)
    param = MatrixPreferences(3, 4)
    theta = g.normal(size=param.n_params)
    obs = g.normal(size=(len(RATIOS), 3))
    actions = g.integers(0, 4, size=len(RATIOS))
    old = log_pi(param, theta, obs, actions) - np.log(RATIOS)
    return param, theta, obs, actions, old


def log_pi(param, theta, obs, actions):
    lp = log_softmax(param.preferences(theta, obs), TAU)
    return np.take_along_axis(lp, actions[:, None], axis=1)[:, 0]


def surrogate(param, theta, obs, actions, old):
    """L = mean(min(rho A, clip(rho, 1-eps, 1+eps) A)) in numpy."""
    rho = np.exp(log_pi(param, theta, obs, actions) - old)
    return np.mean(np.minimum(rho * ADV, np.clip(rho, 1 - EPS, 1 + EPS) * ADV))


def ppo_gradient(param, theta, obs, actions, old):
    w = clipped_surrogate_weights(log_pi(param, theta, obs, actions), old, ADV, EPS)
    return policy_gradient(param, theta, obs, actions, w / len(w), temperature=TAU).gradient


def test_the_batch_has_clipped_and_unclipped_terms_of_both_signs():
    param, theta, obs, actions, old = batch()
    rho = np.exp(log_pi(param, theta, obs, actions) - old)
    np.testing.assert_allclose(rho, RATIOS, rtol=1e-12)
    w = clipped_surrogate_weights(log_pi(param, theta, obs, actions), old, ADV, EPS)
    clipped = w == 0.0
    assert clipped.tolist() == [False, True, False, False, False, False, True, False, True, True]
    assert (ADV[clipped] > 0).any() and (ADV[clipped] < 0).any()
    assert (ADV[~clipped] > 0).any() and (ADV[~clipped] < 0).any()


def test_weights_by_hand():
    # rho = e^0.4 = 1.49 > 1.2 with A > 0: clipped; with A < 0 the unclipped term is the min
    w = clipped_surrogate_weights([0.4, 0.4, -0.4, 0.0], [0.0] * 4, [1.0, -2.0, -1.0, 3.0], 0.2)
    np.testing.assert_allclose(w, [0.0, -2.0 * np.exp(0.4), 0.0, 3.0], rtol=1e-15)


def test_gradient_against_torch_autograd():
    torch = pytest.importorskip("torch")
    param, theta, obs, actions, old = batch()
    th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    x = torch.cat([torch.tensor(obs), torch.ones(len(obs), 1, dtype=torch.float64)], dim=1)
    h = x @ th.reshape(param.n_rows, param.n_actions) / TAU
    lp = torch.log_softmax(h, dim=1)[torch.arange(len(actions)), torch.tensor(actions)]
    rho = torch.exp(lp - torch.tensor(old))
    adv = torch.tensor(ADV)
    loss = torch.mean(torch.minimum(rho * adv, torch.clamp(rho, 1 - EPS, 1 + EPS) * adv))
    loss.backward()
    np.testing.assert_allclose(loss.item(), surrogate(param, theta, obs, actions, old), rtol=1e-12)
    ours = ppo_gradient(param, theta, obs, actions, old)
    np.testing.assert_allclose(ours, th.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_gradient_against_central_differences():
    param, theta, obs, actions, old = batch()
    ours = ppo_gradient(param, theta, obs, actions, old)
    h = 1e-6
    numeric = np.array(
        [
            (
                surrogate(param, theta + h * e, obs, actions, old)
                - surrogate(param, theta - h * e, obs, actions, old)
            )
            / (2 * h)
            for e in np.eye(param.n_params)
        ]
    )
    np.testing.assert_allclose(ours, numeric, rtol=1e-6, atol=1e-8)
    assert np.abs(ours).max() > 1e-2  # a gradient that is not trivially zero


def small(env, rng=0, **kw):
    kw = dict(n_episodes=8, rng=rng, optimizer=Adam(0.02), epochs=2, progress=False) | kw
    return ppo(env, **kw)


def test_smoke_single_env_cartpole():
    env = gym.make("CartPole-v1")
    res = small(env, episodes_per_update=4)
    assert isinstance(res, LearningResult)
    assert res.returns.shape == res.lengths.shape == (8,)
    assert np.array_equal(res.returns, res.lengths.astype(float))  # one reward per step
    assert res.history["episode"].tolist() == [3, 7]
    assert np.all(res.history["entropy"] > 0) and np.all(res.history["gradient_norm"] > 0)
    assert evaluate(res, env, n_episodes=2).mean >= 1


def test_smoke_vector_env_cartpole():
    envs = gym.make_vec("CartPole-v1", num_envs=4, vectorization_mode="vector_entry_point")
    res = small(envs)
    assert isinstance(res, LearningResult) and res.returns.shape == (8,)
    assert np.array_equal(res.returns, res.lengths.astype(float))
    assert evaluate(res, gym.make("CartPole-v1"), n_episodes=2).mean >= 1


def test_vector_env_sync_and_tabular_observations():
    envs = gym.vector.SyncVectorEnv([lambda: gym.make("FrozenLake-v1")] * 3)
    res = small(envs, n_episodes=6, optimizer=SGD(0.5))
    assert isinstance(res.param, TabularPreferences) and res.returns.shape == (6,)


def test_any_parametrisation():
    env = gym.make("CartPole-v1")
    res = small(env, param=MLPPreferences(4, 2, hidden=(8,)), episodes_per_update=4)
    assert isinstance(res.param, MLPPreferences)


@pytest.mark.parametrize("vector", [False, True])
def test_same_seed_same_theta(vector):
    def run(rng):
        env = (
            gym.make_vec("CartPole-v1", num_envs=4, vectorization_mode="vector_entry_point")
            if vector
            else gym.make("CartPole-v1")
        )
        return small(env, rng=rng, episodes_per_update=None if vector else 4)

    a, b, c = run(3), run(np.random.default_rng(3)), run(4)
    assert np.array_equal(a.policy.theta, b.policy.theta)
    assert np.array_equal(a.returns, b.returns)
    assert not np.array_equal(a.policy.theta, c.policy.theta)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(clip=0.0), ValueError, r"clip \(epsilon\) must lie in \(0, 1\).*got 0.0"),
        (dict(clip=1.5), ValueError, r"clip \(epsilon\) must lie in \(0, 1\).*got 1.5"),
        (dict(epochs=0), ValueError, "epochs must be an integer >= 1; got 0"),
        (dict(minibatch_size=2.5), TypeError, "minibatch_size must be an integer"),
        (dict(optimizer=Adam), TypeError, "an instance, not the class"),
        (dict(gamma=1.5), ValueError, "gamma must lie in"),
        (dict(entropy_coef=-1.0), ValueError, "entropy_coef must be a finite number >= 0"),
        (dict(rng=None), TypeError, "rng must be a numpy.random.Generator"),
        (dict(theta0=np.zeros(3)), ValueError, r"theta0 must have shape \(n_params,\) = \(10,\)"),
        (dict(param=MatrixPreferences(4, 3)), ValueError, "param must have n_actions = 2"),
        (dict(episodes_per_update=0), ValueError, "episodes_per_update must be an integer >= 1"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ppo(gym.make("CartPole-v1"), **(dict(n_episodes=2, rng=0) | kwargs))


def test_bad_environments():
    with pytest.raises(TypeError, match="not the environment's id"):
        ppo("CartPole-v1", n_episodes=2, rng=0)
    envs = gym.make_vec("CartPole-v1", num_envs=4, vectorization_mode="vector_entry_point")
    with pytest.raises(ValueError, match="episodes_per_update must be None or env.num_envs = 4"):
        ppo(envs, n_episodes=8, rng=0, episodes_per_update=8)
    with pytest.raises(TypeError, match="Discrete"):
        ppo(gym.make("Pendulum-v1"), n_episodes=2, rng=0)


def test_bad_weights_arguments():
    with pytest.raises(ValueError, match=r"one shape \(batch,\); got \(2,\), \(3,\) and \(2,\)"):
        clipped_surrogate_weights([0.0, 0.0], [0.0] * 3, [1.0, 1.0], 0.2)
    with pytest.raises(ValueError, match="log_probs"):
        clipped_surrogate_weights([np.nan], [0.0], [1.0], 0.2)
