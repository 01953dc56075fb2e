"""Events from SQS, SNS and EventBridge, as Lambda delivers them (and the SQS poller's translation)."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sfnkit.asl.context import ACCOUNT, REGION
from sfnkit.asl.scope import Json
from sfnkit.events._common import EPOCH, SENDER, body_text, iso, uid

__all__ = [
    "eventbridge_event",
    "sns_event",
    "sns_record",
    "sqs_event",
    "sqs_message_attributes",
    "sqs_record",
    "sqs_record_of",
]


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
    text = body_text(body, "sqs_record")
    arn = _queue_arn(queue, region)
    if message_id is None:
        message_id = uid("sqs", arn, text, receive_count, time)
    sent = str(int(time * 1000))
    attributes: dict[str, Json] = {
        "ApproximateReceiveCount": str(receive_count),
        "SentTimestamp": sent,
        "SenderId": SENDER,
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
    text = body_text(message, "sns_record")
    arn = _topic_arn(topic, region)
    message_id = uid("sns", arn, text, subject, time)
    subscription = f"{arn}:{uid('subscription', arn)}"
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
            "Timestamp": iso(time),
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
        "id": uid("events", detail_type, source, json.dumps(detail, sort_keys=True, default=repr), time),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": iso(time, millis=False),
        "region": region,
        "resources": list(resources),
        "detail": json.loads(json.dumps(detail)),
    }
