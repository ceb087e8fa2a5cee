"""The import layers of ``scheduler``, read from the source with ``ast`` (nothing imported).

An import inside a function counts as much as one at the top of the module: deferring an
import avoids the load-order error of a cycle but not the tangle (``cli`` <-> ``commands.replan``
was such a cycle, one side deferred). Imports under ``if TYPE_CHECKING:`` never run and do
not count. An import of a package counts as an import of its ``__init__`` only.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Known cycles still to be removed (the edge that closes each); shrink this, never grow it.
# domain.py imports wishes.wish_problems inside a validator; wishes.py imports domain's types.
KNOWN = {("scheduler.domain", "scheduler.wishes")}


def module_graph(root: Path, package: str = "scheduler") -> dict[str, set[str]]:
    """{module: the modules of ``package`` it imports, at any level}."""
    files = {".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (root / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges = graph.setdefault(name, set())
        base = name if path.name == "__init__.py" else name.rpartition(".")[0]
        todo: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
        while todo:
            node = todo.pop()
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                todo += node.orelse
            elif isinstance(node, ast.Import):
                edges |= {a.name for a in node.names} & files.keys()
            elif isinstance(node, ast.ImportFrom):
                parts = base.split(".")[:len(base.split(".")) + 1 - node.level] if node.level \
                    else []
                mod = ".".join([*parts, *([node.module] if node.module else [])])
                edges |= {f"{mod}.{a.name}" if f"{mod}.{a.name}" in files else mod
                          for a in node.names} & files.keys()
            else:
                todo += ast.iter_child_nodes(node)
        edges.discard(name)
    return graph


def find_cycle(graph: dict[str, set[str]], skip: Collection[tuple[str, str]] = ()
               ) -> list[str]:
    """One import cycle (its modules, the first repeated at the end), or []."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        path.append(m)
        for n in sorted(graph.get(m, set())):
            if (m, n) in skip:
                continue
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state and (cycle := visit(n)):
                return cycle
        state[m] = 2
        path.pop()
        return []

    return next((c for m in sorted(graph) if m not in state and (c := visit(m))), [])


def reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        new = graph.get(todo.pop(), set()) - seen
        seen |= new
        todo += new
    return seen


GRAPH = module_graph(ROOT)


def test_no_import_cycle() -> None:
    assert find_cycle(GRAPH, skip=KNOWN) == []
    assert all(n in GRAPH[m] for m, n in KNOWN)  # a known cycle removed: drop it from KNOWN


def test_domain_and_checker_import_nothing_of_the_solver() -> None:
    for layer in ("scheduler.domain", "scheduler.checker"):
        assert not [m for m in reaches(GRAPH, layer) if m.startswith("scheduler.solver")], layer


def test_solver_imports_no_cli_report_or_workbook() -> None:
    banned = ("scheduler.cli", "scheduler.report", "scheduler.workbook")
    bad = [(m, n) for m, edges in GRAPH.items() if m.startswith("scheduler.solver")
           for n in edges if n.startswith(banned)]
    assert bad == []


def test_the_cycle_check_finds_a_planted_cycle(tmp_path: Path) -> None:
    # a -> b -> c -> a, c's import deferred into a function; d -> a only for type checking.
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("import pkg.c\n")
    (pkg / "c.py").write_text("def f():\n    from . import a\n")
    (pkg / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from pkg.a import X\n")
    graph = module_graph(tmp_path, "pkg")
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
    assert graph["pkg.d"] == set()
    assert find_cycle(graph, skip={("pkg.c", "pkg.a")}) == []
    (pkg / "c.py").write_text("")  # the cycle broken: found no more
    assert find_cycle(module_graph(tmp_path, "pkg")) == []
