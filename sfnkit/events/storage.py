"""Events from S3 notifications and DynamoDB Streams, as Lambda delivers them."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Literal
from urllib.parse import quote_plus

from sfnkit.asl.context import ACCOUNT, REGION
from sfnkit.asl.scope import Json
from sfnkit.events._common import EPOCH, SENDER, iso, uid

__all__ = ["dynamodb_event", "dynamodb_record", "s3_event", "s3_record", "to_attribute_value"]


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
        "eventTime": iso(time),
        "eventName": event_name,
        "userIdentity": {"principalId": f"AWS:{SENDER}"},
        "requestParameters": {"sourceIPAddress": "198.51.100.1"},
        "responseElements": {
            "x-amz-request-id": request_id,
            "x-amz-id-2": base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode(),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": uid("s3-notification", bucket),
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
    label = iso(time).rstrip("Z")
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
