"""Static checks of an ASL definition: every rule AWS enforces at creation, all problems at once.

``validate(machine_or_definition)`` raises ``ValidationError`` listing every ``Problem``; ``problems(definition)``
returns them instead. Each problem has a location such as ``States.Charge.Retry[0].MaxAttempts`` (nested states:
``States.Fan.Branches[1].States.Inner.Next``) and a message that says what is wrong and what to write instead.
The field tables live in ``sfnkit.asl.schema``; path, intrinsic and JSONata syntax is checked by the compilers in
``sfnkit.asl``. The walk is iterative over States blocks and linear in the number of states.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final, TypeGuard

import attrs

from sfnkit.asl import schema
from sfnkit.asl.intrinsics import compile_intrinsic
from sfnkit.asl.jsonata import compile_expression
from sfnkit.asl.jsonata import is_expression as _is_expression
from sfnkit.asl.paths import compile_path, compile_reference_path
from sfnkit.asl.schema import JSONATA, JSONPATH, BlockKind, Kind, Lang, Operand
from sfnkit.asl.variables import assigned_names, name_problem
from sfnkit.errors import AslError, Problem, ValidationError, caret

__all__ = ["problems", "validate"]

Json = Any

MAX_DEFINITION_BYTES: Final = 1_048_576  # ASL-NOTES §11: definition size quota
_MAX_LISTED_NAMES: Final = 8

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_LAMBDA_ARN = re.compile(r"arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w.-]+(:[\w$.-]+)?")
_ACTIVITY_ARN = re.compile(r"arn:[\w-]+:states:[\w-]+:\d{12}:activity:[^:\s]+")
_INTEGRATION_ARN = re.compile(r"arn:[\w-]+:states:::[\w-]+:\S+")
_READER_ARN = re.compile(r"arn:[\w-]+:states:::s3:(getObject|listObjectsV2)")
_WRITER_ARN = re.compile(r"arn:[\w-]+:states:::s3:putObject")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# ASL-NOTES §10 item 19: characters a Map Run label (like a machine or execution name) may not contain.
_LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_STATES_MEMBER = re.compile(r"\$states\s*\.\s*(result|errorOutput)\b")


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


# --- locations and small helpers --------------------------------------------------------------------------------


def _at(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def _index(base: str, position: int) -> str:
    return f"{base}[{position}]"


def _field(location: str) -> str:
    """The last field name of *location*: ``States.A.Retry[0].MaxAttempts`` -> ``MaxAttempts``."""
    return location.rsplit(".", 1)[-1]


def _show(value: Json) -> str:
    text = json.dumps(value, ensure_ascii=False) if _is_json(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_json(value: Json) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _is_object(value: Json) -> TypeGuard[Mapping[str, Json]]:
    # dict first: the abc check behind isinstance(value, Mapping) dominates the run time otherwise.
    return type(value) is dict or isinstance(value, Mapping)


def _is_int(value: Json) -> TypeGuard[int]:
    # bool before int: True is an int in Python but not a number in ASL.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Json) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _names_hint(target: str, names: Iterable[str]) -> str:
    """`` Did you mean 'X'?`` or ``Use one of: A, B, C.``"""
    candidates = list(names)
    close = difflib.get_close_matches(target, candidates, n=1) if len(candidates) < 5000 else []
    if close:
        return f"Did you mean {close[0]!r}? (names are case-sensitive)"
    shown = ", ".join(repr(n) for n in candidates[:_MAX_LISTED_NAMES])
    more = ", ..." if len(candidates) > _MAX_LISTED_NAMES else ""
    return f"Use one of: {shown}{more}."


def _asl_message(error: AslError) -> str:
    """The error's message with its caret drawing, without its location (the Problem carries that)."""
    if error.text is not None and error.position is not None:
        return f"{error.message}\n{caret(error.text, min(error.position, len(error.text)))}"
    return error.message


# --- blocks: the machine, every Parallel branch, every Map processor --------------------------------------------


@attrs.frozen
class _Block:
    """One ``{StartAt, States}`` object and where it sits."""

    body: Mapping[str, Json]
    where: str  # location of the block itself: "" for the machine, "States.Fan.Branches[1]" for a branch
    kind: BlockKind
    outer_variables: frozenset[str]  # variables assigned by the enclosing blocks (ASL-NOTES §6.4)
    states: tuple[tuple[str, Mapping[str, Json]], ...]  # (name, state) of the States entries that are objects
    prefix: str  # location of the States object: "States" or "States.Fan.Branches[1].States"

    @classmethod
    def of(cls, body: Mapping[str, Json], where: str, kind: BlockKind, outer_variables: frozenset[str]) -> _Block:
        states = body.get("States")
        entries = states.items() if _is_object(states) else ()
        pairs = tuple((name, state) for name, state in entries if _is_object(state))
        return cls(body, where, kind, outer_variables, pairs, _at(where, "States"))

    def state_location(self, name: str) -> str:
        return f"{self.prefix}.{name}"


@attrs.frozen
class _State:
    """One state, with what the checks need to know about its surroundings."""

    name: str
    body: Mapping[str, Json]
    where: str
    type: str | None  # None when Type is missing or not a state type
    language: str  # the effective query language
    machine_language: str
    outer_variables: frozenset[str]


def _blocks(definition: Mapping[str, Json]) -> list[_Block]:
    """The machine and every nested block, outer before inner (iterative: no recursion per state)."""
    top = _Block.of(definition, "", BlockKind.MACHINE, frozenset())
    found = [top]
    queue = deque([top])
    while queue:
        block = queue.popleft()
        visible = block.outer_variables | _assigned_in(block)
        for name, state in block.states:
            state_type = state.get("Type")
            if state_type != "Parallel" and state_type != "Map":
                continue  # no nested blocks
            for kind, where, body in _children(state, block.state_location(name)):
                # A Distributed Map's items run as child executions that cannot see (so may reuse) outer variables.
                outer = frozenset() if _is_distributed(body) else visible
                child = _Block.of(body, where, kind, outer)
                found.append(child)
                queue.append(child)
    return found


def _children(state: Mapping[str, Json], where: str) -> Iterator[tuple[BlockKind, str, Mapping[str, Json]]]:
    if state.get("Type") == "Parallel" and isinstance(state.get("Branches"), list):
        for position, branch in enumerate(state["Branches"]):
            if _is_object(branch):
                yield BlockKind.BRANCH, _index(_at(where, "Branches"), position), branch
    if state.get("Type") == "Map":
        for key in ("ItemProcessor", "Iterator"):
            if _is_object(state.get(key)):
                yield BlockKind.PROCESSOR, _at(where, key), state[key]


def _is_distributed(block: Mapping[str, Json]) -> bool:
    config = block.get("ProcessorConfig")
    return _is_object(config) and config.get("Mode") == "DISTRIBUTED"


def _assigned_in(block: _Block) -> frozenset[str]:
    """Variables that states of *block* assign (state, Choice rule and catcher Assign)."""
    names: set[str] = set()
    for _, state in block.states:
        if "Assign" in state:
            _add_assigned(names, state["Assign"])
        for key in ("Choices", "Catch"):
            parts = state.get(key)
            if isinstance(parts, list):
                for part in parts:
                    if _is_object(part) and "Assign" in part:
                        _add_assigned(names, part["Assign"])
    return frozenset(names)


def _add_assigned(names: set[str], assign: Json) -> None:
    if _is_object(assign):
        names.update(assigned_names({key: None for key in assign if isinstance(key, str)}))


def _state_homes(blocks: list[_Block]) -> dict[str, str]:
    """State name -> location of the block that first defines it (for cross-block Next messages)."""
    homes: dict[str, str] = {}
    for block in blocks:
        for name, _ in block.states:
            homes.setdefault(name, block.where)
    return homes


def _block_label(where: str) -> str:
    return f"the States block at {where}" if where else "the top-level States"


# --- machine-wide checks ----------------------------------------------------------------------------------------


def _check_size(definition: Mapping[str, Json]) -> Iterator[Problem]:
    try:
        size = len(json.dumps(definition, separators=(",", ":"), ensure_ascii=False).encode())
    except (TypeError, ValueError) as error:
        yield Problem("", f"The definition is not JSON ({error}); use only dicts, lists, str, numbers, bool, None.")
        return
    except RecursionError:  # nested deeper than the encoder recurses; the size cannot be measured this way
        return
    if size > MAX_DEFINITION_BYTES:
        yield Problem(
            "", f"The definition is {size} bytes; AWS accepts at most 1 MB. Move large constants into the input."
        )


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
    yield Problem(
        _at(block.where, "States"),
        f'No state ends {_block_label(block.where)}: give its last state "End": true, or add a Succeed or Fail state.',
    )


# --- state checks -----------------------------------------------------------------------------------------------


def _check_type(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 4: Type is one of the eight state types, exact case."""
    where = _at(state.where, "Type")
    types = ", ".join(schema.STATE_TYPES)
    if "Type" not in state.body:
        yield Problem(state.where, f"Every state needs a Type: one of {types}.")
    elif state.type is None:
        value = state.body["Type"]
        close = [t for t in schema.STATE_TYPES if isinstance(value, str) and t.lower() == value.lower()]
        hint = f" Did you mean {close[0]!r}? (types are case-sensitive)" if close else ""
        yield Problem(where, f"Type {_show(value)} is not a state type; use one of {types}.{hint}")


def _check_query_language(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §1: state QueryLanguage values, and no JSONPath state in a JSONata machine."""
    if "QueryLanguage" not in state.body:
        return
    where = _at(state.where, "QueryLanguage")
    value = state.body["QueryLanguage"]
    if value not in schema.QUERY_LANGUAGES:
        yield Problem(where, f'QueryLanguage must be "JSONPath" or "JSONata"; got {_show(value)}.')
    elif value == JSONPATH and state.machine_language == JSONATA:
        yield Problem(
            where,
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine. Remove the state's "
            'QueryLanguage and write it in JSONata, or drop "QueryLanguage": "JSONata" from the machine and set it '
            "on each JSONata state instead.",
        )


def _check_fields(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 8: field membership per state type and query language, then each value's shape."""
    if state.type is None:
        return
    fields = _FIELD_CHECKS[state.type]
    for key, value in state.body.items():
        spec = fields.get(key)
        if spec is None:
            yield Problem(_at(state.where, key), _unknown_field_message(state.type, key))
        elif spec[0] is not None and spec[0] != state.language:
            yield Problem(_at(state.where, key), _other_language_message(key, state.language))
        else:
            yield from spec[1](value, _at(state.where, key), state)


_WRONG_TRANSITION: Final[Mapping[tuple[str, str], str]] = {
    ("Choice", "Next"): 'A Choice state has no Next: put "Next" in each Choices rule and use "Default" for the rest.',
    ("Choice", "End"): "A Choice state cannot end its block: point a rule or Default at a Succeed state instead.",
    ("Succeed", "Next"): "A Succeed state always ends its block: remove Next (use a Pass state to continue).",
    ("Succeed", "End"): "A Succeed state always ends its block: remove End.",
    ("Fail", "Next"): "A Fail state always ends its block: remove Next (use a Pass state to continue).",
    ("Fail", "End"): "A Fail state always ends its block: remove End.",
}


def _unknown_field_message(state_type: str, key: str) -> str:
    if (state_type, key) in _WRONG_TRANSITION:
        return _WRONG_TRANSITION[(state_type, key)]
    owners = [t for t, fields in schema.STATE_FIELDS.items() if key in fields]
    if owners:
        return f"{key!r} is not a field of a {state_type} state (only of {', '.join(owners)}); remove it."
    hint = _close_field(key, schema.STATE_FIELDS[state_type])
    return f"{key!r} is not a field of a {state_type} state; remove it.{hint}"


def _close_field(key: str, fields: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(fields), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _other_language_message(key: str, language: str) -> str:
    other = JSONPATH if language == JSONATA else JSONATA
    hint = schema.OTHER_LANGUAGE_HINT.get(key)
    instead = f" In {language}, {hint}." if hint else ""
    return (
        f"{key!r} is a {other} field, but this state uses {language}.{instead} Or set "
        f'"QueryLanguage": "{other}" on the state.'
    )


def _check_transition(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 6: exactly one of Next / "End": true on Task, Pass, Wait, Parallel and Map."""
    if state.type not in schema.TRANSITION_TYPES:
        return
    has_next = "Next" in state.body
    ends = state.body.get("End") is True
    if has_next and ends:
        yield Problem(
            _at(state.where, "End"), 'The state has both Next and "End": true; keep Next to go on, or End to stop.'
        )
    elif not has_next and not ends:
        yield Problem(
            state.where, f'A {state.type} state needs a transition: add "Next": "<state name>" or "End": true.'
        )


def _check_required(state: _State) -> Iterator[Problem]:
    """Required fields (Task Resource, Choice Choices, Parallel Branches) and exactly-one-of groups."""
    if state.type is None:
        return
    for key in schema.REQUIRED_FIELDS.get(state.type, ()):
        if key not in state.body:
            yield Problem(state.where, f"A {state.type} state needs {key}: {_REQUIRED_HINT[key]}")
    group = schema.REQUIRED_ONE_OF.get(state.type)
    if group and not any(key in state.body for key in group):
        usable = [k for k in group if schema.STATE_FIELDS[state.type][k].lang.value in (state.language, "any")]
        yield Problem(state.where, f"A {state.type} state needs one of {', '.join(usable)}.")


_REQUIRED_HINT: Final[Mapping[str, str]] = {
    "Resource": 'the ARN to call, e.g. "Resource": "arn:aws:states:::lambda:invoke".',
    "Choices": 'a non-empty array of rules, e.g. [{"Variable": "$.x", "NumericGreaterThan": 1, "Next": "Big"}].',
    "Branches": 'a non-empty array of {"StartAt": ..., "States": {...}} objects.',
}


def _check_exclusive(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 9: mutually exclusive fields."""
    for group in schema.EXCLUSIVE_FIELDS.get(state.type or "", ()):
        present = [key for key in group if key in state.body]
        if len(present) > 1:
            yield Problem(
                _at(state.where, present[1]),
                f"{' and '.join(present)} cannot be used together; keep one of {', '.join(group)}.",
            )


def _check_heartbeat(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.2: HeartbeatSeconds must be smaller than TimeoutSeconds."""
    heartbeat, timeout = state.body.get("HeartbeatSeconds"), state.body.get("TimeoutSeconds")
    if state.type == "Task" and _is_int(heartbeat) and _is_int(timeout) and heartbeat >= timeout:
        yield Problem(
            _at(state.where, "HeartbeatSeconds"),
            f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout}); lower it or raise "
            "TimeoutSeconds.",
        )


def _check_map_mode(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8, §10 item 16: ProcessorConfig values and fields only a Distributed Map may set."""
    if state.type != "Map":
        return
    processor_key = "ItemProcessor" if "ItemProcessor" in state.body else "Iterator"
    processor = state.body.get(processor_key)
    config = processor.get("ProcessorConfig") if _is_object(processor) else None
    where = _at(_at(state.where, processor_key), "ProcessorConfig")
    mode = "INLINE"
    if _is_object(config):
        yield from _check_processor_config(config, where)
        mode = config.get("Mode", "INLINE")
    elif config is not None:
        yield Problem(where, f'ProcessorConfig must be an object like {{"Mode": "INLINE"}}; got {_show(config)}.')
    if mode != "DISTRIBUTED":
        for key in schema.DISTRIBUTED_ONLY:
            if key in state.body:
                yield Problem(
                    _at(state.where, key),
                    f"{key} is only for a Distributed Map; set {processor_key}.ProcessorConfig to "
                    '{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"} or remove it.',
                )


def _check_processor_config(config: Mapping[str, Json], where: str) -> Iterator[Problem]:
    for key in config:
        if key not in ("Mode", "ExecutionType"):
            yield Problem(_at(where, key), f"{key!r} is not a ProcessorConfig field; use Mode and ExecutionType.")
    mode = config.get("Mode", "INLINE")
    execution_type = config.get("ExecutionType")
    if mode not in schema.PROCESSOR_MODES:
        yield Problem(_at(where, "Mode"), f'Mode must be "INLINE" or "DISTRIBUTED"; got {_show(mode)}.')
    if "ExecutionType" in config and execution_type not in schema.EXECUTION_TYPES:
        yield Problem(
            _at(where, "ExecutionType"), f'ExecutionType must be "STANDARD" or "EXPRESS"; got {_show(execution_type)}.'
        )
    if mode == "DISTRIBUTED" and "ExecutionType" not in config:
        yield Problem(where, 'A DISTRIBUTED processor needs ExecutionType: "STANDARD" or "EXPRESS".')
    if mode == "INLINE" and "ExecutionType" in config:
        yield Problem(
            _at(where, "ExecutionType"),
            'ExecutionType is only for Mode "DISTRIBUTED"; remove it (inline iterations run inside this execution).',
        )


_STATE_CHECKS: Final[tuple[Callable[[_State], Iterator[Problem]], ...]] = (
    _check_type,
    _check_query_language,
    _check_fields,
    _check_required,
    _check_transition,
    _check_exclusive,
    _check_heartbeat,
    _check_map_mode,
)


# --- value checks, one per Kind ----------------------------------------------------------------------------------

_ValueCheck = Callable[[Json, str, _State], Iterator[Problem]]


def _no_check(value: Json, where: str, state: _State) -> Iterator[Problem]:
    return iter(())


def _check_text(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not isinstance(value, str):
        yield Problem(where, f"{_field(where)} must be a string; got {_show(value)}.")


def _check_end(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not isinstance(value, bool):
        yield Problem(where, f"End must be true (or be left out when the state has Next); got {_show(value)}.")


def _check_path(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """InputPath / OutputPath: a JSONPath, or null (ASL-NOTES §3.3)."""
    if value is None:
        return
    if not isinstance(value, str):
        yield Problem(
            where, f'{_field(where)} must be a JSONPath string such as "$.order" or null; got {_show(value)}.'
        )
        return
    yield from _path_problems(value, where, definite=False)


def _check_result_path(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ResultPath: a reference path into the raw input, or null; not $$ and not a variable (ASL-NOTES §3.3)."""
    if value is None:
        return
    if not isinstance(value, str):
        yield Problem(where, f'ResultPath must be a reference path such as "$.result" or null; got {_show(value)}.')
        return
    if value.startswith("$$"):
        yield Problem(
            where, f"ResultPath {value!r} points into the Context Object, which is read-only; use a path on $."
        )
        return
    if len(value) > 1 and value.startswith("$") and value[1] not in ".[":
        yield Problem(
            where,
            f"ResultPath {value!r} names a variable; ResultPath writes into the state output: use Assign to set "
            "variables.",
        )
        return
    yield from _reference_path_problems(value, where)


def _check_reference_path(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """The …Path fields: a reference path (no wildcard, filter, slice or union; ASL-NOTES §3.1)."""
    if not isinstance(value, str):
        yield Problem(where, f'{_field(where)} must be a reference path such as "$.seconds"; got {_show(value)}.')
        return
    yield from _path_problems(value, where, definite=True)


def _check_error_path(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """Fail ErrorPath / CausePath: a reference path or an intrinsic function (ASL-NOTES §8.6)."""
    if not isinstance(value, str):
        yield Problem(where, f"{_field(where)} must be a reference path or an intrinsic function; got {_show(value)}.")
    elif value.startswith("$"):
        yield from _path_problems(value, where, definite=True)
    else:
        yield from _intrinsic_problems(value, where)


def _check_template(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """A JSONPath payload template: an object whose ``key.$`` values are paths or intrinsics (ASL-NOTES §3.2)."""
    if not _is_object(value):
        yield Problem(where, f"{_field(where)} must be a JSON object (a payload template); got {_show(value)}.")
        return
    yield from _template_problems(value, where)


def _template_problems(value: Json, where: str) -> Iterator[Problem]:
    stack: list[tuple[Json, str]] = [(value, where)]
    while stack:
        node, here = stack.pop()
        if _is_object(node):
            nested: list[tuple[Json, str]] = []
            for key, item in node.items():
                inner = _at(here, key)
                if isinstance(key, str) and key.endswith(".$"):
                    if key[:-2] in node:
                        yield Problem(
                            inner, f"{key!r} and {key[:-2]!r} both produce the key {key[:-2]!r}; keep one of them."
                        )
                    yield from _dynamic_value_problems(item, inner, key)
                else:
                    nested.append((item, inner))
            stack.extend(reversed(nested))  # this object's own keys first, then its children, in key order
        elif isinstance(node, list):
            stack.extend((item, _index(here, i)) for i, item in reversed(list(enumerate(node))))


def _dynamic_value_problems(value: Json, where: str, key: str) -> Iterator[Problem]:
    """The value of a ``key.$`` field: ``$…`` / ``$$…`` path, or an intrinsic function call."""
    if not isinstance(value, str):
        yield Problem(
            where,
            f"The value for the field {key!r} must be a valid JSONPath or a valid intrinsic function call; "
            f"got {_show(value)}. Drop the '.$' suffix to use it as a literal.",
        )
    elif value.startswith("$"):
        yield from _path_problems(value, where, definite=False)
    else:
        yield from _intrinsic_problems(value, where)


def _check_jsonata_value(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """Any JSON whose strings may be ``{% %}`` expressions (Arguments, Output, ...; ASL-NOTES §4.1)."""
    allowed = _states_members_allowed(where, state)
    stack: list[tuple[Json, str]] = [(value, where)]
    while stack:
        node, here = stack.pop()
        if isinstance(node, str):
            yield from _expression_problems(node, here, allowed)
        elif _is_object(node):
            stack.extend((item, _at(here, str(key))) for key, item in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((item, _index(here, i)) for i, item in reversed(list(enumerate(node))))


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


def _expression_or(check: _ValueCheck) -> _ValueCheck:
    """In a JSONata state the field may also be a whole ``{% %}`` expression."""

    def checked(value: Json, where: str, state: _State) -> Iterator[Problem]:
        looks_like_expression = isinstance(value, str) and (value.startswith("{%") or value.endswith("%}"))
        if looks_like_expression and state.language == JSONATA:
            yield from _expression_problems(value, where, frozenset())
        elif looks_like_expression:
            yield Problem(
                where,
                f"{_field(where)} is a JSONata expression, but this state uses JSONPath; set "
                '"QueryLanguage": "JSONata" on the state, or write a literal value (or use the ...Path field).',
            )
        else:
            yield from check(value, where, state)

    return checked


def _integer_check(low: int, high: int, example: str) -> _ValueCheck:
    def checked(value: Json, where: str, state: _State) -> Iterator[Problem]:
        if not _is_int(value) or not low <= value <= high:
            expression = " or a {% %} expression" if state.language == JSONATA else ""
            bound = f"from {low} to {high}" if high < schema.MAX_INTEGER else f">= {low}"
            yield Problem(
                where, f"{_field(where)} must be an integer {bound}{expression}, e.g. {example}; got {_show(value)}."
            )

    return checked


def _check_percentage(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_number(value) or not 0 <= value <= 100:
        yield Problem(where, f"{_field(where)} must be a number from 0 to 100, e.g. 5; got {_show(value)}.")


def _check_timestamp(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_timestamp(value):
        yield Problem(
            where,
            f'{_field(where)} must be an RFC 3339 timestamp such as "2026-01-31T12:00:00Z" (uppercase T, and Z or '
            f"an offset); got {_show(value)}.",
        )


def _is_timestamp(value: Json) -> bool:
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_string_value(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """Fail Error / Cause: a string (a whole ``{% %}`` expression in JSONata)."""
    if not isinstance(value, str):
        yield Problem(where, f"{_field(where)} must be a string; got {_show(value)}.")


def _check_resource(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.2, §10 item 17: INVALID_RESOURCE."""
    if isinstance(value, str) and any(p.fullmatch(value) for p in (_LAMBDA_ARN, _ACTIVITY_ARN, _INTEGRATION_ARN)):
        return
    yield Problem(
        where,
        f"Resource {_show(value)} is not a Task resource AWS accepts; use a Lambda function ARN "
        "(arn:aws:lambda:<region>:<account>:function:<name>), an activity ARN "
        "(arn:aws:states:<region>:<account>:activity:<name>) or a service integration such as "
        "arn:aws:states:::lambda:invoke.",
    )


def _check_credentials(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.2: ``{"RoleArn": ...}`` (``RoleArn.$`` in JSONPath, an expression in JSONata); not on activities."""
    resource = state.body.get("Resource")
    if isinstance(resource, str) and _ACTIVITY_ARN.fullmatch(resource):
        yield Problem(
            where,
            "Credentials are not supported for activities (the activity worker runs with its own role); remove them.",
        )
        return
    if state.language == JSONATA and _is_expression(value):
        yield from _expression_problems(value, where, frozenset())
        return
    if not _is_object(value):
        yield Problem(
            where,
            f'Credentials must be an object like {{"RoleArn": "arn:aws:iam::<account>:role/<name>"}}; '
            f"got {_show(value)}.",
        )
        return
    keys = ("RoleArn", "RoleArn.$") if state.language == JSONPATH else ("RoleArn",)
    for key, item in value.items():
        inner = _at(where, key)
        if key not in keys:
            yield Problem(inner, f"{key!r} is not a Credentials field; use {' or '.join(keys)}.")
        elif key == "RoleArn.$":
            yield from _dynamic_value_problems(item, inner, key)
        elif state.language == JSONATA:
            yield from _check_jsonata_value(item, inner, state)
        elif not isinstance(item, str):
            yield Problem(inner, f"RoleArn must be a role ARN string; got {_show(item)}.")
    if not any(key in value for key in keys):
        yield Problem(where, "The field 'RoleArn' is required but was missing; add the role ARN to assume.")


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


def _check_retry(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §9.2: an array of retriers."""
    if not isinstance(value, list):
        yield Problem(
            where, f'Retry must be an array of retriers like [{{"ErrorEquals": ["States.ALL"]}}]; got {_show(value)}.'
        )
        return
    for position, retrier in enumerate(value):
        inner = _index(where, position)
        if not _is_object(retrier):
            yield Problem(
                inner, f'A retrier must be an object like {{"ErrorEquals": ["States.ALL"]}}; got {_show(retrier)}.'
            )
            continue
        for key in retrier:
            if key not in schema.RETRIER_FIELDS:
                hint = _close_field(key, schema.RETRIER_FIELDS)
                yield Problem(_at(inner, key), f"{key!r} is not a retrier field; remove it.{hint}")
        yield from _error_equals_problems(retrier, inner, last=position == len(value) - 1)
        for key, check in _RETRIER_CHECKS.items():
            if key in retrier:
                yield from check(retrier[key], _at(inner, key), state)


def _check_backoff_rate(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_number(value) or value < 1:
        yield Problem(where, f"BackoffRate must be a number >= 1.0, e.g. 2.0; got {_show(value)}.")


def _check_jitter(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if value not in schema.JITTER_STRATEGIES:
        yield Problem(where, f'JitterStrategy must be "FULL" or "NONE"; got {_show(value)}.')


_RETRIER_CHECKS: Final[Mapping[str, _ValueCheck]] = {
    "IntervalSeconds": _integer_check(1, schema.MAX_INTEGER, "1"),
    "MaxAttempts": _integer_check(0, schema.MAX_INTEGER, "3"),
    "BackoffRate": _check_backoff_rate,
    "MaxDelaySeconds": _integer_check(1, schema.MAX_DELAY_SECONDS, "60"),
    "JitterStrategy": _check_jitter,
    "Comment": _check_text,
}


def _error_equals_problems(part: Mapping[str, Json], where: str, *, last: bool) -> Iterator[Problem]:
    """ASL-NOTES §10 items 10-11: non-empty string array; States.ALL alone and in the last retrier/catcher."""
    inner = _at(where, "ErrorEquals")
    errors = part.get("ErrorEquals")
    if "ErrorEquals" not in part:
        yield Problem(where, 'ErrorEquals is required: the error names to match, e.g. ["States.ALL"].')
    elif not isinstance(errors, list) or not errors:
        yield Problem(
            inner, f'ErrorEquals must be a non-empty array of error names, e.g. ["States.ALL"]; got {_show(errors)}.'
        )
    elif not all(isinstance(error, str) and error for error in errors):
        yield Problem(inner, f"ErrorEquals must contain only non-empty error names (strings); got {_show(errors)}.")
    elif "States.ALL" in errors:
        if len(errors) > 1:
            yield Problem(
                inner, 'States.ALL must be alone in its ErrorEquals; write ["States.ALL"] (it matches every error).'
            )
        if not last:
            yield Problem(
                inner,
                "States.ALL must be in the last entry; move this one to the end (later entries could never match).",
            )


def _check_catch(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §9.4: an array of catchers."""
    if not isinstance(value, list):
        yield Problem(
            where,
            f'Catch must be an array of catchers like [{{"ErrorEquals": ["States.ALL"], "Next": "Handle"}}]; '
            f"got {_show(value)}.",
        )
        return
    for position, catcher in enumerate(value):
        inner = _index(where, position)
        if not _is_object(catcher):
            yield Problem(inner, f"A catcher must be an object with ErrorEquals and Next; got {_show(catcher)}.")
            continue
        yield from _error_equals_problems(catcher, inner, last=position == len(value) - 1)
        if "Next" not in catcher:
            yield Problem(inner, 'A catcher needs "Next": the state to go to when it catches an error.')
        for key, item in catcher.items():
            spec = schema.CATCHER_FIELDS.get(key)
            if spec is None:
                hint = _close_field(key, schema.CATCHER_FIELDS)
                yield Problem(_at(inner, key), f"{key!r} is not a catcher field; remove it.{hint}")
            elif spec.lang is not Lang.ANY and spec.lang.value != state.language:
                yield Problem(_at(inner, key), _other_language_message(key, state.language))
            elif key != "ErrorEquals":
                yield from _VALUE_CHECKS.get(spec.kind, _no_check)(item, _at(inner, key), state)


def _check_choices(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.3, §10 items 10, 14: a non-empty array of top-level rules."""
    if not isinstance(value, list) or not value:
        yield Problem(
            where,
            "Choices must be a non-empty array of rules, e.g. "
            f'[{{"Variable": "$.x", "NumericGreaterThan": 1, "Next": "Big"}}]; got {_show(value)}.',
        )
        return
    rule_check = _check_jsonata_rule if state.language == JSONATA else _check_top_rule
    for position, rule in enumerate(value):
        yield from rule_check(rule, _index(where, position), state)


def _check_jsonata_rule(rule: Json, where: str, state: _State) -> Iterator[Problem]:
    """A JSONata Choice rule: ``{Condition, Next, Assign?, Output?, Comment?}``."""
    if not _is_object(rule):
        yield Problem(
            where,
            f'A Choice rule must be an object like {{"Condition": "{{% ... %}}", "Next": "X"}}; got {_show(rule)}.',
        )
        return
    for key, item in rule.items():
        inner = _at(where, key)
        if key in ("Variable", "And", "Or", "Not") or key in schema.CHOICE_OPERATORS:
            yield Problem(
                inner,
                _other_language_message(key, JSONATA)
                if key == "Variable"
                else (
                    f"{key!r} is a JSONPath Choice operator, but this state uses JSONata; write the test as "
                    '"Condition": "{% ... %}", or set "QueryLanguage": "JSONPath" on the state.'
                ),
            )
        elif key == "Condition":
            yield from _check_condition(item, inner, state)
        elif key == "Assign":
            yield from _check_assign(item, inner, state)
        elif key == "Output":
            yield from _check_jsonata_value(item, inner, state)
        elif key in ("Comment", "Next"):
            yield from _check_text(item, inner, state)
        else:
            yield Problem(
                inner, f"{key!r} is not a field of a JSONata Choice rule; use Condition, Next, Assign, Output."
            )
    if "Condition" not in rule:
        yield Problem(where, 'A JSONata Choice rule needs "Condition": a {% %} expression that yields true or false.')
    if "Next" not in rule:
        yield Problem(where, 'A Choice rule needs "Next": the state to go to when it matches.')


def _check_condition(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if isinstance(value, bool):
        return
    if not isinstance(value, str) or not (value.startswith("{%") or value.endswith("%}")):
        yield Problem(where, f"Condition must be true, false or a {{% %}} expression; got {_show(value)}.")
        return
    yield from _expression_problems(value, where, frozenset())


def _check_top_rule(rule: Json, where: str, state: _State) -> Iterator[Problem]:
    """A top-level JSONPath Choice rule: a test plus ``Next`` (and ``Assign``)."""
    if not _is_object(rule):
        yield Problem(
            where,
            'A Choice rule must be an object like {"Variable": "$.x", "IsPresent": true, "Next": "X"}; '
            f"got {_show(rule)}.",
        )
        return
    if "Next" not in rule:
        yield Problem(where, 'A Choice rule needs "Next": the state to go to when it matches.')
    if "Assign" in rule:
        yield from _check_assign(rule["Assign"], _at(where, "Assign"), state)
    yield from _check_rule(rule, where, state, top=True)


def _check_rule(rule: Json, where: str, state: _State, *, top: bool) -> Iterator[Problem]:
    """A JSONPath rule and the rules nested in its And / Or / Not, with a stack rather than recursion.

    Builders may nest ``And`` as deep as the conditions are long; Python's recursion limit must not cap that.
    """
    stack: list[tuple[Json, str, bool]] = [(rule, where, top)]
    while stack:
        current, here, is_top = stack.pop()
        nested: list[tuple[Json, str]] = []
        yield from _rule_problems(current, here, state, is_top, nested)
        stack.extend((inner, inner_where, False) for inner, inner_where in reversed(nested))


def _rule_problems(
    rule: Json, where: str, state: _State, top: bool, nested: list[tuple[Json, str]]
) -> Iterator[Problem]:
    """One JSONPath rule: And / Or / Not, or Variable with exactly one comparison operator (ASL-NOTES §8.3).

    The operands of And / Or / Not are appended to *nested* for the caller to check.
    """
    if not _is_object(rule):
        yield Problem(
            where, f'A Choice rule must be an object like {{"Variable": "$.x", "IsPresent": true}}; got {_show(rule)}.'
        )
        return
    booleans = [key for key in ("And", "Or", "Not") if key in rule]
    operators = [key for key in rule if key in schema.CHOICE_OPERATORS]
    for key in rule:
        yield from _rule_field_problems(key, rule[key], _at(where, key), state, top=top)
    if booleans:
        if len(booleans) > 1 or operators or "Variable" in rule:
            extra = [*booleans, *operators, *(["Variable"] if "Variable" in rule else [])]
            yield Problem(
                where,
                f"A rule is either And, Or, Not or one Variable test; this one has {', '.join(extra)}. "
                "Nest the parts inside And instead.",
            )
        for key in booleans:
            yield from _boolean_operands(rule[key], _at(where, key), key, nested)
        return
    if "Variable" not in rule:
        yield Problem(where, 'The rule needs "Variable": the path to test, e.g. "Variable": "$.total".')
    if not operators:
        yield Problem(
            where,
            "The rule needs one comparison operator, e.g. StringEquals, NumericGreaterThan, BooleanEquals, "
            "TimestampLessThan or IsPresent.",
        )
    elif len(operators) > 1:
        yield Problem(
            where,
            f"A rule takes exactly one comparison operator; this one has {', '.join(operators)}. "
            "Combine several tests with And.",
        )


def _rule_field_problems(key: str, value: Json, where: str, state: _State, *, top: bool) -> Iterator[Problem]:
    if key in ("Next", "Assign"):
        if not top:
            yield Problem(where, f"Only top-level Choice rules take {key}; remove it from this nested rule.")
        elif key == "Next":
            yield from _check_text(value, where, state)
    elif key == "Comment":
        yield from _check_text(value, where, state)
    elif key == "Variable":
        yield from _check_reference_path(value, where, state)
    elif key in schema.CHOICE_OPERATORS:
        yield from _operand_problems(key, value, where, state)
    elif key in ("Condition", "Output"):
        yield Problem(where, _other_language_message(key, JSONPATH))
    elif key not in ("And", "Or", "Not"):
        hint = _close_field(key, [*schema.CHOICE_OPERATORS, "Variable", "And", "Or", "Not", "Next"])
        yield Problem(where, f"{key!r} is not a Choice rule field; remove it.{hint}")


def _boolean_operands(value: Json, where: str, operator: str, nested: list[tuple[Json, str]]) -> Iterator[Problem]:
    if operator == "Not":
        nested.append((value, where))
    elif not isinstance(value, list) or not value:
        yield Problem(where, f"{operator} must be a non-empty array of rules; got {_show(value)}.")
    else:
        nested.extend((rule, _index(where, position)) for position, rule in enumerate(value))


def _operand_problems(operator: str, value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 14: the value of an operator has the operator's type."""
    operand = schema.CHOICE_OPERATORS[operator]
    match operand:
        case Operand.PATH:
            yield from _check_reference_path(value, where, state)
            return
        case Operand.STRING | Operand.PATTERN:
            ok = isinstance(value, str)
        case Operand.NUMBER:
            ok = _is_number(value)
        case Operand.BOOLEAN:
            ok = isinstance(value, bool)
        case Operand.TIMESTAMP:
            ok = _is_timestamp(value)
    if not ok:
        yield Problem(where, f"{operator} compares with {operand.value}; got {_show(value)}.{_OPERAND_HINT[operand]}")
    elif operand is Operand.PATTERN and _bad_escape(value):
        yield Problem(
            where,
            f"StringMatches pattern {value!r} has a backslash that escapes neither * nor \\; write \\\\ for "
            "a literal backslash and \\* for a literal star.",
        )


_OPERAND_HINT: Final[Mapping[Operand, str]] = {
    Operand.STRING: " Use a Numeric*/Boolean* operator for other types.",
    Operand.PATTERN: "",
    Operand.NUMBER: " Write the number without quotes, or use a String* operator.",
    Operand.BOOLEAN: " Write true or false without quotes.",
    Operand.TIMESTAMP: ' e.g. "2026-01-31T12:00:00Z".',
    Operand.PATH: "",
}


def _bad_escape(pattern: str) -> bool:
    position = 0
    while position < len(pattern):
        if pattern[position] == "\\":
            if position + 1 >= len(pattern) or pattern[position + 1] not in "*\\":
                return True
            position += 1
        position += 1
    return False


def _check_branches(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.7: a non-empty array of ``{StartAt, States}`` objects (their content is checked as blocks)."""
    if not isinstance(value, list) or not value:
        yield Problem(
            where, f'Branches must be a non-empty array of {{"StartAt": ..., "States": {{...}}}}; got {_show(value)}.'
        )
        return
    for position, branch in enumerate(value):
        if not _is_object(branch):
            yield Problem(
                _index(where, position),
                f'A branch must be an object {{"StartAt": ..., "States": {{...}}}}; got {_show(branch)}.',
            )


def _check_processor(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_object(value):
        yield Problem(
            where, f'{_field(where)} must be an object {{"StartAt": ..., "States": {{...}}}}; got {_show(value)}.'
        )


def _check_items(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: Items is an array (may contain expressions) or a whole expression."""
    if isinstance(value, list) or (isinstance(value, str) and (value.startswith("{%") or value.endswith("%}"))):
        yield from _check_jsonata_value(value, where, state)
    else:
        yield Problem(where, f"Items must be an array or a {{% %}} expression that yields one; got {_show(value)}.")


def _check_item_selector(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if state.language == JSONPATH:
        yield from _check_template(value, where, state)
    elif _is_object(value) or _is_expression(value):
        yield from _check_jsonata_value(value, where, state)
    else:
        yield Problem(where, f"ItemSelector must be an object or a {{% %}} expression; got {_show(value)}.")


def _part_fields(
    value: Mapping[str, Json], where: str, state: _State, fields: Mapping[str, Lang], part: str
) -> Iterator[Problem]:
    for key in value:
        lang = fields.get(key)
        if lang is None:
            yield Problem(_at(where, key), f"{key!r} is not a field of {part}; use {', '.join(fields)}.")
        elif lang is not Lang.ANY and lang.value != state.language:
            yield Problem(_at(where, key), _other_language_message(key, state.language))


def _check_part_payload(value: Mapping[str, Json], where: str, state: _State) -> Iterator[Problem]:
    """``Parameters`` (JSONPath template) or ``Arguments`` (JSONata) of an ItemReader / ResultWriter."""
    if "Parameters" in value and state.language == JSONPATH:
        yield from _check_template(value["Parameters"], _at(where, "Parameters"), state)
    if "Arguments" in value and state.language == JSONATA:
        yield from _check_arguments(value["Arguments"], _at(where, "Arguments"), state)


def _check_item_reader(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: ``{Resource, ReaderConfig?, Parameters|Arguments}``."""
    if not _is_object(value):
        yield Problem(
            where,
            'ItemReader must be an object like {"Resource": "arn:aws:states:::s3:getObject", ...}; '
            f"got {_show(value)}.",
        )
        return
    yield from _part_fields(value, where, state, schema.ITEM_READER_FIELDS, "an ItemReader")
    resource = value.get("Resource")
    if "Resource" not in value:
        yield Problem(where, 'ItemReader needs "Resource", e.g. "arn:aws:states:::s3:getObject".')
    elif not (isinstance(resource, str) and _READER_ARN.fullmatch(resource)):
        yield Problem(
            _at(where, "Resource"),
            f"ItemReader reads from S3: Resource must be arn:aws:states:::s3:getObject (one object) or "
            f"arn:aws:states:::s3:listObjectsV2 (the objects under a prefix); got {_show(resource)}.",
        )
    yield from _check_part_payload(value, where, state)
    config = value.get("ReaderConfig")
    if config is not None:
        yield from _check_reader_config(config, _at(where, "ReaderConfig"), state)


def _check_reader_config(config: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_object(config):
        yield Problem(where, f'ReaderConfig must be an object like {{"InputType": "JSON"}}; got {_show(config)}.')
        return
    for key, item in config.items():
        inner = _at(where, key)
        if key not in schema.READER_CONFIG_FIELDS:
            yield Problem(inner, f"{key!r} is not a ReaderConfig field; use {', '.join(schema.READER_CONFIG_FIELDS)}.")
            continue
        choices = schema.READER_CONFIG_FIELDS[key]
        if choices is not None and item not in choices:
            yield Problem(inner, f"{key} must be one of {', '.join(choices)}; got {_show(item)}.")
        elif key == "MaxItems":
            yield from _expression_or(_integer_check(0, 100_000_000, "1000"))(item, inner, state)
        elif key == "MaxItemsPath":
            if state.language == JSONATA:
                yield Problem(inner, _other_language_message(key, JSONATA))
            else:
                yield from _check_reference_path(item, inner, state)
    if "MaxItems" in config and "MaxItemsPath" in config:
        yield Problem(_at(where, "MaxItemsPath"), "MaxItems and MaxItemsPath cannot be used together; keep one.")
    yield from _csv_header_problems(config, where)


def _csv_header_problems(config: Mapping[str, Json], where: str) -> Iterator[Problem]:
    """CSV readers say where the header is; GIVEN headers are listed; JSON readers have no CSV header."""
    input_type, location = config.get("InputType"), config.get("CSVHeaderLocation")
    if input_type == "CSV" and "CSVHeaderLocation" not in config:
        yield Problem(where, 'A CSV reader needs "CSVHeaderLocation": "FIRST_ROW" (or "GIVEN" with CSVHeaders).')
    if location == "GIVEN" and "CSVHeaders" not in config:
        yield Problem(where, 'CSVHeaderLocation "GIVEN" needs "CSVHeaders": the column names, e.g. ["id", "name"].')
    if input_type in ("JSON", "JSONL") and "CSVHeaderLocation" in config:
        yield Problem(
            _at(where, "CSVHeaderLocation"),
            f"CSVHeaderLocation is for CSV input; remove it (InputType is {input_type}).",
        )


def _check_item_batcher(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: at least one batch limit; limits are positive integers (bytes ≤ 256 KiB)."""
    if not _is_object(value):
        yield Problem(where, f'ItemBatcher must be an object like {{"MaxItemsPerBatch": 10}}; got {_show(value)}.')
        return
    yield from _part_fields(value, where, state, schema.ITEM_BATCHER_FIELDS, "an ItemBatcher")
    limits = {
        "MaxItemsPerBatch": _integer_check(1, schema.MAX_INTEGER, "10"),
        "MaxInputBytesPerBatch": _integer_check(1, 262_144, "65536"),
    }
    for key, check in limits.items():
        if key in value:
            yield from _expression_or(check)(value[key], _at(where, key), state)
        if key + "Path" in value and state.language == JSONPATH:
            yield from _check_reference_path(value[key + "Path"], _at(where, key + "Path"), state)
        if key in value and key + "Path" in value:
            yield Problem(_at(where, key + "Path"), f"{key} and {key}Path cannot be used together; keep one.")
    if not any(
        key in value
        for key in ("MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
    ):
        yield Problem(where, "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path forms).")
    if "BatchInput" in value:
        batch_input = value["BatchInput"]
        if state.language == JSONPATH:
            yield from _check_template(batch_input, _at(where, "BatchInput"), state)
        else:
            yield from _check_jsonata_value(batch_input, _at(where, "BatchInput"), state)


def _check_result_writer(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: ``{Resource, Parameters|Arguments, WriterConfig?}``."""
    if not _is_object(value):
        yield Problem(
            where,
            'ResultWriter must be an object like {"Resource": "arn:aws:states:::s3:putObject", ...}; '
            f"got {_show(value)}.",
        )
        return
    yield from _part_fields(value, where, state, schema.RESULT_WRITER_FIELDS, "a ResultWriter")
    resource = value.get("Resource")
    if "Resource" in value and not (isinstance(resource, str) and _WRITER_ARN.fullmatch(resource)):
        yield Problem(
            _at(where, "Resource"),
            f"ResultWriter writes to S3: Resource must be arn:aws:states:::s3:putObject; got {_show(resource)}.",
        )
    if "Resource" not in value and "WriterConfig" not in value:
        yield Problem(where, 'ResultWriter needs "Resource": "arn:aws:states:::s3:putObject" (or a WriterConfig).')
    yield from _check_part_payload(value, where, state)
    config = value.get("WriterConfig")
    if config is None:
        return
    if not _is_object(config):
        yield Problem(_at(where, "WriterConfig"), f"WriterConfig must be an object; got {_show(config)}.")
        return
    for key, item in config.items():
        choices = schema.WRITER_CONFIG_FIELDS.get(key)
        inner = _at(_at(where, "WriterConfig"), key)
        if choices is None:
            yield Problem(inner, f"{key!r} is not a WriterConfig field; use {', '.join(schema.WRITER_CONFIG_FIELDS)}.")
        elif item not in choices:
            yield Problem(inner, f"{key} must be one of {', '.join(choices)}; got {_show(item)}.")


def _check_label(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: INVALID_LABEL_NAME."""
    if not isinstance(value, str) or not value:
        yield Problem(where, f"Label must be a non-empty string of up to 40 characters; got {_show(value)}.")
    elif len(value) > schema.MAX_LABEL_LENGTH:
        yield Problem(where, f"Label is {len(value)} characters long; AWS allows at most 40. Use a shorter label.")
    elif _LABEL_FORBIDDEN.search(value):
        yield Problem(
            where,
            f'Label {value!r} contains whitespace or one of < > {{ }} [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /; '
            "use letters, digits, - and _.",
        )


_VALUE_CHECKS: Final[Mapping[Kind, _ValueCheck]] = {
    Kind.TEXT: _check_text,
    Kind.STATE_NAME: _check_text,
    Kind.END: _check_end,
    Kind.PATH: _check_path,
    Kind.RESULT_PATH: _check_result_path,
    Kind.REFERENCE_PATH: _check_reference_path,
    Kind.ERROR_PATH: _check_error_path,
    Kind.TEMPLATE: _check_template,
    Kind.JSONATA_VALUE: _check_jsonata_value,
    Kind.ARGUMENTS: _check_arguments,
    Kind.ASSIGN: _check_assign,
    Kind.RETRY: _check_retry,
    Kind.CATCH: _check_catch,
    Kind.RESOURCE: _check_resource,
    Kind.POSITIVE_INT: _expression_or(_integer_check(1, schema.MAX_INTEGER, "60")),
    Kind.NON_NEGATIVE_INT: _expression_or(_integer_check(0, schema.MAX_INTEGER, "10")),
    Kind.PERCENTAGE: _expression_or(_check_percentage),
    Kind.TIMESTAMP: _expression_or(_check_timestamp),
    Kind.STRING_VALUE: _expression_or(_check_string_value),
    Kind.CREDENTIALS: _check_credentials,
    Kind.CHOICES: _check_choices,
    Kind.BRANCHES: _check_branches,
    Kind.PROCESSOR: _check_processor,
    Kind.ITEMS: _check_items,
    Kind.ITEM_SELECTOR: _check_item_selector,
    Kind.ITEM_READER: _check_item_reader,
    Kind.ITEM_BATCHER: _check_item_batcher,
    Kind.RESULT_WRITER: _check_result_writer,
    Kind.LABEL: _check_label,
}


def _field_checks() -> dict[str, dict[str, tuple[str | None, _ValueCheck]]]:
    """State type -> field -> (query language or None for both, value check): the schema, ready to dispatch."""
    return {
        state_type: {
            key: (None if spec.lang is Lang.ANY else spec.lang.value, _VALUE_CHECKS.get(spec.kind, _no_check))
            for key, spec in fields.items()
        }
        for state_type, fields in schema.STATE_FIELDS.items()
    }


_FIELD_CHECKS: Final = _field_checks()


# --- syntax of paths, intrinsics and JSONata: delegated to the compilers in sfnkit.asl ---------------------------


# Each verdict depends on the text alone, and machines repeat the same few paths ("$", "$.Payload") in every
# state: caching keeps a 10,000-state machine fast. A verdict is the syntax error's message, or None.


@functools.lru_cache(maxsize=8192)
def _path_verdict(text: str) -> tuple[str | None, bool]:
    """(error message, is_definite) of a JSONPath."""
    try:
        return None, compile_path(text).is_definite
    except AslError as error:
        return _asl_message(error), True


@functools.lru_cache(maxsize=8192)
def _reference_path_verdict(text: str) -> str | None:
    try:
        compile_reference_path(text)
    except AslError as error:
        return _asl_message(error)
    return None


@functools.lru_cache(maxsize=8192)
def _intrinsic_verdict(text: str) -> str | None:
    try:
        compile_intrinsic(text)
    except AslError as error:
        return _asl_message(error)
    return None


@functools.lru_cache(maxsize=8192)
def _expression_verdict(text: str) -> str | None:
    try:
        compile_expression(text)
    except AslError as error:
        return _asl_message(error)
    return None


def _path_problems(text: str, where: str, *, definite: bool) -> Iterator[Problem]:
    message, is_definite = _path_verdict(text)
    if message is not None:
        yield Problem(where, message)
    elif definite and not is_definite:
        yield Problem(
            where,
            f"{_field(where)} needs a reference path (one node: only .name and [index] steps); {text!r} has a "
            "wildcard, filter, slice or union. Select a single value.",
        )


def _reference_path_problems(text: str, where: str) -> Iterator[Problem]:
    message = _reference_path_verdict(text)
    if message is not None:
        yield Problem(where, message)


def _intrinsic_problems(text: str, where: str) -> Iterator[Problem]:
    message = _intrinsic_verdict(text)
    if message is not None:
        yield Problem(where, message)


def _expression_problem(text: str, where: str) -> Problem | None:
    message = _expression_verdict(text)
    return None if message is None else Problem(where, message)


# --- the quick yes -----------------------------------------------------------------------------------------------
# Most states of a machine are plainly valid, and for them the state checks above cost far more than their verdict:
# each builds locations and runs a generator per rule. ``_quick_state`` answers "would every state check report
# nothing?" without either. It mirrors those checks field kind by field kind, says yes only when they would find no
# problem, and says no to anything it does not cover (Map states, Assign, Credentials, JSONata values, Retry and
# Catch, nested Choice rules...): such a state goes through the full checks, which alone write messages.
# tests/test_validate.py holds it to that on the corpus and on mutated states.

_QuickCheck = Callable[[Json], bool]


def _quick_text(value: Json) -> bool:
    return isinstance(value, str)


def _quick_end(value: Json) -> bool:
    return isinstance(value, bool)


def _quick_path(value: Json) -> bool:
    return value is None or (isinstance(value, str) and _path_verdict(value)[0] is None)


def _quick_result_path(value: Json) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or value.startswith("$$"):
        return False
    if len(value) > 1 and value.startswith("$") and value[1] not in ".[":
        return False
    return _reference_path_verdict(value) is None


def _quick_reference_path(value: Json) -> bool:
    if not isinstance(value, str):
        return False
    message, is_definite = _path_verdict(value)
    return message is None and is_definite


def _quick_error_path(value: Json) -> bool:
    if not isinstance(value, str):
        return False
    return _quick_reference_path(value) if value.startswith("$") else _intrinsic_verdict(value) is None


def _quick_dynamic_value(value: Json) -> bool:
    if not isinstance(value, str):
        return False
    return _path_verdict(value)[0] is None if value.startswith("$") else _intrinsic_verdict(value) is None


def _quick_template(value: Json) -> bool:
    if not _is_object(value):
        return False
    stack: list[Json] = [value]
    while stack:
        node = stack.pop()
        if _is_object(node):
            for key, item in node.items():
                if isinstance(key, str) and key.endswith(".$"):
                    if key[:-2] in node or not _quick_dynamic_value(item):
                        return False
                else:
                    stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)
    return True


@functools.lru_cache(maxsize=8192)
def _resource_verdict(text: str) -> bool:
    return any(pattern.fullmatch(text) for pattern in (_LAMBDA_ARN, _ACTIVITY_ARN, _INTEGRATION_ARN))


def _quick_resource(value: Json) -> bool:
    return isinstance(value, str) and _resource_verdict(value)


def _quick_literal(check: _QuickCheck) -> _QuickCheck:
    """As ``_expression_or``: a value that looks like an expression is left to the full check."""

    def quick(value: Json) -> bool:
        if isinstance(value, str) and (value.startswith("{%") or value.endswith("%}")):
            return False
        return check(value)

    return quick


def _quick_operand(operand: Operand, value: Json) -> bool:
    match operand:
        case Operand.PATH:
            return _quick_reference_path(value)
        case Operand.STRING:
            return isinstance(value, str)
        case Operand.PATTERN:
            return isinstance(value, str) and not _bad_escape(value)
        case Operand.NUMBER:
            return _is_number(value)
        case Operand.BOOLEAN:
            return isinstance(value, bool)
        case Operand.TIMESTAMP:
            return _is_timestamp(value)


def _quick_choices(value: Json) -> bool:
    """JSONPath ``Choices`` whose rules are each one ``Variable`` test with ``Next`` (and maybe a ``Comment``)."""
    if not isinstance(value, list) or not value:
        return False
    for rule in value:
        if not _is_object(rule) or "Next" not in rule or "Variable" not in rule:
            return False
        operators = 0
        for key, item in rule.items():
            if key == "Next" or key == "Comment":
                if not isinstance(item, str):
                    return False
            elif key == "Variable":
                if not _quick_reference_path(item):
                    return False
            else:
                operand = schema.CHOICE_OPERATORS.get(key)
                if operand is None or not _quick_operand(operand, item):
                    return False
                operators += 1
        if operators != 1:
            return False
    return True


def _quick_branches(value: Json) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_object(branch) for branch in value)


def _quick_value_checks(language: str) -> dict[Kind, _QuickCheck | None]:
    """Kind -> quick check in a state of *language* (``None``: the value is not checked at all)."""
    checks: dict[Kind, _QuickCheck | None] = {
        kind: None for kind in Kind if kind not in _VALUE_CHECKS
    }  # ANY_JSON and the kinds checked elsewhere (Type, QueryLanguage)
    checks.update(
        {
            Kind.TEXT: _quick_text,
            Kind.STATE_NAME: _quick_text,
            Kind.END: _quick_end,
            Kind.PATH: _quick_path,
            Kind.RESULT_PATH: _quick_result_path,
            Kind.REFERENCE_PATH: _quick_reference_path,
            Kind.ERROR_PATH: _quick_error_path,
            Kind.TEMPLATE: _quick_template,
            Kind.RESOURCE: _quick_resource,
            Kind.POSITIVE_INT: _quick_literal(lambda v: _is_int(v) and 1 <= v <= schema.MAX_INTEGER),
            Kind.NON_NEGATIVE_INT: _quick_literal(lambda v: _is_int(v) and 0 <= v <= schema.MAX_INTEGER),
            Kind.PERCENTAGE: _quick_literal(lambda v: _is_number(v) and 0 <= v <= 100),
            Kind.TIMESTAMP: _quick_literal(_is_timestamp),
            Kind.STRING_VALUE: _quick_literal(_quick_text),
            Kind.BRANCHES: _quick_branches,
        }
    )
    if language == JSONPATH:
        checks[Kind.CHOICES] = _quick_choices
    return checks


@attrs.frozen
class _QuickType:
    """What the quick yes needs to know about one state type in one query language."""

    fields: Mapping[
        str, _QuickCheck | None
    ]  # the fields it covers; a field not here sends the state to the full checks
    required: tuple[str, ...]
    one_of: tuple[str, ...]
    transition: bool  # exactly one of Next / "End": true
    exclusive: tuple[tuple[str, ...], ...]


def _quick_types(language: str) -> dict[str, _QuickType]:
    checks = _quick_value_checks(language)
    types: dict[str, _QuickType] = {}
    for state_type, fields in schema.STATE_FIELDS.items():
        if state_type == "Map":
            continue  # ProcessorConfig and the Distributed-only fields: the full checks
        covered: dict[str, _QuickCheck | None] = {}
        for key, spec in fields.items():
            if (spec.lang is Lang.ANY or spec.lang.value == language) and spec.kind in checks:
                covered[key] = checks[spec.kind]
        types[state_type] = _QuickType(
            fields=covered,
            required=schema.REQUIRED_FIELDS.get(state_type, ()),
            one_of=schema.REQUIRED_ONE_OF.get(state_type, ()),
            transition=state_type in schema.TRANSITION_TYPES,
            exclusive=schema.EXCLUSIVE_FIELDS.get(state_type, ()),
        )
    return types


# Query language of the state -> state type -> what the quick yes knows of it.
_QUICK_STATES: Final[Mapping[str, Mapping[str, _QuickType]]] = {
    language: _quick_types(language) for language in schema.QUERY_LANGUAGES
}


def _quick_state(body: Mapping[str, Json], machine_language: str, quick: Mapping[str, _QuickType]) -> bool:
    """Whether every state check would pass *body* (``quick`` is ``_QUICK_STATES[machine_language]``)."""
    if "QueryLanguage" in body:
        language = body["QueryLanguage"]
        if language not in schema.QUERY_LANGUAGES or (language == JSONPATH and machine_language == JSONATA):
            return False
        quick = _QUICK_STATES[language]
    state_type = body.get("Type")
    if type(state_type) is not str:
        return False
    known = quick.get(state_type)
    if known is None:
        return False
    fields = known.fields
    for key, value in body.items():
        if key not in fields:
            return False
        check = fields[key]
        if check is not None and not check(value):
            return False
    for key in known.required:
        if key not in body:
            return False
    if known.one_of and not any(key in body for key in known.one_of):
        return False
    if known.transition and ("Next" in body) == (body.get("End") is True):
        return False
    for group in known.exclusive:
        if sum(key in body for key in group) > 1:
            return False
    heartbeat, timeout = body.get("HeartbeatSeconds"), body.get("TimeoutSeconds")
    return not (state_type == "Task" and _is_int(heartbeat) and _is_int(timeout) and heartbeat >= timeout)
