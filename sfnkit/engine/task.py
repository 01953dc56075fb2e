"""The Task state: a Lambda function (legacy function ARN or ``lambda:invoke``) or a service callable bound by
``run(services=...)``, with TimeoutSeconds, HeartbeatSeconds and AWS's Lambda/Task history events.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from sfnkit.asl import dataflow as df
from sfnkit.asl.context import ACCOUNT, REGION, context_object
from sfnkit.asl.failures import (
    DATA_LIMIT_EXCEEDED,
    HEARTBEAT_TIMEOUT,
    RUNTIME,
    TIMEOUT,
    StatesError,
)
from sfnkit.asl.jsonata import QueryEvaluationError, Template, compile_template
from sfnkit.asl.jsonata_values import json_type
from sfnkit.asl.paths import PathNotFound, compile_path
from sfnkit.asl.scope import Json, Scope
from sfnkit.clock import (
    NO_DEADLINE,
    SleptPastDeadline,
    enter_handler,
    leave_handler,
)
from sfnkit.engine.loop import (
    Aborted,
    ExecutionTimedOut,
    Recorder,
    RunState,
    Strand,
    json_size,
    uuid4_text,
)
from sfnkit.engine.mocks import MockBinding
from sfnkit.engine.node import append_record, io_growth
from sfnkit.engine.retry import Attempt, RetryingNode
from sfnkit.execution import GENERIC
from sfnkit.lambdas import (
    MAX_PAYLOAD_BYTES,
    TaskTimedOut,
    data_limit_cause,
    exception_text,
    find_function,
    function_error,
    function_name,
    invoke,
    invoke_output,
    json_copy,
    not_found,
    parse_payload,
    unbound_advice,
)
from sfnkit.taskcall import CallbackTimedOut, TaskCall

_LAMBDA_INVOKE: Final = ("arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken")


# what a Task's call carries down to the service: the run, the strand, its task token, its HeartbeatSeconds
_Call = tuple[RunState, Strand, str | None, Any]
# an activity Task's hooks for its binding: ActivityScheduled now, ActivityStarted at (time, workerName)
_ActivityHooks = tuple[Callable[[], None], Callable[[float, str | None], None]]


class TaskNode(RetryingNode):
    """Task: a Lambda function (legacy ARN or lambda:invoke) or a bound service callable."""

    __slots__ = (
        "callback",
        "function",
        "has_timeout",
        "heartbeat",
        "heartbeat_path",
        "kind",
        "resource",
        "resource_api",
        "resource_type",
        "timeout",
        "timeout_path",
    )

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        resource = str(state.get("Resource", ""))
        self.resource = resource
        self.function = function_name(resource)
        if resource.startswith("arn:aws:lambda:") or (":lambda:" in resource and ":function:" in resource):
            self.kind = "lambda"
        elif resource in _LAMBDA_INVOKE:
            self.kind = "invoke"
        else:
            self.kind = "service"
        parts = resource.split(":")
        if len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
            self.kind = "activity"  # Activity* events, not Task* (AWS's GetExecutionHistory)
        self.resource_type = parts[5] if len(parts) > 6 and parts[2] == "states" and not parts[3] else parts[2]
        self.resource_api = ":".join(parts[6:]) if len(parts) > 6 else resource
        if self.resource_type == "aws-sdk" and len(parts) > 7:
            self.resource_type = f"aws-sdk:{parts[6]}"
            self.resource_api = ":".join(parts[7:])
        self.has_timeout = "TimeoutSeconds" in state or "TimeoutSecondsPath" in state
        self.timeout: Any = state.get("TimeoutSeconds")
        self.heartbeat: Any = state.get("HeartbeatSeconds")
        # a task token for the service to call back with: .waitForTaskToken, .sync, activities
        self.callback = resource.endswith((".waitForTaskToken", ".sync", ".sync:2")) or (
            len(parts) > 6 and parts[2] == "states" and parts[5] == "activity"
        )
        self.heartbeat_path: Any = None
        if language != "JSONata" and isinstance(state.get("HeartbeatSecondsPath"), str):
            text = state["HeartbeatSecondsPath"]
            self.heartbeat_path = (text, compile_path(text, location=f"{location}.HeartbeatSecondsPath").find)
        self.timeout_path: Any = None
        if language == "JSONata":
            if isinstance(self.timeout, str):
                self.timeout = compile_template(
                    self.timeout, location=f"{location}.TimeoutSeconds", field="TimeoutSeconds"
                )
            if isinstance(self.heartbeat, str):
                self.heartbeat = compile_template(
                    self.heartbeat, location=f"{location}.HeartbeatSeconds", field="HeartbeatSeconds"
                )
        elif "TimeoutSecondsPath" in state:
            text = state["TimeoutSecondsPath"]
            self.timeout_path = (text, compile_path(text, location=f"{location}.TimeoutSecondsPath").find)
        self.growth = io_growth(state, language, (0, 0, False))

    def _timeout_seconds(self, run: RunState, raw: Json, effective: Json, context: Json, strand: Strand) -> Any:
        if self.timeout_path is not None:
            return _read_path(self.timeout_path, Scope(effective, context, strand.variables))
        if isinstance(self.timeout, Template):
            value = self.timeout.evaluate(
                {"input": raw, "context": context}, strand.variables, runtime=run.jsonata_runtime
            )
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                expression = self.timeout.expression
                shown = expression.source if expression is not None else ""
                raise QueryEvaluationError(
                    f"The JSONata expression '{shown}' specified for the field 'TimeoutSeconds' returned an unexpected "
                    f"result type. Expected 'integer', but was '{json_type(value)}' for value: {df.json_text(value)}",
                    field="TimeoutSeconds",
                )
            return value
        return self.timeout

    def attempt(self, run: RunState, strand: Strand, raw: Json, t: float, retry_count: int, eid: int) -> Attempt:
        timeline = strand.timeline
        now = timeline.now if run.virtual else run.clock.tick(timeline)
        token = _task_token(run, strand) if self.callback else None
        context = (
            context_object(run.base_context, self.name, t, retry_count=retry_count, task_token=token)
            if self.needs_context
            else None
        )
        variables = strand.variables
        io = self.io
        if isinstance(io, df.JsonPathIO):
            effective = raw if io.input_path is None else io.input_path(Scope(raw, context, variables))
            params = effective if io.parameters is None else io.parameters(Scope(effective, context, variables))
        else:
            effective = raw
            params = io.task_input(raw, effective, context, variables, run.jsonata_runtime)
        timeout: Any = None
        deadline = run.deadline
        if self.has_timeout:
            timeout = self._timeout_seconds(run, raw, effective, context, strand)
            if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
                deadline = min(deadline, now + timeout)
        own_deadline = deadline
        if strand.abort_at < deadline:
            deadline = strand.abort_at
        heartbeat = self.heartbeat
        if self.heartbeat_path is not None:
            heartbeat = _read_path(self.heartbeat_path, Scope(effective, context, variables))
        mocks = run.mocks
        if mocks is not None and self.name in mocks:
            result, size = self._mocked(mocks, strand, params, retry_count, timeout)
        else:
            result, size = self._call((run, strand, token, heartbeat), params, deadline, timeout, own_deadline)
        if isinstance(io, df.JsonataIO):
            out, assigned = io.finish(raw, result, context, variables, run.jsonata_runtime)
        else:
            out, assigned = io.finish(raw, result, context, variables)
        return Attempt(out, assigned, size)

    def _call(self, call: _Call, params: Json, deadline: float, timeout: Any, own_deadline: float) -> tuple[Json, int]:
        run, strand, token, heartbeat = call
        rec = strand.rec
        chain = strand.chain
        timeline = strand.timeline
        now = timeline.now
        if self.kind == "lambda":
            scheduled: dict[str, Json] = {"resource": self.resource, "input": params}
            if isinstance(timeout, int) and not isinstance(timeout, bool):
                scheduled["timeoutInSeconds"] = timeout
            trace = rec.trace
            trace.append((GENERIC, "LambdaFunctionScheduled", chain, now, scheduled, None))
            functions = run.functions
            fn = functions.get(self.resource)
            if fn is None:
                fn = functions[self.resource] = find_function(run.lambdas, self.resource)
            if fn is None:
                rec.count += 1
                run.note(unbound_advice(self.resource, run.lambdas))
                raise _lambda_failed(rec, chain, now, not_found(self.resource, run.request_id(strand)))
            trace.append((GENERIC, "LambdaFunctionStarted", chain, now, None, None))
            rec.count += 2
            try:
                invocation = invoke(
                    fn,
                    params,
                    name=self.function,
                    arn=self.resource,
                    clock=run.clock,
                    timeline=timeline,
                    deadline=deadline,
                    # drawn now (the seeded random sequence stays the same), spelt only if someone reads it
                    request_id=functools.partial(uuid4_text, (strand.random or run.random).getrandbits(128)),
                )
            except TaskTimedOut:
                return self._timed_out(run, strand, "LambdaFunctionTimedOut", None, own_deadline)
            if invocation.function_error:
                # raised without a local name: no reference cycle through this frame
                raise _lambda_failed(rec, chain, timeline.now, function_error(invocation, compact=False))
            try:
                payload = parse_payload(invocation, what=self.resource)
            except StatesError as err:
                details = {"error": err.error, "cause": err.cause}
                trace.append((GENERIC, "LambdaFunctionFailed", chain, timeline.now, details, None))
                rec.count += 1
                raise
            trace.append((GENERIC, "LambdaFunctionSucceeded", chain, timeline.now, {"output": payload}, None))
            rec.count += 1
            return payload, len(invocation.payload)
        if self.kind == "activity":
            return self._activity(call, params, deadline, timeout)
        base = {"resourceType": self.resource_type, "resource": self.resource_api}
        scheduled = dict(base, region=REGION, parameters=params)
        if isinstance(timeout, int) and not isinstance(timeout, bool):
            scheduled["timeoutInSeconds"] = timeout
        if isinstance(heartbeat, int) and not isinstance(heartbeat, bool):
            scheduled["heartbeatInSeconds"] = heartbeat
        append_record(rec, (GENERIC, "TaskScheduled", chain, now, scheduled, None))
        append_record(rec, (GENERIC, "TaskStarted", chain, now, base, None))
        try:
            if self.kind == "invoke" and token is not None:
                result, size = self._invoke_for_token(call, params, deadline)
            elif self.kind == "invoke":
                result, size = self._invoke(run, strand, params, deadline)
            else:
                result, size = self._service(call, params, deadline)
        except TaskTimedOut:
            return self._timed_out(run, strand, "TaskTimedOut", "", own_deadline)
        except CallbackTimedOut:  # the heartbeat or TimeoutSeconds of a callback passed
            if timeline.now >= run.deadline:
                raise ExecutionTimedOut from None
            append_record(rec, (GENERIC, "TaskTimedOut", chain, timeline.now, dict(base, error=TIMEOUT), None))
            raise StatesError(TIMEOUT, None) from None
        except StatesError as err:
            details = dict(base, error=err.error)
            if err.cause is not None:
                details["cause"] = err.cause
            append_record(rec, (GENERIC, "TaskFailed", chain, timeline.now, details, None))
            raise
        append_record(rec, (GENERIC, "TaskSucceeded", chain, timeline.now, dict(base, output=result), None))
        return result, size

    def _activity(self, call: _Call, params: Json, deadline: float, timeout: Any) -> tuple[Json, int]:
        """An activity Task, with AWS's events: ActivityScheduled once the activity is known to exist, ActivityStarted
        when a worker takes it, then ActivitySucceeded, ActivityFailed or ActivityTimedOut."""
        run, strand, _token, heartbeat = call
        rec, chain, timeline = strand.rec, strand.chain, strand.timeline
        scheduled: dict[str, Json] = {"resource": self.resource, "input": params}
        if isinstance(timeout, int) and not isinstance(timeout, bool):
            scheduled["timeoutInSeconds"] = timeout
        if isinstance(heartbeat, int) and not isinstance(heartbeat, bool):
            scheduled["heartbeatInSeconds"] = heartbeat

        done: list[bool] = []

        def on_scheduled() -> None:
            done.append(True)
            append_record(rec, (GENERIC, "ActivityScheduled", chain, timeline.now, scheduled, None))

        def on_started(t: float, worker: str | None) -> None:
            details = None if worker is None else {"workerName": worker}
            append_record(rec, (GENERIC, "ActivityStarted", chain, t, details, None))

        try:
            result, size = self._service(call, params, deadline, (on_scheduled, on_started))
        except (TaskTimedOut, CallbackTimedOut):
            if timeline.now >= run.deadline:
                raise ExecutionTimedOut from None
            append_record(rec, (GENERIC, "ActivityTimedOut", chain, timeline.now, {"error": TIMEOUT}, None))
            raise StatesError(TIMEOUT, None) from None
        except StatesError as err:
            if done:  # a missing activity fails the execution before anything is scheduled
                details: dict[str, Json] = {"error": err.error}
                if err.cause is not None:
                    details["cause"] = err.cause
                append_record(rec, (GENERIC, "ActivityFailed", chain, timeline.now, details, None))
            raise
        append_record(rec, (GENERIC, "ActivitySucceeded", chain, timeline.now, {"output": result}, None))
        return result, size

    def _mocked(
        self, mocks: MockBinding, strand: Strand, params: Json, retry_count: int, timeout: Any
    ) -> tuple[Json, int]:
        """The mock's answer instead of the call, with the events the call would have recorded (no time passes)."""
        rec, chain, now = strand.rec, strand.chain, strand.timeline.now
        legacy = self.kind == "lambda"  # a Lambda ARN as Resource: LambdaFunction* events, the answer is the payload
        base = {"resourceType": self.resource_type, "resource": self.resource_api}
        scheduled: dict[str, Json] = (
            {"resource": self.resource, "input": params} if legacy else dict(base, region=REGION, parameters=params)
        )
        if isinstance(timeout, int) and not isinstance(timeout, bool):
            scheduled["timeoutInSeconds"] = timeout
        heartbeat = self.heartbeat
        if not legacy and isinstance(heartbeat, int) and not isinstance(heartbeat, bool):
            scheduled["heartbeatInSeconds"] = heartbeat
        prefix = "LambdaFunction" if legacy else "Task"
        append_record(rec, (GENERIC, f"{prefix}Scheduled", chain, now, scheduled, None))
        append_record(rec, (GENERIC, f"{prefix}Started", chain, now, None if legacy else base, None))
        try:
            result = mocks.answer(self.name, self.resource, params, retry_count, strand.item)
        except StatesError as err:
            details: dict[str, Json] = {} if legacy else dict(base)
            details["error"] = err.error
            if err.cause is not None:
                details["cause"] = err.cause
            append_record(rec, (GENERIC, f"{prefix}Failed", chain, now, details, None))
            raise
        succeeded = {"output": result} if legacy else dict(base, output=result)
        append_record(rec, (GENERIC, f"{prefix}Succeeded", chain, now, succeeded, None))
        size = json_size(result)
        if size > MAX_PAYLOAD_BYTES:
            raise StatesError(DATA_LIMIT_EXCEEDED, data_limit_cause(self.resource_type))
        return result, size

    def _timed_out(
        self, run: RunState, strand: Strand, event: str, cause: str | None, own_deadline: float
    ) -> tuple[Json, int]:
        if strand.timeline.now >= run.deadline:
            raise ExecutionTimedOut
        if strand.timeline.now < own_deadline:
            raise Aborted  # stopped by a sibling's failure, before its own TimeoutSeconds
        details: dict[str, Json] = {"error": TIMEOUT}
        if event == "TaskTimedOut":
            details = {"resourceType": self.resource_type, "resource": self.resource_api, "error": TIMEOUT}
        append_record(strand.rec, (GENERIC, event, strand.chain, strand.timeline.now, details, None))
        raise StatesError(TIMEOUT, cause)

    def _invoke(self, run: RunState, strand: Strand, params: Json, deadline: float) -> tuple[Json, int]:
        if not isinstance(params, dict) or not isinstance(params.get("FunctionName"), str):
            raise StatesError(
                "States.Runtime",
                f"The Parameters of a lambda:invoke Task need a FunctionName string; got {df.json_text(params)}",
            )
        reference = params["FunctionName"]
        request_id = run.request_id(strand)
        fn = find_function(run.lambdas, reference)
        if fn is None:
            run.note(unbound_advice(str(reference), run.lambdas))
            raise not_found(reference, request_id)
        payload = params.get("Payload")
        if payload is None:
            event: Json = {}
        elif isinstance(payload, str):
            try:
                event = json.loads(payload)
            except ValueError:
                event = payload
        else:
            event = payload
        invocation = invoke(
            fn,
            event,
            name=function_name(reference),
            arn=reference
            if reference.startswith("arn:")
            else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{reference}",
            clock=run.clock,
            timeline=strand.timeline,
            deadline=deadline,
            request_id=request_id,
            log_tail=params.get("LogType") == "Tail",
        )
        if invocation.function_error:
            raise function_error(invocation, compact=True)
        value = parse_payload(invocation, what=self.resource_type)
        return invoke_output(invocation, value), len(invocation.payload) + 1200

    def _invoke_for_token(self, call: _Call, params: Json, deadline: float) -> tuple[Json, int]:
        """``lambda:invoke.waitForTaskToken``: the function runs with the token in its payload, its answer is the
        TaskSubmitted output, and the Task's result is what the token is answered with, not what the function
        returned (AWS's callback pattern)."""
        run, strand, _, heartbeat = call

        def request() -> Json:
            return self._invoke(run, strand, params, deadline)[0]

        if run.services.get(self.resource) is not None:  # sfnkit.aws() waits on its world; a plain callable answers
            return self._service(call, params, deadline, request=request)
        self._submitted(strand, request())
        timeline = strand.timeline
        wake = deadline
        if isinstance(heartbeat, int) and not isinstance(heartbeat, bool) and heartbeat > 0:
            wake = min(wake, timeline.now + heartbeat)
        if wake >= run.deadline or not run.clock.virtual:
            raise StatesError(
                RUNTIME,
                f"Nothing can answer the task token of the state '{self.name}' in a plain run(): run it in a "
                "sfnkit.aws() world (run(..., services=sfnkit.aws()) with a worker, or sfnkit.start() and "
                "send_task_success), or bind services={'arn:aws:states:::lambda:invoke.waitForTaskToken': callable} "
                "to answer for it.",
            )
        run.clock.sleep(timeline, wake - timeline.now)  # nobody sends the token: its heartbeat or timeout passes
        raise CallbackTimedOut

    def _service(
        self,
        call: _Call,
        params: Json,
        deadline: float,
        activity: _ActivityHooks | None = None,
        request: Callable[[], Json] | None = None,
    ) -> tuple[Json, int]:
        run, strand, token, heartbeat = call
        resource = self.resource
        fn = run.services.get(resource)
        if fn is None and "." in resource.rsplit(":", 1)[-1]:
            fn = run.services.get(resource.rsplit(".", 1)[0])
        if fn is None:
            fn = find_function(run.lambdas, resource) if ":function:" in resource else None
        if fn is None:
            err = StatesError(
                RUNTIME,
                f"No service is bound to the Task resource '{resource}' (state '{self.name}'): pass "
                f"services={{'{resource}': callable}} to sfnkit.run(); the callable receives the evaluated parameters "
                "and returns the service's result.",
            )
            raise err
        timeline = strand.timeline
        if getattr(fn, "takes_task_call", False):
            task_call = TaskCall(
                resource=resource,
                state=self.name,
                token=token,
                timeline=timeline,
                clock=run.clock,
                # a callback answered from outside the world waits as long as it must when only AWS's duration quota
                # bounds it: the world reports a wait nobody can end (advancing a year at once would time it out)
                deadline=NO_DEADLINE if run.open_ended and deadline >= run.deadline else deadline,
                heartbeat=heartbeat if isinstance(heartbeat, int) and not isinstance(heartbeat, bool) else None,
                execution_arn=run.info.execution_arn,
                context=run.base_context,
                submitted=functools.partial(self._submitted, strand),
                scheduled=activity[0] if activity else None,
                started=activity[1] if activity else None,
                request=request,
            )
            try:
                result = fn(json_copy(params), task_call)
            except (StatesError, CallbackTimedOut, TaskTimedOut):
                raise
            except Exception as exc:
                raise StatesError(RUNTIME, f"{type(exc).__name__}: {exc}") from None
            return self._sized(result)
        if activity is not None:  # a plain callable bound to an activity: it takes the task at once
            activity[0]()
            activity[1](timeline.now, None)
        beat = NO_DEADLINE
        if isinstance(heartbeat, int) and not isinstance(heartbeat, bool) and heartbeat > 0:
            beat = timeline.now + heartbeat  # a callable sends no heartbeats: it must finish within HeartbeatSeconds
        frame = enter_handler(timeline, min(deadline, beat)) if run.clock.virtual else None
        try:
            result = fn(json_copy(params))
            if run.clock.virtual and timeline.now >= min(deadline, beat):
                raise SleptPastDeadline  # it slept to its deadline and swallowed SleptPastDeadline
        except SleptPastDeadline:
            if beat < deadline:
                raise StatesError(HEARTBEAT_TIMEOUT, "") from None
            raise TaskTimedOut from None
        except (StatesError, KeyboardInterrupt, SystemExit):
            raise  # Ctrl-C and sys.exit() stop the whole run, as they would stop the Python program
        except BaseException as exc:  # any other exception, even a BaseException subclass, fails the task
            name = getattr(exc, "error", None) or getattr(exc, "error_type", None) or type(exc).__name__
            raise StatesError(str(name), exception_text(exc)) from None
        finally:
            if run.clock.virtual:
                leave_handler(frame)
        return self._sized(result)

    def _submitted(self, strand: Strand, output: Json) -> None:
        details = {"resourceType": self.resource_type, "resource": self.resource_api, "output": output}
        append_record(strand.rec, (GENERIC, "TaskSubmitted", strand.chain, strand.timeline.now, details, None))

    def _sized(self, result: Json) -> tuple[Json, int]:
        try:
            result = json_copy(result)  # a cycle or 100,000 levels: RecursionError, or ValueError from json
            size = json_size(result)
        except RecursionError:
            raise StatesError(
                RUNTIME,
                f"The callable bound to the Task resource '{self.resource}' (state '{self.name}') returned a value "
                "nested too deeply to encode as JSON; return a flatter value, as the service would.",
            ) from None
        except (TypeError, ValueError) as exc:
            raise StatesError(
                RUNTIME,
                f"The callable bound to the Task resource '{self.resource}' (state '{self.name}') returned a value "
                f"that is not JSON ({exc}); return dicts, lists, str, numbers, bool or None, as the service would.",
            ) from None
        if size > MAX_PAYLOAD_BYTES:
            raise StatesError(DATA_LIMIT_EXCEEDED, data_limit_cause(self.resource_type))
        return result, size


def _lambda_failed(rec: Recorder, chain: int, t: float, err: StatesError) -> StatesError:
    """Record LambdaFunctionFailed for *err* and return it (for the caller to raise); the cause is read when the
    history is built (a handler's error document is spelt out only if someone looks)."""
    details = {"error": err.error, "cause": err.cause_source}  # not the error: its traceback holds frames
    rec.trace.append((GENERIC, "LambdaFunctionFailed", chain, t, details, None))
    rec.count += 1
    return err


def _read_path(path: tuple[str, Any], scope: Scope) -> Any:
    """``TimeoutSecondsPath``/``HeartbeatSecondsPath``: a path that matches nothing fails as AWS words it."""
    _text, find = path
    try:
        return find(scope)
    except PathNotFound as missing:
        raise df.runtime_error(f"Invalid path '{missing.path}' : {missing.reason}") from None


def _task_token(run: RunState, strand: Strand) -> str:
    """Drawn from the strand's own source, as ``RunState.request_id`` is."""
    return "AAAA" + uuid.UUID(int=(strand.random or run.random).getrandbits(128), version=4).hex
