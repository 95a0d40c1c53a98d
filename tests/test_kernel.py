"""softmax and log_softmax: worked examples, stability, and input checks."""

from __future__ import annotations

import numpy as np
import pytest
from _examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from softmax_pg import _kernel, kernel, log_softmax, numerical_gradient, softmax

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


@settings(max_examples=examples(200), deadline=None)
@given(
    h=hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6), elements=FINITE_HUGE
    ),
    tau=TEMPERATURES,
)
def test_probabilities_finite_and_normalised(h, tau):
    p = softmax(h, temperature=tau)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    lp = log_softmax(h, temperature=tau)
    assert not np.any(np.isnan(lp)) and np.all(lp <= 0)


@settings(max_examples=examples(100), deadline=None)
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
        (
            [np.nan, 1.0],
            {},
            ValueError,
            r"preferences must contain only finite values; got nan at index \(0,\)",
        ),
        ([np.inf, 1.0], {}, ValueError, "preferences must contain only finite values"),
        (3.0, {}, ValueError, r"preferences must have at least 1 dimension\(s\); got shape \(\)"),
        (
            np.zeros((2, 0)),
            {},
            ValueError,
            "at least one action along axis -1; got shape \\(2, 0\\)",
        ),
        (["a", "b"], {}, TypeError, "preferences must be an array of real numbers"),
        ([1 + 2j], {}, TypeError, "preferences must be an array of real numbers"),
        (
            [1.0, 2.0],
            {"temperature": 0.0},
            ValueError,
            "temperature must be a finite number > 0; got 0.0",
        ),
        (
            [1.0, 2.0],
            {"temperature": -1},
            ValueError,
            "temperature must be a finite number > 0; got -1.0",
        ),
        (
            [1.0, 2.0],
            {"temperature": np.nan},
            ValueError,
            "temperature must be a finite number > 0; got nan",
        ),
        (
            [1.0, 2.0],
            {"temperature": "1"},
            TypeError,
            "temperature must be a real number > 0; got '1'",
        ),
        ([1.0, 2.0], {"temperature": True}, TypeError, "temperature must be a real number"),
        (
            [1.0, 2.0],
            {"axis": 1},
            ValueError,
            r"axis must be in \[-1, 1\) for preferences of shape \(2,\); got 1",
        ),
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


# --------------------------------------------- the rest of the kernel, checked and trusted


def test_preference_score_entropy_and_gradient_by_hand():
    h = np.array([0.0, np.log(3.0)])  # pi = [1/4, 3/4]
    np.testing.assert_allclose(kernel.preference_score(h, 0), [0.75, -0.75])
    # at tau = 1/2, pi = softmax(2 h) = [1/10, 9/10]
    np.testing.assert_allclose(kernel.preference_score(h, 1, temperature=0.5), [-0.2, 0.2])
    p = np.array([0.25, 0.75])
    np.testing.assert_allclose(kernel.preference_entropy(h), -(p * np.log(p)).sum())
    lp = np.log(p)
    np.testing.assert_allclose(kernel.preference_entropy_gradient(h), -p * (lp - p @ lp))


@pytest.mark.parametrize("big", [1e3, 1e300, -1e300])
def test_huge_preferences_give_finite_scores_and_entropy(big):
    h = np.array([big, 0.0, -big])
    for out in (
        kernel.preference_score(h, 2),
        kernel.preference_entropy(h),
        kernel.preference_entropy_gradient(h),
    ):
        assert np.all(np.isfinite(out))
    assert kernel.preference_entropy(h) == 0.0  # one action has all the probability
    top = int(np.argmax(h))
    np.testing.assert_array_equal(kernel.preference_score(h, top), [0.0, 0.0, 0.0])


def test_one_action_and_ties():
    np.testing.assert_array_equal(kernel.preference_score([[5.0]], [0]), [[0.0]])
    assert kernel.preference_entropy([[5.0]])[0] == 0.0
    np.testing.assert_allclose(kernel.preference_entropy([2.0, 2.0, 2.0, 2.0]), np.log(4.0))
    np.testing.assert_allclose(kernel.preference_entropy_gradient([1.0, 1.0, 1.0]), 0.0, atol=1e-16)


@settings(max_examples=examples(100), deadline=None)
@given(
    h=st.lists(st.floats(-50, 50), min_size=1, max_size=12),
    tau=st.floats(0.1, 10.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_kernel_properties(h, tau, seed):
    h = np.asarray(h)
    n = h.size
    p = softmax(h, tau)
    every = kernel.preference_score(np.broadcast_to(h, (n, n)), np.arange(n), tau)
    np.testing.assert_allclose(every.sum(axis=1), 0.0, atol=1e-12 / tau)  # rows sum to zero
    np.testing.assert_allclose(p @ every, 0.0, atol=1e-12 / tau)  # expected score zero
    for a in range(n):  # the score is the gradient of log-softmax: a central difference
        numeric = numerical_gradient(lambda x: log_softmax(x, tau)[a], h)  # noqa: B023
        np.testing.assert_allclose(every[a], numeric, atol=1e-6 * max(1.0, 1.0 / tau))
    grad = kernel.preference_entropy_gradient(h, tau)
    np.testing.assert_allclose(grad.sum(), 0.0, atol=1e-12 / tau)
    np.testing.assert_allclose(
        grad,
        numerical_gradient(lambda x: kernel.preference_entropy(x, tau), h),
        atol=1e-6 * max(1.0, 1 / tau),
    )
    u = np.random.default_rng(seed).random(50)
    a = _kernel.inverse_cdf(np.broadcast_to(p, (50, n)), u)
    cdf = np.cumsum(p)
    assert np.all((a == n - 1) | (u < cdf[a])) and np.all((a == 0) | (u >= cdf[a - 1] - 1e-12))


def test_sample_draws_one_uniform_per_row():
    h = np.random.default_rng(1).normal(size=(30, 4))
    u = np.random.default_rng(7).random(30)
    np.testing.assert_array_equal(
        kernel.preference_sample(h, 7), _kernel.inverse_cdf(softmax(h), u)
    )
    draws = kernel.preference_sample(np.zeros((20000, 3)), 0)
    np.testing.assert_allclose(np.bincount(draws) / 20000, 1 / 3, atol=0.02)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: kernel.preference_score([0.0, 1.0], 2),
            ValueError,
            r"actions must lie in \[0, 2\)",
        ),
        (
            lambda: kernel.preference_score(np.zeros((2, 2)), [0, 1, 0]),
            ValueError,
            "actions must have",
        ),
        (
            lambda: kernel.preference_entropy([np.nan, 0.0]),
            ValueError,
            "preferences must contain only finite",
        ),
        (
            lambda: kernel.preference_entropy_gradient([0.0], temperature=0),
            ValueError,
            "temperature",
        ),
        (lambda: kernel.preference_sample([0.0, 1.0], None), TypeError, "rng must be"),
        (lambda: kernel.preference_sample(np.zeros((2, 0)), 0), ValueError, "at least one action"),
    ],
)
def test_kernel_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_trusted_score_in_place_and_broadcast():
    p = softmax(np.random.default_rng(2).normal(size=(5, 3)))
    keep = p.copy()
    fresh = _kernel.score_from_probs(p, np.array([0, 1, 2, 0, 1]), 0.5)
    np.testing.assert_array_equal(p, keep)  # not overwritten by default
    inplace = _kernel.score_from_probs(p, np.array([0, 1, 2, 0, 1]), 0.5, overwrite=True)
    assert inplace is p
    np.testing.assert_array_equal(inplace, fresh)
    every = _kernel.score_from_probs(keep[:, None, :], np.arange(3), 1.0)  # (5, 3, 3)
    np.testing.assert_allclose(every, np.eye(3) - keep[:, None, :])


# ------------------------------------------------------------- one row, as a batch rounds
ROW_VALUES = st.one_of(
    st.floats(-700.0, 700.0), st.sampled_from([0.0, -0.0, 700.0, -700.0, 709.0, -745.0])
)


@settings(max_examples=examples(300), deadline=None)
@given(
    rows=st.integers(1, 16).flatmap(
        lambda n: st.lists(st.lists(ROW_VALUES, min_size=n, max_size=n), min_size=1, max_size=4)
    ),
    tau=st.sampled_from([1.0, 0.5, 0.3, 2.0, 7.0, 1e-2]),
    u=st.lists(st.floats(0.0, 1.0, exclude_max=True), min_size=4, max_size=4),
)
def test_one_row_rounds_as_the_batch_bit_for_bit(rows, tau, u):
    # the fast path for one row (h.ndim == 1) makes the batched column loops' operations
    # in their order: a single run and a batched run of the learners round alike
    h = np.array(rows)
    batch = _kernel.softmax(h, tau)
    for i, row in enumerate(h):
        one = _kernel.softmax(row.copy(), tau)
        assert one.tobytes() == batch[i].tobytes()
        a = _kernel.sample_row(one, u[i])
        assert a == _kernel.inverse_cdf(batch, np.array(u[: len(h)]))[i]
        assert _kernel.inverse_cdf(one, u[i]) == a and _kernel.inverse_cdf(one, u[i]).shape == ()
        score = _kernel.score_from_probs(one.copy(), a, tau, overwrite=True)
        expected = _kernel.score_from_probs(batch[i : i + 1], np.array([a]), tau)[0]
        assert score.tobytes() == expected.tobytes()
    assert np.allclose(batch.sum(axis=-1), 1.0)


def test_one_row_ties_and_signed_zeros_round_as_the_batch():
    # np.maximum keeps the later of two equal values (-0.0 after 0.0): the row path too
    for row in ([0.0, -0.0], [-0.0, 0.0], [-0.0, -800.0], [3.0, 3.0, 3.0], [-745.0, 0.0]):
        h = np.array(row)
        assert _kernel.softmax(h).tobytes() == _kernel.softmax(h[None])[0].tobytes()
    assert _kernel._max_row([0.0, -0.0]) == 0.0 and np.signbit(_kernel._max_row([0.0, -0.0]))
    assert np.isnan(_kernel._max_row([np.nan, 1.0])) and np.isnan(_kernel._max_row([1.0, np.nan]))


def test_one_row_with_many_actions_takes_the_batched_path():
    h = np.random.default_rng(3).normal(size=40)
    assert _kernel.softmax(h, 0.7).tobytes() == _kernel.softmax(h[None], 0.7)[0].tobytes()
    p = _kernel.softmax(h)
    assert _kernel.sample_row(p, 0.6) == _kernel.inverse_cdf(p[None], np.array([0.6]))[0]
