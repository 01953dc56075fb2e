"""Nothing escapes run(), validate() or from_asl() as a bare Python exception (issue 9).

Definitions and arguments get a ValidationError/SfnkitError (or TypeError/ValueError for API misuse) that says
where and what to write; run-time data and handlers get a failed execution with the AWS error.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import sfnkit
from sfnkit import AslError, SfnkitError, ValidationError, run, validate

SNS = "arn:aws:states:::sns:publish"


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def one(state: dict[str, Any], **machine: Any) -> dict[str, Any]:
    return {**machine, "StartAt": "S", "States": {"S": {**state, "End": True}}}


# --- definitions ------------------------------------------------------------------------------------------------

DEFINITIONS = {
    "non-string state name": ({"StartAt": "A", "States": {1: {"Type": "Succeed"}}}, "States.1", "are strings"),
    "huge int in a bad field": (one({"Type": "Pass", "Next": 10**5000}), "States.S.Next", "4,000 digits"),
    "deep value in a bad field": (one({"Type": "Wait", "Seconds": nested(3000)}), "States.S.Seconds", "levels deep"),
    "bytes in Result": (one({"Type": "Pass", "Result": b"x"}), "States.S.Result", "is a bytes"),
    "set in Result": (one({"Type": "Pass", "Result": {1, 2}}), "States.S.Result", "is a set"),
    "NaN in Result": (one({"Type": "Pass", "Result": float("nan")}), "States.S.Result", "not a JSON number"),
    "surrogate in Result": (one({"Type": "Pass", "Result": "\ud800"}), "States.S.Result", "lone surrogate"),
    "int key in Parameters": (one({"Type": "Pass", "Parameters": {1: "x"}}), "States.S.Parameters.1", "strings"),
    "int key in Assign": (one({"Type": "Pass", "Assign": {1: "x"}}), "States.S.Assign.1", "strings"),
    # json.dumps would quietly write these keys as "1", "2.5", "null": reported where they are instead
    "int key in Result": (one({"Type": "Pass", "Result": {"a": [{1: "x"}]}}), "States.S.Result.a[0].1", "strings"),
    "float key in JSONata Output": (
        one({"Type": "Pass", "Output": {"a": {2.5: "{% 1 %}"}}}, QueryLanguage="JSONata"),
        "States.S.Output.a.2.5",
        "strings",
    ),
    "None key in JSONata Arguments": (
        one(
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"Payload": {None: 1}}},
            QueryLanguage="JSONata",
        ),
        "States.S.Arguments.Payload.None",
        "strings",
    ),
}


@pytest.mark.parametrize(("definition", "where", "message"), DEFINITIONS.values(), ids=DEFINITIONS)
@pytest.mark.parametrize("entry", ["validate", "from_asl", "run"])
def test_bad_definitions_are_validation_errors_with_location(
    entry: str, definition: dict[str, Any], where: str, message: str
) -> None:
    call = {"validate": validate, "from_asl": sfnkit.from_asl, "run": run}[entry]
    with pytest.raises(ValidationError) as caught:
        call(definition)
    assert any(p.location.startswith(where) and message in p.message for p in caught.value.problems), caught.value


def test_a_2000_deep_result_is_refused_by_from_asl_and_run() -> None:
    definition = one({"Type": "Pass", "Result": nested(2000)})
    with pytest.raises(SfnkitError, match="more than 500 levels deep"):
        sfnkit.from_asl(definition)
    with pytest.raises(SfnkitError, match="more than 500 levels deep"):
        run(definition)


# --- run-time data: failed executions with AWS's errors -----------------------------------------------------------

BIG = 10**400
WAIT_PATH = one({"Type": "Wait", "SecondsPath": "$.x"})


@pytest.mark.parametrize(
    ("definition", "value", "error", "cause"),
    [
        (one({"Type": "Pass", "Output": "{% $states.input.x %}"}, QueryLanguage="JSONata"), BIG,
         "States.QueryEvaluationError", "Number out of range"),
        (WAIT_PATH, BIG, "States.Runtime", "cannot be parsed as a long value"),
        (WAIT_PATH, float("inf"), "States.Runtime", "cannot be parsed as a long value"),
        (WAIT_PATH, float("nan"), "States.Runtime", "cannot be parsed as a long value"),
        (one({"Type": "Pass", "Parameters": {"r.$": "States.ArrayRange(0, $.x, 1)"}}), BIG,
         "States.IntrinsicFailure", "at most 1000"),
        (one({"Type": "Pass", "Parameters": {"r.$": "States.StringToJson($.x)"}}), "[" * 100_000 + "]" * 100_000,
         "States.IntrinsicFailure", "nested more than 500 levels"),
    ],
)  # fmt: skip
def test_hostile_data_fails_the_execution(definition: dict[str, Any], value: Any, error: str, cause: str) -> None:
    execution = run(definition, {"x": value})
    assert (execution.status, execution.error) == ("FAILED", error)
    assert cause in execution.cause


DISTRIBUTED = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}


@pytest.mark.parametrize(
    ("field", "config"),
    [("MaxConcurrencyPath", {}), ("ToleratedFailureCountPath", DISTRIBUTED),
     ("ToleratedFailurePercentagePath", DISTRIBUTED)],
)  # fmt: skip
def test_a_map_number_path_that_matches_nothing_fails_the_execution(field: str, config: dict[str, Any]) -> None:
    """A *Path read for a number fails the state with Jayway's reason, as TimeoutSecondsPath does (found by the
    hypothesis suite: the PathNotFound escaped run())."""
    processor = {**config, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    machine = one({"Type": "Map", "ItemsPath": "$.items", field: "$.missing", "ItemProcessor": processor})
    execution = run(machine, {"items": [1]})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "Invalid path '$.missing' : No results for path: $['missing']" in execution.cause


def test_deeply_nested_input_is_refused_with_advice() -> None:
    with pytest.raises(ValueError, match="nests arrays and objects too deeply"):
        run(one({"Type": "Pass"}), nested(100_000))


# --- handlers ----------------------------------------------------------------------------------------------------

SERVICE_TASK = one({"Type": "Task", "Resource": SNS})
LAMBDA_TASK = one(
    {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5,
     "Parameters": {"FunctionName": "f", "Payload.$": "$"}}
)  # fmt: skip


def cyclic() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["self"] = value
    return value


@pytest.mark.parametrize("result", [{1, 2}, cyclic(), 10**5000, nested(100_000)], ids=["set", "cycle", "int", "deep"])
def test_a_service_returning_a_non_json_value_fails_the_task(result: Any) -> None:
    execution = run(SERVICE_TASK, {}, services={SNS: lambda params: result})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert f"The callable bound to the Task resource '{SNS}'" in execution.cause


def test_a_lone_surrogate_is_data_json_can_carry() -> None:
    """Decision: JSON text can escape a lone surrogate ("\\ud800"), as Lambda's Python runtime writes it: it passes
    through input, services and Lambda results alike (it counts three bytes towards the payload quota)."""
    assert run(SERVICE_TASK, {}, services={SNS: lambda params: "\ud800"}).output == "\ud800"
    assert run(one({"Type": "Pass"}), {"s": "\ud800"}).output == {"s": "\ud800"}


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text")


def raise_unprintable(*_: Any) -> Any:
    raise Unprintable


def test_an_exception_whose_str_raises_still_fails_the_task() -> None:
    by_service = run(SERVICE_TASK, {}, services={SNS: raise_unprintable})
    assert (by_service.error, by_service.cause) == ("Unprintable", "<exception str() failed>")
    by_lambda = run(LAMBDA_TASK, {}, lambdas={"f": raise_unprintable})
    assert by_lambda.error == "Unprintable" and "<exception str() failed>" in by_lambda.cause


@pytest.mark.parametrize(
    ("seconds", "error"),
    [("5", "TypeError"), (float("nan"), "ValueError"), (-1, "ValueError"), (1e300, "States.Timeout")],
)
def test_virtual_sleep_refuses_what_time_sleep_refuses(seconds: Any, error: str) -> None:
    def handler(event: Any) -> Any:
        time.sleep(seconds)
        return "slept"

    execution = run(LAMBDA_TASK, {}, lambdas={"f": handler})
    assert (execution.status, execution.error) == ("FAILED", error)
    assert execution.stop_time - execution.start_time <= 5  # no NaN or infinite time on the timeline
    assert execution.history[-1]["timestamp"]  # the history builds


def test_sleep_infinity_without_a_task_timeout_still_ends() -> None:
    def handler(event: Any) -> Any:
        time.sleep(float("inf"))

    untimed = one({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "f", "Payload.$": "$"}})  # fmt: skip
    execution = run(untimed, {}, lambdas={"f": handler})
    assert execution.status in ("FAILED", "TIMED_OUT")
    assert len(execution.history) > 2


def swallow(*_: Any) -> Any:
    try:
        time.sleep(1000)
    except BaseException:  # the point: a handler that swallows even the timeout signal
        pass
    return {"done": True}


@pytest.mark.parametrize("kind", ["lambda", "service"])
def test_a_handler_that_swallows_the_timeout_still_times_out(kind: str) -> None:
    if kind == "lambda":
        execution = run(LAMBDA_TASK, {}, lambdas={"f": swallow})
    else:
        execution = run(one({"Type": "Task", "Resource": SNS, "TimeoutSeconds": 5}), {}, services={SNS: swallow})
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert execution.stop_time - execution.start_time == 5


class Custom(BaseException):
    pass


def raise_custom(*_: Any) -> Any:
    raise Custom("odd")


def test_other_base_exceptions_fail_the_task() -> None:
    """Decision: KeyboardInterrupt and SystemExit stop the run; any other BaseException fails the task."""
    assert run(LAMBDA_TASK, {}, lambdas={"f": raise_custom}).error == "Custom"
    assert run(SERVICE_TASK, {}, services={SNS: raise_custom}).error == "Custom"


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_keyboard_interrupt_and_system_exit_stop_the_run(stop: type[BaseException]) -> None:
    def handler(*_: Any) -> Any:
        raise stop

    with pytest.raises(stop):
        run(LAMBDA_TASK, {}, lambdas={"f": handler})


def test_a_bytes_payload_of_100000_brackets_fails_the_task() -> None:
    execution = run(LAMBDA_TASK, {}, lambdas={"f": lambda event: b"[" * 100_000 + b"]" * 100_000})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "nests arrays and objects more than 500 levels" in execution.cause


# --- API misuse --------------------------------------------------------------------------------------------------

MACHINE = one({"Type": "Pass"})


@pytest.mark.parametrize(
    ("call", "exception", "message"),
    [
        (lambda: run(MACHINE, {}, type=None), ValueError, "'STANDARD' .* or 'EXPRESS'"),
        (lambda: run(MACHINE, {}, context={"Execution": 5}), TypeError, "each part of the context object is a dict"),
        (lambda: run(MACHINE, {}, context=[1]), TypeError, "context=.* is a dict"),
        (lambda: run(MACHINE, {}, max_workers="4"), TypeError, "number of threads"),
        (lambda: run(MACHINE, {}, max_workers=0), ValueError, "1 or more threads"),
        (lambda: run(MACHINE, {}, lambdas=[print]), TypeError, "maps names to Python callables"),
        (lambda: run(b"\xff{"), ValueError, "not UTF-8"),
        (lambda: run(5), TypeError, "needs a StateMachine"),
        (lambda: run(MACHINE, {1, 2}), TypeError, "must be a JSON value"),
        (lambda: sfnkit.from_asl(123), TypeError, "dict, JSON text .* or a pathlib.Path"),
        (lambda: sfnkit.render(MACHINE), TypeError, "draws a StateMachine"),
        (lambda: sfnkit.render(sfnkit.from_asl(MACHINE), execution=5), TypeError, "is not an execution"),
        (lambda: sfnkit.render(sfnkit.from_asl(MACHINE), direction="XX"), ValueError, "direction="),
    ],
)
def test_api_misuse_says_what_to_pass(call: Any, exception: type[Exception], message: str) -> None:
    with pytest.raises(exception, match=message):
        call()


# --- files: only from a Path, never echoed ----------------------------------------------------------------------


def test_a_string_is_never_read_as_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    for source in (str(secret), Path(secret)):
        with pytest.raises(AslError) as caught:
            sfnkit.from_asl(source)
        assert "root:x" not in str(caught.value)
    with pytest.raises(AslError, match=r"pass pathlib.Path\("):
        sfnkit.from_asl(str(secret))


def test_a_definition_file_is_read_from_a_path(tmp_path: Path) -> None:
    file = tmp_path / "machine.json"
    file.write_text('{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}')
    assert sfnkit.from_asl(file).start_at == "S"
    assert run(sfnkit.from_asl(file)).status == "SUCCEEDED"
