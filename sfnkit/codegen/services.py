"""Tasks the service helpers build (``sns_publish``, ``dynamodb_put_item``, ``aws_sdk``...): which, and the call.

A helper fits a Task when it writes exactly that request: the same resource, the API members it takes (a
JSONPath ``"Member.$"`` entry becoming a path argument), and the members it always writes (``lambda_invoke``'s
``Payload`` and ``start_execution``'s ``Input``, the state input unless given).
"""

from __future__ import annotations

import re
from typing import Any, Final

from sfnkit.codegen.values import Imports, py_json, py_path, py_str, py_template
from sfnkit.states import ABSENT, Task

__all__ = ["helper_call"]

Json = Any
JSONPATH: Final = "JSONPath"
_SERVICE = re.compile(r"[a-z0-9]+(?:[a-z0-9-]*[a-z0-9])?")  # as sfnkit.integrations.aws_sdk checks them
_ACTION = re.compile(r"[a-z][A-Za-z0-9]*")

# resource -> (helper, default state name, positional API members, keyword API members -> parameter, the members
# the helper always writes: the state input by default)
_HELPERS: Final[dict[str, tuple[str, str, tuple[str, ...], dict[str, str], tuple[str, ...]]]] = {
    "arn:aws:states:::sns:publish": (
        "sns_publish", "SnsPublish", ("TopicArn", "Message"),
        {"Subject": "subject", "MessageAttributes": "message_attributes"}, (),
    ),
    "arn:aws:states:::sqs:sendMessage": (
        "sqs_send_message", "SqsSendMessage", ("QueueUrl", "MessageBody"),
        {"DelaySeconds": "delay_seconds", "MessageGroupId": "message_group_id",
         "MessageAttributes": "message_attributes"}, (),
    ),
    "arn:aws:states:::dynamodb:putItem": (
        "dynamodb_put_item", "DynamoDBPutItem", ("TableName", "Item"),
        {"ConditionExpression": "condition_expression"}, (),
    ),
    "arn:aws:states:::dynamodb:getItem": (
        "dynamodb_get_item", "DynamoDBGetItem", ("TableName", "Key"),
        {"ProjectionExpression": "projection_expression"}, (),
    ),
    "arn:aws:states:::dynamodb:updateItem": (
        "dynamodb_update_item", "DynamoDBUpdateItem", ("TableName", "Key", "UpdateExpression"),
        {"ExpressionAttributeValues": "expression_attribute_values",
         "ExpressionAttributeNames": "expression_attribute_names", "ConditionExpression": "condition_expression"}, (),
    ),
    "arn:aws:states:::dynamodb:deleteItem": (
        "dynamodb_delete_item", "DynamoDBDeleteItem", ("TableName", "Key"), {}, (),
    ),
    "arn:aws:states:::lambda:invoke": (
        "lambda_invoke", "LambdaInvoke", ("FunctionName",), {"Payload": "payload"}, ("Payload",),
    ),
    "arn:aws:states:::states:startExecution": (
        "start_execution", "StartExecution", ("StateMachineArn",), {"Input": "input", "Name": "execution_name"},
        ("Input",),
    ),
}  # fmt: skip


def helper_call(
    state: Task, language: str, kwargs: dict[str, str], imports: Imports
) -> tuple[str, list[str], dict[str, str], str] | None:
    """``(helper, args, kwargs, default name)`` for a Task a service helper builds, if one does."""
    resource = state.resource
    request = state.parameters if language == JSONPATH else state.arguments
    other = state.arguments if language == JSONPATH else state.parameters
    if not isinstance(request, dict) or other is not ABSENT:
        return None
    options = {key: value for key, value in kwargs.items() if key not in ("parameters", "arguments")}
    suffix = ""
    if resource.endswith(".waitForTaskToken"):
        resource, suffix = resource.removesuffix(".waitForTaskToken"), ".waitForTaskToken"
        options["wait_for_task_token"] = "True"
    if resource.startswith("arn:aws:states:::aws-sdk:") and not suffix:
        service, _, action = resource.removeprefix("arn:aws:states:::aws-sdk:").partition(":")
        if not _SERVICE.fullmatch(service) or not _ACTION.fullmatch(action):
            return None
        default = "".join(part.capitalize() for part in service.split("-")) + action[0].upper() + action[1:]
        body = py_template(request, imports) if language == JSONPATH else py_json(request)
        return "aws_sdk", [py_str(service), py_str(action), body], options, default
    sync = ""
    for ending in (".sync:2", ".sync"):
        if resource.startswith("arn:aws:states:::states:startExecution") and resource.endswith(ending):
            resource, sync = resource.removesuffix(ending), ending
    spec = _HELPERS.get(resource)
    if spec is None:
        return None
    function, default, positional, keywords, defaults = spec
    arguments = _request_arguments(request, language, defaults, imports)
    if arguments is None or not set(positional) <= set(arguments):
        return None
    if set(arguments) - set(positional) - set(keywords):
        return None
    if sync == ".sync":
        options["sync"] = "True"
    elif sync == ".sync:2":
        options["sync_json"] = "True"
    args = [arguments.pop(key) for key in positional]
    named = {keywords[key]: arguments[key] for key in keywords if key in arguments}
    return function, args, {**named, **options}, default


def _request_arguments(
    request: dict[str, Json], language: str, defaulted: tuple[str, ...], imports: Imports
) -> dict[str, str] | None:
    """The helper arguments (API member -> source) for *request*, or None if a helper cannot write it."""
    out: dict[str, str] = {}
    for key, value in request.items():
        is_path = language == JSONPATH and key.endswith(".$")
        member = key[:-2] if is_path else key
        if member in out:
            return None
        if is_path:
            path = py_path(value, imports)
            if path is None:
                return None
            out[member] = path
        else:
            out[member] = py_template(value, imports) if language == JSONPATH else py_json(value)
    for member in defaulted:
        if member not in out:
            return None  # the helper would write it
        if request.get(f"{member}.$") == "$" or request.get(member) == "{% $states.input %}":
            del out[member]  # the helper's default: the state input
    return out
