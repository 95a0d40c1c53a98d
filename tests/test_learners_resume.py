"""A run's whole state saved and resumed (softmax_pg.learners.state): N episodes, saved,
loaded and resumed for N more, give the theta, returns and history of one uninterrupted
run of 2N episodes, bit for bit; and what load_run and resume= refuse."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from _learners_helpers import SMALL
from softmax_pg import MatrixPreferences, MLPPreferences, TabularPreferences
from softmax_pg.envs import GridWorld
from softmax_pg.learners import (
    Adam,
    NaturalGradient,
    TrainingState,
    actor_critic,
    evaluate,
    load_run,
    ppo,
    reinforce,
    reinforce_batched,
    save_policy,
    save_run,
)

N = 4


def _cartpole():
    return gym.make("CartPole-v1")


def _grid():
    return GridWorld(SMALL)


# (learner, environment, its arguments): each path of the learners that keeps state
CASES = {
    "reinforce-adam-normalised-baseline": (
        reinforce,
        _cartpole,
        dict(
            optimizer=Adam(0.05),
            normalize_observations=True,
            baseline_step_size=0.01,
            gamma=0.99,
        ),
    ),
    "reinforce-sgd-two-per-update-mlp-baseline": (
        reinforce,
        _cartpole,
        dict(
            step_size=0.01,
            episodes_per_update=2,
            normalize_advantages=True,
            baseline_step_size=0.01,
            value_param=MLPPreferences(4, 1, hidden=(4,)),
        ),
    ),
    "reinforce-natural-gradient-entropy": (
        reinforce,
        _cartpole,
        dict(optimizer=NaturalGradient(0.01), entropy_coef=0.01, max_steps=60),
    ),
    "actor-critic-online-adam-normalised": (
        actor_critic,
        _cartpole,
        dict(optimizer=Adam(0.02), value_step_size=0.01, normalize_observations=True, gamma=0.99),
    ),
    "actor-critic-online-tabular": (
        actor_critic,
        _grid,
        dict(step_size=0.2, value_step_size=0.2, max_steps=100),
    ),
    "ppo": (ppo, _cartpole, dict(episodes_per_update=2, epochs=2, minibatch_size=64)),
    "ppo-vector-env": (
        ppo,
        lambda: gym.vector.SyncVectorEnv([_cartpole] * 2),
        dict(epochs=2, minibatch_size=64, optimizer=Adam(0.02)),
    ),
    "actor-critic-batch-lambda": (
        actor_critic,
        _cartpole,
        dict(
            optimizer=Adam(0.02),
            value_step_size=0.002,
            lam=0.9,
            episodes_per_update=2,
            gamma=0.99,
        ),
    ),
}


def _assert_continues(first, second, full) -> None:
    """``second`` (resumed after ``first``) is the rest of ``full``, bit for bit."""
    np.testing.assert_array_equal(second.policy.theta, full.policy.theta)
    for key in ("returns", "discounted_returns", "lengths"):
        joined = np.concatenate([getattr(first, key), getattr(second, key)])
        np.testing.assert_array_equal(joined, getattr(full, key), err_msg=key)
    assert set(second.history) == set(full.history)
    for key, values in full.history.items():
        joined = np.concatenate([first.history[key], second.history[key]])
        np.testing.assert_array_equal(joined, values, err_msg=f"history[{key!r}]")
    if full.value_weights is None:
        assert second.value_weights is None
    else:
        np.testing.assert_array_equal(second.value_weights, full.value_weights)
    assert second.state.episodes == full.state.episodes == 2 * N


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("through_file", [False, True], ids=["in-memory", "file"])
def test_resumed_run_is_the_uninterrupted_run(case, through_file, tmp_path):
    learner, make_env, kwargs = CASES[case]
    full = learner(make_env(), n_episodes=2 * N, rng=7, **kwargs)
    first = learner(make_env(), n_episodes=N, rng=7, **kwargs)
    state = first.state
    if through_file:
        save_run(tmp_path / "run.npz", first)
        state = load_run(tmp_path / "run.npz")
        assert isinstance(state, TrainingState) and state.episodes == N
    # a fresh environment: its generator comes from the state as well
    second = learner(make_env(), n_episodes=N, resume=state, **kwargs)
    _assert_continues(first, second, full)
    # the state is not used up: resuming it again gives the same run
    again = learner(make_env(), n_episodes=N, resume=first, **kwargs)
    np.testing.assert_array_equal(again.policy.theta, second.policy.theta)


def test_a_stopped_run_resumes_where_the_callback_stopped_it():
    kwargs = dict(optimizer=Adam(0.05), normalize_observations=True)
    full = reinforce(_cartpole(), n_episodes=2 * N, rng=3, **kwargs)
    first = reinforce(
        _cartpole(), n_episodes=100, rng=3, callback=lambda s: s["episode"] < N - 1, **kwargs
    )
    assert first.state.episodes == N
    second = reinforce(_cartpole(), n_episodes=N, resume=first.state, **kwargs)
    _assert_continues(first, second, full)


# --------------------------------------------------------------------- what is refused


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "run.npz"
    res = reinforce(_cartpole(), n_episodes=3, rng=0, optimizer=Adam(0.05))
    save_run(path, res)
    return path, res


def test_load_run_refuses_what_save_run_did_not_write(saved, tmp_path):
    path, res = saved
    data = path.read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 2])
    (tmp_path / "garbage.npz").write_bytes(b"not an archive at all")
    save_policy(tmp_path / "policy.npz", res)  # a policy file is not a run file
    np.savez(tmp_path / "foreign.npz", theta=np.zeros(3))
    for name in ("truncated", "garbage", "policy", "foreign"):
        with pytest.raises(ValueError, match="is not a run file written by") as info:
            load_run(tmp_path / f"{name}.npz")
        assert len(str(info.value)) < 400


def test_load_run_refuses_another_parametrisation(saved):
    path, _ = saved
    with pytest.raises(ValueError, match="MatrixPreferences; param is a"):
        load_run(path, param=MLPPreferences(4, 2, hidden=(3,)))
    other = MatrixPreferences(4, 2, bias=False)  # same class, other sizes
    with pytest.raises(ValueError, match="n_params"):
        load_run(path, param=other)


def test_resume_refuses_other_arguments(saved):
    _, res = saved
    adam = dict(optimizer=Adam(0.05))
    with pytest.raises(ValueError, match="the parametrisation"):
        reinforce(_cartpole(), n_episodes=1, resume=res, param=MLPPreferences(4, 2), **adam)
    with pytest.raises(ValueError, match="the optimizer"):
        reinforce(_cartpole(), n_episodes=1, resume=res, step_size=0.1)
    with pytest.raises(ValueError, match="normalize_observations"):
        reinforce(_cartpole(), n_episodes=1, resume=res, normalize_observations=True, **adam)
    with pytest.raises(ValueError, match="baseline_step_size"):
        reinforce(_cartpole(), n_episodes=1, resume=res, baseline_step_size=0.1, **adam)
    with pytest.raises(TypeError, match="give rng or resume, not both"):
        reinforce(_cartpole(), n_episodes=1, resume=res, rng=0, **adam)
    with pytest.raises(TypeError, match="give theta0 or resume"):
        reinforce(_cartpole(), n_episodes=1, resume=res, theta0=res.policy.theta, **adam)
    with pytest.raises(TypeError, match="resume must be"):
        reinforce(_cartpole(), n_episodes=1, resume="run.npz", **adam)
    tabular = actor_critic(_grid(), step_size=0.1, value_step_size=0.1, n_episodes=1, rng=0)
    assert isinstance(tabular.policy.param, TabularPreferences)
    with pytest.raises(ValueError, match="the parametrisation"):
        reinforce(_cartpole(), n_episodes=1, resume=tabular, step_size=0.1)


def _batched():
    envs = gym.vector.SyncVectorEnv([_cartpole] * 3)
    return reinforce_batched(envs, rngs=[0, 1, 2], n_episodes=2, step_size=0.01)


def test_a_batched_result_is_refused_in_a_short_message(tmp_path):
    batched = _batched()
    calls = [
        lambda: save_policy(tmp_path / "p.npz", batched),
        lambda: evaluate(batched, _cartpole(), n_episodes=1),
        lambda: save_run(tmp_path / "r.npz", batched),
        lambda: reinforce(_cartpole(), n_episodes=1, step_size=0.1, resume=batched),
    ]
    for call in calls:
        with pytest.raises(TypeError, match="BatchedResult of 3 runs") as info:
            call()
        assert len(str(info.value)) < 300, str(info.value)
