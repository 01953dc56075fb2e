"""Task steps for the common AWS service integrations: SNS, SQS, DynamoDB, Lambda, Step Functions, AWS SDK calls.

Each helper returns an ordinary :func:`sfnkit.dsl.task` step; its request is language-neutral (``Parameters`` in a
JSONPath workflow, ``Arguments`` in a JSONata one) and may hold paths: ``sns_publish(topic, message=data.text)``.
Any other ``task()`` option (``name=``, ``result_path=``, ``retry=``, ``catch=``, ``wait_for_task_token=``...)
passes through.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from sfnkit.dsl import StateStep, task
from sfnkit.errors import DefinitionError
from sfnkit.states import ABSENT

__all__ = [
    "aws_sdk",
    "dynamodb_delete_item",
    "dynamodb_get_item",
    "dynamodb_put_item",
    "dynamodb_update_item",
    "lambda_invoke",
    "sns_publish",
    "sqs_send_message",
    "start_execution",
]

Json = Any


def _request(**fields: Json) -> dict[str, Json]:
    # Python names to the API's PascalCase member names, leaving out what was not given.
    return {key: value for key, value in fields.items() if value is not ABSENT}


def _service_task(resource: str, default_name: str, request: dict[str, Json], options: dict[str, Any]) -> StateStep:
    for key in ("parameters", "arguments", "request"):
        if key in options:
            raise DefinitionError(
                f"{default_name}: the request is built from the helper's arguments; use task({resource!r}, "
                f"{key}=...) to write it yourself"
            )
    step = task(resource, request=request, **options)
    return step if "name" in options else attrs.evolve(step, name=default_name, named=False)


def sns_publish(
    topic_arn: Json,
    message: Json,
    *,
    subject: Json = ABSENT,
    message_attributes: Json = ABSENT,
    **options: Any,
) -> StateStep:
    """Publish *message* (any JSON, or a path) to an SNS topic (``arn:aws:states:::sns:publish``)."""
    request = _request(TopicArn=topic_arn, Message=message, Subject=subject, MessageAttributes=message_attributes)
    return _service_task("arn:aws:states:::sns:publish", "SnsPublish", request, options)


def sqs_send_message(
    queue_url: Json,
    message_body: Json,
    *,
    delay_seconds: Json = ABSENT,
    message_group_id: Json = ABSENT,
    message_attributes: Json = ABSENT,
    **options: Any,
) -> StateStep:
    """Send *message_body* to an SQS queue (``arn:aws:states:::sqs:sendMessage``).

    With ``wait_for_task_token=True``, put ``ctx.Task.Token`` in the body for the consumer to call back with.
    """
    request = _request(
        QueueUrl=queue_url,
        MessageBody=message_body,
        DelaySeconds=delay_seconds,
        MessageGroupId=message_group_id,
        MessageAttributes=message_attributes,
    )
    return _service_task("arn:aws:states:::sqs:sendMessage", "SqsSendMessage", request, options)


def dynamodb_put_item(
    table_name: Json, item: Json, *, condition_expression: Json = ABSENT, **options: Any
) -> StateStep:
    """Write *item* (DynamoDB JSON: ``{"name": {"S": data.name}}``) to a table (``dynamodb:putItem``)."""
    request = _request(TableName=table_name, Item=item, ConditionExpression=condition_expression)
    return _service_task("arn:aws:states:::dynamodb:putItem", "DynamoDBPutItem", request, options)


def dynamodb_get_item(
    table_name: Json, key: Json, *, projection_expression: Json = ABSENT, **options: Any
) -> StateStep:
    """Read the item with *key* from a table (``dynamodb:getItem``); the result has it under ``Item``."""
    request = _request(TableName=table_name, Key=key, ProjectionExpression=projection_expression)
    return _service_task("arn:aws:states:::dynamodb:getItem", "DynamoDBGetItem", request, options)


def dynamodb_update_item(
    table_name: Json,
    key: Json,
    *,
    update_expression: Json,
    expression_attribute_values: Json = ABSENT,
    expression_attribute_names: Json = ABSENT,
    condition_expression: Json = ABSENT,
    **options: Any,
) -> StateStep:
    """Update the item with *key* (``dynamodb:updateItem``), e.g. ``update_expression="SET n = :n"``."""
    request = _request(
        TableName=table_name,
        Key=key,
        UpdateExpression=update_expression,
        ExpressionAttributeValues=expression_attribute_values,
        ExpressionAttributeNames=expression_attribute_names,
        ConditionExpression=condition_expression,
    )
    return _service_task("arn:aws:states:::dynamodb:updateItem", "DynamoDBUpdateItem", request, options)


def dynamodb_delete_item(table_name: Json, key: Json, **options: Any) -> StateStep:
    """Delete the item with *key* from a table (``dynamodb:deleteItem``)."""
    return _service_task(
        "arn:aws:states:::dynamodb:deleteItem", "DynamoDBDeleteItem", _request(TableName=table_name, Key=key), options
    )


def lambda_invoke(function_name: str, *, payload: Json = ABSENT, **options: Any) -> StateStep:
    """Invoke a Lambda function by name or ARN (``arn:aws:states:::lambda:invoke``).

    Unlike ``@lambda_fn``, the result is the whole invoke response (``{"Payload": ..., "StatusCode": ...}``) and the
    function is not bound locally; ``payload`` defaults to the state input.
    """
    from sfnkit.conditions import data

    request = _request(FunctionName=function_name, Payload=data if payload is ABSENT else payload)
    return _service_task("arn:aws:states:::lambda:invoke", "LambdaInvoke", request, options)


def start_execution(
    state_machine_arn: Json,
    *,
    input: Json = ABSENT,
    execution_name: Json = ABSENT,
    sync: bool = False,
    sync_json: bool = False,
    **options: Any,
) -> StateStep:
    """Start a nested Step Functions execution (``states:startExecution``).

    ``sync=True`` waits for it to finish (``.sync``: its output is a JSON string); ``sync_json=True`` waits and
    returns its output as JSON (``.sync:2``). ``input`` defaults to the state input.
    """
    from sfnkit.conditions import data

    if sync and sync_json:
        raise DefinitionError("start_execution() takes sync=True or sync_json=True, not both")
    suffix = ".sync:2" if sync_json else ".sync" if sync else ""
    request = _request(StateMachineArn=state_machine_arn, Input=data if input is ABSENT else input, Name=execution_name)
    return _service_task(f"arn:aws:states:::states:startExecution{suffix}", "StartExecution", request, options)


def aws_sdk(service: str, action: str, request: Json = ABSENT, **options: Any) -> StateStep:
    """Call any AWS API through the SDK integration: ``aws_sdk("s3", "getObject", {"Bucket": ..., "Key": ...})``.

    The resource is ``arn:aws:states:::aws-sdk:<service>:<action>``; the default state name ``S3GetObject``.
    """
    if not re.fullmatch(r"[a-z0-9]+(?:[a-z0-9-]*[a-z0-9])?", service or ""):
        raise DefinitionError(f"aws_sdk({service!r}, ...): the service is the SDK's lower-case name, e.g. 's3', 'ec2'")
    if not re.fullmatch(r"[a-z][A-Za-z0-9]*", action or ""):
        raise DefinitionError(f"aws_sdk(..., {action!r}): the action is the API name in camelCase, e.g. 'getObject'")
    default = "".join(part.capitalize() for part in service.split("-")) + action[0].upper() + action[1:]
    return _service_task(
        f"arn:aws:states:::aws-sdk:{service}:{action}", default, {} if request is ABSENT else dict(request), options
    )
