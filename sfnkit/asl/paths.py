"""ASL paths (Jayway JsonPath as AWS reads it): parse once, then ``find`` values or ``insert`` a result.

Three roots: ``$`` is the state's input, ``$$`` the context object and ``$name`` a workflow variable. A
*definite* path (only names and single indexes) selects one value and fails with :class:`PathNotFound` when
there is none; an *indefinite* path (wildcard, slice, filter, deep scan, union) gathers every match into a
list, ``[]`` when nothing matches. The not-found reasons are Jayway's texts, which AWS quotes in its causes
(``Invalid path '$.x' : No results for path: $['x']``).

AWS behaviour pinned here, beyond Jayway's own rules:

- an indefinite path whose prefix is missing gives ``[]``, not an error (corpus: ``base/*json_path_array_*``);
- a backslash in a quoted name stays in the name: ``$['a\\"b']`` reads key ``a\\"b`` (corpus:
  ``scenarios/*escape_sequence_parsing*``);
- path functions (``.length()``, ``.sum()``) parse but find nothing (AWS re:Post, "sum() function returns
  error about not finding path");
- ``@`` in a filter matches objects, never scalars (developer guide, "Reference Paths"); a negated existence
  test ``[?(!@.k)]`` treats ``"k": null`` as missing (Step Functions Local 2.0, floci-io/floci#3480);
- a ResultPath that cannot be applied fails with ``States.ReferencePathConflict``, cause ``Unable to apply
  ReferencePath $.x to input "abc"`` (observed on AWS; qiita.com/tsubasaogawa/items/4fe341bdb6ae7d2fd8ee).

Spec: https://states-language.net/spec.html#path ; AWS: "Paths" and "Reference Paths" in the developer guide.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Final

import attrs

from sfnkit.asl.failures import StatesError
from sfnkit.asl.scope import Json, Scope, is_number
from sfnkit.errors import AslError

__all__ = [
    "REFERENCE_PATH_CONFLICT",
    "CompiledPath",
    "PathNotFound",
    "ReferencePath",
    "compile_path",
    "compile_reference_path",
    "input_keys",
    "is_path",
]

# AWS reports a ResultPath that cannot be applied to the input (e.g. the input is a string) as
# States.ReferencePathConflict, cause 'Unable to apply ReferencePath $.x to input "abc"' [AWS-observed].
REFERENCE_PATH_CONFLICT: Final = "States.ReferencePathConflict"


class PathNotFound(Exception):
    """A definite path matched nothing; ``reason`` is Jayway's explanation, as AWS quotes it."""

    def __init__(self, path: str, reason: str = ""):
        self.path = path
        self.reason = reason or f"No results for path: {path}"
        super().__init__(f"Invalid path '{path}' : {self.reason}")


def is_path(text: str) -> bool:
    """Whether *text* is spelled as an ASL path (starts with ``$``), rather than an intrinsic or a literal."""
    return text.startswith("$")


# --- tokens -------------------------------------------------------------------------------------------------


@attrs.frozen
class _Name:
    """``.a`` / ``['a']`` (one name) or ``['a','b']`` (several: merged into one object when last)."""

    names: tuple[str, ...]

    def fragment(self) -> str:
        return "[" + ", ".join(f"'{n}'" for n in self.names) + "]"


@attrs.frozen
class _Index:
    """``[0]``, ``[-1]`` or the union ``[0,2]``."""

    indexes: tuple[int, ...]

    def fragment(self) -> str:
        return "[" + ",".join(str(i) for i in self.indexes) + "]"


@attrs.frozen
class _Slice:
    """``[start:stop]`` (Jayway has no step)."""

    start: int | None
    stop: int | None

    def fragment(self) -> str:
        start = "" if self.start is None else str(self.start)
        stop = "" if self.stop is None else str(self.stop)
        return f"[{start}:{stop}]"


@attrs.frozen
class _Wildcard:
    """``.*`` / ``[*]``: every member of an object or element of an array."""

    def fragment(self) -> str:
        return "[*]"


@attrs.frozen
class _Scan:
    """``..``: the next token applied at every depth."""

    def fragment(self) -> str:
        return ".."


@attrs.frozen
class _Filter:
    """``[?(expr)]``: the objects for which *expr* holds."""

    test: Callable[[Json, Json], bool] = attrs.field(eq=False)
    text: str

    def fragment(self) -> str:
        return "[?]"


@attrs.frozen
class _Function:
    """``.length()`` and friends: Jayway parses them, AWS finds nothing [AWS-observed: '$.Jobs.sum()']."""

    name: str

    def fragment(self) -> str:
        return f".{self.name}()"


_Token = _Name | _Index | _Slice | _Wildcard | _Scan | _Filter | _Function


def _all_definite(steps: tuple[_Token, ...]) -> bool:
    """Jayway's ``isDefinite``: no step can select several values (a multi-name step merges when last)."""
    return all(_definite(token, last=n + 1 == len(steps)) for n, token in enumerate(steps))


def _definite(token: _Token, *, last: bool) -> bool:
    match token:
        case _Name(names):
            return len(names) == 1 or last
        case _Index(indexes):
            return len(indexes) == 1
        case _Slice() | _Wildcard() | _Scan() | _Filter():
            return False
        case _Function():
            return True


# --- the parser ---------------------------------------------------------------------------------------------

_ROOT_INPUT: Final = "$"
_ROOT_CONTEXT: Final = "$$"
_DOT_NAME_STOP: Final = frozenset(".[( ")


class _Parser:
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
            return _ROOT_CONTEXT, None
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
        return _ROOT_INPUT, None

    def tokens(self, *, stop: str = "") -> list[_Token]:
        """Read tokens until the end of the text (or a character of *stop*, for paths inside filters)."""
        out: list[_Token] = []
        while self.pos < len(self.text) and self.peek() not in stop:
            char = self.peek()
            if char == ".":
                if self.peek(1) == ".":
                    self.pos += 2
                    out.append(_Scan())
                    if self.peek() == "[":
                        out.append(self.bracket())
                    elif self.peek() == "*":
                        self.pos += 1
                        out.append(_Wildcard())
                    else:
                        out.append(self.dot_name("Path must not end with '..': name what to look for, e.g. $..id."))
                    continue
                self.pos += 1
                if self.peek() == "*":
                    self.pos += 1
                    out.append(_Wildcard())
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

    def dot_name(self, empty_message: str) -> _Token:
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
            return _Function(name)
        return _Name((name,))

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

    def bracket(self) -> _Token:
        open_at = self.pos
        self.pos += 1
        self.skip_spaces()
        char = self.peek()
        token: _Token
        if char == "*":
            self.pos += 1
            token = _Wildcard()
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
            token = _Name(tuple(names))
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

    def index_or_slice(self) -> _Token:
        start = None if self.peek() == ":" else self.integer()
        self.skip_spaces()
        if self.peek() == ":":
            self.pos += 1
            self.skip_spaces()
            stop = None if self.peek() == "]" else self.integer()
            self.skip_spaces()
            if self.peek() == ":":
                raise self.fail("Slices take no step in AWS's JSONPath: write [start:end].")
            return _Slice(start, stop)
        assert start is not None
        indexes = [start]
        while self.peek() == ",":
            self.pos += 1
            self.skip_spaces()
            indexes.append(self.integer())
            self.skip_spaces()
        return _Index(tuple(indexes))

    def filter(self) -> _Token:
        start = self.pos
        self.pos += 1
        if self.peek() != "(":
            raise self.fail("A filter is written [?(expression)], e.g. [?(@.price > 10)].")
        self.pos += 1
        outer, self.in_filter = self.in_filter, True
        test = _FilterParser(self).expression()
        self.in_filter = outer
        self.skip_spaces()
        if self.peek() != ")":
            raise self.fail("Expected ')' to close the filter expression.")
        self.pos += 1
        return _Filter(test, self.text[start : self.pos])


# --- filter expressions -------------------------------------------------------------------------------------

_Operand = Callable[[Json, Json], tuple[bool, Json]]  # (current, root) -> (found, value)
_Test = Callable[[Json, Json], bool]
_MISSING: Final = object()


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


class _FilterParser:
    """Jayway filter expressions: ``@.a > 1 && (@.b == 'x' || !@.c)``, ``@.d =~ /re/i``, ``@.e in [1, 2]``."""

    def __init__(self, parser: _Parser):
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
                if isinstance(token, _Filter | _Function):
                    raise p.fail("Nested filters and functions are not supported inside a filter.")
            steps = tuple(tokens)
            definite = _all_definite(steps)
            select = _chain(steps, _Spelling.of(steps, "@" if relative else "$"))

            def path_operand(current: Json, root: Json) -> tuple[bool, Json]:
                out: list[Json] = []
                try:
                    select(current if relative else root, root, out)
                except _Missing:
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


# --- evaluation (Jayway's rules) ----------------------------------------------------------------------------


@attrs.frozen
class _Spelling:
    """Jayway's normalised spelling around each step, for its error messages.

    ``before[i]`` is the path up to step *i* (``$['a']``), ``after[i]`` the steps from *i* on (``[0]['b']``).
    """

    before: tuple[str, ...]
    after: tuple[str, ...]

    @classmethod
    def of(cls, steps: tuple[_Token, ...], root_name: str) -> _Spelling:
        fragments = [token.fragment() for token in steps]
        before = [root_name]
        for fragment in fragments:
            before.append(before[-1] + fragment)
        after = ["".join(fragments[i:]) for i in range(len(fragments) + 1)]
        return cls(tuple(before), tuple(after))


_Step = Callable[[Json, Json, list[Json]], None]
"""One compiled path step: ``step(node, root, out)`` appends what the rest of the path selects from *node*."""


def _emit(node: Json, _root: Json, out: list[Json]) -> None:
    out.append(node)


def _chain(steps: tuple[_Token, ...], spelling: _Spelling) -> _Step:
    """Compile *steps* into nested closures, each knowing its successor and (statically) its strictness.

    A step is *strict* when every step before it is definite (Jayway's ``isUpstreamDefinite``): then a missing
    property on the way or a value of the wrong kind raises, with Jayway's text, instead of being skipped.
    """
    step: _Step = _emit
    for i in reversed(range(len(steps))):
        strict = all(_definite(token, last=False) for token in steps[:i])
        step = _compile_step(steps, i, step, spelling, strict)
    return step


def _compile_step(steps: tuple[_Token, ...], i: int, then: _Step, spelling: _Spelling, strict: bool) -> _Step:
    token = steps[i]
    last = i + 1 == len(steps)
    match token:
        case _Name(names) if len(names) == 1:
            (name,) = names
            missing_reason = f"Missing property in path {spelling.before[i + 1]}" if strict and not last else None

            def name_step(node: Json, root: Json, out: list[Json]) -> None:
                if type(node) is not dict and not isinstance(node, dict):
                    if strict:
                        raise _not_an_object(token, spelling.before[i], node)
                    return
                value = node.get(name, _MISSING)
                if value is _MISSING:
                    if missing_reason is not None:
                        raise _Missing(missing_reason)
                    return
                then(value, root, out)

            return name_step
        case _Name(names):
            if not last:
                reason = f"Multi properties can only be used as path leafs: {spelling.before[i + 1]}"

                def multi_name_not_last(node: Json, root: Json, out: list[Json]) -> None:
                    raise _Missing(reason, invalid=True)

                return multi_name_not_last

            def merge_names(node: Json, root: Json, out: list[Json]) -> None:
                if not isinstance(node, dict):
                    if strict:
                        raise _not_an_object(token, spelling.before[i], node)
                    return
                out.append({name: node[name] for name in names if name in node})

            return merge_names
        case _Index(indexes):

            def index_step(node: Json, root: Json, out: list[Json]) -> None:
                if not isinstance(node, list):
                    if strict:
                        raise _not_an_array(spelling, i, node)
                    return
                size = len(node)
                for index in indexes:
                    at = index + size if index < 0 else index
                    if 0 <= at < size:
                        then(node[at], root, out)

            return index_step
        case _Slice(start, stop):
            window = slice(start, stop)

            def slice_step(node: Json, root: Json, out: list[Json]) -> None:
                if not isinstance(node, list):
                    if strict:
                        raise _not_an_array(spelling, i, node)
                    return
                for item in node[window]:
                    then(item, root, out)

            return slice_step
        case _Wildcard():

            def wildcard_step(node: Json, root: Json, out: list[Json]) -> None:
                if isinstance(node, dict):
                    for child in list(node.values()):
                        then(child, root, out)
                elif isinstance(node, list):
                    for child in list(node):
                        then(child, root, out)

            return wildcard_step
        case _Scan():
            return _scan_step(steps[i + 1], then)
        case _Filter(test):

            def filter_step(node: Json, root: Json, out: list[Json]) -> None:
                # AWS: '@' matches objects only, never scalars (developer guide, Reference Paths).
                if isinstance(node, list):
                    for item in node:
                        if isinstance(item, dict) and test(item, root):
                            then(item, root, out)
                elif isinstance(node, dict):
                    if test(node, root):
                        then(node, root, out)
                elif strict:
                    raise _Missing(
                        f"Filter: {spelling.after[i]} can not be applied to primitives. "
                        f"Current context is: {_java_string(node)}",
                        invalid=True,
                    )

            return filter_step
        case _Function():

            def function_step(node: Json, root: Json, out: list[Json]) -> None:
                return  # AWS evaluates no path functions: nothing is found

            return function_step
        case _:
            raise AssertionError(token)


def _scan_step(first: _Token, then_scan: _Step) -> _Step:
    """``..``: apply the following steps (*then_scan*, starting with *first*) at a node and every node below."""
    if isinstance(first, _Name):
        wanted = first.names

        def applies(node: Json) -> bool:
            return isinstance(node, dict) and any(name in node for name in wanted)

    elif isinstance(first, _Index | _Slice):

        def applies(node: Json) -> bool:
            return isinstance(node, list)

    else:

        def applies(node: Json) -> bool:
            return True

    def scan(node: Json, root: Json, out: list[Json]) -> None:
        if not isinstance(node, dict | list):
            return
        if applies(node):
            then_scan(node, root, out)
        for child in list(node.values() if isinstance(node, dict) else node):
            scan(child, root, out)

    return scan


class _Missing(Exception):
    """Internal: a step failed; carries Jayway's reason.

    ``invalid`` marks Jayway's InvalidPathException, which AWS reports even for an indefinite path; its
    PathNotFoundException only fails a definite path (an indefinite one then yields ``[]``) [AWS-observed].
    """

    def __init__(self, reason: str, *, invalid: bool = False):
        self.reason = reason
        self.invalid = invalid
        super().__init__(reason)


_JAVA_TYPE: Final = {
    bool: "java.lang.Boolean",
    int: "java.lang.Integer",
    float: "java.lang.Double",
    str: "java.lang.String",
    list: "net.minidev.json.JSONArray",
}


def _not_an_object(token: _Name, prefix: str, node: Json) -> _Missing:
    found = "null" if node is None else _JAVA_TYPE.get(type(node), type(node).__name__)
    return _Missing(
        f"Expected to find an object with property {token.fragment()} in path {prefix} but found '{found}'. "
        "This is not a json object according to the JsonProvider: "
        "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'."
    )


def _not_an_array(spelling: _Spelling, i: int, node: Json) -> _Missing:
    if node is None:
        return _Missing(f"The path {spelling.before[i]} is null")
    return _Missing(
        f"Filter: {spelling.after[i]} can only be applied to arrays. Current context is: {_java_string(node)}"
    )


def _java_string(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _arity(token: _Token) -> tuple[object, ...]:
    match token:
        case _Name(names):
            return names
        case _Index(indexes):
            return indexes
        case _:
            return ()


# --- compiled paths ----------------------------------------------------------------------------------------


def _root_reader(kind: str, variable: str | None, text: str) -> Callable[[Scope], Json]:
    if kind == _ROOT_INPUT:
        return _read_input
    if kind == _ROOT_CONTEXT:
        return _read_context
    assert variable is not None
    name = variable

    def read_variable(scope: Scope) -> Json:
        try:
            return scope.variables[name]
        except KeyError:
            raise PathNotFound(text, f"The variable '{name}' is not defined") from None

    return read_variable


def _read_input(scope: Scope) -> Json:
    return scope.input


def _read_context(scope: Scope) -> Json:
    return scope.context


@attrs.frozen(eq=False)
class CompiledPath:
    """A parsed path; ``find(scope)`` selects from the input, the context object or a variable.

    Attributes:
        text: The path as written.
        is_definite: No wildcard, slice, filter, deep scan or union: the path names at most one value.
        is_reference: A reference path in ASL's sense: definite, names and indexes only (no function).
        root: ``"$"``, ``"$$"`` or ``"variable"``.
        variable: The variable's name when ``root == "variable"``.
        normalized: Jayway's normalised spelling (``$['a'][0]``), as AWS quotes it in causes.
    """

    text: str
    is_definite: bool
    is_reference: bool
    root: str
    variable: str | None
    normalized: str
    find: Callable[[Scope], Json] = attrs.field(repr=False)
    steps: tuple[_Token, ...] = attrs.field(repr=False)


def compile_path(text: str, *, location: str = "") -> CompiledPath:
    """Parse an ASL path once into a fast accessor.

    >>> from sfnkit.asl.scope import Scope
    >>> compile_path("$.order['items'][-1]").find(Scope({"order": {"items": [1, 2, 3]}}))
    3

    Raises:
        AslError: the text is not a path AWS accepts; the message draws a caret under the bad character.
    """
    if not isinstance(text, str):
        raise AslError(f"A path must be a string starting with '$', not {text!r}.", location=location)
    try:
        return _compile_path(text)
    except AslError as error:
        raise error.at(location) from None


def input_keys(text: Json) -> tuple[str, ...] | None:
    """The names of a path that only walks the input by plain names (``$``, ``$.a``, ``$['a'].b``), else None.

    Such a path finds ``data[k1][k2]...`` whenever every step meets an object holding the name; a subscript that
    raises (``KeyError``, ``TypeError``) means Jayway's rules apply, so callers then use ``compile_path``.

    >>> input_keys("$.order['id']"), input_keys("$.items[0]"), input_keys("$$.State.Name")
    (('order', 'id'), None, None)
    """
    if not isinstance(text, str) or not text.startswith("$"):
        return None
    try:
        path = _compile_path(text)
    except AslError:
        return None
    if path.root != _ROOT_INPUT:
        return None
    keys: list[str] = []
    for token in path.steps:
        match token:
            case _Name(names) if len(names) == 1:
                keys.append(names[0])
            case _:
                return None
    return tuple(keys)


@functools.lru_cache(maxsize=8192)
def _compile_path(text: str) -> CompiledPath:
    """compile_path without a location; compiled paths are immutable, so one text compiles once per process."""
    parser = _Parser(text, "")
    kind, variable = parser.root()
    steps = tuple(parser.tokens())
    definite = _all_definite(steps)
    reference = definite and all(isinstance(t, _Name | _Index) and len(_arity(t)) == 1 for t in steps)
    root_name = {"$": "$", "$$": "$", "variable": f"${variable}"}[kind]
    spelling = _Spelling.of(steps, root_name)
    find = _build_find(text, kind, variable, steps, definite, spelling)
    return CompiledPath(
        text=text,
        is_definite=definite,
        is_reference=reference,
        root=kind,
        variable=variable,
        normalized=spelling.before[-1],
        find=find,
        steps=steps,
    )


def _build_find(
    text: str, kind: str, variable: str | None, steps: tuple[_Token, ...], definite: bool, spelling: _Spelling
) -> Callable[[Scope], Json]:
    read_root = _root_reader(kind, variable, text)
    if not steps:
        return read_root

    select = _chain(steps, spelling)

    def slow(scope: Scope) -> Json:
        """Jayway's evaluation, with its error texts; the fast paths below fall back to it."""
        out: list[Json] = []
        root = read_root(scope)
        try:
            select(root, root, out)
        except _Missing as missing:
            if not (definite or missing.invalid):
                return []
            raise PathNotFound(text, missing.reason) from None
        if not definite:
            return out
        if not out:
            raise PathNotFound(text, f"No results for path: {spelling.before[-1]}")
        return out[0]

    keys: list[str | int] = []
    for token in steps:
        match token:
            case _Name(names) if len(names) == 1:
                keys.append(names[0])
            case _Index(indexes) if len(indexes) == 1:
                keys.append(indexes[0])
            case _:
                return slow
    return _fast_find(kind, read_root, tuple(keys), slow)


def _fast_find(
    kind: str, read_root: Callable[[Scope], Json], keys: tuple[str | int, ...], slow: Callable[[Scope], Json]
) -> Callable[[Scope], Json]:
    """A reference path as plain subscripts; any miss falls back to *slow* for Jayway's exact error."""
    if all(isinstance(key, str) for key in keys):
        # node[key] on a str, list, number or None raises TypeError, never a wrong value.
        if kind == _ROOT_INPUT and len(keys) == 1:
            (k0,) = keys

            def input_1(scope: Scope) -> Json:
                try:
                    return scope.input[k0]
                except (KeyError, TypeError):
                    return slow(scope)

            return input_1
        if kind == _ROOT_INPUT and len(keys) == 2:
            k0, k1 = keys

            def input_2(scope: Scope) -> Json:
                try:
                    return scope.input[k0][k1]
                except (KeyError, TypeError):
                    return slow(scope)

            return input_2
        if kind == _ROOT_INPUT and len(keys) == 3:
            k0, k1, k2 = keys

            def input_3(scope: Scope) -> Json:
                try:
                    return scope.input[k0][k1][k2]
                except (KeyError, TypeError):
                    return slow(scope)

            return input_3
        if kind == _ROOT_CONTEXT and len(keys) == 2:
            k0, k1 = keys

            def context_2(scope: Scope) -> Json:
                try:
                    return scope.context[k0][k1]
                except (KeyError, TypeError):
                    return slow(scope)

            return context_2
        if kind == _ROOT_CONTEXT and len(keys) == 3:
            k0, k1, k2 = keys

            def context_3(scope: Scope) -> Json:
                try:
                    return scope.context[k0][k1][k2]
                except (KeyError, TypeError):
                    return slow(scope)

            return context_3

        def names_n(scope: Scope) -> Json:
            try:
                node = read_root(scope)
                for key in keys:
                    node = node[key]
                return node
            except (KeyError, TypeError, PathNotFound):
                return slow(scope)

        return names_n

    def mixed_n(scope: Scope) -> Json:
        try:
            node = read_root(scope)
            for key in keys:
                # An index must meet a list: "abc"[0] would wrongly succeed on a string.
                if type(key) is int and type(node) is not list:
                    return slow(scope)
                node = node[key]
            return node
        except (KeyError, IndexError, TypeError, PathNotFound):
            return slow(scope)

    return mixed_n


# --- reference paths and ResultPath ------------------------------------------------------------------------


@attrs.frozen(eq=False)
class ReferencePath:
    """A ResultPath: where a state's result goes in its raw input (``$`` replaces the input).

    ``insert(data, value)`` returns *data* with *value* placed at the path, copying only the containers along
    the path (the rest is shared). Missing objects on the way are created and an existing value is replaced;
    a step that meets a value of the wrong kind (a field of a string, an index of an object or past the end)
    raises ``StatesError("States.ReferencePathConflict", "Unable to apply ReferencePath $.x to input ...")``.
    """

    text: str
    steps: tuple[str | int, ...]
    insert: Callable[[Json, Json], Json] = attrs.field(repr=False)


def _inserter(text: str, steps: tuple[str | int, ...]) -> Callable[[Json, Json], Json]:
    def conflict(whole: Json) -> StatesError:
        shown = json.dumps(whole, separators=(",", ":"), ensure_ascii=False)
        return StatesError(REFERENCE_PATH_CONFLICT, f"Unable to apply ReferencePath {text} to input {shown}")

    def put(node: Json, i: int, value: Json, whole: Json) -> Json:
        step = steps[i]
        last = i + 1 == len(steps)
        if type(step) is str:
            if node is _MISSING:
                node = {}
            if not isinstance(node, dict):
                raise conflict(whole)
            copy = node.copy()
            copy[step] = value if last else put(node.get(step, _MISSING), i + 1, value, whole)
            return copy
        assert isinstance(step, int)
        if not isinstance(node, list):
            raise conflict(whole)
        at = step + len(node) if step < 0 else step
        if not 0 <= at < len(node):
            raise conflict(whole)
        items = node.copy()
        items[at] = value if last else put(node[at], i + 1, value, whole)
        return items

    if not steps:

        def replace(data: Json, value: Json) -> Json:
            return value

        return replace
    if len(steps) == 1 and type(steps[0]) is str:
        key = steps[0]

        # The common ResultPath "$.result": one shallow copy of the input.
        def insert_one(data: Json, value: Json) -> Json:
            if type(data) is not dict:
                return put(data, 0, value, data)
            copy = data.copy()
            copy[key] = value
            return copy

        return insert_one

    def insert(data: Json, value: Json) -> Json:
        return put(data, 0, value, data)

    return insert


def compile_reference_path(text: str, *, location: str = "") -> ReferencePath:
    """Parse a ResultPath: a reference path on ``$`` (no context object, no variables).

    >>> compile_reference_path("$.result.total").insert({"a": 1}, 5)
    {'a': 1, 'result': {'total': 5}}

    Raises:
        AslError: bad syntax, or not a reference path (a wildcard, filter, slice, ``$$`` or a variable).
    """
    if not isinstance(text, str):
        compile_path(text, location=location)  # raises its AslError
    try:
        return _compile_reference_path(text)
    except AslError as error:
        raise error.at(location) from None


@functools.lru_cache(maxsize=8192)
def _compile_reference_path(text: str) -> ReferencePath:
    """compile_reference_path without a location: a ReferencePath is immutable, so one text compiles once (10,000
    states writing "$.result" share one, which keeps big machines small in memory)."""
    location = ""
    path = compile_path(text, location=location)
    if path.root != _ROOT_INPUT:
        raise AslError(
            "ResultPath must be a reference path on the state input ('$...'); the context object and variables "
            "cannot be written to.",
            text=text,
            position=0,
            location=location,
        )
    steps: list[str | int] = []
    for token in path.steps:
        match token:
            case _Name(names) if len(names) == 1:
                steps.append(names[0])
            case _Index(indexes) if len(indexes) == 1:
                steps.append(indexes[0])
            case _:
                raise AslError(
                    "ResultPath must be a reference path: only .name, ['name'] and [index] steps, which name a "
                    "single place.",
                    text=text,
                    position=_position_of(text, token),
                    location=location,
                )
    return ReferencePath(text, tuple(steps), _inserter(text, tuple(steps)))


def _position_of(text: str, token: _Token) -> int:
    marks = {"_Wildcard": "*", "_Scan": "..", "_Filter": "?", "_Slice": ":", "_Function": "("}
    mark = marks.get(type(token).__name__, ",")
    at = text.find(mark)
    return max(at, 0)
