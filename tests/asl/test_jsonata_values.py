"""JSON values out of jsonata-python, the JavaScript way: copies, numbers, $string text."""

from __future__ import annotations

from typing import Any

import pytest

from sfnkit.asl.jsonata_values import NULL, NotJson, js_number, js_string, js_stringify, to_json


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (-0.5, "-0.5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (0.00001234, "0.00001234"),
        (1.5e300, "1.5e+300"),
        (123.456, "123.456"),
        (2**53, "9007199254740992"),
        (12345678901234567890, "12345678901234567000"),
    ],
)
def test_js_number(value: float, text: str) -> None:
    """Numbers are laid out as JavaScript's Number.prototype.toString does."""
    assert js_number(value) == text


def test_to_json_does_not_copy_plain_data() -> None:
    """Data that needs no conversion is returned as the same object."""
    data = {"a": [1, "b", None, {"c": True}], "d": 1.5}
    assert to_json(data) is data


def test_to_json_copies_only_what_changes() -> None:
    """A container with a float to normalise is copied; its untouched siblings are shared."""
    inner = {"x": [1, 2]}
    result = to_json({"n": 2.0, "inner": inner})
    assert result == {"n": 2, "inner": {"x": [1, 2]}}
    assert result["inner"] is inner


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.0, 2), (2**53 + 1, 9007199254740992), (2.0**60, 1152921504606847000), (1e21, 1e21), (-0.0, 0)],
)
def test_to_json_numbers_are_javascript_doubles(value: float, expected: float) -> None:
    """Integral numbers print without .0; beyond 2**53 they carry a double's digits, as JavaScript prints them."""
    result = to_json(value)
    assert (result, type(result)) == (expected, type(expected))


def test_to_json_converts_null_marker() -> None:
    """jsonata-python's null marker becomes None, at any depth."""
    assert to_json([NULL, {"a": NULL}]) == [None, {"a": None}]


def test_to_json_rejects_non_json() -> None:
    """A Python object that is not JSON (e.g. a function) is reported, not returned."""
    with pytest.raises(NotJson):
        to_json({"f": object()})


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, None), ("s", "s"), (True, "true"), (NULL, "null"), ([1, None], "[1,null]"), ({"a": None}, '{"a":null}')],
)
def test_js_string(value: Any, text: str | None) -> None:
    """$string: undefined stays undefined, strings are unchanged, other values are JSON."""
    assert js_string(value) == text


def test_js_stringify_for_messages() -> None:
    """Error inserts are JSON.stringify'd: strings quoted, undefined spelled out."""
    assert [js_stringify("a"), js_stringify(None), js_stringify(1.0)] == ['"a"', "undefined", "1"]
