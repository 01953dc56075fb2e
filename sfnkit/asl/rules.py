"""JSONPath Choice rules: compile a rule once into a predicate over a Scope, with AWS's type rules.

A comparison whose value has the wrong type is false, never an error; a ``Variable`` that matches nothing fails
the execution (``States.Runtime``) unless the operator is ``IsPresent``. Timestamps are parsed as Java's
``ISO_OFFSET_DATE_TIME`` (what AWS names "ISO-8601 extended offset date-time") and compared as instants;
strings compare by UTF-16 code units, as Java's ``compareTo`` does; numbers compare as IEEE-754 doubles.

Spec: https://states-language.net/spec.html#choice-state ; AWS: "Choice workflow state" in the developer guide.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from operator import eq, ge, gt, le, lt
from typing import Final

import attrs

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.asl.paths import PathNotFound, compile_path, input_keys
from sfnkit.asl.scope import Json, Scope, is_number
from sfnkit.errors import AslError

__all__ = [
    "COMPARISON_OPERATORS",
    "TYPE_TESTS",
    "Glob",
    "compile_direct_rule",
    "compile_rule",
    "invalid_path_cause",
    "parse_timestamp",
    "string_matches",
]

Predicate = Callable[[Scope], bool]

_SUFFIXES: Final = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_FAMILIES: Final = ("String", "Numeric", "Timestamp")
COMPARISON_OPERATORS: Final = frozenset(
    [f"{family}{suffix}" for family in _FAMILIES for suffix in _SUFFIXES]
    + [f"{family}{suffix}Path" for family in _FAMILIES for suffix in _SUFFIXES]
    + ["BooleanEquals", "BooleanEqualsPath", "StringMatches"]
)
"""Every data-test operator that compares the Variable with a literal or (``...Path``) another path."""
TYPE_TESTS: Final = frozenset(["IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"])
"""The type-test operators (their value is ``true`` or ``false``)."""
_RULE_KEYS: Final = frozenset(["Variable", "And", "Or", "Not", "Comment"])


def invalid_path_cause(path: str) -> str:
    """AWS's cause when a Choice rule's path matches nothing.

    >>> invalid_path_cause("$.x")
    "Invalid path '$.x': The choice state's condition path references an invalid value."
    """
    return f"Invalid path '{path}': The choice state's condition path references an invalid value."


# --- timestamps ---------------------------------------------------------------------------------------------

# Java's DateTimeFormatter.ISO_OFFSET_DATE_TIME: parsed case-insensitively, seconds and fraction optional, offset
# 'Z' or +HH:MM[:SS]. AWS rejects "2016-12-05 21:29:29Z", "2016-12-05T21:29:29" and "2016-13-05T21:29:29Z".
_TIMESTAMP: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)",
    re.ASCII,
)
_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def parse_timestamp(text: Json) -> int | None:
    """Nanoseconds since the epoch of an ISO-8601 extended offset date-time, or None if *text* is not one.

    >>> parse_timestamp("1970-01-01T00:00:01.5+00:00")
    1500000000
    >>> parse_timestamp("2016-12-05T21:29:29") is None  # no offset
    True
    """
    if not isinstance(text, str):
        return None
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(match.group(n)) for n in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = match.group(7) or ""
    if not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= _DAYS_IN_MONTH[month - 1] + (month == 2 and leap):
        return None
    offset = 0
    if match.group(8) is None:
        off_hours, off_minutes, off_seconds = int(match.group(10)), int(match.group(11)), int(match.group(12) or 0)
        if off_minutes > 59 or off_seconds > 59 or off_hours * 3600 + off_minutes * 60 + off_seconds > 18 * 3600:
            return None
        offset = (off_hours * 3600 + off_minutes * 60 + off_seconds) * (1 if match.group(9) == "+" else -1)
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
    return seconds * 1_000_000_000 + int(fraction.ljust(9, "0") or 0)


# --- values -------------------------------------------------------------------------------------------------


def _as_double(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _java_order(left: str, right: str) -> int:
    """Java's ``String.compareTo`` sign: UTF-16 code units, which differs from code points above U+FFFF."""
    if not (left.isascii() and right.isascii()):
        left_units, right_units = left.encode("utf-16-be"), right.encode("utf-16-be")
        return (left_units > right_units) - (left_units < right_units)
    return (left > right) - (left < right)


_COMPARE: Final[dict[str, Callable[[int], bool]]] = {
    "Equals": lambda order: order == 0,
    "LessThan": lambda order: order < 0,
    "GreaterThan": lambda order: order > 0,
    "LessThanEquals": lambda order: order <= 0,
    "GreaterThanEquals": lambda order: order >= 0,
}


def _numeric_order(left: Json, right: Json) -> int | None:
    if not (is_number(left) and is_number(right)):
        return None
    a, b = _as_double(left), _as_double(right)
    return (a > b) - (a < b)


def _string_order(left: Json, right: Json) -> int | None:
    if not (isinstance(left, str) and isinstance(right, str)):
        return None
    return _java_order(left, right)


def _timestamp_order(left: Json, right: Json) -> int | None:
    a, b = parse_timestamp(left), parse_timestamp(right)
    if a is None or b is None:
        return None
    return (a > b) - (a < b)


_ORDER: Final[dict[str, Callable[[Json, Json], int | None]]] = {
    "Numeric": _numeric_order,
    "String": _string_order,
    "Timestamp": _timestamp_order,
}


@attrs.frozen
class Glob:
    """A compiled StringMatches pattern: literal pieces around ``*``; matching takes time linear in the text.

    A backtracking regex (``.*a.*a.*b``) takes exponential time on hostile text; with ``*`` the only wildcard,
    the leftmost occurrence of each middle piece is always a safe choice, so one left-to-right scan decides.
    """

    pieces: tuple[str, ...]  # the literal text between stars; one piece means no star at all

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of *text* matches the pattern."""
        if len(self.pieces) == 1:
            return text == self.pieces[0]
        first, *middle, last = self.pieces
        if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
            return False
        position, stop = len(first), len(text) - len(last)
        for piece in middle:
            found = text.find(piece, position, stop)
            if found < 0:
                return False
            position = found + len(piece)
        return True


def string_matches(pattern: str, *, location: str = "") -> Glob:
    """Compile a StringMatches pattern: ``*`` is any run of characters, ``\\*`` a star, ``\\\\`` a backslash.

    >>> string_matches("log-*.txt").fullmatch("log-2024.txt")
    True

    Raises:
        AslError: the pattern ends in a lone backslash.
    """
    pieces: list[str] = []
    piece: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                raise AslError(
                    "StringMatches: a backslash must escape '*' or '\\' (write \\\\ for a backslash).",
                    text=pattern,
                    position=i,
                    location=location,
                )
            piece.append(pattern[i + 1])
            i += 2
            continue
        if char == "*":
            pieces.append("".join(piece))
            piece = []
        else:
            piece.append(char)
        i += 1
    pieces.append("".join(piece))
    return Glob(tuple(pieces))


# --- compiling rules ----------------------------------------------------------------------------------------


def _reader(path_text: str, location: str) -> Callable[[Scope], Json]:
    """A Variable / ...Path operand: its value, or States.Runtime with AWS's cause when it matches nothing."""
    find = compile_path(path_text, location=location).find

    def read(scope: Scope) -> Json:
        try:
            return find(scope)
        except PathNotFound:
            raise StatesError(RUNTIME, invalid_path_cause(path_text)) from None

    return read


def _type_test(operator: str, expected: bool, variable: str, location: str) -> Predicate:
    if operator == "IsPresent":
        find = compile_path(variable, location=location).find

        def is_present(scope: Scope) -> bool:
            try:
                find(scope)
            except PathNotFound:
                return not expected
            return expected

        return is_present
    find = compile_path(variable, location=location).find
    cause = invalid_path_cause(variable)
    check: Callable[[Json], bool]
    match operator:
        case "IsNull":
            check = _is_null
        case "IsNumeric":
            check = is_number
        case "IsString":
            check = _is_string
        case "IsBoolean":
            check = _is_boolean
        case "IsTimestamp":
            check = _is_timestamp
        case _:
            raise AssertionError(operator)

    def type_test(scope: Scope) -> bool:
        try:
            value = find(scope)
        except PathNotFound:
            raise StatesError(RUNTIME, cause) from None
        return check(value) is expected

    return type_test


def _is_null(value: Json) -> bool:
    return value is None


def _is_string(value: Json) -> bool:
    return isinstance(value, str)


def _is_boolean(value: Json) -> bool:
    return isinstance(value, bool)


def _is_timestamp(value: Json) -> bool:
    return parse_timestamp(value) is not None


def _literal_check(operator: str, family: str, value: Json, location: str) -> None:
    """AWS rejects a literal of the wrong type when the state machine is created."""
    match family:
        case "Numeric":
            ok = is_number(value)
        case "String":
            ok = isinstance(value, str)
        case "Boolean":
            ok = isinstance(value, bool)
        case _:
            ok = parse_timestamp(value) is not None
    if not ok:
        wanted = {
            "Numeric": "a number",
            "String": "a string",
            "Boolean": "true or false",
            "Timestamp": 'a timestamp such as "2024-01-31T12:00:00Z"',
        }[family]
        raise AslError(f"{operator} needs {wanted}, not {value!r}.", location=f"{location}.{operator}")


_EXACT: Final = 2**53  # integers up to here convert to doubles exactly
_TEST: Final[dict[str, Callable[[float, float], bool]]] = {
    "Equals": eq,
    "LessThan": lt,
    "GreaterThan": gt,
    "LessThanEquals": le,
    "GreaterThanEquals": ge,
}


def _numeric_literal(variable: str, location: str, test: Callable[[float, float], bool], literal: float) -> Predicate:
    """The hot case, a number against a literal, with the path lookup inlined (no extra calls)."""
    find = compile_path(variable, location=location).find
    cause = invalid_path_cause(variable)

    def numeric(scope: Scope) -> bool:
        try:
            value = find(scope)
        except PathNotFound:
            raise StatesError(RUNTIME, cause) from None
        kind = type(value)
        if kind is float:
            return test(value, literal)
        if kind is int:
            # Python compares int with float exactly; AWS compares doubles, which differs past 2**53.
            return test(value if -_EXACT <= value <= _EXACT else _as_double(value), literal)
        return False  # bool is not a number in ASL, and type(True) is bool

    return numeric


def _comparison(operator: str, operand: Json, variable: str, location: str) -> Predicate:
    if operator.startswith("Numeric") and not operator.endswith("Path"):
        _literal_check(operator, "Numeric", operand, location)
        return _numeric_literal(variable, location, _TEST[operator[len("Numeric") :]], _as_double(operand))
    read = _reader(variable, location)
    by_path = operator.endswith("Path")
    base = operator[:-4] if by_path else operator
    if by_path:
        if not isinstance(operand, str):
            raise AslError(f"{operator} needs a path string, not {operand!r}.", location=f"{location}.{operator}")
        read_other = _reader(operand, f"{location}.{operator}")
    if base == "StringMatches":
        if not isinstance(operand, str):
            raise AslError(f"StringMatches needs a string pattern, not {operand!r}.", location=location)
        pattern = string_matches(operand, location=f"{location}.StringMatches").fullmatch

        def matches(scope: Scope) -> bool:
            value = read(scope)
            return isinstance(value, str) and pattern(value)

        return matches
    if base == "BooleanEquals":
        if by_path:

            def boolean_equals_path(scope: Scope) -> bool:
                value, other = read(scope), read_other(scope)
                return isinstance(value, bool) and isinstance(other, bool) and value is other

            return boolean_equals_path
        _literal_check(operator, "Boolean", operand, location)
        expected = bool(operand)

        def boolean_equals(scope: Scope) -> bool:
            value = read(scope)
            return isinstance(value, bool) and value is expected

        return boolean_equals
    family = next(f for f in _FAMILIES if base.startswith(f))
    accept = _COMPARE[base[len(family) :]]
    order = _ORDER[family]
    if by_path:

        def compare_path(scope: Scope) -> bool:
            found = order(read(scope), read_other(scope))
            return found is not None and accept(found)

        return compare_path
    _literal_check(operator, family, operand, location)
    if family == "String" and base == "StringEquals":
        find = compile_path(variable, location=location).find
        cause = invalid_path_cause(variable)

        def string_equals(scope: Scope) -> bool:
            try:
                value = find(scope)
            except PathNotFound:
                raise StatesError(RUNTIME, cause) from None
            return type(value) is str and value == operand

        return string_equals

    if family == "Timestamp":
        parsed = parse_timestamp(operand)
        assert parsed is not None  # _literal_check accepted it
        instant: int = parsed

        def timestamp(scope: Scope) -> bool:
            value = parse_timestamp(read(scope))
            return value is not None and accept((value > instant) - (value < instant))

        return timestamp

    def compare(scope: Scope) -> bool:
        found = order(read(scope), operand)
        return found is not None and accept(found)

    return compare


def compile_rule(rule: Mapping[str, Json], *, location: str = "") -> Callable[[Scope], bool]:
    """Compile one JSONPath Choice rule (without ``Next``/``Assign``) into a predicate.

    >>> from sfnkit.asl.scope import Scope
    >>> holds = compile_rule({"And": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.s",
    ...     "StringMatches": "a*"}}]})
    >>> holds(Scope({"n": 2, "s": "bcd"}))
    True

    The predicate raises ``StatesError("States.Runtime", ...)`` with AWS's cause when a path it needs matches
    nothing (``IsPresent`` excepted).

    Raises:
        AslError: the rule is malformed (no or several operators, a literal of the wrong type, a bad path).
    """
    if not isinstance(rule, Mapping):
        raise AslError(f"A Choice rule must be an object, not {rule!r}.", location=location)
    keys = [key for key in rule if key not in ("Next", "Assign", "Comment")]
    if "And" in rule or "Or" in rule:
        combinator = "And" if "And" in rule else "Or"
        extra = [key for key in keys if key != combinator]
        if extra:
            raise AslError(f"{combinator} cannot be combined with {', '.join(extra)} in one rule.", location=location)
        children = rule[combinator]
        if not isinstance(children, list) or not children:
            raise AslError(f"{combinator} needs a non-empty list of rules.", location=f"{location}.{combinator}")
        compiled = tuple(
            compile_rule(child, location=f"{location}.{combinator}[{n}]") for n, child in enumerate(children)
        )
        if combinator == "And":

            def all_of(scope: Scope) -> bool:
                return all(child(scope) for child in compiled)

            return all_of

        def any_of(scope: Scope) -> bool:
            return any(child(scope) for child in compiled)

        return any_of
    if "Not" in rule:
        extra = [key for key in keys if key != "Not"]
        if extra:
            raise AslError(f"Not cannot be combined with {', '.join(extra)} in one rule.", location=location)
        inner = compile_rule(rule["Not"], location=f"{location}.Not")

        def negation(scope: Scope) -> bool:
            return not inner(scope)

        return negation
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        raise AslError(
            'A Choice rule needs a Variable (a path such as "$.total") and one operator, or And/Or/Not.',
            location=location,
        )
    operators = [key for key in keys if key != "Variable"]
    if len(operators) != 1:
        found = ", ".join(operators) if operators else "none"
        raise AslError(f"A Choice rule needs exactly one comparison operator; found {found}.", location=location)
    (operator,) = operators
    operand = rule[operator]
    if operator in TYPE_TESTS:
        if not isinstance(operand, bool):
            raise AslError(f"{operator} takes true or false, not {operand!r}.", location=f"{location}.{operator}")
        return _type_test(operator, operand, variable, f"{location}.Variable" if location else "Variable")
    if operator in COMPARISON_OPERATORS:
        return _comparison(operator, operand, variable, location)
    raise AslError(
        f"Unknown Choice operator {operator!r}; use e.g. NumericEquals, StringMatches, IsPresent or And/Or/Not.",
        location=location,
    )


def compile_direct_rule(rule: Mapping[str, Json]) -> Callable[[Json], bool] | None:
    """The common rule, a number or string literal compared with a plain input path (``$.a.b``), as one function
    of the input (no Scope); None for any other rule.

    ``holds(data)`` answers as ``compile_rule(rule)(Scope(data))`` does whenever the path matches; when it does
    not it raises ``KeyError`` or ``TypeError`` and the caller runs the full rule, which raises AWS's error. Call
    it only for a rule the full compiler accepted.

    >>> compile_direct_rule({"Variable": "$.n", "NumericGreaterThan": 1})({"n": 2})
    True
    """
    operators = [key for key in rule if key not in ("Variable", "Next", "Assign", "Comment")]
    keys = input_keys(rule.get("Variable"))
    if keys is None or len(operators) != 1:
        return None
    (operator,) = operators
    operand = rule[operator]
    if len(keys) == 1:
        (key,) = keys

        def read(data: Json) -> Json:
            return data[key]

    else:

        def read(data: Json) -> Json:
            for name in keys:
                data = data[name]
            return data

    if operator.startswith("Numeric") and not operator.endswith("Path") and is_number(operand):
        test = _TEST[operator[len("Numeric") :]]
        literal = _as_double(operand)
        if len(keys) == 1:

            def numeric_key(data: Json) -> bool:
                value = data[key]
                kind = type(value)
                if kind is float:
                    return test(value, literal)
                if kind is int:
                    return test(value if -_EXACT <= value <= _EXACT else _as_double(value), literal)
                return False  # bool is not a number in ASL

            return numeric_key

        def numeric(data: Json) -> bool:
            value = read(data)
            kind = type(value)
            if kind is float:
                return test(value, literal)
            if kind is int:
                return test(value if -_EXACT <= value <= _EXACT else _as_double(value), literal)
            return False  # bool is not a number in ASL

        return numeric
    if operator == "StringEquals" and isinstance(operand, str):

        def string_equals(data: Json) -> bool:
            value = read(data)
            return type(value) is str and value == operand

        return string_equals
    return None
