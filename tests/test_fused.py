"""Fused chains (``sfnkit.engine.fused``) are the general path, faster: the same machine compiled with fusion
everywhere from the first entry (``"all"``) and without (``"off"``) gives the same execution, history included, on
the recorded corpus, on random loops and Maps, and at the edges of AWS's quotas."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sfnkit
from sfnkit.asl.quotas import MAX_EXPRESS_TRANSITIONS, MAX_HISTORY_EVENTS
from sfnkit.engine.fused import FusedNode
from sfnkit.engine.plan import Plan, compile_plan
from sfnkit.execution import expand

CORPUS = sorted((Path(__file__).parent / "conformance" / "cases").glob("*/*.json"))
START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def observed(execution: sfnkit.Execution) -> dict[str, Any]:
    """Everything a caller can read of an execution."""
    return {
        "status": execution.status,
        "error": execution.error,
        "cause": execution.cause,
        "output": execution.output,
        "stop_time": execution.stop_time,
        "history": execution.history,
        "states": execution.states,
    }


def both(
    definition: dict[str, Any], data: Any, *, see: Any = observed, **options: Any
) -> tuple[dict[str, Any], dict[str, Any], Plan]:
    """What *see* reads of the execution of *definition* unfused and fused (each from a fresh plan, same seed and
    start)."""
    options = {"seed": 7, "start": START, **options}
    plain = compile_plan(definition, fusion="off")
    fused = compile_plan(definition, fusion="all")
    return see(sfnkit.run(plain, data, **options)), see(sfnkit.run(fused, data, **options)), fused


def ending(execution: sfnkit.Execution) -> dict[str, Any]:
    """How an execution ended, and how many events it recorded (its history unrendered)."""
    events = sum(2 if record[0] == 0 else 1 for record in expand(execution.trace))
    return {
        "status": execution.status,
        "error": execution.error,
        "cause": execution.cause,
        "output": execution.output,
        "events": events,
    }


def stand_ins(plan: Plan) -> list[FusedNode]:
    """The plan's stand-ins whose chain was compiled (its Map processors' too), each once."""
    found: dict[int, FusedNode] = {}
    blocks = [plan.block]
    while blocks:
        block = blocks.pop()
        for node in block.nodes.values():
            for target in (block.start, node.next, getattr(node, "default", None)):
                if isinstance(target, FusedNode) and target.function is not None:
                    found[id(target)] = target
            blocks.extend(getattr(node, "branches", ()))
            if hasattr(node, "processor"):
                blocks.append(node.processor)
    return list(found.values())


def counter_loop(limit: int, *, step: str = "States.MathAdd($.i, 1)") -> dict[str, Any]:
    return {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThan": limit, "Next": "Inc"}],
                "Default": "Done",
            },
            "Inc": {"Type": "Pass", "Parameters": {"i.$": step}, "Next": "Check"},
            "Done": {"Type": "Succeed"},
        },
    }


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_corpus_case_runs_the_same_fused(path: Path) -> None:
    """Every recorded case: the same execution with every Pass/Choice/Succeed chain fused as without."""
    from tests.conformance.test_conformance import _handler, case_start

    case = json.loads(path.read_text(encoding="utf-8"))
    lambdas = {name: _handler(info["impl"]) for name, info in (case.get("lambdas") or {}).items()}
    try:
        plain, fused, _plan = both(
            case["definition"],
            case["input"],
            lambdas=lambdas,
            type=case.get("state_machine_type", "STANDARD"),
            start=case_start(case) or START,
        )
    except sfnkit.SfnkitError:
        pytest.skip("a definition AWS rejects at creation")
    assert fused == plain


def test_the_loop_and_the_map_run_fused() -> None:
    """Not vacuous: the chains are compiled and taken (a loop turn and a Map item each run as one call)."""
    plain, fused, plan = both(counter_loop(50), {"i": 0})
    assert fused == plain and fused["output"] == {"i": 50}
    assert [node.name for node in stand_ins(plan)] == ["Check"]
    assert "while True" in stand_ins(plan)[0].source
    mapped = {
        "StartAt": "Fan",
        "States": {"Fan": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": counter_loop(3), "End": True}},
    }
    plain, fused, plan = both(mapped, {"items": [{"i": k} for k in range(5)]})
    assert fused == plain and fused["output"] == [{"i": 3}, {"i": 3}, {"i": 3}, {"i": 3}, {"i": 4}]
    assert stand_ins(plan)


@pytest.mark.parametrize("turns", [MAX_HISTORY_EVENTS // 4 - 2 + k for k in range(4)])
def test_the_history_quota_cuts_a_fused_loop_where_it_cuts_the_states(turns: int) -> None:
    """Around 25,000 events a fused loop has no room for a whole turn: it hands over state by state, so the
    execution fails at the same event (or succeeds) as unfused."""
    plain, fused, _plan = both(counter_loop(turns), {"i": 0}, see=ending)
    assert fused == plain
    assert plain["status"] in ("SUCCEEDED", "FAILED")


@pytest.mark.parametrize("turns", [MAX_EXPRESS_TRANSITIONS // 2 - 1 + k for k in range(3)])
def test_the_express_transition_guard_stops_a_fused_loop_where_it_stops_the_states(turns: int) -> None:
    plain, fused, _plan = both(counter_loop(turns), {"i": 0}, type="EXPRESS", see=ending)
    assert fused == plain


def test_a_fused_loop_growing_past_256_kib_fails_as_the_states_do() -> None:
    """The size bound passes the quota inside the chain (the data doubles each turn): the state measures exactly,
    and the execution fails where it fails unfused."""
    definition = {
        "StartAt": "Grow",
        "States": {
            "Grow": {"Type": "Pass", "Parameters": {"a.$": "$", "b.$": "$"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                "Default": "Grow",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    plain, fused, plan = both(definition, {"pad": "x" * 1000})
    assert fused == plain
    assert plain["error"] == "States.DataLimitExceeded"
    assert stand_ins(plan)


# --- random loops and Maps -------------------------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "", 1.5])
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from("ain"), inner, max_size=2),
    max_leaves=5,
)
_paths = st.sampled_from(["$.i", "$.a", "$.n", "$.a.i", "$"])
_rules = st.one_of(
    st.builds(lambda p, v: {"Variable": p, "NumericLessThan": v}, _paths, st.integers(-1, 4)),
    st.builds(lambda p, v: {"Variable": p, "StringEquals": v}, _paths, st.sampled_from(["a", ""])),
    st.builds(lambda p, b: {"Variable": p, "IsPresent": b}, _paths, st.booleans()),
    st.builds(lambda p, q: {"Variable": p, "NumericLessThanPath": q}, _paths, _paths),
)
_templates = st.dictionaries(
    st.sampled_from(["i.$", "a.$", "n", "a"]),
    st.sampled_from(["$.i", "$.a", "$.n", "States.MathAdd($.i, 1)", "States.UUID()", "States.Format('{}', $.a)"]),
    min_size=1,
    max_size=3,
).map(lambda t: {k: (v if k.endswith(".$") else 1) for k, v in t.items()})


@st.composite
def _looping_block(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """A block of Pass, Choice, Succeed and Fail states whose Choices may jump back (loops end at a counter or,
    failing that, at a quota), with a Map of such a block inside at the top."""
    count = draw(st.integers(1, 5))
    names = [f"S{depth}_{k}" for k in range(count)]
    states: dict[str, Any] = {}
    for k, name in enumerate(names):
        after = names[k + 1] if k + 1 < count else None
        kind = draw(
            st.sampled_from(
                ["Pass", "Pass", "Choice", "Choice", "Succeed", "Fail", "Map"]
                if depth == 0
                else ["Pass", "Choice", "Succeed"]
            )
        )
        state: dict[str, Any] = {"Type": kind}
        if kind == "Pass":
            form = draw(st.sampled_from(["Parameters", "Result", "Plain"]))
            if form == "Parameters":
                state["Parameters"] = draw(_templates)
            elif form == "Result":
                state["Result"] = draw(_values)
            if draw(st.booleans()):
                state["ResultPath"] = draw(st.sampled_from(["$", "$.a", "$.r", None]))
            if draw(st.booleans()):
                state["InputPath"] = draw(_paths)
        elif kind == "Choice":
            rules = draw(st.lists(_rules, min_size=1, max_size=2))
            for rule in rules:
                rule["Next"] = draw(st.sampled_from(names))  # backwards too: a loop
            state["Choices"] = rules
            if after is not None or draw(st.booleans()):
                state["Default"] = after or names[0]
        elif kind == "Fail":
            state.update({"Error": "E", "Cause": "c"})
        elif kind == "Map":
            state["ItemsPath"] = "$.items"
            state["ItemProcessor"] = draw(_looping_block(depth + 1))
            state["ResultPath"] = "$.mapped"
        if kind in ("Pass", "Map"):
            if after is None:
                state["End"] = True
            else:
                state["Next"] = after
        states[name] = state
    reachable, frontier = set(), [names[0]]
    while frontier:
        name = frontier.pop()
        if name in reachable:
            continue
        reachable.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default"), *(r["Next"] for r in state.get("Choices", []))]
        frontier.extend(t for t in targets if t)
    return {"StartAt": names[0], "States": {k: v for k, v in states.items() if k in reachable}}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    definition=_looping_block(),
    data=st.fixed_dictionaries(
        {"i": st.integers(-2, 3), "items": st.lists(st.fixed_dictionaries({"i": st.integers(0, 3)}), max_size=4)},
        optional={"a": _values, "n": _values},
    )
    | _values,
    express=st.booleans(),
)
def test_random_loops_and_maps_run_the_same_fused(definition: dict[str, Any], data: Any, express: bool) -> None:
    try:
        plain, fused, _plan = both(definition, data, type="EXPRESS" if express else "STANDARD")
    except sfnkit.SfnkitError:
        return  # a definition AWS rejects at creation
    assert fused == plain


@pytest.mark.parametrize("operator", ["NumericEquals", "NumericLessThan", "NumericGreaterThanEquals"])
@pytest.mark.parametrize("literal", [3, 2.5, 2**53, -(2**53)])
def test_numeric_rules_written_out_decide_as_the_rule_functions(operator: str, literal: float) -> None:
    """The comparisons a fused Choice writes out: floats, ints around 2**53, bools, strings, missing fields."""
    processor = {
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", operator: literal, "Next": "Yes"}],
                "Default": "No",
            },
            "Yes": {"Type": "Pass", "Result": "yes", "End": True},
            "No": {"Type": "Pass", "Result": "no", "End": True},
        },
    }
    values = [3, 3.0, 2.5, -1, True, None, "3", [3], 2**53, 2**53 + 1, -(2**53) - 1, 10**400, float("inf")]
    items = [{"x": value} for value in values] + [{}, {"y": 1}]
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": processor,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    plain, fused, plan = both(definition, {"items": items})
    assert fused == plain and stand_ins(plan)
    plain, fused, _plan = both(definition, {"items": items[:-2]})
    assert fused == plain and plain["status"] == "SUCCEEDED"


def test_auto_fuses_map_processors_and_loops_only() -> None:
    """``auto`` (what run() compiles): stand-ins in a Map's item processor and on a loop through a Choice; a
    straight chain, run once per execution, keeps its plain nodes (no code to write for states run once)."""
    loop = compile_plan(counter_loop(3))
    assert {name for name, node in loop.block.nodes.items() if isinstance(node.next, FusedNode)} == {"Inc"}
    assert isinstance(loop.block.start, FusedNode)
    chain = compile_plan(
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "C"}],
                    "Default": "C",
                },
                "C": {"Type": "Succeed"},
            },
        }
    )
    assert not isinstance(chain.block.start, FusedNode)
    mapped = compile_plan(
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Map",
                    "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                    "End": True,
                }
            },
        }
    )
    processor = mapped.block.start.processor  # type: ignore[attr-defined]
    assert isinstance(processor.start, FusedNode) and processor.start.function is None  # compiled when hot
    assert sfnkit.run(mapped, [{}] * 3).output == [{}] * 3
    assert processor.start.function is None and processor.start.loop_of is None
    assert sfnkit.run(mapped, [{}] * 40).output == [{}] * 40
    # 40 items: the Map's loop over them is generated (its iterations never call the chain's own function)
    assert processor.start.loop_of is not None and processor.start.loop_of[0] is not None


# --- fused Map loops (sfnkit.engine.fused_map) -------------------------------------------------------------------


def _fan(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "Fan",
        "States": {"Fan": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, "End": True, **fields}},
    }


def _map_loop_compiled(plan: Plan) -> bool:
    start = plan.block.start.processor.start  # type: ignore[attr-defined]
    return isinstance(start, FusedNode) and start.loop_of is not None and start.loop_of[0] is not None


_ROUTE = {
    "StartAt": "Shape",
    "States": {
        "Shape": {"Type": "Pass", "Parameters": {"x.$": "$.x", "id.$": "States.UUID()", "y": 1}, "Next": "Route"},
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.x", "NumericGreaterThanEquals": 3, "Next": "Hi"},
                {"Variable": "$.x", "NumericEquals": -1, "Next": "Call"},
                {"Variable": "$.x", "NumericEquals": -2, "Next": "Stop"},
                {"Variable": "$.x", "NumericEquals": -3, "Next": "Nap"},
            ],
            "Default": "Lo",
        },
        "Hi": {"Type": "Pass", "Result": "hi", "End": True},
        "Lo": {"Type": "Pass", "Parameters": {"lo.$": "$.x"}, "End": True},
        "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:echo", "End": True},
        "Stop": {"Type": "Fail", "Error": "Stop", "Cause": "item -2"},
        "Nap": {"Type": "Wait", "Seconds": 5, "End": True},
    },
}


@pytest.mark.parametrize(
    "items",
    [
        [{"x": k} for k in range(6)],  # all on the chain
        [{"x": 1}, {"x": -1}, {"x": 5}, {"x": -1}, {"x": 2}],  # some leave it for a Task, and come back
        [{"x": -3}, {"x": 5}, {"x": -3}, {"x": 1}],  # some wait: the next still start at the Map's start
        [{"x": 1}, "text", {"x": 5}, {"z": 1}, {"x": "s"}, {"x": 4.5}],  # a field missing, a value of another type
        [{"x": 1}, {"x": 4}, {"x": -2}, {"x": 2}, {"x": -1}],  # an item fails: the Map fails
        [{"x": -3}, {"x": 4}, {"x": 2}, {"x": -2}, {"x": 3}],  # one fails while another waits: its wait is cut
        [],
    ],
)
def test_a_fused_map_loop_runs_as_the_states_do(items: list[Any]) -> None:
    """Items that stay on the chain, leave it at a state it does not hold, hand a state over (a missing field) or
    fail the Map: the same execution, history and seeded UUIDs included, as unfused."""
    lambdas = {"echo": lambda event: {"echoed": event["x"]}}
    plain, fused, plan = both(_fan(_ROUTE), {"items": items}, lambdas=lambdas)
    assert fused == plain
    assert _map_loop_compiled(plan) == bool(items)


def test_a_fused_map_loop_in_a_branch_cut_at_a_sibling_failure() -> None:
    """A Parallel branch that ran its Map in the fused loop, then went past the instant its sibling failed: its
    history is cut there as unfused (the loop's one record per iteration spelt out first)."""
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Fan",
                        "States": {
                            "Fan": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": _ROUTE, "Next": "Nap"},
                            "Nap": {"Type": "Wait", "Seconds": 100, "End": True},
                        },
                    },
                    {
                        "StartAt": "Wait",
                        "States": {
                            "Wait": {"Type": "Wait", "Seconds": 10, "Next": "Boom"},
                            "Boom": {"Type": "Fail", "Error": "Boom"},
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    plain, fused, _plan = both(definition, {"items": [{"x": k} for k in range(4)]})
    assert fused == plain and plain["error"] == "Boom"
    assert any(event["type"] == "WaitStateAborted" for event in plain["history"])


_THREE_PASSES = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": 1, "Next": "B"},
        "B": {"Type": "Pass", "Result": 2, "Next": "C"},
        "C": {"Type": "Pass", "Result": 3, "End": True},
    },
}


@pytest.mark.parametrize("items", [(MAX_HISTORY_EVENTS - 6) // 8 + k for k in range(-1, 2)])
def test_the_history_quota_cuts_a_fused_map_loop_where_it_cuts_the_states(items: int) -> None:
    """Eight events an item: around 25,000 events the loop leaves the last items to the general path, which fails
    at the same event (or succeeds) as unfused."""
    plain, fused, plan = both(_fan(_THREE_PASSES), {"items": [0] * items}, see=ending)
    assert fused == plain
    assert plain["status"] == ("SUCCEEDED" if items <= (MAX_HISTORY_EVENTS - 6) // 8 else "FAILED")
    assert _map_loop_compiled(plan)


@pytest.mark.parametrize("items", [(MAX_EXPRESS_TRANSITIONS - 1) // 3 + k for k in range(2)])
def test_the_express_transition_guard_stops_a_fused_map_loop_where_it_stops_the_states(items: int) -> None:
    """Three transitions an item: the guard's 100,000th transition falls in the last item or past it."""
    plain, fused, _plan = both(_fan(_THREE_PASSES), {"items": [0] * items}, type="EXPRESS", see=ending)
    assert fused == plain
    assert plain["status"] == ("SUCCEEDED" if 1 + 3 * items <= MAX_EXPRESS_TRANSITIONS else "FAILED")


# --- fused loops over a distributed Map's child executions (sfnkit.engine.fused_map, map_distributed) ------------


def _distributed(processor: dict[str, Any], child_type: str = "EXPRESS", **fields: Any) -> dict[str, Any]:
    config = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": child_type}}
    return _fan({**processor, **config}, **fields)


_ROUTE_ITEMS = [
    [{"x": k} for k in range(6)],  # all on the chain
    [{"x": 1}, {"x": -1}, {"x": 5}, {"x": -1}, {"x": 2}],  # some leave it for a Task, and come back
    [{"x": -3}, {"x": 5}, {"x": -3}, {"x": 1}, {"x": 4}, {"x": -3}, {"x": 0}],  # some wait: they end later
    [{"x": 1}, "text", {"x": 5}, {"z": 1}, {"x": "s"}, {"x": 4.5}],  # a field missing, a value of another type
    [{"x": 1}, {"x": 4}, {"x": -2}, {"x": 2}, {"x": -1}, {"x": -2}],  # children fail
    [],
]


@pytest.mark.parametrize("items", _ROUTE_ITEMS)
@pytest.mark.parametrize(
    "fields",
    [{}, {"ToleratedFailurePercentage": 100}, {"MaxConcurrency": 2, "ToleratedFailureCount": 5}],
    ids=["strict", "tolerant", "paced"],
)
@pytest.mark.parametrize("child_type", ["EXPRESS", "STANDARD"])
def test_a_fused_distributed_map_loop_runs_as_the_states_do(
    items: list[Any], fields: dict[str, Any], child_type: str
) -> None:
    """Children that stay on the chain, leave it for a Task or a Wait (later children paced by MaxConcurrency start
    when they end), hand a state over, or fail (tolerated or failing the Map): the same execution, seeded UUIDs
    included, as unfused."""
    lambdas = {"echo": lambda event: {"echoed": event["x"]}}
    plain, fused, plan = both(_distributed(_ROUTE, child_type, **fields), {"items": items}, lambdas=lambdas)
    assert fused == plain
    assert _map_loop_compiled(plan) == bool(items)


def test_a_fused_distributed_map_loop_starts_each_child_without_the_last_ones_variables() -> None:
    """A child that assigned a variable (off the chain), then children on it reading that variable: each child's
    variables are its own, so theirs is not found, fused as unfused."""
    processor = {
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Set"}],
                "Default": "Read",
            },
            "Set": {"Type": "Pass", "Assign": {"seen": 1}, "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": 1, "End": True},
            "Read": {"Type": "Pass", "Parameters": {"seen.$": "$seen"}, "End": True},
        },
    }
    definition = _distributed(processor, ToleratedFailurePercentage=100)
    plain, fused, plan = both(definition, {"items": [{"x": 1}, {"x": 2}, {"x": 1}, {"x": 3}]})
    assert fused == plain and _map_loop_compiled(plan)
    assert [type(out) for out in plain["output"]] == [dict] * 4
    assert "could not be found" in plain["output"][1]["Cause"]


def test_a_fused_distributed_map_loop_stops_at_the_execution_timeout() -> None:
    """One child at a time, some waiting: the children that would start past TimeoutSeconds never do; the
    execution times out at the same instant as unfused."""
    definition = {**_distributed(_ROUTE, MaxConcurrency=1), "TimeoutSeconds": 12}
    items = [{"x": 1}, {"x": -3}, {"x": 4}, {"x": -3}, {"x": 2}, {"x": -3}, {"x": 5}]
    plain, fused, plan = both(definition, {"items": items})
    assert fused == plain and plain["error"] == "States.Timeout"
    assert _map_loop_compiled(plan)


@pytest.mark.parametrize("child_type", ["EXPRESS", "STANDARD"])
def test_children_off_the_fused_loop_reach_their_own_quotas_as_the_states_do(child_type: str) -> None:
    """A Pass, then a loop the chain leaves to its own function: children whose loop runs long reach their own
    history quota (Standard) or transition guard (Express) and fail alone; the others stay on the fused loop."""
    limit = MAX_HISTORY_EVENTS // 4 if child_type == "STANDARD" else MAX_EXPRESS_TRANSITIONS // 2
    processor = {
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Parameters": {"i.$": "$.i"}, "Next": "Check"},
            **counter_loop(limit)["States"],
        },
    }
    items = [{"i": limit - 1}, {"i": 0}, {"i": limit}, {"i": limit - 2}]
    plain, fused, plan = both(_distributed(processor, child_type, ToleratedFailureCount=1), {"items": items})
    assert fused == plain and _map_loop_compiled(plan)
    assert plain["output"][0] == {"i": limit} and plain["output"][1]["Error"] == "States.Runtime"


def test_a_fused_distributed_map_loop_writes_the_same_result_files() -> None:
    """With a ResultWriter, each child's start and end in the files (Transformation NONE) as unfused."""
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "runs"}}
    definition = _distributed(_ROUTE, "STANDARD", MaxConcurrency=2, ToleratedFailureCount=3, ResultWriter=writer)
    items = [{"x": 1}, {"x": -3}, {"x": 4}, {"x": -2}, {"x": 2}, {"x": -3}, {"x": 5}]
    written: list[Any] = []

    def put(request: Any) -> Any:
        written.append(request)
        return {}

    plain, fused, plan = both(
        definition,
        {"items": items},
        see=lambda execution: (observed(execution), written[:], written.clear()),
        lambdas={"echo": lambda event: {"echoed": event["x"]}},
        services={"arn:aws:states:::s3:putObject": put},
    )
    assert fused == plain and _map_loop_compiled(plan)
    files = {request["Key"].rsplit("/", 1)[1]: json.loads(request["Body"]) for request in plain[1]}
    assert sorted(files) == ["FAILED_0.json", "SUCCEEDED_0.json", "manifest.json"]
    started = {child["StartDate"] for child in files["SUCCEEDED_0.json"]}
    assert len(files["SUCCEEDED_0.json"]) == 6 and len(started) > 1  # (paced: later children start later)


def test_a_child_leaving_the_fused_loop_draws_from_its_own_seed() -> None:
    """A child that goes on at a Parallel off the chain: its branches' seeded UUIDs come from the child's own
    source, as unfused."""
    branch = {"StartAt": "Id", "States": {"Id": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": True}}}
    processor = {
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Both"}],
                "Default": "Plain",
            },
            "Both": {"Type": "Parallel", "Branches": [branch, branch], "End": True},
            "Plain": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": True},
        },
    }
    plain, fused, plan = both(_distributed(processor), {"items": [{"x": 0}, {"x": 1}, {"x": 0}, {"x": 1}]})
    assert fused == plain and _map_loop_compiled(plan)
    assert len({branch["id"] for out in plain["output"][1::2] for branch in out}) == 4


@pytest.mark.parametrize("items", [52_428, 52_429])
def test_the_outputs_of_fused_children_count_toward_the_map_output_quota(items: int) -> None:
    """Each child's output "hi" is 4 bytes and a comma: the Map's output passes 256 KiB at the 52,429th child,
    fused as unfused (the children's size bounds add up exactly)."""
    processor = {"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "Result": "hi", "End": True}}}
    plain, fused, _plan = both(_distributed(processor), {"items": [0] * items}, see=ending)
    assert fused == plain
    assert plain["error"] == (None if 2 + 5 * items - 1 <= 262_144 else "States.DataLimitExceeded")


def test_a_fused_child_whose_entry_may_pass_256_kib_is_measured_as_the_states_do() -> None:
    """The entry's size bound (the same for every child) is over the quota: the entry measures exactly, and the
    child whose output is over 256 KiB fails alone, fused as unfused."""
    processor = {
        "StartAt": "Nest",
        "States": {"Nest": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "ResultPath": "$.r", "End": True}},
    }
    items = [{"x": "y" * 131_100}, {"x": "z"}]
    plain, fused, plan = both(_distributed(processor, ToleratedFailurePercentage=100), {"items": items})
    assert fused == plain and _map_loop_compiled(plan)
    assert plain["output"][0]["Error"] == "States.DataLimitExceeded" and plain["output"][1] == {
        "x": "z",
        "r": {"x": "z"},
    }
