"""Choice rules: every operator, AWS's type rules, timestamps, StringMatches, And/Or/Not and the errors."""

from __future__ import annotations

import pytest

from sfnkit.asl.failures import StatesError
from sfnkit.asl.rules import (
    COMPARISON_OPERATORS,
    TYPE_TESTS,
    compile_direct_rule,
    compile_rule,
    parse_timestamp,
    string_matches,
)
from sfnkit.asl.scope import Json, Scope
from sfnkit.errors import AslError


def holds(rule: dict[str, Json], value: Json, other: Json = None) -> bool:
    return compile_rule(rule)(Scope({"v": value, "o": other}, {"Map": {"Item": {"Index": 1}}}, {"limit": 3}))


@pytest.mark.parametrize(
    ("operator", "operand", "value", "expected"),
    [
        ("NumericEquals", 0, 0.0, True),
        ("NumericEquals", 1, True, False),
        ("NumericEquals", 1, "1", False),
        ("NumericEquals", 2.22, 2.22, True),
        ("NumericLessThan", 2, 1.5, True),
        ("NumericLessThanEquals", 2, 2, True),
        ("NumericGreaterThan", 2, 2, False),
        ("NumericGreaterThanEquals", 2, 2.0, True),
        ("StringEquals", "Hello", "Hello", True),
        ("StringEquals", "Hello", "Hello ", False),
        ("StringEquals", "1", 1, False),
        ("StringLessThan", "a", "Z", True),
        ("StringLessThan", "A", "AB", False),
        ("StringGreaterThan", "A", "AB", True),
        ("StringLessThanEquals", "", "", True),
        ("StringGreaterThanEquals", "B", "A", False),
        ("BooleanEquals", True, True, True),
        ("BooleanEquals", False, 0, False),
        ("BooleanEquals", True, None, False),
        ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T20:00:55+01:00", True),
        ("TimestampEquals", "2012-10-09T19:00:55Z", "2023-02-24 12:15:56.832957", False),
        ("TimestampEquals", "2012-10-09T19:00:55Z", 0, False),
        ("TimestampLessThan", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55.999999999Z", True),
        ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", True),
        ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
        ("TimestampGreaterThanEquals", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", False),
        ("StringMatches", "log-*.txt", "log-2024.txt", True),
        ("StringMatches", "foo*.*", "foobar.zebra", True),
        ("StringMatches", "a?c", "abc", False),
        ("StringMatches", "a\\*c", "a*c", True),
        ("StringMatches", "a\\*c", "abc", False),
        ("StringMatches", "a\\\\*", "a\\xyz", True),
        ("StringMatches", "*", "", True),
        ("StringMatches", "*", 5, False),
    ],
)
def test_comparison_against_a_literal(operator: str, operand: Json, value: Json, expected: bool) -> None:
    """Each operator compares with AWS's type rules: a value of the wrong type is simply false."""
    assert holds({"Variable": "$.v", operator: operand}, value) is expected


@pytest.mark.parametrize(
    ("operator", "value", "other", "expected"),
    [
        ("NumericEqualsPath", 1, 1.0, True),
        ("NumericLessThanPath", 1, "2", False),
        ("StringEqualsPath", "a", "a", True),
        ("StringGreaterThanPath", "b", "a", True),
        ("BooleanEqualsPath", False, False, True),
        ("BooleanEqualsPath", False, 0, False),
        ("TimestampLessThanPath", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", True),
        ("TimestampEqualsPath", "2012-10-09T19:00:55Z", "not a time", False),
    ],
)
def test_path_variants_compare_two_paths(operator: str, value: Json, other: Json, expected: bool) -> None:
    """The ...Path operators compare the Variable with the value at another path."""
    assert holds({"Variable": "$.v", operator: "$.o"}, value, other) is expected


@pytest.mark.parametrize(
    ("operator", "value", "expected_true", "expected_false"),
    [
        ("IsNull", None, True, False),
        ("IsNull", 0, False, True),
        ("IsNumeric", 1.5, True, False),
        ("IsNumeric", True, False, True),
        ("IsString", "", True, False),
        ("IsString", None, False, True),
        ("IsBoolean", False, True, False),
        ("IsBoolean", 0, False, True),
        ("IsTimestamp", "2012-10-09T19:00:55Z", True, False),
        ("IsTimestamp", "2012-10-09T19:00:55", False, True),
        ("IsPresent", None, True, False),
    ],
)
def test_type_tests_and_their_negation(operator: str, value: Json, expected_true: bool, expected_false: bool) -> None:
    """Type tests hold for the right type; with false they hold for every other type."""
    assert holds({"Variable": "$.v", operator: True}, value) is expected_true
    assert holds({"Variable": "$.v", operator: False}, value) is expected_false


def test_is_present_on_a_missing_path_is_false_not_an_error() -> None:
    """IsPresent never fails: a missing path is simply absent."""
    rule = compile_rule({"Variable": "$.nope", "IsPresent": True})
    assert rule(Scope({})) is False
    assert compile_rule({"Variable": "$.nope", "IsPresent": False})(Scope({})) is True


def test_missing_variable_fails_with_aws_cause() -> None:
    """Any other operator on a missing path fails the execution with States.Runtime and AWS's text."""
    with pytest.raises(StatesError) as caught:
        compile_rule({"Variable": "$.nope", "IsNull": True})(Scope({}))
    assert (caught.value.error, caught.value.cause) == (
        "States.Runtime",
        "Invalid path '$.nope': The choice state's condition path references an invalid value.",
    )


def test_missing_operand_path_fails_too() -> None:
    """A ...Path operand that matches nothing fails like a missing Variable."""
    with pytest.raises(StatesError, match=r"Invalid path '\$\.gone': The choice state"):
        compile_rule({"Variable": "$.v", "NumericEqualsPath": "$.gone"})(Scope({"v": 1}))


def test_context_and_variable_paths() -> None:
    """Variable may read the context object or a workflow variable."""
    assert holds({"Variable": "$$.Map.Item.Index", "NumericEquals": 1}, None) is True
    assert holds({"Variable": "$limit", "NumericGreaterThan": 2}, None) is True


def test_and_or_not_nest() -> None:
    """And/Or/Not combine rules, with short-circuit evaluation."""
    rule = {
        "Or": [
            {"And": [{"Variable": "$.v", "NumericGreaterThan": 1}, {"Variable": "$.v", "NumericLessThan": 3}]},
            {"Not": {"Variable": "$.o", "IsPresent": True}},
        ]
    }
    assert (holds(rule, 2, 0), holds(rule, 5, 0)) == (True, False)
    short_circuit = {"Or": [{"Variable": "$.v", "IsNull": False}, {"Variable": "$.gone", "IsNull": True}]}
    assert holds(short_circuit, 1) is True


def test_strings_compare_by_utf16_code_units() -> None:
    """Like Java's compareTo, U+10000 (a surrogate pair) sorts before U+FFFF."""
    assert holds({"Variable": "$.v", "StringLessThan": "\uffff"}, "\U00010000") is True


def test_huge_integers_compare_as_doubles() -> None:
    """Numbers compare as IEEE-754 doubles, so 2**53 + 1 equals 2**53."""
    assert holds({"Variable": "$.v", "NumericEquals": 2**53}, 2**53 + 1) is True


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00Z", 0),
        ("1970-01-01t00:00:00z", 0),
        ("1970-01-01T01:00:00+01:00", 0),
        ("1970-01-01T00:00:00.123456789Z", 123456789),
        ("2000-02-29T00:00:00Z", 951782400 * 10**9),
    ],
)
def test_parse_timestamp_accepts_iso_offset_date_times(text: str, nanos: int) -> None:
    """Timestamps are ISO-8601 extended offset date-times, compared to the nanosecond."""
    assert parse_timestamp(text) == nanos


@pytest.mark.parametrize(
    "text",
    [
        "2016-12-05T21:29:29",
        "2016-12-05 21:29:29Z",
        "2016-13-05T21:29:29Z",
        "05-12-2016T21:29:29Z",
        "2016-12-05T25:29:29Z",
        "2001-02-29T00:00:00Z",
        "2016-12-05T21:29:29.1234567891Z",
        "2016-12-05T21:29:29+19:00",
        "",
    ],
)
def test_parse_timestamp_rejects_what_aws_rejects(text: str) -> None:
    """AWS rejects timestamps without an offset, with a space, or with an impossible date or time."""
    assert parse_timestamp(text) is None


def test_string_matches_lone_backslash_is_an_error() -> None:
    """A StringMatches pattern may not end in a lone backslash."""
    with pytest.raises(AslError, match=r"a backslash must escape.*\nab\\\n  \^$"):
        string_matches("ab\\")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"Variable": "$.v"}, r"needs exactly one comparison operator; found none"),
        ({"Variable": "$.v", "IsNull": True, "IsString": True}, r"found IsNull, IsString"),
        ({"Variable": "$.v", "NumericEquals": "1"}, r"NumericEquals needs a number, not '1'"),
        ({"Variable": "$.v", "StringEquals": 1}, r"StringEquals needs a string"),
        ({"Variable": "$.v", "BooleanEquals": "true"}, r"BooleanEquals needs true or false"),
        ({"Variable": "$.v", "TimestampEquals": "2020-01-01"}, r"TimestampEquals needs a timestamp"),
        ({"Variable": "$.v", "IsNull": "yes"}, r"IsNull takes true or false"),
        ({"Variable": "$.v", "NumericEqualsPath": 3}, r"NumericEqualsPath needs a path string"),
        ({"Variable": "$.v", "Frobnicate": 1}, r"Unknown Choice operator 'Frobnicate'"),
        ({"And": []}, r"And needs a non-empty list of rules"),
        ({"Or": [{"Variable": "$.v", "IsNull": True}], "Variable": "$.v"}, r"Or cannot be combined with Variable"),
        ({"NumericEquals": 1}, r"A Choice rule needs a Variable"),
        ({"Variable": "$.v[", "IsNull": True}, r"Unclosed '\['"),
    ],
)
def test_malformed_rules_are_asl_errors(rule: dict[str, Json], message: str) -> None:
    """A malformed rule fails at compile time with a message saying what to write."""
    with pytest.raises(AslError, match=message):
        compile_rule(rule)


def test_operator_tables() -> None:
    """All 33 comparison operators and 6 type tests are known."""
    assert (len(COMPARISON_OPERATORS), len(TYPE_TESTS)) == (33, 6)


@pytest.mark.parametrize(
    "data",
    [
        {"a": {"n": 3}},
        {"a": {"n": 3.5}},
        {"a": {"n": True}},
        {"a": {"n": "3"}},
        {"a": {"n": 2**60 + 1}},
        {"a": {"n": None}},
        {"a": [1]},
        {"a": "x"},
        {"b": 1},
        [1],
        "x",
        None,
    ],
)
@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.a.n", "NumericGreaterThanEquals": 3},
        {"Variable": "$.a.n", "NumericEquals": 2**60},
        {"Variable": "$.a.n", "NumericLessThan": 3.25, "Next": "X"},
        {"Variable": "$['a'].n", "StringEquals": "3"},
        {"Variable": "$.a", "StringEquals": "x"},
    ],
)
def test_direct_rule_agrees_with_the_full_rule(rule: dict[str, Json], data: Json) -> None:
    """The direct test answers as the full rule, or raises KeyError/TypeError where the full one fails."""
    full = compile_rule({k: v for k, v in rule.items() if k != "Next"})
    direct = compile_direct_rule(rule)
    assert direct is not None
    try:
        expected = full(Scope(data))
    except StatesError:
        with pytest.raises((KeyError, TypeError)):
            direct(data)
    else:
        assert direct(data) is expected


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$$.State.Name", "StringEquals": "x"},
        {"Variable": "$.a[0]", "NumericEquals": 1},
        {"Variable": "$.a", "NumericEqualsPath": "$.b"},
        {"Variable": "$.a", "StringMatches": "x*"},
        {"Variable": "$.a", "IsPresent": True},
        {"And": [{"Variable": "$.a", "NumericEquals": 1}]},
        {"Not": {"Variable": "$.a", "NumericEquals": 1}},
    ],
)
def test_direct_rule_only_for_literal_comparisons_on_plain_input_paths(rule: dict[str, Json]) -> None:
    """Context paths, indexes, path operands, patterns, type tests and combinators have no direct form."""
    assert compile_direct_rule(rule) is None
