"""Rules about a machine's structure: its size, state names and labels, StartAt, the States object, transition
targets, reachability and an end in every block.
"""

from __future__ import annotations

import json
import math
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Final

from sfnkit.asl import schema
from sfnkit.asl.quotas import MAX_DEPTH
from sfnkit.asl.schema import Kind
from sfnkit.errors import Problem
from sfnkit.validate.blocks import _Block, _block_label
from sfnkit.validate.common import (
    _CONTROL,
    Json,
    _at,
    _close_field,
    _field,
    _index,
    _is_int,
    _is_object,
    _key_problem,
    _names_hint,
    _show,
)

MAX_DEFINITION_BYTES: Final = 1_048_576  # ASL-NOTES §11: definition size quota


def _check_size(definition: Mapping[str, Json]) -> Iterator[Problem]:
    try:
        text = json.dumps(definition, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        size = len(text.encode())
    except (TypeError, ValueError, RecursionError, UnicodeEncodeError):
        yield from _not_json(definition)  # only now walk it, to say where
        return
    if size > MAX_DEFINITION_BYTES:
        yield Problem(
            "", f"The definition is {size} bytes; AWS accepts at most 1 MB. Move large constants into the input."
        )


def _not_json(definition: Mapping[str, Json]) -> Iterator[Problem]:
    """Where *definition* holds something JSON cannot: a bytes or set value, a non-string key, NaN, a lone
    surrogate, an int too long to print, or nesting past sfnkit's local depth bound. Iterative: any depth."""
    pending: list[tuple[Json, str, int]] = [(definition, "", 0)]
    found = deep = False
    while pending:
        value, where, depth = pending.pop()
        kind = type(value)
        problem = None
        if depth > MAX_DEPTH and isinstance(value, Mapping | list):
            if not deep:  # once: the rest of this value is deeper still
                deep = True
                problem = f"nests objects and arrays more than {MAX_DEPTH} levels deep (sfnkit's local bound)"
        elif isinstance(value, Mapping):
            for key, item in reversed(list(value.items())):
                if isinstance(key, str):
                    pending.append((item, _at(where, key), depth + 1))
                else:
                    found = True
                    yield _key_problem(key, _at(where, key))
        elif kind is list:
            pending.extend((item, _index(where, i), depth + 1) for i, item in reversed(list(enumerate(value))))
        elif kind is float and not math.isfinite(value):
            problem = f"{value!r} is not a JSON number"
        elif kind is int and abs(value).bit_length() > 14_000:
            problem = "is an integer of more than 4,000 digits (too long even to print); use a smaller number"
        elif kind is str and not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                problem = "contains a lone surrogate, which is not text; write the character it stands for"
        elif value is not None and kind not in (str, int, float, bool):
            problem = f"is a {kind.__name__}; a definition holds only dicts, lists, str, numbers, bool and None"
        if problem is not None:
            found = True
            yield Problem(where, f"The value {problem}.")
    if not found:
        yield Problem("", "The definition is not JSON; use only dicts, lists, str, numbers, bool and None.")


def _check_unique_names(blocks: list[_Block]) -> Iterator[Problem]:
    """ASL-NOTES §10 item 3: DUPLICATE_STATE_NAME, across all blocks."""
    first: dict[str, _Block] = {}
    for block in blocks:
        for name, _ in block.states:
            owner = first.setdefault(name, block)
            if owner is not block:
                yield Problem(
                    block.state_location(name),
                    f"State name {name!r} is already used at {owner.state_location(name)}; state names must be "
                    "unique across the whole machine, Parallel branches and Map processors included. Rename one of "
                    "them.",
                )


def _check_unique_labels(blocks: list[_Block]) -> Iterator[Problem]:
    """DUPLICATE_LABEL_NAME: Distributed Map labels are unique in the machine."""
    first: dict[str, str] = {}
    for block in blocks:
        for name, state in block.states:
            if "Label" not in state or state.get("Type") != "Map" or not isinstance(state["Label"], str):
                continue
            label = state["Label"]
            where = _at(block.state_location(name), "Label")
            if label in first:
                yield Problem(
                    where, f"Label {label!r} is already used at {first[label]}; give each Map a unique Label."
                )
            else:
                first[label] = where


def _check_block_fields(block: _Block) -> Iterator[Problem]:
    allowed = schema.BLOCK_FIELDS[block.kind]
    for key, value in block.body.items():
        where = _at(block.where, key)
        kind = allowed.get(key)
        if kind is None:
            hint = _close_field(key, allowed)
            yield Problem(where, f"{key!r} is not a field of {block.kind.value}; remove it.{hint}")
        elif kind is Kind.TEXT and not isinstance(value, str):
            yield Problem(where, f"Comment must be a string; got {_show(value)}.")
        elif kind is Kind.VERSION and value != "1.0":
            yield Problem(where, f'Version must be "1.0" (the only ASL version); got {_show(value)}.')
        elif kind is Kind.POSITIVE_INT and not (_is_int(value) and 0 < value <= schema.MAX_INTEGER):
            yield Problem(where, f"TimeoutSeconds must be a positive integer (seconds), e.g. 3600; got {_show(value)}.")
        elif kind is Kind.QUERY_LANGUAGE and value not in schema.QUERY_LANGUAGES:
            yield Problem(where, f'QueryLanguage must be "JSONPath" or "JSONata"; got {_show(value)}.')


def _check_start_at(block: _Block) -> Iterator[Problem]:
    where = _at(block.where, "StartAt")
    if "StartAt" not in block.body:
        yield Problem(
            block.where, 'StartAt is required: name the first state to run, e.g. "StartAt": "<first state name>".'
        )
    elif not isinstance(block.body["StartAt"], str):
        yield Problem(where, f"StartAt must be the name of a state (a string); got {_show(block.body['StartAt'])}.")


def _check_states_object(block: _Block) -> Iterator[Problem]:
    where = _at(block.where, "States")
    states = block.body.get("States")
    if "States" not in block.body:
        yield Problem(block.where, 'States is required: an object of state name -> state, e.g. {"A": {...}}.')
    elif not _is_object(states):
        yield Problem(where, f"States must be an object of state name -> state; got {_show(states)}.")
    elif not states:
        yield Problem(where, "States cannot be empty; add at least one state (and name it in StartAt).")
    else:
        for name, state in states.items():
            # A printable name of 1..80 characters has nothing to report (control characters are not printable).
            if not (type(name) is str and 0 < len(name) <= schema.MAX_NAME_LENGTH and name.isprintable()):
                yield from _check_state_name(name, _at(where, name))
            if not _is_object(state):
                yield Problem(_at(where, name), f"A state must be an object with a Type; got {_show(state)}.")


def _check_state_name(name: str, where: str) -> Iterator[Problem]:
    """ASL-NOTES §1, §10 item 3: 1..80 characters; INVALID_STATE_NAME for control characters."""
    if not isinstance(name, str):
        yield Problem(where, f"State names are strings; got {name!r}.")
        return
    if not name:
        yield Problem(where, "State names cannot be empty; give the state a name of 1 to 80 characters.")
    elif len(name) > schema.MAX_NAME_LENGTH:
        yield Problem(where, f"State name is {len(name)} characters long; AWS allows at most 80. Use a shorter name.")
    if _CONTROL.search(name):
        yield Problem(where, f"State name {name!r} contains a control character; remove it.")


def _transitions(state: Mapping[str, Json], where: str) -> Iterator[tuple[str, Json]]:
    """(location, target) of every transition out of *state*: Next, Default, Choices[i].Next, Catch[i].Next."""
    for key in ("Next", "Default"):
        if key in state:
            yield _at(where, key), state[key]
    for key in ("Choices", "Catch"):
        parts = state.get(key)
        if isinstance(parts, list):
            for position, part in enumerate(parts):
                if _is_object(part) and "Next" in part:
                    yield _at(_index(_at(where, key), position), "Next"), part["Next"]


def _target_list(state: Mapping[str, Json]) -> list[Json]:
    """Every transition target of *state* (Next, Default, Choices[i].Next, Catch[i].Next), without locations."""
    found = []
    if "Next" in state:
        found.append(state["Next"])
    if "Default" in state:
        found.append(state["Default"])
    for key in ("Choices", "Catch"):
        parts = state.get(key)
        if isinstance(parts, list):
            for part in parts:
                if _is_object(part) and "Next" in part:
                    found.append(part["Next"])
    return found


def _check_targets(block: _Block, homes: Mapping[str, str], targets: Mapping[str, list[Json]]) -> Iterator[Problem]:
    """ASL-NOTES §10 items 2, 5: MISSING_TRANSITION_TARGET; no Next into or out of another block."""
    states = block.body.get("States")
    if not _is_object(states):
        return
    start = block.body.get("StartAt")
    if not isinstance(start, str) or start in states:
        # First only look (no locations): a target that is not a string is reported by the check of its field.
        if all(not isinstance(target, str) or target in states for found in targets.values() for target in found):
            return
    links: list[tuple[str, Json]] = [(_at(block.where, "StartAt"), start)] if isinstance(start, str) else []
    for name, body in block.states:
        links.extend(_transitions(body, block.state_location(name)))
    if not states:
        return  # "States cannot be empty" says it all
    for where, target in links:
        # A target that is not a string is reported by the check of its field.
        if isinstance(target, str) and target not in states:
            yield Problem(where, _missing_target(where, target, block, homes))


def _missing_target(where: str, target: str, block: _Block, homes: Mapping[str, str]) -> str:
    field = _field(where)
    if target in homes:
        return (
            f"{field} names {target!r}, which is a state of {_block_label(homes[target])}, not of "
            f"{_block_label(block.where)}. A transition can only name a state of its own States block: Parallel "
            "branches and Map processors are entered through their StartAt and left by ending."
        )
    names = [name for name, _ in block.states]
    return f"{field} names {target!r}, but there is no such state in {_block_label(block.where)}. " + _names_hint(
        target, names
    )


def _check_reachable(block: _Block, targets: Mapping[str, list[Json]]) -> Iterator[Problem]:
    """ASL-NOTES §10 item 7: every state reachable from StartAt (breadth-first, no recursion)."""
    states = block.body.get("States")
    start = block.body.get("StartAt")
    if not _is_object(states) or not isinstance(start, str) or start not in states:
        return
    seen = {start}
    queue = deque([start])
    while queue:
        for target in targets.get(queue.popleft(), ()):  # a state that is not an object has no entry
            if isinstance(target, str) and target in states and target not in seen:
                seen.add(target)
                queue.append(target)
    for name in states:
        if name not in seen:
            yield Problem(
                block.state_location(name),
                f"State {name!r} is not reachable from StartAt {start!r}; AWS rejects unreachable states. "
                "Point a Next, Default or Catch of a reachable state at it, or delete it.",
            )


def _check_has_end(block: _Block) -> Iterator[Problem]:
    """ASL-NOTES §10 item 7: MISSING_END_STATE."""
    states = block.states
    if not states:
        return
    for _, body in states:
        if body.get("End") is True or body.get("Type") in ("Succeed", "Fail"):
            return
    names = [name for name, _ in states]
    shown = ", ".join(repr(name) for name in names[:8]) + (", ..." if len(names) > 8 else "")
    yield Problem(
        _at(block.where, "States"),
        f"No state ends {_block_label(block.where)}: its states {shown} loop with no way out. Give the last "
        'state "End": true, add a Succeed or Fail state, or a Choice that leaves the loop.',
    )
