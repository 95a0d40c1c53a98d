"""A reader's own parametrisations, written here with the two required methods only, through
every public function: against central finite differences and torch autograd, and every
mistake a reader can make in them, with the message checked."""

from __future__ import annotations

import numpy as np
import pytest
from _examples import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from softmax_pg import (
    Parametrisation,
    SoftmaxPolicy,
    check_preferences,
    numerical_gradient,
)

N_ACTIONS = 3


class Quadratic(Parametrisation):
    """h_b(x) = theta_b . [x, x^2] for a vector x of length 2: a quadratic feature map."""

    n_actions = N_ACTIONS
    n_params = N_ACTIONS * 4

    def features(self, observations):
        x = np.asarray(observations, dtype=float)
        return np.concatenate([x, x**2], axis=1)  # (batch, 4)

    def preferences(self, theta, observations):
        return self.features(observations) @ theta.reshape(N_ACTIONS, 4).T

    def vjp(self, theta, observations, g):
        # h_b = theta_b . f, so d(g . h)/d theta_b = g_b f
        return (g[:, :, None] * self.features(observations)[:, None, :]).reshape(len(g), -1)


class SmallNet(Parametrisation):
    """h = W2 tanh(W1 x + b1), no output bias; theta = [W1 (4 x 2), b1 (4), W2 (3 x 4)]."""

    n_actions = N_ACTIONS
    n_params = 8 + 4 + 12

    def unpack(self, theta):
        return theta[:8].reshape(4, 2), theta[8:12], theta[12:].reshape(N_ACTIONS, 4)

    def preferences(self, theta, observations):
        w1, b1, w2 = self.unpack(theta)
        return np.tanh(np.asarray(observations) @ w1.T + b1) @ w2.T

    def vjp(self, theta, observations, g):
        w1, b1, w2 = self.unpack(theta)
        x = np.asarray(observations)
        z = np.tanh(x @ w1.T + b1)
        d_w2 = g[:, :, None] * z[:, None, :]
        delta = (g @ w2) * (1 - z**2)
        d_w1 = delta[:, :, None] * x[:, None, :]
        return np.concatenate([d_w1.reshape(len(g), -1), delta, d_w2.reshape(len(g), -1)], axis=1)


def torch_preferences(kind: str, theta, x):
    """The same preferences in torch (float64 tensors), for autograd."""
    torch = pytest.importorskip("torch")
    if kind == "quadratic":
        return torch.cat([x, x**2], dim=1) @ theta.reshape(N_ACTIONS, 4).T
    w1, b1, w2 = theta[:8].reshape(4, 2), theta[8:12], theta[12:].reshape(N_ACTIONS, 4)
    return torch.tanh(x @ w1.T + b1) @ w2.T


PARAMS = {"quadratic": Quadratic, "network": SmallNet}
KINDS = list(PARAMS)


def setup(kind: str, seed: int = 0, tau: float = 0.8):
    rng = np.random.default_rng(seed)
    param = PARAMS[kind]()
    theta = rng.normal(size=param.n_params)
    obs = rng.normal(size=(5, 2))
    actions = rng.integers(0, N_ACTIONS, size=5)
    return SoftmaxPolicy(param, theta, tau), obs, actions


@pytest.mark.parametrize("kind", KINDS)
def test_check_preferences_accepts_it(kind):
    policy, obs, _ = setup(kind)
    check_preferences(policy.param, obs)
    check_preferences(policy.param, obs, theta=policy.theta, rng=3)


@pytest.mark.parametrize("kind", KINDS)
def test_defaults_of_the_optional_methods_work(kind):
    policy, obs, _ = setup(kind)
    param, theta = policy.param, policy.theta
    g = np.ones((5, N_ACTIONS))
    np.testing.assert_allclose(param.vjp_sum(theta, obs, g), param.vjp(theta, obs, g).sum(axis=0))
    many = param.preferences_many(np.stack([theta, 2 * theta]), np.stack([obs, obs]))
    np.testing.assert_allclose(many[1], param.preferences(2 * theta, obs))
    np.testing.assert_array_equal(param.init(0), np.zeros(param.n_params))


@pytest.mark.parametrize("kind", KINDS)
def test_every_method_against_finite_differences(kind):
    policy, obs, actions = setup(kind)
    param, tau = policy.param, policy.temperature
    score, entropy_grad = policy.score(obs, actions), policy.entropy_gradient(obs)
    for i in range(len(obs)):
        one, a = obs[i : i + 1], actions[i : i + 1]
        log_pi = numerical_gradient(
            lambda t: SoftmaxPolicy(param, t, tau).log_prob(one, a)[0],  # noqa: B023
            policy.theta,
        )
        ent = numerical_gradient(
            lambda t: SoftmaxPolicy(param, t, tau).entropy(one)[0],  # noqa: B023
            policy.theta,
        )
        np.testing.assert_allclose(score[i], log_pi, atol=1e-7)
        np.testing.assert_allclose(entropy_grad[i], ent, atol=1e-7)
    probs = policy.probs(obs)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(policy.log_prob(obs, actions)), probs[np.arange(5), actions])
    assert policy.sample(obs, 0).shape == (5,) and policy.greedy(obs).shape == (5,)
    assert policy.natural_gradient(obs, score.mean(axis=0)).shape == (param.n_params,)


@pytest.mark.parametrize("kind", KINDS)
def test_every_gradient_against_torch_autograd(kind):
    torch = pytest.importorskip("torch")  # only this test needs it; the others run without
    policy, obs, actions = setup(kind, seed=4)
    tau = policy.temperature
    x, a = torch.from_numpy(obs), torch.from_numpy(actions)

    def log_pi(theta, i):
        return torch.log_softmax(torch_preferences(kind, theta, x[i : i + 1]) / tau, -1)[0]

    scores, entropy_grads, fishers = [], [], []
    for i in range(len(obs)):
        th = torch.tensor(policy.theta, requires_grad=True)
        lp = log_pi(th, i)
        scores.append(torch.autograd.grad(lp[a[i]], th)[0])
        th = torch.tensor(policy.theta, requires_grad=True)
        lp = log_pi(th, i)
        entropy = -(lp.exp() * lp).sum()
        entropy_grads.append(torch.autograd.grad(entropy, th)[0])
        jac = torch.autograd.functional.jacobian(
            lambda t, i=i: log_pi(t, i), torch.tensor(policy.theta)
        )
        p = log_pi(torch.tensor(policy.theta), i).exp()
        fishers.append(jac.T @ (p[:, None] * jac))
    np.testing.assert_allclose(
        policy.score(obs, actions), torch.stack(scores).numpy(), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        policy.entropy_gradient(obs), torch.stack(entropy_grads).numpy(), atol=1e-12
    )
    np.testing.assert_allclose(policy.fisher(obs), torch.stack(fishers).numpy(), atol=1e-12)


@settings(max_examples=examples(25), deadline=None)
@given(kind=st.sampled_from(KINDS), seed=st.integers(0, 2**32 - 1), tau=st.floats(0.2, 5.0))
def test_properties(kind, seed, tau):
    policy, obs, _ = setup(kind, seed, tau)
    probs = policy.probs(obs)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)  # probabilities sum to one
    expected = sum(probs[:, b, None] * policy.score(obs, np.full(5, b)) for b in range(N_ACTIONS))
    size = max(1.0, float(np.abs(policy.param.vjp(policy.theta, obs, np.ones((5, 3)))).max()))
    np.testing.assert_allclose(expected, 0.0, atol=1e-12 * size / tau)  # the expected score is zero


# ------------------------------------------------------------------ the mistakes


class WrongWidth(Quadratic):
    def preferences(self, theta, observations):
        return np.zeros((len(observations), N_ACTIONS + 1))


class WrongBatch(Quadratic):
    def preferences(self, theta, observations):
        return super().preferences(theta, observations)[:1]


class WrongVjpWidth(Quadratic):
    def vjp(self, theta, observations, g):
        return super().vjp(theta, observations, g)[:, :-1]


class NaNPreferences(Quadratic):
    def preferences(self, theta, observations):
        h = super().preferences(theta, observations)
        h[0, 1] = np.nan
        return h


class NaNVjp(Quadratic):
    def vjp(self, theta, observations, g):
        out = super().vjp(theta, observations, g)
        out[1, 2] = np.inf
        return out


class JacobianNotTransposed(Quadratic):
    def vjp(self, theta, observations, g):
        return super().vjp(theta, observations, g[:, ::-1])


class NoVjp(Parametrisation):
    n_actions, n_params = 2, 2

    def preferences(self, theta, observations):
        return np.zeros((len(observations), 2))


class NoSizes(Parametrisation):
    def preferences(self, theta, observations):
        return np.zeros((len(observations), 2))


class ChecksItsObservations(Quadratic):
    def check_observations(self, observations):
        x = np.asarray(observations, dtype=float)
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"observations must have shape (batch, 2); got shape {x.shape}")
        return x


class NotAParametrisation:
    n_actions, n_params = 3, 12

    def preferences(self, theta, observations):
        return np.zeros((len(observations), 3))

    def vjp(self, theta, observations, g):
        return np.zeros((len(observations), 12))


OBS = np.random.default_rng(9).normal(size=(4, 2))
THETA = np.zeros(12)


def policy_of(param) -> SoftmaxPolicy:
    return SoftmaxPolicy(param, np.zeros(param.n_params))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: policy_of(WrongWidth()).probs(OBS),
            ValueError,
            r"WrongWidth.preferences\(theta, observations\) returned shape \(4, 4\); "
            r"expected \(batch, n_actions\) = \(4, 3\)",
        ),
        (
            lambda: policy_of(WrongBatch()).score(OBS, [0, 1, 2, 0]),
            ValueError,
            r"WrongBatch.preferences\(theta, observations\) returned shape \(1, 3\); expected",
        ),
        (
            lambda: policy_of(WrongVjpWidth()).score(OBS, [0, 1, 2, 0]),
            ValueError,
            r"WrongVjpWidth.vjp\(theta, observations, g\) returned shape \(4, 11\); "
            r"expected \(batch, n_params\) = \(4, 12\)",
        ),
        (
            lambda: policy_of(NaNPreferences()).entropy(OBS),
            ValueError,
            r"NaNPreferences.preferences\(theta, observations\) returned a non-finite "
            r"value nan at index \(0, 1\)",
        ),
        (
            lambda: policy_of(NaNVjp()).entropy_gradient(OBS),
            ValueError,
            r"NaNVjp.vjp\(theta, observations, g\) returned a non-finite value inf "
            r"at index \(1, 2\)",
        ),
        (lambda: check_preferences(WrongWidth(), OBS), ValueError, r"returned shape \(4, 4\)"),
        (lambda: check_preferences(WrongVjpWidth(), OBS), ValueError, r"returned shape \(4, 11\)"),
        (lambda: check_preferences(NaNVjp(), OBS), ValueError, "non-finite value inf"),
        (
            lambda: check_preferences(JacobianNotTransposed(), OBS),
            ValueError,
            r"JacobianNotTransposed.vjp disagrees with central finite differences "
            r".* along theta\[\d+\]",
        ),
        (
            lambda: policy_of(NoVjp()).score(OBS, [0, 1, 0, 1]),
            NotImplementedError,
            r"NoVjp must define vjp\(theta, observations, g\)",
        ),
        (
            lambda: check_preferences(NoSizes(), OBS),
            TypeError,
            r"NoSizes.n_actions must be an integer >= 1",
        ),
        (
            lambda: SoftmaxPolicy(NotAParametrisation(), THETA),
            TypeError,
            r"param must be a parametrisation: an instance of a subclass of "
            r"softmax_pg.Parametrisation",
        ),
        (
            lambda: policy_of(ChecksItsObservations()).probs(np.zeros((4, 3))),
            ValueError,
            r"observations must have shape \(batch, 2\); got shape \(4, 3\)",
        ),
        (lambda: policy_of(Quadratic()).probs(3.0), TypeError, "observations must be a batch"),
        (
            lambda: check_preferences(Quadratic(), np.zeros((4, 3))),
            ValueError,
            r"Quadratic.preferences\(theta, observations\) raised ValueError: .* "
            r"observations \(4, 3\)",
        ),
        (
            lambda: policy_of(Quadratic()).score(OBS, [0, 1]),
            ValueError,
            r"actions must have shape \(batch,\) = \(4,\)",
        ),
        (
            lambda: check_preferences(Quadratic(), OBS, theta=np.zeros(5)),
            ValueError,
            r"theta must have shape \(n_params,\) = \(12,\)",
        ),
    ],
)
def test_mistakes_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_api_pages_example_runs():
    """The worked example of book/api.md, executed as written."""
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "book" / "api.md").read_text()
    blocks = [b for b in page.split("```python\n")[1:] if "check_preferences" in b]
    assert blocks, "book/api.md has no example of a parametrisation of one's own"
    for block in blocks:
        namespace: dict = {}
        exec(block.split("```")[0], namespace)  # noqa: S102
        policy, obs = namespace["policy"], namespace["obs"]
        np.testing.assert_allclose(policy.probs(obs), 1 / 3)


def test_this_file_runs_without_torch(tmp_path):
    """Only the autograd test needs torch: with torch missing the module still imports."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; sys.modules['torch'] = None; "
        f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import test_user_parametrisation as t; t.test_check_preferences_accepts_it('network'); "
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.stdout.strip() == "ok", out.stderr
