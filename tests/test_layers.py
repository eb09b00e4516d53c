"""The package's layers import only downward, with no cycles, whether imports sit at the top of a file or
inside a function (docs/development.md). Two views: the import statements themselves (AST), and what a
fresh interpreter actually loads when it imports each layer."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Layers from the bottom up; a module may import its own layer and any layer below it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("abm.errors", "abm.paths")),
    ("core", ("abm.core",)),
    ("config", ("abm.config",)),
    ("store", ("abm.store", "abm.simulation")),
    ("experiments", ("abm.experiments",)),
    ("analysis", ("abm.analysis",)),
    ("calibration", ("abm.calibration",)),
    ("api", ("abm.api",)),  # after analysis: as_function computes outcomes with abm.analysis.outcomes
    ("optimisation", ("abm.optimisation",)),
    ("discovery", ("abm.discovery",)),
    ("validation", ("abm.validation", "viz")),
    ("cli", ("abm.cli", "abm.__main__")),
)
CORE_MAY_IMPORT = {"numpy", "numba", "mesa", "pandas", "scipy", "tqdm", "__future__", "collections", "dataclasses",
                   "enum", "logging", "math", "sys", "typing", "zlib", "functools", "itertools", "abm"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> list[Path]:
    return sorted(p for p in [*(ROOT / "abm").rglob("*.py"), *(ROOT / "viz").rglob("*.py")]
                  if p != ROOT / "abm" / "__init__.py")  # the package's lazy aliases point anywhere by design


def layer_of(name: str) -> int | None:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return rank
    return None


def imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import of a file, top-level or inside functions, except those
    under `if TYPE_CHECKING:` (annotations only, never executed)."""
    found: list[tuple[str, int]] = []

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            test = node.test
            if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                    isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.extend((a.name, node.lineno) for a in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            for a in node.names:  # `from abm.core import model` imports the module abm.core.model
                sub = f"{node.module}.{a.name}"
                found.append((sub if (ROOT / Path(*sub.split("."))).with_suffix(".py").is_file()
                              or (ROOT / Path(*sub.split("."))).is_dir() else node.module, node.lineno))

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_every_module_of_the_package_belongs_to_a_layer() -> None:
    assert [module_name(p) for p in modules() if layer_of(module_name(p)) is None] == []


def test_no_import_points_to_a_higher_layer() -> None:
    upward = []
    for path in modules():
        src = module_name(path)
        for target, line in imports(path):
            rank = layer_of(target)
            if rank is not None and rank > layer_of(src):
                upward.append(f"{path.relative_to(ROOT)}:{line}: {src} ({LAYERS[layer_of(src)][0]}) imports "
                              f"{target} ({LAYERS[rank][0]})")
    assert upward == []


def test_modules_import_each_other_without_cycles() -> None:
    """Also within a layer, and counting imports inside functions (they must not hide a cycle)."""
    graph = {module_name(p): {t for t, _ in imports(p) if layer_of(t) is not None} for p in modules()}
    # a package's __init__ is loaded before its modules: importing `abm.store.reader` imports `abm.store`
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt] if nxt in stack else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_core_imports_only_the_numerical_stack() -> None:
    """The simulation knows nothing of Hydra, files, the store or argparse."""
    bad = sorted({f"{module_name(p)} imports {t}" for p in (ROOT / "abm" / "core").rglob("*.py")
                  for t, _ in imports(p) if t.split(".")[0] not in CORE_MAY_IMPORT})
    assert bad == []


LOADED = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("abm", "viz", "hydra", "omegaconf"))))
"""


@pytest.mark.parametrize("rank", range(len(LAYERS)), ids=[name for name, _ in LAYERS])
def test_importing_a_layer_loads_nothing_above_it(rank: int) -> None:
    names = [module_name(p) for p in modules() if layer_of(module_name(p)) == rank
             and not module_name(p).endswith("__main__")]
    out = subprocess.run([sys.executable, "-c", LOADED, *names], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout)
    above = [m for m in loaded if (layer_of(m) or 0) > rank]
    assert above == []
    if rank < 2:  # only abm.config imports Hydra
        assert not [m for m in loaded if m.split(".")[0] in ("hydra", "omegaconf")]


def test_importing_the_store_reader_does_not_load_the_launcher() -> None:
    out = subprocess.run([sys.executable, "-c", LOADED, "abm.store.reader"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    loaded = json.loads(out.stdout)
    assert not [m for m in loaded if m.startswith(("abm.experiments", "abm.cli", "hydra"))]


def test_only_abm_config_imports_hydra() -> None:
    bad = sorted({f"{module_name(p)} imports {t}" for p in modules() if not module_name(p).startswith("abm.config")
                  for t, _ in imports(p) if t.split(".")[0] in ("hydra", "omegaconf")})
    assert bad == []
