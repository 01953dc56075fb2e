"""Least-privilege IAM policies generated from a state machine definition, following AWS's documented templates.

The state machine's role may do what its Task states call, on the resources they name (AWS Step Functions
Developer Guide, "IAM policies for integrated services": one entry per static resource; a resource passed as a
path gets ``"Resource": "*"``). Every ``*`` is listed as a :class:`Wildcard` so deploy can say so. A function's
role may write its own logs (the console's basic execution policy, scoped to the function's log group).

ARNs are written with the region, account and partition given in :class:`Arns`: deploy passes real values, the
template export passes ``${AWS::Region}``-style placeholders (and wraps such strings in ``Fn::Sub``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs

__all__ = [
    "SQS_POLLER",
    "Arns",
    "Grant",
    "Wildcard",
    "function_policy",
    "lambda_trust",
    "policy_document",
    "state_machine_grants",
    "states_trust",
    "tasks",
    "wildcards",
]

Json = Any

# An SDK integration's service name where the IAM prefix differs (aws-sdk:<service>:<action> -> <prefix>:<Action>).
_IAM_PREFIX: Final = {"sfn": "states", "cloudwatchlogs": "logs", "efs": "elasticfilesystem", "cloudwatch": "cloudwatch"}
_SYNC_RULE: Final = "StepFunctionsGetEventsForStepFunctionsExecutionRule"
SQS_POLLER: Final = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
_DYNAMODB: Final = {"getItem": "GetItem", "putItem": "PutItem", "updateItem": "UpdateItem", "deleteItem": "DeleteItem"}


@attrs.frozen
class Arns:
    """How to spell ARNs: the partition, region and account, and the ARN of a Lambda function by name."""

    region: str
    account: str
    partition: str = "aws"
    functions: Mapping[str, str] = attrs.field(factory=dict)  # function name -> ARN, for functions being deployed

    def function(self, reference: str) -> str:
        """The unqualified ARN of the function a ``FunctionName`` names (a name, a partial or full ARN)."""
        name = reference.split(":function:", 1)[1] if ":function:" in reference else reference
        name = name.split(":", 1)[0]
        if name in self.functions:
            return self.functions[name]
        if reference.startswith("arn:"):
            return reference.split(":function:", 1)[0] + f":function:{name}"
        return self.arn("lambda", f"function:{name}")

    def queue(self, queue: str) -> str:
        """The ARN of an SQS queue given by name, URL (``https://sqs.<region>.amazonaws.com/<account>/<name>``; the
        region is this one on another host, e.g. a moto server) or ARN."""
        if queue.startswith("arn:"):
            return queue
        parts = queue.rstrip("/").split("/")
        if len(parts) < 5:  # a name
            return self.arn("sqs", queue)
        host = parts[2].split(".")
        region = host[1] if len(host) > 2 and host[0] == "sqs" else self.region
        return f"arn:{self.partition}:sqs:{region}:{parts[-2]}:{parts[-1]}"

    def arn(self, service: str, resource: str) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"


@attrs.frozen
class Wildcard:
    """A permission granted on ``*`` (or a pattern) because the resource is only known at run time."""

    state: str
    action: str
    reason: str

    def __str__(self) -> str:
        return f"{self.state}: {self.action} on * ({self.reason})"


@attrs.frozen
class Grant:
    """Actions allowed on resources, because of state *state*."""

    state: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    wildcard: Wildcard | None = None


def tasks(definition: Mapping[str, Json]) -> Iterator[tuple[str, dict[str, Json]]]:
    """Every Task state of *definition* (branches and item processors included), as ``(name, state)``."""
    pending = [definition]
    while pending:
        block = pending.pop(0)
        for name, state in block.get("States", {}).items():
            if state.get("Type") == "Task":
                yield name, state
            pending.extend(state.get("Branches", []))
            for key in ("ItemProcessor", "Iterator"):
                if key in state:
                    pending.append(state[key])


def _request(state: Mapping[str, Json]) -> tuple[Mapping[str, Json], bool]:
    """The Task's request and whether the whole of it is an expression (JSONata ``Arguments: "{% ... %}"``)."""
    request = state.get("Arguments", state.get("Parameters", {}))
    if isinstance(request, str):
        return {}, True
    return request if isinstance(request, Mapping) else {}, False


def _field(request: Mapping[str, Json], key: str, whole_dynamic: bool) -> tuple[Json, bool]:
    """A request field's literal value (None if absent) and whether it is only known at run time."""
    if whole_dynamic or f"{key}.$" in request:
        return None, True
    value = request.get(key)
    if isinstance(value, str) and value.strip().startswith("{%"):
        return None, True
    return value, False


def _grant(state: str, actions: tuple[str, ...], resource: Json, dynamic: bool, what: str) -> Grant:
    if dynamic or not isinstance(resource, str):
        reason = f"{what} is given at run time" if dynamic else f"{what} is not given"
        return Grant(state, actions, ("*",), Wildcard(state, ", ".join(actions), reason))
    return Grant(state, actions, (resource,))


def _task_grants(name: str, state: Mapping[str, Json], arns: Arns) -> list[Grant]:
    resource = str(state.get("Resource", ""))
    request, dynamic = _request(state)
    base = re.sub(r"\.(sync(:2)?|waitForTaskToken)$", "", resource)
    sync = resource.endswith((".sync", ".sync:2"))
    if ":lambda:" in resource and ":function:" in resource:  # a Lambda ARN as the Resource (the legacy form)
        fn = arns.function(resource)
        return [Grant(name, ("lambda:InvokeFunction",), (fn, f"{fn}:*"))]
    match base.split(":::", 1)[-1] if ":::" in base else "":
        case "lambda:invoke":
            value, late = _field(request, "FunctionName", dynamic)
            if late or not isinstance(value, str):
                return [_grant(name, ("lambda:InvokeFunction",), value, late, "FunctionName")]
            fn = arns.function(value)
            return [Grant(name, ("lambda:InvokeFunction",), (fn, f"{fn}:*"))]
        case "sns:publish":
            value, late = _field(request, "TopicArn", dynamic)
            return [_grant(name, ("sns:Publish",), value, late, "TopicArn" if late or value else "TopicArn (a phone "
                           "number or TargetArn is used)")]  # fmt: skip
        case "sqs:sendMessage":
            value, late = _field(request, "QueueUrl", dynamic)
            queue = arns.queue(value) if isinstance(value, str) and len(value.rstrip("/").split("/")) >= 5 else None
            return [_grant(name, ("sqs:SendMessage",), queue, late, "QueueUrl")]
        case service if service.startswith("dynamodb:") and service[9:] in _DYNAMODB:
            value, late = _field(request, "TableName", dynamic)
            table = value if isinstance(value, str) and value.startswith("arn:") else None
            if isinstance(value, str) and table is None:
                table = arns.arn("dynamodb", f"table/{value}")
            return [_grant(name, (f"dynamodb:{_DYNAMODB[service[9:]]}",), table, late, "TableName")]
        case "states:startExecution":
            value, late = _field(request, "StateMachineArn", dynamic)
            grants = [_grant(name, ("states:StartExecution",), value, late, "StateMachineArn")]
            if sync:
                executions = None
                if isinstance(value, str) and not late:
                    machine_name = value.split(":")[-1]
                    executions = arns.arn("states", f"execution:{machine_name}:*")
                grants.append(
                    _grant(
                        name, ("states:DescribeExecution", "states:StopExecution"), executions, late, "StateMachineArn"
                    )
                )
                grants.append(
                    Grant(
                        name,
                        ("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                        (arns.arn("events", f"rule/{_SYNC_RULE}"),),
                    )
                )
            return grants
        case "events:putEvents":
            entries, late = _field(request, "Entries", dynamic)
            buses: list[str] = []
            for entry in entries if isinstance(entries, list) else []:
                bus, bus_late = _field(entry if isinstance(entry, Mapping) else {}, "EventBusName", False)
                late = late or bus_late
                bus = bus if isinstance(bus, str) else "default"
                buses.append(bus if bus.startswith("arn:") else arns.arn("events", f"event-bus/{bus}"))
            if late or not buses:
                pattern = f"arn:{arns.partition}:events:*:*:event-bus/*"
                return [Grant(name, ("events:PutEvents",), (pattern,),
                              Wildcard(name, "events:PutEvents", "the event bus is given at run time"))]  # fmt: skip
            return [Grant(name, ("events:PutEvents",), tuple(dict.fromkeys(buses)))]
        case service if service.startswith("aws-sdk:"):
            _, sdk, action = service.split(":", 2)
            iam_action = f"{_IAM_PREFIX.get(sdk, sdk)}:{action[0].upper()}{action[1:]}"
            return [Grant(name, (iam_action,), ("*",), Wildcard(name, iam_action, "an SDK call names no resource ARN"))]
        case _:
            return []


def state_machine_grants(
    definition: Mapping[str, Json], arns: Arns, *, logging: bool = False, tracing: bool = False
) -> tuple[list[Grant], list[str]]:
    """What the state machine's role must be allowed, and the Task resources no policy was generated for."""
    grants: list[Grant] = []
    unknown: list[str] = []
    for name, state in tasks(definition):
        found = _task_grants(name, state, arns)
        resource = str(state.get("Resource", ""))
        if not found and ":activity:" not in resource:  # an activity's workers call Step Functions, not the role
            unknown.append(f"{name}: {resource}")
        grants.extend(found)
    if logging:  # AWS: CloudWatch Logs delivery actions do not support resource-level permissions
        actions = ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                   "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                   "logs:DescribeResourcePolicies", "logs:DescribeLogGroups")  # fmt: skip
        grants.append(Grant("(logging)", actions, ("*",), Wildcard("(logging)", "logs:*LogDelivery", "AWS requires *")))
    if tracing:
        tracing_actions = ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                   "xray:GetSamplingTargets")  # fmt: skip
        grants.append(Grant("(tracing)", tracing_actions, ("*",), Wildcard("(tracing)", "xray:*", "AWS requires *")))
    return grants, unknown


def policy_document(grants: list[Grant]) -> dict[str, Json]:
    """One IAM policy document allowing *grants*: one statement per set of actions, its resources merged."""
    merged: dict[tuple[str, ...], list[str]] = {}
    for grant in grants:
        resources = merged.setdefault(grant.actions, [])
        resources.extend(r for r in grant.resources if r not in resources)
    statements = []
    for actions, resources in merged.items():
        wildcard = "*" in resources
        statements.append(
            {
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": "*" if wildcard else resources,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def function_policy(
    function_name: str, arns: Arns, declared: tuple[dict[str, Json], ...] = (), queues: tuple[str, ...] = ()
) -> dict[str, Json]:
    """A function's own permissions: create its log group, write its log streams, read the *queues* (ARNs) of its
    SQS triggers, and what its decorator declares."""
    group = arns.arn("logs", f"log-group:/aws/lambda/{function_name}")
    # Lambda's SQS event source reads with the execution role: exactly these three actions (AWS Lambda Developer
    # Guide, "Using Lambda with Amazon SQS", execution role permissions; the AWSLambdaSQSQueueExecutionRole policy)
    reads = [{"Effect": "Allow", "Action": list(SQS_POLLER), "Resource": list(queues)}] if queues else []
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": [group]},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": [f"{group}:*"]},
            *reads,
            *declared,
        ],
    }


def _trust(service: str) -> dict[str, Json]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def lambda_trust() -> dict[str, Json]:
    """The trust policy that lets Lambda assume a function's role."""
    return _trust("lambda.amazonaws.com")


def states_trust() -> dict[str, Json]:
    """The trust policy that lets Step Functions assume the state machine's role."""
    return _trust("states.amazonaws.com")


def wildcards(grants: list[Grant]) -> list[Wildcard]:
    """The grants on ``*``, in order."""
    return [grant.wildcard for grant in grants if grant.wildcard is not None]
