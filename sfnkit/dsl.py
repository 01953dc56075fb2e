"""The flow DSL: the steps (``@lambda_fn``, ``task``, ``pass_``, ``wait``...) and the combinators that join them.

Steps: ``lambda_fn``, ``task``, ``pass_``, ``wait``, ``succeed``, ``fail``; combinators: ``>>``/``chain``,
``choice``/``when``, ``parallel``, ``map_``, ``goto``, ``end``; error handling: ``retry``, ``catch``.

Every step is a frozen value. Nothing here knows where a step will sit or what it will be called: ``workflow()``
(in ``sfnkit.build``) places the steps, names them and wires the transitions, so one fragment can be reused in
several places and several workflows.

Values of JSON fields (``parameters=``, ``arguments=``, ``output=``, ``assign=``...) are copied when the step is
made, and may hold paths: ``parameters={"name": data.dragon.name}`` is exported as ``{"name.$": "$.dragon.name"}``
in a JSONPath workflow and as ``{"name": "{% $states.input.dragon.name %}"}`` in a JSONata one. Fields with a
``...Path`` twin take a path directly: ``wait(seconds=data.delay)`` is ``SecondsPath`` (JSONPath) or
``"Seconds": "{% $states.input.delay %}"`` (JSONata).
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, ParamSpec, TypeVar, overload

import attrs

from sfnkit.asl.schema import MAX_DELAY_SECONDS, MAX_INTEGER, MAX_NAME_LENGTH, state_name_problem
from sfnkit.conditions import Condition, Path, Predicate, as_condition
from sfnkit.deploy_options import DeployOptions
from sfnkit.errors import DefinitionError
from sfnkit.frozen import sparse
from sfnkit.states import ABSENT, Retrier
from sfnkit.triggers import SqsTrigger

if TYPE_CHECKING:
    from sfnkit.clock import Clock, ClockName
    from sfnkit.lambdas import InvokeResult

__all__ = [
    "JSONATA_ONLY",
    "JSONPATH_ONLY",
    "MAX_NAME_LENGTH",
    "PATH_TWIN",
    "Catch",
    "Chain",
    "ChoiceStep",
    "Goto",
    "LambdaStep",
    "MapStep",
    "ParallelStep",
    "StateStep",
    "Step",
    "When",
    "as_step",
    "catch",
    "chain",
    "choice",
    "end",
    "fail",
    "freeze",
    "goto",
    "lambda_fn",
    "map_",
    "parallel",
    "pass_",
    "retry",
    "state_name_of",
    "succeed",
    "takes_context",
    "task",
    "wait",
    "when",
]

Json = Any
P = ParamSpec("P")
R = TypeVar("R")


# Fields only one query language has (ASL-NOTES §1, §8.0); used to tell the user which twin to use instead.
JSONPATH_ONLY: Final = frozenset(
    {
        "input_path",
        "output_path",
        "parameters",
        "result",
        "result_selector",
        "result_path",
        "items_path",
        "seconds_path",
        "timestamp_path",
        "error_path",
        "cause_path",
        "timeout_seconds_path",
        "heartbeat_seconds_path",
        "max_concurrency_path",
        "tolerated_failure_percentage_path",
        "tolerated_failure_count_path",
    }
)
JSONATA_ONLY: Final = frozenset({"arguments", "output", "items"})
# A value field and the field that takes a path for it instead (JSONPath); a Path given to the first becomes the
# second in a JSONPath state, and a ``{% %}`` expression in a JSONata one.
PATH_TWIN: Final = {
    "seconds": "seconds_path",
    "timestamp": "timestamp_path",
    "items": "items_path",
    "error": "error_path",
    "cause": "cause_path",
    "timeout_seconds": "timeout_seconds_path",
    "heartbeat_seconds": "heartbeat_seconds_path",
    "max_concurrency": "max_concurrency_path",
    "tolerated_failure_percentage": "tolerated_failure_percentage_path",
    "tolerated_failure_count": "tolerated_failure_count_path",
}


# --- JSON values --------------------------------------------------------------------------------------------


def freeze(value: Json) -> tuple[Json, bool]:
    """A private copy of the JSON *value*, and whether it holds paths or conditions to resolve at build time."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value, False
    if kind is dict:
        dynamic = False
        out: dict[str, Json] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise DefinitionError(f"JSON object keys are strings; got {key!r} in {value!r}")
            item_kind = type(item)
            # Scalars inline: this runs for every field of every step (see benchmarks/bench_build.py).
            if item_kind is str or item_kind is int or item_kind is float or item_kind is bool or item is None:
                out[key] = item
            elif item_kind is Path:
                out[key] = item
                dynamic = True
            else:
                out[key], inner = freeze(item)
                dynamic = dynamic or inner
        return out, dynamic
    if kind is list or kind is tuple:
        items = [freeze(item) for item in value]
        return [item for item, _ in items], any(inner for _, inner in items)
    if kind is Path or kind is Predicate:
        return value, True
    if isinstance(value, Mapping):
        return freeze(dict(value))
    if isinstance(value, str | int | float):  # subclasses: IntEnum, str enums...
        return value, False
    raise DefinitionError(f"{value!r} is not a JSON value (dict, list, str, number, bool, None) nor a path")


_ARITY: dict[Any, int] = {}
_arity_lock = threading.Lock()


def takes_context(fn: Callable[..., Any]) -> bool:
    """Whether handler *fn* takes ``(event, context)`` rather than just ``(event)`` (cached per function)."""
    try:
        return _ARITY[fn] >= 2
    except (KeyError, TypeError):
        pass
    try:
        params = inspect.signature(fn).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
        arity = 2 if varargs or len(positional) >= 2 else 1
    except (TypeError, ValueError):
        arity = 1
    try:
        with _arity_lock:
            _ARITY[fn] = arity
    except TypeError:
        pass
    return arity >= 2


def _check_name(name: str, what: str) -> str:
    if type(name) is str and name.isidentifier() and len(name) <= MAX_NAME_LENGTH:
        return name  # the usual case, checked at C speed: an identifier has no control characters
    problem = state_name_problem(name)
    if problem is not None:
        raise DefinitionError(f"{what}: {problem}")
    return name


def _errors(errors: str | type[BaseException] | Iterable[str | type[BaseException]], what: str) -> tuple[str, ...]:
    items = [errors] if isinstance(errors, str | type) else list(errors)
    names = tuple(item.__name__ if isinstance(item, type) else item for item in items)
    if not names or not all(isinstance(name, str) and name for name in names):
        raise DefinitionError(f"{what} needs error names, e.g. 'States.ALL', 'States.Timeout' or ValueError")
    return names


# --- retry and catch ----------------------------------------------------------------------------------------


def retry(
    errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
    *,
    interval_seconds: int | None = None,
    max_attempts: int | None = None,
    backoff_rate: float | None = None,
    max_delay_seconds: int | None = None,
    jitter_strategy: str | None = None,
    comment: str | None = None,
) -> Retrier:
    """One ``Retry`` entry, for ``retry=`` options (``step.retry(...)`` takes the same arguments).

    Error names are strings (``"States.Timeout"``) or exception classes, named as Lambda names them
    (``ValueError`` → ``"ValueError"``). Numbers are checked here, against the bounds AWS enforces.
    """
    for option, value, low, high in (
        ("interval_seconds", interval_seconds, 1, MAX_INTEGER),
        ("max_attempts", max_attempts, 0, MAX_INTEGER),
        ("max_delay_seconds", max_delay_seconds, 1, MAX_DELAY_SECONDS),
    ):
        if value is not None and (type(value) is not int or not low <= value <= high):
            raise DefinitionError(f"retry({option}={value!r}): AWS takes a whole number from {low} to {high:,}")
    if backoff_rate is not None and (type(backoff_rate) not in (int, float) or not backoff_rate >= 1):
        raise DefinitionError(f"retry(backoff_rate={backoff_rate!r}): AWS takes a number >= 1.0, e.g. 2.0")
    return Retrier(
        error_equals=_errors(errors, "retry()"),
        interval_seconds=interval_seconds,
        max_attempts=max_attempts,
        backoff_rate=backoff_rate,
        max_delay_seconds=max_delay_seconds,
        jitter_strategy=jitter_strategy,
        comment=comment,
    )


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Catch:
    """One ``Catch`` entry: on *errors*, run ``then`` (or, without it, go on after the failed step)."""

    errors: tuple[str, ...]
    then: Step | None = None
    result_path: Json = ABSENT
    output: Json = ABSENT
    assign: Json = ABSENT
    comment: str | None = None


def catch(
    errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
    *,
    then: Step | Sequence[Step] | None = None,
    result_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
    comment: str | None = None,
) -> Catch:
    """One ``Catch`` entry, for ``catch=`` options (``step.catch(...)`` takes the same arguments).

    ``then`` is a step or flow run on the error, like an ``except`` block: when it runs off its end the workflow
    continues after the step that failed. Without ``then`` the error is caught and the workflow goes straight on.
    ``result_path`` (JSONPath) puts the error output ``{"Error", "Cause"}`` into the state input (default: it
    replaces it); ``output``/``assign`` (JSONata) may use ``$states.errorOutput``.
    """
    result_path = _path_value(result_path, "catch(result_path=)")
    return Catch(
        errors=_errors(errors, "catch()"),
        then=None if then is None else as_step(then),
        result_path=result_path,
        output=freeze(output)[0] if output is not ABSENT else ABSENT,
        assign=_assign(assign),
        comment=comment,
    )


def _retriers(value: Retrier | Iterable[Retrier] | None) -> tuple[Retrier, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, Retrier) else tuple(value)
    for item in items:
        if not isinstance(item, Retrier):
            raise DefinitionError(f"retry= takes retry(...) entries; got {item!r}")
    _check_all_last([r.error_equals for r in items], "Retry")
    return items


def _catches(value: Catch | Iterable[Catch] | None) -> tuple[Catch, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, Catch) else tuple(value)
    for item in items:
        if not isinstance(item, Catch):
            raise DefinitionError(f"catch= takes catch(...) entries; got {item!r}")
    _check_all_last([c.errors for c in items], "Catch")
    return items


def _check_all_last(lists: list[tuple[str, ...]], field: str) -> None:
    # ASL: "States.ALL" must appear alone and in the last entry of Retry/Catch.
    for position, errors in enumerate(lists):
        if "States.ALL" in errors and (len(errors) > 1 or position != len(lists) - 1):
            where = "together with other errors" if len(errors) > 1 else "before other entries"
            raise DefinitionError(
                f"{field}[{position}] uses 'States.ALL' {where}; ASL wants States.ALL alone, in the last entry."
            )


def _path_value(value: Json, what: str) -> Json:
    if value is ABSENT or value is None or type(value) is str or type(value) is Path:
        return value
    raise DefinitionError(f"{what} takes a path such as data.x or '$.x' (or None); got {value!r}")


def _assign(value: Json) -> Json:
    if value is ABSENT:
        return ABSENT
    if not isinstance(value, Mapping):
        raise DefinitionError(
            f"assign= takes a dict of variable name -> value, e.g. {{'total': data.total}}; got {value!r}"
        )
    return freeze(dict(value))[0]


# --- steps --------------------------------------------------------------------------------------------------


class Step:
    """A piece of a flow: one state, or several (``a >> b``, ``choice(...)``...). Immutable."""

    __slots__ = ()

    def __rshift__(self, other: Step | Sequence[Step]) -> Chain:
        return Chain(parts=(self, other if isinstance(other, Step) else as_step(other)))

    def __rrshift__(self, other: Sequence[Step]) -> Chain:
        return Chain(parts=(as_step(other), self))

    def __bool__(self) -> bool:
        return True

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's display: the fragment drawn as the machine it would build (``sfnkit.render.mimebundle``)."""
        from sfnkit.build import workflow
        from sfnkit.render import mimebundle

        return mimebundle(self, include, exclude, drawn=lambda: workflow("flow", self))

    def retry(
        self,
        errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
        **options: Any,
    ) -> Step:
        """This step with one more ``Retry`` entry (Task, Parallel and Map states only, as in ASL)."""
        raise DefinitionError(
            f"{self._what()} cannot retry: ASL allows Retry only on Task, Parallel and Map states. "
            "To retry a group of steps, wrap them: parallel(group).retry(...)."
        )

    def catch(
        self,
        errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
        **options: Any,
    ) -> Step:
        """This step with one more ``Catch`` entry (Task, Parallel and Map states only, as in ASL)."""
        raise DefinitionError(
            f"{self._what()} cannot catch errors: ASL allows Catch only on Task, Parallel and Map states. "
            "To catch errors of a group of steps, wrap them: parallel(group).catch(..., then=handler)."
        )

    def _what(self) -> str:
        return type(self).__name__


class _Retryable(Step):
    """A step that may carry ``retriers`` and ``catches`` (a Task, Parallel or Map)."""

    __slots__ = ()
    retriers: tuple[Retrier, ...]
    catches: tuple[Catch, ...]

    def retry(
        self,
        errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
        **options: Any,
    ) -> Step:
        """This step with one more ``Retry`` entry; the options are those of :func:`retry`."""
        entry = retry(errors, **options)
        return attrs.evolve(self, retriers=_retriers((*self.retriers, entry)))  # type: ignore[misc]

    def catch(
        self,
        errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
        **options: Any,
    ) -> Step:
        """This step with one more ``Catch`` entry; the options are those of :func:`catch`."""
        entry = catch(errors, **options)
        return attrs.evolve(self, catches=_catches((*self.catches, entry)))  # type: ignore[misc]


@attrs.frozen(eq=False)
class Chain(Step):
    """Steps run one after another (``a >> b``, ``chain(a, b, c)``).

    ``a >> b >> c`` nests (``Chain((Chain((a, b)), c))``) so that each ``>>`` is O(1); :meth:`steps` flattens it
    without recursion, so a 10,000-step chain is fine at Python's default recursion limit.
    """

    parts: tuple[Step, ...]

    def steps(self) -> list[Step]:
        """The steps of this chain, nested chains flattened, in order."""
        out: list[Step] = []
        pending: list[Step] = [self]
        while pending:
            step = pending.pop()
            if isinstance(step, Chain):
                pending.extend(reversed(step.parts))
            else:
                out.append(step)
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Chain) and self.steps() == other.steps()

    def __hash__(self) -> int:
        return hash(len(self.steps()))

    def __repr__(self) -> str:
        steps = self.steps()
        shown = ", ".join(repr(s) for s in steps[:5])
        return f"chain({shown}{', ...' if len(steps) > 5 else ''})"


@sparse
@attrs.frozen(kw_only=True, slots=False)
class StateStep(_Retryable):
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
        return attrs.evolve(self, name=_check_name(name, f"{self.kind} step"), named=True)

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


def _collect(fields: dict[str, Json]) -> tuple[dict[str, Json], bool]:
    """The given (not ``ABSENT``) *fields*, their values frozen, and whether any holds a path."""
    given: dict[str, Json] = {}
    dynamic = False
    for key, value in fields.items():
        if value is ABSENT:
            continue
        value_kind = type(value)
        if value_kind is str or value_kind is int or value_kind is float or value_kind is bool:
            given[key] = value
        elif value is None:
            # None means "not given" for these two (for the JSON-valued fields it is JSON null).
            if key != "comment" and key != "query_language":
                given[key] = None
        else:
            given[key], inner = freeze(value)
            dynamic = dynamic or inner
    return given, dynamic


def _state_step(
    kind: str, default_name: str, name: str | None, retry_: Any = None, catch_: Any = None, **fields: Json
) -> StateStep:
    given, dynamic = _collect(fields)
    if kind != "Task" and (retry_ or catch_):
        raise DefinitionError(f"{kind} states cannot have retry= or catch=; ASL allows them on Task, Parallel, Map")
    named = name is not None
    if name is None:
        name = default_name
    elif not (type(name) is str and name.isidentifier() and len(name) <= MAX_NAME_LENGTH):  # else: fine as it is
        name = _check_name(name, f"{default_name.lower()}()")
    return StateStep(
        kind=kind,
        name=name,
        named=named,
        fields=given,
        dynamic=dynamic,
        retriers=_retriers(retry_) if retry_ else (),
        catches=_catches(catch_) if catch_ else (),
    )


# --- Lambda functions ---------------------------------------------------------------------------------------


def state_name_of(function_name: str) -> str:
    """The state name of a Python function: ``validate_dragon`` → ``ValidateDragon``.

    >>> state_name_of("add_dragon_v2")
    'AddDragonV2'
    """
    parts = [part for part in function_name.split("_") if part]
    return "".join(part[0].upper() + part[1:] for part in parts)


@attrs.frozen(kw_only=True, slots=False)
class LambdaStep(_Retryable, Generic[P, R]):
    """A Python function that is also a Lambda Task step (made by :func:`lambda_fn`).

    Calling it calls the function. In a flow it is a Task that invokes the Lambda function ``function_name``
    through ``arn:aws:states:::lambda:invoke`` and hands on exactly the value the function returned (see
    :func:`lambda_fn` for the ASL). ``memory``, ``description`` and ``timeout`` also describe the function for
    deployment.
    """

    fn: Callable[P, R]
    name: str
    function_name: str
    named: bool = True
    fields: dict[str, Json] = attrs.field(factory=dict, hash=False)
    dynamic: bool = False
    retriers: tuple[Retrier, ...] = ()
    catches: tuple[Catch, ...] = ()
    memory: int | None = None
    description: str | None = None
    timeout: int | None = None
    triggers: tuple[SqsTrigger, ...] = ()
    deploy_options: DeployOptions | None = None  # how sfnkit.deploy ships the function (runtime, environment...)

    def __attrs_post_init__(self) -> None:
        # Look like the function (help(), inspect.signature, pickling by reference).
        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            if hasattr(self.fn, attribute):
                object.__setattr__(self, attribute, getattr(self.fn, attribute))
        object.__setattr__(self, "__wrapped__", self.fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if len(args) == 2 and not kwargs:
            if not takes_context(self.fn):  # deployed, Lambda's runtime calls handler(event, context)
                return self.fn(args[0])  # type: ignore[call-arg, arg-type]  # a one-parameter handler ignores the context
        return self.fn(*args, **kwargs)

    def invoke(self, event: Json, *, context: object = None, clock: ClockName | Clock = "virtual") -> InvokeResult:
        """Invoke the function as Lambda would (push model): the answer of a synchronous ``Invoke``.

        The event travels as JSON; the handler gets a context like the runtime's (or *context*, if given) and runs
        under the function's ``timeout`` (default 3 s) on *clock*. ``.payload`` is what it returned, or the error
        document when ``.function_error`` is ``"Unhandled"`` (an exception, or ``Sandbox.Timedout``).
        """
        from sfnkit.lambdas import invoke_function  # the executor's module: loaded when first needed

        return invoke_function(
            self.fn,
            event,
            name=self.function_name,
            timeout=self.timeout,
            memory=self.memory,
            context=context,
            clock=clock,
        )

    def named_as(self, name: str) -> LambdaStep[P, R]:
        """This function's step under another state name (same Lambda function)."""
        return attrs.evolve(self, name=_check_name(name, "lambda_fn"), named=True)

    def with_options(self, **options: Json) -> LambdaStep[P, R]:
        """This function's step with other I/O fields (``result_path=``, ``output=``...), e.g. for one use."""
        fields, dynamic = _lambda_fields(options, dict(self.fields))
        return attrs.evolve(self, fields=fields, dynamic=dynamic or self.dynamic)

    def _what(self) -> str:
        return f"@lambda_fn {self.fn.__module__}.{self.fn.__qualname__}"

    def __repr__(self) -> str:
        return f"<lambda_fn {self.name}: {self.fn.__module__}.{self.fn.__qualname__}>"


_LAMBDA_FIELDS: Final = frozenset(
    {
        "comment",
        "query_language",
        "input_path",
        "parameters",
        "arguments",
        "result_selector",
        "result_path",
        "output_path",
        "output",
        "assign",
        "heartbeat_seconds",
        "timeout_seconds",
        "credentials",
    }
)


def _lambda_fields(options: Mapping[str, Json], fields: dict[str, Json]) -> tuple[dict[str, Json], bool]:
    dynamic = False
    for key, value in options.items():
        if key not in _LAMBDA_FIELDS:
            raise DefinitionError(
                f"lambda_fn has no option {key}=; it takes name=, function_name=, retry=, catch=, timeout=, "
                "heartbeat=, memory=, description=, environment=, requirements=, runtime=, architecture=, "
                f"permissions= and {', '.join(sorted(_LAMBDA_FIELDS))}"
            )
        if value is ABSENT:
            fields.pop(key, None)
            continue
        if key in ("input_path", "output_path", "result_path"):
            value = _path_value(value, f"lambda_fn({key}=)")
        fields[key], inner = freeze(value)
        dynamic = dynamic or inner
    return fields, dynamic


@overload
def lambda_fn(fn: Callable[P, R], /) -> LambdaStep[P, R]: ...


@overload
def lambda_fn(
    *,
    name: str | None = None,
    function_name: str | None = None,
    retry: Retrier | Iterable[Retrier] | None = None,
    catch: Catch | Iterable[Catch] | None = None,
    timeout: int | None = None,
    heartbeat: int | None = None,
    memory: int | None = None,
    description: str | None = None,
    triggers: Iterable[SqsTrigger] = (),
    environment: Mapping[str, str] | None = None,
    requirements: str | os.PathLike[str] | Sequence[str] | None = None,
    runtime: str | None = None,
    architecture: str | None = None,
    permissions: Sequence[Mapping[str, Json]] | None = None,
    **fields: Json,
) -> Callable[[Callable[P, R]], LambdaStep[P, R]]: ...


def lambda_fn(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    function_name: str | None = None,
    retry: Retrier | Iterable[Retrier] | None = None,
    catch: Catch | Iterable[Catch] | None = None,
    timeout: int | None = None,
    heartbeat: int | None = None,
    memory: int | None = None,
    description: str | None = None,
    triggers: Iterable[SqsTrigger] = (),
    environment: Mapping[str, str] | None = None,
    requirements: str | os.PathLike[str] | Sequence[str] | None = None,
    runtime: str | None = None,
    architecture: str | None = None,
    permissions: Sequence[Mapping[str, Json]] | None = None,
    **fields: Json,
) -> LambdaStep[P, R] | Callable[[Callable[P, R]], LambdaStep[P, R]]:
    """Make a Python function a Lambda Task step; it stays callable as before.

    The state is named after the function (``validate_dragon`` → ``ValidateDragon``) unless ``name=`` says
    otherwise; the Lambda function is called ``function_name`` (default: the state name). ``timeout`` and
    ``heartbeat`` are the Task's ``TimeoutSeconds``/``HeartbeatSeconds`` (and ``timeout`` the function's own
    timeout when deployed, with ``memory`` and ``description``). The other keyword arguments are the Task's I/O
    fields: ``input_path``, ``parameters``/``arguments`` (the event the function receives), ``result_selector``,
    ``result_path``, ``output_path``, ``output``, ``assign``, ``comment``, ``credentials``. ``triggers`` lists the
    event sources that invoke the function (``[sfnkit.sqs_trigger("orders")]``: run locally with ``sfnkit.poll``).

    For ``sfnkit.deploy``: ``environment`` (variables), ``requirements`` (pip requirement strings, or the path of a
    requirements file, installed as wheels for the Lambda platform), ``runtime`` (``"python3.12"`` by default) and
    ``architecture`` (``"x86_64"`` or ``"arm64"``), ``permissions`` (IAM statements its role gets besides writing its
    logs, e.g. ``[{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::hoard/*"}]``).

    **The next state receives exactly what the function returned**, locally and on AWS. ASL (JSONPath)::

        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "ValidateDragon", "Payload.$": "$"},
        "OutputPath": "$.Payload"

    The invoke result wraps the return value as ``Payload``; so ``$`` in ``result_selector`` and ``assign`` means
    the return value (written ``$.Payload...``), ``output_path="$.x"`` becomes ``"$.Payload.x"``, and with
    ``result_path="$.x"`` a Pass state ``<Name>.Payload`` follows the Task to put the return value (not the
    wrapper) at ``$.x``. ``parameters=`` becomes the ``Payload`` template. JSONata::

        "Arguments": {"FunctionName": "ValidateDragon", "Payload": "{% $states.input %}"},
        "Output": "{% $states.result.Payload %}"

    where ``$states.result`` in your ``output``/``assign`` is rewritten to ``$states.result.Payload``.
    No ``Retry`` is added for you (AWS's console suggests retrying ``Lambda.ServiceException`` and friends:
    ``retry=retry(["Lambda.ServiceException", "Lambda.TooManyRequestsException"])``).
    """

    options = dict(fields)
    if timeout is not None:
        options["timeout_seconds"] = timeout
    if heartbeat is not None:
        options["heartbeat_seconds"] = heartbeat
    given, dynamic = _lambda_fields(options, {})  # a misspelt option fails at the decorator line
    sources = _triggers(triggers)
    shipping = DeployOptions.of(environment=environment, requirements=requirements, runtime=runtime,
                                architecture=architecture, permissions=permissions)  # fmt: skip
    retriers, catches = _retriers(retry), _catches(catch)

    def decorate(function: Callable[P, R]) -> LambdaStep[P, R]:
        if isinstance(function, LambdaStep):
            raise DefinitionError(f"{function!r} is already a @lambda_fn; use .named_as()/.with_options() on it")
        if not callable(function):
            raise DefinitionError(f"@lambda_fn decorates a function; got {function!r}")
        if inspect.iscoroutinefunction(function):
            raise DefinitionError(
                f"@lambda_fn {getattr(function, '__qualname__', function)!r} is an async def: Lambda's Python runtime "
                "calls handlers without awaiting them. Make it a plain def (call asyncio.run(...) inside if needed)."
            )
        label = getattr(function, "__name__", "")
        state_name = name if name is not None else state_name_of(label)
        if not state_name or (name is None and not label.isidentifier()):
            raise DefinitionError(f"@lambda_fn cannot name {function!r} after it; pass name='MyStep'")
        _check_name(state_name, f"@lambda_fn {label}")
        lambda_name = function_name if function_name is not None else state_name
        if not re.fullmatch(r"[A-Za-z0-9_:.\-]{1,140}", lambda_name):
            raise DefinitionError(
                f"@lambda_fn {label}: {lambda_name!r} is not a Lambda function name (letters, digits, - and _, "
                "or an ARN); pass function_name="
            )
        return LambdaStep(
            fn=function,
            name=state_name,
            function_name=lambda_name,
            named=True,
            fields=given,
            dynamic=dynamic,
            retriers=retriers,
            catches=catches,
            memory=memory,
            description=description,
            timeout=timeout,
            triggers=sources,
            deploy_options=shipping,
        )

    if fn is not None:
        return decorate(fn)
    return decorate


def _triggers(triggers: Iterable[SqsTrigger]) -> tuple[SqsTrigger, ...]:
    if isinstance(triggers, SqsTrigger):
        triggers = (triggers,)
    try:
        sources = tuple(triggers)
    except TypeError:
        sources = (triggers,)  # type: ignore[assignment]  # reported just below
    for position, source in enumerate(sources):
        if not isinstance(source, SqsTrigger):
            raise DefinitionError(
                f"lambda_fn(triggers=[...]) item {position} is {source!r}; declare triggers with "
                "sfnkit.sqs_trigger('queue-name', ...)"
            )
    return sources


# --- states -------------------------------------------------------------------------------------------------


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
    return _state_step(
        "Task",
        "Task",
        name,
        retry,
        catch,
        comment=comment,
        query_language=query_language,
        resource=resource,
        input_path=_path_value(input_path, "task(input_path=)"),
        parameters=parameters,
        arguments=arguments,
        request=request,
        result_selector=result_selector,
        result_path=_path_value(result_path, "task(result_path=)"),
        output_path=_path_value(output_path, "task(output_path=)"),
        output=output,
        assign=_assign(assign),
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
    return _state_step(
        "Pass",
        "Pass",
        name,
        comment=comment,
        query_language=query_language,
        input_path=input_path if input_path is ABSENT else _path_value(input_path, "pass_(input_path=)"),
        parameters=parameters,
        result=result,
        result_path=result_path if result_path is ABSENT else _path_value(result_path, "pass_(result_path=)"),
        output_path=output_path if output_path is ABSENT else _path_value(output_path, "pass_(output_path=)"),
        output=output,
        assign=assign if assign is ABSENT else _assign(assign),
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
    return _state_step(
        "Wait",
        "Wait",
        name,
        comment=comment,
        query_language=query_language,
        input_path=_path_value(input_path, "wait(input_path=)"),
        seconds=seconds,
        timestamp=timestamp,
        seconds_path=_path_value(seconds_path, "wait(seconds_path=)"),
        timestamp_path=_path_value(timestamp_path, "wait(timestamp_path=)"),
        output_path=_path_value(output_path, "wait(output_path=)"),
        output=output,
        assign=_assign(assign),
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
    return _state_step(
        "Succeed",
        "Succeed",
        name,
        comment=comment,
        query_language=query_language,
        input_path=_path_value(input_path, "succeed(input_path=)"),
        output_path=_path_value(output_path, "succeed(output_path=)"),
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
    return _state_step(
        "Fail",
        "Fail",
        name,
        comment=comment,
        query_language=query_language,
        error=error,
        error_path=_path_value(error_path, "fail(error_path=)"),
        cause=cause,
        cause_path=_path_value(cause_path, "fail(cause_path=)"),
    )


# --- control flow -------------------------------------------------------------------------------------------


@sparse
@attrs.frozen(kw_only=True, slots=False)
class When:
    """One branch of a choice: if ``condition`` holds, run ``then`` (made by :func:`when`)."""

    condition: Condition
    then: Step
    assign: Json = ABSENT
    output: Json = ABSENT
    comment: str | None = None


def when(
    condition: Predicate | Condition | str | bool,
    then: Step | Sequence[Step],
    *,
    assign: Json = ABSENT,
    output: Json = ABSENT,
    comment: str | None = None,
) -> When:
    """A choice branch: ``when(data.age >= 18, then=adult)``.

    The condition is made with Python operators on ``data``/``ctx``/``var`` paths, or is ``jsonata("...")``.
    ``assign``/``output`` are the rule's own (ASL: set only when this branch is taken).
    """
    return When(
        condition=condition.condition if type(condition) is Predicate else as_condition(condition),
        then=then if isinstance(then, Step) else as_step(then),
        assign=ABSENT if assign is ABSENT else _assign(assign),
        output=ABSENT if output is ABSENT else freeze(output)[0],
        comment=comment,
    )


@sparse
@attrs.frozen(kw_only=True, slots=False)
class ChoiceStep(Step):
    """A Choice state: the first branch whose condition holds runs, else ``otherwise``."""

    branches: tuple[When, ...]
    otherwise: Step | None = None
    name: str = "Choice"
    named: bool = False
    fields: dict[str, Json] = attrs.field(factory=dict, hash=False)
    dynamic: bool = False

    def named_as(self, name: str) -> ChoiceStep:
        """This choice under another state name."""
        return attrs.evolve(self, name=_check_name(name, "choice()"), named=True)

    def _what(self) -> str:
        return f"choice {self.name!r}"


def choice(
    *branches: When,
    otherwise: Step | Sequence[Step] | None = None,
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
) -> ChoiceStep:
    """Take the first branch whose condition holds, else ``otherwise``.

    ``validate >> choice(when(data.total > 100, then=review), otherwise=charge) >> notify`` sends big orders to
    ``review``; a branch that runs off its end continues at ``notify``. Without ``otherwise`` an input that
    matches no branch also continues at ``notify``; if nothing follows the choice, such an input fails with
    ``States.NoChoiceMatched`` (the Choice has no ``Default``), as in ASL.
    """
    if not branches:
        raise DefinitionError("choice() needs at least one when(condition, then=step).")
    for position, branch in enumerate(branches, start=1):
        if not isinstance(branch, When):
            raise DefinitionError(f"choice() branch {position} is {branch!r}; wrap it as when(condition, then=step).")
    fields: dict[str, Json]
    plain = comment is None and query_language is None and input_path is ABSENT and output_path is ABSENT
    if plain and output is ABSENT and assign is ABSENT:
        fields, dynamic = {}, False  # the usual choice: nothing but its branches
    else:
        fields, dynamic = _collect(
            {
                "comment": comment,
                "query_language": query_language,
                "input_path": _path_value(input_path, "choice(input_path=)"),
                "output_path": _path_value(output_path, "choice(output_path=)"),
                "output": output,
                "assign": _assign(assign),
            }
        )
    if name is not None and not (type(name) is str and name.isidentifier() and len(name) <= MAX_NAME_LENGTH):
        name = _check_name(name, "choice()")  # else: fine as it is (the check's own fast path, without a call)
    return ChoiceStep(
        branches=branches,
        otherwise=otherwise if otherwise is None or isinstance(otherwise, Step) else as_step(otherwise),
        name="Choice" if name is None else name,
        named=name is not None,
        fields=fields,
        dynamic=dynamic,
    )


@sparse
@attrs.frozen(kw_only=True, slots=False)
class ParallelStep(_Retryable):
    """A Parallel state: every branch runs on the same input; the output is the list of their outputs."""

    branches: tuple[Step, ...]
    name: str = "Parallel"
    named: bool = False
    fields: dict[str, Json] = attrs.field(factory=dict, hash=False)
    dynamic: bool = False
    retriers: tuple[Retrier, ...] = ()
    catches: tuple[Catch, ...] = ()

    def named_as(self, name: str) -> ParallelStep:
        """This parallel under another state name."""
        return attrs.evolve(self, name=_check_name(name, "parallel()"), named=True)

    def _what(self) -> str:
        return f"parallel {self.name!r}"


def parallel(
    *branches: Step | Sequence[Step],
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    parameters: Json = ABSENT,
    arguments: Json = ABSENT,
    result_selector: Json = ABSENT,
    result_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
    retry: Retrier | Iterable[Retrier] | None = None,
    catch: Catch | Iterable[Catch] | None = None,
) -> ParallelStep:
    """Run each branch (a step or a list of steps) on the same input, at once; output the list of results.

    Each branch is its own ``States`` block: it cannot jump out, and its variables stay inside it.
    """
    if not branches:
        raise DefinitionError("parallel() needs at least one branch")
    step = _state_step(
        "Task",
        "Parallel",
        name,
        retry,
        catch,
        comment=comment,
        query_language=query_language,
        input_path=_path_value(input_path, "parallel(input_path=)"),
        parameters=parameters,
        arguments=arguments,
        result_selector=result_selector,
        result_path=_path_value(result_path, "parallel(result_path=)"),
        output_path=_path_value(output_path, "parallel(output_path=)"),
        output=output,
        assign=_assign(assign),
    )
    return ParallelStep(
        branches=tuple(as_step(b) for b in branches),
        name=step.name,
        named=step.named,
        fields=step.fields,
        dynamic=step.dynamic,
        retriers=step.retriers,
        catches=step.catches,
    )


@sparse
@attrs.frozen(kw_only=True, slots=False)
class MapStep(_Retryable):
    """A Map state: run ``iterator`` once per item; the output is the list of the iterations' outputs."""

    iterator: Step
    name: str = "Map"
    named: bool = False
    fields: dict[str, Json] = attrs.field(factory=dict, hash=False)
    dynamic: bool = False
    processor_config: Json = ABSENT
    retriers: tuple[Retrier, ...] = ()
    catches: tuple[Catch, ...] = ()

    def named_as(self, name: str) -> MapStep:
        """This map under another state name."""
        return attrs.evolve(self, name=_check_name(name, "map_()"), named=True)

    def _what(self) -> str:
        return f"map {self.name!r}"


def map_(
    iterator: Step | Sequence[Step],
    *,
    items_path: Json = ABSENT,
    items: Json = ABSENT,
    item_selector: Json = ABSENT,
    parameters: Json = ABSENT,
    max_concurrency: Json = ABSENT,
    max_concurrency_path: Json = ABSENT,
    tolerated_failure_percentage: Json = ABSENT,
    tolerated_failure_percentage_path: Json = ABSENT,
    tolerated_failure_count: Json = ABSENT,
    tolerated_failure_count_path: Json = ABSENT,
    item_reader: Json = ABSENT,
    item_batcher: Json = ABSENT,
    result_writer: Json = ABSENT,
    label: Json = ABSENT,
    mode: str | None = None,
    execution_type: str | None = None,
    legacy_iterator: bool = False,
    name: str | None = None,
    comment: str | None = None,
    query_language: str | None = None,
    input_path: Json = ABSENT,
    result_selector: Json = ABSENT,
    result_path: Json = ABSENT,
    output_path: Json = ABSENT,
    output: Json = ABSENT,
    assign: Json = ABSENT,
    retry: Retrier | Iterable[Retrier] | None = None,
    catch: Catch | Iterable[Catch] | None = None,
) -> MapStep:
    """Run *iterator* (a step or list of steps) once per item of ``items_path``/``items`` (default: the input).

    ``items=data.dragons`` is ``ItemsPath`` in JSONPath and ``Items`` in JSONata. ``item_selector`` shapes each
    iteration's input (``ctx.Map.Item.Value``, ``ctx.Map.Item.Index``). ``mode="DISTRIBUTED"`` (with
    ``execution_type``, default ``"STANDARD"``) makes a Distributed Map, as does giving ``item_reader``,
    ``item_batcher``, ``result_writer``, ``label`` or a tolerated failure; ``mode="INLINE"`` writes
    ``ProcessorConfig`` explicitly. ``legacy_iterator=True`` writes the processor as ``Iterator``, the field's
    name before ``ItemProcessor`` (to keep an imported definition as it was).
    """
    distributed_options = (
        item_reader,
        item_batcher,
        result_writer,
        label,
        tolerated_failure_percentage,
        tolerated_failure_percentage_path,
        tolerated_failure_count,
        tolerated_failure_count_path,
    )
    if mode is None and any(option is not ABSENT for option in distributed_options):
        mode = "DISTRIBUTED"
    if mode not in (None, "INLINE", "DISTRIBUTED"):
        raise DefinitionError(f"map_(mode={mode!r}): mode is 'INLINE' or 'DISTRIBUTED'")
    config: Json = ABSENT
    if mode is not None or execution_type is not None:
        config = {"Mode": mode or "INLINE"}
        if execution_type is not None or mode == "DISTRIBUTED":
            config["ExecutionType"] = execution_type or "STANDARD"
    if items is not ABSENT and items_path is not ABSENT:
        raise DefinitionError("map_() takes items= or items_path=, not both")
    step = _state_step(
        "Task",
        "Map",
        name,
        retry,
        catch,
        comment=comment,
        query_language=query_language,
        input_path=_path_value(input_path, "map_(input_path=)"),
        items_path=_path_value(items_path, "map_(items_path=)"),
        items=items,
        item_reader=item_reader,
        item_selector=item_selector,
        parameters=parameters,
        item_batcher=item_batcher,
        max_concurrency=max_concurrency,
        max_concurrency_path=max_concurrency_path,
        tolerated_failure_percentage=tolerated_failure_percentage,
        tolerated_failure_percentage_path=tolerated_failure_percentage_path,
        tolerated_failure_count=tolerated_failure_count,
        tolerated_failure_count_path=tolerated_failure_count_path,
        label=label,
        result_writer=result_writer,
        result_selector=result_selector,
        result_path=_path_value(result_path, "map_(result_path=)"),
        output_path=_path_value(output_path, "map_(output_path=)"),
        output=output,
        assign=_assign(assign),
        iterator_field="Iterator" if legacy_iterator else ABSENT,  # the sfnkit.states.Map field
    )
    return MapStep(
        iterator=as_step(iterator),
        name=step.name,
        named=step.named,
        fields=step.fields,
        dynamic=step.dynamic,
        processor_config=config,
        retriers=step.retriers,
        catches=step.catches,
    )


@sparse
@attrs.frozen(slots=False)
class Goto(Step):
    """Continue at the state named ``target`` (in the same ``States`` block): loops and shared endings.

    With ``target=None`` (made by :func:`end`) the sequence ends there: its last state is an ``End`` state.
    """

    target: str | None

    def _what(self) -> str:
        return "end()" if self.target is None else f"goto({self.target!r})"


def goto(target: str | Step) -> Goto:
    """Jump to the state called *target* (a name, or a step placed elsewhere in the same block).

    For loops: ``poll = check >> choice(when(data.done == True, then=finish), otherwise=wait(seconds=5) >>
    goto(check))``. Nothing may follow a ``goto`` in a sequence.
    """
    if isinstance(target, str):
        return _goto(target)
    name = getattr(target, "name", None)
    if not isinstance(target, Step) or not isinstance(name, str):
        raise DefinitionError(f"goto() takes a state name or a single step; got {target!r}")
    return Goto(name)


@functools.lru_cache(maxsize=4096)
def _goto(target: str) -> Goto:
    # Gotos are values: flows built in loops jump to the same few names again and again, so equal ones are shared.
    return Goto(_check_name(target, "goto()"))


_END: Final = Goto(None)


def end() -> Goto:
    """End the sequence here (ASL ``End``) instead of going on after the choice or catch it hangs from.

    A ``choice()`` branch or a ``catch(then=...)`` handler runs on to what follows the choice or the failed step;
    ``end()`` stops it: in ``charge.catch(then=log_failure >> end()) >> ship``, ``LogFailure`` ends the workflow.
    ``choice(..., otherwise=end())`` writes no ``Default``: an input that matches no branch fails with
    ``States.NoChoiceMatched``. Nothing may follow ``end()`` in a sequence.
    """
    return _END


def chain(*steps: Step | Sequence[Step]) -> Step:
    """The steps one after another: ``chain(a, b, c)`` is ``a >> b >> c``."""
    if not steps:
        raise DefinitionError("chain() needs at least one step")
    if len(steps) == 1:
        return as_step(steps[0])
    return Chain(parts=tuple(step if isinstance(step, Step) else as_step(step) for step in steps))


def as_step(value: Step | Sequence[Step]) -> Step:
    """*value* as a step: a step is itself, a list or tuple of steps is their chain."""
    if isinstance(value, Step):
        return value
    if isinstance(value, list | tuple):
        return chain(*value)
    if callable(value):
        raise DefinitionError(
            f"{getattr(value, '__name__', value)!r} is a plain function; decorate it with @lambda_fn to use it "
            "as a step"
        )
    raise DefinitionError(f"{value!r} is not a step; use @lambda_fn functions, task(), pass_(), choice()...")
