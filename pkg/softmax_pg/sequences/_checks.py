"""Argument checks of the sequence functions (trusted helpers call none of them)."""

from __future__ import annotations

import numpy as np

from ..parametrisations.outputs import checked_preferences, checked_theta
from .model import MaskedPreferences, Responses, TinyLanguageModel

__all__ = ["checked_lm", "checked_model", "checked_param_batch"]


def checked_lm(lm) -> TinyLanguageModel:
    if not isinstance(lm, TinyLanguageModel):
        raise TypeError(f"lm must be a TinyLanguageModel; got {type(lm).__name__}")
    return lm


def checked_model(lm, param, theta) -> np.ndarray:
    checked_lm(lm)
    if not isinstance(param, MaskedPreferences) or param.n_states != lm.n_states:
        raise TypeError(
            f"param must be the MaskedPreferences of lm.tabular() or lm.mlp() ({lm.n_states} "
            f"states); got {param!r}"
        )
    return checked_theta(param, theta)


def checked_param_batch(param, theta, responses) -> np.ndarray:
    if not isinstance(param, MaskedPreferences):
        raise TypeError(
            f"param must be a MaskedPreferences (lm.tabular(), lm.mlp()); got {param!r}"
        )
    if not isinstance(responses, Responses):
        raise TypeError(f"responses must be a Responses; got {type(responses).__name__}")
    theta = checked_theta(param, theta)
    s = responses.states[responses.mask]
    param.check_observations(s)
    checked_preferences(param.inner, theta, s, s.shape[0])  # finite before the mask
    return theta
