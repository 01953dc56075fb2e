"""sfnkit's own parser for the fast subset (``jsonata_parser``) against the route through jsonata-python's tree.

For every text the fast parser accepts, jsonata-python must accept it too, find the same simple path and the same
``$states.context`` use, and its tree's closure (``jsonata_fast.compile_fast``) must give the same values, the same
errors (code, message and position) and ask for the engine on the same data. Texts it rejects go to jsonata-python
unchanged, so their results and errors are the engine's by construction. The texts: every expression of the
conformance corpora, hand-picked corners of JSONata's syntax, and generated ones.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfnkit.asl.jsonata import compile_expression
from sfnkit.asl.jsonata_closures import NeedEngine
from sfnkit.asl.jsonata_engine import OPERATORS, function
from sfnkit.asl.jsonata_messages import jsonata_message
from sfnkit.asl.jsonata_parser import parse_fast
from sfnkit.asl.jsonata_python import JException
from sfnkit.asl.jsonata_syntax import CompileError, parse, parse_with_engine
from sfnkit.asl.jsonata_values import NULL
from sfnkit.errors import AslError

TESTS = Path(__file__).parent.parent
CORPORA = (TESTS / "conformance" / "cases", TESTS / "conformance_services" / "cases")


def _expressions(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith("{%") and value.endswith("%}") and len(value) > 4:
            yield value[2:-2]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)


def _corpus() -> dict[str, list[Any]]:
    """Each expression text of the corpora, with the inputs of the cases it appears in."""
    found: dict[str, list[Any]] = {}
    for folder in CORPORA:
        for file in sorted(folder.rglob("*.json")):
            case = json.loads(file.read_text())
            for body in _expressions(case.get("definition", case)):
                inputs = found.setdefault(body, [])
                if len(inputs) < 3 and case.get("input") not in inputs:
                    inputs.append(case.get("input"))
    return found


def _written() -> set[str]:
    """Each ``{% %}`` text the test suite's own modules write (string constants, f-strings' literal parts aside)."""
    found = set()
    for file in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.update(_expressions(node.value))
    return found


CORPUS = _corpus()
WRITTEN = sorted(_written() - set(CORPUS))

DATA: list[Any] = [
    None,
    {},
    {"a": 1, "b": "x", "v": 2, "n": 3, "items": [{"a": 1, "price": 2}, {"a": "s", "price": 3.5}], "name": "n"},
    {"a": [1, [2, 3]], "b": None, "v": "7", "items": [], "n": -0.5},
    {"a": {"b": {"c": True}}, "b": [None, 1], "v": [1, 2], "items": [{"a": [1]}, 2], "n": 1e300},
    [1, 2, 3],
    "text",
    12,
]
VARIABLES: list[dict[str, Any]] = [
    {},
    {"v": 1, "total": 2.5, "flag": True, "x": "s", "a": None},
    {"v": [1, None], "total": {"a": 1}, "flag": None, "x": [{"a": 1}], "count": 1},  # $count hidden by a variable
]


def _shape(value: Any) -> Any:
    """A value with its types spelled out (1 and 1.0 and True differ; NULL is JSON null, None undefined)."""
    if value is NULL:
        return "null"
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return ("list", type(value).__name__, [_shape(item) for item in value])
    if callable(value):
        return "function"
    return (type(value).__name__, repr(value))


def _outcome(closure: Any, states: dict[str, Any], variables: dict[str, Any]) -> Any:
    try:
        return ("value", _shape(closure(states, variables)))
    except NeedEngine:
        return ("engine",)
    except JException as error:
        return ("error", error.error, jsonata_message(error), error.location)
    except Exception as error:
        return ("python", type(error).__name__, str(error))


def check(body: str, inputs: list[Any] = DATA) -> bool:
    """Assert that the two routes agree on *body*; whether the fast parser accepted it."""
    fast = parse_fast(body, OPERATORS, function)
    if fast is None:
        return False
    engine = parse_with_engine(body)
    assert not isinstance(engine, CompileError), f"{body!r}: fast parser accepted, jsonata-python says {engine}"
    assert engine.fast is not None, f"{body!r}: jsonata-python's tree is beyond the fast subset"
    assert (fast.path, fast.uses_context) == (engine.path, engine.uses_context), body
    for data in inputs:
        states = {"input": data, "context": {"Execution": {"Id": "e"}}, "result": data}
        for variables in VARIABLES:
            assert _outcome(fast.closure, states, variables) == _outcome(engine.fast, states, variables), (
                body,
                data,
                variables,
            )
    return True


def test_every_corpus_expression_agrees() -> None:
    accepted = sum(check(body, [*inputs, *DATA]) for body, inputs in CORPUS.items())
    assert len(CORPUS) > 50  # the corpora were found
    assert accepted > len(CORPUS) // 2  # most real expressions skip jsonata-python's parser


def test_every_expression_the_tests_write_agrees() -> None:
    accepted = sum(check(body) for body in WRITTEN)
    assert len(WRITTEN) > 150
    assert accepted > len(WRITTEN) // 3


CORNERS = [
    # numbers: exponents, -0, big integers, folding of unary minus, fractions as indexes
    "1e3", "1E+2", "2.5e-3", "-0", "- 0", "--1", "-(1)", "12345678901234567890", "1e308", "0.1 + 0.2", "-$v",
    "$states.input.items[-1]", "$states.input.items[--1]", "$states.input.items[0.5]", "$states.input.a[0][1]",
    "$states.input.items[1e0].price", "$states.input.a[- 1]",
    # strings: both quotes, escapes, unicode
    "'it''s'", '"a\\"b"', "'a\\nb\\t\\\\\\/'", '"\\u00e9\\u0041"', "'x\\u12'", "'\\q'", "'a\\'b'", "\"'\"", "'\"'",
    "'multi\nline'", "'{% %}'",
    # comments and whitespace
    "/* c */ $v", "$v /* c */", "$v /* c */ ", "$v /* unclosed", "$v/**/+1", "$v\t+\n1\r", "/* a */ /* b */ 1",
    "$v /* * / */ + 1",
    # variables and names: $, $$, backticks, keywords and literals as names, odd characters
    "$", "$$", "$$.a", "$states", "$states.context", "$states.input.`a b`", "$states.input.`and`", "$v.and",
    "$v.or.in", "$v.true", "$v.null", "$v.1", "$v.'a'", '$v."b c"', "$v.a'b", "$a$b", "$v.`x`[0]", "a", "`a`",
    "and", "$v.a.b.c.d.e", "$states.input.context", "$states.context.Execution.Id", "$states.`context`.x",
    "$states.input.$v", "$v.*", "$v.**", "$v.%", "$v.a.(b)", "$v[0]", "$v[0].a", "$v.a[]", "$v.a[$x]",
    # precedence and associativity
    "1 + 2 * 3", "(1 + 2) * 3", "10 - 4 - 3", "2 * 3 % 4", "1 < 2 = true", "1 = 1 and 2 = 2 or false",
    "true or false and false", "$v & 'a' & 1", "'a' in ['a'] and true", "-$v.a + 1", "-$count([1]) * 2",
    "$v > 1 ? 'a' : $v > 0 ? 'b' : 'c'", "$v ? $v ? 1 : 2 : 3", "$v ? 1", "$v ?: 2 + 3", "$v ?? $total ?? 3",
    "$v = 1 ?: 2", "1 - -1", "1--1", "1-1", "$v-1", "$v.a-1",
    # constructors and calls
    "[]", "{}", "[[1, 2], ([3]), $v]", "[1, [2], [[3]]]", "{'a': 1, 'b': [$v], \"c\": {'d': null}}", "{'a': 1, 'a': 2}",
    "{a: 1}", "{('a'): 1}", "{'a' & 'b': 1}", "$merge([$states.input, {'last': {'v': $states.input.v, 'k': 7}}])",
    "$count($states.input.items) + $sum([1, 2])", "$string(1e21)", "$substring('abc', 1)", "$not(true)",
    "$uuid()", "$now()", "$random()", "$count()", "$nosuch(1)", "$states.input.f(1)", "$count($v)[0]",
    "$exists($v.a) ? $v.a : 0", "$lowercase('A') & $uppercase('b')",
    # beyond the subset or not JSONata
    "[1..3]", "$x := 1", "$v ~> $count()", "$v{'a': 1}", "$v^(a)", "$v@$e", "$v#$i", "/re/", "$v / /re/",
    "function($x) {$x}", "$map([1], function($x) {$x})", "($v; 1)", "(1;)", "()", "1 2", "$v.", "(", "[1,", "{'a'",
    "'open", "`open", "1 +", "$v !", "~", "1 ! 2", "** 1", "% 1", "* 1", "1 | 2", "1 : 2", "?", "$v[", "$v.a[0",
    "$v.a.", "..", "1.5.3", "1e999", "01", "1a", "$v.a[1 + 1]", "$v.a[true]", "$v.a['x']",
]  # fmt: skip


@pytest.mark.parametrize("body", CORNERS)
def test_corners_of_the_syntax_agree(body: str) -> None:
    check(body)


def test_the_common_subset_skips_jsonata_pythons_parser() -> None:
    """The expressions the benchmarks and most states use are compiled without the engine's tree."""
    for body in [
        "$merge([$states.input, {'last': {'v': $states.input.v, 'k': 7}}]) /* salt */ ",
        "$states.input.x >= 150",
        "{'i': $states.input.i + 1}",
        "$states.input.items[0].id",
        "$count($states.input.items) > 0 ? 'some' : 'none'",
    ]:
        assert check(body), body
        parsed = parse(body)
        assert not isinstance(parsed, CompileError) and parsed._ast is None, body


@pytest.mark.parametrize(
    "body", ["(" * 3000 + "1" + ")" * 3000, "-" * 3000 + "1", "[" * 3000 + "]" * 3000, "1+1" * 9000]
)
def test_texts_too_deep_are_left_to_jsonata_python(body: str) -> None:
    """Deep nesting never fails inside the fast parser: jsonata-python's parser decides (an AslError, as before)."""
    assert parse_fast(body, OPERATORS, function) is None
    with pytest.raises(AslError, match="JSONata syntax error"):
        compile_expression("{% " + body + " %}")


def test_texts_of_ordinary_depth_are_read() -> None:
    assert check("1" + " + $v" * 90)
    assert check("(" * 30 + "$count([" * 10 + "1" + "])" * 10 + ")" * 30)


def test_the_engine_tree_is_parsed_when_data_needs_it() -> None:
    """A fast-parsed expression whose data needs the engine (nested arrays on a path) parses it then."""
    expression = compile_expression("{% $states.input.a.b /* needs the engine once */ %}")
    assert expression._parsed._ast is None
    assert expression.evaluate({"input": {"a": {"b": 2}}}, {}) == 2
    assert expression._parsed._ast is None
    assert expression.evaluate({"input": {"a": [[{"b": 1}], [{"b": 2}]]}}, {}) == [1, 2]
    assert expression._parsed._ast is not None


# Generated texts: the subset's grammar with its lexical corners, plus arbitrary text near it.

_names = st.sampled_from(["a", "b", "v", "n", "items", "price", "`a b`", "and", "in", "'a'", '"b"', "context"])
_numbers = st.sampled_from(["0", "1", "2", "-1", "0.5", "1e3", "2E-1", "-0", "12345678901234567890", "1.5"])
_strings = st.sampled_from(["''", "'a'", '"b"', "'a\\nb'", '"\\u0041"', "'1'", "'x y'", "'\\\"'"])
_heads = st.sampled_from(["$states.input", "$states", "$states.context", "$v", "$total", "$flag", "$x", "$count"])
_indexes = st.sampled_from(["", "", "", "[0]", "[-1]", "[1]", "[0][0]"])
_paths = st.tuples(_heads, st.lists(st.tuples(_names, _indexes), max_size=3)).map(
    lambda t: t[0] + "".join(f".{name}{index}" for name, index in t[1])
)
_leaves = st.one_of(_numbers, _strings, st.sampled_from(["true", "false", "null"]), _paths)
_binary = st.sampled_from(
    ["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or", "in", "?:", "??"]
)
_functions = st.sampled_from(["count", "string", "merge", "sum", "substring", "exists", "not", "append", "keys"])
_gaps = st.sampled_from([" ", " ", "", "\n", " /* c */ "])


def _texts(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return _leaves
    inner = st.deferred(lambda: _texts(depth - 1))
    return st.one_of(
        _leaves,
        st.tuples(inner, _gaps, _binary, _gaps, inner).map("".join),  # no parentheses: precedence decides
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} ? {t[1]}"),
        inner.map(lambda text: f"-{text}"),
        inner.map(lambda text: f"({text})"),
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(["'a'", '"b"', "'c d'"]), inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"
        ),
        st.tuples(_functions, st.lists(inner, max_size=2)).map(lambda t: f"${t[0]}({', '.join(t[1])})"),
    )


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(body=_texts(3))
def test_generated_expressions_agree(body: str) -> None:
    check(body)


@SETTINGS
@given(body=st.text(alphabet="$.()[]{}'\"`+-*/%&<>=!?:;,0123456789eabv nd\\", max_size=20))
def test_arbitrary_text_is_accepted_only_as_jsonata_python_reads_it(body: str) -> None:
    check(body)
