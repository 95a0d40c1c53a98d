"""What a learner returns: undiscounted and discounted returns, history, callback, progress."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from softmax_pg.envs import ShortCorridor, corridor_features
from softmax_pg.learners import (
    LearningResult,
    actor_critic,
    discounted_returns,
    reinforce,
    reinforce_batched,
)


def test_returns_are_undiscounted_and_discounted_returns_are_g0():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    res = reinforce(env, step_size=0.5, n_episodes=30, rng=0, gamma=0.9)
    assert isinstance(res, LearningResult) and res.wall_time > 0
    # FrozenLake pays 1 at the goal: the undiscounted return is 0 or 1, G_0 = 0.9^(T-1) or 0
    assert set(res.returns.tolist()) <= {0.0, 1.0}
    reached = res.returns == 1.0
    np.testing.assert_allclose(res.discounted_returns[reached], 0.9 ** (res.lengths[reached] - 1))
    corridor = reinforce(
        ShortCorridor(),
        step_size=0.01,
        n_episodes=5,
        rng=1,
        features=corridor_features(),
        gamma=0.5,
    )
    np.testing.assert_array_equal(corridor.returns, -corridor.lengths)
    for g0, n in zip(corridor.discounted_returns, corridor.lengths, strict=False):
        assert g0 == discounted_returns(-np.ones(n), 0.5)[0]


def test_a_callback_sees_every_update_and_history_matches():
    seen = []
    res = reinforce(
        gym.make("CartPole-v1"),
        step_size=0.01,
        n_episodes=10,
        rng=0,
        episodes_per_update=3,
        callback=seen.append,
    )
    assert [s["episode"] for s in seen] == [2, 5, 8, 9]  # the last update has one episode
    np.testing.assert_array_equal(res.history["episode"], [2, 5, 8, 9])
    np.testing.assert_allclose(res.history["return"][0], res.returns[:3].mean())
    assert (res.history["entropy"] > 0).all() and (res.history["gradient_norm"] > 0).all()
    assert set(seen[0]) == {"episode", "return", "entropy", "gradient_norm", "theta"}
    np.testing.assert_array_equal(seen[-1]["theta"], res.policy.theta)  # after the update
    seen.clear()
    actor_critic(
        gym.make("CartPole-v1"),
        step_size=0.01,
        value_step_size=0.01,
        n_episodes=4,
        rng=0,
        callback=seen.append,
    )
    assert [s["episode"] for s in seen] == [0, 1, 2, 3]


def test_no_progress_bar_writes_nothing(capsys):
    reinforce(gym.make("CartPole-v1"), step_size=0.01, n_episodes=3, rng=0, progress=False)
    reinforce(
        gym.make("CartPole-v1"), step_size=0.01, n_episodes=3, rng=0
    )  # automatic: not a terminal
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_a_progress_bar_on_request(capsys):
    reinforce(gym.make("CartPole-v1"), step_size=0.01, n_episodes=3, rng=0, progress=True)
    assert "episode" in capsys.readouterr().err


def test_same_seed_same_result_bit_for_bit():
    env = gym.make("CartPole-v1")
    kw = {
        "step_size": 0.01,
        "n_episodes": 12,
        "episodes_per_update": 4,
        "normalize_advantages": True,
    }
    a = reinforce(env, rng=5, **kw)
    b = reinforce(env, rng=np.random.default_rng(5), **kw)
    np.testing.assert_array_equal(a.policy.theta, b.policy.theta)
    np.testing.assert_array_equal(a.returns, b.returns)


@pytest.mark.parametrize("learner", ["reinforce", "batch actor-critic", "online actor-critic"])
def test_a_callback_returning_false_stops_the_run(learner):
    def stop_after_episode_4(stats):
        return stats["episode"] < 4

    env = gym.make("CartPole-v1")
    kwargs = dict(n_episodes=20, rng=0, step_size=0.01, callback=stop_after_episode_4)
    if learner == "reinforce":
        res = reinforce(env, episodes_per_update=2, **kwargs)
        ends = [1, 3, 5]
    else:
        extra = {"lam": 0.9, "episodes_per_update": 2} if learner.startswith("batch") else {}
        res = actor_critic(env, value_step_size=0.01, **extra, **kwargs)
        ends = [1, 3, 5] if extra else [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(res.history["episode"], ends)
    assert res.returns.shape == res.lengths.shape == (ends[-1] + 1,)
    assert (res.lengths > 0).all()
    # the same run, not stopped, starts with the same episodes and thetas
    full = []
    ref = (reinforce if learner == "reinforce" else actor_critic)(
        env,
        **{**kwargs, "callback": full.append},
        **({"episodes_per_update": 2} if learner == "reinforce" else {"value_step_size": 0.01}),
        **(extra if learner != "reinforce" else {}),
    )
    np.testing.assert_array_equal(ref.returns[: len(res.returns)], res.returns)
    np.testing.assert_array_equal(full[len(ends) - 1]["theta"], res.policy.theta)


def test_a_collapsed_entropy_is_reported():
    with pytest.warns(UserWarning, match=r"entropy collapsed to ~0 .*step size .* too large"):
        reinforce(gym.make("CartPole-v1"), step_size=1e6, n_episodes=5, rng=0)
    with pytest.warns(UserWarning, match=r"run 1: 0 nats"):
        reinforce_batched(
            gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="vector_entry_point"),
            rngs=[0, 1],
            n_episodes=5,
            step_size=1e6,
            progress=False,
        )


def test_a_learning_policy_gives_no_warning(recwarn):
    reinforce(gym.make("CartPole-v1"), step_size=0.01, n_episodes=5, rng=0)
    assert not [w for w in recwarn if "entropy" in str(w.message)]
