"""What every step's fields share: JSON values copied (``freeze``), state names checked, path-valued fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sfnkit.asl.schema import MAX_NAME_LENGTH, state_name_problem
from sfnkit.conditions import Path, Predicate
from sfnkit.errors import DefinitionError
from sfnkit.states import ABSENT

Json = Any

# Fields only one query language has (ASL-NOTES §1, §8.0); used to tell the user which twin to use instead.
JSONPATH_ONLY: Final = frozenset(
    {
        "input_path",
        "output_path",
        "parameters",
        "result",
        "result_selector",
        "result_path",
        "items_path",
        "seconds_path",
        "timestamp_path",
        "error_path",
        "cause_path",
        "timeout_seconds_path",
        "heartbeat_seconds_path",
        "max_concurrency_path",
        "tolerated_failure_percentage_path",
        "tolerated_failure_count_path",
    }
)
JSONATA_ONLY: Final = frozenset({"arguments", "output", "items"})
# A value field and the field that takes a path for it instead (JSONPath); a Path given to the first becomes the
# second in a JSONPath state, and a ``{% %}`` expression in a JSONata one.
PATH_TWIN: Final = {
    "seconds": "seconds_path",
    "timestamp": "timestamp_path",
    "items": "items_path",
    "error": "error_path",
    "cause": "cause_path",
    "timeout_seconds": "timeout_seconds_path",
    "heartbeat_seconds": "heartbeat_seconds_path",
    "max_concurrency": "max_concurrency_path",
    "tolerated_failure_percentage": "tolerated_failure_percentage_path",
    "tolerated_failure_count": "tolerated_failure_count_path",
}


def freeze(value: Json) -> tuple[Json, bool]:
    """A private copy of the JSON *value*, and whether it holds paths or conditions to resolve at build time."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value, False
    if kind is dict:
        dynamic = False
        out: dict[str, Json] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise DefinitionError(f"JSON object keys are strings; got {key!r} in {value!r}")
            item_kind = type(item)
            # Scalars inline: this runs for every field of every step (see benchmarks/bench_build.py).
            if item_kind is str or item_kind is int or item_kind is float or item_kind is bool or item is None:
                out[key] = item
            elif item_kind is Path:
                out[key] = item
                dynamic = True
            else:
                out[key], inner = freeze(item)
                dynamic = dynamic or inner
        return out, dynamic
    if kind is list or kind is tuple:
        items = [freeze(item) for item in value]
        return [item for item, _ in items], any(inner for _, inner in items)
    if kind is Path or kind is Predicate:
        return value, True
    if isinstance(value, Mapping):
        return freeze(dict(value))
    if isinstance(value, str | int | float):  # subclasses: IntEnum, str enums...
        return value, False
    raise DefinitionError(f"{value!r} is not a JSON value (dict, list, str, number, bool, None) nor a path")


def check_name(name: str, what: str) -> str:
    if type(name) is str and name.isidentifier() and len(name) <= MAX_NAME_LENGTH:
        return name  # the usual case, checked at C speed: an identifier has no control characters
    problem = state_name_problem(name)
    if problem is not None:
        raise DefinitionError(f"{what}: {problem}")
    return name


def path_value(value: Json, what: str) -> Json:
    if value is ABSENT or value is None or type(value) is str or type(value) is Path:
        return value
    raise DefinitionError(f"{what} takes a path such as data.x or '$.x' (or None); got {value!r}")


def assign_value(value: Json) -> Json:
    if value is ABSENT:
        return ABSENT
    if not isinstance(value, Mapping):
        raise DefinitionError(
            f"assign= takes a dict of variable name -> value, e.g. {{'total': data.total}}; got {value!r}"
        )
    return freeze(dict(value))[0]


def collect(fields: dict[str, Json]) -> tuple[dict[str, Json], bool]:
    """The given (not ``ABSENT``) *fields*, their values frozen, and whether any holds a path."""
    given: dict[str, Json] = {}
    dynamic = False
    for key, value in fields.items():
        if value is ABSENT:
            continue
        value_kind = type(value)
        if value_kind is str or value_kind is int or value_kind is float or value_kind is bool:
            given[key] = value
        elif value is None:
            # None means "not given" for these two (for the JSON-valued fields it is JSON null).
            if key != "comment" and key != "query_language":
                given[key] = None
        else:
            given[key], inner = freeze(value)
            dynamic = dynamic or inner
    return given, dynamic
