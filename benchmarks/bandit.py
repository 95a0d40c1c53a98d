"""How much faster is the batched gradient bandit than a plain Python loop over runs?

Times the full experiment of Sutton & Barto's Figure 2.5 (4 configurations:
step size 0.1 and 0.4, with and without baseline; 2000 runs x 1000 steps each, testbed
mean 4) with `softmax_pg.experiments.bandit.run_gradient_bandit`, which advances all 2000 runs
together. Against it, in the same process, a plain implementation of the same algorithm
that loops over runs, then over steps, with a stable softmax in numpy at every step,
the way a first implementation would be written. The plain loop runs a subset of
`--plain-runs` runs per configuration and its time is scaled to the full 4 x 2000 runs.

Each side is timed `--repeats` times and the best time kept (the least disturbed by
other load on a shared machine).

Run:  python benchmarks/bandit.py [--plain-runs N] [--repeats K]
      (prints both times and a final line `ratio: X`, plain time / batched time)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from softmax_pg.experiments.bandit import run_gradient_bandit

N_RUNS, N_STEPS, N_ARMS, MEAN = 2000, 1000, 10, 4.0
CONFIGS = [(alpha, baseline) for baseline in (True, False) for alpha in (0.1, 0.4)]


def plain_run(
    q_star: np.ndarray, rng: np.random.Generator, n_steps: int, alpha: float, baseline: bool
) -> np.ndarray:
    """One run of the gradient bandit, one step at a time; returns the optimal-action flags."""
    k = q_star.shape[0]
    h = np.zeros(k)
    average = 0.0
    best = int(np.argmax(q_star))
    optimal = np.zeros(n_steps, dtype=bool)
    for t in range(n_steps):
        e = np.exp(h - h.max())  # stable softmax
        pi = e / e.sum()
        a = min(int(np.searchsorted(np.cumsum(pi), rng.random(), side="right")), k - 1)
        r = q_star[a] + rng.standard_normal()
        reference = r if t == 0 else average  # average of the earlier rewards
        one_hot = np.zeros(k)
        one_hot[a] = 1.0
        h += alpha * ((r - reference) if baseline else r) * (one_hot - pi)
        average += (r - average) / (t + 1)
        optimal[t] = a == best
    return optimal


def plain_figure(n_runs: int, seed: int = 0) -> float:
    """The figure's 4 configurations for ``n_runs`` runs each, plain; returns the
    percentage of optimal actions over the last 50 steps, pooled (a sanity check)."""
    total = 0.0
    for alpha, baseline in CONFIGS:
        for run in range(n_runs):
            rng = np.random.default_rng([seed, run])
            q_star = rng.normal(MEAN, 1.0, size=N_ARMS)
            total += plain_run(q_star, rng, N_STEPS, alpha, baseline)[-50:].mean()
    return 100.0 * total / (n_runs * len(CONFIGS))


def batched_figure(seed: int = 0) -> list[float]:
    """The full figure, batched; returns the final %-optimal of each configuration."""
    finals = []
    for i, (alpha, baseline) in enumerate(CONFIGS):
        runs = run_gradient_bandit(
            N_RUNS,
            N_STEPS,
            n_arms=N_ARMS,
            step_size=alpha,
            baseline=baseline,
            testbed_mean=MEAN,
            rng=seed + i,
        )
        finals.append(float(runs.percent_optimal()[-50:].mean()))
    return finals


def best_time(fn, repeats: int):
    """Smallest wall time of ``repeats`` calls (the least disturbed by other load), and the
    last call's result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plain-runs", type=int, default=20, help="runs per configuration for the plain loop"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timings per side; the best is kept")
    args = parser.parse_args()

    run_gradient_bandit(10, 10)  # warm-up: imports and first calls

    batched, finals = best_time(batched_figure, args.repeats)
    plain_subset, plain_final = best_time(lambda: plain_figure(args.plain_runs), args.repeats)
    plain = plain_subset * N_RUNS / args.plain_runs

    print(f"work: {len(CONFIGS)} configurations x {N_RUNS} runs x {N_STEPS} steps x {N_ARMS} arms")
    for (alpha, baseline), final in zip(CONFIGS, finals, strict=True):
        print(
            f"  alpha={alpha}, baseline={'yes' if baseline else 'no '}: {final:5.1f} % optimal "
            f"(last 50 steps)"
        )
    steps = len(CONFIGS) * N_STEPS
    print(
        f"batched (run_gradient_bandit), full work: {batched:8.2f} s  "
        f"({batched / steps * 1e6:.0f} us per step of all {N_RUNS} runs)"
    )
    print(
        f"plain loop, {args.plain_runs} runs per configuration: {plain_subset:8.2f} s  "
        f"({plain_subset / (steps * args.plain_runs) * 1e6:.1f} us per step of one run)"
    )
    print(f"plain loop, scaled to the full work:       {plain:8.2f} s")
    print(
        f"check, % optimal over the last 50 steps pooled over the configurations: "
        f"plain {plain_final:.0f} ({args.plain_runs} runs each), batched {np.mean(finals):.0f}"
    )
    print(f"ratio: {plain / batched:.0f}")


if __name__ == "__main__":
    main()
