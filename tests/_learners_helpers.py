"""Small environments and helpers shared by the learners' tests."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces


class OneStep(gym.Env):
    """A two-armed bandit as an episode of one step: arm 0 pays 1, arm 1 pays 0."""

    metadata = {"render_modes": []}

    def __init__(self):
        self.observation_space = spaces.Discrete(2)  # 0: the start, 1: the end
        self.action_space = spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        """Start."""
        super().reset(seed=seed)
        return 0, {}

    def step(self, action):
        """Pay and stop."""
        return 1, float(action == 0), True, False, {}


def first_uniform(seed):
    """The uniform behind the first action: after the one integer that seeds the env."""
    rng = np.random.default_rng(seed)
    rng.integers(2**32)
    return rng.random()


def greedy_path(env, policy, features, limit=20):
    """States visited from the start following the most probable action."""
    s, _ = env.reset(seed=0)
    path = [s]
    for _ in range(limit):
        s, _, terminated, _, _ = env.step(int(policy.greedy(s)))  # the policy takes states
        path.append(s)
        if terminated:
            break
    return path


SMALL = ("S..", ".X.", "..G")


class BoxEnv(OneStep):
    def __init__(self):
        super().__init__()
        self.observation_space = spaces.Box(-1.0, 1.0, (2,))


class BoxActions(OneStep):
    def __init__(self):
        super().__init__()
        self.action_space = spaces.Box(-1.0, 1.0, (1,))
