"""fn.invoke: a @lambda_fn invoked as Lambda's synchronous Invoke answers (push model)."""

from __future__ import annotations

import json
import time

import pytest

from sfnkit import lambda_fn
from sfnkit.clock import VirtualClock
from sfnkit.lambdas import InvokeResult

START = 1_717_200_000.0  # 2024-06-01T00:00:00Z


@lambda_fn(timeout=5, memory=256)
def describe(event, context):
    """Report what the runtime handed over."""
    time.sleep(1.5)
    return {
        "event": event,
        "left_ms": context.get_remaining_time_in_millis(),
        "name": context.function_name,
        "version": context.function_version,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "group": context.log_group_name,
        "stream": context.log_stream_name,
        "request": context.aws_request_id,
    }


@lambda_fn
def sleepy(event):
    """Sleep past Lambda's default 3-second timeout."""
    time.sleep(10)
    return "never"


class OutOfDragons(Exception):
    """Raised by a handler."""


@lambda_fn
def broken(event):
    raise OutOfDragons(f"no dragon named {event['name']}")


def test_invoke_returns_the_payload_as_through_json():
    """The event reaches the handler as JSON carries it, and the answer is what came back through JSON."""
    result = describe.invoke({"eggs": (1, 2), "name": "Smaug"}, clock=VirtualClock(START))
    assert (result.ok, result.function_error, result.payload["event"]) == (
        True,
        None,
        {"eggs": [1, 2], "name": "Smaug"},
    )


def test_context_is_the_runtimes():
    """The context carries the function's name, ARN, memory (a string, as the runtime reads it) and log names."""
    result = describe.invoke({}, clock=VirtualClock(START))
    payload = result.payload
    assert {k: payload[k] for k in ("name", "version", "arn", "memory", "group")} == {
        "name": "Describe",
        "version": "$LATEST",
        "arn": "arn:aws:lambda:us-east-1:123456789012:function:Describe",
        "memory": "256",
        "group": "/aws/lambda/Describe",
    }
    assert (payload["request"], payload["stream"]) == (
        result.request_id,
        f"2024/06/01/[$LATEST]{result.request_id.replace('-', '')}",
    )


def test_remaining_time_counts_down_from_the_functions_timeout():
    """get_remaining_time_in_millis counts down from timeout=5 on the virtual clock (the handler slept 1.5 s)."""
    assert describe.invoke({}, clock=VirtualClock(START)).payload["left_ms"] == 3500


def test_timeout_is_lambdas_sandbox_timedout():
    """Past the default 3 s timeout the answer is Lambda's Sandbox.Timedout error document (as AWS's CLI shows it:
    FunctionError "Unhandled", errorType first, "RequestId: <id> Error: Task timed out after 3.00 seconds")."""
    result = sleepy.invoke({})
    assert (result.function_error, result.error_type, result.raw) == (
        "Unhandled",
        "Sandbox.Timedout",
        b'{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: '
        + result.request_id.encode()
        + b' Error: Task timed out after 3.00 seconds"}',
    )


def test_timeout_on_the_real_clock():
    """On the real clock a handler past its timeout is abandoned at the deadline."""

    @lambda_fn(timeout=1)
    def stuck(event):
        import threading

        threading.Event().wait(3)

    assert stuck.invoke({}, clock="real").error_type == "Sandbox.Timedout"


def test_exception_is_the_runtimes_error_document():
    """A raised exception answers the Python runtime's document: errorMessage, errorType, requestId, stackTrace."""
    result = broken.invoke({"name": "Puff"})
    assert (result.function_error, sorted(result.payload), result.error_type, result.error_message) == (
        "Unhandled",
        ["errorMessage", "errorType", "requestId", "stackTrace"],
        "OutOfDragons",
        "no dragon named Puff",
    )
    assert json.loads(result.raw) == result.payload


def test_a_given_context_is_passed_as_it_is():
    """context= replaces the runtime's context object (e.g. a test double)."""

    class Fake:
        function_name = "fake"

    @lambda_fn
    def who(event, context):
        return context.function_name

    assert who.invoke({}, context=Fake()).payload == "fake"


def test_invoke_result_is_a_value():
    """InvokeResult is frozen and compares by value."""
    result = lambda_fn(name="Echo")(lambda event: event).invoke([1])
    assert isinstance(result, InvokeResult)
    with pytest.raises(AttributeError):
        result.payload = 2  # type: ignore[misc]


def test_unserialisable_return_is_a_marshal_error():
    """A return value JSON cannot carry is the runtime's Runtime.MarshalError."""
    assert lambda_fn(name="Bad")(lambda event: {1, 2}).invoke({}).error_type == "Runtime.MarshalError"


def test_event_that_is_not_json_is_refused():
    """An event JSON cannot carry is refused before the handler runs, saying what to pass."""
    with pytest.raises(TypeError, match=r"Describe.invoke\(event\): the event is not JSON .* list\(\) a set"):
        describe.invoke({"tags": {"a"}})
    with pytest.raises(TypeError, match="not JSON"):
        describe.invoke({"x": float("nan")})


def test_event_over_six_mib_is_refused():
    """Lambda refuses a synchronous request over 6 MiB (RequestTooLargeException)."""
    with pytest.raises(ValueError, match="over 6291456 bytes"):
        describe.invoke({"blob": "x" * 6_291_456})


def test_response_over_six_mib_is_a_function_error():
    """A response over Lambda's limit is Function.ResponseSizeTooLarge."""
    result = lambda_fn(name="Big")(lambda event: "x" * 6_300_000).invoke({})
    assert (result.error_type, result.error_message) == (
        "Function.ResponseSizeTooLarge",
        "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    )
