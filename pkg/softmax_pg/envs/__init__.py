"""Gymnasium environments of the book, registered on import.

* ``softmax_pg/ShortCorridor-v0``: :class:`ShortCorridor` (Sutton & Barto 2018,
  Example 13.1), episodes cut at 1000 steps;
* ``softmax_pg/GridWorld-v0``: :class:`GridWorld` with ``DEFAULT_MAP``, episodes cut
  at 200 steps (keyword arguments of ``gymnasium.make`` reach the constructor);
* ``softmax_pg/Acrobot-v1``: Gymnasium's ``Acrobot-v1`` (500 steps) for ``gymnasium.make``,
  and :class:`AcrobotVectorEnv`, its numpy vector version, for ``gymnasium.make_vec(...,
  vectorization_mode="vector_entry_point")``.

>>> import gymnasium as gym
>>> import softmax_pg.envs
>>> env = gym.make("softmax_pg/ShortCorridor-v0")
>>> envs = gym.make_vec("softmax_pg/Acrobot-v1", num_envs=8,
...                     vectorization_mode="vector_entry_point")
"""

from __future__ import annotations

import gymnasium

from .acrobot import AcrobotVectorEnv
from .corridor import ShortCorridor, corridor_features, corridor_theta
from .gridworld import DEFAULT_MAP, DEFAULT_REWARDS, GridWorld, parse_map

__all__ = [
    "AcrobotVectorEnv",
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
    "softmax_pg/ShortCorridor-v0": {
        "entry_point": "softmax_pg.envs.corridor:ShortCorridor",
        "max_episode_steps": 1000,
    },
    "softmax_pg/GridWorld-v0": {
        "entry_point": "softmax_pg.envs.gridworld:GridWorld",
        "max_episode_steps": 200,
    },
    "softmax_pg/Acrobot-v1": {
        "entry_point": "gymnasium.envs.classic_control.acrobot:AcrobotEnv",
        "vector_entry_point": "softmax_pg.envs.acrobot:AcrobotVectorEnv",
        "max_episode_steps": 500,
        "reward_threshold": -100.0,
    },
}


def register_envs() -> None:
    """Register the environments with Gymnasium, skipping ids already registered."""
    for env_id, spec in _ENVS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, **spec)


register_envs()
