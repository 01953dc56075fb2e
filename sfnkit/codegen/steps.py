"""The DSL source of each state: ``@lambda_fn`` stubs, service helpers, ``task()``, ``choice()``, fragments...

A :class:`Writer` writes one machine. It knows what every combinator builds (``sfnkit.dsl``, ``sfnkit.build``,
``sfnkit.integrations``) and picks the most idiomatic spelling that builds the very state it reads; states in
``plain`` get the literal spelling (``task()``, paths as strings, conditions as IR), the safe one.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from sfnkit.codegen.lambdas import LambdaStub, lambda_calls, lambda_options, payload_passes, walk
from sfnkit.codegen.layout import Layout, Seq, lay_out
from sfnkit.codegen.services import helper_call
from sfnkit.codegen.values import Imports, identifier, ir_condition, py_condition, py_json, py_path, py_str, py_template
from sfnkit.dsl import PATH_TWIN
from sfnkit.lambdas import function_name
from sfnkit.machine import StateMachine
from sfnkit.states import ABSENT, Catcher, Choice, Fail, Map, Parallel, Pass, Retrier, State, Succeed, Task, Wait

__all__ = ["Writer"]

Json = Any
JSONPATH: Final = "JSONPath"

_TEMPLATES: Final = frozenset(
    {"parameters", "result_selector", "item_selector", "assign", "credentials", "item_reader", "item_batcher",
     "result_writer"}
)  # fmt: skip
_PATHS: Final = frozenset({"input_path", "output_path", "result_path"})
_TWIN_OF: Final = {path: value for value, path in PATH_TWIN.items()}
_STRUCTURE: Final = frozenset({"type", "retry", "catch", "branches", "item_processor", "processor_config", "choices"})
_DEFAULT_NAMES: Final = {Pass: "Pass", Wait: "Wait", Succeed: "Succeed", Fail: "Fail", Task: "Task"}
_FACTORIES: Final = {Pass: "pass_", Wait: "wait", Succeed: "succeed", Fail: "fail"}
# Fields that make map_() write a Distributed ProcessorConfig when no mode= is given.
_DISTRIBUTED: Final = (
    "item_reader", "item_batcher", "result_writer", "label", "tolerated_failure_percentage",
    "tolerated_failure_percentage_path", "tolerated_failure_count", "tolerated_failure_count_path",
)  # fmt: skip


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
                helper = None if plain else helper_call(state, language, kwargs, self.imports)
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
                (name, f"{_asl_key(Map, given[0])} without ProcessorConfig: map_() makes such a Map Distributed")
            )
        if state.arguments is not ABSENT:
            self.problems.append((name, "Arguments on a Map state: map_() takes no arguments="))
            kwargs.pop("arguments", None)
        assert state.item_processor is not None
        processor = self.fragment(state.item_processor, f"{name}_iteration")
        return self.call("map_", [processor], kwargs, name, "Map")

    # --- Lambda functions -------------------------------------------------------------------------------------

    def unwrapping(self, machine: StateMachine) -> dict[str, str]:
        """The Lambda tasks of the block *machine* followed by the Pass ``@lambda_fn(result_path=)`` adds."""
        known = self._unwrapping.get(id(machine))
        if known is None:
            known = self._unwrapping[id(machine)] = payload_passes(machine, self.language)
        return known

    def plan_lambdas(self, machine: StateMachine) -> None:
        """Decide, for every Task that ``@lambda_fn`` can build, its function and options."""
        for name, state, block in walk(machine):
            if isinstance(state, Task) and name not in self.plain:
                self.plan_lambda(name, state, block)

    def plan_lambda(self, name: str, state: Task, block: StateMachine) -> None:
        language = self.language_of(state)
        options = lambda_options(self, name, state, block, language)
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

    # --- service helpers --------------------------------------------------------------------------------------


def _asl_key(cls: type, field: str) -> str:
    """The ASL spelling of the IR field *field* of *cls*, e.g. ``ToleratedFailureCount``."""
    key: str = attrs.fields_dict(cls)[field].metadata["asl"]
    return key
