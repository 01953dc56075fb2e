"""StateMachine <-> ASL dict / JSON text; Condition <-> Choice rule. Lossless both ways.

``to_asl(from_asl(d)) == d`` for every valid definition ``d``: every field a state may carry has a home in
``sfnkit.states`` (JSON-valued fields are kept verbatim), and what is structure (``Next``, ``End``, ``Default``,
the ``Next`` of Choice rules and catchers) becomes the machine's transitions and is written back from them.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import attrs

from sfnkit.asl.quotas import MAX_DEPTH, too_deep
from sfnkit.conditions import AllOf, AnyOf, Compare, Condition, Expression, Not
from sfnkit.errors import AslError
from sfnkit.machine import Edges, StateMachine, Transition
from sfnkit.states import (
    ABSENT,
    STATE_CLASSES,
    Catcher,
    Choice,
    ChoiceRule,
    Map,
    Retrier,
    State,
    is_terminal,
)

__all__ = [
    "condition_from_rule",
    "from_asl",
    "from_definition",
    "load_definition",
    "to_asl",
    "to_choice_rule",
    "to_json",
]

Json = Any

# ASL keys of a top-level machine and of a Parallel branch / Map processor, in the order they are written.
_MACHINE_KEYS: Final = ("Comment", "QueryLanguage", "StartAt", "States", "TimeoutSeconds", "Version")
# Machines already known to be valid (checked by from_asl or a first to_asl): machines are immutable.
_VALID: Final[weakref.WeakSet[StateMachine]] = weakref.WeakSet()
# The compact JSON text each machine was read from (by from_asl): machines read from the same text share one compiled
# execution plan without exporting the definition again. Kept beside the machine, not in it, so that a machine
# derived with attrs.evolve has no source text and gets a plan of its own.
_SOURCE_TEXT: Final[weakref.WeakKeyDictionary[StateMachine, str]] = weakref.WeakKeyDictionary()
# Each machine's to_json(indent=None) text, once made: workflow() makes it to validate, and a later export of the
# same immutable machine is then free (a str beside the machine, dropped with it).
_COMPACT: Final[weakref.WeakKeyDictionary[StateMachine, str]] = weakref.WeakKeyDictionary()
_RANK: Final = {"Choice": 0, "Default": 1, "Next": 0, "Catch": 1}
_RULE_OWN_KEYS: Final = frozenset({"Next", "Assign", "Output", "Comment"})

# --- field tables, computed once per class ---------------------------------------------------------------------


@attrs.frozen
class _Field:
    name: str  # attribute
    key: str  # ASL spelling
    kind: str  # "value" | "retry" | "catch" | "choices" | "branches" | "processor" | "skip"
    unset: Any  # the value that means "not in the definition": ABSENT for JSON-valued fields, else None


def _kind(cls: type, attribute: attrs.Attribute[Any]) -> str:
    key = attribute.metadata.get("asl")
    if key is None or key == "Type" or attribute.metadata.get("nested"):
        return "skip"
    return {"Retry": "retry", "Catch": "catch", "Choices": "choices", "Branches": "branches"}.get(
        key, "processor" if key == "ItemProcessor" else "value"
    )


_FIELDS: Final[dict[type, tuple[_Field, ...]]] = {
    cls: tuple(
        _Field(a.name, a.metadata["asl"], _kind(cls, a), ABSENT if a.metadata.get("json") else None)
        for a in attrs.fields(cls)
        if a.metadata.get("asl") and _kind(cls, a) != "skip"
    )
    for cls in (*STATE_CLASSES.values(), Retrier, Catcher)
}
_KEYS: Final[dict[type, dict[str, _Field]]] = {cls: {f.key: f for f in fields} for cls, fields in _FIELDS.items()}
# The export's view of the same tables: attribute -> (ASL key, kind, unset). The IR classes are ``sparse``
# (sfnkit.frozen): an instance's ``__dict__`` holds exactly its fields that are off their default, in field order,
# and a default is always the unset value; so the export reads that dict instead of every field of the class.
_SPECS: Final[dict[type, dict[str, tuple[str, str, Any]]]] = {
    cls: {f.name: (f.key, f.kind, f.unset) for f in fields} for cls, fields in _FIELDS.items()
}


# --- export ---------------------------------------------------------------------------------------------------


def to_asl(machine: StateMachine, *, validate: bool = True) -> dict[str, Json]:
    """The ASL definition of *machine* as a dict (keys in a deterministic order; JSON values copied).

    Raises ``ValidationError`` if the definition breaks a rule AWS enforces at creation; a machine is checked
    once (``from_asl`` checks on the way in), so exporting it again costs no validation.
    """
    with _gc_paused():
        definition = _machine_to_asl(machine, _copy)
        if validate and machine not in _VALID:
            from sfnkit.validate import validate as check

            check(definition)
            _VALID.add(machine)
    return definition


def to_json(machine: StateMachine, indent: int | None = 2, *, validate: bool = True) -> str:
    """The ASL definition of *machine* as JSON text (validated as ``to_asl`` validates)."""
    # The dict never leaves this function, so it shares the machine's JSON values instead of copying them; and
    # the text is made before validating, so that its length bounds the size the 1 MB check measures.
    checking = validate and machine not in _VALID
    if indent is None and not checking:
        made = _COMPACT.get(machine)
        if made is not None:
            return made
    with _gc_paused():
        definition = _machine_to_asl(machine, _same)
        try:
            text = json.dumps(definition, indent=indent, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            if checking:  # not JSON: report it (with every other problem) as validation did before serialising
                from sfnkit.validate import validate as check

                check(definition)
            raise
        if checking:
            from sfnkit.validate import validate as check

            check(definition, size_at_most=len(text) if text.isascii() else len(text.encode()))
            _VALID.add(machine)
    if indent is None:
        _COMPACT[machine] = text
    return text


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, as ``sfnkit.build`` does while building.

    An export (and its validation) makes a few dicts and lists per state and frees none until the end, so the
    collector would rescan a growing heap again and again; they form no cycles it must find. It is left as it was.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# Scalars are immutable: the export writes them as they are, without a call (the common case, by far).
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _machine_to_asl(
    machine: StateMachine, copy: Callable[[Json], Json], processor_config: Json = ABSENT
) -> dict[str, Json]:
    """*machine* as an ASL dict; *copy* is applied to every JSON value taken from the machine."""
    out: dict[str, Json] = {}
    if machine.comment is not None:
        out["Comment"] = machine.comment
    if processor_config is not ABSENT:
        out["ProcessorConfig"] = copy(processor_config)
    if machine.query_language is not None:
        out["QueryLanguage"] = machine.query_language
    out["StartAt"] = machine.start_at
    edges = dict(machine.edges)  # one C-level copy: a lookup in a mappingproxy costs a method call
    out["States"] = {name: _state_to_asl(state, edges.get(name, ()), copy) for name, state in machine.states.items()}
    if machine.timeout_seconds is not None:
        out["TimeoutSeconds"] = machine.timeout_seconds
    if machine.version is not None:
        out["Version"] = machine.version
    return out


def _state_to_asl(state: State, edges: Edges, copy: Callable[[Json], Json]) -> dict[str, Json]:
    cls = type(state)
    out: dict[str, Json] = {"Type": state.type}
    next_target = default_target = None
    catch_targets: dict[int, str] = {}
    choice_targets: dict[int, str] = {}
    for transition, target in edges:
        how = transition.kind
        if how == "Next":
            next_target = target
        elif how == "Default":
            default_target = target
        elif how == "Choice":
            choice_targets[transition.order] = target
        elif how == "Catch":
            catch_targets[transition.order] = target
    specs = _SPECS[cls]
    for name, value in vars(state).items():
        spec = specs.get(name)
        if spec is None:  # Map's processor_config and iterator_field: written with ItemProcessor
            continue
        key, kind, unset = spec
        if value is unset:
            continue
        if kind == "value":
            out[key] = value if type(value) in _SCALARS else copy(value)
        elif kind == "retry":
            out[key] = [_part_to_asl(retrier, copy) for retrier in value]
        elif kind == "catch":
            out[key] = [
                _with_next(_part_to_asl(catcher, copy), catch_targets.get(i)) for i, catcher in enumerate(value)
            ]
        elif kind == "choices":
            out[key] = [_with_next(_rule_to_asl(rule, copy), choice_targets.get(i)) for i, rule in enumerate(value)]
        elif kind == "branches":
            out[key] = [_machine_to_asl(branch, copy) for branch in value]
        else:  # "processor"
            assert isinstance(state, Map)
            out[state.iterator_field] = _machine_to_asl(value, copy, state.processor_config)
    if cls is Choice:
        if default_target is not None:
            out["Default"] = default_target
    elif next_target is not None:
        out["Next"] = next_target
    elif not is_terminal(state):
        out["End"] = True
    return out


def _with_next(part: dict[str, Json], target: str | None) -> dict[str, Json]:
    if target is not None:
        part["Next"] = target
    return part


def _part_to_asl(part: Retrier | Catcher, copy: Callable[[Json], Json]) -> dict[str, Json]:
    out: dict[str, Json] = {}
    specs = _SPECS[type(part)]
    for name, value in vars(part).items():
        key, _, unset = specs[name]
        if value is not unset:
            out[key] = list(value) if key == "ErrorEquals" else copy(value)
    return out


def _rule_to_asl(rule: ChoiceRule, copy: Callable[[Json], Json]) -> dict[str, Json]:
    condition = rule.condition
    if type(condition) is Compare and condition.comment is None:  # the common rule, spelled inline
        value = condition.value
        out = {"Variable": condition.variable, condition.operator: value if type(value) in _SCALARS else copy(value)}
    else:
        out = _condition_to_asl(condition, copy)
    if rule.assign is not ABSENT:
        out["Assign"] = copy(rule.assign)
    if rule.output is not ABSENT:
        out["Output"] = copy(rule.output)
    if rule.comment is not None:
        out["Comment"] = rule.comment
    return out


def to_choice_rule(condition: Condition) -> dict[str, Json]:
    """Spell *condition* as an ASL Choice rule (without ``Next``)."""
    return _condition_to_asl(condition, _copy)


def _condition_to_asl(condition: Condition, copy: Callable[[Json], Json]) -> dict[str, Json]:
    out: dict[str, Json]
    match condition:
        case Compare(variable=variable, operator=operator, value=value):
            out = {"Variable": variable, operator: copy(value)}
        case AllOf(conditions=conditions):
            out = {"And": [_condition_to_asl(c, copy) for c in conditions]}
        case AnyOf(conditions=conditions):
            out = {"Or": [_condition_to_asl(c, copy) for c in conditions]}
        case Not(condition=inner):
            out = {"Not": _condition_to_asl(inner, copy)}
        case Expression(condition=expression):
            return {"Condition": copy(expression)}
    if condition.comment is not None:
        out["Comment"] = condition.comment
    return out


def _same(value: Json) -> Json:
    """No copy: for a definition that does not leave the module (``to_json`` serialises it at once)."""
    return value


def _copy(value: Json) -> Json:
    """A copy of a JSON value, so that a caller editing an exported dict cannot change the machine."""
    try:
        return _copy_nested(value)
    except RecursionError:  # nested deeper than Python recurses: JSON's C code goes deeper
        return json.loads(json.dumps(value))


def _copy_nested(value: Json) -> Json:
    if isinstance(value, dict):
        return {k: v if type(v) in _SCALARS else _copy_nested(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _SCALARS else _copy_nested(v) for v in value]
    return value


# --- import ---------------------------------------------------------------------------------------------------


def load_definition(source: Mapping[str, Json] | str | os.PathLike[str]) -> dict[str, Json]:
    """The definition as a dict, from a dict, JSON text, or a file named by a ``pathlib.Path``.

    A ``str`` is always JSON text, never a file name: reading whatever file a string happens to name is how
    ``from_asl("/etc/passwd")`` used to print that file's first line. Errors about a file's content give its line
    and column, never its text.
    """
    if isinstance(source, Mapping):
        definition = dict(source)
    elif isinstance(source, str):
        definition = _parse(source, "the definition text", echo=True)
    elif isinstance(source, os.PathLike):
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            raise AslError(
                f"cannot read the definition file {str(path)!r} ({reason}); pass the path of a readable JSON file, "
                "a dict, or JSON text"
            ) from None
        definition = _parse(text, f"the definition file {str(path)!r}", echo=False)
    else:
        raise TypeError(
            f"from_asl() takes an ASL definition as a dict, JSON text (str) or a pathlib.Path of a JSON file; "
            f"got {type(source).__name__}"
        )
    return definition


def _parse(text: str, where: str, *, echo: bool) -> dict[str, Json]:
    """*text* as a JSON object; *echo* shows the offending line (never for a file: it may not be a definition)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        if echo and text.lstrip()[:1] not in ("{", "["):
            raise AslError(
                f"{where} is not JSON: a str is read as ASL JSON text starting with '{{'. To read a file, pass "
                f"pathlib.Path({text[:80]!r}) (or a dict)."
            ) from None
        if not echo:
            message = f"{where} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
            raise AslError(message) from None
        line = text.splitlines()[error.lineno - 1] if text.splitlines() else text
        raise AslError(
            f"{where} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            text=line,
            position=error.colno - 1,
        ) from None
    except RecursionError:
        message = f"{where} nests arrays and objects more than {MAX_DEPTH} levels deep, sfnkit's local bound"
        raise AslError(message) from None
    if not isinstance(value, dict):
        raise AslError(f"{where} is JSON but not an object; an ASL definition is an object with StartAt and States")
    return value


def from_asl(source: Mapping[str, Json] | str | os.PathLike[str], *, validate: bool = True) -> StateMachine:
    """Read an ASL definition (a dict, JSON text, or a file path) into a ``StateMachine``.

    Raises ``ValidationError`` listing every rule the definition breaks (unless ``validate=False``).
    """
    definition = load_definition(source)
    if validate:
        from sfnkit.validate import validate as check

        check(definition)  # reports nesting JSON cannot even encode, where it is
    if too_deep(definition):
        raise AslError(
            f"the definition nests objects and arrays more than {MAX_DEPTH} levels deep, sfnkit's local bound; "
            "flatten the deepest value (a Result, Parameters or Arguments template)"
        )
    machine = from_definition(definition)
    _SOURCE_TEXT[machine] = json.dumps(definition, separators=(",", ":"))
    if validate:
        _VALID.add(machine)
    return machine


def source_text(machine: StateMachine) -> str | None:
    """The compact JSON text *machine* was read from by ``from_asl`` (``None`` for a machine built otherwise)."""
    return _SOURCE_TEXT.get(machine)


def from_definition(definition: Mapping[str, Json], location: str = "") -> StateMachine:
    """Build the ``StateMachine`` of an (already valid) definition dict; no validation."""
    states: dict[str, State] = {}
    edges: dict[str, Edges] = {}
    raw_states = definition.get("States")
    if not isinstance(raw_states, Mapping):
        raise AslError("a definition needs States: an object of state name -> state", location=location or "States")
    for name, raw in raw_states.items():
        where = f"{location}States.{name}"
        if not isinstance(raw, Mapping) or raw.get("Type") not in STATE_CLASSES:
            raise AslError(f"state {name!r} needs a Type, one of {', '.join(STATE_CLASSES)}", location=where)
        states[name], state_edges = _state_from_asl(raw, where)
        if state_edges:
            edges[name] = state_edges
    return StateMachine(
        start_at=definition.get("StartAt", ""),
        states=states,
        edges=edges,
        comment=definition.get("Comment"),
        version=definition.get("Version"),
        timeout_seconds=definition.get("TimeoutSeconds"),
        query_language=definition.get("QueryLanguage"),
    )


def _state_from_asl(raw: Mapping[str, Json], where: str) -> tuple[State, Edges]:
    cls = STATE_CLASSES[raw["Type"]]
    known = _KEYS[cls]
    kwargs: dict[str, Json] = {}
    edges: list[tuple[Transition, str]] = []
    for key, value in raw.items():
        field = known.get(key)
        if field is None:
            if key in ("Type", "End"):
                continue
            if key == "Next" and cls is not Choice:
                edges.append((Transition(kind="Next"), value))
                continue
            if key == "Default" and cls is Choice:
                edges.append((Transition(kind="Default"), value))
                continue
            if key == "Iterator" and cls is Map:
                kwargs["iterator_field"] = "Iterator"
                field = known["ItemProcessor"]
            else:
                raise AslError(f"{raw['Type']} states have no field {key!r}; remove it", location=f"{where}.{key}")
        match field.kind:
            case "value":
                kwargs[field.name] = value
            case "retry":
                kwargs[field.name] = tuple(
                    _part_from_asl(Retrier, r, f"{where}.Retry[{i}]") for i, r in enumerate(value)
                )
            case "catch":
                catchers = []
                for i, entry in enumerate(value):
                    catcher = _part_from_asl(Catcher, entry, f"{where}.Catch[{i}]")
                    catchers.append(catcher)
                    if "Next" in entry:
                        edges.append((Transition(kind="Catch", order=i, catcher=catcher), entry["Next"]))
                kwargs[field.name] = tuple(catchers)
            case "choices":
                rules = []
                for i, entry in enumerate(value):
                    rule = _rule_from_asl(entry, f"{where}.Choices[{i}]")
                    rules.append(rule)
                    if "Next" in entry:
                        edges.append((Transition(kind="Choice", order=i, rule=rule), entry["Next"]))
                kwargs[field.name] = tuple(rules)
            case "branches":
                kwargs[field.name] = tuple(
                    from_definition(branch, f"{where}.Branches[{i}].") for i, branch in enumerate(value)
                )
            case "processor":
                kwargs[field.name] = from_definition(value, f"{where}.{key}.")
                if "ProcessorConfig" in value:
                    kwargs["processor_config"] = value["ProcessorConfig"]
    # Transitions in ASL order: Choices[i] then Default; Next then Catch[i].
    edges.sort(key=lambda pair: (_RANK[pair[0].kind], pair[0].order))
    return cls(**kwargs), tuple(edges)


def _part_from_asl(cls: type[Retrier] | type[Catcher], raw: Mapping[str, Json], where: str) -> Any:
    known = _KEYS[cls]
    kwargs = {}
    for key, value in raw.items():
        if key == "Next" and cls is Catcher:
            continue
        field = known.get(key)
        if field is None:
            raise AslError(f"a {cls.__name__} has no field {key!r}; remove it", location=f"{where}.{key}")
        kwargs[field.name] = value
    return cls(**kwargs)


def _rule_from_asl(raw: Mapping[str, Json], where: str) -> ChoiceRule:
    condition_part = {k: v for k, v in raw.items() if k not in _RULE_OWN_KEYS}
    return ChoiceRule(
        condition=condition_from_rule(condition_part, where),
        assign=raw.get("Assign", ABSENT),
        output=raw.get("Output", ABSENT),
        comment=raw.get("Comment"),
    )


def condition_from_rule(rule: Mapping[str, Json], where: str = "") -> Condition:
    """Read an ASL Choice rule (without ``Next``/``Assign``/``Output``) as a ``Condition``."""
    comment = rule.get("Comment")
    if "Condition" in rule:
        return Expression(condition=rule["Condition"])
    if "And" in rule:
        return AllOf(
            conditions=[condition_from_rule(r, f"{where}.And[{i}]") for i, r in enumerate(rule["And"])],
            comment=comment,
        )
    if "Or" in rule:
        return AnyOf(
            conditions=[condition_from_rule(r, f"{where}.Or[{i}]") for i, r in enumerate(rule["Or"])],
            comment=comment,
        )
    if "Not" in rule:
        return Not(condition=condition_from_rule(rule["Not"], f"{where}.Not"), comment=comment)
    operators = [k for k in rule if k not in ("Variable", "Comment")]
    if "Variable" not in rule or len(operators) != 1:
        raise AslError(
            "a Choice rule needs Variable and exactly one comparison operator (e.g. NumericEquals), "
            "or And/Or/Not, or (JSONata) Condition",
            location=where,
        )
    operator = operators[0]
    return Compare(variable=rule["Variable"], operator=operator, value=rule[operator], comment=comment)
