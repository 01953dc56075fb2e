"""Property: random JSONPath machines on random inputs never crash the executor; every failure is an execution error."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sfnkit
from sfnkit import SfnkitError

_scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False)
_keys = st.sampled_from(["a", "b", "c", "n", "s"])
json_values = st.recursive(
    _scalars | st.sampled_from(["a", "", "x1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=8,
)

paths = st.sampled_from(
    ["$", "$.a", "$.a.b", "$.b[0]", "$.c[*]", "$..a", "$.n", "$.s", "$$.Execution.Input", "$.missing"]
)
reference_paths = st.sampled_from(["$", "$.a", "$.r", "$.a.b", "$.b[0]"])
variables = st.sampled_from(["$", "$.a", "$.a.b", "$.b[0]", "$.n", "$.s", "$$.Execution.Input", "$.missing"])
intrinsics = st.sampled_from(
    [
        "States.Format('v={}', $.a)",
        "States.MathAdd($.n, 1)",
        "States.ArrayLength($.c)",
        "States.JsonToString($)",
        "States.StringToJson($.s)",
        "States.Array($.a, 1, 'x')",
        "States.ArrayContains($.c, 1)",
        "States.UUID()",
        "States.Hash($.s, 'SHA-256')",
    ]
)
templates = st.dictionaries(
    st.sampled_from(["k", "p.$", "q.$", "lit"]), st.one_of(paths, intrinsics, json_values), max_size=3
).map(lambda d: {k: (v if not k.endswith(".$") or isinstance(v, str) else "$") for k, v in d.items()})

rules = st.one_of(
    st.builds(lambda p, v: {"Variable": p, "NumericGreaterThan": v}, variables, st.integers(-2, 2)),
    st.builds(lambda p, v: {"Variable": p, "StringEquals": v}, variables, st.sampled_from(["a", ""])),
    st.builds(lambda p, b: {"Variable": p, "IsPresent": b}, variables, st.booleans()),
    st.builds(lambda p, b: {"Variable": p, "IsNull": b}, variables, st.booleans()),
    st.builds(lambda p, q: {"Variable": p, "NumericEqualsPath": q}, variables, variables),
)


@st.composite
def io_fields(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        fields["InputPath"] = draw(st.one_of(paths, st.none()))
    if draw(st.booleans()):
        fields["OutputPath"] = draw(st.one_of(paths, st.none()))
    return fields


@st.composite
def states(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    kinds = ["Pass", "Pass", "Choice", "Wait", "Task", "Fail", "Succeed"]
    if depth < 1:
        kinds += ["Map", "Parallel"]
    kind = draw(st.sampled_from(kinds))
    state: dict[str, Any] = {"Type": kind}
    if kind in ("Pass", "Task", "Map", "Parallel", "Choice", "Wait", "Succeed"):
        state.update(draw(io_fields()))
    if kind == "Pass":
        if draw(st.booleans()):
            state["Parameters"] = draw(templates)
        elif draw(st.booleans()):
            state["Result"] = draw(json_values)
        if draw(st.booleans()):
            state["ResultPath"] = draw(st.one_of(reference_paths, st.none()))
    elif kind == "Choice":
        state["Choices"] = [draw(rules)]
    elif kind == "Wait":
        state.update(draw(st.sampled_from([{"Seconds": 5}, {"SecondsPath": "$.n"}, {"TimestampPath": "$.s"}])))
    elif kind == "Task":
        state["Resource"] = "arn:aws:lambda:us-east-1:123456789012:function:" + draw(st.sampled_from(["ok", "boom"]))
        if draw(st.booleans()):
            state["Parameters"] = draw(templates)
        if draw(st.booleans()):
            state["ResultSelector"] = draw(templates)
        if draw(st.booleans()):
            state["Retry"] = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}]
    elif kind == "Fail":
        state.update(draw(st.sampled_from([{"Error": "E", "Cause": "c"}, {"ErrorPath": "$.s"}, {}])))
    elif kind == "Map":
        state["ItemsPath"] = draw(variables)
        state["ItemProcessor"] = draw(machines(depth + 1))
        if draw(st.booleans()):
            state["ItemSelector"] = draw(templates)
        if draw(st.booleans()):
            state["MaxConcurrency"] = draw(st.integers(0, 2))
    elif kind == "Parallel":
        state["Branches"] = draw(st.lists(machines(depth + 1), min_size=1, max_size=2))
    if kind in ("Task", "Map", "Parallel") and draw(st.booleans()):
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Caught"}]
    return state


@st.composite
def machines(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    prefix = "M" * (depth + 1) + str(draw(st.integers(0, 10**9)))
    body = draw(st.lists(states(depth), min_size=1, max_size=4))
    names = [f"{prefix}_{i}" for i in range(len(body))]
    out: dict[str, Any] = {}
    for i, (name, state) in enumerate(zip(names, body, strict=True)):
        last = i + 1 == len(names)
        if state["Type"] == "Choice":
            target = names[i + 1] if not last else f"{prefix}_end"
            state["Choices"][0]["Next"] = target
            state["Default"] = target
        elif state["Type"] not in ("Fail", "Succeed"):
            if last:
                state["End"] = True
            else:
                state["Next"] = names[i + 1]
        if "Catch" in state:
            state["Catch"][0]["Next"] = f"{prefix}_caught"
        out[name] = state
    # only reachable helper states: AWS rejects a definition with an unreachable state
    if any(s["Type"] == "Choice" and s["Default"] == f"{prefix}_end" for s in out.values()):
        out[f"{prefix}_end"] = {"Type": "Succeed"}
    if any("Catch" in s for s in out.values()):
        out[f"{prefix}_caught"] = {"Type": "Pass", "End": True}
    # states after a Fail/Succeed are unreachable unless something else leads there
    reachable, frontier = set(), [names[0]]
    while frontier:
        name = frontier.pop()
        if name in reachable or name not in out:
            continue
        reachable.add(name)
        state = out[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [r.get("Next") for r in state.get("Choices", [])] + [c.get("Next") for c in state.get("Catch", [])]
        frontier.extend(t for t in targets if t)
    return {"StartAt": names[0], "States": {k: v for k, v in out.items() if k in reachable}}


def _ok(event: Any) -> Any:
    return event


def _boom(event: Any) -> Any:
    raise RuntimeError("boom")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(definition=machines(), data=json_values)
def test_random_machines_never_crash(definition: dict[str, Any], data: Any) -> None:
    """run() returns an Execution (or refuses a definition AWS would refuse); it never leaks an internal error."""
    try:
        execution = sfnkit.run(definition, data, lambdas={"ok": _ok, "boom": _boom})
    except SfnkitError:
        return  # a definition AWS would reject at creation (unreachable states, bad paths...)
    assert execution.status in ("SUCCEEDED", "FAILED", "TIMED_OUT")
    if execution.status == "FAILED":
        assert isinstance(execution.error, str | None)
    assert execution.history[-1]["type"].startswith("Execution")
    assert len(execution.path) >= 1
