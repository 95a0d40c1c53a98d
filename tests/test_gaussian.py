"""The Gaussian policy: by hand, against finite differences, zero-mean scores, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from _examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from softmax_pg import numerical_gradient
from softmax_pg.gaussian import (
    gaussian_log_prob,
    gaussian_sample,
    gaussian_score,
    gaussian_score_log_std,
)


def test_by_hand():
    # phi = [1, 2], theta = [0.5, 0.25] -> mu = 1; sigma = e^0 = 1; a = 3 -> z = 2
    theta, phi = np.array([0.5, 0.25]), np.array([1.0, 2.0])
    assert gaussian_log_prob(theta, phi, 3.0) == pytest.approx(-2.0 - 0.5 * np.log(2 * np.pi))
    np.testing.assert_allclose(
        gaussian_score(theta, phi, 3.0), [2.0, 4.0]
    )  # (a - mu) phi / sigma^2
    assert gaussian_score_log_std(theta, phi, 3.0) == pytest.approx(3.0)  # z^2 - 1
    # sigma = 2: z = 1, score = (a - mu)/4 phi
    lam = np.log(2.0)
    np.testing.assert_allclose(gaussian_score(theta, phi, 3.0, lam), [0.5, 1.0])
    assert gaussian_score_log_std(theta, phi, 3.0, lam) == pytest.approx(0.0)


@pytest.mark.parametrize("seed", range(8))
def test_scores_equal_central_differences(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 5))
    theta, phi = rng.normal(size=d), rng.normal(size=d)
    a, lam = float(rng.normal()), float(rng.uniform(-1, 1))
    numeric = numerical_gradient(lambda t: gaussian_log_prob(t, phi, a, lam), theta)
    np.testing.assert_allclose(gaussian_score(theta, phi, a, lam), numeric, rtol=1e-7, atol=1e-8)
    numeric_lam = numerical_gradient(lambda v: gaussian_log_prob(theta, phi, a, v[0]), [lam])[0]
    assert gaussian_score_log_std(theta, phi, a, lam) == pytest.approx(
        numeric_lam, rel=1e-7, abs=1e-8
    )


def test_batched_matches_single_states():
    rng = np.random.default_rng(1)
    theta, phi = rng.normal(size=3), rng.normal(size=(4, 5, 3))
    actions = rng.normal(size=(4, 5))
    batch = gaussian_score(theta, phi, actions, 0.3)
    assert batch.shape == (4, 5, 3)
    for i, j in np.ndindex(4, 5):
        np.testing.assert_allclose(
            batch[i, j], gaussian_score(theta, phi[i, j], actions[i, j], 0.3)
        )


@settings(max_examples=examples(30), deadline=None)
@given(seed=st.integers(0, 2**32 - 1), lam=st.floats(-2.0, 2.0))
def test_expected_scores_are_zero(seed, lam):
    rng = np.random.default_rng(seed)
    theta, phi = rng.normal(size=2), rng.normal(size=2)
    batch = np.broadcast_to(phi, (200_000, 2))
    actions = gaussian_sample(theta, batch, rng, lam)
    scores = gaussian_score(theta, batch, actions, lam)
    se = scores.std(axis=0) / np.sqrt(len(actions))
    assert np.all(np.abs(scores.mean(axis=0)) < 5 * se + 1e-12)
    s_lam = gaussian_score_log_std(theta, batch, actions, lam)
    assert abs(s_lam.mean()) < 5 * s_lam.std() / np.sqrt(len(actions))


def test_one_parameter_vector_per_run():
    rng = np.random.default_rng(2)
    thetas, phi = rng.normal(size=(6, 2)), rng.normal(size=2)
    actions, lams = rng.normal(size=6), rng.uniform(-1, 1, size=6)
    batch = gaussian_score(thetas, phi, actions, lams)
    for i in range(6):
        np.testing.assert_allclose(batch[i], gaussian_score(thetas[i], phi, actions[i], lams[i]))
    np.testing.assert_allclose(
        gaussian_log_prob(thetas, phi, actions, lams),
        [gaussian_log_prob(thetas[i], phi, actions[i], lams[i]) for i in range(6)],
    )


def test_same_seed_same_samples():
    theta, phi = np.array([1.0]), np.ones((10, 1))
    np.testing.assert_array_equal(
        gaussian_sample(theta, phi, 3), gaussian_sample(theta, phi, np.random.default_rng(3))
    )


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: gaussian_score(np.zeros(2), np.zeros(3), 0.0),
            ValueError,
            r"n_features = theta.shape\[-1\] = 2; got shape \(3,\)",
        ),
        (
            lambda: gaussian_score(np.zeros((2, 2)), np.zeros((3, 2)), 0.0),
            ValueError,
            r"theta.shape\[:-1\] must have a shape that broadcasts against "
            r"features' batch shape \(3,\); got shape \(2,\)",
        ),
        (
            lambda: gaussian_score(np.zeros(2), np.zeros(2), np.nan),
            ValueError,
            "actions must contain only finite values",
        ),
        (
            lambda: gaussian_score(np.zeros(2), np.zeros((3, 2)), [0.0, 1.0]),
            ValueError,
            r"broadcasts against the batch shape \(3,\) of theta and features",
        ),
        (
            lambda: gaussian_log_prob(np.zeros(2), np.zeros(2), 0.0, log_std=np.inf),
            ValueError,
            "log_std must contain only finite values",
        ),
        (
            lambda: gaussian_log_prob(np.zeros(2), np.zeros(2), 0.0, log_std=1000.0),
            ValueError,
            r"log_std must lie in \[-300, 300\]",
        ),
        (
            lambda: gaussian_score_log_std(["a"], np.zeros(1), 0.0),
            TypeError,
            "theta must be an array of real numbers",
        ),
        (
            lambda: gaussian_sample(np.zeros(2), np.zeros(2), None),
            TypeError,
            "rng must be a numpy.random.Generator",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
