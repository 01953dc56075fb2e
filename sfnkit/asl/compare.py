"""How a Choice rule compares values, as AWS does: timestamps, strings, numbers, and StringMatches patterns.

Timestamps are parsed as Java's ``ISO_OFFSET_DATE_TIME`` (what AWS names "ISO-8601 extended offset date-time") and
compared as instants; strings compare by UTF-16 code units, as Java's ``compareTo`` does; numbers compare as
IEEE-754 doubles; a value of the wrong type has no order (``None``). A StringMatches pattern compiles to a
:class:`Glob` that matches in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import attrs

from sfnkit.asl.scope import Json, is_number
from sfnkit.errors import AslError

__all__ = ["Glob", "parse_timestamp", "string_matches"]


# Java's DateTimeFormatter.ISO_OFFSET_DATE_TIME: parsed case-insensitively, seconds and fraction optional, offset
# 'Z' or +HH:MM[:SS]. AWS rejects "2016-12-05 21:29:29Z", "2016-12-05T21:29:29" and "2016-13-05T21:29:29Z".
_TIMESTAMP: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)",
    re.ASCII,
)


_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def parse_timestamp(text: Json) -> int | None:
    """Nanoseconds since the epoch of an ISO-8601 extended offset date-time, or None if *text* is not one.

    >>> parse_timestamp("1970-01-01T00:00:01.5+00:00")
    1500000000
    >>> parse_timestamp("2016-12-05T21:29:29") is None  # no offset
    True
    """
    if not isinstance(text, str):
        return None
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(match.group(n)) for n in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = match.group(7) or ""
    if not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= _DAYS_IN_MONTH[month - 1] + (month == 2 and leap):
        return None
    offset = 0
    if match.group(8) is None:
        off_hours, off_minutes, off_seconds = int(match.group(10)), int(match.group(11)), int(match.group(12) or 0)
        if off_minutes > 59 or off_seconds > 59 or off_hours * 3600 + off_minutes * 60 + off_seconds > 18 * 3600:
            return None
        offset = (off_hours * 3600 + off_minutes * 60 + off_seconds) * (1 if match.group(9) == "+" else -1)
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
    return seconds * 1_000_000_000 + int(fraction.ljust(9, "0") or 0)


def _as_double(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _java_order(left: str, right: str) -> int:
    """Java's ``String.compareTo`` sign: UTF-16 code units, which differs from code points above U+FFFF."""
    if not (left.isascii() and right.isascii()):
        left_units, right_units = left.encode("utf-16-be"), right.encode("utf-16-be")
        return (left_units > right_units) - (left_units < right_units)
    return (left > right) - (left < right)


_COMPARE: Final[dict[str, Callable[[int], bool]]] = {
    "Equals": lambda order: order == 0,
    "LessThan": lambda order: order < 0,
    "GreaterThan": lambda order: order > 0,
    "LessThanEquals": lambda order: order <= 0,
    "GreaterThanEquals": lambda order: order >= 0,
}


def _numeric_order(left: Json, right: Json) -> int | None:
    if not (is_number(left) and is_number(right)):
        return None
    a, b = _as_double(left), _as_double(right)
    return (a > b) - (a < b)


def _string_order(left: Json, right: Json) -> int | None:
    if not (isinstance(left, str) and isinstance(right, str)):
        return None
    return _java_order(left, right)


def _timestamp_order(left: Json, right: Json) -> int | None:
    a, b = parse_timestamp(left), parse_timestamp(right)
    if a is None or b is None:
        return None
    return (a > b) - (a < b)


_ORDER: Final[dict[str, Callable[[Json, Json], int | None]]] = {
    "Numeric": _numeric_order,
    "String": _string_order,
    "Timestamp": _timestamp_order,
}


@attrs.frozen
class Glob:
    """A compiled StringMatches pattern: literal pieces around ``*``; matching takes time linear in the text.

    A backtracking regex (``.*a.*a.*b``) takes exponential time on hostile text; with ``*`` the only wildcard,
    the leftmost occurrence of each middle piece is always a safe choice, so one left-to-right scan decides.
    """

    pieces: tuple[str, ...]  # the literal text between stars; one piece means no star at all

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of *text* matches the pattern."""
        if len(self.pieces) == 1:
            return text == self.pieces[0]
        first, *middle, last = self.pieces
        if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
            return False
        position, stop = len(first), len(text) - len(last)
        for piece in middle:
            found = text.find(piece, position, stop)
            if found < 0:
                return False
            position = found + len(piece)
        return True


def string_matches(pattern: str, *, location: str = "") -> Glob:
    """Compile a StringMatches pattern: ``*`` is any run of characters, ``\\*`` a star, ``\\\\`` a backslash.

    >>> string_matches("log-*.txt").fullmatch("log-2024.txt")
    True

    Raises:
        AslError: the pattern ends in a lone backslash.
    """
    pieces: list[str] = []
    piece: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                raise AslError(
                    "StringMatches: a backslash must escape '*' or '\\' (write \\\\ for a backslash).",
                    text=pattern,
                    position=i,
                    location=location,
                )
            piece.append(pattern[i + 1])
            i += 2
            continue
        if char == "*":
            pieces.append("".join(piece))
            piece = []
        else:
            piece.append(char)
        i += 1
    pieces.append("".join(piece))
    return Glob(tuple(pieces))
