"""The Wait state: Seconds, Timestamp, SecondsPath or TimestampPath (or JSONata) on the run's clock."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sfnkit.asl import dataflow as df
from sfnkit.asl.failures import (
    StatesError,
)
from sfnkit.asl.jsonata import QueryEvaluationError, compile_template
from sfnkit.asl.jsonata_values import json_type
from sfnkit.asl.paths import compile_path
from sfnkit.asl.rules import parse_timestamp as parse_nanos
from sfnkit.asl.scope import Json, Scope
from sfnkit.engine.loop import (
    Aborted,
    ExecutionTimedOut,
    RunState,
    Strand,
)
from sfnkit.engine.node import Node, append_record, assign_variables
from sfnkit.execution import FUSED, GENERIC


class WaitNode(Node):
    """Wait: Seconds, Timestamp, SecondsPath or TimestampPath on the run's clock."""

    __slots__ = ("io", "kind", "path_text", "source")

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.io = df.compile_state_io(state, language, location)
        self.kind = ""
        self.source: Any = None
        self.path_text = ""
        for kind in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath"):
            if kind in state:
                self.kind = kind
                value = state[kind]
                if language == "JSONata" and kind in ("Seconds", "Timestamp"):
                    self.source = compile_template(value, location=f"{location}.{kind}", field=kind)
                elif kind.endswith("Path"):
                    self.path_text = value
                    self.source = compile_path(value, location=f"{location}.{kind}").find
                else:
                    self.source = value
                break
        self.growth = (1, 0, language == "JSONata" or "Assign" in state)

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        timeline = strand.timeline
        t = timeline.now if run.virtual else run.clock.tick(timeline)
        try:
            context = self.context(run, t) if self.needs_context else None
            variables = strand.variables
            io = self.io
            effective = io.effective_input(raw, context, variables)
            seconds = self._seconds(run, effective, raw, context, variables, t)
            if isinstance(io, df.JsonPathIO):
                out, assigned = io.pass_through(raw, effective, context, variables)
            else:
                out, assigned = io.finish(raw, raw, context, variables, run.jsonata_runtime, with_result=False)
            self.check_size(run, strand, out)
        except StatesError as err:
            raise self.failed(run, strand, raw, t, err) from None
        if seconds > 0:
            if t + seconds >= run.deadline:
                run.clock.sleep(timeline, run.deadline - t)  # the real clock waits until the execution times out
                timeline.now = max(t, run.deadline)
                rec = strand.rec
                append_record(
                    rec, (GENERIC, "WaitStateEntered", strand.chain, t, {"name": self.name, "input": raw}, None)
                )
                raise ExecutionTimedOut
            if t + seconds > strand.abort_at:
                timeline.now = strand.abort_at
                rec = strand.rec
                append_record(
                    rec, (GENERIC, "WaitStateEntered", strand.chain, t, {"name": self.name, "input": raw}, None)
                )
                append_record(rec, (GENERIC, "WaitStateAborted", strand.chain, timeline.now, None, None))
                raise Aborted
            run.clock.sleep(timeline, seconds)
        if assigned:
            assign_variables(strand, assigned, self, run)
        rec = strand.rec
        rec.trace.append((FUSED, self.name, "Wait", strand.chain, t, raw, timeline.now, out, assigned))
        rec.count += 2
        return self.next, out

    def _seconds(
        self, run: RunState, effective: Json, raw: Json, context: Json, variables: Mapping[str, Json], now: float
    ) -> float:
        kind = self.kind
        if self.language == "JSONata":
            value = self.source.evaluate({"input": raw, "context": context}, variables, runtime=run.jsonata_runtime)
            expression = self.source.expression
            shown = expression.source if expression is not None else df.json_text(self.source.value)
            if kind == "Seconds":
                if not _is_long(value):
                    raise QueryEvaluationError(
                        f"The JSONata expression '{shown}' specified for the field 'Seconds' returned an unexpected "
                        f"result type. Expected 'integer', but was '{json_type(value)}' for value: "
                        f"{df.json_text(value)}",
                        field="Seconds",
                    )
                if value < 0:
                    raise QueryEvaluationError(
                        f"The JSONata expression '{shown}' specified for the field 'Seconds' returned a negative "
                        f"value: {df.json_text(value)}",
                        field="Seconds",
                    )
                return self._limit(float(value))
            nanos = parse_nanos(value)
            if nanos is None:
                raise QueryEvaluationError(
                    f"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
                    f"{value if isinstance(value, str) else df.json_text(value)}",
                    field="Timestamp",
                )
            return self._limit(max(0.0, nanos / 1e9 - now))
        if kind == "Seconds":
            return self._limit(float(self.source))
        if kind == "Timestamp":
            nanos = parse_nanos(self.source)
            if nanos is None:
                raise df.runtime_error(
                    "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
                    f"{self.source}"
                )
            return self._limit(max(0.0, nanos / 1e9 - now))
        scope = Scope(effective, context, variables)
        try:
            value = self.source(scope)
        except Exception as exc:
            if kind == "SecondsPath":
                raise df.runtime_error(
                    f"The SecondsPath parameter does not reference an input value: {self.path_text}"
                ) from exc
            raise df.runtime_error(
                f"The TimestampPath parameter does not reference an input value: {self.path_text}"
            ) from exc
        if kind == "SecondsPath":
            if not _is_long(value):
                raise df.runtime_error(
                    f"The SecondsPath parameter cannot be parsed as a long value: {self.path_text} == "
                    f"{_java_text(value)}"
                )
            if value < 0:
                raise df.runtime_error(
                    f"The SecondsPath parameter references a negative value: {self.path_text} == {_java_text(value)}"
                )
            return self._limit(float(value))
        nanos = parse_nanos(value)
        if nanos is None:
            raise df.runtime_error(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
                f"string: {self.path_text} == {_java_text(value)}"
            )
        return self._limit(max(0.0, nanos / 1e9 - now))

    def _limit(self, seconds: float) -> float:
        if seconds > df.MAX_WAIT_SECONDS:
            raise df.runtime_error("Wait state delay is too long.")
        return seconds


def _is_long(value: Json) -> bool:
    """Whether *value* is a whole number in Java's ``long`` range (AWS reads Wait seconds as a long): not a bool,
    NaN, an infinity or a 401-digit integer."""
    if type(value) is int:
        return -(2**63) <= value < 2**63
    return type(value) is float and math.isfinite(value) and value.is_integer() and abs(value) < 2**63


def _java_text(value: Json) -> str:
    return value if isinstance(value, str) else df.json_text(value)
