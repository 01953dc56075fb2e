"""Events as Lambda delivers them, for invoking handlers locally: SQS, SNS, S3, API Gateway, EventBridge, DynamoDB.

Each builder returns a fresh JSON value in the exact shape the service hands a Lambda function (field names,
casing, which fields are present and which are null), filled with what you pass and placeholders for the rest:
``handler.invoke(sqs_event("hello", {"id": 7}))``. The builders are pure: the same arguments give the same event
(ids are derived from the content; times default to 2024-01-01T00:00:00Z; pass ``time=`` for another instant, as
epoch seconds).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import struct
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal
from urllib.parse import quote_plus, urlencode

from sfnkit.asl.context import ACCOUNT, REGION
from sfnkit.asl.scope import Json

__all__ = [
    "api_gateway_event",
    "dynamodb_event",
    "dynamodb_record",
    "eventbridge_event",
    "http_api_event",
    "s3_event",
    "s3_record",
    "sns_event",
    "sns_record",
    "sqs_event",
    "sqs_message_attributes",
    "sqs_record",
    "sqs_record_of",
    "to_attribute_value",
]

EPOCH: Final = 1_704_067_200.0  # 2024-01-01T00:00:00Z: the builders' default time (never today's date)
_SENDER: Final = "AIDAEXAMPLESENDERID01"  # an IAM user id, the shape SQS reports as SenderId
_NAMESPACE: Final = uuid.UUID("6f1c0e52-3c2b-4f4e-9a55-2f0c8f3b7d10")


def _uid(*parts: object) -> str:
    """A version-5 UUID of *parts*: the same content always gets the same id."""
    return str(uuid.uuid5(_NAMESPACE, json.dumps(parts, default=repr)))


def _iso(seconds: float, *, millis: bool = True) -> str:
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    if not millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _text(body: Json | bytes, where: str) -> str:
    """A message body as the service carries it: text as it is, any other JSON value as JSON text."""
    if isinstance(body, str):
        return body
    if isinstance(body, bytes):
        raise TypeError(f"{where}: the body is bytes; message bodies are text: decode it, or base64-encode it")
    try:
        return json.dumps(body)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}: the body is neither text nor JSON ({exc}); pass a str or a JSON value") from None


# --- SQS -----------------------------------------------------------------------------------------------------


def _sqs_attribute(name: str, value: object) -> dict[str, Json]:
    """One message attribute in the event's spelling (lower camel case, both list fields present)."""
    entry: dict[str, Json]
    if isinstance(value, bool) or not isinstance(value, str | bytes | int | float | Decimal):
        raise TypeError(
            f"SQS message attribute {name!r} is {value!r}; an attribute is a str (String), a number (Number) or "
            "bytes (Binary)"
        )
    if isinstance(value, bytes):
        entry = {"binaryValue": base64.b64encode(value).decode(), "stringListValues": [], "binaryListValues": []}
        entry["dataType"] = "Binary"
        return entry
    data_type = "String" if isinstance(value, str) else "Number"
    return {"stringValue": str(value), "stringListValues": [], "binaryListValues": [], "dataType": data_type}


def sqs_message_attributes(attributes: Mapping[str, object] | None) -> dict[str, Json]:
    """Message attributes as a Lambda SQS record carries them, from plain values (str, number, bytes)."""
    return {name: _sqs_attribute(name, value) for name, value in (attributes or {}).items()}


def _md5_of_attributes(attributes: Mapping[str, Mapping[str, Json]]) -> str:
    """SQS's MD5 of message attributes: over the attributes sorted by name, each length-prefixed and typed."""
    digest = hashlib.md5(usedforsecurity=False)

    def chunk(data: bytes) -> None:
        digest.update(struct.pack(">I", len(data)) + data)

    for name in sorted(attributes):
        attribute = attributes[name]
        data_type = str(attribute["dataType"])
        chunk(name.encode())
        chunk(data_type.encode())
        if "binaryValue" in attribute and attribute["binaryValue"] is not None:
            digest.update(b"\x02")
            chunk(base64.b64decode(str(attribute["binaryValue"])))
        else:
            digest.update(b"\x01")
            chunk(str(attribute["stringValue"]).encode())
    return digest.hexdigest()


def _queue_arn(queue: str, region: str) -> str:
    if queue.startswith("arn:"):
        return queue
    return f"arn:aws:sqs:{region}:{ACCOUNT}:{queue.rstrip('/').rsplit('/', 1)[-1]}"


def _sqs_record(
    *,
    message_id: str,
    receipt_handle: str,
    body: str,
    attributes: dict[str, Json],
    message_attributes: dict[str, Json],
    md5_of_body: str,
    md5_of_message_attributes: str | None,
    queue_arn: str,
) -> dict[str, Json]:
    record: dict[str, Json] = {
        "messageId": message_id,
        "receiptHandle": receipt_handle,
        "body": body,
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": md5_of_body,
    }
    if md5_of_message_attributes is not None:  # SQS computes one only when the message has attributes
        record["md5OfMessageAttributes"] = md5_of_message_attributes
    record["eventSource"] = "aws:sqs"
    record["eventSourceARN"] = queue_arn
    record["awsRegion"] = queue_arn.split(":")[3]
    return record


def sqs_record(
    body: Json,
    *,
    queue: str = "my-queue",
    message_attributes: Mapping[str, object] | None = None,
    message_id: str | None = None,
    receive_count: int = 1,
    time: float = EPOCH,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    region: str = REGION,
) -> dict[str, Json]:
    """One record of an SQS event (``event["Records"][i]``); *body* is text, or a JSON value sent as JSON text.

    A FIFO queue (name ending in ``.fifo``) adds ``SequenceNumber``, ``MessageGroupId`` (default ``"default"``)
    and ``MessageDeduplicationId`` (default: the SHA-256 of the body, as content-based deduplication does).
    """
    text = _text(body, "sqs_record")
    arn = _queue_arn(queue, region)
    if message_id is None:
        message_id = _uid("sqs", arn, text, receive_count, time)
    sent = str(int(time * 1000))
    attributes: dict[str, Json] = {
        "ApproximateReceiveCount": str(receive_count),
        "SentTimestamp": sent,
        "SenderId": _SENDER,
        "ApproximateFirstReceiveTimestamp": sent,
    }
    if arn.endswith(".fifo"):
        attributes["SequenceNumber"] = str(18_000_000_000_000_000_000 + int(time * 1000))
        attributes["MessageGroupId"] = group_id if group_id is not None else "default"
        attributes["MessageDeduplicationId"] = (
            deduplication_id if deduplication_id is not None else hashlib.sha256(text.encode()).hexdigest()
        )
    spelt = sqs_message_attributes(message_attributes)
    return _sqs_record(
        message_id=message_id,
        receipt_handle=base64.b64encode(hashlib.sha256(f"{message_id}:{receive_count}".encode()).digest()).decode(),
        body=text,
        attributes=attributes,
        message_attributes=spelt,
        md5_of_body=hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),
        md5_of_message_attributes=_md5_of_attributes(spelt) if spelt else None,
        queue_arn=arn,
    )


def sqs_event(
    *bodies: Json,
    queue: str = "my-queue",
    message_attributes: Mapping[str, object] | None = None,
    time: float = EPOCH,
    region: str = REGION,
) -> dict[str, Json]:
    """An SQS event with one record per body (for records that differ otherwise: ``{"Records": [sqs_record(...)]}``).

    >>> [r["body"] for r in sqs_event("hi", {"n": 1})["Records"]]
    ['hi', '{"n": 1}']
    """
    return {
        "Records": [
            sqs_record(
                body,
                queue=queue,
                message_attributes=message_attributes,
                time=time + position / 1000,  # one millisecond apart, as sent one after the other
                region=region,
            )
            for position, body in enumerate(bodies)
        ]
    }


def sqs_record_of(message: Mapping[str, Any], *, queue_arn: str) -> dict[str, Json]:
    """The Lambda record of a message as boto3's ``receive_message`` returns it (``MessageSystemAttributeNames=
    ["All"]``, ``MessageAttributeNames=["All"]``): the event source mapping's translation."""
    attributes: dict[str, Json] = {}
    for key, value in message.get("Attributes", {}).items():
        attributes[key] = value
    spelt: dict[str, Json] = {}
    for name, attribute in message.get("MessageAttributes", {}).items():
        entry: dict[str, Json] = {}
        if "StringValue" in attribute:
            entry["stringValue"] = attribute["StringValue"]
        if "BinaryValue" in attribute:
            entry["binaryValue"] = base64.b64encode(attribute["BinaryValue"]).decode()
        entry["stringListValues"] = list(attribute.get("StringListValues", []))
        entry["binaryListValues"] = [base64.b64encode(v).decode() for v in attribute.get("BinaryListValues", [])]
        entry["dataType"] = attribute["DataType"]
        spelt[name] = entry
    return _sqs_record(
        message_id=message["MessageId"],
        receipt_handle=message["ReceiptHandle"],
        body=message["Body"],
        attributes=attributes,
        message_attributes=spelt,
        md5_of_body=message["MD5OfBody"],
        md5_of_message_attributes=message.get("MD5OfMessageAttributes"),
        queue_arn=queue_arn,
    )


# --- SNS -----------------------------------------------------------------------------------------------------


def _topic_arn(topic: str, region: str) -> str:
    return topic if topic.startswith("arn:") else f"arn:aws:sns:{region}:{ACCOUNT}:{topic}"


def sns_record(
    message: Json,
    *,
    topic: str = "my-topic",
    subject: str | None = None,
    message_attributes: Mapping[str, object] | None = None,
    time: float = EPOCH,
    region: str = REGION,
) -> dict[str, Json]:
    """One record of an SNS event (a notification delivered to a Lambda subscription)."""
    text = _text(message, "sns_record")
    arn = _topic_arn(topic, region)
    message_id = _uid("sns", arn, text, subject, time)
    subscription = f"{arn}:{_uid('subscription', arn)}"
    attributes: dict[str, Json] = {}
    for name, value in (message_attributes or {}).items():
        if isinstance(value, bytes):
            attributes[name] = {"Type": "Binary", "Value": base64.b64encode(value).decode()}
        elif isinstance(value, str):
            attributes[name] = {"Type": "String", "Value": value}
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            attributes[name] = {"Type": "Number", "Value": str(value)}
        elif isinstance(value, list):
            attributes[name] = {"Type": "String.Array", "Value": json.dumps(value)}
        else:
            raise TypeError(
                f"SNS message attribute {name!r} is {value!r}; pass a str, a number, bytes or a list (String.Array)"
            )
    signature = base64.b64encode(hashlib.sha256(f"{message_id}{text}".encode()).digest()).decode()
    return {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription,
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": arn,
            "Subject": subject,
            "Message": text,
            "Timestamp": _iso(time),
            "SignatureVersion": "1",
            "Signature": signature,
            "SigningCertUrl": f"https://sns.{region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
            "UnsubscribeUrl": f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription}",
            "MessageAttributes": attributes,
        },
    }


def sns_event(
    *messages: Json,
    topic: str = "my-topic",
    subject: str | None = None,
    message_attributes: Mapping[str, object] | None = None,
    time: float = EPOCH,
    region: str = REGION,
) -> dict[str, Json]:
    """An SNS event, one record per message (SNS delivers one; several are for handlers that loop)."""
    return {
        "Records": [
            sns_record(m, topic=topic, subject=subject, message_attributes=message_attributes, time=time, region=region)
            for m in messages
        ]
    }


# --- S3 ------------------------------------------------------------------------------------------------------


def s3_record(
    bucket: str,
    key: str,
    *,
    event_name: str = "ObjectCreated:Put",
    size: int = 0,
    etag: str | None = None,
    version_id: str | None = None,
    time: float = EPOCH,
    region: str = REGION,
) -> dict[str, Json]:
    """One record of an S3 event notification. The key is URL-encoded as S3 sends it (``my file`` → ``my+file``);
    a ``ObjectRemoved:*`` record has no size or ETag."""
    if not event_name.startswith(("ObjectCreated:", "ObjectRemoved:", "ObjectRestore:", "ObjectTagging:", "ObjectAcl:",
                                  "ReducedRedundancyLostObject", "Replication:", "LifecycleExpiration:",
                                  "LifecycleTransition", "IntelligentTiering", "s3:TestEvent")):  # fmt: skip
        raise ValueError(
            f"s3_record(event_name={event_name!r}) is not an S3 event name; e.g. 'ObjectCreated:Put', "
            "'ObjectCreated:CompleteMultipartUpload', 'ObjectRemoved:Delete'"
        )
    request_id = hashlib.sha256(f"{bucket}/{key}/{event_name}/{time}".encode()).hexdigest().upper()[:16]
    obj: dict[str, Json] = {"key": quote_plus(key, safe="/")}
    if not event_name.startswith("ObjectRemoved:"):
        obj["size"] = size
        obj["eTag"] = etag if etag is not None else hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()
    if version_id is not None:
        obj["versionId"] = version_id
    obj["sequencer"] = f"{int(time * 1000):X}".rjust(18, "0")
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": _iso(time),
        "eventName": event_name,
        "userIdentity": {"principalId": f"AWS:{_SENDER}"},
        "requestParameters": {"sourceIPAddress": "198.51.100.1"},
        "responseElements": {
            "x-amz-request-id": request_id,
            "x-amz-id-2": base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode(),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": _uid("s3-notification", bucket),
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }


def s3_event(
    bucket: str, *keys: str, event_name: str = "ObjectCreated:Put", size: int = 0, time: float = EPOCH
) -> dict[str, Json]:
    """An S3 event notification with one record per key of *bucket*."""
    return {"Records": [s3_record(bucket, key, event_name=event_name, size=size, time=time) for key in keys]}


# --- API Gateway ---------------------------------------------------------------------------------------------


def _body(body: Json | bytes) -> tuple[str | None, bool]:
    """A request body as API Gateway passes it: text, JSON text, or base64 for bytes (``isBase64Encoded``)."""
    if body is None:
        return None, False
    if isinstance(body, bytes):
        return base64.b64encode(body).decode(), True
    return _text(body, "API Gateway event"), False


def _multi(values: Mapping[str, str | Iterable[str]] | None, where: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in (values or {}).items():
        items = [value] if isinstance(value, str) else list(value)
        if not items or not all(isinstance(item, str) for item in items):
            raise TypeError(f"{where}[{name!r}] is {value!r}; pass a str or a list of str")
        out[name] = items
    return out


def _forwarding(domain: str, request_id: str, text: str | None) -> dict[str, list[str]]:
    """The headers API Gateway adds to every request it passes on (its own host, the client, the trace)."""
    headers = {
        "Host": [domain],
        "X-Amzn-Trace-Id": [f"Root=1-{request_id.replace('-', '')[:8]}-{request_id.replace('-', '')[8:32]}"],
        "X-Forwarded-For": ["198.51.100.1"],
        "X-Forwarded-Port": ["443"],
        "X-Forwarded-Proto": ["https"],
    }
    if text is not None:
        headers["Content-Length"] = [str(len(text.encode()))]
    return headers


def _request_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def api_gateway_event(
    method: str = "GET",
    path: str = "/",
    *,
    body: Json | bytes = None,
    headers: Mapping[str, str | Iterable[str]] | None = None,
    query: Mapping[str, str | Iterable[str]] | None = None,
    path_parameters: Mapping[str, str] | None = None,
    resource: str | None = None,
    stage: str = "prod",
    stage_variables: Mapping[str, str] | None = None,
    time: float = EPOCH,
) -> dict[str, Json]:
    """A REST API (API Gateway v1) Lambda proxy event: the payload format version 1.0.

    The headers are yours over those API Gateway adds (``Host``, ``X-Forwarded-*``, ``X-Amzn-Trace-Id``); absent
    query strings, path parameters and stage variables are ``null``, as API Gateway sends them; a repeated header
    or query parameter keeps its last value in the single-value map and all in ``multiValue*``.
    """
    multi_query = _multi(query, "api_gateway_event(query=)")
    text, encoded = _body(body)
    api_id = _uid("api", stage)[:10].replace("-", "a")
    request_id = _uid("request", method, path, text, time)
    domain = f"{api_id}.execute-api.{REGION}.amazonaws.com"
    multi_headers = _forwarding(domain, request_id, text) | _multi(headers, "api_gateway_event(headers=)")
    return {
        "resource": resource if resource is not None else path,
        "path": path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} if query else None,
        "multiValueQueryStringParameters": multi_query if query else None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": dict(stage_variables) if stage_variables else None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": api_id,
            "domainName": domain,
            "domainPrefix": api_id,
            "extendedRequestId": base64.b64encode(request_id.encode()[:12]).decode(),
            "httpMethod": method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": "198.51.100.1",
                "user": None,
                "userAgent": multi_headers.get("User-Agent", ["sfnkit"])[-1],
                "userArn": None,
            },
            "path": f"/{stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "requestTime": _request_time(time),
            "requestTimeEpoch": int(time * 1000),
            "resourceId": api_id[:6],
            "resourcePath": resource if resource is not None else path,
            "stage": stage,
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def http_api_event(
    method: str = "GET",
    path: str = "/",
    *,
    body: Json | bytes = None,
    headers: Mapping[str, str | Iterable[str]] | None = None,
    query: Mapping[str, str | Iterable[str]] | None = None,
    path_parameters: Mapping[str, str] | None = None,
    route_key: str | None = None,
    stage: str = "$default",
    cookies: Iterable[str] = (),
    stage_variables: Mapping[str, str] | None = None,
    time: float = EPOCH,
) -> dict[str, Json]:
    """An HTTP API (API Gateway v2) Lambda event: the payload format version 2.0.

    Header names are lower case and repeated values joined with commas, as are repeated query parameters;
    ``cookies``, ``queryStringParameters``, ``pathParameters``, ``stageVariables`` and ``body`` are left out when
    empty, as API Gateway leaves them out. ``route_key`` defaults to ``"<METHOD> <path>"``.
    """
    multi_query = _multi(query, "http_api_event(query=)")
    text, encoded = _body(body)
    api_id = _uid("http-api", stage)[:10].replace("-", "a")
    trace = _uid("request", method, path, text, time)
    request_id = base64.b64encode(trace.encode()[:12]).decode()
    domain = f"{api_id}.execute-api.{REGION}.amazonaws.com"
    multi_headers = _forwarding(domain, trace, text) | _multi(headers, "http_api_event(headers=)")
    route = route_key if route_key is not None else f"{method} {path}"
    lowered: dict[str, list[str]] = {}
    for name, values in multi_headers.items():
        lowered.setdefault(name.lower(), []).extend(values)
    event: dict[str, Json] = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": urlencode([(k, v) for k, vs in multi_query.items() for v in vs]),
    }
    jar = list(cookies)
    if jar:
        event["cookies"] = jar
    event["headers"] = {name: ",".join(values) for name, values in lowered.items()}
    if query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in multi_query.items()}
    event["requestContext"] = {
        "accountId": ACCOUNT,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": api_id,
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "198.51.100.1",
            "userAgent": lowered.get("user-agent", ["sfnkit"])[-1],
        },
        "requestId": request_id,
        "routeKey": route,
        "stage": stage,
        "time": _request_time(time),
        "timeEpoch": int(time * 1000),
    }
    if text is not None:
        event["body"] = text
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    event["isBase64Encoded"] = encoded
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    return event


# --- EventBridge ---------------------------------------------------------------------------------------------


def eventbridge_event(
    detail: Json,
    *,
    detail_type: str = "Event",
    source: str = "my.app",
    resources: Iterable[str] = (),
    time: float = EPOCH,
    region: str = REGION,
) -> dict[str, Json]:
    """An EventBridge event as a rule's Lambda target receives it (``detail`` is any JSON object)."""
    if not isinstance(detail, dict):
        raise TypeError(f"eventbridge_event(detail={detail!r}): an event's detail is a JSON object; pass a dict")
    return {
        "version": "0",
        "id": _uid("events", detail_type, source, json.dumps(detail, sort_keys=True, default=repr), time),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": _iso(time, millis=False),
        "region": region,
        "resources": list(resources),
        "detail": json.loads(json.dumps(detail)),
    }


# --- DynamoDB Streams ----------------------------------------------------------------------------------------


def _number(value: int | float | Decimal, where: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: DynamoDB numbers are finite; got {value!r}")
    return str(value) if not isinstance(value, float) else repr(value)


def to_attribute_value(value: object, where: str = "value") -> dict[str, Json]:
    """A Python value as a DynamoDB attribute value (``{"S": ...}``, ``{"N": ...}``, ``{"M": ...}``...).

    >>> to_attribute_value({"id": 7, "tags": {"a"}})
    {'M': {'id': {'N': '7'}, 'tags': {'SS': ['a']}}}
    """
    match value:
        case None:
            return {"NULL": True}
        case bool():
            return {"BOOL": value}
        case str():
            return {"S": value}
        case int() | float() | Decimal():
            return {"N": _number(value, where)}
        case bytes():
            return {"B": base64.b64encode(value).decode()}
        case set() | frozenset() if value and all(isinstance(v, str) for v in value):
            return {"SS": sorted(value)}
        case set() | frozenset() if value and all(isinstance(v, bytes) for v in value):
            return {"BS": sorted(base64.b64encode(v).decode() for v in value)}
        case set() | frozenset() if value and all(
            isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in value
        ):
            return {"NS": sorted(_number(v, where) for v in value)}
        case list() | tuple():
            return {"L": [to_attribute_value(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        case dict():
            return {"M": {str(k): to_attribute_value(v, f"{where}.{k}") for k, v in value.items()}}
    raise TypeError(
        f"{where} is {value!r}; DynamoDB stores str, numbers, bytes, bool, None, lists, dicts and non-empty sets "
        "of one kind (str, numbers or bytes)"
    )


def _image(item: Mapping[str, object] | None, where: str) -> dict[str, Json] | None:
    if item is None:
        return None
    if not isinstance(item, Mapping):
        raise TypeError(f"{where} is {item!r}; an item is a dict of attribute name to value")
    return {name: to_attribute_value(value, f"{where}.{name}") for name, value in item.items()}


def _size(image: Mapping[str, Json]) -> int:
    """DynamoDB's size of an item: attribute names plus values (numbers count about one byte per two digits)."""

    def of(value: Mapping[str, Json]) -> int:
        ((kind, inner),) = value.items()
        if kind == "S":
            return len(str(inner).encode())
        if kind == "N":
            return (len(str(inner).lstrip("-").replace(".", "")) + 1) // 2 + 1
        if kind == "B":
            return len(base64.b64decode(str(inner)))
        if kind in ("BOOL", "NULL"):
            return 1
        if kind in ("SS", "NS", "BS"):
            assert isinstance(inner, list)
            return sum(of({kind[0]: v}) for v in inner)
        if kind == "L":
            assert isinstance(inner, list)
            return 3 + sum(of(v) + 1 for v in inner)
        assert isinstance(inner, dict)
        return 3 + sum(len(k.encode()) + of(v) + 1 for k, v in inner.items())

    return sum(len(name.encode()) + of(value) for name, value in image.items())


StreamViewType = Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]


def dynamodb_record(
    event_name: Literal["INSERT", "MODIFY", "REMOVE"],
    keys: Mapping[str, object],
    *,
    new_image: Mapping[str, object] | None = None,
    old_image: Mapping[str, object] | None = None,
    table: str = "my-table",
    view_type: StreamViewType = "NEW_AND_OLD_IMAGES",
    sequence_number: int = 100,
    time: float = EPOCH,
    region: str = REGION,
) -> dict[str, Json]:
    """One record of a DynamoDB Streams event; *keys* and the images are plain Python values (typed for you).

    The stream's *view_type* decides which images the record carries, as on AWS (``INSERT`` has no old image,
    ``REMOVE`` no new one).
    """
    if event_name not in ("INSERT", "MODIFY", "REMOVE"):
        raise ValueError(f"dynamodb_record(event_name={event_name!r}): use 'INSERT', 'MODIFY' or 'REMOVE'")
    if view_type not in ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        raise ValueError(
            f"dynamodb_record(view_type={view_type!r}): use 'KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE' or "
            "'NEW_AND_OLD_IMAGES'"
        )
    if not keys:
        raise ValueError("dynamodb_record(keys={}): a record names its item's key, e.g. keys={'id': 7}")
    typed_keys = _image(keys, "keys")
    assert typed_keys is not None
    new = _image(new_image, "new_image") if event_name != "REMOVE" and "NEW" in view_type else None
    old = _image(old_image, "old_image") if event_name != "INSERT" and "OLD" in view_type else None
    change: dict[str, Json] = {"ApproximateCreationDateTime": int(time), "Keys": typed_keys}
    if new is not None:
        change["NewImage"] = new
    if old is not None:
        change["OldImage"] = old
    change["SequenceNumber"] = str(sequence_number)
    change["SizeBytes"] = _size(typed_keys) + (_size(new) if new else 0) + (_size(old) if old else 0)
    change["StreamViewType"] = view_type
    label = _iso(time).rstrip("Z")
    return {
        "eventID": hashlib.md5(f"{table}:{sequence_number}".encode(), usedforsecurity=False).hexdigest(),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": change,
        "eventSourceARN": f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{table}/stream/{label}",
    }


def dynamodb_event(*records: Mapping[str, Json]) -> dict[str, Json]:
    """A DynamoDB Streams event of *records* (made with :func:`dynamodb_record`)."""
    return {"Records": [json.loads(json.dumps(record)) for record in records]}
