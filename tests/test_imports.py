"""The import layers of ``scheduler``, read from the source with ``ast`` (nothing imported),
and the rule that no test module imports another.

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
KNOWN: set[tuple[str, str]] = set()


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


def cross_test_imports(tests_dir: Path) -> list[tuple[str, str]]:
    """(file, test module) for every import of a ``test_*`` module by a file of ``tests_dir``.

    Shared builders live in ``tests/helpers.py`` (or fixtures in ``conftest.py``): a test module
    imported by another runs twice under two names and ties one module's tests to another's
    internals. Imports inside functions count too.
    """
    test_modules = {p.stem for p in tests_dir.glob("test_*.py")}
    found: set[tuple[str, str]] = set()
    for path in tests_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.module in (None, "tests"):  # from tests import test_x; from . import ...
                    names += [a.name for a in node.names]
            else:
                continue
            found |= {(path.name, part) for name in names for part in name.split(".")
                      if part in test_modules}
    return sorted(found)


GRAPH = module_graph(ROOT)


def test_no_import_cycle() -> None:
    assert find_cycle(GRAPH, skip=KNOWN) == []
    assert all(n in GRAPH[m] for m, n in KNOWN)  # a known cycle removed: drop it from KNOWN


def test_domain_and_checker_import_nothing_of_the_solver() -> None:
    for layer in ("scheduler.domain", "scheduler.verify"):
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


def test_no_test_module_imports_another() -> None:
    assert cross_test_imports(ROOT / "tests") == []


def test_the_cross_test_check_finds_planted_imports(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("def f():\n    pass\n")
    (tmp_path / "test_b.py").write_text("from helpers import f\n")
    (tmp_path / "test_a.py").write_text("from test_b import f\n")
    (tmp_path / "test_c.py").write_text("from tests.helpers import f\n"
                                        "def g():\n    from tests import test_b\n")
    (tmp_path / "test_d.py").write_text("import tests.test_a\nfrom .test_c import g\n")
    assert cross_test_imports(tmp_path) == [("test_a.py", "test_b"), ("test_c.py", "test_b"),
                                            ("test_d.py", "test_a"), ("test_d.py", "test_c")]
    for name in ("test_a.py", "test_c.py", "test_d.py"):
        (tmp_path / name).write_text("from tests.helpers import f\n")
    assert cross_test_imports(tmp_path) == []
