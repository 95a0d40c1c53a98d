"""Running observation normalisation (softmax_pg.learners.standardize)."""

from __future__ import annotations

import numpy as np
from softmax_pg import MatrixPreferences
from softmax_pg.learners.standardize import RunningMoments, Standardized


def test_running_moments_equal_numpy_on_all_the_batches():
    rng = np.random.default_rng(0)
    batches = [rng.normal(3.0, 2.0, size=(n, 3)) for n in (1, 5, 17, 2)]
    m = RunningMoments(3)
    for b in batches:
        m.update(b)
    every = np.concatenate(batches)
    np.testing.assert_allclose(m.mean, every.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.std(), every.std(axis=0), rtol=1e-12)


def test_a_constant_coordinate_keeps_scale_one():
    m = RunningMoments(2)
    m.update(np.array([[1.0, 5.0], [2.0, 5.0]]))
    np.testing.assert_array_equal(m.std(), [0.5, 1.0])


def test_standardized_feeds_the_scaled_observations():
    inner = MatrixPreferences(2, 2)
    p = Standardized(inner, mean=[1.0, 2.0], std=[2.0, 4.0])
    theta = np.arange(6.0)
    x = np.array([[3.0, 6.0]])
    np.testing.assert_array_equal(
        p.preferences(theta, x), inner.preferences(theta, np.array([[1.0, 1.0]]))
    )
    g = np.array([[1.0, -1.0]])
    np.testing.assert_array_equal(p.vjp(theta, x, g), inner.vjp(theta, np.array([[1.0, 1.0]]), g))
