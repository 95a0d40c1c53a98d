"""The optimisers of softmax_pg.learners.optim against independent computations."""

import numpy as np
import pytest
from softmax_pg.learners import SGD, Adam, NaturalGradient


def test_sgd_ascends():
    theta = SGD(0.5).step(np.array([1.0, 2.0]), np.array([2.0, -4.0]))
    np.testing.assert_array_equal(theta, [2.0, 0.0])


def test_adam_matches_torch_on_the_same_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    theta0 = rng.normal(size=5)
    gradients = rng.normal(size=(20, 5)) * np.linspace(0.1, 3.0, 20)[:, None]
    ours = Adam(0.05, betas=(0.8, 0.99), eps=1e-6)
    theta = theta0
    param = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    reference = torch.optim.Adam([param], lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    for g in gradients:
        theta = ours.step(theta, g)
        reference.zero_grad()
        param.grad = torch.tensor(-g)  # torch minimises -J: ascent on J
        reference.step()
        np.testing.assert_allclose(theta, param.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_adam_reset_forgets_the_moments():
    opt = Adam(0.1)
    first = opt.step(np.zeros(2), np.ones(2))
    opt.step(first, -np.ones(2))
    opt.reset()
    np.testing.assert_array_equal(opt.step(np.zeros(2), np.ones(2)), first)


@pytest.mark.parametrize("n_steps", [3, 40])  # fewer steps than parameters (Woodbury) and more
def test_natural_gradient_against_a_direct_solve(n_steps):
    rng = np.random.default_rng(1)
    d = 8
    scores = rng.normal(size=(n_steps, d))
    gradient = rng.normal(size=d)
    nu = 0.01
    fisher = scores.T @ scores / n_steps
    direct = np.linalg.inv(fisher + nu * np.eye(d)) @ gradient
    opt = NaturalGradient(0.5, damping=nu)
    np.testing.assert_allclose(opt.direction(gradient, scores), direct, rtol=1e-9)
    np.testing.assert_allclose(
        opt.step(np.ones(d), gradient, scores), 1.0 + 0.5 * direct, rtol=1e-9
    )


def test_natural_gradient_needs_scores():
    with pytest.raises(TypeError, match="per-step scores"):
        NaturalGradient(0.1).step(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match=r"scores must have shape \(n_steps, n_params\)"):
        NaturalGradient(0.1).step(np.zeros(2), np.ones(2), np.ones((3, 5)))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: SGD(0.0), "step_size must be a finite number > 0"),
        (lambda: Adam(betas=(0.9, 1.0)), r"betas must lie in \[0, 1\)"),
        (
            lambda: NaturalGradient(0.1, damping=-1.0),
            "damping must be a finite number > 0",
        ),
    ],
)
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_gradient_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"gradient must have shape \(n_params,\) = \(3,\)"):
        SGD(0.1).step(np.zeros(3), np.zeros(2))
