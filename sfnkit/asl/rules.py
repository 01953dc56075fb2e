"""JSONPath Choice rules: compile a rule once into a predicate over a Scope, with AWS's type rules.

A comparison whose value has the wrong type is false, never an error; a ``Variable`` that matches nothing fails
the execution (``States.Runtime``) unless the operator is ``IsPresent``. Timestamps are parsed as Java's
``ISO_OFFSET_DATE_TIME`` (what AWS names "ISO-8601 extended offset date-time") and compared as instants;
strings compare by UTF-16 code units, as Java's ``compareTo`` does; numbers compare as IEEE-754 doubles (those
comparisons, and StringMatches patterns, are in ``sfnkit.asl.compare``).

Spec: https://states-language.net/spec.html#choice-state ; AWS: "Choice workflow state" in the developer guide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import eq, ge, gt, le, lt
from typing import Final

from sfnkit.asl.compare import _COMPARE, _ORDER, Glob, _as_double, parse_timestamp, string_matches
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
