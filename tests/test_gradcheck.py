"""numerical_gradient against gradients known in closed form."""

from __future__ import annotations

import numpy as np
import pytest
from softmax_pg import numerical_gradient


def test_quadratic_and_matrix_argument():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(
        numerical_gradient(lambda v: 0.5 * v @ a @ v, x), a @ x, rtol=1e-8, atol=1e-8
    )
    w = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(
        numerical_gradient(lambda m: np.sum(np.sin(m)), w), np.cos(w), atol=1e-9
    )


def test_is_not_the_identity():
    # a wrong analytic gradient is caught: d/dx exp(x) is not x
    g = numerical_gradient(lambda v: np.exp(v[0]), [1.0])
    assert g[0] == pytest.approx(np.e, rel=1e-8) and abs(g[0] - 1.0) > 1


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"x": [np.nan]}, ValueError, "x must contain only finite values"),
        ({"x": [1.0], "eps": 0.0}, ValueError, "eps must be a finite number > 0; got 0.0"),
        ({"x": [1.0], "eps": "1"}, TypeError, "eps must be a real number > 0"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        numerical_gradient(lambda v: 0.0, **kwargs)
