"""Assertions on an execution: the calls it made (from its history), and failure messages that show the path
taken and a diff."""

from __future__ import annotations

import pytest

from sfnkit import run
from sfnkit.testing import Call, Return, Throw, assert_calls, assert_failed, assert_output, assert_path, calls, sequence

SNS = "arn:aws:states:::sns:publish"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:check"

FAN_OUT = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Check",
                "States": {
                    "Check": {
                        "Type": "Task",
                        "Resource": LAMBDA,
                        "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}],
                        "Next": "Tell",
                    },
                    "Tell": {"Type": "Task", "Resource": SNS, "Parameters": {"Message.$": "$.m"}, "End": True},
                },
            },
            "End": True,
        }
    },
}


def _fan_out(items: list[str]) -> object:
    return run(
        FAN_OUT,
        [{"m": item} for item in items],
        mocks={"Check": lambda call: call.parameters, "Tell": Return({"MessageId": "1"})},
    )


def test_calls_lists_every_task_call_with_its_state():
    """Each Task call, Map iterations included: state, full resource ARN, evaluated parameters."""
    execution = _fan_out(["a", "b"])
    assert calls(execution) == (
        Call(LAMBDA, {"m": "a"}, "Check"),
        Call(SNS, {"Message": "a"}, "Tell"),
        Call(LAMBDA, {"m": "b"}, "Check"),
        Call(SNS, {"Message": "b"}, "Tell"),
    )


def test_retries_are_calls_too():
    """A retried Task made two calls."""
    mocks = {"Check": sequence(Throw("Busy"), Return({"m": "a"})), "Tell": Return({})}
    assert [c.state for c in calls(run(FAN_OUT, [{"m": "a"}], mocks=mocks))] == ["Check", "Check", "Tell"]


def test_assert_calls_ignores_the_state_when_not_given():
    """An expected Call without a state matches the call of any state."""
    assert_calls(_fan_out(["a"]), [Call(LAMBDA, {"m": "a"}), Call(SNS, {"Message": "a"}, "Tell")])


def test_a_wrong_call_shows_the_diff():
    """The message lists expected and actual calls as a unified diff, after the path taken."""
    with pytest.raises(AssertionError) as caught:
        assert_calls(_fan_out(["a"]), [Call(LAMBDA, {"m": "b"})])
    assert str(caught.value).splitlines() == [
        "the calls differ",
        "path taken: Each -> Check -> Tell",
        "status:     SUCCEEDED",
        "--- expected",
        "+++ actual",
        "@@ -1 +1,2 @@",
        f'-{LAMBDA} {{"m": "b"}}',
        f'+{LAMBDA} {{"m": "a"}}',
        f'+Tell: {SNS} {{"Message": "a"}}',
    ]


def test_output_of_a_failed_execution_says_why():
    """assert_output on a failed execution reports the error instead of a diff."""
    execution = run(FAN_OUT, [{"m": "a"}], mocks={"Check": Throw("Broken", "no"), "Tell": Return({})})
    with pytest.raises(AssertionError, match=r"did not succeed, so it has no output\npath taken: Each -> Check\n"):
        assert_output(execution, [{}])
    assert_failed(execution, "Broken", "no")


def test_assert_path_passes_and_fails():
    """The exact path passes; another one fails with the diff."""
    execution = _fan_out(["a"])
    assert_path(execution, ["Each", "Check", "Tell"])
    with pytest.raises(AssertionError, match=r"(?s)took another path.*-Check\n\+Tell"):
        assert_path(execution, ["Each", "Check", "Check"])
