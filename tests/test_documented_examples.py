"""Every Python example of the README and of the API page runs as written and shows what
the page says it shows.

Each block runs in a fresh namespace in an empty temporary directory, so an example that
writes a file (``save_policy("cartpole.npz", ...)``) leaves nothing in the repository. What
is checked, for each block:

* a `` ```text `` block right after it is its printed output, compared line by line;
* an expression statement whose comment starts with a shape, ``policy.probs(obs)  # (5,
  3): ...``, must have that shape;
* the rest is checked by hand below (``CHECKS``, keyed by a line of the block).

A block that nothing checks fails: an example is a claim about what the code does.
"""

from __future__ import annotations

import ast
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "book/api.md"]
FENCE = re.compile(r"^```python\n(.*?)^```\n(?:\n```text\n(?P<out>.*?)^```)?", re.M | re.S)
SHAPE = re.compile(r"#\s*\((\d+(?:,\s*\d+)*,?)?\)")


def examples() -> list:
    found = []
    for page in PAGES:
        text = (ROOT / page).read_text()
        for match in FENCE.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found.append(pytest.param(match.group(1), match["out"], id=f"{page}:{line}"))
    return found


def _check_cartpole_file(ns: dict) -> None:
    from softmax_pg.learners import evaluate, load_policy

    loaded = load_policy("cartpole.npz")
    np.testing.assert_array_equal(loaded.theta, ns["result"].policy.theta)
    env = ns["env"]
    assert (
        evaluate(loaded, env, n_episodes=3).mean == evaluate(ns["result"], env, n_episodes=3).mean
    )
    assert ns["result"].returns.shape == (200,)
    assert set(ns["result"].history) >= {"return", "entropy", "gradient_norm"}


CHECKS = {'save_policy("cartpole.npz", result)': _check_cartpole_file}


def run(source: str) -> tuple[dict, str, int]:
    """The block's namespace, its printed output and the number of shapes it checked."""
    ns: dict = {"__name__": "__example__"}
    lines, checked, out = source.splitlines(), 0, io.StringIO()
    with redirect_stdout(out):
        for node in ast.parse(source).body:
            code = ast.get_source_segment(source, node)
            if isinstance(node, ast.Expr):
                value = eval(compile(ast.Expression(node.value), "<example>", "eval"), ns)  # noqa: S307
                comment = lines[node.end_lineno - 1][node.end_col_offset :]
                shape = SHAPE.match(comment.strip())
                printed = isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "")
                if shape and printed != "print":  # a print's output is the text block's
                    expected = tuple(int(n) for n in re.findall(r"\d+", shape.group(1) or ""))
                    got = np.shape(value)
                    assert got == expected, f"{code} has shape {got}; the page says {expected}"
                    checked += 1
            else:
                exec(compile(ast.Module([node], []), "<example>", "exec"), ns)  # noqa: S102
    return ns, out.getvalue(), checked


def test_the_pages_have_examples():
    assert len(examples()) >= 5, "an example block lost its ```python fence"


def test_a_wrong_shape_comment_is_caught():
    with pytest.raises(AssertionError, match=r"has shape \(2, 3\); the page says \(3, 2\)"):
        run("import numpy as np\nnp.zeros((2, 3))  # (3, 2): wrong\n")


@pytest.mark.slow
@pytest.mark.parametrize("source, output", examples())
def test_example_shows_what_the_page_says(source, output, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns, printed, checked = run(source)
    if output is not None:
        assert printed.splitlines() == output.splitlines()
        checked += 1
    for key, check in CHECKS.items():
        if key in source:
            check(ns)
            checked += 1
    assert checked, "nothing checks this example: add its output, a shape comment or a check"
