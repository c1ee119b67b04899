"""The shape of the package: imports run one way, every construct is handled by every stage.

- The import graph of `accord` (every import but those only for type checkers) has no cycle.
- Every syntax node of an expression (`accord.ast`) has a handler in the checker, and every IR
  node (`accord.ir`) a handler in the compiler and in the interpreter (the reference semantics),
  so a new construct cannot be added to one stage and forgotten in another.
"""

from __future__ import annotations

import ast as pyast
import inspect
from pathlib import Path

import pytest

from accord import ast, ir
from accord.check import _Checker
from accord.compile import _Gen
from accord.interpret import Interpreter

CORE = Path(__file__).resolve().parent.parent / "core"


def _module_name(path: Path) -> str:
    parts = path.relative_to(CORE).with_suffix("").parts
    name = ".".join(("accord", *parts))
    return name.removesuffix(".__init__")


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (at module level or inside functions)."""
    modules = {_module_name(p): p for p in CORE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: set[str] = set()

        class Imports(pyast.NodeVisitor):
            def visit_If(self, node: pyast.If) -> None:
                if "TYPE_CHECKING" in pyast.unparse(node.test):  # only for type checkers: never runs
                    for child in node.orelse:
                        self.visit(child)
                    return
                self.generic_visit(node)

            def visit_ImportFrom(self, node: pyast.ImportFrom) -> None:
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                for alias in node.names:
                    if f"{module}.{alias.name}" in modules:
                        found.add(f"{module}.{alias.name}")
                    elif module in modules:
                        found.add(module)

            def visit_Import(self, node: pyast.Import) -> None:
                found.update(a.name for a in node.names if a.name in modules)

        Imports().visit(pyast.parse(path.read_text(encoding="utf-8")))
        found.discard(name)
        graph[name] = found
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert "accord.check" in graph and "accord.ir" in graph["accord.check"]  # the graph is read at all
    assert cycle(graph) is None, " -> ".join(cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def _subclasses(module: object, base: type) -> list[type]:
    return [c for _, c in inspect.getmembers(module, inspect.isclass) if issubclass(c, base) and c is not base and c.__module__ == module.__name__]


@pytest.mark.parametrize("node", _subclasses(ast, ast.Expr), ids=lambda c: c.__name__)
def test_every_expression_has_a_checker_handler(node):
    assert hasattr(_Checker, f"_{node.__name__}"), f"the checker cannot check `{node.__name__}`"


@pytest.mark.parametrize("node", [c for c in _subclasses(ir, ir.Node) if c is not ir.Error], ids=lambda c: c.__name__)
def test_every_ir_node_has_a_compiler_and_an_interpreter_handler(node):
    assert hasattr(_Gen, f"_{node.__name__}"), f"the compiler cannot compile `{node.__name__}`"
    assert hasattr(Interpreter, f"_{node.__name__}"), f"the interpreter cannot evaluate `{node.__name__}`"
