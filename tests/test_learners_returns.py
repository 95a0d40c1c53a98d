"""Returns, step weights and advantage normalisation (softmax_pg.learners.returns)."""

import numpy as np
import pytest
from softmax_pg.learners import discounted_returns, normalize_advantages, step_weights


def test_discounted_returns_by_hand():
    np.testing.assert_allclose(discounted_returns([1.0, 0.0, 2.0], gamma=0.5), [1.5, 1.0, 2.0])
    np.testing.assert_array_equal(discounted_returns([-1.0] * 4), [-4.0, -3.0, -2.0, -1.0])


def test_discounted_returns_batch_against_the_sum():
    rng = np.random.default_rng(0)
    r, gamma = rng.normal(size=50), 0.97
    expected = [sum(gamma ** (k - t) * r[k] for k in range(t, 50)) for t in range(50)]
    np.testing.assert_allclose(discounted_returns(r, gamma), expected, rtol=1e-12)


def test_step_weights_with_and_without_the_discount_factor():
    g = np.array([3.0, 2.0, 1.0])
    np.testing.assert_allclose(step_weights(g, 0.5), [3.0, 1.0, 0.25])
    np.testing.assert_array_equal(step_weights(g, 0.5, discount_weighting=False), g)


def test_normalized_advantages_have_mean_zero_and_unit_std():
    a = normalize_advantages(np.random.default_rng(2).normal(3.0, 5.0, size=200))
    assert abs(a.mean()) < 1e-12
    assert abs(a.std() - 1.0) < 1e-12


def test_equal_advantages_normalise_to_zero():
    np.testing.assert_array_equal(normalize_advantages([2.0, 2.0, 2.0]), np.zeros(3))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: discounted_returns([1.0, np.nan]),
            ValueError,
            "rewards must be finite; got nan at step 1",
        ),
        (
            lambda: discounted_returns([[1.0]]),
            ValueError,
            r"rewards must have shape \(n_steps,\)",
        ),
        (
            lambda: discounted_returns([1.0], gamma=1.5),
            ValueError,
            r"gamma must lie in \(0, 1\]",
        ),
        (
            lambda: step_weights([1.0], discount_weighting="yes"),
            TypeError,
            "discount_weighting must be",
        ),
    ],
)
def test_bad_inputs_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
