"""AcrobotVectorEnv against Gymnasium's Acrobot-v1: states, steps, autoreset, seeding, learners."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import softmax_pg.envs  # noqa: F401  (registers the ids)
from gymnasium.envs.classic_control.acrobot import AcrobotEnv
from gymnasium.vector import AutoresetMode, VectorEnv
from softmax_pg.envs import AcrobotVectorEnv
from softmax_pg.learners import Adam, reinforce, reinforce_batched

ACRO_ID = "softmax_pg/Acrobot-v1"


def ours(n: int) -> VectorEnv:
    return gym.make_vec(ACRO_ID, num_envs=n, vectorization_mode="vector_entry_point")


def gymnasium_sync(n: int) -> VectorEnv:
    return gym.make_vec("Acrobot-v1", num_envs=n, vectorization_mode="sync")


def pump(obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Actions that end episodes both ways: even sub-envs pump energy (torque with the joint's
    velocity: they reach the goal), odd ones act at random (most are cut at 500 steps)."""
    a = rng.integers(3, size=len(obs))
    a[::2] = np.where(obs[::2, 5] > 0, 2, 0)
    return a


def play_both(n: int, n_steps: int, seed) -> dict:
    """Step ours and Gymnasium's SyncVectorEnv with the same actions; count how episodes end."""
    a_env, b_env = ours(n), gymnasium_sync(n)
    oa, _ = a_env.reset(seed=seed)
    ob, _ = b_env.reset(seed=seed)
    np.testing.assert_array_equal(oa, ob)
    rng = np.random.default_rng(7)
    counts = {"terminated": 0, "truncated": 0}
    for _ in range(n_steps):
        action = pump(oa, rng)
        a, b = a_env.step(action), b_env.step(action)
        np.testing.assert_allclose(a[0], b[0], rtol=0, atol=1e-12)
        for k in (1, 2, 3):
            np.testing.assert_array_equal(a[k], b[k])
        counts["terminated"] += int(a[2].sum())
        counts["truncated"] += int(a[3].sum())
        oa = a[0]
    state_b = np.array([e.unwrapped.state for e in b_env.envs], dtype=np.float64)
    np.testing.assert_allclose(a_env.unwrapped.state, state_b, rtol=0, atol=1e-12)
    return counts


# ------------------------------------------------------------------- by hand


def test_hanging_at_rest_stays_and_upright_terminates():
    env = AcrobotVectorEnv(num_envs=2)
    env.reset(seed=0)
    env.state[:] = [[0.0, 0.0, 0.0, 0.0], [np.pi, 0.0, 0.0, 0.0]]
    obs, reward, terminated, truncated, info = env.step(np.array([1, 1]))
    # hanging down without torque is an equilibrium (up to cos(-pi/2) = 6e-17 in floating
    # point); pointing up is past the goal height
    np.testing.assert_allclose(obs[0], [1.0, 0.0, 1.0, 0.0, 0.0, 0.0], rtol=0, atol=1e-15)
    assert reward.tolist() == [-1.0, 0.0]
    assert terminated.tolist() == [False, True] and truncated.tolist() == [False, False]
    assert info == {} and obs.dtype == np.float32 and obs.shape == (2, 6)
    # the next step resets the finished sub-environment (NEXT_STEP) and ignores its action
    obs, reward, terminated, truncated, _ = env.step(np.array([2, 2]))
    assert reward[1] == 0.0 and not terminated[1] and not truncated[1]
    assert np.all(np.abs(env.state[1]) <= 0.1)


def test_torque_signs_and_velocity_bounds():
    env = AcrobotVectorEnv(num_envs=3)
    env.reset(seed=0)
    env.state[:] = 0.0
    env.step(np.array([0, 1, 2]))
    # torque -1, 0, +1 at the joint: the joint's acceleration has the torque's sign
    assert env.state[0, 3] < -0.1 and env.state[2, 3] > 0.1 and abs(env.state[1, 3]) < 1e-15
    np.testing.assert_allclose(env.state[0], -env.state[2], rtol=0, atol=1e-14)  # mirror images
    env.state[:] = [0.0, 0.0, 100.0, -100.0]
    env.step(np.array([1, 1, 1]))
    assert np.all(np.abs(env.state[:, 2]) <= 4 * np.pi + 1e-12)
    assert np.all(np.abs(env.state[:, 3]) <= 9 * np.pi + 1e-12)
    assert np.all(np.abs(env.state[:, :2]) <= np.pi)  # the angles are wrapped


# ------------------------------------------------------------------- against Gymnasium


def test_registered_spaces_and_metadata():
    env = ours(4)
    assert isinstance(env.unwrapped, AcrobotVectorEnv) and env.num_envs == 4
    ref = gymnasium_sync(4)
    assert env.single_observation_space == ref.single_observation_space
    assert env.single_action_space == ref.single_action_space
    assert env.observation_space == ref.observation_space
    assert env.action_space == ref.action_space
    assert env.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP
    assert env.unwrapped.max_episode_steps == 500
    single = gym.make(ACRO_ID)  # the single environment is Gymnasium's own
    assert isinstance(single.unwrapped, AcrobotEnv) and single.spec.max_episode_steps == 500


@pytest.mark.parametrize("seed", [0, 123, [5, 2**40, 7, 0]])
def test_first_states_equal_gymnasium(seed):
    a, _ = ours(4).reset(seed=seed)
    b, _ = gymnasium_sync(4).reset(seed=seed)
    np.testing.assert_array_equal(a, b)
    single, _ = gym.make("Acrobot-v1").reset(seed=seed if isinstance(seed, int) else seed[0])
    np.testing.assert_array_equal(a[0], single)
    assert np.abs(a[:, 4:]).max() <= 0.1 and len(np.unique(a[:, 4])) == 4


def test_unseeded_first_reset_draws_from_entropy():
    a, _ = ours(3).reset()
    b, _ = ours(3).reset()
    assert not np.array_equal(a, b)


def test_steps_equal_gymnasium_across_termination_and_truncation():
    counts = play_both(8, 1600, seed=11)
    # the comparison has seen both ends of an episode, and the resets after them
    assert counts["terminated"] >= 20 and counts["truncated"] >= 4, counts


def test_reset_mask_and_options_equal_gymnasium():
    a_env, b_env = ours(3), gymnasium_sync(3)
    a_env.reset(seed=1)
    b_env.reset(seed=1)
    for _ in range(5):
        a_env.step(np.array([0, 1, 2]))
        b_env.step(np.array([0, 1, 2]))
    mask = np.array([True, False, True])
    opts = {"low": -0.2, "high": 0.2}
    oa, _ = a_env.reset(seed=[9, None, None], options={"reset_mask": mask, **opts})
    ob, _ = b_env.reset(seed=[9, None, None], options={"reset_mask": mask, **opts})
    np.testing.assert_array_equal(oa, ob)
    # sub-env 1 was not reset: it goes on where its episode was
    assert a_env.unwrapped.steps.tolist() == [0, 5, 0]
    for _ in range(30):
        a, b = a_env.step(np.array([2, 0, 1])), b_env.step(np.array([2, 0, 1]))
        for x, y in zip(a[:4], b[:4], strict=True):
            np.testing.assert_array_equal(x, y)


def test_unseeded_resets_continue_each_generator():
    a_env, b_env = ours(2), gymnasium_sync(2)
    a_env.reset(seed=3)
    b_env.reset(seed=3)
    for _ in range(3):
        np.testing.assert_array_equal(a_env.reset()[0], b_env.reset()[0])


# ------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("action", "error", "match"),
    [
        (np.array([0, 3]), ValueError, "0, 1 or 2"),
        (np.array([-1, 0]), ValueError, "0, 1 or 2"),
        (np.array([0, 1, 2]), ValueError, r"shape \(2,\)"),
        (np.array([0.0, 1.0]), ValueError, "integers"),
    ],
)
def test_bad_actions(action, error, match):
    env = AcrobotVectorEnv(num_envs=2)
    env.reset(seed=0)
    with pytest.raises(error, match=match):
        env.step(action)


def test_bad_arguments():
    with pytest.raises(ValueError, match="render_mode"):
        AcrobotVectorEnv(2, render_mode="rgb_array")
    with pytest.raises(ValueError, match="num_envs"):
        AcrobotVectorEnv(0)
    env = AcrobotVectorEnv(2)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.array([0, 0]))
    with pytest.raises(ValueError, match="length 3"):
        env.reset(seed=[1, 2, 3])
    with pytest.raises(TypeError, match="reset_mask"):
        env.reset(options={"reset_mask": [True, False]})
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        env.reset(options={"reset_mask": np.array([True])})


# ------------------------------------------------------------------- learners on it


class _Delegate(VectorEnv):
    """Gymnasium's SyncVectorEnv behind a plain VectorEnv that declares ``reset_mask`` as ours
    does: the learner sees what it sees of ours, but the dynamics are Gymnasium's."""

    def __init__(self, n: int) -> None:
        self.inner = gymnasium_sync(n)
        self.num_envs = n
        self.metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "reset_mask": True}
        for k in ("single_observation_space", "single_action_space"):
            setattr(self, k, getattr(self.inner, k))
        self.observation_space, self.action_space = (
            self.inner.observation_space,
            self.inner.action_space,
        )

    def reset(self, *, seed=None, options=None):
        return self.inner.reset(seed=seed, options=options)

    def step(self, actions):
        return self.inner.step(actions)


RECIPE = dict(
    optimizer=Adam(0.05),
    normalize_advantages=True,
    discount_weighting=False,
    normalize_observations=True,
    progress=False,
)


def test_batched_learner_runs_and_equals_it_on_gymnasium_dynamics():
    kw = dict(rngs=[0, 1], n_episodes=6, episodes_per_update=3, **RECIPE)
    a = reinforce_batched(ours(6), **kw)
    b = reinforce_batched(_Delegate(6), **kw)
    again = reinforce_batched(ours(6), **kw)
    assert a.returns.shape == (2, 6) and np.all(a.returns >= -500)
    np.testing.assert_array_equal(a.returns, b.returns)
    np.testing.assert_allclose(a.thetas, b.thetas, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(a.thetas, again.thetas)  # same seeds, same bits


@pytest.mark.parametrize("per_update", [1, 3])
def test_batched_runs_are_twins_of_reinforce_on_gymnasium(per_update):
    # the env resets slot by slot (metadata["reset_mask"]), so each batched run is reinforce
    # on gym.make("Acrobot-v1") with the same generator, whatever runs share the batch
    opts = dict(n_episodes=6, episodes_per_update=per_update, entropy_coef=0.05, **RECIPE)
    seeds = [0, 3, 4]
    batched = reinforce_batched(ours(len(seeds) * per_update), rngs=seeds, **opts)
    alone = reinforce_batched(ours(per_update), rngs=[3], **opts)
    for i, seed in enumerate(seeds):
        single = reinforce(gym.make("Acrobot-v1"), step_size=1.0, rng=seed, **opts)
        np.testing.assert_array_equal(batched.returns[i], single.returns)
        np.testing.assert_allclose(batched.thetas[i], single.policy.theta, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(alone.returns[0], batched.returns[1])
