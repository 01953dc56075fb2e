"""Inline mocks for run(mocks=): a fixed result, a sequence, an error with its cause, per-Map-item answers, or a
function of the call. A mocked result is the Task's result before ResultSelector/ResultPath/OutputPath, and each
invocation (retries, loops, Map iterations) is the next one, as in Step Functions Local (sfn-local-mock-cfg-file)."""

from __future__ import annotations

from typing import Any

import pytest

from sfnkit import lambda_fn, run, workflow
from sfnkit.testing import Return, TaskCall, Throw, per_iteration, sequence

SNS = "arn:aws:states:::sns:publish"


@lambda_fn
def score(event: dict[str, Any]) -> dict[str, Any]:
    """The real function: never called when mocked."""
    raise AssertionError("the real score() ran")


SCORING = workflow("Scoring", score)


def _task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": SNS, "Parameters": {"Message.$": "$.m"}, **fields}


PUBLISH = {
    "StartAt": "Publish",
    "States": {
        "Publish": _task(
            Retry=[{"ErrorEquals": ["SNS.Throttled"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            ResultSelector={"id.$": "$.MessageId"},
            End=True,
        ),
        "Failed": {"Type": "Pass", "End": True},
    },
}

FAN_OUT = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Publish",
                "States": {
                    "Publish": _task(
                        Retry=[{"ErrorEquals": ["SNS.Throttled"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                        Catch=[{"ErrorEquals": ["Bad"], "Next": "Skipped"}],
                        End=True,
                    ),
                    "Skipped": {"Type": "Pass", "Result": "skipped", "End": True},
                },
            },
            "End": True,
        }
    },
}


def test_a_mocked_lambda_returns_the_whole_invoke_response():
    """A @lambda_fn step keeps OutputPath $.Payload: the mock's Payload becomes the output, the function never runs."""
    execution = run(SCORING, {"x": 1}, mocks={"Score": Return({"StatusCode": 200, "Payload": {"score": 7}})})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"score": 7})


def test_return_payload_spells_an_invoke_response():
    """``Return.payload(v)`` is ``Return({"StatusCode": 200, "Payload": v})``."""
    assert Return.payload({"a": 1}) == Return({"StatusCode": 200, "Payload": {"a": 1}})


def test_a_result_goes_through_result_selector():
    """The mocked result is the service's answer: ResultSelector still picks from it."""
    execution = run(PUBLISH, {"m": "hi"}, mocks={"Publish": Return({"MessageId": "m-1", "Other": 0})})
    assert execution.output == {"id": "m-1"}


def test_a_thrown_error_is_caught_with_its_cause():
    """Throw fails the Task with Error and Cause; Catch (States.ALL) sees both."""
    execution = run(PUBLISH, {"m": "hi"}, mocks={"Publish": Throw("SNS.NotFound", "no such topic")})
    assert (execution.path, execution.output) == (
        ("Publish", "Failed"),
        {"m": "hi", "error": {"Error": "SNS.NotFound", "Cause": "no such topic"}},
    )


def test_a_sequence_answers_retries_in_turn():
    """A throttled first attempt is retried; the retry gets the second answer."""
    execution = run(
        PUBLISH,
        {"m": "hi"},
        mocks={"Publish": sequence(Throw("SNS.Throttled", "slow down"), Return({"MessageId": "2"}))},
    )
    failed = [e["taskFailedEventDetails"] for e in execution.history if e["type"] == "TaskFailed"]
    assert (execution.output, failed, execution.duration) == (
        {"id": "2"},
        [{"resourceType": "sns", "resource": "publish", "error": "SNS.Throttled", "cause": "slow down"}],
        1.0,
    )


def test_a_mock_function_sees_the_call():
    """A function mock gets the evaluated parameters, the invocation number, the retry count and the Map item."""
    seen: list[TaskCall] = []

    def answer(call: TaskCall) -> Any:
        seen.append(call)
        return {"MessageId": call.parameters["Message"]}

    execution = run(FAN_OUT, {"items": [{"m": "a"}, {"m": "b"}]}, mocks={"Publish": answer})
    assert (execution.output, seen) == (
        [{"MessageId": "a"}, {"MessageId": "b"}],
        [
            TaskCall(state="Publish", resource=SNS, parameters={"Message": "a"}, invocation=0, iteration=0),
            TaskCall(state="Publish", resource=SNS, parameters={"Message": "b"}, invocation=1, iteration=1),
        ],
    )


def test_an_exception_in_a_mock_function_fails_the_task_by_its_class_name():
    """As with a handler, a Python exception becomes the error named after its class."""

    def broken(call: TaskCall) -> Any:
        raise KeyError("topic")

    execution = run(PUBLISH, {"m": "hi"}, mocks={"Publish": broken})
    assert execution.output["error"] == {"Error": "KeyError", "Cause": "'topic'"}


@pytest.mark.parametrize("max_workers", [None, 4], ids=["sequential", "threads"])
def test_per_iteration_answers_by_map_item(max_workers: int | None):
    """Item 1 fails and is caught, item 2 is retried once; the same whichever order the iterations run in."""
    mocks = {
        "Publish": per_iteration(
            {1: Throw("Bad", "item 1"), 2: sequence(Throw("SNS.Throttled"), Return("retried"))},
            default=Return("ok"),
        )
    }
    items = {"items": [{"m": str(i)} for i in range(4)]}
    execution = run(FAN_OUT, items, mocks=mocks, max_workers=max_workers)
    assert execution.output == ["ok", "skipped", "retried", "ok"]


def test_per_iteration_outside_a_map_fails_the_execution():
    """A per-item answer for a state that is not in a Map is a mistake the execution reports."""
    execution = run(PUBLISH, {"m": "hi"}, mocks={"Publish": per_iteration([Return(1)])})
    assert (execution.error, execution.cause) == (
        "States.Runtime",
        "An error occurred while executing the state 'Publish' (entered at the event id #2). "
        "State 'Publish' has a per-iteration mock but does not run inside a Map iteration.",
    )


def test_each_run_starts_counting_again():
    """The same mocks give the same answers to two executions: invocations are counted per run."""
    mocks = {"Publish": sequence(Return({"MessageId": "first"}))}
    outputs = [run(PUBLISH, {"m": "x"}, mocks=mocks).output for _ in range(2)]
    assert outputs == [{"id": "first"}, {"id": "first"}]


def test_a_mocked_result_is_not_shared_with_the_caller():
    """Changing an execution's output leaves the mock's value alone."""
    value = {"MessageId": "m", "Other": [1]}
    mock = Return(value)
    value["Other"].append(2)
    execution = run(FAN_OUT, {"items": [{"m": "a"}, {"m": "b"}]}, mocks={"Publish": mock})
    execution.output[0]["Other"].append(3)
    assert (mock.value, execution.output[1]) == ({"MessageId": "m", "Other": [1]}, {"MessageId": "m", "Other": [1]})


def test_legacy_lambda_arns_answer_with_the_function_events():
    """A Task on a Lambda ARN takes the mocked value as the function's payload, with LambdaFunction* events."""
    definition = {
        "StartAt": "Fn",
        "States": {"Fn": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}},
    }
    ok = run(definition, {}, mocks={"Fn": Return({"done": True})})
    failed = run(definition, {}, mocks={"Fn": Throw("Oops", "broken")})
    assert (ok.output, [e["type"] for e in ok.history][2:5], failed.error, failed.cause) == (
        {"done": True},
        ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"],
        "Oops",
        "broken",
    )


def test_mocks_must_name_task_states():
    """A misspelt or non-Task state is reported with the machine's Task states, before anything runs."""
    with pytest.raises(
        ValueError, match=r"- 'Publsh' is not a Task state of this machine \(its Task states: 'Publish'\)"
    ):
        run(PUBLISH, {}, mocks={"Publsh": Return(1)})


def test_a_mock_must_be_a_mock():
    """A bare value says how to wrap it."""
    with pytest.raises(TypeError, match=r"'Publish': \{'MessageId': 'x'\} is not a mock; wrap a result as"):
        run(PUBLISH, {}, mocks={"Publish": {"MessageId": "x"}})


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Return({1, 2}), "a mocked Return must be a JSON value"),
        (lambda: Throw(3), "'error' must be <class 'str'>"),
        (lambda: sequence(), r"sequence\(\) needs at least one answer"),
        (lambda: sequence({"a": 1}), r"sequence\(\) answer 0 is \{'a': 1\}, not a mock"),
        (lambda: per_iteration({-1: Return(1)}), "keys are Map item indexes"),
    ],
    ids=["return-not-json", "throw-not-str", "empty-sequence", "sequence-value", "negative-item"],
)
def test_bad_mock_values_say_what_to_write(make: Any, message: str):
    """Building a mock from a wrong value fails where it is written."""
    with pytest.raises(TypeError, match=message):
        make()


def test_branches_inside_a_map_item_know_the_item():
    """A Parallel branch inside a Map iteration is still part of that item."""
    branch = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": SNS, "End": True}}}
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Both",
                    "States": {"Both": {"Type": "Parallel", "Branches": [branch], "End": True}},
                },
                "End": True,
            }
        },
    }
    execution = run(definition, [10, 20], mocks={"T": lambda call: call.iteration})
    assert execution.output == [[0], [1]]


def test_a_mock_returning_something_not_json_fails_the_execution():
    """A function mock's result must be JSON: the execution fails saying which state's mock returned what."""
    execution = run(PUBLISH, {"m": "hi"}, mocks={"Publish": lambda call: {1, 2}})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "The mock of state 'Publish' returned {1, 2}, which is not a JSON value" in (execution.cause or "")


def test_a_loop_takes_the_next_answer_each_pass():
    """Each pass of a loop is the next invocation: the egg hatches on the third warming, after two 60 s rests."""
    from sfnkit import choice, data, goto, succeed, wait, when

    @lambda_fn
    def warm_egg(event: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("the real warm_egg() ran")

    incubation = workflow(
        "Incubation",
        warm_egg
        >> choice(
            when(data.hatched == True, then=succeed(name="Hatched")),  # noqa: E712 - builds a Choice rule
            otherwise=wait(seconds=60, name="Rest") >> goto(warm_egg),
        ),
    )
    cold, hatched = Return.payload({"hatched": False}), Return.payload({"hatched": True})
    execution = run(incubation, {}, mocks={"WarmEgg": sequence(cold, cold, hatched)})
    assert (execution.path.count("WarmEgg"), execution.path[-1], execution.duration) == (3, "Hatched", 120.0)
