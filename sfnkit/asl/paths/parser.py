"""The path parser: a hand-written scanner from path text to tokens, with a caret under the bad character."""

from __future__ import annotations

from typing import Final

from sfnkit.asl.paths.filters import FilterParser
from sfnkit.asl.paths.tokens import (
    ROOT_CONTEXT,
    ROOT_INPUT,
    Filter,
    Function,
    Index,
    Name,
    Scan,
    Slice,
    Token,
    Wildcard,
)
from sfnkit.errors import AslError

_DOT_NAME_STOP: Final = frozenset(".[( ")


class Parser:
    """A hand-written scanner over one path text, raising AslError with a caret at the bad character."""

    def __init__(self, text: str, location: str, *, in_filter: bool = False):
        self.text = text
        self.location = location
        self.pos = 0
        self.in_filter = in_filter

    def fail(self, message: str, position: int | None = None) -> AslError:
        return AslError(
            message, text=self.text, position=self.pos if position is None else position, location=self.location
        )

    def peek(self, offset: int = 0) -> str:
        at = self.pos + offset
        return self.text[at] if at < len(self.text) else ""

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\t", "\n", "\r") and self.peek():
            self.pos += 1

    def root(self) -> tuple[str, str | None]:
        """Read ``$``, ``$$`` or ``$name``; return (kind, variable name)."""
        if self.peek() != "$":
            raise self.fail("A path must start with '$' (input), '$$' (context object) or '$name' (a variable).")
        self.pos += 1
        if self.peek() == "$":
            self.pos += 1
            return ROOT_CONTEXT, None
        start = self.pos
        while self.peek() and (self.peek().isalnum() or self.peek() == "_"):
            self.pos += 1
        if self.pos > start:
            name = self.text[start : self.pos]
            if not (name[0].isalpha() or name[0] == "_"):
                raise self.fail(
                    f"Variable name {name!r} must start with a letter or '_'; write '$.{name}' for a field.", start
                )
            return "variable", name
        return ROOT_INPUT, None

    def tokens(self, *, stop: str = "") -> list[Token]:
        """Read tokens until the end of the text (or a character of *stop*, for paths inside filters)."""
        out: list[Token] = []
        while self.pos < len(self.text) and self.peek() not in stop:
            char = self.peek()
            if char == ".":
                if self.peek(1) == ".":
                    self.pos += 2
                    out.append(Scan())
                    if self.peek() == "[":
                        out.append(self.bracket())
                    elif self.peek() == "*":
                        self.pos += 1
                        out.append(Wildcard())
                    else:
                        out.append(self.dot_name("Path must not end with '..': name what to look for, e.g. $..id."))
                    continue
                self.pos += 1
                if self.peek() == "*":
                    self.pos += 1
                    out.append(Wildcard())
                elif self.peek() == "[":
                    # Jayway accepts '.[' as a bracket, e.g. $.abc.['def ghi'] in the AWS guide.
                    out.append(self.bracket())
                else:
                    out.append(self.dot_name("Path must not end with '.': add a field name, e.g. $.name."))
            elif char == "[":
                out.append(self.bracket())
            else:
                raise self.fail(f"Unexpected {char!r} in path: use .name or ['name'] or [index] after a step.")
        return out

    def dot_name(self, empty_message: str) -> Token:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _DOT_NAME_STOP:
            if self.in_filter and self.text[self.pos] in ")=!<>&|, ]":
                break
            # The ASL spec's reference-path examples escape with a backslash ($.store\.book,
            # $.foo\@bar.baz\[\[.\?pretty): the escaped character does not end the name. As in quoted
            # names (AWS-observed), the backslash stays part of the name.
            self.pos += 2 if self.text[self.pos] == "\\" and self.pos + 1 < len(self.text) else 1
        name = self.text[start : self.pos]
        if not name:
            raise self.fail(empty_message, start - 1 if start >= len(self.text) else start)
        if self.peek() == "(":
            close = self.text.find(")", self.pos)
            if close < 0:
                raise self.fail(f"Function {name}( is not closed: add ')'.")
            self.pos = close + 1
            return Function(name)
        return Name((name,))

    def quoted(self) -> str:
        quote = self.peek()
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        while True:
            char = self.peek()
            if not char:
                raise self.fail(f"Unclosed quote: add {quote} to end the name.", start)
            self.pos += 1
            if char == "\\":
                escaped = self.peek()
                if not escaped:
                    raise self.fail("A backslash must escape a character.", self.pos - 1)
                self.pos += 1
                # AWS's Jayway keeps the backslash: $['Test\\"x'] names the key Test\\"x [AWS-observed].
                chars.append(char + escaped)
            elif char == quote:
                return "".join(chars)
            else:
                chars.append(char)

    def integer(self) -> int:
        start = self.pos
        if self.peek() == "-":
            self.pos += 1
        while self.peek().isdigit():
            self.pos += 1
        digits = self.text[start : self.pos]
        if digits in ("", "-"):
            raise self.fail("Expected an array index (an integer).", start)
        return int(digits)

    def bracket(self) -> Token:
        open_at = self.pos
        self.pos += 1
        self.skip_spaces()
        char = self.peek()
        token: Token
        if char == "*":
            self.pos += 1
            token = Wildcard()
        elif char in ("'", '"'):
            names = [self.quoted()]
            self.skip_spaces()
            while self.peek() == ",":
                self.pos += 1
                self.skip_spaces()
                if self.peek() not in ("'", '"'):
                    raise self.fail("Expected a quoted name after ',' in ['a', 'b'].")
                names.append(self.quoted())
                self.skip_spaces()
            token = Name(tuple(names))
        elif char == "?":
            token = self.filter()
        elif char == ":" or char == "-" or char.isdigit():
            token = self.index_or_slice()
        elif not char:
            raise self.fail("Unclosed '[': add ']'.", open_at)
        else:
            raise self.fail(f"Unexpected {char!r} in brackets: use ['name'], [index], [start:end], [*] or [?(...)].")
        self.skip_spaces()
        if self.peek() != "]":
            if not self.peek():
                raise self.fail("Unclosed '[': add ']'.", open_at)
            raise self.fail(f"Expected ']' but found {self.peek()!r}.")
        self.pos += 1
        return token

    def index_or_slice(self) -> Token:
        start = None if self.peek() == ":" else self.integer()
        self.skip_spaces()
        if self.peek() == ":":
            self.pos += 1
            self.skip_spaces()
            stop = None if self.peek() == "]" else self.integer()
            self.skip_spaces()
            if self.peek() == ":":
                raise self.fail("Slices take no step in AWS's JSONPath: write [start:end].")
            return Slice(start, stop)
        assert start is not None
        indexes = [start]
        while self.peek() == ",":
            self.pos += 1
            self.skip_spaces()
            indexes.append(self.integer())
            self.skip_spaces()
        return Index(tuple(indexes))

    def filter(self) -> Token:
        start = self.pos
        self.pos += 1
        if self.peek() != "(":
            raise self.fail("A filter is written [?(expression)], e.g. [?(@.price > 10)].")
        self.pos += 1
        outer, self.in_filter = self.in_filter, True
        test = FilterParser(self).expression()
        self.in_filter = outer
        self.skip_spaces()
        if self.peek() != ")":
            raise self.fail("Expected ')' to close the filter expression.")
        self.pos += 1
        return Filter(test, self.text[start : self.pos])
