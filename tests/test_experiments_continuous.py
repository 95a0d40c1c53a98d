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
        ({"rng": None}, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        run_gaussian_bandit(**kwargs)
