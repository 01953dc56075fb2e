"""Python source for ASL values: JSON literals, reference paths as ``data.x``, Choice conditions as operators.

Every function here returns source text that, evaluated with the names of ``sfnkit`` in scope, gives back exactly
the value it was made from; where the DSL would spell a value differently (a path the ``Path`` front end writes
another way, a condition the operators would regroup) it returns the plain form instead (the string, the IR).
"""

from __future__ import annotations

import functools
import keyword
import math
import re
from typing import Any, Final

from sfnkit.conditions import AllOf, AnyOf, Compare, Condition, Expression, Not, Path, ctx, data, result, var

__all__ = ["Imports", "identifier", "ir_condition", "py_condition", "py_json", "py_path", "py_str", "py_template"]

Json = Any

_TOKEN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_UNESCAPE = re.compile(r"\\(.)")
# Attributes of Path itself: a field of that name is reached as data["number"], not data.number.
_PATH_ATTRIBUTES: Final = frozenset(name for name in dir(Path) if not name.startswith("__")) | {
    "root",
    "segments",
    "kind",
    "scope",
    "expression",
}
_ROOTS: Final = {"data": data, "ctx": ctx, "var": var, "result": result}
_OPERATORS: Final = {
    "Equals": "==",
    "LessThan": "<",
    "LessThanEquals": "<=",
    "GreaterThan": ">",
    "GreaterThanEquals": ">=",
}
_LITERAL_TYPES: Final = {"String": (str,), "Numeric": (int, float), "Boolean": (bool,), "Timestamp": (str,)}
_TESTS: Final = {
    "IsPresent": "is_present",
    "IsNull": "is_null",
    "IsString": "is_string",
    "IsNumeric": "is_numeric",
    "IsBoolean": "is_boolean",
    "IsTimestamp": "is_timestamp",
}


class Imports:
    """The names the generated module uses, by the module they come from."""

    def __init__(self) -> None:
        self.names: dict[str, set[str]] = {}

    def use(self, name: str, module: str = "sfnkit") -> str:
        """Record that *name* (from *module*) is used, and return it."""
        self.names.setdefault(module, set()).add(name)
        return name

    def lines(self) -> list[str]:
        """The import statements, sorted."""
        return [
            f"from {module} import {', '.join(sorted(names, key=str.lower))}"
            for module, names in sorted(self.names.items())
        ]


def py_str(text: str) -> str:
    """*text* as a Python string literal, in double quotes where it can be (as black writes them)."""
    literal = repr(text)
    if literal[0] == "'" and '"' not in text:
        return '"' + literal[1:-1] + '"'
    return literal


def py_json(value: Json) -> str:
    """*value* (JSON) as a Python literal."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if isinstance(value, list):
        return "[" + ", ".join(py_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_str(key)}: {py_json(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"{value!r} is not JSON")


def py_path(path: str, imports: Imports, *, root: str = "data") -> str | None:
    """The ``data.x``/``ctx.x``/``var.x`` source for the JSONPath reference *path*, if the DSL spells it the same.

    *root* names what ``$`` means here (``data``, or ``result`` in a ``result_selector``).
    """
    if not isinstance(path, str):
        return None
    if path.startswith("$$"):
        base, rest = "ctx", path[2:]
    elif path == "$" or path.startswith(("$.", "$[")):
        base, rest = root, path[1:]
    else:
        match = _VARIABLE.match(path)
        if match is None:
            return None
        base, rest = f"var.{match.group(1)}", path[match.end() :]
        if match.group(1) in _PATH_ATTRIBUTES or keyword.iskeyword(match.group(1)):
            base = f"var[{py_str(match.group(1))}]"
    parts = [base]
    position = 0
    while position < len(rest):
        token = _TOKEN.match(rest, position)
        if token is None:
            return None
        name, index, quoted = token.groups()
        if index is not None:
            parts.append(f"[{int(index)}]")
        elif name is not None:
            usable = name not in _PATH_ATTRIBUTES and not keyword.iskeyword(name) and not name.startswith("_")
            parts.append(f".{name}" if usable else f"[{py_str(name)}]")
        else:
            field = _UNESCAPE.sub(r"\1", quoted)
            parts.append(f"[{py_str(field)}]")
        position = token.end()
    code = "".join(parts)
    try:
        made = eval(code, {"__builtins__": {}}, dict(_ROOTS))
    except Exception:  # a segment the front end rejects (e.g. an odd variable name)
        return None
    if not isinstance(made, Path) or made.expression != path:
        return None  # the front end writes this path another way (e.g. $.a['b'] as $.a.b)
    imports.use(base.split(".")[0].split("[")[0])
    return code


def py_template(value: Json, imports: Imports, *, root: str = "data") -> str:
    """A JSONPath payload template as Python: ``{"name.$": "$.x"}`` becomes ``{"name": data.x}`` where it can."""
    if isinstance(value, list):
        return "[" + ", ".join(py_template(item, imports, root=root) for item in value) + "]"
    if not isinstance(value, dict):
        return py_json(value)
    items: list[str] = []
    for key, item in value.items():
        if key.endswith(".$") and isinstance(item, str) and key[:-2] not in value and key[:-2]:
            path = py_path(item, imports, root=root)
            if path is not None:
                items.append(f"{py_str(key[:-2])}: {path}")
                continue
        items.append(
            f"{py_str(key)}: {py_template(item, imports, root=root) if not key.endswith('.$') else py_json(item)}"
        )
    return "{" + ", ".join(items) + "}"


# --- conditions -----------------------------------------------------------------------------------------------


def py_condition(condition: Condition, imports: Imports) -> str:
    """*condition* as a ``when()`` argument: Python operators on paths where they give this very IR, else the IR."""
    operators = _operators(condition, imports, top=True)
    return operators if operators is not None else ir_condition(condition, imports)


def _operators(condition: Condition, imports: Imports, *, top: bool = False) -> str | None:
    match condition:
        case Expression(condition=expression):
            if not top:
                return None
            if isinstance(expression, str) and expression.startswith("{% ") and expression.endswith(" %}"):
                inner = expression[3:-3]
                if inner == inner.strip() and inner:
                    return f"{imports.use('jsonata')}({py_str(inner)})"
            return py_json(expression)  # when() takes the "{% ... %}" text or a bool as it is
        case AllOf(conditions=parts, comment=None) | AnyOf(conditions=parts, comment=None) if len(parts) >= 2:
            kind = type(condition)
            texts = []
            for part in parts:
                # (a & b) & c is one And of three: an inner And/Or of the same kind cannot be written with the
                # operator (nor can any first operand that is one, since & extends it).
                if isinstance(part, kind) and part.comment is None:
                    return None
                text = _operators(part, imports)
                if text is None:
                    return None
                atomic = text.startswith("~") or (
                    isinstance(part, Compare) and (part.operator in _TESTS or part.operator == "StringMatches")
                )
                texts.append(text if atomic else f"({text})")
            return (" & " if kind is AllOf else " | ").join(texts)
        case Not(condition=inner, comment=None):
            if isinstance(inner, Compare) and inner.comment is None and inner.operator.endswith("Equals"):
                text = _compare(inner, imports)
                if text is not None and " == " in text and text.count(" == ") == 1:
                    return text.replace(" == ", " != ")
            text = _operators(inner, imports)
            if text is None:
                return None
            return f"~({text})"
        case Compare(comment=None):
            return _compare(condition, imports)
        case _:
            return None


def _compare(condition: Compare, imports: Imports) -> str | None:
    left = py_path(condition.variable, imports)
    if left is None:
        return None
    operator, value = condition.operator, condition.value
    if operator in _TESTS:
        if not isinstance(value, bool):
            return None
        return f"{left}.{_TESTS[operator]}()" if value else f"{left}.{_TESTS[operator]}(False)"
    if operator == "StringMatches":
        return f"{left}.matches({py_str(value)})" if isinstance(value, str) else None
    family = next((kind for kind in _LITERAL_TYPES if operator.startswith(kind)), None)
    if family is None:
        return None
    rest = operator[len(family) :]
    if rest.endswith("Path"):
        symbol = _OPERATORS.get(rest[:-4])
        right = py_path(value, imports) if isinstance(value, str) else None
        if symbol is None or right is None:
            return None
        return f"{left}.{family.lower() if family != 'Numeric' else 'number'} {symbol} {right}"
    symbol = _OPERATORS.get(rest)
    if symbol is None or not isinstance(value, _LITERAL_TYPES[family]):
        return None
    if family == "Numeric" and isinstance(value, bool):
        return None
    if family == "Boolean" and symbol != "==":
        return None
    if family == "Timestamp":
        left += ".timestamp"
    return f"{left} {symbol} {py_json(value)}"


def ir_condition(condition: Condition, imports: Imports) -> str:
    """*condition* as its IR constructor (from ``sfnkit.conditions``)."""
    cls = type(condition).__name__
    imports.use(cls, "sfnkit.conditions")
    comment = getattr(condition, "comment", None)
    extra = f", comment={py_str(comment)}" if comment is not None else ""
    match condition:
        case Compare(variable=variable, operator=operator, value=value):
            return f"{cls}(variable={py_str(variable)}, operator={py_str(operator)}, value={py_json(value)}{extra})"
        case AllOf(conditions=parts) | AnyOf(conditions=parts):
            return f"{cls}(conditions=[{', '.join(ir_condition(part, imports) for part in parts)}]{extra})"
        case Not(condition=inner):
            return f"{cls}(condition={ir_condition(inner, imports)}{extra})"
        case Expression(condition=expression):
            return f"{cls}(condition={py_json(expression)})"
    raise AssertionError(condition)  # pragma: no cover - Condition is a closed union


# --- names ---------------------------------------------------------------------------------------------------


def identifier(wanted: str, taken: set[str]) -> str:
    """A Python name like *wanted* (``FeedAll`` -> ``feed_all``) not in *taken*, which it joins."""
    base = re.sub(r"\W+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", wanted)).strip("_").lower() or "step"
    if base[0].isdigit():
        base = "s_" + base
    if not base.isidentifier():
        base = "step"
    name, number = base, 2
    while name in taken or keyword.iskeyword(name) or name in _public_names():
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


@functools.cache
def _public_names() -> frozenset[str]:
    """Names the generated module may import (sfnkit's public API, the condition IR) or otherwise use."""
    import sfnkit

    return frozenset(sfnkit.__all__) | {"sfnkit", "machine", "event", "Compare", "AllOf", "AnyOf", "Not", "Expression"}
