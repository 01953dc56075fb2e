"""Lambda functions in the generated module: ``@lambda_fn`` stubs, the options that rebuild each use, handler stubs.

``@lambda_fn`` builds a Task on ``lambda:invoke`` that hands on only the function's return value (``OutputPath:
$.Payload``, or a ``<Name>.Payload`` Pass after a ``result_path``); :func:`lambda_options` reads such a Task back
into the decorator's options, or says it is not one. Functions called by ARN or through a plain ``lambda:invoke``
get handler stubs and a ``LAMBDAS`` mapping for ``run(..., lambdas=LAMBDAS)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

import attrs

from sfnkit.builder.lambda_tasks import LAMBDA_INVOKE, _payload_jsonata, _payload_template
from sfnkit.codegen.values import py_json, py_path, py_str, py_template
from sfnkit.dsl import state_name_of
from sfnkit.lambdas import function_name
from sfnkit.machine import StateMachine
from sfnkit.states import ABSENT, Map, Parallel, Pass, State, Task

if TYPE_CHECKING:
    from sfnkit.codegen.steps import Writer

__all__ = ["LambdaStub", "handler_stubs", "lambda_calls", "lambda_options", "payload_passes", "walk"]

Json = Any
JSONPATH: Final = "JSONPath"
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_:.\-]{1,140}")  # as @lambda_fn checks function_name=
_LAMBDA_ARN = re.compile(r"arn:aws:lambda:[a-z0-9-]*:\d*:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?")
_PLAIN_FUNCTION = re.compile(r"[A-Za-z0-9_-]{1,64}")
_RESULT = re.compile(r"\$states\.result\.Payload(?![\w$])")
_TASK_FIELD: Final = {"timeout": "timeout_seconds", "heartbeat": "heartbeat_seconds"}


@attrs.define
class LambdaStub:
    """A ``@lambda_fn`` function to write at the top of the module: one per Lambda function name."""

    identifier: str
    function_name: str
    uses: list[tuple[str, dict[str, str]]] = attrs.Factory(list)  # (state name, options as source)
    retries: dict[str, list[str]] = attrs.Factory(dict)  # state name -> retry(...) sources

    def default_state(self) -> str:
        return state_name_of(self.identifier)

    def decorator(self) -> str:
        options: dict[str, str] = {}
        single = len(self.uses) == 1
        state = self.uses[0][0] if single else self.default_state()
        if single and state != self.default_state():
            options["name"] = py_str(state)
        if self.function_name != state:
            options["function_name"] = py_str(self.function_name)
        if single:
            options.update(self.uses[0][1])
            if self.retries.get(state):
                options["retry"] = "[" + ", ".join(self.retries[state]) + "]"
        if not options:
            return "@lambda_fn"
        return "@lambda_fn(" + ", ".join(f"{key}={value}" for key, value in options.items()) + ")"

    def source(self) -> str:
        return (
            f"{self.decorator()}\n"
            f"def {self.identifier}(event):\n"
            f'    """The Lambda function ``{self.function_name}``: write its handler here."""\n'
            f"    raise NotImplementedError({py_str(self.function_name)})\n"
        )

    def reference(self, state: str, options: dict[str, str], catches: list[str]) -> str:
        """The step for one use of the function (the state *state*)."""
        text = self.identifier
        if len(self.uses) > 1:
            if state != self.default_state():
                text += f".named_as({py_str(state)})"
            if options:
                # with_options takes the Task's own field names (timeout= is the decorator's, for deployment too)
                named = {_TASK_FIELD.get(key, key): value for key, value in options.items()}
                text += ".with_options(" + ", ".join(f"{key}={value}" for key, value in named.items()) + ")"
            for source in self.retries.get(state, []):
                text += ".retry(" + source.removeprefix("retry(")
        for source in catches:
            text += ".catch(" + source.removeprefix("catch(")
        return text


def lambda_options(writer: Writer, name: str, state: Task, block: StateMachine, language: str) -> dict[str, str] | None:
    """The ``@lambda_fn`` options that build *state*, or None if it is not what ``@lambda_fn`` builds."""
    if state.resource != LAMBDA_INVOKE:
        return None
    request = state.parameters if language == JSONPATH else state.arguments
    if not isinstance(request, dict) or len(request) != 2 or not isinstance(request.get("FunctionName"), str):
        return None
    if not _FUNCTION_NAME.fullmatch(request["FunctionName"]):
        return None
    options: dict[str, str] = {}
    skip = {"parameters", "arguments", "retry", "catch", "resource"}
    if language == JSONPATH:
        if "Payload.$" in request:
            payload = request["Payload.$"]
            if not isinstance(payload, str) or not payload.startswith("$"):
                return None
            if payload != "$":
                options["parameters"] = py_path(payload, writer.imports) or py_str(payload)
        elif "Payload" in request:
            payload = request["Payload"]
            if isinstance(payload, str) and payload.startswith("$"):
                return None
            options["parameters"] = py_template(payload, writer.imports)
        else:
            return None
        for key in ("result_selector", "assign"):
            value = getattr(state, key)
            if value is not ABSENT:
                plain_value = unpayload(value)
                if plain_value is None or _payload_template(plain_value) != value:
                    return None
                options[key] = py_template(
                    plain_value, writer.imports, root="result" if key == "result_selector" else "data"
                )
                skip.add(key)
        extra = writer.unwrapping(block).get(name)
        if extra is not None:
            follower = block.states[extra]
            assert isinstance(follower, Pass)
            if follower.output_path is not ABSENT:
                options["output_path"] = writer.value("output_path", follower.output_path, language, False)
            skip.add("output_path")
        elif state.result_selector is ABSENT and state.result_path in (ABSENT, "$"):
            output_path = state.output_path
            if not isinstance(output_path, str) or not (
                output_path == "$.Payload" or output_path.startswith(("$.Payload.", "$.Payload["))
            ):
                return None
            if output_path != "$.Payload":
                options["output_path"] = writer.value("output_path", "$" + output_path[9:], language, False)
            skip.add("output_path")
        elif state.result_selector is ABSENT and state.result_path is not None:
            return None  # a result_path with no Pass to unwrap the Payload: not what @lambda_fn builds
    else:
        if "Payload" not in request:
            return None
        if request["Payload"] != "{% $states.input %}":
            options["arguments"] = py_json(request["Payload"])
        if state.output is ABSENT:
            return None
        for key in ("output", "assign"):
            value = getattr(state, key)
            if value is ABSENT:
                continue
            plain_value = unjsonata(value)
            if _payload_jsonata(plain_value) != value:
                return None
            skip.add(key)
            if key == "output" and plain_value == "{% $states.result %}":
                continue
            options[key] = py_json(plain_value)
    for key, value in writer.fields(name, state, language, False, frozenset(skip)).items():
        if key == "timeout_seconds" and _is_int(state.timeout_seconds):
            options["timeout"] = value
        elif key == "heartbeat_seconds" and _is_int(state.heartbeat_seconds):
            options["heartbeat"] = value
        else:
            options[key] = value
    return options


def payload_passes(machine: StateMachine, language: str) -> dict[str, str]:
    """Lambda tasks of the block *machine* followed by the Pass ``<Name>.Payload`` that ``@lambda_fn`` adds.

    ``@lambda_fn(result_path="$.x")`` in JSONPath writes the Task with ``ResultPath`` and a Pass that moves the
    return value (``$.x.Payload``) to ``$.x``; *language* is the machine's query language.
    """
    reached: dict[str, set[str]] = {}
    for name in machine.states:
        for _, target in machine.transitions(name):
            reached.setdefault(target, set()).add(name)
    out = {}
    for name, state in machine.states.items():
        if (
            not isinstance(state, Task)
            or state.resource != LAMBDA_INVOKE
            or (state.query_language or language) != JSONPATH
        ):
            continue
        extra = f"{name}.Payload"
        follower = machine.states.get(extra)
        result_path = state.result_path
        if (
            isinstance(follower, Pass)
            and machine.follow(name, "Next") == extra
            and isinstance(result_path, str)
            and result_path != "$"
            and state.output_path is ABSENT
            and state.result_selector is ABSENT
            and attrs.evolve(follower, output_path=ABSENT)
            == Pass(input_path=f"{result_path}.Payload", result_path=result_path)
            and reached.get(extra) == {name}
        ):
            out[name] = extra
    return out


def lambda_calls(machine: StateMachine) -> dict[str, list[str]]:
    """Lambda function name -> the states that call it by ARN or through ``lambda:invoke`` with a literal name."""
    calls: dict[str, list[str]] = {}
    for name, state, _ in walk(machine):
        if not isinstance(state, Task):
            continue
        reference: Json = None
        if _LAMBDA_ARN.fullmatch(state.resource):
            reference = state.resource
        elif state.resource == LAMBDA_INVOKE:
            request = state.parameters if isinstance(state.parameters, dict) else state.arguments
            reference = request.get("FunctionName") if isinstance(request, dict) else None
        if isinstance(reference, str) and not reference.startswith("{%"):
            function = function_name(reference)
            if _PLAIN_FUNCTION.fullmatch(function):
                calls.setdefault(function, []).append(name)
    return calls


def handler_stubs(calls: dict[str, list[str]], identifier: Callable[[str], str], bound: dict[str, str]) -> str:
    """Plain handlers for the Lambda functions *calls* names, and ``LAMBDAS`` to bind them (and *bound*) in ``run()``.

    *bound* maps more function names to the ``@lambda_fn`` stubs already written for them.
    """
    sources, entries = [], [f"{py_str(function)}: {name}" for function, name in bound.items()]
    for function, states in calls.items():
        name = identifier(function)
        callers = ", ".join(states[:3]) + (", ..." if len(states) > 3 else "")
        sources.append(
            f"def {name}(event):\n"
            f'    """The Lambda function ``{function}`` (state {callers}): write its handler here."""\n'
            f"    raise NotImplementedError({py_str(function)})\n"
        )
        entries.append(f"{py_str(function)}: {name}")
    mapping = (
        "# The Lambda functions called by ARN or lambda:invoke: run(machine, input, lambdas=LAMBDAS) binds them.\n"
        f"LAMBDAS = {{{', '.join(entries)}}}\n"
    )
    return "\n\n".join([*sources, mapping])


def _is_int(value: Json) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def unpayload(value: Json) -> Json:
    """A ``@lambda_fn`` template as written: ``$.Payload...`` paths re-rooted on ``$`` (None if one is not)."""
    if isinstance(value, list):
        items = [unpayload(item) for item in value]
        return None if any(item is None for item in items) else items
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key.endswith(".$") and isinstance(item, str):
            if item == "$.Payload":
                item = "$"
            elif item.startswith(("$.Payload.", "$.Payload[")):
                item = "$" + item[9:]
            elif item.startswith(("$.", "$[")) or item == "$":
                return None
            else:
                item = item.replace("$.Payload", "$")  # an intrinsic: checked by the caller
        else:
            item = unpayload(item)
            if item is None and value[key] is not None:
                return None
        out[key] = item
    return out


def unjsonata(value: Json) -> Json:
    if isinstance(value, str):
        return _RESULT.sub("$states.result", value) if value.startswith("{%") else value
    if isinstance(value, dict):
        return {key: unjsonata(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unjsonata(item) for item in value]
    return value


def walk(machine: StateMachine) -> Iterator[tuple[str, State, StateMachine]]:
    """Every state of *machine*, nested ones included, with the block it is in."""
    pending = [machine]
    while pending:
        block = pending.pop(0)
        for name, state in block.states.items():
            yield name, state, block
            if isinstance(state, Parallel):
                pending.extend(state.branches)
            elif isinstance(state, Map) and state.item_processor is not None:
                pending.append(state.item_processor)
