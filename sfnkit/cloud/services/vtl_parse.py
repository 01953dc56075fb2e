"""The parser of API Gateway's mapping templates (see ``vtl``): template text -> a tree of tuples.

Each node is ``(kind, position, ...)``: ``("text", pos, text)``, ``("ref", pos, quiet, name, steps, source)`` with
steps ``("get", name)``, ``("call", name, args)``, ``("index", expr)``; ``("set", pos, target, expr)``,
``("if", pos, [(condition, body)...], else_body)``, ``("foreach", pos, variable, iterable, body)``,
``("break", pos)``; in expressions ``("value", pos, v)``, ``("template", pos, nodes)`` (a ``"..."`` string),
``("list", pos, items)``, ``("range", pos, low, high)``, ``("map", pos, pairs)``, ``("op", pos, op, left, right)``
and ``("not", pos, expr)``. A directive alone on its line takes the whole line with it (indentation and line end).
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = ["TemplateError", "error_at", "parse"]


class TemplateError(ValueError):
    """A mapping template that cannot be parsed or evaluated (names the template, line and column)."""


def parse(template: str, name: str) -> list[Any]:
    """The nodes of *template* (*name* is how errors call it)."""
    return _Parser(template, name).block()[0]


# --- the syntax tree: nodes are tuples (kind, position, ...) ----------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DIRECTIVE = re.compile(r"#\{?(set|if|elseif|else|end|foreach|break)\b\}?")
_WORDS: Final = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "and": "&&", "or": "||"}
_BINARY: Final = (("||",), ("&&",), ("==", "!="), ("<=", ">=", "<", ">"), ("+", "-"), ("*", "/", "%"))


_LINE_END = re.compile(r"[ \t]*(\r?\n|$)")
_REFERENCE = re.compile(r"\$!?\{?[A-Za-z_]")


def _strip_indent(nodes: list[Any]) -> None:
    """Drop the indentation before a directive alone on its line (the text node that ends the line's start)."""
    if nodes and nodes[-1][0] == "text":
        kind, pos, text = nodes[-1]
        nodes[-1] = (kind, pos, text.rstrip(" \t"))


class _Parser:
    """Template text -> a tree of tuples ``(kind, position, ...)``."""

    def __init__(self, text: str, name: str, offset: int = 0, source: str | None = None) -> None:
        self.text, self.name, self.pos = text, name, 0
        self.offset, self.source = offset, text if source is None else source  # a "..." string parses in place

    def fail(self, message: str, pos: int | None = None) -> TemplateError:
        return error_at(self.source, self.name, self.offset + (self.pos if pos is None else pos), message)

    # --- template text -----------------------------------------------------------------------------------------

    def block(self, stops: tuple[str, ...] = ()) -> tuple[list[Any], str, int]:
        """Nodes up to one of the *stops* directives: (nodes, the stop, where it starts); ("", -1) at the end."""
        nodes: list[Any] = []
        text: list[str] = []

        def flush() -> None:
            if text:
                nodes.append(("text", self.pos, "".join(text)))
                text.clear()

        while self.pos < len(self.text):
            char, rest = self.text[self.pos], self.text[self.pos : self.pos + 3]
            if char == "\\" and rest[1:2] in ("$", "#"):
                text.append(rest[1])
                self.pos += 2
            elif rest.startswith("##"):  # a comment runs to the end of its line, the line end included
                flush()
                line_start = self.text.rfind("\n", 0, self.pos) + 1
                if not self.text[line_start : self.pos].strip(" \t"):
                    _strip_indent(nodes)
                self.pos = len(self.text) if (end := self.text.find("\n", self.pos)) < 0 else end + 1
            elif rest.startswith(("#*", "#[[")):
                close = "*#" if rest.startswith("#*") else "]]#"
                end = self.text.find(close, self.pos + 2)
                if end < 0:
                    raise self.fail(f"`{rest[:2] if close == '*#' else rest}` is not closed with `{close}`")
                if close == "]]#":
                    text.append(self.text[self.pos + 3 : end])
                self.pos = end + len(close)
            elif char == "#" and (match := _DIRECTIVE.match(self.text, self.pos)):
                flush()
                word, start = match.group(1), self.pos
                self.pos = match.end()
                if word in stops:
                    return nodes, word, start
                if word in ("elseif", "else", "end"):
                    raise self.fail(f"#{word} without an #if or #foreach before it", start)
                nodes.append(self.directive(word, start, nodes))
            elif char == "$" and _REFERENCE.match(self.text, self.pos):
                flush()
                nodes.append(self.reference())
            else:
                text.append(char)
                self.pos += 1
        flush()
        if stops:
            raise self.fail("#end is missing: the template ends inside a directive")
        return nodes, "", -1

    def _alone(self, start: int, before: list[Any]) -> bool:
        """Is the directive from *start* to here alone on its line? Then the line goes: indentation and line end."""
        line_start = self.text.rfind("\n", 0, start) + 1
        match = _LINE_END.match(self.text, self.pos)
        if self.text[line_start:start].strip(" \t") or match is None:
            return False
        _strip_indent(before)
        self.pos = match.end()
        return True

    def directive(self, word: str, start: int, before: list[Any]) -> Any:
        if word == "break":
            self._alone(start, before)
            return ("break", start)
        self.expect("(")
        if word == "set":
            target = self.reference_in_expression()
            self.expect("=")
            value = self.expression()
            self.expect(")")
            self._alone(start, before)
            return ("set", start, target, value)
        if word == "foreach":
            variable = self.reference_in_expression()
            self.skip()
            if not re.compile(r"in\b").match(self.text, self.pos):
                raise self.fail("#foreach reads `#foreach($item in $list)`: `in` is missing")
            self.pos += 2
            iterable = self.expression()
            self.expect(")")
            self._alone(start, before)
            body, _, end = self.block(("end",))
            self._alone(end, body)
            return ("foreach", start, variable, iterable, body)
        condition = self.expression()
        self.expect(")")
        self._alone(start, before)
        branches: list[tuple[Any, list[Any]]] = []
        otherwise: list[Any] = []
        while True:
            body, stop, at = self.block(("elseif", "else", "end"))
            branches.append((condition, body))
            if stop == "elseif":
                self.expect("(")
                condition = self.expression()
                self.expect(")")
                self._alone(at, body)
                continue
            self._alone(at, body)
            if stop == "else":
                otherwise, _, end = self.block(("end",))
                self._alone(end, otherwise)
            return ("if", start, branches, otherwise)

    # --- references --------------------------------------------------------------------------------------------

    def reference(self) -> Any:
        start = self.pos
        self.pos += 1
        quiet = self.text.startswith("!", self.pos)
        self.pos += quiet
        braced = self.text.startswith("{", self.pos)
        self.pos += braced
        name = self.name_at()
        steps: list[Any] = []
        while True:
            if self.text.startswith(".", self.pos) and _NAME.match(self.text, self.pos + 1):
                self.pos += 1
                member = self.name_at()
                if self.text.startswith("(", self.pos):
                    self.pos += 1
                    steps.append(("call", member, self.arguments(")")))
                else:
                    steps.append(("get", member))
            elif self.text.startswith("[", self.pos):
                self.pos += 1
                steps.append(("index", self.expression()))
                self.expect("]")
            else:
                break
        if braced:
            self.expect("}")
        return ("ref", start, quiet, name, steps, self.text[start : self.pos])

    def reference_in_expression(self) -> Any:
        self.skip()
        if not _REFERENCE.match(self.text, self.pos):
            raise self.fail("expected a reference such as $name")
        return self.reference()

    def name_at(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.fail("expected a name")
        self.pos = match.end()
        return match.group(0)

    # --- expressions -------------------------------------------------------------------------------------------

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def expect(self, token: str) -> None:
        self.skip()
        if not self.text.startswith(token, self.pos):
            found = self.text[self.pos : self.pos + 12] or "the end of the template"
            raise self.fail(f"expected `{token}`, found `{found}`")
        self.pos += len(token)

    def arguments(self, close: str) -> list[Any]:
        items: list[Any] = []
        self.skip()
        while not self.text.startswith(close, self.pos):
            items.append(self.expression())
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                self.skip()
            elif not self.text.startswith(close, self.pos):
                found = self.text[self.pos : self.pos + 12] or "the end of the template"
                raise self.fail(f"expected `,` or `{close}`, found `{found}`")
        self.pos += len(close)
        return items

    def expression(self, level: int = 0) -> Any:
        if level == len(_BINARY):
            return self.unary()
        left = self.expression(level + 1)
        while True:
            self.skip()
            at = self.pos
            op = self._operator(_BINARY[level])
            if op is None:
                return left
            left = ("op", at, op, left, self.expression(level + 1))

    def _operator(self, ops: tuple[str, ...]) -> str | None:
        word = _NAME.match(self.text, self.pos)
        if word:
            if _WORDS.get(word.group(0)) in ops:
                self.pos = word.end()
                return _WORDS[word.group(0)]
            return None
        for op in sorted(ops, key=len, reverse=True):
            if self.text.startswith(op, self.pos) and not (len(op) == 1 and self.text.startswith("=", self.pos + 1)):
                self.pos += len(op)
                return op
        return None

    def unary(self) -> Any:
        self.skip()
        start = self.pos
        if re.compile(r"!(?!=)|not\b").match(self.text, start):
            self.pos += 1 if self.text[start] == "!" else 3
            return ("not", start, self.unary())
        return self.primary()

    def primary(self) -> Any:
        start, text = self.pos, self.text
        if text.startswith("(", start):
            self.pos += 1
            inner = self.expression()
            self.expect(")")
            return inner
        if text.startswith("$", start):
            return self.reference_in_expression()
        if text[start : start + 1] in ("'", '"'):
            quote = text[start]
            end = text.find(quote, start + 1)
            if end < 0:
                raise self.fail(f"a string is not closed with {quote}")
            self.pos = end + 1
            body = text[start + 1 : end]
            if quote == '"' and ("$" in body or "#" in body):  # a "..." string is a template of its own
                inner = _Parser(body, self.name, self.offset + start + 1, self.source)
                return ("template", start, inner.block()[0])
            return ("value", start, body)
        if text.startswith("[", start):
            self.pos += 1
            self.skip()
            if text.startswith("]", self.pos):
                self.pos += 1
                return ("list", start, [])
            first = self.expression()
            self.skip()
            if text.startswith("..", self.pos):
                self.pos += 2
                last = self.expression()
                self.expect("]")
                return ("range", start, first, last)
            if not text.startswith("]", self.pos):
                self.expect(",")
            return ("list", start, [first, *self.arguments("]")])
        if text.startswith("{", start):
            self.pos += 1
            pairs: list[tuple[Any, Any]] = []
            self.skip()
            while not text.startswith("}", self.pos):
                key = self.expression()
                self.expect(":")
                pairs.append((key, self.expression()))
                self.skip()
                if not text.startswith("}", self.pos):
                    self.expect(",")
                    self.skip()
            self.pos += 1
            return ("map", start, pairs)
        if number := _NUMBER.match(text, start):
            self.pos = number.end()
            return ("value", start, float(number.group(0)) if number.group(1) else int(number.group(0)))
        word = _NAME.match(text, start)
        if word and word.group(0) in ("true", "false", "null"):
            self.pos = word.end()
            return ("value", start, {"true": True, "false": False, "null": None}[word.group(0)])
        raise self.fail(f"expected a value, found `{text[start : start + 12] or 'the end of the template'}`")


def error_at(source: str, name: str, at: int, message: str) -> TemplateError:
    line = source.count("\n", 0, at) + 1
    column = at - (source.rfind("\n", 0, at) + 1) + 1
    return TemplateError(f"mapping template {name}, line {line} column {column}: {message}")
