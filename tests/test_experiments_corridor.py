"""The short corridor: v(p) three ways, batched runs equal single runs, learning to p*."""

from __future__ import annotations

import numpy as np
import pytest
from softmax_pg import action_probs, score
from softmax_pg.envs import ShortCorridor, corridor_features, corridor_theta
from softmax_pg.envs.corridor import GOAL, NEXT_STATE
from softmax_pg.experiments.corridor import (
    CorridorRuns,
    run_generators,
    short_corridor_optimum,
    short_corridor_runs,
    short_corridor_state_values,
    short_corridor_value,
)
from softmax_pg.experiments.corridor_runs import _Policy

P_STAR = 2.0 - np.sqrt(2.0)
V_STAR = -(6.0 + 4.0 * np.sqrt(2.0))


# ----------------------------------------------------------------------- v(p)


def test_value_by_hand():
    # p = 1/2: v = (1 - 4) / (1/4) = -12
    assert short_corridor_value(0.5) == pytest.approx(-12.0)
    np.testing.assert_allclose(short_corridor_state_values(0.5), [-12.0, -10.0, -6.0])


def test_closed_form_equals_linear_solve():
    p = np.linspace(0.01, 0.99, 99).reshape(9, 11)
    values = short_corridor_state_values(p)
    assert values.shape == (9, 11, 3)
    np.testing.assert_allclose(values[..., 0], short_corridor_value(p), rtol=1e-12)


def test_optimum():
    p_star, v_star = short_corridor_optimum()
    assert p_star == pytest.approx(P_STAR) and p_star == pytest.approx(0.5858, abs=1e-4)
    assert v_star == pytest.approx(V_STAR) and v_star == pytest.approx(-11.657, abs=1e-3)
    assert short_corridor_value(p_star) == pytest.approx(v_star)
    h = 1e-5  # the derivative vanishes there, and every other p is worse
    assert (short_corridor_value(p_star + h) - short_corridor_value(p_star - h)) / (
        2 * h
    ) == pytest.approx(0.0, abs=1e-6)
    grid = np.linspace(0.01, 0.99, 981)
    assert np.all(short_corridor_value(grid) <= v_star + 1e-12)


def monte_carlo_start_value(p, n_episodes, rng):
    """Mean return of the policy 'right with probability p', all episodes stepped at once."""
    state = np.zeros(n_episodes, dtype=np.int64)
    length = np.zeros(n_episodes)
    while np.any(state != GOAL):
        live = state != GOAL
        action = (rng.random(n_episodes) < p).astype(np.int64)
        state = np.where(live, NEXT_STATE[state, action], state)
        length += live
    return -length.mean(), length.std(ddof=1) / np.sqrt(n_episodes)


@pytest.mark.parametrize("p", [0.2, P_STAR, 0.8])
def test_closed_form_equals_monte_carlo(p):
    mean, se = monte_carlo_start_value(p, 20_000, np.random.default_rng(11))
    assert abs(mean - short_corridor_value(p)) < 4 * se


def test_monte_carlo_through_the_environment():
    env, rng, p = ShortCorridor(), np.random.default_rng(5), 0.5
    returns = []
    for i in range(1500):
        env.reset(seed=i)
        total, done = 0.0, False
        while not done:
            _, r, done, _, _ = env.step(int(rng.random() < p))
            total += r
        returns.append(total)
    se = np.std(returns, ddof=1) / np.sqrt(len(returns))
    assert abs(np.mean(returns) - short_corridor_value(p)) < 4 * se


@pytest.mark.parametrize("p", [0.0, 1.0, -0.5, float("nan")])
def test_value_bad_input(p):
    with pytest.raises(ValueError, match="prob_right"):
        short_corridor_value(p)
    with pytest.raises(ValueError, match="prob_right"):
        short_corridor_state_values([0.5, p])


# ------------------------------------------------------- batched equals single run


def test_probs_and_update_equal_the_package_functions():
    theta = np.random.default_rng(0).normal(size=(5, 2)) * 3
    phi = corridor_features()[0]
    policy = _Policy()
    probs = policy.probs(theta)
    coef_l, coef_r = np.arange(5.0), -(np.arange(5.0) ** 2)
    alpha = np.full(5, 0.1)
    new = policy.ascend(theta, alpha, coef_l, coef_r)
    for r in range(5):
        np.testing.assert_allclose(probs[r], action_probs(theta[r], phi), rtol=1e-15)
        step = coef_l[r] * score(theta[r], phi, 0) + coef_r[r] * score(theta[r], phi, 1)
        np.testing.assert_allclose(new[r], theta[r] + 0.1 * step, rtol=1e-14, atol=1e-16)


def single_runs(step_size, n_runs, n_episodes, seed, **kwargs):
    """The same experiment, one reinforce() call on one ShortCorridor per run."""
    reinforce = pytest.importorskip("softmax_pg.learners").reinforce  # needs the learners
    return [
        reinforce(
            ShortCorridor(),
            step_size=step_size,
            n_episodes=n_episodes,
            rng=rng,
            features=corridor_features(),
            theta0=corridor_theta(0.05),
            **kwargs,
        )
        for rng in run_generators(seed, n_runs)
    ]


@pytest.mark.parametrize("baseline", [None, 2**-6])
@pytest.mark.parametrize("max_steps", [1000, 9])
def test_batched_equals_single_runs(baseline, max_steps):
    alphas, n_runs, n_episodes = [2**-8, 2**-11], 3, 40
    batched = short_corridor_runs(
        alphas,
        n_runs=n_runs,
        n_episodes=n_episodes,
        seed=7,
        baseline_step_size=baseline,
        max_steps=max_steps,
        chunk=4,
    )
    extra = (
        {}
        if baseline is None
        else dict(baseline_step_size=baseline, value_features=np.ones((4, 1)))
    )
    for i, alpha in enumerate(alphas):
        for r, single in enumerate(
            single_runs(alpha, n_runs, n_episodes, 7, max_steps=max_steps, **extra)
        ):
            # the same draws give the same actions, so the same returns, exactly
            np.testing.assert_array_equal(batched.returns[i, r], single.returns)
            # the updates are summed in another order (per action, not per step): equal
            # to the rounding of a sum of a few hundred terms
            np.testing.assert_allclose(
                batched.theta[i, r], single.policy.theta, rtol=1e-10, atol=1e-10
            )
            if baseline is not None:
                np.testing.assert_allclose(
                    batched.value_weights[i, r], single.value_weights[0], rtol=1e-10
                )
    if max_steps == 9:
        assert batched.returns.min() == -9.0  # some episodes were cut off


def test_batched_does_not_depend_on_chunk():
    runs = [
        short_corridor_runs(
            2**-9, n_runs=4, n_episodes=30, seed=3, baseline_step_size=2**-6, chunk=c
        )
        for c in (3, 7, 11)
    ]
    for other in runs[1:]:
        np.testing.assert_array_equal(other.returns, runs[0].returns)
        np.testing.assert_allclose(other.theta, runs[0].theta, rtol=1e-10)


def test_batched_shapes_and_first_policy():
    out = short_corridor_runs([[2**-12, 2**-13, 2**-14]], n_runs=2, n_episodes=5, seed=0)
    assert isinstance(out, CorridorRuns) and out.value_weights is None
    assert out.returns.shape == out.prob_right.shape == (1, 3, 2, 5)
    assert out.theta.shape == (1, 3, 2, 2)
    np.testing.assert_allclose(out.prob_right[..., 0], 0.05)
    # common random numbers: every step size starts with the same first episode
    assert np.all(out.returns[0, :, :, 0] == out.returns[0, :1, :, 0])
    single = short_corridor_runs(2**-12, n_runs=2, n_episodes=5, seed=0)
    assert single.returns.shape == (2, 5)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(step_size=0.0), ValueError, "step_size"),
        (dict(step_size=[0.1, -0.1]), ValueError, "step_size"),
        (dict(n_runs=0), ValueError, "n_runs"),
        (dict(n_episodes=1.5), TypeError, "n_episodes"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(baseline_step_size=0.0), ValueError, "baseline_step_size"),
        (dict(theta0=[0.0, 0.0, 0.0]), ValueError, "theta0"),
        (dict(chunk=17), ValueError, "chunk"),
        (dict(max_steps=0), ValueError, "max_steps"),
    ],
)
def test_batched_bad_input(kwargs, error, match):
    args = dict(step_size=0.1, n_runs=2, n_episodes=2, seed=0) | kwargs
    with pytest.raises(error, match=match):
        short_corridor_runs(**args)


# -------------------------------------------------------------------- learning


def test_learns_the_stochastic_optimum():
    # REINFORCE with baseline, the settings of Sutton & Barto's Figure 13.2
    out = short_corridor_runs(2**-9, n_runs=20, n_episodes=400, seed=1, baseline_step_size=2**-6)
    final = out.prob_right[:, -1]
    assert abs(np.median(final) - P_STAR) < 0.05
    late = out.returns[:, -100:].mean()
    assert late > V_STAR - 2.0  # close to the best value, about -11.66
