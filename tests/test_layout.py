"""The package's layout keeps its promises: the core imports numpy alone, the kernel is the
only softmax, no import circle, no module reaching into another module's private names,
small modules and functions, at most 30 top-level names."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import softmax_pg

PKG = Path(softmax_pg.__file__).resolve().parent
MODULES = sorted(PKG.rglob("*.py"))
ROOT = PKG.parents[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_importing_the_package_loads_numpy_and_nothing_heavier():
    heavy = ("gymnasium", "matplotlib", "torch", "scipy", "tqdm", "pandas", "jax")
    out = run(
        "import sys, softmax_pg\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))\n"
        "print(sorted(m for m in sys.modules if m.startswith('softmax_pg.envs')))"
    )
    assert out.splitlines() == ["[]", "[]"]


def test_environments_are_registered_by_softmax_pg_envs_only():
    out = run(
        "import gymnasium, softmax_pg\n"
        "print('softmax_pg/ShortCorridor-v0' in gymnasium.registry)\n"
        "import softmax_pg.envs\n"
        "print('softmax_pg/ShortCorridor-v0' in gymnasium.registry, "
        "'softmax_pg/GridWorld-v0' in gymnasium.registry)"
    )
    assert out.split() == ["False", "True", "True"]


def test_at_most_30_top_level_names_all_importable():
    assert len(softmax_pg.__all__) <= 30
    assert all(hasattr(softmax_pg, name) for name in softmax_pg.__all__)


SOFTMAX = re.compile(r"np\.exp\(|logsumexp|exp\(.*\)\s*/\s*.*sum")
# sigma = exp(log sigma) of the Gaussian policy is not a softmax; nor are a whole response's
# probability exp(sum_t log pi_t) and PPO's ratio exp(log pi - log pi_old) (sequences/,
# learners/ppo.py)
EXP_ALLOWED = {"gaussian.py", "oracle.py", "estimators.py", "ppo.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_the_kernel_is_the_only_softmax(path):
    if path.name == "_kernel.py" or path.name in EXP_ALLOWED:
        return
    code = [line.split("#")[0] for line in path.read_text().splitlines()]
    hits = [line for line in code if SOFTMAX.search(line) and '"' not in line]
    assert not hits, f"{path.name} writes a softmax or an exponential itself: {hits}"


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(absolute module imported, names imported from it) for the package's own imports."""
    here = module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            if node.module:
                out.append((target, [a.name for a in node.names]))
            else:  # from . import x: x is a module
                out.extend((f"{target}.{a.name}", []) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("softmax_pg"):
            out.append((node.module, [a.name for a in node.names]))
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_no_module_imports_another_modules_private_names(path):
    for target, names in imports(path):
        private = [n for n in names if n.startswith("_")]
        assert not private, (
            f"{path.name} imports {private} from {target}; make them public or a private module"
        )


def test_no_import_circle():
    graph = {module_name(p): {t for t, _ in imports(p)} for p in MODULES}
    known = set(graph)
    graph = {m: {t for t in ts if t in known and t != m} for m, ts in graph.items()}
    # a package's __init__ importing its own sub-modules is not a circle
    graph = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in graph.items()}
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                raise AssertionError("import circle: " + " -> ".join(stack + [m, t]))
            if t not in state:
                visit(t, stack + [m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_modules_and_functions_are_small(path):
    source = path.read_text()
    lines = source.splitlines()
    assert len(lines) <= 330, f"{path.name} has {len(lines)} lines: split it by idea"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            first = node.body[0]
            docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            start = first.end_lineno if docstring else first.lineno - 1
            body = lines[start : node.end_lineno]
            code = [line for line in body if line.strip() and not line.strip().startswith("#")]
            assert len(code) <= 60, f"{path.name}: {node.name} has {len(code)} lines of code"


def _top_level_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_the_tools_import_no_circle():
    tools = {p.stem: p for p in (ROOT / "tools").glob("*.py")}
    graph = {m: _top_level_imports(p) & set(tools) - {m} for m, p in tools.items()}
    for m, targets in graph.items():
        for t in targets:
            assert m not in graph[t], f"tools/{m}.py and tools/{t}.py import each other"


def test_the_front_matter_pattern_is_written_once():
    pattern = re.compile(r"re\.compile\(r\"\\A---")
    files = [*(ROOT / "tools").glob("*.py"), *(ROOT / "book" / "_ext").glob("*.py")]
    hits = [p.relative_to(ROOT) for p in files if pattern.search(p.read_text())]
    assert len(hits) == 1, f"the front-matter pattern is written in {hits}"


def test_each_public_kernel_function_calls_its_trusted_twin():
    """kernel.py is the checked room, _kernel.py the trusted one: every name of the public
    kernel has a twin of the same name in _kernel, and the public function calls it."""
    from softmax_pg import _kernel, kernel

    tree = ast.parse((PKG / "kernel.py").read_text())
    bodies = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for name in kernel.__all__:
        assert callable(getattr(_kernel, name, None)), f"_kernel has no twin of kernel.{name}"
        called = {
            node.attr
            for node in ast.walk(bodies[name])
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "_kernel"
        }
        assert called == {name}, f"kernel.{name} calls _kernel.{sorted(called)}, not its twin"
