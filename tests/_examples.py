"""How many examples a property test with its own number draws.

Hypothesis lets a test's own ``@settings(max_examples=n)`` override the loaded profile, so
the profile ``fast`` (``make check``, registered in tests/conftest.py) cannot lower it by
itself. Such a test writes ``@settings(max_examples=examples(n))`` instead: ``n`` under
every other profile (``make test``, CI), at most ``FAST_EXAMPLES`` under ``fast``. It reads
the profile loaded when the test module is imported (tests/conftest.py loads it first).
"""

from __future__ import annotations

from hypothesis import settings

FAST_EXAMPLES = 15


def examples(n: int) -> int:
    """``n``, or ``FAST_EXAMPLES`` if fewer, when the profile ``fast`` is loaded."""
    if settings.get_current_profile_name() == "fast":
        return min(n, FAST_EXAMPLES)
    return n
