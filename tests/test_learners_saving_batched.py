"""A BatchedResult saved and loaded back (softmax_pg.learners.batched_saving): every field
as it was, the same policies; and what load_batched, load_run and save_run refuse."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from softmax_pg import MLPPreferences
from softmax_pg.learners import (
    load_batched,
    load_run,
    reinforce,
    reinforce_batched,
    save_batched,
    save_run,
)


def _batched(**kwargs):
    envs = gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="sync")
    return reinforce_batched(envs, rngs=[0, 1], n_episodes=4, step_size=0.01, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"normalize_observations": True, "baseline_step_size": 0.01, "temperature": 0.5}],
    ids=["plain", "normalised-baseline"],
)
def test_a_batched_result_comes_back_field_by_field(tmp_path, kwargs):
    res = _batched(**kwargs)
    save_batched(tmp_path / "b.npz", res)
    back = load_batched(tmp_path / "b.npz")
    for name in ("thetas", "returns", "discounted_returns", "lengths"):
        assert np.array_equal(getattr(back, name), getattr(res, name)), name
    for name in ("observation_mean", "observation_std", "value_weights"):
        saved, loaded = getattr(res, name), getattr(back, name)
        assert (saved is None) == (not kwargs) and (loaded is None) == (saved is None), name
        assert saved is None or np.array_equal(loaded, saved), name
    assert back.wall_time == res.wall_time and back.temperature == res.temperature
    assert sorted(back.history) == sorted(res.history)
    for key, value in res.history.items():
        assert np.array_equal(back.history[key], value), key
    assert type(back.param) is type(res.param)
    assert back.param.to_config().keys() == res.param.to_config().keys()
    obs = np.random.default_rng(3).normal(size=(5, 4))
    for run in range(res.n_runs):
        assert np.array_equal(back.policy(run).probs(obs), res.policy(run).probs(obs))


def test_a_truncated_file_is_named(tmp_path):
    save_batched(tmp_path / "b.npz", _batched())
    data = (tmp_path / "b.npz").read_bytes()
    (tmp_path / "t.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a batched-runs file written by .*save_batched"):
        load_batched(tmp_path / "t.npz")


def test_a_file_missing_an_entry_is_incomplete(tmp_path):
    save_batched(tmp_path / "b.npz", _batched())
    with np.load(tmp_path / "b.npz") as data:
        kept = {k: data[k] for k in data.files if k != "batched.lengths"}
    np.savez(tmp_path / "c.npz", **kept)
    with pytest.raises(ValueError, match="not a complete batched-runs file.*batched.lengths"):
        load_batched(tmp_path / "c.npz")


def test_a_foreign_npz_is_named(tmp_path):
    np.savez(tmp_path / "f.npz", thetas=np.zeros((2, 10)))
    with pytest.raises(ValueError, match="it has no entry format"):
        load_batched(tmp_path / "f.npz")


def test_a_single_run_file_and_a_batched_file_are_not_taken_for_each_other(tmp_path):
    run = reinforce(gym.make("CartPole-v1"), n_episodes=2, step_size=0.01, rng=0)
    save_run(tmp_path / "r.npz", run)
    with pytest.raises(ValueError, match="holds format = 'softmax_pg run, version 1'"):
        load_batched(tmp_path / "r.npz")
    save_batched(tmp_path / "b.npz", _batched())
    with pytest.raises(ValueError, match="holds format = 'softmax_pg batched runs, version 1'"):
        load_run(tmp_path / "b.npz")


def test_another_parametrisation_class_is_refused(tmp_path):
    save_batched(tmp_path / "b.npz", _batched())
    with pytest.raises(
        ValueError, match=r"holds a policy of \S*MatrixPreferences; param is a \S*MLPPreferences"
    ):
        load_batched(tmp_path / "b.npz", param=MLPPreferences(4, 2, hidden=(3,)))


def test_save_run_and_resume_point_a_batched_result_to_save_batched(tmp_path):
    res = _batched()
    with pytest.raises(TypeError, match=r"cannot be resumed.*save_batched\(path, result\)"):
        save_run(tmp_path / "r.npz", res)
    with pytest.raises(TypeError, match="cannot be resumed"):
        reinforce(gym.make("CartPole-v1"), n_episodes=1, step_size=0.1, resume=res)
    run = reinforce(gym.make("CartPole-v1"), n_episodes=2, step_size=0.01, rng=0)
    with pytest.raises(TypeError, match=r"must be the BatchedResult.*save_run\(path, result\)"):
        save_batched(tmp_path / "b.npz", run)
