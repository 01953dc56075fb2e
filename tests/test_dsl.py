"""The DSL's steps and combinators as values: what each makes, and the errors that say what to write instead."""

from __future__ import annotations

import datetime
import inspect

import attrs
import pytest

import sfnkit
from sfnkit import (
    DefinitionError,
    aws_sdk,
    catch,
    chain,
    choice,
    ctx,
    data,
    dynamodb_delete_item,
    dynamodb_get_item,
    dynamodb_put_item,
    dynamodb_update_item,
    fail,
    goto,
    lambda_fn,
    lambda_invoke,
    map_,
    parallel,
    pass_,
    retry,
    sns_publish,
    sqs_send_message,
    start_execution,
    succeed,
    task,
    wait,
    when,
)
from sfnkit.dsl import Chain, LambdaStep, StateStep, state_name_of
from sfnkit.states import Retrier


@lambda_fn
def validate_dragon(event):
    """Check the record."""
    return {"checked": event["name"]}


def test_lambda_fn_stays_callable():
    """A decorated function still just runs when called."""
    assert validate_dragon({"name": "x"}) == {"checked": "x"}


def test_lambda_fn_looks_like_the_function():
    """Name, docstring and signature are the function's."""
    assert (validate_dragon.__name__, validate_dragon.__doc__, str(inspect.signature(validate_dragon))) == (
        "validate_dragon",
        "Check the record.",
        "(event)",
    )


def test_lambda_fn_names_the_state_in_camel_case():
    """``validate_dragon`` is the state (and Lambda function) ``ValidateDragon``."""
    assert (validate_dragon.name, validate_dragon.function_name) == ("ValidateDragon", "ValidateDragon")


def test_lambda_fn_with_options():
    """Options: name=, function_name=, timeout=, heartbeat=, memory=, description=, I/O fields."""

    @lambda_fn(name="Check", function_name="dragons-check", timeout=30, heartbeat=10, memory=256, description="d",
               result_path="$.check")  # fmt: skip
    def check(event):
        return event

    assert (check.name, check.function_name, check.memory, check.description, check.timeout, check.fields) == (
        "Check",
        "dragons-check",
        256,
        "d",
        30,
        {"result_path": "$.check", "timeout_seconds": 30, "heartbeat_seconds": 10},
    )


def test_lambda_fn_retry_and_catch_options():
    """retry= and catch= take retry(...) and catch(...) entries."""

    @lambda_fn(retry=retry("States.Timeout", max_attempts=2), catch=catch(ValueError, then=succeed()))
    def check(event):
        return event

    assert (check.retriers, check.catches[0].errors) == (
        (Retrier(error_equals=("States.Timeout",), max_attempts=2),),
        ("ValueError",),
    )


def test_lambda_fn_rejects_unknown_option():
    """A misspelt option is an error listing the valid ones."""
    with pytest.raises(DefinitionError, match="lambda_fn has no option result_pth="):
        lambda_fn(result_pth="$.x")(lambda event: event)


def test_lambda_fn_needs_a_name_for_lambdas():
    """A ``lambda`` expression cannot name a state: pass name=."""
    with pytest.raises(DefinitionError, match="pass name='MyStep'"):
        lambda_fn(lambda event: event)


def test_lambda_fn_names_a_lambda_expression():
    """A ``lambda`` expression works with name=."""
    step = lambda_fn(name="Echo")(lambda event: event)
    assert (step.name, step({"a": 1})) == ("Echo", {"a": 1})


def test_lambda_fn_rejects_bad_function_name():
    """function_name= must be a valid Lambda function name."""
    with pytest.raises(DefinitionError, match="is not a Lambda function name"):
        lambda_fn(function_name="has space")(validate_dragon.fn)


def test_with_options_is_a_new_value():
    """with_options() returns another step; the decorated function is unchanged."""
    other = validate_dragon.with_options(result_path="$.v")
    assert (other.fields, validate_dragon.fields, other.fn) == ({"result_path": "$.v"}, {}, validate_dragon.fn)


def test_named_as():
    """named_as() renames the state only."""
    other = validate_dragon.named_as("CheckAgain")
    assert (other.name, other.function_name) == ("CheckAgain", "ValidateDragon")


@pytest.mark.parametrize(
    ("name", "message"),
    [("x" * 81, "at most 80"), ("", "cannot be empty"), ("a\x01b", "control character"), (5, "are strings")],
    ids=["long", "empty", "control", "not-str"],
)
def test_bad_state_names(name, message):
    """State names follow AWS's rule (1..80 characters, no control characters), checked where the step is made."""
    with pytest.raises(DefinitionError, match=message):
        pass_(name=name)


@pytest.mark.parametrize("name", ["Do this", "Lambda Invoke", "Pass (1)", "a:b", "Ünïcode ✓"])
def test_state_names_aws_accepts(name):
    """AWS accepts spaces and punctuation in state names (Workflow Studio's default is "Lambda Invoke")."""
    machine = sfnkit.workflow("W", pass_(name=name))
    assert machine.to_asl()["StartAt"] == name


def test_state_name_of():
    """snake_case function names become CamelCase state names."""
    assert [state_name_of(n) for n in ("add_dragon", "addDragon", "_private", "v2_check")] == [
        "AddDragon",
        "AddDragon",
        "Private",
        "V2Check",
    ]


def test_rshift_chains():
    """``a >> b >> c`` is a chain of the three steps."""
    a, b, c = pass_(name="A"), pass_(name="B"), pass_(name="C")
    assert (a >> b >> c).steps() == [a, b, c]


def test_chain_function_and_lists():
    """``chain(a, [b, c])`` flattens lists; ``a >> [b, c]`` too."""
    a, b, c = pass_(name="A"), pass_(name="B"), pass_(name="C")
    assert chain(a, [b, c]).steps() == (a >> [b, c]).steps() == [a, b, c]


def test_chain_of_one_is_the_step():
    """chain(a) is just a."""
    a = pass_(name="A")
    assert chain(a) is a


def test_chain_equality_is_by_steps():
    """Two chains of equal steps are equal, however they were nested."""
    a, b, c = pass_(name="A"), pass_(name="B"), pass_(name="C")
    assert (a >> b) >> c == a >> (b >> c)


def test_long_chain_flattens_without_recursion():
    """A 20,000-step ``>>`` chain flattens (and compares) without hitting the recursion limit."""
    step = pass_()
    flow = step
    for _ in range(19_999):
        flow = flow >> step
    assert isinstance(flow, Chain) and len(flow.steps()) == 20_000 and flow == flow


def test_empty_chain():
    """chain() needs a step."""
    with pytest.raises(DefinitionError, match="at least one step"):
        chain()


def test_plain_function_is_not_a_step():
    """A function without @lambda_fn in a flow says to decorate it."""

    def plain(event):
        return event

    with pytest.raises(DefinitionError, match="decorate it with @lambda_fn"):
        pass_() >> plain  # type: ignore[operator]


def test_steps_are_frozen():
    """Steps cannot be changed in place."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        pass_().name = "X"  # type: ignore[misc]


def test_json_values_are_copied():
    """Changing the dict given to a step afterwards does not change the step."""
    parameters = {"a": {"b": 1}}
    step = pass_(parameters=parameters)
    parameters["a"]["b"] = 2
    assert step.fields["parameters"] == {"a": {"b": 1}}


def test_paths_mark_a_step_dynamic():
    """A path inside a field is kept for the build (it is spelt per query language)."""
    step = pass_(parameters={"a": data.x})
    assert (step.dynamic, step.fields["parameters"]["a"] is data.x) == (True, True)


def test_non_json_value():
    """A value that is not JSON is refused where it is given."""
    with pytest.raises(DefinitionError, match="is not a JSON value"):
        pass_(parameters={"a": object()})


def test_retry_on_pass_is_refused():
    """Pass states have no Retry in ASL: the error says how to retry a group."""
    with pytest.raises(DefinitionError, match=r"ASL allows Retry only on Task, Parallel and Map.*parallel\(group\)"):
        pass_().retry()


def test_catch_on_choice_is_refused():
    """Choice states have no Catch in ASL."""
    with pytest.raises(DefinitionError, match="ASL allows Catch only on Task, Parallel and Map"):
        choice(when(data.a == 1, then=succeed())).catch()


def test_catch_on_chain_is_refused():
    """A chain is several states: wrap it in parallel() to catch its errors."""
    with pytest.raises(DefinitionError, match="wrap them"):
        (pass_() >> pass_()).catch()


def test_states_all_must_be_last():
    """States.ALL after another entry is refused when it is added."""
    with pytest.raises(DefinitionError, match=r"States\.ALL alone, in the last entry"):
        task("arn:aws:states:::sns:publish").retry("States.ALL").retry("States.Timeout")


def test_retry_accepts_exception_classes():
    """Exception classes are error names, as Lambda reports them."""
    assert retry([ValueError, "States.Timeout"]).error_equals == ("ValueError", "States.Timeout")


def test_retry_and_catch_methods_add_entries():
    """.retry() and .catch() on a Task add one entry each, in order."""
    step = task("arn:aws:states:::sns:publish").retry("A").retry("B").catch("C")
    assert ([r.error_equals for r in step.retriers], [c.errors for c in step.catches]) == ([("A",), ("B",)], [("C",)])


def test_wait_needs_exactly_one():
    """wait() takes exactly one of its four forms."""
    with pytest.raises(DefinitionError, match="exactly one of seconds="):
        wait(seconds=1, timestamp="2024-01-01T00:00:00Z")


def test_wait_rejects_negative_seconds():
    """Seconds are whole and not negative."""
    with pytest.raises(DefinitionError, match="whole number >= 0"):
        wait(seconds=-1)


def test_wait_datetime_timestamp():
    """A datetime timestamp is written in RFC 3339 UTC."""
    step = wait(timestamp=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    assert step.fields == {"timestamp": "2030-01-01T00:00:00Z"}


def test_fail_error_and_error_path_exclusive():
    """fail() takes error= or error_path=, not both."""
    with pytest.raises(DefinitionError, match="error= or error_path="):
        fail(error="E", error_path="$.e")


def test_choice_needs_branches():
    """A choice without branches is an error."""
    with pytest.raises(DefinitionError, match="at least one when"):
        choice()


def test_choice_branch_must_be_when():
    """A bare step as a branch says to wrap it."""
    with pytest.raises(DefinitionError, match="wrap it as when"):
        choice(pass_())  # type: ignore[arg-type]


def test_when_accepts_jsonata_text():
    """A ``{% %}`` string is a JSONata condition."""
    assert when("{% true %}", then=succeed()).condition.condition == "{% true %}"  # type: ignore[union-attr]


def test_when_rejects_plain_text():
    """A plain string is not a condition."""
    with pytest.raises(DefinitionError, match="is not a condition"):
        when("data.x > 1", then=succeed())


def test_parallel_needs_branches():
    """parallel() needs a branch."""
    with pytest.raises(DefinitionError, match="at least one branch"):
        parallel()


def test_map_distributed_options_imply_distributed():
    """An item_reader makes a Distributed Map (ExecutionType STANDARD unless given)."""
    step = map_(pass_(), item_reader={"Resource": "arn:aws:states:::s3:getObject"})
    assert step.processor_config == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}


def test_map_inline_mode():
    """mode='INLINE' writes ProcessorConfig explicitly."""
    assert map_(pass_(), mode="INLINE").processor_config == {"Mode": "INLINE"}


def test_map_items_and_items_path_exclusive():
    """items= and items_path= are two spellings of one thing."""
    with pytest.raises(DefinitionError, match="items= or items_path="):
        map_(pass_(), items=[1], items_path="$.x")


def test_goto_takes_a_step():
    """goto(step) jumps to that step's state name."""
    assert goto(validate_dragon).target == "ValidateDragon"


def test_task_wait_for_task_token():
    """wait_for_task_token=True appends .waitForTaskToken."""
    step = task("arn:aws:states:::sqs:sendMessage", wait_for_task_token=True)
    assert step.fields["resource"] == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def test_task_one_request_field():
    """parameters= and arguments= are exclusive."""
    with pytest.raises(DefinitionError, match="one of parameters=, arguments= or request="):
        task("arn:x", parameters={}, arguments={})


@pytest.mark.parametrize(
    ("step", "resource", "name", "payload"),
    [
        (sns_publish("arn:t", "hi", subject="s"), "arn:aws:states:::sns:publish", "SnsPublish",
         {"TopicArn": "arn:t", "Message": "hi", "Subject": "s"}),
        (sqs_send_message("https://q", {"a": 1}), "arn:aws:states:::sqs:sendMessage", "SqsSendMessage",
         {"QueueUrl": "https://q", "MessageBody": {"a": 1}}),
        (dynamodb_put_item("T", {"k": {"S": "v"}}), "arn:aws:states:::dynamodb:putItem", "DynamoDBPutItem",
         {"TableName": "T", "Item": {"k": {"S": "v"}}}),
        (dynamodb_get_item("T", {"k": {"S": "v"}}), "arn:aws:states:::dynamodb:getItem", "DynamoDBGetItem",
         {"TableName": "T", "Key": {"k": {"S": "v"}}}),
        (dynamodb_update_item("T", {"k": {"S": "v"}}, update_expression="SET n = :n",
                              expression_attribute_values={":n": {"N": "1"}}),
         "arn:aws:states:::dynamodb:updateItem", "DynamoDBUpdateItem",
         {"TableName": "T", "Key": {"k": {"S": "v"}}, "UpdateExpression": "SET n = :n",
          "ExpressionAttributeValues": {":n": {"N": "1"}}}),
        (dynamodb_delete_item("T", {"k": {"S": "v"}}), "arn:aws:states:::dynamodb:deleteItem", "DynamoDBDeleteItem",
         {"TableName": "T", "Key": {"k": {"S": "v"}}}),
        (lambda_invoke("fn", payload={"a": 1}), "arn:aws:states:::lambda:invoke", "LambdaInvoke",
         {"FunctionName": "fn", "Payload": {"a": 1}}),
        (start_execution("arn:sm", input={"a": 1}), "arn:aws:states:::states:startExecution", "StartExecution",
         {"StateMachineArn": "arn:sm", "Input": {"a": 1}}),
        (start_execution("arn:sm", input={}, sync=True), "arn:aws:states:::states:startExecution.sync",
         "StartExecution", {"StateMachineArn": "arn:sm", "Input": {}}),
        (start_execution("arn:sm", input={}, sync_json=True), "arn:aws:states:::states:startExecution.sync:2",
         "StartExecution", {"StateMachineArn": "arn:sm", "Input": {}}),
        (aws_sdk("s3", "getObject", {"Bucket": "b", "Key": "k"}), "arn:aws:states:::aws-sdk:s3:getObject",
         "S3GetObject", {"Bucket": "b", "Key": "k"}),
        (sqs_send_message("https://q", {"token": ctx.Task.Token}, wait_for_task_token=True),
         "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "SqsSendMessage",
         {"QueueUrl": "https://q", "MessageBody": {"token": ctx.Task.Token}}),
    ],
    ids=["sns", "sqs", "put", "get", "update", "delete", "lambda", "start", "sync", "sync2", "sdk", "token"],
)  # fmt: skip
def test_integration_helpers(step, resource, name, payload):
    """Each helper is a Task with the integration's resource, a default name and a neutral request."""
    assert (step.fields["resource"], step.name, step.named, step.fields["request"]) == (resource, name, False, payload)


def test_helper_name_option():
    """name= on a helper is an explicit state name."""
    step = sns_publish("arn:t", "hi", name="Notify")
    assert (step.name, step.named) == ("Notify", True)


def test_helper_rejects_own_request():
    """A helper builds its own request: parameters= says to use task()."""
    with pytest.raises(DefinitionError, match="use task"):
        sns_publish("arn:t", "hi", parameters={})


def test_aws_sdk_checks_names():
    """The service is lower-case, the action camelCase."""
    with pytest.raises(DefinitionError, match="camelCase"):
        aws_sdk("s3", "GetObject")


def test_start_execution_one_sync():
    """sync= and sync_json= are exclusive."""
    with pytest.raises(DefinitionError, match="not both"):
        start_execution("arn:sm", sync=True, sync_json=True)


def test_kinds_of_steps():
    """Each constructor makes the step kind it says."""
    assert [s.kind for s in (task("arn:x"), pass_(), wait(seconds=1), succeed(), fail())] == [
        "Task",
        "Pass",
        "Wait",
        "Succeed",
        "Fail",
    ]


def test_lambda_step_type():
    """@lambda_fn makes a LambdaStep; the others StateStep."""
    assert isinstance(validate_dragon, LambdaStep) and isinstance(pass_(), StateStep)
