"""Rules for JSONPath fields: paths, ResultPath, reference paths, error paths and payload templates (``.$`` keys,
intrinsic functions).
"""

from __future__ import annotations

from collections.abc import Iterator

from sfnkit.errors import Problem
from sfnkit.validate.blocks import _State
from sfnkit.validate.common import Json, _at, _field, _index, _is_object, _key_problem, _key_problems, _show
from sfnkit.validate.syntax import _intrinsic_problems, _path_problems, _reference_path_problems


def _no_check(value: Json, where: str, state: _State) -> Iterator[Problem]:
    return iter(())


def _check_literal(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """A literal JSON value (a Pass state's Result): JSON as written, so its field names must be strings."""
    return _key_problems(value, where)


def _check_text(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not isinstance(value, str):
        yield Problem(where, f"{_field(where)} must be a string; got {_show(value)}.")


def _check_end(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not isinstance(value, bool):
        yield Problem(where, f"End must be true (or be left out when the state has Next); got {_show(value)}.")


def _check_path(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """InputPath / OutputPath: a JSONPath, or null (ASL-NOTES §3.3)."""
    if value is None:
        return
    if not isinstance(value, str):
        yield Problem(
            where, f'{_field(where)} must be a JSONPath string such as "$.order" or null; got {_show(value)}.'
        )
        return
    yield from _path_problems(value, where, definite=False)


def _check_result_path(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ResultPath: a reference path into the raw input, or null; not $$ and not a variable (ASL-NOTES §3.3)."""
    if value is None:
        return
    if not isinstance(value, str):
        yield Problem(where, f'ResultPath must be a reference path such as "$.result" or null; got {_show(value)}.')
        return
    if value.startswith("$$"):
        yield Problem(
            where, f"ResultPath {value!r} points into the Context Object, which is read-only; use a path on $."
        )
        return
    if len(value) > 1 and value.startswith("$") and value[1] not in ".[":
        yield Problem(
            where,
            f"ResultPath {value!r} names a variable; ResultPath writes into the state output: use Assign to set "
            "variables.",
        )
        return
    yield from _reference_path_problems(value, where)


def _check_reference_path(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """The …Path fields: a reference path (no wildcard, filter, slice or union; ASL-NOTES §3.1)."""
    if not isinstance(value, str):
        yield Problem(where, f'{_field(where)} must be a reference path such as "$.seconds"; got {_show(value)}.')
        return
    yield from _path_problems(value, where, definite=True)


def _check_error_path(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """Fail ErrorPath / CausePath: a reference path or an intrinsic function (ASL-NOTES §8.6)."""
    if not isinstance(value, str):
        yield Problem(where, f"{_field(where)} must be a reference path or an intrinsic function; got {_show(value)}.")
    elif value.startswith("$"):
        yield from _path_problems(value, where, definite=True)
    else:
        yield from _intrinsic_problems(value, where)


def _check_template(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """A JSONPath payload template: an object whose ``key.$`` values are paths or intrinsics (ASL-NOTES §3.2)."""
    if not _is_object(value):
        yield Problem(where, f"{_field(where)} must be a JSON object (a payload template); got {_show(value)}.")
        return
    yield from _template_problems(value, where)


def _template_problems(value: Json, where: str) -> Iterator[Problem]:
    stack: list[tuple[Json, str]] = [(value, where)]
    while stack:
        node, here = stack.pop()
        if _is_object(node):
            nested: list[tuple[Json, str]] = []
            for key, item in node.items():
                inner = _at(here, key)
                if not isinstance(key, str):
                    yield _key_problem(key, inner)
                elif key.endswith(".$"):
                    if key[:-2] in node:
                        yield Problem(
                            inner, f"{key!r} and {key[:-2]!r} both produce the key {key[:-2]!r}; keep one of them."
                        )
                    yield from _dynamic_value_problems(item, inner, key)
                else:
                    nested.append((item, inner))
            stack.extend(reversed(nested))  # this object's own keys first, then its children, in key order
        elif isinstance(node, list):
            stack.extend((item, _index(here, i)) for i, item in reversed(list(enumerate(node))))


def _dynamic_value_problems(value: Json, where: str, key: str) -> Iterator[Problem]:
    """The value of a ``key.$`` field: ``$…`` / ``$$…`` path, or an intrinsic function call."""
    if not isinstance(value, str):
        yield Problem(
            where,
            f"The value for the field {key!r} must be a valid JSONPath or a valid intrinsic function call; "
            f"got {_show(value)}. Drop the '.$' suffix to use it as a literal.",
        )
    elif value.startswith("$"):
        yield from _path_problems(value, where, definite=False)
    else:
        yield from _intrinsic_problems(value, where)
