"""Answers and errors shaped as Step Functions shows them, whatever endpoint (moto, LocalStack, AWS) gave them.

Step Functions runs the optimized integrations through the AWS SDK for Java v1 and the ``aws-sdk:`` ones through
v2; the two spell results and errors differently, and the recordings in ``tests/conformance_services`` pin both:

- optimized results carry ``SdkHttpMetadata`` (the HTTP headers AWS sent, ``Content-Length`` that of the exact
  body AWS sends) and ``SdkResponseMetadata``; ``aws-sdk:`` results do not;
- optimized errors are ``<Service>.<Exception>`` (``DynamoDB.ResourceNotFoundException``), an error the API
  does not model becoming ``<Service>.Amazon<Service>Exception``; causes end with
  ``(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ...; Request ID: ...; Proxy: null)``;
- ``aws-sdk:`` errors use v2's class names (``DynamoDb.``, ``Sfn.``, ``S3.NoSuchBucketException``), an unmodeled
  error becoming ``DynamoDb.DynamoDbException``; causes end with ``(Service: S3, Status Code: 404, Request ID:
  ...)``.
"""

from __future__ import annotations

import base64
import datetime
import uuid
import zlib
from typing import Any, Final

from sfnkit.asl.dataflow import json_text as compact  # JSON text as AWS writes it on the wire (no spaces)
from sfnkit.asl.failures import StatesError

__all__ = ["compact", "json_value", "optimized_error", "sdk_error", "sdk_http_metadata"]

Json = Any

# optimized integrations: (error prefix, Java v1 service name, unmodeled-error class)
OPTIMIZED: Final = {
    "sns": ("SNS", "AmazonSNS", "AmazonSNSException"),
    "sqs": ("SQS", "AmazonSQS", "AmazonSQSException"),
    "dynamodb": ("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException"),
    "stepfunctions": ("StepFunctions", "AWSStepFunctions", "AWSStepFunctionsException"),
    "events": ("EventBridge", "AmazonEventBridge", "AmazonEventBridgeException"),
    "s3": ("S3", "Amazon S3", "AmazonS3Exception"),
    "lambda": ("Lambda", "AWSLambda", "AWSLambdaException"),
}
# aws-sdk integrations: the Java v2 client's name for the service (the error prefix)
SDK_NAMES: Final = {
    "dynamodb": "DynamoDb",
    "sfn": "Sfn",
    "stepfunctions": "Sfn",
    "s3": "S3",
    "sqs": "Sqs",
    "sns": "Sns",
    "secretsmanager": "SecretsManager",
    "eventbridge": "EventBridge",
    "events": "EventBridge",
    "lambda": "Lambda",
    "apigateway": "ApiGateway",
    "ec2": "Ec2",
    "ssm": "Ssm",
    "kms": "Kms",
    "iam": "Iam",
    "sts": "Sts",
}
# moto's messages that AWS words differently: (service, error code, moto's message) -> AWS's message
AWS_MESSAGES: Final = {
    ("sns", "NotFound", "Endpoint does not exist"): "Topic does not exist",
    ("dynamodb", "ResourceNotFoundException", "Cannot do operations on a non-existent table"): (
        "Requested resource not found"
    ),
}
# the Content-Type each optimized service answers with
CONTENT_TYPES: Final = {
    "sqs": "application/x-amz-json-1.0",
    "stepfunctions": "application/x-amz-json-1.0",
    "dynamodb": "application/x-amz-json-1.0",
    "sns": "text/xml",
}


def json_value(value: Any) -> Json:
    """A boto3 answer as JSON: timestamps as Step Functions writes them, bytes as text, no ResponseMetadata."""
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, datetime.datetime):
        return _timestamp(value)
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "read"):
        return json_value(value.read())
    return value


def _timestamp(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    text = value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _request_id() -> str:
    return str(uuid.uuid4())


def sdk_http_metadata(service: str, body: str, now: float | None, *, lower_request_id: bool = False) -> dict[str, Json]:
    """``SdkHttpMetadata`` and ``SdkResponseMetadata`` as an optimized integration's result carries them.

    *body* is the exact text AWS would have sent (its length is ``Content-Length``, its CRC32 DynamoDB's
    ``x-amz-crc32``); *now* the calling Task's time (the ``Date`` header), the wall clock when None.
    """
    request_id = _request_id()
    when = datetime.datetime.now(datetime.UTC) if now is None else datetime.datetime.fromtimestamp(now, datetime.UTC)
    date = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    body_length = len(body.encode())
    content_type = CONTENT_TYPES.get(service, "application/json")
    id_header = "x-amzn-requestid" if lower_request_id else "x-amzn-RequestId"
    if service == "dynamodb":
        crc = str(zlib.crc32(body.encode()))
        headers = {
            "Connection": "keep-alive",
            "Content-Length": str(body_length),
            "Content-Type": content_type,
            "Date": date,
            "Server": "Server",
            "x-amz-crc32": crc,
            id_header: request_id,
        }
    else:
        headers = {
            "connection": "keep-alive",
            "Content-Length": str(body_length),
            "Content-Type": content_type,
            "Date": date,
            "x-amzn-RequestId": request_id,
        }
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {k: [v] for k, v in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def _error_parts(exc: Exception) -> tuple[str, str, int]:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    code = str(error.get("Code") or type(exc).__name__)
    message = str(error.get("Message") or "")
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 400)
    return code, message, status


def _modeled_name(client: Any, code: str) -> str | None:
    """The API's own exception name for *code* (``NoSuchBucket`` -> ``NoSuchBucketException``), if it models it."""
    model = getattr(getattr(client, "meta", None), "service_model", None)
    if model is None:
        return None
    for shape in model.error_shapes:
        shape_code = shape.metadata.get("error", {}).get("code") or shape.name
        if code in (shape.name, shape_code):
            return shape.name if shape.name.endswith("Exception") else f"{shape.name}Exception"
    return None


def optimized_error(service: str, client: Any, exc: Exception) -> StatesError:
    """A service error as an optimized integration reports it (Java SDK v1 spelling)."""
    prefix, java_service, unmodeled = OPTIMIZED[service]
    code, message, status = _error_parts(exc)
    message = AWS_MESSAGES.get((service, code, message), message)
    name = _modeled_name(client, code) or unmodeled
    cause = (
        f"{message} (Service: {java_service}; Status Code: {status}; Error Code: {code}; "
        f"Request ID: {_request_id()}; Proxy: null)"
    )
    return StatesError(f"{prefix}.{name}", cause)


def sdk_error(service: str, client: Any, exc: Exception) -> StatesError:
    """A service error as an ``aws-sdk:`` integration reports it (Java SDK v2 spelling)."""
    prefix = SDK_NAMES.get(service, service[:1].upper() + service[1:])
    code, message, status = _error_parts(exc)
    message = AWS_MESSAGES.get((service, code, message), message)
    name = _modeled_name(client, code) or f"{prefix}Exception"
    detail = f"Service: {prefix}, Status Code: {status}, Request ID: {_request_id()}"
    if service == "s3":
        detail += f", Extended Request ID: {base64.b64encode(uuid.uuid4().bytes).decode()}"
    cause = f"{message} ({detail})"
    if prefix == "Sfn":
        cause += " (SDK Attempt Count: 1)"
    return StatesError(f"{prefix}.{name}", cause)
