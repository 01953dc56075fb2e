"""Property tests: on any JSON, compiled paths, rules and intrinsics fail only in the ways ASL defines."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfnkit.asl import intrinsics, paths, rules, scope, templates
from sfnkit.asl.failures import StatesError
from sfnkit.asl.intrinsics import FUNCTIONS, compile_intrinsic
from sfnkit.asl.paths import PathNotFound, compile_path, compile_reference_path
from sfnkit.asl.rules import COMPARISON_OPERATORS, TYPE_TESTS, compile_rule
from sfnkit.asl.scope import Json, Scope
from sfnkit.errors import AslError

NAMES = st.sampled_from(["a", "b", "c", "items", "x y", "é"])
SCALARS = st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False, allow_infinity=False)
JSON = st.recursive(
    SCALARS | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
    max_leaves=12,
)
STEP = st.one_of(
    NAMES.map(lambda n: f"['{n}']"),
    st.sampled_from(["a", "b", "c", "items"]).map(lambda n: f".{n}"),
    st.integers(-3, 3).map(lambda i: f"[{i}]"),
    st.sampled_from(["[*]", ".*", "[0:2]", "[-1:]", "[0,1]", "..a", "[?(@.a > 1)]", "[?(@.b)]", "['a','b']"]),
)
PATHS = st.lists(STEP, max_size=4).map(lambda steps: "$" + "".join(steps))
REFERENCE_STEP = st.one_of(NAMES.map(lambda n: f"['{n}']"), st.integers(0, 2).map(lambda i: f"[{i}]"))
REFERENCE_PATHS = st.lists(REFERENCE_STEP, min_size=1, max_size=4).map(lambda steps: "$" + "".join(steps))


@settings(max_examples=150, deadline=None)
@given(path=PATHS, data=JSON)
def test_paths_fail_only_with_path_not_found(path: str, data: Json) -> None:
    """Any path on any JSON either selects something or raises PathNotFound; indefinite paths give lists."""
    compiled = compile_path(path)
    try:
        found = compiled.find(Scope(data))
    except PathNotFound as missing:
        assert compiled.is_definite or "Multi properties" in missing.reason or "primitives" in missing.reason
        return
    if not compiled.is_definite:
        assert isinstance(found, list)


@settings(max_examples=100, deadline=None)
@given(path=REFERENCE_PATHS, data=JSON, value=JSON)
def test_inserted_value_is_found_again(path: str, data: Json, value: Json) -> None:
    """What ResultPath inserts, the same path finds; a conflict is a StatesError; the input is untouched."""
    before = repr(data)
    try:
        out = compile_reference_path(path).insert(data, value)
    except StatesError as error:
        assert error.error == "States.ReferencePathConflict"
        return
    assert compile_path(path).find(Scope(out)) == value
    assert repr(data) == before


RULE_OPERATORS = sorted(COMPARISON_OPERATORS - {"StringMatches"} - {op for op in COMPARISON_OPERATORS if "Path" in op})


@settings(max_examples=150, deadline=None)
@given(operator=st.sampled_from(RULE_OPERATORS), operand=SCALARS | st.text(max_size=3), value=JSON)
def test_rules_never_fail_on_values(operator: str, operand: Json, value: Json) -> None:
    """A rule either refuses its literal at compile time or answers True/False for any present value."""
    try:
        rule = compile_rule({"Variable": "$.v", operator: operand})
    except AslError:
        return
    assert rule(Scope({"v": value})) in (True, False)


@settings(max_examples=100, deadline=None)
@given(test=st.sampled_from(sorted(TYPE_TESTS)), expected=st.booleans(), value=JSON)
def test_type_tests_answer_for_any_value(test: str, expected: bool, value: Json) -> None:
    """Type tests hold for any present value, one way or the other."""
    assert compile_rule({"Variable": "$.v", test: expected})(Scope({"v": value})) in (True, False)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(sorted(FUNCTIONS)), args=st.lists(JSON, max_size=3))
def test_intrinsics_fail_only_with_intrinsic_failure(name: str, args: list[Json]) -> None:
    """Any intrinsic on any argument values returns JSON or fails with States.IntrinsicFailure."""
    data = {f"a{n}": arg for n, arg in enumerate(args)}
    text = f"{name}({', '.join(f'$.a{n}' for n in range(len(args)))})"
    try:
        call = compile_intrinsic(text)
    except AslError as error:
        assert "argument" in error.message
        return
    try:
        call(Scope(data))
    except StatesError as error:
        assert error.error == "States.IntrinsicFailure"


@pytest.mark.parametrize("module", [scope, paths, intrinsics, templates, rules], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    """The examples in the modules' docstrings hold."""
    assert doctest.testmod(module).failed == 0


PATH_ALPHABET = st.sampled_from(list("$.[]'\"*?@()=<>!&|,:-0123 abé\\/~"))
INTRINSIC_ALPHABET = st.sampled_from(list("States.FormatArrayHash()'{}\\$., 01-nul"))


@settings(max_examples=150, deadline=None)
@given(text=st.text(PATH_ALPHABET, max_size=14).map(lambda t: "$" + t))
def test_any_path_text_compiles_or_raises_asl_error(text: str) -> None:
    """Arbitrary path text either compiles or raises AslError with a position inside the text."""
    try:
        compile_path(text)
    except AslError as error:
        assert error.position is None or 0 <= error.position <= len(text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(INTRINSIC_ALPHABET, max_size=30).map(lambda t: "States." + t))
def test_any_intrinsic_text_compiles_or_raises_asl_error(text: str) -> None:
    """Arbitrary intrinsic text either compiles or raises AslError with a position inside the text."""
    try:
        compile_intrinsic(text)
    except AslError as error:
        assert error.position is None or 0 <= error.position <= len(text)
