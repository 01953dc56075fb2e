"""A step's field values spelled in its state's query language: paths as JSONPath or JSONata, conditions, payload
templates, and the check that no field belongs to the other language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sfnkit.conditions import AllOf, AnyOf, Compare, Condition, Expression, Not, Path, Predicate, to_jsonata
from sfnkit.dsl import JSONATA_ONLY, JSONPATH_ONLY, PATH_TWIN, Step
from sfnkit.errors import DefinitionError
from sfnkit.states import ABSENT

__all__ = ["JSONATA", "JSONPATH", "Json"]


Json = Any
JSONPATH: Final = "JSONPath"
JSONATA: Final = "JSONata"


# Fields whose JSONPath value is a payload template: a path in it becomes a "key.$" entry.
_TEMPLATES: Final = frozenset(
    {"parameters", "result_selector", "item_selector", "assign", "credentials", "item_reader", "item_batcher",
     "result_writer", "request"}
)  # fmt: skip


def _check_language(fields: Mapping[str, Json], language: str, step: Step) -> None:
    other = JSONPATH_ONLY if language == JSONATA else JSONATA_ONLY
    if not other.isdisjoint(fields):
        # items=data.x is ItemsPath in JSONPath: a path given to a field with a ...Path twin is fine.
        wrong = sorted(k for k in other.intersection(fields) if not (k in PATH_TWIN and type(fields[k]) is Path))
        if not wrong:
            return
        field = wrong[0]
        if language == JSONATA:
            hint = "use arguments= for the request and output= (with assign=) for what the state hands on"
        else:
            hint = "use parameters=/result_selector=/result_path=/output_path=, or query_language='JSONata'"
        raise DefinitionError(
            f"{step._what()}: {field}= is a {'JSONPath' if language == JSONATA else 'JSONata'} field, and this "
            f"state is {language}; {hint}"
        )


def _resolve(fields: Mapping[str, Json], dynamic: bool, language: str, step: Step) -> dict[str, Json]:
    """The IR keyword arguments for *fields* in *language*: paths spelled, twins chosen, language checked."""
    _check_language(fields, language, step)
    if not dynamic:
        return dict(fields)
    out: dict[str, Json] = {}
    for key, value in fields.items():
        kind = type(value)
        if kind is str or kind is int or kind is float or kind is bool or value is None:
            out[key] = value
        elif key in PATH_TWIN and kind is Path:
            if language == JSONPATH:
                out[PATH_TWIN[key]] = value.expression
            else:
                out[key] = "{% " + value.to_jsonata() + " %}"
        elif kind is dict:  # neither ABSENT nor a path: _render_field would render it, as here
            out[key] = _render(value, language, key in _TEMPLATES, step, key)
        else:
            out[key] = _render_field(key, value, language, step)
    return out


def _render_field(key: str, value: Json, language: str, step: Step) -> Json:
    if value is ABSENT:
        return ABSENT
    if language == JSONPATH and isinstance(value, Path):
        if key in _TEMPLATES:
            raise DefinitionError(
                f"{step._what()}: {key}= is a JSON object template in JSONPath; write {{'value': {value}}}"
            )
        return value.expression
    return _render(value, language, key in _TEMPLATES, step, key)


def _render(value: Json, language: str, template: bool, step: Step, key: str) -> Json:
    kind = type(value)
    if kind is dict:
        out: dict[str, Json] = {}
        for name, item in value.items():
            item_kind = type(item)
            if item_kind is str or item_kind is int or item_kind is float or item_kind is bool or item is None:
                out[name] = item  # the common case, inline: this runs for every field of every state
            elif item_kind is Path and language == JSONPATH:
                if not template:
                    raise DefinitionError(
                        f"{step._what()}: {key}= holds the path {item} but ASL copies that field verbatim; "
                        "paths work in parameters=, result_selector=, item_selector= and assign="
                    )
                out[name + ".$"] = item.expression
            else:
                out[name] = _render(item, language, template, step, key)
        return out
    if kind is list:
        return [_render(item, language, template, step, key) for item in value]
    if kind is Path:
        if language == JSONPATH:
            raise DefinitionError(
                f"{step._what()}: {key}= holds the path {value} inside a list; JSONPath templates take paths only "
                "as object values ({'x': data.y})"
            )
        return "{% " + value.to_jsonata() + " %}"
    if kind is Predicate:
        if language == JSONPATH:
            raise DefinitionError(
                f"{step._what()}: {key}= holds a condition or jsonata() expression, which only JSONata states "
                "evaluate; build the workflow with query_language='JSONata'"
            )
        return "{% " + value.to_jsonata() + " %}"
    return value


def _condition(condition: Condition, language: str, where: str) -> Condition:
    if language == JSONATA:
        if isinstance(condition, Expression):
            return condition
        return Expression(condition="{% " + to_jsonata(condition) + " %}")
    pending: list[Condition] = [condition]
    while pending:
        match pending.pop():
            case Expression(condition=bool() as constant):
                raise DefinitionError(
                    f"{where}: when({constant}, ...) is a constant condition, which only JSONata states have "
                    "(Condition: true); in a JSONPath workflow put the step in otherwise= instead, or compare a "
                    "path (data.x > 1)"
                )
            case Expression():
                raise DefinitionError(
                    f"{where}: a JSONata condition ({{% ... %}} text or jsonata()) needs a JSONata state; build the "
                    "workflow with query_language='JSONata' (or compare paths: data.x > 1)"
                )
            case AllOf(conditions=inner) | AnyOf(conditions=inner):
                pending.extend(inner)
            case Not(condition=inner):
                pending.append(inner)
            case Compare():
                pass
    return condition
