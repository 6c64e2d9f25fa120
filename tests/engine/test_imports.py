"""The engine's imports point one way, as micrograd's do: no module imports another that imports
it back (directly or around a loop), and none reaches into another's private (`_name`) helpers.

The graph is read from the source with `ast`, every import counted: at the top, inside functions
and under `if TYPE_CHECKING:` alike, since a type-only import is still a dependency a reader has
to follow.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"


def engine_imports(root: Path = ENGINE) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """{module: [(imported engine module, names taken from it), …]} for every engine module.

    `from . import x` counts as importing module x; `from .x import a, b` as importing a and b
    from module x; `import engine.x` and `from engine.x import a` likewise.
    """
    modules = {path.stem for path in root.glob("*.py")}
    graph: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for path in sorted(root.glob("*.py")):
        edges = []
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 0 and not (node.module or "").startswith("engine"):
                    continue
                parts = (node.module or "").split(".")
                target = parts[-1] if node.level or len(parts) > 1 else ""
                if target in ("", "engine"):  # `from . import x, y`: modules x and y
                    edges += [(alias.name, ()) for alias in node.names if alias.name in modules]
                    continue
                edges.append((target, tuple(alias.name for alias in node.names)))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("engine."):
                        edges.append((alias.name.split(".")[1], ()))
        graph[path.stem] = edges
    return graph


def find_cycle(graph: dict[str, list[tuple[str, tuple[str, ...]]]]) -> list[str] | None:
    """One import loop [a, b, …, a] if there is any, else None (`__init__` re-exports, so it is
    left out: nothing inside the engine imports the package itself)."""
    deps = {m: {t for t, _ in edges if t != "__init__"} for m, edges in graph.items()}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for dep in sorted(deps.get(module, ())):
            if state.get(dep) == "open":
                return [*path[path.index(dep) :], dep] if dep in path else [module, dep]
            if dep not in state and (loop := visit(dep, [*path, dep])):
                return loop
        state[module] = "done"
        return None

    for module in sorted(deps):
        if module != "__init__" and module not in state and (loop := visit(module, [module])):
            return loop
    return None


def private_imports(graph: dict[str, list[tuple[str, tuple[str, ...]]]]) -> list[str]:
    """ "module imports _name from other" for each private name taken across modules."""
    return [
        f"{module} imports {name} from {target}"
        for module, edges in graph.items()
        for target, names in edges
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]


def test_engine_imports_form_no_loop():
    assert find_cycle(engine_imports()) is None


def test_no_engine_module_imports_a_private_name_of_another():
    assert private_imports(engine_imports()) == []


OPTIONAL = ("h5py",)
"""The extra `nnplay[images]`: imported inside the function that reads an .h5 file, never at the
top of a module, so the engine loads with NumPy alone."""


def test_engine_imports_only_numpy_and_the_standard_library():
    outside = []
    for path in sorted(ENGINE.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in ("numpy", "engine") or top in sys.stdlib_module_names:
                    continue
                if top in OPTIONAL and id(node) not in top_level:
                    continue
                outside.append(f"{path.stem} imports {name}")
    assert outside == []


def test_the_checks_see_a_loop_and_a_private_import(tmp_path):
    # The oracle for the two tests above: a made-up engine with one loop and one private import.
    (tmp_path / "a.py").write_text("from .b import thing\n")
    (tmp_path / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n"
    )
    (tmp_path / "c.py").write_text("from . import a\nfrom .b import _helper\n")
    graph = engine_imports(tmp_path)
    assert find_cycle(graph) in (["a", "b", "a"], ["b", "a", "b"])
    assert private_imports(graph) == ["c imports _helper from b"]
