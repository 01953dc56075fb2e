"""``sfnkit.to_python``: the code it writes builds the very definition it read, in idiomatic DSL where it can."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import sfnkit
from sfnkit import DefinitionError, StateMachine, end, from_asl, pass_, task, to_python, when, workflow
from sfnkit.conditions import data

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "tests" / "conformance" / "cases").glob("*/*.json"))
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
# How many corpus definitions the DSL builds (the rest are embedded and read with from_asl): raise it when the
# DSL learns a construct. The 6 left: 4 JSONata maps with ToleratedFailureCount but no ProcessorConfig (map_()
# then writes a Distributed one), 2 empty `Retry: []`/`Catch: []` lists.
DSL_EXPRESSED = 981


def built(code: str) -> StateMachine:
    """The machine the generated module defines."""
    namespace: dict[str, Any] = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    machine = namespace["machine"]
    assert isinstance(machine, StateMachine)
    return machine


def definition(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(path.read_text())["definition"]
    return result


def test_the_corpus_round_trips():
    """Every one of the 987 recorded definitions: the code builds it exactly (DSL, or from_asl where it must)."""
    assert len(CASES) == 987
    expressed = 0
    for path in CASES:
        asl = definition(path)
        code = to_python(asl, format=False)
        assert built(code).to_asl() == asl, path.name
        expressed += "from_asl(" not in code
    assert expressed == DSL_EXPRESSED


def test_formatted_sample_round_trips():
    """A sample through black too (black keeps the meaning; this checks the formatted text is what is returned)."""
    pytest.importorskip("black")
    for path in CASES[::100]:
        asl = definition(path)
        code = to_python(asl)
        assert built(code).to_asl() == asl, path.name
        assert code == __import__("black").format_str(code, mode=__import__("black").Mode())


def _example_machines() -> list[tuple[str, StateMachine]]:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        found = []
        for path in EXAMPLES:
            spec = importlib.util.spec_from_file_location(f"codegen_example_{path.stem}", path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            found += [(f"{path.stem}.{k}", v) for k, v in vars(module).items() if isinstance(v, StateMachine)]
        return found
    finally:
        sys.path.remove(str(ROOT / "examples"))


@pytest.mark.parametrize(("where", "machine"), _example_machines(), ids=lambda value: str(value))
def test_every_example_round_trips_through_the_dsl(where, machine):
    code = to_python(machine)
    assert "from_asl(" not in code
    assert built(code).to_asl() == machine.to_asl()


def test_dragons_reads_like_the_readme():
    """The example flow comes back with @lambda_fn stubs, the SNS helper and a Python-operator condition."""
    from importlib import import_module

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        dragons = import_module("dragons").dragons
    finally:
        sys.path.remove(str(ROOT / "examples"))
    code = to_python(dragons)
    for expected in (
        "@lambda_fn\ndef validate_dragon(event):",
        '"""The Lambda function ``ValidateDragon``: write its handler here."""',
        "data.is_new == True",
        "sns_publish(",
        'machine = workflow(\n    "Dragons",',
    ):
        assert expected in code
    assert "task(" not in code


def _code(states: dict[str, Any], **top: Any) -> str:
    asl = {**top, "StartAt": next(iter(states)), "States": states}
    code = to_python(asl, format=False)  # one line per statement: easy to look into
    assert built(code).to_asl() == asl
    return code


def test_conditions_are_python_operators():
    code = _code(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.x", "NumericGreaterThan": 3},
                            {"Or": [{"Variable": "$.s", "StringEquals": "a"}, {"Variable": "$.f", "IsPresent": True}]},
                            {"Not": {"Variable": "$.t", "TimestampLessThanPath": "$.u"}},
                        ],
                        "Next": "A",
                    },
                    {"Not": {"Variable": "$$.Execution.Name", "StringEquals": "x"}, "Next": "A"},
                    {"Variable": "$total", "NumericLessThanEquals": 2.5, "Next": "A"},
                ],
                "Default": "A",
            },
            "A": {"Type": "Pass", "End": True},
        }
    )
    assert '(data.x > 3) & ((data.s == "a") | data.f.is_present()) & ~(data.t.timestamp < data.u)' in code
    assert 'ctx.Execution.Name != "x"' in code
    assert "var.total <= 2.5" in code


def test_nested_same_operator_and_comments_stay_ir():
    """(a & b) & c is one And for the operators, so a nested And is written as the IR, as are commented rules."""
    code = _code(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"And": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.b", "IsNull": False}]},
                            {"Variable": "$.c", "BooleanEquals": True},
                        ],
                        "Next": "A",
                    }
                ],
                "Default": "A",
            },
            "A": {"Type": "Pass", "End": True},
        }
    )
    assert "AllOf(conditions=[AllOf(" in code and "from sfnkit.conditions import" in code


def test_loops_and_joins():
    """A loop back is a goto; a state several branches reach is the step after the choice."""
    code = _code(
        {
            "Poll": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {},
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Report"}],
                "Default": "Later",
            },
            "Later": {"Type": "Wait", "Seconds": 5, "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.tries", "NumericLessThan": 3, "Next": "Poll"}],
                "Default": "Report",
            },
            "Report": {"Type": "Pass", "End": True},
        }
    )
    assert 'aws_sdk("s3", "getObject", {}, name="Poll")' in code
    assert 'goto("Poll")' in code
    assert code.count('pass_(name="Report")') == 1


def test_end_in_a_catch_handler():
    """A handler that ends while the failed step goes on is written with end()."""
    code = _code(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": "q", "MessageBody.$": "$.body"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Log"}],
                "Next": "Done",
            },
            "Log": {"Type": "Pass", "End": True},
            "Done": {"Type": "Succeed"},
        }
    )
    assert 'sqs_send_message("q", data.body, name="T", catch=[' in code
    assert 'then=pass_(name="Log") >> end(), result_path=data.error)' in code


def test_lambda_functions_used_twice_share_one_stub():
    invoke = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload"}
    code = _code(
        {
            "First": {**invoke, "Parameters": {"FunctionName": "Feed", "Payload.$": "$"}, "Next": "Second"},
            "Second": {
                **invoke,
                "Parameters": {"FunctionName": "Feed", "Payload": {"x.$": "$.y"}},
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                "End": True,
            },
        }
    )
    assert code.count("def feed(event):") == 1
    assert 'feed.named_as("First")' in code
    assert 'feed.named_as("Second").with_options(parameters={"x": data.y}).retry("States.ALL", max_attempts=2)' in code


def test_lambda_result_path_absorbs_its_payload_pass():
    """@lambda_fn(result_path=) adds the `<Name>.Payload` Pass: reading one back gives the option, not the Pass."""

    @sfnkit.lambda_fn(result_path=data.meal)
    def feed(event: Any) -> Any:
        return event

    machine = workflow("Feeding", feed >> pass_(name="Next"))
    code = to_python(machine)
    assert "@lambda_fn(result_path=data.meal)\ndef feed(event):" in code
    assert "Feed.Payload" not in code
    assert built(code).to_asl() == machine.to_asl()


def test_jsonata_as_written():
    code = _code(
        {
            "Start": {
                "Type": "Pass",
                "Assign": {"n": "{% $states.input.n + 1 %}"},
                "Output": {"v": "{% $n %}"},
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $n > 2 %}", "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Fail", "Error": "{% 'Small' %}"},
        },
        QueryLanguage="JSONata",
    )
    assert 'jsonata("$n > 2")' in code
    assert 'assign={"n": "{% $states.input.n + 1 %}"}' in code
    assert 'query_language="JSONata"' in code


def test_parallel_and_map_are_fragments():
    code = _code(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}},
                    },
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "ItemsPath": "$.items",
                                "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
                                "End": True,
                            }
                        },
                    },
                ],
                "End": True,
            }
        }
    )
    assert 'p_branch_1 = pass_(name="A") >> pass_(name="B")' in code
    assert 'm_iteration = pass_(name="Item")' in code
    assert 'map_(m_iteration, name="M", items=data.items)' in code
    assert 'parallel(p_branch_1, p_branch_2, name="P")' in code


def test_what_the_dsl_cannot_build_is_embedded_and_named():
    """An empty Retry list: the module says which state and why, and reads the definition back."""
    asl = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Retry": [], "End": True}},
    }
    code = to_python(asl)
    assert "- T: an empty Retry list: retry=[] writes no Retry" in code
    assert "machine = from_asl(DEFINITION)" in code
    assert built(code).to_asl() == asl
    namespace: dict[str, Any] = {}
    exec(compile(code, "<generated>", "exec"), namespace)  # the closest DSL: the same Task without the Retry
    closest = namespace["closest_dsl"]().to_asl()
    assert closest["States"]["T"] == {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}


def test_legacy_iterator():
    """A Map written with the legacy Iterator field comes back as map_(..., legacy_iterator=True)."""
    asl = {
        "StartAt": "Old",
        "States": {
            "Old": {
                "Type": "Map",
                "Parameters": {"v.$": "$$.Map.Item.Value"},
                "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    code = _code(asl["States"])
    assert 'map_(old_iteration, name="Old", parameters={"v": ctx.Map.Item.Value}, legacy_iterator=True)' in code


def test_a_literal_spelling_replaces_an_idiomatic_one_that_differs():
    """A path the front end would spell another way ($.a['b'] is $.a.b for data.a.b) stays a string."""
    code = _code({"P": {"Type": "Pass", "InputPath": "$.a['b']", "Parameters": {"x.$": "$['odd key']"}, "End": True}})
    assert "input_path=\"$.a['b']\"" in code
    assert 'parameters={"x": data["odd key"]}' in code


def test_without_black_the_code_is_unformatted_but_valid(monkeypatch):
    monkeypatch.setitem(sys.modules, "black", None)
    asl = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"k": [1, 2.5, None]}, "End": True}}}
    code = to_python(asl)
    assert built(code).to_asl() == asl
    assert 'machine = workflow("StateMachine", pass_(name="A", result={"k": [1, 2.5, None]}))' in code


def test_bad_input_is_a_clear_error():
    with pytest.raises(sfnkit.SfnkitError):
        to_python('{"StartAt": "Missing", "States": {}}')
    with pytest.raises(DefinitionError, match="1-80 letters"):
        to_python(workflow("Ok", pass_()), name="not ok")


# --- end() ------------------------------------------------------------------------------------------------------


def test_end_ends_a_handler_and_leaves_a_choice_without_default():
    charge = task("arn:aws:states:::sqs:sendMessage", name="Charge")
    flow = sfnkit.choice(when(data.x > 1, then=charge.catch(then=pass_(name="Log") >> end())), otherwise=end())
    asl = workflow("Shop", flow >> pass_(name="Ship")).to_asl()
    assert asl["States"]["Log"] == {"Type": "Pass", "End": True}
    assert "Default" not in asl["States"]["Choice"]
    assert asl["States"]["Charge"]["Next"] == "Ship"


@pytest.mark.parametrize(
    ("flow", "message"),
    [
        (lambda: end(), "cannot start with end()"),
        (lambda: pass_() >> end() >> pass_(name="B"), "follows end\\(\\) and can never run"),
        (lambda: sfnkit.choice(when(data.x > 1, then=end())), "Choices\\[0\\]: when\\(..., then=end\\(\\)\\)"),
        (lambda: task("arn:x", name="T").catch(then=end()) >> pass_(), "catch\\(then=end\\(\\)\\)"),
        (lambda: sfnkit.parallel(end()), "a branch cannot be only end\\(\\)"),
    ],
)
def test_end_where_it_cannot_go(flow, message):
    with pytest.raises(DefinitionError, match=message):
        workflow("W", flow())


def test_from_asl_of_generated_fallback_module_is_the_definition():
    """The embedded definition is the definition itself (not re-spelled)."""
    path = next(p for p in CASES if "catch_empty" in p.name)
    asl = definition(path)
    assert built(to_python(asl, format=False)).to_asl() == from_asl(asl).to_asl() == asl


def test_a_lambda_function_used_twice_with_timeouts():
    """with_options takes timeout_seconds= (timeout= is the decorator's): each use keeps its own."""
    invoke = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload"}
    request = {"FunctionName": "Feed", "Payload.$": "$"}
    code = _code(
        {
            "A": {**invoke, "Parameters": request, "TimeoutSeconds": 5, "Next": "B"},
            "B": {**invoke, "Parameters": request, "HeartbeatSeconds": 2, "End": True},
        }
    )
    assert 'feed.named_as("A").with_options(timeout_seconds=5)' in code
    assert 'feed.named_as("B").with_options(heartbeat_seconds=2)' in code


def test_lambda_functions_called_by_arn_get_handler_stubs_for_run():
    """A Task on a Lambda ARN is a task(); its function gets a stub, bound to run() through LAMBDAS."""
    asl = {
        "StartAt": "Charge",
        "States": {
            "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:charge", "End": True}
        },
    }
    code = _code(asl["States"])
    assert 'LAMBDAS = {"charge": charge}' in code
    namespace: dict[str, Any] = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    namespace["LAMBDAS"]["charge"] = lambda event: {"charged": event["amount"]}
    assert sfnkit.run(namespace["machine"], {"amount": 3}, lambdas=namespace["LAMBDAS"]).output == {"charged": 3}


def test_a_value_nested_deeper_than_python_reads_is_embedded_as_json_text():
    value: Any = 1
    for _ in range(250):
        value = [value]
    asl = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": value, "End": True}}}
    code = to_python(asl)
    assert "Python cannot read the code the DSL would need" in code
    assert built(code).to_asl() == asl


def test_the_shared_sample_flows_round_trip():
    from flows import all_flows

    for label, machine in all_flows().items():
        code = to_python(machine, format=False)
        assert "from_asl(" not in code, label
        assert built(code).to_asl() == machine.to_asl(), label


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, Any]:
    """A definition whose states jump anywhere: Pass, Task (+ Catch), Choice (maybe no Default), Succeed.

    Every state is reached: each S<i> hangs from an earlier state, and more transitions go anywhere.
    """
    count = draw(st.integers(1, 7))
    names = [f"S{i}" for i in range(count)]
    anywhere = st.sampled_from(names)
    children: dict[str, list[str]] = {name: [] for name in names}
    for position in range(1, count):
        children[names[draw(st.integers(0, position - 1))]].append(names[position])
    states: dict[str, Any] = {}
    for name in names:
        kids = children[name]
        kinds = ["Choice"] if len(kids) > 1 else ["Pass", "Task", "Choice"] + (["Succeed"] if not kids else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "Succeed":
            states[name] = {"Type": "Succeed"}
            continue
        if kind == "Choice":
            targets = kids + draw(st.lists(anywhere, max_size=2)) or [draw(anywhere)]
            rules = [{"Variable": f"$.v{i}", "NumericEquals": i, "Next": goal} for i, goal in enumerate(targets)]
            states[name] = {"Type": "Choice", "Choices": rules}
            if draw(st.booleans()):
                states[name]["Default"] = draw(anywhere)
            continue
        state: dict[str, Any] = {"Type": kind}
        if kind == "Task":
            state["Resource"] = "arn:aws:states:::sqs:sendMessage"
            if draw(st.booleans()):
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": draw(anywhere)}]
        following = kids[0] if kids else draw(st.one_of(st.none(), anywhere))
        state.update({"End": True} if following is None else {"Next": following})
        states[name] = state
    return {"StartAt": "S0", "States": states}


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_any_graph_of_jumps_is_dsl(asl):
    """Loops, joins, ends inside handlers, choices without Default: every valid shape is written with the DSL."""
    try:
        sfnkit.validate(asl)
    except sfnkit.ValidationError:
        assume(False)  # e.g. a state no transition reaches
    code = to_python(asl, format=False)
    assert "from_asl(" not in code
    assert built(code).to_asl() == asl


_JSONPATH_OPTIONS = {
    "result_path": [None, "$", "$.r", data.r.deep],
    "output_path": ["$.x", "$"],
    "result_selector": [{"v": sfnkit.result.x, "c": 1}],
    "assign": [{"a": sfnkit.result.y, "b": "States.Format('{}', $.z)"}],
    "parameters": [{"k": data.z}, "$.p", 7],
    "timeout": [5],
    "comment": ["why"],
}
_JSONATA_OPTIONS = {
    "output": ["{% $states.result.total %}", {"t": "{% $states.result %}"}],
    "assign": [{"a": "{% $states.result.y %}"}],
    "arguments": [{"k": "{% $states.input.z %}"}],
}


@st.composite
def lambda_flows(draw: st.DrawFn) -> StateMachine:
    """A flow of @lambda_fn steps with any mix of options, some functions used twice."""
    language = draw(st.sampled_from(["JSONPath", "JSONata"]))
    table = _JSONPATH_OPTIONS if language == "JSONPath" else _JSONATA_OPTIONS
    functions = []
    for index in range(draw(st.integers(1, 2))):

        def handler(event: Any) -> Any:
            return event

        handler.__name__ = f"work_{index}"
        functions.append(sfnkit.lambda_fn(handler))
    steps = []
    for position in range(draw(st.integers(1, 4))):
        keys = draw(st.lists(st.sampled_from(sorted(table)), unique=True, max_size=3))
        options = {key: draw(st.sampled_from(table[key])) for key in keys}
        step = draw(st.sampled_from(functions)).named_as(f"Step{position}")
        try:
            steps.append(step.with_options(**{_TASK_OPTION.get(k, k): v for k, v in options.items()}))
        except DefinitionError:
            assume(False)
    try:
        return workflow("Lambdas", steps, query_language=language)
    except DefinitionError:
        assume(False)
        raise  # unreachable: assume(False) raises


_TASK_OPTION = {"timeout": "timeout_seconds"}


@settings(max_examples=60, deadline=None)
@given(lambda_flows())
def test_lambda_steps_with_any_options_come_back_as_lambda_fn(machine):
    """What @lambda_fn writes (Payload unwrapping, the <Name>.Payload Pass, re-rooted paths) is read back as it."""
    try:
        asl = machine.to_asl()
    except sfnkit.ValidationError:
        assume(False)
    code = to_python(machine, format=False)
    assert "from_asl(" not in code and "task(" not in code, code
    assert built(code).to_asl() == asl


def test_a_file_names_the_workflow(tmp_path):
    path = tmp_path / "order flow.asl.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
    assert 'machine = workflow("order_flow", pass_(name="A"))' in to_python(path, format=False)
    assert 'workflow("Orders"' in to_python(path, name="Orders", format=False)
