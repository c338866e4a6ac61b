"""Checks a catalogue of formulas as a whole and orders indicators for evaluation.

`prev(X)` counts as a dependency on X like any other reference, so `X = prev(X) + 1` is
rejected as a cycle. Allowing it would need period-by-period evaluation (X of 2024 needs
X of 2023, which needs X of 2022, ...), which the vectorised evaluator does not do; a
stock that accumulates should be a reported variable instead.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

from miara.engine.errors import (
    DuplicateCodeError,
    FormulaCycleError,
    FormulaError,
    InvalidCodeError,
    UnknownCodeError,
)
from miara.engine.formula.lexer import CODE_PATTERN
from miara.engine.formula.nodes import Node, code_occurrences, references
from miara.engine.formula.parser import parse


def validate_catalogue(variables: set[str], formulas: dict[str, str]) -> list[str]:
    """Reject a catalogue that could not be evaluated, and say where; otherwise return the
    indicator codes in an order in which each comes after everything it reads.

    Checked, in this order: codes of indicators are well-formed, every formula parses, no
    indicator shares a code with a variable, every code a formula names exists, no
    indicators depend on each other in a cycle. The order is deterministic: among
    indicators that could go next, the alphabetically first one does.
    """
    trees = parse_catalogue(formulas)
    for code in sorted(trees):
        if code in variables:
            raise DuplicateCodeError(code)
    known = set(variables) | set(trees)
    for code in sorted(trees):
        for occurrence in code_occurrences(trees[code]):
            if occurrence.name not in known:
                raise UnknownCodeError(
                    occurrence.name,
                    formula=formulas[code],
                    position=occurrence.position,
                    indicator=code,
                )
    return evaluation_order(trees)


def parse_catalogue(formulas: Mapping[str, str]) -> dict[str, Node]:
    """Parse every formula, naming the indicator in any error."""
    trees: dict[str, Node] = {}
    for code in sorted(formulas):
        if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
            raise InvalidCodeError(str(code))
        text = formulas[code]
        try:
            trees[code] = parse(text)
        except FormulaError as error:
            raise error.in_indicator(code, text) from None
    return trees


def dependencies(trees: Mapping[str, Node]) -> dict[str, set[str]]:
    """Indicator -> the indicators its formula reads (in this or the previous period)."""
    return {code: references(tree) & trees.keys() for code, tree in trees.items()}


def evaluation_order(trees: Mapping[str, Node], wanted: Iterable[str] | None = None) -> list[str]:
    """Topological order of `wanted` (default: all) and what they need, ties alphabetical;
    raises FormulaCycleError naming the first cycle found."""
    graph = dependencies(trees)
    if wanted is not None:
        graph = {code: graph[code] for code in _closure(graph, wanted)}
    _raise_on_cycle(graph)
    waiting = {code: len(needs) for code, needs in graph.items()}
    readers: dict[str, list[str]] = {code: [] for code in graph}
    for code, needs in graph.items():
        for need in needs:
            readers[need].append(code)
    ready = [code for code, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        code = heapq.heappop(ready)
        order.append(code)
        for reader in readers[code]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, reader)
    return order


def _closure(graph: Mapping[str, set[str]], wanted: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(wanted)
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        if code not in graph:
            raise KeyError(f"{code} is not an indicator of this catalogue")
        seen.add(code)
        stack.extend(graph[code])
    return seen


def _raise_on_cycle(graph: Mapping[str, set[str]]) -> None:
    """Depth-first search, iterative so that long chains cannot hit the recursion limit."""
    done: set[str] = set()
    for root in sorted(graph):
        if root in done:
            continue
        path: list[str] = [root]
        on_path = {root}
        pending = [iter(sorted(graph[root]))]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                pending.pop()
                done.add(path[-1])
                on_path.discard(path.pop())
                continue
            if following in on_path:
                cycle = [*path[path.index(following) :], following]
                raise FormulaCycleError(cycle)
            if following in done:
                continue
            path.append(following)
            on_path.add(following)
            pending.append(iter(sorted(graph[following])))
