r"""Save a trained policy to a numpy ``.npz`` file and load it back.

The file holds :math:`\theta`, the temperature and what rebuilds the parametrisation:
its kind and sizes (and the feature table, or the observation moments of a normalised
policy). A parametrisation the file cannot describe (a user's own class, a ``state_fn``,
a callable feature map) is saved by its :math:`\theta` alone; pass it to
:func:`load_policy` as ``param``.
"""

from __future__ import annotations

import os

import numpy as np

from ..parametrisations import (
    LinearPreferences,
    MatrixPreferences,
    MLPPreferences,
    TabularPreferences,
)
from ..policy import SoftmaxPolicy
from .standardize import Standardized

__all__ = ["load_policy", "save_policy"]


def _describe(param) -> dict:
    if isinstance(param, Standardized):
        inner = _describe(param.param)
        return {**inner, "standardized": True, "mean": param.mean, "std": param.std}
    if type(param) is TabularPreferences:
        return {"kind": "tabular", "sizes": [param.n_states, param.n_actions]}
    if type(param) is LinearPreferences and param.table is not None:
        return {"kind": "linear", "table": param.table}
    if type(param) is MatrixPreferences and param.state_fn is None:
        return {"kind": "matrix", "sizes": [param.n_inputs, param.n_actions, int(param.bias)]}
    if type(param) is MLPPreferences and param.state_fn is None:
        return {"kind": "mlp", "sizes": [param.n_inputs, param.n_actions, *param.hidden]}
    return {"kind": "custom"}


def save_policy(path: str | os.PathLike, policy) -> None:
    """Write ``policy`` (a SoftmaxPolicy or a learner's result) to the ``.npz`` file ``path``."""
    pol = getattr(policy, "policy", policy)
    if not isinstance(pol, SoftmaxPolicy):
        raise TypeError(f"policy must be a SoftmaxPolicy or a learner's result; got {policy!r}")
    spec = _describe(pol.param)
    arrays = {k: np.asarray(v) for k, v in spec.items() if k != "kind"}
    np.savez(
        path,
        theta=pol.theta,
        temperature=np.float64(pol.temperature),
        kind=np.str_(spec["kind"]),
        n_params=np.int64(pol.param.n_params),
        **arrays,
    )


def _build(data):
    kind, sizes = str(data["kind"]), [int(n) for n in data["sizes"]] if "sizes" in data else []
    if kind == "tabular":
        return TabularPreferences(*sizes)
    if kind == "linear":
        return LinearPreferences(data["table"])
    if kind == "matrix":
        return MatrixPreferences(sizes[0], sizes[1], bias=bool(sizes[2]))
    return MLPPreferences(sizes[0], sizes[1], hidden=tuple(sizes[2:]))


def load_policy(path: str | os.PathLike, param=None) -> SoftmaxPolicy:
    """The policy saved by :func:`save_policy`; ``param`` is needed for a ``custom`` one."""
    with np.load(path, allow_pickle=False) as data:
        kind = str(data["kind"])
        if param is None:
            if kind == "custom":
                raise ValueError(
                    f"{os.fspath(path)!r} holds a policy of a parametrisation it cannot rebuild "
                    "(a custom "
                    "class, a state_fn or a callable feature map): pass it as load_policy(path, "
                    "param=...)"
                )
            param = _build(data)
            if "standardized" in data:
                param = Standardized(param, data["mean"], data["std"])
        if param.n_params != int(data["n_params"]):
            raise ValueError(
                f"param has n_params = {param.n_params}; the file holds {int(data['n_params'])}"
            )
        return SoftmaxPolicy(param, data["theta"], float(data["temperature"]))
