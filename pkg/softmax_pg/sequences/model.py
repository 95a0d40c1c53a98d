r"""A language model small enough to enumerate: prompts, digit tokens, an end token.

A prompt :math:`s_0` asks for digits whose sum is its target; a response :math:`\xi` is
1 to ``max_len`` digits (tokens ``0 .. n_digits - 1``) followed by the end token
(``n_digits``). The state at position :math:`t` is the pair (prompt, tokens so far), and
the policy at that state is a softmax over the ``n_digits + 1`` tokens. Two tokens are
invalid by construction and masked with :math:`-\infty`: the end token before the first
digit, and every digit after ``max_len`` digits. The book's chapter "The score in a
language model".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_real_array, check_count
from ..parametrisations import MLPPreferences, Parametrisation, TabularPreferences
from ..parametrisations.tabular import check_states

__all__ = ["MaskedPreferences", "Responses", "TinyLanguageModel"]


class MaskedPreferences(Parametrisation):
    r"""Preferences :math:`h_\theta(s) + m(s)` with a fixed mask :math:`m(s)\in\{0,-\infty\}^n`.

    Observations are state indices. The mask is a constant, so
    :math:`\mathrm{D}h^\top g` is the inner parametrisation's vjp of :math:`g` with the
    masked entries set to 0 (there the score :math:`e_a - \pi` is 0 anyway: :math:`\pi = 0`).

    Parameters
    ----------
    inner : Parametrisation
        The finite preferences; takes the state indices as its observations.
    mask : array_like, shape (n_states, n_actions)
        0 where a token is allowed, ``-inf`` where it is not; every row allows one token at least.
    """

    observation_shape = ()

    def __init__(self, inner: Parametrisation, mask) -> None:
        if not isinstance(inner, Parametrisation):
            raise TypeError(f"inner must be a softmax_pg.Parametrisation; got {inner!r}")
        m = as_real_array(mask, "mask", finite=False)
        if m.ndim != 2 or m.shape[1] != inner.n_actions:
            raise ValueError(
                f"mask must have shape (n_states, n_actions) = (n_states, {inner.n_actions}); "
                f"got shape {m.shape}"
            )
        if not np.all((m == 0.0) | (m == -np.inf)):
            raise ValueError("mask must hold only 0 (allowed) and -inf (not allowed)")
        if not np.all((m == 0.0).any(axis=1)):
            bad = int(np.argmin((m == 0.0).any(axis=1)))
            raise ValueError(f"mask row {bad} allows no token; every state needs one at least")
        self.inner, self.mask = inner, m
        self.n_actions, self.n_params = inner.n_actions, inner.n_params
        self.n_states = m.shape[0]

    def __repr__(self) -> str:
        return f"MaskedPreferences({self.inner!r}, n_states={self.n_states})"

    def check_observations(self, observations) -> np.ndarray:
        return check_states(observations, self.n_states)

    def init(self, rng):
        return self.inner.init(rng)

    def preferences(self, theta, observations):
        s = np.asarray(observations)
        return self.inner.preferences(theta, s) + self.mask[s]

    def vjp(self, theta, observations, g):
        s = np.asarray(observations)
        return self.inner.vjp(theta, s, np.where(self.mask[s] == 0.0, g, 0.0))

    def vjp_sum(self, theta, observations, g):
        s = np.asarray(observations)
        return self.inner.vjp_sum(theta, s, np.where(self.mask[s] == 0.0, g, 0.0))

    def linearise(self, theta, observations):
        """The inner parametrisation's one forward pass, masked (the same numbers as the
        methods)."""
        s = np.asarray(observations)
        h, inner_pullback = self.inner.linearise(theta, s)

        def pullback(g, summed=False):
            return inner_pullback(np.where(self.mask[s] == 0.0, g, 0.0), summed)

        return h + self.mask[s], pullback


class TinyLanguageModel:
    r"""Prompts with digit-sum targets, responses of 1 to ``max_len`` digits and an end token.

    The reward of a response is 1 when its digits sum to the prompt's target, else 0.
    Every response can be listed (:attr:`responses`), which makes :math:`J(\theta)` and
    its gradient exact (:mod:`softmax_pg.sequences.oracle`).

    Parameters
    ----------
    targets : sequence of int, default (2, 3, 4, 5)
        One prompt per target; the prompts are drawn uniformly.
    n_digits : int, default 3
        The digit tokens ``0 .. n_digits - 1``; the end token is ``n_digits``.
    max_len : int, default 4
        The most digits in a response; ``n_digits ** max_len`` must stay below 10**5.

    Attributes
    ----------
    n_tokens : int
        ``n_digits + 1``.
    n_states : int
        ``n_prompts * n_prefixes``: one state per prompt and prefix of 0 .. max_len digits.
    responses : numpy.ndarray of int, shape (n_responses, max_len + 1)
        Every response's tokens, the end token included, padded with 0.
    lengths : numpy.ndarray of int, shape (n_responses,)
        Its number of tokens (digits + 1).
    prefixes : numpy.ndarray of int, shape (n_responses, max_len + 1)
        The prefix index before each token (0 at padding).
    """

    def __init__(self, targets=(2, 3, 4, 5), n_digits: int = 3, max_len: int = 4) -> None:
        t = np.asarray(targets)
        if t.ndim != 1 or t.size == 0 or not np.issubdtype(t.dtype, np.integer):
            raise TypeError(f"targets must be a non-empty sequence of integers; got {targets!r}")
        self.targets = t.astype(np.int64)
        self.n_digits = check_count(n_digits, "n_digits")
        self.max_len = check_count(max_len, "max_len")
        if self.n_digits**self.max_len > 10**5:
            raise ValueError(
                f"n_digits ** max_len = {self.n_digits**self.max_len} responses is too many to "
                "enumerate; expected at most 10**5"
            )
        self.n_prompts, self.end, self.n_tokens = t.size, self.n_digits, self.n_digits + 1
        self.n_positions = self.max_len + 1
        sizes = self.n_digits ** np.arange(self.max_len + 1)
        self.offsets = np.concatenate([[0], np.cumsum(sizes)])  # prefixes of length k start here
        self.n_prefixes = int(self.offsets[-1])
        self.n_states = self.n_prompts * self.n_prefixes
        self.n_inputs = self.n_prompts + self.max_len * self.n_digits
        self._enumerate()

    def __repr__(self) -> str:
        return (
            f"TinyLanguageModel(targets={self.targets.tolist()}, n_digits={self.n_digits}, "
            f"max_len={self.max_len})"
        )

    def _enumerate(self) -> None:
        """Every prefix's digits and every response's tokens, lengths and prefixes."""
        v, L = self.n_digits, self.max_len
        self.prefix_length = np.repeat(np.arange(L + 1), v ** np.arange(L + 1))
        digits = np.zeros((self.n_prefixes, L), dtype=np.int64)
        for k in range(1, L + 1):
            num = np.arange(v**k)
            for j in range(k):  # digit j of a length-k prefix, most significant first
                digits[self.offsets[k] : self.offsets[k + 1], j] = num // v ** (k - 1 - j) % v
        self.prefix_digits = digits
        resp = np.arange(self.offsets[1], self.n_prefixes)  # a response is a prefix + end
        n = self.prefix_length[resp]
        self.lengths = n + 1
        self.responses = np.pad(digits[resp], ((0, 0), (0, 1)))  # digits, then 0s
        self.responses[np.arange(resp.size), n] = self.end
        self.prefixes = np.zeros_like(self.responses)
        for t in range(1, L + 1):
            live = t < self.lengths
            prev, tok = self.prefixes[live, t - 1], self.responses[live, t - 1]
            self.prefixes[live, t] = self.child(prev, tok)
        self.digit_sums = digits[resp].sum(axis=1)
        self.n_responses = resp.size

    def child(self, prefixes, tokens):
        """The prefix index after appending digit ``tokens`` to ``prefixes`` (trusted ints)."""
        k = self.prefix_length[prefixes]
        return self.offsets[k + 1] + (prefixes - self.offsets[k]) * self.n_digits + tokens

    def states(self, prompts, prefixes):
        """The state index of (prompt, prefix): ``prompt * n_prefixes + prefix``."""
        return np.asarray(prompts) * self.n_prefixes + np.asarray(prefixes)

    def mask(self) -> np.ndarray:
        """(n_states, n_tokens): 0 where a token is allowed, ``-inf`` where it is not."""
        m = np.zeros((self.n_prefixes, self.n_tokens))
        m[self.prefix_length == 0, self.end] = -np.inf
        m[self.prefix_length == self.max_len, : self.n_digits] = -np.inf
        return np.tile(m, (self.n_prompts, 1))

    def encode(self, states) -> np.ndarray:
        """x(s), (batch, n_inputs): one-hot prompt, then one one-hot per position (0 if empty)."""
        s = np.asarray(states)
        prompt, prefix = s // self.n_prefixes, s % self.n_prefixes
        x = np.zeros((s.shape[0], self.n_inputs))
        x[np.arange(s.shape[0]), prompt] = 1.0
        filled = np.arange(self.max_len) < self.prefix_length[prefix][:, None]
        cols = self.n_prompts + np.arange(self.max_len) * self.n_digits + self.prefix_digits[prefix]
        rows = np.broadcast_to(np.arange(s.shape[0])[:, None], cols.shape)
        x[rows[filled], cols[filled]] = 1.0
        return x

    def response_index(self, responses: Responses) -> np.ndarray:
        """The row of each response in ``all_responses(self)``: ``prompt * n_responses + i``.

        A response is its last prefix plus the end token, so ``i`` is that prefix's index - 1.
        """
        if not isinstance(responses, Responses):
            raise TypeError(f"responses must be a Responses; got {type(responses).__name__}")
        n = len(responses)
        last = responses.states[np.arange(n), responses.lengths - 1] % self.n_prefixes
        return responses.prompts * self.n_responses + last - self.offsets[1]

    def reward(self, prompts, digit_sums) -> np.ndarray:
        """1.0 where a response's digits sum to its prompt's target, else 0.0."""
        return (np.asarray(digit_sums) == self.targets[np.asarray(prompts)]).astype(np.float64)

    def tabular(self) -> MaskedPreferences:
        """A table of preferences over the states, masked."""
        return MaskedPreferences(TabularPreferences(self.n_states, self.n_tokens), self.mask())

    def mlp(self, hidden=(32,)) -> MaskedPreferences:
        """A tanh network on :meth:`encode`'s one-hot inputs, masked."""
        net = MLPPreferences(self.n_inputs, self.n_tokens, hidden, state_fn=self.encode)
        return MaskedPreferences(net, self.mask())


@dataclass(frozen=True)
class Responses:
    """A batch of responses, padded to ``n_positions`` tokens.

    Attributes
    ----------
    prompts : numpy.ndarray of int, shape (n,)
    tokens : numpy.ndarray of int, shape (n, n_positions)
        The tokens, the end token included, then 0 (padding).
    lengths : numpy.ndarray of int, shape (n,)
        The number of tokens of each response (its digits + 1).
    states : numpy.ndarray of int, shape (n, n_positions)
        The state (prompt, prefix) before each token; padding repeats the prompt's empty prefix.
    rewards : numpy.ndarray, shape (n,)
        1.0 where the digits sum to the prompt's target, else 0.0.
    """

    prompts: np.ndarray
    tokens: np.ndarray
    lengths: np.ndarray
    states: np.ndarray
    rewards: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        """(n, n_positions) bool: True at a response's tokens, False at padding."""
        return np.arange(self.tokens.shape[1]) < self.lengths[:, None]

    def __len__(self) -> int:
        return self.prompts.shape[0]
