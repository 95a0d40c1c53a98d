"""Gymnasium environments of the book, registered on import.

* ``softmax_pg/ShortCorridor-v0``: :class:`ShortCorridor` (Sutton & Barto 2018,
  Example 13.1), episodes cut at 1000 steps;
* ``softmax_pg/GridWorld-v0``: :class:`GridWorld` with ``DEFAULT_MAP``, episodes cut
  at 200 steps (keyword arguments of ``gymnasium.make`` reach the constructor).

>>> import gymnasium as gym
>>> import softmax_pg.envs
>>> env = gym.make("softmax_pg/ShortCorridor-v0")
"""

from __future__ import annotations

import gymnasium

from .corridor import ShortCorridor, corridor_features, corridor_theta
from .gridworld import DEFAULT_MAP, DEFAULT_REWARDS, GridWorld, parse_map

__all__ = [
    "DEFAULT_MAP",
    "DEFAULT_REWARDS",
    "GridWorld",
    "ShortCorridor",
    "corridor_features",
    "corridor_theta",
    "parse_map",
    "register_envs",
]

_ENVS = {
    "softmax_pg/ShortCorridor-v0": ("softmax_pg.envs.corridor:ShortCorridor", 1000),
    "softmax_pg/GridWorld-v0": ("softmax_pg.envs.gridworld:GridWorld", 200),
}


def register_envs() -> None:
    """Register the environments with Gymnasium, skipping ids already registered."""
    for env_id, (entry_point, max_steps) in _ENVS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=entry_point, max_episode_steps=max_steps)


register_envs()
