"""reinforce_batched: twins of reinforce on SyncVectorEnv, reproducible on numpy vector envs,
any parametrisation, errors that name the cause, and the CartPole recipe learns."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from softmax_pg import MatrixPreferences, Parametrisation
from softmax_pg.learners import (
    Adam,
    NaturalGradient,
    evaluate_batched,
    reinforce,
    reinforce_batched,
)


def sync(
    env_id: str, n: int, mode: AutoresetMode = AutoresetMode.NEXT_STEP, **kwargs
) -> SyncVectorEnv:
    return SyncVectorEnv(
        [lambda: gym.make(env_id, **kwargs) for _ in range(n)], autoreset_mode=mode
    )


def numpy_cartpole(n: int):
    return gym.make_vec("CartPole-v1", num_envs=n, vectorization_mode="vector_entry_point")


def assert_twins(
    env_id: str, seeds, env_kwargs=None, mode=AutoresetMode.NEXT_STEP, **kwargs
) -> None:
    """Each batched run equals reinforce on one environment with the same generator."""
    env_kwargs = env_kwargs or {}
    e = kwargs.get("episodes_per_update", 1)
    batched = reinforce_batched(
        sync(env_id, len(seeds) * e, mode, **env_kwargs), rngs=seeds, progress=False, **kwargs
    )
    for i, seed in enumerate(seeds):
        single = reinforce(
            gym.make(env_id, **env_kwargs), rng=seed, progress=False, **{"step_size": 1.0, **kwargs}
        )
        np.testing.assert_array_equal(batched.lengths[i], single.lengths)
        np.testing.assert_allclose(batched.returns[i], single.returns, rtol=1e-12)
        np.testing.assert_allclose(
            batched.discounted_returns[i], single.discounted_returns, rtol=1e-12
        )
        np.testing.assert_allclose(batched.thetas[i], single.policy.theta, rtol=1e-12, atol=1e-12)
        for key in ("return", "entropy", "gradient_norm"):
            np.testing.assert_allclose(
                batched.history[key][i], single.history[key], rtol=1e-12, atol=1e-12
            )
        if single.value_weights is not None:
            np.testing.assert_allclose(
                batched.value_weights[i], single.value_weights, rtol=1e-12, atol=1e-12
            )


# ----------------------------------------------------------------- twins on SyncVectorEnv
def test_twins_frozen_lake_textbook():
    """Discrete observations (the table), slippery steps (the env draws), one episode per update."""
    assert_twins("FrozenLake-v1", [0, 1, 2], n_episodes=40, step_size=0.5)


def test_twins_frozen_lake_baseline_several_episodes():
    assert_twins(
        "FrozenLake-v1",
        [3, 4],
        n_episodes=30,
        step_size=0.5,
        episodes_per_update=4,
        baseline_step_size=0.1,
        gamma=0.9,
    )


def test_twins_cartpole_textbook():
    """Box observations (the weight matrix on [x, 1]), the default options."""
    assert_twins("CartPole-v1", [0, 1], n_episodes=15, step_size=0.01, gamma=0.99)


def test_twins_cartpole_recipe_options():
    """Every practitioner's option on, and a last update shorter than the others."""
    assert_twins(
        "CartPole-v1",
        [5, 6],
        n_episodes=14,
        optimizer=Adam(0.05),
        episodes_per_update=4,
        normalize_advantages=True,
        discount_weighting=False,
        normalize_observations=True,
        entropy_coef=0.01,
    )


def test_twins_natural_gradient_and_temperature():
    assert_twins(
        "CartPole-v1",
        [7],
        n_episodes=9,
        optimizer=NaturalGradient(0.05, damping=0.1),
        episodes_per_update=3,
        normalize_advantages=True,
        temperature=2.0,
    )


@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.DISABLED])
@pytest.mark.parametrize("per_update", [1, 3])
def test_twins_in_every_autoreset_mode(mode, per_update):
    assert_twins(
        "FrozenLake-v1",
        [8, 9],
        mode=mode,
        n_episodes=12,
        step_size=0.5,
        episodes_per_update=per_update,
    )


def test_twins_baseline_on_cartpole():
    assert_twins(
        "CartPole-v1", [2], n_episodes=8, step_size=0.01, baseline_step_size=0.01, gamma=0.99
    )


# ------------------------------------------------------ the numpy vector env: reproducible
@pytest.mark.parametrize("per_update", [1, 5])
def test_numpy_vector_env_is_reproducible_bit_for_bit(per_update):
    kwargs = dict(
        rngs=[0, 1, 2],
        n_episodes=20,
        optimizer=Adam(0.05),
        episodes_per_update=per_update,
        normalize_advantages=True,
        normalize_observations=True,
        progress=False,
    )
    a = reinforce_batched(numpy_cartpole(3 * per_update), **kwargs)
    b = reinforce_batched(numpy_cartpole(3 * per_update), **kwargs)
    np.testing.assert_array_equal(a.thetas, b.thetas)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert a.returns.shape == (3, 20) and a.lengths.min() >= 1
    assert not np.array_equal(a.thetas[0], a.thetas[1])  # each run its own generator


def test_generators_are_accepted_and_consumed_like_seeds():
    seeds = [11, 12]
    a = reinforce_batched(
        numpy_cartpole(2), rngs=seeds, n_episodes=5, step_size=0.01, progress=False
    )
    gens = [np.random.default_rng(s) for s in seeds]
    b = reinforce_batched(
        numpy_cartpole(2), rngs=gens, n_episodes=5, step_size=0.01, progress=False
    )
    np.testing.assert_array_equal(a.thetas, b.thetas)


# --------------------------------------------------------------- a user's parametrisation
class UserMatrix(Parametrisation):
    """W on [x, 1] with the two required methods only (no vjp_sum, no preferences_many)."""

    def __init__(self, n_inputs: int, n_actions: int) -> None:
        self.n_inputs, self.n_actions = n_inputs, n_actions
        self.n_params = (n_inputs + 1) * n_actions

    def _x(self, observations):
        x = np.asarray(observations, dtype=np.float64).reshape(-1, self.n_inputs)
        return np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)

    def preferences(self, theta, observations):
        return self._x(observations) @ theta.reshape(self.n_inputs + 1, self.n_actions)

    def vjp(self, theta, observations, g):
        x = self._x(observations)
        return (x[:, :, None] * g[:, None, :]).reshape(x.shape[0], -1)


def test_user_parametrisation_with_the_required_methods_only():
    kwargs = dict(
        rngs=[0, 1],
        n_episodes=12,
        optimizer=Adam(0.05),
        episodes_per_update=3,
        normalize_advantages=True,
        progress=False,
    )
    mine = reinforce_batched(sync("CartPole-v1", 6), param=UserMatrix(4, 2), **kwargs)
    builtin = reinforce_batched(sync("CartPole-v1", 6), param=MatrixPreferences(4, 2), **kwargs)
    np.testing.assert_array_equal(mine.lengths, builtin.lengths)
    np.testing.assert_allclose(mine.thetas, builtin.thetas, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        mine.policy(1).probs(np.zeros((1, 4))), builtin.policy(1).probs(np.zeros((1, 4)))
    )


def test_user_parametrisation_with_wrong_outputs_is_named():
    class Wrong(UserMatrix):
        def preferences(self, theta, observations):
            return np.zeros((len(np.atleast_2d(observations)), 3))

    with pytest.raises(ValueError, match=r"Wrong\.preferences"):
        reinforce_batched(
            sync("CartPole-v1", 2),
            rngs=[0, 1],
            param=Wrong(4, 2),
            n_episodes=2,
            step_size=0.1,
            progress=False,
        )


# ------------------------------------------------------------------------- the results
def test_result_policy_history_and_callback():
    seen = []
    res = reinforce_batched(
        numpy_cartpole(4),
        rngs=[0, 1],
        n_episodes=7,
        optimizer=Adam(0.05),
        episodes_per_update=2,
        normalize_observations=True,
        callback=seen.append,
        progress=False,
    )
    assert len(seen) == 2 * 4 and {s["run"] for s in seen} == {0, 1}
    assert set(seen[0]) >= {"run", "episode", "return", "entropy", "gradient_norm", "theta"}
    assert res.history["return"].shape == (2, 4)
    np.testing.assert_array_equal(res.history["episode"][0], [1, 3, 5, 6])
    policy = res.policy(1)
    obs = np.array([0.01, -0.2, 0.03, 0.1])
    mean, std = res.observation_mean[1], res.observation_std[1]
    direct = MatrixPreferences(4, 2).preferences(res.thetas[1], ((obs - mean) / std)[None])
    np.testing.assert_allclose(policy.preferences(obs[None]), direct)
    assert res.wall_time > 0


def test_evaluate_batched_greedy_is_deterministic():
    res = reinforce_batched(
        numpy_cartpole(2), rngs=[0, 1], n_episodes=10, step_size=0.01, progress=False
    )
    a = evaluate_batched(numpy_cartpole(6), res, rng=3)
    b = evaluate_batched(numpy_cartpole(6), res, rng=3)
    assert a.shape == (2, 3)
    np.testing.assert_array_equal(a, b)


# -------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(rngs=None), TypeError, "rngs must be a sequence"),
        (dict(rngs=3), TypeError, "rngs must be a sequence"),
        (dict(rngs=[]), ValueError, "at least one"),
        (
            dict(rngs=[0]),
            ValueError,
            r"num_envs must be len\(rngs\) \* episodes_per_update = 1 \* 1",
        ),
        (dict(rngs=[0, 1], step_size=None), TypeError, "step_size .* or optimizer"),
        (dict(rngs=[0, 1], n_episodes=0), ValueError, "n_episodes"),
    ],
)
def test_bad_arguments_name_the_cause(kwargs, error, match):
    args = {"n_episodes": 2, "step_size": 0.1, "progress": False, **kwargs}
    with pytest.raises(error, match=match):
        reinforce_batched(numpy_cartpole(2), **args)


def test_one_generator_shared_by_two_runs_is_an_error():
    g = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"rngs\[0\] is the same Generator"):
        reinforce_batched(numpy_cartpole(2), rngs=[g, g], n_episodes=2, step_size=0.1)


def test_a_single_env_or_an_id_is_refused_with_the_reason():
    with pytest.raises(
        TypeError, match="a single environment goes to softmax_pg.learners.reinforce"
    ):
        reinforce_batched(gym.make("CartPole-v1"), rngs=[0], n_episodes=2, step_size=0.1)
    with pytest.raises(TypeError, match="not an id"):
        reinforce_batched("CartPole-v1", rngs=[0], n_episodes=2, step_size=0.1)


def test_unsupported_spaces_are_refused():
    envs = gym.make_vec("Pendulum-v1", num_envs=2, vectorization_mode="sync")
    with pytest.raises(TypeError, match="Gaussian"):
        reinforce_batched(envs, rngs=[0, 1], n_episodes=2, step_size=0.1)


def test_observation_normalisation_needs_box_observations():
    with pytest.raises(ValueError, match="normalize_observations needs Box"):
        reinforce_batched(
            sync("FrozenLake-v1", 1),
            rngs=[0],
            n_episodes=2,
            step_size=0.1,
            normalize_observations=True,
        )


def test_divergence_names_the_step_size():
    with pytest.raises(FloatingPointError, match="step_size = 1e\\+308"):
        reinforce_batched(
            numpy_cartpole(1), rngs=[0], n_episodes=30, step_size=1e308, progress=False
        )


# ------------------------------------------------------------------------- the recipe
@pytest.mark.slow
def test_the_recipe_learns_cartpole_quickly():
    """The chapter's recipe: >= 150 on average over episodes 151-200, in each of 4 seeds."""
    res = reinforce_batched(
        numpy_cartpole(4 * 5),
        rngs=range(4),
        n_episodes=200,
        optimizer=Adam(0.05),
        episodes_per_update=5,
        normalize_advantages=True,
        discount_weighting=False,
        normalize_observations=True,
        progress=False,
    )
    assert res.returns[:, -50:].mean(axis=1).min() >= 150, res.returns[:, -50:].mean(axis=1)


def test_a_callback_returning_false_stops_that_run():
    def stop_run_1_after_its_second_update(stats):
        return not (stats["run"] == 1 and stats["episode"] >= 3)

    res = reinforce_batched(
        numpy_cartpole(4),
        rngs=[0, 1],
        n_episodes=7,
        step_size=0.01,
        episodes_per_update=2,
        callback=stop_run_1_after_its_second_update,
        progress=False,
    )
    np.testing.assert_array_equal(res.history["episode"], [[1, 3, 5, 6], [1, 3, -1, -1]])
    assert np.isnan(res.history["return"][1, 2:]).all()
    assert np.isnan(res.returns[1, 4:]).all() and (res.lengths[1, 4:] == 0).all()
    assert np.isfinite(res.returns[0]).all() and (res.lengths[:, :4] > 0).all()
