"""How fast is `softmax_pg.score` compared with the least work any implementation must do,
and with PyTorch computing the same scores?

Times `score` on a batch of 100 000 states x 10 actions x 32 features (float64) against,
in the same run and on the same arrays:

* a plain reference: the preferences `features @ theta` alone, one pass over the
  features (the project's target is a score within 2 of it). numpy computes
  `features @ theta` of this shape as one small product per state, on one thread whatever
  its BLAS's count: the script times it with the BLAS limited to one thread too, to show
  it. The package shares the blocks of a large batch out between threads, one per CPU the
  process may use (at most OMP_NUM_THREADS), so the script also times it on one thread,
  and there times the score's parts alone: the softmax and e_a - pi of the kernel, np.exp
  of the preferences (a part of the softmax), the vector-Jacobian product Phi^T g, and the
  whole score in one pass instead of blocks of a few MiB;
* PyTorch autograd, per-sample scores with `torch.func.vmap(torch.func.grad(log_prob))`:
  what a reader who lets autograd do the work gets. The package must be at least as
  fast (ratio of torch's time to the package's >= 1);
* PyTorch evaluating the closed form (e_a - softmax(Phi theta)) Phi with tensors: the
  same formula as the package, in another library.

torch gets as many threads as numpy's BLAS (read with threadpoolctl; set with
`torch.set_num_threads`); all counts are printed with the load average, and the threaded
score's CPU time over its wall time (about its number of threads when they all ran):
timings taken while the machine is busy are not evidence, and the script says so when the
threaded score is not faster than the score on one thread.

Run:  python benchmarks/score.py [--repeats K]
      (prints the times, the ratios, `ratio on one thread: X` and last `ratio: X`, the
      score's time over that of features @ theta)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time

import numpy as np
from softmax_pg import LinearPreferences, _blocks, _kernel, score

N_STATES, N_ACTIONS, N_FEATURES = 100_000, 10, 32
REPEATS = 21


def median_time(fn, repeats: int = REPEATS) -> float:
    """Median wall time of ``repeats`` calls of ``fn``, after one call not counted."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def paired(fn, baseline, repeats: int = REPEATS) -> tuple[float, float]:
    """Median wall time of ``fn`` and median of its time over ``baseline``'s, over
    ``repeats`` pairs of calls made back to back: a pair shares the machine's state of the
    moment, so a slower spell moves both of its times, not their ratio."""
    fn(), baseline()  # warm-up
    times, ratios = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        baseline()
        middle = time.perf_counter()
        fn()
        end = time.perf_counter()
        times.append(end - middle)
        ratios.append((end - middle) / (middle - start))
    return float(np.median(times)), float(np.median(ratios))


def numpy_threads() -> int:
    """Threads numpy's BLAS uses, as threadpoolctl reads them."""
    from threadpoolctl import threadpool_info

    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    if not counts:
        raise RuntimeError("threadpoolctl found no BLAS library behind numpy")
    return max(counts)


def on_one_thread(fn):
    """``fn`` run with numpy's BLAS and the package's blocks on one thread each."""
    from threadpoolctl import threadpool_limits

    def limited():
        saved = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = "1"  # read by the package's block_threads per call
        try:
            with threadpool_limits(1):
                return fn()
        finally:
            if saved is None:
                del os.environ["OMP_NUM_THREADS"]
            else:
                os.environ["OMP_NUM_THREADS"] = saved

    return limited


def cpu_over_wall(fn, repeats: int = REPEATS) -> float:
    """The process's CPU time over the wall time of ``repeats`` calls of ``fn``."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


@contextlib.contextmanager
def one_pass():
    """The package's score in one pass over the batch, not in blocks."""
    saved = _blocks.MIN_ROWS
    _blocks.MIN_ROWS = 10**9  # no batch holds two blocks
    try:
        yield
    finally:
        _blocks.MIN_ROWS = saved


def parts_on_one_thread(features, theta, actions) -> dict:
    """The score's parts over the whole batch, each as a callable on one thread."""
    preferences = features @ theta
    g = _kernel.preference_score(preferences, actions, 1.0)
    vjp = LinearPreferences(lambda phi: phi, N_ACTIONS, N_FEATURES).vjp  # observations: Phi

    def whole_in_one_pass():
        with one_pass():
            score(theta, features, actions)

    jobs = {
        "softmax and e_a - pi (the kernel)": lambda: _kernel.preference_score(
            preferences, actions, 1.0
        ),
        "  of which np.exp of the preferences": lambda: np.exp(preferences),
        "vector-Jacobian product Phi^T g": lambda: vjp(theta, features, g),
        "the score in one pass, not in blocks": whole_in_one_pass,
    }
    return {f"  {name}": on_one_thread(job) for name, job in jobs.items()}


def torch_peers(features: np.ndarray, theta: np.ndarray, actions: np.ndarray, threads: int):
    """The two torch computations of the same scores, by name, as zero-argument callables
    (none when torch is not installed)."""
    try:
        import torch
        from torch.func import grad, vmap
    except ImportError:
        return {}
    torch.set_num_threads(threads)
    phi, th, a = torch.from_numpy(features), torch.from_numpy(theta), torch.from_numpy(actions)

    def log_prob_one(t, f, act):
        # log-softmax gathered at the action: Categorical(logits=...).log_prob
        # computes the same number but also validates its arguments, and is
        # slower under vmap; the autograd peer gets the faster form
        return torch.log_softmax(f @ t, dim=-1).gather(0, act.unsqueeze(0))[0]

    per_sample = vmap(grad(log_prob_one), in_dims=(None, 0, 0))

    def autograd():
        return per_sample(th, phi, a)

    def closed_form():
        g = torch.nn.functional.one_hot(a, phi.shape[1]).to(phi.dtype) - torch.softmax(
            phi @ th, dim=-1
        )
        return (g.unsqueeze(1) @ phi).squeeze(1)

    # the same numbers as the package, before anything is timed
    ours = score(theta, features[:1000], actions[:1000])
    for fn in (autograd, closed_form):
        assert np.allclose(fn()[:1000].numpy(), ours, rtol=1e-10, atol=1e-12)
    return {"torch vmap(grad(log_prob))": autograd, "torch closed form": closed_form}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    repeats = parser.parse_args().repeats
    rng = np.random.default_rng(0)
    features = rng.normal(size=(N_STATES, N_ACTIONS, N_FEATURES))
    theta = rng.normal(size=N_FEATURES)
    actions = rng.integers(0, N_ACTIONS, size=N_STATES)
    threads = numpy_threads()
    print(
        f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores"
    )

    ours_threads = _blocks.block_threads(N_STATES, _blocks.block_rows(features, N_FEATURES))

    def reference():
        return features @ theta

    def ours():
        return score(theta, features, actions)

    print(f"batch: {N_STATES} states x {N_ACTIONS} actions x {N_FEATURES} features (float64)")
    print(f"each time: the median of {repeats}; each ratio: the median over {repeats} pairs")
    print(f"{'reference (features @ theta):':<40}{median_time(reference, repeats) * 1e3:8.2f} ms")
    threaded, one = f"softmax_pg.score on {ours_threads} thread(s)", "softmax_pg.score on 1 thread"
    rows = {"  the same, BLAS on 1 thread": on_one_thread(reference), threaded: ours}
    rows[one] = on_one_thread(ours)
    rows.update(parts_on_one_thread(features, theta, actions))
    peers = torch_peers(features, theta, actions, threads)
    rows.update(peers)
    ratios = {}
    for name, fn in rows.items():
        seconds, ratios[name] = paired(fn, reference, repeats)
        print(f"{name + ':':<40}{seconds * 1e3:8.2f} ms   ({ratios[name]:.2f} x features @ theta)")
    print(f"the threaded score's CPU time / wall time: {cpu_over_wall(ours, repeats):.2f}")
    if ours_threads > 1 and ratios[threaded] >= ratios[one]:
        print(
            "warning: the score on several threads was not faster than on one: another job "
            "holds a core, and these timings are not evidence"
        )
    print(f"threads: the package's score {ours_threads}, numpy {threads} (threadpoolctl)", end="")
    if not peers:
        print("; torch not installed, its peers skipped")
    else:
        import torch

        print(f", torch {torch.get_num_threads()} (torch {torch.__version__.split('+')[0]})")
        for name, fn in peers.items():
            print(f"{name} / softmax_pg.score: {paired(fn, ours, repeats)[1]:.2f}")
    print(f"ratio on one thread: {ratios[one]:.2f}")
    print(f"ratio: {ratios[threaded]:.2f}")


if __name__ == "__main__":
    main()
