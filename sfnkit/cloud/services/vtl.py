"""API Gateway mapping templates: the Velocity Template Language (VTL) subset API Gateway's templates use.

``render(template, variables, name=...)`` evaluates a template against its variables (``$input``, ``$util``,
``$context``, ``$stageVariables`` — built by ``apigateway.py``) and returns the text. Supported, as API Gateway's
mapping template reference uses it (https://docs.aws.amazon.com/apigateway/latest/developerguide/
api-gateway-mapping-template-reference.html): references ``$a.b.c``, ``$a.method(args)``, ``$a[i]``, ``${...}``
and the quiet ``$!...``; ``#set``, ``#if/#elseif/#else/#end``, ``#foreach`` (with ``$foreach.hasNext/index/count``,
at most 1,000 iterations as API Gateway allows), ``#break``, comments ``##`` and ``#* *#``; expressions with
strings (``"..."`` interpolates), numbers, booleans, lists, maps, ranges ``[1..3]``, ``== != < > <= >= && || !``
(and ``eq ne lt gt le ge and or not``) and ``+ - * / %``.

Values print as Java prints them (API Gateway runs Velocity on the JVM): a map as ``{a=1, b=2}``, a list as
``[1, 2]``; a reference that names nothing prints nothing, as API Gateway prints a missing header or path. Only
the methods listed in ``_METHODS`` (Java's String/List/Map ones templates use) and those of the ``Helper`` objects
can be called. A directive alone on its line takes the whole line with it. Errors are ``TemplateError``,
naming the template and the line and column.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from sfnkit.cloud.services.vtl_parse import TemplateError, error_at, parse

__all__ = ["Helper", "TemplateError", "java_string", "render"]

Json = Any
MAX_ITERATIONS: Final = 1000  # API Gateway's limit on a #foreach
MAX_RANGE: Final = 100_000  # a [a..b] longer than any #foreach may run is a mistake, not a list to build


class Helper:
    """A ``$input``/``$util`` object: the template may read ``properties`` and call ``methods`` by name."""

    def __init__(self, properties: Mapping[str, Json], methods: Mapping[str, Callable[..., Json]]) -> None:
        self.properties = dict(properties)
        self.methods = dict(methods)


def render(template: str, variables: Mapping[str, Json], *, name: str = "template") -> str:
    """The text *template* makes with *variables* (``TemplateError`` names *name*, the line and the column)."""
    renderer = _Renderer(template, name, variables)
    out: list[str] = []
    try:
        renderer.run(parse(template, name), out)
    except _Break:
        pass  # a #break outside any #foreach ends the template
    return "".join(out)


def java_string(value: Json) -> str:
    """*value* as Java's ``toString`` writes it; null prints nothing at the top level, ``null`` inside."""
    return "" if value is None else _java(value)


def _java(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_java(k)}={_java(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_java(v) for v in value) + "]"
    return str(value)


def _java_double(value: float) -> str:
    """Java's ``Double.toString``: plain between 10^-3 and 10^7, else ``d.dddE±n``; the shortest digits either way."""
    if value != value or value in (float("inf"), float("-inf")):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(value)  # Python's repr is plain and shortest in this range too
    sign, digits, exponent = decimal.Decimal(repr(value)).as_tuple()
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    power = int(exponent) + len(digits) - 1
    return f"{'-' if sign else ''}{shown[0]}.{shown[1:] or '0'}E{power}"


class _Break(Exception):
    """``#break``: leaves the innermost ``#foreach``."""


def _number(value: Json) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _truthy(value: Json) -> bool:
    """Velocity 1.7's truth: only null and false are false."""
    return value is not None and value is not False


def _equal(left: Json, right: Json) -> bool:
    if _number(left) and _number(right):
        return bool(left == right)
    if left is None or right is None or type(left) is type(right):
        return bool(left == right)
    return _java(left) == _java(right)  # different classes: Velocity compares their toString()


class _Renderer:
    def __init__(self, source: str, name: str, variables: Mapping[str, Json]) -> None:
        self.source, self.name = source, name
        self.vars: dict[str, Json] = dict(variables)

    def fail(self, pos: int, message: str) -> TemplateError:
        return error_at(self.source, self.name, pos, message)

    def run(self, nodes: list[Any], out: list[str]) -> None:
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[2])
            elif kind == "ref":
                out.append(java_string(self.reference(node)))
            elif kind == "set":
                self.assign(node[2], self.value(node[3]))
            elif kind == "if":
                body = next((body for condition, body in node[2] if _truthy(self.value(condition))), node[3])
                self.run(body, out)
            elif kind == "foreach":
                self.foreach(node, out)
            else:  # break
                raise _Break

    def foreach(self, node: Any, out: list[str]) -> None:
        _, pos, variable, iterable, body = node
        items = self.value(iterable)
        if isinstance(items, dict):
            items = list(items.values())  # Velocity iterates a map's values
        elif not isinstance(items, list | tuple):
            items = []  # null or a value that is not a collection: no iterations, as Velocity
        if len(items) > MAX_ITERATIONS:
            raise self.fail(pos, f"#foreach over {len(items)} items: API Gateway runs at most {MAX_ITERATIONS}")
        saved = self.vars.get("foreach"), self.vars.get("velocityCount")
        try:
            for index, item in enumerate(items):
                self.vars[variable[3]] = item
                self.vars["velocityCount"] = index + 1
                self.vars["foreach"] = {"index": index, "count": index + 1, "hasNext": index + 1 < len(items),
                                        "first": index == 0, "last": index + 1 == len(items)}  # fmt: skip
                self.run(body, out)
        except _Break:
            pass
        finally:
            self.vars["foreach"], self.vars["velocityCount"] = saved

    def assign(self, target: Any, value: Json) -> None:
        _, pos, _, name, steps, source = target
        if value is None:
            return  # Velocity 1.7: #set with a null value leaves the reference as it was
        if not steps:
            self.vars[name] = value
            return
        container = self.reference(("ref", pos, False, name, steps[:-1], source))
        last = steps[-1]
        key = last[1] if last[0] == "get" else self.value(last[1])
        if isinstance(container, dict) and last[0] != "call":
            container[key] = value
        elif isinstance(container, list) and isinstance(key, int) and -len(container) <= key < len(container):
            container[key] = value
        else:
            raise self.fail(pos, f"#set cannot assign to {source}: it is not a map entry or a list item")

    def reference(self, node: Any) -> Json:
        _, pos, _, name, steps, source = node
        value = self.vars.get(name)
        for step in steps:
            if value is None:
                return None
            if step[0] == "get":
                value = (
                    value.properties.get(step[1])
                    if isinstance(value, Helper)
                    else (value.get(step[1]) if isinstance(value, dict) else None)
                )
            elif step[0] == "index":
                key = self.value(step[1])
                if isinstance(value, dict):
                    value = value.get(key)
                elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
                    value = value[key]
                else:
                    value = None
            else:
                value = self.call(value, step[1], [self.value(a) for a in step[2]], pos, source)
        return value

    def call(self, target: Json, method: str, args: list[Json], pos: int, source: str) -> Json:
        if isinstance(target, Helper):
            function = target.methods.get(method)
        else:
            kind = (
                "string"
                if isinstance(target, str)
                else "list"
                if isinstance(target, list)
                else ("map" if isinstance(target, dict) else "value")
            )
            found = _METHODS[kind].get(method)
            function = None if found is None else (lambda *a: found(target, *a))
            if function is None:
                raise self.fail(pos, f"{source}: a {kind} has no method {method}() here (known: "
                                     f"{', '.join(sorted(_METHODS[kind]))})")  # fmt: skip
        if function is None:
            raise self.fail(pos, f"{source}: no method {method}() (known: {', '.join(sorted(target.methods))})")
        try:
            return function(*args)
        except (TypeError, ValueError, IndexError, KeyError, re.error) as exc:  # a helper's or Java's refusal
            raise self.fail(pos, f"{source}: {exc}") from None

    def value(self, node: Any) -> Json:
        kind = node[0]
        if kind == "value":
            return node[2]
        if kind == "ref":
            return self.reference(node)
        if kind == "template":
            out: list[str] = []
            self.run(node[2], out)
            return "".join(out)
        if kind == "list":
            return [self.value(item) for item in node[2]]
        if kind == "map":
            return {self.value(k): self.value(v) for k, v in node[2]}
        if kind == "range":
            low, high = self.value(node[2]), self.value(node[3])
            if not (isinstance(low, int) and isinstance(high, int)):
                raise self.fail(node[1], "a range [a..b] needs whole numbers")
            if abs(high - low) >= MAX_RANGE:
                raise self.fail(node[1], f"a range of {abs(high - low) + 1} numbers: sfnkit makes at most {MAX_RANGE}")
            return list(range(low, high + 1) if low <= high else range(low, high - 1, -1))
        if kind == "not":
            return not _truthy(self.value(node[2]))
        return self.operate(node)

    def operate(self, node: Any) -> Json:
        _, pos, op, left_node, right_node = node
        left = self.value(left_node)
        if op in ("&&", "||"):
            if (op == "&&") != _truthy(left):
                return op == "||"
            return _truthy(self.value(right_node))
        right = self.value(right_node)
        if op in ("==", "!="):
            return _equal(left, right) == (op == "==")
        if op == "+" and (isinstance(left, str) or isinstance(right, str)):
            return java_string(left) + java_string(right)
        if op in ("<", ">", "<=", ">="):
            if not (_number(left) and _number(right)) and not (isinstance(left, str) and isinstance(right, str)):
                raise self.fail(
                    pos, f"`{op}` compares two numbers or two strings, not {_java(left)} and {_java(right)}"
                )
            return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
        if not (_number(left) and _number(right)):
            raise self.fail(pos, f"`{op}` needs two numbers, not {_java(left)} and {_java(right)}")
        if op in ("/", "%") and right == 0:
            return None  # Velocity: division by zero is null
        if op == "/" and isinstance(left, int) and isinstance(right, int):
            return int(left / right)  # Java's integer division truncates toward zero
        if op == "%" and isinstance(left, int) and isinstance(right, int):
            return left - right * int(left / right)
        return {"+": left + right, "-": left - right, "*": left * right, "/": left / right, "%": left % right}[op]


def _java_regex_replacement(replacement: str) -> str:
    """Java's ``$1`` group references in a replacement, as Python writes them."""
    return re.sub(r"\$(\d)", r"\\g<\1>", replacement.replace("\\", "\\\\"))


def _java_split(text: str, pattern: str) -> list[str]:
    """Java's ``String.split``: the trailing empty strings are dropped."""
    parts = re.split(pattern, text)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def _put(target: dict[Json, Json], key: Json, value: Json) -> Json:
    previous = target.get(key)
    target[key] = value
    return previous


def _add(target: list[Json], value: Json) -> bool:
    target.append(value)
    return True


# the Java methods a template may call, by the kind of value (java.lang.String, java.util.List, java.util.Map)
_METHODS: Final[dict[str, dict[str, Callable[..., Json]]]] = {
    "string": {
        "length": len,
        "isEmpty": lambda s: not s,
        "contains": lambda s, x: java_string(x) in s,
        "startsWith": lambda s, x: s.startswith(x),
        "endsWith": lambda s, x: s.endswith(x),
        "indexOf": lambda s, x: s.find(x),
        "lastIndexOf": lambda s, x: s.rfind(x),
        "substring": lambda s, begin, end=None: (
            s[begin:end]
            if 0 <= begin <= (len(s) if end is None else end) <= len(s)
            else _raise(IndexError(f"substring({begin}, {end}) of a string of length {len(s)}"))
        ),
        "toLowerCase": str.lower,
        "toUpperCase": str.upper,
        "trim": lambda s: s.strip(" \t\r\n\f\v\0"),
        "replace": lambda s, old, new: s.replace(java_string(old), java_string(new)),
        "replaceAll": lambda s, pattern, new: re.sub(pattern, _java_regex_replacement(new), s),
        "matches": lambda s, pattern: re.fullmatch(pattern, s) is not None,
        "split": lambda s, pattern: _java_split(s, pattern),
        "equals": lambda s, x: s == x,
        "equalsIgnoreCase": lambda s, x: isinstance(x, str) and s.lower() == x.lower(),
        "charAt": lambda s, i: s[i] if 0 <= i < len(s) else _raise(IndexError(f"charAt({i}) of length {len(s)}")),
        "concat": lambda s, x: s + x,
        "toString": lambda s: s,
    },
    "list": {
        "size": len,
        "isEmpty": lambda items: not items,
        "get": lambda items, i: (
            items[i] if 0 <= i < len(items) else _raise(IndexError(f"get({i}) of size {len(items)}"))
        ),
        "contains": lambda items, x: any(_equal(item, x) for item in items),
        "indexOf": lambda items, x: next((i for i, item in enumerate(items) if _equal(item, x)), -1),
        "add": _add,
        "toString": _java,
    },
    "map": {
        "size": len,
        "isEmpty": lambda m: not m,
        "get": lambda m, key: m.get(key),
        "containsKey": lambda m, key: key in m,
        "keySet": lambda m: list(m),
        "values": lambda m: list(m.values()),
        "entrySet": lambda m: [{"key": k, "value": v} for k, v in m.items()],
        "put": _put,
        "remove": lambda m, key: m.pop(key, None),
        "toString": _java,
    },
    "value": {"toString": _java, "equals": _equal},
}


def _raise(error: Exception) -> Any:
    raise error
