r"""A run's whole training state: resume it later, in this process or from a file.

A learner's ``result.state`` (:class:`TrainingState`) holds what the run has learned and
drawn: :math:`\theta` (in its policy), the baseline's or critic's weights :math:`w`, the
optimiser's attributes (Adam's moments and step count), the observation normaliser's
running moments, the state of the run's generator and of the environment's
(``env.unwrapped.np_random``, which draws its unseeded resets), and the episodes played.
Called again with the run's arguments and ``resume=state`` (``rng`` left out),
:func:`~softmax_pg.learners.reinforce`, :func:`~softmax_pg.learners.actor_critic` and
:func:`~softmax_pg.learners.ppo` play on as the uninterrupted run would: N episodes, then
N more resumed, give the :math:`\theta`, returns and history of one run of 2N episodes,
bit for bit (N a multiple of ``episodes_per_update``: a run stops after an update; an
environment whose only hidden state is its ``np_random``, as Gymnasium's are).
:func:`~softmax_pg.learners.reinforce_batched` returns no state: its slots draw their
uniforms in blocks, which a state would have to carry too.
:func:`save_run` writes a state to an ``.npz`` file (the policy with its fingerprint, as
:func:`~softmax_pg.learners.save_policy` writes it, and the rest); :func:`load_run` reads
it back.
"""

from __future__ import annotations

import copy
import json
import numbers
import os
from dataclasses import dataclass

import numpy as np

from ..parametrisations.base import class_name
from ..parametrisations.standardized import Standardized
from ..policy import SoftmaxPolicy
from .saving import policy_arrays, policy_from, read_archive

__all__ = [
    "TrainingState",
    "load_run",
    "restore",
    "resumable",
    "run_generator",
    "save_run",
    "training_state",
]

FORMAT = "softmax_pg run, version 1"


@dataclass(frozen=True, repr=False, eq=False)
class TrainingState:
    """Everything a run needs to go on (a learner's ``result.state``, or :func:`load_run`).

    Attributes
    ----------
    policy : SoftmaxPolicy
        :math:`\\theta` (``policy.theta``), the parametrisation and the temperature.
    episodes : int
        Episodes played so far.
    value_weights : numpy.ndarray or None
        :math:`w` of the baseline or critic; None without one.
    optimizer : dict or None
        The optimiser's attributes (``vars``), e.g. Adam's ``m``, ``v`` and ``t``; None
        for plain gradient ascent.
    optimizer_class : str or None
    moments : tuple (count, mean, m2) or None
        The observation normaliser's running moments; None without normalisation.
    rng : dict
        The run's generator: its ``bit_generator.state``.
    env_rng : dict or None
        The environment's ``np_random.bit_generator.state`` (None if it has none).
    """

    policy: SoftmaxPolicy
    episodes: int
    value_weights: np.ndarray | None
    optimizer: dict | None
    optimizer_class: str | None
    moments: tuple | None
    rng: dict
    env_rng: dict | None

    @property
    def theta(self) -> np.ndarray:
        return self.policy.theta

    def __repr__(self) -> str:
        return (
            f"TrainingState(episodes={self.episodes}, param={self.policy.param!r}, "
            f"optimizer={self.optimizer_class}, critic={self.value_weights is not None}, "
            f"normalised={self.moments is not None})"
        )


def _bit_state(gen: np.random.Generator) -> dict:
    # through JSON: a plain copy, the same whether kept in memory or in a file
    return json.loads(json.dumps(gen.bit_generator.state, default=np.ndarray.tolist))


def run_generator(state: dict) -> np.random.Generator:
    """A generator in the bit-generator state ``state`` (``TrainingState.rng``)."""
    bits = getattr(np.random, state["bit_generator"])()
    bits.state = state
    return np.random.Generator(bits)


def _env_generator(env) -> np.random.Generator | None:
    gen = getattr(env.unwrapped, "np_random", None)
    return gen if isinstance(gen, np.random.Generator) else None


def training_state(
    policy: SoftmaxPolicy, episodes: int, rng, *, w=None, optimizer=None, moments=None, env=None
) -> TrainingState:
    """The state of a run after its last update (``env``: None when its resets are all
    seeded from ``rng``)."""
    env_gen = None if env is None else _env_generator(env)
    return TrainingState(
        policy=policy,
        episodes=int(episodes),
        value_weights=None if w is None else w.copy(),
        optimizer=None if optimizer is None else copy.deepcopy(vars(optimizer)),
        optimizer_class=None if optimizer is None else class_name(optimizer),
        moments=None if moments is None else (moments.count, moments.mean, moments.m2),
        rng=_bit_state(rng),
        env_rng=None if env_gen is None else _bit_state(env_gen),
    )


def resumable(resume, rng, theta0=None) -> TrainingState:
    """``resume`` (a TrainingState or a learner's result) checked; ``rng`` and ``theta0``
    must be absent."""
    state = getattr(resume, "state", resume) if not isinstance(resume, TrainingState) else resume
    if hasattr(resume, "thetas"):  # a BatchedResult
        raise TypeError(
            f"resume: a BatchedResult of {resume.n_runs} runs cannot be resumed (only "
            "reinforce's and actor_critic's results, and their .state, can); save it with "
            "save_batched(path, result)"
        )
    if not isinstance(state, TrainingState):
        raise TypeError(
            "resume must be a softmax_pg.learners.TrainingState (a result's .state, or "
            f"load_run(path)) or a learner's result; got an object of type {type(resume).__name__}"
        )
    if rng is not None:
        raise TypeError(
            "give rng or resume, not both: a resumed run goes on drawing from its own generator "
            f"(saved in the state); got rng = {rng!r}"
        )
    if theta0 is not None:
        raise TypeError("give theta0 or resume, not both: a resumed run goes on from its theta")
    return state


def _base(param):
    return param.param if isinstance(param, Standardized) else param


def _same(what: str, saved, given) -> None:
    if saved != given:
        raise ValueError(
            f"resume: the run was saved with {what} {saved}; this call has {given}: resume a "
            "run with the arguments it was started with"
        )


def restore(
    state: TrainingState,
    param,
    optimizer,
    *,
    moments=None,
    critic: bool = False,
    value_name: str = "value_step_size",
    env=None,
) -> None:
    """Put ``state`` into a run built with its arguments, checking they fit: ``optimizer``
    (the run's copy) and ``moments`` take the saved values, ``env`` its generator;
    ``critic``: the run has a baseline or critic (its step size is ``value_name``)."""
    base, saved = _base(param), _base(state.policy.param)
    _same("the parametrisation", class_name(saved), class_name(base))
    _same("n_params =", state.theta.shape[0], base.n_params)
    _same("normalize_observations =", state.moments is not None, moments is not None)
    _same(f"a baseline or critic ({value_name} given):", state.value_weights is not None, critic)
    _same(
        "the optimizer", state.optimizer_class, None if optimizer is None else class_name(optimizer)
    )
    if optimizer is not None:
        optimizer.__dict__.update(copy.deepcopy(state.optimizer))
    if moments is not None:
        count, mean, m2 = state.moments
        moments.count, moments.mean, moments.m2 = count, mean.copy(), m2.copy()
    if state.env_rng is not None and env is not None:
        env.unwrapped.np_random = run_generator(state.env_rng)


# ------------------------------------------------------------------------------ the file
def _optimizer_arrays(attrs: dict) -> dict:
    out, kinds = {}, {}
    for key, value in attrs.items():
        if value is None or isinstance(value, (numbers.Real, np.ndarray)):
            kinds[key] = "none" if value is None else "value"
            if value is not None:
                out[f"state.optimizer.{key}"] = np.asarray(value)
        elif isinstance(value, tuple) and all(isinstance(v, numbers.Real) for v in value):
            kinds[key] = "tuple"
            out[f"state.optimizer.{key}"] = np.asarray(value)
        else:
            raise TypeError(
                f"save_run: the optimizer's attribute {key!r} is a {type(value).__name__}; only "
                "numbers, arrays, tuples of numbers and None can be saved"
            )
    out["state.optimizer_kinds"] = np.str_(json.dumps(kinds))
    return out


def save_run(path: str | os.PathLike, state) -> None:
    """Write ``state`` (a :class:`TrainingState`, or a learner's result) to the ``.npz``
    file ``path``; :func:`load_run` reads it back."""
    state = resumable(state, None)
    arrays = {**policy_arrays(state.policy), "state.episodes": np.int64(state.episodes)}
    arrays["state.rng"] = np.str_(json.dumps(state.rng))
    if state.env_rng is not None:
        arrays["state.env_rng"] = np.str_(json.dumps(state.env_rng))
    if state.value_weights is not None:
        arrays["state.value_weights"] = state.value_weights
    if state.moments is not None:
        count, mean, m2 = state.moments
        arrays.update({"state.count": np.int64(count), "state.mean": mean, "state.m2": m2})
    if state.optimizer is not None:
        arrays["state.optimizer_class"] = np.str_(state.optimizer_class)
        arrays.update(_optimizer_arrays(state.optimizer))
    np.savez(path, format=np.str_(FORMAT), **arrays)


def _optimizer(data: dict) -> dict:
    attrs = {}
    for key, kind in json.loads(str(data["state.optimizer_kinds"])).items():
        value = data.get(f"state.optimizer.{key}")
        if kind == "none":
            attrs[key] = None
        elif kind == "tuple":
            attrs[key] = tuple(value.tolist())
        else:
            attrs[key] = value.item() if value.ndim == 0 else value
    return attrs


def load_run(path: str | os.PathLike, param=None) -> TrainingState:
    """The :class:`TrainingState` :func:`save_run` wrote, its policy checked as
    :func:`~softmax_pg.learners.load_policy` checks it (the file, the parametrisation's
    class, its size and its preferences on a probe batch: each failure a ``ValueError``).

    Parameters
    ----------
    path : str or os.PathLike
    param : Parametrisation, optional
        As for :func:`~softmax_pg.learners.load_policy`: needed when the saved one could
        not describe itself.
    """
    where = os.fspath(path)
    data = read_archive(path, FORMAT, "save_run", "run")
    policy = policy_from(data, param, where, "load_run")
    try:
        has_opt = "state.optimizer_class" in data
        return TrainingState(
            policy=policy,
            episodes=int(data["state.episodes"]),
            value_weights=data.get("state.value_weights"),
            optimizer=_optimizer(data) if has_opt else None,
            optimizer_class=str(data["state.optimizer_class"]) if has_opt else None,
            moments=(int(data["state.count"]), data["state.mean"], data["state.m2"])
            if "state.count" in data
            else None,
            rng=json.loads(str(data["state.rng"])),
            env_rng=json.loads(str(data["state.env_rng"])) if "state.env_rng" in data else None,
        )
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"{where!r} is not a complete run file written by softmax_pg.learners.save_run "
            f"(corrupt or truncated): {type(exc).__name__}: {exc}"
        ) from None
