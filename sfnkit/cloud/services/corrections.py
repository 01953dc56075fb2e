"""Where moto's answers differ from AWS's: the in-process moto of ``sfnkit.aws()``, corrected to AWS's answer.

moto makes some deliveries itself (an SNS notification into a subscribed queue, an EventBridge event into a target
queue) and stores what S3 later answers; where what it makes differs from what AWS makes, every reader sees moto's
shape, whichever client reads it. So the corrections go into moto's backend, while an in-process world is open
(``install``/``uninstall`` count the open worlds; the first installs, the last restores moto as it was). A world on
an endpoint (a moto server, LocalStack, AWS) is never touched. Each correction is keyed on the data AWS keys it on:

- SNS -> SQS notification: signed as the topic's ``SignatureVersion`` attribute says, ``1`` (SHA1withRSA) by
  default — "By default, Amazon SNS topics use SignatureVersion 1"
  (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html); moto always signs with
  ``2``. The string signed is AWS's (``Subject`` included when there is one), with the subscription's key, so the
  signature verifies against the certificate at ``SigningCertURL``. ``UnsubscribeURL`` names the subscription
  and the topic's region (moto's names a fixed subscription in us-east-1).
- EventBridge -> target event: the envelope AWS documents (``version``, ``id``, ``detail-type``, ``source``,
  ``account``, ``time``, ``region``, ``resources``, ``detail``;
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html); moto's leaves out
  ``account`` (the bus's account).
- S3 object stored by a single PUT with a checksum: its checksum type is ``FULL_OBJECT`` ("For PutObject uploads,
  the checksum type is always FULL_OBJECT", https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html),
  which PutObject, GetObject and HeadObject answer beside the checksum; moto stores no type, so answers none (and
  its HeadObject leaves out the type of any object, a multipart one's included).
"""

from __future__ import annotations

import importlib
import inspect
import threading
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = ["AWS_EVENT_TEMPLATE", "aws_notification", "install", "string_to_sign", "uninstall"]

Json = Any

# EventBridge's envelope, in AWS's order, as moto's input template for a target without an InputTransformer
# (``<name>`` is a field of the event moto builds; ``time`` and the JSON values go in unquoted)
AWS_EVENT_TEMPLATE: Final = (
    '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", "account": "<account>", '
    '"time": <time>, "region": "<region>", "resources": <resources>, "detail": <detail>}'
)
# the fields an SNS Notification's signature covers, in the order AWS concatenates them
_SIGNED: Final = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")

_LOCK = threading.Lock()
_OPEN: list[int] = [0]  # in-process worlds open
_SAVED: list[tuple[Any, str, Any]] = []  # (owner, attribute, moto's own value) while installed


def string_to_sign(notification: Mapping[str, Json]) -> bytes:
    """The text AWS signs for a Notification: each present field's name and value, one a line."""
    lines = []
    for name in _SIGNED:
        if notification.get(name) is not None:
            lines += [name, str(notification[name])]
    return ("\n".join(lines) + "\n").encode()


def aws_notification(
    moto_data: Mapping[str, Json], *, signature_version: str, subscription_arn: str, region: str, key: Any
) -> dict[str, Json]:
    """moto's notification document as AWS writes it (see the module docstring); *key* the RSA key that signs."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    data = dict(moto_data)
    data["SignatureVersion"] = signature_version
    data["UnsubscribeURL"] = (
        f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"
    )
    algorithm = hashes.SHA256() if signature_version == "2" else hashes.SHA1()
    signature = key.sign(string_to_sign(data), padding.PKCS1v15(), algorithm)
    data["Signature"] = base64.b64encode(signature).decode()
    return data


def _sns_get_post_data(original: Callable[..., dict[str, Json]]) -> Callable[..., dict[str, Json]]:
    def get_post_data(
        self: Any, message: str, message_id: str, subject: str | None, message_attributes: Any = None
    ) -> dict[str, Json]:
        data = original(self, message, message_id, subject, message_attributes=message_attributes)
        # moto keeps a topic attribute set by CreateTopic/SetTopicAttributes under its snake_case name
        version = str(getattr(self.topic, "signature_version", None) or "1")
        region = self.topic.sns_backend.region_name
        return aws_notification(
            data, signature_version=version, subscription_arn=self.arn, region=region, key=self.private_key()
        )

    return get_post_data


def _s3_put_object(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_object(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = original(self, *args, **kwargs)
        if kwargs.get("checksum_value") and kwargs.get("multipart") is None and not key.checksum_type:
            key.checksum_type = "FULL_OBJECT"
        return key

    return put_object


def _checksum_answered(headers: Mapping[str, Json]) -> bool:
    """Does an S3 answer carry an object checksum (``x-amz-checksum-crc32``...) but not its type?"""
    names = {name.lower() for name in headers}
    kinds = {"x-amz-checksum-type", "x-amz-checksum-mode", "x-amz-checksum-algorithm"}
    return "x-amz-checksum-type" not in names and any(n.startswith("x-amz-checksum-") and n not in kinds for n in names)


def _s3_put_answer(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_object(self: Any, *args: Any, **kwargs: Any) -> Any:
        status, headers, body = original(self, *args, **kwargs)
        if status == 200 and _checksum_answered(headers):
            headers["x-amz-checksum-type"] = "FULL_OBJECT"  # a single PUT
        return status, headers, body

    return put_object


def _s3_head_answer(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def head_object(self: Any, *args: Any, **kwargs: Any) -> Any:
        status, answer, body = original(self, *args, **kwargs)
        given = signature.bind(self, *args, **kwargs).arguments
        if status in (200, 206) and _checksum_answered(answer) and {"bucket_name", "key_name"} <= set(given):
            version = ((given.get("query") or {}).get("versionId") or [None])[0]
            key = self.backend.head_object(given["bucket_name"], given["key_name"], version_id=version)
            if key is not None and key.checksum_type:
                answer["x-amz-checksum-type"] = key.checksum_type
        return status, answer, body

    return head_object


# (moto module, class, attribute, moto's value -> AWS's) for each correction
_PATCHES: Final[tuple[tuple[str, str, str, Callable[[Any], Any]], ...]] = (
    ("moto.sns.models", "Subscription", "get_post_data", _sns_get_post_data),
    ("moto.events.utils", "EventTemplateParser", "DEFAULT_EVENT_INPUT_TEMPLATE", lambda _: AWS_EVENT_TEMPLATE),
    ("moto.s3.models", "S3Backend", "put_object", _s3_put_object),
    ("moto.s3.responses", "S3Response", "put_object", _s3_put_answer),
    ("moto.s3.responses", "S3Response", "head_object", _s3_head_answer),
)


def install() -> None:
    """An in-process world opens: moto answers as AWS does until the last such world closes.

    A moto whose insides moved (a version sfnkit was not tested with) keeps its own answer there, with a warning.
    """
    with _LOCK:
        _OPEN[0] += 1
        if _OPEN[0] > 1:
            return
        for module, owner_name, name, correct in _PATCHES:
            try:
                owner = getattr(importlib.import_module(module), owner_name)
                original = owner.__dict__[name]
            except (ImportError, AttributeError, KeyError):
                warnings.warn(
                    f"sfnkit.aws(): this moto has no {module}.{owner_name}.{name}, so where moto's answer differs "
                    "from AWS's there, moto's stands (see sfnkit.cloud.services.corrections)",
                    stacklevel=3,
                )
                continue
            _SAVED.append((owner, name, original))
            setattr(owner, name, correct(original))


def uninstall() -> None:
    """An in-process world closes: the last one puts moto's own answers back."""
    with _LOCK:
        _OPEN[0] = max(0, _OPEN[0] - 1)
        if _OPEN[0]:
            return
        while _SAVED:
            owner, name, original = _SAVED.pop()
            setattr(owner, name, original)
