"""The JSONata spelling of conditions: ``to_jsonata`` for a whole condition, ``jsonata_path`` for a reference path.

A JSONata state's ``Condition`` is one ``{% ... %}`` boolean; these give ASL's JSONPath rules that meaning where
JSONata can say it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final, assert_never

from sfnkit.conditions.ir import AllOf, AnyOf, Compare, Condition, Expression, Not
from sfnkit.errors import ConditionError

__all__ = ["jsonata_path", "to_jsonata"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KINDS: Final = ("String", "Numeric", "Boolean", "Timestamp")
_PATH_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")
_JSONATA_OP: Final = {
    "Equals": "=",
    "LessThan": "<",
    "LessThanEquals": "<=",
    "GreaterThan": ">",
    "GreaterThanEquals": ">=",
}
_TYPE_NAMES: Final = {"IsString": "string", "IsNumeric": "number", "IsBoolean": "boolean"}
_RFC3339 = r"/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/"


def jsonata_path(path: str, *, result: bool = False) -> str:
    """A JSONPath reference path as JSONata: ``$.a[0]`` → ``$states.input.a[0]``, ``$$.X`` → ``$states.context.X``.

    With *result*, ``$`` is the Task result (``$states.result``). Variables (``$total.x``) stay as they are.

    >>> jsonata_path("$.order['unit price']")
    '$states.input.order.`unit price`'
    """
    if path.startswith("$$"):
        head, rest = "$states.context", path[2:]
    elif path == "$" or path.startswith(("$.", "$[")):
        head, rest = ("$states.result" if result else "$states.input"), path[1:]
    else:
        match = re.match(r"\$[A-Za-z_][A-Za-z0-9_]*", path)
        if match is None:
            raise ConditionError(f"{path!r} is not a reference path (e.g. $.order.total, $$.Execution.Name, $total)")
        head, rest = match.group(0), path[match.end() :]
    out = [head]
    position = 0
    while position < len(rest):
        token = _PATH_TOKEN.match(rest, position)
        if token is None:
            raise ConditionError(
                f"{path!r}: only .name, [0] and ['name'] steps can become JSONata (at {rest[position:]!r})"
            )
        name, index, quoted = token.groups()
        if index is not None:
            out.append(f"[{index}]")
        else:
            field = name if name is not None else re.sub(r"\\(.)", r"\1", quoted)
            out.append(f".{field}" if _IDENTIFIER.match(field) else ".`" + field + "`")
        position = token.end()
    return "".join(out)


def to_jsonata(condition: Condition) -> str:
    """*condition* as a JSONata boolean expression (without ``{% %}``), with ASL's meaning where it can.

    Comparisons use JSONata's operators (``$states.input.age >= 18``); timestamps compare as ``$toMillis``;
    ``IsPresent`` is ``$exists``; ``StringMatches`` a regular expression. One difference stays: JSONata's ``<``
    on a value of the wrong type (a string against a number) is an error (``States.QueryEvaluationError``) where
    the JSONPath rule would be false; ``=`` is false in both.

    >>> to_jsonata(Compare(variable="$.age", operator="NumericGreaterThanEquals", value=18))
    '$states.input.age >= 18'
    """
    match condition:
        case Expression(condition=expression):
            if isinstance(expression, bool):
                return "true" if expression else "false"
            return str(expression).removeprefix("{%").removesuffix("%}").strip()
        case AllOf(conditions=conditions):
            return " and ".join(_grouped(c) for c in conditions)
        case AnyOf(conditions=conditions):
            return " or ".join(_grouped(c) for c in conditions)
        case Not(condition=inner):
            return f"$not({to_jsonata(inner)})"
        case Compare(variable=variable, operator=operator, value=value):
            return _compare_jsonata(jsonata_path(variable), operator, value)
        case _:
            assert_never(condition)


def _grouped(condition: Condition) -> str:
    text = to_jsonata(condition)
    return f"({text})" if isinstance(condition, AllOf | AnyOf) else text


def _compare_jsonata(left: str, operator: str, value: Any) -> str:
    if operator in ("IsPresent", "IsNull", "IsString", "IsNumeric", "IsBoolean", "IsTimestamp"):
        match operator:
            case "IsPresent":
                test = f"$exists({left})"
            case "IsNull":
                test = f"{left} = null"
            case "IsTimestamp":
                test = f"$type({left}) = 'string' and $contains({left}, {_RFC3339})"
            case _:
                test = f"$type({left}) = '{_TYPE_NAMES[operator]}'"
        return test if value is True else f"$not({test})"
    if operator == "StringMatches":
        return f"$type({left}) = 'string' and $contains({left}, {_matches_regex(value, left)})"
    is_path = operator.endswith("Path")
    base = operator.removesuffix("Path")
    kind = next((k for k in _KINDS if base.startswith(k)), None)
    if kind is None or base[len(kind) :] not in _JSONATA_OP:
        raise ConditionError(f"{operator} is not an ASL comparison operator")
    op = _JSONATA_OP[base[len(kind) :]]
    right = jsonata_path(value) if is_path else json.dumps(value, ensure_ascii=False)
    if kind == "Timestamp":
        return f"$toMillis({left}) {op} $toMillis({right})"
    return f"{left} {op} {right}"


def _matches_regex(pattern: str, where: str) -> str:
    """The ASL ``StringMatches`` *pattern* as a JSONata regex literal (``*`` → ``.*``, anchored)."""
    out: list[str] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            if position + 1 >= len(pattern) or pattern[position + 1] not in "*\\":
                raise ConditionError(
                    f"{where}.matches({pattern!r}): a backslash must escape * or another backslash (\\\\* or \\\\\\\\)"
                )
            out.append(re.escape(pattern[position + 1]))
            position += 2
            continue
        out.append(".*" if char == "*" else re.escape(char).replace("/", "\\/"))
        position += 1
    return "/^" + "".join(out) + "$/"
