"""How data flows through one state: InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath,
or, in JSONata states, Arguments → (work) → Output ∥ Assign; and the same for a Catcher's error output.

Each state's fields are compiled once into a ``StateIO``; the interpreter calls its three steps around the
state's own work (``effective_input``, ``task_input``, ``finish``) and ``catch_output`` when a Catcher takes over.
ASL: "Processing input and output" (JSONPath) and "Transforming data with JSONata" (JSONata).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Final

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.asl.jsonata import Runtime, Template, compile_template
from sfnkit.asl.paths import PathNotFound, ReferencePath, compile_path, compile_reference_path
from sfnkit.asl.scope import Json, Scope
from sfnkit.asl.templates import compile_payload_template

__all__ = [
    "ABSENT",
    "MAX_WAIT_SECONDS",
    "CatchIO",
    "JsonPathIO",
    "JsonataIO",
    "StateIO",
    "compile_catch_io",
    "compile_select",
    "compile_state_io",
    "compile_template_field",
    "integer_from_path",
    "json_text",
    "number_from_path",
    "runtime_error",
]

ABSENT: Final = object()
"""Marks a field that is not in the definition (``None`` is ASL's ``null``, which means something else)."""

MAX_WAIT_SECONDS: Final = 2**31 - 1  # AWS-observed: a longer Wait fails with "Wait state delay is too long."

Selector = Callable[[Scope], Json]


def runtime_error(cause: str) -> StatesError:
    """``States.Runtime`` with *cause* (the interpreter prefixes the state and its event id)."""
    return StatesError(RUNTIME, cause)


def json_text(value: Json) -> str:
    """Compact JSON, as AWS quotes values in causes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def compile_select(value: object, *, field: str, location: str) -> Selector | None:
    """``InputPath``/``OutputPath``: ``None`` when absent or ``$`` (keep the value), else a selector.

    ``null`` selects ``{}`` (ASL: "InputPath null: the state receives {}"). A definite path that matches nothing
    fails with ``States.Runtime`` and Jayway's reason, as AWS does.
    """
    if value is ABSENT or value == "$":
        return None
    if value is None:
        return _empty_object
    if not isinstance(value, str):
        raise TypeError(f"{location}.{field} must be a path string or null, not {value!r}")
    path = compile_path(value, location=f"{location}.{field}" if location else field)
    find = path.find

    def select(scope: Scope) -> Json:
        try:
            return find(scope)
        except PathNotFound as missing:
            raise runtime_error(f"Invalid path '{missing.path}' : {missing.reason}") from None

    return select


def _empty_object(_scope: Scope) -> Json:
    return {}


def _result_path(value: object, location: str) -> Callable[[Json, Json], Json]:
    if value is ABSENT or value == "$":
        return _replace
    if value is None:
        return _discard
    assert isinstance(value, str)
    reference: ReferencePath = compile_reference_path(value, location=f"{location}.ResultPath")
    return reference.insert


def _replace(_raw: Json, result: Json) -> Json:
    return result


def _discard(raw: Json, _result: Json) -> Json:
    return raw


def compile_template_field(value: object, field: str, location: str) -> Selector | None:
    """A JSONPath payload-template field (``Parameters``, ``ItemSelector``...), or None when absent."""
    if value is ABSENT:
        return None
    return compile_payload_template(value, field=field, location=f"{location}.{field}" if location else field)


class JsonPathIO:
    """The compiled JSONPath input/output fields of one state."""

    __slots__ = (
        "assign",
        "has_result",
        "input_path",
        "output_path",
        "parameters",
        "result",
        "result_path",
        "result_selector",
    )
    language = "JSONPath"

    def __init__(self, state: Mapping[str, Json], location: str, *, parameters_field: str = "Parameters") -> None:
        self.input_path = compile_select(state.get("InputPath", ABSENT), field="InputPath", location=location)
        self.output_path = compile_select(state.get("OutputPath", ABSENT), field="OutputPath", location=location)
        self.parameters = compile_template_field(state.get(parameters_field, ABSENT), "Parameters", location)
        self.result_selector = compile_template_field(state.get("ResultSelector", ABSENT), "ResultSelector", location)
        self.result_path = _result_path(state.get("ResultPath", ABSENT), location)
        self.assign = compile_template_field(state.get("Assign", ABSENT), "Assign", location)
        self.has_result = "Result" in state
        self.result = state.get("Result")

    def effective_input(self, raw: Json, context: Json, variables: Mapping[str, Json]) -> Json:
        """InputPath applied to the raw state input."""
        select = self.input_path
        return raw if select is None else select(Scope(raw, context, variables))

    def task_input(self, raw: Json, effective: Json, context: Json, variables: Mapping[str, Json]) -> Json:
        """Parameters applied to the effective input (what a Task sends, a Parallel branch or Pass receives)."""
        template = self.parameters
        return effective if template is None else template(Scope(effective, context, variables))

    def finish(
        self, raw: Json, result: Json, context: Json, variables: Mapping[str, Json]
    ) -> tuple[Json, dict[str, Json] | None]:
        """ResultSelector → ResultPath (into the raw input) → OutputPath; Assign sees the unselected *result*."""
        assigned = None
        if self.assign is not None:
            assigned = self.assign(Scope(result, context, variables))
        if self.result_selector is not None:
            result = self.result_selector(Scope(result, context, variables))
        output = self.result_path(raw, result)
        if self.output_path is not None:
            output = self.output_path(Scope(output, context, variables))
        return output, assigned

    def pass_through(
        self, raw: Json, effective: Json, context: Json, variables: Mapping[str, Json]
    ) -> tuple[Json, dict[str, Json] | None]:
        """Choice, Wait and Succeed: the effective input → OutputPath; Assign sees the effective input."""
        assigned = None
        if self.assign is not None:
            assigned = self.assign(Scope(effective, context, variables))
        output = effective
        if self.output_path is not None:
            output = self.output_path(Scope(effective, context, variables))
        return output, assigned


class JsonataIO:
    """The compiled JSONata input/output fields of one state."""

    __slots__ = ("arguments", "assign", "output")
    language = "JSONata"

    def __init__(self, state: Mapping[str, Json], location: str, *, arguments_field: str = "Arguments") -> None:
        self.arguments = _jsonata(state.get(arguments_field, ABSENT), arguments_field, location)
        self.output = _jsonata(state.get("Output", ABSENT), "Output", location)
        self.assign = _jsonata_assign(state.get("Assign", ABSENT), location)

    def states(self, raw: Json, context: Json, **extra: Json) -> dict[str, Json]:
        """The ``$states`` object of a JSONata field."""
        out: dict[str, Json] = {"input": raw, "context": context}
        out.update(extra)
        return out

    def effective_input(self, raw: Json, context: Json, variables: Mapping[str, Json]) -> Json:
        return raw

    def task_input(
        self, raw: Json, effective: Json, context: Json, variables: Mapping[str, Json], runtime: Runtime | None = None
    ) -> Json:
        """``Arguments`` (default: the state input)."""
        if self.arguments is None:
            return raw
        return self.arguments.evaluate(self.states(raw, context), variables, runtime=runtime)

    def finish(
        self,
        raw: Json,
        result: Json,
        context: Json,
        variables: Mapping[str, Json],
        runtime: Runtime | None = None,
        *,
        with_result: bool = True,
    ) -> tuple[Json, dict[str, Json] | None]:
        """``Assign`` ∥ ``Output`` (default: the result), both on the variables as they were at state entry."""
        states = self.states(raw, context, result=result) if with_result else self.states(raw, context)
        assigned = None
        if self.assign is not None:
            assigned = _evaluate_assign(self.assign, states, variables, runtime)
        output = result if self.output is None else self.output.evaluate(states, variables, runtime=runtime)
        return output, assigned


def _jsonata(value: object, field: str, location: str) -> Template | None:
    if value is ABSENT:
        return None
    return compile_template(value, location=f"{location}.{field}" if location else field, field=field)


def _jsonata_assign(value: object, location: str) -> tuple[tuple[str, Template], ...] | None:
    if value is ABSENT:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"{location}.Assign must be an object")
    where = f"{location}.Assign" if location else "Assign"
    return tuple(
        (name, compile_template(item, location=f"{where}.{name}", field=f"Assign/{name}"))
        for name, item in value.items()
    )


def _evaluate_assign(
    assign: tuple[tuple[str, Template], ...],
    states: Mapping[str, Json],
    variables: Mapping[str, Json],
    runtime: Runtime | None,
) -> dict[str, Json]:
    return {name: template.evaluate(states, variables, runtime=runtime) for name, template in assign}


StateIO = JsonPathIO | JsonataIO


def compile_state_io(state: Mapping[str, Json], language: str, location: str) -> StateIO:
    """The input/output processing of *state* in its query language."""
    if language == "JSONata":
        return JsonataIO(state, location)
    return JsonPathIO(state, location)


class CatchIO:
    """A Catcher's output processing: ResultPath (JSONPath) or Output (JSONata), and its Assign."""

    __slots__ = ("assign", "jsonata_assign", "language", "output", "result_path")

    def __init__(self, catcher: Mapping[str, Json], language: str, location: str) -> None:
        self.language = language
        self.result_path: Callable[[Json, Json], Json] = _replace
        self.assign: Selector | None = None
        self.output: Template | None = None
        self.jsonata_assign: tuple[tuple[str, Template], ...] | None = None
        if language == "JSONata":
            self.output = _jsonata(catcher.get("Output", ABSENT), "Output", location)
            self.jsonata_assign = _jsonata_assign(catcher.get("Assign", ABSENT), location)
        else:
            self.result_path = _result_path(catcher.get("ResultPath", ABSENT), location)
            self.assign = compile_template_field(catcher.get("Assign", ABSENT), "Assign", location)

    def apply(
        self,
        raw: Json,
        error_output: Json,
        context: Json,
        variables: Mapping[str, Json],
        runtime: Runtime | None = None,
    ) -> tuple[Json, dict[str, Json] | None]:
        """The catcher's output (the next state's input) and its variable assignments."""
        if self.language == "JSONata":
            states = {"input": raw, "context": context, "errorOutput": error_output}
            assigned = None
            if self.jsonata_assign is not None:
                assigned = _evaluate_assign(self.jsonata_assign, states, variables, runtime)
            output = error_output if self.output is None else self.output.evaluate(states, variables, runtime=runtime)
            return output, assigned
        assigned = None
        if self.assign is not None:
            assigned = self.assign(Scope(error_output, context, variables))
        return self.result_path(raw, error_output), assigned


def compile_catch_io(catcher: Mapping[str, Json], language: str, location: str) -> CatchIO:
    """Compile one Catcher's ResultPath/Output and Assign."""
    return CatchIO(catcher, language, location)


# --- numbers and times read through *Path fields ------------------------------------------------------------------


def _shown(value: Json) -> str:
    return value if isinstance(value, str) else json_text(value)


def _read_number_path(path: Selector, scope: Scope) -> Json:
    """A path that matches nothing fails the state with Jayway's reason, as TimeoutSecondsPath's does."""
    try:
        return path(scope)
    except PathNotFound as missing:
        raise runtime_error(f"Invalid path '{missing.path}' : {missing.reason}") from None


def integer_from_path(path: Selector, field: str, path_text: str, scope: Scope) -> int:
    """An integer read through ``<field>`` (``MaxConcurrencyPath``...), with AWS's message when it is not one.

    AWS-observed: a string holding an integer (``"1"``) is accepted, as Java's ``Integer.parseInt`` would.
    """
    value = _read_number_path(path, scope)
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise runtime_error(
            f'The {field} field refers to value "{_shown(value)}" which is not a valid integer: {path_text}'
        )
    return int(value)


def number_from_path(path: Selector, field: str, path_text: str, scope: Scope) -> float:
    """A number read through ``<field>`` (``ToleratedFailurePercentagePath``), with AWS's message otherwise.

    AWS-observed: a string holding a number (``"1"``) is accepted, as Java's ``Double.parseDouble`` would.
    """
    value = _read_number_path(path, scope)
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise runtime_error(
            f'The {field} field refers to value "{_shown(value)}" which is not a valid float: {path_text}'
        )
    return float(value)


_INTEGER_TEXT: Final = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER_TEXT: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
