"""Resolve requirements.in into requirements.txt, a complete lock (`make lock`).

pip resolves the input exactly as it would install it on this machine (same indexes,
find-links and constraints as `pip install`), without installing anything:

    python -m pip install --dry-run --ignore-installed --quiet --report - -r requirements.in

and every package of the report is written as `name==version`. Two rewrites:
the companion package stays `-e .` (it is the working copy), and a local version
label (`torch==2.13.0+cpu` from a CPU wheel) is dropped, so the pin is the public
release `torch==2.13.0`, which the CPU wheel satisfies.

Usage: python tools/lock.py [--check]   (--check: exit 1 if requirements.txt differs)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUT = ROOT / "requirements.in"
LOCK = ROOT / "requirements.txt"
OWN_PACKAGE = "softmax-pg"

HEADER = """\
# The complete lock of the reader's environment: every package pinned exactly.
# GENERATED from requirements.in by `make lock` (tools/lock.py); do not edit by hand.
# Resolved for CPython {python} on {platform}. To upgrade: edit requirements.in if
# needed, run `make lock`, re-run the notebooks, `make test`, commit (see the README).
-e .
"""


def canonical(name: str) -> str:
    """PEP 503 normalised name: lower case, runs of -_. become one hyphen."""
    return re.sub(r"[-_.]+", "-", name).lower()


def resolve() -> list[tuple[str, str]]:
    """(name, version) of every package pip would install from requirements.in."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            "-",
            "-r",
            str(INPUT),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    report = json.loads(out)
    pins = []
    for item in report["install"]:
        name = item["metadata"]["name"]
        if canonical(name) == OWN_PACKAGE:
            continue
        version = item["metadata"]["version"].split("+", 1)[0]
        pins.append((canonical(name), version))
    return sorted(pins)


def render(pins: list[tuple[str, str]]) -> str:
    platform = f"{sys.platform}-{__import__('platform').machine()}"
    python = ".".join(map(str, sys.version_info[:2]))
    lines = [f"{n}=={v}" for n, v in pins]
    return HEADER.format(python=python, platform=platform) + "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render(resolve())
    if "--check" in argv:
        if LOCK.read_text() != text:
            print("requirements.txt is out of date with requirements.in: run `make lock`")
            return 1
        return 0
    LOCK.write_text(text)
    print(f"wrote {LOCK.relative_to(ROOT)} ({text.count('==')} pins)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
