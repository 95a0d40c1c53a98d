"""One floating-point environment for every run of the notebooks, on any x86-64 CPU.

numpy and OpenBLAS (and PyTorch) choose their kernels by CPU: on an AVX-512 machine they
sum in another order than on an AVX2 one, so the last digits of a float differ, and a
long learning run that samples from those floats can take another path altogether. The
stored outputs of the notebooks are made at the AVX2 level; strict nbval
(`tests/conftest.py`) and `make notebooks` (`tools/run_notebooks.py`) start their kernels
with this environment so that they compute the same numbers on every such machine.
Variables already set by the user are left as they are.
"""

from __future__ import annotations

import os
import platform


def _features_above_avx2() -> list[str]:
    """numpy's dispatch targets above AVX2 (AVX-512 and x86-64-v4) that this CPU has."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [
        name
        for name in __cpu_dispatch__
        if __cpu_features__.get(name) and (name.startswith("AVX512") or name == "X86_V4")
    ]


def _has_avx2() -> bool:
    from numpy._core._multiarray_umath import __cpu_features__

    return bool(__cpu_features__.get("AVX2"))


def pinned_environ(environ: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of ``environ`` (default ``os.environ``) with the AVX2-level kernels chosen."""
    env = dict(os.environ if environ is None else environ)
    if platform.machine().lower() not in {"x86_64", "amd64"} or not _has_avx2():
        return env
    pins = {
        "OPENBLAS_CORETYPE": "Haswell",  # OpenBLAS's AVX2 kernels
        "ATEN_CPU_CAPABILITY": "avx2",  # PyTorch's own kernels
        "MKL_CBWR": "AVX2",  # MKL, inside PyTorch: conditional numerical reproducibility
    }
    disabled = " ".join(_features_above_avx2())
    if disabled:
        pins["NPY_DISABLE_CPU_FEATURES"] = disabled
    for name, value in pins.items():
        env.setdefault(name, value)
    return env
