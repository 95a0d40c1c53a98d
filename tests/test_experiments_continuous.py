"""The continuous bandit learned with the Gaussian score."""

from __future__ import annotations

import numpy as np
import pytest
from softmax_pg.experiments.continuous import run_gaussian_bandit


def test_same_seed_same_runs_bit_for_bit():
    a = run_gaussian_bandit(n_runs=5, n_steps=50, step_size_log_std=0.002, rng=3)
    b = run_gaussian_bandit(
        n_runs=5, n_steps=50, step_size_log_std=0.002, rng=np.random.default_rng(3)
    )
    np.testing.assert_array_equal(a.rewards, b.rewards)
    np.testing.assert_array_equal(a.means, b.means)
    assert a.rewards.shape == a.stds.shape == (5, 50)


def test_first_step_by_hand():
    # mu = 0, sigma = 1, no noise, no baseline at the first step: theta += alpha * R * (A - mu)
    runs = run_gaussian_bandit(n_runs=1, n_steps=2, reward_noise=0.0, step_size=0.1, rng=7)
    a = np.random.default_rng(7).standard_normal()  # the first action (mu = 0, sigma = 1)
    r = -((a - 2.0) ** 2)
    assert runs.rewards[0, 0] == pytest.approx(r)
    assert runs.means[0, 1] == pytest.approx(0.1 * r * a)


def test_learns_the_target_and_shrinks_the_spread():
    runs = run_gaussian_bandit(n_runs=100, n_steps=1500, step_size_log_std=0.002, rng=1)
    assert abs(runs.means[:, -1].mean() - 2.0) < 0.1
    assert runs.stds[:, -1].mean() < 0.5
    j = runs.expected_reward()
    assert j[:, -100:].mean() > -0.35 and j[:, 0].mean() == pytest.approx(-5.0)
    fixed = run_gaussian_bandit(n_runs=100, n_steps=1500, rng=1)
    np.testing.assert_array_equal(fixed.stds, 1.0)  # sigma is not learned: J cannot pass -1
    assert fixed.expected_reward()[:, -100:].mean() < -0.99


def test_divergence_is_reported():
    with pytest.raises(ValueError, match="the learning diverged at step"):
        run_gaussian_bandit(n_runs=50, n_steps=2000, step_size_log_std=0.05, rng=0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_runs": 0}, ValueError, "n_runs must be an integer >= 1; got 0"),
        ({"n_steps": 2.5}, TypeError, "n_steps must be an integer"),
        ({"step_size": 0.0}, ValueError, "step_size must be a finite number > 0"),
        ({"step_size_log_std": -1.0}, ValueError, "step_size_log_std must be a finite number > 0"),
        ({"target": np.nan}, ValueError, "must contain only finite values"),
        ({"reward_noise": -1.0}, ValueError, "reward_noise must be >= 0"),
        ({"baseline": "yes"}, TypeError, "baseline must be True or False"),
        ({"natural_mean": 1}, TypeError, "natural_mean must be True or False"),
        ({"stop_diverged": "no"}, TypeError, "stop_diverged must be True or False"),
        ({"rng": None}, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        run_gaussian_bandit(**kwargs)


def test_natural_mean_first_step_by_hand():
    # the natural step multiplies the mean's score (A - mu)/sigma^2 by sigma^2:
    # theta += alpha R (A - mu)
    lam0 = np.log(0.5)
    runs = run_gaussian_bandit(
        n_runs=1,
        n_steps=2,
        reward_noise=0.0,
        step_size=0.1,
        init_log_std=lam0,
        natural_mean=True,
        rng=7,
    )
    a = 0.5 * np.random.default_rng(7).standard_normal()  # mu = 0, sigma = 0.5
    r = -((a - 2.0) ** 2)
    assert runs.means[0, 1] == pytest.approx(0.1 * r * a)
    plain = run_gaussian_bandit(
        n_runs=1, n_steps=2, reward_noise=0.0, step_size=0.1, init_log_std=lam0, rng=7
    )
    assert plain.means[0, 1] == pytest.approx(0.1 * r * a / 0.25)


def test_stop_diverged_stops_only_the_diverged_runs():
    kwargs = dict(n_runs=200, n_steps=300, step_size_log_std=0.05, rng=1)
    with pytest.raises(ValueError, match="the learning diverged at step"):
        run_gaussian_bandit(**kwargs)
    runs = run_gaussian_bandit(stop_diverged=True, **kwargs)
    stopped = runs.diverged_at > 0
    assert 0 < stopped.sum() < 200
    for i in np.flatnonzero(stopped)[:5]:
        k = runs.diverged_at[i]  # the step at which run i diverged, from 1
        assert np.all(np.isfinite(runs.means[i, :k])) and np.all(np.isnan(runs.means[i, k:]))
    # the runs that never diverged are those of a run without them, bit for bit
    alive = np.flatnonzero(~stopped)
    assert np.all(np.isfinite(runs.means[alive]))
    np.testing.assert_array_equal(runs.diverged_at[alive], 0)


def test_stop_diverged_changes_nothing_without_divergence():
    a = run_gaussian_bandit(n_runs=20, n_steps=300, step_size_log_std=0.002, rng=5)
    b = run_gaussian_bandit(
        n_runs=20, n_steps=300, step_size_log_std=0.002, rng=5, stop_diverged=True
    )
    np.testing.assert_array_equal(a.means, b.means)
    np.testing.assert_array_equal(a.stds, b.stds)
    np.testing.assert_array_equal(b.diverged_at, 0)


def test_natural_mean_survives_where_plain_steps_diverge():
    # alpha_lambda = 0.02: 30 of 50 runs diverge with plain steps for the mean, none with natural
    kwargs = dict(n_runs=50, n_steps=2000, step_size_log_std=0.02, rng=0, stop_diverged=True)
    assert (run_gaussian_bandit(**kwargs).diverged_at > 0).sum() >= 10
    natural = run_gaussian_bandit(natural_mean=True, **kwargs)
    np.testing.assert_array_equal(natural.diverged_at, 0)
    assert np.all(np.isfinite(natural.means)) and np.median(natural.stds[:, -1]) < 0.5
