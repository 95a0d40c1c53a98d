r"""Responses of the small language model: sampling them, their log-probabilities, their score.

The score of a response is the sum of the token scores, each the kernel's :math:`e_{A_t} -
\pi_t` pulled back through the parametrisation (``dy = ps - onehot``, then ``dh = Why.T @ dy``):

.. math::

    \nabla_\theta \log P_\theta(\Xi) = \sum_{t} \mathrm{D}h_\theta(S_t)^\top (e_{A_t} - \pi_t),

so every estimator of the chapter is one call of ``softmax_pg.policy_gradient`` on the
response's tokens with per-token weights (Williams 1992, eq. 11).
"""

from __future__ import annotations

import numpy as np

from .. import _kernel
from .._validation import as_real_array, check_actions, check_rng
from ..step import PolicyGradient, policy_gradient
from ._checks import checked_model, checked_param_batch
from .model import Responses, TinyLanguageModel

__all__ = [
    "Responses",
    "sample_responses",
    "sequence_policy_gradient",
    "sequence_scores",
    "token_log_probs",
]


def sample_responses(lm: TinyLanguageModel, param, theta, prompts, rng) -> Responses:
    """One response per prompt, token by token, by the inverse CDF of one uniform per token.

    Parameters
    ----------
    lm : TinyLanguageModel
    param : MaskedPreferences
        From ``lm.tabular()`` or ``lm.mlp()``.
    theta : array_like, shape (n_params,)
    prompts : array_like of int, shape (n,)
        In ``0 .. lm.n_prompts - 1``.
    rng : numpy.random.Generator or int
        Draws ``n`` uniforms per position, ``n_positions`` times (the same count always).
    """
    theta = checked_model(lm, param, theta)
    prompts = check_actions(prompts, lm.n_prompts, "prompts")
    if prompts.ndim != 1:
        raise ValueError(f"prompts must have shape (n,); got shape {prompts.shape}")
    gen = check_rng(rng)
    n = prompts.shape[0]
    tokens = np.zeros((n, lm.n_positions), dtype=np.int64)
    states = np.broadcast_to(lm.states(prompts, 0)[:, None], tokens.shape).copy()
    prefix, live, sums = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool), np.zeros(n)
    lengths = np.zeros(n, dtype=np.int64)
    for t in range(lm.n_positions):
        u = gen.random(n)
        if not live.any():
            continue
        s = lm.states(prompts[live], prefix[live])
        states[live, t] = s
        y = _kernel.inverse_cdf(_kernel.softmax(param.preferences(theta, s)), u[live])
        tokens[live, t] = y
        ended = y == lm.end
        idx = np.flatnonzero(live)
        lengths[idx[ended]] = t + 1
        sums[idx[~ended]] += y[~ended]
        prefix[idx[~ended]] = lm.child(prefix[idx[~ended]], y[~ended])
        live[idx[ended]] = False
    return Responses(prompts, tokens, lengths, states, lm.reward(prompts, sums))


def token_log_probs(param, theta, responses: Responses) -> np.ndarray:
    r""":math:`\log\pi_\theta(A_t\mid S_t)` of every token, shape (n, n_positions), 0 at padding."""
    theta = checked_param_batch(param, theta, responses)
    m = responses.mask
    out = np.zeros(m.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = param.preferences(theta, responses.states[m])
        out[m] = _kernel.take(_kernel.log_softmax(h), responses.tokens[m])
    return out


def sequence_policy_gradient(
    param,
    theta,
    responses: Responses,
    weights,
    *,
    entropy_coef: float = 0.0,
    keep_scores: bool = False,
    validate: bool = True,
) -> PolicyGradient:
    r""":math:`\sum_i\sum_t w^{(i)}_t\mathrm{D}h_\theta(S^{(i)}_t)^\top(e_{A^{(i)}_t}-\pi^{(i)}_t)`

    ``softmax_pg.policy_gradient`` over the responses' tokens (padding left out).

    Parameters
    ----------
    param : MaskedPreferences
    theta : array_like, shape (n_params,)
    responses : Responses
    weights : array_like, shape (n, n_positions)
        The weight of each token (values at padding are ignored).
    entropy_coef, keep_scores, validate
        As for ``softmax_pg.policy_gradient``; ``log_probs`` and ``scores`` of the
        result are per token, in the order of ``responses.mask``'s True entries.
    """
    if validate:
        theta = checked_param_batch(param, theta, responses)
        w = as_real_array(weights, "weights")
        if w.shape != responses.tokens.shape:
            raise ValueError(
                f"weights must have shape (n, n_positions) = {responses.tokens.shape}, one per "
                f"token; got shape {w.shape}"
            )
        if entropy_coef < 0.0:
            raise ValueError(f"entropy_coef must be >= 0; got {entropy_coef!r}")
    else:
        w = np.asarray(weights)
    m = responses.mask
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 * log 0 in the entropy, then 0
        return policy_gradient(
            param,
            theta,
            responses.states[m],
            responses.tokens[m],
            w[m],
            entropy_coef=entropy_coef,
            keep_scores=keep_scores,
            validate=False,
        )


def sequence_scores(param, theta, responses: Responses) -> np.ndarray:
    r""":math:`\nabla_\theta\log P_\theta(\Xi^{(i)})` of each response, shape (n, n_params)."""
    theta = checked_param_batch(param, theta, responses)
    m = responses.mask
    step = sequence_policy_gradient(
        param, theta, responses, m.astype(np.float64), keep_scores=True, validate=False
    )
    out = np.zeros((len(responses), param.n_params))
    np.add.at(out, np.nonzero(m)[0], step.scores)
    return out
