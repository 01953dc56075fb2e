"""What a new user hit in the first hour (issue 9): each now works, or says what to write instead."""

from __future__ import annotations

import asyncio
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

import sfnkit
from sfnkit import ConditionError, DefinitionError, ValidationError, data, goto, lambda_fn, pass_, retry, when

ROOT = Path(__file__).parent.parent.parent


def test_an_unbound_lambda_names_the_function_and_how_to_bind_it() -> None:
    machine = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "charge_card", "Payload.$": "$"},
                "End": True,
            }
        },
    }
    execution = sfnkit.run(machine, {}, lambdas={"charge_cards": print, "refund": print})
    assert execution.error == "Lambda.ResourceNotFoundException"  # AWS's error and cause, unchanged
    assert execution.cause.startswith("Function not found: arn:aws:lambda:us-east-1:123456789012:function:charge_card")
    (advice,) = execution.advice
    assert "lambdas={'charge_card': handler}" in advice
    assert "did you mean 'charge_cards'?" in advice
    with pytest.raises(sfnkit.ExecutionFailed, match=r"(?s)Function not found.*lambdas=\{'charge_card'"):
        execution.raise_for_status()


def test_a_legacy_lambda_resource_gets_the_same_advice() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:Validate"
    machine = {"StartAt": "V", "States": {"V": {"Type": "Task", "Resource": arn, "End": True}}}
    execution = sfnkit.run(machine, {})
    assert "No Python function is bound to the Lambda function 'Validate'" in execution.advice[0]


@lambda_fn
def greet(event: dict[str, Any]) -> dict[str, Any]:
    return {"hello": event["name"]}


def test_a_one_parameter_handler_takes_lambdas_call_with_a_context() -> None:
    """Deployed, Lambda's Python runtime calls handler(event, context)."""
    assert greet({"name": "Ann"}, object()) == {"hello": "Ann"}
    assert greet({"name": "Ann"}) == {"hello": "Ann"}


def test_an_async_handler_is_refused_where_it_is_decorated() -> None:
    async def fetch(event: Any) -> Any:
        return event

    with pytest.raises(DefinitionError, match="is an async def: Lambda's Python runtime"):
        lambda_fn(fetch)


def test_an_async_handler_bound_by_name_says_it_is_async() -> None:
    async def fetch(event: Any) -> Any:
        await asyncio.sleep(0)
        return event

    arn = "arn:aws:lambda:us-east-1:123456789012:function:fetch"
    machine = {"StartAt": "F", "States": {"F": {"Type": "Task", "Resource": arn, "End": True}}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would be a RuntimeWarning
        execution = sfnkit.run(machine, {}, lambdas={"fetch": fetch})
    assert execution.error == "Runtime.MarshalError"
    assert "is an async def" in execution.cause


@pytest.mark.parametrize("name", ["Do this", "Lambda Invoke", "Pass (1)"])
def test_state_names_follow_awss_rule(name: str) -> None:
    """AWS accepts spaces (Workflow Studio names states "Lambda Invoke"): 1-80 characters, no control characters."""
    machine = sfnkit.workflow("W", pass_(name=name))
    assert sfnkit.run(machine, {}).path == (name,)


def test_operator_precedence_says_add_parentheses() -> None:
    with pytest.raises(ConditionError, match=r"Add parentheses .*\(data.x > 3\) & \(data.y == 'a'\)"):
        when(data.x > 3 & data.y == "a", then=pass_())
    with pytest.raises(ConditionError, match=r"Add parentheses"):
        when(data.x > 3 | data.y == "a", then=pass_())


def test_a_string_condition_says_how_to_write_it() -> None:
    with pytest.raises(ConditionError) as caught:
        when("$.x > 3", then=pass_())
    message = str(caught.value)
    assert "when(data.x > 3, then=step)" in message and "jsonata(" in message
    assert "data.x == '$.x > 3'" not in message


def test_when_true_in_a_jsonpath_workflow_speaks_of_what_the_user_wrote() -> None:
    flow = sfnkit.choice(when(True, then=pass_(name="A")), otherwise=pass_(name="B"))
    with pytest.raises(DefinitionError, match=r"when\(True, \.\.\.\) is a constant condition.*otherwise="):
        sfnkit.workflow("W", flow)
    jsonata = sfnkit.workflow("W", flow, query_language="JSONata")  # a JSONata Choice may say Condition: true
    assert sfnkit.run(jsonata, {}).path == ("Choice", "A")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_attempts": -1}, r"retry\(max_attempts=-1\): AWS takes a whole number from 0"),
        ({"interval_seconds": 0}, r"retry\(interval_seconds=0\)"),
        ({"backoff_rate": 0.5}, r"retry\(backoff_rate=0.5\): AWS takes a number >= 1.0"),
    ],
)
def test_retry_numbers_are_checked_where_retry_is_called(options: dict[str, Any], message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        retry("States.ALL", **options)


def test_workflow_checks_the_rules_and_speaks_of_the_users_step() -> None:
    """result_path="x" fails at workflow(), at the step's ResultPath, not in the Pass sfnkit adds behind it."""
    with pytest.raises(ValidationError) as caught:
        sfnkit.workflow("W", greet.with_options(result_path="x"))
    locations = [problem.location for problem in caught.value.problems]
    assert locations == ["States.Greet.ResultPath"]
    assert not any(".Payload" in location for location in locations)


def test_an_exit_less_loop_fails_at_workflow_naming_its_states() -> None:
    with pytest.raises(ValidationError, match=r"its states 'A', 'B' loop with no way out"):
        sfnkit.workflow("W", pass_(name="A") >> pass_(name="B") >> goto("A"))


def test_the_package_has_a_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", sfnkit.__version__)
    text = (ROOT / "pyproject.toml").read_text()
    assert 'path = "sfnkit/__init__.py"' in text  # one source for the version


def test_make_bench_calls_scripts_that_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    bench = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    scripts = re.findall(r"benchmarks/[\w.]+\.py", bench)
    assert scripts
    assert all((ROOT / script).is_file() for script in scripts)
