"""The four parametrisations and the score route Dh^T (e_a - pi) / tau through them: by hand,
against finite differences, as properties, against part one's functions, with bad input."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import softmax_pg as sp
from _examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from softmax_pg import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    Parametrisation,
    SoftmaxPolicy,
    TabularPreferences,
    numerical_gradient,
)

N_STATES, N_ACTIONS, N_OBS = 6, 3, 4
TABLE = np.random.default_rng(11).normal(size=(N_STATES, N_ACTIONS, 5))


def _features_fn(obs):
    """phi(s, b) = [s, s^2, b, s*b] for a continuous scalar observation."""
    s = np.asarray(obs, dtype=float).reshape(-1, 1)
    b = np.arange(N_ACTIONS)[None, :]
    s, b = np.broadcast_arrays(s, b)
    return np.stack([s, s**2, b.astype(float), s * b], axis=-1)


def make(kind: str):
    """A parametrisation, a theta, a batch of observations of it, and their actions."""
    rng = np.random.default_rng(zlib.crc32(kind.encode()))  # the same in every process
    if kind == "tabular":
        p = TabularPreferences(N_STATES, N_ACTIONS)
        obs = np.array([0, 3, 5, 3])
    elif kind == "linear-table":
        p = LinearPreferences(TABLE)
        obs = np.array([1, 2, 2, 4])
    elif kind == "linear-callable":
        p = LinearPreferences(_features_fn, n_actions=N_ACTIONS, n_features=4)
        obs = rng.normal(size=4)
    elif kind == "matrix":
        p = MatrixPreferences(N_OBS, N_ACTIONS)
        obs = rng.normal(size=(4, N_OBS))
    elif kind == "matrix-state-fn":
        p = MatrixPreferences(
            2, N_ACTIONS, state_fn=lambda o: np.asarray(o)[:, :2] ** 2, bias=False
        )
        obs = rng.normal(size=(4, N_OBS))
    elif kind == "mlp":
        p = MLPPreferences(N_OBS, N_ACTIONS, hidden=(5,))
        obs = rng.normal(size=(4, N_OBS))
    elif kind == "mlp-deep":
        p = MLPPreferences(N_OBS, N_ACTIONS, hidden=(4, 3))
        obs = rng.normal(size=(4, N_OBS))
    else:  # pragma: no cover
        raise KeyError(kind)
    theta = rng.normal(size=p.n_params)
    actions = rng.integers(0, N_ACTIONS, size=4)
    return p, theta, obs, actions


KINDS = [
    "tabular",
    "linear-table",
    "linear-callable",
    "matrix",
    "matrix-state-fn",
    "mlp",
    "mlp-deep",
]


# ------------------------------------------------------------------ worked by hand


def test_tabular_by_hand():
    # one state with preferences [0, log 3]: pi = [1/4, 3/4]; the score of action 0 sits in row 1
    p = TabularPreferences(2, 2)
    theta = np.array([5.0, 5.0, 0.0, np.log(3.0)])
    np.testing.assert_allclose(SoftmaxPolicy(p, theta).probs([1]), [[0.25, 0.75]])
    np.testing.assert_allclose(SoftmaxPolicy(p, theta).score([1], [0]), [[0.0, 0.0, 0.75, -0.75]])
    np.testing.assert_allclose(SoftmaxPolicy(p, theta).log_prob([1], [1]), [np.log(0.75)])


def test_matrix_by_hand():
    # x = [2, 1] (the 1 is the bias), W = 0: pi = [1/2, 1/2], score of a = 1 is x (e_1 - pi)^T
    p = MatrixPreferences(1, 2)
    got = SoftmaxPolicy(p, np.zeros(4)).score([[2.0]], [1]).reshape(2, 2)
    np.testing.assert_allclose(got, [[-1.0, 1.0], [-0.5, 0.5]])


def test_mlp_by_hand():
    # one hidden unit: z = tanh(x w1 + b1), h = z W2 + b2; at x = 0, b1 = 0: z = 0, so only b2 moves
    p = MLPPreferences(1, 2, hidden=(1,))
    theta = p.flatten(
        [(np.array([[1.0]]), np.array([0.0])), (np.array([[1.0, -1.0]]), np.array([0.0, 0.0]))]
    )
    got = SoftmaxPolicy(p, theta).score([[0.0]], [0])[0]
    # dW1 = x * delta1 = 0; db1 = (g W2^T)(1 - z^2) = (0.5 * 1 + -0.5 * -1) = 1;
    # dW2 = z g = 0; db2 = g
    np.testing.assert_allclose(got, [0.0, 1.0, 0.0, 0.0, 0.5, -0.5])


# ---------------------------------------------------- finite differences, every kind


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("tau", [1.0, 0.3, 4.0])
def test_score_equals_finite_differences(kind, tau):
    p, theta, obs, actions = make(kind)
    batched = SoftmaxPolicy(p, theta, tau).score(obs, actions)
    assert batched.shape == (len(actions), p.n_params)
    for i in range(len(actions)):
        one = obs[i : i + 1]
        single = SoftmaxPolicy(p, theta, tau).score(one, actions[i : i + 1])[0]
        numeric = numerical_gradient(
            lambda t: SoftmaxPolicy(p, t, tau).log_prob(one, actions[i : i + 1])[0],  # noqa: B023
            theta,
        )
        np.testing.assert_allclose(single, numeric, atol=1e-7)
        np.testing.assert_allclose(
            batched[i], single, rtol=1e-13, atol=1e-15
        )  # the batch is the loop


@pytest.mark.parametrize("kind", KINDS)
def test_vjp_equals_finite_differences_of_g_dot_h(kind):
    p, theta, obs, _ = make(kind)
    g = np.random.default_rng(3).normal(size=(len(obs), N_ACTIONS))
    got = p.vjp(theta, obs, g)
    for i in range(len(obs)):
        numeric = numerical_gradient(
            lambda t: float(p.preferences(t, obs[i : i + 1])[0] @ g[i]),  # noqa: B023
            theta,
        )
        np.testing.assert_allclose(got[i], numeric, atol=1e-7)


@pytest.mark.parametrize("kind", KINDS)
def test_optional_methods_equal_their_defaults(kind):
    """vjp_sum is the summed vjp; preferences_many and linearise_many are the methods run by
    run."""
    p, theta, obs, _ = make(kind)
    rng = np.random.default_rng(5)
    g = rng.normal(size=(len(obs), N_ACTIONS))
    np.testing.assert_allclose(
        p.vjp_sum(theta, obs, g), Parametrisation.vjp_sum(p, theta, obs, g), atol=1e-12
    )
    thetas = rng.normal(size=(3, p.n_params))
    many = np.stack([obs, obs[::-1], obs])
    np.testing.assert_allclose(
        p.preferences_many(thetas, many),
        Parametrisation.preferences_many(p, thetas, many),
        atol=1e-12,
    )
    gm = rng.normal(size=many.shape[:2] + (N_ACTIONS,))
    (h, pullback), (h0, pullback0) = (
        p.linearise_many(thetas, many),
        Parametrisation.linearise_many(p, thetas, many),
    )
    np.testing.assert_allclose(h, h0, atol=1e-12)
    np.testing.assert_allclose(pullback(gm), pullback0(gm), atol=1e-12)
    np.testing.assert_allclose(pullback(gm, summed=True), pullback0(gm, summed=True), atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_check_preferences_passes_the_package_own(kind):
    p, theta, obs, _ = make(kind)
    sp.check_preferences(p, obs)
    sp.check_preferences(p, obs, theta=theta, rng=np.random.default_rng(1))


# ------------------------------------------------------------- properties


@settings(max_examples=examples(40), deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.01, 5.0),
    tau=st.floats(0.2, 5.0),
)
def test_expected_score_is_zero(kind, seed, scale, tau):
    p, _, obs, _ = make(kind)
    theta = scale * np.random.default_rng(seed).normal(size=p.n_params)
    probs = SoftmaxPolicy(p, theta, tau).probs(obs)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    expected = sum(
        probs[:, b, None] * SoftmaxPolicy(p, theta, tau).score(obs, np.full(len(obs), b))
        for b in range(N_ACTIONS)
    )
    size = max(1.0, float(np.abs(p.vjp(theta, obs, np.ones((len(obs), N_ACTIONS)))).max()))
    np.testing.assert_allclose(expected, 0.0, atol=1e-12 * size / tau)


@settings(max_examples=examples(25), deadline=None)
@given(seed=st.integers(0, 2**32 - 1), tau=st.floats(0.2, 5.0))
def test_fisher_is_covariance_of_scores(seed, tau):
    p, _, obs, _ = make("mlp")
    theta = np.random.default_rng(seed).normal(size=p.n_params)
    probs = SoftmaxPolicy(p, theta, tau).probs(obs)
    fisher = SoftmaxPolicy(p, theta, tau).fisher(obs)
    for i in range(len(obs)):
        scores = np.stack(
            [SoftmaxPolicy(p, theta, tau).score(obs[i : i + 1], [b])[0] for b in range(N_ACTIONS)]
        )
        np.testing.assert_allclose(fisher[i], scores.T @ (probs[i, :, None] * scores), atol=1e-12)


# ------------------------------------------------- the same numbers as part one


@pytest.mark.parametrize("tau", [1.0, 0.5])
def test_linear_table_is_the_textbook_formula(tau):
    """Against the formulas written out here with plain numpy, not through the package:
    pi = exp(h - max h) / sum, score = (phi(s,a) - sum_b pi_b phi(s,b)) / tau (Sutton &
    Barto 2018, eq. 13.9), H = -sum pi log pi, F = sum_b pi_b g_b g_b^T."""
    p, theta, obs, actions = make("linear-table")
    phi = TABLE[obs]  # (batch, n_actions, d)
    h = np.einsum("nbd,d->nb", phi, theta) / tau
    e = np.exp(h - h.max(axis=1, keepdims=True))
    pi = e / e.sum(axis=1, keepdims=True)
    mean_phi = np.einsum("nb,nbd->nd", pi, phi)
    every = (phi - mean_phi[:, None, :]) / tau  # the score of every action, (batch, b, d)
    policy = SoftmaxPolicy(p, theta, tau)
    np.testing.assert_allclose(policy.probs(obs), pi, rtol=1e-13)
    np.testing.assert_allclose(
        policy.score(obs, actions), every[np.arange(len(obs)), actions], atol=1e-13
    )
    np.testing.assert_allclose(policy.entropy(obs), -(pi * np.log(pi)).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(
        policy.fisher(obs), np.einsum("nb,nbi,nbj->nij", pi, every, every), atol=1e-12
    )
    # and the same numbers as part one's functions of the features
    np.testing.assert_allclose(policy.score(obs, actions), sp.score(theta, phi, actions, tau))


@pytest.mark.parametrize("tau", [1.0, 2.0])
def test_matrix_is_todays_score_matrix(tau):
    p, theta, obs, actions = make("matrix")
    x = np.concatenate([obs, np.ones((len(obs), 1))], axis=1)
    w = theta.reshape(N_OBS + 1, N_ACTIONS)
    expected = sp.score_matrix(w, x, actions, tau).reshape(len(obs), -1)
    np.testing.assert_allclose(
        SoftmaxPolicy(p, theta, tau).score(obs, actions), expected, atol=1e-15
    )
    np.testing.assert_allclose(
        SoftmaxPolicy(p, theta, tau).log_prob(obs, actions), sp.log_prob_matrix(w, x, actions, tau)
    )


def test_tabular_is_todays_score_with_one_hot_features():
    p, theta, obs, actions = make("tabular")
    phi = sp.tabular_features(N_STATES, N_ACTIONS)
    np.testing.assert_array_equal(
        SoftmaxPolicy(p, theta).score(obs, actions), sp.score(theta, phi[obs], actions)
    )


def test_mlp_without_hidden_layers_is_the_weight_matrix():
    mlp, matrix = MLPPreferences(N_OBS, N_ACTIONS, hidden=()), MatrixPreferences(N_OBS, N_ACTIONS)
    _, theta, obs, actions = make("matrix")
    assert mlp.n_params == matrix.n_params
    np.testing.assert_allclose(
        SoftmaxPolicy(mlp, theta).score(obs, actions),
        SoftmaxPolicy(matrix, theta).score(obs, actions),
        atol=1e-15,
    )


def test_mlp_flatten_unflatten_and_init():
    p = MLPPreferences(N_OBS, N_ACTIONS, hidden=(5, 4))
    theta = p.init(np.random.default_rng(0))
    layers = p.unflatten(theta)
    assert [w.shape for w, _ in layers] == [(4, 5), (5, 4), (4, 3)]
    assert all(np.all(b == 0) for _, b in layers)
    np.testing.assert_array_equal(p.flatten(layers), theta)
    np.testing.assert_array_equal(p.init(7), p.init(7))  # same seed, same numbers
    assert not np.array_equal(p.init(7), p.init(8))
    for q in (TabularPreferences(3, 2), MatrixPreferences(2, 2), LinearPreferences(TABLE)):
        np.testing.assert_array_equal(q.init(0), np.zeros(q.n_params))


def test_sampling_matches_the_probabilities():
    p, theta, obs, _ = make("matrix")
    many = np.repeat(obs[:1], 20000, axis=0)
    draws = SoftmaxPolicy(p, theta).sample(many, np.random.default_rng(0))
    freq = np.bincount(draws, minlength=N_ACTIONS) / draws.size
    pi = SoftmaxPolicy(p, theta).probs(obs[:1])[0]
    np.testing.assert_allclose(freq, pi, atol=5 * np.sqrt(pi * (1 - pi) / draws.size).max())


# ------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: SoftmaxPolicy("tabular", np.zeros(4)).score([0], [0]),
            TypeError,
            "param must be a parametrisation",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(3)).score([0], [0]),
            ValueError,
            r"theta must have shape \(n_params,\) = \(4,\)",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(4)).score([2], [0]),
            ValueError,
            r"observations must lie in \[0, 2\)",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(4)).score([0.5], [0]),
            TypeError,
            "observations must be integer",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(4)).score([[0]], [0]),
            ValueError,
            r"shape \(batch,\)",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(4)).score([0], [0, 1]),
            ValueError,
            r"actions must have shape \(batch,\) = \(1,\)",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(4)).score([0], [2]),
            ValueError,
            r"actions must lie in \[0, 2\)",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(4), 0.0).score([0], [0]),
            ValueError,
            "temperature",
        ),
        (
            lambda: SoftmaxPolicy(MatrixPreferences(3, 2), np.zeros(8)).score(
                np.zeros((1, 2)), [0]
            ),
            ValueError,
            r"observations must have shape \(batch, n_inputs\) = \(batch, 3\); got shape \(1, 2\)",
        ),
        (
            lambda: SoftmaxPolicy(MatrixPreferences(2, 2), np.zeros(6)).probs([[np.nan, 0.0]]),
            ValueError,
            "observations must contain only finite values",
        ),
        (
            lambda: SoftmaxPolicy(MatrixPreferences(2, 2), np.zeros(6)).probs([[np.inf, 0.0]]),
            ValueError,
            "observations must contain only finite",
        ),
        (
            lambda: SoftmaxPolicy(MatrixPreferences(2, 2), np.full(6, 1e308)).probs(
                [[1e308, 1e308]]
            ),
            ValueError,
            r"MatrixPreferences.preferences\(theta, observations\) returned a non-finite value",
        ),
        (
            lambda: SoftmaxPolicy(
                MatrixPreferences(2, 2, state_fn=lambda o: np.zeros((1, 3))), np.zeros(6)
            ).probs([[0.0]]),
            ValueError,
            r"state_fn\(observations\) must have shape",
        ),
        (
            lambda: SoftmaxPolicy(MLPPreferences(2, 2), np.zeros(3)).probs([[0.0, 0.0]]),
            ValueError,
            "theta must have shape",
        ),
        (
            lambda: SoftmaxPolicy(
                LinearPreferences(_features_fn, n_actions=2, n_features=4), np.zeros(4)
            ).probs([0.0]),
            ValueError,
            r"features\(observations\) must have shape",
        ),
        (lambda: LinearPreferences(_features_fn), TypeError, "needs n_actions and n_features"),
        (
            lambda: LinearPreferences(np.zeros((3, 2))),
            ValueError,
            r"shape \(n_states, n_actions, n_features\)",
        ),
        (lambda: LinearPreferences(TABLE, n_actions=2), ValueError, "n_actions must equal"),
        (lambda: MLPPreferences(2, 2, hidden=32), TypeError, "hidden must be a sequence"),
        (lambda: MLPPreferences(2, 2, hidden=(0,)), TypeError, "hidden must be a sequence"),
        (lambda: MatrixPreferences(0, 2), ValueError, "n_inputs must be an integer >= 1"),
        (lambda: MatrixPreferences(2, 2, bias=1), TypeError, "bias must be True or False"),
        (lambda: TabularPreferences(2, 2.0), TypeError, "n_actions must be an integer"),
        (
            lambda: MLPPreferences(1, 2, hidden=()).flatten([(np.zeros((2, 2)), np.zeros(2))]),
            ValueError,
            "layer 0 must have W of shape",
        ),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(3)),
            ValueError,
            "theta must have shape",
        ),
        (lambda: SoftmaxPolicy("table", np.zeros(4)), TypeError, "param must be a parametrisation"),
        (
            lambda: SoftmaxPolicy(TabularPreferences(2, 2), np.zeros(4)).sample([0], None),
            TypeError,
            "rng must be",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
