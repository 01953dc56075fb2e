"""The data layer alone against the AWS recordings: Choice rules and intrinsic-function Pass states.

The ``choice_operators`` cases are one Choice rule whose outcome shows in the output; the JSONPath
``intrinsic_functions`` cases are a Pass state whose Parameters call intrinsics. Both can be evaluated with
``compile_rule`` / ``compile_payload_template`` directly, without the interpreter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sfnkit.asl.paths import compile_path, compile_reference_path
from sfnkit.asl.rules import compile_rule
from sfnkit.asl.scope import Json, Scope
from sfnkit.asl.templates import compile_payload_template

CASES = Path(__file__).parent.parent / "conformance" / "cases"
_TOKEN = re.compile(r"<[A-Za-z_][A-Za-z0-9_:.\-]*>")

# Note: the recording "test_array_unique" ran the ARRAY_LENGTH template (LocalStack's test passed the wrong
# one), so that case checks ArrayLength.
CONTEXT: dict[str, Json] = {
    "Execution": {
        "Id": "arn:aws:states:us-east-1:111111111111:execution:machine-name:run-name",
        "Name": "run-name",
        "StartTime": "2024-01-01T00:00:00.000Z",
        "RoleArn": "arn:aws:iam::111111111111:role/role",
        "RedriveCount": 0,
    },
    "StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:machine-name", "Name": "machine-name"},
    "State": {"Name": "State_0", "EnteredTime": "2024-01-01T00:00:00.000Z", "RetryCount": 0},
}


def _context(execution_input: Json) -> Json:
    return {**CONTEXT, "Execution": {**CONTEXT["Execution"], "Input": execution_input}}


def _load(group: str) -> list[dict[str, Json]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted((CASES / group).glob("*.json"))]


def _matches(expected: Json, actual: Json, bare: frozenset[str]) -> bool:
    """Recorded value vs ours, with the corpus's placeholders (<token>, bare words) as wildcards."""
    if isinstance(expected, str) and (expected in bare or _TOKEN.fullmatch(expected)):
        return True
    if isinstance(expected, str) and _TOKEN.search(expected):
        pattern = ".+?".join(re.escape(part) for part in _TOKEN.split(expected))
        return isinstance(actual, str) and re.fullmatch(pattern, actual, re.S) is not None
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(_matches(value, actual[key], bare) for key, value in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(_matches(e, a, bare) for e, a in zip(expected, actual, strict=True))
        )
    return type(expected) is type(actual) and expected == actual


CHOICE = _load("choice_operators") if CASES.is_dir() else []
INTRINSIC = [
    case
    for case in (_load("intrinsic_functions") if CASES.is_dir() else [])
    if "jsonata" not in case["features"]  # type: ignore[operator]
]


@pytest.mark.parametrize("case", CHOICE, ids=[str(case["name"]) for case in CHOICE])
def test_choice_rule_outcome(case: dict[str, Json]) -> None:
    """The recorded Choice outcome is what compile_rule decides on the recorded input."""
    definition = case["definition"]
    (choice,) = definition["States"][definition["StartAt"]]["Choices"]
    rule = {key: value for key, value in choice.items() if key != "Next"}
    expected = case["expected"]["output"]["TestResult.$"] == choice["Next"]
    assert compile_rule(rule)(Scope(case["input"], _context(case["input"]))) is expected


@pytest.mark.parametrize("case", INTRINSIC, ids=[str(case["name"]) for case in INTRINSIC])
def test_intrinsic_pass_state_output(case: dict[str, Json]) -> None:
    """A Pass state's Parameters (intrinsics), then ResultPath and OutputPath, give the recorded output."""
    definition = case["definition"]
    (state,) = definition["States"].values()
    data = case["input"]
    context = _context(data)
    result = compile_payload_template(state["Parameters"], field="Parameters")(Scope(data, context))
    output = compile_reference_path(state.get("ResultPath", "$")).insert(data, result)
    output = compile_path(state.get("OutputPath", "$")).find(Scope(output, context))
    assert _matches(case["expected"]["output"], output, frozenset(case["placeholders"]))


def test_the_corpus_is_there() -> None:
    """Both groups are present in full (491 Choice cases, 131 JSONPath intrinsic cases)."""
    assert (len(CHOICE), len(INTRINSIC)) == (491, 131)
