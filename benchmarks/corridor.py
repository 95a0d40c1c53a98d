"""How much faster are the batched short-corridor runs than a plain Python loop?

Times the full experiment of Sutton & Barto's Figure 13.1 (REINFORCE on the short
corridor, step sizes 2**-12, 2**-13 and 2**-14, 100 runs x 1000 episodes each,
pi(right) = 0.05 at the start) with `softmax_pg.experiments.corridor.short_corridor_runs`, which
steps all 300 runs together. Against it, in the same process, a plain implementation
of the same algorithm that loops over runs, then episodes, then steps, with a stable
softmax and the score in numpy at every step, the way a first implementation (and the
widely used reference reproduction) is written. The plain loop runs `--plain-runs` runs
per step size; since the work of a run is its number of environment steps, its time is
scaled by (steps of the batched experiment) / (steps of the plain subset).

Run:  python benchmarks/corridor.py [--plain-runs N]
      (prints both times and a final line `ratio: X`, plain time / batched time)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from softmax_pg.envs import corridor_features, corridor_theta
from softmax_pg.experiments.corridor import short_corridor_optimum, short_corridor_runs

STEP_SIZES = (2.0**-12, 2.0**-13, 2.0**-14)
N_RUNS, N_EPISODES = 100, 1000


def plain_run(alpha: float, rng: np.random.Generator) -> tuple[float, int]:
    """One REINFORCE run, one step at a time; returns the mean of the last 100 returns and the
    steps."""
    phi = corridor_features()[0]  # rows: left (0, 1), right (1, 0)
    theta = corridor_theta(0.05)
    returns, steps = [], 0
    for _ in range(N_EPISODES):
        state, grads, rewards = 0, [], []
        while state != 3:
            h = phi @ theta
            e = np.exp(h - h.max())
            pi = e / e.sum()
            action = 1 if rng.random() >= pi[0] else 0
            grads.append(phi[action] - pi @ phi)  # the score
            if state == 1:  # the switched state
                state = 0 if action == 1 else 2
            elif action == 1:
                state += 1
            elif state == 2:
                state = 1
            rewards.append(-1.0)
        g = np.cumsum(rewards[::-1])[::-1]  # G_t, the return from step t
        for t in range(len(grads)):
            theta = theta + alpha * g[t] * grads[t]
        returns.append(-len(rewards))
        steps += len(rewards)
    return float(np.mean(returns[-100:])), steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plain-runs", type=int, default=2, help="runs per step size for the plain loop"
    )
    args = parser.parse_args()

    short_corridor_runs(2.0**-12, n_runs=2, n_episodes=2, seed=0)  # warm-up: imports, first calls

    start = time.perf_counter()
    out = short_corridor_runs(STEP_SIZES, n_runs=N_RUNS, n_episodes=N_EPISODES, seed=0)
    batched = time.perf_counter() - start
    batched_steps = int(-out.returns.sum())

    start = time.perf_counter()
    plain_steps, plain_finals = 0, []
    for i, alpha in enumerate(STEP_SIZES):
        finals = []
        for run in range(args.plain_runs):
            final, steps = plain_run(alpha, np.random.default_rng([i, run]))
            finals.append(final)
            plain_steps += steps
        plain_finals.append(float(np.mean(finals)))
    plain_subset = time.perf_counter() - start
    plain = plain_subset * batched_steps / plain_steps

    v_star = short_corridor_optimum()[1]
    print(
        f"work: {len(STEP_SIZES)} step sizes x {N_RUNS} runs x {N_EPISODES} episodes "
        f"= {batched_steps:,} environment steps (v* = {v_star:.2f})"
    )
    for alpha, mean, plain_mean in zip(
        STEP_SIZES, out.returns.mean(axis=1), plain_finals, strict=True
    ):
        print(
            f"  alpha=2^{np.log2(alpha):.0f}: mean return of the last 100 episodes "
            f"{mean[-100:].mean():7.2f} batched, {plain_mean:7.2f} plain ({args.plain_runs} runs)"
        )
    print(
        f"batched (short_corridor_runs), full work: {batched:8.2f} s  "
        f"({batched / batched_steps * 1e9:.0f} ns per run-step)"
    )
    print(
        f"plain loop, {args.plain_runs} runs per step size ({plain_steps:,} steps): "
        f"{plain_subset:8.2f} s  "
        f"({plain_subset / plain_steps * 1e6:.1f} us per step)"
    )
    print(f"plain loop, scaled to the full work:      {plain:8.2f} s")
    print(f"ratio: {plain / batched:.0f}")


if __name__ == "__main__":
    main()
