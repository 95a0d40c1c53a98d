"""Do the learners' costs stay flat in the number of states, and how fast are batched runs?

Five measurements, each a ratio within one run of this script:

1. Tabular one-step actor-critic (`softmax_pg.actor_critic`, default parametrisation) on
   FrozenLake-v1 with generated 8x8 and 64x64 maps (not slippery): microseconds per
   environment step on each, and the ratio 64x64 / 8x8 (flat cost: close to 1; the project
   aims at 1.5 at most). Peak memory of each run (tracemalloc), to show it grows with
   |S|·|A| (the table), not with its square (a dense one-hot feature table).
2. The same learner on Taxi-v4 against a plain numpy tabular actor-critic written in this
   file (the least a hand-written loop does per step), and the environment's own step
   time; ratio package / plain (the project aims at 2 at most).
3. The options' cost: microseconds per step of `reinforce` and `actor_critic` on CartPole-v1
   with the practitioner's options on (several episodes per update, normalised advantages,
   Adam, no gamma^t, an entropy bonus, observation normalisation; lambda-returns for
   actor-critic) against the textbook defaults; ratio on / off (the project aims at 1.5
   at most).
4. CartPole-v1: REINFORCE with a learned baseline, 10 seeds x 1000 episodes, batched
   (`softmax_pg.learners.reinforce_batched` on `gymnasium.make_vec(..., "vector_entry_point")`)
   against the single-run learner looped over the seeds. The loop runs `--loop-seeds`
   seeds and is scaled by environment steps.
5. CartPole-v1, the recipe of book/recipes_control.ipynb (10 seeds x 1000 episodes, 20 episodes per
   update, normalised advantages, no gamma^t, Adam 0.05, observation scaling), batched: how
   many seeds it solves (greedy mean >= 475 over 100 episodes) and its wall time; then a
   plain PyTorch REINFORCE with the same recipe (benchmarks/torch_reinforce.py) looped over
   the seeds as a user would write it, on the same episode budget: the ratios torch /
   package of the mean return of the last 100 episodes and of the wall time. torch gets as
   many threads as numpy's BLAS. It takes about 2 minutes per torch seed. Beside the
   recipe's line, PPO's (`softmax_pg.learners.ppo`, settings tuned on seeds 100-119, each
   seed one run on a vector env of PPO_ENVS CartPoles): seeds solved, total training time.

Run:  python benchmarks/learners.py [--loop-seeds N] [--torch-seeds N] [--skip-cartpole]
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import gymnasium as gym
import numpy as np
from gymnasium.envs.toy_text.frozen_lake import generate_random_map
from softmax_pg.learners import Adam, actor_critic, reinforce

AC = dict(step_size=0.5, value_step_size=0.5)
CARTPOLE = dict(step_size=2.0**-7, baseline_step_size=2.0**-6, gamma=0.99)  # book/cartpole.ipynb


def frozen_lake(size: int) -> gym.Env:
    return gym.make(
        "FrozenLake-v1",
        desc=generate_random_map(size=size, seed=size),
        is_slippery=False,
        max_episode_steps=4 * size * size,
    )


def per_step_actor_critic(env, n_episodes: int) -> tuple[float, int, float]:
    """(microseconds per step, steps, peak MiB) of the package's tabular actor-critic."""
    actor_critic(env, n_episodes=2, rng=1, **AC)  # warm-up
    start = time.perf_counter()
    res = actor_critic(env, n_episodes=n_episodes, rng=0, **AC)
    elapsed = time.perf_counter() - start
    steps = int(res.lengths.sum())
    tracemalloc.start()
    actor_critic(env, n_episodes=max(1, n_episodes // 10), rng=0, **AC)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return 1e6 * elapsed / steps, steps, peak


def plain_actor_critic(env, n_episodes: int, rng: np.random.Generator) -> tuple[float, int]:
    """A plain numpy tabular one-step actor-critic: table theta, table w, (e_a - pi) by hand."""
    n_s, n_a = env.observation_space.n, env.action_space.n
    theta, w = np.zeros((n_s, n_a)), np.zeros(n_s)
    alpha, alpha_w = AC["step_size"], AC["value_step_size"]
    steps = 0
    start = time.perf_counter()
    s, _ = env.reset(seed=int(rng.integers(2**32)))
    for i in range(n_episodes):
        if i > 0:
            s, _ = env.reset()
        discount = 1.0
        while True:
            h = theta[s]
            p = np.exp(h - h.max())
            p /= p.sum()
            a = min(int(np.searchsorted(np.cumsum(p), rng.random(), side="right")), n_a - 1)
            s_next, r, terminated, truncated, _ = env.step(a)
            delta = r + (0.0 if terminated else w[s_next]) - w[s]
            w[s] += alpha_w * delta
            g = -p
            g[a] += 1.0
            theta[s] += alpha * discount * delta * g
            steps += 1
            s = s_next
            if terminated or truncated:
                break
    return 1e6 * (time.perf_counter() - start) / steps, steps


def env_only(env, n_steps: int, rng: np.random.Generator) -> float:
    """Microseconds per step of the environment alone, with random actions."""
    env.reset(seed=0)
    actions = rng.integers(0, env.action_space.n, n_steps)
    start = time.perf_counter()
    for a in actions:
        _, _, terminated, truncated, _ = env.step(int(a))
        if terminated or truncated:
            env.reset()
    return 1e6 * (time.perf_counter() - start) / n_steps


OPTIONS = dict(
    episodes_per_update=8,
    normalize_advantages=True,
    discount_weighting=False,
    entropy_coef=0.01,
    normalize_observations=True,
)


def per_step(learner, n_episodes: int, **kwargs) -> float:
    """Microseconds per environment step of one run on CartPole-v1 (after a short warm-up)."""
    env = gym.make("CartPole-v1")
    learner(env, n_episodes=8, rng=1, progress=False, **kwargs)
    res = learner(env, n_episodes=n_episodes, rng=0, progress=False, **kwargs)
    return 1e6 * res.wall_time / int(res.lengths.sum())


def options_cost(n_episodes: int) -> None:
    print("== the options' cost per step on CartPole-v1 (on / off)")
    rf = dict(step_size=2.0**-7, baseline_step_size=2.0**-6, gamma=0.99)
    off = per_step(reinforce, n_episodes, **rf)
    on = per_step(reinforce, n_episodes, **rf, **OPTIONS, optimizer=Adam(0.02))
    print(f"reinforce: off {off:.1f} us/step, on {on:.1f} us/step; ratio on / off: {on / off:.2f}")
    ac = dict(step_size=2.0**-7, value_step_size=2.0**-6, gamma=0.99)
    off = per_step(actor_critic, n_episodes, **ac)
    on = per_step(actor_critic, n_episodes, **ac, **OPTIONS, optimizer=Adam(0.02), lam=0.95)
    print(
        f"actor_critic: off (online, one-step) {off:.1f} us/step, on (batch, lambda) {on:.1f} "
        "us/step; "
        f"ratio on / off: {on / off:.2f}"
    )


RECIPE_EPISODES_PER_UPDATE, RECIPE_ADAM_STEP = 20, 0.05
# PPO's settings, tuned on seeds 100-119 (reported on 0-9)
PPO_ENVS, PPO_ADAM_STEP = 8, 0.01
PPO = dict(n_episodes=1200, epochs=8, minibatch_size=256, clip=0.2, gamma=0.99, entropy_coef=0.01)


def cartpole_ppo(n_seeds: int = 10) -> None:
    """Print PPO's line in the recipe's form: seeds solved (greedy mean >= 475), wall time."""
    from softmax_pg.learners import evaluate, ppo

    env, greedy, seconds = gym.make("CartPole-v1"), [], 0.0
    for seed in range(n_seeds):
        envs = gym.make_vec(
            "CartPole-v1", num_envs=PPO_ENVS, vectorization_mode="vector_entry_point"
        )
        res = ppo(envs, rng=seed, optimizer=Adam(PPO_ADAM_STEP), progress=False, **PPO)
        seconds += res.wall_time
        greedy.append(evaluate(res, env, n_episodes=100, rng=0).mean)
    print(f"(ppo per seed, greedy {np.round(greedy).astype(int).tolist()})")
    print(
        f"cartpole ppo: {int(np.sum(np.array(greedy) >= 475))}/{n_seeds} seeds solved "
        f"(greedy >= 475), {seconds:.1f} s"
    )


def cartpole_recipe_and_torch(torch_seeds: int, n_seeds: int = 10, n_episodes: int = 1000) -> None:
    """Print the recipe's line and, unless ``torch_seeds`` is 0, the torch / package line.

    torch runs ``torch_seeds`` of the seeds (all by default); its wall time is scaled to all
    seeds and the returns are compared on the seeds it ran.
    """
    import torch_reinforce
    from softmax_pg.learners import evaluate_batched, reinforce_batched

    seeds, e = list(range(n_seeds)), RECIPE_EPISODES_PER_UPDATE
    envs = gym.make_vec(
        "CartPole-v1", num_envs=n_seeds * e, vectorization_mode="vector_entry_point"
    )
    load = os.getloadavg()[0]
    res = reinforce_batched(
        envs,
        rngs=seeds,
        n_episodes=n_episodes,
        optimizer=Adam(RECIPE_ADAM_STEP),
        episodes_per_update=e,
        normalize_advantages=True,
        discount_weighting=False,
        normalize_observations=True,
        progress=False,
    )
    evals = gym.make_vec(
        "CartPole-v1", num_envs=n_seeds * 100, vectorization_mode="vector_entry_point"
    )
    greedy = evaluate_batched(evals, res, rng=0).mean(axis=1)
    last = res.returns[:, -100:].mean(axis=1)
    print(
        f"(load average {load:.2f}; per seed, greedy {np.round(greedy).astype(int).tolist()}, "
        f"training, last 100 episodes {np.round(last).astype(int).tolist()})"
    )
    print(
        f"cartpole recipe: {int(np.sum(greedy >= 475))}/{n_seeds} seeds solved (greedy >= 475), "
        f"{res.wall_time:.1f} s"
    )
    cartpole_ppo(n_seeds)
    if torch_seeds == 0:
        return
    k = min(torch_seeds, n_seeds)
    threads = torch_reinforce.match_numpy_threads()
    returns, seconds = torch_reinforce.run_seeds(
        seeds[:k],
        n_episodes,
        episodes_per_update=e,
        lr=RECIPE_ADAM_STEP,
        normalize_observations=True,
    )
    ratio_return = returns[:, -100:].mean() / last[:k].mean()
    ratio_time = seconds * n_seeds / k / res.wall_time
    print(f"(torch on {threads} threads as numpy's BLAS, {k} seeds run, {seconds:.1f} s)")
    print(
        f"torch reinforce / package, {n_seeds} seeds: return {ratio_return:.2f}, wall time "
        f"{ratio_time:.1f}"
    )


def batched_against_looped(loop_seeds: int) -> None:
    """CartPole-v1, REINFORCE with a baseline: batched over 10 seeds against looped."""
    from softmax_pg.learners import reinforce_batched

    print(
        "== CartPole-v1: REINFORCE with baseline, 10 seeds x 1000 episodes "
        f"(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)"
    )
    seeds = list(range(10))
    envs = gym.make_vec("CartPole-v1", num_envs=len(seeds), vectorization_mode="vector_entry_point")
    start = time.perf_counter()
    batched = reinforce_batched(envs, n_episodes=1000, rngs=seeds, **CARTPOLE)
    t_batched = time.perf_counter() - start
    batched_steps = int(batched.lengths.sum())
    env = gym.make("CartPole-v1")
    start = time.perf_counter()
    loop_steps = 0
    for i in seeds[:loop_seeds]:
        loop_steps += int(reinforce(env, n_episodes=1000, rng=i, **CARTPOLE).lengths.sum())
    t_loop = (time.perf_counter() - start) * batched_steps / loop_steps
    last = batched.lengths[:, -100:].mean()  # the undiscounted return: one reward per step
    print(
        f"batched: {t_batched:.1f} s for {batched_steps} steps (mean undiscounted return of the "
        "last 100 episodes "
        f"{last:.1f}); looped over seeds (scaled from {loop_seeds}): {t_loop:.1f} s"
    )
    print(f"ratio looped / batched: {t_loop / t_batched:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--loop-seeds", type=int, default=3, help="seeds of the looped CartPole baseline"
    )
    parser.add_argument(
        "--torch-seeds",
        type=int,
        default=10,
        help="seeds of the PyTorch REINFORCE (about 2 min each; 0 skips it)",
    )
    parser.add_argument("--skip-cartpole", action="store_true")
    args = parser.parse_args()

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("== tabular actor-critic on FrozenLake-v1 (generated maps, not slippery)")
    results = {}
    for size, episodes in [(8, 3000), (64, 300)]:
        us, steps, peak = per_step_actor_critic(frozen_lake(size), episodes)
        results[size] = us
        print(
            f"{size}x{size} ({size * size} states): {us:7.1f} us/step over {steps} steps, "
            f"peak memory {peak:.2f} MiB"
        )
    print(f"ratio 64x64 / 8x8 per step: {results[64] / results[8]:.2f}")

    print("== Taxi-v4: package vs a plain numpy tabular loop")
    taxi = gym.make("Taxi-v4")
    package, steps, _ = per_step_actor_critic(taxi, 300)
    plain, plain_steps = plain_actor_critic(taxi, 300, np.random.default_rng(0))
    alone = env_only(taxi, 20000, np.random.default_rng(0))
    print(
        f"package {package:.1f} us/step ({steps} steps), plain loop {plain:.1f} us/step "
        f"({plain_steps} steps), environment alone {alone:.1f} us/step"
    )
    print(f"ratio package / plain: {package / plain:.2f}")

    options_cost(200)

    if args.skip_cartpole:
        return
    batched_against_looped(args.loop_seeds)
    print("== CartPole-v1: the recipe of book/recipes_control.ipynb, and PyTorch with it")
    cartpole_recipe_and_torch(args.torch_seeds)


if __name__ == "__main__":
    main()
