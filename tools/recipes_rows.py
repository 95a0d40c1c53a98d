"""The two slow rows of book/recipes_control.ipynb: PPO and the batch actor-critic on CartPole.

Each row is ten runs, seeds 0 to 9, one after the other (neither learner batches runs): PPO
with the settings of `benchmarks/learners.py` (tuned on seeds 100 to 119) on a vector env of
`PPO_ENVS` CartPoles, and `actor_critic` with the settings of
`benchmarks/actor_critic_cartpole.py` on one CartPole. Per seed: the mean return of the
last 100 training episodes (sampled) and the mean of 100 greedy episodes (argmax of the
preferences) of the final policy; per row: the wall time of the ten training runs
(`time.perf_counter`), the load average before and after, the cores and numpy's BLAS
threads. Together they take about half an hour on 2 busy cores, too long for the
notebook's CI budget, so the notebook reads the file this script writes:

    .venv/bin/python tools/recipes_rows.py            # writes book/data/recipes_control_rows.json
    .venv/bin/python tools/recipes_rows.py --rows ppo  # one row (the others are kept)
    .venv/bin/python tools/recipes_rows.py --rows actor_critic --first-seed 10
        # seeds 10 to 19, stored as its own entry "<row>, seeds 10-19" (the 0-9 entry is kept)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
from softmax_pg.learners import Adam, actor_critic, ppo
from threadpoolctl import threadpool_info

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import actor_critic_cartpole  # noqa: E402  (the actor-critic's settings)
import learners as bench  # noqa: E402  (PPO's settings)

OUT = ROOT / "book" / "data" / "recipes_control_rows.json"
SEEDS = list(range(10))


def vector(n: int):
    """n CartPole-v1, stepped together in numpy."""
    return gym.make_vec("CartPole-v1", num_envs=n, vectorization_mode="vector_entry_point")


def greedy(policies, n: int = 100, seed: int = 0) -> np.ndarray:
    """Mean return of n greedy episodes per policy, shape (runs,) (as the notebook's)."""
    envs = vector(len(policies) * n)
    obs, _ = envs.reset(seed=seed)
    total, alive = np.zeros(len(obs)), np.ones(len(obs), dtype=bool)
    while alive.any():
        blocks = np.split(obs, len(policies))
        pairs = zip(policies, blocks, strict=True)
        a = np.concatenate([p.probs(o).argmax(axis=1) for p, o in pairs])
        obs, r, terminated, truncated, _ = envs.step(a)
        total += r * alive
        alive &= ~(terminated | truncated)
    return total.reshape(len(policies), n).mean(axis=1)


def run_ppo(seed: int):
    envs = vector(bench.PPO_ENVS)
    return ppo(envs, rng=seed, progress=False, optimizer=Adam(bench.PPO_ADAM_STEP), **bench.PPO)


def run_actor_critic(seed: int):
    env = gym.make("CartPole-v1")
    return actor_critic(env, n_episodes=1000, rng=seed, **actor_critic_cartpole.settings())


ROWS = {
    "ppo": ("PPO", run_ppo),
    "actor_critic": ("actor-critic, quadratic critic", run_actor_critic),
}


def one_row(run, seeds: list[int]) -> dict:
    load = os.getloadavg()[0]
    start, results = time.perf_counter(), []
    for seed in seeds:
        results.append(run(seed))
        print(f"  seed {seed}: {time.perf_counter() - start:.0f} s", flush=True)
    seconds = time.perf_counter() - start
    return {
        "seeds": seeds,
        "sampled": [float(r.returns[-100:].mean()) for r in results],
        "greedy": greedy([r.policy for r in results]).tolist(),
        "seconds": seconds,
        "load_average": [load, os.getloadavg()[0]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", choices=sorted(ROWS), default=sorted(ROWS))
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first..first+9")
    args = parser.parse_args()
    seeds = [args.first_seed + i for i in range(len(SEEDS))]
    blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    for key in args.rows:
        name, run = ROWS[key]
        print(f"{name}:", flush=True)
        row = one_row(run, seeds)
        if args.first_seed != 0:
            name = f"{name}, seeds {seeds[0]}-{seeds[-1]}"
        data = json.loads(OUT.read_text()) if OUT.exists() else {"rows": {}}  # read late:
        data["rows"][name] = row  # another row may have been written meanwhile
        data["machine"] = f"{os.cpu_count()} cores, numpy's BLAS on {blas[0]} threads"
        data["command"] = "python tools/recipes_rows.py [--rows ...] [--first-seed N]"
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
