"""Node's asl-validator and sfnkit.validate agree, except where asl-validator departs from AWS (listed below)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from asl_validator import asl_validator_errors, asl_validator_errors_many, available

from sfnkit.validate import problems

pytestmark = [pytest.mark.node, pytest.mark.skipif(not available(), reason="asl-validator is not installed")]

TESTS = Path(__file__).parent
CONFORMANCE = sorted((TESTS / "conformance" / "cases").glob("**/*.json"))
INVALID = sorted((TESTS / "validation" / "invalid").glob("*.json"))

# Definitions AWS ran (so accepted) that asl-validator 4.0 rejects: its JSON schema is narrower than AWS.
REJECTED_BY_ASL_VALIDATOR_ONLY = {
    **dict.fromkeys(
        [
            "test_output__test_base_output_any_non_dict_BOOL___get_execution_history",
            "test_output__test_base_output_any_non_dict_FLOAT___get_execution_history",
            "test_output__test_base_output_any_non_dict_INT___get_execution_history",
            "test_output__test_base_output_any_non_dict_LIST_EMPY___get_execution_history",
            "test_output__test_base_output_any_non_dict_LIST_RICH___get_execution_history",
            "test_output__test_base_output_any_non_dict_NULL___get_execution_history",
            "test_output__test_base_output_any_non_dict_STR_LIT___get_execution_history",
            "test_output__test_output_in_choice_CONDITION_FALSE___get_execution_history",
            "test_output__test_output_in_choice_CONDITION_TRUE___get_execution_history",
        ],
        "JSONata Output may be any JSON value; asl-validator wants an object or an expression",
    ),
    **dict.fromkeys(
        [
            "test_assign_base__test_base_cases_BASE_CONSTANT_LITERALS___get_execution_history",
            "test_assign_base__test_base_cases_BASE_VAR___get_execution_history",
        ],
        "Assign values may be arrays of literals; asl-validator rejects them",
    ),
    "test_base_scenarios__test_choice_condition_constant_jsonata__get_execution_history": (
        "a JSONata Condition may be the constant true/false; asl-validator wants a string"
    ),
    "test_base_scenarios__test_escape_sequence_parsing_ESCAPE_SEQUENCES_JSONATA_COMPARISON_OUTPUT"
    "___get_execution_history": "asl-validator's JSONata parser rejects an escape sequence AWS accepts",
    "test_base_scenarios__test_map_state_tolerated_failure_values_percentage_literal___get_execution_history": (
        "ToleratedFailurePercentage may be a fraction; asl-validator wants an integer"
    ),
}

# Invalid definitions (tests/validation/invalid) that asl-validator 4.0 accepts: rules AWS enforces (ASL-NOTES §10)
# that its schema does not check.
ACCEPTED_BY_ASL_VALIDATOR = {
    **dict.fromkeys(
        ["assign-invalid-name", "assign-name-too-long", "assign-not-object", "assign-outer-variable"],
        "no variable-name or scope rules",
    ),
    "assign-reserved-states": "does not reserve the name 'states'",
    "assign-duplicate-after-renaming": "Assign keys x and x.$ may clash",
    "choice-rule-output-in-jsonpath": "JSONata Output allowed in a JSONPath rule",
    "credentials-not-object": "Credentials shape not checked",
    "credentials-on-activity": "Credentials allowed on activity tasks",
    "credentials-role-arn-not-string": "Credentials shape not checked",
    "catch-unknown-field": "unknown catcher fields allowed",
    "result-writer-config-bad-value": "ItemReader / ResultWriter contents not checked",
    "intrinsic-nesting-over-ten": "intrinsic nesting depth not checked",
    "intrinsic-wrong-argument-count": "intrinsic argument counts not checked",
    "jsonata-item-reader-parameters": "ItemReader fields not checked per query language",
    "map-processor-config-unknown-field": "ProcessorConfig fields not checked",
    **dict.fromkeys(
        [
            "map-csv-given-without-headers",
            "map-csv-reader-without-header-location",
            "map-item-reader-resource",
            "map-json-reader-with-csv-header",
            "map-result-writer-resource",
        ],
        "ItemReader / ResultWriter contents not checked",
    ),
    "catch-result-path-in-jsonata": "does not check catcher fields per query language",
    "catch-states-all-not-last": "States.ALL position not checked in catchers",
    "choice-nested-rule-with-next": "nested rules may carry Next",
    "choice-string-matches-bad-escape": "StringMatches escapes not checked",
    "choice-timestamp-operand": "Timestamp* operands not checked as RFC 3339",
    "choice-with-end": "Choice may carry End",
    "credentials-missing-role-arn": "Credentials shape not checked",
    "credentials-unknown-field": "Credentials shape not checked",
    "fail-error-path-bad-intrinsic": "intrinsic syntax in ErrorPath not checked",
    "jsonata-error-output-outside-catch": "$states.errorOutput availability not checked",
    "jsonata-states-result-in-arguments": "$states.result availability not checked",
    "jsonata-states-result-in-pass": "$states.result availability not checked",
    "jsonpath-state-in-jsonata-machine": "JSONPath state in a JSONata machine allowed",
    "machine-timeout-not-positive": "machine TimeoutSeconds 0 allowed",
    "map-inline-with-execution-type": "ExecutionType with INLINE allowed",
    "map-item-batcher-without-limit": "ItemBatcher limits not required",
    "map-item-reader-bad-input-type": "ReaderConfig InputType not checked",
    "map-item-reader-inline": "distributed-only fields allowed on inline Maps",
    "map-label-forbidden-character": "Label characters not checked",
    "map-label-inline": "distributed-only fields allowed on inline Maps",
    "map-label-too-long": "Label length not checked",
    "map-result-writer-unknown-field": "ResultWriter fields not checked",
    "parallel-branch-unknown-field": "unknown branch fields allowed",
    "parallel-empty-branches": "empty Branches allowed (AWS: 'Value cannot be empty')",
    "parameters-not-object": "Parameters may be any value",
    "result-path-context-object": "ResultPath into $$ allowed",
    "retry-backoff-rate-below-one": "Retry ranges not checked",
    "retry-empty-error-equals": "empty ErrorEquals allowed",
    "retry-interval-zero": "Retry ranges not checked",
    "retry-jitter-invalid": "JitterStrategy values not checked",
    "retry-max-delay-too-large": "Retry ranges not checked",
    "retry-states-all-not-alone": "States.ALL rules not checked in retriers",
    "retry-states-all-not-last": "States.ALL rules not checked in retriers",
    "retry-unknown-field": "unknown retrier fields allowed",
    "state-name-control-character": "state name characters not checked",
    "task-heartbeat-not-below-timeout": "HeartbeatSeconds < TimeoutSeconds not checked",
    "task-resource-not-string": "a non-string Resource allowed",
    "version-not-1-0": "Version values not checked",
}


def _definition(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))["definition"]


def test_helper_accepts_a_valid_definition():
    """asl_validator_errors() is empty for a valid machine."""
    assert asl_validator_errors({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}) == []


def test_helper_reports_errors_with_their_codes():
    """asl_validator_errors() returns asl-validator's 'CODE: message' lines."""
    errors = asl_validator_errors({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    assert errors == [
        "MISSING_TRANSITION_TARGET: Missing 'StartAt'|'Next'|'Default' target: B",
        "MISSING_TERMINAL_STATE: State machine fsm1 is missing a terminal state",
    ]


@pytest.mark.skipif(not CONFORMANCE, reason="tests/conformance/cases has not been copied in yet")
def test_conformance_definitions_agree():
    """Both accept every AWS-run definition, except the ones asl-validator wrongly rejects."""
    results = asl_validator_errors_many([_definition(path) for path in CONFORMANCE])
    rejected = {path.stem for path, errors in zip(CONFORMANCE, results, strict=True) if errors}
    assert rejected == set(REJECTED_BY_ASL_VALIDATOR_ONLY)
    assert [path.stem for path in CONFORMANCE if problems(_definition(path))] == []


def test_invalid_definitions_agree():
    """Both reject every invalid corpus definition, except the rules asl-validator does not check."""
    results = asl_validator_errors_many([_definition(path) for path in INVALID])
    accepted = {path.stem for path, errors in zip(INVALID, results, strict=True) if not errors}
    assert accepted == set(ACCEPTED_BY_ASL_VALIDATOR)
