"""The import graph of miara keeps its shape (docs/architecture.md, "Layers").

The contracts are in `.importlinter` at the repository root and are checked by
import-linter (`lint-imports`, also in `make lint`); grimp reads every import statement,
imports inside functions included. The second test finds any import circle among the
modules themselves, whatever the packages, and names it.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import grimp
import pytest
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

ROOT = Path(__file__).resolve().parents[2]


def _is_test_code(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or module == "miara.conftest" or parts[:2] == ["miara", "testing"]


def import_circles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = 0
    for start in sorted(modules):
        if start in index:
            continue
        # Iterative, so a deep graph cannot hit the recursion limit.
        work = [(start, 0)]
        while work:
            module, position = work.pop()
            if position == 0:
                index[module] = low[module] = counter
                counter += 1
                stack.append(module)
                on_stack.add(module)
            followed = edges[module]
            if position < len(followed):
                work.append((module, position + 1))
                target = followed[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
    return sorted(circles)


def _circle_path(graph: grimp.ImportGraph, circle: list[str]) -> str:
    """The shortest closed path through the circle's first module, each import's line."""
    members = set(circle)
    start = circle[0]
    came_from: dict[str, str] = {}
    queue = [start]
    while queue:
        here = queue.pop(0)
        for target in sorted(graph.find_modules_directly_imported_by(here) & members):
            if target == start:
                path = [here]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                path.reverse()
                steps = []
                for importer, imported in zip(path, [*path[1:], start], strict=True):
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = ",".join(str(d["line_number"]) for d in details)
                    steps.append(f"{importer} (l.{lines})")
                return " -> ".join([*steps, start])
            if target not in came_from and target != start:
                came_from[target] = here
                queue.append(target)
    return " <-> ".join(circle)


def test_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        status = lint_imports(
            config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True
        )
    assert status == EXIT_STATUS_SUCCESS, output.getvalue()


def test_no_import_circle_among_modules():
    graph = grimp.build_graph("miara", cache_dir=None)
    modules = {m for m in graph.modules if not _is_test_code(m)}
    circles = import_circles(graph, modules)
    assert not circles, "import circles:\n" + "\n".join(_circle_path(graph, c) for c in circles)


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}}, [["a", "b", "c"]]),
    ],
)
def test_the_circle_finder_finds_circles(edges, expected):
    class Graph:
        def find_modules_directly_imported_by(self, module):
            return set(edges[module])

    assert import_circles(Graph(), set(edges)) == expected


def test_the_graph_is_built_from_this_checkout():
    import miara

    assert Path(miara.__file__).resolve().parent == ROOT / "miara", sys.path[:3]
