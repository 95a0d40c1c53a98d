"""Tune the tabular recipes of book/recipes_tabular.ipynb on seeds 100-109 (reported on 0-9).

For each environment, every point of a small grid of the one-step tabular actor-critic
(`softmax_pg.learners.actor_critic`, default parametrisation: a table theta[s, a] and a
table critic w[s]) runs on the tuning seeds; the script prints, per point, the mean and
standard error over the seeds of the sampled return (the last 100 training episodes) and
of the greedy return (100 argmax episodes per seed, `softmax_pg.learners.evaluate`), and
the wall time. The book's recipes are the best greedy means of these grids; the book
then runs them on seeds 0-9, which this script never uses.

Run:  python tools/tune_tabular.py [--env taxi|frozenlake|all]
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

import gymnasium as gym
import numpy as np
from softmax_pg.learners import actor_critic, evaluate

TUNE_SEEDS = list(range(100, 110))

# (environment id, make kwargs, episodes, grid of step_size, value_step_size, gamma)
GRIDS = {
    "taxi": (
        "Taxi-v4",
        {},
        500,
        {"step_size": [0.1, 0.3], "value_step_size": [0.5], "gamma": [0.95, 0.99]},
    ),
    "frozenlake": (
        "FrozenLake-v1",
        {"map_name": "4x4", "is_slippery": True},
        1000,
        {"step_size": [0.1, 0.5], "value_step_size": [0.5], "gamma": [0.95, 0.99]},
    ),
}


def run_point(env_id: str, make: dict, n_episodes: int, seeds: list[int], **settings) -> dict:
    """Sampled and greedy returns per seed, and the wall time of the seeds' runs."""
    env = gym.make(env_id, **make)
    sampled, greedy, seconds = [], [], 0.0
    for seed in seeds:
        start = time.perf_counter()
        res = actor_critic(env, n_episodes=n_episodes, rng=seed, progress=False, **settings)
        seconds += time.perf_counter() - start
        sampled.append(res.returns[-100:].mean())
        greedy.append(evaluate(res, env, n_episodes=100, rng=seed).mean)
    return {"sampled": np.array(sampled), "greedy": np.array(greedy), "seconds": seconds}


def mean_se(x: np.ndarray) -> str:
    return f"{x.mean():8.3f} ± {x.std(ddof=1) / np.sqrt(len(x)):.3f}"


def tune(name: str) -> None:
    env_id, make, n_episodes, grid = GRIDS[name]
    print(f"== {env_id} {make}, {n_episodes} episodes, seeds {TUNE_SEEDS[0]}-{TUNE_SEEDS[-1]}")
    keys = list(grid)
    best = None
    for values in itertools.product(*(grid[k] for k in keys)):
        settings = dict(zip(keys, values, strict=True))
        out = run_point(env_id, make, n_episodes, TUNE_SEEDS, **settings)
        label = ", ".join(f"{k}={v}" for k, v in settings.items())
        print(
            f"{label:50s} sampled {mean_se(out['sampled'])}  greedy {mean_se(out['greedy'])}  "
            f"{out['seconds']:.1f} s",
            flush=True,
        )
        if best is None or out["greedy"].mean() > best[0]:
            best = (out["greedy"].mean(), label)
    print(f"best greedy mean: {best[1]} ({best[0]:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", choices=[*GRIDS, "all"], default="all")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for name in GRIDS if args.env == "all" else [args.env]:
        tune(name)


if __name__ == "__main__":
    main()
