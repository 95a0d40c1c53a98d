"""A plain PyTorch REINFORCE on CartPole, written as a user would write it.

The recipe of ``book/recipes_control.ipynb`` (the one the package's ``reinforce_batched`` runs):
a linear policy ``nn.Linear(4, 2)`` on the observation (its bias is the constant input),
zero initialisation, several episodes per update, the undiscounted reward-to-go
G_t = R_{t+1} + ... + R_T as the weight of each step's log-probability (no gamma^t factor),
advantages normalised over the steps of an update, Adam, and observations scaled by a running
mean and standard deviation. One environment, one episode after the other, one seed after
the other: the loop a reader types from a tutorial. ``benchmarks/learners.py`` times it
against the package with the same episode budget.

Run alone:  python benchmarks/torch_reinforce.py [--seeds N]
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np
import torch
from torch import nn


def match_numpy_threads() -> int:
    """Give torch as many threads as numpy's BLAS has (read with threadpoolctl); return it."""
    from threadpoolctl import threadpool_info

    blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    n = blas[0] if blas else 1
    torch.set_num_threads(n)
    return n


class RunningNorm:
    """Running mean and variance of the observations (parallel-variance update)."""

    def __init__(self, size: int) -> None:
        self.mean, self.var, self.count = np.zeros(size), np.ones(size), 1e-4

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        return (obs - self.mean) / np.sqrt(self.var + 1e-8)

    def update(self, batch: np.ndarray) -> None:
        mean, var, n = batch.mean(axis=0), batch.var(axis=0), batch.shape[0]
        delta, total = mean - self.mean, self.count + n
        self.mean = self.mean + delta * n / total
        self.var = (self.var * self.count + var * n + delta**2 * self.count * n / total) / total
        self.count = total


def train(
    seed: int,
    n_episodes: int = 1000,
    episodes_per_update: int = 20,
    lr: float = 0.05,
    normalize_observations: bool = True,
) -> np.ndarray:
    """Train one policy; return the undiscounted return of every episode."""
    torch.manual_seed(seed)
    env = gym.make("CartPole-v1")
    policy = nn.Linear(4, 2).double()
    nn.init.zeros_(policy.weight)
    nn.init.zeros_(policy.bias)
    optimizer = torch.optim.Adam(policy.parameters(), lr=lr)
    norm = RunningNorm(4)
    returns = []
    obs, _ = env.reset(seed=seed)
    for _ in range(n_episodes // episodes_per_update):
        log_probs, weights, raw = [], [], []
        for _ in range(episodes_per_update):
            rewards, done = [], False
            while not done:
                raw.append(obs)
                x = torch.as_tensor(norm(obs) if normalize_observations else obs)
                dist = torch.distributions.Categorical(logits=policy(x))
                action = dist.sample()
                log_probs.append(dist.log_prob(action))
                obs, reward, terminated, truncated, _ = env.step(action.item())
                rewards.append(float(reward))
                done = terminated or truncated
            obs, _ = env.reset()
            returns.append(sum(rewards))
            weights += list(np.cumsum(rewards[::-1])[::-1])  # reward-to-go
        adv = torch.tensor(weights)
        adv = (adv - adv.mean()) / (adv.std(unbiased=False) + 1e-8)
        loss = -(torch.stack(log_probs) * adv).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if normalize_observations:
            norm.update(np.asarray(raw, dtype=np.float64))
    env.close()
    return np.array(returns)


def run_seeds(seeds, n_episodes: int = 1000, **kwargs) -> tuple[np.ndarray, float]:
    """Train one policy per seed, one after the other: (returns (seeds, episodes), seconds)."""
    start = time.perf_counter()
    returns = np.stack([train(s, n_episodes, **kwargs) for s in seeds])
    return returns, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--episodes", type=int, default=1000)
    args = parser.parse_args()
    match_numpy_threads()
    returns, seconds = run_seeds(range(args.seeds), args.episodes)
    last = returns[:, -100:].mean(axis=1)
    print(
        f"torch threads {torch.get_num_threads()}; {seconds:.1f} s; "
        f"mean return of the last 100 episodes per seed: {np.round(last, 1)}"
    )


if __name__ == "__main__":
    main()
