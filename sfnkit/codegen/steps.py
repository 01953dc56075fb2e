"""The DSL source of each state: ``@lambda_fn`` stubs, service helpers, ``task()``, ``choice()``, fragments...

A :class:`Writer` writes one machine. It knows what every combinator builds (``sfnkit.dsl``, ``sfnkit.build``,
``sfnkit.integrations``) and picks the most idiomatic spelling that builds the very state it reads; states in
``plain`` get the literal spelling (``task()``, paths as strings, conditions as IR), the safe one.
"""

from __future__ import annotations

import functools
import keyword
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

import attrs

from sfnkit.build import LAMBDA_INVOKE, _payload_jsonata, _payload_template
from sfnkit.codegen.layout import Layout, Seq, lay_out
from sfnkit.codegen.values import Imports, ir_condition, py_condition, py_json, py_path, py_str, py_template
from sfnkit.dsl import PATH_TWIN, state_name_of
from sfnkit.lambdas import function_name
from sfnkit.machine import StateMachine
from sfnkit.states import ABSENT, Catcher, Choice, Fail, Map, Parallel, Pass, Retrier, State, Succeed, Task, Wait

__all__ = ["LambdaStub", "Writer", "handler_stubs", "identifier", "lambda_calls"]

Json = Any
JSONPATH: Final = "JSONPath"
JSONATA: Final = "JSONata"

_TEMPLATES: Final = frozenset(
    {"parameters", "result_selector", "item_selector", "assign", "credentials", "item_reader", "item_batcher",
     "result_writer"}
)  # fmt: skip
_PATHS: Final = frozenset({"input_path", "output_path", "result_path"})
_TWIN_OF: Final = {path: value for value, path in PATH_TWIN.items()}
_STRUCTURE: Final = frozenset({"type", "retry", "catch", "branches", "item_processor", "processor_config", "choices"})
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_:.\-]{1,140}")
_LAMBDA_ARN = re.compile(r"arn:aws:lambda:[a-z0-9-]*:\d*:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?")
_PLAIN_FUNCTION = re.compile(r"[A-Za-z0-9_-]{1,64}")
_RESULT = re.compile(r"\$states\.result\.Payload(?![\w$])")
_DEFAULT_NAMES: Final = {Pass: "Pass", Wait: "Wait", Succeed: "Succeed", Fail: "Fail", Task: "Task"}
_FACTORIES: Final = {Pass: "pass_", Wait: "wait", Succeed: "succeed", Fail: "fail"}
_TASK_FIELD: Final = {"timeout": "timeout_seconds", "heartbeat": "heartbeat_seconds"}
# Fields that make map_() write a Distributed ProcessorConfig when no mode= is given.
_DISTRIBUTED: Final = (
    "item_reader", "item_batcher", "result_writer", "label", "tolerated_failure_percentage",
    "tolerated_failure_percentage_path", "tolerated_failure_count", "tolerated_failure_count_path",
)  # fmt: skip


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


class Writer:
    """The DSL source of one machine's flow, with the Lambda stubs and fragments it needs."""

    def __init__(self, machine: StateMachine, plain: frozenset[str], reserved: set[str]) -> None:
        self.machine = machine
        self.language = machine.query_language or JSONPATH
        self.plain = plain
        self.imports = Imports()
        self.taken = set(reserved)
        self.lambdas: dict[str, LambdaStub] = {}
        self.fragments: list[tuple[str, str]] = []
        self.problems: list[tuple[str, str]] = []
        self._lambda_plans: dict[str, tuple[LambdaStub, dict[str, str]]] = {}
        self._unwrapping: dict[int, dict[str, str]] = {}  # by id() of a block of self.machine, which holds it

    def identifier(self, wanted: str) -> str:
        """A module-level name like *wanted*, unused so far."""
        return identifier(wanted, self.taken)

    # --- blocks -----------------------------------------------------------------------------------------------

    def flow(self) -> str:
        """The source of the top-level flow (fragments and stubs are collected on the way)."""
        self.plan_lambdas(self.machine)
        return self.block(self.machine)

    def unbound(self) -> dict[str, list[str]]:
        """The Lambda functions called otherwise than by a ``@lambda_fn`` step (those bind themselves)."""
        bound = {function_name(stub.function_name) for stub in self.lambdas.values()}
        return {
            function: states
            for function, states in lambda_calls(self.machine).items()
            if function not in bound and not all(state in self._lambda_plans for state in states)
        }

    def block(self, machine: StateMachine) -> str:
        absorbed = {task: extra for task, extra in self.unwrapping(machine).items() if task in self._lambda_plans}
        layout = lay_out(machine, absorbed)
        self.problems.extend(layout.problems)
        return self.seq(machine, layout, layout.root)

    def seq(self, machine: StateMachine, layout: Layout, seq: Seq) -> str:
        parts = [self.step(machine, layout, name) for name in seq.items]
        if seq.goto is not None:
            parts.append(f"{self.imports.use('goto')}({py_str(seq.goto)})")
        elif seq.end:
            parts.append(f"{self.imports.use('end')}()")
        if len(parts) > 100:
            return f"{self.imports.use('chain')}({', '.join(parts)})"
        return " >> ".join(parts)

    # --- one state --------------------------------------------------------------------------------------------

    def language_of(self, state: State) -> str:
        return state.query_language or self.language

    def step(self, machine: StateMachine, layout: Layout, name: str) -> str:
        state = machine.states[name]
        language = self.language_of(state)
        plain = name in self.plain
        for key in ("retry", "catch"):
            if getattr(state, key, None) == ():
                self.problems.append((name, f"an empty {key.capitalize()} list: {key}=[] writes no {key.capitalize()}"))
        catches = [
            self.catcher(machine, layout, name, i, c, language)
            for i, c in enumerate(getattr(state, "catch", None) or ())
        ]
        if isinstance(state, Task) and name in self._lambda_plans:
            stub, options = self._lambda_plans[name]
            return stub.reference(name, options, catches)
        kwargs = self.fields(name, state, language, plain)
        retries = [self.retrier(r) for r in getattr(state, "retry", None) or ()]
        if retries:
            kwargs["retry"] = "[" + ", ".join(retries) + "]"
        if catches:
            kwargs["catch"] = "[" + ", ".join(catches) + "]"
        match state:
            case Choice():
                return self.choice(machine, layout, name, state, language, kwargs)
            case Parallel():
                branches = [self.fragment(branch, f"{name}_branch_{i}") for i, branch in enumerate(state.branches, 1)]
                return self.call("parallel", branches, kwargs, name, "Parallel")
            case Map():
                return self.map_(name, state, kwargs)
            case Task():
                helper = None if plain else self.helper(state, language, kwargs)
                if helper is not None:
                    return self.call(helper[0], helper[1], helper[2], name, helper[3])
                return self.call("task", [py_str(state.resource)], kwargs, name, "Task")
            case _:
                if isinstance(state, Succeed) and state.assign is not ABSENT:
                    self.problems.append((name, "Assign on a Succeed state: succeed() takes no assign="))
                return self.call(_FACTORIES[type(state)], [], kwargs, name, _DEFAULT_NAMES[type(state)])

    def call(self, function: str, args: list[str], kwargs: dict[str, str], name: str, default: str) -> str:
        if name != default:
            kwargs = {"name": py_str(name), **kwargs}
        items = [*args, *(f"{key}={value}" for key, value in kwargs.items())]
        return f"{self.imports.use(function)}({', '.join(items)})"

    def fields(
        self, name: str, state: State, language: str, plain: bool, skip: frozenset[str] = frozenset()
    ) -> dict[str, str]:
        """The keyword arguments for *state*'s own fields (not its structure)."""
        kwargs: dict[str, str] = {}
        values = {f.name: getattr(state, f.name) for f in attrs.fields(type(state))}
        for key, value in values.items():
            if key in _STRUCTURE or key in skip or key == "iterator_field" or key == "resource":
                continue
            if value is ABSENT or (value is None and key in ("comment", "query_language")):
                continue
            twin = _TWIN_OF.get(key)
            if twin is not None and language == JSONPATH and not plain and values.get(twin, ABSENT) is ABSENT:
                path = py_path(value, self.imports)
                if path is not None:
                    kwargs[twin] = path
                    continue
            if twin is not None and key in ("timeout_seconds_path", "heartbeat_seconds_path"):
                self.problems.append((name, f"{key}={value!r}: task() takes it only as {twin}=data.x"))
            kwargs[key] = self.value(key, value, language, plain)
        return kwargs

    def value(self, key: str, value: Json, language: str, plain: bool, root: str = "data") -> str:
        if language == JSONPATH and not plain:
            if key in _PATHS and isinstance(value, str):
                path = py_path(value, self.imports)
                if path is not None:
                    return path
            if key in _TEMPLATES:
                return py_template(value, self.imports, root="result" if key == "result_selector" else root)
        return py_json(value)

    def retrier(self, retrier: Retrier) -> str:
        options = [self.errors(retrier.error_equals)]
        for field in attrs.fields(Retrier):
            value = getattr(retrier, field.name)
            if field.name != "error_equals" and value is not None:
                options.append(f"{field.name}={py_json(value)}")
        return f"{self.imports.use('retry')}({', '.join(options)})"

    @staticmethod
    def errors(errors: tuple[str, ...]) -> str:
        return py_str(errors[0]) if len(errors) == 1 else py_json(list(errors))

    def catcher(
        self, machine: StateMachine, layout: Layout, name: str, position: int, catcher: Catcher, language: str
    ) -> str:
        options = [self.errors(catcher.error_equals)]
        handler = layout.handlers.get(name, [])[position] if position < len(layout.handlers.get(name, [])) else None
        if handler is not None:
            options.append(f"then={self.seq(machine, layout, handler)}")
        plain = name in self.plain
        for key in ("result_path", "output", "assign"):
            value = getattr(catcher, key)
            if value is not ABSENT:
                options.append(f"{key}={self.value(key, value, language, plain)}")
        if catcher.comment is not None:
            options.append(f"comment={py_str(catcher.comment)}")
        return f"{self.imports.use('catch')}({', '.join(options)})"

    def choice(
        self, machine: StateMachine, layout: Layout, name: str, state: Choice, language: str, kwargs: dict[str, str]
    ) -> str:
        whens = []
        plain = name in self.plain
        for rule, seq in zip(state.choices, layout.rules[name], strict=True):
            condition = (
                py_condition(rule.condition, self.imports) if not plain else ir_condition(rule.condition, self.imports)
            )
            options = [condition, f"then={self.seq(machine, layout, seq)}"]
            for key in ("assign", "output"):
                value = getattr(rule, key)
                if value is not ABSENT:
                    options.append(f"{key}={self.value(key, value, language, plain)}")
            if rule.comment is not None:
                options.append(f"comment={py_str(rule.comment)}")
            whens.append(f"{self.imports.use('when')}({', '.join(options)})")
        otherwise = layout.defaults[name]
        if otherwise is not None:
            kwargs = {"otherwise": self.seq(machine, layout, otherwise), **kwargs}
        return self.call("choice", whens, kwargs, name, "Choice")

    def fragment(self, machine: StateMachine, wanted: str) -> str:
        """A Parallel branch or Map processor, as a module-level variable; returns its name."""
        source = self.block(machine)
        if source.isidentifier():
            return source  # a branch of one @lambda_fn step reads best as the function itself
        identifier = self.identifier(wanted)
        self.fragments.append((identifier, source))
        return identifier

    def map_(self, name: str, state: Map, kwargs: dict[str, str]) -> str:
        if state.iterator_field == "Iterator":
            kwargs["legacy_iterator"] = "True"
        config = state.processor_config
        config = {} if config is ABSENT else config
        mode, execution = config.get("Mode"), config.get("ExecutionType")
        if set(config) - {"Mode", "ExecutionType"} or (config and mode is None):
            self.problems.append((name, f"ProcessorConfig {config!r}: map_() writes Mode and ExecutionType only"))
        elif mode == "DISTRIBUTED" and execution is None:
            self.problems.append((name, "ProcessorConfig without ExecutionType: map_() writes STANDARD for it"))
        if mode is not None:
            kwargs["mode"] = py_str(mode)
        if execution is not None and not (mode == "DISTRIBUTED" and execution == "STANDARD"):
            kwargs["execution_type"] = py_str(execution)
        given = [key for key in _DISTRIBUTED if getattr(state, key) is not ABSENT]
        if not config and given:
            self.problems.append(
                (name, f"{given[0]} without ProcessorConfig: map_() makes such a Map Distributed and writes one")
            )
        if state.arguments is not ABSENT:
            self.problems.append((name, "Arguments on a Map state: map_() takes no arguments="))
            kwargs.pop("arguments", None)
        assert state.item_processor is not None
        processor = self.fragment(state.item_processor, f"{name}_iteration")
        return self.call("map_", [processor], kwargs, name, "Map")

    # --- Lambda functions -------------------------------------------------------------------------------------

    def unwrapping(self, machine: StateMachine) -> dict[str, str]:
        """Lambda tasks followed by the Pass ``<Name>.Payload`` that ``@lambda_fn(result_path=...)`` adds."""
        known = self._unwrapping.get(id(machine))
        if known is not None:
            return known
        reached: dict[str, set[str]] = {}
        for name in machine.states:
            for _, target in machine.transitions(name):
                reached.setdefault(target, set()).add(name)
        out = {}
        for name, state in machine.states.items():
            if not isinstance(state, Task) or state.resource != LAMBDA_INVOKE or self.language_of(state) != JSONPATH:
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
        self._unwrapping[id(machine)] = out
        return out

    def plan_lambdas(self, machine: StateMachine) -> None:
        """Decide, for every Task that ``@lambda_fn`` can build, its function and options."""
        for name, state, block in _walk(machine):
            if isinstance(state, Task) and name not in self.plain:
                self.plan_lambda(name, state, block)

    def plan_lambda(self, name: str, state: Task, block: StateMachine) -> None:
        language = self.language_of(state)
        options = self.lambda_options(name, state, block, language)
        if options is None:
            return
        function_name = (state.parameters if language == JSONPATH else state.arguments)["FunctionName"]
        stub = self.lambdas.get(function_name)
        if stub is None:
            stub = LambdaStub(self.identifier(function_name.split("function:")[-1].split(":")[0]), function_name)
            self.lambdas[function_name] = stub
        stub.uses.append((name, options))
        stub.retries[name] = [self.retrier(r) for r in state.retry or ()]
        self._lambda_plans[name] = (stub, options)
        self.imports.use("lambda_fn")

    def lambda_options(self, name: str, state: Task, block: StateMachine, language: str) -> dict[str, str] | None:
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
                    options["parameters"] = py_path(payload, self.imports) or py_str(payload)
            elif "Payload" in request:
                payload = request["Payload"]
                if isinstance(payload, str) and payload.startswith("$"):
                    return None
                options["parameters"] = py_template(payload, self.imports)
            else:
                return None
            for key in ("result_selector", "assign"):
                value = getattr(state, key)
                if value is not ABSENT:
                    plain_value = _unpayload(value)
                    if plain_value is None or _payload_template(plain_value) != value:
                        return None
                    options[key] = py_template(
                        plain_value, self.imports, root="result" if key == "result_selector" else "data"
                    )
                    skip.add(key)
            extra = self.unwrapping(block).get(name)
            if extra is not None:
                follower = block.states[extra]
                assert isinstance(follower, Pass)
                if follower.output_path is not ABSENT:
                    options["output_path"] = self.value("output_path", follower.output_path, language, False)
                skip.add("output_path")
            elif state.result_selector is ABSENT and state.result_path in (ABSENT, "$"):
                output_path = state.output_path
                if not isinstance(output_path, str) or not (
                    output_path == "$.Payload" or output_path.startswith(("$.Payload.", "$.Payload["))
                ):
                    return None
                if output_path != "$.Payload":
                    options["output_path"] = self.value("output_path", "$" + output_path[9:], language, False)
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
                plain_value = _unjsonata(value)
                if _payload_jsonata(plain_value) != value:
                    return None
                skip.add(key)
                if key == "output" and plain_value == "{% $states.result %}":
                    continue
                options[key] = py_json(plain_value)
        for key, value in self.fields(name, state, language, False, frozenset(skip)).items():
            if key == "timeout_seconds" and _is_int(state.timeout_seconds):
                options["timeout"] = value
            elif key == "heartbeat_seconds" and _is_int(state.heartbeat_seconds):
                options["heartbeat"] = value
            else:
                options[key] = value
        return options

    # --- service helpers --------------------------------------------------------------------------------------

    def helper(
        self, state: Task, language: str, kwargs: dict[str, str]
    ) -> tuple[str, list[str], dict[str, str], str] | None:
        """``(helper, args, kwargs, default name)`` for a Task a service helper builds, if one does."""
        resource = state.resource
        request = state.parameters if language == JSONPATH else state.arguments
        other = state.arguments if language == JSONPATH else state.parameters
        if not isinstance(request, dict) or other is not ABSENT:
            return None
        options = {key: value for key, value in kwargs.items() if key not in ("parameters", "arguments")}
        suffix = ""
        if resource.endswith(".waitForTaskToken"):
            resource, suffix = resource.removesuffix(".waitForTaskToken"), ".waitForTaskToken"
            options["wait_for_task_token"] = "True"
        if resource.startswith("arn:aws:states:::aws-sdk:") and not suffix:
            service, _, action = resource.removeprefix("arn:aws:states:::aws-sdk:").partition(":")
            if not re.fullmatch(r"[a-z0-9]+(?:[a-z0-9-]*[a-z0-9])?", service) or not re.fullmatch(
                r"[a-z][A-Za-z0-9]*", action
            ):
                return None
            default = "".join(part.capitalize() for part in service.split("-")) + action[0].upper() + action[1:]
            body = py_template(request, self.imports) if language == JSONPATH else py_json(request)
            return "aws_sdk", [py_str(service), py_str(action), body], options, default
        sync = ""
        for ending in (".sync:2", ".sync"):
            if resource.startswith("arn:aws:states:::states:startExecution") and resource.endswith(ending):
                resource, sync = resource.removesuffix(ending), ending
        spec = _HELPERS.get(resource)
        if spec is None:
            return None
        function, default, positional, keywords, defaults = spec
        arguments = self.request_arguments(request, language, defaults)
        if arguments is None or not set(positional) <= set(arguments):
            return None
        if set(arguments) - set(positional) - set(keywords):
            return None
        if sync == ".sync":
            options["sync"] = "True"
        elif sync == ".sync:2":
            options["sync_json"] = "True"
        args = [arguments.pop(key) for key in positional]
        named = {keywords[key]: arguments[key] for key in keywords if key in arguments}
        return function, args, {**named, **options}, default

    def request_arguments(
        self, request: dict[str, Json], language: str, defaulted: tuple[str, ...]
    ) -> dict[str, str] | None:
        """The helper arguments (API member -> source) for *request*, or None if a helper cannot write it."""
        out: dict[str, str] = {}
        for key, value in request.items():
            is_path = language == JSONPATH and key.endswith(".$")
            member = key[:-2] if is_path else key
            if member in out:
                return None
            if is_path:
                path = py_path(value, self.imports)
                if path is None:
                    return None
                out[member] = path
            else:
                out[member] = py_template(value, self.imports) if language == JSONPATH else py_json(value)
        for member in defaulted:
            if member not in out:
                return None  # the helper would write it
            if request.get(f"{member}.$") == "$" or request.get(member) == "{% $states.input %}":
                del out[member]  # the helper's default: the state input
        return out


# (function, default state name, positional API members, keyword API members -> parameter, members the helper
# the helper always writes, the state input by default)
_HELPERS: Final[dict[str, tuple[str, str, tuple[str, ...], dict[str, str], tuple[str, ...]]]] = {
    "arn:aws:states:::sns:publish": (
        "sns_publish", "SnsPublish", ("TopicArn", "Message"),
        {"Subject": "subject", "MessageAttributes": "message_attributes"}, (),
    ),
    "arn:aws:states:::sqs:sendMessage": (
        "sqs_send_message", "SqsSendMessage", ("QueueUrl", "MessageBody"),
        {"DelaySeconds": "delay_seconds", "MessageGroupId": "message_group_id",
         "MessageAttributes": "message_attributes"}, (),
    ),
    "arn:aws:states:::dynamodb:putItem": (
        "dynamodb_put_item", "DynamoDBPutItem", ("TableName", "Item"),
        {"ConditionExpression": "condition_expression"}, (),
    ),
    "arn:aws:states:::dynamodb:getItem": (
        "dynamodb_get_item", "DynamoDBGetItem", ("TableName", "Key"),
        {"ProjectionExpression": "projection_expression"}, (),
    ),
    "arn:aws:states:::dynamodb:updateItem": (
        "dynamodb_update_item", "DynamoDBUpdateItem", ("TableName", "Key", "UpdateExpression"),
        {"ExpressionAttributeValues": "expression_attribute_values",
         "ExpressionAttributeNames": "expression_attribute_names", "ConditionExpression": "condition_expression"}, (),
    ),
    "arn:aws:states:::dynamodb:deleteItem": (
        "dynamodb_delete_item", "DynamoDBDeleteItem", ("TableName", "Key"), {}, (),
    ),
    "arn:aws:states:::lambda:invoke": (
        "lambda_invoke", "LambdaInvoke", ("FunctionName",), {"Payload": "payload"}, ("Payload",),
    ),
    "arn:aws:states:::states:startExecution": (
        "start_execution", "StartExecution", ("StateMachineArn",), {"Input": "input", "Name": "execution_name"},
        ("Input",),
    ),
}  # fmt: skip


def identifier(wanted: str, taken: set[str]) -> str:
    """A Python name like *wanted* (``FeedAll`` -> ``feed_all``) not in *taken*, which it joins."""
    base = re.sub(r"\W+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", wanted)).strip("_").lower() or "step"
    if base[0].isdigit():
        base = "s_" + base
    if not base.isidentifier():
        base = "step"
    name, number = base, 2
    while name in taken or keyword.iskeyword(name) or name in _public_names():
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def lambda_calls(machine: StateMachine) -> dict[str, list[str]]:
    """Lambda function name -> the states that call it by ARN or through ``lambda:invoke`` with a literal name."""
    calls: dict[str, list[str]] = {}
    for name, state, _ in _walk(machine):
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


def handler_stubs(calls: dict[str, list[str]], identifier: Callable[[str], str]) -> str:
    """Plain handler functions for the Lambda functions *calls* names, and ``LAMBDAS`` to bind them in ``run()``."""
    sources, entries = [], []
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


@functools.cache
def _public_names() -> frozenset[str]:
    """Names the generated module may import (sfnkit's public API, the condition IR) or otherwise use."""
    import sfnkit

    return frozenset(sfnkit.__all__) | {"sfnkit", "machine", "event", "Compare", "AllOf", "AnyOf", "Not", "Expression"}


def _is_int(value: Json) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unpayload(value: Json) -> Json:
    """A ``@lambda_fn`` template as written: ``$.Payload...`` paths re-rooted on ``$`` (None if one is not)."""
    if isinstance(value, list):
        items = [_unpayload(item) for item in value]
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
            item = _unpayload(item)
            if item is None and value[key] is not None:
                return None
        out[key] = item
    return out


def _unjsonata(value: Json) -> Json:
    if isinstance(value, str):
        return _RESULT.sub("$states.result", value) if value.startswith("{%") else value
    if isinstance(value, dict):
        return {key: _unjsonata(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unjsonata(item) for item in value]
    return value


def _walk(machine: StateMachine) -> Iterator[tuple[str, State, StateMachine]]:
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
