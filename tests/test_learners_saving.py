"""Save and load a trained policy (softmax_pg.learners.saving): the round trip, what
load_policy checks (the file, the class, the preferences on a probe batch) and its messages."""

from __future__ import annotations

import io

import gymnasium as gym
import numpy as np
import pytest
from softmax_pg import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    Parametrisation,
    SoftmaxPolicy,
    TabularPreferences,
)
from softmax_pg.envs import ShortCorridor, corridor_features
from softmax_pg.learners import (
    evaluate,
    evaluate_batched,
    load_policy,
    reinforce,
    reinforce_batched,
    save_policy,
)
from softmax_pg.parametrisations import Standardized


@pytest.mark.parametrize(
    "make",
    [
        lambda: reinforce(
            gym.make("FrozenLake-v1"), step_size=0.5, n_episodes=20, rng=0, temperature=0.5
        ),
        lambda: reinforce(
            ShortCorridor(), step_size=0.1, n_episodes=5, rng=0, features=corridor_features()
        ),
        lambda: reinforce(gym.make("CartPole-v1"), step_size=0.01, n_episodes=5, rng=0),
        lambda: reinforce(
            gym.make("CartPole-v1"),
            step_size=0.01,
            n_episodes=5,
            rng=0,
            param=MLPPreferences(4, 2, hidden=(3, 2)),
        ),
        lambda: reinforce(
            gym.make("CartPole-v1"),
            step_size=0.01,
            n_episodes=5,
            rng=0,
            normalize_observations=True,
        ),
    ],
    ids=["tabular", "features", "matrix", "mlp", "normalised"],
)
def test_round_trip(make, tmp_path):
    res = make()
    save_policy(tmp_path / "policy.npz", res)
    loaded = load_policy(tmp_path / "policy.npz")
    np.testing.assert_array_equal(loaded.theta, res.policy.theta)
    assert loaded.temperature == res.policy.temperature
    obs = np.array([0, 1, 2]) if loaded.param.observation_shape == () else np.ones((3, 4))
    np.testing.assert_array_equal(loaded.probs(obs), res.policy.probs(obs))


# ----------------------------------------------- what load_policy checks, and its messages


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _write(path, policy):
    save_policy(path, policy)
    return path


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p.write_bytes(b"not a zip file at all"),  # foreign
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # truncated
        lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 100),  # a corrupt zip header
        lambda p: np.savez(p, theta=np.zeros(6)),  # another program's .npz
        lambda p: p.write_bytes(_npy_bytes(np.zeros(3))),  # a .npy under the name
        lambda p: np.savez(p, data=np.array([{"a": 1}], dtype=object)),  # pickled objects
    ],
    ids=["foreign", "truncated", "corrupt", "other-npz", "npy", "pickle"],
)
def test_a_file_that_is_not_a_policy_gives_one_clear_error(spoil, tmp_path):
    path = _write(tmp_path / "p.npz", SoftmaxPolicy(TabularPreferences(3, 2), np.arange(6.0)))
    spoil(path)
    with pytest.raises(ValueError, match="is not a policy file written by") as info:
        load_policy(path)
    assert "allow_pickle" not in str(info.value)


def test_a_missing_file_is_still_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_policy(tmp_path / "none.npz")


def test_another_class_with_as_many_parameters_is_refused(tmp_path):
    path = _write(tmp_path / "p.npz", SoftmaxPolicy(TabularPreferences(4, 2), np.arange(8.0)))
    other = MatrixPreferences(4, 2, bias=False)  # n_params = 8 too
    assert other.n_params == 8
    with pytest.raises(ValueError, match="holds a policy of .*TabularPreferences; param is a .*"):
        load_policy(path, param=other)


def test_other_features_of_the_same_shape_are_refused_by_the_fingerprint(tmp_path):
    rng = np.random.default_rng(0)
    table = rng.normal(size=(5, 3, 2))
    path = _write(tmp_path / "p.npz", SoftmaxPolicy(LinearPreferences(table), [0.5, -1.0]))
    assert load_policy(path, param=LinearPreferences(table)).theta.tolist() == [0.5, -1.0]
    with pytest.raises(ValueError, match="gives other preferences on the file's probe batch"):
        load_policy(path, param=LinearPreferences(table + 1.0))


def test_a_state_fn_policy_needs_its_param_and_checks_it(tmp_path):
    param = MatrixPreferences(2, 3, state_fn=lambda o: np.asarray(o)[:, :2] ** 2)
    policy = SoftmaxPolicy(param, np.linspace(-1, 1, 9))
    policy.probs(np.ones((3, 4)))  # the observation shape (4,) is inferred from a batch
    path = _write(tmp_path / "p.npz", policy)
    with pytest.raises(ValueError, match="pass it as load_policy"):
        load_policy(path)
    same = MatrixPreferences(2, 3, state_fn=lambda o: np.asarray(o)[:, :2] ** 2)
    np.testing.assert_array_equal(load_policy(path, param=same).theta, policy.theta)
    cubes = MatrixPreferences(2, 3, state_fn=lambda o: np.asarray(o)[:, :2] ** 3)
    with pytest.raises(ValueError, match="gives other preferences"):
        load_policy(path, param=cubes)


def test_a_batched_result_is_named_not_printed(tmp_path):
    envs = gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="sync")
    res = reinforce_batched(envs, rngs=[0, 1], step_size=0.01, n_episodes=2)
    for call in (
        lambda: save_policy(tmp_path / "p.npz", res),
        lambda: evaluate(res, gym.make("CartPole-v1"), n_episodes=1),
    ):
        with pytest.raises(TypeError, match=r"got a BatchedResult of 2 runs: pass result\.policy"):
            call()
    save_policy(tmp_path / "p.npz", res.policy(1))
    np.testing.assert_array_equal(load_policy(tmp_path / "p.npz").theta, res.thetas[1])


def test_evaluate_on_a_vector_env_points_to_evaluate_batched():
    envs = gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="sync")
    policy = SoftmaxPolicy(MatrixPreferences(4, 2), np.zeros(10))
    with pytest.raises(TypeError, match="evaluate_batched"):
        evaluate(policy, envs)


def test_evaluate_batched_given_one_result_says_so():
    res = reinforce(gym.make("CartPole-v1"), step_size=0.01, n_episodes=2, rng=0)
    envs = gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="sync")
    with pytest.raises(TypeError, match="must be the BatchedResult of reinforce_batched; got"):
        evaluate_batched(envs, res)


def test_the_parametrisations_describe_themselves():
    for param in (
        TabularPreferences(3, 2),
        LinearPreferences(np.ones((2, 3, 4))),
        MatrixPreferences(4, 2, bias=False),
        MLPPreferences(4, 2, hidden=(3, 2)),
        MLPPreferences(4, 2, hidden=()),
        Standardized(MatrixPreferences(4, 2), np.ones(4), 2 * np.ones(4)),
    ):
        again = type(param).from_config(param.to_config())
        assert repr(again) == repr(param)
        assert again.n_params == param.n_params
    assert MatrixPreferences(2, 2, state_fn=np.square).to_config() is None
    assert Parametrisation().to_config() is None


def test_standardized_is_a_parametrisation_and_the_old_path_still_works():
    from softmax_pg.learners.standardize import Standardized as Old

    assert Old is Standardized
    assert issubclass(Standardized, Parametrisation)


class OnOneHots(Parametrisation):
    """Preferences only for one-hot observations of length 3: anything else raises."""

    n_actions, n_params, observation_shape = 2, 6, (3,)

    def preferences(self, theta, observations):
        x = np.asarray(observations)
        if not np.all((x == 0) | (x == 1)):
            raise ValueError("observations must be one-hot")
        return x @ theta.reshape(3, 2)

    def vjp(self, theta, observations, g):
        x = np.asarray(observations, dtype=float)
        return (x[:, :, None] * g[:, None, :]).reshape(len(x), 6)


def test_a_class_that_cannot_take_the_probe_is_saved_without_a_fingerprint(tmp_path):
    policy = SoftmaxPolicy(OnOneHots(), np.arange(6.0))
    path = _write(tmp_path / "p.npz", policy)
    loaded = load_policy(path, param=OnOneHots())
    np.testing.assert_array_equal(loaded.probs(np.eye(3)), policy.probs(np.eye(3)))


def test_a_tampered_description_is_a_value_error(tmp_path):
    path = _write(tmp_path / "p.npz", SoftmaxPolicy(TabularPreferences(3, 2), np.zeros(6)))
    with np.load(path) as data:
        arrays = dict(data)
    arrays["config.n_states"] = np.int64(-1)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="the file's description of .*TabularPreferences does"):
        load_policy(path)
