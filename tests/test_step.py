"""The public policy-gradient step: a hand-worked example, the gradient of its objective
by central differences and by torch autograd, the large-batch route, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from softmax_pg import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    Parametrisation,
    TabularPreferences,
    kernel,
    numerical_gradient,
    policy_gradient,
)
from softmax_pg.step import SCORES_UP_TO


def objective(param, theta, obs, actions, weights, tau, beta):
    """sum_i w_i log pi(a_i|s_i) + beta * sum_i H(pi(.|s_i)): what the step differentiates."""
    h = param.preferences(theta, obs)
    log_p = kernel.log_softmax(h, tau)
    taken = log_p[np.arange(len(actions)), actions]
    return float(weights @ taken + beta * kernel.preference_entropy(h, tau).sum())


def test_one_state_by_hand():
    # theta = 0 over 3 actions: pi = 1/3 each; the score of action 1 is e_1 - pi.
    step = policy_gradient(TabularPreferences(1, 3), np.zeros(3), [0], [1], [2.0])
    np.testing.assert_allclose(step.gradient, 2.0 * np.array([-1 / 3, 2 / 3, -1 / 3]))
    np.testing.assert_allclose(step.log_probs, [np.log(1 / 3)])
    assert step.entropy == pytest.approx(np.log(3))


@pytest.mark.parametrize("tau, beta", [(1.0, 0.0), (0.6, 0.3)])
@pytest.mark.parametrize("kind", ["matrix", "mlp"])
def test_gradient_is_the_objectives_by_central_differences(kind, tau, beta):
    rng = np.random.default_rng(5)
    param = MatrixPreferences(3, 4) if kind == "matrix" else MLPPreferences(3, 4, hidden=(5,))
    theta = param.init(rng) + 0.4 * rng.normal(size=param.n_params)
    obs, actions, w = rng.normal(size=(9, 3)), rng.integers(0, 4, 9), rng.normal(size=9)
    step = policy_gradient(param, theta, obs, actions, w, temperature=tau, entropy_coef=beta)
    expected = numerical_gradient(lambda t: objective(param, t, obs, actions, w, tau, beta), theta)
    np.testing.assert_allclose(step.gradient, expected, atol=1e-7)
    if beta == 0.0:
        np.testing.assert_array_equal(step.gradient, w @ step.scores)


def test_gradient_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    param = MatrixPreferences(3, 4)
    theta = rng.normal(size=param.n_params)
    obs, actions, w = rng.normal(size=(6, 3)), rng.integers(0, 4, 6), rng.normal(size=6)
    step = policy_gradient(param, theta, obs, actions, w, temperature=0.8, entropy_coef=0.2)
    t = torch.tensor(theta, requires_grad=True)
    x = torch.cat([torch.tensor(obs), torch.ones(6, 1, dtype=torch.float64)], 1)
    logits = x @ t.reshape(4, 4) / 0.8
    log_p = logits.log_softmax(-1)
    taken = log_p.gather(1, torch.tensor(actions)[:, None])[:, 0]
    entropy = -(log_p.exp() * log_p).sum(-1)
    (torch.tensor(w) @ taken + 0.2 * entropy.sum()).backward()
    np.testing.assert_allclose(step.gradient, t.grad.numpy(), atol=1e-12)


def test_large_batches_take_the_summed_route_with_the_same_gradient():
    rng = np.random.default_rng(3)
    param = TabularPreferences(64, 4)
    n = SCORES_UP_TO // param.n_params + 1
    obs, actions, w = rng.integers(0, 64, n), rng.integers(0, 4, n), rng.normal(size=n)
    theta = rng.normal(size=param.n_params)
    big = policy_gradient(param, theta, obs, actions, w)
    kept = policy_gradient(param, theta, obs, actions, w, keep_scores=True)
    assert big.scores is None and kept.scores.shape == (n, param.n_params)
    np.testing.assert_allclose(big.gradient, kept.gradient, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "change, error, words",
    [
        ({"actions": [0, 3]}, ValueError, "actions"),
        ({"weights": [1.0]}, ValueError, "shape (batch,) = (2,)"),
        ({"weights": [1.0, np.nan]}, ValueError, "weights"),
        ({"theta": np.zeros(5)}, ValueError, "theta must have shape (n_params,) = (6,)"),
        ({"entropy_coef": -1.0}, ValueError, "entropy_coef must be >= 0"),
        ({"temperature": 0.0}, ValueError, "temperature"),
    ],
)
def test_bad_input_names_the_argument(change, error, words):
    args = {"theta": np.zeros(6), "actions": [0, 2], "weights": [1.0, 2.0]}
    options = {k: change.pop(k) for k in ("entropy_coef", "temperature") if k in change}
    args.update(change)
    with pytest.raises(error, match=None) as info:
        policy_gradient(
            TabularPreferences(2, 3),
            args["theta"],
            [0, 1],
            args["actions"],
            args["weights"],
            **options,
        )
    assert words in str(info.value)


def test_overflowing_weights_raise_instead_of_returning_inf():
    with pytest.raises(FloatingPointError, match="scale the weights down"):
        policy_gradient(TabularPreferences(1, 2), np.zeros(2), [0] * 3, [0] * 3, [1.5e308] * 3)


@pytest.mark.parametrize("kind", ["tabular", "mlp"])
def test_linearise_gives_the_methods_numbers(kind):
    rng = np.random.default_rng(11)
    if kind == "mlp":
        param = MLPPreferences(3, 4, hidden=(5,))
        obs = rng.normal(size=(7, 3))
    else:
        param = TabularPreferences(5, 4)
        obs = rng.integers(0, 5, 7)
    theta = param.init(rng) + 0.3 * rng.normal(size=param.n_params)
    g = rng.normal(size=(7, 4))
    h, pullback = param.linearise(theta, obs)
    np.testing.assert_array_equal(h, param.preferences(theta, obs))
    np.testing.assert_array_equal(pullback(g), param.vjp(theta, obs, g))
    np.testing.assert_array_equal(pullback(g, summed=True), param.vjp_sum(theta, obs, g))


def _many_case(kind, rng):
    """A parametrisation, three runs' theta and each run's batch of five observations."""
    if kind == "tabular":
        param, obs = TabularPreferences(4, 3), rng.integers(0, 4, (3, 5))
    elif kind == "linear":
        param = LinearPreferences(rng.normal(size=(4, 3, 2)))
        obs = rng.integers(0, 4, (3, 5))
    else:
        param, obs = MLPPreferences(2, 3, hidden=(4,)), rng.normal(size=(3, 5, 2))
    thetas = np.stack([param.init(rng) + 0.5 * rng.normal(size=param.n_params) for _ in "abc"])
    return param, thetas, obs


@pytest.mark.parametrize("kind", ["tabular", "linear", "mlp"])
def test_many_thetas_give_each_runs_own_step(kind):
    rng = np.random.default_rng(21)
    param, thetas, obs = _many_case(kind, rng)
    actions, w = rng.integers(0, 3, (3, 5)), rng.normal(size=(3, 5))
    many = policy_gradient(
        param, thetas, obs, actions, w, temperature=0.7, entropy_coef=0.2, keep_scores=True
    )
    assert many.gradient.shape == thetas.shape and many.scores.shape == (3, 5, param.n_params)
    for r in range(3):
        one = policy_gradient(
            param,
            thetas[r],
            obs[r],
            actions[r],
            w[r],
            temperature=0.7,
            entropy_coef=0.2,
            keep_scores=True,
        )
        np.testing.assert_allclose(many.gradient[r], one.gradient, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(many.scores[r], one.scores, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(many.log_probs[r], one.log_probs, rtol=1e-14)
        assert many.entropy[r] == pytest.approx(one.entropy, rel=1e-14)


def test_many_thetas_of_a_table_sum_each_run_in_batch_order():
    # theta = 0 in one state of 2 actions: both steps' scores are e_a - 1/2, weighted.
    step = policy_gradient(
        TabularPreferences(1, 2),
        np.zeros((2, 2)),
        [[0, 0], [0, 0]],
        [[0, 1], [1, 1]],
        [[1.0, 3.0], [2.0, -1.0]],
    )
    np.testing.assert_array_equal(step.gradient, [[-1.0, 1.0], [-0.5, 0.5]])


@pytest.mark.parametrize(
    "change, words",
    [
        ({"theta": np.zeros((2, 5))}, "(runs, n_params) with runs >= 1 and n_params = 6"),
        ({"theta": np.zeros((3, 6))}, "one batch per run, length runs = 3"),
        ({"actions": [[0, 1]]}, "shape (runs, batch) = (2, 2)"),
        ({"weights": [[1.0, np.nan], [0.0, 0.0]]}, "weights"),
    ],
)
def test_many_thetas_bad_input_names_the_argument(change, words):
    args = {"theta": np.zeros((2, 6)), "actions": [[0, 2], [1, 1]], "weights": np.ones((2, 2))}
    args.update(change)
    with pytest.raises(ValueError) as info:
        policy_gradient(
            TabularPreferences(2, 3),
            args["theta"],
            [[0, 1], [1, 1]],
            args["actions"],
            args["weights"],
        )
    assert words in str(info.value)


class _ViewOfTheta(Parametrisation):
    """h(s) = theta for every s, returned as a view of theta (a reader's class may do so)."""

    n_actions = n_params = 3

    def preferences(self, theta, observations):
        return np.broadcast_to(theta, (len(observations), 3))

    def vjp(self, theta, observations, g):
        return g.copy()


def test_entropy_and_log_probs_are_of_the_steps_policy_when_read_after_theta_moved():
    theta = np.array([0.5, -1.0, 2.0])
    h0 = theta.copy()
    step = policy_gradient(_ViewOfTheta(), theta, [0, 0], [2, 1], [1.0, -2.0], temperature=0.5)
    theta += 10.0 * step.gradient  # in place, as the online learners step
    assert step.entropy == pytest.approx(float(kernel.preference_entropy(h0, 0.5)), rel=1e-15)
    np.testing.assert_array_equal(step.log_probs, kernel.log_softmax(h0, 0.5)[[2, 1]])
