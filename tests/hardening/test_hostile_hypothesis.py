"""Property: whatever the definition or input, only sfnkit's own exceptions or an Execution come out.

Corpus definitions (the 987 recorded cases) are mutated at a random place (a value replaced by a hostile one, a
field dropped, a key renamed) and run through validate(), from_asl() and run(); valid ones also run on hostile
inputs. A few hundred examples run by default; ``make test-all`` runs more than 10,000 (marked slow).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sfnkit
from sfnkit import SfnkitError

CASES = Path(__file__).parent.parent / "conformance" / "cases"


@cache
def corpus() -> list[dict[str, Any]]:
    return [json.loads(path.read_text())["definition"] for path in sorted(CASES.glob("*/*.json"))]


def nested(depth: int, leaf: Any = 0) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 2**63, -1, 0, 99_999_999, 100_000_000, 1e308, -0.0, 0.5]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        [
            "$", "$$", "$.", "$..a", "$[*]", "$.a[", "{% %}", "{% $states.input %}", "{% [1..10000000] %}",
            "{% $match('aaaaaaaaaaaaaaaaaaaaaaaaaaaa!', /(a|aa)+$/) %}", "States.ArrayRange(0, 99999999999, 1)",
            "States.StringToJson($)", "States.Format('{}', $)", "\ud800", "a" * 300, "arn:aws:states:::nope",
            "*", "\\", "2016-03-14T01:59:00Z", "JSONata", "JSONPath", "DISTRIBUTED", "States.ALL",
        ]
    ),
)  # fmt: skip
shallow_values = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=8,
)
# Deep values are drawn as markers and built inside the test: Hypothesis would recurse printing them.
DEEP = {f"<deep {depth}>": depth for depth in (600, 1200, 3000)}
hostile_values = shallow_values | st.sampled_from(sorted(DEEP))


def materialize(value: Any) -> Any:
    """*value* with every deep marker replaced by a list nested that deep."""
    if isinstance(value, str) and value in DEEP:
        return nested(DEEP[value])
    if isinstance(value, dict):
        return {key: materialize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [materialize(item) for item in value]
    return value


def paths_in(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (iteratively), as key/index tuples."""
    found: list[tuple[Any, ...]] = []
    pending = [(value, here)]
    while pending:
        node, at = pending.pop()
        found.append(at)
        if isinstance(node, dict):
            pending.extend((child, (*at, key)) for key, child in node.items())
        elif isinstance(node, list):
            pending.extend((child, (*at, i)) for i, child in enumerate(node))
    return found


@st.composite
def mutated_definitions(draw: st.DrawFn) -> dict[str, Any]:
    definition = copy.deepcopy(draw(st.sampled_from(corpus())))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = paths_in(definition)
        place = places[draw(st.integers(min_value=0, max_value=len(places) - 1))]
        if not place:
            continue
        *parent_path, last = place
        parent = definition
        for key in parent_path:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "replace", "delete", "rename"]))
        if action == "replace":
            parent[last] = draw(hostile_values)
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["Type", "Next", "End", "Default", "Parameters", "X", "States", ""]))] = (
                parent.pop(last)
            )
    return definition


def echo(event: Any, *_: Any) -> Any:
    return event


HANDLERS: dict[str, Any] = {"lambdas": {}, "services": {}}


class Everything(dict):  # type: ignore[type-arg]
    """A lambdas/services mapping that binds every name to an echo handler."""

    def get(self, key: Any, default: Any = None) -> Any:
        return echo

    def __getitem__(self, key: Any) -> Any:
        return echo

    def __contains__(self, key: object) -> bool:
        return True


def run_hostile(definition: Any, data: Any) -> None:
    definition, data = materialize(definition), materialize(data)
    try:
        sfnkit.validate(definition)
    except SfnkitError:
        pass
    try:
        sfnkit.from_asl(definition)
    except SfnkitError:
        return
    try:
        execution = sfnkit.run(definition, data, lambdas=Everything(), services=Everything(), seed=1)
    except SfnkitError:
        return
    assert execution.status in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
    assert execution.history[-1]["type"].startswith("Execution")


# run() refuses an input too deep to encode with a ValueError saying so (API misuse, tested elsewhere): inputs
# here stay below that
hostile_inputs = shallow_values | st.sampled_from(["<deep 600>"])

DEFAULT = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
SLOW = settings(
    max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@DEFAULT
@given(definition=mutated_definitions(), data=hostile_inputs)
def test_mutated_definitions_raise_only_sfnkit_errors(definition: dict[str, Any], data: Any) -> None:
    run_hostile(definition, data)


@DEFAULT
@given(definition=st.sampled_from(corpus()), data=hostile_inputs)
def test_corpus_machines_on_hostile_inputs_fail_cleanly(definition: dict[str, Any], data: Any) -> None:
    run_hostile(definition, data)


@pytest.mark.slow
@SLOW
@given(definition=mutated_definitions(), data=hostile_inputs)
def test_mutated_definitions_raise_only_sfnkit_errors_many(definition: dict[str, Any], data: Any) -> None:
    run_hostile(definition, data)


@pytest.mark.slow
@SLOW
@given(definition=st.sampled_from(corpus()), data=hostile_inputs)
def test_corpus_machines_on_hostile_inputs_many(definition: dict[str, Any], data: Any) -> None:
    run_hostile(definition, data)
