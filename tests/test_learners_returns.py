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


# --------------------------------------------------------------------------- GAE(lambda)


def test_gae_by_hand():
    from softmax_pg.learners import gae

    # delta_t = r + gamma v(S_t+1) - v(S_t) with v(S_3) = 4 (cut off): 1+1-0, 2+1.5-2, 4+2-3
    r, v, boot = [1.0, 2.0, 4.0], [0.0, 2.0, 3.0], 4.0
    deltas = np.array([2.0, 1.5, 3.0])
    # A_2 = 3, A_1 = 1.5 + 0.25 * 3, A_0 = 2 + 0.25 * A_1 (gamma lambda = 0.5 * 0.5)
    np.testing.assert_array_equal(gae(r, v, boot, 0.5, 0.5), [2.5625, 2.25, 3.0])
    np.testing.assert_array_equal(gae(r, v, boot, 0.5, 0.0), deltas)  # lambda 0: TD errors
    # lambda 1: the return bootstrapped at the cut, minus the value
    mc = [1 + 0.5 * 2 + 0.25 * 4 + 0.125 * 4, 2 + 0.5 * 4 + 0.25 * 4, 4 + 0.5 * 4]
    np.testing.assert_allclose(gae(r, v, boot, 0.5, 1.0), np.array(mc) - v, rtol=1e-15)
    assert gae([], [], 0.0, 0.9, 0.9).shape == (0,)


def test_gae_against_the_direct_sum():
    from softmax_pg.learners import gae

    rng = np.random.default_rng(3)
    r, v, boot, gamma, lam = rng.normal(size=40), rng.normal(size=40), 0.7, 0.97, 0.9
    deltas = r + gamma * np.append(v[1:], boot) - v
    direct = [sum((gamma * lam) ** (k - t) * deltas[k] for k in range(t, 40)) for t in range(40)]
    np.testing.assert_allclose(gae(r, v, boot, gamma, lam), direct, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize(
    "args, error, match",
    [
        (([1.0, 2.0], [0.0], 0.0, 0.9, 0.9), ValueError, r"values must have the shape of rewards"),
        (([1.0], [np.inf], 0.0, 0.9, 0.9), ValueError, r"values must be finite"),
        (([1.0], [0.0], np.nan, 0.9, 0.9), ValueError, r"bootstrap"),
        (([1.0], [0.0], 0.0, 1.5, 0.9), ValueError, r"gamma must lie in \(0, 1\]"),
        (([1.0], [0.0], 0.0, 0.9, 1.5), ValueError, r"lam must lie in \[0, 1\]"),
        (([1.0], [0.0], 0.0, 0.9, "a"), (TypeError, ValueError), r"lam"),
    ],
)
def test_gae_bad_input(args, error, match):
    from softmax_pg.learners import gae

    with pytest.raises(error, match=match):
        gae(*args)
