"""Property tests: random JSONata expressions from the supported subset never crash with an internal exception."""

from __future__ import annotations

import json
import math
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfnkit.asl.failures import StatesError
from sfnkit.asl.jsonata import Runtime, compile_expression, compile_template
from sfnkit.asl.jsonata_closures import PURE_FUNCTIONS
from sfnkit.asl.jsonata_values import js_number
from sfnkit.errors import AslError

NAMES = ["a", "b", "items", "name", "n"]
VARIABLES = ["v", "total", "flag"]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-1000, max_value=1000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=5),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(NAMES), children, max_size=4)
    ),
    max_leaves=12,
)

string_literals = st.text(alphabet="abc xyz-{}[]$0123", max_size=6).map(lambda s: "'" + s + "'")
number_literals = st.one_of(st.integers(min_value=-50, max_value=50).map(str), st.sampled_from(["0.5", "1.5", "2e3"]))
literals = st.one_of(number_literals, string_literals, st.sampled_from(["true", "false", "null", "[]", "{}"]))
paths = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(["", "", "", "[0]", "[-1]", "[1]"])), min_size=0, max_size=3
).map(lambda steps: "$states.input" + "".join(f".{name}{index}" for name, index in steps))
variables = st.sampled_from(VARIABLES).map(lambda name: "$" + name)

UNARY_FUNCTIONS = [
    "$string", "$number", "$length", "$uppercase", "$lowercase", "$trim", "$sum", "$count", "$max", "$min",
    "$average", "$keys", "$not", "$exists", "$boolean", "$abs", "$floor", "$ceil", "$round", "$sqrt", "$type",
    "$distinct", "$reverse", "$sort", "$spread", "$parse", "$base64encode", "$toMillis", "$fromMillis",
]  # fmt: skip
BINARY_FUNCTIONS = [
    "$substring", "$split", "$join", "$contains", "$append", "$partition", "$hash", "$power", "$round",
    "$substringBefore", "$substringAfter", "$lookup", "$merge", "$zip", "$formatBase",
]  # fmt: skip
OPERATORS = ["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or", "in"]


def expressions(depth: int) -> st.SearchStrategy[str]:
    """JSONata text from a grammar of the subset sfnkit supports in JSONata states."""
    leaves = st.one_of(literals, paths, variables, st.just("$random()"), st.just("$uuid()"), st.just("$millis()"))
    if depth == 0:
        return leaves
    inner = st.deferred(lambda: expressions(depth - 1))
    return st.one_of(
        leaves,
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.tuples(st.sampled_from(UNARY_FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(BINARY_FUNCTIONS), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(inner, inner, st.integers(min_value=-3, max_value=3)).map(
            lambda t: f"$range({t[0]}, {t[1]}, {t[2]})"
        ),
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(NAMES), inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"'{key}': {value}" for key, value in pairs) + "}"
        ),
        st.tuples(paths, st.integers(min_value=-2, max_value=2)).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(paths, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, st.integers(min_value=-20, max_value=20)).map(lambda t: f"-{t[0]} + {t[1]}"),
        inner.map(lambda text: f"($x := {text}; $x)"),
        inner.map(lambda text: f"$map([1, 2], function($e) {{ {text} }})"),
    )


def is_plain_json(value: Any) -> bool:
    """JSON as sfnkit promises it: plain containers, integral numbers as int, no engine markers."""
    if value is None or isinstance(value, (bool, str, int)):
        return type(value) in (type(None), bool, str, int)
    if isinstance(value, float):
        return math.isfinite(value) and not (value.is_integer() and abs(value) < 1e21)
    if type(value) is list:
        return all(is_plain_json(item) for item in value)
    if type(value) is dict:
        return all(isinstance(key, str) and is_plain_json(item) for key, item in value.items())
    return False


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=expressions(3), data=json_values, values=st.dictionaries(st.sampled_from(VARIABLES), json_values))
def test_random_expressions_only_fail_with_states_errors(text: str, data: Any, values: dict[str, Any]) -> None:
    """Evaluating any expression of the subset yields plain JSON or a StatesError, nothing else."""
    try:
        expression = compile_expression("{% " + text + " %}", field="Output")
    except AslError:
        return
    try:
        result = expression.evaluate({"input": data, "context": {}}, values, runtime=Runtime.seeded(0))
    except StatesError:
        return
    assert is_plain_json(result), result
    json.dumps(result)


@SETTINGS
@given(text=st.text(alphabet="$.()[]{}'\"+-*/%&<>=!?:;,0123456789abcdefstaein ", max_size=25))
def test_random_text_compiles_or_raises_asl_error(text: str) -> None:
    """Arbitrary text either compiles or raises AslError, and evaluating it only raises StatesError."""
    try:
        expression = compile_expression("{% " + text + " %}")
    except AslError:
        return
    try:
        expression.evaluate({"input": {"a": 1}, "context": {}}, {"v": [1, 2]})
    except StatesError:
        return


@SETTINGS
@given(value=json_values)
def test_constant_templates_return_the_same_object(value: Any) -> None:
    """A template without expressions returns the definition's own value."""
    template = compile_template(value)
    assert template.evaluate({"input": None}, {}) is value


@SETTINGS
@given(data=json_values)
def test_states_input_round_trips(data: Any) -> None:
    """$states.input returns the input (numbers normalised as JavaScript would)."""
    result = compile_expression("{% $states.input %}").evaluate({"input": data}, {})
    assert json.dumps(result, sort_keys=True) == json.dumps(_javascript_numbers(data), sort_keys=True)


def _javascript_numbers(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        if abs(value) <= 2**53:
            return int(value)
        return int(js_number(float(value))) if abs(value) < 1e21 else float(value)
    if isinstance(value, list):
        return [_javascript_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _javascript_numbers(item) for key, item in value.items()}
    return value


def _outcome(text: str, data: Any, values: dict[str, Any]) -> Any:
    try:
        return ("value", compile_expression(text).evaluate({"input": data, "context": {}}, values))
    except StatesError as error:
        return ("error", type(error).__name__)


steps = st.tuples(st.sampled_from(NAMES), st.lists(st.integers(min_value=-3, max_value=3), max_size=2)).map(
    lambda t: "." + t[0] + "".join(f"[{index}]" for index in t[1])
)


@SETTINGS
@given(
    head=st.sampled_from(["$states.input", "$v", "$total"]),
    keys=st.lists(steps, max_size=3),
    data=json_values,
    values=st.dictionaries(st.sampled_from(VARIABLES), json_values),
)
def test_plain_lookups_agree_with_the_engine(head: str, keys: list[str], data: Any, values: dict[str, Any]) -> None:
    """Simple paths ($states.input.a[0].b, $v.a) evaluated by plain lookups give what the JSONata engine gives."""
    path = head + "".join(keys)
    assert compile_expression("{% " + path + " %}")._path is not None
    assert _outcome("{% " + path + " %}", data, values) == _outcome("{% (" + path + ") %}", data, values)


CALLABLE = sorted(PURE_FUNCTIONS)


def fast_subset(depth: int) -> st.SearchStrategy[str]:
    """Expressions jsonata_fast compiles: literals, paths, operators, conditions, minus, parentheses, calls,
    array and object constructors."""
    leaves = st.one_of(
        number_literals,
        string_literals,
        st.sampled_from(["true", "false", "null"]),
        paths,
        variables,
        st.tuples(variables, st.sampled_from(NAMES)).map(lambda t: f"{t[0]}.{t[1]}"),
    )
    if depth == 0:
        return leaves
    inner = st.deferred(lambda: fast_subset(depth - 1))
    return st.one_of(
        leaves,
        st.tuples(st.sampled_from(CALLABLE), st.lists(inner, max_size=3)).map(lambda t: f"${t[0]}({', '.join(t[1])})"),
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(NAMES), inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"'{key}': {value}" for key, value in pairs) + "}"
        ),
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} ? {t[1]}"),
        inner.map(lambda text: f"({text})"),
        inner.map(lambda text: f"-({text})"),
    )


def _result(expression: Any, data: Any, values: dict[str, Any]) -> Any:
    try:
        value = expression.evaluate({"input": data, "context": {}}, values)
    except StatesError as error:
        return ("error", error.error, error.cause)
    return ("value", json.dumps(value, sort_keys=True))


@SETTINGS
@given(text=fast_subset(3), data=json_values, values=st.dictionaries(st.sampled_from(VARIABLES), json_values))
def test_compiled_closures_agree_with_the_engine(text: str, data: Any, values: dict[str, Any]) -> None:
    """Expressions compiled to plain-Python closures give the engine's results and errors."""
    try:
        expression = compile_expression("{% " + text + " %}", field="Output")
    except AslError:
        return
    engine_only = attrs.evolve(expression, fast=None, path=None)
    assert _result(expression, data, values) == _result(engine_only, data, values)


numbers = st.one_of(st.integers(min_value=-(2**60), max_value=2**60), st.floats(allow_nan=False, allow_infinity=False))


@SETTINGS
@given(left=numbers, right=numbers, op=st.sampled_from(["+", "-", "*", "/"]))
def test_number_arithmetic_agrees_with_jsonata_python(left: Any, right: Any, op: str) -> None:
    """The engine's direct arithmetic on two numbers gives jsonata-python's result or error."""
    from jsonata import Jsonata

    from sfnkit.asl.jsonata_engine import OPERATORS

    def outcome(method: Any) -> Any:
        try:
            return ("value", repr(method(OPERATORS, left, right, op)))
        except Exception as error:  # the same kind of failure is what matters
            return ("error", type(error).__name__, getattr(error, "error", None))

    assert outcome(type(OPERATORS).evaluate_numeric_expression) == outcome(Jsonata.evaluate_numeric_expression)


@SETTINGS
@given(pattern=st.text(alphabet="ab\\dwWbBsS$^[]()?<>=!:kcpAZ.*+{}|-0123", max_size=12))
def test_random_regex_literals_compile_or_raise_asl_error(pattern: str) -> None:
    """Any /pattern/ either compiles (and runs) or is an AslError: never an internal exception."""
    if "/" in pattern or pattern.endswith("\\"):
        return
    try:
        expression = compile_expression("{% $contains('ab$c\\nd', /" + pattern + "/) %}")
    except AslError:
        return
    try:
        expression.evaluate({"input": {}}, {})
    except StatesError:
        return


@SETTINGS
@given(
    text=st.sampled_from(
        [
            "$merge([$states.input, {'last': {'v': $states.input.a, 'k': 1}}])",
            "$merge([$states.input.a, $states.input.b, {'n': 1}])",
            "$merge([$states.input.items, {'n': 2}])",
            "$merge([])",
            "$merge([$states.input, $v])",
        ]
    ),
    data=st.dictionaries(st.sampled_from(NAMES), json_values, max_size=4),
    values=st.dictionaries(st.sampled_from(VARIABLES), json_values),
)
def test_merge_of_objects_agrees_with_the_engine(text: str, data: Any, values: dict[str, Any]) -> None:
    """$merge of an array constructor (merged directly when every item is an object) gives the engine's result
    or error (T0412 for an item that is not an object)."""
    expression = compile_expression("{% " + text + " %}", field="Output")
    engine_only = attrs.evolve(expression, fast=None, path=None)
    assert _result(expression, data, values) == _result(engine_only, data, values)
