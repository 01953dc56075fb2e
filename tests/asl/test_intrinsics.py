"""Intrinsic functions: parsing once, every function's result, AWS's observed quirks, and the errors."""

from __future__ import annotations

import random
import re

import pytest

from sfnkit.asl.failures import StatesError
from sfnkit.asl.intrinsics import (
    FUNCTIONS,
    compile_direct_intrinsic,
    compile_intrinsic,
    is_intrinsic,
    java_math_round,
    render_format_value,
)
from sfnkit.asl.paths import PathNotFound
from sfnkit.asl.scope import Json, Scope
from sfnkit.errors import AslError


def call(text: str, data: Json = None, **kwargs: Json) -> Json:
    return compile_intrinsic(text)(Scope(data, kwargs.get("context"), kwargs.get("variables") or {}))


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("States.Format('Hello, {}!', $.name)", {"name": "Ann"}, "Hello, Ann!"),
        ("States.Format('{} and {}', $.a, $.b)", {"a": None, "b": 1.1}, "null and 1.1"),
        ("States.Format('{}', $.a)", {"a": {"Arg1": 1, "Arg2": []}}, "{Arg1=1, Arg2=[]}"),
        ("States.Format('{}', $.a)", {"a": [1, "x", True]}, "[1, x, true]"),
        ("States.Format('{}', $.a)", {"a": 1.0}, "1.0"),
        ("States.Format('{}', $.a)", {"a": 1e20}, "1.0E20"),
        ("States.Format('\\{\\} {}', 'x')", None, "{} x"),
        ("States.Format('it\\'s {}', 5)", None, "it's 5"),
        ("States.Format('back\\\\slash')", None, "back\\slash"),
        ("States.Format($.t, 'x')", {"t": "<{}>"}, "<x>"),
        ("States.StringToJson($.s)", {"s": '{"a": [1, 2]}'}, {"a": [1, 2]}),
        ("States.StringToJson($.s)", {"s": ""}, None),
        ("States.StringToJson($.s)", {"s": " "}, None),
        ("States.StringToJson($.s)", {"s": "-0"}, 0),
        ("States.JsonToString($.v)", {"v": {"Arg1": 1, "Arg2": []}}, '{"Arg1":1,"Arg2":[]}'),
        ("States.JsonToString($.v)", {"v": "HelloWorld"}, '"HelloWorld"'),
        ("States.Array()", None, []),
        ("States.Array(1, 'a', null, true, $.x)", {"x": [2]}, [1, "a", None, True, [2]]),
        ("States.ArrayPartition($.a, 2)", {"a": [0, 1, 2]}, [[0, 1], [2]]),
        ("States.ArrayPartition($.a, 5)", {"a": []}, []),
        ("States.ArrayContains($.a, $.v)", {"a": [[1, 2, 3], 2], "v": [1, 2, 3]}, True),
        ("States.ArrayContains($.a, $.v)", {"a": [{"1": 2, "2": []}], "v": {"2": [], "1": 2}}, True),
        ("States.ArrayContains($.a, $.v)", {"a": [1, 2], "v": True}, False),
        ("States.ArrayContains($.a, $.v)", {"a": [], "v": None}, False),
        ("States.ArrayRange(0, 10, 3)", None, [0, 3, 6, 9]),
        ("States.ArrayRange(1, 9, 2)", None, [1, 3, 5, 7, 9]),
        ("States.ArrayRange(5, 1, -2)", None, [5, 3, 1]),
        ("States.ArrayGetItem($.a, 5)", {"a": [1, 2, 3, 4, 5, 6]}, 6),
        ("States.ArrayLength($.a)", {"a": [1, 2, 3]}, 3),
        (
            "States.ArrayUnique($.a)",
            {"a": [1, 1.0, True, "1", [1], [1], {"a": 1}, {"a": 1}]},
            [1, True, "1", [1], {"a": 1}],
        ),
        ("States.Base64Encode('Data to encode')", None, "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", None, "Data to encode"),
        ("States.Base64Encode('')", None, ""),
        ("States.Hash('input data', 'SHA-1')", None, "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("States.Hash('input data', 'MD5')", None, "812f45842bc6d66ee14572ce20db8e86"),
        (
            "States.JsonMerge($.a, $.b, false)",
            {"a": {"x": {"p": 1}, "y": 1}, "b": {"x": {"q": 2}}},
            {"x": {"q": 2}, "y": 1},
        ),
        (
            "States.JsonMerge($.a, $.b, true)",
            {"a": {"x": {"p": 1}, "y": 1}, "b": {"x": {"q": 2}}},
            {"x": {"p": 1, "q": 2}, "y": 1},
        ),
        ("States.MathAdd(1.5, 0)", None, 2),
        ("States.MathAdd(-1.5, 0)", None, -1),
        ("States.MathAdd(-2.5, -1.51)", None, -4),
        ("States.MathAdd($.a, -1)", {"a": 10}, 9),
        ("States.StringSplit('a.b+c', '.+')", None, ["a", "b", "c"]),
        ("States.StringSplit(',,,,', ',')", None, []),
        ("States.StringSplit(', , ,', ',')", None, [" ", " "]),
        ("States.StringSplit('Hello\nWorld', '\n')", None, ["Hello", "World"]),
        ("States.ArrayGetItem(States.StringSplit($$.Name, '-'), 1)", None, "b"),
        ("States.Format('{}', $v.k)", None, "7"),
    ],
)
def test_function_results(text: str, data: Json, expected: Json) -> None:
    """Each intrinsic returns what AWS returns (values from the AWS guide and the recorded corpus)."""
    scope = Scope(data, {"Name": "a-b-c"}, {"v": {"k": 7}})
    assert compile_intrinsic(text)(scope) == expected


def test_math_add_returns_an_integer() -> None:
    """MathAdd rounds its arguments first, so the sum is an integer, not a float."""
    assert type(call("States.MathAdd(1.49, 1.5)")) is int


def test_math_random_is_in_range_and_seeded_repeats() -> None:
    """MathRandom stays in [start, end); the same seed gives the same number."""
    values = {call("States.MathRandom(1, 4)") for _ in range(50)}
    assert values <= {1, 2, 3}
    assert call("States.MathRandom(0, 999, 3)") == call("States.MathRandom(0, 999, 3)")


def test_math_random_uses_the_scope_random_source() -> None:
    """Unseeded MathRandom draws from Scope.random, so a seeded source makes runs repeatable."""
    fn = compile_intrinsic("States.MathRandom(0, 1000000)")
    first = fn(Scope(None, random=random.Random(7)))
    assert fn(Scope(None, random=random.Random(7))) == first


def test_uuid_is_a_version_4_uuid() -> None:
    """States.UUID gives a v4 UUID string; a seeded Scope.random repeats it."""
    text = call("States.UUID()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", text)
    fn = compile_intrinsic("States.UUID()")
    assert fn(Scope(None, random=random.Random(1))) == fn(Scope(None, random=random.Random(1)))


def test_java_math_round_ties_toward_positive_infinity() -> None:
    """Java's Math.round rounds .5 up, also for negatives."""
    assert [java_math_round(x) for x in (0.5, -0.5, 1.5, -1.5, -1.51)] == [1, 0, 2, -1, -2]


def test_render_format_value_nests_java_style() -> None:
    """Objects print as {k=v}, arrays as [a, b], strings bare, null as null."""
    assert render_format_value({"a": [None, "s", {"b": False}]}) == "{a=[null, s, {b=false}]}"


def test_is_intrinsic() -> None:
    """is_intrinsic tells calls from paths and literals."""
    assert (is_intrinsic("States.UUID()"), is_intrinsic("$.a"), is_intrinsic("States")) == (True, False, False)


def test_all_eighteen_functions_exist() -> None:
    """Every AWS intrinsic function is known."""
    assert len(FUNCTIONS) == 18


def test_constant_results_are_not_shared_between_calls_of_array() -> None:
    """States.Array builds a fresh list per evaluation."""
    fn = compile_intrinsic("States.Array(1)")
    assert fn(Scope(None)) is not fn(Scope(None))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("States.Nope(1)", r"Unknown intrinsic function 'States.Nope'.*\nStates\.Nope\(1\)\n\^$"),
        ("States.Format", r"Expected '\(' after States\.Format"),
        ("States.Format('a'", r"Unclosed call to States\.Format"),
        ("States.Format('a)", r"Unclosed string"),
        ("States.Array(1 2)", r"Expected ',' or '\)' in the arguments of States\.Array, found '2'"),
        ("States.Array(@)", r"Unexpected '@': an argument is"),
        ("States.ArrayLength()", r"States\.ArrayLength takes 1 argument, but got 0"),
        ("States.Hash('a')", r"States\.Hash takes 2 arguments, but got 1"),
        ("States.MathRandom(1)", r"States\.MathRandom takes 2 to 3 arguments, but got 1"),
        ("States.Format()", r"States\.Format takes at least 1 argument, but got 0"),
        ("States.Format(1)", r"first argument \(the template\) must be a string"),
        ("States.UUID() x", r"Unexpected text after"),
        ("States.Array($.a[)", r"Unexpected '\)' in brackets.*\nStates\.Array\(\$\.a\[\)\n {17}\^$"),
    ],
)
def test_bad_syntax_is_an_asl_error_with_caret(text: str, message: str) -> None:
    """Malformed calls, unknown names and wrong argument counts fail at compile time, with a caret."""
    with pytest.raises(AslError, match=message):
        compile_intrinsic(text)


def test_nesting_deeper_than_ten_is_rejected() -> None:
    """AWS allows at most 10 nested intrinsic functions in a field."""
    text = "States.Array(" * 11 + ")" * 11
    with pytest.raises(AslError, match="More than 10 nested"):
        compile_intrinsic(text)


@pytest.mark.parametrize(
    ("text", "data", "message"),
    [
        ("States.Format('{} {}', 1)", None, r"the template has 2 placeholders '\{\}' but 1 value followed it"),
        ("States.StringToJson($.s)", {"s": "{bad"}, r"the string is not valid JSON: \{bad"),
        ("States.StringToJson($.s)", {"s": 1}, r"the argument must be a string, but was number: 1"),
        ("States.ArrayPartition($.a, 0)", {"a": [1]}, r"the chunk size must be greater than 0, but was 0"),
        ("States.ArrayPartition($.a, 1.5)", {"a": [1]}, r"the chunk size must be an integer"),
        ("States.ArrayRange(0, 1, 0)", None, r"the step must not be 0"),
        ("States.ArrayRange(0, 1000, 1)", None, r"the range has 1001 elements; at most 1000 are allowed"),
        ("States.ArrayGetItem($.a, 3)", {"a": [1]}, r"the index 3 is out of bounds for an array of length 1"),
        ("States.ArrayLength($.a)", {"a": {}}, r"the argument must be an array, but was object: \{\}"),
        ("States.Base64Decode('***')", None, r"the string is not valid base64-encoded UTF-8 text: \*\*\*"),
        ("States.Hash('x', 'SHA-3')", None, r"the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"),
        ("States.JsonMerge($.a, 1, false)", {"a": {}}, r"the second argument must be an object, but was number"),
        ("States.JsonMerge($.a, $.a, 'no')", {"a": {}}, r"the third argument must be a boolean"),
        ("States.MathAdd('1', 2)", None, r"the first argument must be a number, but was string: \"1\""),
        ("States.MathRandom(5, 5)", None, r"the end \(5\) must be greater than the start \(5\)"),
        ("States.StringSplit(1, ',')", None, r"the first argument must be a string"),
    ],
)
def test_bad_values_fail_with_intrinsic_failure(text: str, data: Json, message: str) -> None:
    """A bad argument value fails the state with States.IntrinsicFailure naming the function."""
    name = text.split("(")[0]
    with pytest.raises(StatesError, match=f"^States.IntrinsicFailure: Invalid arguments in {name}: {message}"):
        call(text, data)


def test_base64_input_over_10000_characters_fails() -> None:
    """Base64Encode takes at most 10,000 characters."""
    with pytest.raises(StatesError, match="has 10001 characters; at most 10000 are allowed"):
        call("States.Base64Encode($.s)", {"s": "a" * 10001})


def test_missing_path_argument_raises_path_not_found() -> None:
    """A path argument that matches nothing raises PathNotFound for the template to report."""
    with pytest.raises(PathNotFound, match=r"No results for path: \$\['nope'\]"):
        call("States.Format('{}', $.nope)", {})


def test_string_to_json_rejects_nan_and_overflow() -> None:
    """NaN, Infinity and numbers beyond a double are not JSON values AWS could hold."""
    for text in ("NaN", "[Infinity]", "1e400"):
        with pytest.raises(StatesError, match="the string is not valid JSON"):
            call("States.StringToJson($.s)", {"s": text})


@pytest.mark.parametrize(
    "data",
    [{"i": 41}, {"i": -5}, {"i": 2**40}, {"i": 1.5}, {"i": True}, {"i": "1"}, {"i": None}, {"j": 1}, [1], "x", None],
)
@pytest.mark.parametrize("text", ["States.MathAdd($.i, 1)", "States.MathAdd( $['i'] , -12 )"])
def test_direct_counter_agrees_with_the_full_call(text: str, data: Json) -> None:
    """The direct MathAdd adds to an integer as the full call does, and leaves everything else to it."""
    direct = compile_direct_intrinsic(text)
    assert direct is not None
    if isinstance(data, dict) and type(data.get("i")) is int:
        assert direct(data) == compile_intrinsic(text)(Scope(data))
    else:
        with pytest.raises((KeyError, TypeError)):
            direct(data)


@pytest.mark.parametrize(
    "text",
    [
        "States.MathAdd($.i, 1.5)",
        "States.MathAdd($.i, $.j)",
        "States.MathAdd($$.x, 1)",
        "States.MathAdd($, 1)",
        "States.MathAdd($.a[0], 1)",
        "States.MathAdd($.i, 01)",
        "States.Format('{}', $.i)",
    ],
)
def test_direct_counter_only_for_a_plain_path_and_an_integer(text: str) -> None:
    """Other argument shapes and other functions have no direct form."""
    assert compile_direct_intrinsic(text) is None
