"""Static checks of an ASL definition: every rule AWS enforces at creation, all problems at once.

``validate(machine_or_definition)`` raises ``ValidationError`` listing every ``Problem``; ``problems(definition)``
returns them instead. Each problem has a location such as ``States.Charge.Retry[0].MaxAttempts`` (nested states:
``States.Fan.Branches[1].States.Inner.Next``) and a message that says what is wrong and what to write instead.
The field tables live in ``sfnkit.asl.schema``; path, intrinsic and JSONata syntax is checked by the compilers in
``sfnkit.asl``. The walk is iterative over States blocks and linear in the number of states.

The rules, grouped by what they check (bottom up; no module imports one above it): ``common`` (locations,
messages), ``blocks`` (the walk over States blocks), ``syntax`` (path/intrinsic/JSONata verdicts), ``structure``
(names, StartAt, transitions, reachability, size), ``paths`` (paths and templates), ``jsonata`` (JSONata values,
Assign and variables), ``values`` (numbers, timestamps, resources, credentials), ``retry``, ``choice`` (rules),
``map`` (Map and Parallel fields, Distributed Map), ``fields`` (which check each field gets), ``states`` (the
per-state checks) and ``quick`` (the fast yes for plainly valid states).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sfnkit.asl import schema
from sfnkit.asl.schema import JSONPATH
from sfnkit.errors import Problem, ValidationError
from sfnkit.validate.blocks import _Block, _blocks, _State, _state_homes
from sfnkit.validate.common import Json, _is_object
from sfnkit.validate.quick import _QUICK_STATES, _quick_state
from sfnkit.validate.states import _STATE_CHECKS
from sfnkit.validate.structure import (
    MAX_DEFINITION_BYTES,
    _check_block_fields,
    _check_has_end,
    _check_reachable,
    _check_size,
    _check_start_at,
    _check_states_object,
    _check_targets,
    _check_unique_labels,
    _check_unique_names,
    _target_list,
)

__all__ = ["problems", "validate"]


# --- entry points -----------------------------------------------------------------------------------------------


def validate(machine: Any, *, size_at_most: int | None = None) -> None:
    """Check a ``StateMachine`` or an ASL definition dict; raise ``ValidationError`` listing every problem.

    ``size_at_most`` is as for :func:`problems`.

    >>> validate({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    """
    found = problems(_definition_of(machine), size_at_most=size_at_most)
    if found:
        raise ValidationError(found)


def problems(definition: Mapping[str, Json], *, size_at_most: int | None = None) -> list[Problem]:
    """Every rule *definition* breaks (an empty list when AWS would accept it).

    Problems come block by block (the machine, then its branches and processors), each block's states in order.
    ``size_at_most`` is a bound the caller already knows for the size of the definition's JSON text in bytes
    (``to_json`` passes the length of the text it made, whose whitespace only adds to the compact size AWS
    counts); within the 1 MB quota, the size check then need not serialise the definition again.
    """
    if not _is_object(definition):
        kind = type(definition).__name__
        return [Problem("", f"A state machine definition is a JSON object with StartAt and States; got a {kind}.")]
    machine_language = definition.get("QueryLanguage")
    if machine_language not in schema.QUERY_LANGUAGES:
        machine_language = JSONPATH
    blocks = _blocks(definition)
    homes = _state_homes(blocks)
    found: list[Problem] = []
    if size_at_most is None or size_at_most > MAX_DEFINITION_BYTES:
        found.extend(_check_size(definition))
    for block in blocks:
        found.extend(_check_block(block, machine_language, homes))
    found.extend(_check_unique_names(blocks))
    found.extend(_check_unique_labels(blocks))
    return found


def _definition_of(machine: Any) -> Mapping[str, Json]:
    if _is_object(machine):
        return machine
    to_asl = getattr(machine, "to_asl", None)
    if callable(to_asl):  # a StateMachine; duck-typed so this module does not import the model
        try:
            # StateMachine.to_asl validates by default; here the caller wants the problems, not its exception.
            definition: Mapping[str, Json] = to_asl(validate=False)
        except TypeError:  # an object whose to_asl() takes no options
            definition = to_asl()
        return definition
    raise TypeError(f"validate() takes a StateMachine or an ASL definition dict, not {type(machine).__name__}.")


# --- block checks -----------------------------------------------------------------------------------------------


def _check_block(block: _Block, machine_language: str, homes: Mapping[str, str]) -> Iterator[Problem]:
    yield from _check_block_fields(block)
    yield from _check_start_at(block)
    yield from _check_states_object(block)
    quick = _QUICK_STATES.get(machine_language)
    for name, body in block.states:
        if quick is not None and _quick_state(body, machine_language, quick):
            continue  # the state checks below would report nothing
        state_type = body.get("Type")
        state = _State(
            name=name,
            body=body,
            where=block.state_location(name),
            type=state_type if state_type in schema.STATE_TYPES else None,
            language=_language_of(body, machine_language),
            machine_language=machine_language,
            outer_variables=block.outer_variables,
        )
        for check in _STATE_CHECKS:
            yield from check(state)
    targets = {name: _target_list(body) for name, body in block.states}
    yield from _check_targets(block, homes, targets)
    yield from _check_reachable(block, targets)
    yield from _check_has_end(block)


def _language_of(body: Mapping[str, Json], machine_language: str) -> str:
    # ASL: a state without QueryLanguage uses the machine's, also inside branches and processors.
    language = body.get("QueryLanguage")
    return language if language in schema.QUERY_LANGUAGES else machine_language
