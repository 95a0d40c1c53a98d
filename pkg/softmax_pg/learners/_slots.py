"""Episodes on a Gymnasium vector environment, slot by slot, through its public API (private).

A learner asks for episodes to start in some sub-environments ("slots"), each with a seed
or none, and steps all slots at once; :class:`Slots` decides how the environment is reset:

* ``SyncVectorEnv`` / ``AsyncVectorEnv`` (any wrappers on top): one ``reset(seed=[...],
  options={"reset_mask": mask})`` for the slots that start now, so every sub-environment
  is reset exactly when and as a single environment would be (``seed`` or none). With
  ``autoreset_mode`` ``SAME_STEP`` an unseeded start reuses the environment's own reset.
  The same for a vector environment whose ``metadata["reset_mask"]`` is true: it promises
  ``reset(seed=[...], options={"reset_mask": mask})`` with SyncVectorEnv's meaning
  (:class:`softmax_pg.envs.AcrobotVectorEnv` does).
* any other vector environment (a numpy one such as CartPole's ``vector_entry_point``),
  whose resets cannot be given per slot: episodes start in rounds, all slots at once, by
  one ``reset`` whose seed is derived from the slots' seeds; slots whose episode ended
  keep being stepped (their steps are ignored) until the round is over.

Slots with no episode to play are stepped with the first action and their steps ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from gymnasium.vector import AsyncVectorEnv, AutoresetMode, SyncVectorEnv

__all__ = ["Slots", "autoreset_mode"]


def autoreset_mode(envs) -> AutoresetMode:
    """``envs.metadata["autoreset_mode"]`` as an :class:`AutoresetMode` (NEXT_STEP if absent)."""
    mode = getattr(envs, "metadata", {}).get("autoreset_mode", AutoresetMode.NEXT_STEP)
    try:
        return mode if isinstance(mode, AutoresetMode) else AutoresetMode(mode)
    except ValueError:
        raise ValueError(
            f"envs.metadata['autoreset_mode'] must be an AutoresetMode; got {mode!r}"
        ) from None


def _round_seed(seeds: Sequence[int | None]) -> int | None:
    """One seed for a whole-environment reset from the slots' seeds (None if none is seeded)."""
    given = [int(s) for s in seeds if s is not None]
    if not given:
        return None
    return int(np.random.SeedSequence(given).generate_state(1, np.uint32)[0])


class Slots:
    """Start, step and park episodes in the sub-environments of ``envs``.

    Parameters
    ----------
    envs : gymnasium.vector.VectorEnv
    first_action : int
        The action given to slots that play no episode.
    """

    def __init__(self, envs, first_action: int) -> None:
        self.envs = envs
        self.n = int(envs.num_envs)
        self.mode = autoreset_mode(envs)
        self.masked = isinstance(envs.unwrapped, (SyncVectorEnv, AsyncVectorEnv)) or bool(
            getattr(envs, "metadata", {}).get("reset_mask", False)
        )
        if not self.masked and self.mode is AutoresetMode.DISABLED:
            raise TypeError(
                "envs has autoreset_mode DISABLED but no per-environment reset "
                "(options={'reset_mask': ...}): use gymnasium.vector.SyncVectorEnv, "
                "AsyncVectorEnv, or a vector environment that resets itself"
            )
        self.active = np.zeros(self.n, dtype=bool)
        self.pending = np.zeros(self.n, dtype=bool)  # an episode asked for, not yet started
        self.seeds: list[int | None] = [None] * self.n
        self.ended = np.zeros(self.n, dtype=bool)  # the env reported its episode over
        self.fresh = np.zeros(self.n, dtype=bool)  # SAME_STEP: the env reset it itself
        self.actions = np.full(self.n, first_action, dtype=np.int64)
        self.first_action = first_action
        self.obs = None

    def request(self, slots: np.ndarray, seeds: Sequence[int | None]) -> None:
        """Ask for new episodes in ``slots``, reset with ``seeds`` (None: unseeded)."""
        self.pending[slots] = True
        for s, seed in zip(slots.tolist(), seeds, strict=True):
            self.seeds[s] = seed

    def begin(self) -> np.ndarray:
        """Start the episodes that can start now; return their slots (first obs in ``self.obs``)."""
        start = self.pending.copy()
        if not self.masked:
            if not start.any() or self.active.any():
                return np.zeros(0, dtype=np.int64)  # nothing asked, or the round is not over
            seed = _round_seed([self.seeds[s] for s in np.flatnonzero(start)])
            self.obs, _ = self.envs.reset(seed=seed)
        else:
            unseeded = np.array([s is None for s in self.seeds])
            reset = start & ~(self.fresh & unseeded)  # SAME_STEP: the env's own reset serves
            if self.mode is AutoresetMode.DISABLED:
                reset |= self.ended & ~self.active  # a finished sub-env must be reset to step
            if reset.any():
                seeds = [self.seeds[s] if start[s] else None for s in range(self.n)]
                obs, _ = self.envs.reset(seed=seeds, options={"reset_mask": reset})
                self.obs = obs if self.obs is None else _assign(self.obs, obs, reset)
                self.ended[reset] = False
                self.fresh[reset] = False
        slots = np.flatnonzero(start)
        self.pending[slots] = False
        self.active[slots] = True
        self.ended[slots] = False
        for s in slots.tolist():
            self.seeds[s] = None
        return slots

    def step(self, actions: np.ndarray, slots: np.ndarray):
        """Step every slot, ``actions`` for ``slots`` and the first action elsewhere.

        Returns rewards, terminated, truncated (all slots); the observations go to ``self.obs``.
        """
        self.actions.fill(self.first_action)
        self.actions[slots] = actions
        obs, rewards, terminated, truncated, _ = self.envs.step(self.actions)
        self.obs = obs
        done = np.logical_or(terminated, truncated)
        self.ended |= done
        if self.mode is AutoresetMode.SAME_STEP:
            self.fresh = done  # the env has just reset these itself
        return np.asarray(rewards, dtype=np.float64), done

    def stop(self, slots: np.ndarray) -> None:
        """The episodes in ``slots`` are over (by the env or cut by the learner)."""
        self.active[slots] = False


def _assign(old, new, mask: np.ndarray):
    """``old`` with its rows ``mask`` taken from ``new`` (arrays of the batched observation)."""
    out = np.array(old, copy=True)
    out[mask] = np.asarray(new)[mask]
    return out
