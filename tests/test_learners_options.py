"""The learners' shared options (LearnerOptions), the optimiser protocol, and the public step
each learner takes its update through."""

import gymnasium as gym
import numpy as np
import pytest
from softmax_pg import MatrixPreferences
from softmax_pg.learners import (
    SGD,
    Adam,
    LearnerOptions,
    NaturalGradient,
    Optimizer,
    actor_critic,
    reinforce,
    reinforce_batched,
)
from softmax_pg.learners.rollout import sample_episode
from softmax_pg.step import policy_gradient

RECIPE = LearnerOptions(
    gamma=0.99, episodes_per_update=2, normalize_advantages=True, discount_weighting=False
)


def test_options_are_checked_and_frozen():
    opts = LearnerOptions(gamma=1, max_steps=np.int64(7))
    assert opts.gamma == 1.0 and isinstance(opts.gamma, float)
    assert opts.max_steps == 7 and type(opts.max_steps) is int
    with pytest.raises(AttributeError):
        opts.gamma = 0.5  # frozen
    for kwargs, error, match in [
        ({"gamma": 0.0}, ValueError, r"gamma must lie in \(0, 1\]"),
        ({"temperature": -1.0}, ValueError, "temperature"),
        ({"episodes_per_update": 0}, ValueError, "episodes_per_update"),
        ({"entropy_coef": -0.1}, ValueError, "entropy_coef"),
        ({"normalize_advantages": 1}, TypeError, "normalize_advantages must be True or False"),
        ({"max_steps": 2.5}, TypeError, "max_steps"),
    ]:
        with pytest.raises(error, match=match):
            LearnerOptions(**kwargs)


def test_options_and_keywords_give_the_same_run():
    env = gym.make("CartPole-v1")
    by_keywords = reinforce(
        env,
        step_size=0.01,
        n_episodes=6,
        rng=4,
        gamma=0.99,
        episodes_per_update=2,
        normalize_advantages=True,
        discount_weighting=False,
    )
    by_options = reinforce(env, step_size=0.01, n_episodes=6, rng=4, options=RECIPE)
    np.testing.assert_array_equal(by_options.policy.theta, by_keywords.policy.theta)
    np.testing.assert_array_equal(by_options.returns, by_keywords.returns)
    # a keyword beside options replaces its field
    changed = reinforce(env, step_size=0.01, n_episodes=6, rng=4, options=RECIPE, gamma=1.0)
    again = reinforce(
        env,
        step_size=0.01,
        n_episodes=6,
        rng=4,
        options=LearnerOptions(
            episodes_per_update=2, normalize_advantages=True, discount_weighting=False
        ),
    )
    np.testing.assert_array_equal(changed.policy.theta, again.policy.theta)
    assert not np.array_equal(changed.policy.theta, by_options.policy.theta)


def test_options_reach_actor_critic_and_the_batched_learner():
    kwargs = dict(n_episodes=4, progress=False)
    ac = actor_critic(
        gym.make("CartPole-v1"),
        step_size=0.01,
        value_step_size=0.01,
        rng=1,
        options=RECIPE,
        lam=0.9,
        **kwargs,
    )
    assert ac.returns.shape == (4,)
    envs = gym.make_vec("CartPole-v1", num_envs=4, vectorization_mode="vector_entry_point")
    res = reinforce_batched(envs, rngs=[0, 1], step_size=0.01, options=RECIPE, **kwargs)
    assert res.returns.shape == (2, 4)
    with pytest.raises(ValueError, match="num_envs must be len"):  # E = 2 from the options
        reinforce_batched(
            gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="vector_entry_point"),
            rngs=[0, 1],
            step_size=0.01,
            options=RECIPE,
            **kwargs,
        )


def test_options_must_be_learner_options():
    with pytest.raises(TypeError, match="options must be a softmax_pg.learners.LearnerOptions"):
        reinforce(gym.make("CartPole-v1"), step_size=0.1, n_episodes=1, rng=0, options={"gamma": 1})


# ------------------------------------------------------------------ the optimiser protocol


class Halving:
    """A user's optimiser: structural, no base class."""

    def step(self, theta, gradient, scores=None):
        return np.asarray(theta) + 0.5 * np.asarray(gradient)


def test_the_optimisers_follow_the_protocol():
    for opt in (SGD(0.1), Adam(0.1), NaturalGradient(0.1), Halving()):
        assert isinstance(opt, Optimizer)
    assert not isinstance(object(), Optimizer)
    res = reinforce(gym.make("CartPole-v1"), optimizer=Halving(), n_episodes=2, rng=0)
    assert np.isfinite(res.policy.theta).all()


@pytest.mark.parametrize("cls", [Adam, SGD, NaturalGradient])
def test_an_optimiser_class_asks_for_an_instance(cls):
    with pytest.raises(TypeError, match=rf"not the class {cls.__name__}: pass an instance"):
        reinforce(gym.make("CartPole-v1"), optimizer=cls, n_episodes=1, rng=0)
    with pytest.raises(TypeError, match=r"pass an instance, Adam\(0.05\)"):
        reinforce(gym.make("CartPole-v1"), optimizer=Adam, n_episodes=1, rng=0)


def test_an_object_without_step_is_refused():
    with pytest.raises(TypeError, match=r"optimizer must have a method step"):
        reinforce(gym.make("CartPole-v1"), optimizer="adam", n_episodes=1, rng=0)


# ---------------------------------------------------------- the update is the public step


def test_reinforce_update_is_the_public_step():
    """One REINFORCE update, recomputed from the played episode with policy_gradient."""
    env = gym.make("CartPole-v1")
    param = MatrixPreferences(4, 2)
    theta0 = np.random.default_rng(5).normal(size=param.n_params) * 0.1
    res = reinforce(
        env,
        param=param,
        step_size=0.05,
        n_episodes=1,
        rng=9,
        gamma=0.9,
        theta0=theta0,
        entropy_coef=0.2,
    )
    # the same episode: the same protocol (the reset's seed, then one draw per step)
    g = np.random.default_rng(9)
    seed = int(g.integers(2**32))
    observations, actions, rewards = sample_episode(env, theta0, None, g, param=param, seed=seed)
    n = len(rewards)
    returns = np.array([sum(0.9 ** (k - t) * rewards[k] for k in range(t, n)) for t in range(n)])
    weights = 0.9 ** np.arange(len(returns)) * returns
    step = policy_gradient(param, theta0, observations, actions, weights, entropy_coef=0.2)
    np.testing.assert_allclose(res.policy.theta, theta0 + 0.05 * step.gradient, rtol=1e-12)
