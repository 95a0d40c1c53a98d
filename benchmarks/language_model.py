"""The small language model's sequence score and one estimator's update: package vs torch.

At equal threads (numpy's BLAS threads read with threadpoolctl, torch.set_num_threads to the
same; both printed), on one batch of responses sampled from a tanh network (hidden 32) on
the chapter's model (4 prompts, 3 digits, up to 4 digits and the end token):

* the batched sequence score: the gradient of sum_i log pi(y_i | x_i), that is
  sum_i sum_t Dh(s_t)^T (e_{y_t} - pi_t); the package's `sequence_policy_gradient` with
  weight 1 on every token, against torch's `logits.log_softmax(-1).gather(...)` with the -inf
  mask and the padding, summed, then `backward()`;
* one RLOO update's gradient: leave-one-out advantages from the group's rewards, then the
  same with those weights.

Both sides compute the inputs x(s) with the model's `encode` inside the timed call. The
enumeration oracle (`exact_gradient`, every response of every prompt) is timed too. The last
line is `torch / package: R` for the RLOO update (R >= 1: the package is faster).

Run:  python benchmarks/language_model.py [--responses N] [--repeats K]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from softmax_pg.sequences import (
    TinyLanguageModel,
    exact_gradient,
    rloo_advantages,
    sample_responses,
    sequence_policy_gradient,
    token_weights,
)
from threadpoolctl import threadpool_info


def blas_threads() -> int:
    blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return blas[0] if blas else 1


def best_of(fn, repeats: int) -> float:
    """The fastest of ``repeats`` timed calls, after one warm-up call (seconds)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def torch_log_probs(lm, param, theta, batch, mask=None):
    """(n, n_positions) token log-probabilities in torch, 0 at padding, and the leaf theta:
    ``logits.log_softmax(-1).gather(...)`` with the -inf mask, as practitioners write it
    (``mask``: ``torch.tensor(lm.mask())``, made once by a caller that times this).
    tests/test_sequences_torch.py checks the package against it."""
    t = torch.tensor(theta, requires_grad=True)
    x = torch.tensor(lm.encode(batch.states.reshape(-1)))
    i, z = 0, x
    layers = []
    for n_in, n_out in param.inner.shapes:
        w = t[i : i + n_in * n_out].view(n_in, n_out)
        i += n_in * n_out
        layers.append((w, t[i : i + n_out]))
        i += n_out
    for w, b in layers[:-1]:
        z = torch.tanh(z @ w + b)
    mask = torch.tensor(lm.mask()) if mask is None else mask
    logits = z @ layers[-1][0] + layers[-1][1] + mask[batch.states.reshape(-1)]
    logits = logits.view(*batch.states.shape, -1)
    lp = logits.log_softmax(-1).gather(-1, torch.from_numpy(batch.tokens)[..., None])[..., 0]
    pad = torch.from_numpy(batch.mask)
    return torch.where(pad, lp, torch.zeros_like(lp)), t  # where, not lp * pad: -inf * 0 = nan


def torch_gradient(lm, param, theta, batch, weights) -> np.ndarray:
    """sum_{i,t} w_{i,t} grad log pi(y_t|s_t), as practitioners write it in torch."""
    lp, t = torch_log_probs(lm, param, theta, batch, MASK)
    (torch.from_numpy(weights) * lp).sum().backward()
    return t.grad.numpy()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--responses", type=int, default=4096)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    n_threads = blas_threads()
    torch.set_num_threads(n_threads)
    print(f"threads: numpy BLAS {blas_threads()}, torch {torch.get_num_threads()}")
    lm = TinyLanguageModel()
    param = lm.mlp(hidden=(32,))
    global MASK
    MASK = torch.tensor(lm.mask())
    theta = param.init(0) + 0.3 * np.random.default_rng(0).normal(size=param.n_params)
    k = 8
    prompts = np.repeat(np.arange(lm.n_prompts), args.responses // lm.n_prompts)
    batch = sample_responses(lm, param, theta, prompts, np.random.default_rng(1))
    print(f"{len(batch)} responses, {int(batch.mask.sum())} tokens, {param.n_params} parameters")
    ones = batch.mask.astype(np.float64)

    def rloo_weights():
        a = rloo_advantages(batch.rewards.reshape(-1, k)).reshape(-1)
        return token_weights(a, batch.lengths, lm.n_positions)

    def package_score():
        return sequence_policy_gradient(param, theta, batch, ones, validate=False).gradient

    def package_rloo():
        return sequence_policy_gradient(param, theta, batch, rloo_weights(), validate=False)

    np.testing.assert_allclose(
        package_score(), torch_gradient(lm, param, theta, batch, ones), atol=1e-9
    )
    np.testing.assert_allclose(
        package_rloo().gradient,
        torch_gradient(lm, param, theta, batch, rloo_weights()),
        atol=1e-9,
    )
    ps = best_of(package_score, args.repeats)
    ts = best_of(lambda: torch_gradient(lm, param, theta, batch, ones), args.repeats)
    pu = best_of(package_rloo, args.repeats)
    tu = best_of(lambda: torch_gradient(lm, param, theta, batch, rloo_weights()), args.repeats)
    print(f"sequence score, package: {1e3 * ps:.2f} ms   torch: {1e3 * ts:.2f} ms")
    print(f"sequence score torch / package: {ts / ps:.2f}")
    for name, p in (("table", lm.tabular()), ("network", param)):
        th = p.init(0)
        t_oracle = best_of(lambda p=p, th=th: exact_gradient(lm, p, th), args.repeats)
        print(
            f"enumeration oracle ({name}, {lm.n_prompts * lm.n_responses} responses): "
            f"{1e3 * t_oracle:.1f} ms"
        )
    print(f"RLOO update, package: {1e3 * pu:.2f} ms   torch: {1e3 * tu:.2f} ms")
    print(f"torch / package: {tu / pu:.2f}")


MASK = None

if __name__ == "__main__":
    main()
