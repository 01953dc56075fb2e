"""A Distributed Map's ``ItemReader``: the items in what the reader's resource returned, by its ``ReaderConfig``.

The resource's answer is either the list of items already (``s3:listObjectsV2``, or a plain ``services=``
callable) or an object's text under ``Body`` (``s3:getObject``), read as ``InputType`` says: ``JSON`` (an array)
or ``CSV`` (a header row, or ``CSVHeaders`` given). AWS-observed CSV rules (``tests/conformance_services``,
``scenarios/*csv*``): extra fields past the headers are dropped, missing ones are ``""``, a trailing newline ends
the last row, duplicate headers fail the Map with ``States.ItemReaderFailed``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Final

from sfnkit.asl.failures import StatesError

__all__ = ["ITEM_READER_FAILED", "MAX_ITEMS_LIMIT", "items_from", "limit_items"]

Json = Any
ITEM_READER_FAILED: Final = "States.ItemReaderFailed"
MAX_ITEMS_LIMIT: Final = 100_000_000


def items_from(answer: Json, config: Json) -> list[Json]:
    """The items in *answer* (the reader resource's result), read by *config* (the ``ReaderConfig``)."""
    if isinstance(answer, list):
        return answer
    if not isinstance(answer, dict) or not isinstance(answer.get("Body"), str):
        raise StatesError(ITEM_READER_FAILED, "The ItemReader's resource returned neither a list of items nor a Body")
    body = answer["Body"]
    config = config if isinstance(config, dict) else {}
    if config.get("InputType") == "CSV":
        return _csv_items(body, config)
    try:
        value = json.loads(body)
    except ValueError:
        raise StatesError(ITEM_READER_FAILED, "Attempting to map over non-iterable node.") from None
    if not isinstance(value, list):
        raise StatesError(ITEM_READER_FAILED, "Attempting to map over non-iterable node.")
    return value


def _csv_items(body: str, config: dict[str, Json]) -> list[Json]:
    rows = list(csv.reader(io.StringIO(body)))
    if config.get("CSVHeaderLocation") == "GIVEN":
        headers = [str(h) for h in config.get("CSVHeaders") or []]
    else:
        headers = rows.pop(0) if rows else []
    if len(set(headers)) != len(headers):
        raise StatesError(ITEM_READER_FAILED, "CSV headers cannot contain duplicates.")
    return [{h: row[i] if i < len(row) else "" for i, h in enumerate(headers)} for row in rows]


def limit_items(items: list[Json], max_items: Json) -> list[Json]:
    """The first *max_items* items (0 or none: all); a negative limit fails as AWS fails it."""
    if max_items is None:
        return items
    if isinstance(max_items, bool) or not isinstance(max_items, int):
        raise StatesError(ITEM_READER_FAILED, "field MaxItems must be an integer")
    if max_items < 0:
        raise StatesError(ITEM_READER_FAILED, "field MaxItems must be positive")
    return items[:max_items] if max_items else items
