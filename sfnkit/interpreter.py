"""``run()``: execute a state machine in-process, exactly as AWS Step Functions does, on a virtual or real clock.

A definition is compiled once into a plan: one node object per state, with its paths, templates, Choice rules and
intrinsic functions already parsed and its transitions resolved to direct references. Running is a loop over
nodes (no recursion per transition: 10,000-state machines run under the default recursion limit); Parallel
branches and Map iterations run the same loop on their own thread of control (``Strand``), one after the other
or on worker threads. Every side effect comes in through ``run()``'s arguments: Lambda handlers, service
callables and the clock.

Design notes:

- **History is a trace.** States append compact tuples (a simple state entered and exited in one go is one
  record); ``Execution.history`` turns them into GetExecutionHistory events on first use.
- **Sizes are bounded, not measured.** Each node knows how much its output can grow (references to the input,
  constant bytes); the exact JSON size is computed only when that bound passes the 256 KiB quota.
- **Concurrency in virtual time.** Siblings (branches, iterations) each have a timeline starting at the parent's
  time. On the virtual clock they run one after the other; when one fails at instant *t*, siblings started by
  then still run (as on AWS, where they were already running) and stop past *t*; a sibling that ran earlier and
  went past *t* is cut there in the history (its handlers have run, though). The failure with the earliest
  instant is the Map's or Parallel's error.
"""

from __future__ import annotations

import collections
import functools
import gc
import itertools
import json
import os
import random as random_module
import re
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any, Final

from sfnkit.asl import dataflow as df
from sfnkit.asl.context import ACCOUNT, REGION, ExecutionInfo, context_object
from sfnkit.asl.failures import (
    DATA_LIMIT_EXCEEDED,
    EXCEED_TOLERATED_FAILURE_THRESHOLD,
    HEARTBEAT_TIMEOUT,
    NO_CHOICE_MATCHED,
    QUERY_EVALUATION_ERROR,
    RUNTIME,
    TIMEOUT,
    StatesError,
    error_matches,
    retry_delay,
)
from sfnkit.asl.jsonata import QueryEvaluationError, Runtime, Template, compile_template, state_cause
from sfnkit.asl.paths import compile_path, input_keys
from sfnkit.asl.rules import compile_direct_rule, compile_rule
from sfnkit.asl.rules import parse_timestamp as parse_nanos
from sfnkit.asl.scope import Json, Scope
from sfnkit.asl.templates import compile_direct_template, compile_direct_value, compile_value_expression
from sfnkit.clock import (
    NO_DEADLINE,
    Clock,
    ClockName,
    SleptPastDeadline,
    Timeline,
    enter_handler,
    leave_handler,
    make_clock,
)
from sfnkit.execution import FUSED, GENERIC, Execution, Status
from sfnkit.lambdas import (
    MAX_PAYLOAD_BYTES,
    TaskTimedOut,
    data_limit_cause,
    find_function,
    function_error,
    function_name,
    invoke,
    invoke_output,
    json_copy,
    not_found,
    parse_payload,
)

__all__ = ["Plan", "compile_plan", "run"]

_LOCATED: Final = "An error occurred while executing the state"
_SMALL_INTRINSICS: Final = frozenset(
    {"States.MathAdd", "States.MathRandom", "States.UUID", "States.ArrayLength", "States.ArrayContains", "States.Hash"}
)
_INLINE_CONCURRENCY: Final = 40
_MAX_VARIABLES_BYTES: Final = 10 * 1024 * 1024  # AWS: an inline Map runs about 40 iterations at a time


# Unseeded runs draw from one shared source: seeding a Random from the OS costs ~15 µs, a quarter of a short run.
# Its draws (getrandbits, random) are single C calls, atomic under the GIL; a forked child reseeds it.
_UNSEEDED: Final = random_module.Random()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_UNSEEDED.seed)


# --- sizes: AWS counts the UTF-8 bytes of a payload's JSON text -------------------------------------------------

_encoder = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, None, encode_basestring, None, ":", ",", False, False, True
    )
    if getattr(json.encoder, "c_make_encoder", None)
    else None
)


def json_size(value: Json) -> int:
    """Bytes of *value*'s compact UTF-8 JSON text (what AWS compares with the 256 KiB quota)."""
    if _encoder is not None:
        try:
            return len("".join(_encoder(value, 0)).encode("utf-8"))
        except TypeError:
            pass
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


# --- run-time structures --------------------------------------------------------------------------------------


class _ExecutionTimedOut(Exception):
    """The execution's TimeoutSeconds passed."""


class _Aborted(Exception):
    """A sibling branch or iteration failed: stop this one."""


class _Uncatchable(StatesError):
    """A failure no Retry or Catch may handle (a state's output over the payload quota)."""


class Recorder:
    """Where a thread of control writes its trace (a distributed Map's child executions have their own)."""

    __slots__ = ("count", "lock", "trace")

    def __init__(self) -> None:
        self.trace: list[tuple[Any, ...]] = []
        self.count = 1  # ExecutionStarted
        self.lock = threading.Lock()


class Strand:
    """One thread of control: the execution, a Parallel branch or a Map iteration."""

    __slots__ = ("abort_at", "bound", "chain", "rec", "timeline", "var_bound", "variables")

    def __init__(
        self, timeline: Timeline, variables: Mapping[str, Json], chain: int, rec: Recorder, bound: int, var_bound: int
    ) -> None:
        self.abort_at = NO_DEADLINE  # when a sibling branch or iteration failed: this one stops past that instant
        self.timeline = timeline
        self.variables = variables
        self.chain = chain
        self.rec = rec
        self.bound = bound  # an upper bound of the current data's JSON size
        self.var_bound = var_bound  # an upper bound of the visible variables' total JSON size


class RunState:
    """Everything one execution shares between its strands."""

    __slots__ = (
        "_base_context",
        "aborted",
        "chains",
        "clock",
        "ctx_bound",
        "deadline",
        "express",
        "functions",
        "info",
        "jsonata_runtime",
        "lambdas",
        "max_workers",
        "random",
        "services",
        "virtual",
    )

    def __init__(
        self,
        *,
        clock: Clock,
        lambdas: Mapping[str, Callable[..., Any]],
        services: Mapping[str, Callable[..., Any]],
        info: ExecutionInfo,
        deadline: float,
        seed: int | None,
        max_workers: int | None,
        ctx_bound: int,
    ) -> None:
        self.clock = clock
        self.virtual = clock.virtual and type(clock).tick is Clock.tick
        self.lambdas = lambdas
        self.functions: dict[str, Callable[..., Any] | None] = {}
        self.services = services
        self.info = info
        self._base_context: dict[str, Json] | None = None
        self.deadline = deadline
        self.express = info.express
        self.random = random_module.Random(seed) if seed is not None else _UNSEEDED
        self.jsonata_runtime = Runtime.seeded(seed) if seed is not None else None
        self.max_workers = max_workers
        self.chains = itertools.count(1)
        self.aborted = False
        self.ctx_bound = ctx_bound

    @property
    def base_context(self) -> dict[str, Json]:
        """The execution's part of the context object (built when a state first reads ``$$``)."""
        base = self._base_context
        if base is None:
            base = self._base_context = self.info.base()
        return base

    def request_id(self) -> str:
        """A version-4 UUID drawn from the run's random source (repeatable with ``seed=``)."""
        return _uuid4_text(self.random.getrandbits(128))


def _uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``, without the UUID object."""
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


# --- nodes ----------------------------------------------------------------------------------------------------


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
        self.needs_context = language == "JSONata" or _mentions_context(state)
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
            _append(rec, (GENERIC, "EvaluationFailed", strand.chain, t, details, ("evaluation",)))
        elif err.error == RUNTIME and not (err.cause or "").startswith(_LOCATED):
            new = StatesError(RUNTIME, state_cause(self.name, eid, err.cause or ""))
        else:
            new = err
        new.located = True  # type: ignore[attr-defined]
        if isinstance(err, _Uncatchable) and not isinstance(new, _Uncatchable):
            new = _Uncatchable(new.error, new.cause)
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
        _append(rec, entered)
        return self.located(err, rec, strand, eid, t)

    def check_size(self, run: RunState, strand: Strand, out: Json, extra: int = 0) -> None:
        """Fail with ``States.DataLimitExceeded`` when the state's output is over 256 KiB."""
        mult, add, exact = self.growth
        if exact or extra < 0:
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
            raise _Uncatchable(DATA_LIMIT_EXCEEDED, data_limit_cause(self.name))
        strand.bound = size


def _append(rec: Recorder, record: tuple[Any, ...]) -> None:
    rec.trace.append(record)
    rec.count += 1


def _mentions_context(value: Json) -> bool:
    """Whether a JSONPath state reads the context object (``$$``) anywhere in its own fields."""
    if isinstance(value, str):
        return "$$" in value
    if isinstance(value, dict):
        return any(_mentions_context(v) for k, v in value.items() if k not in ("Branches", "ItemProcessor", "Iterator"))
    if isinstance(value, list):
        return any(_mentions_context(v) for v in value)
    return False


def _template_growth(template: Json) -> tuple[int, int, bool]:
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


def _sum_growth(*parts: tuple[int, int, bool]) -> tuple[int, int, bool]:
    return (sum(p[0] for p in parts), sum(p[1] for p in parts), any(p[2] for p in parts))


def _io_growth(state: Mapping[str, Json], language: str, result: tuple[int, int, bool]) -> tuple[int, int, bool]:
    """Size growth of a state whose (selected) result goes through ResultPath into its raw input."""
    if language == "JSONata":
        return (1, 0, True)
    parts = [result]
    if "ResultSelector" in state:
        parts = [_template_growth(state["ResultSelector"])]
    rp = state.get("ResultPath", "$")
    if rp is not None and rp != "$":
        parts.append((1, len(str(rp)) + 8, False))  # the raw input, plus the new keys
    elif rp is None:
        parts = [(1, 0, False)]
    return _sum_growth(*parts)


# --- simple states (one fused trace record each) ------------------------------------------------------------


class PassNode(Node):
    """Pass: the input, Parameters or the static Result, placed by ResultPath (ASL: Pass State)."""

    __slots__ = ("computed", "fast", "grow_add", "grow_mult", "io", "pick_base", "pick_into", "picks")

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.io = df.compile_state_io(state, language, location)
        self.fast: Callable[[Json, Mapping[str, Json]], Json] | None = None
        self.pick_base: dict[str, Json] | None = None
        self.picks: tuple[tuple[str, str], ...] = ()
        self.computed: tuple[tuple[str, Callable[[Json], Json]], ...] | None = None
        self.pick_into: str | None = None
        if language == "JSONPath":
            if "Result" in state:
                result = (0, json_size(state["Result"]), False)
            elif "Parameters" in state:
                result = _template_growth(state["Parameters"])
            else:
                result = (1, 0, False)
            self.growth = _io_growth(state, language, result)
            if "Assign" in state:
                self.growth = _sum_growth(self.growth, (0, 0, _template_growth(state["Assign"])[2]))
            elif not self.needs_context and not self.growth[2]:
                assert isinstance(self.io, df.JsonPathIO)
                self._compile_picks(state)
                if self.pick_base is None:  # (a picking Pass falls back to the general path, which is exact)
                    self.fast = _pass_steps(self.io, state)
        else:
            self.growth = (1, 0, True)
        self.grow_mult, self.grow_add = self.growth[0], self.growth[1]

    def _compile_picks(self, state: Mapping[str, Json]) -> None:
        """The most common Pass: Parameters of constants and top-level input fields (``"v.$": "$.v"``), the result
        replacing the input or set at one key (``"$.last"``), nothing else. Its data lives in the node's own slots:
        one function does the whole state, touching few objects (machines of 10,000 states stay cache-friendly)."""
        io = self.io
        assert isinstance(io, df.JsonPathIO)
        template = state.get("Parameters")
        if io.has_result or io.input_path is not None or io.output_path is not None or not isinstance(template, dict):
            return
        target = state.get("ResultPath", "$")
        into = None
        if target != "$":  # (null keeps the input: not this form)
            into = input_keys(target)
            if into is None or len(into) != 1:
                return
        base: dict[str, Json] = {}
        picks: list[tuple[str, str]] = []
        computed: list[tuple[str, Callable[[Json], Json]]] = []
        for key, value in template.items():
            if key.endswith(".$"):
                keys = input_keys(value)
                base[key[:-2]] = None  # a placeholder: the copy keeps the definition's key order
                if keys is not None and len(keys) == 1:
                    picks.append((key[:-2], keys[0]))
                    continue
                # a deeper path or a counter (States.MathAdd($.i, 1)): one function of the input
                get = compile_direct_value(value)
                if get is None:
                    return
                computed.append((key[:-2], get))
            elif _mentions_dollar_key(value):
                return
            else:
                base[key] = value
        self.pick_base, self.picks = base, tuple(picks)
        self.computed = tuple(computed) if computed else None
        self.pick_into = into[0] if into is not None else None

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        base = self.pick_base
        if base is not None and type(raw) is dict and run.virtual:
            picked = base.copy()
            try:
                for name, key in self.picks:
                    picked[name] = raw[key]
                computed = self.computed
                if computed is not None:
                    for name, get in computed:
                        picked[name] = get(raw)
            except (KeyError, TypeError):  # a missing field: the general path below raises AWS's error
                pass
            else:
                into = self.pick_into
                if into is None:
                    out: Json = picked
                else:
                    out = raw.copy()
                    out[into] = picked
                t = strand.timeline.now
                bound = strand.bound
                if strand.var_bound > bound:
                    bound = strand.var_bound
                bound = self.grow_mult * bound + self.grow_add
                if bound > MAX_PAYLOAD_BYTES:
                    try:
                        self.check_size(run, strand, out)
                    except StatesError as err:
                        raise self.failed(run, strand, raw, t, err) from None
                else:
                    strand.bound = bound
                rec = strand.rec
                rec.trace.append((FUSED, self.name, "Pass", strand.chain, t, raw, t, out, None))
                rec.count += 2
                return self.next, out
        fast = self.fast
        if fast is not None and run.virtual:
            # The common JSONPath Pass (no $$, no Assign, a bounded size): one closure, no branches on fields.
            t = strand.timeline.now
            try:
                out = fast(raw, strand.variables)
                mult, add, _exact = self.growth
                bound = strand.bound
                if strand.var_bound > bound:
                    bound = strand.var_bound
                bound = mult * bound + add
                if bound > MAX_PAYLOAD_BYTES:
                    self.check_size(run, strand, out)
                else:
                    strand.bound = bound
            except StatesError as err:
                raise self.failed(run, strand, raw, t, err) from None
            rec = strand.rec
            rec.trace.append((FUSED, self.name, "Pass", strand.chain, t, raw, t, out, None))
            rec.count += 2
            return self.next, out
        timeline = strand.timeline
        t = timeline.now if run.virtual else run.clock.tick(timeline)
        try:
            context = self.context(run, t) if self.needs_context else None
            variables = strand.variables
            io = self.io
            if isinstance(io, df.JsonPathIO):
                # InputPath -> Parameters (or the static Result) -> ResultPath -> OutputPath, without indirections
                if io.has_result:
                    result = io.result
                else:
                    result = raw if io.input_path is None else io.input_path(Scope(raw, context, variables))
                    if io.parameters is not None:
                        result = io.parameters(Scope(result, context, variables))
                assigned = None if io.assign is None else io.assign(Scope(result, context, variables))
                out = io.result_path(raw, result)
                if io.output_path is not None:
                    out = io.output_path(Scope(out, context, variables))
            else:
                out, assigned = io.finish(raw, raw, context, variables, run.jsonata_runtime, with_result=False)
            mult, add, exact = self.growth
            bound = strand.bound
            if run.ctx_bound > bound and self.needs_context:
                bound = run.ctx_bound
            if strand.var_bound > bound:
                bound = strand.var_bound
            bound = mult * bound + add
            if exact or bound > MAX_PAYLOAD_BYTES:
                self.check_size(run, strand, out)
            else:
                strand.bound = bound
            if assigned:
                _assign(strand, assigned, self, run)
        except StatesError as err:
            raise self.failed(run, strand, raw, t, err) from None
        rec = strand.rec
        rec.trace.append((FUSED, self.name, "Pass", strand.chain, t, raw, t, out, assigned))
        rec.count += 2
        return self.next, out


def _mentions_dollar_key(value: Json) -> bool:
    """Whether a constant-looking template value holds a ``.$`` key at some depth (then it is evaluated)."""
    if isinstance(value, dict):
        return any(key.endswith(".$") or _mentions_dollar_key(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_mentions_dollar_key(item) for item in value)
    return False


def _pass_steps(io: df.JsonPathIO, state: Mapping[str, Json]) -> Callable[[Json, Mapping[str, Json]], Json]:
    """One closure doing a JSONPath Pass's InputPath → Parameters/Result → ResultPath → OutputPath."""
    input_path, parameters, result_path, output_path = io.input_path, io.parameters, io.result_path, io.output_path
    target = state.get("ResultPath", "$")
    # ResultPath "$" (or absent) replaces the input; "$.name" sets one key of a copy (other forms: result_path)
    replaces = target == "$"
    keys = None if replaces or target is None else input_keys(target)
    key = keys[0] if keys is not None and len(keys) == 1 else None
    if io.has_result:
        constant = io.result
        if output_path is None and replaces:

            def static_output(raw: Json, variables: Mapping[str, Json]) -> Json:
                return constant

            return static_output
        if output_path is None:

            def static(raw: Json, variables: Mapping[str, Json]) -> Json:
                return result_path(raw, constant)

            return static

        def static_selected(raw: Json, variables: Mapping[str, Json]) -> Json:
            return output_path(Scope(result_path(raw, constant), None, variables))

        return static_selected
    if input_path is None and output_path is None and parameters is not None:

        def templated(raw: Json, variables: Mapping[str, Json]) -> Json:
            return result_path(raw, parameters(Scope(raw, None, variables)))

        fill = compile_direct_template(state.get("Parameters"))
        if fill is None:
            return templated
        # Plain input paths: filled straight from the input; a path that misses (KeyError/TypeError) falls back
        # to the full template, which raises AWS's error.
        if replaces:

            def filled(raw: Json, variables: Mapping[str, Json]) -> Json:
                try:
                    return fill(raw)
                except (KeyError, TypeError):
                    return templated(raw, variables)

            return filled
        if key is not None:

            def filled_into(raw: Json, variables: Mapping[str, Json]) -> Json:
                if type(raw) is dict:
                    try:
                        result = fill(raw)
                    except (KeyError, TypeError):
                        pass
                    else:
                        out = raw.copy()
                        out[key] = result
                        return out
                return templated(raw, variables)

            return filled_into
        return templated

    def general(raw: Json, variables: Mapping[str, Json]) -> Json:
        result = raw if input_path is None else input_path(Scope(raw, None, variables))
        if parameters is not None:
            result = parameters(Scope(result, None, variables))
        out = result_path(raw, result)
        return out if output_path is None else output_path(Scope(out, None, variables))

    return general


def _assign(strand: Strand, assigned: Mapping[str, Json], node: Node, run: RunState) -> None:
    """New variable values become visible from the next state (copy-on-write: outer scopes keep theirs)."""
    size = json_size(assigned)
    if size > MAX_PAYLOAD_BYTES:  # ASL quotas: 256 KiB per variable and per Assign
        raise _Uncatchable(
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
            raise _Uncatchable(
                DATA_LIMIT_EXCEEDED,
                f"The variables of the execution exceed the maximum number of bytes service limit after state "
                f"'{node.name}' ({strand.var_bound} bytes; the limit is {_MAX_VARIABLES_BYTES}).",
            )


class ChoiceNode(Node):
    """Choice: the first rule that holds picks the next state, else Default (ASL: Choice State)."""

    __slots__ = ("_direct_tests", "_simple_ok", "choices", "default", "default_name", "direct", "io", "simple")

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.io = df.compile_state_io(state, language, location)
        self.default_name = state.get("Default") if isinstance(state.get("Default"), str) else None
        self.default: Node | None = None
        choices: list[Any] = []
        self._direct_tests: list[Callable[[Json], bool] | None] = []
        for n, rule in enumerate(state.get("Choices") or []):
            where = f"{location}.Choices[{n}]"
            if language == "JSONata":
                condition = rule.get("Condition", True)
                test: Any = compile_template(condition, location=f"{where}.Condition", field="Condition")
                rule_io: Any = df.JsonataIO(rule, where)
            else:
                test = compile_rule({k: v for k, v in rule.items() if k not in ("Next", "Assign")}, location=where)
                rule_io = df.compile_template_field(rule.get("Assign", df.ABSENT), "Assign", where)
                self._direct_tests.append(compile_direct_rule(rule))
            choices.append([test, rule.get("Next"), None, rule_io])
        self.choices = choices
        self.growth = (1, 0, language == "JSONata" or "Assign" in json.dumps(state))
        # the common JSONPath Choice: no $$, no Assign, no InputPath/OutputPath (rules and targets only)
        self.simple: tuple[tuple[Callable[[Scope], bool], Node | None], ...] | None = None
        # ... whose rules all read plain input paths: tested on the input itself
        self.direct: tuple[tuple[Callable[[Json], bool], Node | None], ...] | None = None
        self._simple_ok = (
            language == "JSONPath"
            and not self.needs_context
            and not self.growth[2]
            and not ({"InputPath", "OutputPath"} & set(state))
        )

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        direct = self.direct
        if direct is not None and run.virtual:
            chosen = self.default
            try:
                for holds, node in direct:
                    if holds(raw):
                        chosen = node
                        break
            except (KeyError, TypeError):  # a path that misses: the full rules below raise AWS's error
                chosen = None
            if chosen is not None:
                t = strand.timeline.now
                rec = strand.rec
                rec.trace.append((FUSED, self.name, "Choice", strand.chain, t, raw, t, raw, None))
                rec.count += 2
                return chosen, raw
        simple = self.simple
        if simple is not None and run.virtual:
            t = strand.timeline.now
            scope = Scope(raw, None, strand.variables)
            try:
                target = self.default
                for test, node in simple:
                    if test(scope):
                        target = node
                        break
                else:
                    if target is None:
                        raise StatesError(NO_CHOICE_MATCHED, f"No Matches! (state '{self.name}' has no Default)")
            except StatesError as err:
                raise self.failed(run, strand, raw, t, err) from None
            rec = strand.rec
            rec.trace.append((FUSED, self.name, "Choice", strand.chain, t, raw, t, raw, None))
            rec.count += 2
            return target, raw
        t = strand.timeline.now if run.virtual else run.clock.tick(strand.timeline)
        try:
            context = self.context(run, t) if self.needs_context else None
            variables = strand.variables
            if self.language == "JSONata":
                target, out, assigned = self._jsonata(run, raw, context, variables)
            else:
                io = self.io
                assert isinstance(io, df.JsonPathIO)
                effective = raw if io.input_path is None else io.effective_input(raw, context, variables)
                scope = Scope(effective, context, variables)
                target = None
                assigned = None
                for test, _name, node, rule_assign in self.choices:
                    if test(scope):
                        target = node
                        if rule_assign is not None:
                            assigned = rule_assign(scope)
                        break
                else:
                    target = self.default
                    if target is None:
                        raise StatesError(NO_CHOICE_MATCHED, f"No Matches! (state '{self.name}' has no Default)")
                    if io.assign is not None:
                        assigned = io.assign(scope)
                out = effective if io.output_path is None else io.output_path(Scope(effective, context, variables))
            if self.growth[2]:  # JSONPath Choice output is a part of its input: it cannot grow
                self.check_size(run, strand, out)
            if assigned:
                _assign(strand, assigned, self, run)
        except StatesError as err:
            raise self.failed(run, strand, raw, t, err) from None
        rec = strand.rec
        rec.trace.append((FUSED, self.name, "Choice", strand.chain, t, raw, t, out, assigned))
        rec.count += 2
        return target, out

    def _jsonata(
        self, run: RunState, raw: Json, context: Json, variables: Mapping[str, Json]
    ) -> tuple[Node | None, Json, dict[str, Json] | None]:
        states = {"input": raw, "context": context}
        runtime = run.jsonata_runtime
        for test, _name, node, rule_io in self.choices:
            holds = test.evaluate(states, variables, runtime=runtime)
            if not isinstance(holds, bool):
                expression = test.expression
                shown = expression.source if expression is not None else json.dumps(test.value)
                raise QueryEvaluationError(
                    f"The JSONata expression '{shown}' specified for the field 'Condition' returned an unexpected "
                    f"result type. Expected 'boolean', but was '{_json_type(holds)}' for value: {df.json_text(holds)}",
                    field="Condition",
                )
            if holds:
                out, assigned = rule_io.finish(raw, raw, context, variables, runtime, with_result=False)
                return node, out, assigned
        if self.default is None:
            raise StatesError(NO_CHOICE_MATCHED, f"No Matches! (state '{self.name}' has no Default)")
        io = self.io
        assert isinstance(io, df.JsonataIO)
        out, assigned = io.finish(raw, raw, context, variables, runtime, with_result=False)
        return self.default, out, assigned


def _json_type(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


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
        _append(rec, (GENERIC, "FailStateEntered", strand.chain, t, {"name": self.name, "input": raw}, None))
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
                    f"type. Expected 'string', but was '{_json_type(value)}' for value: {df.json_text(value)}",
                    field=name,
                )
            return value
        value = field(Scope(raw, context, variables))
        return value if isinstance(value, str) else df.json_text(value)


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
                _append(rec, (GENERIC, "WaitStateEntered", strand.chain, t, {"name": self.name, "input": raw}, None))
                raise _ExecutionTimedOut
            if t + seconds > strand.abort_at:
                timeline.now = strand.abort_at
                rec = strand.rec
                _append(rec, (GENERIC, "WaitStateEntered", strand.chain, t, {"name": self.name, "input": raw}, None))
                _append(rec, (GENERIC, "WaitStateAborted", strand.chain, timeline.now, None, None))
                raise _Aborted
            run.clock.sleep(timeline, seconds)
        if assigned:
            _assign(strand, assigned, self, run)
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
                if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
                    raise QueryEvaluationError(
                        f"The JSONata expression '{shown}' specified for the field 'Seconds' returned an unexpected "
                        f"result type. Expected 'integer', but was '{_json_type(value)}' for value: "
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
            if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
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


def _java_text(value: Json) -> str:
    return value if isinstance(value, str) else df.json_text(value)


# --- states that can Retry and Catch ----------------------------------------------------------------------------


class Retrier:
    """One Retry entry, with ASL's defaults."""

    __slots__ = ("backoff_rate", "error_equals", "interval_seconds", "jitter", "max_attempts", "max_delay_seconds")

    def __init__(self, raw: Mapping[str, Json]) -> None:
        self.error_equals = tuple(raw.get("ErrorEquals") or ())
        self.interval_seconds = raw.get("IntervalSeconds", 1)
        self.max_attempts = raw.get("MaxAttempts", 3)
        self.backoff_rate = raw.get("BackoffRate", 2.0)
        self.max_delay_seconds = raw.get("MaxDelaySeconds")
        self.jitter = raw.get("JitterStrategy", "NONE")


class Catcher:
    """One Catch entry: the errors it handles, where it goes, how it shapes the error output."""

    __slots__ = ("error_equals", "io", "next", "next_name")

    def __init__(self, raw: Mapping[str, Json], language: str, location: str) -> None:
        self.error_equals = tuple(raw.get("ErrorEquals") or ())
        self.next_name = raw.get("Next")
        self.next: Node | None = None
        self.io = df.compile_catch_io(raw, language, location)


class Attempt:
    """What one try of a retrying state produced."""

    __slots__ = ("assigned", "extra", "out")

    def __init__(self, out: Json, assigned: dict[str, Json] | None, extra: int = 0) -> None:
        self.out = out
        self.assigned = assigned
        self.extra = extra


class RetryingNode(Node):
    """Task, Parallel and Map: entered/exited events around attempts, Retry and Catch."""

    __slots__ = ("catchers", "entered_event", "exited_event", "io", "retriers")
    failed_event = ""

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.entered_event = f"{self.event_prefix}StateEntered"
        self.exited_event = f"{self.event_prefix}StateExited"
        self.io = df.compile_state_io(state, language, location)
        self.retriers = tuple(Retrier(r) for r in state.get("Retry") or ())
        self.catchers = tuple(
            Catcher(c, language, f"{location}.Catch[{n}]") for n, c in enumerate(state.get("Catch") or ())
        )

    def attempt(self, run: RunState, strand: Strand, raw: Json, t: float, retry_count: int, eid: int) -> Attempt:
        raise NotImplementedError

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        rec = strand.rec
        timeline = strand.timeline
        t_in = timeline.now if run.virtual else run.clock.tick(timeline)
        eid = rec.count + 1
        prefix = self.event_prefix
        rec.trace.append((GENERIC, self.entered_event, strand.chain, t_in, {"name": self.name, "input": raw}, None))
        rec.count = eid
        attempts: list[int] | None = None
        retry_count = 0
        while True:
            try:
                done = self.attempt(run, strand, raw, t_in, retry_count, eid)
                self.check_size(run, strand, done.out, done.extra)
                break
            except _Aborted:
                _append(rec, (GENERIC, f"{prefix}StateAborted", strand.chain, timeline.now, None, None))
                raise
            except StatesError as failure:
                if timeline.now >= strand.abort_at:  # a sibling failed meanwhile: this state is aborted
                    _append(rec, (GENERIC, f"{prefix}StateAborted", strand.chain, timeline.now, None, None))
                    raise _Aborted from None
                # the located error keeps the name 'failure', which Python unbinds when this block ends: no
                # reference cycle (frame -> error -> traceback -> frame) left for the garbage collector
                failure = self.located(failure, rec, strand, eid, timeline.now)
                if isinstance(failure, _Uncatchable) or failure.error == RUNTIME:
                    raise failure from None
                index = -1
                for n, candidate in enumerate(self.retriers):
                    if error_matches(candidate.error_equals, failure.error):
                        index = n
                        break
                if index >= 0:
                    retrier = self.retriers[index]
                    if attempts is None:
                        attempts = [0] * len(self.retriers)
                    if attempts[index] < retrier.max_attempts:
                        attempts[index] += 1
                        retry_count += 1
                        delay = retry_delay(
                            attempts[index],
                            interval_seconds=retrier.interval_seconds,
                            backoff_rate=retrier.backoff_rate,
                            max_delay_seconds=retrier.max_delay_seconds,
                            jitter=retrier.jitter,
                            random=run.random.random,
                        )
                        if timeline.now + delay >= run.deadline:
                            run.clock.sleep(timeline, run.deadline - timeline.now)
                            timeline.now = run.deadline
                            raise _ExecutionTimedOut from None
                        if timeline.now + delay > strand.abort_at:
                            timeline.now = strand.abort_at
                            _append(rec, (GENERIC, f"{prefix}StateAborted", strand.chain, timeline.now, None, None))
                            raise _Aborted from None
                        run.clock.sleep(timeline, delay)
                        continue
                if self.failed_event:  # AWS: only when no retry follows
                    _append(rec, (GENERIC, self.failed_event, strand.chain, timeline.now, None, None))
                for catcher in self.catchers:
                    if error_matches(catcher.error_equals, failure.error):
                        break
                else:
                    raise failure from None
                error_output: dict[str, Json] = {"Error": failure.error}
                if failure.cause is not None:
                    error_output["Cause"] = failure.cause
                context = self.context(run, timeline.now, retry_count) if self.needs_context else None
                try:
                    out, assigned = catcher.io.apply(raw, error_output, context, strand.variables, run.jsonata_runtime)
                    strand.bound = json_size(out)
                    if strand.bound > MAX_PAYLOAD_BYTES:
                        raise _Uncatchable(DATA_LIMIT_EXCEEDED, data_limit_cause(self.name))
                except StatesError as inner:
                    raise self.located(inner, rec, strand, eid, timeline.now) from None
                if assigned:
                    _assign(strand, assigned, self, run)
                exited: dict[str, Json] = {"name": self.name, "output": out}
                if assigned:
                    exited["assignedVariables"] = assigned
                _append(rec, (GENERIC, f"{prefix}StateExited", strand.chain, timeline.now, exited, None))
                return catcher.next, out
        if done.assigned:
            _assign(strand, done.assigned, self, run)
        exited = {"name": self.name, "output": done.out}
        if done.assigned:
            exited["assignedVariables"] = done.assigned
        rec.trace.append((GENERIC, self.exited_event, strand.chain, timeline.now, exited, None))
        rec.count += 1
        return self.next, done.out


# --- Task -----------------------------------------------------------------------------------------------------

_LAMBDA_INVOKE: Final = ("arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken")


class TaskNode(RetryingNode):
    """Task: a Lambda function (legacy ARN or lambda:invoke) or a bound service callable."""

    __slots__ = (
        "function",
        "has_timeout",
        "heartbeat",
        "kind",
        "resource",
        "resource_api",
        "resource_type",
        "timeout",
        "timeout_path",
    )

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        resource = str(state.get("Resource", ""))
        self.resource = resource
        self.function = function_name(resource)
        if resource.startswith("arn:aws:lambda:") or (":lambda:" in resource and ":function:" in resource):
            self.kind = "lambda"
        elif resource in _LAMBDA_INVOKE:
            self.kind = "invoke"
        else:
            self.kind = "service"
        parts = resource.split(":")
        self.resource_type = parts[5] if len(parts) > 6 and parts[2] == "states" and not parts[3] else parts[2]
        self.resource_api = ":".join(parts[6:]) if len(parts) > 6 else resource
        if self.resource_type == "aws-sdk" and len(parts) > 7:
            self.resource_type = f"aws-sdk:{parts[6]}"
            self.resource_api = ":".join(parts[7:])
        self.has_timeout = "TimeoutSeconds" in state or "TimeoutSecondsPath" in state
        self.timeout: Any = state.get("TimeoutSeconds")
        self.heartbeat: Any = state.get("HeartbeatSeconds")
        self.timeout_path: Any = None
        if language == "JSONata":
            if isinstance(self.timeout, str):
                self.timeout = compile_template(
                    self.timeout, location=f"{location}.TimeoutSeconds", field="TimeoutSeconds"
                )
            if isinstance(self.heartbeat, str):
                self.heartbeat = compile_template(
                    self.heartbeat, location=f"{location}.HeartbeatSeconds", field="HeartbeatSeconds"
                )
        elif "TimeoutSecondsPath" in state:
            text = state["TimeoutSecondsPath"]
            self.timeout_path = (text, compile_path(text, location=f"{location}.TimeoutSecondsPath").find)
        self.growth = _io_growth(state, language, (0, 0, False))

    def _timeout_seconds(self, run: RunState, raw: Json, effective: Json, context: Json, strand: Strand) -> Any:
        if self.timeout_path is not None:
            _text, find = self.timeout_path
            value = find(Scope(effective, context, strand.variables))
            return value
        if isinstance(self.timeout, Template):
            value = self.timeout.evaluate(
                {"input": raw, "context": context}, strand.variables, runtime=run.jsonata_runtime
            )
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                expression = self.timeout.expression
                shown = expression.source if expression is not None else ""
                raise QueryEvaluationError(
                    f"The JSONata expression '{shown}' specified for the field 'TimeoutSeconds' returned an unexpected "
                    f"result type. Expected 'integer', but was '{_json_type(value)}' for value: {df.json_text(value)}",
                    field="TimeoutSeconds",
                )
            return value
        return self.timeout

    def attempt(self, run: RunState, strand: Strand, raw: Json, t: float, retry_count: int, eid: int) -> Attempt:
        timeline = strand.timeline
        now = timeline.now if run.virtual else run.clock.tick(timeline)
        context = (
            context_object(
                run.base_context,
                self.name,
                t,
                retry_count=retry_count,
                task_token=_task_token(run) if self.resource.endswith(".waitForTaskToken") else None,
            )
            if self.needs_context
            else None
        )
        variables = strand.variables
        io = self.io
        if isinstance(io, df.JsonPathIO):
            effective = raw if io.input_path is None else io.input_path(Scope(raw, context, variables))
            params = effective if io.parameters is None else io.parameters(Scope(effective, context, variables))
        else:
            effective = raw
            params = io.task_input(raw, effective, context, variables, run.jsonata_runtime)
        timeout: Any = None
        deadline = run.deadline
        if self.has_timeout:
            timeout = self._timeout_seconds(run, raw, effective, context, strand)
            if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
                deadline = min(deadline, now + timeout)
        own_deadline = deadline
        if strand.abort_at < deadline:
            deadline = strand.abort_at
        result, size = self._call(run, strand, params, deadline, timeout, own_deadline)
        if isinstance(io, df.JsonataIO):
            out, assigned = io.finish(raw, result, context, variables, run.jsonata_runtime)
        else:
            out, assigned = io.finish(raw, result, context, variables)
        return Attempt(out, assigned, size)

    def _call(
        self, run: RunState, strand: Strand, params: Json, deadline: float, timeout: Any, own_deadline: float
    ) -> tuple[Json, int]:
        rec = strand.rec
        chain = strand.chain
        timeline = strand.timeline
        now = timeline.now
        if self.kind == "lambda":
            scheduled: dict[str, Json] = {"resource": self.resource, "input": params}
            if isinstance(timeout, int) and not isinstance(timeout, bool):
                scheduled["timeoutInSeconds"] = timeout
            trace = rec.trace
            trace.append((GENERIC, "LambdaFunctionScheduled", chain, now, scheduled, None))
            functions = run.functions
            fn = functions.get(self.resource)
            if fn is None:
                fn = functions[self.resource] = find_function(run.lambdas, self.resource)
            if fn is None:
                rec.count += 1
                raise _lambda_failed(rec, chain, now, not_found(self.resource, run.request_id()))
            trace.append((GENERIC, "LambdaFunctionStarted", chain, now, None, None))
            rec.count += 2
            try:
                invocation = invoke(
                    fn,
                    params,
                    name=self.function,
                    arn=self.resource,
                    clock=run.clock,
                    timeline=timeline,
                    deadline=deadline,
                    # drawn now (the seeded random sequence stays the same), spelt only if someone reads it
                    request_id=functools.partial(_uuid4_text, run.random.getrandbits(128)),
                )
            except TaskTimedOut:
                return self._timed_out(run, strand, "LambdaFunctionTimedOut", None, own_deadline)
            if invocation.function_error:
                # raised without a local name: no reference cycle through this frame
                raise _lambda_failed(rec, chain, timeline.now, function_error(invocation, compact=False))
            try:
                payload = parse_payload(invocation, what=self.resource)
            except StatesError as err:
                details = {"error": err.error, "cause": err.cause}
                trace.append((GENERIC, "LambdaFunctionFailed", chain, timeline.now, details, None))
                rec.count += 1
                raise
            trace.append((GENERIC, "LambdaFunctionSucceeded", chain, timeline.now, {"output": payload}, None))
            rec.count += 1
            return payload, len(invocation.payload)
        base = {"resourceType": self.resource_type, "resource": self.resource_api}
        scheduled = dict(base, region=REGION, parameters=params)
        if isinstance(timeout, int) and not isinstance(timeout, bool):
            scheduled["timeoutInSeconds"] = timeout
        heartbeat = self.heartbeat
        if isinstance(heartbeat, int) and not isinstance(heartbeat, bool):
            scheduled["heartbeatInSeconds"] = heartbeat
        _append(rec, (GENERIC, "TaskScheduled", chain, now, scheduled, None))
        _append(rec, (GENERIC, "TaskStarted", chain, now, base, None))
        try:
            if self.kind == "invoke":
                result, size = self._invoke(run, strand, params, deadline)
            else:
                result, size = self._service(run, strand, params, deadline)
        except TaskTimedOut:
            return self._timed_out(run, strand, "TaskTimedOut", "", own_deadline)
        except StatesError as err:
            details = dict(base, error=err.error)
            if err.cause is not None:
                details["cause"] = err.cause
            _append(rec, (GENERIC, "TaskFailed", chain, timeline.now, details, None))
            raise
        _append(rec, (GENERIC, "TaskSucceeded", chain, timeline.now, dict(base, output=result), None))
        return result, size

    def _timed_out(
        self, run: RunState, strand: Strand, event: str, cause: str | None, own_deadline: float
    ) -> tuple[Json, int]:
        if strand.timeline.now >= run.deadline:
            raise _ExecutionTimedOut
        if strand.timeline.now < own_deadline:
            raise _Aborted  # stopped by a sibling's failure, before its own TimeoutSeconds
        details: dict[str, Json] = {"error": TIMEOUT}
        if event == "TaskTimedOut":
            details = {"resourceType": self.resource_type, "resource": self.resource_api, "error": TIMEOUT}
        _append(strand.rec, (GENERIC, event, strand.chain, strand.timeline.now, details, None))
        raise StatesError(TIMEOUT, cause)

    def _invoke(self, run: RunState, strand: Strand, params: Json, deadline: float) -> tuple[Json, int]:
        if not isinstance(params, dict) or not isinstance(params.get("FunctionName"), str):
            raise StatesError(
                "States.Runtime",
                f"The Parameters of a lambda:invoke Task need a FunctionName string; got {df.json_text(params)}",
            )
        reference = params["FunctionName"]
        request_id = run.request_id()
        fn = find_function(run.lambdas, reference)
        if fn is None:
            raise not_found(reference, request_id)
        payload = params.get("Payload")
        if payload is None:
            event: Json = {}
        elif isinstance(payload, str):
            try:
                event = json.loads(payload)
            except ValueError:
                event = payload
        else:
            event = payload
        invocation = invoke(
            fn,
            event,
            name=function_name(reference),
            arn=reference
            if reference.startswith("arn:")
            else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{reference}",
            clock=run.clock,
            timeline=strand.timeline,
            deadline=deadline,
            request_id=request_id,
            log_tail=params.get("LogType") == "Tail",
        )
        if invocation.function_error:
            raise function_error(invocation, compact=True)
        value = parse_payload(invocation, what=self.resource_type)
        return invoke_output(invocation, value), len(invocation.payload) + 1200

    def _service(self, run: RunState, strand: Strand, params: Json, deadline: float) -> tuple[Json, int]:
        resource = self.resource
        fn = run.services.get(resource)
        if fn is None and "." in resource.rsplit(":", 1)[-1]:
            fn = run.services.get(resource.rsplit(".", 1)[0])
        if fn is None:
            fn = find_function(run.lambdas, resource) if ":function:" in resource else None
        if fn is None:
            err = StatesError(
                RUNTIME,
                f"No service is bound to the Task resource '{resource}' (state '{self.name}'): pass "
                f"services={{'{resource}': callable}} to sfnkit.run(); the callable receives the evaluated parameters "
                "and returns the service's result.",
            )
            raise err
        timeline = strand.timeline
        heartbeat = self.heartbeat
        beat = NO_DEADLINE
        if isinstance(heartbeat, int) and not isinstance(heartbeat, bool) and heartbeat > 0:
            beat = timeline.now + heartbeat  # a callable sends no heartbeats: it must finish within HeartbeatSeconds
        frame = enter_handler(timeline, min(deadline, beat)) if run.clock.virtual else None
        try:
            result = fn(json_copy(params))
        except SleptPastDeadline:
            if beat < deadline:
                raise StatesError(HEARTBEAT_TIMEOUT, "") from None
            raise TaskTimedOut from None
        except StatesError:
            raise
        except Exception as exc:
            name = getattr(exc, "error", None) or getattr(exc, "error_type", None) or type(exc).__name__
            raise StatesError(str(name), str(exc)) from None
        finally:
            if run.clock.virtual:
                leave_handler(frame)
        result = json_copy(result)
        size = json_size(result)
        if size > MAX_PAYLOAD_BYTES:
            raise StatesError(DATA_LIMIT_EXCEEDED, data_limit_cause(self.resource_type))
        return result, size


def _lambda_failed(rec: Recorder, chain: int, t: float, err: StatesError) -> StatesError:
    """Record LambdaFunctionFailed for *err* and return it (for the caller to raise); the cause is read when the
    history is built (a handler's error document is spelt out only if someone looks)."""
    details = {"error": err.error, "cause": err.cause_source}  # not the error: its traceback holds frames
    rec.trace.append((GENERIC, "LambdaFunctionFailed", chain, t, details, None))
    rec.count += 1
    return err


def _task_token(run: RunState) -> str:
    return "AAAA" + uuid.UUID(int=run.random.getrandbits(128), version=4).hex


# --- Parallel and Map -------------------------------------------------------------------------------------------


class Block:
    """A compiled ``{StartAt, States}``: the machine, a Parallel branch or a Map item processor."""

    __slots__ = ("has_tasks", "nodes", "start")

    def __init__(self, start: Node, nodes: dict[str, Node], has_tasks: bool) -> None:
        self.start = start
        self.nodes = nodes
        self.has_tasks = has_tasks


class _Outcome:
    __slots__ = ("aborted", "bound", "end", "error", "index", "output")

    def __init__(self, index: int) -> None:
        self.aborted = False
        self.index = index
        self.output: Json = None
        self.error: StatesError | None = None
        self.end = 0.0
        self.bound = 0


def _run_children(
    run: RunState,
    strand: Strand,
    block: Block,
    inputs: Sequence[Json],
    *,
    concurrency: int,
    on_start: Callable[[int, Strand], None],
    on_end: Callable[[int, Strand, _Outcome], None],
    rec: Recorder | None = None,
    share_variables: bool = True,
    stop_on_failure: bool = True,
) -> list[_Outcome]:
    """Run *block* once per input, each on its own strand starting at the parent's time; the parent resumes at the
    latest end. ``concurrency`` (0 = unlimited) shapes virtual start times and the worker pool."""
    start = strand.timeline.now
    count = len(inputs)
    outcomes = [_Outcome(i) for i in range(count)]
    workers = run.max_workers
    threaded = (
        count > 1
        and block.has_tasks
        and ((workers is None and not run.clock.virtual) or (workers is not None and workers > 1))
    )
    variables = strand.variables if share_variables else {}
    var_bound = strand.var_bound if share_variables else 0

    def one(i: int, begin: float) -> _Outcome:
        outcome = outcomes[i]
        child = Strand(Timeline(begin), variables, next(run.chains), rec or strand.rec, strand.bound, var_bound)
        on_start(i, child)
        try:
            if run.aborted:
                raise _Aborted
            outcome.output = _run_block(run, block.start, child, inputs[i])
            outcome.bound = child.bound
        except StatesError as err:
            outcome.error = err
        outcome.end = child.timeline.now
        on_end(i, child, outcome)
        return outcome

    if not threaded:
        for i in range(count):
            begin = start if concurrency <= 0 or i < concurrency else max(start, outcomes[i - concurrency].end)
            if one(i, begin).error is not None and stop_on_failure:
                outcomes = outcomes[: i + 1]
                break
    else:
        limit = workers or _INLINE_CONCURRENCY
        if concurrency > 0:
            limit = min(limit, concurrency)
        failed = threading.Event()

        def guarded(i: int) -> _Outcome | None:
            if failed.is_set() and stop_on_failure:
                return None
            done = one(i, start)
            if done.error is not None:
                failed.set()
            return done

        with ThreadPoolExecutor(max_workers=max(1, limit), thread_name_prefix="sfnkit") as pool:
            results = list(pool.map(guarded, range(count)))
        outcomes = [o for o in results if o is not None]
    ends = [o.end for o in outcomes]
    strand.timeline.now = max([start, *ends])
    return outcomes


def _first_failure(outcomes: Sequence[_Outcome]) -> _Outcome | None:
    failed = [o for o in outcomes if o.error is not None]
    if not failed:
        return None
    return min(failed, key=lambda o: (o.end, o.index))


class ParallelNode(RetryingNode):
    """Parallel: every branch on the same input; the result is their outputs in Branches order."""

    __slots__ = ("branches",)
    failed_event = "ParallelStateFailed"

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str, top: str) -> None:
        super().__init__(name, state, language, location)
        self.branches = tuple(
            _compile_block(b, top, f"{location}.Branches[{n}]") for n, b in enumerate(state.get("Branches") or ())
        )
        self.growth = _io_growth(state, language, (0, 0, False))

    def attempt(self, run: RunState, strand: Strand, raw: Json, t: float, retry_count: int, eid: int) -> Attempt:
        rec = strand.rec
        context = self.context(run, strand.timeline.now, retry_count) if self.needs_context else None
        variables = strand.variables
        io = self.io
        effective = io.effective_input(raw, context, variables)
        if isinstance(io, df.JsonataIO):
            branch_input = io.task_input(raw, effective, context, variables, run.jsonata_runtime)
        else:
            branch_input = io.task_input(raw, effective, context, variables)
        chains = tuple(next(run.chains) for _ in self.branches)
        _append(rec, (GENERIC, "ParallelStateStarted", strand.chain, strand.timeline.now, None, chains))
        outcomes = _run_parallel(run, strand, self.branches, branch_input, chains)
        failure = _first_failure(outcomes)
        if failure is not None:
            assert failure.error is not None
            raise failure.error
        _append(rec, (GENERIC, "ParallelStateSucceeded", strand.chain, strand.timeline.now, None, ("closing",)))
        result = [o.output for o in outcomes]
        extra = sum(o.bound + 1 for o in outcomes) + 2
        if isinstance(io, df.JsonataIO):
            out, assigned = io.finish(raw, result, context, variables, run.jsonata_runtime)
        else:
            out, assigned = io.finish(raw, result, context, variables)
        return Attempt(out, assigned, extra)


def _abort_after(trace: list[tuple[Any, ...]], lo: int, hi: int, at: float) -> tuple[list[tuple[Any, ...]], int]:
    """Rewrite ``trace[lo:hi]`` (one sibling's run) as AWS would show it had that sibling been stopped at *at*
    because another failed: later events dropped, states still in progress aborted.

    Siblings run one after the other on the virtual clock, so one that ran before the failing one may have gone
    past the failure instant; its handlers ran, but its history ends where AWS would have stopped it. Returns the
    abort records (for the caller to append after the failure's own) and the change in the number of events.
    """
    kept: list[tuple[Any, ...]] = []
    aborted: list[tuple[Any, ...]] = []
    in_progress: dict[int, str] = {}
    before = 0
    for record in trace[lo:hi]:
        if record[0] == FUSED:
            before += 2
            _, name, prefix, chain, t_in, inp, t_out, _out, _assigned = record
            if t_out <= at:
                kept.append(record)
            elif t_in <= at:  # a Wait that spans the failure
                kept.append((GENERIC, f"{prefix}StateEntered", chain, t_in, {"name": name, "input": inp}, None))
                aborted.append((GENERIC, f"{prefix}StateAborted", chain, at, None, None))
            continue
        before += 1
        _, event_type, chain, t, _details, _spawn = record
        if t > at:
            continue
        kept.append(record)
        if event_type.endswith("StateEntered"):
            in_progress[chain] = event_type[: -len("StateEntered")]
        elif event_type.endswith(("StateExited", "StateAborted")):
            in_progress.pop(chain, None)
    for chain, prefix in in_progress.items():
        if prefix != "Fail":
            aborted.append((GENERIC, f"{prefix}StateAborted", chain, at, None, None))
    trace[lo:hi] = kept
    after = sum(2 if r[0] == FUSED else 1 for r in kept) + len(aborted)
    return aborted, after - before


def _run_parallel(
    run: RunState, strand: Strand, branches: Sequence[Block], branch_input: Json, chains: Sequence[int]
) -> list[_Outcome]:
    """Run every branch on the same input; each branch is its own block."""
    start = strand.timeline.now
    outcomes: list[_Outcome] = []
    threaded = (
        len(branches) > 1
        and any(b.has_tasks for b in branches)
        and (
            (run.max_workers is None and not run.clock.virtual) or (run.max_workers is not None and run.max_workers > 1)
        )
    )

    def one(i: int, abort_at: float = NO_DEADLINE) -> _Outcome:
        outcome = _Outcome(i)
        child = Strand(Timeline(start), strand.variables, chains[i], strand.rec, strand.bound, strand.var_bound)
        child.abort_at = abort_at
        try:
            if run.aborted:
                raise _Aborted
            outcome.output = _run_block(run, branches[i].start, child, branch_input)
            outcome.bound = child.bound
        except StatesError as err:
            outcome.error = err
        except _Aborted:
            if run.aborted:
                raise
            outcome.aborted = True
        outcome.end = child.timeline.now
        return outcome

    if threaded:
        with ThreadPoolExecutor(max_workers=min(len(branches), run.max_workers or 40)) as pool:
            outcomes = list(pool.map(one, range(len(branches))))
    else:
        # All branches start together (as on AWS); once one has failed, the others stop past that instant.
        abort_at = NO_DEADLINE
        trace = strand.rec.trace
        spans: list[tuple[int, int]] = []
        for i in range(len(branches)):
            lo = len(trace)
            outcome = one(i, abort_at)
            spans.append((lo, len(trace)))
            outcomes.append(outcome)
            if outcome.error is not None and outcome.end < abort_at:
                abort_at = outcome.end
        failed = _first_failure(outcomes)
        if failed is not None:  # branches that ran before the failing one went past its instant: cut them there
            tail: list[tuple[Any, ...]] = []
            for outcome, (lo, hi) in reversed(list(zip(outcomes, spans, strict=True))):
                if outcome is not failed and outcome.end > failed.end:
                    aborted, delta = _abort_after(trace, lo, hi, failed.end)
                    tail[:0] = aborted
                    strand.rec.count += delta
                    outcome.end = failed.end
            trace.extend(tail)
    failure = _first_failure(outcomes)
    strand.timeline.now = failure.end if failure is not None else max([start, *(o.end for o in outcomes)])
    return outcomes


class MapNode(RetryingNode):
    """Map: the item processor per item (inline, or distributed with batching and tolerated failures)."""

    failed_event = "MapStateFailed"
    __slots__ = (
        "batch_input",
        "distributed",
        "item_batcher",
        "item_reader",
        "item_selector",
        "items",
        "items_path",
        "label",
        "max_concurrency",
        "max_concurrency_path",
        "processor",
        "tolerated_count",
        "tolerated_count_path",
        "tolerated_percentage",
        "tolerated_percentage_path",
    )

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str, top: str) -> None:
        super().__init__(name, state, language, location)
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        config = processor.get("ProcessorConfig") or {}
        self.distributed = config.get("Mode") == "DISTRIBUTED"
        self.processor = _compile_block(processor, top, f"{location}.ItemProcessor")
        self.label = state.get("Label")
        self.items_path: Any = None
        self.items: Any = None
        self.item_selector: Any = None
        jsonata = language == "JSONata"
        if jsonata:
            if "Items" in state:
                self.items = compile_template(state["Items"], location=f"{location}.Items", field="Items")
            if "ItemSelector" in state:
                self.item_selector = compile_template(
                    state["ItemSelector"], location=f"{location}.ItemSelector", field="ItemSelector"
                )
        else:
            if "ItemsPath" in state:
                self.items_path = df.compile_select(state["ItemsPath"], field="ItemsPath", location=location)
            selector = state.get("ItemSelector", state.get("Parameters", df.ABSENT))
            if selector is not df.ABSENT:
                self.item_selector = df.compile_template_field(selector, "ItemSelector", location)
        self.max_concurrency = self._number_field(state, "MaxConcurrency", location)
        self.tolerated_count = self._number_field(state, "ToleratedFailureCount", location)
        self.tolerated_percentage = self._number_field(state, "ToleratedFailurePercentage", location)
        self.max_concurrency_path = self._path_field(state, "MaxConcurrencyPath", location)
        self.tolerated_count_path = self._path_field(state, "ToleratedFailureCountPath", location)
        self.tolerated_percentage_path = self._path_field(state, "ToleratedFailurePercentagePath", location)
        self.item_batcher = state.get("ItemBatcher")
        self.batch_input: Any = None
        if isinstance(self.item_batcher, dict) and "BatchInput" in self.item_batcher:
            if jsonata:
                self.batch_input = compile_template(
                    self.item_batcher["BatchInput"], location=f"{location}.ItemBatcher.BatchInput", field="BatchInput"
                )
            else:
                self.batch_input = df.compile_template_field(self.item_batcher["BatchInput"], "BatchInput", location)
        self.item_reader = state.get("ItemReader")
        self.growth = _io_growth(state, language, (0, 0, False))

    def _number_field(self, state: Mapping[str, Json], field: str, location: str) -> Any:
        value = state.get(field)
        if self.language == "JSONata" and isinstance(value, str):
            return compile_template(value, location=f"{location}.{field}", field=field)
        return value

    def _path_field(self, state: Mapping[str, Json], field: str, location: str) -> Any:
        if field not in state:
            return None
        text = state[field]
        return (text, compile_path(text, location=f"{location}.{field}").find)

    def _jsonata_number(
        self, run: RunState, template: Template, field: str, raw: Json, context: Json, strand: Strand
    ) -> Any:
        value = template.evaluate({"input": raw, "context": context}, strand.variables, runtime=run.jsonata_runtime)
        if isinstance(value, bool) or not isinstance(value, int | float):
            expression = template.expression
            shown = expression.source if expression is not None else ""
            expected = "number" if field == "ToleratedFailurePercentage" else "integer"
            raise QueryEvaluationError(
                f"The JSONata expression '{shown}' specified for the field '{field}' returned an unexpected result "
                f"type. Expected '{expected}', but was '{_json_type(value)}' for value: {df.json_text(value)}",
                field=field,
            )
        return value

    def _concurrency(self, run: RunState, raw: Json, effective: Json, context: Json, strand: Strand) -> int:
        concurrency: Any = self.max_concurrency
        if isinstance(concurrency, Template):
            concurrency = self._jsonata_number(run, concurrency, "MaxConcurrency", raw, context, strand)
        if self.max_concurrency_path is not None:
            text, find = self.max_concurrency_path
            scope = Scope(effective, context, strand.variables)
            concurrency = df.integer_from_path(find, "MaxConcurrencyPath", text, scope)
        if concurrency is not None and concurrency < 0:
            raise df.runtime_error("MaxConcurrency cannot be negative.")
        return int(concurrency or 0)

    def _tolerance(
        self, run: RunState, raw: Json, effective: Json, context: Json, strand: Strand
    ) -> tuple[int | None, float | None]:
        scope = Scope(effective, context, strand.variables)
        count: Any = self.tolerated_count
        percentage: Any = self.tolerated_percentage
        if isinstance(count, Template):
            count = self._jsonata_number(run, count, "ToleratedFailureCount", raw, context, strand)
        if isinstance(percentage, Template):
            percentage = self._jsonata_number(run, percentage, "ToleratedFailurePercentage", raw, context, strand)
        if self.tolerated_count_path is not None:
            text, find = self.tolerated_count_path
            count = df.integer_from_path(find, "ToleratedFailureCountPath", text, scope)
        if self.tolerated_percentage_path is not None:
            text, find = self.tolerated_percentage_path
            percentage = df.number_from_path(find, "ToleratedFailurePercentagePath", text, scope)
        if count is not None and count < 0:
            raise df.runtime_error("ToleratedFailureCount cannot be negative.")
        if percentage is not None and not 0 <= percentage <= 100:
            raise df.runtime_error("ToleratedFailurePercentage must be between 0 and 100.")
        return count, percentage

    def _items(self, run: RunState, raw: Json, effective: Json, context: Json, strand: Strand) -> list[Json]:
        if self.language == "JSONata":
            if self.items is None:
                items = raw
                if not isinstance(items, list):
                    raise QueryEvaluationError(f"Map state input must be an array but was: {df.json_text(items)}")
                return items
            value = self.items.evaluate_as(
                {"input": raw, "context": context}, strand.variables, "array", runtime=run.jsonata_runtime
            )
            return list(value)
        if self.item_reader is not None:
            return self._read_items(run, effective, context, strand)
        items = effective if self.items_path is None else self.items_path(Scope(effective, context, strand.variables))
        if not isinstance(items, list):
            raise df.runtime_error(f"Map state input must be an array but was: {df.json_text(items)}")
        return items

    def _read_items(self, run: RunState, effective: Json, context: Json, strand: Strand) -> list[Json]:
        reader = self.item_reader
        assert isinstance(reader, dict)
        resource = str(reader.get("Resource", ""))
        fn = run.services.get(resource)
        if fn is None:
            raise StatesError(
                RUNTIME,
                f"No service is bound to the ItemReader resource '{resource}' (state '{self.name}'): pass "
                f"services={{'{resource}': callable}} to sfnkit.run(), returning the list of items.",
            )
        params = reader.get("Parameters", {})
        if params:
            template = df.compile_template_field(params, "ItemReader.Parameters", self.location)
            assert template is not None
            params = template(Scope(effective, context, strand.variables))
        items = fn(params)
        max_items = (reader.get("ReaderConfig") or {}).get("MaxItems")
        if isinstance(max_items, int) and max_items > 0:
            items = items[:max_items]
        if not isinstance(items, list):
            raise StatesError("States.ItemReaderFailed", f"The ItemReader of state '{self.name}' did not return a list")
        return items

    def _item_inputs(
        self, run: RunState, raw: Json, effective: Json, items: list[Json], t: float, strand: Strand
    ) -> list[Json]:
        selector = self.item_selector
        if selector is None:
            return items
        variables = strand.variables
        out = []
        if self.language == "JSONata":
            for index, item in enumerate(items):
                context = self.context(run, t, map_item=(index, item))
                out.append(
                    selector.evaluate({"input": raw, "context": context}, variables, runtime=run.jsonata_runtime)
                )
            return out
        base = run.base_context
        for index, item in enumerate(items):
            context = context_object(base, self.name, t, map_item=(index, item))
            out.append(selector(Scope(effective, context, variables)))
        return out

    def _batches(
        self, run: RunState, raw: Json, effective: Json, inputs: list[Json], context: Json, strand: Strand
    ) -> list[Json]:
        batcher = self.item_batcher
        assert isinstance(batcher, dict)
        scope = Scope(effective, context, strand.variables)
        max_items = batcher.get("MaxItemsPerBatch")
        max_bytes = batcher.get("MaxInputBytesPerBatch")
        if "MaxItemsPerBatchPath" in batcher:
            text = batcher["MaxItemsPerBatchPath"]
            max_items = df.integer_from_path(compile_path(text).find, "MaxItemsPerBatchPath", text, scope)
        if "MaxInputBytesPerBatchPath" in batcher:
            text = batcher["MaxInputBytesPerBatchPath"]
            max_bytes = df.integer_from_path(compile_path(text).find, "MaxInputBytesPerBatchPath", text, scope)
        if isinstance(max_items, str) and self.language == "JSONata":
            max_items = compile_template(max_items, field="ItemBatcher/MaxItemsPerBatch").evaluate(
                {"input": raw, "context": context}, strand.variables
            )
        if isinstance(max_bytes, str) and self.language == "JSONata":
            max_bytes = compile_template(max_bytes, field="ItemBatcher/MaxInputBytesPerBatch").evaluate(
                {"input": raw, "context": context}, strand.variables
            )
        batch_input: Json = None
        if self.batch_input is not None:
            if isinstance(self.batch_input, Template):
                batch_input = self.batch_input.evaluate({"input": raw, "context": context}, strand.variables)
            else:
                batch_input = self.batch_input(scope)
        batches: list[Json] = []
        current: list[Json] = []
        current_bytes = 0
        for item in inputs:
            size = json_size(item)
            full = (isinstance(max_items, int) and max_items > 0 and len(current) >= max_items) or (
                isinstance(max_bytes, int) and max_bytes > 0 and current and current_bytes + size > max_bytes
            )
            if full:
                batches.append(self._batch(current, batch_input))
                current, current_bytes = [], 0
            current.append(item)
            current_bytes += size
        if current:
            batches.append(self._batch(current, batch_input))
        return batches

    @staticmethod
    def _batch(items: list[Json], batch_input: Json) -> Json:
        batch: dict[str, Json] = {}
        if batch_input is not None:
            batch["BatchInput"] = batch_input
        batch["Items"] = items
        return batch

    def _run_inline(self, run: RunState, strand: Strand, inputs: list[Json], concurrency: int) -> list[_Outcome]:
        """Inline iterations; each iteration's history follows the previous one's, as AWS numbers them."""
        rec = strand.rec
        chain = strand.chain
        name = self.name
        workers = run.max_workers
        threaded = (
            len(inputs) > 1
            and self.processor.has_tasks
            and ((workers is None and not run.clock.virtual) or (workers is not None and workers > 1))
        )
        previous_chain: list[int | None] = [None]

        def on_start(i: int, child: Strand) -> None:
            hint = ("iter", child.chain, previous_chain[0])
            _append(rec, (GENERIC, "MapIterationStarted", chain, child.timeline.now, (name, i), hint))
            previous_chain[0] = child.chain

        def on_end(i: int, child: Strand, outcome: _Outcome) -> None:
            kind = "MapIterationSucceeded" if outcome.error is None else "MapIterationFailed"
            _append(rec, (GENERIC, kind, child.chain, child.timeline.now, (name, i), ("end", chain)))

        if threaded:
            return _run_children(
                run, strand, self.processor, inputs, concurrency=concurrency, on_start=on_start, on_end=on_end
            )
        # The common case, one iteration after the other: the same as _run_children, without the indirections
        # (one Strand and Timeline reused, no per-item objects besides the trace records).
        start = strand.timeline.now
        trace = rec.trace
        first = self.processor.start
        chains = run.chains
        outputs: list[Json] = []
        ends: list[float] = []
        previous: int | None = None
        total = 2
        timeline = Timeline(start)
        child = Strand(timeline, strand.variables, 0, rec, strand.bound, strand.var_bound)
        variables = strand.variables
        bound = strand.bound
        var_bound = strand.var_bound
        failure: _Outcome | None = None
        abort_at = NO_DEADLINE
        ended_well: list[bool] = []
        starts: list[int] = []  # where each started iteration's records begin in the trace
        end_hint = ("end", chain)
        deadline = run.deadline
        for i, item in enumerate(inputs):
            first_wave = concurrency <= 0 or i < concurrency
            begin = start if first_wave else max(start, ends[i - concurrency])
            if failure is not None and not (first_wave or (ended_well[i - concurrency] and begin < abort_at)):
                # AWS would not have started this item: the Map had failed when its slot freed
                ends.append(NO_DEADLINE)
                ended_well.append(False)
                continue
            child_chain = next(chains)
            timeline.now = begin
            child.chain = child_chain
            child.variables = variables
            child.bound = bound
            child.var_bound = var_bound
            child.abort_at = abort_at
            details = (name, i)
            lo = len(trace)
            trace.append((GENERIC, "MapIterationStarted", chain, begin, details, ("iter", child_chain, previous)))
            rec.count += 1
            previous = child_chain
            well = False
            try:
                if run.aborted:
                    raise _Aborted
                # _run_block, inlined: one call less per item
                node: Node | None = first
                out = item
                while node is not None:
                    now = timeline.now
                    if now >= deadline:
                        raise _ExecutionTimedOut
                    if now > abort_at or run.aborted:
                        raise _Aborted
                    node, out = node.execute(run, child, out)
                if failure is None:
                    outputs.append(out)
                    total += child.bound + 1
                kind = "MapIterationSucceeded"
                well = True
            except StatesError as err:
                kind = "MapIterationFailed"
                if failure is None or timeline.now < failure.end:
                    failure = _Outcome(i)
                    failure.error = err
                    failure.end = timeline.now
                    abort_at = timeline.now  # iterations running then are aborted (AWS stops the Map)
            except _Aborted:
                if run.aborted:
                    raise
                kind = "MapIterationAborted"
            end = timeline.now
            ends.append(end)
            ended_well.append(well)
            trace.append((GENERIC, kind, child_chain, end, details, end_hint))
            rec.count += 1
            starts.append(lo)
        if failure is not None:
            # iterations that ran before the failing one and went past its instant: cut them there, as AWS would
            tail: list[tuple[Any, ...]] = []
            bounds = [*starts, len(trace)]
            for k in range(len(starts) - 1, -1, -1):
                lo, hi = bounds[k], bounds[k + 1]
                # an iteration's records: its MapIterationStarted first (details, ("iter", chain, previous)), its
                # end record last (at its end time)
                details, child_chain, end = trace[lo][4], trace[lo][5][1], trace[hi - 1][3]
                if end > failure.end and details[1] != failure.index:
                    aborted, delta = _abort_after(trace, lo, hi, failure.end)
                    aborted.append((GENERIC, "MapIterationAborted", child_chain, failure.end, details, end_hint))
                    tail[:0] = aborted
                    rec.count += delta + 1
            trace.extend(tail)
        ends = [e for e in ends if e != NO_DEADLINE]
        if failure is not None:
            strand.timeline.now = failure.end  # the Map fails when its first iteration does
            return [failure]
        strand.timeline.now = max(start, *ends) if ends else start
        done = _Outcome(-1)
        done.output = outputs
        done.bound = total
        return [done]

    def attempt(self, run: RunState, strand: Strand, raw: Json, t: float, retry_count: int, eid: int) -> Attempt:
        rec = strand.rec
        timeline = strand.timeline
        now = timeline.now
        context = self.context(run, now, retry_count) if self.needs_context else None
        variables = strand.variables
        io = self.io
        effective = io.effective_input(raw, context, variables)
        items = self._items(run, raw, effective, context, strand)
        inputs = self._item_inputs(run, raw, effective, items, now, strand)
        if self.item_batcher is not None:
            inputs = self._batches(run, raw, effective, inputs, context, strand)
        chain = strand.chain
        # AWS-observed: MaxConcurrency is read before MapStateStarted, the tolerated failures after it
        concurrency = self._concurrency(run, raw, effective, context, strand)
        _append(rec, (GENERIC, "MapStateStarted", chain, now, {"length": len(inputs)}, None))
        tolerated_count, tolerated_percentage = self._tolerance(run, raw, effective, context, strand)
        name = self.name
        if self.distributed:
            run_arn = (
                f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:{run.info.state_machine_name}/{self.label or name}:"
                f"{run.request_id()}"
            )
            _append(rec, (GENERIC, "MapRunStarted", chain, now, {"mapRunArn": run_arn}, None))

            def no_event(i: int, child: Strand, *rest: Any) -> None:
                pass

            outcomes = _run_children(
                run,
                strand,
                self.processor,
                inputs,
                concurrency=concurrency,
                on_start=no_event,
                on_end=no_event,
                rec=Recorder(),
                share_variables=False,
                stop_on_failure=False,
            )
            failed = [o for o in outcomes if o.error is not None]
            limit_count = tolerated_count if tolerated_count is not None else 0
            over = len(failed) > limit_count
            if tolerated_percentage is not None and inputs:
                over = over and len(failed) * 100.0 / len(inputs) > tolerated_percentage
                if tolerated_count is None:
                    over = len(failed) * 100.0 / len(inputs) > tolerated_percentage
            if failed and over:
                cause = "The specified tolerance threshold was exceeded"
                _append(
                    rec,
                    (
                        GENERIC,
                        "MapRunFailed",
                        chain,
                        timeline.now,
                        {"error": EXCEED_TOLERATED_FAILURE_THRESHOLD, "cause": cause},
                        None,
                    ),
                )
                raise StatesError(EXCEED_TOLERATED_FAILURE_THRESHOLD, cause)
            _append(rec, (GENERIC, "MapRunSucceeded", chain, timeline.now, None, None))
            result = [
                o.output if o.error is None else {"Error": o.error.error, "Cause": o.error.cause} for o in outcomes
            ]
        else:
            outcomes = self._run_inline(run, strand, inputs, concurrency)
            failure = _first_failure(outcomes)
            if failure is not None:
                assert failure.error is not None
                raise failure.error
            if len(outcomes) == 1 and outcomes[0].index == -1:  # the sequential path: all outputs in one
                result = outcomes[0].output
                extra = outcomes[0].bound
            else:
                result = [o.output for o in outcomes]
                extra = sum(o.bound + 1 for o in outcomes) + 2
        _append(rec, (GENERIC, "MapStateSucceeded", chain, timeline.now, None, ("closing",)))
        if self.distributed:
            extra = sum(o.bound + 1 for o in outcomes) + 2
        if isinstance(io, df.JsonataIO):
            out, assigned = io.finish(raw, result, context, variables, run.jsonata_runtime)
        else:
            out, assigned = io.finish(raw, result, context, variables)
        return Attempt(out, assigned, extra)


# --- the main loop -----------------------------------------------------------------------------------------------


def _run_block(run: RunState, node: Node | None, strand: Strand, data: Json) -> Json:
    """Run states from *node* until an end: iterative, one loop turn per transition."""
    timeline = strand.timeline
    deadline = run.deadline
    abort_at = strand.abort_at
    while node is not None:
        now = timeline.now
        if now >= deadline:
            raise _ExecutionTimedOut
        if now > abort_at or run.aborted:
            raise _Aborted
        node, data = node.execute(run, strand, data)
    return data


# --- compiling a definition ------------------------------------------------------------------------------------


class Plan:
    """A compiled state machine: the top block plus what the execution needs to know about the definition."""

    __slots__ = ("__weakref__", "block", "name", "query_language", "timeout_seconds")

    def __init__(self, block: Block, timeout_seconds: Any, query_language: str, name: str) -> None:
        self.block = block
        self.timeout_seconds = timeout_seconds
        self.query_language = query_language
        self.name = name


def _compile_block(definition: Mapping[str, Json], top_language: str, location: str) -> Block:
    states = definition.get("States") or {}
    nodes: dict[str, Node] = {}
    has_tasks = False
    for name, state in states.items():
        language = state.get("QueryLanguage", top_language)
        where = f"{location}.States.{name}" if location else f"States.{name}"
        kind = state.get("Type")
        node: Node
        match kind:
            case "Pass":
                node = PassNode(name, state, language, where)
            case "Task":
                node = TaskNode(name, state, language, where)
                has_tasks = True
            case "Choice":
                node = ChoiceNode(name, state, language, where)
            case "Wait":
                node = WaitNode(name, state, language, where)
            case "Succeed":
                node = SucceedNode(name, state, language, where)
            case "Fail":
                node = FailNode(name, state, language, where)
            case "Parallel":
                node = ParallelNode(name, state, language, where, top_language)
                has_tasks = has_tasks or any(b.has_tasks for b in node.branches)
            case "Map":
                node = MapNode(name, state, language, where, top_language)
                has_tasks = has_tasks or node.processor.has_tasks
            case _:
                raise df_definition_error(f"{where}.Type: unknown state type {kind!r}")
        nodes[name] = node

    def resolve(target: Json, where: str) -> Node:
        if not isinstance(target, str) or target not in nodes:
            raise df_definition_error(f"{where}: there is no state {target!r} in this block to go to")
        return nodes[target]

    for name, node in nodes.items():
        state = states[name]
        where = f"{location}.States.{name}" if location else f"States.{name}"
        if node.next_name is not None and not state.get("End"):
            node.next = resolve(node.next_name, f"{where}.Next")
        if isinstance(node, ChoiceNode):
            for n, choice in enumerate(node.choices):
                choice[2] = resolve(choice[1], f"{where}.Choices[{n}].Next")
            if node.default_name is not None:
                node.default = resolve(node.default_name, f"{where}.Default")
            if node._simple_ok:
                node.simple = tuple((choice[0], choice[2]) for choice in node.choices)
                tests = node._direct_tests
                direct = [(t, c[2]) for t, c in zip(tests, node.choices, strict=True) if t is not None]
                if len(direct) == len(tests):
                    node.direct = tuple(direct)
        if isinstance(node, RetryingNode):
            for n, catcher in enumerate(node.catchers):
                catcher.next = resolve(catcher.next_name, f"{where}.Catch[{n}].Next")
    for node in nodes.values():
        # A fresh copy of the name, next to the others: every trace record holds it, and the garbage collector,
        # walking a run's history, touches each one (names read from the definition lie scattered among its
        # parsed objects: on a 10,000-state chain that walk took 3x longer)
        node.name = node.name.encode().decode()
        if isinstance(node, PassNode) and node.pick_base is not None:
            # fresh copies, allocated one after the other now that compiling's garbage is made: what the hot path
            # reads sits close together (a 10,000-state machine stays cache- and TLB-friendly)
            node.pick_base = dict(node.pick_base)
            node.picks = tuple((name, key) for name, key in node.picks)
    start = definition.get("StartAt")
    if not isinstance(start, str) or start not in nodes:
        raise df_definition_error(f"{location or 'StartAt'}: StartAt {start!r} names no state of this block")
    return Block(nodes[start], nodes, has_tasks)


def df_definition_error(message: str) -> Exception:
    from sfnkit.errors import DefinitionError

    return DefinitionError(message)


def compile_plan(definition: Mapping[str, Json], *, name: str = "StateMachine") -> Plan:
    """Compile an ASL definition (a dict) into an execution plan: every path, template, rule, intrinsic function
    and JSONata expression parsed once, every transition resolved to a direct reference."""
    language = str(definition.get("QueryLanguage", "JSONPath"))
    block = _compile_block(definition, language, "")
    return Plan(block, definition.get("TimeoutSeconds"), language, name)


# --- run() ----------------------------------------------------------------------------------------------------

# A run allocates many small acyclic objects (its trace); CPython's default GC thresholds would scan them over and
# over (half the time of a 10,000-item Map). Runs raise the first threshold and restore it when the last one ends.
_gc_lock = threading.Lock()
_gc_runs = 0
_gc_saved: tuple[int, int, int] = (700, 10, 10)


def _relax_gc() -> None:
    global _gc_runs, _gc_saved
    with _gc_lock:
        if _gc_runs == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], 50_000), _gc_saved[1], max(_gc_saved[2], 100))
        _gc_runs += 1


def _restore_gc() -> None:
    global _gc_runs
    with _gc_lock:
        _gc_runs -= 1
        if _gc_runs == 0:
            gc.set_threshold(*_gc_saved)


_PLANS: weakref.WeakKeyDictionary[Any, Plan] = weakref.WeakKeyDictionary()
_PLANS_LOCK = threading.Lock()


_PLANS_BY_TEXT: collections.OrderedDict[str, Plan] = collections.OrderedDict()
_PLANS_BY_TEXT_SIZE: Final = 32


def _cached_plan(definition: Mapping[str, Json] | str, make: Callable[[], Plan], name: str = "") -> Plan:
    """The plan of a machine *name* with this exact compact JSON text (given, or as a dict), compiled once (a bounded
    LRU: new StateMachine objects of the same definition, e.g. one ``from_asl`` per run, reuse it)."""
    text = definition if isinstance(definition, str) else json.dumps(definition, separators=(",", ":"))
    key = f"{name}\n{text}"  # the name is part of the plan (the context object's StateMachine.Name)
    with _PLANS_LOCK:
        plan = _PLANS_BY_TEXT.get(key)
        if plan is not None:
            _PLANS_BY_TEXT.move_to_end(key)
            return plan
    plan = make()
    with _PLANS_LOCK:
        _PLANS_BY_TEXT[key] = plan
        while len(_PLANS_BY_TEXT) > _PLANS_BY_TEXT_SIZE:
            _PLANS_BY_TEXT.popitem(last=False)
    return plan


def _plan_for(machine: Any) -> tuple[Plan, Mapping[str, Callable[..., Any]]]:
    from sfnkit.asl.codec import source_text
    from sfnkit.machine import StateMachine

    if isinstance(machine, Plan):
        return machine, {}
    if isinstance(machine, StateMachine):
        plan = _PLANS.get(machine)
        if plan is None:
            name = machine.name or "StateMachine"
            source = source_text(machine)
            if source is None:
                definition = machine.to_asl()
                plan = _cached_plan(definition, lambda: compile_plan(definition, name=name), name)
            else:
                # read by from_asl from this text: a machine of the same text ran before shares its plan, with no
                # export in this run (validation and compilation depend only on the text)
                plan = _cached_plan(source, lambda: compile_plan(machine.to_asl(), name=name), name)
            with _PLANS_LOCK:
                _PLANS[machine] = plan
        return plan, machine.lambdas
    if isinstance(machine, str | bytes | Mapping):
        from sfnkit.asl.codec import from_asl

        text = machine.decode() if isinstance(machine, bytes) else machine
        if isinstance(text, Mapping):
            # a definition run before skips validation and compilation (they depend only on its text)
            return _cached_plan(text, lambda: _plan_for(from_asl(text))[0]), {}
        return _plan_for(from_asl(text))
    raise TypeError(
        f"run() needs a StateMachine, an ASL definition (dict) or ASL JSON text, not {type(machine).__name__}"
    )


def run(
    machine: Any,
    input: Json = None,
    *,
    lambdas: Mapping[str, Callable[..., Any]] | None = None,
    services: Mapping[str, Callable[..., Any]] | None = None,
    clock: ClockName | Clock = "virtual",
    start: datetime | None = None,
    context: Mapping[str, Json] | None = None,
    type: str = "STANDARD",
    seed: int | None = None,
    max_workers: int | None = None,
) -> Execution:
    """Run *machine* on *input* in this process, exactly as AWS Step Functions would, and return the Execution.

    Args:
        machine: a ``StateMachine`` (its execution plan is compiled once and cached), an ASL definition dict, or
            ASL JSON text.
        input: the execution input (any JSON value; ``None`` means ``{}`` as in the console).
        lambdas: Lambda function name (or full ARN) → Python callable ``fn(event)`` or ``fn(event, context)``.
            Functions a ``StateMachine`` carries (``@lambda_fn``) are bound automatically; these override them.
        services: Task ``Resource`` → callable receiving the evaluated parameters and returning the result, for
            integrations other than Lambda (``arn:aws:states:::sns:publish``...).
        clock: ``"virtual"`` (waits, retry intervals and timeouts take no time; the history shows it passing),
            ``"real"`` (they sleep), or a ``sfnkit.clock.Clock``.
        start: the instant the execution starts at on the virtual clock (an aware ``datetime``; default: now).
            With ``seed`` it makes a run reproducible byte for byte: names, ids and every timestamp.
        context: overrides for the context object: ``{"Execution": {"Name": ...}, "StateMachine": {"Name": ...}}``.
        type: ``"STANDARD"`` or ``"EXPRESS"`` (Express: a 5-minute execution limit, ``express`` ARNs).
        seed: seeds every random choice (retry jitter, ``States.UUID``/``MathRandom``, ``$random``, request ids).
        max_workers: threads for Parallel branches and Map iterations that run Tasks. ``None``: threads on the real
            clock, one after the other on the virtual clock (deterministic); ``1``: always sequential.

    A handler's exception never escapes: the execution fails with the error AWS would report.

    Time: every thread of control (the execution, each Parallel branch, each Map iteration) has its own timeline;
    a branch starts at its parent's time and the parent resumes at the latest end, so on the virtual clock Map
    iterations overlap as on AWS (``MaxConcurrency`` k starts item i when item i-k ends) even though they run one
    after the other. A handler's ``time.sleep`` advances its timeline (see ``sfnkit.clock``); past the Task's
    ``TimeoutSeconds`` it stops at once with ``States.Timeout``.

    Returns:
        The ``Execution``: ``status``, ``output`` or ``error``/``cause``, ``history`` (GetExecutionHistory events),
        ``path`` and ``states`` (each state's input and output), ``raise_for_status()``.

    Raises:
        ValidationError: the definition breaks a rule AWS enforces at creation (raised before anything runs).
        TypeError: *machine* is not a StateMachine, a dict or JSON text.
    """
    plan, bound = _plan_for(machine)
    # the plan may be shared by machines with the same definition: the name comes from this machine
    default_name = getattr(machine, "name", None) or "StateMachine"
    functions: dict[str, Callable[..., Any]] = dict(bound)
    if lambdas:
        functions.update(lambdas)
    the_clock = make_clock(clock, start)
    execution_input = {} if input is None else input
    overrides = dict(context or {})
    started = the_clock.start()
    rng = random_module.Random(seed) if seed is not None else _UNSEEDED
    execution_name = str((overrides.get("Execution") or {}).get("Name") or _uuid4_text(rng.getrandbits(128)))
    machine_name = str((overrides.get("StateMachine") or {}).get("Name") or default_name)
    express = type.upper() == "EXPRESS"
    info = ExecutionInfo(
        name=execution_name,
        state_machine_name=machine_name,
        input=execution_input,
        start_time=started,
        express=express,
        **(
            {"role_arn": str(overrides["Execution"]["RoleArn"])}
            if "RoleArn" in (overrides.get("Execution") or {})
            else {}
        ),
    )
    limit = plan.timeout_seconds if isinstance(plan.timeout_seconds, int | float) else None
    if express:
        limit = min(limit, 300) if limit else 300
    deadline = started + limit if limit else NO_DEADLINE
    try:
        input_size = json_size(execution_input)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"run() input must be a JSON value (dict, list, str, int, float, bool or None): {exc}. "
            "Convert it first, e.g. json.loads(json.dumps(value, default=str))."
        ) from None
    state = RunState(
        clock=the_clock,
        lambdas=functions,
        services=dict(services or {}),
        info=info,
        deadline=deadline,
        seed=seed,
        max_workers=max_workers,
        ctx_bound=input_size + 1024,
    )
    rec = Recorder()
    timeline = Timeline(started)
    strand = Strand(timeline, {}, 0, rec, input_size, 0)
    _relax_gc()
    status: Status = "SUCCEEDED"
    output: Json = None
    error: str | None = None
    cause: str | None = None
    try:
        if input_size > MAX_PAYLOAD_BYTES:
            raise StatesError(
                DATA_LIMIT_EXCEEDED, "The execution input exceeds the maximum number of bytes service limit."
            )
        output = _run_block(state, plan.block.start, strand, execution_input)
    except StatesError as err:
        status = "FAILED"
        error = err.error or None
        cause = err.cause
    except _ExecutionTimedOut:
        status = "TIMED_OUT"
        error = TIMEOUT
        cause = None
        timeline.now = max(timeline.now, deadline)
    except _Aborted:
        status = "ABORTED"
    finally:
        state.aborted = True
        _restore_gc()
    return Execution(
        status=status,
        output=output,
        error=error,
        cause=cause,
        input=execution_input,
        name=execution_name,
        arn=info.execution_arn,
        start_time=started,
        stop_time=timeline.now,
        role_arn=info.role_arn,
        trace=rec.trace,
        source=machine,
    )
