"""``sfnkit.start()``: an execution running in a ``sfnkit.aws()`` world, whose task tokens the caller answers.

``run()`` returns a finished execution; ``start()`` returns at once with a ``RunningExecution`` while the execution
runs on a thread of its own, on the world's shared virtual clock. The caller's thread joins that clock as a
participant: **the world's time stands still while the caller's code runs** and passes only while the caller waits
in ``wait_for_task_token()``, ``advance(seconds)`` or ``result()`` (or in a ``run()`` of the same world). So a Task
waiting for its token cannot time out behind the caller's back, a ``HeartbeatSeconds`` deadline passes only when
the caller lets time pass without a heartbeat, and every run of a test is the same, however fast the machine.

Answers go through the world's boto3 ``stepfunctions`` client, as a worker's would: the output is sent as JSON text,
and a token that is unknown or no longer waits raises boto3's ``InvalidToken`` or ``TaskTimedOut``.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from sfnkit.asl.codec import from_asl
from sfnkit.asl.context import ExecutionInfo
from sfnkit.cloud.services import AwsServices
from sfnkit.cloud.services.world import NEVER, Waiter, WorldClosed
from sfnkit.engine import run
from sfnkit.engine.loop import uuid4_text
from sfnkit.execution import Execution
from sfnkit.machine import StateMachine
from sfnkit.states import Task
from sfnkit.taskcall import TaskCall

if TYPE_CHECKING:
    from sfnkit.cloud.services.stepfunctions import _Execution  # the world's record of an execution

__all__ = ["RunningExecution", "start"]

Json = Any
_FROM_ELSEWHERE: Final = (
    "the world's time is the time of the thread that started the execution (it stands still while that thread's "
    "code runs): call it from that thread; any thread may answer with send_task_success/failure/heartbeat"
)


class _Token:
    """A token one of the execution's Tasks waits for, in the order the Tasks began to wait."""

    __slots__ = ("handed", "state", "token", "waiter")

    def __init__(self, state: str, token: str, waiter: Waiter) -> None:
        self.state = state
        self.token = token
        self.waiter = waiter
        self.handed = False  # returned by wait_for_task_token()


class RunningExecution:
    """An execution started by ``sfnkit.start()`` (see the module docstring); ``result()`` is its ``Execution``."""

    def __init__(self, services: AwsServices, name: str, arn: str, machine: Any) -> None:
        self.name = name
        self.arn = arn
        self._machine = machine
        self._callbacks: frozenset[str] | None = None  # its states that wait for a token (read when first asked)
        self._services = services
        self._world = services.clock
        self._client = services.client("stepfunctions")
        self._caller = self._world.join()  # from now on, the world's time waits for this thread
        self._caller_thread = threading.get_ident()
        self._tokens: list[_Token] = []
        self._want: str | None = None  # what the caller waits for: "end", or "token" (of the state in _want_state)
        self._want_state: str | None = None
        self._ended = False
        self._left = False
        self._execution: Execution | None = None
        self._error: BaseException | None = None
        self._record: _Execution | None = None

    def __repr__(self) -> str:
        return f"RunningExecution(name={self.name!r}, status={self.status!r})"

    @property
    def status(self) -> str:
        """``RUNNING``, or how it ended (``SUCCEEDED``, ``FAILED``, ``TIMED_OUT``, ``ABORTED``); never waits."""
        return "RUNNING" if self._execution is None else self._execution.status

    # --- answering its tokens --------------------------------------------------------------------------------

    def wait_for_task_token(self, state: str | None = None) -> str:
        """The task token of the next Task of this execution that waits for one (of *state*, if given).

        Returns at once when such a Task already waits and its token was not returned before; otherwise time passes
        until one does (tokens it is not asked for may time out meanwhile, as on AWS). Tokens come in the order
        their Tasks began to wait: on the virtual clock a Parallel's branches and a Map's iterations run one after
        the other, so the second branch's Task waits once the first branch's token is answered (or timed out).

        Raises:
            RuntimeError: the execution ended first (``result()`` tells how), or the world closed.
        """
        self._own_thread("wait_for_task_token")
        if state is not None:
            self._check_state(state)
        found: list[_Token] = []

        def ready() -> bool:
            for pending in self._tokens:
                if not pending.handed and not pending.waiter.done and state in (None, pending.state):
                    found.append(pending)
                    return True
            return self._ended

        with self._world.condition:
            self._wait_for("token", state, NEVER, ready)
            if not found:
                which = "" if state is None else f" in state {state!r}"
                raise RuntimeError(
                    f"wait_for_task_token(): execution {self.name!r} ended ({self.status}) before a Task{which} "
                    "waited for its token; result() returns the execution"
                )
            found[0].handed = True
            return found[0].token

    def send_task_success(self, token: str, output: Json) -> None:
        """``SendTaskSuccess``: the Task waiting for *token* succeeds with *output*, a JSON value (sent as JSON text;
        a str is a JSON string, not JSON text to parse)."""
        self._client.send_task_success(taskToken=token, output=_json_text(output))

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        """``SendTaskFailure``: the Task waiting for *token* fails with *error* and *cause* (Retry and Catch see
        them)."""
        arguments = {"taskToken": token}
        if error is not None:
            arguments["error"] = error
        if cause is not None:
            arguments["cause"] = cause
        self._client.send_task_failure(**arguments)

    def send_task_heartbeat(self, token: str) -> None:
        """``SendTaskHeartbeat``: the Task waiting for *token* has ``HeartbeatSeconds`` again from now."""
        self._client.send_task_heartbeat(taskToken=token)

    # --- letting time pass -----------------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Let *seconds* of the world's virtual time pass (Tasks whose heartbeat or timeout falls in them time out;
        Wait states end), then stand still again."""
        self._own_thread("advance")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds < NEVER:
            raise ValueError(f"advance(seconds): a number of seconds ≥ 0, e.g. advance(30); got {seconds!r:.60}")
        with self._world.condition:
            self._wait_for(None, None, self._world.now + seconds, lambda: False)

    def result(self) -> Execution:
        """Let time pass until the execution ends, and return it (the ``Execution`` ``run()`` would return).

        Tokens nobody answers time out by their ``HeartbeatSeconds``/``TimeoutSeconds``; one with neither waits
        until another thread answers it, or the world reports that nothing can.
        """
        self._own_thread("result")
        if not self._left:
            with self._world.condition:
                self._wait_for("end", None, NEVER, lambda: self._ended)
            self._leave()
        if self._record is not None and self._record.thread is not None:
            self._record.thread.join()
        if self._error is not None:  # Ctrl-C or sys.exit() in a handler stops the execution as it stops run()
            raise self._error
        if self._execution is None:
            raise RuntimeError(
                f"execution {self.name!r} did not finish: its sfnkit.aws() world closed first; call result() "
                "inside `with sfnkit.aws() as services:`"
            )
        return self._execution

    # --- inside -----------------------------------------------------------------------------------------------

    def _launch(self, machine_arn: str, input_text: str, runner: Callable[[], Execution]) -> None:
        """Run *runner* (the ``run()`` call) on a thread of the world, up to its first wait; raise what it refused."""
        world, local = self._world, self._services.stepfunctions
        try:
            self._record = local.record(self.arn, machine_arn, self.name, input_text)
        except Exception as exc:
            self._leave()
            if hasattr(exc, "response"):  # ExecutionAlreadyExists, as boto3 raises it
                raise self._client.exceptions.ExecutionAlreadyExists(exc.response, "StartExecution") from None
            raise
        local.watchers[self.arn] = self._waiting
        participant = world.register()  # time waits for the new thread to begin
        thread = threading.Thread(target=self._run, args=(participant, runner), name=f"sfnkit-{self.name}", daemon=True)
        self._record.thread = thread
        thread.start()
        world.settle(participant, lambda: self._ended)
        if self._error is not None:  # run() refused an argument before anything ran
            thread.join()
            local.executions.pop(self.arn, None)
            self._leave()
            raise self._error

    def _leave(self) -> None:
        if not self._left:
            self._left = True
            self._world.leave()  # the caller no longer holds the world's time

    def _check_state(self, state: object) -> None:
        if not isinstance(state, str):
            raise TypeError(f"wait_for_task_token(state=...) is a state name (str); got {state!r:.60}")
        if self._callbacks is None:
            self._callbacks = _callback_states(self._machine)
        if state not in self._callbacks:
            known = ", ".join(repr(name) for name in sorted(self._callbacks)) or "none"
            raise ValueError(
                f"wait_for_task_token(state={state!r}): no Task state of that name waits for a task token in this "
                f"machine (the ones that do: {known})"
            )

    def _own_thread(self, method: str) -> None:
        if threading.get_ident() != self._caller_thread:
            raise RuntimeError(f"RunningExecution.{method}() was called from another thread: {_FROM_ELSEWHERE}")
        if self._left and method != "result":
            raise RuntimeError(f"RunningExecution.{method}(): execution {self.name!r} ended and result() returned it")

    def _wait_for(self, want: str | None, state: str | None, until: float, ready: Callable[[], bool]) -> bool:
        """Pause the caller until *until* or *ready()* (the world's lock held: the hooks wake it atomically)."""
        self._want, self._want_state = want, state
        try:
            return self._world.pause(self._caller, until, ready)
        except WorldClosed:
            raise RuntimeError(
                f"execution {self.name!r}: its sfnkit.aws() world closed while the caller waited; use the handle "
                "inside `with sfnkit.aws() as services:`"
            ) from None
        finally:
            self._want = self._want_state = None

    def _waiting(self, call: TaskCall, waiter: Waiter) -> None:
        """A Task of this execution waits for its token (on the execution's thread; time stands still)."""
        with self._world.condition:
            assert call.token is not None
            self._tokens.append(_Token(call.state, call.token, waiter))
            if self._want == "token" and self._want_state in (None, call.state):
                self._world.wake(self._caller)

    def _run(self, participant: Any, runner: Callable[[], Execution]) -> None:
        """The execution's thread."""
        world = self._world
        world.join(participant)
        try:
            self._execution = runner()
        except WorldClosed:
            pass  # the world closed under it: the thread just ends
        except BaseException as exc:  # an argument run() refused (start() raises it), or Ctrl-C (result() does)
            self._error = exc
        finally:
            if self._record is not None:
                self._record.execution = self._execution
            with world.condition:
                self._ended = True
                if self._want is not None:  # before leaving: time must not run on behind the caller's back
                    world.wake(self._caller)
            self._services.stepfunctions.watchers.pop(self.arn, None)
            world.leave()
            if self._record is not None:
                self._record.done.set()
            world.notify()


def _callback_states(machine: Any) -> frozenset[str]:
    """The names of the machine's Task states that wait for a task token (branches and item processors included)."""
    graph = machine
    if not isinstance(machine, StateMachine):
        graph = from_asl(machine.decode() if isinstance(machine, bytes) else machine, validate=False)
    return frozenset(
        name
        for name, state, _owner in graph.walk()
        if isinstance(state, Task) and state.resource.endswith(".waitForTaskToken")
    )


def _json_text(output: Json) -> str:
    try:
        return json.dumps(output, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"send_task_success(token, output): output must be a JSON value (dict, list, str, int, float, bool or "
            f"None): {exc}. Convert it first, e.g. json.loads(json.dumps(value, default=str))."
        ) from None
    except RecursionError:
        raise TypeError("send_task_success(token, output): output nests too deeply to encode as JSON") from None


def _names(machine: Any, context: Any, type: Any, seed: int | None) -> ExecutionInfo:
    """The execution's and its machine's names, as ``run()`` will choose them (it draws the execution's name first
    from the seeded random source; unseeded, ``start()`` names it)."""
    overrides = context if isinstance(context, Mapping) else {}
    execution = overrides.get("Execution")
    name = execution.get("Name") if isinstance(execution, Mapping) else None
    if not name:
        name = uuid4_text(random.Random(seed).getrandbits(128)) if seed is not None else str(uuid.uuid4())
    machine_part = overrides.get("StateMachine")
    machine_name = machine_part.get("Name") if isinstance(machine_part, Mapping) else None
    return ExecutionInfo(
        name=str(name),
        state_machine_name=str(machine_name or getattr(machine, "name", None) or "StateMachine"),
        input=None,
        start_time=0.0,
        express=isinstance(type, str) and type.upper() == "EXPRESS",
    )


def start(
    machine: Any,
    input: Json = None,
    *,
    services: AwsServices,
    lambdas: Mapping[str, Callable[..., Any]] | None = None,
    context: Mapping[str, Json] | None = None,
    type: str = "STANDARD",
    seed: int | None = None,
    mocks: Mapping[str, Any] | None = None,
) -> RunningExecution:
    """Start *machine* on *input* in the ``sfnkit.aws()`` world *services*, and return at once.

    The arguments are ``run()``'s (the world's shared clock replaces ``clock``/``start``; Parallel branches and Map
    iterations run one after the other on it). The execution runs to its first wait before ``start()`` returns, so
    a definition or argument ``run()`` refuses raises here. Then the world's time stands still until the caller
    waits in ``wait_for_task_token()``, ``advance()`` or ``result()``; call those from the thread that started it.

    ```python
    with sfnkit.aws() as services:
        running = sfnkit.start(machine, {"order": 1}, services=services)
        token = running.wait_for_task_token()
        running.send_task_success(token, {"approved": True})
        execution = running.result()
    ```

    Raises:
        TypeError: *services* is not a ``sfnkit.aws()`` world (task tokens are that world's).
        RuntimeError: the world is closed.
        botocore's ``ClientError`` (``ExecutionAlreadyExists``): an execution of that name runs in the world.
    """
    if not isinstance(services, AwsServices):
        raise TypeError(
            "sfnkit.start(machine, input, services=...) runs in a sfnkit.aws() world, whose Step Functions hands out "
            "and takes the task tokens: `with sfnkit.aws() as services: running = sfnkit.start(machine, input, "
            f"services=services)`; got services={services!r:.60}. Without tokens to answer, sfnkit.run() is simpler"
        )
    world = services.clock
    if world.closed:
        raise RuntimeError("sfnkit.start(): this sfnkit.aws() world is closed; start inside `with sfnkit.aws()`")
    info = _names(machine, context, type, seed)
    arguments: dict[str, Any] = {"lambdas": lambdas, "services": services, "type": type, "mocks": mocks}
    if seed is None and (context is None or isinstance(context, Mapping)):
        overrides = dict(context or {})
        execution_part = overrides.get("Execution")
        if not isinstance(execution_part, Mapping) or not execution_part.get("Name"):
            overrides["Execution"] = {**dict(execution_part or {}), "Name": info.name}
        context = overrides
    arguments.update(context=context, seed=seed)
    running = RunningExecution(services, info.name, info.execution_arn, machine)
    running._launch(info.state_machine_arn, _input_text(input), lambda: run(machine, input, **arguments))
    return running


def _input_text(value: Json) -> str:
    try:
        return json.dumps({} if value is None else value, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return "{}"  # run() refuses it, with the reason
