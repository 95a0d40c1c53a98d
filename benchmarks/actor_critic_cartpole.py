"""Does the batch actor-critic learn CartPole-v1 within 1000 episodes, seed after seed?

`softmax_pg.learners.actor_critic` in its batch form (GAE(λ) advantages, λ = 0.99,
γ = 0.99, 10 episodes per update, normalised advantages, no γ^t factor, Adam 0.05 for the
actor, observation scaling) with a critic quadratic in the observation: the 15 features
1, z_i and z_i z_j (i <= j) of z = obs / (2.4, 2, 0.21, 2.5), the track's half-width, the
pole's failure angle and rough speed scales, as `value_param=LinearPreferences(...)`,
stepped by `value_step_size = 0.002`.

Why these: the critic's batch step sums the λ-advantages over the steps of an episode, so
its effective step grows with the episode's length T. On the constant feature an advantage
depends on the critic's weight w_1 as -w_1 (1 - γ)/(1 - γλ), so each update multiplies the
error in w_1 by about 1 - κ, κ = α_w T (1 - γ)/(1 - γλ) (the steps near an episode's end,
where the derivative is nearer -1, add a little): once κ passes 2 the critic oscillates
and grows without bound. Its weights stay finite for many updates; the learner stops with an
error naming value_step_size once its values exceed a million times every return of an
update. With α_w = 0.05 and λ = 0.95, κ = 2 at T ≈ 240 steps; with α_w = 0.002 and λ = 0.99,
κ ≈ 0.5 at T = 500. With a stable step, λ = 0.95 weighs the TD error k steps ahead by
(γλ)^k, a horizon of about 1/(1 - γλ) = 17 steps, and the policies it trains balance the
pole but let the cart run off the track (measured on seeds 0, 2 and 3 with the quadratic
critic: 149 of 150 sampled episodes after training ended with |x| > 2.4, at 109 to 123
steps); λ = 0.99 (a horizon of about 50 steps) learns. A critic linear in [obs; 1] cannot
represent a value that is even in the observation (high upright and centred, low toward
either side); the quadratic one can. Measured over 10 seeds (last 100 / greedy):

    linear,    α_w = 0.05,  λ = 0.95: the critic diverges in 10 of 10 seeds (the runs stop
                                   between episodes 199 and 279)
    linear,    α_w = 0.002, λ = 0.95: 121.5 ±  8.8 / 126.4 ±  7.3, 0/10
    linear,    α_w = 0.002, λ = 0.99: 451.4 ± 29.2 / 456.7 ± 26.2, 7/10
    quadratic, α_w = 0.002, λ = 0.95: 140.8 ± 23.9 / 159.7 ± 38.6, 1/10
    quadratic, α_w = 0.002, λ = 0.99: 487.9 ± 10.9 / 500.0 ±  0.0, 10/10 (the default)

`--critic`, `--value-step-size` and `--lam` rerun the comparisons (load average 0.7-4).

For each seed: the mean undiscounted return of the last 100 training episodes and the
greedy return (`softmax_pg.learners.evaluate`, 100 episodes); then the mean ± standard
error over the seeds, the load average and the wall time.

Run:  python benchmarks/actor_critic_cartpole.py [--seeds N] [--episodes N]
      [--critic quadratic|linear] [--value-step-size A] [--lam L]
"""

from __future__ import annotations

import argparse
import os
import time

import gymnasium as gym
import numpy as np
from softmax_pg.learners import Adam, actor_critic, evaluate
from softmax_pg.parametrisations import LinearPreferences

SCALE = np.array([2.4, 2.0, 0.21, 2.5])  # cart position, its speed, pole angle, its speed
PAIRS = np.triu_indices(4)


def quadratic(observations: np.ndarray) -> np.ndarray:
    """The critic's features, shape (batch, 1, 15): 1, z and the products z_i z_j, i <= j."""
    z = np.asarray(observations, dtype=np.float64) / SCALE
    products = (z[:, :, None] * z[:, None, :])[:, PAIRS[0], PAIRS[1]]
    return np.concatenate([np.ones((z.shape[0], 1)), z, products], axis=1)[:, None, :]


def settings(critic: str = "quadratic", value_step_size: float = 0.002, lam: float = 0.99):
    """The options of the run (a fresh optimiser and critic each call); ``critic="linear"``
    is the default critic, linear in [obs; 1]."""
    value = {"value_param": LinearPreferences(quadratic, 1, 15)} if critic == "quadratic" else {}
    return dict(
        optimizer=Adam(0.05),
        value_step_size=value_step_size,
        gamma=0.99,
        lam=lam,
        **value,
        episodes_per_update=10,
        normalize_advantages=True,
        discount_weighting=False,
        normalize_observations=True,
        progress=False,
    )


def one_seed(seed: int, n_episodes: int, **options) -> tuple[float, float, float]:
    """(mean of the last 100 training returns, greedy mean over 100 episodes, seconds)."""
    env = gym.make("CartPole-v1")
    start = time.perf_counter()
    res = actor_critic(env, n_episodes=n_episodes, rng=seed, **settings(**options))
    seconds = time.perf_counter() - start
    greedy = evaluate(res, env, n_episodes=100, rng=seed).mean
    return float(res.returns[-100:].mean()), float(greedy), seconds


def mean_se(values) -> str:
    v = np.asarray(values, dtype=np.float64)
    se = v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else float("nan")
    return f"{v.mean():.1f} ± {se:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0, ..., N - 1")
    parser.add_argument("--episodes", type=int, default=1000, help="training episodes per seed")
    parser.add_argument("--critic", choices=("quadratic", "linear"), default="quadratic")
    parser.add_argument("--value-step-size", type=float, default=0.002)
    parser.add_argument("--lam", type=float, default=0.99)
    args = parser.parse_args()
    options = dict(critic=args.critic, value_step_size=args.value_step_size, lam=args.lam)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"CartPole-v1, actor_critic, {args.episodes} episodes per seed, {options}")
    last, greedy, diverged, start = [], [], 0, time.perf_counter()
    for seed in range(args.seeds):
        try:
            train, evaluated, seconds = one_seed(seed, args.episodes, **options)
        except FloatingPointError as error:  # the learner names the step size that diverged
            diverged += 1
            print(f"seed {seed}: stopped: {error}")
            continue
        last.append(train)
        greedy.append(evaluated)
        print(f"seed {seed}: last 100 {train:6.1f}   greedy {evaluated:6.1f}   ({seconds:.1f} s)")
    wall = time.perf_counter() - start
    solved = sum(g >= 475 for g in greedy)
    done = f"over the {len(last)} seeds that finished" if diverged else f"over {args.seeds} seeds"
    if last:
        print(f"last 100 training episodes: {mean_se(last)} (mean ± SE {done})")
        print(f"greedy, 100 episodes:       {mean_se(greedy)}; {solved}/{args.seeds} seeds >= 475")
    if diverged:
        print(f"{diverged} of {args.seeds} seeds stopped with a diverged critic")
    print(f"wall time {wall:.1f} s, load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
