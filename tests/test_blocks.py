"""The score of a large batch in cache-sized blocks: the numbers of one pass, bit for bit,
for Part I's features and every parametrisation of the package (the tabular one opts
out); every check still made, its error naming the index in the whole batch."""

from __future__ import annotations

import re
import threading
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from softmax_pg import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    Parametrisation,
    SoftmaxPolicy,
    TabularPreferences,
    _blocks,
    _kernel,
    score,
)

RNG = np.random.default_rng(11)


@pytest.fixture
def calls(monkeypatch):
    """Small blocks (a few rows), and a count of the blocked computations made."""
    monkeypatch.setattr(_blocks, "BLOCK_BYTES", 1)
    monkeypatch.setattr(_blocks, "MIN_ROWS", 7)
    made = []
    real = _blocks.score_in_blocks

    def counted(*args, **kwargs):
        made.append(args[6])  # rows
        return real(*args, **kwargs)

    monkeypatch.setattr(_blocks, "score_in_blocks", counted)
    import softmax_pg.linear_policy as lp
    import softmax_pg.policy as pol

    monkeypatch.setattr(lp, "score_in_blocks", counted)
    monkeypatch.setattr(pol, "score_in_blocks", counted)
    return made


def one_pass(monkeypatch, fn):
    """``fn()`` with blocks off (every batch too small for two)."""
    with monkeypatch.context() as m:
        m.setattr(_blocks, "MIN_ROWS", 10**9)
        return fn()


@pytest.mark.parametrize("tau", [1.0, 0.3])
@pytest.mark.parametrize(
    "batch, actions",
    [((100,), "each"), ((4, 25), "each"), ((4, 25), "per column"), ((50,), "one")],
)
def test_part_one_score_in_blocks_is_one_pass_bit_for_bit(monkeypatch, calls, batch, actions, tau):
    phi = RNG.normal(size=batch + (6, 5)) * 3.0
    theta = RNG.normal(size=5)
    a = {
        "each": RNG.integers(0, 6, size=batch),
        "per column": RNG.integers(0, 6, size=batch[-1:]),
        "one": 4,
    }[actions]
    blocked = score(theta, phi, a, tau)
    assert calls == [7]  # the blocked route was taken, 7 rows a block
    expected = one_pass(monkeypatch, lambda: score(theta, phi, a, tau))
    assert len(calls) == 1 and blocked.shape == batch + (5,)
    assert blocked.tobytes() == expected.tobytes()


def test_part_one_score_of_a_broadcast_or_strided_batch_is_one_pass(calls):
    phi = RNG.normal(size=(30, 4, 3))
    score(RNG.normal(size=3), phi[0], np.arange(40) % 4)  # actions broadcast the features
    score(RNG.normal(size=3), np.swapaxes(phi.reshape(5, 6, 4, 3), 0, 1), 1)  # 4-d, strided
    assert calls == []
    assert score(RNG.normal(size=3), phi[::2], 1).shape == (15, 3) and calls == [7]


class Quadratic(Parametrisation):
    """A user's class: h_b(x) = theta_b . [x, x^2], only the required methods."""

    n_actions, n_params = 3, 12

    def features(self, x):
        return np.concatenate([x, x**2], axis=1)

    def preferences(self, theta, observations):
        return self.features(observations) @ theta.reshape(3, 4).T

    def vjp(self, theta, observations, g):
        return (g[:, :, None] * self.features(observations)[:, None, :]).reshape(len(g), -1)


PARAMS = {
    "tabular": (TabularPreferences(9, 3), lambda n: RNG.integers(0, 9, n)),
    "linear table": (
        LinearPreferences(RNG.normal(size=(9, 3, 4))),
        lambda n: RNG.integers(0, 9, n),
    ),
    "linear callable": (
        LinearPreferences(lambda x: np.stack([x, -x, x * x], axis=1), 3, 2),
        lambda n: RNG.normal(size=(n, 2)),
    ),
    "matrix": (MatrixPreferences(2, 3), lambda n: RNG.normal(size=(n, 2))),
    "mlp": (MLPPreferences(2, 3, hidden=(5,)), lambda n: RNG.normal(size=(n, 2))),
    "user": (Quadratic(), lambda n: RNG.normal(size=(n, 2))),
}


@pytest.mark.parametrize("kind", list(PARAMS))
def test_policy_score_in_blocks_is_one_pass_bit_for_bit(monkeypatch, calls, kind):
    param, observations = PARAMS[kind]
    theta = RNG.normal(size=param.n_params)
    policy, obs, a = SoftmaxPolicy(param, theta, 0.6), observations(60), RNG.integers(0, 3, 60)
    blocked = policy.score(obs, a)
    assert calls == ([] if kind == "tabular" else [7])  # tabular: _blocked_score = False
    expected = one_pass(monkeypatch, lambda: policy.score(obs, a))
    assert blocked.shape == (60, param.n_params) and blocked.tobytes() == expected.tobytes()


class NaNAt(Quadratic):
    """Preferences (or a vjp) with one non-finite entry, at a row of the whole batch."""

    def __init__(self, row: int, where: str) -> None:
        self.row, self.where = row, where

    def preferences(self, theta, observations):
        h = super().preferences(theta, observations)
        if self.where == "preferences" and np.any(observations[:, 0] == 5.0):
            h[np.argmax(observations[:, 0] == 5.0), 1] = np.nan
        return h

    def vjp(self, theta, observations, g):
        out = super().vjp(theta, observations, g)
        if self.where == "vjp" and np.any(observations[:, 0] == 5.0):
            out[np.argmax(observations[:, 0] == 5.0), 2] = np.inf
        return out


@pytest.mark.parametrize("where", ["preferences", "vjp"])
def test_a_bad_row_in_a_late_block_is_named_by_its_index_in_the_batch(calls, where):
    obs = RNG.normal(size=(60, 2))
    obs[45, 0] = 5.0  # in the seventh block
    policy = SoftmaxPolicy(NaNAt(45, where), np.zeros(12))
    method = "preferences(theta, observations)" if where == "preferences" else "vjp(theta, "
    index = "(45, 1)" if where == "preferences" else "(45, 2)"
    match = rf"NaNAt.{re.escape(method)}.* non-finite .* at index {re.escape(index)}"
    with pytest.raises(ValueError, match=match):
        policy.score(obs, np.zeros(60, dtype=int))
    assert calls == [7]  # found by the blocks' checks, then named by one pass


def test_a_wrong_vjp_width_in_blocks_names_the_whole_batch(calls):
    class WrongWidth(Quadratic):
        def vjp(self, theta, observations, g):
            return super().vjp(theta, observations, g)[:, :-1]

    with pytest.raises(ValueError, match=r"returned shape \(60, 11\); expected .* = \(60, 12\)"):
        SoftmaxPolicy(WrongWidth(), np.zeros(12)).score(RNG.normal(size=(60, 2)), np.zeros(60, int))


def test_part_one_nan_feature_in_a_late_block_is_named_by_its_index(calls):
    phi = RNG.normal(size=(60, 3, 2))
    phi[52, 1, 0] = np.nan
    with pytest.raises(ValueError, match=r"features must contain only finite .* \(52, 1, 0\)"):
        score(np.ones(2), phi, np.zeros(60, dtype=int))
    assert calls == [7]


def test_block_rows():
    big = np.zeros((100_000, 10, 32))
    rows = _blocks.block_rows(big, 32)
    assert rows * 10 * 32 * 8 <= _blocks.BLOCK_BYTES and rows >= _blocks.MIN_ROWS
    assert _blocks.block_rows(big[:rows], 32) is None  # one block: one pass
    assert _blocks.block_rows([0, 1] * 10_000, 3) is None  # not an array
    assert _blocks.block_rows(np.zeros(100_000, dtype=np.int64), 12) == _blocks.BLOCK_BYTES // 96


@pytest.fixture
def three_threads(monkeypatch):
    """Blocks of 7 rows shared out between three threads whatever the machine's CPUs."""
    monkeypatch.setattr(_blocks, "BLOCK_BYTES", 1)
    monkeypatch.setattr(_blocks, "MIN_ROWS", 7)
    monkeypatch.setattr(_blocks, "BLOCKS_PER_THREAD", 1)
    monkeypatch.setattr(_blocks.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert _blocks.block_threads(60, 7) == 3


@pytest.mark.parametrize("tau", [1.0, 0.3])
@pytest.mark.parametrize("rows", [7, _kernel._ROWS])  # the kernel's loop, then its columns
def test_threads_give_the_numbers_of_one_pass_bit_for_bit(monkeypatch, three_threads, rows, tau):
    monkeypatch.setattr(_blocks, "MIN_ROWS", rows)
    n = 12 * rows + 5
    phi, theta = RNG.normal(size=(n, 6, 5)) * 3.0, RNG.normal(size=5)
    a = RNG.integers(0, 6, size=n)
    assert _blocks.block_threads(n, _blocks.block_rows(phi, 5)) == 3
    threaded = score(theta, phi, a, tau)
    expected = one_pass(monkeypatch, lambda: score(theta, phi, a, tau))
    assert threaded.tobytes() == expected.tobytes()


def test_threads_run_the_blocks_and_each_block_once(three_threads):
    """Three threads each compute blocks: every thread's first block after block 0 waits
    for the other two (a pool that reused one thread, or no threads, would time out)."""
    seen, waited, meeting = [], set(), threading.Barrier(3, timeout=10)

    def preferences(theta, obs):
        start, me = int(obs[0, 0]), threading.get_ident()
        seen.append(start)
        if start > 0 and me not in waited:
            waited.add(me)
            meeting.wait()
        return obs[:, :3] * theta

    rows = np.repeat(np.arange(0, 60, 7), 7)[:60, None] * np.ones((60, 3))
    out = _blocks.score_in_blocks(
        preferences, lambda theta, obs, g: g, 1.0, rows, np.zeros(60, int), 1.0, 7, 3
    )
    assert sorted(seen) == list(range(0, 60, 7))  # 9 blocks, none twice, none lost
    assert len(waited) == 3
    assert out.shape == (60, 3) and np.allclose(out.sum(axis=1), 0.0)


def test_an_error_in_a_thread_reaches_the_caller_naming_its_index(three_threads):
    phi = RNG.normal(size=(60, 3, 2))
    phi[52, 1, 0] = np.nan  # in the last block: another thread's
    with pytest.raises(ValueError, match=r"features must contain only finite .* \(52, 1, 0\)"):
        score(np.ones(2), phi, np.zeros(60, dtype=int))


def test_threads_keep_the_callers_error_state(three_threads):
    """Preferences +-1e308 overflow in h - max h (to -inf, whose exp is the right 0): the
    public call silences that warning, in every thread it uses. pi = e_0, so the score of
    action 0 is exactly 0."""
    phi = RNG.normal(size=(60, 2, 2))
    phi[:, :, 0] = np.array([1e308, -1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = score(np.array([1.0, 0.0]), phi, np.zeros(60, dtype=int))
    assert not np.any(out)


@pytest.mark.parametrize(
    "cpus, omp, rows, expected",
    [
        (2, None, 100_000, 2),
        (2, "1", 100_000, 1),
        (8, "3", 100_000, 3),
        (2, "x", 100_000, 2),
        (4, None, 7 * 8, 2),
        (2, None, 7 * 7, 1),
    ],
)
def test_block_threads(monkeypatch, cpus, omp, rows, expected):
    monkeypatch.setattr(
        _blocks.os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False
    )
    if omp is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", omp)
    assert _blocks.block_threads(rows, 7 if rows < 1000 else 819) == expected


@given(
    n=st.integers(_kernel._ROWS, 300),
    n_actions=st.integers(2, _kernel._FEW),
    scale=st.sampled_from([1e-3, 1.0, 30.0, 1e3, 1e307]),
    tau=st.sampled_from([1.0, 0.3, 7.0]),
    seed=st.integers(0, 2**32 - 1),
    fortran=st.booleans(),
)
def test_the_score_by_columns_is_the_loop_over_columns_bit_for_bit(
    n, n_actions, scale, tau, seed, fortran
):
    """A large block's preference-space score is made on the transpose; the numbers are
    those of the softmax's loop over the columns, the input is left alone."""
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(n, n_actions)) * scale
    h = np.asfortranarray(h) if fortran else h
    kept = h.copy()
    a = rng.integers(0, n_actions, size=n)
    with np.errstate(over="ignore"):  # as every public caller: -1e307 / 0.3 is -inf
        by_columns = _kernel.preference_score(h, a, tau)
        loop = _kernel.score_from_probs(_kernel.softmax(h, tau), a, tau, overwrite=True)
    assert by_columns.flags.c_contiguous and by_columns.tobytes() == loop.tobytes()
    assert h.tobytes() == kept.tobytes()
