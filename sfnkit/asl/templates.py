"""JSONPath payload templates (Parameters, ResultSelector, ItemSelector, Assign): compile once, fill per run.

A key ending in ``.$`` takes its value from a path (``$...``, ``$$...``, ``$name``) or an intrinsic function
and loses the suffix; every other key is copied as written, at any depth, inside objects and arrays. Constant
sub-trees are shared between runs, never copied, so callers must not mutate what a template returns.

A path that matches nothing fails with ``States.Runtime`` and AWS's cause text (corpus:
``scenarios/*invalid_jsonpath*``), without the ``An error occurred while executing the state 'S' (entered at
the event id #N).`` prefix, which the interpreter adds because only it knows the state and the event.

Spec: https://states-language.net/spec.html#parameters ; AWS: "Payload templates" in the developer guide.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import attrs

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.asl.intrinsics import compile_direct_intrinsic, compile_intrinsic
from sfnkit.asl.paths import PathNotFound, compile_path, input_keys
from sfnkit.asl.scope import Json, Scope
from sfnkit.errors import AslError

__all__ = [
    "compile_direct_template",
    "compile_direct_value",
    "compile_payload_template",
    "compile_value_expression",
    "not_found_cause",
]

_Eval = Callable[[Scope], Json]


def not_found_cause(path: str, field: str, data: Json) -> str:
    """AWS's cause when a path in a template (or ErrorPath/CausePath) matches nothing.

    >>> print(not_found_cause("$.x", "value.$", {"a": 1}))
    The JSONPath '$.x' specified for the field 'value.$' could not be found in the input '{"a":1}'
    """
    shown = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{shown}'"


def compile_value_expression(text: Json, *, field: str, location: str = "") -> _Eval:
    """Compile the value of a ``.$`` key (or ErrorPath/CausePath): a path or an intrinsic function call.

    The evaluator raises ``StatesError("States.Runtime", ...)`` with AWS's cause when a path finds nothing;
    *field* is the name AWS quotes there (``"value.$"``, ``"ErrorPath"``).

    Raises:
        AslError: *text* is neither a valid path nor a valid intrinsic function call.
    """
    evaluate = _expression(text, field=field, location=location)

    def value(scope: Scope) -> Json:
        try:
            return evaluate(scope)
        except PathNotFound as missing:
            raise StatesError(RUNTIME, not_found_cause(missing.path, field, scope.input)) from None

    return value


def _expression(text: Json, *, field: str, location: str) -> _Eval:
    """A path's ``find`` or an intrinsic's evaluator; raises PathNotFound for the caller to phrase."""
    if not isinstance(text, str):
        raise AslError(
            f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call; "
            f"got {json.dumps(text)}.",
            location=location,
        )
    if text.startswith("$"):
        return compile_path(text, location=location).find
    if not text.startswith("States."):
        raise AslError(
            f"The value for the field '{field}' must be a valid JSONPath (starting with '$') or a valid "
            "intrinsic function call (States.Name(...)).",
            text=text,
            position=0,
            location=location,
        )
    return compile_intrinsic(text, location=location)


def _constant(value: Json) -> _Eval:
    def constant(_scope: Scope) -> Json:
        return value

    return constant


@attrs.frozen
class _Dynamic:
    """A compiled template part that depends on the scope (a constant part stays a plain JSON value)."""

    evaluate: _Eval


def _as_eval(part: Json | _Dynamic) -> _Eval:
    return part.evaluate if isinstance(part, _Dynamic) else _constant(part)


def _compile(value: Json, location: str) -> Json | _Dynamic:
    """Compile *value*: a :class:`_Dynamic` if anything in it is evaluated, else *value* itself."""
    if isinstance(value, dict):
        return _compile_object(value, location)
    if isinstance(value, list):
        parts = [_compile(item, f"{location}[{n}]") for n, item in enumerate(value)]
        if not any(isinstance(part, _Dynamic) for part in parts):
            return value
        evaluators = [_as_eval(part) for part in parts]

        def array(scope: Scope) -> Json:
            return [evaluate(scope) for evaluate in evaluators]

        return _Dynamic(array)
    return value


def _compile_object(template: dict[str, Json], location: str) -> Json | _Dynamic:
    # (output name, key as written, evaluator or None, constant); '.$' evaluators raise PathNotFound.
    entries: list[tuple[str, str, _Eval | None, Json]] = []
    names: dict[str, str] = {}
    for key, value in template.items():
        here = f"{location}.{key}" if location else key
        if key.endswith(".$"):
            name = key[:-2]
            entry: tuple[str, str, _Eval | None, Json] = (name, key, _expression(value, field=key, location=here), None)
        else:
            name = key
            part = _compile(value, here)
            entry = (name, key, part.evaluate, None) if isinstance(part, _Dynamic) else (name, key, None, part)
        if name in names:
            raise AslError(
                f"The keys {names[name]!r} and {key!r} both produce the field {name!r}; keep one of them.",
                location=location,
            )
        names[name] = key
        entries.append(entry)
    if all(evaluate is None for _, _, evaluate, _ in entries):
        return template
    # The constants, in definition order, with placeholders for the evaluated keys: copying it (in C) and then
    # assigning the evaluated keys keeps the key order of the definition.
    base = {name: constant for name, _, _, constant in entries}
    dynamic = [(name, field, evaluate) for name, field, evaluate, _ in entries if evaluate is not None]
    if len(dynamic) == 1:
        ((name0, field0, evaluate0),) = dynamic

        def fill_one(scope: Scope) -> Json:
            out = base.copy()
            try:
                out[name0] = evaluate0(scope)
            except PathNotFound as missing:
                raise StatesError(RUNTIME, not_found_cause(missing.path, field0, scope.input)) from None
            return out

        return _Dynamic(fill_one)

    def fill_object(scope: Scope) -> Json:
        out = base.copy()
        field = ""
        try:
            for name, field, evaluate in dynamic:  # noqa: B007 - 'field' names the failing key below
                out[name] = evaluate(scope)
        except PathNotFound as missing:
            # AWS: "The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '...'"
            raise StatesError(RUNTIME, not_found_cause(missing.path, field, scope.input)) from None
        return out

    return _Dynamic(fill_object)


def compile_payload_template(value: Json, *, field: str, location: str = "") -> Callable[[Scope], Json]:
    """Compile a payload template once; the result fills it from a :class:`Scope`.

    >>> from sfnkit.asl.scope import Scope
    >>> fill = compile_payload_template({"id.$": "$.order.id", "kind": "new"}, field="Parameters")
    >>> fill(Scope({"order": {"id": 7}}))
    {'id': 7, 'kind': 'new'}

    Args:
        value: The template (an object for Parameters/ResultSelector/ItemSelector/Assign).
        field: The ASL field it came from (``"Parameters"``), used in error locations.
        location: Where the field sits in the definition (``"States.Charge"``).

    Raises:
        AslError: a ``.$`` value is not a valid path or intrinsic function, or two keys clash after renaming.
    """
    where = f"{location}.{field}" if location else field
    return _as_eval(_compile(value, where))


def compile_direct_template(value: Json) -> Callable[[Json], Json] | None:
    """The common template, an object whose ``.$`` values are plain input paths (``$.a.b``) or a counter
    (``States.MathAdd($.i, 1)``), as one function of the input (no Scope); None for any other template.

    ``fill(data)`` gives what ``compile_payload_template(value, ...)(Scope(data))`` gives whenever every path
    matches; otherwise it raises ``KeyError`` or ``TypeError`` and the caller runs the full template, which
    raises AWS's error. Call it only for a template the full compiler accepted.

    >>> compile_direct_template({"id.$": "$.order.id", "kind": "new"})({"order": {"id": 7}})
    {'id': 7, 'kind': 'new'}
    """
    if not isinstance(value, dict):
        return None
    base: dict[str, Json] = {}
    dynamic: list[tuple[str, Callable[[Json], Json]]] = []
    for key, item in value.items():
        if key.endswith(".$"):
            get = compile_direct_value(item)
            if get is None:
                return None
            base[key[:-2]] = None  # a placeholder: the copy keeps the definition's key order
            dynamic.append((key[:-2], get))
        elif isinstance(_compile(item, ""), _Dynamic):
            return None
        else:
            base[key] = item
    if not dynamic:
        return None
    if len(dynamic) == 1:
        ((name0, get0),) = dynamic
        keys0 = input_keys(value[name0 + ".$"])
        if keys0 is not None and len(keys0) == 1:
            (key0,) = keys0

            def fill_key(data: Json) -> Json:
                out = base.copy()
                out[name0] = data[key0]
                return out

            return fill_key

        def fill_one(data: Json) -> Json:
            out = base.copy()
            out[name0] = get0(data)
            return out

        return fill_one

    def fill(data: Json) -> Json:
        out = base.copy()
        for name, get in dynamic:
            out[name] = get(data)
        return out

    return fill


def compile_direct_value(text: Json) -> Callable[[Json], Json] | None:
    """A ``.$`` value that is a plain input path or a counter (``States.MathAdd($.i, 1)``) as one function of the
    input, raising ``KeyError``/``TypeError`` where the full evaluator must decide; None for anything else.

    >>> compile_direct_value("$.order.id")({"order": {"id": 7}})
    7
    """
    keys = input_keys(text)
    return _getter(keys) if keys is not None else compile_direct_intrinsic(text)


def _getter(keys: tuple[str, ...]) -> Callable[[Json], Json]:
    """``data[k1][k2]...`` (raising KeyError/TypeError where a step does not meet an object holding the name)."""
    if len(keys) == 1:
        (key,) = keys

        def get_one(data: Json) -> Json:
            return data[key]

        return get_one

    def get(data: Json) -> Json:
        for key in keys:
            data = data[key]
        return data

    return get
