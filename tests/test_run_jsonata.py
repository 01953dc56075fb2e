"""sfnkit.run() on JSONata states and workflow variables (issue 4's executor part)."""

from __future__ import annotations

from typing import Any

from sfnkit import run


def machine(states: dict[str, Any], start: str, **top: Any) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states, **top}


def test_assign_and_output_see_values_at_state_entry():
    """Assign {x: $a, nextX: $x} swaps with entry values; Output of the same state sees the old ones."""
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"x": 3, "a": 6}, "Next": "Swap"},
            "Swap": {
                "Type": "Pass",
                "Assign": {"x": "{% $a %}", "nextX": "{% $x %}"},
                "Output": "{% {'x': $x} %}",
                "Next": "Read",
            },
            "Read": {
                "Type": "Pass",
                "Output": "{% {'before': $states.input.x, 'x': $x, 'nextX': $nextX} %}",
                "End": True,
            },
        },
        "Init",
    )
    assert run(definition, {}).output == {"before": 3, "x": 6, "nextX": 3}


def test_task_output_reads_states_result():
    """A Task's Output reads the result as $states.result and the input as $states.input."""
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Arguments": {"n": "{% $states.input.n + 1 %}"},
                "Output": "{% {'in': $states.input.n, 'out': $states.result.n} %}",
                "End": True,
            }
        },
        "T",
    )
    assert run(definition, {"n": 1}, lambdas={"f": lambda e: e}).output == {"in": 1, "out": 2}


def test_parallel_branches_read_outer_but_keep_their_own_variables():
    """Branches read outer variables; their assignments stay in the branch; siblings do not see each other's."""

    def branch(n: int) -> dict[str, Any]:
        return {
            "StartAt": f"Set{n}",
            "States": {
                f"Set{n}": {"Type": "Pass", "Assign": {"mine": f"{{% $outer & '{n}' %}}"}, "Next": f"Get{n}"},
                f"Get{n}": {"Type": "Pass", "Output": "{% $mine %}", "End": True},
            },
        }

    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [branch(1), branch(2)], "Next": "After"},
            "After": {
                "Type": "Pass",
                "Output": "{% {'branches': $states.input, 'seen': $exists($mine)} %}",
                "End": True,
            },
        },
        "Init",
    )
    assert run(definition, {}).output == {"branches": ["o1", "o2"], "seen": False}


def test_map_items_and_item_selector():
    """Items and ItemSelector evaluate per item, with $states.context.Map.Item."""
    definition = machine(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemSelector": {
                    "v": "{% $states.context.Map.Item.Value %}",
                    "i": "{% $states.context.Map.Item.Index %}",
                },
                "ItemProcessor": {"StartAt": "Id", "States": {"Id": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
        "M",
    )
    assert run(definition, {"xs": ["a", "b"]}).output == [{"v": "a", "i": 0}, {"v": "b", "i": 1}]


def test_catch_assign_on_a_map_assigns_in_the_outer_scope():
    """A Map catcher's Assign and Output use $states.errorOutput and set outer variables."""
    definition = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "c"}}},
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"why": "{% $states.errorOutput.Error %}"},
                        "Output": "{% $states.errorOutput.Cause %}",
                        "Next": "After",
                    }
                ],
                "Next": "After",
            },
            "After": {"Type": "Pass", "Output": "{% [$states.input, $why] %}", "End": True},
        },
        "M",
    )
    assert run(definition, [1]).output == ["c", "Bad"]


def test_choice_rule_assign_and_output():
    """The matching Choice rule's Assign and Output apply; the state-level ones do not."""
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n > 1 %}", "Assign": {"big": True}, "Output": {"n": 0}, "Next": "E"}
                ],
                "Default": "E",
                "Assign": {"big": False},
            },
            "E": {"Type": "Pass", "Output": "{% {'n': $states.input.n, 'big': $big} %}", "End": True},
        },
        "C",
    )
    assert run(definition, {"n": 5}).output == {"n": 0, "big": True}
    assert run(definition, {"n": 1}).output == {"n": 1, "big": False}


def test_undefined_result_fails_with_evaluation_failed_event():
    """An expression with no result fails with QueryEvaluationError, AWS's cause and an EvaluationFailed event."""
    definition = machine({"S": {"Type": "Pass", "Output": "{% $states.input.missing %}", "End": True}}, "S")
    execution = run(definition, {})
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). The JSONata expression "
        "'$states.input.missing' specified for the field 'Output' returned nothing (undefined)."
    )
    assert [e["type"] for e in execution.history] == [
        "ExecutionStarted",
        "PassStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]


def test_jsonata_state_in_a_jsonpath_machine():
    """A JSONPath machine may hold JSONata states (QueryLanguage on the state)."""
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "B"},
            "B": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.n * 10 %}", "End": True},
        },
    }
    assert run(definition, {"n": 4}).output == 40


def test_random_is_repeatable_with_a_seed():
    """$random() and $uuid() draw from the run's seed."""
    definition = machine({"S": {"Type": "Pass", "Output": "{% [$random(), $uuid()] %}", "End": True}}, "S")
    assert run(definition, {}, seed=3).output == run(definition, {}, seed=3).output
