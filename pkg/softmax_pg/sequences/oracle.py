r"""The oracle: :math:`J(\theta)`, its gradient and the KL to a reference, exact by enumeration.

Every (prompt, response) pair is listed once (:func:`all_responses`), so an expectation over
the model's responses is a finite sum,

.. math::

    \begin{aligned}
    &\mathbb{E}_{S_0,\,\Xi\sim P_\theta}\Big[\sum_t w_t\,
      \nabla_\theta\log\pi_\theta(A_t\mid S_t)\Big]\\
    &= \sum_{s_0} p_0(s_0) \sum_\xi P_\theta(\xi\mid s_0)\\
    &\qquad \sum_t w_t\,\nabla_\theta\log\pi_\theta(a_t\mid s_t),
    \end{aligned}

where :math:`a_t` and :math:`s_t` are the tokens and states of the listed response
:math:`\xi`: one call of ``softmax_pg.policy_gradient`` with weights
:math:`p_0(s_0)P_\theta(\xi|s_0)w_t` (:func:`expected_gradient`). With :math:`w_t =
G_0(\xi)` it is :math:`\nabla J` (Williams 1992); with :math:`w_t = \log P_\theta(\xi|s_0) -
\log P_\text{ref}(\xi|s_0)` it is the gradient of
:math:`\mathrm{KL}(\pi_\theta\,\|\,\pi_\text{ref})`.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_real_array
from ._checks import checked_lm, checked_model
from .responses import Responses, sequence_policy_gradient, token_log_probs

__all__ = [
    "all_responses",
    "exact_gradient",
    "exact_kl",
    "exact_kl_gradient",
    "expected_gradient",
    "expected_reward",
    "response_probs",
]


def all_responses(lm) -> Responses:
    """Every (prompt, response) pair, prompt-major: ``n_prompts * n_responses`` rows."""
    k, r = checked_lm(lm).n_prompts, lm.n_responses
    prompts = np.repeat(np.arange(k), r)
    tokens = np.tile(lm.responses, (k, 1))
    lengths = np.tile(lm.lengths, k)
    states = lm.states(prompts[:, None], np.tile(lm.prefixes, (k, 1)))
    rewards = lm.reward(prompts, np.tile(lm.digit_sums, k))
    return Responses(prompts, tokens, lengths, states, rewards)


def _log_probs(lm, param, theta) -> tuple[Responses, np.ndarray]:
    everything = all_responses(lm)
    return everything, token_log_probs(param, theta, everything).sum(axis=1)


def response_probs(lm, param, theta) -> np.ndarray:
    r""":math:`P_\theta(\xi\mid s_0)` of every response, (n_prompts, n_responses); rows sum to 1."""
    theta = checked_model(lm, param, theta)
    return np.exp(_log_probs(lm, param, theta)[1]).reshape(lm.n_prompts, lm.n_responses)


def expected_reward(lm, param, theta) -> float:
    r""":math:`J(\theta) = \sum_{s_0}p_0(s_0)\sum_\xi P_\theta(\xi|s_0)G_0(\xi)`.

    The prompts are uniform: :math:`p_0(s_0)` is one over their number.
    """
    theta = checked_model(lm, param, theta)
    everything, logp = _log_probs(lm, param, theta)
    return float(np.exp(logp) @ everything.rewards / lm.n_prompts)


def expected_gradient(lm, param, theta, token_weights) -> np.ndarray:
    r""":math:`\mathbb{E}[\sum_t w_t\nabla\log\pi_\theta(A_t|S_t)]`, exact, shape (n_params,).

    Parameters
    ----------
    token_weights : array_like, shape (n_prompts * n_responses, n_positions)
        :math:`w_t` of every token of :func:`all_responses`' rows (ignored at padding).
    """
    theta = checked_model(lm, param, theta)
    everything, logp = _log_probs(lm, param, theta)
    w = as_real_array(token_weights, "token_weights")
    if w.shape != everything.tokens.shape:
        raise ValueError(
            f"token_weights must have shape (n_prompts * n_responses, n_positions) = "
            f"{everything.tokens.shape}; got shape {w.shape}"
        )
    p = np.exp(logp)[:, None] / lm.n_prompts
    return sequence_policy_gradient(param, theta, everything, p * w, validate=False).gradient


def exact_gradient(lm, param, theta) -> np.ndarray:
    r""":math:`\nabla J(\theta)`, exact by enumeration, shape (n_params,) (Williams 1992)."""
    everything = all_responses(lm)
    w = np.broadcast_to(everything.rewards[:, None], everything.tokens.shape)
    return expected_gradient(lm, param, theta, w)


def _log_ratio(lm, param, theta, theta_ref) -> np.ndarray:
    theta = checked_model(lm, param, theta)
    ref = checked_model(lm, param, theta_ref)
    return _log_probs(lm, param, theta)[1] - _log_probs(lm, param, ref)[1]


def exact_kl(lm, param, theta, theta_ref) -> float:
    r""":math:`\mathrm{KL}(\pi_\theta\|\pi_\text{ref})`, exact (same ``param``, two thetas).

    :math:`\mathrm{KL}(\pi_\theta\|\pi_\text{ref}) = \sum_{s_0}p_0(s_0)\sum_\xi P_\theta(\xi|s_0)
    \log\frac{P_\theta(\xi|s_0)}{P_\text{ref}(\xi|s_0)}`.
    """
    lr = _log_ratio(lm, param, theta, theta_ref)
    p = response_probs(lm, param, theta).ravel()
    return float(p @ lr / lm.n_prompts)


def exact_kl_gradient(lm, param, theta, theta_ref) -> np.ndarray:
    r""":math:`\nabla_\theta\mathrm{KL}(\pi_\theta\|\pi_\text{ref})`, exact, shape (n_params,).

    :math:`= \mathbb{E}[\log\frac{P_\theta(\Xi)}{P_\text{ref}(\Xi)}\nabla\log P_\theta(\Xi)]`
    (the term :math:`\mathbb{E}[\nabla\log P_\theta(\Xi)] = 0` drops out).
    """
    lr = _log_ratio(lm, param, theta, theta_ref)
    w = np.broadcast_to(lr[:, None], (lr.shape[0], lm.n_positions))
    return expected_gradient(lm, param, theta, w)
