"""Each estimator's Monte-Carlo mean against the exact gradient of the enumeration: the
unbiased ones within a few standard errors, the biased ones off where theory says; the KL
estimators' expectations against the exact KL; the estimators' weights by hand."""

from __future__ import annotations

import numpy as np
import pytest
from softmax_pg import numerical_gradient
from softmax_pg.sequences import (
    TinyLanguageModel,
    all_responses,
    exact_gradient,
    exact_kl,
    exact_kl_gradient,
    expected_gradient,
    expected_group_advantages,
    grpo_advantages,
    kl_estimates,
    kl_loss_weights,
    ppo_weights,
    reinforce_advantages,
    response_probs,
    rloo_advantages,
    sample_responses,
    sequence_scores,
    token_log_probs,
    token_weights,
    train,
)

LM = TinyLanguageModel(targets=(2, 3), n_digits=3, max_len=3)
K, DRAWS = 4, 2000


@pytest.fixture(scope="module")
def draws():
    """DRAWS groups of K responses to each prompt, their per-response scores and rewards."""
    param = LM.tabular()
    theta = np.random.default_rng(0).normal(size=param.n_params) * 0.5
    prompts = np.tile(np.repeat(np.arange(LM.n_prompts), K), DRAWS)
    batch = sample_responses(LM, param, theta, prompts, np.random.default_rng(1))
    scores = sequence_scores(param, theta, batch)
    return param, theta, batch, scores


def _mean_and_se(batch, scores, a):
    """Each draw's estimate (1/(n_prompts K)) sum_i a_i score_i; their mean and its SE."""
    per = (a[:, None] * scores).reshape(DRAWS, LM.n_prompts * K, -1).mean(axis=1)
    return per.mean(axis=0), per.std(axis=0, ddof=1) / np.sqrt(DRAWS)


def _chi2(mean, se, target):
    """sum of squared z-scores over the coordinates that vary, and their number."""
    live = se > 0  # coordinates of masked tokens (and of states no draw reached) never vary
    return float((((mean - target)[live] / se[live]) ** 2).sum()), int(live.sum())


def _agrees(mean, se, target):
    chi2, dof = _chi2(mean, se, target)
    return chi2 < dof + 5 * np.sqrt(2 * dof)


def test_unbiased_estimators_match_the_exact_gradient(draws):
    param, theta, batch, scores = draws
    exact = exact_gradient(LM, param, theta)
    r = batch.rewards.reshape(-1, K)
    for a in (reinforce_advantages(r), reinforce_advantages(r, 0.3), rloo_advantages(r)):
        mean, se = _mean_and_se(batch, scores, a.reshape(-1))
        assert _agrees(mean, se, exact)
    # the sign of the test: a wrong target is rejected at this number of draws
    mean, se = _mean_and_se(batch, scores, rloo_advantages(r).reshape(-1))
    assert not _agrees(mean, se, 0.8 * exact)


def test_group_mean_shrinks_the_gradient_by_k_minus_one_over_k(draws):
    param, theta, batch, scores = draws
    exact = exact_gradient(LM, param, theta)
    a = grpo_advantages(batch.rewards.reshape(-1, K), scale=False).reshape(-1)
    mean, se = _mean_and_se(batch, scores, a)
    assert _agrees(mean, se, (K - 1) / K * exact)
    assert not _agrees(mean, se, exact)


def test_length_normalisation_targets_another_gradient(draws):
    param, theta, batch, scores = draws
    everything = all_responses(LM)
    r_over_len = (everything.rewards / everything.lengths)[:, None]
    target = expected_gradient(
        LM, param, theta, np.broadcast_to(r_over_len, everything.tokens.shape)
    )
    a = batch.rewards / batch.lengths  # REINFORCE per token: with a baseline b/|y| biases too
    mean, se = _mean_and_se(batch, scores, a)
    assert _agrees(mean, se, target)
    exact = exact_gradient(LM, param, theta)
    c = target @ exact / (exact @ exact)  # the best multiple of the exact gradient
    assert not _agrees(mean, se, c * exact)


def _group_target(param, theta, estimator):
    """The exact expectation of a group estimator, from expected_group_advantages."""
    everything = all_responses(LM)
    p = response_probs(LM, param, theta)
    success = (p * everything.rewards.reshape(p.shape)).sum(axis=1)
    table = expected_group_advantages(success, K, estimator)
    w = table[everything.prompts, everything.rewards.astype(int)]
    return expected_gradient(LM, param, theta, np.broadcast_to(w[:, None], everything.tokens.shape))


def test_group_estimators_match_their_closed_form(draws):
    param, theta, batch, scores = draws
    exact = exact_gradient(LM, param, theta)
    np.testing.assert_allclose(_group_target(param, theta, "rloo"), exact, atol=1e-14)
    np.testing.assert_allclose(_group_target(param, theta, "group_mean"), 0.75 * exact, atol=1e-14)
    target = _group_target(param, theta, "grpo")
    a = grpo_advantages(batch.rewards.reshape(-1, K)).reshape(-1)
    mean, se = _mean_and_se(batch, scores, a)
    assert _agrees(mean, se, target)
    # the std division scales prompt x's part of the gradient by a factor of its own (about
    # 1/std_x): where the prompts' success rates differ, so do the factors
    theta2 = (theta.reshape(LM.n_prompts, -1) * np.array([[0.0], [3.0]])).ravel()
    target = _group_target(param, theta2, "grpo").reshape(LM.n_prompts, -1)
    exact = exact_gradient(LM, param, theta2).reshape(LM.n_prompts, -1)  # a table: one block each
    c = (target * exact).sum(axis=1) / (exact * exact).sum(axis=1)
    np.testing.assert_allclose(target, c[:, None] * exact, atol=1e-14)
    p = response_probs(LM, param, theta2)
    success = (p * all_responses(LM).rewards.reshape(p.shape)).sum(axis=1)
    table = expected_group_advantages(success, K, "grpo")
    np.testing.assert_allclose(c, table[:, 1] - table[:, 0], rtol=1e-12)  # E[A|1] - E[A|0]
    assert abs(c[1] / c[0] - 1) > 0.02


def test_kl_estimators_expectations_and_gradients_exactly():
    param = LM.tabular()
    rng = np.random.default_rng(2)
    theta, ref = rng.normal(size=param.n_params), rng.normal(size=param.n_params)
    everything = all_responses(LM)
    lp, ref_lp = token_log_probs(param, theta, everything), token_log_probs(param, ref, everything)
    p = response_probs(LM, param, theta).ravel() / LM.n_prompts
    kl = exact_kl(LM, param, theta, ref)
    sums = {k: kl_estimates(lp, ref_lp, k).sum(axis=1) for k in ("k1", "k2", "k3")}
    assert p @ sums["k1"] == pytest.approx(kl, rel=1e-12)
    assert p @ sums["k3"] == pytest.approx(kl, rel=1e-12)  # per-token k3 sums to the sequence KL
    assert abs(p @ sums["k2"] - kl) > 1e-3 * kl
    grad_kl = exact_kl_gradient(LM, param, theta, ref)
    shape = everything.tokens.shape
    as_reward = expected_gradient(LM, param, theta, np.broadcast_to(sums["k1"][:, None], shape))
    np.testing.assert_allclose(as_reward, grad_kl, atol=1e-13)
    loss = {
        k: expected_gradient(LM, param, theta, kl_loss_weights(lp, ref_lp, k))
        for k in ("k1", "k2", "k3")
    }
    np.testing.assert_allclose(loss["k1"], 0.0, atol=1e-13)  # E[score] = 0
    assert np.linalg.norm(loss["k2"] - grad_kl) > 1e-2 * np.linalg.norm(grad_kl)  # per token
    # k3 of the whole response as a loss: (1 - r) grad log pi(y), the reverse KL's gradient
    q = response_probs(LM, param, ref).ravel() / LM.n_prompts
    seq_k3 = expected_gradient(LM, param, theta, np.broadcast_to((1 - q / p)[:, None], shape))
    rev = numerical_gradient(lambda t: exact_kl(LM, param, ref, t), theta)
    np.testing.assert_allclose(seq_k3, rev, atol=1e-8)
    assert np.linalg.norm(loss["k3"] - grad_kl) > 1e-2 * np.linalg.norm(grad_kl)  # per token


def test_weights_by_hand():
    r = np.array([[1.0, 0.0, 0.0, 1.0]])
    np.testing.assert_allclose(rloo_advantages(r), [[1 - 1 / 3, -2 / 3, -2 / 3, 1 - 1 / 3]])
    np.testing.assert_allclose(grpo_advantages(r, eps=1e-12), [[1, -1, -1, 1]], rtol=1e-10)
    np.testing.assert_allclose(grpo_advantages(np.ones((1, 3))), 0.0)
    w = token_weights([2.0, -1.0], np.array([1, 3]), 4, normalise="length")
    np.testing.assert_allclose(w, [[2, 0, 0, 0], [-1 / 3, -1 / 3, -1 / 3, 0]])
    w = token_weights([2.0, -1.0], np.array([1, 3]), 4, normalise="constant", constant=4)
    np.testing.assert_allclose(w, [[0.5, 0, 0, 0], [-0.25, -0.25, -0.25, 0]])
    lp, old = np.log([1.5, 0.5, 1.1, 0.7]), np.zeros(4)
    np.testing.assert_allclose(
        ppo_weights(lp, old, [1.0, -1.0, 1.0, 1.0], clip=0.2), [0.0, 0.0, 1.1, 0.7]
    )


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="group_size >= 2"):
        rloo_advantages([[1.0]])
    with pytest.raises(ValueError, match="normalise must be"):
        token_weights([1.0], np.array([1]), 2, normalise="mean")
    with pytest.raises(ValueError, match="needs constant"):
        token_weights([1.0], np.array([1]), 2, normalise="constant")
    with pytest.raises(ValueError, match="lengths must lie"):
        token_weights([1.0], np.array([3]), 2)
    with pytest.raises(ValueError, match="one shape"):
        ppo_weights([0.0], [0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="clip must be"):
        ppo_weights([0.0], [0.0], [1.0], clip=0.0)
    with pytest.raises(ValueError, match="estimator must be one of"):
        kl_estimates([0.0], [0.0], "k4")
    with pytest.raises(ValueError, match="estimator must be one of"):
        train(
            LM,
            LM.tabular(),
            np.zeros(LM.tabular().n_params),
            estimator="ppo",
            steps=1,
            group_size=2,
            lr=1.0,
            rng=0,
        )


def test_training_raises_the_exact_j_and_is_reproducible():
    param = LM.tabular()
    kw = dict(estimator="rloo", steps=30, group_size=4, lr=2.0)
    theta, j = train(LM, param, np.zeros(param.n_params), rng=3, **kw)
    theta2, j2 = train(LM, param, np.zeros(param.n_params), rng=np.random.default_rng(3), **kw)
    np.testing.assert_array_equal(theta, theta2)
    np.testing.assert_array_equal(j, j2)
    assert j[-1] > j[0] + 0.1
