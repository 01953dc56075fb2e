"""JSONata expressions: compilation, evaluation, AWS's functions and causes, and each jsonata-python fix."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from sfnkit.asl.failures import QUERY_EVALUATION_ERROR
from sfnkit.asl.jsonata import (
    QueryEvaluationError,
    Runtime,
    compile_expression,
    compile_template,
    describe_value,
    is_expression,
    json_type,
    state_cause,
)
from sfnkit.errors import AslError


def run(text: str, states: dict[str, Any] | None = None, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    """Compile *text* as the ``Output`` field and evaluate it."""
    expression = compile_expression(text, field="Output")
    return expression.evaluate({"input": {}, "context": {}} if states is None else states, variables or {}, **kw)


def cause_of(text: str, states: dict[str, Any] | None = None, variables: dict[str, Any] | None = None) -> str:
    """The cause of the QueryEvaluationError that evaluating *text* raises."""
    with pytest.raises(QueryEvaluationError) as caught:
        run(text, states, variables)
    assert caught.value.error == QUERY_EVALUATION_ERROR
    return str(caught.value.cause)


# --- is_expression ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% $states.input %}", True),
        ("{%1%}", True),
        (" {% 1 %}", False),
        ("{% 1 %} ", False),
        ("{% 1", False),
        ("$.a", False),
        ("{%%}", True),
        ("{%}", False),
        (1, False),
        (None, False),
        ({"a": "{% 1 %}"}, False),
    ],
)
def test_is_expression(value: Any, expected: bool) -> None:
    """Only a string that starts with {% and ends with %} is an expression (ASL-NOTES 4.1)."""
    assert is_expression(value) is expected


# --- compile-time errors ---------------------------------------------------------------------------------------


def test_syntax_error_draws_a_caret() -> None:
    """A syntax error names the JSONata problem and points at the character."""
    with pytest.raises(AslError, match=r"JSONata syntax error: Unexpected end of expression") as caught:
        compile_expression("{% 1 + %}", location="States.S.Output")
    assert caught.value.location == "States.S.Output"
    assert str(caught.value).endswith("{% 1 + %}\n       ^")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{% (1 2) %}", 'Expected ")", got 2'),
        ("{% [1, 2 %}", 'Expected "]" before end of expression'),
        ("{% a..b %}", 'Syntax error: ".."'),
        ("{% @ %}", 'The symbol "@" cannot be used as a unary operator'),
        ("{% function(1) { 1 } %}", "Parameter 1 of function definition must be a variable name"),
        ("{% /* x %}", "Comment has no closing tag"),
    ],
)
def test_syntax_errors_use_javascript_messages(text: str, message: str) -> None:
    """Syntax errors read as JavaScript JSONata 2.0.6 writes them."""
    with pytest.raises(AslError, match=re.escape(message)):
        compile_expression(text)


def test_unterminated_string_is_a_syntax_error() -> None:
    """An unterminated string literal is rejected when the definition is compiled."""
    with pytest.raises(AslError, match="String literal must be terminated by a matching quote"):
        compile_expression("{% 'abc %}")


def test_missing_delimiters_are_rejected() -> None:
    """A string without {% %} cannot be compiled as an expression."""
    with pytest.raises(AslError, match=r"must start with '\{%' and end with '%\}'"):
        compile_expression("$states.input")


def test_empty_expression_is_rejected() -> None:
    """{% %} with nothing inside says what to write."""
    with pytest.raises(AslError, match="the JSONata expression is empty"):
        compile_expression("{%  %}")


@pytest.mark.parametrize(
    ("text", "caret"),
    [("{% $ %}", 3), ("{% $.a %}", 3), ("{% (1; $) %}", 7), ("{% $sum($.a) %}", 8), ("{% $$.a %}", 3)],
)
def test_top_level_context_is_rejected(text: str, caret: int) -> None:
    """$ and $$ at the top level read an input document AWS does not have (dg: use $states.input)."""
    with pytest.raises(AslError, match=r"Use \$states.input instead") as caught:
        compile_expression(text)
    assert caught.value.position == caret


@pytest.mark.parametrize(
    ("text", "message", "caret"),
    [
        ("{% total %}", r"the field name 'total' at the top level .* Use \$states.input.total instead", 3),
        ("{% 1 + order.total %}", r"'order' at the top level", 7),
        ("{% $string(* ) %}", r"the field name '\*' at the top level .* Start the path at \$states.input", 11),
        ("{% {'a': x} %}", r"'x' at the top level", 9),
    ],
)
def test_top_level_field_names_are_rejected(text: str, message: str, caret: int) -> None:
    """Unqualified field names at the top level read an input document AWS does not have (dg)."""
    with pytest.raises(AslError, match=message) as caught:
        compile_expression(text)
    assert caught.value.position == caret


@pytest.mark.parametrize(
    "text",
    [
        "{% $states.input.items[type = 'a'].name %}",
        "{% $states.input.items^(price) %}",
        "{% $states.input ~> |$|{'a': b}| %}",
        "{% $states.input.items[$ > 1] %}",
        "{% $states.input.items.($ * 2) %}",
        "{% $map($states.input.items, function($v) { $v + 1 }) %}",
    ],
)
def test_context_inside_predicates_and_steps_is_allowed(text: str) -> None:
    """$ inside a predicate, a later path step or a lambda refers to the current item, not the input."""
    assert compile_expression(text).text == text


def test_expression_keeps_text_field_and_source() -> None:
    """The compiled expression remembers its text, field and the stripped source AWS quotes."""
    expression = compile_expression("{%  $x  %}", location="States.S.Assign.x", field="Assign/x")
    assert (expression.text, expression.field, expression.location, expression.source) == (
        "{%  $x  %}",
        "Assign/x",
        "States.S.Assign.x",
        "$x",
    )


# --- evaluation ------------------------------------------------------------------------------------------------


def test_states_input_path() -> None:
    """$states.input reads the state input."""
    assert run("{% $states.input.order.total * 2 %}", {"input": {"order": {"total": 21}}}) == 42


def test_variables_are_visible_by_name() -> None:
    """Workflow variables are $name."""
    assert run("{% $sum($states.input.input_values) + $var_constant_1 %}", {"input": {"input_values": [1, 2, 3]}},
               {"var_constant_1": 1}) == 7  # fmt: skip  # corpus: outputdecl test_output BASE_DIRECT_EXPR


def test_states_may_be_any_mapping() -> None:
    """$states can be any mapping, also on the engine's path (jsonata-python reads fields of dicts only)."""
    from types import MappingProxyType

    states = MappingProxyType({"input": {"items": [1, 2]}})
    assert [run("{% $states.input.items %}", states), run("{% $states.input.items[$ > 1] %}", states)] == [[1, 2], 2]


def test_local_binding_does_not_change_variables() -> None:
    """$x := ... inside an expression never changes the state machine's variables (ASL-NOTES 4.1)."""
    variables = {"x": 1}
    assert run("{% ($x := 5; $x) %}", variables=variables) == 5
    assert variables == {"x": 1}


def test_states_context_and_result() -> None:
    """$states.context and $states.result are readable when present."""
    states = {"input": {}, "context": {"State": {"Name": "S"}}, "result": {"Payload": 3}}
    assert run("{% $states.context.State.Name & $string($states.result.Payload) %}", states) == "S3"


def test_object_constructor_drops_undefined_members() -> None:
    """Undefined inside an object constructor drops the key instead of failing (ASL-NOTES 4.5)."""
    assert run("{% {'k': $missing, 'v': 1} %}") == {"v": 1}


def test_singleton_sequence_is_unwrapped() -> None:
    """A one-item sequence yields the bare item (JSONata sequence rule)."""
    assert run("{% $states.input.items[0].id %}", {"input": {"items": [{"id": "a"}]}}) == "a"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"a": [{"t": ["x"]}]}, ["x"]),
        ({"a": [{"t": []}]}, []),
        ({"a": [{"t": ["x"]}, {"t": ["y"]}]}, ["x", "y"]),
        ({"a": [{"t": 1}]}, 1),
        ({"a": [{"t": None}]}, None),
        ({"a": [1, {"t": 2}, None, "s"]}, 2),
        ({"a": [{"t": [[1], [2]]}]}, [[1], [2]]),
    ],
)
def test_paths_map_over_arrays(data: Any, expected: Any) -> None:
    """A path through an array of objects maps over it, by JSONata's rules (checked against JavaScript)."""
    assert run("{% $states.input.a.t %}", {"input": data}) == expected


def test_input_is_not_copied() -> None:
    """Returning (part of) the input shares it: no copy when nothing needs converting."""
    data = {"items": [1, "two", None, {"three": 3}]}
    assert run("{% $states.input.items %}", {"input": data}) is data["items"]


def test_regex_literal() -> None:
    """Regex literals work; corpus: evaluate_jsonata test_base_jsonata_regular_expressions BASE."""
    assert run("{% $contains('hello$world', /^hello\\$/) %}") is True
    assert run("{% $contains('hello$world', /^hello\\ /) %}") is False


def test_endless_recursion_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tail-recursive loop that never ends fails instead of hanging (bounded function applications)."""
    monkeypatch.setattr("sfnkit.asl.jsonata_engine.MAX_APPLICATIONS", 50)
    assert "applied functions more than 50 times" in cause_of("{% ($f := function($n) { $f($n + 1) }; $f(0)) %}")


def test_deep_recursion_is_a_query_error() -> None:
    """Deep non-tail recursion is JSONata's stack overflow (D1011), not a Python RecursionError."""
    text = "{% ($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(3000)) %}"
    assert "D1011: Stack overflow" in cause_of(text)


def test_expressions_are_usable_from_threads() -> None:
    """One compiled expression evaluates correctly on several threads at once (Parallel/Map)."""
    expression = compile_expression("{% $states.input.n * 2 %}")
    results: dict[int, Any] = {}

    def work(n: int) -> None:
        results[n] = [expression.evaluate({"input": {"n": n}}, {}) for _ in range(20)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: [2 * n] * 20 for n in range(4)}


# --- differences from jsonata-python, one test each -------------------------------------------------------------


def test_difference_null_is_a_value() -> None:
    """Difference 1: JSONata null is a result (jsonata-python would report None, i.e. undefined)."""
    assert run("{% null %}") is None
    assert run("{% $states.input.a %}", {"input": {"a": None}}) is None


def test_difference_null_variable_is_a_value() -> None:
    """Difference 1: a variable holding null is null, not undefined."""
    assert run("{% $type($v) %}", variables={"v": None}) == "null"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% $states.input.l[$ = null] %}", None),
        ("{% $map($states.input.l, function($v) { $type($v) }) %}", ["number", "null", "number"]),
        ("{% $states.input.l.($type($)) %}", ["number", "null", "number"]),
        ("{% $map($w, function($v) { $type($v) }) %}", ["null", "number"]),
    ],
)
def test_difference_null_items_of_arrays_are_values(text: str, expected: Any) -> None:
    """Difference 1: a null item of an array stays null in predicates, $map and path steps."""
    assert run(text, {"input": {"l": [1, None, 3]}}, {"w": [None, 2]}) == expected


def test_difference_integral_numbers_print_as_integers() -> None:
    """Difference 2: JavaScript numbers: 1.5 * 2 is 3, input 1.0 is 1, -0 is 0."""
    assert [run("{% 1.5 * 2 %}"), run("{% $states.input.n %}", {"input": {"n": 1.0}}), run("{% -0 %}")] == [3, 1, 0]
    assert type(run("{% 1.5 * 2 %}")) is int


def test_difference_fractions_stay_floats() -> None:
    """Difference 2: non-integral results are left as floats, with JavaScript's rounding."""
    assert [run("{% 10 / 4 %}"), run("{% 0.1 + 0.2 %}")] == [2.5, 0.30000000000000004]


def test_difference_sequences_become_lists() -> None:
    """Difference 3: results are plain lists/dicts, nested nulls are None."""
    result = run("{% [1..3, null] %}")
    assert (result, type(result)) == ([1, 2, 3, None], list)


def test_difference_error_messages_say_function() -> None:
    """Difference 4: JavaScript's wording ("function", quoted inserts), not jsonata-python's ("Object")."""
    assert cause_of("{% $lowercase(1) %}").endswith(
        'T0410: Argument 1 of function "lowercase" does not match function signature'
    )


@pytest.mark.parametrize(
    ("text", "index", "function"),
    [("$substring('a', 'b')", 2, "substring"), ("$sum(1, 2)", 2, "sum"), ("$range(1, 3)", 3, "range"),
     ("$partition([1], 'a')", 2, "partition"), ("$lowercase(1)", 1, "lowercase")],
)  # fmt: skip
def test_difference_signature_error_names_the_argument(text: str, index: int, function: str) -> None:
    """Difference 4: T0410 names the first argument that breaks the signature (jsonata-python always says 1)."""
    assert cause_of("{% " + text + " %}").endswith(
        f'T0410: Argument {index} of function "{function}" does not match function signature'
    )


def test_errors_on_the_right_of_and_name_the_operator() -> None:
    """JavaScript names `and`/`or` as the token of errors from their right side (jsonata 2.0.6 quirk)."""
    assert cause_of("{% true and $uppercase(1) %}").endswith(
        'T0410: Argument 1 of function "and" does not match function signature'
    )
    assert cause_of("{% ($x := 1; false or $x + 'a') %}").endswith(
        'T2002: The right side of the "or" operator must evaluate to a number'
    )


def test_difference_comparison_message_quotes_values() -> None:
    """Difference 4: inserts are JSON.stringify'd as in JavaScript."""
    assert cause_of("{% 'a' < 1 %}").endswith(
        'T2009: The values "a" and 1 either side of operator "<" must be of the same data type'
    )


def test_difference_negation_message_names_the_value() -> None:
    """Difference 4: D1002 inserts the value, not the operator."""
    assert cause_of("{% -'a' %}").endswith('D1002: Cannot negate a non-numeric value: "a"')


def test_difference_division_by_zero() -> None:
    """Difference 5: 1/0 is JSONata's D1001, not a Python ZeroDivisionError."""
    assert cause_of("{% 1/0 %}").endswith("D1001: Number out of range: Infinity")


def test_difference_power_overflow() -> None:
    """Difference 5: an overflowing $power is D3061, not a Python OverflowError."""
    assert cause_of("{% $power(10, 400) %}").endswith(
        "D3061: The power function has resulted in a value that cannot be represented as a JSON number: "
        "base=10, exponent=400"
    )


def test_difference_power_of_negative_base() -> None:
    """Difference 5: a fractional power of a negative number is D3061 (Python would make a complex number)."""
    assert "D3061: The power function has resulted in a value" in cause_of("{% $power(-8, 0.5) %}")
    assert run("{% $power(2, 10) %}") == 1024


def test_difference_null_argument_breaks_signature() -> None:
    """Difference 4: null is not a string: $uppercase(null) is T0410 (jsonata-python took null as missing)."""
    assert cause_of("{% $uppercase($states.input.n) %}", {"input": {"n": None}}).endswith(
        'T0410: Argument 1 of function "uppercase" does not match function signature'
    )


def test_difference_array_type_message() -> None:
    """Difference 4: T0412 names the item type as JavaScript does."""
    assert cause_of("{% $sum([1, 'a']) %}").endswith(
        'T0412: Argument 1 of function "sum" must be an array of "numbers"'
    )


@pytest.mark.parametrize(
    ("argument", "expected"),
    [("'2'", 2), ("'-1.5e2'", -150), ("'0x10'", 16), ("'0b101'", 5), ("'0o17'", 15), ("true", 1), ("'01'", 1)],
)
def test_difference_number_accepts_javascript_forms(argument: str, expected: Any) -> None:
    """Difference 5: $number takes what JSONata 2.0.6 takes (corpus: $number('2') in Map Items)."""
    assert run(f"{{% $number({argument}) %}}") == expected


@pytest.mark.parametrize("argument", ["' 1'", "'.5'", "'1.'", "'+1'", "'NaN'", "'Infinity'", "'1_000'", "'x'"])
def test_difference_number_rejects_what_python_accepts(argument: str) -> None:
    """Difference 5: Python's float() accepts these, JSONata raises D3030."""
    assert "D3030: Unable to cast value to a number: " in cause_of(f"{{% $number({argument}) %}}")


def test_difference_remainder_keeps_fractions() -> None:
    """Difference 7: 5.5 % 2 is 1.5 (jsonata-python truncates to 1); the sign follows the dividend."""
    assert [run("{% 5.5 % 2 %}"), run("{% -7 % 3 %}")] == [1.5, -1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% $string(1e15) %}", "1000000000000000"),
        ("{% 1e15 & '' %}", "1000000000000000"),
        ("{% $string(123456789012345678) %}", "123456789012346000"),
        ("{% $string({'a': 1e-7}) %}", '{"a":1e-7}'),
        ("{% $string(0.1 + 0.2) %}", "0.3"),
        ("{% 'n=' & $states.input.n %}", "n=null"),
        ("{% $string($states.input) %}", '{"n":null}'),
        ("{% $string({'a': 1}, true) %}", '{\n  "a": 1\n}'),
    ],
)
def test_difference_string_writes_numbers_like_javascript(text: str, expected: str) -> None:
    """Difference 8: $string and & use 15 significant digits in JavaScript's number layout."""
    assert run(text, {"input": {"n": None}}) == expected


def test_difference_in_uses_strict_equality() -> None:
    """Difference 7: `in` compares as JavaScript's === does: 1 is not true."""
    assert [run("{% 1 in [true] %}"), run("{% 1 in [1.0, 2] %}"), run("{% 'a' in 'a' %}")] == [False, True, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% function($v) { $v } ? 1 : 2 %}", 1),
        ("{% $string ? 1 : 2 %}", 1),
        ("{% true and function() { 1 } %}", True),
        ("{% $boolean(function($v) { $v }) %}", False),
        ("{% $not(function($v) { $v }) %}", True),
        ("{% $boolean([function($v) { $v }, 0]) %}", True),
        ("{% $boolean([[], 0]) %}", False),
    ],
)
def test_difference_functions_are_true_as_values(text: str, expected: Any) -> None:
    """Difference 7: a function is true in ?: and and/or, false as $boolean's argument (JavaScript 2.0.6)."""
    assert run(text) == expected


def test_difference_distinct_keeps_true_and_1_apart() -> None:
    """Difference 7: $distinct uses deep equality where true is not 1 (Python's == merges them)."""
    assert run("{% $distinct([1, 1.0, '1', true, null, null]) %}") == [1, "1", True, None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% $contains('٣', /\\d/) %}", False),
        ("{% $contains('é', /\\w/) %}", False),
        ("{% $match('héllo', /\\b\\w+\\b/).match %}", ["h", "llo"]),
        ("{% $contains('abc\\n', /c$/) %}", False),
        ("{% $contains('abc\\n', /c$/m) %}", True),
        ("{% $match('2024-01', /(?<y>\\d{4})-(?<m>\\d\\d)/).groups %}", ["2024", "01"]),
        ("{% $replace('aa-bb', /(?<x>a)\\k<x>/, 'X') %}", "X-bb"),
        ("{% $contains('x', /[^]/) %}", True),
        ("{% $contains('x', /[]/) %}", False),
        ("{% $contains('A', /\\A/) %}", True),
        ("{% $contains('p', /\\p/) %}", True),
        ("{% $contains('a\\nb', /a\\cJb/) %}", True),
    ],
)
def test_difference_regex_literals_read_as_javascript(text: str, expected: Any) -> None:
    """Difference 12: /regex/ literals mean what JavaScript's RegExp makes of them (ASCII \\d \\w \\b, $ at the
    very end, named groups, [^] and [])."""
    assert run(text) == expected


@pytest.mark.parametrize(
    ("value", "picture", "expected"),
    [(0.125, "0.00", "0.12"), (2.675, "0.00", "2.68"), (2.5, "0", "2"), (3.5, "0", "4"),
     (1234.565, "#,##0.00", "1,234.56"), (0.0125, "0.00%", "1.25%"), (-0.125, "0.00;(0.00)", "(0.12)"),
     (0.00125, "0.000e0", "1.250e-3")],
)  # fmt: skip
def test_difference_format_number_rounds_half_to_even(value: float, picture: str, expected: str) -> None:
    """Difference 13: $formatNumber rounds the decimal digits half to even, as JSONata's $round (JavaScript 2.0.6)."""
    assert run(f"{{% $formatNumber({value}, '{picture}') %}}") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% $replace('abc', 'b', '$0$0') %}", "a$0$0c"),
        ("{% $replace('abab', 'b', 'X', 1) %}", "aXab"),
        ("{% $replace('abc', /(b)/, '[$1]') %}", "a[b]c"),
        ("{% $formatBase(10, 3.5) %}", "22"),
        ("{% $formatBase(10, 2.7) %}", "101"),
    ],
)
def test_difference_replace_and_format_base(text: str, expected: str) -> None:
    """Difference 13: $replace with a string pattern is literal; $formatBase rounds its radix (JavaScript 2.0.6)."""
    assert run(text) == expected


def test_picture_errors_quote_as_javascript() -> None:
    """Picture-string errors quote their terms with single quotes, as JavaScript does."""
    assert cause_of(
        "{% $formatNumber(1234, '#,##0.00', {'decimal-separator': ',', 'grouping-separator': '.'}) %}"
    ).endswith(
        "D3091: The fractional part of the sub-picture must not contain an instance of the 'optional digit "
        "character' that is followed by a member of the 'decimal digit family'"
    )


def test_pad_refuses_impossible_widths() -> None:
    """$pad to a width no JavaScript string can have fails instead of filling memory."""
    assert "RangeError: Invalid string length" in cause_of("{% $pad('x', 1e12) %}")


def test_difference_eval_is_removed() -> None:
    """Difference 6: AWS has no $eval (dg: use $parse)."""
    assert cause_of("{% $eval('1') %}").endswith("T1006: Attempted to invoke a non-function")


def test_difference_internal_errors_become_query_errors() -> None:
    """Difference 5: a jsonata-python crash is a QueryEvaluationError, never an internal exception."""
    assert cause_of("{% $parseInteger('x', '0') %}").endswith(
        "threw an error during evaluation. ValueError: invalid literal for int() with base 10: 'x'"
    )


def test_difference_to_millis_error() -> None:
    """Difference 5: $toMillis on a non-timestamp is D3110 (a Python ValueError in jsonata-python)."""
    assert cause_of("{% $toMillis('x') %}").endswith(
        'D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "x"'
    )


def test_difference_sort_of_mixed_types() -> None:
    """Difference 5: sorting numbers with strings is D3070 (a Python TypeError in jsonata-python)."""
    assert "D3070: The single argument form of the sort function" in cause_of("{% $sort([1, 'a']) %}")


# --- AWS's functions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "size", "expected"),
    [([0], 1, [[0]]), ([0], 5, [[0]]), ([0, 1, 2], 2, [[0, 1], [2]]), ([0, 1, 2, 3], 4, [[0, 1, 2, 3]])],
)
def test_partition(array: list[int], size: int, expected: list[list[int]]) -> None:
    """$partition chunks; corpus: intrinsic_functions test_array_jsonata test_array_partition."""
    assert run("{% $partition($states.input.a, $states.input.n) %}", {"input": {"a": array, "n": size}}) == expected


def test_partition_rejects_size_zero() -> None:
    """A chunk size below 1 fails the evaluation."""
    assert "chunk size of $partition must be a positive integer" in cause_of("{% $partition([1], 0) %}")


@pytest.mark.parametrize(
    ("start", "end", "step", "expected"),
    [
        (0, 9, 3, [0, 3, 6, 9]),
        (0, 10, 3, [0, 3, 6, 9]),
        (1, 9, 9, 1),
        (1, 9, 2, [1, 3, 5, 7, 9]),
        (5, 1, -2, [5, 3, 1]),
    ],
)
def test_range(start: int, end: int, step: int, expected: Any) -> None:
    """$range counts to end inclusive; one item is unwrapped. Corpus: test_array_jsonata test_array_range."""
    states = {"input": {"a": start, "b": end, "c": step}}
    assert run("{% $range($states.input.a, $states.input.b, $states.input.c) %}", states) == expected


def test_range_floors_its_arguments() -> None:
    """Integer parameters are floored (ASL-NOTES 4.6)."""
    assert run("{% $range(0.5, 4.9, 2.7) %}") == [0, 2, 4]


def test_range_rejects_step_zero() -> None:
    """A zero step would never end."""
    assert "The step of $range must not be 0" in cause_of("{% $range(1, 2, 0) %}")


def test_range_with_wrong_argument_type() -> None:
    """A string argument breaks the signature (T0410)."""
    assert cause_of("{% $range('0', 4, 1) %}").endswith(
        'T0410: Argument 1 of function "range" does not match function signature'
    )


def test_hash() -> None:
    """$hash gives a lowercase hex digest (dg's States.Hash example, corrected)."""
    assert run("{% $hash('input data', 'SHA-1') %}") == "aaff4a450a104cd177d28d18d74485e8cae074b7"


def test_hash_rejects_unknown_algorithm() -> None:
    """Only MD5, SHA-1, SHA-256, SHA-384, SHA-512 are accepted."""
    assert "use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512" in cause_of("{% $hash('a', 'SHA1') %}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("-0", 0), ("1", 1), ("1.1", 1.1), ("true", True), ('"HelloWorld"', "HelloWorld"), ("null", None),
     ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]), ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []})],
)  # fmt: skip
def test_parse(text: str, expected: Any) -> None:
    """$parse reads JSON; corpus: intrinsic_functions test_json_manipulation_jsonata test_parse."""
    assert run("{% $parse($states.input.FunctionInput) %}", {"input": {"FunctionInput": text}}) == expected


def test_parse_rejects_bad_json() -> None:
    """Text that is not JSON fails the evaluation."""
    assert "$parse could not parse" in cause_of("{% $parse('{') %}")


def test_random_with_seed_is_reproducible() -> None:
    """The same seed gives the same number, in [0, 1)."""
    first, second = run("{% $random(42) %}"), run("{% $random(42) %}")
    assert first == second and 0 <= first < 1


def test_random_without_seed_uses_the_runtime() -> None:
    """The unseeded source is injectable: a seeded Runtime makes $random() reproducible."""
    assert run("{% $random() %}", runtime=Runtime.seeded(1)) == run("{% $random() %}", runtime=Runtime.seeded(1))
    assert run("{% $random() %}", runtime=Runtime(random=lambda: 0.25)) == 0.25


def test_uuid_uses_the_runtime() -> None:
    """$uuid() comes from the runtime; the default one gives a v4 UUID."""
    assert run("{% $uuid() %}", runtime=Runtime(uuid=lambda: "u-1")) == "u-1"
    assert run("{% $uuid() %}")[14] == "4"


def test_now_and_millis_use_the_runtime_clock() -> None:
    """$now() and $millis() read the injected clock."""
    runtime = Runtime(clock=lambda: 1.5)
    assert run("{% [$now(), $millis()] %}", runtime=runtime) == ["1970-01-01T00:00:01.500Z", 1500]


def test_now_is_stable_within_one_evaluation() -> None:
    """The clock is read once per evaluation, as JSONata fixes the timestamp per evaluation."""
    ticks = iter(range(100))
    runtime = Runtime(clock=lambda: float(next(ticks)))
    assert run("{% $millis() = $millis() %}", runtime=runtime) is True


def test_partial_application_of_an_aws_function() -> None:
    """AWS functions can be partially applied like built-ins."""
    assert run("{% ($p := $partition(?, 2); $p([1, 2, 3])) %}") == [[1, 2], [3]]


# --- AWS's causes ----------------------------------------------------------------------------------------------


def test_undefined_cause() -> None:
    """Corpus: assign test_undefined_reference BASE_UNDEFINED_OUTPUT."""
    assert cause_of("{% $doesNotExist %}") == (
        "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."
    )


def test_undefined_cause_in_state() -> None:
    """Corpus: assign test_undefined_reference BASE_UNDEFINED_ASSIGN (prefix and field Assign/result)."""
    expression = compile_expression("{% $doesNotExist %}", field="Assign/result")
    with pytest.raises(QueryEvaluationError) as caught:
        expression.evaluate({"input": {}}, {})
    error = caught.value.in_state("State0", 2)
    assert (error.error, error.cause, getattr(error, "field", None)) == (
        "States.QueryEvaluationError",
        "An error occurred while executing the state 'State0' (entered at the event id #2). The JSONata expression "
        "'$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).",
        "Assign/result",
    )


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("{% true %}", "'true' specified for the field 'Items' returned an unexpected result type. Expected 'array', "
         "but was 'boolean' for value: true"),
        ("{% null %}", "'null' specified for the field 'Items' returned an unexpected result type. Expected 'array', "
         "but was 'null' for value: null"),
        ("{% 1 %}", "'1' specified for the field 'Items' returned an unexpected result type. Expected 'array', "
         "but was 'number' for value: 1"),
        ("{% {'foo': 'bar'} %}", "'{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result "
         "type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"),
        ("{% 'string' %}", "''string'' specified for the field 'Items' returned an unexpected result type. "
         "Expected 'array', but was 'string' for value: \"string\""),
    ],
)  # fmt: skip
def test_unexpected_result_type_cause(text: str, described: str) -> None:
    """Corpus: scenarios test_map_state_items_eval_jsonata_fail_{boolean,null,number,object,string}."""
    with pytest.raises(QueryEvaluationError) as caught:
        compile_template(text, field="Items").evaluate_as({"input": {}}, {}, "array")
    assert caught.value.cause == f"The JSONata expression {described}"


def test_unsupported_result_type_cause() -> None:
    """Corpus: scenarios test_map_state_items_eval_jsonata_fail_function."""
    with pytest.raises(QueryEvaluationError) as caught:
        compile_expression("{% $fn := function($x){$x} %}", field="Items").evaluate({"input": {}}, {})
    assert caught.value.cause == (
        "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported "
        "result type."
    )


def test_thrown_error_cause() -> None:
    """A JSONata error: code and JavaScript message after the field (format not recorded on AWS)."""
    assert cause_of("{% 'a' + 1 %}") == (
        "The JSONata expression ''a' + 1' specified for the field 'Output' threw an error during evaluation. "
        'T2001: The left side of the "+" operator must evaluate to a number'
    )


def test_state_cause_prefix() -> None:
    """The state prefix of every JSONata cause (corpus: every QueryEvaluationError case)."""
    assert state_cause("MapIterateState", 4, "Map state input must be an array but was: true") == (
        "An error occurred while executing the state 'MapIterateState' (entered at the event id #4). "
        "Map state input must be an array but was: true"
    )


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [(True, "boolean", "true"), (None, "null", "null"), (1, "number", "1"), ({"foo": "bar"}, "object", '{"foo":"bar"}'),
     ("string", "string", '"string"'), ([1, 2], "array", "[1,2]")],
)  # fmt: skip
def test_json_type_and_describe_value(value: Any, kind: str, text: str) -> None:
    """Type names and compact JSON as AWS prints them (corpus: test_map_state_items_input_types_*)."""
    assert (json_type(value), describe_value(value)) == (kind, text)


def test_evaluate_as_integer() -> None:
    """An integer field accepts integral numbers only."""
    expression = compile_expression("{% 1.5 %}", field="TimeoutSeconds")
    with pytest.raises(QueryEvaluationError, match=r"Expected 'integer', but was 'number' for value: 1\.5"):
        expression.evaluate_as({"input": {}}, {}, "integer")
    assert compile_expression("{% 3.0 %}").evaluate_as({"input": {}}, {}, "integer") == 3


# --- templates -------------------------------------------------------------------------------------------------


def test_template_evaluates_nested_expressions() -> None:
    """Expressions anywhere inside objects and arrays are evaluated; other values stay literal."""
    template = compile_template({"a": "{% $x %}", "b": [1, "{% $x + 1 %}", "$.not.a.path"], "c": {"d": True}})
    assert template.evaluate({"input": {}}, {"x": 1}) == {"a": 1, "b": [1, 2, "$.not.a.path"], "c": {"d": True}}


def test_template_field_paths_in_causes() -> None:
    """Nested fields are named with / as AWS does (corpus: BASE_UNDEFINED_ARGUMENTS_FIELD, Arguments/FunctionName)."""
    template = compile_template({"FunctionName": "{% $doesNotExist %}"}, field="Arguments")
    with pytest.raises(QueryEvaluationError) as caught:
        template.evaluate({"input": {}}, {})
    assert (caught.value.cause, caught.value.field) == (
        "The JSONata expression '$doesNotExist' specified for the field 'Arguments/FunctionName' returned nothing "
        "(undefined).",
        "Arguments/FunctionName",
    )


def test_template_array_items_are_numbered() -> None:
    """Array items get their index in the field path (AWS's spelling not recorded)."""
    template = compile_template([1, "{% $missing %}"], field="Items")
    with pytest.raises(QueryEvaluationError) as caught:
        template.evaluate({"input": {}}, {})
    assert caught.value.field == "Items/1"


def test_template_constant_subtrees_are_not_copied() -> None:
    """A sub-tree without expressions is returned as the same object."""
    constant = {"deep": [1, 2, {"x": "y"}]}
    result = compile_template({"c": constant, "e": "{% 1 %}"}).evaluate({"input": {}}, {})
    assert result["c"] is constant


def test_template_of_one_expression() -> None:
    """A whole-field expression is exposed as .expression; constants report is_constant."""
    assert compile_template("{% 1 %}").expression is not None
    assert compile_template({"a": 1}).is_constant is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% $states.input.a + $x %}", False),
        ({"a": "{% $states.result.Payload %}", "b": [1, "{% $states.errorOutput %}"]}, False),
        ("{% $states.context.Execution.Id %}", True),
        ({"a": 1, "b": ["{% $states %}"]}, True),
        ("{% $lookup($states, 'context') %}", True),
        ("{% ($s := $states; $s.context) %}", True),
        ({"a": "constant"}, False),
    ],
)
def test_uses_context(value: Any, expected: bool) -> None:
    """Templates tell whether $states.context may be read, so callers can skip building it."""
    assert compile_template(value).uses_context is expected


def test_template_compile_error_location() -> None:
    """A bad nested expression is reported at its place in the definition."""
    with pytest.raises(AslError, match=r"^States\.S\.Arguments\.a\[1\]: JSONata syntax error"):
        compile_template({"a": [1, "{% ( %}"]}, location="States.S.Arguments")
