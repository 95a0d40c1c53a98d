r"""Save what :func:`~softmax_pg.learners.reinforce_batched` returns and load it back.

A :class:`~softmax_pg.learners.BatchedResult` is kept whole in one ``.npz`` file: every
run's :math:`\theta`, its returns, lengths and history, the observation statistics, the
baselines' weights, the temperature and the parametrisation, described and fingerprinted
as :func:`~softmax_pg.learners.save_policy` does it (with run 0's :math:`\theta`). It is
saved to be read, evaluated and plotted, not resumed: the batched learner's generators
draw their uniforms in blocks, which the file does not hold.
"""

from __future__ import annotations

import os

import numpy as np

from ..policy import SoftmaxPolicy
from ._batched_result import BatchedResult
from .saving import policy_arrays, policy_from, read_archive

__all__ = ["load_batched", "save_batched"]

FORMAT = "softmax_pg batched runs, version 1"
_ROWS = ("thetas", "returns", "discounted_returns", "lengths")
_OPTIONAL = ("observation_mean", "observation_std", "value_weights")


def save_batched(path: str | os.PathLike, result: BatchedResult) -> None:
    """Write ``result`` (a BatchedResult) to the ``.npz`` file ``path``; :func:`load_batched`
    reads it back, every field as it was."""
    if not isinstance(result, BatchedResult):
        raise TypeError(
            "result must be the BatchedResult of reinforce_batched; got an object of type "
            f"{type(result).__name__}: save one run with save_run(path, result)"
        )
    pol = SoftmaxPolicy(result.param, result.thetas[0], result.temperature)
    arrays = {**policy_arrays(pol), "batched.wall_time": np.float64(result.wall_time)}
    arrays.update({f"batched.{name}": getattr(result, name) for name in _ROWS})
    for name in _OPTIONAL:
        if getattr(result, name) is not None:
            arrays[f"batched.{name}"] = getattr(result, name)
    arrays.update({f"batched.history.{k}": np.asarray(v) for k, v in result.history.items()})
    np.savez(path, format=np.str_(FORMAT), **arrays)


def load_batched(path: str | os.PathLike, param=None) -> BatchedResult:
    """The :class:`~softmax_pg.learners.BatchedResult` :func:`save_batched` wrote, its
    parametrisation checked as :func:`~softmax_pg.learners.load_policy` checks a policy's
    (the file, the class, its size and its preferences on a probe batch with run 0's
    :math:`\\theta`: each failure a ``ValueError``).

    Parameters
    ----------
    path : str or os.PathLike
    param : Parametrisation, optional
        As for :func:`~softmax_pg.learners.load_policy`: needed when the saved one could
        not describe itself.
    """
    where = os.fspath(path)
    data = read_archive(path, FORMAT, "save_batched", "batched-runs")
    policy = policy_from(data, param, where, "load_batched")
    prefix = "batched.history."
    try:
        rows = {name: data[f"batched.{name}"] for name in _ROWS}
        if not np.array_equal(rows["thetas"][0], data["theta"]):
            raise ValueError("its thetas[0] is not the theta its fingerprint was taken with")
        return BatchedResult(
            **rows,
            wall_time=float(data["batched.wall_time"]),
            param=policy.param,
            history={k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)},
            temperature=policy.temperature,
            **{name: data.get(f"batched.{name}") for name in _OPTIONAL},
        )
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise ValueError(
            f"{where!r} is not a complete batched-runs file written by "
            f"softmax_pg.learners.save_batched (corrupt or truncated): {type(exc).__name__}: {exc}"
        ) from None
