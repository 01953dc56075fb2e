"""sfnkit.validate: what AWS accepts passes, what it rejects is reported with location and advice."""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfnkit import ValidationError
from sfnkit.asl import schema
from sfnkit.errors import Problem
from sfnkit.validate import problems, validate

CONFORMANCE = sorted((Path(__file__).parent / "conformance" / "cases").glob("**/*.json"))

PASS_END = {"Type": "Pass", "End": True}


def machine(states: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A definition whose StartAt is its first state."""
    return {"StartAt": next(iter(states)), "States": states, **top}


def inline_map(inner: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A Map state whose processor is the single state ``Item``."""
    return {"Type": "Map", "ItemProcessor": {"StartAt": "Item", "States": {"Item": inner}}, "End": True, **fields}


class FakeMachine:
    """Stands in for sfnkit.machine.StateMachine: validate() only needs to_asl()."""

    def __init__(self, definition: dict[str, Any]):
        self.definition = definition

    def to_asl(self) -> dict[str, Any]:
        return self.definition


# --- what AWS accepts ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not CONFORMANCE, reason="tests/conformance/cases has not been copied in yet")
def test_every_conformance_definition_validates_clean():
    """All definitions AWS ran in the conformance corpus have no problems."""
    failures = {}
    for path in CONFORMANCE:
        found = problems(json.loads(path.read_text(encoding="utf-8"))["definition"])
        if found:
            failures[path.stem] = found
    assert failures == {}
    assert len(CONFORMANCE) == 987


def test_minimal_machine_is_valid():
    """One Succeed state is a complete machine."""
    assert problems({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}) == []


def test_validate_returns_none_when_valid():
    """validate() is silent for a valid definition."""
    assert validate(machine({"A": PASS_END})) is None


def test_validate_accepts_a_state_machine_object():
    """A StateMachine (anything with to_asl()) is validated through its ASL."""
    with pytest.raises(ValidationError, match=r"States\.A: A Pass state needs a transition"):
        validate(FakeMachine(machine({"A": {"Type": "Pass"}})))


def test_validate_accepts_a_real_state_machine():
    """A StateMachine read with from_asl validates clean."""
    from sfnkit import from_asl

    assert validate(from_asl(machine({"A": PASS_END}))) is None


def test_sfnkit_validate_is_the_function():
    """sfnkit.validate is the function (the module stays importable)."""
    import sfnkit

    assert sfnkit.validate is validate


def test_jsonata_credentials_may_be_an_expression():
    """In JSONata, Credentials may be a whole {% %} expression."""
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Credentials": "{% {'RoleArn': $states.input.role} %}",
        "End": True,
    }
    assert problems(machine({"T": task}, QueryLanguage="JSONata")) == []


def test_distributed_map_may_reuse_an_outer_variable():
    """A Distributed Map's child workflows cannot see outer variables, so they may assign the same names."""
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Item",
        "States": {"Item": {"Type": "Pass", "Assign": {"total": 1}, "End": True}},
    }
    states = {
        "Set": {"Type": "Pass", "Assign": {"total": 0}, "Next": "M"},
        "M": {"Type": "Map", "ItemProcessor": processor, "End": True},
    }
    assert problems(machine(states)) == []


def test_validate_rejects_other_types():
    """validate() says what it takes when given something else."""
    with pytest.raises(TypeError, match="takes a StateMachine or an ASL definition dict, not list"):
        validate([])


def test_null_paths_are_valid():
    """InputPath, OutputPath and ResultPath may be null (ASL gives null a meaning)."""
    state = {"Type": "Pass", "End": True, "InputPath": None, "ResultPath": None, "OutputPath": None}
    assert problems(machine({"A": state})) == []


def test_empty_fail_is_valid():
    """A Fail state needs neither Error nor Cause."""
    assert problems(machine({"F": {"Type": "Fail"}})) == []


def test_choice_without_default_is_valid():
    """Default is optional on a Choice state."""
    rules = [{"Variable": "$.x", "IsPresent": True, "Next": "D"}]
    assert problems(machine({"C": {"Type": "Choice", "Choices": rules}, "D": {"Type": "Succeed"}})) == []


def test_jsonata_state_in_jsonpath_machine_is_valid():
    """A JSONPath machine may contain JSONata states (incremental migration)."""
    state = {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.a %}", "End": True}
    assert problems(machine({"A": state})) == []


def test_nested_states_use_the_machine_language():
    """A state in a JSONata Map's processor of a JSONPath machine is JSONPath (the machine's language)."""
    inner = {"Type": "Pass", "End": True, "Parameters": {"x.$": "$.y"}}
    state = inline_map(inner, QueryLanguage="JSONata", Items="{% [1, 2] %}")
    assert problems(machine({"M": state})) == []


def test_tolerated_failure_on_inline_map_is_valid():
    """AWS accepted ToleratedFailureCount on an inline Map (conformance corpus), so validate does too."""
    state = inline_map(PASS_END, ToleratedFailureCount=1)
    assert problems(machine({"M": state})) == []


def test_sibling_branches_may_assign_the_same_variable():
    """Parallel branches are separate scopes: each may assign the same name."""
    branch = {"StartAt": "B{n}", "States": {"B{n}": {"Type": "Pass", "Assign": {"x": 1}, "End": True}}}
    branches = [json.loads(json.dumps(branch).replace("{n}", str(n))) for n in (1, 2)]
    assert problems(machine({"P": {"Type": "Parallel", "Branches": branches, "End": True}})) == []


def test_states_result_is_allowed_in_task_output():
    """$states.result may be read in a Task's Output and Assign."""
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Output": "{% $states.result.Payload %}",
        "Assign": {"r": "{% $states.result %}"},
        "End": True,
    }
    assert problems(machine({"T": task}, QueryLanguage="JSONata")) == []


def test_states_error_output_is_allowed_in_catch_output():
    """$states.errorOutput may be read in a catcher's Output."""
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "H", "Output": "{% $states.errorOutput %}"}]
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Catch": catch, "End": True}
    assert problems(machine({"T": task, "H": PASS_END}, QueryLanguage="JSONata")) == []


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:lambda:us-east-1:111111111111:function:f",
        "arn:aws:lambda:us-east-1:111111111111:function:f:live",
        "arn:aws:states:us-east-1:111111111111:activity:work",
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        "arn:aws-cn:states:::sns:publish",
    ],
    ids=["lambda", "lambda-alias", "activity", "invoke", "callback", "sync2", "sdk", "china"],
)
def test_task_resource_forms_are_accepted(resource: str):
    """Lambda, activity and service-integration ARNs are Task resources AWS accepts."""
    task = {"Type": "Task", "Resource": resource, "End": True}
    assert problems(machine({"T": task})) == []


# --- the field tables -------------------------------------------------------------------------------------------


def test_every_state_type_takes_type_comment_and_query_language():
    """Type, Comment and QueryLanguage are fields of all eight state types."""
    from sfnkit.asl.schema import STATE_FIELDS

    assert sorted(STATE_FIELDS) == ["Choice", "Fail", "Map", "Parallel", "Pass", "Succeed", "Task", "Wait"]
    assert all({"Type", "Comment", "QueryLanguage"} <= set(fields) for fields in STATE_FIELDS.values())


def test_choice_operator_table_has_every_operator():
    """39 comparison operators: 5 comparisons x 3 families x 2 forms, StringMatches, BooleanEquals(Path), 6 Is*."""
    from sfnkit.asl.schema import CHOICE_OPERATORS, Operand

    assert len(CHOICE_OPERATORS) == 39
    assert CHOICE_OPERATORS["TimestampLessThanEqualsPath"] is Operand.PATH
    assert CHOICE_OPERATORS["StringMatches"] is Operand.PATTERN
    assert CHOICE_OPERATORS["IsTimestamp"] is Operand.BOOLEAN


# --- how problems are reported ------------------------------------------------------------------------------------


def test_all_problems_are_reported_at_once():
    """Several broken states give one ValidationError listing each problem."""
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": -1}],
                "Next": "W",
            },
            "W": {"Type": "Wait", "Seconds": -5, "End": True},
        }
    )
    with pytest.raises(ValidationError) as raised:
        validate(definition)
    assert [p.location for p in raised.value.problems] == ["States.T.Retry[0].MaxAttempts", "States.W.Seconds"]
    assert str(raised.value).startswith(
        "The state machine definition has 2 problems:\n- States.T.Retry[0].MaxAttempts:"
    )


def test_problem_location_points_inside_a_branch():
    """A problem in a Parallel branch is located through Branches[i].States."""
    branch = {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Next": "Nope"}}}
    found = problems(machine({"Fan": {"Type": "Parallel", "Branches": [branch], "End": True}}))
    assert found[0].location == "States.Fan.Branches[0].States.Inner.Next"


def test_path_syntax_errors_carry_a_caret():
    """A bad path's message shows the text with a caret under the bad character."""
    found = problems(machine({"A": {"Type": "Pass", "End": True, "InputPath": "$.a..["}}))
    assert found == [Problem("States.A.InputPath", "Unclosed '[': add ']'.\n$.a..[\n     ^")]


def test_non_object_definition_is_one_problem():
    """A definition that is not a JSON object is reported, not crashed on."""
    assert problems("StartAt") == [  # type: ignore[arg-type]
        Problem("", "A state machine definition is a JSON object with StartAt and States; got a str.")
    ]


def test_definition_over_one_megabyte_is_rejected():
    """AWS accepts definitions up to 1 MB."""
    big = machine({"A": {"Type": "Pass", "Result": "x" * 1_100_000, "End": True}})
    assert problems(big) == [
        Problem("", "The definition is 1100069 bytes; AWS accepts at most 1 MB. Move large constants into the input.")
    ]


def test_size_bound_within_the_quota_skips_measuring():
    """A caller's size bound within 1 MB is trusted (to_json passes the length of the text it made)."""
    big = machine({"A": {"Type": "Pass", "Result": "x" * 1_100_000, "End": True}})
    assert problems(big, size_at_most=1_000) == []


def test_size_bound_over_the_quota_measures_the_compact_text():
    """A bound over 1 MB is only a bound: the compact size decides."""
    small = machine({"A": {"Type": "Pass", "Result": "x" * 1_000, "End": True}})
    assert problems(small, size_at_most=2_000_000) == []
    big = machine({"A": {"Type": "Pass", "Result": "x" * 1_100_000, "End": True}})
    assert validate_message(big, size_at_most=2_000_000) == (
        "The definition is 1100069 bytes; AWS accepts at most 1 MB. Move large constants into the input."
    )


def validate_message(definition: dict[str, Any], **options: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        validate(definition, **options)
    return caught.value.problems[0].message


def test_catcher_assign_of_a_map_is_an_outer_variable():
    """A Map's catcher assigns in the enclosing scope, so the processor may not assign that name."""
    inner = {"Type": "Pass", "Assign": {"err": 1}, "End": True}
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "H", "Assign": {"err.$": "$.Error"}}]
    found = problems(machine({"M": inline_map(inner, Catch=catch), "H": PASS_END}))
    assert [p.location for p in found] == ["States.M.ItemProcessor.States.Item.Assign.err"]


# --- size and shape -----------------------------------------------------------------------------------------------


def _chain(count: int) -> dict[str, Any]:
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(count - 1)}
    states[f"S{count - 1}"] = {"Type": "Pass", "End": True}
    return machine(states)


@pytest.fixture
def default_recursion_limit():
    """Python's default recursion limit for the test (an imported library may have raised it)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(previous)


@pytest.mark.usefixtures("default_recursion_limit")
def test_ten_thousand_state_chain_validates_quickly():
    """A 10,000-state chain validates in well under a second of CPU time, at the default recursion limit."""
    definition = _chain(10_000)
    started = time.process_time()
    assert problems(definition) == []
    assert time.process_time() - started < 1.0


@pytest.mark.usefixtures("default_recursion_limit")
def test_deeply_nested_choice_rule_validates():
    """A Choice rule nested 3,000 And levels deep is checked without recursion; its depth is past sfnkit's local
    bound on nesting (500 levels), which is reported where it is passed."""
    rule: dict[str, Any] = {"Variable": "$.x", "IsPresent": True, "Next": "D"}  # Next is wrong this deep
    for _ in range(3000):
        rule = {"And": [rule, {"Variable": "$.y", "IsNull": False}]}
    choice = {"Type": "Choice", "Choices": [{**rule, "Next": "D"}]}
    found = problems(machine({"C": choice, "D": {"Type": "Succeed"}}))
    depth = "States.C.Choices[0]" + ".And[0]" * 248 + ".And"
    assert [p.location for p in found] == [depth, "States.C.Choices[0]" + ".And[0]" * 3000 + ".Next"]
    assert "more than 500 levels deep" in found[0].message


def _best_cpu_time(definition: dict[str, Any]) -> float:
    """Best of three CPU times of problems(definition), the garbage collector paused (its passes are not ours)."""
    times = []
    gc.disable()
    try:
        for _ in range(3):
            started = time.process_time()
            problems(definition)
            times.append(time.process_time() - started)
    finally:
        gc.enable()
    return min(times)


def test_validation_time_is_linear_in_states():
    """Ten times the states takes far less than a hundred times as long."""
    small_time, large_time = _best_cpu_time(_chain(1_000)), _best_cpu_time(_chain(10_000))
    assert large_time < max(small_time, 0.005) * 30


def test_unreachable_tail_of_long_chain_is_found():
    """Reachability in a long chain is computed without recursion."""
    definition = _chain(5_000)
    definition["States"]["S2499"] = {"Type": "Pass", "End": True}
    found = problems(definition)
    assert len(found) == 2500
    assert found[0].location == "States.S2500"


# --- robustness -------------------------------------------------------------------------------------------------

_KEYS = st.sampled_from(
    ["StartAt", "States", "Type", "Next", "End", "Default", "Choices", "Branches", "ItemProcessor", "Iterator",
     "ProcessorConfig", "Mode", "Retry", "Catch", "ErrorEquals", "Assign", "Parameters", "x.$", "Variable",
     "StringEquals", "NumericEqualsPath", "And", "Not", "Resource", "QueryLanguage", "Output", "Seconds",
     "TimeoutSeconds", "Label", "ItemReader", "Credentials", "A", "B"]
)  # fmt: skip
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | st.sampled_from(
        ["$", "$.a", "$.a[*]", "A", "B", "Pass", "Task", "Map", "{% 1 %}", "{% (", "States.ALL", "JSONata"]
    )
)
_JSON = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=16
)
_STATE = st.fixed_dictionaries(
    {"Type": st.sampled_from(["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"])},
    optional={"Next": st.sampled_from(["A", "B", "C"]), "End": st.booleans()},
).flatmap(lambda state: st.dictionaries(_KEYS, _JSON, max_size=4).map(lambda extra: {**extra, **state}))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_KEYS, _JSON, max_size=5))
def test_problems_never_raises_on_arbitrary_json(definition: dict[str, Any]):
    """Any JSON object gives a list of Problems, never an exception."""
    assert all(isinstance(problem, Problem) for problem in problems(definition))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["A", "B", "C"]), _STATE, min_size=1, max_size=3))
def test_problems_never_raises_on_state_shaped_json(states: dict[str, Any]):
    """Definitions with typed states and random fields give Problems, never an exception."""
    assert all(isinstance(problem, Problem) for problem in problems({"StartAt": "A", "States": states}))


# --- the quick yes never hides a problem ------------------------------------------------------------------------

INVALID = sorted((Path(__file__).parent / "validation" / "invalid").glob("*.json"))
# Values that break one rule or another, put in place of each field of each state (and extra fields added).
ODD_VALUES: tuple[Any, ...] = (
    None, True, 0, -1, 1.5, 10**9, "", "x", "$", "$$.Execution.Id", "$.a[", "$.a[*]", "$x", "States.Format('{}', $.a)",
    "States.Bogus(", "{% $states.input %}", "{% 1 + %}", "2026-01-31T12:00:00Z", "arn:aws:states:::lambda:invoke",
    [], [{}], ["States.ALL"], {}, {"a.$": "$.b", "a": 1}, {"a.$": 1}, {"b.$": "$.c[?(@.d)]"},
    [{"Variable": "$.x", "NumericEquals": 1, "Next": "A"}], [{"Variable": "$.x", "StringMatches": "a\\b", "Next": "A"}],
    [{"Variable": "$.x", "IsPresent": True, "BooleanEquals": True, "Next": "A"}], [{"Variable": "$.x", "Next": "A"}],
)  # fmt: skip
EXTRA_FIELDS = ("End", "Next", "Default", "Comment", "Seconds", "SecondsPath", "TimeoutSeconds", "HeartbeatSeconds")


def corpus_states() -> list[tuple[dict[str, Any], str]]:
    """(state, machine query language) for every state of the conformance and invalid corpora."""
    from sfnkit.validate.blocks import _blocks

    found = []
    for path in [*CONFORMANCE, *INVALID]:
        definition = json.loads(path.read_text(encoding="utf-8"))["definition"]
        if not isinstance(definition, dict):
            continue
        language = "JSONata" if definition.get("QueryLanguage") == "JSONata" else "JSONPath"
        found.extend((body, language) for block in _blocks(definition) for _, body in block.states)
    return found


def state_problems(body: dict[str, Any], machine_language: str) -> list[Problem]:
    """What the full state checks say about *body*, as _check_block runs them."""
    from sfnkit.validate import _language_of
    from sfnkit.validate.blocks import _State
    from sfnkit.validate.states import _STATE_CHECKS

    state_type = body.get("Type")
    state = _State(
        name="S",
        body=body,
        where="States.S",
        type=state_type if state_type in schema.STATE_TYPES else None,
        language=_language_of(body, machine_language),
        machine_language=machine_language,
        outer_variables=frozenset(),
    )
    return [problem for check in _STATE_CHECKS for problem in check(state)]


def quick_yes(body: dict[str, Any], machine_language: str) -> bool:
    """The quick path's verdict on *body*."""
    from sfnkit.validate.quick import _QUICK_STATES, _quick_state

    return _quick_state(body, machine_language, _QUICK_STATES[machine_language])


def test_quick_yes_covers_most_corpus_states_and_only_clean_ones():
    """Every state the quick path passes has no problem, and it passes most valid JSONPath states."""
    states = corpus_states()
    passed = [(body, language) for body, language in states if quick_yes(body, language)]
    assert [body for body, language in passed if state_problems(body, language)] == []
    assert len(passed) > len(states) // 3


def test_quick_yes_never_passes_a_mutated_state_with_a_problem():
    """Each field of each corpus state replaced by odd values, or odd fields added: quick yes implies no problem."""
    hidden = []
    seen: set[str] = set()
    for body, language in corpus_states():
        shape = json.dumps([sorted(body), language])
        if shape in seen:  # one state per set of fields keeps this fast
            continue
        seen.add(shape)
        for key in [*body, *EXTRA_FIELDS]:
            for value in ODD_VALUES:
                mutated = {**body, key: value}
                if quick_yes(mutated, language) and state_problems(mutated, language):
                    hidden.append(mutated)
            without = {k: v for k, v in body.items() if k != key}
            if quick_yes(without, language) and state_problems(without, language):
                hidden.append(without)
    assert hidden == []
