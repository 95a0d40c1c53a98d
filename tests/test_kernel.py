"""softmax and log_softmax: worked examples, stability, and input checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_pg import log_softmax, softmax

FINITE_HUGE = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False)
TEMPERATURES = st.floats(min_value=1e-2, max_value=1e2)


# ------------------------------------------------------------------ worked by hand


def test_two_actions_by_hand():
    # softmax([0, log 3]) = [1/4, 3/4]
    np.testing.assert_allclose(softmax([0.0, np.log(3.0)]), [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(log_softmax([0.0, np.log(3.0)]), np.log([0.25, 0.75]), rtol=1e-15)


def test_temperature_divides_preferences():
    # tau = 2 on [0, 2 log 3] is the same as tau = 1 on [0, log 3]
    np.testing.assert_allclose(softmax([0.0, 2 * np.log(3.0)], temperature=2.0), [0.25, 0.75])


def test_ties_and_one_action():
    np.testing.assert_array_equal(softmax([5.0, 5.0, 5.0, 5.0]), np.full(4, 0.25))
    np.testing.assert_array_equal(softmax([123.0]), [1.0])
    np.testing.assert_array_equal(log_softmax([-7.0]), [0.0])


def test_batched_equals_rowwise_and_axis():
    rng = np.random.default_rng(0)
    h = rng.normal(size=(3, 4, 5))
    batched = softmax(h, axis=1)
    for i in range(3):
        for k in range(5):
            np.testing.assert_allclose(batched[i, :, k], softmax(h[i, :, k]), rtol=1e-14)


@pytest.mark.parametrize("big", [1e3, 1e10, 1e300, -1e300])
def test_huge_preferences_do_not_overflow(big):
    h = np.array([big, big - 1.0, 0.0])
    p = softmax(h)
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    assert np.all(np.isfinite(log_softmax(h)))


def test_log_softmax_is_not_log_of_softmax():
    # exp(-1000) underflows to 0, but its log-probability is still exact.
    lp = log_softmax([0.0, -1000.0])
    assert lp[1] == pytest.approx(-1000.0, rel=1e-12)
    assert softmax([0.0, -1000.0])[1] == 0.0


# ------------------------------------------------------------------ properties


@settings(max_examples=200, deadline=None)
@given(
    h=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6), elements=FINITE_HUGE),
    tau=TEMPERATURES,
)
def test_probabilities_finite_and_normalised(h, tau):
    p = softmax(h, temperature=tau)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    lp = log_softmax(h, temperature=tau)
    assert not np.any(np.isnan(lp)) and np.all(lp <= 0)


@settings(max_examples=100, deadline=None)
@given(
    h=hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50)),
    shift=st.floats(-1e6, 1e6),
)
def test_shift_invariance(h, shift):
    np.testing.assert_allclose(softmax(h + shift), softmax(h), atol=1e-9)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "preferences, kwargs, error, match",
    [
        ([np.nan, 1.0], {}, ValueError, r"preferences must contain only finite values; got nan at index \(0,\)"),
        ([np.inf, 1.0], {}, ValueError, "preferences must contain only finite values"),
        (3.0, {}, ValueError, r"preferences must have at least 1 dimension\(s\); got shape \(\)"),
        (np.zeros((2, 0)), {}, ValueError, "at least one action along axis -1; got shape \\(2, 0\\)"),
        (["a", "b"], {}, TypeError, "preferences must be an array of real numbers"),
        ([1 + 2j], {}, TypeError, "preferences must be an array of real numbers"),
        ([1.0, 2.0], {"temperature": 0.0}, ValueError, "temperature must be a finite number > 0; got 0.0"),
        ([1.0, 2.0], {"temperature": -1}, ValueError, "temperature must be a finite number > 0; got -1.0"),
        ([1.0, 2.0], {"temperature": np.nan}, ValueError, "temperature must be a finite number > 0; got nan"),
        ([1.0, 2.0], {"temperature": "1"}, TypeError, "temperature must be a real number > 0; got '1'"),
        ([1.0, 2.0], {"temperature": True}, TypeError, "temperature must be a real number"),
        ([1.0, 2.0], {"axis": 1}, ValueError, r"axis must be in \[-1, 1\) for preferences of shape \(2,\); got 1"),
        ([1.0, 2.0], {"axis": 0.5}, TypeError, "axis must be an integer"),
    ],
)
@pytest.mark.parametrize("fn", [softmax, log_softmax])
def test_bad_input_raises_clear_error(fn, preferences, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(preferences, **kwargs)


@pytest.mark.parametrize("n_actions", [1, 2, 16, 17, 200])
def test_matches_textbook_formula_for_every_width(n_actions):
    # both code paths of the maximum (a column loop up to 16 actions, np.max beyond)
    h = np.random.default_rng(n_actions).normal(scale=5.0, size=(3, n_actions))
    expected = np.exp(h) / np.exp(h).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(softmax(h), expected, rtol=1e-13)
    np.testing.assert_allclose(softmax(h.T, axis=0), expected.T, rtol=1e-13)
    np.testing.assert_allclose(log_softmax(h), np.log(expected), rtol=1e-12, atol=1e-13)
