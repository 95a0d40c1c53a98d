r"""The preference-space kernel, trusted: no checks, the only place each formula is written.

Two rooms, one kernel. :mod:`softmax_pg.kernel` is the public, checked room: each of its
functions checks its arguments (and names the one that is wrong), then calls its twin of
the same name here. This module is the trusted room: no checks, so the learners, the
experiments, :mod:`softmax_pg.policy` and the step call it in their inner loops, once their
arguments were checked at their own boundary. Everything acts on checked float64
preferences :math:`h \in \mathbb{R}^{n_\text{actions}}` along the last axis, batched over
leading axes, and a temperature ``tau > 0``.

The twins of :mod:`softmax_pg.kernel`, from the preferences:

* ``log_softmax(h, tau)`` :math:`= (h - h_{\max})/\tau - \log\sum_b e^{(h_b - h_{\max})/\tau}`;
* ``softmax(h, tau)`` :math:`= \exp(\log\mathrm{softmax})`, computed as the shifted
  exponentials normalised (as stable: every exponent is :math:`\le 0`, the sum :math:`\ge 1`);
* ``preference_score(h, actions, tau)``, ``preference_entropy(h, tau)``,
  ``preference_entropy_gradient(h, tau)``, ``preference_sample(h, u, tau)``.

The pieces they are made of, from probabilities a caller already holds (a loop that
samples, scores and records from one softmax computes it once):

* ``score_from_probs(probs, actions, tau)`` :math:`= (e_a - \pi)/\tau`, the score with
  respect to the preferences;
* ``entropy_from_log_probs``, ``entropy_gradient_from_log_probs`` (with respect to ``h``);
* ``inverse_cdf(probs, u)``: the action of a uniform number (``sample_row`` for one row and
  one number, as a Python int); ``take(values, actions)``.

The arithmetic is the same everywhere (a batch of runs rounds as the runs one by one). For
few actions the reductions over the last axis are column loops, left to right; one row
(``h.ndim == 1``) takes a fast path that makes the same IEEE operations in the same order
on the row's Python floats, so a single run and a batched run still round alike.
Reference: Sutton & Barto (2018), eq. 13.2 and 13.9; the book's chapter "The softmax policy".
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "entropy_from_log_probs",
    "entropy_gradient_from_log_probs",
    "inverse_cdf",
    "log_softmax",
    "preference_entropy",
    "preference_entropy_gradient",
    "preference_sample",
    "preference_score",
    "sample_row",
    "score_from_probs",
    "softmax",
    "take",
]

_FEW = 16  # up to this many actions, loops over the columns beat reductions over a short axis


def _max_last(h: np.ndarray) -> np.ndarray:
    """Maximum over the last axis, kept as a length-1 axis (a column loop for few actions)."""
    if h.shape[-1] > _FEW:
        return np.max(h, axis=-1, keepdims=True)
    m = h[..., 0].copy()
    for b in range(1, h.shape[-1]):
        np.maximum(m, h[..., b], out=m)
    return m[..., None]


def _sum_last(z: np.ndarray) -> np.ndarray:
    """Sum over the last axis, in column order whatever the batch (so batches round alike)."""
    if z.shape[-1] > _FEW:
        return np.sum(z, axis=-1)
    s = z[..., 0].copy()
    for b in range(1, z.shape[-1]):
        s += z[..., b]
    return s


def _max_row(values: list) -> float:
    """``_max_last`` of one row of Python floats: np.maximum's choice, NaN propagated."""
    m = values[0]
    for v in values[1:]:
        if not (m > v or m != m):  # np.maximum(m, v): m if m > v or m is NaN, else v
            m = v
    return m


def _sum_row(values: list) -> float:
    """``_sum_last`` of one row of Python floats: left to right (``sum()`` may compensate)."""
    s = values[0]
    for v in values[1:]:
        s += v
    return s


def _softmax_row(h: np.ndarray, tau: float) -> np.ndarray:
    """``softmax`` of one row of few actions, rounded as the column loops round a batch."""
    z = h - _max_row(h.tolist())
    if tau != 1.0:
        z /= tau
    np.exp(z, out=z)
    z /= _sum_row(z.tolist())
    return z


def _shifted(h: np.ndarray, tau: float) -> np.ndarray:
    """(h - max h) / tau, a fresh array whose entries are all <= 0."""
    z = h - _max_last(h)
    if tau != 1.0:
        z /= tau
    return z


def log_softmax(h: np.ndarray, tau: float = 1.0) -> np.ndarray:
    """Log-probabilities of preferences ``h`` (..., n_actions), max-shifted log-sum-exp."""
    z = _shifted(h, tau)
    z -= np.log(_sum_last(np.exp(z)))[..., None]
    return z


def softmax(h: np.ndarray, tau: float = 1.0) -> np.ndarray:
    """Probabilities of preferences ``h`` (..., n_actions): the shifted exponentials normalised."""
    if h.ndim == 1 and h.shape[0] <= _FEW:
        return _softmax_row(h, tau)
    z = _shifted(h, tau)
    np.exp(z, out=z)
    z /= _sum_last(z)[..., None]
    return z


def score_from_probs(
    probs: np.ndarray, actions: np.ndarray, tau: float = 1.0, *, overwrite: bool = False
) -> np.ndarray:
    """The preference-space score (e_a - pi)/tau, shape broadcast(probs[..., 0], actions) +
    (n_actions,).

    With ``overwrite=True`` and ``probs`` of the full shape, ``probs`` itself is turned
    into the result (no new array): for callers that hold the only reference to it.
    """
    if probs.ndim == 1 and isinstance(actions, (int, np.integer)):  # one row, one action
        g = np.negative(probs, out=probs) if overwrite and probs.flags.writeable else -probs
        g[actions] += 1.0
        if tau != 1.0:
            g /= tau
        return g
    shape = np.broadcast_shapes(probs.shape[:-1], np.shape(actions))
    if overwrite and probs.shape[:-1] == shape and probs.flags.writeable:
        g = np.negative(probs, out=probs)
    else:
        g = -np.broadcast_to(probs, shape + probs.shape[-1:])  # a fresh, writable array
    a = np.broadcast_to(actions, shape)
    if g.ndim == 2 and g.flags.c_contiguous:  # the common case: one flat scatter, the fastest
        n = g.shape[1]
        np.add.at(g.reshape(-1), np.arange(0, g.size, n) + a, 1.0)
    else:
        g[np.indices(shape, sparse=True) + (a,)] += 1.0
    if tau != 1.0:
        g /= tau
    return g


def preference_score(h: np.ndarray, actions: np.ndarray, tau: float = 1.0) -> np.ndarray:
    """(e_a - pi)/tau of preferences ``h`` (..., n_actions), shape broadcast(h[..., 0], actions)
    + (n_actions,)."""
    if (
        h.ndim == 2
        and 1 < h.shape[1] <= _FEW
        and h.shape[0] >= _ROWS
        and np.shape(actions) == (h.shape[0],)
    ):
        return _preference_score_by_columns(h, actions, tau)
    return score_from_probs(softmax(h, tau), actions, tau, overwrite=True)


_ROWS = 64  # from this many rows of few actions, a transposed copy saves more than it costs


def _preference_score_by_columns(h: np.ndarray, actions: np.ndarray, tau: float) -> np.ndarray:
    """:func:`preference_score` of a batch (n, few actions) made on its transpose, so that
    each step is one call over n contiguous numbers rather than a loop over strided columns.
    The same numbers: the maximum and the sum still run over the actions in column order."""
    z = h.T.copy(order="C")  # (n_actions, n), fresh whatever the layout of h
    z -= np.maximum.reduce(z, axis=0)
    if tau != 1.0:
        z /= tau
    np.exp(z, out=z)
    z /= np.add.reduce(z, axis=0)  # row after row: (z_0 + z_1) + z_2 + ..., as _sum_last
    g = np.negative(z.T, order="C")
    g.reshape(-1)[np.arange(0, g.size, g.shape[1]) + actions] += 1.0  # one entry per row
    if tau != 1.0:
        g /= tau
    return g


def preference_entropy(h: np.ndarray, tau: float = 1.0) -> np.ndarray:
    """Entropy of softmax(h / tau), from the log-probabilities, shape h.shape[:-1]."""
    return entropy_from_log_probs(log_softmax(h, tau))


def preference_entropy_gradient(h: np.ndarray, tau: float = 1.0) -> np.ndarray:
    """Gradient of the entropy of softmax(h / tau) with respect to ``h``, shape of ``h``."""
    return entropy_gradient_from_log_probs(log_softmax(h, tau), tau)


def preference_sample(h: np.ndarray, u: np.ndarray, tau: float = 1.0) -> np.ndarray:
    """The action of each uniform ``u`` (shape h.shape[:-1]) under softmax(h / tau), int64."""
    return inverse_cdf(softmax(h, tau), u)


def _p_log_p(log_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pi and pi log pi from log pi; pi log pi = 0 where pi underflows to 0 (its limit)."""
    p = np.exp(log_probs)
    return p, np.where(p > 0.0, p * log_probs, 0.0)


def entropy_from_log_probs(log_probs: np.ndarray) -> np.ndarray:
    """Entropy -sum_b pi_b log pi_b of each row of ``log_probs`` (..., n_actions), shape (...)."""
    return -np.sum(_p_log_p(log_probs)[1], axis=-1)


def entropy_gradient_from_log_probs(log_probs: np.ndarray, tau: float = 1.0) -> np.ndarray:
    """Gradient of the entropy with respect to the preferences, -pi (log pi - E[log pi]) / tau.

    Shape of ``log_probs``; each row sums to zero; an action of probability 0 gets 0.
    """
    p, plogp = _p_log_p(log_probs)
    g = p * _sum_last(plogp)[..., None] - plogp
    if tau != 1.0:
        g /= tau
    return g


def inverse_cdf(probs: np.ndarray, u: np.ndarray | float) -> np.ndarray:
    """The action b with cdf(b-1) <= u < cdf(b) for uniforms ``u`` in [0, 1), int64.

    Shape broadcast(probs.shape[:-1], u.shape). Counts the actions b < n - 1 whose
    cumulative probability is at most ``u``: the last action takes whatever rounding
    leaves above the final sum.
    """
    n = probs.shape[-1]
    if probs.ndim == 1 and n <= _FEW and isinstance(u, float):
        return np.array(sample_row(probs, u), dtype=np.int64)
    u = np.asarray(u)
    if n > _FEW:
        cdf = np.cumsum(probs, axis=-1)
        return np.minimum(np.sum(cdf <= u[..., None], axis=-1), n - 1).astype(np.int64)
    shape = np.broadcast_shapes(probs.shape[:-1], u.shape)
    cdf = np.zeros(shape)
    a = np.zeros(shape, dtype=np.int64)
    for b in range(n - 1):
        cdf += probs[..., b]
        a += cdf <= u
    return a


def sample_row(probs: np.ndarray, u: float) -> int:
    """``inverse_cdf`` of one row ``probs`` (n_actions,) and one uniform ``u``, a Python int.

    The same sums and comparisons as the column loop, on the row's Python floats.
    """
    n = probs.shape[0]
    if n > _FEW:
        return int(inverse_cdf(probs[None], np.array([u]))[0])
    cdf, a = 0.0, 0
    for p in probs.tolist()[: n - 1]:
        cdf += p
        if cdf <= u:
            a += 1
    return a


def take(values: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """``values[..., actions]`` with the leading axes broadcast: shape broadcast(values[..., 0],
    actions)."""
    shape = np.broadcast_shapes(values.shape[:-1], np.shape(actions))
    v = np.broadcast_to(values, shape + values.shape[-1:])
    a = np.broadcast_to(actions, shape)[..., None]
    return np.take_along_axis(v, a, axis=-1)[..., 0]
