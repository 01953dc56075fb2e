"""Where moto's answers differ from AWS's, ``sfnkit.aws()`` in-process gives AWS's (``cloud/services/corrections``).

Each correction is pinned by AWS's documentation (cited in the module) and by the AWS recordings in
``tests/conformance_services``; these tests check each one directly, and that moto is left as it was outside a world.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import pytest

import sfnkit
from sfnkit.cloud.services import AwsServices, corrections

pytest.importorskip("moto")


def _verify(notification: dict[str, Any], certificate_pem: bytes) -> None:
    """Verify an SNS notification's signature as AWS tells subscribers to (raises if it does not verify)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    algorithm = hashes.SHA256() if notification["SignatureVersion"] == "2" else hashes.SHA1()
    public_key: Any = x509.load_pem_x509_certificate(certificate_pem).public_key()
    public_key.verify(
        base64.b64decode(notification["Signature"]),
        corrections.string_to_sign(notification),
        padding.PKCS1v15(),
        algorithm,
    )


def _topic_to_queue(services: AwsServices, **topic_attributes: str) -> tuple[str, str, str]:
    sns, sqs = services.client("sns"), services.client("sqs")
    topic = sns.create_topic(Name="news", Attributes=topic_attributes)["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    return topic, queue, subscription


def _received(services: AwsServices, queue: str) -> Any:
    messages = services.client("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=0)["Messages"]
    return json.loads(messages[0]["Body"])


def test_string_to_sign_is_awss_name_value_lines_with_subject_only_when_present() -> None:
    note = {"Type": "Notification", "MessageId": "m1", "TopicArn": "arn:t", "Message": "hi", "Timestamp": "T"}
    assert (
        corrections.string_to_sign(note)
        == b"Message\nhi\nMessageId\nm1\nTimestamp\nT\nTopicArn\narn:t\nType\nNotification\n"
    )
    assert b"Subject\nsubj\nTimestamp" in corrections.string_to_sign({**note, "Subject": "subj"})


@pytest.mark.parametrize("version", ["1", "2"])
def test_aws_notification_signs_with_the_versions_hash(version: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    moto_data = {"Type": "Notification", "MessageId": "m", "TopicArn": "arn:t", "Message": "x", "Timestamp": "T",
                 "SignatureVersion": "2", "Signature": "moto's", "UnsubscribeURL": "moto's"}  # fmt: skip
    note = corrections.aws_notification(
        moto_data,
        signature_version=version,
        subscription_arn="arn:aws:sns:eu-west-1:1:t:s",
        region="eu-west-1",
        key=key,
    )
    assert note["SignatureVersion"] == version
    assert note["UnsubscribeURL"] == (
        "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:1:t:s"
    )
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
    key.public_key().verify(
        base64.b64decode(note["Signature"]), corrections.string_to_sign(note), padding.PKCS1v15(), algorithm
    )


def test_sns_to_sqs_notification_is_signed_with_version_1_by_default_and_verifies() -> None:
    import requests

    with sfnkit.aws() as services:
        topic, queue, subscription = _topic_to_queue(services)
        services.client("sns").publish(TopicArn=topic, Message="hello", Subject="greeting")
        note = _received(services, queue)
        assert note["SignatureVersion"] == "1"
        assert note["UnsubscribeURL"].endswith(f"?Action=Unsubscribe&SubscriptionArn={subscription}")
        _verify(note, requests.get(note["SigningCertURL"], timeout=5).content)  # moto serves the certificate


def test_sns_topic_with_signature_version_2_signs_with_sha256() -> None:
    import requests

    with sfnkit.aws() as services:
        topic, queue, _ = _topic_to_queue(services, SignatureVersion="2")
        services.client("sns").publish(TopicArn=topic, Message="hello")
        note = _received(services, queue)
        assert note["SignatureVersion"] == "2"
        _verify(note, requests.get(note["SigningCertURL"], timeout=5).content)


def test_eventbridge_event_delivered_to_sqs_carries_the_buss_account_in_awss_order() -> None:
    with sfnkit.aws() as services:
        events, sqs = services.client("events"), services.client("sqs")
        queue = sqs.create_queue(QueueName="events")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="all", EventPattern=json.dumps({"source": ["shop"]}))
        events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": queue_arn}])
        events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": json.dumps({"n": 1})}])
        event = _received(services, queue)
        assert event["account"] == services.stepfunctions.account
        assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources",
                               "detail"]  # fmt: skip
        assert event["detail"] == {"n": 1}


def test_s3_object_put_with_a_checksum_answers_checksum_type_full_object() -> None:
    with sfnkit.aws() as services:
        s3 = services.client("s3")
        s3.create_bucket(Bucket="sums")
        put = s3.put_object(Bucket="sums", Key="k", Body=b"data", ChecksumAlgorithm="CRC32")
        assert put["ChecksumType"] == "FULL_OBJECT"
        got = s3.get_object(Bucket="sums", Key="k", ChecksumMode="ENABLED")
        crc32 = base64.b64encode(zlib.crc32(b"data").to_bytes(4, "big")).decode()
        assert (got["ChecksumCRC32"], got["ChecksumType"]) == (crc32, "FULL_OBJECT")
        head = s3.head_object(Bucket="sums", Key="k", ChecksumMode="ENABLED")
        assert (head["ChecksumCRC32"], head["ChecksumType"]) == (crc32, "FULL_OBJECT")
        assert "ChecksumType" not in s3.head_object(Bucket="sums", Key="k")  # no checksum asked, none answered


def test_moto_is_restored_when_the_last_in_process_world_closes() -> None:
    from moto.events.utils import EventTemplateParser
    from moto.sns.models import Subscription

    own = Subscription.__dict__["get_post_data"], EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    with sfnkit.aws():
        with sfnkit.aws():
            assert EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE == corrections.AWS_EVENT_TEMPLATE
        assert EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE == corrections.AWS_EVENT_TEMPLATE  # one still open
    assert (Subscription.__dict__["get_post_data"], EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE) == own


def test_a_world_on_an_endpoint_leaves_moto_alone() -> None:
    from moto.events.utils import EventTemplateParser

    own = EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    with sfnkit.aws(endpoint_url="http://127.0.0.1:1"):  # never called: nothing here reaches it
        assert EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE == own


def test_s3_head_object_answers_the_stored_checksum_type_of_a_multipart_object() -> None:
    with sfnkit.aws() as services:
        s3 = services.client("s3")
        s3.create_bucket(Bucket="sums")
        upload = s3.create_multipart_upload(Bucket="sums", Key="m", ChecksumAlgorithm="CRC32")["UploadId"]
        part = s3.upload_part(
            Bucket="sums", Key="m", UploadId=upload, PartNumber=1, Body=b"x" * 10, ChecksumAlgorithm="CRC32"
        )
        parts = [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumCRC32": part["ChecksumCRC32"]}]
        s3.complete_multipart_upload(Bucket="sums", Key="m", UploadId=upload, MultipartUpload={"Parts": parts})
        assert s3.head_object(Bucket="sums", Key="m", ChecksumMode="ENABLED")["ChecksumType"] == "COMPOSITE"


def test_a_moto_without_a_corrected_place_keeps_its_answer_there_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.events.utils import EventTemplateParser

    moved = ("moto.sns.models", "Subscription", "renamed_in_a_later_moto", lambda original: original)
    monkeypatch.setattr(corrections, "_PATCHES", (moved, *corrections._PATCHES))
    with pytest.warns(UserWarning, match=r"no moto\.sns\.models\.Subscription\.renamed_in_a_later_moto"):
        services = sfnkit.aws()
    with services:
        assert EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE == corrections.AWS_EVENT_TEMPLATE  # the others apply
