"""The states that end a run: Succeed (its filtered input) and Fail (Error and Cause, or their Path forms or
JSONata expressions).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sfnkit.asl import dataflow as df
from sfnkit.asl.failures import (
    StatesError,
)
from sfnkit.asl.jsonata import QueryEvaluationError, compile_template
from sfnkit.asl.jsonata_values import json_type
from sfnkit.asl.scope import Json, Scope
from sfnkit.asl.templates import compile_value_expression
from sfnkit.engine.loop import (
    RunState,
    Strand,
)
from sfnkit.engine.node import Node, append_record
from sfnkit.execution import FUSED, GENERIC


class SucceedNode(Node):
    """Succeed: ends the execution, branch or iteration with its (filtered) input."""

    __slots__ = ("io",)

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.io = df.compile_state_io(state, language, location)
        self.growth = (1, 0, language == "JSONata")

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        t = strand.timeline.now if run.virtual else run.clock.tick(strand.timeline)
        try:
            context = self.context(run, t) if self.needs_context else None
            variables = strand.variables
            io = self.io
            if isinstance(io, df.JsonPathIO):
                effective = raw if io.input_path is None else io.effective_input(raw, context, variables)
                out = effective if io.output_path is None else io.output_path(Scope(effective, context, variables))
            else:
                out, _ = io.finish(raw, raw, context, variables, run.jsonata_runtime, with_result=False)
            self.check_size(run, strand, out)
        except StatesError as err:
            raise self.failed(run, strand, raw, t, err) from None
        rec = strand.rec
        rec.trace.append((FUSED, self.name, "Succeed", strand.chain, t, raw, t, out, None))
        rec.count += 2
        return None, out


class FailNode(Node):
    """Fail: ends with Error and Cause (or their Path forms / JSONata expressions)."""

    __slots__ = ("cause", "error")

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.error = self._field(state, "Error", location)
        self.cause = self._field(state, "Cause", location)

    def _field(self, state: Mapping[str, Json], field: str, location: str) -> Any:
        if self.language == "JSONata":
            if field in state:
                return compile_template(state[field], location=f"{location}.{field}", field=field)
            return None
        if f"{field}Path" in state:
            return compile_value_expression(
                state[f"{field}Path"], field=f"{field}Path", location=f"{location}.{field}Path"
            )
        if field in state:
            value = state[field]
            return lambda _scope: value
        return None

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        t = strand.timeline.now if run.virtual else run.clock.tick(strand.timeline)
        rec = strand.rec
        eid = rec.count + 1
        append_record(rec, (GENERIC, "FailStateEntered", strand.chain, t, {"name": self.name, "input": raw}, None))
        try:
            context = self.context(run, t) if self.needs_context else None
            error = self._value(self.error, "Error", run, raw, context, strand.variables)
            cause = self._value(self.cause, "Cause", run, raw, context, strand.variables)
        except StatesError as err:
            raise self.located(err, rec, strand, eid, t) from None
        failure = StatesError(error if error is not None else "", cause)
        failure.located = True  # type: ignore[attr-defined]
        failure.silent = error is None  # type: ignore[attr-defined]
        raise failure

    def _value(
        self, field: Any, name: str, run: RunState, raw: Json, context: Json, variables: Mapping[str, Json]
    ) -> str | None:
        if field is None:
            return None
        if self.language == "JSONata":
            value = field.evaluate({"input": raw, "context": context}, variables, runtime=run.jsonata_runtime)
            if not isinstance(value, str):
                expression = field.expression
                shown = expression.source if expression is not None else json.dumps(field.value)
                raise QueryEvaluationError(
                    f"The JSONata expression '{shown}' specified for the field '{name}' returned an unexpected result "
                    f"type. Expected 'string', but was '{json_type(value)}' for value: {df.json_text(value)}",
                    field=name,
                )
            return value
        value = field(Scope(raw, context, variables))
        return value if isinstance(value, str) else df.json_text(value)
