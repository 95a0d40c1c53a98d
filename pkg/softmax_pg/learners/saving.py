r"""Save a trained policy to a numpy ``.npz`` file and load it back.

The file holds :math:`\theta`, the temperature, the parametrisation's class and its
description (:meth:`Parametrisation.to_config <softmax_pg.Parametrisation.to_config>`:
sizes, a feature table, the observation moments of a normalised policy), and a
fingerprint: the preferences :math:`h_\theta` on a fixed probe batch of observations. A
parametrisation that cannot describe itself (a user's own class, a ``state_fn``, a
callable feature map) is saved without a description; pass it to :func:`load_policy` as
``param``.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

from ..parametrisations.base import class_name, find_class
from ..parametrisations.outputs import checked_preferences
from ..policy import SoftmaxPolicy

__all__ = ["load_policy", "policy_arrays", "policy_from", "read_archive", "save_policy"]

FORMAT = "softmax_pg policy, version 2"
_N_PROBE = 8


def policy_of(policy, name: str = "policy") -> SoftmaxPolicy:
    """A SoftmaxPolicy, or a learner's result's ``.policy``; a short message otherwise."""
    pol = getattr(policy, "policy", policy)
    if isinstance(pol, SoftmaxPolicy):
        return pol
    if hasattr(policy, "thetas") and callable(pol):  # a BatchedResult: one policy per run
        raise TypeError(
            f"{name} must be one policy; got a BatchedResult of {policy.n_runs} runs: pass "
            f"result.policy(run) for one run (run in 0..{policy.n_runs - 1})"
        )
    raise TypeError(
        f"{name} must be a SoftmaxPolicy or a learner's result (with .policy); got an object "
        f"of type {type(policy).__name__}"
    )


def _flat(config: dict, prefix: str) -> dict[str, np.ndarray]:
    out = {}
    for key, value in config.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = np.asarray(value)
    return out


def _nested(data, prefix: str) -> dict:
    config: dict = {}
    for name in data.files:
        if name.startswith(prefix):
            *path, key = name[len(prefix) :].split(".")
            here = config
            for part in path:
                here = here.setdefault(part, {})
            value = data[name]
            here[key] = value.item() if value.ndim == 0 else value
    return config


def _probe(policy: SoftmaxPolicy) -> np.ndarray | None:
    """A fixed batch of observations of ``policy`` (None when their shape is unknown)."""
    param, shape = policy.param, policy.observation_shape
    if shape is None:
        return None
    if tuple(shape) == ():
        n = getattr(param, "n_states", None) or getattr(
            getattr(param, "param", None), "n_states", 1
        )
        return np.unique(np.linspace(0, n - 1, 64).astype(np.int64))
    return np.random.default_rng(20181).normal(size=(_N_PROBE, *shape))


def policy_arrays(pol: SoftmaxPolicy) -> dict[str, np.ndarray]:
    """The arrays :func:`save_policy` writes for ``pol`` (without the format entry)."""
    config = pol.param.to_config()
    arrays = {} if config is None else _flat(config, "config.")
    probe = _probe(pol)
    try:  # a class that cannot take the probe (not every vector is an observation) has none
        arrays["probe_preferences"] = None if probe is None else pol.preferences(probe)
        arrays["probe_observations"] = probe
    except Exception:  # noqa: BLE001  (whatever the user's class raises)
        pass
    arrays = {k: v for k, v in arrays.items() if v is not None}
    return {
        "param_class": np.str_(class_name(pol.param)),
        "described": np.bool_(config is not None),
        "theta": pol.theta,
        "temperature": np.float64(pol.temperature),
        **arrays,
    }


def save_policy(path: str | os.PathLike, policy) -> None:
    """Write ``policy`` (a SoftmaxPolicy or a learner's result) to the ``.npz`` file ``path``.

    What is stored is what :func:`load_policy` checks: the class, its description (when it
    has one), :math:`\\theta`, the temperature, and the preferences on a probe batch.
    """
    np.savez(path, format=np.str_(FORMAT), **policy_arrays(policy_of(policy)))


def read_archive(
    path, fmt: str = FORMAT, writer: str = "save_policy", kind: str = "policy"
) -> dict:
    """The file's arrays; one ValueError for anything ``writer`` did not write."""
    reason = "numpy cannot read it as an .npz archive of arrays"
    with open(path, "rb") as file:  # FileNotFoundError stays what it is
        try:
            data = np.load(file, allow_pickle=False)
            if isinstance(data, np.ndarray):
                reason = "it is a single array (.npy), not an .npz archive"
            elif "format" in data.files and str(data["format"]) == fmt:
                out = {name: data[name] for name in data.files}
                out["config"] = _nested(data, "config.")
                return out
            elif "format" in data.files:
                reason = f"it holds format = {str(data['format'])!r}, not {fmt!r}"
            else:
                reason = f"it has no entry format = {fmt!r}"
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            pass
    raise ValueError(
        f"{os.fspath(path)!r} is not a {kind} file written by softmax_pg.learners.{writer} "
        f"(corrupt, truncated or another kind of file): {reason}"
    )


def _check_fingerprint(param, data: dict, where: str) -> None:
    if "probe_observations" not in data:
        return
    obs, stored = data["probe_observations"], data["probe_preferences"]
    try:
        checked = param.check_observations(obs)
        h = checked_preferences(param, data["theta"], checked, len(stored))
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(
            f"{where!r}: param {param!r} cannot take the file's probe observations of shape "
            f"{obs.shape}: it is not the parametrisation the policy was saved with ({exc})"
        ) from None
    if not np.allclose(h, stored, rtol=1e-9, atol=1e-12):
        raise ValueError(
            f"{where!r}: param {param!r} gives other preferences on the file's probe batch than "
            "the saved policy did (largest difference "
            f"{np.max(np.abs(h - stored)):.3g}): it is not the parametrisation the policy was "
            "saved with (other features, state_fn or sizes)"
        )


def load_policy(path: str | os.PathLike, param=None) -> SoftmaxPolicy:
    """The policy saved by :func:`save_policy`, checked against what the file stores.

    Checks, each failure a ``ValueError`` naming what differs: the file is one
    :func:`save_policy` wrote (not corrupt, truncated or foreign); the parametrisation
    (rebuilt from the file, or ``param``) is of the class saved and has as many parameters
    as the saved :math:`\\theta`; and it gives the saved preferences on the file's probe
    batch of observations (so other features, sizes or a different ``state_fn`` are caught).

    Parameters
    ----------
    path : str or os.PathLike
    param : Parametrisation, optional
        Needed when the saved parametrisation could not describe itself (a user's own
        class, a ``state_fn``, a callable feature map); otherwise rebuilt from the file.
    """
    where = os.fspath(path)
    return policy_from(read_archive(path), param, where)


def policy_from(data: dict, param, where: str, loader: str = "load_policy") -> SoftmaxPolicy:
    """The policy of a file's arrays (``read_archive``), checked as :func:`load_policy` says."""
    saved_class = str(data["param_class"])
    if param is None:
        if not bool(data["described"]):
            raise ValueError(
                f"{where!r} holds a policy of a parametrisation it cannot rebuild ({saved_class}: "
                "a user's own class, a state_fn or a callable feature map): pass it as "
                f"{loader}(path, param=...)"
            )
        try:
            param = find_class(saved_class).from_config(data["config"])
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(
                f"{where!r}: the file's description of {saved_class} does not rebuild it: {exc}"
            ) from None
    elif class_name(param) != saved_class:
        raise ValueError(
            f"{where!r} holds a policy of {saved_class}; param is a {class_name(param)}: pass "
            "the parametrisation the policy was saved with"
        )
    theta = data["theta"]
    if param.n_params != theta.shape[0]:
        raise ValueError(f"param has n_params = {param.n_params}; the file holds {theta.shape[0]}")
    _check_fingerprint(param, data, where)
    return SoftmaxPolicy(param, theta, float(data["temperature"]))
