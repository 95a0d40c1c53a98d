"""Feature maps: tabular one-hot and state-times-one-hot-action."""

from __future__ import annotations

import numpy as np
import pytest
from softmax_pg import action_probs, one_hot, state_action_features, tabular_features


def test_one_hot_by_hand():
    np.testing.assert_array_equal(one_hot(2, 4), [0, 0, 1, 0])
    np.testing.assert_array_equal(one_hot([0, 1], 2), [[1, 0], [0, 1]])


def test_tabular_features_select_one_preference():
    features = tabular_features(3, 2)
    assert features.shape == (3, 2, 6)
    theta = np.arange(6.0)
    # phi(s, b)^T theta is the table entry theta[s, b]
    np.testing.assert_array_equal(features @ theta, theta.reshape(3, 2))
    np.testing.assert_array_equal(features[1, 0], [0, 0, 1, 0, 0, 0])


def test_state_action_features_give_matrix_preferences():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(4, 3))
    states = rng.normal(size=(5, 4))
    features = state_action_features(states, 3)
    assert features.shape == (5, 3, 12)
    np.testing.assert_allclose(features @ weights.ravel(), states @ weights, rtol=1e-14)
    np.testing.assert_allclose(
        action_probs(weights.ravel(), features), action_probs(weights.ravel(), features), rtol=0
    )
    # a single state vector works too
    assert state_action_features(states[0], 3).shape == (3, 12)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: tabular_features(0, 2), ValueError, "n_states must be an integer >= 1; got 0"),
        (lambda: tabular_features(2, 1.5), TypeError, "n_actions must be an integer >= 1; got 1.5"),
        (lambda: one_hot(3, 3), ValueError, r"actions must lie in \[0, 3\)"),
        (lambda: one_hot(1, 0), ValueError, "n_actions must be an integer >= 1; got 0"),
        (lambda: state_action_features(3.0, 2), ValueError, "state must have at least 1 dimension"),
        (
            lambda: state_action_features([np.nan], 2),
            ValueError,
            "state must contain only finite values",
        ),
        (lambda: state_action_features([1.0], True), TypeError, "n_actions must be an integer"),
    ],
)
def test_bad_input_raises_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
