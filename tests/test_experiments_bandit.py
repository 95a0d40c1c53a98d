"""The gradient bandit: an update worked by hand, the batched runs against the plain
loop, reproducibility, bad input, and the published curves of Sutton & Barto's
Figure 2.5."""

from __future__ import annotations

import numpy as np
import pytest
from _examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from softmax_pg import score
from softmax_pg.experiments.bandit import (
    BanditRuns,
    GradientBanditAgent,
    run_gradient_bandit,
    run_gradient_bandit_loop,
    sample_testbed,
)

FIELDS = ["optimal", "rewards", "reference_rewards", "score_optimal", "q_star", "preferences"]


# ------------------------------------------------------------------ worked by hand


def test_two_arm_updates_by_hand():
    agent = GradientBanditAgent(n_arms=2, step_size=0.5, baseline=True)
    np.testing.assert_array_equal(agent.probs(), [0.5, 0.5])

    # Step 1: A=0, R=1. The baseline is R_1 itself, so nothing moves.
    assert agent.reference_reward(1.0) == 1.0
    agent.update(0, 1.0)
    np.testing.assert_array_equal(agent.preferences, [0.0, 0.0])
    assert agent.average_reward == 1.0

    # Step 2: A=1, R=3, baseline 1: H += 0.5 * (3 - 1) * (e_1 - [1/2, 1/2]) = [-1/2, 1/2].
    assert agent.reference_reward(3.0) == 1.0
    agent.update(1, 3.0)
    np.testing.assert_allclose(agent.preferences, [-0.5, 0.5])
    assert agent.average_reward == 2.0

    # Step 3: pi = softmax([-1/2, 1/2]) = [1 - s, s] with s = e / (1 + e). A=0, R=0,
    # baseline 2: H += 0.5 * (0 - 2) * (e_0 - pi) = -(s, -s).
    s = np.e / (1.0 + np.e)
    np.testing.assert_allclose(agent.probs(), [1.0 - s, s])
    agent.update(0, 0.0)
    np.testing.assert_allclose(agent.preferences, [-0.5 - s, 0.5 + s])


def test_two_arm_update_without_baseline_and_with_temperature():
    # Without baseline the first update already moves: H = 0.5 * 1 * (e_0 - [1/2, 1/2]).
    agent = GradientBanditAgent(n_arms=2, step_size=0.5, baseline=False)
    agent.update(0, 1.0)
    np.testing.assert_allclose(agent.preferences, [0.25, -0.25])
    # With temperature 2 the score, and so the step, is halved.
    hot = GradientBanditAgent(n_arms=2, step_size=0.5, baseline=False, temperature=2.0)
    hot.update(0, 1.0)
    np.testing.assert_allclose(hot.preferences, [0.125, -0.125])


def test_agent_score_is_the_core_score_on_one_hot_features():
    agent = GradientBanditAgent(n_arms=4, step_size=0.1, temperature=0.7)
    agent.preferences[:] = [0.3, -1.0, 2.0, 0.0]
    for a in range(4):
        np.testing.assert_array_equal(agent.score(a), score(agent.preferences, np.eye(4), a, 0.7))
    # Non-selected arms get -pi(b)/tau, the selected one (1 - pi(a))/tau.
    pi = agent.probs()
    np.testing.assert_allclose(agent.score(2), (np.eye(4)[2] - pi) / 0.7)


def test_include_current_reward_convention_by_hand():
    agent = GradientBanditAgent(n_arms=2, step_size=0.5, include_current_reward=True)
    agent.update(0, 1.0)  # baseline = mean(1) = 1: no move
    assert agent.reference_reward(3.0) == 2.0  # mean(1, 3)
    agent.update(1, 3.0)  # H += 0.5 * (3 - 2) * (e_1 - 1/2)
    np.testing.assert_allclose(agent.preferences, [-0.25, 0.25])


def test_act_inverts_the_cumulative_distribution():
    agent = GradientBanditAgent(n_arms=3, step_size=0.1)
    agent.preferences[:] = np.log([1.0, 2.0, 1.0])  # pi = [1/4, 1/2, 1/4]
    assert [agent.act(u) for u in (0.0, 0.24, 0.26, 0.74, 0.76, 0.999)] == [0, 0, 1, 1, 2, 2]


def test_one_arm_never_moves():
    runs = run_gradient_bandit(5, 20, n_arms=1, rng=0)
    assert runs.optimal.all()
    np.testing.assert_array_equal(runs.preferences, np.zeros((5, 1)))
    np.testing.assert_array_equal(runs.score_optimal, np.zeros((5, 20)))


# ----------------------------------------------------------- batched against plain


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"baseline": False, "step_size": 0.4},
        {"include_current_reward": True},
        {"temperature": 0.5, "testbed_mean": 0.0, "n_arms": 4},
    ],
    ids=["baseline", "no-baseline", "include-current", "temperature"],
)
def test_batched_runs_equal_the_plain_loop_exactly(kwargs):
    n_runs, n_steps = 4, 150
    batched = run_gradient_bandit(n_runs, n_steps, rng=7, **kwargs)
    for run in range(n_runs):
        single = run_gradient_bandit_loop(run, n_runs, n_steps, rng=7, **kwargs)
        # Same draws, same arms, same rewards, same preferences: bit for bit.
        for field in [
            "optimal",
            "rewards",
            "reference_rewards",
            "q_star",
            "score_optimal",
            "preferences",
        ]:
            np.testing.assert_array_equal(
                getattr(batched, field)[run], getattr(single, field)[0], err_msg=field
            )


def test_one_run_is_the_natural_loop():
    # With n_runs=1 the draws are rng.normal(mean, 1, size=(1, k)), rng.random(1),
    # rng.standard_normal(1): the same numbers as the scalar draws of a hand-written loop.
    rng = np.random.default_rng(11)
    q_star = rng.normal(4.0, 1.0, size=10)
    agent = GradientBanditAgent(10, step_size=0.1)
    rewards = []
    for _ in range(100):
        a = agent.act(rng.random())
        r = q_star[a] + rng.standard_normal()
        agent.update(a, r)
        rewards.append(r)
    batched = run_gradient_bandit(1, 100, rng=11)
    np.testing.assert_array_equal(batched.rewards[0], rewards)
    np.testing.assert_array_equal(batched.preferences[0], agent.preferences)


def test_first_draw_is_the_testbed():
    runs = run_gradient_bandit(6, 3, n_arms=5, testbed_mean=4.0, rng=3)
    np.testing.assert_array_equal(runs.q_star, sample_testbed(6, 5, 4.0, rng=3))


# ------------------------------------------------------------------ reproducibility


def test_same_seed_same_arrays_bit_for_bit():
    a = run_gradient_bandit(50, 100, rng=123)
    b = run_gradient_bandit(50, 100, rng=np.random.default_rng(123))
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    c = run_gradient_bandit(50, 100, rng=124)
    assert not np.array_equal(a.rewards, c.rewards)


def test_shapes_and_types():
    runs = run_gradient_bandit(7, 11, n_arms=3, rng=0)
    assert isinstance(runs, BanditRuns)
    assert (runs.n_runs, runs.n_steps) == (7, 11)
    for field in ["optimal", "rewards", "reference_rewards", "score_optimal"]:
        assert getattr(runs, field).shape == (7, 11)
    assert runs.optimal.dtype == bool
    assert runs.q_star.shape == runs.preferences.shape == (7, 3)
    assert runs.percent_optimal().shape == (11,)
    assert runs.optimal_arm_update(baseline=True).shape == (7, 11)


def test_no_output_unless_asked(capsys):
    run_gradient_bandit(3, 5, rng=0)
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    run_gradient_bandit(3, 5, rng=0, progress=True)
    assert "gradient bandit" in capsys.readouterr().err


# --------------------------------------------------------------------- properties


@settings(max_examples=examples(50), deadline=None)
@given(
    step_size=st.floats(1e-3, 2.0),
    temperature=st.floats(0.1, 10.0),
    baseline=st.booleans(),
    steps=st.lists(st.tuples(st.integers(0, 4), st.floats(-10.0, 10.0)), min_size=1, max_size=30),
)
def test_preferences_keep_summing_to_zero(step_size, temperature, baseline, steps):
    # Every score e_a - pi sums to zero over the arms, so the preferences stay centred.
    agent = GradientBanditAgent(5, step_size, baseline=baseline, temperature=temperature)
    for a, r in steps:
        agent.update(a, r)
    assert abs(agent.preferences.sum()) <= 1e-12 * (1.0 + np.abs(agent.preferences).max())
    np.testing.assert_allclose(agent.probs().sum(), 1.0)


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"n_arms": 0}, ValueError, "n_arms"),
        ({"n_arms": 2.5}, TypeError, "n_arms"),
        ({"n_runs": 0}, ValueError, "n_runs"),
        ({"n_steps": 0}, ValueError, "n_steps"),
        ({"n_steps": -3}, ValueError, "n_steps"),
        ({"step_size": 0.0}, ValueError, "step_size"),
        ({"step_size": -0.1}, ValueError, "step_size"),
        ({"step_size": float("nan")}, ValueError, "step_size"),
        ({"step_size": "0.1"}, TypeError, "step_size"),
        ({"temperature": 0.0}, ValueError, "temperature"),
        ({"testbed_mean": float("nan")}, ValueError, "testbed_mean"),
        ({"testbed_mean": float("inf")}, ValueError, "testbed_mean"),
        ({"testbed_mean": [1.0, 2.0]}, ValueError, "testbed_mean"),
        ({"baseline": "yes"}, TypeError, "baseline"),
        ({"include_current_reward": 1}, TypeError, "include_current_reward"),
        ({"progress": None}, TypeError, "progress"),
        ({"rng": None}, TypeError, "rng"),
        ({"rng": -1}, ValueError, "rng"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, name):
    args = {"n_runs": 3, "n_steps": 4, **kwargs}
    with pytest.raises(error, match=name):
        run_gradient_bandit(**args)


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: GradientBanditAgent(0, 0.1), ValueError, "n_arms"),
        (lambda: GradientBanditAgent(3, 0.0), ValueError, "step_size"),
        (lambda: GradientBanditAgent(3, 0.1).act(1.0), ValueError, "u"),
        (lambda: GradientBanditAgent(3, 0.1).act(float("nan")), ValueError, "u"),
        (lambda: GradientBanditAgent(3, 0.1).update(3, 1.0), ValueError, "action"),
        (lambda: GradientBanditAgent(3, 0.1).update(1.0, 1.0), TypeError, "action"),
        (lambda: GradientBanditAgent(3, 0.1).update(0, float("inf")), ValueError, "reward"),
        (lambda: run_gradient_bandit_loop(run=3, n_runs=3, n_steps=2), ValueError, "run"),
        (lambda: sample_testbed(0), ValueError, "n_runs"),
        (lambda: sample_testbed(2, testbed_mean=float("nan")), ValueError, "testbed_mean"),
        (lambda: run_gradient_bandit(3, 4).optimal_arm_update("no"), TypeError, "baseline"),
    ],
)
def test_bad_single_run_arguments_are_named(call, error, name):
    with pytest.raises(error, match=name):
        call()


# ---------------------------------------------------- the published curves (Fig. 2.5)


@pytest.fixture(scope="module")
def figure_2_5():
    """The four configurations of Figure 2.5, 2000 runs x 1000 steps, testbed mean 4."""
    return {
        (alpha, baseline): run_gradient_bandit(
            2000, 1000, step_size=alpha, baseline=baseline, testbed_mean=4.0, rng=seed
        )
        for seed, (alpha, baseline) in enumerate(
            [(0.1, True), (0.4, True), (0.1, False), (0.4, False)]
        )
    }


@pytest.mark.parametrize(
    "alpha, baseline, low, high",
    [
        # Sutton & Barto (2018), Figure 2.5, read off the plot: with baseline about 85 %
        # (alpha 0.1) and 73 % (0.4); without about 50 % and 30 %. Our standard error of
        # a 2000-run percentage is about 1 point; the bands are about 3 to 4 of them.
        (0.1, True, 80.0, 88.0),
        (0.4, True, 68.0, 77.0),
        (0.1, False, 44.0, 55.0),
        (0.4, False, 24.0, 35.0),
    ],
)
def test_final_percent_optimal_matches_figure_2_5(figure_2_5, alpha, baseline, low, high):
    final = figure_2_5[(alpha, baseline)].percent_optimal()[-50:].mean()
    assert low <= final <= high


def test_baseline_keeps_the_mean_update_and_cuts_its_variance(figure_2_5):
    runs = figure_2_5[(0.1, True)]
    with_b = runs.optimal_arm_update(baseline=True)[:, 1:]  # step 1's baseline is R_1 itself
    without = runs.optimal_arm_update(baseline=False)[:, 1:]
    # Same trajectories, two estimators of the same expected step: the difference
    # alpha * Rbar_t * score_t(b*) has mean zero because Rbar_t does not depend on A_t.
    diff = (without - with_b).mean(axis=1)  # one number per run: independent across runs
    z = diff.mean() / (diff.std(ddof=1) / np.sqrt(diff.size))
    assert abs(z) < 4.0
    assert with_b.mean() > 0.0  # the best arm's preference does climb
    assert without.var(axis=0).mean() > 10.0 * with_b.var(axis=0).mean()


def test_other_baseline_convention_barely_changes_the_curves(figure_2_5):
    ours = figure_2_5[(0.1, True)].percent_optimal()
    other = run_gradient_bandit(
        2000,
        1000,
        step_size=0.1,
        baseline=True,
        testbed_mean=4.0,
        include_current_reward=True,
        rng=0,
    ).percent_optimal()
    # Including R_t in the average multiplies the step by (t - 1)/t: a little slower
    # early, the same later. Blocks of 50 steps: within 3 points early (steps 1-500),
    # within 1 point late (about one standard error of a 2000-run percentage).
    blocks = (ours - other).reshape(20, 50).mean(axis=1)
    assert np.abs(blocks[:10]).max() < 3.0
    assert np.abs(blocks[10:]).max() < 1.0


def test_other_convention_is_a_shrunk_step():
    # R_t - mean(R_1..R_t) = (t-1)/t * (R_t - mean(R_1..R_{t-1})), so with the same
    # rewards the two agents' preferences differ only through the step size.
    rewards = [1.0, 3.0, -2.0, 0.5]
    ours = GradientBanditAgent(2, 0.5)
    other = GradientBanditAgent(2, 0.5, include_current_reward=True)
    for t, r in enumerate(rewards, start=1):
        assert other.reference_reward(r) == pytest.approx(
            r - (t - 1) / t * (r - ours.reference_reward(r))
        )
        ours.update(0, r)
        other.update(0, r)


@pytest.mark.parametrize("beta", [0.05, 0.5])
def test_entropy_bonus_batched_equals_loop_and_matches_by_hand(beta):
    batched = run_gradient_bandit(3, 80, entropy_bonus=beta, step_size=0.3, rng=11)
    for run in range(3):
        single = run_gradient_bandit_loop(run, 3, 80, entropy_bonus=beta, step_size=0.3, rng=11)
        np.testing.assert_array_equal(batched.preferences[run], single.preferences[0])
        np.testing.assert_array_equal(batched.rewards[run], single.rewards[0])
    # by hand: reward 0 and no baseline leaves only the bonus, alpha beta grad H
    from softmax_pg import entropy_gradient

    agent = GradientBanditAgent(n_arms=3, step_size=0.5, baseline=False, entropy_bonus=beta)
    agent.preferences[:] = [1.0, 0.0, -1.0]
    expected = agent.preferences + 0.5 * beta * entropy_gradient(agent.preferences, np.eye(3))
    agent.update(action=0, reward=0.0)
    np.testing.assert_allclose(agent.preferences, expected, rtol=1e-15)


def test_entropy_bonus_bad_input():
    with pytest.raises(ValueError, match="entropy_bonus must be a finite number"):
        run_gradient_bandit(2, 2, entropy_bonus=-0.1)
    with pytest.raises(TypeError, match="entropy_bonus must be a real number"):
        GradientBanditAgent(2, 0.1, entropy_bonus="big")
