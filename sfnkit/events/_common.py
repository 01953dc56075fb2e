"""What every event builder shares: the default time, content-derived ids, timestamps and body text."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Final

from sfnkit.asl.scope import Json

__all__ = ["EPOCH", "SENDER", "body_text", "iso", "uid"]

EPOCH: Final = 1_704_067_200.0  # 2024-01-01T00:00:00Z: the builders' default time (never today's date)
SENDER: Final = "AIDAEXAMPLESENDERID01"  # an IAM user id, the shape SQS reports as SenderId
_NAMESPACE: Final = uuid.UUID("6f1c0e52-3c2b-4f4e-9a55-2f0c8f3b7d10")


def uid(*parts: object) -> str:
    """A version-5 UUID of *parts*: the same content always gets the same id."""
    return str(uuid.uuid5(_NAMESPACE, json.dumps(parts, default=repr)))


def iso(seconds: float, *, millis: bool = True) -> str:
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    if not millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def body_text(body: Json | bytes, where: str) -> str:
    """A message body as the service carries it: text as it is, any other JSON value as JSON text."""
    if isinstance(body, str):
        return body
    if isinstance(body, bytes):
        raise TypeError(f"{where}: the body is bytes; message bodies are text: decode it, or base64-encode it")
    try:
        return json.dumps(body)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}: the body is neither text nor JSON ({exc}); pass a str or a JSON value") from None
