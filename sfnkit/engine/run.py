"""``run()``: execute a state machine in-process, exactly as AWS Step Functions does, on a virtual or real clock.

Every side effect comes in through ``run()``'s arguments: Lambda handlers, service callables and the clock. A
machine's plan is compiled once and cached (by object, and by definition text). History is a trace: states
append compact tuples; ``Execution.history`` turns them into GetExecutionHistory events on first use.
"""

from __future__ import annotations

import collections
import gc
import json
import random as random_module
import threading
import weakref
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from sfnkit.asl.context import ExecutionInfo
from sfnkit.asl.failures import (
    DATA_LIMIT_EXCEEDED,
    RUNTIME,
    TIMEOUT,
    StatesError,
)
from sfnkit.asl.quotas import HISTORY_LIMIT_CAUSE, MAX_SECONDS
from sfnkit.asl.scope import Json
from sfnkit.clock import (
    Clock,
    ClockName,
    Timeline,
    make_clock,
)
from sfnkit.engine.loop import (
    UNSEEDED,
    Aborted,
    ExecutionTimedOut,
    QuotaReached,
    Recorder,
    RunState,
    Strand,
    json_text,
    run_block,
    uuid4_text,
)
from sfnkit.engine.mocks import OBSERVERS, bind_mocks
from sfnkit.engine.plan import Plan, compile_plan
from sfnkit.execution import Execution, Status
from sfnkit.lambdas import MAX_PAYLOAD_BYTES, json_copy

# A run allocates many small acyclic objects (its trace); CPython's default GC thresholds would scan them over and
# over (half the time of a 10,000-item Map). Runs raise the first threshold. When the last one ends, the caller's
# threshold comes back counted from there: the run's young objects do not force a collection the moment it
# returns (an execution dropped before the next one is freed without any: a third of a 3,000-item Map's time),
# and the first collection after it puts the caller's own threshold back (unless the caller set another meanwhile).
_gc_lock = threading.RLock()  # (re-entrant: a collection, and its callback, may start while a run holds it)
_gc_runs = 0
_gc_saved: tuple[int, int, int] | None = None  # the caller's thresholds, while runs (or the restore) hold them
_gc_set: tuple[int, int, int] | None = None  # what the last run to end set, until the restore


def _relax_gc() -> None:
    global _gc_runs, _gc_saved
    with _gc_lock:
        if _gc_runs == 0:
            if _gc_saved is None or gc.get_threshold() != _gc_set:  # (no restore pending, or the caller's own)
                _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], 50_000), _gc_saved[1], max(_gc_saved[2], 100))
        _gc_runs += 1


def _restore_gc() -> None:
    global _gc_runs, _gc_saved, _gc_set
    with _gc_lock:
        _gc_runs -= 1
        if _gc_runs == 0 and _gc_saved is not None:
            if _gc_saved[0] == 0:  # the caller turned automatic collection off
                gc.set_threshold(*_gc_saved)
                _gc_saved = None
                return
            _gc_set = (_gc_saved[0] + gc.get_count()[0], _gc_saved[1], _gc_saved[2])
            gc.set_threshold(*_gc_set)
            if _gc_restored not in gc.callbacks:
                gc.callbacks.append(_gc_restored)


def _gc_restored(phase: str, info: Mapping[str, int]) -> None:
    """After the first collection since the last run ended: the caller's own thresholds again."""
    global _gc_saved
    if phase != "stop":
        return
    with _gc_lock:
        if _gc_runs == 0 and _gc_saved is not None:
            if gc.get_threshold() == _gc_set:  # (a threshold the caller set meanwhile stays)
                gc.set_threshold(*_gc_saved)
            _gc_saved = None


_PLANS: weakref.WeakKeyDictionary[Any, Plan] = weakref.WeakKeyDictionary()
_PLANS_LOCK = threading.Lock()


_PLANS_BY_TEXT: collections.OrderedDict[str, Plan] = collections.OrderedDict()
_PLANS_BY_TEXT_SIZE: Final = 32


def _cached_plan(definition: Mapping[str, Json] | str, make: Callable[[], Plan], name: str = "") -> Plan:
    """The plan of a machine *name* with this exact compact JSON text (given, or as a dict), compiled once (a bounded
    LRU: new StateMachine objects of the same definition, e.g. one ``from_asl`` per run, reuse it)."""
    try:
        text = definition if isinstance(definition, str) else json.dumps(definition, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return make()  # not JSON: validation (in make) says where
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

        try:
            text = machine.decode() if isinstance(machine, bytes) else machine
        except UnicodeDecodeError as exc:
            raise ValueError(f"run() got bytes that are not UTF-8 ASL JSON text ({exc}); pass a dict or str") from None
        if isinstance(text, Mapping):
            # a definition run before skips validation and compilation (they depend only on its text)
            return _cached_plan(text, lambda: _plan_for(from_asl(text))[0]), {}
        return _plan_for(from_asl(text))
    raise TypeError(
        f"run() needs a StateMachine, an ASL definition (dict) or ASL JSON text, not {type(machine).__name__}"
    )


def _task_names(machine: Any) -> list[str]:
    """The Task states of the whole machine (branches and item processors included), to check mocks= against."""
    from sfnkit.asl.codec import from_asl
    from sfnkit.machine import StateMachine
    from sfnkit.states import Task

    if isinstance(machine, Plan):
        raise TypeError("run(mocks=) needs the StateMachine or its ASL definition, not a compiled Plan")
    graph = machine if isinstance(machine, StateMachine) else from_asl(machine, validate=False)
    return [name for name, state, _owner in graph.walk() if isinstance(state, Task)]


def _check_arguments(
    *,
    lambdas: object,
    services: object,
    context: object,
    max_workers: object,
) -> None:
    """Say what to pass when run()'s keyword arguments have the wrong shape (before anything runs)."""
    for name, value in (("lambdas", lambdas), ("services", services)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(
                f"run({name}=...) maps names to Python callables, e.g. {{'charge': charge}}; got {value!r:.60}"
            )
    if context is not None:
        if not isinstance(context, Mapping):
            raise TypeError(
                f"run(context=...) is a dict such as {{'Execution': {{'Name': 'run-1'}}}}; got {context!r:.60}"
            )
        for key, value in context.items():
            if not isinstance(value, Mapping):
                raise TypeError(
                    f"run(context={{{key!r}: {value!r:.40}}}): each part of the context object is a dict, e.g. "
                    "{'Execution': {'Name': 'run-1'}} or {'StateMachine': {'Name': 'Orders'}}"
                )
    if max_workers is not None and (not isinstance(max_workers, int) or isinstance(max_workers, bool)):
        raise TypeError(f"run(max_workers=...) is a number of threads (an int ≥ 1) or None; got {max_workers!r}")
    if isinstance(max_workers, int) and max_workers < 1:
        raise ValueError(f"run(max_workers={max_workers}): use 1 or more threads, or None")


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
    mocks: Mapping[str, Any] | None = None,
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
        mocks: Task state name → mock answering in place of the Lambda function or service (``sfnkit.testing``:
            ``Return``, ``Throw``, ``sequence``, ``per_iteration``, or a ``MockConfig`` test case); each
            invocation of the state, retries and Map iterations included, takes the next answer.

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
        TypeError: *machine* is not a StateMachine, a dict or JSON text; or a value of *mocks* is not a mock.
        ValueError: *mocks* names a state that is not a Task state of the machine.
    """
    _check_arguments(lambdas=lambdas, services=services, context=context, max_workers=max_workers)
    plan, bound = _plan_for(machine)
    # the plan may be shared by machines with the same definition: the name comes from this machine
    default_name = getattr(machine, "name", None) or "StateMachine"
    functions: dict[str, Callable[..., Any]] = dict(bound)
    if lambdas:
        functions.update(lambdas)
    # a services world (sfnkit.aws()) shares one virtual time among the executions that talk to each other
    world_clock = getattr(services, "clock", None)
    if clock == "virtual" and isinstance(world_clock, Clock):
        if start is not None:
            raise ValueError(
                "run(start=...) cannot move the clock of a services world (sfnkit.aws()), which its executions "
                "share: drop start=, or run without that world"
            )
        the_clock = world_clock
    else:
        the_clock = make_clock(clock, start)
    execution_input = {} if input is None else input
    try:
        input_text = json_text(execution_input)
    except RecursionError:
        raise ValueError("run() input nests arrays and objects too deeply to encode as JSON; flatten it") from None
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"run() input must be a JSON value (dict, list, str, int, float, bool or None): {exc}. "
            "Convert it first, e.g. json.loads(json.dumps(value, default=str))."
        ) from None
    input_size = len(input_text.encode("utf-8", "surrogatepass"))
    if not isinstance(type, str) or type.upper() not in ("STANDARD", "EXPRESS"):
        raise ValueError(f"run(type={type!r}): the execution type is 'STANDARD' (the default) or 'EXPRESS'")
    execution_type = type.upper()
    express = execution_type == "EXPRESS"
    overrides = dict(context or {})
    bound_mocks = None if mocks is None else bind_mocks(mocks, _task_names(machine))  # may raise: before start()
    _relax_gc()  # (from the input's copy on: a large input is many young objects too)
    try:
        # the run's own copy: later changes to the caller's value cannot reach it (from the text the size needed
        # anyway: parsing it is twice as fast as copying a large value object by object)
        execution_input = json_copy(execution_input) if len(input_text) < 1024 else json.loads(input_text)
        started = the_clock.start()
        rng = random_module.Random(seed) if seed is not None else UNSEEDED
        execution_name = str((overrides.get("Execution") or {}).get("Name") or uuid4_text(rng.getrandbits(128)))
        machine_name = str((overrides.get("StateMachine") or {}).get("Name") or default_name)
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
        # AWS's quota on an execution's duration bounds the machine's own TimeoutSeconds (one year, or five minutes)
        limit: float = MAX_SECONDS[execution_type]
        if isinstance(plan.timeout_seconds, int | float) and plan.timeout_seconds > 0:
            limit = min(limit, plan.timeout_seconds)
        open_ended = limit == MAX_SECONDS[execution_type]
        deadline = started + limit
        state = RunState(
            clock=the_clock,
            lambdas=functions,
            # a plain dict is copied (the caller may change theirs); other mappings look resources up as they go
            services=dict(services) if isinstance(services, dict) else services if services is not None else {},
            info=info,
            deadline=deadline,
            seed=seed,
            max_workers=max_workers,
            ctx_bound=input_size + 1024,
            mocks=bound_mocks,
        )
        state.open_ended = open_ended
        rec = Recorder(execution_type)
        timeline = Timeline(started)
        strand = Strand(timeline, {}, 0, rec, input_size, 0)
        strand.random = random_module.Random(rng.getrandbits(64)) if seed is not None else None
    except BaseException:
        _restore_gc()
        raise
    status: Status = "SUCCEEDED"
    output: Json = None
    error: str | None = None
    cause: str | None = None
    try:
        if input_size > MAX_PAYLOAD_BYTES:
            raise StatesError(
                DATA_LIMIT_EXCEEDED, "The execution input exceeds the maximum number of bytes service limit."
            )
        output = run_block(state, plan.block.start, strand, execution_input)
        if rec.count > rec.event_limit:  # the last state's events went past the history quota
            raise QuotaReached(RUNTIME, HISTORY_LIMIT_CAUSE)
    except QuotaReached as reached:
        status, error, cause, output = "FAILED", reached.error, reached.cause, None
    except RecursionError:  # a value nested deeper than Python recurses (a local limit, not AWS's)
        status, error, output = "FAILED", RUNTIME, None
        cause = "sfnkit could not process a value nested this deeply (Python's recursion limit); flatten the data."
    except StatesError as err:
        status = "FAILED"
        error = err.error or None
        cause = err.cause
    except ExecutionTimedOut:
        status = "TIMED_OUT"
        error = TIMEOUT
        cause = None
        timeline.now = max(timeline.now, deadline)
    except Aborted:
        status = "ABORTED"
    finally:
        state.aborted = True
        _restore_gc()
        the_clock.stop()
    execution = Execution(
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
        advice=tuple(state.advice),
    )
    if OBSERVERS:  # a coverage run (sfnkit.testing) is watching
        for observer in tuple(OBSERVERS):
            observer(execution)
    return execution
