"""What a service binding learns about the Task that calls it, beyond the parameters.

A callable in ``run(services=...)`` normally receives the evaluated parameters only. A binding that needs more —
the task token of a ``.waitForTaskToken`` Task, the timeline to wait on, the Task's deadline and heartbeat, the
calling execution — sets ``takes_task_call = True`` and is called as ``fn(parameters, call)`` with a ``TaskCall``
(``sfnkit.aws()``'s bindings do). It may then wait on ``call.timeline`` (advancing it) and end the wait by raising
``CallbackTimedOut`` when the Task's heartbeat or timeout passes, as Step Functions reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from sfnkit.asl.failures import StatesError
from sfnkit.clock import Clock, Timeline

__all__ = ["CallbackFailed", "CallbackTimedOut", "TaskCall"]


@attrs.frozen
class TaskCall:
    """One call of a service binding by a Task state."""

    resource: str
    state: str
    token: str | None  # the task token, for .waitForTaskToken and activity Tasks
    timeline: Timeline  # the calling thread of control's time (a wait moves it)
    clock: Clock
    deadline: float  # when the Task times out (its TimeoutSeconds, the execution's, or a sibling's failure)
    heartbeat: int | None  # HeartbeatSeconds (or HeartbeatSecondsPath's value)
    execution_arn: str
    context: Any = None  # the execution's base context object (Execution, StateMachine)
    # records TaskSubmitted with the service's answer, when a callback Task has sent its request and now waits
    submitted: Callable[[Any], None] | None = None
    # an activity Task: records ActivityScheduled (once the activity is known to exist) and ActivityStarted (at the
    # time a worker took the task, with its workerName); the engine records how the activity ended
    scheduled: Callable[[], None] | None = None
    started: Callable[[float, str | None], None] | None = None
    # a request the engine makes itself and the binding only sends and waits on: lambda:invoke.waitForTaskToken runs
    # the local function (its answer is what TaskSubmitted records)
    request: Callable[[], Any] | None = None


class CallbackFailed(StatesError):
    """``SendTaskFailure``'s error and cause; AWS shows both in a Catch's result even when null."""


class CallbackTimedOut(Exception):
    """A callback's heartbeat or timeout passed: the Task fails with ``States.Timeout`` (its timeline is at that
    instant)."""
