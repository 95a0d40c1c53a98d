"""The environments: dynamics worked by hand, Gymnasium's checker, registration, bad input."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
import softmax_pg.envs  # noqa: F401  (registers the ids)
from gymnasium.utils.env_checker import check_env
from softmax_pg.envs import (
    DEFAULT_MAP,
    GridWorld,
    ShortCorridor,
    corridor_features,
    corridor_theta,
    parse_map,
)
from softmax_pg.envs.corridor import GOAL, LEFT, NEXT_STATE, RIGHT

CORRIDOR_ID = "softmax_pg/ShortCorridor-v0"
GRID_ID = "softmax_pg/GridWorld-v0"


# ------------------------------------------------------------------- short corridor


def walk(env, actions):
    """Observations, rewards and terminated flags of a sequence of actions from reset."""
    env.reset(seed=0)
    return [env.step(a)[:3] for a in actions]


def test_corridor_by_hand():
    env = ShortCorridor()
    obs, info = env.reset(seed=1)
    assert (obs, info) == (0, {})
    # state 0: left bumps into the wall; right goes to 1
    assert env.step(LEFT) == (0, -1.0, False, False, {})
    assert env.step(RIGHT) == (1, -1.0, False, False, {})
    # state 1 is reversed: right goes back to 0, left goes on to 2
    assert env.step(RIGHT)[0] == 0
    env.step(RIGHT)
    assert env.step(LEFT) == (2, -1.0, False, False, {})
    # state 2: left back to 1, right into the goal, which costs -1 too
    assert env.step(LEFT)[0] == 1
    env.step(LEFT)
    assert env.step(RIGHT) == (GOAL, -1.0, True, False, {})


def test_corridor_shortest_episode_and_table():
    # right, left, right is the only 3-step way; its return is -3
    steps = walk(ShortCorridor(), [RIGHT, LEFT, RIGHT])
    assert [s[0] for s in steps] == [1, 2, 3]
    assert sum(s[1] for s in steps) == -3.0 and steps[-1][2]
    np.testing.assert_array_equal(NEXT_STATE[:3], [[0, 1], [2, 0], [1, 3]])


def test_corridor_features_are_the_same_in_every_state():
    phi = corridor_features()
    assert phi.shape == (4, 2, 2)
    np.testing.assert_array_equal(phi[:, RIGHT], np.tile([1.0, 0.0], (4, 1)))
    np.testing.assert_array_equal(phi[:, LEFT], np.tile([0.0, 1.0], (4, 1)))
    theta = corridor_theta(0.05)
    np.testing.assert_allclose(theta, [-1.4722194895832204, 1.4722194895832204])
    z = phi[0] @ theta
    np.testing.assert_allclose(np.exp(z[RIGHT]) / np.exp(z).sum(), 0.05)


def test_corridor_refuses_bad_steps():
    env = ShortCorridor()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(2)
    for a in (RIGHT, LEFT, RIGHT):
        env.step(a)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(RIGHT)
    with pytest.raises(ValueError, match="render_mode"):
        ShortCorridor(render_mode="human")
    with pytest.raises(ValueError, match="prob_right"):
        corridor_theta(1.0)


def test_corridor_render():
    env = ShortCorridor(render_mode="ansi")
    env.reset(seed=0)
    env.step(RIGHT)
    assert env.render() == "[ ][A][ ][G]"
    assert ShortCorridor().render() is None


# ------------------------------------------------------------------------ grid world

SMALL = ("S.#", ".X.", "..G")


def test_grid_numbering_and_cells():
    env = GridWorld(SMALL)
    # non-wall cells in row-major order: S(0,0)=0, (0,1)=1, (1,0)=2, X(1,1)=3, (1,2)=4,
    # (2,0)=5, (2,1)=6, G(2,2)=7
    assert env.n_states == env.observation_space.n == 8
    assert env.action_space.n == 4
    np.testing.assert_array_equal(env.cells[:4], [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert env.state(2, 2) == 7 and env.cell(7) == (2, 2)
    with pytest.raises(ValueError, match="wall"):
        env.state(0, 2)
    np.testing.assert_array_equal(env.terminal, [False] * 7 + [True])
    np.testing.assert_array_equal(np.flatnonzero(env.pits), [3])


def test_grid_walls_pits_and_goal_by_hand():
    env = GridWorld(SMALL, step_reward=-1.0, goal_reward=5.0, pit_reward=-20.0)
    up, right, down, left = range(4)
    assert env.reset(seed=0) == (0, {})
    assert env.step(up) == (0, -1.0, False, False, {})  # the map's border is a wall
    assert env.step(left) == (0, -1.0, False, False, {})
    assert env.step(right) == (1, -1.0, False, False, {})
    assert env.step(right) == (1, -1.0, False, False, {})  # '#' at (0, 2)
    # the pit is a cliff: pay, then back to the start, the episode goes on
    assert env.step(down) == (0, -20.0, False, False, {})
    env.step(down)
    assert env.step(right) == (0, -20.0, False, False, {})
    # around the pit to the goal, which ends the episode with its own reward
    assert [env.step(a)[0] for a in (down, down, right)] == [2, 5, 6]
    assert env.step(right) == (7, 5.0, True, False, {})


def test_grid_terminal_pits():
    env = GridWorld(SMALL, pit_terminates=True)
    env.reset(seed=0)
    env.step(1)  # right to (0, 1)
    assert env.step(2) == (3, -20.0, True, False, {})
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


def test_grid_default_map_and_render():
    env = GridWorld(render_mode="ansi")
    assert env.rows == DEFAULT_MAP
    env.reset(seed=0)
    text = env.render()
    assert text.splitlines()[-1] == "A.XX.G"
    assert GridWorld().render() is None


@pytest.mark.parametrize(
    "layout, error, match",
    [
        (("S.", "..."), ValueError, "same length"),
        (("S.", ".Q"), ValueError, "characters"),
        (("..", ".G"), ValueError, "exactly one start"),
        (("SS", ".G"), ValueError, "exactly one start"),
        (("S.", ".."), ValueError, "goal"),
        ([], ValueError, "at least one"),
        (42, TypeError, "layout"),
    ],
)
def test_grid_bad_maps(layout, error, match):
    with pytest.raises(error, match=match):
        GridWorld(layout)


def test_parse_map_accepts_text():
    assert parse_map("\n  S.\n  .G\n") == ("S.", ".G")


def test_grid_bad_arguments():
    with pytest.raises(ValueError, match="finite"):
        GridWorld(step_reward=float("nan"))
    with pytest.raises(TypeError, match="pit_terminates"):
        GridWorld(pit_terminates="yes")
    env = GridWorld()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(4)


# ---------------------------------------------------------- Gymnasium's contract


@pytest.mark.parametrize("env_id", [CORRIDOR_ID, GRID_ID])
def test_registered_and_checked(env_id):
    assert env_id in gym.registry
    env = gym.make(env_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any complaint of the checker fails the test
        check_env(env.unwrapped)
        check_env(gym.make(env_id, render_mode="ansi").unwrapped)
    assert env.spec.max_episode_steps in (200, 1000)


def test_make_passes_keywords_and_register_is_idempotent():
    env = gym.make(GRID_ID, layout=SMALL, goal_reward=3.0)
    assert env.unwrapped.rows == SMALL
    softmax_pg.envs.register_envs()  # a second registration is skipped, not an error
    assert CORRIDOR_ID in gym.registry


def test_time_limit_truncates():
    env = gym.make(CORRIDOR_ID, max_episode_steps=3)
    env.reset(seed=0)
    results = [env.step(LEFT) for _ in range(3)]
    assert [r[3] for r in results] == [False, False, True]


# ------------------------------------------------------------------- drawing a grid


def test_grid_plots(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from softmax_pg.plotting import plot_grid_policy, plot_grid_values

    env = GridWorld()
    probs = np.full((env.n_states, 4), 0.25)
    probs[0] = [1.0, 0.0, 0.0, 0.0]
    fig, ax = plt.subplots()
    image = plot_grid_values(
        ax, np.arange(env.n_states, dtype=float), env.cells, env.shape, labels={0: "S"}
    )
    plot_grid_policy(ax, probs, env.cells, skip=env.terminal)
    assert image.get_array().mask.sum() == 3  # the three walls
    quiver = ax.collections[-1]
    assert 4 * (env.n_states - 1) == quiver.N  # no arrows on the goal
    # the up arrow of state 0 has length scale * 1 and points to row - 1
    np.testing.assert_allclose([quiver.U[0], quiver.V[0]], [0.0, -0.45])
    fig2, ax2 = plt.subplots()
    plot_grid_values(
        ax2, np.zeros(env.n_states), env.cells, env.shape, mask=env.terminal, annotate=False
    )
    assert len(ax2.patches) == 1  # the goal, drawn light grey
    plt.close(fig2)
    with pytest.raises(ValueError, match="mask"):
        plot_grid_values(ax, np.zeros(env.n_states), env.cells, env.shape, mask=[True])
    with pytest.raises(ValueError, match="probs"):
        plot_grid_policy(ax, probs[0], env.cells)
    with pytest.raises(ValueError, match="cells"):
        plot_grid_values(ax, np.zeros(3), env.cells, env.shape)
    plt.close(fig)
