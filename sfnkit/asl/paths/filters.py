"""Jayway filter expressions (``[?(...)]``): parsed into tests ``(current, root) -> bool``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from sfnkit.asl.paths.evaluate import Missing, Spelling, chain
from sfnkit.asl.paths.tokens import Filter, Function, all_definite
from sfnkit.asl.scope import Json, is_number

if TYPE_CHECKING:
    from sfnkit.asl.paths.parser import Parser

_Operand = Callable[[Json, Json], tuple[bool, Json]]  # (current, root) -> (found, value)
_Test = Callable[[Json, Json], bool]


def _absent_or_null(found: tuple[bool, Json]) -> bool:
    return not found[0] or found[1] is None


def _literal_operand(value: Json) -> _Operand:
    def operand(_current: Json, _root: Json) -> tuple[bool, Json]:
        return True, value

    return operand


def _equal(left: Json, right: Json) -> bool:
    if is_number(left) and is_number(right):
        return bool(left == right)
    if type(left) is not type(right):
        return False
    return bool(left == right)


def _ordered(left: Json, right: Json) -> int | None:
    if is_number(left) and is_number(right):
        return int(left > right) - int(left < right)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    return None


def _compare(op: str, left: Json, right: Json) -> bool:
    match op:
        case "==":
            return _equal(left, right)
        case "!=":
            return not _equal(left, right)
        case "<" | "<=" | ">" | ">=":
            order = _ordered(left, right)
            if order is None:
                return False
            return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]
        case "in":
            return isinstance(right, list) and any(_equal(left, item) for item in right)
        case "nin":
            return isinstance(right, list) and not any(_equal(left, item) for item in right)
        case "subsetof":
            return (
                isinstance(left, list)
                and isinstance(right, list)
                and all(any(_equal(a, b) for b in right) for a in left)
            )
        case "anyof":
            return (
                isinstance(left, list)
                and isinstance(right, list)
                and any(any(_equal(a, b) for b in right) for a in left)
            )
        case "noneof":
            return (
                isinstance(left, list)
                and isinstance(right, list)
                and not any(any(_equal(a, b) for b in right) for a in left)
            )
        case "contains":
            if isinstance(left, str) and isinstance(right, str):
                return right in left
            return isinstance(left, list) and any(_equal(item, right) for item in left)
        case "size":
            return is_number(right) and isinstance(left, str | list | dict) and len(left) == right
        case "empty":
            is_empty = isinstance(left, str | list | dict) and len(left) == 0
            return is_empty if right is True else (isinstance(left, str | list | dict) and not is_empty)
        case _:
            raise AssertionError(op)


_WORD_OPERATORS: Final = ("subsetof", "contains", "noneof", "anyof", "empty", "size", "nin", "in")
_SYMBOL_OPERATORS: Final = ("==", "!=", "<=", ">=", "=~", "<", ">")


class FilterParser:
    """Jayway filter expressions: ``@.a > 1 && (@.b == 'x' || !@.c)``, ``@.d =~ /re/i``, ``@.e in [1, 2]``."""

    def __init__(self, parser: Parser):
        self.p = parser

    def expression(self) -> _Test:
        left = self.conjunction()
        self.p.skip_spaces()
        while self.p.text.startswith("||", self.p.pos):
            self.p.pos += 2
            right = self.conjunction()
            left = self._or(left, right)
            self.p.skip_spaces()
        return left

    @staticmethod
    def _or(left: _Test, right: _Test) -> _Test:
        return lambda current, root: left(current, root) or right(current, root)

    @staticmethod
    def _and(left: _Test, right: _Test) -> _Test:
        return lambda current, root: left(current, root) and right(current, root)

    def conjunction(self) -> _Test:
        left = self.unary()
        self.p.skip_spaces()
        while self.p.text.startswith("&&", self.p.pos):
            self.p.pos += 2
            right = self.unary()
            left = self._and(left, right)
            self.p.skip_spaces()
        return left

    def unary(self) -> _Test:
        self.p.skip_spaces()
        if self.p.peek() == "!" and self.p.peek(1) != "=":
            self.p.pos += 1
            self.p.skip_spaces()
            if self.p.peek() in ("@", "$"):
                start = self.p.pos
                operand = self.operand()
                self.p.skip_spaces()
                if self.operator() is None:
                    # Step Functions (Local 2.0, and so AWS's engine) treats an explicit null like a missing key
                    # in a negated existence test: [?(!@.key)] keeps {"key": null} (floci-io/floci#3480).
                    return lambda current, root: _absent_or_null(operand(current, root))
                self.p.pos = start
            inner = self.unary()
            return lambda current, root: not inner(current, root)
        if self.p.peek() == "(":
            self.p.pos += 1
            inner = self.expression()
            self.p.skip_spaces()
            if self.p.peek() != ")":
                raise self.p.fail("Expected ')' in the filter expression.")
            self.p.pos += 1
            return inner
        return self.relation()

    def relation(self) -> _Test:
        left = self.operand()
        self.p.skip_spaces()
        op = self.operator()
        if op is None:
            # A bare path tests existence: [?(@.isbn)].
            return lambda current, root: left(current, root)[0]
        self.p.skip_spaces()
        if op == "=~":
            pattern = self.regex()

            def matches(current: Json, root: Json) -> bool:
                found, value = left(current, root)
                return found and isinstance(value, str) and pattern.fullmatch(value) is not None

            return matches
        right = self.operand()

        def test(current: Json, root: Json) -> bool:
            found_left, left_value = left(current, root)
            found_right, right_value = right(current, root)
            if not (found_left and found_right):
                return False
            return _compare(op, left_value, right_value)

        return test

    def operator(self) -> str | None:
        text, pos = self.p.text, self.p.pos
        for symbol in _SYMBOL_OPERATORS:
            if text.startswith(symbol, pos):
                self.p.pos += len(symbol)
                return symbol
        for word in _WORD_OPERATORS:
            end = pos + len(word)
            if text.startswith(word, pos) and (end >= len(text) or not text[end].isalnum()):
                self.p.pos = end
                return word
        return None

    def regex(self) -> re.Pattern[str]:
        if self.p.peek() != "/":
            raise self.p.fail("=~ takes a regular expression written /pattern/flags.")
        start = self.p.pos
        end = self.p.pos + 1
        while end < len(self.p.text) and self.p.text[end] != "/":
            end += 2 if self.p.text[end] == "\\" else 1
        if end >= len(self.p.text):
            raise self.p.fail("Unclosed regular expression: add '/'.", start)
        body = self.p.text[start + 1 : end]
        self.p.pos = end + 1
        flags = 0
        while self.p.peek() in ("i", "m", "s", "x") and self.p.peek():
            flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}[self.p.peek()]
            self.p.pos += 1
        try:
            return re.compile(body, flags)
        except re.error as error:
            raise self.p.fail(f"Bad regular expression: {error}.", start) from None

    def operand(self) -> _Operand:
        p = self.p
        p.skip_spaces()
        char = p.peek()
        if char in ("@", "$"):
            relative = char == "@"
            p.pos += 1
            tokens = p.tokens(stop=" )=!<>&|,]")
            for token in tokens:
                if isinstance(token, Filter | Function):
                    raise p.fail("Nested filters and functions are not supported inside a filter.")
            steps = tuple(tokens)
            definite = all_definite(steps)
            select = chain(steps, Spelling.of(steps, "@" if relative else "$"))

            def path_operand(current: Json, root: Json) -> tuple[bool, Json]:
                out: list[Json] = []
                try:
                    select(current if relative else root, root, out)
                except Missing:
                    return False, None
                if definite:
                    return (True, out[0]) if out else (False, None)
                return True, out

            return path_operand
        if char in ("'", '"'):
            return _literal_operand(p.quoted())
        if char == "[":
            start = p.pos
            depth = 0
            end = start
            while end < len(p.text):
                if p.text[end] == "[":
                    depth += 1
                elif p.text[end] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                end += 1
            try:
                value = json.loads(p.text[start : end + 1].replace("'", '"'))
            except ValueError:
                raise p.fail("Bad array literal in the filter expression.", start) from None
            p.pos = end + 1
            return _literal_operand(value)
        match_ = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?|true\b|false\b|null\b").match(p.text, p.pos)
        if match_ is None:
            raise p.fail("Expected @.path, $.path, a number, a 'string', true, false or null in the filter.")
        p.pos = match_.end()
        return _literal_operand(json.loads(match_.group(0)))
