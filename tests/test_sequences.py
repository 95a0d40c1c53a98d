"""The small language model and its oracle: the enumeration by hand, probabilities summing to
one, the exact gradients against central differences, sampling against the exact
probabilities, -inf masks, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from _examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from softmax_pg import numerical_gradient
from softmax_pg.sequences import (
    MaskedPreferences,
    TinyLanguageModel,
    all_responses,
    exact_gradient,
    exact_kl,
    exact_kl_gradient,
    expected_gradient,
    expected_reward,
    response_probs,
    sample_responses,
    sequence_policy_gradient,
    sequence_scores,
    token_log_probs,
)

SMALL = TinyLanguageModel(targets=(1, 2), n_digits=2, max_len=2)


def test_the_enumeration_by_hand():
    # digits {0, 1}, at most 2: the responses are 0, 1, 00, 01, 10, 11, each then "end" (2)
    lm = SMALL
    assert (lm.n_prefixes, lm.n_responses, lm.n_states, lm.n_tokens) == (7, 6, 14, 3)
    np.testing.assert_array_equal(
        lm.responses, [[0, 2, 0], [1, 2, 0], [0, 0, 2], [0, 1, 2], [1, 0, 2], [1, 1, 2]]
    )
    np.testing.assert_array_equal(lm.lengths, [2, 2, 3, 3, 3, 3])
    np.testing.assert_array_equal(lm.digit_sums, [0, 1, 0, 1, 1, 2])
    np.testing.assert_array_equal(lm.prefixes[3], [0, 1, 4])  # "", "0", "01"
    np.testing.assert_array_equal(lm.reward([0] * 6, lm.digit_sums), [0, 1, 0, 1, 1, 0])
    m = lm.mask()
    assert m[0].tolist() == [0.0, 0.0, -np.inf]  # no end before a digit
    assert m[lm.offsets[2]].tolist() == [-np.inf, -np.inf, 0.0]  # only end after max_len
    x = lm.encode(lm.states([1], [4]))  # prompt 1, prefix "01"
    np.testing.assert_array_equal(x, [[0, 1, 1, 0, 0, 1]])


def test_uniform_policy_probabilities_by_hand():
    lm = SMALL
    p = response_probs(lm, lm.tabular(), np.zeros(lm.tabular().n_params))
    # first token: 2 digits (end masked); then 3 tokens; then only end
    np.testing.assert_allclose(p[0], [1 / 6, 1 / 6] + [1 / 6] * 4)
    assert expected_reward(lm, lm.tabular(), np.zeros(42)) == pytest.approx((3 / 6 + 1 / 6) / 2)


def _theta(param, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return param.init(rng) + scale * rng.normal(size=param.n_params)


@settings(max_examples=examples(25), deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.0, 30.0), kind=st.sampled_from(["t", "m"]))
def test_probabilities_sum_to_one_and_the_expected_score_is_zero(seed, scale, kind):
    lm = TinyLanguageModel(targets=(2, 3), n_digits=3, max_len=3)
    param = lm.tabular() if kind == "t" else lm.mlp(hidden=(4,))
    theta = _theta(param, seed, scale)
    p = response_probs(lm, param, theta)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(p >= 0.0)
    ones = np.ones((lm.n_prompts * lm.n_responses, lm.n_positions))
    expected_score = expected_gradient(lm, param, theta, ones)
    np.testing.assert_allclose(expected_score, 0.0, atol=1e-12 * max(1.0, scale))


@pytest.mark.parametrize("kind", ["tabular", "mlp"])
def test_exact_gradient_and_kl_gradient_by_central_differences(kind):
    lm = TinyLanguageModel(targets=(1, 2), n_digits=2, max_len=3)
    param = lm.tabular() if kind == "tabular" else lm.mlp(hidden=(5,))
    theta, ref = _theta(param, 1, 0.7), _theta(param, 2, 0.7)
    num = numerical_gradient(lambda t: expected_reward(lm, param, t), theta)
    np.testing.assert_allclose(exact_gradient(lm, param, theta), num, atol=1e-8)
    num_kl = numerical_gradient(lambda t: exact_kl(lm, param, t, ref), theta)
    np.testing.assert_allclose(exact_kl_gradient(lm, param, theta, ref), num_kl, atol=1e-8)
    assert exact_kl(lm, param, theta, theta) == 0.0
    assert exact_kl(lm, param, theta, ref) > 0.0


def test_sequence_scores_by_central_differences():
    lm = SMALL
    param = lm.mlp(hidden=(4,))
    theta = _theta(param, 3)
    batch = all_responses(lm)
    scores = sequence_scores(param, theta, batch)
    for i in (0, 5, 7, 11):
        one = _rows(batch, [i])
        num = numerical_gradient(lambda t, one=one: token_log_probs(param, t, one).sum(), theta)
        np.testing.assert_allclose(scores[i], num, atol=1e-8)
    w = np.random.default_rng(0).normal(size=batch.tokens.shape)
    step = sequence_policy_gradient(param, theta, batch, w)
    num = numerical_gradient(lambda t: (w * token_log_probs(param, t, batch)).sum(), theta)
    np.testing.assert_allclose(step.gradient, num, atol=1e-8)


def _rows(batch, idx):
    return type(batch)(*(getattr(batch, f)[idx] for f in batch.__dataclass_fields__))


def test_sampling_matches_the_exact_probabilities_and_is_reproducible():
    lm = SMALL
    param = lm.tabular()
    theta = _theta(param, 4)
    n = 40_000
    a = sample_responses(lm, param, theta, np.zeros(n, dtype=int), np.random.default_rng(9))
    b = sample_responses(lm, param, theta, np.zeros(n, dtype=int), 9)
    for f in a.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    code = (a.tokens * 3 ** np.arange(lm.n_positions)).sum(axis=1)
    ref_code = (lm.responses * 3 ** np.arange(lm.n_positions)).sum(axis=1)
    freq = np.array([(code == c).mean() for c in ref_code])
    p = response_probs(lm, param, theta)[0]
    assert freq.sum() == 1.0
    np.testing.assert_array_less(np.abs(freq - p), 4 * np.sqrt(p * (1 - p) / n) + 1e-12)
    rows = all_responses(lm)
    idx = lm.response_index(a)
    np.testing.assert_array_equal(rows.tokens[idx], a.tokens)
    np.testing.assert_array_equal(rows.prompts[idx], a.prompts)
    np.testing.assert_array_equal(
        a.rewards, lm.reward(a.prompts, (a.tokens * (a.tokens < 2) * a.mask).sum(axis=1))
    )


def test_masked_tokens_have_probability_zero_score_zero_and_no_nan():
    lm = SMALL
    param = lm.tabular()
    theta = _theta(param, 5, 50.0)  # large preferences as well
    batch = all_responses(lm)
    step = sequence_policy_gradient(
        param, theta, batch, np.ones(batch.tokens.shape), entropy_coef=0.3, keep_scores=True
    )
    assert np.isfinite(step.gradient).all() and np.isfinite(step.scores).all()
    assert np.isfinite(step.entropy)
    table = step.scores.reshape(len(step.scores), lm.n_states, lm.n_tokens)
    masked = np.broadcast_to(np.isinf(lm.mask()), table.shape)
    assert np.all(table[masked] == 0.0)
    h = param.preferences(theta, np.arange(lm.n_states))
    from softmax_pg import softmax

    with np.errstate(invalid="ignore"):
        p = softmax(h[np.isfinite(h).all(axis=1)])
    assert np.isfinite(p).all()


def test_the_kernel_takes_minus_infinity_preferences():
    # the package's kernel (trusted, unchecked) gives probability 0 and score 0 at -inf
    from softmax_pg import _kernel

    h = np.array([[0.0, -np.inf, 1.0]])
    p = _kernel.softmax(h)
    assert p[0, 1] == 0.0 and np.isclose(p.sum(), 1.0)
    g = _kernel.score_from_probs(p.copy(), np.array([2]))
    assert g[0, 1] == 0.0 and np.isfinite(g).all()
    assert _kernel.log_softmax(h)[0, 1] == -np.inf


def test_bad_input_is_named():
    lm = SMALL
    param = lm.tabular()
    with pytest.raises(ValueError, match="theta must have shape"):
        expected_reward(lm, param, np.zeros(3))
    with pytest.raises(TypeError, match="param must be the MaskedPreferences"):
        expected_reward(lm, TinyLanguageModel().tabular(), np.zeros(42))
    with pytest.raises(TypeError, match="lm must be a TinyLanguageModel"):
        exact_gradient("lm", param, np.zeros(42))
    with pytest.raises(ValueError, match="token_weights must have shape"):
        expected_gradient(lm, param, np.zeros(42), np.ones((3, 3)))
    with pytest.raises(ValueError, match="prompts must lie in"):
        sample_responses(lm, param, np.zeros(42), [0, 2], 0)
    with pytest.raises(TypeError, match="rng must be"):
        sample_responses(lm, param, np.zeros(42), [0, 1], None)
    batch = all_responses(lm)
    with pytest.raises(ValueError, match="weights must have shape"):
        sequence_policy_gradient(param, np.zeros(42), batch, np.ones(3))
    with pytest.raises(ValueError, match="theta must contain only finite"):
        sequence_scores(param, np.full(42, np.nan), batch)
    with pytest.raises(ValueError, match="too many to enumerate"):
        TinyLanguageModel(n_digits=10, max_len=6)
    with pytest.raises(TypeError, match="targets must be"):
        TinyLanguageModel(targets=[1.5])
    with pytest.raises(ValueError, match="allows no token"):
        MaskedPreferences(param.inner, np.full((14, 3), -np.inf))
    with pytest.raises(ValueError, match="only 0"):
        MaskedPreferences(param.inner, np.ones((14, 3)))
