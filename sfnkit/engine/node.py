"""``Node``, what every compiled state shares: its name and transitions, the size bound of its output, AWS's
placement of errors ("An error occurred while executing the state ..."), and writing variables (Assign).

Sizes are bounded, not measured: each node knows how much its output can grow (references to the input,
constant bytes); the exact JSON size is computed only when that bound passes the 256 KiB quota.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from sfnkit.asl.context import context_object
from sfnkit.asl.failures import (
    DATA_LIMIT_EXCEEDED,
    QUERY_EVALUATION_ERROR,
    RUNTIME,
    StatesError,
)
from sfnkit.asl.jsonata import QueryEvaluationError, reads_context, state_cause
from sfnkit.asl.scope import Json
from sfnkit.engine.loop import (
    Recorder,
    RunState,
    Strand,
    Uncatchable,
    flat_size_bound,
    json_size,
)
from sfnkit.execution import GENERIC
from sfnkit.lambdas import (
    MAX_PAYLOAD_BYTES,
    data_limit_cause,
)

_LOCATED: Final = "An error occurred while executing the state"
_SMALL_INTRINSICS: Final = frozenset(
    {"States.MathAdd", "States.MathRandom", "States.UUID", "States.ArrayLength", "States.ArrayContains", "States.Hash"}
)
_MAX_VARIABLES_BYTES: Final = 10 * 1024 * 1024


class Node:
    """A compiled state. ``execute`` does its work and returns the next node (None at an end) and the output."""

    __slots__ = (
        "event_prefix",
        "growth",
        "language",
        "location",
        "name",
        "needs_context",
        "next",
        "next_name",
    )

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        self.name = name
        self.language = language
        self.location = location
        self.event_prefix = str(state.get("Type", ""))
        self.next_name: str | None = state.get("Next") if isinstance(state.get("Next"), str) else None
        self.next: Node | None = None
        self.needs_context = _mentions_context(state, language == "JSONata")
        # (multiplier, added bytes, exact): output size <= multiplier * max(input, context, variables) + added
        self.growth: tuple[int, int, bool] = (1, 0, False)

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        raise NotImplementedError

    def context(
        self, run: RunState, t: float, retry_count: int | None = None, map_item: tuple[int, Json] | None = None
    ) -> dict[str, Json]:
        return context_object(run.base_context, self.name, t, retry_count=retry_count, map_item=map_item)

    def located(self, err: StatesError, rec: Recorder, strand: Strand, eid: int, t: float) -> StatesError:
        """*err* with AWS's "An error occurred while executing the state ..." prefix where AWS puts one."""
        if getattr(err, "located", False):
            return err
        if err.error == QUERY_EVALUATION_ERROR:
            cause = err.cause or ""
            field = getattr(err, "field", "")
            if not cause.startswith(_LOCATED):
                cause = state_cause(self.name, eid, cause)
            new: StatesError = QueryEvaluationError(cause, field=field)
            details: dict[str, Json] = {"state": self.name, "error": err.error, "cause": cause}
            if field:
                details["location"] = field
            append_record(rec, (GENERIC, "EvaluationFailed", strand.chain, t, details, ("evaluation",)))
        elif err.error == RUNTIME and not (err.cause or "").startswith(_LOCATED):
            new = StatesError(RUNTIME, state_cause(self.name, eid, err.cause or ""))
        else:
            new = err
        new.located = True  # type: ignore[attr-defined]
        if isinstance(err, Uncatchable) and not isinstance(new, Uncatchable):
            new = Uncatchable(new.error, new.cause)
            new.located = True  # type: ignore[attr-defined]
        return new

    def failed(self, run: RunState, strand: Strand, raw: Json, t: float, err: StatesError) -> StatesError:
        """A state that failed before exiting: record its entry, and place the error as AWS does."""
        rec = strand.rec
        eid = rec.count + 1
        entered = (
            GENERIC,
            f"{self.event_prefix}StateEntered",
            strand.chain,
            t,
            {"name": self.name, "input": raw},
            None,
        )
        append_record(rec, entered)
        return self.located(err, rec, strand, eid, t)

    def check_size(self, run: RunState, strand: Strand, out: Json, extra: int = 0) -> None:
        """Fail with ``States.DataLimitExceeded`` when the state's output is over 256 KiB."""
        mult, add, exact = self.growth
        if exact or extra < 0:
            bound = flat_size_bound(out) if extra >= 0 else None
            if bound is not None and bound <= MAX_PAYLOAD_BYTES:  # (a small output: no need to encode it)
                strand.bound = bound
                return
            size = json_size(out)
        else:
            u = strand.bound
            if self.needs_context and run.ctx_bound > u:
                u = run.ctx_bound
            if strand.var_bound > u:
                u = strand.var_bound
            if extra > u:
                u = extra
            size = mult * u + add + extra
            if size <= MAX_PAYLOAD_BYTES:
                strand.bound = size
                return
            size = json_size(out)
        if size > MAX_PAYLOAD_BYTES:
            raise Uncatchable(DATA_LIMIT_EXCEEDED, data_limit_cause(self.name))
        strand.bound = size


def append_record(rec: Recorder, record: tuple[Any, ...]) -> None:
    rec.trace.append(record)
    rec.count += 1


_CHILD_BLOCKS: Final = frozenset({"Branches", "ItemProcessor", "Iterator"})


def _mentions_context(state: Json, jsonata: bool) -> bool:
    """Whether a state may read the context object anywhere in its own fields: ``$$`` in JSONPath,
    ``$states.context`` in JSONata (building it costs a timestamp per state, so states that never read it skip it)."""
    pending = [item for key, item in state.items() if key not in _CHILD_BLOCKS]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if reads_context(value) if jsonata else "$$" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def template_growth(template: Json) -> tuple[int, int, bool]:
    """(references, constant bytes, exact) of a JSONPath payload template, for the size bound."""
    refs = 0
    const = 0
    exact = False
    stack: list[Json] = [template]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                const += len(key.encode()) + 4
                if key.endswith(".$") and isinstance(item, str):
                    if item.startswith("$"):
                        refs += 1
                    else:
                        names = set(_INTRINSIC_NAME.findall(item))
                        if not names <= _SMALL_INTRINSICS:
                            exact = True
                        refs += item.count("$")
                        const += 200 * len(names)
                else:
                    stack.append(item)
        elif isinstance(value, list):
            const += 2
            stack.extend(value)
        else:
            const += json_size(value) + 1
    return refs, const, exact


_INTRINSIC_NAME: Final = re.compile(r"States\.[A-Za-z0-9_.]+(?=\s*\()")


def sum_growth(*parts: tuple[int, int, bool]) -> tuple[int, int, bool]:
    return (sum(p[0] for p in parts), sum(p[1] for p in parts), any(p[2] for p in parts))


def io_growth(state: Mapping[str, Json], language: str, result: tuple[int, int, bool]) -> tuple[int, int, bool]:
    """Size growth of a state whose (selected) result goes through ResultPath into its raw input."""
    if language == "JSONata":
        return (1, 0, True)
    parts = [result]
    if "ResultSelector" in state:
        parts = [template_growth(state["ResultSelector"])]
    rp = state.get("ResultPath", "$")
    if rp is not None and rp != "$":
        parts.append((1, len(str(rp)) + 8, False))  # the raw input, plus the new keys
    elif rp is None:
        parts = [(1, 0, False)]
    return sum_growth(*parts)


def assign_variables(strand: Strand, assigned: Mapping[str, Json], node: Node, run: RunState) -> None:
    """New variable values become visible from the next state (copy-on-write: outer scopes keep theirs)."""
    size = json_size(assigned)
    if size > MAX_PAYLOAD_BYTES:  # ASL quotas: 256 KiB per variable and per Assign
        raise Uncatchable(
            DATA_LIMIT_EXCEEDED,
            f"The variables assigned by the state '{node.name}' exceed the maximum number of bytes service limit "
            f"({size} bytes; an Assign may hold {MAX_PAYLOAD_BYTES}).",
        )
    merged = dict(strand.variables)
    merged.update(assigned)
    strand.variables = merged
    strand.var_bound += size
    if strand.var_bound > _MAX_VARIABLES_BYTES:
        strand.var_bound = json_size(merged)
        if strand.var_bound > _MAX_VARIABLES_BYTES:  # ASL quota: 10 MiB of variables per execution
            raise Uncatchable(
                DATA_LIMIT_EXCEEDED,
                f"The variables of the execution exceed the maximum number of bytes service limit after state "
                f"'{node.name}' ({strand.var_bound} bytes; the limit is {_MAX_VARIABLES_BYTES}).",
            )
