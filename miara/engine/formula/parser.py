"""Recursive-descent parser: one method per level of the grammar, loosest first.

expression  := or
or          := and ("or" and)*
and         := not ("and" not)*
not         := "not" not | comparison
comparison  := additive [("<" | "<=" | ">" | ">=" | "==" | "!=") additive]
additive    := term (("+" | "-") term)*
term        := unary (("*" | "/") unary)*
unary       := "-" unary | power
power       := atom ["^" unary]          (so 2^3^2 = 2^9 and -2^2 = -4)
atom        := NUMBER | CODE | NAME "(" arguments ")" | "(" expression ")"
"""

from __future__ import annotations

from miara.engine.errors import FormulaSyntaxError
from miara.engine.formula.functions import ARITY, MAX_ROUND_DIGITS, round_digits
from miara.engine.formula.lexer import KEYWORDS, Token, tokenize, unknown_function
from miara.engine.formula.nodes import COMPARISON_OPS, Binary, Call, Code, Node, Number, Unary

# Both evaluators and the parser recurse; these bounds keep them far from Python's
# recursion limit. A formula that needs more should be split into several indicators.
MAX_NESTING = 50  # brackets and function calls inside one another
MAX_DEPTH = 120  # levels of the tree, e.g. a sum of 120 terms


def parse(text: str) -> Node:
    """Parse formula text into a tree, or raise FormulaSyntaxError with the 0-based position
    of the offending character, so that an editor can point at it."""
    tree = _Parser(text).parse()
    _check_depth(tree, text)
    return tree


def _check_depth(tree: Node, text: str) -> None:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormulaSyntaxError(
                "the formula is too long; split it into several indicators",
                formula=text,
                position=node.position,
            )
        if isinstance(node, Unary):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, Binary):
            stack.extend(((node.left, depth + 1), (node.right, depth + 1)))
        elif isinstance(node, Call):
            stack.extend((arg, depth + 1) for arg in node.args)


def _describe(token: Token) -> str:
    if token.kind == "END":
        return "the end of the formula"
    return f"'{token.text}'" if token.kind not in ("CODE", "NUMBER", "NAME") else token.text


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0

    # -- helpers -------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.token
        return token.kind == kind and (text is None or token.text == text)

    def error(self, message: str, position: int) -> FormulaSyntaxError:
        return FormulaSyntaxError(message, formula=self.text, position=position)

    # -- grammar -------------------------------------------------------------------------

    def parse(self) -> Node:
        if self.token.kind == "END":
            raise self.error("the formula is empty", 0)
        node = self.expression()
        if self.token.kind != "END":
            raise self.unexpected_after_value()
        return node

    def expression(self) -> Node:
        return self.binary_chain("or", self.and_)

    def and_(self) -> Node:
        return self.binary_chain("and", self.not_)

    def binary_chain(self, keyword: str, operand) -> Node:
        node = operand()
        while self.at("NAME", keyword):
            token = self.advance()
            node = Binary(keyword, node, operand(), position=token.position)
        return node

    def not_(self) -> Node:
        if self.at("NAME", "not"):
            token = self.advance()
            return Unary("not", self.not_(), position=token.position)
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        if self.token.kind in COMPARISON_OPS:
            token = self.advance()
            node = Binary(token.kind, node, self.additive(), position=token.position)
            if self.token.kind in COMPARISON_OPS:
                raise self.error(
                    "comparisons cannot be chained; combine them with and", self.token.position
                )
        return node

    def additive(self) -> Node:
        node = self.term()
        while self.token.kind in ("+", "-"):
            token = self.advance()
            node = Binary(token.kind, node, self.term(), position=token.position)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.token.kind in ("*", "/"):
            token = self.advance()
            node = Binary(token.kind, node, self.unary(), position=token.position)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            token = self.advance()
            return Unary("-", self.unary(), position=token.position)
        return self.power()

    def power(self) -> Node:
        node = self.atom()
        if self.at("^"):
            token = self.advance()
            node = Binary("^", node, self.unary(), position=token.position)
        return node

    def atom(self) -> Node:
        token = self.token
        if token.kind == "(" or (token.kind == "NAME" and token.text not in KEYWORDS):
            if self.nesting >= MAX_NESTING:
                raise self.error(
                    "too many brackets inside one another; split the formula", token.position
                )
            self.nesting += 1
            try:
                return self.nested_atom(token)
            finally:
                self.nesting -= 1
        return self.plain_atom(token)

    def nested_atom(self, token: Token) -> Node:
        if token.kind == "(":
            self.advance()
            node = self.expression()
            self.close(token)
            return node
        return self.call()

    def plain_atom(self, token: Token) -> Node:
        if token.kind == "NUMBER":
            self.advance()
            return Number(token.value, position=token.position)
        if token.kind == "CODE":
            self.advance()
            if self.at("("):
                if token.text.lower() in ARITY:
                    raise self.error(
                        f"functions are written in lower case: {token.text.lower()}",
                        token.position,
                    )
                raise self.error(unknown_function(token.text), token.position)
            return Code(token.text, position=token.position)
        if token.kind == "END":
            raise self.error(
                "the formula ends too early; expected a number or a code", token.position
            )
        if token.kind == ")":
            raise self.error("unexpected ')'", token.position)
        if token.kind == "NAME":
            raise self.error(f"expected a number or a code before {token.text}", token.position)
        raise self.error(f"expected a number or a code, not {_describe(token)}", token.position)

    def close(self, opening: Token, name: str = "") -> None:
        if self.at(")"):
            self.advance()
            return
        if self.token.kind == "END":
            raise self.error(
                f"missing closing parenthesis for '{name}(' opened at character "
                f"{opening.position + 1}",
                self.token.position,
            )
        raise self.unexpected_after_value()

    def unexpected_after_value(self) -> FormulaSyntaxError:
        """The expression so far is complete and this token cannot continue it."""
        token = self.token
        if token.kind == ")":
            return self.error("unexpected ')'", token.position)
        if token.kind == "CODE" and token.text.lower() in KEYWORDS:
            return self.error(f"write {token.text.lower()} in lower case", token.position)
        if token.kind in ("NUMBER", "CODE", "NAME", "("):
            return self.error(f"missing operator before {_describe(token)}", token.position)
        return self.error(f"unexpected {_describe(token)}", token.position)

    def call(self) -> Node:
        name = self.advance()
        if not self.at("("):
            raise self.error(f"{name.text} must be followed by '('", self.token.position)
        opening = self.advance()
        args: list[Node] = []
        starts: list[int] = []  # where each argument begins, to point at a bad one
        if not self.at(")"):
            starts.append(self.token.position)
            args.append(self.expression())
            while self.at(","):
                self.advance()
                starts.append(self.token.position)
                args.append(self.expression())
        self.close(opening, name.text)
        node = Call(name.text, tuple(args), position=name.position)
        self.check_call(node, starts)
        return node

    def check_call(self, node: Call, starts: list[int]) -> None:
        low, high = ARITY[node.name]
        count = len(node.args)
        if count < low or (high is not None and count > high):
            plural = "argument" if low == 1 else "arguments"
            expected = f"at least {low} {plural}" if high is None else f"{low} {plural}"
            raise self.error(f"{node.name} takes {expected}, got {count}", node.position)
        if node.name == "prev" and not isinstance(node.args[0], Code):
            raise self.error("prev takes a code, for example prev(POPULATION)", starts[0])
        if node.name == "round" and round_digits(node.args[1]) is None:
            raise self.error(
                f"the digits of round must be a whole number from -{MAX_ROUND_DIGITS} "
                f"to {MAX_ROUND_DIGITS}, for example round(X, 2)",
                starts[1],
            )
