"""sfnkit's own parser for the JSONata expressions most states use: from the text straight to the closures of
``jsonata_closures``, without jsonata-python's parser, whose cost bounded a cold start (a machine's every state
has its own text).

It reads the subset ``jsonata_fast`` compiles from jsonata-python's tree: ``$name`` paths through field names
(``.name``, ``."quoted"``, ``.`back tick```, ``.and``) with literal index predicates (``[0]``, ``[-1]``), number,
string, ``true``/``false``/``null`` literals, ``+ - * / %``, comparisons, ``&``, ``and``/``or``, ``in``,
``a ? b : c``, unary minus, parentheses around one expression, array constructors, object constructors with
literal keys, calls of ``jsonata_closures.PURE_FUNCTIONS``, and ``/* comments */``. Tokens, binding powers and
rewrites are jsonata-python's (a Pratt parser with its table: ``.`` 75, ``[`` and ``(`` 80, ``* / %`` 60,
``+ - &`` 50, comparisons and ``in`` 40, ``and`` 30, ``or`` 25, ``?`` 20, prefix minus 70; ``-`` of a number
literal is folded into the literal), so an accepted text means what the engine's tree means. Not read: ``?:`` and
``??`` (JSONata 2.1; the 2.0.6 AWS runs rejects them, and jsonata-python's tree evaluates their left side as
rewritten twice: ``(-1) ?: 0`` is ``1``).

:func:`parse_fast` returns ``None`` for anything else — other syntax, and every text with a syntax error — and the
caller parses it with jsonata-python, so its results and error messages are the engine's.
``tests/asl/test_jsonata_parser.py`` checks both routes agree on every expression of the conformance corpora, of
the test suite and on generated ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import attrs

from sfnkit.asl.jsonata_closures import (
    Closure,
    Path,
    array,
    binary,
    call,
    condition,
    constant,
    negate,
    path_lookup,
    record,
)
from sfnkit.asl.jsonata_python import Jsonata

__all__ = ["FastParse", "parse_fast"]

Functions = Callable[[str], Any]


@attrs.frozen
class FastParse:
    """What compiling a text in the subset yields (the analyses ``jsonata.py`` makes of the engine's tree)."""

    closure: Closure
    path: Path | None
    """The simple path, when the whole expression is one (``$states.input.a[0]``)."""
    uses_context: bool
    """Whether ``$states`` appears other than as ``$states.<field other than context>``."""


class _Reject(Exception):
    """Beyond the subset, or not JSONata at all: the text is left to jsonata-python."""


_STOP: Final = r" \t\n\r.\[\]{}(),@#;:?+\-*/%|=<>^&!~"  # what ends a name (jsonata-python's operator characters)
# The text in pieces, each a token, whitespace or a comment; any other character is a piece of its own, so that
# the pieces always make up the whole text.
_PIECES: Final = re.compile(
    r"[ \t\n\r]+|/\*(?:[^*]|\*(?!/))*\*/"  # whitespace, a comment
    r"|(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[Ee][-+]?[0-9]+)?"  # a number
    r"|!=|>=|<=|\?:|\?\?|\.\.|:=|\*\*|~>"  # two-character operators
    r"|\"(?:[^\"\\]|\\[\s\S])*\"|'(?:[^'\\]|\\[\s\S])*'"  # a string
    rf"|`[^`]*`|\$[^{_STOP}]*|[^{_STOP}\"'`$0-9][^{_STOP}]*"  # a `name`, a $variable, a name
    r"|[\s\S]"  # one character: an operator, or the start of an unterminated string or name
)
_INFINITY: Final = float("inf")  # a number token has no sign
# Deeper texts go to jsonata-python, whose parser decides whether they are too deep (its recursion fails first, as an
# AslError); the closures of a text this deep evaluate well within Python's recursion limit.
_MAX_DEPTH: Final = 100
# The kind of a piece by its first character (any other starts a name).
_KINDS: Final = {
    **dict.fromkeys(" \t\n\r", "space"),
    **dict.fromkeys("0123456789", "number"),
    **dict.fromkeys("\"'", "string"),
    **dict.fromkeys(".[]{}(),:?+-*/%=<>&;@#^|!~", "op"),
    "`": "quoted",
    "$": "variable",
}
_KEYWORDS: Final = {"and", "or", "in"}
_VALUES: Final = {"true": True, "false": False, "null": None}
# jsonata-python's binding powers of the operators this parser reads (a text with any other is jsonata-python's).
_BINDING: Final = {
    ".": 75, "[": 80, "(": 80, "{": 70, "*": 60, "/": 60, "%": 60, "+": 50, "-": 50, "&": 50, "=": 40, "!=": 40,
    "<": 40, "<=": 40, ">": 40, ">=": 40, "in": 40, "and": 30, "or": 25, "?": 20,
    ")": 0, "]": 0, "}": 0, ",": 0, ":": 0,
}  # fmt: skip
_ESCAPES: Final = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX: Final = re.compile(r"[0-9a-fA-F]{4}")

# A token: (kind, value, position); kind is "op" (value the operator, and/or/in included), "literal", "variable"
# or "name"; position is where the token ends (jsonata-python's positions, put in errors).
_Token = tuple[str, Any, int]


def _tokens(text: str) -> list[_Token]:
    if text.endswith("*/"):
        raise _Reject  # jsonata-python's tokenizer fails on a comment that ends the text
    tokens: list[_Token] = []
    append, kinds, position = tokens.append, _KINDS, 0
    for value in _PIECES.findall(text):
        position += len(value)
        kind = kinds.get(value[0], "name")
        if kind == "op":
            if value in _BINDING:
                append(("op", value, position))
            elif not value.startswith("/*"):
                raise _Reject  # ranges, bindings, chains, regular expressions, wildcards, ...
        elif kind == "name":
            if value in _KEYWORDS:
                append(("op", value, position))
            elif value in _VALUES:
                append(("literal", _VALUES[value], position))
            else:
                append(("name", value, position))
        elif kind == "variable":
            append(("variable", value[1:], position))
        elif kind == "string":
            if len(value) < 2:
                raise _Reject  # unterminated
            append(("literal", _unescape(value[1:-1]) if "\\" in value else value[1:-1], position))
        elif kind == "number":
            number = float(value)  # at most 1.8e308 passes: "1e999" is infinite
            if number == _INFINITY:
                raise _Reject
            append(("literal", _convert(number), position))
        elif kind == "quoted":
            if len(value) < 2:
                raise _Reject  # unterminated
            append(("name", value[1:-1], position))
    append(("op", "(end)", position))
    return tokens


def _convert(number: float) -> int | float:
    """jsonata-python's ``Utils.convert_number``: an integral double becomes an int (``-0`` is ``0``)."""
    return int(number) if number.is_integer() else number


def _unescape(body: str) -> str:
    """A string literal's escapes, as jsonata-python reads them (``\\'`` is not one)."""
    parts = []
    index, end = 0, len(body)
    while index < end:
        char = body[index]
        if char == "\\":
            escape = body[index + 1]
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
            elif escape == "u" and _HEX.fullmatch(body, index + 2, index + 6):
                parts.append(chr(int(body[index + 2 : index + 6], 16)))
                index += 4
            else:
                raise _Reject
            index += 2
        else:
            parts.append(char)
            index += 1
    return "".join(parts)


# An operand while parsing: (kind, detail, closure). kind "literal" (detail the value; "number" for numbers),
# "path" (detail the Path; its closure is made when it is used), "array" (detail its items), "block" or ""
# (anything else).
_Operand = tuple[str, Any, Closure | None]


class _Parser:
    def __init__(self, tokens: list[_Token], operators: Jsonata, functions: Functions):
        self.tokens = tokens
        self.index = 0
        self.operators = operators
        self.functions = functions
        self.uses_context = False
        self.depth = 0  # an upper bound of the tree's depth so far

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, op: str) -> None:
        kind, value, _ = self.tokens[self.index]
        if kind != "op" or value != op:
            raise _Reject
        self.index += 1

    def at(self, op: str) -> bool:
        kind, value, _ = self.tokens[self.index]
        return kind == "op" and value == op

    def expression(self, rbp: int) -> _Operand:
        entry = self.depth = self.depth + 1
        if entry > _MAX_DEPTH:
            raise _Reject
        left = self.nud(self.advance())
        tokens = self.tokens
        while True:
            kind, value, position = tokens[self.index]
            if kind != "op" or rbp >= _BINDING.get(value, 0):
                self.depth = entry - 1
                return left
            self.index += 1
            self.depth += 1  # each operator of a chain nests the chain so far one level deeper
            if self.depth > _MAX_DEPTH:
                raise _Reject
            left = self.led(value, position, left)

    def closure(self, operand: _Operand) -> Closure:
        kind, detail, closure = operand
        if closure is not None:
            return closure
        if kind == "path":
            name, keys = detail
            if name == "states" and (not keys or keys[0][0] == "context"):
                self.uses_context = True
            return path_lookup(detail)
        return constant(detail)

    def nud(self, token: _Token) -> _Operand:
        kind, value, _ = token
        if kind == "literal":
            return ("number" if type(value) in (int, float) else "literal", value, None)
        if kind == "variable":
            if value in ("", "$"):
                raise _Reject  # $ and $$ read the input document (an error at the top level)
            return ("path", (value, ()), None)
        if kind != "op":
            raise _Reject  # a field name at the top level reads the input document (an error)
        if value == "-":
            operand = self.expression(70)
            if operand[0] == "number":
                return ("number", _convert(-float(operand[1])), None)
            # jsonata-python's prefix minus never gets the token's position: its errors say 0
            return ("", None, negate(self.closure(operand), 0))
        if value == "(":
            inner = self.expression(0)
            self.expect(")")
            return ("block", None, self.closure(inner))
        if value == "[":
            items = []
            if not self.at("]"):
                while True:
                    item = self.expression(0)
                    items.append((self.closure(item), item[0] == "array"))
                    if not self.at(","):
                        break
                    self.index += 1
            self.expect("]")
            return ("array", items, array(items))
        if value == "{":
            return ("", None, self.record())
        raise _Reject

    def record(self) -> Closure:
        keys, values = [], []
        if not self.at("}"):
            while True:
                key = self.expression(0)
                if key[0] != "literal" or type(key[1]) is not str:
                    raise _Reject  # computed keys are the engine's
                self.expect(":")
                keys.append(key[1])
                values.append(self.closure(self.expression(0)))
                if not self.at(","):
                    break
                self.index += 1
        self.expect("}")
        closure = record(keys, values)
        if closure is None:
            raise _Reject
        return closure

    def led(self, op: str, position: int, left: _Operand) -> _Operand:
        if op == ".":
            return self.step(left)
        if op == "(":
            return self.call(left, position)
        if op == "?":
            then = self.closure(self.expression(0))
            otherwise = None
            if self.at(":"):
                self.index += 1
                otherwise = self.closure(self.expression(0))
            return ("", None, condition(self.closure(left), then, otherwise))
        if op in ("[", "{"):
            raise _Reject  # predicates other than on a field name, and grouping
        right = self.expression(_BINDING[op])
        closure = binary(op, self.closure(left), self.closure(right), self.operators)
        if closure is None:
            raise _Reject
        return ("", None, closure)

    def step(self, left: _Operand) -> _Operand:
        """``.name`` and its index predicates after a path (what jsonata-python reads as the step's stages)."""
        kind, value, _ = self.advance()
        if left[0] != "path" or not (kind == "name" or (kind == "literal" and type(value) is str) or
                                     (kind == "op" and value in _KEYWORDS)):  # fmt: skip
            raise _Reject
        indexes = []
        while self.at("["):
            self.index += 1
            index = self.expression(0)
            if index[0] != "number":
                raise _Reject
            indexes.append(int(index[1]))  # jsonata-python's rounding of an index
            self.expect("]")
        name, keys = left[1]
        return ("path", (name, (*keys, (value, tuple(indexes)))), None)

    def call(self, left: _Operand, position: int) -> _Operand:
        if left[0] != "path" or left[1][1]:
            raise _Reject  # a call of anything but $name
        operands = []
        if not self.at(")"):
            while True:
                operands.append(self.expression(0))
                if not self.at(","):
                    break
                self.index += 1
        self.expect(")")
        items = operands[0][1] if len(operands) == 1 and operands[0][0] == "array" else None
        arguments = [self.closure(operand) for operand in operands]
        closure = call(left[1][0], arguments, position, self.operators, self.functions, items=items)
        if closure is None:
            raise _Reject  # functions that are not pure (or unknown names) run on the engine
        return ("", None, closure)


def parse_fast(text: str, operators: Jsonata, functions: Functions) -> FastParse | None:
    """The closure and analyses of *text* (the body between ``{%`` and ``%}``), or ``None`` when it is beyond the
    subset or not valid JSONata (the caller then parses it with jsonata-python)."""
    try:
        parser = _Parser(_tokens(text), operators, functions)
        operand = parser.expression(0)
        if not parser.at("(end)"):
            raise _Reject
        closure = parser.closure(operand)
    except (_Reject, IndexError, RecursionError):  # IndexError: the text ended inside a construct
        return None
    return FastParse(
        closure=closure,
        path=operand[1] if operand[0] == "path" else None,
        uses_context=parser.uses_context,
    )
