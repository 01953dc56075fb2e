"""JSONata's ``/regex/`` literals as JavaScript reads them, compiled with the ``regex`` package under a time bound.

JSONata hands regex literals to JavaScript's ``RegExp``; jsonata-python to ``re``, which reads some of the same
text differently. :func:`javascript_regex` rewrites those parts first:

- ``\\d``, ``\\w``, ``\\b`` and their negations are ASCII in JavaScript (``re`` takes any Unicode digit or letter);
- ``$`` without the ``m`` flag is the very end (``re`` also matches before a final newline);
- ``(?<name>...)`` and ``\\k<name>`` are JavaScript's named groups (``re`` spells them ``(?P<name>...)``,
  ``(?P=name)``);
- ``[^]`` matches any character and ``[]`` nothing (``re`` rejects both);
- an escaped letter JavaScript does not know is the letter itself (``\\p`` is ``p``; ``re`` rejects it, and reads
  ``\\A``, ``\\Z``, ``\\a``, ``\\U``, ``\\N`` otherwise); ``\\cJ`` is a control character.

Other syntax is the same in both, or an error in both.

A backtracking pattern such as ``/(a+)+$/`` takes exponential time on hostile text, so with the ``regex`` package
(a dependency of sfnkit: ``re`` with a ``timeout=``) every match, search, replace or split runs under a local bound
of :data:`REGEX_SECONDS`, past which the expression fails with ``States.QueryEvaluationError``. Only where it is
missing (the Lambda layer ``sfnkit.deploy`` builds leaves it out: handlers never evaluate JSONata) do patterns
compile with ``re``, which cannot be interrupted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Final

__all__ = ["REGEX_SECONDS", "BoundedPattern", "javascript_regex"]

REGEX_SECONDS: Final = 2.0  # a local guard: any sane pattern answers in microseconds

_WORD: Final = "A-Za-z0-9_"
_BOUNDARY: Final = f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))"
_NOT_BOUNDARY: Final = f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))"
# Escapes outside a character class, and inside one (where only the set's members can be written).
_OUTSIDE: Final = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "b": _BOUNDARY,
    "B": _NOT_BOUNDARY,
}
_INSIDE: Final = {"d": "0-9", "w": _WORD}
_JAVASCRIPT_ESCAPES: Final = frozenset("bBdDwWsStrnvfxuk")  # letters JavaScript gives a meaning after \


def translate(pattern: str, *, multiline: bool) -> str:
    """*pattern* (JavaScript syntax) as ``re`` syntax with the same meaning."""
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        following = pattern[index + 1] if index + 1 < len(pattern) else ""
        if char == "\\" and following:
            if following == "k" and pattern.startswith("<", index + 2) and not in_class:
                end = pattern.find(">", index + 3)
                if end > 0:
                    out.append(f"(?P={pattern[index + 3 : end]})")
                    index = end + 1
                    continue
            if following == "c" and pattern[index + 2 : index + 3].isalpha():
                out.append(re.escape(chr(ord(pattern[index + 2]) % 32)))
                index += 3
                continue
            if following.isascii() and following.isalpha() and following not in _JAVASCRIPT_ESCAPES:
                out.append(following)  # an identity escape: the letter itself
                index += 2
                continue
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(following, char + following))
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[" and pattern.startswith("[^]", index):
            out.append(r"[\s\S]")
            index += 3
            continue
        elif char == "[" and following == "]":
            out.append("(?!)")
            index += 2
            continue
        elif char == "[":
            in_class = True
            out.append(char)
            if following == "^":  # keep a leading ] in "[^]..." from closing the class early
                out.append(following)
                index += 1
        elif char == "$" and not multiline:
            out.append(r"\Z")
        elif char == "(" and pattern.startswith("(?<", index) and pattern[index + 3 : index + 4] not in ("=", "!"):
            out.append("(?P<")
            index += 3
            continue
        else:
            out.append(char)
        index += 1
    return "".join(out)


class BoundedPattern:
    """A compiled pattern whose every call gives up after :data:`REGEX_SECONDS` (``TimeoutError``).

    It offers what jsonata-python calls on a regex (its ``CompiledPattern`` protocol), nothing more.
    """

    __slots__ = ("_pattern",)

    def __init__(self, pattern: Any) -> None:
        self._pattern = pattern

    def search(self, string: str, pos: int = 0) -> Any:
        return self._pattern.search(string, pos, timeout=REGEX_SECONDS)

    def finditer(self, string: str) -> Iterator[Any]:
        return self._pattern.finditer(string, timeout=REGEX_SECONDS)  # type: ignore[no-any-return]

    def sub(self, repl: str | Callable[[Any], str], string: str, count: int = 0) -> str:
        return self._pattern.sub(repl, string, count, timeout=REGEX_SECONDS)  # type: ignore[no-any-return]

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        return self._pattern.split(string, maxsplit, timeout=REGEX_SECONDS)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"BoundedPattern({self._pattern.pattern!r})"


def javascript_regex(pattern: str, flags: Any) -> BoundedPattern | re.Pattern[str]:
    """jsonata-python's ``regex_engine`` hook: compile a JSONata regex literal with JavaScript's reading."""
    try:
        import regex as engine  # imported when a regex literal is first compiled; absent in the Lambda layer
    except ImportError:
        engine = None
    python_flags = 0
    if flags.case_insensitive:
        python_flags |= re.IGNORECASE
    if flags.multiline:
        python_flags |= re.MULTILINE
    text = translate(pattern, multiline=bool(flags.multiline))
    if engine is None:
        return re.compile(text, python_flags)
    return BoundedPattern(engine.compile(text, python_flags))  # its IGNORECASE and MULTILINE are re's values
