"""The one-state steps: ``task``, ``pass_``, ``wait``, ``succeed``, ``fail`` (a :class:`StateStep` each)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from sfnkit.asl.schema import MAX_NAME_LENGTH
from sfnkit.conditions import Path, Predicate
from sfnkit.dsl.flow import Step
from sfnkit.dsl.handling import Catch, Retryable, as_catches, as_retriers
from sfnkit.dsl.values import Json, assign_value, check_name, collect, path_value
from sfnkit.errors import DefinitionError
from sfnkit.frozen import sparse
from sfnkit.states import ABSENT, Retrier


@sparse
@attrs.frozen(kw_only=True, slots=False)
class StateStep(Retryable):
    """One Task, Pass, Wait, Succeed or Fail state: its ASL ``kind`` and its fields (``sfnkit.states`` names).

    ``request`` is a language-neutral payload (the service helpers use it): ``Parameters`` in a JSONPath state,
    ``Arguments`` in a JSONata one.
    """

    kind: str
    name: str
    named: bool = False  # the user chose the name (a clash with another step is then an error)
    fields: dict[str, Json] = attrs.field(factory=dict, hash=False)
    dynamic: bool = False  # some field holds a Path or Predicate
    retriers: tuple[Retrier, ...] = ()
    catches: tuple[Catch, ...] = ()

    def named_as(self, name: str) -> StateStep:
        """This step under another state name."""
        return attrs.evolve(self, name=check_name(name, f"{self.kind} step"), named=True)

    def retry(self, errors: Any = "States.ALL", **options: Any) -> Step:
        """This step with one more ``Retry`` entry (Task states only)."""
        if self.kind != "Task":
            return Step.retry(self, errors, **options)
        return super().retry(errors, **options)

    def catch(self, errors: Any = "States.ALL", **options: Any) -> Step:
        """This step with one more ``Catch`` entry (Task states only)."""
        if self.kind != "Task":
            return Step.catch(self, errors, **options)
        return super().catch(errors, **options)

    def _what(self) -> str:
        return f"{self.kind} step {self.name!r}"


def state_step(
    kind: str, default_name: str, name: str | None, retry_: Any = None, catch_: Any = None, **fields: Json
) -> StateStep:
    given, dynamic = collect(fields)
    if kind != "Task" and (retry_ or catch_):
        raise DefinitionError(f"{kind} states cannot have retry= or catch=; ASL allows them on Task, Parallel, Map")
    named = name is not None
    if name is None:
        name = default_name
    elif not (type(name) is str and name.isidentifier() and len(name) <= MAX_NAME_LENGTH):  # else: fine as it is
        name = check_name(name, f"{default_name.lower()}()")
    return StateStep(
        kind=kind,
        name=name,
        named=named,
        fields=given,
        dynamic=dynamic,
        retriers=as_retriers(retry_) if retry_ else (),
        catches=as_catches(catch_) if catch_ else (),
    )


def task(
    resource: str,
    *,
    name: str | None = None,
    parameters: Json = ABSENT,
    arguments: Json = ABSENT,
    request: Json = ABSENT,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    result_selector: Json = ABSENT,
    result_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
    timeout_seconds: Json = ABSENT,
    heartbeat_seconds: Json = ABSENT,
    credentials: Json = ABSENT,
    wait_for_task_token: bool = False,
    retry: Retrier | Iterable[Retrier] | None = None,
    catch: Catch | Iterable[Catch] | None = None,
) -> StateStep:
    """A Task state calling *resource* (an ARN: a service integration, an activity, a Lambda function).

    ``parameters`` (JSONPath template) or ``arguments`` (JSONata) is the request; ``request`` is either, picked
    by the workflow's query language. ``wait_for_task_token=True`` appends ``.waitForTaskToken`` to the resource:
    pass ``ctx.Task.Token`` in the request so that someone can call back with it.
    """
    if not isinstance(resource, str) or not resource:
        raise DefinitionError(f"task() needs resource='arn:...'; got {resource!r}")
    if wait_for_task_token and not resource.endswith(".waitForTaskToken"):
        resource += ".waitForTaskToken"
    given = [
        k for k, v in (("parameters", parameters), ("arguments", arguments), ("request", request)) if v is not ABSENT
    ]
    if len(given) > 1:
        raise DefinitionError(f"task() takes one of parameters=, arguments= or request=; got {', '.join(given)}")
    for key, value in (("parameters", parameters), ("result_selector", result_selector)):
        if value is not ABSENT and type(value) is not dict and not isinstance(value, Mapping):
            raise DefinitionError(f"task({key}=) is a JSON object template; got {value!r}")
    return state_step(
        "Task",
        "Task",
        name,
        retry,
        catch,
        comment=comment,
        query_language=query_language,
        resource=resource,
        input_path=path_value(input_path, "task(input_path=)"),
        parameters=parameters,
        arguments=arguments,
        request=request,
        result_selector=result_selector,
        result_path=path_value(result_path, "task(result_path=)"),
        output_path=path_value(output_path, "task(output_path=)"),
        output=output,
        assign=assign_value(assign),
        timeout_seconds=timeout_seconds,
        heartbeat_seconds=heartbeat_seconds,
        credentials=credentials,
    )


def pass_(
    *,
    result: Json = ABSENT,
    parameters: Json = ABSENT,
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    result_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
) -> StateStep:
    """A Pass state: hand on the input, a fixed ``result``, or a reshaped ``parameters`` template.

    ``result`` is static JSON (ASL never evaluates it); ``output`` (JSONata) may be any value or expression.
    """
    if result is not ABSENT and isinstance(result, Path | Predicate):
        raise DefinitionError("pass_(result=) is a fixed value; to copy a field use parameters={'x': data.y}")
    if parameters is not ABSENT and type(parameters) is not dict and not isinstance(parameters, Mapping):
        raise DefinitionError(f"pass_(parameters=) is a JSON object template; got {parameters!r}")
    return state_step(
        "Pass",
        "Pass",
        name,
        comment=comment,
        query_language=query_language,
        input_path=input_path if input_path is ABSENT else path_value(input_path, "pass_(input_path=)"),
        parameters=parameters,
        result=result,
        result_path=result_path if result_path is ABSENT else path_value(result_path, "pass_(result_path=)"),
        output_path=output_path if output_path is ABSENT else path_value(output_path, "pass_(output_path=)"),
        output=output,
        assign=assign if assign is ABSENT else assign_value(assign),
    )


def wait(
    *,
    seconds: Json = ABSENT,
    timestamp: Json = ABSENT,
    seconds_path: Json = ABSENT,
    timestamp_path: Json = ABSENT,
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
) -> StateStep:
    """A Wait state: pause for ``seconds`` or until ``timestamp`` (exactly one of the four).

    ``seconds=data.delay`` reads the value from the input (``SecondsPath`` in JSONPath); a ``datetime`` timestamp
    is written as RFC 3339 UTC.
    """
    import datetime

    candidates = {"seconds": seconds, "timestamp": timestamp, "seconds_path": seconds_path}
    candidates["timestamp_path"] = timestamp_path
    given = {k: v for k, v in candidates.items() if v is not ABSENT}
    if len(given) != 1:
        raise DefinitionError(
            "wait() needs exactly one of seconds=, timestamp=, seconds_path= or timestamp_path=; got "
            + (", ".join(f"{k}={v!r}" for k, v in given.items()) or "none")
        )
    if isinstance(seconds, bool) or (isinstance(seconds, int | float) and (seconds < 0 or seconds != int(seconds))):
        raise DefinitionError(f"wait(seconds={seconds!r}): seconds is a whole number >= 0")
    if isinstance(seconds, float):
        seconds = int(seconds)
    if isinstance(timestamp, datetime.datetime):
        from sfnkit.conditions import to_timestamp

        timestamp = to_timestamp(timestamp)
    return state_step(
        "Wait",
        "Wait",
        name,
        comment=comment,
        query_language=query_language,
        input_path=path_value(input_path, "wait(input_path=)"),
        seconds=seconds,
        timestamp=timestamp,
        seconds_path=path_value(seconds_path, "wait(seconds_path=)"),
        timestamp_path=path_value(timestamp_path, "wait(timestamp_path=)"),
        output_path=path_value(output_path, "wait(output_path=)"),
        output=output,
        assign=assign_value(assign),
    )


def succeed(
    *,
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
) -> StateStep:
    """A Succeed state: end the workflow (or the Parallel branch, or the Map iteration) successfully."""
    return state_step(
        "Succeed",
        "Succeed",
        name,
        comment=comment,
        query_language=query_language,
        input_path=path_value(input_path, "succeed(input_path=)"),
        output_path=path_value(output_path, "succeed(output_path=)"),
        output=output,
    )


def fail(
    *,
    error: Json = ABSENT,
    cause: Json = ABSENT,
    error_path: Json = ABSENT,
    cause_path: Json = ABSENT,
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
) -> StateStep:
    """A Fail state: end the workflow with ``error`` and ``cause`` (or read them with ``error=data.x``/``*_path``)."""
    for key, value, twin in (("error", error, error_path), ("cause", cause, cause_path)):
        if value is not ABSENT and twin is not ABSENT:
            raise DefinitionError(f"fail() takes {key}= or {key}_path=, not both")
    return state_step(
        "Fail",
        "Fail",
        name,
        comment=comment,
        query_language=query_language,
        error=error,
        error_path=path_value(error_path, "fail(error_path=)"),
        cause=cause,
        cause_path=path_value(cause_path, "fail(cause_path=)"),
    )
