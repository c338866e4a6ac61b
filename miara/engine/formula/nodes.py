"""The syntax tree of a formula, and what can be read from it without evaluating it.

Nodes are frozen dataclasses: hashable (the Polars compiler shares identical sub-trees
between formulas) and comparable. `position` (0-based offset in the source text) is left
out of comparisons so that a tree re-parsed from `to_text()` equals the original.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass, field

# Binding strength used by the parser's grammar and by `to_text` to decide on brackets.
OR, AND, NOT, COMPARISON, ADDITIVE, MULTIPLICATIVE, UNARY, POWER, ATOM = range(1, 10)

COMPARISON_OPS = ("<", "<=", ">", ">=", "==", "!=")
# What each comparison does, to floats (scalar evaluator) and to Polars expressions alike.
COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
ARITHMETIC_OPS = ("+", "-", "*", "/", "^")
LOGICAL_OPS = ("and", "or")


@dataclass(frozen=True)
class Node:
    """Base class of every node."""

    position: int = field(default=0, compare=False, kw_only=True, repr=False)


@dataclass(frozen=True)
class Number(Node):
    """A numeric literal; always stored as a float."""

    value: float

    def __post_init__(self) -> None:
        # Number(2) and Number(2.0) must print and compare the same way.
        object.__setattr__(self, "value", float(self.value))


@dataclass(frozen=True)
class Code(Node):
    """A variable or indicator code."""

    name: str


@dataclass(frozen=True)
class Unary(Node):
    """`-x` or `not x`."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    """Arithmetic, comparison, `and` and `or`."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    """A function call; `args` is a tuple so that the node stays hashable."""

    name: str
    args: tuple[Node, ...]


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Unary):
            stack.append(current.operand)
        elif isinstance(current, Binary):
            stack.extend((current.right, current.left))
        elif isinstance(current, Call):
            stack.extend(reversed(current.args))


def code_occurrences(node: Node) -> list[Code]:
    """Every code node in source order, so that errors point at the first bad one."""
    return sorted((n for n in walk(node) if isinstance(n, Code)), key=lambda n: n.position)


def references(node: Node) -> set[str]:
    """All codes a formula reads, including those inside prev(): the catalogue check and
    the dependency graph need both kinds."""
    return {n.name for n in walk(node) if isinstance(n, Code)}


def prev_references(node: Node) -> set[str]:
    """Codes read in the previous period, for callers that must load one period more."""
    return {
        n.args[0].name
        for n in walk(node)
        if isinstance(n, Call) and n.name == "prev" and isinstance(n.args[0], Code)
    }


def current_references(node: Node) -> set[str]:
    """Codes read in the period being computed, i.e. outside any prev(): with
    `prev_references` this tells which stored values produced a figure, and of when."""
    if isinstance(node, Code):
        return {node.name}
    if isinstance(node, Call) and node.name == "prev":
        return set()
    if isinstance(node, Unary):
        return current_references(node.operand)
    if isinstance(node, Binary):
        return current_references(node.left) | current_references(node.right)
    if isinstance(node, Call):
        return set().union(*(current_references(a) for a in node.args))
    return set()


def precedence(node: Node) -> int:
    """How tightly a node binds, on the parser's scale (higher binds tighter)."""
    if isinstance(node, Binary):
        if node.op == "or":
            return OR
        if node.op == "and":
            return AND
        if node.op in COMPARISON_OPS:
            return COMPARISON
        if node.op in ("+", "-"):
            return ADDITIVE
        if node.op in ("*", "/"):
            return MULTIPLICATIVE
        return POWER
    if isinstance(node, Unary):
        return NOT if node.op == "not" else UNARY
    if isinstance(node, Number) and node.value < 0:
        return UNARY
    return ATOM


def format_number(value: float) -> str:
    """Shortest text that reads back as exactly the same float."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def to_text(node: Node) -> str:
    """Canonical text of a tree, with only the brackets the grammar needs.

    Used to show formulas consistently and by the round-trip property test:
    `parse(to_text(tree)) == tree`.
    """
    return _text(node, 0)


def _text(node: Node, minimum: int) -> str:
    text = _bare_text(node)
    return f"({text})" if precedence(node) < minimum else text


def _bare_text(node: Node) -> str:
    if isinstance(node, Number):
        return format_number(node.value)
    if isinstance(node, Code):
        return node.name
    if isinstance(node, Unary):
        if node.op == "not":
            return "not " + _text(node.operand, NOT)
        return "-" + _text(node.operand, UNARY)
    if isinstance(node, Binary):
        own = precedence(node)
        if own == POWER:  # right-associative, and its exponent may be a negation
            left, right = ATOM, UNARY
        elif own == COMPARISON:  # non-associative: brackets on both sides
            left, right = ADDITIVE, ADDITIVE
        else:  # left-associative
            left, right = own, own + 1
        return f"{_text(node.left, left)} {node.op} {_text(node.right, right)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_text(arg, 0) for arg in node.args)})"
    raise TypeError(f"not a formula node: {node!r}")
