"""The package against PyTorch autograd, an independent implementation of every score.

Each test builds the same policy in torch (float64), lets autograd differentiate
``log_softmax``, the entropy or a surrogate loss, and compares with the package's
closed forms at 1e-10 relative to the size of the result, on random shapes, parameters
and temperatures (hypothesis). PyTorch is a dependency of the tests and the book, never
of the package: the first test checks that importing ``softmax_pg`` does not import it.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from softmax_pg import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    SoftmaxPolicy,
    TabularPreferences,
    entropy_gradient,
    fisher_information,
    preference_score,
    score,
    score_matrix,
    tabular_features,
)
from torch import nn
from torch.distributions import Categorical
from torch.func import functional_call, grad, jacrev, vmap

RTOL = 1e-10
EXAMPLES = settings(max_examples=examples(30), deadline=None)
SEEDS = st.integers(0, 2**32 - 1)
TAUS = st.floats(0.1, 10.0)
SIZES = st.integers(1, 6)


def assert_close(ours: np.ndarray, torchs: torch.Tensor, scale: float = 0.0) -> None:
    """Equal to 1e-10 relative to the size of the result, or of the terms it combines.

    ``scale`` is the size of those terms (the Jacobian of the preferences divided by the
    temperature, which multiplies e_a and pi). When the policy is nearly deterministic
    e_a - pi cancels to a tiny number, and no float64 computation, ours or torch's, is
    accurate relative to that tiny result, only relative to the terms.
    """
    ref = torchs.detach().numpy()
    assert ours.shape == ref.shape
    size = max(float(np.abs(ref).max(initial=0.0)), scale, 1e-300)
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=RTOL * size)


def t(x) -> torch.Tensor:
    return torch.as_tensor(np.asarray(x, dtype=np.float64))


def per_sample_scores(log_prob_one, theta: torch.Tensor, *batched) -> torch.Tensor:
    """Autograd scores, one per sample: vmap over the batch of grad of log pi."""
    return vmap(grad(log_prob_one), in_dims=(None,) + (0,) * len(batched))(theta, *batched)


def test_importing_the_package_does_not_import_torch():
    code = (
        "import sys, softmax_pg; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'torch'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_autograd_of_categorical_log_prob_is_phi_minus_expected_phi_worked_example():
    # 2 actions, 1 feature, theta = 0: pi = (1/2, 1/2), phi = (1, -1), a = 0:
    # the score is phi(a) - E[phi] = 1 - 0 = 1, divided by tau = 2.
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    phi = torch.tensor([[1.0], [-1.0]], dtype=torch.float64)
    Categorical(logits=phi @ theta / 2.0).log_prob(torch.tensor(0)).backward()
    assert theta.grad.tolist() == [0.5]
    assert score(np.zeros(1), [[1.0], [-1.0]], 0, temperature=2.0).tolist() == [0.5]


@EXAMPLES
@given(seed=SEEDS, batch=SIZES, n_actions=SIZES, d=SIZES, tau=TAUS)
def test_linear_score_is_autograd(seed, batch, n_actions, d, tau):
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(batch, n_actions, d))
    theta = rng.normal(scale=2.0, size=d)
    a = rng.integers(0, n_actions, size=batch)

    def log_prob_one(th, f, act):
        return Categorical(logits=f @ th / tau).log_prob(act)

    auto = per_sample_scores(log_prob_one, t(theta), t(phi), torch.as_tensor(a))
    terms = np.abs(phi).max() / tau
    assert_close(score(theta, phi, a, temperature=tau), auto, terms)
    assert_close(
        SoftmaxPolicy(LinearPreferences(phi), theta, tau).score(np.arange(batch), a), auto, terms
    )


@EXAMPLES
@given(seed=SEEDS, n_states=SIZES, n_actions=SIZES, batch=SIZES, tau=TAUS)
def test_tabular_score_is_autograd(seed, n_states, n_actions, batch, tau):
    rng = np.random.default_rng(seed)
    theta = rng.normal(scale=2.0, size=n_states * n_actions)
    s = rng.integers(0, n_states, size=batch)
    a = rng.integers(0, n_actions, size=batch)

    def log_prob_one(th, e_s, act):  # the row of the table, by a one-hot product (exact)
        return Categorical(logits=e_s @ th.reshape(n_states, n_actions) / tau).log_prob(act)

    auto = per_sample_scores(log_prob_one, t(theta), t(np.eye(n_states)[s]), torch.as_tensor(a))
    assert_close(
        SoftmaxPolicy(TabularPreferences(n_states, n_actions), theta, tau).score(s, a),
        auto,
        1 / tau,
    )
    assert_close(
        score(theta, tabular_features(n_states, n_actions)[s], a, temperature=tau), auto, 1 / tau
    )


@EXAMPLES
@given(seed=SEEDS, batch=SIZES, n_actions=SIZES, tau=TAUS)
def test_preference_score_is_minus_the_cross_entropy_gradient(seed, batch, n_actions, tau):
    rng = np.random.default_rng(seed)
    h = t(rng.normal(scale=3.0, size=(batch, n_actions))).requires_grad_()
    a = rng.integers(0, n_actions, size=batch)
    F.cross_entropy(h / tau, torch.as_tensor(a), reduction="sum").backward()
    assert_close(-preference_score(h.detach().numpy(), a, tau), h.grad, 1 / tau)


@EXAMPLES
@given(seed=SEEDS, batch=SIZES, n_obs=SIZES, n_actions=SIZES, tau=TAUS)
def test_weight_matrix_score_is_nn_linear_grad_transposed(seed, batch, n_obs, n_actions, tau):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, n_obs))
    a = rng.integers(0, n_actions, size=batch)
    layer = nn.Linear(n_obs, n_actions, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(t(rng.normal(size=(n_actions, n_obs))))
        layer.bias.copy_(t(rng.normal(size=n_actions)))
    params = {k: v.detach() for k, v in layer.named_parameters()}

    def log_prob_one(p, xi, act):
        return Categorical(logits=functional_call(layer, p, (xi,)) / tau).log_prob(act)

    auto = vmap(grad(log_prob_one), in_dims=(None, 0, 0))(params, t(x), torch.as_tensor(a))
    # the package's W is (n_obs + 1, n_actions): weight transposed, the bias as last row
    W = np.vstack([params["weight"].numpy().T, params["bias"].numpy()])
    x1 = np.hstack([x, np.ones((batch, 1))])
    ours = score_matrix(W, x1, a, temperature=tau)  # (batch, n_obs + 1, n_actions)
    terms = np.abs(x1).max() / tau
    assert_close(ours[:, :-1, :], auto["weight"].transpose(1, 2), terms)
    assert_close(ours[:, -1, :], auto["bias"], terms)
    flat = SoftmaxPolicy(MatrixPreferences(n_obs, n_actions), W.ravel(), tau).score(x, a)
    both = torch.cat([auto["weight"].transpose(1, 2), auto["bias"][:, None]], 1).flatten(1)
    assert_close(flat, both, terms)


def _torch_mlp(n_in: int, hidden: tuple[int, ...], n_actions: int) -> nn.Sequential:
    layers, width = [], n_in
    for h in hidden:
        layers += [nn.Linear(width, h, dtype=torch.float64), nn.Tanh()]
        width = h
    layers.append(nn.Linear(width, n_actions, dtype=torch.float64))
    return nn.Sequential(*layers)


def _theta_of(net: nn.Sequential, prefs: MLPPreferences) -> np.ndarray:
    """The package's flat theta of a torch MLP: W_l = weight.T, b_l = bias, layer by layer."""
    linears = [m for m in net if isinstance(m, nn.Linear)]
    return prefs.flatten([(m.weight.detach().numpy().T, m.bias.detach().numpy()) for m in linears])


def _flat_grads(net: nn.Sequential, grads: dict) -> torch.Tensor:
    """Per-sample torch gradients laid out as the package's theta."""
    parts = []
    for name, m in net.named_children():
        if isinstance(m, nn.Linear):
            parts += [grads[f"{name}.weight"].transpose(1, 2).flatten(1), grads[f"{name}.bias"]]
    return torch.cat(parts, dim=1)


@EXAMPLES
@given(
    seed=SEEDS,
    batch=SIZES,
    n_in=SIZES,
    n_actions=SIZES,
    tau=TAUS,
    hidden=st.lists(st.integers(1, 5), min_size=0, max_size=2),
)
def test_network_score_is_autograd_and_the_jacobian_formula(
    seed, batch, n_in, n_actions, tau, hidden
):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed % 2**31)
    net = _torch_mlp(n_in, tuple(hidden), n_actions)
    params = {k: v.detach() for k, v in net.named_parameters()}
    x = t(rng.normal(size=(batch, n_in)))
    a = torch.as_tensor(rng.integers(0, n_actions, size=batch))

    def log_prob_one(p, xi, act):
        return Categorical(logits=functional_call(net, p, (xi,)) / tau).log_prob(act)

    auto = _flat_grads(net, vmap(grad(log_prob_one), in_dims=(None, 0, 0))(params, x, a))
    prefs = MLPPreferences(n_in, n_actions, hidden=tuple(hidden))
    theta = _theta_of(net, prefs)

    # J_h^T (e_a - pi) / tau with the per-action Jacobians from jacrev: the general formula
    def h_one(p, xi):
        return functional_call(net, p, (xi,))

    jac = _flat_grads_per_action(net, vmap(jacrev(h_one), in_dims=(None, 0))(params, x))
    terms = float(jac.abs().max()) / tau
    ours = SoftmaxPolicy(prefs, theta, tau).score(x.numpy(), a.numpy())
    assert_close(ours, auto, terms)
    pi = torch.softmax(net(x) / tau, dim=-1).detach()
    g = (F.one_hot(a, n_actions) - pi) / tau
    assert_close(ours, torch.einsum("bk,bkp->bp", g, jac), terms)


def _flat_grads_per_action(net: nn.Sequential, jac: dict) -> torch.Tensor:
    """jacrev's dict of (batch, n_actions, *param_shape) as (batch, n_actions, n_params)."""
    parts = []
    for name, m in net.named_children():
        if isinstance(m, nn.Linear):
            w = jac[f"{name}.weight"]  # (batch, n_actions, out, in)
            parts += [w.transpose(2, 3).flatten(2), jac[f"{name}.bias"]]
    return torch.cat(parts, dim=2)


@EXAMPLES
@given(seed=SEEDS, batch=SIZES, n_actions=SIZES, d=SIZES, tau=TAUS)
def test_entropy_gradient_is_autograd(seed, batch, n_actions, d, tau):
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(batch, n_actions, d))
    theta = rng.normal(scale=2.0, size=d)

    def entropy_one(th, f):
        return Categorical(logits=f @ th / tau).entropy()

    auto = vmap(grad(entropy_one), in_dims=(None, 0))(t(theta), t(phi))
    # terms pi_b log pi_b phi_b / tau, and |pi log pi| <= 1/e
    assert_close(entropy_gradient(theta, phi, temperature=tau), auto, np.abs(phi).max() / tau)


def _fisher_from_autograd(log_prob_one, theta, inputs, n_actions, probs):
    """sum_b pi_b s_b s_b^T from the autograd scores s_b of every action b."""
    batch = probs.shape[0]
    scores = torch.stack(
        [
            per_sample_scores(log_prob_one, theta, *inputs, torch.full((batch,), b))
            for b in range(n_actions)
        ],
        dim=1,
    )  # (batch, n_actions, n_params)
    return torch.einsum("bk,bkp,bkq->bpq", probs, scores, scores)


@EXAMPLES
@given(seed=SEEDS, batch=SIZES, n_actions=SIZES, d=SIZES, tau=TAUS)
def test_fisher_is_the_covariance_of_autograd_scores(seed, batch, n_actions, d, tau):
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(batch, n_actions, d))
    theta = rng.normal(scale=2.0, size=d)

    def log_prob_one(th, f, act):
        return Categorical(logits=f @ th / tau).log_prob(act)

    probs = torch.softmax(t(phi) @ t(theta) / tau, dim=-1)
    auto = _fisher_from_autograd(log_prob_one, t(theta), (t(phi),), n_actions, probs)
    terms = (np.abs(phi).max() / tau) ** 2  # pi_b s_b s_b^T
    assert_close(fisher_information(theta, phi, temperature=tau), auto, terms)
    assert_close(
        SoftmaxPolicy(LinearPreferences(phi), theta, tau).fisher(np.arange(batch)), auto, terms
    )


@settings(max_examples=examples(15), deadline=None)
@given(seed=SEEDS, batch=SIZES, n_in=SIZES, n_actions=SIZES, tau=TAUS)
def test_network_fisher_is_the_covariance_of_autograd_scores(seed, batch, n_in, n_actions, tau):
    rng = np.random.default_rng(seed)
    prefs = MLPPreferences(n_in, n_actions, hidden=(3,))
    theta = rng.normal(size=prefs.n_params)
    x = rng.normal(size=(batch, n_in))
    layers = [(t(w), t(b)) for w, b in prefs.unflatten(theta)]
    shapes = [(w.shape, b.shape) for w, b in layers]

    def h(th, xi):  # the same network written directly on the flat theta
        out, i = xi, 0
        for l, ((wi, wo), (bo,)) in enumerate(shapes):
            w = th[i : i + wi * wo].reshape(wi, wo)
            i += wi * wo
            out = out @ w + th[i : i + bo]
            i += bo
            if l < len(shapes) - 1:
                out = torch.tanh(out)
        return out

    def log_prob_one(th, xi, act):
        return Categorical(logits=h(th, xi) / tau).log_prob(act)

    probs = torch.softmax(vmap(h, in_dims=(None, 0))(t(theta), t(x)) / tau, dim=-1)
    auto = _fisher_from_autograd(log_prob_one, t(theta), (t(x),), n_actions, probs)
    jac = vmap(jacrev(h), in_dims=(None, 0))(t(theta), t(x))
    assert_close(
        SoftmaxPolicy(prefs, theta, tau).fisher(x), auto, (float(jac.abs().max()) / tau) ** 2
    )


@EXAMPLES
@given(seed=SEEDS, n_steps=st.integers(1, 12), gamma=st.floats(0.5, 1.0), baseline=st.booleans())
def test_episode_gradient_is_minus_the_surrogate_loss_gradient(seed, n_steps, gamma, baseline):
    learners = pytest.importorskip("softmax_pg.learners")  # the learners' own function
    discounted_returns, episode_gradient = learners.discounted_returns, learners.episode_gradient
    rng = np.random.default_rng(seed)
    n_states, n_actions, d = 4, 3, 5
    phi = rng.normal(size=(n_states, n_actions, d))
    theta = rng.normal(size=d)
    s = rng.integers(0, n_states, size=n_steps)
    a = rng.integers(0, n_actions, size=n_steps)
    r = rng.normal(size=n_steps)
    b = rng.normal(size=n_steps) if baseline else None

    th = t(theta).requires_grad_()
    logp = Categorical(logits=t(phi[s]) @ th).log_prob(torch.as_tensor(a))
    weights = t(discounted_returns(r, gamma) - (0.0 if b is None else b))  # constants
    discount = t(gamma ** np.arange(n_steps))
    surrogate = -(discount * weights * logp).sum()
    surrogate.backward()
    terms = float((discount * weights).abs().sum()) * np.abs(phi).max()
    assert_close(-episode_gradient(theta, phi, s, a, r, gamma=gamma, baselines=b), th.grad, terms)
