"""How fast is `softmax_pg.score` compared with the least work any implementation must do,
and with PyTorch computing the same scores?

Times `score` on a batch of 100 000 states x 10 actions x 32 features (float64) against,
in the same run and on the same arrays:

* a plain reference: the preferences `features @ theta` alone, one pass over the
  features. numpy computes `features @ theta` of this shape as one small product per
  state, on one thread whatever its BLAS's count: the script times it with the BLAS
  limited to one thread too, to show it. The package shares the blocks of a large batch
  out between threads, one per CPU the process may use (at most OMP_NUM_THREADS), so the
  script also times it on one thread, and there times the score's parts alone: the
  softmax and e_a - pi of the kernel, np.exp of the preferences (a part of the softmax),
  the vector-Jacobian product Phi^T g, and the whole score in one pass instead of blocks;
* PyTorch autograd, per-sample scores with `torch.func.vmap(torch.func.grad(log_prob))`:
  what a reader who lets autograd do the work gets;
* PyTorch evaluating the closed form (e_a - softmax(Phi theta)) Phi with tensors: the
  same formula as the package, in another library.

Every contender is timed in pairs with its baseline, calls made back to back (see
`paired`): each time printed is a median over the pairs, each ratio the median of the
pairs' ratios. torch gets as many threads as numpy's BLAS (read with threadpoolctl; set
with `torch.set_num_threads`), and its ratio to the package is paired too. All counts
are printed with the load average and the threaded score's CPU time over its wall time;
the script warns when the threads gave less than 1.3 x the speed of one thread or the
CPU time fell well short of their number: timings taken while another job holds a core
are not evidence.

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
SPEED_UP_FLOOR = 1.3  # below this, the threads most likely shared a core with another job


def paired(fn, baseline, repeats: int = REPEATS) -> tuple[np.ndarray, np.ndarray]:
    """Wall times of ``fn`` and of ``baseline`` over ``repeats`` pairs of calls made back to
    back, after one call of each not counted. A slowdown that hits both calls of a pair
    alike moves both times and not their ratio; a job holding one core slows a threaded
    ``fn`` more than a one-thread baseline, which pairing does not cancel."""
    fn(), baseline()
    times = np.empty((2, repeats))
    for k in range(repeats):
        start = time.perf_counter()
        baseline()
        middle = time.perf_counter()
        fn()
        times[:, k] = time.perf_counter() - middle, middle - start
    return times[0], times[1]


def numpy_threads(controller) -> int:
    """Threads numpy's BLAS uses, as threadpoolctl reads them."""
    counts = [p["num_threads"] for p in controller.info() if p.get("user_api") == "blas"]
    if not counts:
        raise RuntimeError("threadpoolctl found no BLAS library behind numpy")
    return max(counts)


def on_one_thread(fn, controller):
    """``fn`` run with numpy's BLAS and the package's blocks on one thread each.
    ``controller`` (a threadpoolctl ``ThreadpoolController``) is made once: a fresh
    ``threadpool_limits`` rescans the loaded libraries on every call (about 1 ms with torch
    loaded, which a timed call would include)."""

    def limited():
        saved = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = "1"  # read by the package's block_threads per call
        try:
            with controller.limit(limits=1, user_api="blas"):
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


def parts_on_one_thread(features, theta, actions, controller) -> dict:
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
    return {f"  {name}": on_one_thread(job, controller) for name, job in jobs.items()}


def timed_rows(rows: dict, reference, repeats: int) -> tuple[dict, dict, float]:
    """Each row's median time and median ratio to ``reference`` over its pairs, and the
    reference's median time over all the pairs."""
    medians, ratios, baseline = {}, {}, []
    for name, fn in rows.items():
        times, base = paired(fn, reference, repeats)
        medians[name], ratios[name] = float(np.median(times)), float(np.median(times / base))
        baseline.append(base)
    return medians, ratios, float(np.median(np.concatenate(baseline)))


def warn_if_the_threads_idled(speed_up: float, busy: float, threads: int) -> None:
    """A warning when the threads gave less than :data:`SPEED_UP_FLOOR` or the CPU time
    over wall time fell well short of their number."""
    if threads > 1 and (speed_up < SPEED_UP_FLOOR or busy < threads - 0.4):
        print(
            f"warning: the threads gave {speed_up:.2f} x the speed of one (CPU time / wall "
            f"time {busy:.2f}); perhaps another job holds a core: these timings are not evidence"
        )


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
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController()  # after numpy, before torch: one scan of the libraries
    threads = numpy_threads(controller)
    print(
        f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores"
    )
    ours_threads = _blocks.block_threads(N_STATES, _blocks.block_rows(features, N_FEATURES))

    def reference():
        return features @ theta

    def ours():
        return score(theta, features, actions)

    threaded, one = f"softmax_pg.score on {ours_threads} thread(s)", "softmax_pg.score on 1 thread"
    rows = {"  the same, BLAS on 1 thread": on_one_thread(reference, controller), threaded: ours}
    rows[one] = on_one_thread(ours, controller)
    rows.update(parts_on_one_thread(features, theta, actions, controller))
    peers = torch_peers(features, theta, actions, threads)
    rows.update(peers)
    medians, ratios, reference_time = timed_rows(rows, reference, repeats)
    print(f"batch: {N_STATES} states x {N_ACTIONS} actions x {N_FEATURES} features (float64)")
    print(f"each time: a median over {repeats} pairs; each ratio: the median of its pairs' ratios")
    print(f"{'reference (features @ theta):':<40}{reference_time * 1e3:8.2f} ms")
    for name, ratio in ratios.items():
        print(f"{name + ':':<40}{medians[name] * 1e3:8.2f} ms   ({ratio:.2f} x features @ theta)")
    busy = cpu_over_wall(ours, repeats)
    print(f"the threaded score's CPU time / wall time over {repeats} more calls: {busy:.2f}")
    warn_if_the_threads_idled(ratios[one] / ratios[threaded], busy, ours_threads)
    print(f"threads: the package's score {ours_threads}, numpy {threads} (threadpoolctl)", end="")
    if not peers:
        print("; torch not installed, its peers skipped")
    else:
        import torch

        print(f", torch {torch.get_num_threads()} (torch {torch.__version__.split('+')[0]})")
        for name, fn in peers.items():
            times, base = paired(fn, ours, repeats)
            print(f"{name} / softmax_pg.score: {np.median(times / base):.2f}")
    print(f"ratio on one thread: {ratios[one]:.2f}")
    print(f"ratio: {ratios[threaded]:.2f}")


if __name__ == "__main__":
    main()
