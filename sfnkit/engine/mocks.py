"""The engine's hooks for testing: per-state Task mocks for ``run(..., mocks=)`` (what a mock is shown,
``TaskCall``, and how a run binds them) and observers told of every finished execution (coverage).

A mock is any callable ``mock(call) -> result`` keyed by the name of a Task state. When the state runs, the mock
answers instead of the Lambda function or service: its return value is the Task's result (before
``ResultSelector``/``ResultPath``/``OutputPath``, as AWS Step Functions Local's mocked responses are), and a
``StatesError`` it raises (``sfnkit.testing.Throw``) fails the attempt, so Retry and Catch see it. Every
invocation counts: a retry, a loop back or a Map iteration is the next one. ``sfnkit.testing`` builds mocks from
values and reads Step Functions Local's ``MockConfigFile``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.asl.scope import Json
from sfnkit.lambdas import json_copy

if TYPE_CHECKING:
    from sfnkit.execution import Execution

__all__ = ["OBSERVERS", "Mock", "MockBinding", "TaskCall", "bind_mocks", "observing"]

OBSERVERS: list[Callable[[Execution], None]] = []
"""Called with every Execution run() returns, while ``observing`` (empty otherwise: run() then pays one test)."""


@contextlib.contextmanager
def observing(observer: Callable[[Execution], None]) -> Iterator[None]:
    """Call *observer* with every execution that finishes inside this block, in any thread."""
    OBSERVERS.append(observer)
    try:
        yield
    finally:
        OBSERVERS.remove(observer)


@attrs.frozen(kw_only=True)
class TaskCall:
    """One invocation of a mocked Task state, as its mock sees it.

    ``invocation`` counts the state's invocations in this execution from 0 (retries, loops and Map iterations
    each take the next number, as in a ``MockConfigFile``); ``retry_count`` is ``$$.State.RetryCount`` (0 for
    a first attempt); ``iteration`` is the index of the Map item being processed (innermost Map), ``None``
    outside a Map.
    """

    state: str
    resource: str
    parameters: Json
    invocation: int
    retry_count: int = 0
    iteration: int | None = None


Mock = Callable[[TaskCall], Json]


class MockBinding:
    """The mocks of one execution and how often each state has been invoked so far (thread-safe)."""

    __slots__ = ("_counts", "_lock", "mocks")

    def __init__(self, mocks: Mapping[str, Mock]) -> None:
        self.mocks = mocks
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def __contains__(self, state: str) -> bool:
        return state in self.mocks

    def answer(self, state: str, resource: str, parameters: Json, retry_count: int, iteration: int | None) -> Json:
        """The mocked result of *state*'s next invocation; raises ``StatesError`` for a mocked failure."""
        with self._lock:
            invocation = self._counts.get(state, 0)
            self._counts[state] = invocation + 1
        call = TaskCall(
            state=state,
            resource=resource,
            parameters=json_copy(parameters),
            invocation=invocation,
            retry_count=retry_count,
            iteration=iteration,
        )
        try:
            result = self.mocks[state](call)
        except StatesError:
            raise
        except Exception as exc:  # a mock written as a function fails the task as a handler's exception does
            raise StatesError(type(exc).__name__, str(exc)) from None
        try:
            return json_copy(result)
        except (TypeError, ValueError) as exc:  # fails the execution (States.Runtime is not retried or caught)
            raise StatesError(
                RUNTIME, f"The mock of state '{state}' returned {result!r}, which is not a JSON value: {exc}"
            ) from None


def bind_mocks(mocks: Mapping[str, Any], tasks: Collection[str]) -> MockBinding:
    """Check *mocks* against the names of the machine's Task states and bind them for one execution.

    Raises:
        TypeError: *mocks* is not a mapping, or one of its values is not a mock.
        ValueError: a key names no Task state of the machine.
    """
    if not isinstance(mocks, Mapping):
        raise TypeError(
            f"mocks= takes a mapping of Task state name -> mock, got {type(mocks).__name__}; e.g. "
            "mocks={'Charge': sfnkit.testing.Return({'Payload': {...}})} or a MockConfig test case."
        )
    known = ", ".join(repr(t) for t in tasks) or "none"
    unknown = [
        f"{name!r} is not a Task state of this machine (its Task states: {known})"
        for name in mocks
        if name not in tasks
    ]
    if unknown:
        raise ValueError("mocks= cannot be used:\n" + "\n".join(f"- {p}" for p in unknown))
    for name, mock in mocks.items():
        if not callable(mock):
            raise TypeError(
                f"mocks= cannot be used: {name!r}: {mock!r} is not a mock; wrap a result as "
                "sfnkit.testing.Return(value), an error as Throw(error, cause), several answers as sequence(...)"
            )
    return MockBinding(dict(mocks))
