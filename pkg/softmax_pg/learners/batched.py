r"""REINFORCE batched over runs and over the episodes of an update, on a vector environment.

:func:`reinforce_batched` runs :func:`~softmax_pg.learners.reinforce` once per generator
in ``rngs``, the ``episodes_per_update`` episodes of every run's updates side by side in
the sub-environments ("slots") of one Gymnasium vector environment: slot ``s`` plays
episode ``s % E`` of run ``s // E``'s current update. One call of the parametrisation's
``preferences_many`` and of the kernel's softmax and inverse-CDF sampler per step serves
every slot; each run's update is the single-run learner's (reward-to-go, optional
advantage normalisation, the public step :func:`softmax_pg.step.policy_gradient` (the
score :math:`\mathrm{D}h^\top(e_a-\pi)/\tau` through one ``vjp_sum``), the optimiser's step).

Random draws follow the single-run learner's protocol, per run, so that on
``gymnasium.vector.SyncVectorEnv`` (or ``AsyncVectorEnv``, or a vector environment whose
``metadata["reset_mask"]`` promises their per-environment resets) run ``i`` equals
``reinforce(env_i, rng=rngs[i], ...)`` to rounding (the tests check 1e-12 relative).
A numpy vector environment such as ``gymnasium.make_vec("CartPole-v1", num_envs=n,
vectorization_mode="vector_entry_point")`` cannot reset its sub-environments one by one:
there every update starts all slots together, from one reset seeded by the runs' seeds,
and the runs are reproducible (same seeds, same result, bit for bit) but are not twins
of single runs.
"""

from __future__ import annotations

import time

import numpy as np

from .. import _kernel
from ..step import policy_gradient
from ._args import LearnerOptions
from ._batched_result import BatchedResult, evaluate_batched
from ._batched_setup import Setup
from ._slots import Slots
from .returns import discounted_returns, normalize_advantages, step_weights

__all__ = ["BatchedResult", "evaluate_batched", "reinforce_batched"]


class _Uniforms:
    """Each slot's uniforms for its actions, drawn in blocks from the slot's generator.

    ``Generator.random(k)`` gives the numbers of k calls of ``random()``, so a block
    consumed in order is the sequence the single-run learner draws step by step.
    """

    def __init__(self, n_slots: int, block: int) -> None:
        self.gens = [None] * n_slots
        self.buf = np.zeros((n_slots, block))
        self.pos = np.full(n_slots, block)
        self.block = block

    def use(self, slot: int, gen: np.random.Generator, keep: bool) -> None:
        """Draw ``slot``'s next actions from ``gen`` (``keep``: continue its block)."""
        if not keep or self.gens[slot] is not gen:
            self.pos[slot] = self.block
        self.gens[slot] = gen

    def next(self, slots: np.ndarray) -> np.ndarray:
        empty = slots[self.pos[slots] >= self.block]
        for s in empty.tolist():
            self.buf[s] = self.gens[s].random(self.block)
            self.pos[s] = 0
        u = self.buf[slots, self.pos[slots]]
        self.pos[slots] += 1
        return u


def _episode_seeds(setup: Setup, uniforms: _Uniforms, run: int, n: int, first: bool) -> list:
    """The reset seeds of ``run``'s next ``n`` episodes; sets its slots' generators
    (the protocol)."""
    g, E = setup.gens[run], setup.E
    if E == 1:
        uniforms.use(run, g, keep=True)
        return [setup.first_seeds[run] if first else None]
    seeds = []
    for e in range(n):
        child = np.random.default_rng(int(g.integers(2**63)))
        seeds.append(int(child.integers(2**32)))
        uniforms.use(run * E + e, child, keep=False)
    return seeds


def _inputs(setup: Setup, x: np.ndarray, runs) -> np.ndarray:
    """The parametrisation's input for observations ``x`` of runs ``runs`` (standardised
    if asked)."""
    if setup.obs_mean is None:
        return x
    return (x - setup.obs_mean[runs]) / setup.obs_std[runs]


def _advantages(setup: Setup, run: int, observations: list, rewards: list) -> tuple[list, list]:
    """Each episode's step weights from G_t (minus the baseline, normalised over the update
    if asked), and each episode's G_0."""
    adv, g0 = [], []
    for obs, r in zip(observations, rewards, strict=True):
        delta = discounted_returns(r, setup.gamma)
        g0.append(float(delta[0]) if delta.size else 0.0)
        if setup.ws is not None:  # the §13.4 box: w moves step by step
            setup.critics[run].baseline(setup.ws[run], obs, delta, setup.alpha_w)
        adv.append(delta)
    if setup.normalize_advantages:
        flat = normalize_advantages(np.concatenate(adv))
        adv = np.split(flat, np.cumsum([len(a) for a in adv])[:-1])
    return [
        step_weights(a, setup.gamma, discount_weighting=setup.discount_weighting) for a in adv
    ], g0


def _update(setup: Setup, run: int, slots: np.ndarray, lengths: np.ndarray) -> None:
    """Run ``run``'s update from the episodes in ``slots`` (the single-run learner's arithmetic)."""
    obs = [setup.obs_buf[s, :T] for s, T in zip(slots, lengths, strict=True)]
    rewards = [setup.rew_buf[s, :T].copy() for s, T in zip(slots, lengths, strict=True)]
    acts = np.concatenate([setup.act_buf[s, :T] for s, T in zip(slots, lengths, strict=True)])
    weights, discounted = _advantages(setup, run, obs, rewards)
    n = len(slots)
    weights = weights[0] if n == 1 else np.concatenate(weights) / n  # averaged over the episodes
    raw = obs[0] if n == 1 else np.concatenate(obs)
    step = policy_gradient(
        setup.param,
        setup.thetas[run],
        _inputs(setup, raw, run),
        acts,
        weights,
        temperature=setup.tau,
        entropy_coef=setup.beta / setup.E,
        keep_scores=setup.needs_scores,
        summed=True,  # one vjp_sum of the weighted scores and the entropy term
        validate=False,
    )
    first = int(setup.done_episodes[run])
    setup.done_episodes[run] += n
    setup.ascend(run, step.gradient, step.scores)
    norm = float(np.linalg.norm(step.gradient))
    setup.log(run, first, rewards, discounted, step.entropy, norm)
    setup.observed(run, raw)
    setup.updates[run] += 1


def _step(setup: Setup, env: Slots, uniforms: _Uniforms, t: np.ndarray) -> np.ndarray:
    """One step of every active slot; returns the slots whose episode ended."""
    act = np.flatnonzero(env.active)
    x = setup.check_obs(env.obs)
    xin = x if setup.obs_mean is None else (x - setup.slot_mean) / setup.slot_std
    h = setup.param.preferences_many(
        setup.thetas, xin.reshape((setup.n_runs, setup.E) + x.shape[1:])
    )
    probs = _kernel.softmax(h.reshape(setup.n_slots, -1)[act], setup.tau)
    a = _kernel.inverse_cdf(probs, uniforms.next(act))
    ta = t[act]
    setup.obs_buf[act, ta] = x[act]
    setup.act_buf[act, ta] = a
    rewards, done = env.step(a, act)
    r = rewards[act]
    if not np.isfinite(r).all():
        bad = int(act[~np.isfinite(r)][0])
        raise ValueError(
            f"envs.step() returned the reward {rewards[bad]!r} in sub-environment {bad}; rewards "
            "must be finite numbers: the environment, not the learner, produced it"
        )
    setup.rew_buf[act, ta] = r
    t[act] = ta + 1
    ended = act[done[act] | (t[act] >= setup.max_steps)]
    env.stop(ended)
    return ended


def _request(setup: Setup, env: Slots, uniforms: _Uniforms, run: int, first: bool) -> np.ndarray:
    """Ask for ``run``'s next update's episodes; return their slots (empty when it is done)."""
    left = setup.n_episodes - int(setup.done_episodes[run])
    n = 0 if setup.stopped[run] else min(setup.E, left)
    slots = np.arange(run * setup.E, run * setup.E + max(n, 0))
    if n > 0:
        env.request(slots, _episode_seeds(setup, uniforms, run, n, first))
    return slots


def reinforce_batched(
    envs,
    *,
    rngs,
    n_episodes: int,
    step_size: float | None = None,
    optimizer=None,
    param=None,
    episodes_per_update: int | None = None,
    gamma: float | None = None,
    normalize_advantages: bool | None = None,
    discount_weighting: bool | None = None,
    entropy_coef: float | None = None,
    normalize_observations: bool | None = None,
    temperature: float | None = None,
    theta0=None,
    max_steps: int | None = None,
    baseline_step_size: float | None = None,
    value_features=None,
    value_param=None,
    options: LearnerOptions | None = None,
    callback=None,
    progress: bool | None = None,
) -> BatchedResult:
    r"""REINFORCE runs, one per generator, batched on a Gymnasium vector environment.

    Run ``i`` is :func:`~softmax_pg.learners.reinforce` with ``rng=rngs[i]`` and the same
    options: after every ``E = episodes_per_update`` episodes played with the same
    :math:`\theta`, :math:`\theta \leftarrow \mathrm{step}(\theta, \widehat{\nabla J})` with
    the estimate :math:`\widehat{\nabla J} = \frac1E\sum_{\text{episodes}}\sum_t w_t\,
    \mathrm{D}h_\theta(S_t)^\top(e_{A_t}-\pi_\theta(\cdot\mid S_t))/\tau`, where
    :math:`w_t = \gamma^t \hat A_t` (:math:`\hat A_t` without ``discount_weighting``) and
    :math:`\hat A_t = G_t - B(S_t)`, normalised over the update's steps if asked (Williams 1992;
    Sutton & Barto 2018, §13.3-13.4; the book's chapter "The weight matrix on CartPole").
    The keyword arguments not listed below (the :class:`LearnerOptions` fields, ``theta0``,
    ``baseline_step_size``, ``value_features``, ``value_param``) are those of
    :func:`~softmax_pg.learners.reinforce`.

    Parameters
    ----------
    envs : gymnasium.vector.VectorEnv
        ``num_envs = len(rngs) * episodes_per_update`` sub-environments, action space
        ``Discrete(n)``, observations ``Box`` or ``Discrete``, any ``autoreset_mode``.
        ``SyncVectorEnv`` / ``AsyncVectorEnv``, and a vector env whose
        ``metadata["reset_mask"]`` is true (``softmax_pg.envs.AcrobotVectorEnv``), reset each
        sub-environment as a single run would (twins); other vector envs start every
        update's episodes together.
    rngs : sequence of int or numpy.random.Generator
        One per run, no generator object twice.
    n_episodes : int
        Episodes per run (the last update may have fewer than ``episodes_per_update``).
    step_size : float, optional
        :math:`\alpha` of plain gradient ascent; needed unless ``optimizer`` is given.
    optimizer : Optimizer, optional
        An instance such as :class:`~softmax_pg.learners.Adam`\ ``(0.05)``; every run steps
        its own copy.
    options : LearnerOptions, optional
        The shared options in one object (``gamma``, ``episodes_per_update``, ...: its
        fields); a keyword, when given, replaces its field.
    param : Parametrisation, optional
        Default: the table (``Discrete`` observations) or the weight matrix on ``[x, 1]``.
    callback : callable, optional
        Called after every update of every run with a dict: ``"run"``, the keys of
        :attr:`BatchedResult.history`, and ``"theta"``. Returning False stops that run (its
        later episodes: return NaN, length 0; its later updates: NaN, episode -1).
    progress : bool or None, default None
        A tqdm bar over all episodes; None: only on a terminal, on a long run.

    Returns
    -------
    BatchedResult

    Raises
    ------
    TypeError
        ``envs`` not a vector environment, unsupported spaces, ``rngs`` not a sequence.
    ValueError
        ``num_envs != len(rngs) * episodes_per_update``, a generator shared by two runs,
        bad values; a non-finite observation or reward from the environment.
    FloatingPointError
        A run diverged; the message names the step size or optimiser.
    """
    start = time.perf_counter()
    options = LearnerOptions.from_arguments(locals())
    setup = Setup(
        envs,
        options,
        rngs=rngs,
        n_episodes=n_episodes,
        step_size=step_size,
        optimizer=optimizer,
        param=param,
        theta0=theta0,
        callback=callback,
        progress=progress,
        baseline_step_size=baseline_step_size,
        value_features=value_features,
        value_param=value_param,
    )
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _loop(setup, Slots(envs, 0))
    setup.progress.close()
    setup.warn_if_collapsed()
    return BatchedResult(
        setup.thetas,
        *_table(setup),
        time.perf_counter() - start,
        setup.param,
        setup.history(),
        setup.obs_mean,
        setup.obs_std,
        setup.tau,
        None if setup.ws is None else np.stack(setup.ws),
    )


def _table(setup: Setup):
    keys = ("returns", "discounted", "lengths")
    return tuple(np.stack([getattr(m, k) for m in setup.monitors]) for k in keys)


def _loop(setup: Setup, env: Slots) -> None:
    """Step the slots until every run has played its episodes, updating each run when its
    update's episodes are over."""
    uniforms = _Uniforms(setup.n_slots, min(setup.max_steps, 512))
    t = np.zeros(setup.n_slots, dtype=np.int64)
    playing = [_request(setup, env, uniforms, run, True) for run in range(setup.n_runs)]
    checked = False
    while True:
        t[env.begin()] = 0
        if not env.active.any():
            return
        if not checked:
            setup.check_param(setup.check_obs(env.obs))
            checked = True
        ended = _step(setup, env, uniforms, t)
        if not ended.size:
            continue
        for run in np.unique(ended // setup.E).tolist():
            slots = playing[run]
            if slots.size and not env.active[slots].any() and not env.pending[slots].any():
                _update(setup, run, slots, t[slots].copy())
                playing[run] = _request(setup, env, uniforms, run, False)
