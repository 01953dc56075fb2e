"""Shortcuts on the per-state path that must give what the general path gives.

- A small flat output (at most 16 scalars) is bounded without encoding it; a bound over the 256 KiB quota is
  measured exactly, so a large output still fails with ``States.DataLimitExceeded``.
- A JSONata Choice without an ``Output`` passes its input on: nothing to measure.
- Integer arithmetic and comparisons in compiled JSONata closures equal the engine's (doubles), also past 2**53.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfnkit
from sfnkit.asl.jsonata import compile_expression
from sfnkit.engine.loop import flat_size_bound, json_size

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)


@given(value=st.one_of(st.dictionaries(st.text(max_size=20), SCALARS, max_size=20), st.lists(SCALARS, max_size=20)))
def test_a_flat_bound_is_never_below_the_size(value: Any) -> None:
    bound = flat_size_bound(value)
    if bound is not None:
        assert bound >= json_size(value)


@pytest.mark.parametrize("value", [{"a": [1]}, [{"a": 1}], {"n": 10**30}, "text", 7, {str(i): i for i in range(17)}])
def test_nested_large_or_scalar_values_are_measured(value: Any) -> None:
    assert flat_size_bound(value) is None


def _jsonata(states: dict[str, Any], start: str) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states}


def test_a_large_flat_output_still_fails_the_quota() -> None:
    machine = _jsonata({"Big": {"Type": "Pass", "Output": "{% {'s': $pad('', 300000, 'x')} %}", "End": True}}, "Big")
    execution = sfnkit.run(machine, {})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")


def test_a_jsonata_choice_passes_its_input_on_unmeasured_and_unchanged() -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Done"}],
        "Default": "Done",
    }
    machine = _jsonata({"Route": choice, "Done": {"Type": "Succeed"}}, "Route")
    data = {"n": 2, "s": "é" * 100}
    execution = sfnkit.run(machine, data)
    assert execution.output == data
    exited = next(e for e in execution.history if e["type"] == "ChoiceStateExited")
    assert json.loads(exited["stateExitedEventDetails"]["output"]) == data


@pytest.mark.parametrize("op", ["+", "-", "*", "<", "<=", ">", ">="])
@pytest.mark.parametrize(
    ("a", "b"), [(5, 3), (2**53, 1), (2**53 - 1, 1), (-(2**53), -1), (2**60, 3), (3, 2**31), (10**20, 10**20)]
)
def test_integer_operators_equal_the_engine(op: str, a: int, b: int) -> None:
    compiled = compile_expression(f"{{% $states.input.a {op} $states.input.b %}}")
    engine_only = attrs.evolve(compiled, fast=None, path=None)
    states = {"input": {"a": a, "b": b}, "context": None}
    assert compiled.evaluate(states, {}) == engine_only.evaluate(states, {})
