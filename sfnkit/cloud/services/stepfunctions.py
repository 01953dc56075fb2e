"""Step Functions itself, run by sfnkit: state machines, executions, task tokens and activities of one world.

``LocalStepFunctions`` answers the calls boto3's ``stepfunctions`` client makes, with the same keyword arguments
and the same response shapes (``create_state_machine``, ``start_execution``, ``describe_execution``,
``send_task_success``/``failure``/``heartbeat``, ``create_activity``, ``get_activity_task``...), so a callback or
activity worker written against boto3 runs unchanged when handed ``services.client("stepfunctions")`` — a real
boto3 client that ``answer_locally`` routes here. Executions it starts run on the world's shared virtual clock, each
on a thread of its own.
"""

from __future__ import annotations

import collections
import datetime
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.clock import Timeline
from sfnkit.cloud.services.world import Waiter, WorldClock
from sfnkit.taskcall import CallbackFailed, CallbackTimedOut, TaskCall

__all__ = ["LocalStepFunctions", "ServiceError", "answer_locally"]

Json = Any


class ServiceError(Exception):
    """An error as boto3 raises it (``exc.response["Error"]["Code"]``), for the shaping layer and for callers."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"An error occurred ({code}): {message}")
        self.response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}


def answer_locally(client: Any, local: LocalStepFunctions) -> Any:
    """Make boto3 *client* (``stepfunctions``) send its calls to *local* instead of over HTTP.

    boto3 validates the arguments as usual; just before the request would be signed and sent (``before-call``),
    the call is answered by the local service's method of the same name, and its errors come back as boto3's own
    exceptions (``client.exceptions.InvalidToken``...). Code written against boto3 runs unchanged.
    """
    from botocore import xform_name
    from botocore.awsrequest import AWSResponse

    def keep_arguments(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["sfnkit_arguments"] = dict(params)

    def answer(model: Any, context: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        method = getattr(local, xform_name(model.name), None)
        status = 200
        if method is None:
            parsed: dict[str, Any] = {
                "Error": {"Code": "UnsupportedOperation", "Message": f"sfnkit's Step Functions has no {model.name}"}
            }
            status = 400
        else:
            try:
                parsed = dict(method(**context.get("sfnkit_arguments", {})))
            except ServiceError as exc:
                parsed = dict(exc.response)
                status = int(parsed["ResponseMetadata"]["HTTPStatusCode"])
        parsed["ResponseMetadata"] = {"RequestId": str(uuid.uuid4()), "HTTPStatusCode": status, "HTTPHeaders": {}}
        return AWSResponse("sfnkit://stepfunctions", status, {}, None), parsed

    client.meta.events.register("before-parameter-build", keep_arguments)
    client.meta.events.register("before-call", answer)
    return client


class _Execution:
    __slots__ = ("arn", "done", "execution", "input", "machine_arn", "name", "start", "thread", "waiter")

    def __init__(self, arn: str, machine_arn: str, name: str, input_text: str, start: float) -> None:
        self.arn = arn
        self.machine_arn = machine_arn
        self.name = name
        self.input = input_text
        self.start = start
        self.execution: Any = None  # the sfnkit Execution once finished
        self.done = threading.Event()
        self.thread: threading.Thread | None = None
        self.waiter: Waiter | None = None  # a .sync Task waiting for the end


def _date(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


class LocalStepFunctions:
    """The Step Functions API of one world (see the module docstring)."""

    def __init__(self, world: WorldClock, services: Any, *, region: str, account: str) -> None:
        self.world = world
        self.services = services
        self.region = region
        self.account = account
        self.machines: dict[str, dict[str, Json]] = {}
        self.executions: dict[str, _Execution] = {}
        self.activities: dict[str, collections.deque[tuple[str, str]]] = {}
        # activity ARN -> the get_activity_task calls waiting for a task, with their workerName
        self.pollers: dict[str, collections.deque[tuple[Waiter, str | None]]] = {}
        # task token -> when a worker took the activity task, and its workerName (for ActivityStarted)
        self.taken: dict[str, tuple[float, str | None]] = {}
        self.tokens: dict[str, Waiter] = {}
        # execution ARN -> told when a .waitForTaskToken Task of that execution waits (sfnkit.start's handle)
        self.watchers: dict[str, Callable[[TaskCall, Waiter], None]] = {}
        self._lock = threading.Lock()

    # --- state machines and executions ---------------------------------------------------------------------------

    def create_state_machine(
        self, *, name: str, definition: str, roleArn: str = "", type: str = "STANDARD", **_: Any
    ) -> dict[str, Json]:
        arn = f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"
        self.machines[arn] = {"name": name, "definition": json.loads(definition), "type": type, "roleArn": roleArn}
        return {"stateMachineArn": arn, "creationDate": _date(self.world.now)}

    def delete_state_machine(self, *, stateMachineArn: str) -> dict[str, Json]:
        self.machines.pop(stateMachineArn, None)
        return {}

    def start_execution(
        self, *, stateMachineArn: str, input: str = "{}", name: str | None = None, **_: Any
    ) -> dict[str, Json]:
        record = self._start(stateMachineArn, input, name)
        return {"executionArn": record.arn, "startDate": _date(record.start)}

    def _start(self, machine_arn: str, input_text: Any, name: str | None, waiter: Waiter | None = None) -> _Execution:
        machine = self.machines.get(machine_arn)
        if machine is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine_arn}'")
        name = name or str(uuid.uuid4())
        arn = f"arn:aws:states:{self.region}:{self.account}:execution:{machine['name']}:{name}"
        if arn in self.executions:
            raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
        text = "{}" if input_text is None else input_text
        try:
            value = json.loads(text)
        except ValueError:
            raise ServiceError("InvalidExecutionInput", f"Invalid execution input: {text}") from None
        record = self.record(arn, machine_arn, name, text)
        record.waiter = waiter
        participant = self.world.register()  # time waits for the new thread to begin

        def body() -> None:
            from sfnkit.engine import run

            self.world.join(participant)
            try:
                record.execution = run(
                    machine["definition"],
                    value,
                    lambdas=self.services.lambdas,
                    services=self.services,
                    type=machine["type"],
                    context={"Execution": {"Name": name}, "StateMachine": {"Name": machine["name"]}},
                )
            except BaseException:  # a world closed under it: the thread just ends
                pass
            finally:
                if record.waiter is not None:  # before leaving: time must not pass the parent's deadline first
                    self.world.resolve(record.waiter, output=record)
                self.world.leave()
                record.done.set()
                self.world.notify()

        record.thread = threading.Thread(target=body, name=f"sfnkit-{name}", daemon=True)
        record.thread.start()
        return record

    def record(self, arn: str, machine_arn: str, name: str, input_text: str) -> _Execution:
        """A new execution of this world, known to ``describe_execution`` (and whose thread ``close()`` waits for)."""
        with self._lock:
            if arn in self.executions:
                raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            record = self.executions[arn] = _Execution(arn, machine_arn, name, input_text, self.world.now)
        return record

    def describe_execution(self, *, executionArn: str) -> dict[str, Json]:
        record = self.executions.get(executionArn)
        if record is None:
            raise ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{executionArn}'")
        out: dict[str, Json] = {
            "executionArn": record.arn,
            "stateMachineArn": record.machine_arn,
            "name": record.name,
            "status": "RUNNING",
            "startDate": _date(record.start),
            "input": record.input,
            "inputDetails": {"included": True},
        }
        execution = record.execution
        if execution is not None:
            out["status"] = execution.status
            out["stopDate"] = _date(execution.stop_time)
            if execution.status == "SUCCEEDED":
                out["output"] = json.dumps(execution.output, separators=(",", ":"))
                out["outputDetails"] = {"included": True}
            if execution.error is not None:
                out["error"] = execution.error
            if execution.cause is not None:
                out["cause"] = execution.cause
        return out

    # --- task tokens ----------------------------------------------------------------------------------------

    def send_task_success(self, *, taskToken: str, output: str) -> dict[str, Json]:
        waiter = self._waiter(taskToken)
        try:
            value = json.loads(output)
        except (TypeError, ValueError):
            raise ServiceError("InvalidOutput", f"Invalid output: {output}") from None
        self.world.resolve(waiter, output=value)
        return {}

    def send_task_failure(
        self, *, taskToken: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Json]:
        self.world.resolve(self._waiter(taskToken), error=(error, cause))
        return {}

    def send_task_heartbeat(self, *, taskToken: str) -> dict[str, Json]:
        self.world.heartbeat(self._waiter(taskToken))
        return {}

    def _waiter(self, token: str) -> Waiter:
        waiter = self.tokens.get(token)
        if waiter is None:
            raise ServiceError("InvalidToken", "Invalid Token: 'Invalid token'")
        if waiter.done:
            raise ServiceError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
        return waiter

    def callback(self, call: TaskCall, send: Callable[[], Json] | None = None) -> Json:
        """Wait for *call*'s token (after *send* has delivered it); the output, or the error the worker sent."""
        assert call.token is not None
        waiter = Waiter(call.deadline, call.heartbeat, call.timeline.now)
        self.tokens[call.token] = waiter
        if send is not None:
            send()
        watcher = self.watchers.get(call.execution_arn)
        if watcher is not None and not waiter.done:
            watcher(call, waiter)  # before the Task waits: the world's time has not moved since the token was sent
        return self.outcome(call, waiter)

    def outcome(self, call: TaskCall, waiter: Waiter) -> Json:
        if not self.world.wait(call.timeline, waiter):
            # its token has expired: a late answer is TaskTimedOut ("the task token has either expired or the task
            # associated with the token has already been closed", SendTaskSuccess's API reference)
            self.world.resolve(waiter, error=("States.Timeout", None))
            raise CallbackTimedOut
        if waiter.error is not None:
            error, cause = waiter.error
            raise CallbackFailed(error, cause)  # type: ignore[arg-type]  # AWS keeps a missing error as null
        return waiter.output

    # --- activities -----------------------------------------------------------------------------------------

    def create_activity(self, *, name: str, **_: Any) -> dict[str, Json]:
        arn = f"arn:aws:states:{self.region}:{self.account}:activity:{name}"
        self.activities.setdefault(arn, collections.deque())
        return {"activityArn": arn, "creationDate": _date(self.world.now)}

    def delete_activity(self, *, activityArn: str) -> dict[str, Json]:
        self.activities.pop(activityArn, None)
        return {}

    def get_activity_task(self, *, activityArn: str, workerName: str | None = None) -> dict[str, Json]:
        """Long-polls for 60 seconds of the world's time, as AWS does; ``{}`` when no task came."""
        with self._lock:
            queue = self.activities.get(activityArn)
            if queue is None:
                raise ServiceError("ActivityDoesNotExist", f"Activity Does Not Exist: '{activityArn}'")
            if queue:
                token, task_input = queue.popleft()
                waiter = self.tokens.get(token)
                if waiter is not None and not waiter.done:  # its Task still waits: ActivityStarted will tell of it
                    self.taken[token] = (self.world.now, workerName)
                return {"taskToken": token, "input": task_input}
            poll = Waiter(self.world.now + 60, None, self.world.now)
            self.pollers.setdefault(activityArn, collections.deque()).append((poll, workerName))
        if self.world.wait(Timeline(self.world.now), poll):
            token, task_input = poll.output
            return {"taskToken": token, "input": task_input}
        with self._lock:
            pollers = self.pollers.get(activityArn)
            if pollers and (poll, workerName) in pollers:
                pollers.remove((poll, workerName))
        return {}

    def run_activity(self, params: Json, call: TaskCall) -> Json:
        """An activity Task: hand the task to a worker, then wait for its answer."""
        arn = call.resource
        assert call.token is not None
        task = (call.token, json.dumps(params, separators=(",", ":")))
        waiter = Waiter(call.deadline, call.heartbeat, call.timeline.now)
        self.tokens[call.token] = waiter
        with self._lock:
            if arn not in self.activities:
                raise StatesError(RUNTIME, f"The activity {arn} does not exist.")
            if call.scheduled is not None:
                call.scheduled()
            pollers = self.pollers.get(arn)
            poll = None
            while pollers and poll is None:
                candidate, worker = pollers.popleft()
                poll = None if candidate.done else candidate
            if poll is None:
                self.activities[arn].append(task)
            else:
                self.taken[call.token] = (call.timeline.now, worker)
        if poll is not None:
            self.world.resolve(poll, output=task)
        try:
            return self.outcome(call, waiter)
        finally:
            taken = self.taken.pop(call.token, None)
            if taken is not None and call.started is not None:
                call.started(*taken)  # on AWS, ActivityStarted comes before how the activity ended

    # --- the startExecution integration -----------------------------------------------------------------------

    def start_for_task(self, params: Json, call: TaskCall, *, wait: bool) -> tuple[_Execution, Waiter | None]:
        """Start the execution a ``states:startExecution`` Task asks for; with *wait*, a waiter resolved when it ends
        (or when the Task's own token comes back first)."""
        if not isinstance(params, dict) or not isinstance(params.get("StateMachineArn"), str):
            raise StatesError(RUNTIME, "states:startExecution needs a StateMachineArn string parameter")
        input_value = params.get("Input")
        text = input_value if isinstance(input_value, str) else json.dumps(input_value, separators=(",", ":"))
        if input_value is None:
            text = "{}"
        waiter = None
        if wait:
            waiter = Waiter(call.deadline, call.heartbeat, call.timeline.now)
            if call.token is not None:
                self.tokens[call.token] = waiter
        record = self._start(params["StateMachineArn"], text, params.get("Name"), waiter)
        return record, waiter
