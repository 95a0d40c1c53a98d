"""The linear softmax policy and its score: by hand, against finite differences,
as properties, and with bad input."""

from __future__ import annotations

import numpy as np
import pytest
import softmax_pg as sp
from _examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from softmax_pg import (
    _kernel,
    action_probs,
    entropy,
    expected_features,
    fisher_information,
    log_prob,
    log_prob_matrix,
    sample_actions,
    score,
    score_matrix,
    state_action_features,
    tabular_features,
)


def central_difference(f, x, eps=1e-6):
    """Gradient of scalar f at x by central differences, one coordinate at a time."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


# ------------------------------------------------------------------ worked by hand


def test_two_actions_by_hand():
    # phi(s,0) = [1, 0], phi(s,1) = [0, 1], theta = [0, log 3]  ->  pi = [1/4, 3/4]
    phi = np.array([[1.0, 0.0], [0.0, 1.0]])
    theta = np.array([0.0, np.log(3.0)])
    np.testing.assert_allclose(action_probs(theta, phi), [0.25, 0.75])
    np.testing.assert_allclose(expected_features(theta, phi), [0.25, 0.75])
    np.testing.assert_allclose(log_prob(theta, phi, 0), np.log(0.25))
    # score(a=0) = phi(s,0) - E[phi] = [1 - 1/4, 0 - 3/4]
    np.testing.assert_allclose(score(theta, phi, 0), [0.75, -0.75])
    np.testing.assert_allclose(score(theta, phi, 1), [-0.25, 0.25])
    # Fisher = Cov[phi] = diag(p) - p p^T
    np.testing.assert_allclose(
        fisher_information(theta, phi), [[3 / 16, -3 / 16], [-3 / 16, 3 / 16]]
    )
    np.testing.assert_allclose(entropy(theta, phi), -(0.25 * np.log(0.25) + 0.75 * np.log(0.75)))


def test_three_actions_shared_features_by_hand():
    # phi(s,b) = [1, b]: the first feature is the same for every action, so its score is 0.
    phi = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    theta = np.array([5.0, 0.0])  # all preferences equal: pi = 1/3 each, E[phi] = [1, 1]
    np.testing.assert_allclose(action_probs(theta, phi), np.full(3, 1 / 3))
    np.testing.assert_allclose(score(theta, phi, 2), [0.0, 1.0], atol=1e-15)
    np.testing.assert_allclose(score(theta, phi, 0), [0.0, -1.0], atol=1e-15)
    np.testing.assert_allclose(score(theta, phi, 2, temperature=0.5), [0.0, 2.0], atol=1e-15)


def test_one_action_has_zero_score():
    phi = np.array([[2.0, -1.0, 3.0]])
    theta = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(action_probs(theta, phi), [1.0])
    np.testing.assert_array_equal(score(theta, phi, 0), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(fisher_information(theta, phi), np.zeros((3, 3)))
    assert entropy(theta, phi) == 0.0


def test_ties_give_uniform_policy():
    phi = np.eye(4)
    theta = np.full(4, 2.5)
    np.testing.assert_allclose(action_probs(theta, phi), np.full(4, 0.25))
    np.testing.assert_allclose(score(theta, phi, 3), [-0.25, -0.25, -0.25, 0.75])
    np.testing.assert_allclose(entropy(theta, phi), np.log(4))


def test_batched_equals_single_state_loop():
    rng = np.random.default_rng(1)
    phi = rng.normal(size=(5, 7, 4, 3))
    theta = rng.normal(size=3)
    actions = rng.integers(0, 4, size=(5, 7))
    batched = score(theta, phi, actions, temperature=0.7)
    probs = action_probs(theta, phi, 0.7)
    assert batched.shape == (5, 7, 3) and probs.shape == (5, 7, 4)
    for i, j in np.ndindex(5, 7):
        np.testing.assert_allclose(
            batched[i, j], score(theta, phi[i, j], actions[i, j], 0.7), rtol=1e-14
        )
        np.testing.assert_allclose(probs[i, j], action_probs(theta, phi[i, j], 0.7), rtol=1e-14)
    assert log_prob(theta, phi, actions).shape == (5, 7)
    assert fisher_information(theta, phi).shape == (5, 7, 3, 3)
    assert expected_features(theta, phi).shape == (5, 7, 3)
    assert entropy(theta, phi).shape == (5, 7)


def test_actions_broadcast_against_states():
    # every action of one state at once: rows are the scores of actions 0..n-1
    rng = np.random.default_rng(2)
    phi = rng.normal(size=(4, 3))
    theta = rng.normal(size=3)
    all_scores = score(theta, phi, np.arange(4))
    assert all_scores.shape == (4, 3)
    for b in range(4):
        np.testing.assert_allclose(all_scores[b], score(theta, phi, b))


# ------------------------------------------------------------------ finite differences


@pytest.mark.parametrize("seed", range(12))
def test_score_equals_central_difference(seed):
    rng = np.random.default_rng(seed)
    n_actions, n_features = rng.integers(1, 7), rng.integers(1, 6)
    tau = float(rng.uniform(0.3, 3.0))
    phi = rng.normal(size=(n_actions, n_features))
    theta = rng.normal(size=n_features)
    a = int(rng.integers(n_actions))
    numeric = central_difference(lambda t: log_prob(t, phi, a, tau), theta)
    np.testing.assert_allclose(score(theta, phi, a, tau), numeric, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("seed", range(12))
def test_score_matrix_equals_central_difference(seed):
    rng = np.random.default_rng(100 + seed)
    n_state, n_actions = rng.integers(1, 6), rng.integers(1, 6)
    tau = float(rng.uniform(0.3, 3.0))
    weights = rng.normal(size=(n_state, n_actions))
    state = rng.normal(size=n_state)
    a = int(rng.integers(n_actions))
    numeric = central_difference(lambda w: log_prob_matrix(w, state, a, tau), weights)
    np.testing.assert_allclose(score_matrix(weights, state, a, tau), numeric, rtol=1e-7, atol=1e-8)


def test_score_matrix_is_score_with_state_action_features():
    rng = np.random.default_rng(3)
    weights = rng.normal(size=(4, 3))
    states = rng.normal(size=(6, 4))
    actions = rng.integers(0, 3, size=6)
    via_features = score(weights.ravel(), state_action_features(states, 3), actions, 1.5)
    np.testing.assert_allclose(
        score_matrix(weights, states, actions, 1.5).reshape(6, -1), via_features, rtol=1e-13
    )
    np.testing.assert_allclose(
        log_prob_matrix(weights, states, actions, 1.5),
        log_prob(weights.ravel(), state_action_features(states, 3), actions, 1.5),
        rtol=1e-13,
    )


def test_score_matrix_is_outer_product_with_minus_pi_off_the_chosen_column():
    weights = np.zeros((2, 3))
    state = np.array([2.0, -1.0])
    g = score_matrix(weights, state, 1)
    # pi = 1/3 each: column 1 gets x (1 - 1/3), the others x (-1/3)
    np.testing.assert_allclose(g, np.outer(state, [-1 / 3, 2 / 3, -1 / 3]))


def test_fisher_is_minus_hessian_of_log_prob():
    rng = np.random.default_rng(4)
    phi = rng.normal(size=(5, 3))
    theta = rng.normal(size=3)
    tau = 0.8
    hessian = np.stack(
        [central_difference(lambda t: score(t, phi, 2, tau)[i], theta, eps=1e-5) for i in range(3)]  # noqa: B023 (called at once)
    )
    np.testing.assert_allclose(-hessian, fisher_information(theta, phi, tau), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ properties

SHAPES = st.tuples(st.integers(1, 6), st.integers(1, 5))


@settings(max_examples=examples(100), deadline=None)
@given(
    shape=SHAPES,
    seed=st.integers(0, 2**32 - 1),
    tau=st.floats(0.05, 20.0),
    scale=st.floats(1e-3, 50.0),
)
def test_expected_score_is_zero(shape, seed, tau, scale):
    rng = np.random.default_rng(seed)
    n_actions, n_features = shape
    phi = rng.normal(size=(n_actions, n_features))
    theta = scale * rng.normal(size=n_features)
    p = action_probs(theta, phi, tau)
    expected = p @ score(theta, phi, np.arange(n_actions), tau)
    np.testing.assert_allclose(expected, 0.0, atol=1e-12 * (1 + np.abs(phi).max() / tau))


@settings(max_examples=examples(100), deadline=None)
@given(
    n_states=st.integers(1, 4),
    n_actions=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
    tau=st.floats(0.1, 10.0),
)
def test_tabular_score_is_one_hot_minus_pi(n_states, n_actions, seed, tau):
    rng = np.random.default_rng(seed)
    features = tabular_features(n_states, n_actions)
    theta = rng.normal(size=n_states * n_actions) * 3
    s, a = int(rng.integers(n_states)), int(rng.integers(n_actions))
    pi = sp.softmax(theta.reshape(n_states, n_actions)[s], tau)
    expected = np.zeros((n_states, n_actions))
    expected[s] = (sp.one_hot(a, n_actions) - pi) / tau
    np.testing.assert_allclose(
        score(theta, features[s], a, tau).reshape(n_states, n_actions), expected, atol=1e-15
    )


@settings(max_examples=examples(100), deadline=None)
@given(shape=SHAPES, seed=st.integers(0, 2**32 - 1), tau=st.floats(0.1, 10.0))
def test_fisher_is_symmetric_psd_and_mean_outer_score(shape, seed, tau):
    rng = np.random.default_rng(seed)
    n_actions, n_features = shape
    phi = rng.normal(size=(n_actions, n_features))
    theta = rng.normal(size=n_features)
    f = fisher_information(theta, phi, tau)
    np.testing.assert_array_equal(f, f.T)
    assert np.linalg.eigvalsh(f).min() >= -1e-12 * max(1.0, np.abs(f).max())
    scores = score(theta, phi, np.arange(n_actions), tau)  # (n_actions, n_features)
    p = action_probs(theta, phi, tau)
    np.testing.assert_allclose(f, np.einsum("b,bi,bj->ij", p, scores, scores), atol=1e-12 / tau**2)


@settings(max_examples=examples(100), deadline=None)
@given(seed=st.integers(0, 2**32 - 1), magnitude=st.floats(1.0, 1e150))
def test_huge_preferences_stay_finite(seed, magnitude):
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(4, 2)) * magnitude
    theta = rng.normal(size=2) * magnitude  # preferences up to ~1e300
    p = action_probs(theta, phi)
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    assert np.all(np.isfinite(score(theta, phi, 1)))
    assert np.all(np.isfinite(entropy(theta, phi)))


# ------------------------------------------------------------------ sampling


def test_same_seed_same_samples_and_right_frequencies():
    rng = np.random.default_rng(5)
    phi = rng.normal(size=(4, 3))
    theta = rng.normal(size=3)
    batch = np.broadcast_to(phi, (200_000, 4, 3))
    a1 = sample_actions(theta, batch, 42)
    a2 = sample_actions(theta, batch, np.random.default_rng(42))
    np.testing.assert_array_equal(a1, a2)
    assert a1.dtype == np.int64 and a1.shape == (200_000,)
    freq = np.bincount(a1, minlength=4) / a1.size
    p = action_probs(theta, phi)
    np.testing.assert_allclose(freq, p, atol=5 * np.sqrt(p * (1 - p) / a1.size).max())


def test_batched_sampling_consumes_draws_like_a_loop():
    rng = np.random.default_rng(6)
    phi = rng.normal(size=(10, 3, 2))
    theta = rng.normal(size=2)
    batched = sample_actions(theta, phi, 7)
    gen = np.random.default_rng(7)
    u = gen.random(10)
    looped = [_kernel.inverse_cdf(action_probs(theta, phi[i]), u[i]) for i in range(10)]
    np.testing.assert_array_equal(batched, looped)


# ------------------------------------------------------------------ bad input

PHI = np.zeros((3, 2))
THETA = np.zeros(2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: score(np.zeros((2, 1)), PHI, 0),
            ValueError,
            r"theta must have shape \(n_features,\).*got shape \(2, 1\)",
        ),
        (
            lambda: score(np.zeros(0), np.zeros((3, 0)), 0),
            ValueError,
            r"theta must have shape \(n_features,\)",
        ),
        (
            lambda: score(THETA, np.zeros((3, 5)), 0),
            ValueError,
            r"n_features = len\(theta\) = 2; got shape \(3, 5\)",
        ),
        (
            lambda: score(THETA, np.zeros(2), 0),
            ValueError,
            r"features must have shape \(\.\.\., n_actions, n_features\)",
        ),
        (lambda: score(THETA, np.zeros((0, 2)), 0), ValueError, r"n_actions >= 1"),
        (
            lambda: score(THETA, PHI, 3),
            ValueError,
            r"actions must lie in \[0, 3\) for 3 action\(s\); got 3",
        ),
        (lambda: score(THETA, PHI, -1), ValueError, r"actions must lie in \[0, 3\).*got -1"),
        (
            lambda: score(THETA, PHI, 1.0),
            TypeError,
            r"actions must be integer action indices in \[0, 3\); got 1.0",
        ),
        (lambda: score(THETA, PHI, True), TypeError, "actions must be integer action indices"),
        (
            lambda: score(THETA, np.zeros((4, 3, 2)), [0, 1]),
            ValueError,
            r"broadcasts against the batch shape.*\(4,\); got shape \(2,\)",
        ),
        (
            lambda: score([np.nan, 0.0], PHI, 0),
            ValueError,
            "theta must contain only finite values; got nan",
        ),
        (
            lambda: score(THETA, np.full((3, 2), np.inf), 0),
            ValueError,
            "features must contain only finite values; got inf",
        ),
        (
            lambda: score(THETA, PHI, 0, temperature=0),
            ValueError,
            "temperature must be a finite number > 0; got 0.0",
        ),
        (
            lambda: score(THETA, PHI, 0, temperature=-2.0),
            ValueError,
            "temperature must be a finite number > 0; got -2.0",
        ),
        (lambda: score(["x", "y"], PHI, 0), TypeError, "theta must be an array of real numbers"),
        (
            lambda: score(np.full(2, 1e200), np.full((3, 2), 1e200), 0),
            ValueError,
            "preferences features @ theta overflowed",
        ),
        (
            lambda: action_probs(THETA, PHI, temperature=np.inf),
            ValueError,
            "temperature must be a finite number > 0; got inf",
        ),
        (lambda: log_prob(THETA, PHI, 5), ValueError, r"actions must lie in \[0, 3\)"),
        (
            lambda: expected_features(np.zeros(3), PHI),
            ValueError,
            "n_features = len\\(theta\\) = 3",
        ),
        (
            lambda: entropy(THETA, [[np.nan, 0.0]]),
            ValueError,
            "features must contain only finite values",
        ),
        (
            lambda: fisher_information(THETA, PHI, temperature=None),
            TypeError,
            "temperature must be a real number > 0; got None",
        ),
        (
            lambda: sample_actions(THETA, PHI, None),
            TypeError,
            "rng must be a numpy.random.Generator or a non-negative integer seed; got None",
        ),
        (
            lambda: sample_actions(THETA, PHI, -3),
            ValueError,
            "rng as a seed must be a non-negative integer; got -3",
        ),
        (
            lambda: score_matrix(np.zeros(3), np.zeros(3), 0),
            ValueError,
            r"weights must have shape \(n_state_features, n_actions\).*got shape \(3,\)",
        ),
        (
            lambda: score_matrix(np.zeros((3, 2)), np.zeros(4), 0),
            ValueError,
            r"n_state_features = weights.shape\[0\] = 3; got shape \(4,\)",
        ),
        (
            lambda: score_matrix(np.zeros((3, 2)), np.zeros(3), 2),
            ValueError,
            r"actions must lie in \[0, 2\)",
        ),
        (
            lambda: score_matrix(np.zeros((3, 2)), np.zeros((5, 3)), [0, 1]),
            ValueError,
            r"broadcasts against state.shape\[:-1\] = \(5,\)",
        ),
        (
            lambda: score_matrix(np.zeros((3, 2)), [np.nan, 0, 0], 0),
            ValueError,
            "state must contain only finite values",
        ),
        (
            lambda: score_matrix(np.zeros((3, 2)), np.zeros(3), 0, temperature=0.0),
            ValueError,
            "temperature must be a finite number > 0",
        ),
        (
            lambda: log_prob_matrix(np.zeros((3, 2)), np.zeros(3), 1.5),
            TypeError,
            "actions must be integer",
        ),
        (
            lambda: score_matrix(np.full((2, 2), 1e200), np.full(2, 1e200), 0),
            ValueError,
            "preferences state @ weights overflowed",
        ),
        (
            lambda: sp.preference_score(np.zeros((2, 0)), 0),
            ValueError,
            "at least one action along axis -1",
        ),
        (
            lambda: sp.preference_score([0.0, 1.0], 0, temperature=0.0),
            ValueError,
            "temperature must be a finite number > 0",
        ),
    ],
)
def test_bad_input_raises_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ entropy and natural gradient


@pytest.mark.parametrize("seed", range(10))
def test_entropy_gradient_equals_central_difference(seed):
    rng = np.random.default_rng(200 + seed)
    n_actions, n_features = rng.integers(1, 7), rng.integers(1, 6)
    tau = float(rng.uniform(0.3, 3.0))
    phi, theta = rng.normal(size=(n_actions, n_features)), rng.normal(size=n_features)
    numeric = central_difference(lambda t: entropy(t, phi, tau), theta)
    np.testing.assert_allclose(sp.entropy_gradient(theta, phi, tau), numeric, rtol=1e-6, atol=1e-8)


def test_entropy_gradient_is_minus_covariance_of_log_pi_and_phi():
    rng = np.random.default_rng(7)
    phi, theta = rng.normal(size=(3, 5, 2)), rng.normal(size=2)
    p = action_probs(theta, phi)
    logp = np.log(p)
    centred_logp = logp - (p * logp).sum(-1, keepdims=True)
    centred_phi = phi - expected_features(theta, phi)[..., None, :]
    expected = -np.einsum("...b,...b,...bi->...i", p, centred_logp, centred_phi)
    np.testing.assert_allclose(sp.entropy_gradient(theta, phi), expected, atol=1e-14)
    # at the uniform policy the entropy is maximal: zero gradient
    np.testing.assert_allclose(sp.entropy_gradient(np.zeros(2), np.ones((4, 2))), 0.0, atol=1e-15)


def test_natural_gradient_solves_the_damped_system():
    rng = np.random.default_rng(8)
    phi, theta = rng.normal(size=(4, 3)), rng.normal(size=3)
    f = fisher_information(theta, phi)
    g = rng.normal(size=3)
    x = sp.natural_gradient(f, g, damping=1e-2)
    np.testing.assert_allclose((f + 1e-2 * np.eye(3)) @ x, g, rtol=1e-10)
    # batched
    fs, gs = np.stack([f, 2 * f]), np.stack([g, g])
    np.testing.assert_allclose(sp.natural_gradient(fs, gs, 1e-2)[0], x)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: sp.natural_gradient(np.eye(2), np.ones(3)),
            ValueError,
            r"gradient must have shape \(\.\.\., n_features\) with n_features = 2",
        ),
        (
            lambda: sp.natural_gradient(np.ones((2, 3)), np.ones(3)),
            ValueError,
            r"fisher must have shape \(\.\.\., n_features, n_features\)",
        ),
        (
            lambda: sp.natural_gradient(np.eye(2), np.ones(2), damping=0.0),
            ValueError,
            "damping must be a finite number > 0; got 0.0",
        ),
        (
            lambda: sp.natural_gradient(np.eye(2), [np.nan, 1.0]),
            ValueError,
            "gradient must contain only finite values",
        ),
        (
            lambda: sp.entropy_gradient(np.zeros(2), np.zeros((3, 2)), temperature=-1.0),
            ValueError,
            "temperature must be a finite number > 0",
        ),
    ],
)
def test_natural_and_entropy_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_preference_score_is_the_tabular_score_and_the_jacobian_row():
    rng = np.random.default_rng(9)
    h = rng.normal(size=(6, 4)) * 3
    actions = rng.integers(0, 4, size=6)
    g = sp.preference_score(h, actions, temperature=0.5)
    # the same numbers as score() with one-hot features and theta = h, state by state
    for i in range(6):
        np.testing.assert_allclose(g[i], score(h[i], np.eye(4), actions[i], 0.5), atol=1e-15)
        jac = central_difference(lambda v: sp.log_softmax(v, 0.5)[actions[i]], h[i])  # noqa: B023 (called at once)
        np.testing.assert_allclose(g[i], jac, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(g.sum(axis=-1), 0.0, atol=1e-15)
    with pytest.raises(ValueError, match=r"broadcasts against preferences.shape\[:-1\] = \(6,\)"):
        sp.preference_score(h, [0, 1])
    with pytest.raises(ValueError, match=r"actions must lie in \[0, 4\)"):
        sp.preference_score(h, 4)
