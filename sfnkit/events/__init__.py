"""Events as Lambda delivers them, for invoking handlers locally: SQS, SNS, S3, API Gateway, EventBridge, DynamoDB.

Each builder returns a fresh JSON value in the exact shape the service hands a Lambda function (field names,
casing, which fields are present and which are null), filled with what you pass and placeholders for the rest:
``handler.invoke(sqs_event("hello", {"id": 7}))``. The builders are pure: the same arguments give the same event
(ids are derived from the content; times default to 2024-01-01T00:00:00Z; pass ``time=`` for another instant, as
epoch seconds).
"""

from sfnkit.events._common import EPOCH
from sfnkit.events.http import api_gateway_event, http_api_event
from sfnkit.events.messaging import (
    eventbridge_event,
    sns_event,
    sns_record,
    sqs_event,
    sqs_message_attributes,
    sqs_record,
    sqs_record_of,
)
from sfnkit.events.storage import dynamodb_event, dynamodb_record, s3_event, s3_record, to_attribute_value

__all__ = [
    "EPOCH",
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
