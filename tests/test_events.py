"""sfnkit.events: every builder's event is the shape Lambda delivers, read field by field through
aws-lambda-powertools' event data classes and validated by its parser models (AWS's sample events, typed)."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from aws_lambda_powertools.utilities.data_classes import (
    APIGatewayProxyEvent,
    APIGatewayProxyEventV2,
    DynamoDBStreamEvent,
    EventBridgeEvent,
    S3Event,
    SNSEvent,
    SQSEvent,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecordEventName
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    DynamoDBStreamModel,
    EventBridgeModel,
    S3Model,
    SnsModel,
    SqsModel,
)

from sfnkit import events


def test_sqs_event_fields():
    """An SQS record: body, attributes as strings, typed message attributes, MD5s, source ARN and region."""
    event = events.sqs_event("hello", {"n": 1}, queue="orders", message_attributes={"kind": "egg", "weight": 3})
    parse(event, model=SqsModel)
    first, second = SQSEvent(event).records
    assert (first.body, second.json_body, first.event_source, first.event_source_arn, first.aws_region) == (
        "hello",
        {"n": 1},
        "aws:sqs",
        "arn:aws:sqs:us-east-1:123456789012:orders",
        "us-east-1",
    )
    assert (first.attributes.approximate_receive_count, first.attributes.sent_timestamp, first.md5_of_body) == (
        "1",
        "1704067200000",
        hashlib.md5(b"hello").hexdigest(),
    )
    kind, weight = first.message_attributes["kind"], first.message_attributes["weight"]
    assert (kind.string_value, kind.data_type, weight.string_value, weight.data_type) == (
        "egg",
        "String",
        "3",
        "Number",
    )
    assert first.queue_url == "https://sqs.us-east-1.amazonaws.com/123456789012/orders"


def test_sqs_md5_of_message_attributes_is_sqss():
    """md5OfMessageAttributes follows SQS's algorithm; the value SQS itself returns for these attributes (checked
    against moto, which implements the documented algorithm) is reproduced."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sent = sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageAttributes={
                "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
                "a": {"DataType": "String", "StringValue": "one"},
            },
        )
    record = events.sqs_record("x", message_attributes={"a": "one", "b": b"\x00\x01"})
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["messageAttributes"]["b"]["binaryValue"] == base64.b64encode(b"\x00\x01").decode()


def test_sqs_record_without_attributes_has_no_attributes_md5():
    """SQS sends md5OfMessageAttributes only for a message that has attributes."""
    assert "md5OfMessageAttributes" not in events.sqs_record("x")


def test_sqs_fifo_record():
    """A FIFO queue's record carries SequenceNumber, MessageGroupId and MessageDeduplicationId."""
    record = next(SQSEvent({"Records": [events.sqs_record("x", queue="jobs.fifo", group_id="g1")]}).records)
    attributes = record.attributes
    assert (attributes.message_group_id, attributes.message_deduplication_id, attributes.sequence_number is None) == (
        "g1",
        hashlib.sha256(b"x").hexdigest(),
        False,
    )


def test_builders_are_pure():
    """The same arguments give the same event, and a fresh one each time."""
    first, second = events.sqs_event("a"), events.sqs_event("a")
    assert (first == second, first is not second, first["Records"][0] is not second["Records"][0]) == (True, True, True)


def test_sns_event_fields():
    """An SNS notification as a Lambda subscription receives it (Subject null when none)."""
    event = events.sns_event({"egg": 1}, topic="dragons", message_attributes={"colour": "red", "n": 2})
    parse(event, model=SnsModel)
    record = SNSEvent(event).record
    message = record.sns
    assert (record.event_source, record.event_version, message.topic_arn, message.subject, message.message) == (
        "aws:sns",
        "1.0",
        "arn:aws:sns:us-east-1:123456789012:dragons",
        None,
        '{"egg": 1}',
    )
    assert (message.get_type, message.timestamp, message.message_attributes["colour"].get_type) == (
        "Notification",
        "2024-01-01T00:00:00.000Z",
        "String",
    )
    assert record.event_subscription_arn.startswith("arn:aws:sns:us-east-1:123456789012:dragons:")


def test_s3_event_fields():
    """An S3 notification: the key URL-encoded as S3 sends it, size and ETag for a created object."""
    event = events.s3_event("hoard", "gold/big coin.txt", size=42)
    parse(event, model=S3Model)
    record = S3Event(event).record
    assert (S3Event(event).bucket_name, record.s3.get_object.key, S3Event(event).object_key) == (
        "hoard",
        "gold/big+coin.txt",
        "gold/big coin.txt",
    )
    assert (record.event_name, record.s3.get_object.size, record.s3.bucket.arn, record.event_source) == (
        "ObjectCreated:Put",
        42,
        "arn:aws:s3:::hoard",
        "aws:s3",
    )


def test_s3_removed_has_no_size():
    """An ObjectRemoved record carries no size or ETag."""
    obj = events.s3_record("hoard", "k", event_name="ObjectRemoved:Delete")["s3"]["object"]
    assert sorted(obj) == ["key", "sequencer"]


def test_s3_bad_event_name_says_what_to_write():
    """A misspelt event name is refused with examples."""
    with pytest.raises(ValueError, match="'ObjectCreated:Put'"):
        events.s3_record("b", "k", event_name="Created")


def test_api_gateway_rest_event_fields():
    """A REST API proxy event (payload 1.0): single and multi-value maps, API Gateway's own headers, nulls where
    nothing was sent."""
    event = events.api_gateway_event(
        "POST",
        "/dragons/7",
        body={"name": "Smaug"},
        headers={"Content-Type": "application/json"},
        query={"tag": ["red", "old"]},
        path_parameters={"id": "7"},
        resource="/dragons/{id}",
    )
    parse(event, model=APIGatewayProxyEventModel)
    request = APIGatewayProxyEvent(event)
    assert (request.http_method, request.path, request.resource, request.json_body, request.path_parameters) == (
        "POST",
        "/dragons/7",
        "/dragons/{id}",
        {"name": "Smaug"},
        {"id": "7"},
    )
    assert (request.query_string_parameters, request.multi_value_query_string_parameters) == (
        {"tag": "old"},
        {"tag": ["red", "old"]},
    )
    assert (request.request_context.stage, request.request_context.path, request.is_base64_encoded) == (
        "prod",
        "/prod/dragons/7",
        False,
    )
    empty = events.api_gateway_event()
    parse(empty, model=APIGatewayProxyEventModel)
    assert [empty[k] for k in ("queryStringParameters", "pathParameters", "body")] == [None] * 3
    assert (request.headers["Content-Type"], request.headers["X-Forwarded-Proto"], request.headers["Host"]) == (
        "application/json",
        "https",
        request.request_context.domain_name,
    )


def test_http_api_event_fields():
    """An HTTP API event (payload 2.0): lower-case headers, comma-joined repeats, absent fields left out."""
    event = events.http_api_event(
        "GET", "/eggs", headers={"X-Colour": ["red", "blue"]}, query={"n": ["1", "2"]}, cookies=["a=b"]
    )
    parse(event, model=APIGatewayProxyEventV2Model)
    request = APIGatewayProxyEventV2(event)
    assert (request.route_key, request.raw_path, request.raw_query_string, request.cookies) == (
        "GET /eggs",
        "/eggs",
        "n=1&n=2",
        ["a=b"],
    )
    assert (request.headers["x-colour"], request.query_string_parameters, request.request_context.http.method) == (
        "red,blue",
        {"n": "1,2"},
        "GET",
    )
    assert {"body", "pathParameters", "stageVariables"} & set(event) == set()


def test_http_api_binary_body_is_base64():
    """A bytes body travels base64-encoded with isBase64Encoded true."""
    request = APIGatewayProxyEventV2(events.http_api_event("PUT", "/blob", body=b"\x00\xff"))
    assert (request.is_base64_encoded, base64.b64decode(request.body)) == (True, b"\x00\xff")


def test_eventbridge_event_fields():
    """An EventBridge event as a rule's target receives it."""
    event = events.eventbridge_event({"dragon": "Smaug"}, detail_type="DragonHatched", source="lair")
    parse(event, model=EventBridgeModel)
    received = EventBridgeEvent(event)
    assert (received.detail_type, received.source, received.detail, received.time, received.version) == (
        "DragonHatched",
        "lair",
        {"dragon": "Smaug"},
        "2024-01-01T00:00:00Z",
        "0",
    )


def test_dynamodb_stream_event_fields():
    """A DynamoDB Streams record with plain values typed as DynamoDB attribute values."""
    event = events.dynamodb_event(
        events.dynamodb_record(
            "MODIFY",
            {"id": 7},
            new_image={"id": 7, "name": "Smaug", "tags": {"red"}, "gold": 1.5, "alive": True, "lair": None},
            old_image={"id": 7, "name": "Smaug"},
            table="Dragons",
        )
    )
    parse(event, model=DynamoDBStreamModel)
    record = next(DynamoDBStreamEvent(event).records)
    change = record.dynamodb
    assert (record.event_name, change.keys, change.new_image["tags"], change.new_image["gold"]) == (
        DynamoDBRecordEventName.MODIFY,
        {"id": 7},
        {"red"},
        pytest.approx(1.5),
    )
    assert (change.stream_view_type.name, change.old_image, change.size_bytes > 0) == (
        "NEW_AND_OLD_IMAGES",
        {"id": 7, "name": "Smaug"},
        True,
    )
    assert record.event_source_arn.startswith("arn:aws:dynamodb:us-east-1:123456789012:table/Dragons/stream/")


def test_dynamodb_view_type_decides_the_images():
    """An INSERT has no old image; KEYS_ONLY carries no image at all."""
    insert = events.dynamodb_record("INSERT", {"id": 1}, new_image={"id": 1}, old_image={"id": 0})["dynamodb"]
    keys = events.dynamodb_record("REMOVE", {"id": 1}, old_image={"id": 1}, view_type="KEYS_ONLY")["dynamodb"]
    assert (sorted(insert), sorted(keys)) == (
        ["ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber", "SizeBytes", "StreamViewType"],
        ["ApproximateCreationDateTime", "Keys", "SequenceNumber", "SizeBytes", "StreamViewType"],
    )


@pytest.mark.parametrize(
    ("value", "typed"),
    [
        ("a", {"S": "a"}),
        (7, {"N": "7"}),
        (True, {"BOOL": True}),
        (None, {"NULL": True}),
        (b"\x01", {"B": "AQ=="}),
        ([1, "a"], {"L": [{"N": "1"}, {"S": "a"}]}),
        ({3, 1}, {"NS": ["1", "3"]}),
    ],
    ids=["string", "number", "bool", "null", "binary", "list", "number-set"],
)
def test_to_attribute_value(value, typed):
    """Python values become DynamoDB's typed JSON."""
    assert events.to_attribute_value(value) == typed


def test_to_attribute_value_refuses_what_dynamodb_cannot_store():
    """A mixed set or an object is refused with what DynamoDB stores, naming where."""
    with pytest.raises(TypeError, match=r"new_image.tags is .*non-empty sets of one kind"):
        events.dynamodb_record("INSERT", {"id": 1}, new_image={"tags": {1, "a"}})


def test_bad_bodies_say_what_to_pass():
    """A body neither text nor JSON, or an attribute of the wrong type, is refused with what to pass."""
    with pytest.raises(TypeError, match="pass a str or a JSON value"):
        events.sqs_event({"when": object()})
    with pytest.raises(TypeError, match=r"'flag' is True; an attribute is a str"):
        events.sqs_record("x", message_attributes={"flag": True})
    with pytest.raises(TypeError, match="pass a dict"):
        events.eventbridge_event(["not", "an", "object"])


def test_records_from_boto3_messages_match_the_builder():
    """The poller's translation of a received message gives the same shape as sqs_record."""
    built = events.sqs_record("x", queue="orders", message_attributes={"a": "one"})
    message = {
        "MessageId": built["messageId"],
        "ReceiptHandle": built["receiptHandle"],
        "MD5OfBody": built["md5OfBody"],
        "Body": "x",
        "Attributes": built["attributes"],
        "MD5OfMessageAttributes": built["md5OfMessageAttributes"],
        "MessageAttributes": {"a": {"StringValue": "one", "DataType": "String"}},
    }
    again = events.sqs_record_of(message, queue_arn=built["eventSourceARN"])
    assert json.dumps(again) == json.dumps(built)
