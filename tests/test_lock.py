"""The pinned environment: requirements.txt is a complete lock of requirements.in.

Strict nbval compares outputs character by character, so the stored outputs reproduce
only with the versions they were made with. requirements.txt pins every package exactly
and is generated from requirements.in by ``make lock`` (tools/lock.py). These tests check
the two files agree, that the lock pins what this environment runs, and that
``pip check`` is clean. They do not re-resolve (that needs the package index: ``make
lock`` does it, and ``python tools/lock.py --check`` tells whether the lock is current).
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines(path: Path) -> list[str]:
    lines = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line]


def lock() -> dict[str, str]:
    pins = {}
    for line in requirement_lines(ROOT / "requirements.txt"):
        if line == "-e .":
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        assert m, f"requirements.txt: {line!r} is not an exact pin `name==version`"
        name = canonicalize_name(m.group(1))
        assert name not in pins, f"requirements.txt pins {name} twice"
        pins[name] = m.group(2)
    return pins


def inputs() -> list[Requirement]:
    return [Requirement(l) for l in requirement_lines(ROOT / "requirements.in") if l != "-e ."]


def test_lock_installs_the_package_and_pins_everything_exactly():
    assert "-e ." in requirement_lines(ROOT / "requirements.txt")
    assert "-e ." in requirement_lines(ROOT / "requirements.in")
    pins = lock()
    assert len(pins) > 50, "the lock must pin the whole environment, not only the inputs"
    assert all("+" not in v for v in pins.values()), "no local version labels (+cpu) in the lock"
    assert not [n for n in pins if n.startswith("nvidia-")], "the lock must not pull CUDA packages"


def test_every_input_is_pinned_in_the_lock_within_its_range():
    pins = lock()
    for req in inputs():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is in requirements.in but not pinned in requirements.txt"
        assert req.specifier.contains(Version(pins[name]), prereleases=True), (
            f"requirements.txt pins {name}=={pins[name]}, outside requirements.in's {req}"
        )


def test_key_pins():
    pins, reqs = lock(), {canonicalize_name(r.name): r for r in inputs()}
    assert str(reqs["jupyter-book"].specifier) in {"<2,>=1.0.4", ">=1.0.4,<2"}
    assert Version(pins["jupyterlab"]).release[:2] == (4, 5), (
        "jupyterlab-myst loads in JupyterLab 4.5"
    )
    assert pins["torch"] == "2.13.0" and str(reqs["torch"].specifier) == "==2.13.0"


def test_this_environment_is_the_lock():
    """The environment running the tests has exactly the locked versions."""
    wrong = {}
    for name, version in lock().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong[name] = (version, "missing")
            continue
        if Version(installed.split("+", 1)[0]) != Version(version):
            wrong[name] = (version, installed)
    assert wrong == {}, (
        f"installed versions differ from the lock (run `make` to reinstall): {wrong}"
    )


def test_pip_check_is_clean():
    out = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_pyproject_keeps_ranges_for_the_library():
    text = (ROOT / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.M | re.S).group(1)
    assert "==" not in deps, "the package is a library: pyproject.toml keeps ranges"


def test_the_lock_command_is_a_make_target_and_documented():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lock:", makefile, re.M) and "tools/lock.py" in makefile
    readme = (ROOT / "README.md").read_text()
    assert "make lock" in readme and "requirements.in" in readme
