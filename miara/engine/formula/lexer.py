"""Turns formula text into tokens, each remembering where it starts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from miara.engine.errors import FormulaSyntaxError
from miara.engine.formula.functions import ARITY

KEYWORDS = frozenset({"and", "or", "not"})
CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]*")
_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_LOWER_WORD = re.compile(r"[a-z][a-z0-9_]*")
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "^", "(", ")", ",")
# Characters people type from other languages, with the spelling this one wants.
_HINTS = {
    "**": "use ^ for powers",
    "&&": "use and",
    "||": "use or",
    "=": "use == to compare",
    "!": "use != to compare or not to negate",
    "&": "use and",
    "|": "use or",
}
# Functions people know under another name, with the name this language uses.
FUNCTION_HINTS = {
    "log": "use ln (natural logarithm) or log10",
    "lg": "use log10",
    "pow": "use ^ for powers",
    "power": "use ^ for powers",
}


def unknown_function(word: str) -> str:
    """The message for a function this language does not have, with a hint if one fits."""
    hint = FUNCTION_HINTS.get(word.lower())
    return f"unknown function {word}" + (f": {hint}" if hint else "")


@dataclass(frozen=True)
class Token:
    """kind is NUMBER, CODE, NAME (keyword or function), an operator's text, or END."""

    kind: str
    text: str
    position: int
    value: float = 0.0


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens ending with an END token; raises FormulaSyntaxError."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char.isdigit() or (char == "." and i + 1 < n and text[i + 1].isdigit()):
            tokens.append(_number(text, i))
            i += len(tokens[-1].text)
            continue
        if char.isalpha() and char.isascii():
            word = _WORD.match(text, i).group()
            tokens.append(_word(text, word, i))
            i += len(word)
            continue
        for hint in ("**", "&&", "||"):
            if text.startswith(hint, i):
                raise FormulaSyntaxError(_HINTS[hint], formula=text, position=i)
        operator = next((op for op in _OPERATORS if text.startswith(op, i)), None)
        if operator is None:
            message = _HINTS.get(char, f"unexpected character {char!r}")
            raise FormulaSyntaxError(message, formula=text, position=i)
        tokens.append(Token(operator, operator, i))
        i += len(operator)
    tokens.append(Token("END", "", n))
    return tokens


def _number(text: str, start: int) -> Token:
    match = _NUMBER.match(text, start)
    end = match.end()
    if end < len(text) and text[end] == "." and not text[end + 1 : end + 2].isdigit():
        raise FormulaSyntaxError("expected a digit after '.'", formula=text, position=end + 1)
    if end < len(text) and text[end] in "eE" and not _looks_like_word_after(text, end):
        raise FormulaSyntaxError("expected digits in the exponent", formula=text, position=end + 1)
    literal = match.group()
    value = float(literal)
    if not math.isfinite(value):
        raise FormulaSyntaxError("number too large", formula=text, position=start)
    return Token("NUMBER", literal, start, value)


def _looks_like_word_after(text: str, end: int) -> bool:
    """`2e` followed by a letter is `2` then a word (a missing operator, said later);
    `2e` alone or `2e+` is an unfinished exponent."""
    rest = text[end + 1 : end + 2]
    return rest.isalpha() or rest == "_"


def _word(text: str, word: str, start: int) -> Token:
    if CODE_PATTERN.fullmatch(word):
        return Token("CODE", word, start)
    if word in KEYWORDS or word in ARITY:
        return Token("NAME", word, start)
    if _LOWER_WORD.fullmatch(word) and text[start + len(word) :].lstrip().startswith("("):
        raise FormulaSyntaxError(unknown_function(word), formula=text, position=start)
    raise FormulaSyntaxError(
        f"codes are upper case: write {word.upper()}", formula=text, position=start
    )
