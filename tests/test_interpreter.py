"""sfnkit.run(): the executor's behaviours, one per test (the AWS-recorded corpus is in tests/conformance)."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

import sfnkit
from sfnkit import ExecutionFailed, run
from sfnkit.engine.run import _PLANS


def chain(*states: tuple[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A definition running *states* in order (each gets Next/End unless it sets them)."""
    out: dict[str, Any] = {}
    names = [name for name, _ in states]
    for i, (name, state) in enumerate(states):
        state = dict(state)
        if state["Type"] not in ("Choice", "Succeed", "Fail") and "Next" not in state and "End" not in state:
            if i + 1 < len(names):
                state["Next"] = names[i + 1]
            else:
                state["End"] = True
        out[name] = state
    return {"StartAt": names[0], "States": out, **top}


LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def task(function: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA + function, **fields}


# --- data flow --------------------------------------------------------------------------------------------------


def test_pass_chain_output_and_path():
    """Parameters and ResultPath flow through a chain; path lists the states entered."""
    definition = chain(
        ("A", {"Type": "Pass", "Parameters": {"v.$": "$.v", "k": 1}, "ResultPath": "$.last"}),
        ("B", {"Type": "Pass", "Result": "done", "ResultPath": "$.status"}),
    )
    execution = run(definition, {"v": 7})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"v": 7, "last": {"v": 7, "k": 1}, "status": "done"}
    assert execution.path == ("A", "B")


def test_input_none_means_empty_object():
    """No input is the empty object, as the console sends."""
    assert run(chain(("A", {"Type": "Pass"})), None).output == {}


def test_state_inputs_and_outputs_are_recorded():
    """Execution.state(name) gives the raw input and the output of a state."""
    execution = run(chain(("A", {"Type": "Pass", "Result": 2, "ResultPath": "$.b"})), {"a": 1})
    visit = execution.state("A")
    assert (visit.input, visit.output) == ({"a": 1}, {"a": 1, "b": 2})


def test_state_that_never_ran_names_the_path():
    """Asking for a state that was not entered says which states were."""
    execution = run(chain(("A", {"Type": "Pass"})), {})
    with pytest.raises(KeyError, match=r"state 'B' was not entered; the path was \['A'\]"):
        execution.state("B")


def test_missing_input_path_is_a_runtime_error_with_aws_cause():
    """A definite InputPath that matches nothing fails with States.Runtime and AWS's cause."""
    execution = run(chain(("S", {"Type": "Pass", "InputPath": "$.x"})), {"a": 1})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        "Invalid path '$.x' : No results for path: $['x']"
    )


def test_the_input_is_not_mutated():
    """The caller's input object is never changed."""
    data = {"a": {"b": 1}}
    run(chain(("A", {"Type": "Pass", "Result": 2, "ResultPath": "$.a.c"})), data)
    assert data == {"a": {"b": 1}}


def test_context_object_reads_virtual_time():
    """$$.State.EnteredTime moves with the virtual clock (a one-hour Wait)."""
    definition = chain(
        ("W", {"Type": "Wait", "Seconds": 3600}),
        ("P", {"Type": "Pass", "Parameters": {"start.$": "$$.Execution.StartTime", "now.$": "$$.State.EnteredTime"}}),
    )
    execution = run(definition, {}, clock=sfnkit.clock.VirtualClock(start=0.0))
    assert execution.output == {"start": "1970-01-01T00:00:00.000Z", "now": "1970-01-01T01:00:00.000Z"}


def test_context_overrides_name_the_execution():
    """context= sets the execution's name, which $$ and the ARN show."""
    definition = chain(("P", {"Type": "Pass", "Parameters": {"name.$": "$$.Execution.Name"}}))
    execution = run(definition, {}, context={"Execution": {"Name": "order-42"}})
    assert execution.output == {"name": "order-42"}
    assert execution.arn.endswith(":execution:StateMachine:order-42")


# --- Wait and the clocks --------------------------------------------------------------------------------------


def test_one_hour_wait_is_instant_on_the_virtual_clock():
    """A Wait of 3600 s returns at once, and the history shows the hour passing."""
    began = time.perf_counter()
    execution = run(chain(("W", {"Type": "Wait", "Seconds": 3600})), {})
    assert time.perf_counter() - began < 0.5
    assert execution.duration == 3600.0
    entered, exited = execution.history[1], execution.history[2]
    assert (exited["timestamp"] - entered["timestamp"]).total_seconds() == 3600.0


def test_wait_seconds_path_reads_the_input():
    """SecondsPath takes the wait from the state input."""
    execution = run(chain(("W", {"Type": "Wait", "SecondsPath": "$.s"})), {"s": 90})
    assert execution.duration == 90.0


def test_wait_timestamp_in_the_past_continues_at_once():
    """A Timestamp in the past ends the Wait immediately."""
    execution = run(chain(("W", {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z"})), {})
    assert execution.duration == 0.0


def test_wait_timestamp_path_waits_until_then():
    """TimestampPath waits until the instant it names."""
    clock = sfnkit.clock.VirtualClock(start=0.0)
    execution = run(chain(("W", {"Type": "Wait", "TimestampPath": "$.t"})), {"t": "1970-01-01T00:10:00Z"}, clock=clock)
    assert execution.duration == 600.0


def test_real_clock_really_waits():
    """clock='real' sleeps through a Wait."""
    soon = time.time() + 0.3
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(soon)) + f".{int(soon % 1 * 1000):03d}Z"
    began = time.perf_counter()
    execution = run(chain(("W", {"Type": "Wait", "Timestamp": stamp})), {}, clock="real")
    assert execution.status == "SUCCEEDED"
    assert time.perf_counter() - began >= 0.2


def test_unknown_clock_is_refused():
    """clock= accepts 'virtual', 'real' or a Clock."""
    with pytest.raises(ValueError, match="clock='sundial' is not a clock"):
        run(chain(("A", {"Type": "Pass"})), {}, clock="sundial")  # type: ignore[arg-type]


def test_execution_timeout_times_out():
    """An execution past its TimeoutSeconds is TIMED_OUT, at once on the virtual clock."""
    execution = run(chain(("W", {"Type": "Wait", "Seconds": 60}), TimeoutSeconds=5), {})
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.duration == 5.0
    assert execution.history[-1]["type"] == "ExecutionTimedOut"


# --- Lambda tasks -------------------------------------------------------------------------------------------------


def test_legacy_lambda_arn_calls_the_bound_function():
    """A Task with a function ARN calls the function bound by name with the effective input."""
    execution = run(chain(("T", task("double"))), {"n": 4}, lambdas={"double": lambda e: {"n": e["n"] * 2}})
    assert execution.output == {"n": 8}
    assert [e["type"] for e in execution.history][1:6] == [
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
    ]


def test_lambda_invoke_output_has_aws_shape():
    """arn:aws:states:::lambda:invoke returns Lambda's Invoke response around the payload."""
    definition = chain(
        (
            "T",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "echo", "Payload.$": "$"},
            },
        )
    )
    output = run(definition, {"a": 1}, lambdas={"echo": lambda e: e}).output
    assert sorted(output) == ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]
    assert (output["Payload"], output["StatusCode"], output["ExecutedVersion"]) == ({"a": 1}, 200, "$LATEST")
    assert output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "8"


def test_handler_receives_a_copy_of_the_event():
    """A handler that mutates its event changes nothing in the execution."""

    def meddle(event: dict[str, Any]) -> str:
        event["a"] = "changed"
        return "ok"

    execution = run(chain(("T", task("meddle", ResultPath="$.r"))), {"a": 1}, lambdas={"meddle": meddle})
    assert execution.output == {"a": 1, "r": "ok"}


def test_handler_with_two_parameters_gets_a_lambda_context():
    """fn(event, context) receives a context like the Python runtime's."""
    seen: dict[str, Any] = {}

    def handler(event: Any, context: Any) -> None:
        seen["name"] = context.function_name
        seen["remaining"] = context.get_remaining_time_in_millis()

    run(chain(("T", task("probe", TimeoutSeconds=10))), {}, lambdas={"probe": handler})
    assert seen == {"name": "probe", "remaining": 10000}


def test_handler_exception_is_a_lambda_function_error():
    """A raising handler fails the task with errorType = class name and the error document as cause."""

    def boom(event: Any) -> None:
        raise ValueError("bad order")

    execution = run(chain(("T", task("boom"))), {}, lambdas={"boom": boom})
    assert (execution.status, execution.error) == ("FAILED", "ValueError")
    assert execution.cause is not None
    assert execution.cause.startswith('{"errorMessage": "bad order", "errorType": "ValueError", "requestId": "')
    assert '"stackTrace": ["  File ' in execution.cause


def test_error_type_attribute_overrides_the_class_name():
    """exc.error_type names the error, as the corpus Lambdas do."""

    class Failure(Exception):
        error_type = "PaymentDeclined"

    def decline(event: Any) -> None:
        raise Failure("no funds")

    assert run(chain(("T", task("decline"))), {}, lambdas={"decline": decline}).error == "PaymentDeclined"


def test_unbound_lambda_fails_as_aws_does():
    """A function nobody bound fails with Lambda.ResourceNotFoundException and AWS's message."""
    execution = run(chain(("T", task("ghost"))), {})
    assert execution.error == "Lambda.ResourceNotFoundException"
    assert execution.cause is not None
    assert execution.cause.startswith(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost:$LATEST (Service: AWSLambda; "
        "Status Code: 404; Error Code: ResourceNotFoundException; Request ID: "
    )


def test_sleeping_handler_times_out_instantly():
    """A handler that sleeps 60 s under TimeoutSeconds 5 times out at once, 5 virtual seconds in."""

    def slow(event: Any) -> Any:
        time.sleep(60)
        return event

    began = time.perf_counter()
    execution = run(chain(("T", task("slow", TimeoutSeconds=5))), {}, lambdas={"slow": slow})
    assert time.perf_counter() - began < 1.0
    assert (execution.status, execution.error, execution.duration) == ("FAILED", "States.Timeout", 5.0)


def test_handler_sleep_advances_virtual_time():
    """time.sleep inside a handler moves the virtual clock instead of sleeping."""

    def nap(event: Any) -> None:
        time.sleep(120)

    execution = run(chain(("T", task("nap"))), {}, lambdas={"nap": nap})
    assert (execution.status, execution.duration) == ("SUCCEEDED", 120.0)


def test_payload_over_256_kib_is_catchable_from_a_task():
    """A Lambda result over 256 KiB fails the task with States.DataLimitExceeded, which Catch can handle."""
    definition = chain(
        ("T", task("big", Catch=[{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Caught"}])),
        ("Caught", {"Type": "Pass"}),
    )
    execution = run(definition, {}, lambdas={"big": lambda e: "x" * 300_000})
    assert execution.output == {
        "Error": "States.DataLimitExceeded",
        "Cause": "The state/task 'arn:aws:lambda:us-east-1:123456789012:function:big' returned a result with a size "
        "exceeding the maximum number of bytes service limit.",
    }


def test_state_output_over_256_kib_fails_the_execution():
    """A Pass whose output is over 256 KiB fails with States.DataLimitExceeded naming the state."""
    execution = run(chain(("Big", {"Type": "Pass", "Result": "y" * 270_000})), {})
    assert (execution.error, execution.cause) == (
        "States.DataLimitExceeded",
        "The state/task 'Big' returned a result with a size exceeding the maximum number of bytes service limit.",
    )


def test_growing_payload_is_caught_by_the_size_check():
    """Doubling the data through paths alone still hits the quota (the size bound is exact when it matters)."""
    steps = [("S0", {"Type": "Pass", "Result": "z" * 1000})]
    steps += [(f"S{i}", {"Type": "Pass", "Parameters": {"a.$": "$", "b.$": "$"}}) for i in range(1, 12)]
    execution = run(chain(*steps), {})
    assert (execution.error, execution.path[-1]) == ("States.DataLimitExceeded", "S9")


# --- services -----------------------------------------------------------------------------------------------------


def test_service_callable_gets_the_parameters():
    """services={resource: fn} runs other integrations; fn gets the evaluated Parameters."""
    sent: list[Any] = []
    definition = chain(
        (
            "Notify",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": "t", "Message.$": "$.m"},
            },
        )
    )
    services = {"arn:aws:states:::sns:publish": lambda p: sent.append(p) or {"MessageId": "1"}}
    execution = run(definition, {"m": "hi"}, services=services)
    assert (sent, execution.output) == ([{"TopicArn": "t", "Message": "hi"}], {"MessageId": "1"})
    assert execution.history[2]["taskScheduledEventDetails"]["resourceType"] == "sns"


def test_unbound_service_names_the_resource():
    """A Task whose resource has no callable fails and says how to bind one."""
    definition = chain(("Notify", {"Type": "Task", "Resource": "arn:aws:states:::sns:publish"}))
    execution = run(definition, {})
    assert execution.error == "States.Runtime"
    assert "No service is bound to the Task resource 'arn:aws:states:::sns:publish'" in (execution.cause or "")
    assert "services={'arn:aws:states:::sns:publish': callable}" in (execution.cause or "")


# --- Retry and Catch ----------------------------------------------------------------------------------------------


def flaky(failures: int, error: str = "Transient") -> Any:
    calls = {"n": 0}

    class Flake(Exception):
        error_type = error

    def handler(event: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise Flake(f"attempt {calls['n']}")
        return {"calls": calls["n"]}

    return handler


def test_retry_backs_off_on_the_virtual_clock():
    """Two failures with IntervalSeconds 1 and BackoffRate 2 cost 1 + 2 virtual seconds."""
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 3}]
    execution = run(chain(("T", task("f", Retry=retry))), {}, lambdas={"f": flaky(2)})
    assert (execution.output, execution.duration) == ({"calls": 3}, 3.0)


def test_max_delay_caps_the_backoff():
    """MaxDelaySeconds caps each wait: 1 + 2 + 2 seconds for three retries."""
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "MaxDelaySeconds": 2}]
    execution = run(chain(("T", task("f", Retry=retry))), {}, lambdas={"f": flaky(3)})
    assert execution.duration == 5.0


def test_full_jitter_is_repeatable_with_a_seed():
    """JitterStrategy FULL draws from the seeded source: same seed, same waits, each within the bound."""
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 2, "JitterStrategy": "FULL"}]
    first = run(chain(("T", task("f", Retry=retry))), {}, lambdas={"f": flaky(2)}, seed=7)
    again = run(chain(("T", task("f", Retry=retry))), {}, lambdas={"f": flaky(2)}, seed=7)
    assert first.duration == again.duration
    assert 0 <= first.duration <= 30


def test_only_the_first_matching_retrier_counts():
    """MaxAttempts 0 on the first matching retrier stops retries even if a later retrier matches."""
    retry = [{"ErrorEquals": ["Transient"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]
    execution = run(chain(("T", task("f", Retry=retry))), {}, lambdas={"f": flaky(1)})
    assert (execution.status, execution.error) == ("FAILED", "Transient")


def test_catch_result_path_merges_the_error_into_the_raw_input():
    """A catcher's ResultPath places {Error, Cause} into the state's raw input."""
    catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}]
    definition = chain(("T", task("f", InputPath="$.x", Catch=catch)), ("Handled", {"Type": "Pass"}))
    execution = run(definition, {"x": 1}, lambdas={"f": flaky(1, "Oops")})
    assert execution.output == {"x": 1, "error": {"Error": "Oops", "Cause": execution.output["error"]["Cause"]}}
    assert execution.path == ("T", "Handled")


def test_task_failed_does_not_match_timeouts():
    """States.TaskFailed in a Catch matches any error except States.Timeout."""

    def slow(event: Any) -> None:
        time.sleep(30)

    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}]
    definition = chain(("T", task("slow", TimeoutSeconds=1, Catch=catch)), ("Handled", {"Type": "Pass"}))
    assert run(definition, {}, lambdas={"slow": slow}).error == "States.Timeout"


def test_runtime_errors_are_not_catchable():
    """States.Runtime ends the execution even when a catcher lists it."""
    catch = [{"ErrorEquals": ["States.Runtime"], "Next": "Handled"}]
    definition = chain(
        ("T", task("f", ResultSelector={"x.$": "$.missing"}, Catch=catch)), ("Handled", {"Type": "Pass"})
    )
    execution = run(definition, {}, lambdas={"f": lambda e: {}})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_fail_state_error_and_cause():
    """A Fail state ends the execution with its Error and Cause."""
    execution = run(chain(("F", {"Type": "Fail", "Error": "Nope", "Cause": "because"})), {})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Nope", "because")


def test_raise_for_status_raises_execution_failed():
    """raise_for_status() raises ExecutionFailed carrying error and cause."""
    execution = run(chain(("F", {"Type": "Fail", "Error": "Nope", "Cause": "because"})), {})
    with pytest.raises(ExecutionFailed, match="execution FAILED: Nope: because") as raised:
        execution.raise_for_status()
    assert (raised.value.error, raised.value.cause) == ("Nope", "because")


def test_raise_for_status_returns_a_succeeded_execution():
    """raise_for_status() returns the execution when it succeeded, for chaining."""
    execution = run(chain(("A", {"Type": "Pass"})), {"a": 1})
    assert execution.raise_for_status().output == {"a": 1}


# --- Parallel and Map ---------------------------------------------------------------------------------------------


def branch(name: str, state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: {**state, "End": True}}}


def test_parallel_results_keep_branch_order():
    """Parallel returns the branch outputs in Branches order."""
    definition = chain(
        (
            "P",
            {
                "Type": "Parallel",
                "Branches": [
                    branch("One", {"Type": "Pass", "Result": 1}),
                    branch("Two", {"Type": "Pass", "Result": 2}),
                ],
            },
        )
    )
    assert run(definition, {}).output == [1, 2]


def test_parallel_branch_failure_propagates_its_error():
    """A failing branch fails the Parallel state with the branch's own error and cause."""
    definition = chain(
        (
            "P",
            {
                "Type": "Parallel",
                "Branches": [
                    branch("Ok", {"Type": "Pass"}),
                    {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "E", "Cause": "C"}}},
                ],
            },
        )
    )
    execution = run(definition, {})
    assert (execution.error, execution.cause) == ("E", "C")


def test_map_results_keep_item_order():
    """Map runs the processor per item and returns the outputs in item order."""
    definition = chain(
        (
            "M",
            {
                "Type": "Map",
                "ItemsPath": "$.xs",
                "ItemSelector": {"x.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                "ItemProcessor": branch("Id", {"Type": "Pass"}),
            },
        )
    )
    assert run(definition, {"xs": ["a", "b"]}).output == [{"x": "a", "i": 0}, {"x": "b", "i": 1}]


def test_map_iterations_overlap_in_virtual_time():
    """Three iterations waiting 10 s each take 10 s unlimited, 30 s with MaxConcurrency 1."""
    processor = branch("W", {"Type": "Wait", "Seconds": 10})
    unlimited = chain(("M", {"Type": "Map", "ItemProcessor": processor}))
    one_at_a_time = chain(("M", {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": processor}))
    assert run(unlimited, [1, 2, 3]).duration == 10.0
    assert run(one_at_a_time, [1, 2, 3]).duration == 30.0


def test_map_iteration_failure_propagates_its_error():
    """A failing iteration fails the Map with its error; Catch on the Map sees it."""
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "item"}}}
    catch = [{"ErrorEquals": ["Bad"], "Next": "Handled"}]
    definition = chain(
        ("M", {"Type": "Map", "ItemProcessor": processor, "Catch": catch}), ("Handled", {"Type": "Pass"})
    )
    assert run(definition, [1]).output == {"Error": "Bad", "Cause": "item"}


def test_map_threads_overlap_blocking_handlers():
    """With the real clock, iterations whose handlers block run on worker threads, results in order."""

    def slow(event: Any) -> Any:
        time.sleep(0.2)
        return event * 10

    definition = chain(("M", {"Type": "Map", "ItemProcessor": branch("T", task("slow"))}))
    began = time.perf_counter()
    execution = run(definition, [1, 2, 3, 4], lambdas={"slow": slow}, clock="real", max_workers=4)
    assert execution.output == [10, 20, 30, 40]
    assert time.perf_counter() - began < 0.7


def test_max_workers_one_runs_sequentially():
    """max_workers=1 runs iterations one after the other, in order."""
    order: list[int] = []

    def record(event: Any) -> Any:
        order.append(event)
        return event

    definition = chain(("M", {"Type": "Map", "ItemProcessor": branch("T", task("record"))}))
    run(definition, [3, 1, 2], lambdas={"record": record}, clock="real", max_workers=1)
    assert order == [3, 1, 2]


def test_distributed_map_batches_items():
    """A distributed Map with ItemBatcher hands each child {BatchInput, Items}."""
    definition = chain(
        (
            "M",
            {
                "Type": "Map",
                "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"tag": "t"}},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    **branch("Id", {"Type": "Pass"}),
                },
            },
        )
    )
    assert run(definition, [1, 2, 3]).output == [
        {"BatchInput": {"tag": "t"}, "Items": [1, 2]},
        {"BatchInput": {"tag": "t"}, "Items": [3]},
    ]


def test_distributed_map_tolerates_failures():
    """Failures within ToleratedFailureCount leave the Map succeeded; beyond it, it fails."""
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "F"}], "Default": "Ok"},
            "F": {"Type": "Fail", "Error": "Zero"},
            "Ok": {"Type": "Pass", "End": True},
        },
    }
    tolerant = chain(("M", {"Type": "Map", "ToleratedFailureCount": 1, "ItemProcessor": processor}))
    strict = chain(("M", {"Type": "Map", "ItemProcessor": processor}))
    assert run(tolerant, [0, 1]).status == "SUCCEEDED"
    assert run(strict, [0, 1]).error == "States.ExceedToleratedFailureThreshold"


# --- variables ----------------------------------------------------------------------------------------------------


def test_assign_is_visible_from_the_next_state():
    """A JSONPath Assign is read as $name by the next state."""
    definition = chain(
        ("A", {"Type": "Pass", "Assign": {"total.$": "$.n"}}),
        ("B", {"Type": "Pass", "Parameters": {"seen.$": "$total"}}),
    )
    assert run(definition, {"n": 5}).output == {"seen": 5}


def test_inner_scope_reads_outer_variables_and_outer_never_sees_inner():
    """A Map iteration reads outer variables; what it assigns stays inside."""
    processor = {
        "StartAt": "In",
        "States": {
            "In": {"Type": "Pass", "Assign": {"inner": 1}, "Next": "Read"},
            "Read": {"Type": "Pass", "Parameters": {"outer.$": "$outer", "inner.$": "$inner"}, "End": True},
        },
    }
    definition = chain(
        ("Set", {"Type": "Pass", "Assign": {"outer": "o"}}),
        ("M", {"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": processor, "ResultPath": "$.r"}),
        ("After", {"Type": "Pass", "Parameters": {"inner.$": "$inner"}}),
    )
    execution = run(definition, {"xs": [1]})
    assert execution.state("M").output == {"xs": [1], "r": [{"outer": "o", "inner": 1}]}
    assert execution.error == "States.Runtime"


def test_jsonata_state_with_variables():
    """A JSONata machine: Arguments, Output and Assign with $states and variables."""
    definition = chain(
        ("A", {"Type": "Pass", "Assign": {"x": "{% $states.input.n * 2 %}"}}),
        ("B", {"Type": "Pass", "Output": "{% {'double': $x, 'input': $states.input} %}"}),
        QueryLanguage="JSONata",
    )
    assert run(definition, {"n": 21}).output == {"double": 42, "input": {"n": 21}}


# --- history, plans, scale ------------------------------------------------------------------------------------


def test_history_events_chain_by_previous_event_id():
    """Events are numbered from 1 and each points at the previous event of its thread."""
    history = run(chain(("A", {"Type": "Pass"}), ("B", {"Type": "Pass"})), {}).history
    assert [(e["id"], e["previousEventId"], e["type"]) for e in history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 5, "ExecutionSucceeded"),
    ]
    assert history[2]["stateExitedEventDetails"] == {"name": "A", "output": "{}", "outputDetails": {"truncated": False}}


def test_state_machine_plan_is_compiled_once():
    """Running the same StateMachine twice reuses its compiled plan."""
    machine = sfnkit.from_asl(chain(("A", {"Type": "Pass"})))
    run(machine, {})
    plan = _PLANS[machine]
    run(machine, {})
    assert _PLANS[machine] is plan


def test_state_machine_lambdas_are_bound_automatically():
    """Functions a StateMachine carries run as its Lambdas; lambdas= overrides them."""
    import attrs

    machine = attrs.evolve(sfnkit.from_asl(chain(("T", task("f")))), lambdas={"f": lambda e: "bound"})
    assert run(machine, {}).output == "bound"
    assert run(machine, {}, lambdas={"f": lambda e: "override"}).output == "override"


def test_ten_thousand_states_run_under_the_default_recursion_limit():
    """A 10,000-state chain runs in a loop, not by recursion."""
    states = [(f"S{i}", {"Type": "Pass"}) for i in range(10_000)]
    machine = sfnkit.from_asl(chain(*states))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # CPython's default (a dependency raises it on import)
    try:
        execution = run(machine, {"a": 1})
        history = execution.history
    finally:
        sys.setrecursionlimit(limit)
    assert (execution.status, len(execution.path), len(history)) == ("SUCCEEDED", 10_000, 20_002)


def test_express_executions_have_express_arns():
    """type='EXPRESS' gives an express execution ARN."""
    assert ":express:" in run(chain(("A", {"Type": "Pass"})), {}, type="EXPRESS").arn


def test_definition_text_is_accepted():
    """ASL JSON text runs like the dict it encodes."""
    assert run('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}', {"a": 1}).output == {"a": 1}


def test_not_a_machine_is_refused():
    """run() says what it accepts."""
    with pytest.raises(TypeError, match="run\\(\\) needs a StateMachine, an ASL definition"):
        run(42)


def test_assign_over_256_kib_fails():
    """An Assign holding more than 256 KiB fails the execution with States.DataLimitExceeded."""
    definition = chain(("A", {"Type": "Pass", "Assign": {"big": "x" * 270_000}}))
    execution = run(definition, {})
    assert execution.error == "States.DataLimitExceeded"
    assert "The variables assigned by the state 'A' exceed the maximum number of bytes service limit" in (
        execution.cause or ""
    )


def test_stack_trace_shows_only_the_handlers_frames():
    """The error document's stackTrace lists the handler's frames, not sfnkit's (as Lambda's runtime does)."""
    import json

    def boom(event: Any) -> None:
        raise ValueError("bad")

    cause = run(chain(("T", task("boom"))), {}, lambdas={"boom": boom}).cause
    trace = json.loads(cause or "{}")["stackTrace"]
    assert len(trace) == 1
    assert "in boom" in trace[0]


def test_service_that_outlives_its_heartbeat_times_out():
    """A service callable sleeping past HeartbeatSeconds fails with States.HeartbeatTimeout, at once."""

    def slow(params: Any) -> Any:
        time.sleep(100)
        return {}

    definition = chain(
        (
            "Wait4",
            {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 10},
        )
    )
    execution = run(definition, {}, services={"arn:aws:states:::sqs:sendMessage.waitForTaskToken": slow})
    assert (execution.error, execution.duration) == ("States.HeartbeatTimeout", 10.0)


def test_threads_on_the_virtual_clock_keep_virtual_time():
    """max_workers > 1 runs iterations on threads; handler sleeps stay virtual and overlap."""

    def nap(event: Any) -> Any:
        time.sleep(30)
        return event + 1

    definition = chain(("M", {"Type": "Map", "ItemProcessor": branch("T", task("nap"))}))
    began = time.perf_counter()
    execution = run(definition, [1, 2, 3], lambdas={"nap": nap}, max_workers=3)
    assert (execution.output, execution.duration) == ([2, 3, 4], 30.0)
    assert time.perf_counter() - began < 1.0


def test_iterations_started_with_the_failing_one_still_run():
    """Without MaxConcurrency every iteration starts at once, so their handlers run even when one fails."""
    called: list[int] = []

    def record(event: Any) -> Any:
        called.append(event)
        if event == 1:
            raise ValueError("one")
        return event

    definition = chain(("M", {"Type": "Map", "ItemProcessor": branch("T", task("record"))}))
    execution = run(definition, [1, 2, 3], lambdas={"record": record})
    assert (execution.error, called) == ("ValueError", [1, 2, 3])


def test_one_at_a_time_map_stops_at_the_failure():
    """With MaxConcurrency 1 the items after a failing one never start."""
    called: list[int] = []

    def record(event: Any) -> Any:
        called.append(event)
        raise ValueError("no")

    definition = chain(("M", {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": branch("T", task("record"))}))
    assert (run(definition, [1, 2, 3], lambdas={"record": record}).error, called) == ("ValueError", [1])


def test_sibling_branch_is_aborted_when_another_fails():
    """A branch still waiting when another fails is aborted at that instant (WaitStateAborted)."""
    definition = chain(
        (
            "P",
            {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Nap",
                        "States": {
                            "Nap": {"Type": "Wait", "Seconds": 5, "Next": "Boom"},
                            "Boom": {"Type": "Fail", "Error": "Boom"},
                        },
                    },
                    branch("Slow", {"Type": "Wait", "Seconds": 10}),
                ],
            },
        )
    )
    execution = run(definition, {})
    assert (execution.error, execution.duration) == ("Boom", 5.0)
    assert "WaitStateAborted" in [e["type"] for e in execution.history]


def test_machines_sharing_a_definition_keep_their_names():
    """Two machines with the same definition share a plan but not a name ($$.StateMachine.Name)."""
    import attrs

    definition = chain(("P", {"Type": "Pass", "Parameters": {"m.$": "$$.StateMachine.Name"}}))
    first = attrs.evolve(sfnkit.from_asl(definition), name="First")
    second = attrs.evolve(sfnkit.from_asl(definition), name="Second")
    assert (run(first, {}).output, run(second, {}).output) == ({"m": "First"}, {"m": "Second"})


def test_a_sibling_that_ran_first_is_cut_at_the_failure():
    """A branch run before the failing one is still shown aborted at the failure instant, as AWS stops it."""
    definition = chain(
        (
            "P",
            {
                "Type": "Parallel",
                "Branches": [
                    branch("Slow", {"Type": "Wait", "Seconds": 10}),
                    {
                        "StartAt": "Nap",
                        "States": {
                            "Nap": {"Type": "Wait", "Seconds": 5, "Next": "Boom"},
                            "Boom": {"Type": "Fail", "Error": "Boom"},
                        },
                    },
                ],
            },
        )
    )
    execution = run(definition, {})
    types = [e["type"] for e in execution.history]
    assert (execution.error, execution.duration) == ("Boom", 5.0)
    assert types.count("WaitStateAborted") == 1
    assert types.count("WaitStateExited") == 1  # Nap's; Slow never exits


def test_a_map_iteration_that_ran_first_is_aborted_at_the_failure():
    """An earlier iteration still waiting when a later one fails ends as MapIterationAborted."""
    processor = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "F"}], "Default": "W"},
            "W": {"Type": "Wait", "Seconds": 60, "End": True},
            "F": {"Type": "Fail", "Error": "One"},
        },
    }
    execution = run(chain(("M", {"Type": "Map", "ItemProcessor": processor})), [0, 1])
    types = [e["type"] for e in execution.history]
    assert (execution.error, execution.duration) == ("One", 0.0)
    assert ("MapIterationAborted" in types, "MapIterationSucceeded" in types) == (True, False)


def test_input_that_is_not_json_is_refused():
    """An input JSON cannot carry is refused with a message saying what to pass."""
    with pytest.raises(TypeError, match="run\\(\\) input must be a JSON value"):
        run(chain(("A", {"Type": "Pass"})), {"when": {1, 2}})


# --- compiled fast paths keep AWS's errors --------------------------------------------------------------------


def test_pass_with_plain_paths_still_fails_as_aws_on_a_missing_path() -> None:
    """A Pass whose Parameters read plain input paths fails with AWS's cause when one is missing."""
    definition = chain(("P", {"Type": "Pass", "Parameters": {"v.$": "$.v"}, "ResultPath": "$.last"}))
    execution = run(definition, {"w": 1})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). The JSONPath '$.v' specified "
        "for the field 'v.$' could not be found in the input '{\"w\":1}'"
    )


def test_pass_with_plain_paths_into_a_non_object_input_conflicts() -> None:
    """ResultPath "$.last" on an array input is a ReferencePathConflict, as AWS reports it."""
    definition = chain(("P", {"Type": "Pass", "Parameters": {"all.$": "$"}, "ResultPath": "$.last"}))
    execution = run(definition, [1])
    assert (execution.status, execution.error) == ("FAILED", "States.ReferencePathConflict")


def test_choice_on_plain_paths_fails_as_aws_on_a_missing_variable() -> None:
    """A Choice whose rules read plain input paths fails with States.Runtime when the Variable is missing."""
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "S"}], "Default": "S"},
            "S": {"Type": "Succeed"},
        },
    }
    assert run(definition, {"x": 1}).path == ("C", "S")
    execution = run(definition, {"y": 1})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "Invalid path '$.x'" in (execution.cause or "")


PASS_SHAPES: list[dict[str, Any]] = [
    {"Type": "Pass", "Parameters": {"v.$": "$.v", "k": 1}, "ResultPath": "$.last"},
    {"Type": "Pass", "Parameters": {"v.$": "$.v", "w.$": "$.w", "c": {"d": [1]}}},
    {"Type": "Pass", "Parameters": {"v.$": "$.v.x", "n.$": "States.MathAdd($.n, 2)"}, "ResultPath": "$.r"},
    {"Type": "Pass", "Parameters": {"v.$": "$.v"}, "ResultPath": "$.a.b"},
    {"Type": "Pass", "Parameters": {"v.$": "$.v"}, "ResultPath": None},
    {"Type": "Pass", "Result": {"r": 1}, "ResultPath": "$.last"},
    {"Type": "Pass", "Result": "x"},
]
PASS_INPUTS: list[Any] = [
    {"v": 1, "w": None, "n": 1},
    {"v": {"x": 2}, "w": [1], "n": 1.5},
    {"v": [1], "n": "1"},
    {"w": 1, "n": True},
    [1, 2],
    "text",
    None,
    7,
]


@pytest.mark.parametrize("data", PASS_INPUTS)
@pytest.mark.parametrize("state", PASS_SHAPES)
def test_compiled_pass_agrees_with_the_general_path(state: dict[str, Any], data: Any) -> None:
    """Each compiled Pass form (virtual clock) ends exactly as the general path (real clock) does."""
    definition = chain(("P", state))
    fast, general = run(definition, data), run(definition, data, clock="real")
    assert (fast.status, fast.error, fast.cause, fast.output) == (
        general.status,
        general.error,
        general.cause,
        general.output,
    )


@pytest.mark.parametrize("data", PASS_INPUTS)
@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.v", "NumericGreaterThanEquals": 1},
        {"Variable": "$.v.x", "NumericLessThan": 3},
        {"Variable": "$.w", "StringEquals": "a"},
    ],
)
def test_compiled_choice_agrees_with_the_general_path(rule: dict[str, Any], data: Any) -> None:
    """A Choice on plain input paths (virtual clock) ends exactly as the general path (real clock) does."""
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Y"}], "Default": "N"},
            "Y": {"Type": "Pass", "Result": "yes", "End": True},
            "N": {"Type": "Pass", "Result": "no", "End": True},
        },
    }
    fast, general = run(definition, data), run(definition, data, clock="real")
    assert (fast.status, fast.error, fast.cause, fast.output) == (
        general.status,
        general.error,
        general.cause,
        general.output,
    )


def test_a_retried_lambda_failure_keeps_its_error_document_in_the_history() -> None:
    """A failure that is retried (its cause never read by the run) still shows AWS's full error document."""
    import json

    calls: list[int] = []

    def flaky(event: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("first try")
        return {"ok": True}

    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}]
    execution = run(chain(("T", task("flaky", Retry=retry))), {}, lambdas={"flaky": flaky}, seed=7)
    assert execution.output == {"ok": True}
    (failed,) = [e for e in execution.history if e["type"] == "LambdaFunctionFailed"]
    details = failed["lambdaFunctionFailedEventDetails"]
    document = json.loads(details["cause"])
    assert details["error"] == "ValueError"
    assert (document["errorType"], document["errorMessage"]) == ("ValueError", "first try")
    assert list(document) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert len(document["requestId"]) == 36
    assert "in flaky" in document["stackTrace"][0]
    assert details["cause"].startswith('{"errorMessage": "first try", "errorType": "ValueError"')


@pytest.mark.parametrize("threshold", [700, 0])
def test_a_run_gives_back_the_callers_gc_thresholds(threshold: int) -> None:
    """A run raises the young-collection threshold while it runs; its own young objects then wait for the caller's
    next collection, after which (or at once, when automatic collection is off) the caller's thresholds are back."""
    import gc

    saved = gc.get_threshold()
    try:
        gc.set_threshold(threshold, 10, 10)
        items = [{"n": k} for k in range(2_000)]
        definition = {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Map",
                    "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                    "End": True,
                }
            },
        }
        execution = run(definition, items)
        if threshold:
            assert gc.get_threshold()[0] > threshold  # (the run's objects do not force a collection at its end)
            gc.collect(0)
        assert gc.get_threshold() == (threshold, 10, 10)
        assert execution.output == items
        if threshold:  # a threshold the caller sets before that collection is theirs, and stays
            run(definition, items)
            gc.set_threshold(900, 10, 10)
            gc.collect(0)
            assert gc.get_threshold() == (900, 10, 10)
            run(definition, items)
            gc.collect(0)
            assert gc.get_threshold() == (900, 10, 10)
    finally:
        gc.set_threshold(*saved)
