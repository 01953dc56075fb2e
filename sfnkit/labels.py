"""Short human words for a machine's parts: Choice rules as ``is_new == true``, Tasks as ``SNS publish``.

Shared by the Graphviz renderer (``sfnkit.render``) and the Mermaid writer (``sfnkit.mermaid``); pure functions of
the IR, no layout. The texts are for people, not for round-tripping: ``sfnkit.asl.codec`` owns the ASL spelling.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final, assert_never

from sfnkit.conditions import AllOf, AnyOf, Compare, Condition, Expression, Not
from sfnkit.machine import StateMachine
from sfnkit.states import Catcher, Choice, Fail, Map, Parallel, Pass, Retrier, State, Succeed, Task, Wait

__all__ = [
    "NodeIds",
    "describe_catch",
    "describe_condition",
    "describe_retry",
    "describe_state",
    "describe_task",
    "node_ids",
    "short_path",
    "task_detail",
    "wrap",
]

_COMPARISON: Final = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_FAMILIES: Final = ("String", "Numeric", "Boolean", "Timestamp")
_EQUALITY: Final = frozenset(f"{family}Equals{path}" for family in _FAMILIES for path in ("", "Path"))
_TYPE_TESTS: Final = {
    "IsNull": "null",
    "IsPresent": "present",
    "IsNumeric": "numeric",
    "IsString": "a string",
    "IsBoolean": "a boolean",
    "IsTimestamp": "a timestamp",
}
# How AWS names its services in the console; anything else is shown as spelled in the ARN.
_SERVICES: Final = {
    "apigateway": "API Gateway",
    "athena": "Athena",
    "batch": "Batch",
    "bedrock": "Bedrock",
    "codebuild": "CodeBuild",
    "dynamodb": "DynamoDB",
    "ecs": "ECS",
    "eks": "EKS",
    "elasticmapreduce": "EMR",
    "emr-containers": "EMR on EKS",
    "emr-serverless": "EMR Serverless",
    "events": "EventBridge",
    "glue": "Glue",
    "http": "HTTP",
    "lambda": "Lambda",
    "mediaconvert": "MediaConvert",
    "s3": "S3",
    "sagemaker": "SageMaker",
    "sns": "SNS",
    "sqs": "SQS",
    "states": "Step Functions",
}
_PATTERNS: Final = {".sync": "run job", ".sync:2": "run job", ".waitForTaskToken": "callback"}
_LAMBDA_ARN: Final = re.compile(r"^arn:[^:]+:lambda:[^:]*:[^:]*:function:(?P<name>[^:]+)")
_ACTIVITY_ARN: Final = re.compile(r"^arn:[^:]+:states:[^:]*:[^:]*:activity:(?P<name>.+)$")
_INTEGRATION_ARN: Final = re.compile(
    r"^arn:[^:]+:states:::(?:aws-sdk:)?(?P<service>[^:]+):(?P<api>[^.]+)(?P<pattern>\..*)?$"
)
_JSONATA: Final = re.compile(r"^\s*\{%(?P<body>.*)%\}\s*$", re.DOTALL)
_BREAK_AFTER: Final = re.compile(r"(?<=[_\-./:])|(?<=[a-z0-9])(?=[A-Z])")


def short_path(path: str) -> str:
    """A JSONPath as people read it: the ``$.`` of the state input is dropped.

    >>> short_path("$.dragon.is_new"), short_path("$"), short_path("$$.Execution.Id")
    ('dragon.is_new', '$', '$$.Execution.Id')
    """
    if path.startswith("$.") and not path.startswith("$.."):
        return path[2:]
    return path


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _compare(variable: str, operator: str, value: Any) -> str:
    left = short_path(variable)
    if operator in _TYPE_TESTS:
        positive = value is True
        return f"{left} is {'' if positive else 'not '}{_TYPE_TESTS[operator]}"
    if operator == "StringMatches":
        return f"{left} matches {_literal(value)}"
    for family in _FAMILIES:
        if not operator.startswith(family):
            continue
        rest = operator[len(family) :]
        is_path = rest.endswith("Path")
        symbol = _COMPARISON.get(rest.removesuffix("Path"))
        if symbol is None:
            break
        right = short_path(str(value)) if is_path else _literal(value)
        return f"{left} {symbol} {right}"
    return f"{left} {operator} {_literal(value)}"


def _jsonata(text: str) -> str:
    match = _JSONATA.match(text)
    body = match.group("body") if match else text
    # $states.input.x is the JSONata spelling of JSONPath's $.x: show both the same way.
    body = body.replace("$states.input.", "")
    return " ".join(body.split())


def _needs_parentheses(condition: Condition) -> bool:
    return isinstance(condition, AllOf | AnyOf) and len(condition.conditions) > 1


def _part(condition: Condition) -> str:
    text = describe_condition(condition)
    return f"({text})" if _needs_parentheses(condition) else text


def describe_condition(condition: Condition) -> str:
    """A Choice rule in compact form: ``is_new == true``, ``age >= 18 and name is present``.

    >>> describe_condition(Compare(variable="$.is_new", operator="BooleanEquals", value=True))
    'is_new == true'
    >>> describe_condition(Not(condition=Compare(variable="$.n", operator="NumericEquals", value=0)))
    'n != 0'
    """
    match condition:
        case Compare(variable=variable, operator=operator, value=value):
            return _compare(variable, operator, value)
        case AllOf(conditions=parts):
            return " and ".join(_part(part) for part in parts)
        case AnyOf(conditions=parts):
            return " or ".join(_part(part) for part in parts)
        case Not(condition=Compare(variable=variable, operator=operator, value=value)) if operator in _EQUALITY:
            return _compare(variable, operator, value).replace(" == ", " != ", 1)
        case Not(condition=Compare(operator=operator, value=value) as inner) if operator in _TYPE_TESTS:
            return _compare(inner.variable, operator, not value if isinstance(value, bool) else value)
        case Not(condition=inner):
            return f"not ({describe_condition(inner)})"
        case Expression(condition=expression):
            return _jsonata(expression) if isinstance(expression, str) else _literal(expression)
        case _:
            assert_never(condition)


def _field(payload: Any, key: str) -> Any:
    """The literal value of *key* in a Parameters/Arguments object (``None`` if absent or computed)."""
    if isinstance(payload, Mapping):
        value = payload.get(key)
        if isinstance(value, str) and not _JSONATA.match(value):
            return value
    return None


def _function_name(value: str) -> str:
    match = _LAMBDA_ARN.match(value)
    if match:
        return match.group("name")
    return value.split(":", 1)[0]  # "name:alias"


def _payload(task: Task) -> Any:
    return task.parameters if isinstance(task.parameters, Mapping) else task.arguments


def describe_task(task: Task) -> str:
    """What a Task calls: ``λ validate``, ``SNS publish``, ``DynamoDB putItem``, ``Activity approve``.

    >>> describe_task(Task(resource="arn:aws:states:::sns:publish"))
    'SNS publish'
    >>> describe_task(Task(resource="arn:aws:lambda:us-east-1:123456789012:function:validate"))
    'λ validate'
    """
    resource = task.resource if isinstance(task.resource, str) else ""
    if match := _LAMBDA_ARN.match(resource):
        return f"λ {match.group('name')}"
    if match := _ACTIVITY_ARN.match(resource):
        return f"Activity {match.group('name')}"
    if match := _INTEGRATION_ARN.match(resource):
        service, api, pattern = match.group("service", "api", "pattern")
        suffix = f" ({_PATTERNS.get(pattern, pattern.lstrip('.'))})" if pattern else ""
        if service == "lambda" and api == "invoke":
            function = _field(_payload(task), "FunctionName")
            return f"λ {_function_name(function)}{suffix}" if function else f"Lambda invoke{suffix}"
        return f"{_SERVICES.get(service, service)} {api}{suffix}"
    return resource.rsplit(":", 1)[-1] or "Task"


def task_detail(task: Task) -> str | None:
    """The one literal argument that tells same-service Tasks apart (an SNS message, a DynamoDB table), if any."""
    payload = _payload(task)
    resource = task.resource if isinstance(task.resource, str) else ""
    if ":sns:" in resource and (message := _field(payload, "Message")):
        return f'"{message}"'
    if ":dynamodb:" in resource and (table := _field(payload, "TableName")):
        return f"table {table}"
    if ":sqs:" in resource and (queue := _field(payload, "QueueUrl")):
        return f"queue {queue.rstrip('/').rsplit('/', 1)[-1]}"
    if ":states:::states:" in resource and (target := _field(payload, "StateMachineArn")):
        return f"machine {target.rsplit(':', 1)[-1]}"
    return None


def _seconds(value: int | float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if value >= size and value % size == 0:
            return f"{value // size:g} {unit}"
    return f"{value:g} s"


def describe_state(state: State, name: str | None = None) -> str:
    """The second line of a state's box: its type, and what it does where that fits in a few words.

    A Lambda function named like its state (as ``@lambda_fn`` names them) reads ``λ Lambda function`` rather
    than repeating the name.
    """
    match state:
        case Task():
            text = describe_task(state)
            return "λ Lambda function" if name is not None and text == f"λ {name}" else text
        case Wait(seconds=seconds, timestamp=timestamp, seconds_path=seconds_path, timestamp_path=timestamp_path):
            if isinstance(seconds, int | float) and not isinstance(seconds, bool):
                return f"Wait {_seconds(seconds)}"
            if isinstance(seconds, str):  # a JSONata expression
                return f"Wait {_jsonata(seconds)} s"
            if isinstance(seconds_path, str):
                return f"Wait {short_path(seconds_path)} s"
            if isinstance(timestamp, str):
                return f"Wait until {_jsonata(timestamp)}"
            if isinstance(timestamp_path, str):
                return f"Wait until {short_path(timestamp_path)}"
            return "Wait"
        case Fail(error=error):
            return f"Fail: {error}" if isinstance(error, str) and not _JSONATA.match(error) else "Fail"
        case Map(items_path=items_path, items=items, processor_config=config):
            distributed = isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"
            kind = "Distributed Map" if distributed else "Map"
            if isinstance(items_path, str) and items_path != "$":
                return f"{kind}: each of {short_path(items_path)}"
            if isinstance(items, str):
                return f"{kind}: each of {_jsonata(items)}"
            return f"{kind}: each item"
        case Parallel(branches=branches):
            return f"Parallel: {len(branches)} branch{'es' * (len(branches) != 1)}"
        case Pass() | Choice() | Succeed():
            return state.type
        case _:
            assert_never(state)


def describe_retry(retriers: tuple[Retrier, ...]) -> str:
    """The Retry badge: ``Retry ×3`` (the most attempts any retrier allows; ASL's default is 3).

    Plain words and Latin-1 only: graphviz-pure's fonts have no arrows or check marks.
    """
    attempts = max((3 if r.max_attempts is None else r.max_attempts) for r in retriers)
    return f"Retry ×{attempts}"


def describe_catch(catcher: Catcher) -> str:
    """A Catch edge's label: the errors it handles (``any error`` for ``States.ALL``)."""
    errors = ["any error" if error == "States.ALL" else error for error in catcher.error_equals]
    return "catch " + ", ".join(errors)


def _split_word(word: str, width: int) -> list[str]:
    """Pieces of one over-long word, cut after ``_-./:`` or before a camelCase hump, else hard."""
    pieces: list[str] = []
    for piece in (p for p in _BREAK_AFTER.split(word) if p):
        if pieces and len(pieces[-1]) + len(piece) <= width:
            pieces[-1] += piece
            continue
        while len(piece) > width:
            pieces.append(piece[:width])
            piece = piece[width:]
        pieces.append(piece)
    return pieces


def wrap(text: str, width: int) -> list[str]:
    """Break *text* into lines of about *width* characters: at spaces, and inside a longer word at ``_-./:`` or
    camelCase humps.

    >>> wrap("ValidateDragonRecordAndStore", 12)
    ['Validate', 'DragonRecord', 'AndStore']
    >>> wrap("catch TooMany, States.TaskFailed", 20)
    ['catch TooMany,', 'States.TaskFailed']
    """
    if width <= 0 or len(text) <= width:
        return [text]
    lines: list[str] = []
    for word in text.split():
        for piece in _split_word(word, width) if len(word) > width else [word]:
            if lines and len(lines[-1]) + 1 + len(piece) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
    return lines


NodeIds = dict[int, dict[str, str]]  # id(machine or nested machine) -> state name -> node id


def node_ids(machine: StateMachine) -> NodeIds:
    """Node ids ``s1``, ``s2``... for every state, depth-first in definition order (the same on every call)."""
    ids: NodeIds = {}
    counter = 0

    def number(owner: StateMachine) -> None:
        nonlocal counter
        names: dict[str, str] = {}
        ids[id(owner)] = names
        for name in owner.states:
            counter += 1
            names[name] = f"s{counter}"
            for inner in owner.nested(name):
                number(inner)

    number(machine)
    return ids
