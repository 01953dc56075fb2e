"""Rules for JSONata values (``{% %}`` expressions, ``$states`` members a field may read) and for Assign and
variable names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from sfnkit.asl.schema import JSONPATH
from sfnkit.asl.schema import is_expression as _is_expression
from sfnkit.asl.variables import name_problem
from sfnkit.errors import Problem
from sfnkit.validate.blocks import _State
from sfnkit.validate.common import _STATES_MEMBER, Json, _at, _bad_keys, _field, _is_object, _show, _walk
from sfnkit.validate.paths import _dynamic_value_problems, _template_problems
from sfnkit.validate.syntax import _expression_problem


def _check_jsonata_value(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """Any JSON whose strings may be ``{% %}`` expressions (Arguments, Output, ...; ASL-NOTES §4.1)."""
    allowed = _states_members_allowed(where, state)
    for node, here in _walk(value, where):
        if isinstance(node, str):
            yield from _expression_problems(node, here, allowed)
        elif _is_object(node):
            yield from _bad_keys(node, here)


def _check_arguments(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """JSONata ``Arguments``: an object (whose strings may be expressions) or one whole ``{% %}`` expression."""
    if _is_object(value) or _is_expression(value):
        yield from _check_jsonata_value(value, where, state)
    else:
        yield Problem(
            where,
            f'{_field(where)} must be a JSON object, e.g. {{"FunctionName": "f", "Payload": "{{% $states.input %}}"}}, '
            f"or a {{% %}} expression; got {_show(value)}.",
        )


def _states_members_allowed(where: str, state: _State) -> frozenset[str]:
    """ASL-NOTES §4.2: ``$states.result`` in Output/Assign of Task/Parallel/Map; ``errorOutput`` in catchers."""
    relative = where[len(state.where) + 1 :]
    if relative.startswith("Catch["):
        return frozenset({"errorOutput"})
    top = relative.split(".", 1)[0]
    if state.type in ("Task", "Parallel", "Map") and top in ("Output", "Assign"):
        return frozenset({"result"})
    return frozenset()


def _expression_problems(text: str, where: str, allowed: frozenset[str]) -> Iterator[Problem]:
    opens, closes = text.startswith("{%"), text.endswith("%}")
    if not (opens or closes):
        return
    if not _is_expression(text):
        yield Problem(
            where,
            f"{_show(text)} is not a well-formed JSONata expression; write it as {{% expression %}}, starting "
            "with {% and ending with %}.",
        )
        return
    compiled = _expression_problem(text, where)
    if compiled is not None:
        yield compiled
        return
    for match in _STATES_MEMBER.finditer(text):
        member = match.group(1)
        if member not in allowed:
            yield Problem(where, _STATES_MEMBER_MESSAGE[member])


_STATES_MEMBER_MESSAGE: Final[Mapping[str, str]] = {
    "result": "$states.result is only available in Output and Assign of Task, Parallel and Map states; "
    "use $states.input here.",
    "errorOutput": "$states.errorOutput is only available in the Output and Assign of a Catch; use $states.input here.",
}


def _check_assign(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §6: an object of variable names; JSONPath values are templates, JSONata values expressions."""
    if not _is_object(value):
        yield Problem(
            where, f'Assign must be an object of variable name -> value, e.g. {{"total": 0}}; got {_show(value)}.'
        )
        return
    for key, item in value.items():
        inner = _at(where, key)
        if not isinstance(key, str):
            yield Problem(inner, f"Variable names are strings; got {key!r}.")
            continue
        dynamic = state.language == JSONPATH and key.endswith(".$")
        name = key[:-2] if dynamic else key
        yield from _variable_name_problems(name, inner, state)
        if dynamic:
            if name in value:
                yield Problem(inner, f"{key!r} and {name!r} both assign {name!r}; keep one of them.")
            yield from _dynamic_value_problems(item, inner, key)
        elif state.language == JSONPATH:
            yield from _template_problems(item, inner)
        else:
            yield from _check_jsonata_value(item, inner, state)


def _variable_name_problems(name: str, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §6.2, §6.4: a valid name (``sfnkit.asl.variables``), not assigned by an enclosing scope."""
    problem = name_problem(name)
    if problem is not None:
        yield Problem(where, problem[0].upper() + problem[1:] + ".")
    if name in state.outer_variables:
        yield Problem(
            where,
            f"Variable {name!r} is assigned in an enclosing scope; states inside a Parallel branch or Map processor "
            "may read it but not assign it. Use another name and return the value through the state output.",
        )
