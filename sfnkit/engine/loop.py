"""The run loop and what one execution shares while it runs: the strands (threads of control), the recorder
of the trace, the run state, and the JSON size AWS's payload quotas count.

``run_block`` is the whole interpreter loop: one turn per transition, no recursion (10,000-state machines run
under the default recursion limit); each node's ``execute`` does its state's work and returns the next node.
"""

from __future__ import annotations

import itertools
import json
import os
import random as random_module
import threading
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, Final

from sfnkit.asl.context import ExecutionInfo
from sfnkit.asl.failures import (
    RUNTIME,
    StatesError,
)
from sfnkit.asl.jsonata import Runtime
from sfnkit.asl.quotas import HISTORY_LIMIT_CAUSE, MAX_EXPRESS_TRANSITIONS, MAX_HISTORY_EVENTS, express_guard_cause
from sfnkit.asl.scope import DRAWS, Json
from sfnkit.clock import (
    NO_DEADLINE,
    Clock,
    Timeline,
)

if TYPE_CHECKING:
    from sfnkit.engine.mocks import MockBinding
    from sfnkit.engine.node import Node

# Unseeded runs draw from one shared source: seeding a Random from the OS costs ~15 µs, a quarter of a short run.
# Its draws (getrandbits, random) are single C calls, atomic under the GIL; a forked child reseeds it.
UNSEEDED: Final = random_module.Random()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=UNSEEDED.seed)


NO_LIMIT: Final = 1 << 62


# --- sizes: AWS counts the UTF-8 bytes of a payload's JSON text -------------------------------------------------

_encoder = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, None, encode_basestring, None, ":", ",", False, False, True
    )
    if getattr(json.encoder, "c_make_encoder", None)
    else None
)


def json_text(value: Json) -> str:
    """*value*'s compact JSON text, non-ASCII characters as they are (a lone surrogate too, as JSON can escape one)."""
    if _encoder is not None:
        try:
            return "".join(_encoder(value, 0))
        except TypeError:
            pass
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_size(value: Json) -> int:
    """Bytes of *value*'s compact UTF-8 JSON text (what AWS compares with the 256 KiB quota)."""
    # a lone surrogate counts its three bytes instead of failing
    return len(json_text(value).encode("utf-8", "surrogatepass"))


_FLAT_ITEMS: Final = 16
_NUMBER_TEXT: Final = 24  # the longest repr of a float ("-2.2250738585072014e-308"), or of an int below 10**20


def flat_size_bound(value: Json) -> int | None:
    """An upper bound on :func:`json_size` of a dict or list of at most 16 numbers, booleans, nulls and strings,
    found without encoding it (a small state output, measured at every state); None for anything else.

    A character takes at most 6 bytes of JSON text (``\\u001f``; UTF-8 takes at most 4).

    >>> flat_size_bound({"i": 7}) >= json_size({"i": 7}), flat_size_bound({"a": [1]})
    (True, None)
    """
    if type(value) is dict:
        if len(value) > _FLAT_ITEMS:
            return None
        total = 2
        for key, item in value.items():
            if type(key) is not str:
                return None
            size = _flat_item(item)
            if size < 0:
                return None
            total += 6 * len(key) + 4 + size  # quotes, colon and comma around the key
        return total
    if type(value) is list:
        if len(value) > _FLAT_ITEMS:
            return None
        total = 2
        for item in value:
            size = _flat_item(item)
            if size < 0:
                return None
            total += size + 1
        return total
    return None


def _flat_item(item: Json) -> int:
    kind = type(item)
    if kind is str:
        return 6 * len(item) + 2
    if kind is int:
        return _NUMBER_TEXT if -(10**20) < item < 10**20 else -1
    if kind is float or kind is bool or item is None:
        return _NUMBER_TEXT
    return -1


# --- run-time structures --------------------------------------------------------------------------------------


class ExecutionTimedOut(Exception):
    """The execution's TimeoutSeconds passed."""


class Aborted(Exception):
    """A sibling branch or iteration failed: stop this one."""


class QuotaReached(Exception):
    """The execution hit one of AWS's quotas on its history, or sfnkit's local transition guard: it fails with
    ``error``/``cause`` whatever Retry or Catch say (``sfnkit.asl.quotas``)."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.error = error
        self.cause = cause


class Uncatchable(StatesError):
    """A failure no Retry or Catch may handle (a state's output over the payload quota)."""


class Recorder:
    """Where a thread of control writes its trace (a distributed Map's child executions have their own)."""

    __slots__ = ("count", "event_limit", "lock", "trace", "transition_limit", "transitions")

    def __init__(self, execution_type: str = "STANDARD", lock: threading.Lock | None = None) -> None:
        self.trace: list[tuple[Any, ...]] = []
        self.count = 1  # ExecutionStarted
        self.lock = threading.Lock() if lock is None else lock
        # AWS's history quota for a Standard execution; a local guard on transitions for an Express one
        express = execution_type == "EXPRESS"
        self.event_limit = NO_LIMIT if express else MAX_HISTORY_EVENTS - 1  # the last event: ExecutionSucceeded
        self.transition_limit = MAX_EXPRESS_TRANSITIONS if express else NO_LIMIT
        self.transitions = 0


class Strand:
    """One thread of control: the execution, a Parallel branch or a Map iteration."""

    __slots__ = ("abort_at", "bound", "chain", "item", "random", "rec", "timeline", "var_bound", "variables")

    def __init__(
        self,
        timeline: Timeline,
        variables: Mapping[str, Json],
        chain: int,
        rec: Recorder,
        bound: int,
        var_bound: int,
        item: int | None = None,
    ) -> None:
        self.item = item  # the index of the Map item this strand works on (innermost Map), for TaskCall.iteration
        self.abort_at = NO_DEADLINE  # when a sibling branch or iteration failed: this one stops past that instant
        self.timeline = timeline
        self.variables = variables
        self.chain = chain
        self.rec = rec
        self.bound = bound  # an upper bound of the current data's JSON size
        self.var_bound = var_bound  # an upper bound of the visible variables' total JSON size
        self.random: random_module.Random | None = None  # a seeded run's draws for this thread of control

    def child_randoms(self, count: int) -> list[random_module.Random | None]:
        """Random sources for *count* branches or iterations, drawn in order before any runs: item i gets the same
        one whatever the threads do."""
        source = self.random
        if source is None:
            return [None] * count
        return [random_module.Random(source.getrandbits(64)) for _ in range(count)]


class RunState:
    """Everything one execution shares between its strands."""

    __slots__ = (
        "_base_context",
        "aborted",
        "advice",
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
        "mocks",
        "open_ended",
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
        mocks: MockBinding | None = None,
    ) -> None:
        self.mocks = mocks  # run(mocks=): Task states answered by mocks (None: no test on the hot path but this one)
        self.clock = clock
        self.virtual = clock.virtual and type(clock).tick is Clock.tick
        self.lambdas = lambdas
        self.functions: dict[str, Callable[..., Any] | None] = {}
        self.services = services
        self.info = info
        self._base_context: dict[str, Json] | None = None
        self.deadline = deadline
        self.express = info.express
        self.random = random_module.Random(seed) if seed is not None else UNSEEDED
        # $random() and $uuid() draw from the running thread of control's source (see Strand.random)
        self.jsonata_runtime = _STRAND_RUNTIME if seed is not None else None
        self.max_workers = max_workers
        self.chains = itertools.count(1)
        self.aborted = False
        self.ctx_bound = ctx_bound
        self.advice: list[str] = []  # sfnkit's hints for the user, beside AWS's error (Execution.advice)
        self.open_ended = False  # the deadline is AWS's duration quota, not the machine's TimeoutSeconds

    @property
    def base_context(self) -> dict[str, Json]:
        """The execution's part of the context object (built when a state first reads ``$$``)."""
        base = self._base_context
        if base is None:
            base = self._base_context = self.info.base()
        return base

    def note(self, advice: str) -> None:
        """Keep a hint for the user (once), e.g. how to bind a Lambda function the run could not find."""
        if advice not in self.advice:
            self.advice.append(advice)

    def request_id(self, strand: Strand) -> str:
        """A version-4 UUID drawn from *strand*'s random source: with ``seed=``, the branch or item that draws it
        gets the same one whatever the threads do."""
        return uuid4_text((strand.random or self.random).getrandbits(128))


def _strand_random() -> float:
    source = DRAWS.random
    return (source or UNSEEDED).random()


def _strand_uuid() -> str:
    return uuid4_text((DRAWS.random or UNSEEDED).getrandbits(128))


_STRAND_RUNTIME: Final = Runtime(random=_strand_random, uuid=_strand_uuid)


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``, without the UUID object."""
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


# --- the main loop -----------------------------------------------------------------------------------------------


def run_block(run: RunState, node: Node | None, strand: Strand, data: Json) -> Json:
    """Run states from *node* until an end: iterative, one loop turn per transition."""
    timeline = strand.timeline
    abort_at = strand.abort_at
    # one comparison per turn: past it, the deadline or a sibling's failure may have come (checked exactly below)
    watch = min(run.deadline, abort_at)
    rec = strand.rec
    event_limit = rec.event_limit
    counted = rec.transition_limit != NO_LIMIT  # Express: sfnkit's transition guard; Standard: the event quota
    draws = DRAWS
    outer = draws.random
    draws.random = strand.random
    try:
        while node is not None:
            if timeline.now >= watch or run.aborted:
                now = timeline.now
                if now >= run.deadline:
                    raise ExecutionTimedOut
                if now > abort_at or run.aborted:
                    raise Aborted
            if rec.count >= event_limit:
                raise quota_reached(rec)
            if counted:
                if rec.transitions >= rec.transition_limit:
                    raise quota_reached(rec)
                rec.transitions += 1
            node, data = node.execute(run, strand, data)
    finally:
        draws.random = outer
    return data


def quota_reached(rec: Recorder) -> QuotaReached:
    """The failure of an execution with no room for another event (it has 24,999: the next, number 25,000, may only
    be ExecutionSucceeded), or with too many transitions (Express: sfnkit's local guard)."""
    if rec.count >= rec.event_limit:
        return QuotaReached(RUNTIME, HISTORY_LIMIT_CAUSE)
    return QuotaReached(RUNTIME, express_guard_cause())
