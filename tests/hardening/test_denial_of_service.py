"""Hostile definitions and data fail fast, with a States error or a clear exception, never a hang or MemoryError.

Each test is one class of the reproducers in issue 9 (catastrophic regexes, huge intermediate values, limits
checked after allocating).
"""

from __future__ import annotations

import time

import pytest

from sfnkit.asl import jsonata_regex
from sfnkit.asl.failures import StatesError
from sfnkit.asl.intrinsics import compile_intrinsic
from sfnkit.asl.jsonata import QueryEvaluationError, compile_expression
from sfnkit.asl.rules import string_matches
from sfnkit.asl.scope import Scope


def evaluate(text: str) -> object:
    return compile_expression("{% " + text + " %}", field="Output").evaluate({"input": {}}, {})


# --- StringMatches: a glob with only * is matched in linear time --------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("*", "", True),
        ("a*a", "a", False),
        ("a*a", "aa", True),
        ("*a*b", "xaxb", True),
        ("a**b", "ab", True),
        ("\\*x", "*x", True),
        ("\\*x", "ax", False),
        ("a\\\\b", "a\\b", True),
        ("ab", "abc", False),
        ("*ab*ab", "abab", True),
        ("*ab*ab", "aba", False),
    ],
)
def test_glob_matches_as_aws_documents(pattern: str, text: str, expected: bool) -> None:
    assert string_matches(pattern).fullmatch(text) is expected


def test_glob_with_many_stars_is_linear() -> None:
    """A backtracking regex took 42 s for this; the scan takes microseconds (bounded here loosely at 1 s)."""
    glob = string_matches("*a*a*a*b")
    started = time.process_time()
    assert glob.fullmatch("a" * 100_000) is False
    assert time.process_time() - started < 1.0


# --- JSONata regexes run under a time bound ----------------------------------------------------------------------


@pytest.mark.parametrize("call", ["$match(s, r)", "$replace(s, r, 'x')", "$contains(s, r)", "$split(s, r)"])
def test_catastrophic_regex_fails_with_query_evaluation_error(call: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonata_regex, "REGEX_SECONDS", 0.2)
    text = "(" + f"$s := '{'a' * 40}!'; $r := /(a|aa)+$/; " + call.replace("s,", "$s,").replace("r)", "$r)")
    text = text.replace(", r,", ", $r,") + ")"
    with pytest.raises(QueryEvaluationError, match="regular expression ran longer than sfnkit's local bound"):
        evaluate(text)


def test_ordinary_regexes_still_work() -> None:
    assert evaluate("$replace('a-b-c', /-/, '+')") == "a+b+c"
    assert evaluate("$split('a1b22c', /[0-9]+/)") == ["a", "b", "c"]
    assert evaluate("$contains('Hello', /^h/i)") is True


# --- JSONata intermediate values are bounded ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("$count([1..10000000].[1..10])", "more than 1,000,000 sequence items"),
        ("$count([1..100000].[1..10])", "more than 1,000,000 sequence items"),
        ("$string([1..3000000])", "more than 1,000,000 sequence items"),
        ("$length($pad('', 100000000))", "string of 100,000,000 characters"),
        ("$reduce([1..40], function($a, $v) { $a & $a }, 'x')", "past sfnkit's local bound of 10,000,000"),
    ],
)
def test_huge_intermediate_values_fail_fast(text: str, message: str) -> None:
    with pytest.raises(QueryEvaluationError, match=message) as caught:
        evaluate(text)
    assert caught.value.error == "States.QueryEvaluationError"


def test_values_within_the_bounds_are_fine() -> None:
    assert evaluate("$count([1..1000].[1..10])") == 1000
    assert evaluate("$length($pad('', 100000))") == 100000


# --- intrinsics check limits before allocating, and take any integer --------------------------------------------

BIG = 10**400
HUGE_INPUT = {"big": BIG, "deep": "[" * 100_000 + "]" * 100_000}


def intrinsic(text: str) -> object:
    return compile_intrinsic(text, location="States.X.Parameters.a.$")(Scope(HUGE_INPUT))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("States.ArrayRange(0, 99999999999, 1)", "the range has 100000000000 elements; at most 1000"),
        ("States.ArrayRange(0, $.big, 1)", "at most 1000"),
        ("States.ArrayRange(0, 1000, 1)", "the range has 1001 elements"),
        ("States.StringToJson($.deep)", "nested more than 500 levels deep"),
    ],
)
def test_intrinsic_limits_fail_before_allocating(text: str, message: str) -> None:
    with pytest.raises(StatesError, match=message) as caught:
        intrinsic(text)
    assert caught.value.error == "States.IntrinsicFailure"


def test_intrinsics_take_integers_of_any_size() -> None:
    assert intrinsic("States.ArrayRange($.big, 1, 1)") == []
    assert intrinsic("States.ArrayRange(0, 10, $.big)") == [0]
    assert intrinsic("States.ArrayPartition(States.Array(1, 2), $.big)") == [[1, 2]]
    with pytest.raises(StatesError, match="out of bounds"):
        intrinsic("States.ArrayGetItem(States.Array(1, 2), $.big)")
