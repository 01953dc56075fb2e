"""The Task integrations ``sfnkit.aws()`` runs: optimized ones and generic ``aws-sdk:<service>:<action>``.

Each integration turns the Task's parameters (PascalCase, as Step Functions sends them) into a boto3 call, and
the answer into the result Step Functions returns (``shaping``). ``.waitForTaskToken`` sends, then waits for the
token on the world's clock; ``states:startExecution`` runs the nested machine in this world.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.cloud.services.apigateway import invoke_api
from sfnkit.cloud.services.shaping import compact, json_value, optimized_error, sdk_error, sdk_http_metadata
from sfnkit.cloud.services.stepfunctions import ServiceError
from sfnkit.taskcall import TaskCall

if TYPE_CHECKING:
    from sfnkit.cloud.services import AwsServices

__all__ = ["Binding", "binding_for"]

Json = Any
Handler = Callable[["AwsServices", Json, TaskCall | None], Json]

# aws-sdk service names that boto3 spells differently
_BOTO_NAMES = {"sfn": "stepfunctions", "eventbridge": "events"}


class Binding:
    """The callable ``run()`` finds under a Task resource (it receives the parameters and the ``TaskCall``)."""

    takes_task_call = True

    def __init__(self, services: AwsServices, handler: Handler, wait_for_token: bool) -> None:
        self.services = services
        self.handler = handler
        self.wait_for_token = wait_for_token

    def __call__(self, params: Json, call: TaskCall | None = None) -> Json:
        if not self.wait_for_token or call is None or call.token is None:
            return self.handler(self.services, params, call)
        return self.services.stepfunctions.callback(call, lambda: self._send(params, call))

    def _send(self, params: Json, call: TaskCall) -> None:
        answer = self.handler(self.services, params, call)
        if call.submitted is not None:
            call.submitted(answer)


def _now(call: TaskCall | None) -> float | None:
    return None if call is None else call.timeline.now


def _text(value: Json) -> Json:
    """A JSON value where the API wants text: Step Functions sends it as compact JSON."""
    return value if isinstance(value, str) or value is None else compact(value)


def _call(services: AwsServices, service: str, method: str, params: dict[str, Json], operation: str = "") -> Any:
    """The boto3 call; a service error as the optimized integration names it (*operation*: validate first)."""
    client = services.client(service)
    try:
        if operation:
            _required(service, client, operation, params)
        return getattr(client, method)(**params)
    except Exception as exc:
        if hasattr(exc, "response"):
            raise optimized_error(service, client, exc) from None
        raise


def _required(service: str, client: Any, operation: str, params: dict[str, Json]) -> None:
    """AWS's own validation message for a required member that is null or missing (boto3 would refuse to send)."""
    model = getattr(getattr(client, "meta", None), "service_model", None)
    if model is None:
        return
    shape = model.operation_model(operation).input_shape
    for name in getattr(shape, "required_members", ()):
        if params.get(name) is None:
            member = name[:1].lower() + name[1:]
            raise ServiceError(
                "ValidationException",
                f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: "
                "Member must not be null",
            )
    for name, value in params.items():
        pattern = _PATTERNS.get((service, name))
        if pattern and isinstance(value, str) and not re.fullmatch(pattern, value):
            member = name[:1].lower() + name[1:]
            raise ServiceError(
                "ValidationException",
                f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {pattern}",
            )


# constraints AWS checks that the API models botocore ships do not carry (moto skips them)
_PATTERNS = {("dynamodb", "TableName"): "[a-zA-Z0-9_.-]+"}


# --- optimized integrations ------------------------------------------------------------------------------------


def _sqs_send(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    request = {k: v for k, v in dict(params).items() if k in _SQS_MEMBERS}
    if request.get("MessageBody") is None:
        raise optimized_error(
            "sqs",
            services.client("sqs"),
            ServiceError("MissingParameter", "The request must contain the parameter MessageBody."),
        )
    request["MessageBody"] = _text(request["MessageBody"])
    host = str(request.get("QueueUrl", "")).split("/")[2:3]
    if services.in_process and host and not host[0].startswith(("sqs.", "queue.")):
        # the Java SDK sends to the queue URL's host, and one that does not resolve fails before any request;
        # moto in this process answers whatever the host, so sfnkit says what AWS would (no DNS is consulted)
        raise StatesError(
            "SQS.SdkClientException", f"Unable to execute HTTP request: {host[0]}: Name or service not known"
        )
    answer = _call(services, "sqs", "send_message", request)
    body = {k: answer[k] for k in ("MD5OfMessageAttributes", "MD5OfMessageBody", "MessageId") if k in answer}
    if "SequenceNumber" in answer:
        body["SequenceNumber"] = answer["SequenceNumber"]
    return {**body, **sdk_http_metadata("sqs", compact(body), _now(call))}


_SQS_MEMBERS = frozenset(
    {"QueueUrl", "MessageBody", "DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId"}
)

_SNS_XML = (
    '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n  <PublishResult>\n    '
    "<MessageId>{id}</MessageId>{seq}\n  </PublishResult>\n  <ResponseMetadata>\n    <RequestId>{rid}</RequestId>\n"
    "  </ResponseMetadata>\n</PublishResponse>\n"
)


def _sns_publish(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    request = dict(params)
    request["Message"] = _text(request.get("Message"))
    client = services.client("sns")
    topic = str(request.get("TopicArn", ""))
    if topic.endswith(".fifo") and "MessageGroupId" not in request:
        raise optimized_error(
            "sns",
            client,
            ServiceError(
                "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
            ),
        )
    answer = _call(services, "sns", "publish", request)
    body: dict[str, Json] = {"MessageId": answer["MessageId"]}
    seq = ""
    if topic.endswith(".fifo"):
        body["SequenceNumber"] = answer.get("SequenceNumber") or f"{10**19 + len(services.sequence):020d}"
        services.sequence.append(body["SequenceNumber"])
        seq = f"\n    <SequenceNumber>{body['SequenceNumber']}</SequenceNumber>"
    text = _SNS_XML.format(id=body["MessageId"], seq=seq, rid="0" * 36)  # the request id has a uuid's length
    return {**body, **sdk_http_metadata("sns", text, _now(call))}


def _dynamodb(method: str, operation: str) -> Handler:
    def handler(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
        request = dict(params)
        body = json_value(_call(services, "dynamodb", method, request, operation))
        if "ConsumedCapacity" in body and "ReturnConsumedCapacity" not in request:
            del body["ConsumedCapacity"]
        metadata = sdk_http_metadata("dynamodb", compact(body), _now(call), lower_request_id=method == "get_item")
        return {**body, **metadata}

    return handler


def _events_put(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    entries = list(dict(params).get("Entries") or [])
    results: list[dict[str, Json] | None] = []
    valid = []
    for entry in entries:
        entry = dict(entry)
        if "Detail" in entry:
            entry["Detail"] = _text(entry["Detail"])
            try:
                detail_ok = isinstance(json.loads(entry["Detail"]), dict)
            except ValueError:
                detail_ok = False
            if not detail_ok:
                results.append({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."})
                continue
        if not entry.get("Source"):
            results.append(
                {
                    "ErrorCode": "InvalidArgument",
                    "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
                }
            )
            continue
        if call is not None and isinstance(call.context, dict):
            # Step Functions names the state machine and the execution among the event's resources
            machine = (call.context.get("StateMachine") or {}).get("Id")
            execution = (call.context.get("Execution") or {}).get("Id")
            entry["Resources"] = [*entry.get("Resources", []), *(arn for arn in (machine, execution) if arn)]
        results.append(None)
        valid.append(entry)
    answered = _call(services, "events", "put_events", {"Entries": valid})["Entries"] if valid else []
    it = iter(answered)
    out = [r if r is not None else {"EventId": next(it)["EventId"]} for r in results]
    failed = sum(1 for r in out if "ErrorCode" in r)
    result = {"Entries": out, "FailedEntryCount": failed}
    if failed:
        raise StatesError("EventBridge.FailedEntry", compact(result))
    return result


def _s3_get_object(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    """The ItemReader's read: the object's text (the engine parses it by ReaderConfig)."""
    answer = _call(services, "s3", "get_object", {k: v for k, v in dict(params).items() if k in ("Bucket", "Key")})
    return {"Body": answer["Body"].read().decode()}


def _s3_put_object(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    """A Distributed Map's ResultWriter writes a result file or the manifest (the engine gives the text)."""
    request = {k: v for k, v in dict(params).items() if k in ("Bucket", "Key")}
    body = dict(params).get("Body")
    request["Body"] = (body if isinstance(body, str) else compact(body)).encode()
    answer = _call(services, "s3", "put_object", request)
    return {k: answer[k] for k in ("ETag",) if k in answer}


def _s3_list_objects(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    items: list[Json] = []
    request = dict(params)
    while True:
        answer = _call(services, "s3", "list_objects_v2", request)
        for entry in answer.get("Contents", []):
            item = json_value(entry)
            item["Etag"] = item.pop("ETag", "")  # Step Functions spells it so in ItemReader items
            items.append({k: item[k] for k in ("Etag", "Key", "LastModified", "Size", "StorageClass") if k in item})
        if not answer.get("IsTruncated"):
            return items
        request["ContinuationToken"] = answer["NextContinuationToken"]


def _start_execution(suffix: str) -> Handler:
    def handler(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
        sfn = services.stepfunctions
        if call is None:
            raise StatesError(RUNTIME, "states:startExecution runs only inside an execution")
        try:
            record, waiter = sfn.start_for_task(params, call, wait=bool(suffix))
        except ServiceError as exc:
            raise optimized_error("stepfunctions", services.sdk_model("stepfunctions"), exc) from None
        body = {"executionArn": record.arn, "startDate": float(f"{record.start:.3f}")}
        started = {"ExecutionArn": record.arn, "StartDate": int(record.start * 1000)}
        started.update(sdk_http_metadata("stepfunctions", _java_json(body), _now(call)))
        if waiter is None:
            return started
        if call.submitted is not None:
            call.submitted(started)
        result = sfn.outcome(call, waiter)
        if result is not record:
            return result  # the Task's own token came back first
        described = sfn.describe_execution(executionArn=record.arn)
        doc: dict[str, Json] = {
            "ExecutionArn": described["executionArn"],
            "Input": described["input"] if suffix == ".sync" else json.loads(described["input"]),
            "InputDetails": {"Included": True},
            "Name": described["name"],
        }
        if "output" in described:
            doc["Output"] = described["output"] if suffix == ".sync" else json.loads(described["output"])
            doc["OutputDetails"] = {"Included": True}
        status = described["status"]
        doc.update(
            RedriveCount=0,
            RedriveStatus="NOT_REDRIVABLE",
            RedriveStatusReason=f"Execution is {status} and cannot be redriven",
            StartDate=int(record.start * 1000),
            StateMachineArn=described["stateMachineArn"],
            Status=status,
            StopDate=int(described["stopDate"].timestamp() * 1000),
        )
        if status == "SUCCEEDED":
            return doc
        if "error" in described:
            doc["Error"] = described["error"]
        if "cause" in described:
            doc["Cause"] = described["cause"]
        del doc["RedriveCount"], doc["RedriveStatus"], doc["RedriveStatusReason"]
        raise StatesError("States.TaskFailed", compact(dict(sorted(doc.items()))))

    return handler


def _java_json(body: dict[str, Json]) -> str:
    # Java writes a double epoch as 1.716988093596E9
    text = compact(body)
    if "startDate" in body:
        mantissa = f"{body['startDate'] / 1e9:.12f}".rstrip("0")
        text = text.replace(compact(body["startDate"]), f"{mantissa}E9")
    return text


OPTIMIZED: dict[str, Handler] = {
    "sqs:sendMessage": _sqs_send,
    "sns:publish": _sns_publish,
    "dynamodb:getItem": _dynamodb("get_item", "GetItem"),
    "dynamodb:putItem": _dynamodb("put_item", "PutItem"),
    "dynamodb:updateItem": _dynamodb("update_item", "UpdateItem"),
    "dynamodb:deleteItem": _dynamodb("delete_item", "DeleteItem"),
    "events:putEvents": _events_put,
    "s3:getObject": _s3_get_object,
    "s3:listObjectsV2": _s3_list_objects,
    "s3:putObject": _s3_put_object,
    "states:startExecution": _start_execution(""),
    "states:startExecution.sync": _start_execution(".sync"),
    "states:startExecution.sync:2": _start_execution(".sync:2"),
    "apigateway:invoke": invoke_api,
}


# --- aws-sdk:<service>:<action> ----------------------------------------------------------------------------------


def _sdk(service: str, action: str) -> Handler:
    boto_name = _BOTO_NAMES.get(service, service)
    operation = action[:1].upper() + action[1:]

    def handler(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
        model = services.sdk_model(boto_name)
        try:
            op_model = model.meta.service_model.operation_model(operation)
        except Exception:
            raise StatesError(
                RUNTIME, f"aws-sdk:{service}:{action} is not an action of {service} (the API has no {operation})"
            ) from None
        request = _members(params if isinstance(params, dict) else {}, op_model.input_shape, inbound=True)
        client = services.client(boto_name)
        method = _method_name(operation)
        try:
            request = _sdk_request(service, action, request)
            _required(boto_name, model, operation, request)
            answer = getattr(client, method)(**request)
        except Exception as exc:
            if hasattr(exc, "response"):
                raise sdk_error(service, model, exc) from None
            raise
        result = _members(json_value(answer), op_model.output_shape, inbound=False)
        return _sdk_result(service, action, request, result)

    return handler


def _method_name(operation: str) -> str:
    """boto3's method for an API operation: ``ListObjectsV2`` -> ``list_objects_v2``."""
    from botocore import xform_name

    return str(xform_name(operation))


def _members(value: Json, shape: Any, *, inbound: bool) -> Json:
    """Member names between Step Functions' PascalCase and the API model's own (camelCase for some services)."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        out = {}
        lookup = {name[:1].upper() + name[1:]: name for name in shape.members}
        for key, item in value.items():
            if inbound and item is None:
                continue  # the SDK leaves a null member out of the request (a required one fails AWS's validation)
            name = str(lookup.get(key, key) if inbound else key)
            member = shape.members.get(name)
            out_key = name if inbound else name[:1].upper() + name[1:]
            out[out_key] = _members(item, member, inbound=inbound) if member is not None else item
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [_members(v, shape.member, inbound=inbound) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _members(v, shape.value, inbound=inbound) for k, v in value.items()}
    if inbound and shape.type_name in ("string",) and isinstance(value, dict | list):
        return compact(value)  # Step Functions serialises JSON given where the API wants text
    return value


def _sdk_request(service: str, action: str, request: dict[str, Json]) -> dict[str, Json]:
    if service == "secretsmanager" and action == "createSecret":
        if not re.fullmatch(r"[A-Za-z0-9/_+=.@!-]+", str(request.get("Name", ""))):  # moto accepts any name
            raise ServiceError(
                "ValidationException",
                "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: "
                "-/_+=.@!",
            )
    if service == "s3" and action == "putObject" and "Body" in request:
        body = request["Body"]
        # AWS-observed: the object holds the body as JSON text, a string included ("\"text data\""); S3 encrypts
        # every new object with SSE-S3 unless told otherwise
        request = dict(request, Body=compact(body).encode())
        request.setdefault("ServerSideEncryption", "AES256")
        request.setdefault("ContentType", "text/plain; charset=UTF-8")  # the SDK sends the JSON text as text
    return request


def _sdk_result(service: str, action: str, request: dict[str, Json], result: Json) -> Json:
    if service == "dynamodb" and isinstance(result, dict) and "ReturnConsumedCapacity" not in request:
        result.pop("ConsumedCapacity", None)  # moto reports it unasked
    if service == "s3" and isinstance(result, dict):
        if action == "getObject":
            for key in [k for k in result if k.startswith("Checksum")]:
                if request.get("ChecksumMode") != "ENABLED":
                    del result[key]
            result.setdefault("ServerSideEncryption", "AES256")
        if action == "putObject":
            result.setdefault("ServerSideEncryption", "AES256")
            if "ChecksumCRC32" in result:
                result.setdefault("ChecksumType", "FULL_OBJECT")
    return result


def _activity(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    if call is None:
        raise StatesError(RUNTIME, "an activity runs only as a Task of an execution")
    return services.stepfunctions.run_activity(params, call)


def _engine_request(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    """``lambda:invoke.waitForTaskToken``: the engine invokes the local function itself; the world sends, then
    waits for the token."""
    if call is None or call.request is None:
        raise StatesError(RUNTIME, "lambda:invoke.waitForTaskToken runs only as a Task of an execution")
    return call.request()


def binding_for(services: AwsServices, resource: str) -> Binding | None:
    """The binding for a Task resource, or None when ``sfnkit.aws()`` has no such integration."""
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
        return Binding(services, _activity, wait_for_token=False)
    if not resource.startswith("arn:aws:states:::"):
        return None
    tail = resource[len("arn:aws:states:::") :]
    wait = tail.endswith(".waitForTaskToken")
    if wait:
        tail = tail[: -len(".waitForTaskToken")]
    if tail.startswith("aws-sdk:"):
        _, service, action = [*tail.split(":"), "", ""][:3]
        if not service or not action:
            return None
        return Binding(services, _sdk(service, action), wait)
    if tail == "lambda:invoke" and wait:
        return Binding(services, _engine_request, wait)
    handler = OPTIMIZED.get(tail)
    return None if handler is None else Binding(services, handler, wait)
