"""Formulas of indicators: parse, check a catalogue, evaluate (vectorised and scalar).

The language is described in the methodology ("Formulas"). Parsing is done by a small
hand-written lexer and recursive-descent parser; nothing is ever `eval`-ed.
"""

from miara.engine.formula.graph import validate_catalogue
from miara.engine.formula.nodes import (
    Binary,
    Call,
    Code,
    Node,
    Number,
    Unary,
    current_references,
    prev_references,
    references,
    to_text,
)
from miara.engine.formula.parser import parse
from miara.engine.formula.polars_eval import Evaluation, evaluate
from miara.engine.formula.scalar_eval import evaluate_scalar

__all__ = [
    "Binary",
    "Call",
    "Code",
    "Evaluation",
    "Node",
    "Number",
    "Unary",
    "current_references",
    "evaluate",
    "evaluate_scalar",
    "parse",
    "prev_references",
    "references",
    "to_text",
    "validate_catalogue",
]
