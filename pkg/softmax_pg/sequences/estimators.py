r"""The estimators as weights: each returns what multiplies a token's score.

An estimator of :math:`\nabla J` is :func:`~softmax_pg.sequences.responses.sequence_policy_gradient`
with per-token weights; they differ only in those weights:

* REINFORCE: :math:`\hat A^{(i)} = G^{(i)}` at every token (Williams 1992);
* RLOO: :math:`\hat A^{(i)} = G^{(i)} - \frac{1}{N-1}\sum_{j\ne i}G^{(j)}` within a group of
  :math:`N` responses to one prompt (Kool, van Hoof & Welling 2019; Ahmadian et al. 2024);
* GRPO: :math:`\hat A^{(i)} = (G^{(i)} - \bar G)/\operatorname{sd}(G)` within the group
  (Shao et al. 2024), or without the division (Z. Liu et al. 2025);
* the token weights :math:`\hat A^{(i)}/T^{(i)}` (each response's mean) or
  :math:`\hat A^{(i)}/T_{\max}` (one constant, Z. Liu et al. 2025's "Dr. GRPO")
  (:func:`token_weights`);
* PPO's clipped ratio: :math:`\rho_t\hat A_t` where the clip is inactive, 0 where it is
  active (Schulman et al. 2017) (:func:`ppo_weights`).
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import as_real_array, check_positive

__all__ = [
    "expected_group_advantages",
    "grpo_advantages",
    "ppo_weights",
    "reinforce_advantages",
    "rloo_advantages",
    "token_weights",
]


def _groups(rewards, minimum: int = 1) -> np.ndarray:
    r = as_real_array(rewards, "rewards")
    if r.ndim != 2 or r.shape[1] < minimum:
        raise ValueError(
            f"rewards must have shape (n_groups, group_size) with group_size >= {minimum} "
            f"(the responses to one prompt in a row); got shape {r.shape}"
        )
    return r


def reinforce_advantages(rewards, baseline: float = 0.0) -> np.ndarray:
    r""":math:`\hat A^{(i)} = G^{(i)} - \bar b` (a constant), shape of ``rewards`` (n_groups, N)."""
    return _groups(rewards) - float(as_real_array(baseline, "baseline"))


def rloo_advantages(rewards) -> np.ndarray:
    r""":math:`\hat A^{(i)} = G^{(i)} - \frac{1}{N-1}\sum_{j\ne i}G^{(j)}`, or
    :math:`\frac{N}{N-1}(G^{(i)} - \bar G)`.

    ``rewards`` (n_groups, N >= 2): each row the returns of N responses to one prompt. The
    baseline of :math:`i` does not depend on response :math:`i`, so the estimate stays
    unbiased (Kool, van Hoof & Welling 2019; Ahmadian et al. 2024).
    """
    r = _groups(rewards, minimum=2)
    k = r.shape[1]
    return (r - (r.sum(axis=1, keepdims=True) - r) / (k - 1)).astype(np.float64)


def grpo_advantages(rewards, *, scale: bool = True, eps: float = 1e-6) -> np.ndarray:
    r""":math:`\hat A^{(i)} = (G^{(i)} - \bar G)/(\operatorname{sd}(G) + \text{eps})`
    (Shao et al. 2024).

    ``rewards`` (n_groups, N >= 2); the standard deviation is the group's population one
    (``ddof=0``). ``scale=False`` keeps :math:`G^{(i)} - \bar G` (Z. Liu et al. 2025). A group
    whose rewards are all equal gets 0.
    """
    r = _groups(rewards, minimum=2)
    a = r - r.mean(axis=1, keepdims=True)
    if scale:
        a = a / (r.std(axis=1, keepdims=True) + check_positive(eps, "eps"))
    return a


def token_weights(
    advantages, lengths, n_positions: int, *, normalise: str = "none", constant: float | None = None
) -> np.ndarray:
    r"""Per-token weights (n, n_positions) of per-response advantages, 0 at padding.

    ``normalise``: ``"none"`` gives :math:`\hat A^{(i)}` at each token (the sum over the
    response's tokens); ``"length"`` :math:`\hat A^{(i)}/T^{(i)}` (each response's mean:
    GRPO's loss); ``"constant"`` :math:`\hat A^{(i)}/C` with one ``constant`` :math:`C`
    (Z. Liu et al. 2025 take :math:`C = T_{\max}`).
    ``advantages``, ``lengths``: shape (n,) (flatten the groups first).
    """
    a = as_real_array(advantages, "advantages").reshape(-1)
    n_len = np.asarray(lengths)
    if n_len.shape != a.shape or not np.issubdtype(n_len.dtype, np.integer):
        raise ValueError(
            f"lengths must be integers of the advantages' shape {a.shape}; got {n_len.dtype} "
            f"of shape {n_len.shape}"
        )
    if a.size and (n_len.min() < 1 or n_len.max() > n_positions):
        raise ValueError(f"lengths must lie in [1, n_positions = {n_positions}]")
    if normalise == "length":
        a = a / n_len
    elif normalise == "constant":
        if constant is None:
            raise ValueError('normalise="constant" needs constant, e.g. the most tokens')
        a = a / check_positive(constant, "constant")
    elif normalise != "none":
        raise ValueError(f'normalise must be "none", "length" or "constant"; got {normalise!r}')
    live = np.arange(n_positions) < n_len[:, None]
    return np.where(live, a[:, None], 0.0)


def ppo_weights(log_probs, old_log_probs, weights, clip: float = 0.2) -> np.ndarray:
    r"""The weights of PPO's clipped surrogate's gradient: :math:`\rho_t\hat A_t`, or 0 if clipped.

    :math:`\nabla\min(\rho_t\hat A_t, \mathrm{clip}(\rho_t, \rho_-, \rho_+)\hat A_t) =
    \rho_t\hat A_t\,\nabla\log\pi_\theta(A_t|S_t)` where the minimum is the unclipped term,
    0 where the clip binds (:math:`\hat A_t>0,\rho_t>\rho_+` or :math:`\hat A_t<0,\rho_t<\rho_-`),
    with :math:`\rho_t = \exp(\log\pi_\theta - \log\pi_{\theta_\text{old}})` (Schulman et al.
    2017, eq. 7). All arrays of one shape (e.g. (n, n_positions)); ``clip`` :math:`> 0`
    gives the interval :math:`[\rho_-, \rho_+] = [1 - \text{clip}, 1 + \text{clip}]`.
    """
    lp, old = as_real_array(log_probs, "log_probs"), as_real_array(old_log_probs, "old_log_probs")
    a = as_real_array(weights, "weights")
    if not lp.shape == old.shape == a.shape:
        raise ValueError(
            f"log_probs, old_log_probs and weights must have one shape; got {lp.shape}, "
            f"{old.shape} and {a.shape}"
        )
    eps = check_positive(clip, "clip")
    rho = np.exp(lp - old)
    clipped = ((a > 0) & (rho > 1 + eps)) | ((a < 0) & (rho < 1 - eps))
    return np.where(clipped, 0.0, rho * a)


def expected_group_advantages(success_probs, group_size: int, estimator: str) -> np.ndarray:
    r""":math:`\mathbb{E}[\hat A^{(i)}\mid G^{(i)}]` for :math:`G^{(i)} = 0, 1`: (n_prompts, 2).

    With returns 0 or 1, the other :math:`N-1` returns of a group are independent Bernoulli
    draws with the prompt's success rate (``success_probs``), which is the prompt's value
    :math:`v_{\pi_\theta}(s_0)` because returns are 0 or 1, so
    the advantage's expectation given the response's own return is a finite sum over their
    count; with it the expectation of a group estimator is exact
    (:func:`~softmax_pg.sequences.oracle.expected_gradient` with these weights). ``estimator``:
    ``"rloo"`` (gives :math:`G^{(i)} - v_{\pi_\theta}(s_0)`), ``"group_mean"``
    (:math:`\frac{N-1}{N}(G^{(i)} - v_{\pi_\theta}(s_0))`), ``"grpo"`` (with the division by
    :math:`\operatorname{sd}(G)`, eps 1e-6).
    """
    p = as_real_array(success_probs, "success_probs")
    if p.ndim != 1 or np.any((p < 0) | (p > 1)):
        raise ValueError(f"success_probs must be probabilities of shape (n_prompts,); got {p}")
    if not isinstance(group_size, (int, np.integer)) or group_size < 2:
        raise ValueError(f"group_size must be an integer >= 2; got {group_size!r}")
    k = int(group_size)
    fn = {
        "rloo": rloo_advantages,
        "group_mean": lambda r: grpo_advantages(r, scale=False),
        "grpo": grpo_advantages,
    }
    if estimator not in fn:
        raise ValueError(f"estimator must be one of {sorted(fn)}; got {estimator!r}")
    m = np.arange(k)  # how many of the other k - 1 rewards are 1
    binom = np.array([math.comb(k - 1, j) for j in m], dtype=np.float64)
    out = np.zeros((p.size, 2))
    for r in (0, 1):
        groups = np.zeros((k, k))  # row m: m ones among the others, the own reward r last
        groups[:, : k - 1] = np.arange(k - 1)[None, :] < m[:, None]
        groups[:, -1] = r
        a_own = fn[estimator](groups)[:, -1]
        weights = binom * p[:, None] ** m * (1.0 - p[:, None]) ** (k - 1 - m)  # 0**0 = 1
        out[:, r] = weights @ a_own
    return out
