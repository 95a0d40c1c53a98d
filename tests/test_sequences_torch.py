"""The sequence score, PPO's clipped surrogate and the KL losses against torch autograd of
``logits.log_softmax(-1).gather(...)`` with -inf masks and padding, as practitioners write it."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from softmax_pg.sequences import (
    KL_ESTIMATORS,
    TinyLanguageModel,
    all_responses,
    kl_estimates,
    kl_loss_weights,
    ppo_weights,
    sample_responses,
    sequence_policy_gradient,
    sequence_scores,
    token_log_probs,
)

torch = pytest.importorskip("torch")

LM = TinyLanguageModel(targets=(2, 3), n_digits=3, max_len=3)


@functools.cache
def _benchmark():
    """benchmarks/language_model.py as a module (the benchmarks are not a package): the
    test checks the package against the benchmark's torch code."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "language_model.py"
    spec = importlib.util.spec_from_file_location("language_model_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def torch_log_probs(lm, param, theta, batch):
    """(n, n_positions) token log-probabilities in torch, 0 at padding, and the leaf theta."""
    return _benchmark().torch_log_probs(lm, param, theta, batch)


@pytest.mark.parametrize("which", ["all", "sampled"])
def test_sequence_scores_match_torch(which):
    param = LM.mlp(hidden=(6,))
    theta = param.init(1) + 0.5 * np.random.default_rng(1).normal(size=param.n_params)
    if which == "all":
        batch = all_responses(LM)
    else:
        batch = sample_responses(LM, param, theta, np.arange(40) % 2, np.random.default_rng(2))
    lp, t = torch_log_probs(LM, param, theta, batch)
    np.testing.assert_allclose(
        token_log_probs(param, theta, batch), lp.detach().numpy(), atol=1e-12
    )
    c = np.random.default_rng(3).normal(size=len(batch))
    (torch.tensor(c) * lp.sum(-1)).sum().backward()
    np.testing.assert_allclose(c @ sequence_scores(param, theta, batch), t.grad.numpy(), atol=1e-10)
    assert torch.isfinite(t.grad).all()


def test_ppo_clipped_surrogate_matches_torch():
    param = LM.mlp(hidden=(6,))
    rng = np.random.default_rng(4)
    old = param.init(4) + 0.5 * rng.normal(size=param.n_params)
    theta = old + 0.3 * rng.normal(size=param.n_params)  # far enough that some ratios clip
    batch = sample_responses(LM, param, old, np.arange(60) % 2, rng)
    adv = rng.normal(size=batch.tokens.shape) * batch.mask
    old_lp = token_log_probs(param, old, batch)
    lp = token_log_probs(param, theta, batch)
    w = ppo_weights(lp, old_lp, adv, clip=0.2)
    assert np.any((w == 0) & (adv != 0)), "no clipped token: the test would not test the clip"
    got = sequence_policy_gradient(param, theta, batch, w).gradient
    tlp, t = torch_log_probs(LM, param, theta, batch)
    ratio = torch.exp(tlp - torch.tensor(old_lp))
    a = torch.tensor(adv)
    torch.minimum(ratio * a, ratio.clamp(0.8, 1.2) * a).sum().backward()
    np.testing.assert_allclose(got, t.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("estimator", KL_ESTIMATORS)
def test_kl_loss_weights_match_torch(estimator):
    param = LM.mlp(hidden=(6,))
    rng = np.random.default_rng(5)
    theta = param.init(5) + 0.5 * rng.normal(size=param.n_params)
    ref = theta + 0.4 * rng.normal(size=param.n_params)
    batch = sample_responses(LM, param, theta, np.arange(30) % 2, rng)
    lp, ref_lp = token_log_probs(param, theta, batch), token_log_probs(param, ref, batch)
    k = kl_estimates(lp, ref_lp, estimator)
    got = sequence_policy_gradient(param, theta, batch, kl_loss_weights(lp, ref_lp, estimator))
    tlp, t = torch_log_probs(LM, param, theta, batch)
    ell = tlp - torch.tensor(ref_lp)
    tk = {"k1": ell, "k2": 0.5 * ell**2, "k3": torch.exp(-ell) - 1 + ell}[estimator]
    np.testing.assert_allclose(k, tk.detach().numpy(), atol=1e-12)
    tk.sum().backward()
    np.testing.assert_allclose(got.gradient, t.grad.numpy(), atol=1e-10)
