"""Parse an intrinsic function call once (``compile_intrinsic``) into a function that evaluates it against a Scope.

Wrong syntax, an unknown function or a wrong number of arguments is an :class:`~sfnkit.errors.AslError` with a
caret at the fault; ``compile_direct_intrinsic`` gives the common counter ``States.MathAdd($.a, 1)`` without a
Scope.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Final

import attrs

from sfnkit.asl.intrinsics.functions import FUNCTIONS
from sfnkit.asl.intrinsics.text import _format, _split_template
from sfnkit.asl.intrinsics.values import render_format_value
from sfnkit.asl.paths import compile_path, input_keys
from sfnkit.asl.scope import Json, Scope
from sfnkit.errors import AslError

__all__ = ["MAX_NESTING", "compile_direct_intrinsic", "compile_intrinsic", "is_intrinsic"]


_Eval = Callable[[Scope], Json]
MAX_NESTING: Final = 10
"""AWS accepts at most this many nested intrinsic calls in one field."""
_NAME: Final = re.compile(r"[A-Za-z0-9_.]+")
_NUMBER: Final = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_KEYWORDS: Final = {"true": True, "false": False, "null": None}


def is_intrinsic(text: str) -> bool:
    """Whether *text* is spelled as an intrinsic function call (``States.Name(...)``), not a path or literal."""
    return isinstance(text, str) and text.startswith("States.") and "(" in text


@attrs.frozen
class _Literal:
    value: Json
    raw: str | None = None  # a string literal as written between its quotes (for States.Format's braces)


class _Parser:
    def __init__(self, text: str, location: str):
        self.text = text
        self.location = location
        self.pos = 0

    def fail(self, message: str, position: int | None = None) -> AslError:
        return AslError(
            message, text=self.text, position=self.pos if position is None else position, location=self.location
        )

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def spaces(self) -> None:
        while self.peek() and self.peek() in " \t\r\n":
            self.pos += 1

    def whole(self) -> _Eval:
        self.spaces()
        evaluate = self.call(depth=1)
        self.spaces()
        if self.pos != len(self.text):
            raise self.fail("Unexpected text after the intrinsic function call: remove it.")
        return evaluate

    def call(self, depth: int) -> _Eval:
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail("Expected an intrinsic function name such as States.Format.")
        name = match.group(0)
        self.pos = match.end()
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.fail(f"Unknown intrinsic function {name!r}; AWS offers {known}.", start)
        if depth > MAX_NESTING:
            raise self.fail(f"More than {MAX_NESTING} nested intrinsic functions in one field.", start)
        if self.peek() != "(":
            raise self.fail(f"Expected '(' after {name}.")
        self.pos += 1
        args: list[_Eval | _Literal] = []
        self.spaces()
        if self.peek() == ")":
            self.pos += 1
        else:
            while True:
                self.spaces()
                args.append(self.argument(depth))
                self.spaces()
                char = self.peek()
                if char == ",":
                    self.pos += 1
                    continue
                if char == ")":
                    self.pos += 1
                    break
                if not char:
                    raise self.fail(f"Unclosed call to {name}: add ')'.", start)
                raise self.fail(f"Expected ',' or ')' in the arguments of {name}, found {char!r}.")
        return _bind(name, args, self, start)

    def argument(self, depth: int) -> _Eval | _Literal:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if char == "-" or char.isdigit():
            match = _NUMBER.match(self.text, self.pos)
            if match is None:
                raise self.fail("Bad number.")
            self.pos = match.end()
            number = match.group(0)
            value: Json = float(number) if any(c in number for c in ".eE") else int(number)
            return _Literal(value)
        for word, value in _KEYWORDS.items():
            end = self.pos + len(word)
            if self.text.startswith(word, self.pos) and not (end < len(self.text) and self.text[end].isalnum()):
                self.pos = end
                return _Literal(value)
        if self.text.startswith("States.", self.pos):
            return self.call(depth + 1)
        if not char:
            raise self.fail("Expected an argument, but the text ended.")
        raise self.fail(
            f"Unexpected {char!r}: an argument is a 'string', a number, true, false, null, a path ($...) or "
            "another intrinsic function."
        )

    def string(self) -> _Literal:
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        raw_start = self.pos
        while True:
            char = self.peek()
            if not char:
                raise self.fail("Unclosed string: add a closing quote (write \\' for a quote inside it).", start)
            if char == "\\":
                escaped = self.text[self.pos + 1 : self.pos + 2]
                if not escaped:
                    raise self.fail("A backslash must escape a character (\\' \\{ \\} \\\\).")
                chars.append(escaped)
                self.pos += 2
                continue
            if char == "'":
                raw = self.text[raw_start : self.pos]
                self.pos += 1
                return _Literal("".join(chars), raw)
            chars.append(char)
            self.pos += 1

    def path(self) -> _Eval:
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == "\\":
                    self.pos += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        text = self.text[start : self.pos].rstrip()
        try:
            return compile_path(text, location=self.location).find
        except AslError as error:
            position = start + (error.position or 0)
            raise AslError(error.message, text=self.text, position=position, location=self.location) from None


def _constant(value: Json) -> _Eval:
    def constant(_scope: Scope) -> Json:
        return value

    return constant


def _bind(name: str, args: list[_Eval | _Literal], parser: _Parser, start: int) -> _Eval:
    function = FUNCTIONS[name]
    count = len(args)
    if count < function.min_args or (function.max_args is not None and count > function.max_args):
        if function.max_args is None:
            expected = f"at least {function.min_args}"
        elif function.min_args == function.max_args:
            expected = str(function.min_args)
        else:
            expected = f"{function.min_args} to {function.max_args}"
        plural = "" if expected.endswith(" 1") or expected == "1" else "s"
        raise parser.fail(f"{name} takes {expected} argument{plural}, but got {count}.", start)
    impl = function.impl
    first = args[0] if args else None
    if name == "States.Format" and isinstance(first, _Literal):
        if not isinstance(first.value, str):
            raise parser.fail("States.Format's first argument (the template) must be a string.", start)
        assert first.raw is not None
        # A literal template's escapes (\{ \}) are resolved here, once.
        template = _split_template(first.raw, escapes=True)
        values = [_constant(a.value) if isinstance(a, _Literal) else a for a in args[1:]]
        if template.holes != len(values):
            # Known now, but AWS reports it when the state runs: fail then, like any bad argument.
            def format_mismatch(scope: Scope) -> Json:
                return _format(name, ["", *[v(scope) for v in values]], scope, template)

            return format_mismatch
        head, tail = template.pieces[0], template.pieces[1:]
        pairs = list(zip(values, tail, strict=True))
        render = render_format_value

        def format_call(scope: Scope) -> Json:
            out = [head]
            for evaluate, piece in pairs:
                value = evaluate(scope)
                out.append(value if type(value) is str else render(value))
                out.append(piece)
            return "".join(out)

        return format_call
    if len(args) == 2 and not isinstance(args[0], _Literal) and isinstance(args[1], _Literal):
        # The common shape f($.x, literal), e.g. States.MathAdd($.i, 1): no call for the literal.
        dynamic, literal = args[0], args[1].value

        def call_path_literal(scope: Scope) -> Json:
            return impl(name, [dynamic(scope), literal], scope)

        return call_path_literal
    evaluators = [_constant(a.value) if isinstance(a, _Literal) else a for a in args]
    if len(evaluators) == 1:
        (only,) = evaluators

        def call_1(scope: Scope) -> Json:
            return impl(name, [only(scope)], scope)

        return call_1
    if len(evaluators) == 2:
        first_arg, second_arg = evaluators

        def call_2(scope: Scope) -> Json:
            return impl(name, [first_arg(scope), second_arg(scope)], scope)

        return call_2

    def call(scope: Scope) -> Json:
        return impl(name, [evaluate(scope) for evaluate in evaluators], scope)

    return call


def compile_intrinsic(text: str, *, location: str = "") -> Callable[[Scope], Json]:
    """Parse an intrinsic function call once; the result evaluates it against a :class:`Scope`.

    >>> from sfnkit.asl.scope import Scope
    >>> compile_intrinsic("States.Format('Hello, {}!', $.name)")(Scope({"name": "Ann"}))
    'Hello, Ann!'

    Raises:
        AslError: bad syntax, an unknown function, or a wrong number of arguments (caret at the fault).
    """
    if not isinstance(text, str):
        raise AslError(f"An intrinsic function call must be a string, not {text!r}.", location=location)
    try:
        return _compile_intrinsic(text)
    except AslError as error:
        raise error.at(location) from None


@functools.lru_cache(maxsize=4096)
def _compile_intrinsic(text: str) -> Callable[[Scope], Json]:
    """compile_intrinsic without a location: the evaluator is pure, so one text compiles once per process."""
    return _Parser(text, "").whole()


_MATH_ADD_PATH_INT: Final = re.compile(r"States\.MathAdd\(\s*(\$[^,()]*?)\s*,\s*(-?(?:0|[1-9][0-9]*))\s*\)")


def compile_direct_intrinsic(text: Json) -> Callable[[Json], Json] | None:
    """The common counter ``States.MathAdd($.a.b, <integer>)`` as one function of the input (no Scope); None for
    any other call.

    ``add(data)`` gives what ``compile_intrinsic(text)(Scope(data))`` gives when the path finds an integer; for
    anything else (a missing path, a float, a string) it raises ``KeyError`` or ``TypeError`` and the caller runs
    the full call, which rounds or raises AWS's error. Call it only for a text the full compiler accepted.

    >>> compile_direct_intrinsic("States.MathAdd($.i, 1)")({"i": 41})
    42
    """
    if not isinstance(text, str):
        return None
    match = _MATH_ADD_PATH_INT.fullmatch(text)
    keys = input_keys(match.group(1)) if match else None
    if match is None or keys is None or not keys:
        return None
    step = int(match.group(2))
    *outer, last = keys

    def add(data: Json) -> Json:
        for key in outer:
            data = data[key]
        value = data[last]
        if type(value) is not int:
            raise TypeError("not an integer: the full call decides")
        return value + step

    return add
