"""ASL in and out: lossless round trips, deterministic order, helpful errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from sfnkit import AslError, StateMachine, ValidationError, from_asl
from sfnkit.asl.codec import condition_from_rule, from_definition, to_asl, to_choice_rule
from sfnkit.conditions import AllOf, AnyOf, Compare, Expression, Not
from sfnkit.states import ABSENT, Choice, Map, Pass, Task

CASES = sorted((Path(__file__).parent / "conformance" / "cases").glob("*/*.json"))

DRAGONS = {
    "Comment": "Dragons",
    "StartAt": "ValidateDragon",
    "States": {
        "ValidateDragon": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "ValidateDragon", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            "Next": "IsNew",
        },
        "IsNew": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.is_new", "BooleanEquals": True, "Next": "AddDragon"}],
            "Default": "AlreadyExists",
        },
        "AddDragon": {"Type": "Pass", "ResultPath": None, "End": True},
        "AlreadyExists": {"Type": "Succeed"},
        "Failed": {"Type": "Fail", "Error": "Oops"},
    },
}


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_corpus_definition_round_trips(case: Path) -> None:
    """Every definition recorded on AWS comes back exactly from from_asl -> to_asl."""
    definition = json.loads(case.read_text())["definition"]
    assert to_asl(from_definition(definition)) == definition


def test_round_trip_keeps_explicit_nulls_and_defaults() -> None:
    """``"ResultPath": null`` and an explicit default value survive the round trip."""
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "InputPath": "$", "ResultPath": None, "Result": None, "End": True}},
    }
    assert to_asl(from_definition(definition)) == definition


def test_export_key_order_is_deterministic() -> None:
    """Keys come out in the codec's order, whatever order they went in."""
    shuffled = {"States": {"A": {"End": True, "Result": 1, "Type": "Pass"}}, "StartAt": "A"}
    assert json.dumps(to_asl(from_definition(shuffled))) == (
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": true}}}'
    )


def test_exported_dict_is_a_copy() -> None:
    """Editing what to_asl returned does not change the machine."""
    machine = from_definition(DRAGONS)
    exported = machine.to_asl()
    exported["States"]["ValidateDragon"]["Parameters"]["FunctionName"] = "changed"
    assert machine.to_asl()["States"]["ValidateDragon"]["Parameters"]["FunctionName"] == "ValidateDragon"


def test_states_become_attrs_ir() -> None:
    """Each ASL state becomes the IR class of its type, with absent fields marked ABSENT."""
    machine = from_definition(DRAGONS)
    task = machine.states["ValidateDragon"]
    assert isinstance(task, Task)
    assert task.resource == "arn:aws:states:::lambda:invoke"
    assert task.result_path is ABSENT
    assert task.retry is not None and task.retry[0].max_attempts == 2
    assert isinstance(machine.states["IsNew"], Choice)
    assert machine.states["AddDragon"] == Pass(result_path=None)


def test_transitions_carry_asl_meaning_in_order() -> None:
    """Edges are Next, Choices[i] with its rule, Default and Catch[i] with its errors, in ASL order."""
    machine = from_definition(DRAGONS)
    keys = [(t.key, target) for t, target in machine.transitions("ValidateDragon")]
    assert keys == [("Next", "IsNew"), ("Catch[0]", "Failed")]
    [(catch, _)] = [(t, s) for t, s in machine.transitions("ValidateDragon") if t.kind == "Catch"]
    assert catch.errors == ("States.ALL",)
    [(rule, _), (default, target)] = machine.transitions("IsNew")
    assert rule.condition == Compare(variable="$.is_new", operator="BooleanEquals", value=True)
    assert (default.key, target) == ("Default", "AlreadyExists")
    assert machine.follow("IsNew", "Choices[0]") == "AddDragon"


def test_graph_is_plain_networkx() -> None:
    """machine.graph works with ordinary networkx algorithms."""
    machine = from_definition(DRAGONS)
    assert nx.descendants(machine.graph, "ValidateDragon") == {"IsNew", "AddDragon", "AlreadyExists", "Failed"}
    assert list(nx.simple_cycles(machine.graph)) == []
    assert machine.graph.edges["IsNew", "AddDragon", "Choices[0]"]["transition"].kind == "Choice"
    assert nx.is_frozen(machine.graph)


def test_loops_show_as_cycles() -> None:
    """A retry loop written with Choice is a cycle of the graph."""
    definition = {
        "StartAt": "Poll",
        "States": {
            "Poll": {"Type": "Pass", "Next": "Done?"},
            "Done?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "End"}],
                "Default": "Poll",
            },
            "End": {"Type": "Succeed"},
        },
    }
    assert [sorted(cycle) for cycle in nx.simple_cycles(from_definition(definition).graph)] == [["Done?", "Poll"]]


def test_nested_machines_and_walk() -> None:
    """Parallel branches and Map processors are nested StateMachines; walk() visits every state."""
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                                "End": True,
                            }
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    machine = from_definition(definition)
    assert [name for name, _, _ in machine.walk()] == ["Fan", "B1", "M", "I"]
    inner = machine.nested("Fan")[1]
    assert isinstance(inner, StateMachine)
    mapped = inner.states["M"]
    assert isinstance(mapped, Map) and mapped.iterator_field == "Iterator"
    assert to_asl(machine) == definition


@pytest.mark.parametrize(
    ("rule", "condition"),
    [
        ({"Variable": "$.a", "NumericGreaterThan": 1}, Compare(variable="$.a", operator="NumericGreaterThan", value=1)),
        ({"Variable": "$.a", "IsPresent": False}, Compare(variable="$.a", operator="IsPresent", value=False)),
        (
            {"And": [{"Variable": "$.a", "IsNull": True}, {"Not": {"Variable": "$.b", "StringEquals": "x"}}]},
            AllOf(
                conditions=[
                    Compare(variable="$.a", operator="IsNull", value=True),
                    Not(condition=Compare(variable="$.b", operator="StringEquals", value="x")),
                ]
            ),
        ),
        (
            {"Or": [{"Variable": "$.a", "StringMatches": "dr*", "Comment": "why"}]},
            AnyOf(conditions=[Compare(variable="$.a", operator="StringMatches", value="dr*", comment="why")]),
        ),
        ({"Condition": "{% $states.input.a > 1 %}"}, Expression(condition="{% $states.input.a > 1 %}")),
    ],
    ids=["compare", "is-present", "and-not", "or-comment", "jsonata"],
)
def test_choice_rule_and_condition_convert_both_ways(rule: dict[str, object], condition: object) -> None:
    """Each Choice rule form reads into its Condition node and is spelled back the same."""
    assert condition_from_rule(rule) == condition
    assert to_choice_rule(condition) == rule  # type: ignore[arg-type]


def test_from_asl_reads_json_text_and_files(tmp_path: Path) -> None:
    """from_asl takes a dict, JSON text, or a pathlib.Path (a str is always text, never a file name)."""
    text = json.dumps(DRAGONS)
    file = tmp_path / "dragons.json"
    file.write_text(text)
    for source in (DRAGONS, text, file):
        assert from_asl(source, validate=False).to_asl() == DRAGONS


def test_bad_json_text_points_at_the_character() -> None:
    """Invalid JSON text fails with the line and a caret under the bad character."""
    with pytest.raises(AslError, match=r"not valid JSON: Expecting ',' delimiter \(line 1, column 17\)\n.*\n {16}\^"):
        from_asl('{"StartAt": "A" "States": {}}', validate=False)


def test_missing_file_says_what_to_pass() -> None:
    """A path that does not exist names the alternatives; a str naming a file says to pass a Path."""
    with pytest.raises(AslError, match=r"cannot read the definition file 'nope.json'.*readable JSON file, a dict"):
        from_asl(Path("nope.json"), validate=False)
    with pytest.raises(AslError, match=r"a str is read as ASL JSON text.*pass pathlib.Path\('nope.json'\)"):
        from_asl("nope.json", validate=False)


def test_unknown_field_is_an_error_not_silently_dropped() -> None:
    """A field the state type does not have is reported with its location."""
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Bogus": 1, "End": True}}}
    with pytest.raises(AslError, match=r"States\.A\.Bogus: Pass states have no field 'Bogus'; remove it"):
        from_definition(definition)


def test_unknown_type_is_an_error() -> None:
    """A state whose Type is not an ASL state type is reported."""
    definition = {"StartAt": "A", "States": {"A": {"Type": "Lambda"}}}
    with pytest.raises(AslError, match=r"States\.A: state 'A' needs a Type, one of Task, Pass"):
        from_definition(definition)


def test_to_asl_validates_what_it_exports() -> None:
    """Exporting a machine that breaks an AWS rule raises ValidationError with the location."""
    machine = from_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}})
    with pytest.raises(ValidationError, match=r"States\.A\.Next"):
        machine.to_asl()
    assert machine.to_asl(validate=False)["States"]["A"]["Next"] == "Missing"


def test_to_json_validates_what_it_exports() -> None:
    """to_json raises the same ValidationError as to_asl, and writes the same definition when valid."""
    machine = from_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}})
    with pytest.raises(ValidationError, match=r"States\.A\.Next"):
        machine.to_json()
    good = from_definition(DRAGONS)
    assert json.loads(good.to_json()) == good.to_asl()


def test_to_json_reports_a_value_that_is_not_json_as_a_problem() -> None:
    """A non-JSON value in the IR is a ValidationError from to_json (validated), a TypeError without validation."""
    machine = from_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {1, 2}, "End": True}}})
    with pytest.raises(ValidationError, match=r"States.A.Result: The value is a set; a definition holds only dicts"):
        machine.to_json()
    with pytest.raises(TypeError, match=r"set is not JSON serializable"):
        machine.to_json(validate=False)


def test_to_json_over_one_megabyte_is_rejected() -> None:
    """The size quota holds for to_json, whose own text only bounds the size."""
    machine = from_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "é" * 600_000, "End": True}}})
    with pytest.raises(ValidationError, match=r"The definition is 1200069 bytes; AWS accepts at most 1 MB"):
        machine.to_json(indent=None)


def test_from_asl_validates() -> None:
    """from_asl rejects a definition AWS would reject, listing the problem."""
    with pytest.raises(ValidationError, match=r"StartAt"):
        from_asl({"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}})
