"""``@lambda_fn``: a Python function that is also a Lambda Task step (:class:`LambdaStep`)."""

from __future__ import annotations

import inspect
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, ParamSpec, TypeVar, overload

import attrs

from sfnkit.deploy_options import DeployOptions
from sfnkit.dsl.handling import Catch, Retryable, as_catches, as_retriers
from sfnkit.dsl.values import Json, check_name, freeze, path_value
from sfnkit.errors import DefinitionError
from sfnkit.states import ABSENT, Retrier
from sfnkit.triggers import SqsTrigger

if TYPE_CHECKING:
    from sfnkit.clock import Clock, ClockName
    from sfnkit.lambdas import InvokeResult

P = ParamSpec("P")
R = TypeVar("R")

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


def state_name_of(function_name: str) -> str:
    """The state name of a Python function: ``validate_dragon`` → ``ValidateDragon``.

    >>> state_name_of("add_dragon_v2")
    'AddDragonV2'
    """
    parts = [part for part in function_name.split("_") if part]
    return "".join(part[0].upper() + part[1:] for part in parts)


@attrs.frozen(kw_only=True, slots=False)
class LambdaStep(Retryable, Generic[P, R]):
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
        return attrs.evolve(self, name=check_name(name, "lambda_fn"), named=True)

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
            value = path_value(value, f"lambda_fn({key}=)")
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
    retriers, catches = as_retriers(retry), as_catches(catch)

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
        check_name(state_name, f"@lambda_fn {label}")
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
