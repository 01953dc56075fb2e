"""Results are values: snapshots no later change reaches; seed= makes a run reproducible, threads or not."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import sfnkit

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
PARALLEL = {
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Parallel",
            "End": True,
            "Branches": [
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "End": True}}},
            ],
        }
    },
}


def test_changing_the_output_changes_neither_input_nor_history() -> None:
    given = {"a": [1]}
    execution = sfnkit.run(PASS, given)
    execution.output["a"].append("X")
    execution.input["a"].append("Y")
    execution.states[0].output["a"].append("Z")
    assert given == {"a": [1]}
    assert execution.history[-1]["executionSucceededEventDetails"]["output"] == '{"a":[1]}'
    assert execution.history[0]["executionStartedEventDetails"]["input"] == '{"a":[1]}'
    assert execution.states[0].input == {"a": [1]}


def test_changing_the_callers_input_afterwards_changes_nothing_recorded() -> None:
    given = {"a": [1]}
    execution = sfnkit.run(PASS, given)
    given["a"].append("later")
    assert execution.input == execution.output == {"a": [1]}
    assert '"later"' not in str(execution.history)


def test_parallel_branch_outputs_do_not_alias_each_other() -> None:
    execution = sfnkit.run(PARALLEL, {"x": []})
    execution.output[0]["x"].append(1)
    assert execution.output == [{"x": [1]}, {"x": []}]


def test_a_handler_cannot_change_the_callers_input() -> None:
    def grabby(event: dict[str, Any]) -> dict[str, Any]:
        event["x"].append("handler")
        return event

    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    task = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn, "End": True}}}
    given = {"x": []}
    execution = sfnkit.run(task, given, lambdas={"f": grabby})
    assert given == {"x": []}
    assert execution.output == {"x": ["handler"]}


RANDOM_MAP = {
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Map",
            "End": True,
            "ItemProcessor": {
                "StartAt": "T",
                "States": {
                    "T": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sns:publish",
                        "Parameters": {"u.$": "States.UUID()", "r.$": "States.MathRandom(1, 1000000)", "i.$": "$"},
                        "End": True,
                    }
                },
            },
        }
    },
}
ECHO = {"arn:aws:states:::sns:publish": lambda params: params}


def test_seed_makes_uuid_and_math_random_reproducible() -> None:
    first = sfnkit.run(RANDOM_MAP, list(range(5)), services=ECHO, seed=7).output
    assert sfnkit.run(RANDOM_MAP, list(range(5)), services=ECHO, seed=7).output == first
    assert sfnkit.run(RANDOM_MAP, list(range(5)), services=ECHO, seed=8).output != first
    assert len({item["u"] for item in first}) == 5


@pytest.mark.parametrize("workers", [2, 4, 16])
def test_seeded_values_land_on_the_same_items_with_threads(workers: int) -> None:
    sequential = sfnkit.run(RANDOM_MAP, list(range(30)), services=ECHO, seed=11, max_workers=1)
    threaded = sfnkit.run(RANDOM_MAP, list(range(30)), services=ECHO, seed=11, max_workers=workers)
    assert threaded.output == sequential.output
    assert threaded.name == sequential.name


def test_seed_makes_jsonata_random_and_uuid_reproducible() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% [$random(), $uuid()] %}", "End": True}},
    }
    assert sfnkit.run(machine, {}, seed=3).output == sfnkit.run(machine, {}, seed=3).output
    assert sfnkit.run(machine, {}, seed=3).output != sfnkit.run(machine, {}, seed=4).output


def test_unseeded_runs_still_differ() -> None:
    machine = copy.deepcopy(RANDOM_MAP)
    assert sfnkit.run(machine, [1], services=ECHO).output != sfnkit.run(machine, [1], services=ECHO).output


TOKEN = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def distributed(label: str) -> dict[str, Any]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": f"T{label}",
        "States": {
            f"T{label}": {
                "Type": "Task",
                "Resource": TOKEN,
                "End": True,
                "Parameters": {"token.$": "$$.Task.Token", "i.$": "$"},
            }
        },
    }
    return {"StartAt": label, "States": {label: {"Type": "Map", "ItemProcessor": processor, "End": True}}}


# Two branches, each a distributed Map (its run ARN drawn by the branch) of callback Tasks (a token per item)
TOKENS = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [distributed("A"), distributed("B")],
                                           "End": True}}}  # fmt: skip


@pytest.mark.parametrize("workers", [2, 8])
def test_seeded_task_tokens_and_map_runs_land_on_the_same_items_with_threads(workers: int) -> None:
    """Task tokens and Map Run ARNs come from the drawing branch's or item's own source, as States.UUID does."""

    def run(max_workers: int) -> tuple[Any, list[str]]:
        execution = sfnkit.run(TOKENS, list(range(12)), services={TOKEN: lambda p: p}, seed=5, max_workers=max_workers)
        runs = [e["mapRunStartedEventDetails"]["mapRunArn"] for e in execution.history if e["type"] == "MapRunStarted"]
        return execution.output, sorted(runs)

    sequential = run(1)
    assert len({item["token"] for branch in sequential[0] for item in branch}) == 24
    assert all(run(workers) == sequential for _ in range(3))
