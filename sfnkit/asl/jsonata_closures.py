"""The plain-Python closures sfnkit compiles the simple JSONata expressions most states use into, equal to the
engine's results.

Each builder takes the closures of an expression's parts: paths through objects (``$states.input.order.total``),
literals, arithmetic, comparisons, ``&``, ``and``/``or``, ``in``, conditions, unary minus, array constructors,
object constructors with literal keys and calls of pure functions (``$count``, ``$string``, ``$merge``, ...). They
call the engine's own operator methods and function objects, so results and errors are the engine's. Two front
ends build them: ``jsonata_parser`` from the text (most texts) and ``jsonata_fast`` from jsonata-python's tree. At
run time a closure raises :class:`NeedEngine` when the data needs JSONata's sequence rules (a path meets an array,
a name is not a variable), and the caller evaluates the expression with the engine instead.

Values inside follow jsonata-python: ``None`` is *undefined*, ``NULL`` is JSON ``null``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from sfnkit.asl.jsonata_messages import retoken
from sfnkit.asl.jsonata_python import JException, Jsonata, Utils
from sfnkit.asl.jsonata_values import NULL, check_string, js_boolean, null_items

__all__ = [
    "PURE_FUNCTIONS",
    "Closure",
    "NeedEngine",
    "Path",
    "array",
    "binary",
    "call",
    "condition",
    "constant",
    "lookup",
    "negate",
    "path_lookup",
    "record",
]

Json = Any
Closure = Callable[[Mapping[str, Json], Mapping[str, Json]], Any]
"""``closure(states, variables)`` → the expression's value (``None`` for undefined)."""

_MISSING: Final = object()


class NeedEngine(Exception):
    """The data needs the full JSONata engine (an array on a path, a name that is a function)."""


Path = tuple[str, tuple[tuple[str, tuple[int, ...]], ...]]
"""``$name`` and its steps: field names, each with the literal indexes that follow it (``items[0]``)."""


def lookup(
    path: Path,
    states: Mapping[str, Json],
    variables: Mapping[str, Json],
    *,
    for_engine: bool = True,
) -> Any:
    """A simple path by plain lookups, as JSONata evaluates it through objects.

    With *for_engine* an array's null items are converted as the engine needs them; a result that goes
    straight out as JSON (``for_engine=False``) is returned as it is, uncopied.

    Arrays of objects are mapped over as JSONata does (``$states.input.items.price``).

    Raises:
        NeedEngine: the path needs JSONata's sequence rules beyond that (nested arrays, predicates after an
            array), an index picks an array, or the name is not a variable (a function).
    """
    name, keys = path
    if name == "states":
        value: Any = states
    else:
        value = variables.get(name, _MISSING)
        if value is _MISSING:
            raise NeedEngine
    for step, (key, indexes) in enumerate(keys):
        kind = type(value)
        # dict and list first: the ABC check of Mapping costs more than the lookup itself.
        if kind is dict or (kind is not list and isinstance(value, Mapping)):
            value = value.get(key, _MISSING)
            if value is _MISSING:
                return None  # undefined
        elif kind is list or isinstance(value, list):
            return _map_fields(value, keys[step:], for_engine=for_engine)
        else:
            return None  # a field of a string, number, boolean or null: undefined
        for index in indexes:
            items = value if type(value) is list or isinstance(value, list) else [value]  # a value is a 1-item array
            position = index + len(items) if index < 0 else index
            if not 0 <= position < len(items):
                return None  # undefined
            value = items[position]
            if type(value) is list or isinstance(value, list):
                raise NeedEngine  # the engine splices an array item into the sequence
    if value is None:
        return NULL
    if for_engine and (type(value) is list or isinstance(value, list)):
        return null_items(value)
    return value


def _map_fields(array: list[Any], keys: tuple[tuple[str, tuple[int, ...]], ...], *, for_engine: bool) -> Any:
    """The rest of a path from an array of objects on, by JSONata's step rules: each step looks the field up in
    every item, a lone array result stays that array, otherwise array results are spliced into one sequence;
    a sequence of one item is the item, an empty one undefined."""
    current: list[Any] = array
    is_sequence = False  # the data's own array, until a step builds a new sequence
    for key, indexes in keys:
        if indexes:
            raise NeedEngine  # predicates apply per item
        results = []
        for item in current:
            if type(item) is dict:
                found = item.get(key, _MISSING)
                if found is not _MISSING:
                    results.append(found)
            elif isinstance(item, (list, Mapping)):
                raise NeedEngine  # nested arrays and other mappings: the engine's business
        if len(results) == 1 and type(results[0]) is list:
            current, is_sequence = results[0], False
        else:
            current, is_sequence = [], True
            for found in results:
                if type(found) is list:
                    current.extend(found)
                else:
                    current.append(found)
    if is_sequence:
        if not current:
            return None
        if len(current) == 1:
            return NULL if current[0] is None else current[0]
    if for_engine:
        return null_items(current)
    return current


def _operand(closure: Closure) -> Closure:
    """*closure* for a value used by an operator: arrays (sequences in JSONata) go to the engine."""

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        value = closure(states, variables)
        if isinstance(value, list):
            raise NeedEngine
        return value

    return evaluate


PURE_FUNCTIONS: Final = frozenset(
    {
        "string", "number", "length", "substring", "substringBefore", "substringAfter", "uppercase", "lowercase",
        "trim", "pad", "contains", "split", "join", "replace", "formatNumber", "formatBase", "formatInteger",
        "parseInteger", "floor", "ceil", "round", "abs", "sqrt", "power", "boolean", "not", "exists", "count", "sum",
        "max", "min", "average", "keys", "lookup", "append", "spread", "merge", "reverse", "distinct", "type",
        "base64encode", "base64decode", "encodeUrlComponent", "encodeUrl", "decodeUrlComponent", "decodeUrl",
        "toMillis", "fromMillis", "zip", "partition", "range", "hash", "parse",
    }
)  # fmt: skip
"""Functions that only compute from their arguments (no lambdas, clock, randomness or evaluation context)."""


# --------------------------------------------------------------------------------------------------------------
# Builders


def constant(value: Any) -> Closure:
    """A literal (``None`` is JSONata ``null``)."""
    constant = NULL if value is None else value
    return lambda states, variables: constant


def path_lookup(path: Path) -> Closure:
    """A simple path (:func:`lookup`); ``$states.input.v`` (no indexes) by a loop over dicts, the rest of the time
    (a list, another mapping or a scalar on the way) by :func:`lookup`."""
    name, keys = path
    if name != "states" or any(indexes for _, indexes in keys):
        return lambda states, variables: lookup(path, states, variables)
    fields = tuple(key for key, _ in keys)

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        value: Any = states
        for key in fields:
            if type(value) is not dict:
                return lookup(path, states, variables)
            value = value.get(key, _MISSING)
            if value is _MISSING:
                return None  # undefined
        if value is None:
            return NULL
        return null_items(value) if isinstance(value, list) else value

    return evaluate


def array(items: Sequence[tuple[Closure, bool]]) -> Closure:
    """``[a, b]`` of (item, whether the item is itself an array constructor): undefined items skipped, arrays
    spliced in, nested constructors kept whole (as the engine)."""

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        result: Any = Utils.JList()
        for closure, nested in items:
            value = closure(states, variables)
            if value is not None:
                # The engine's Functions.append, in place on our fresh array: arrays are spliced in.
                if not nested and isinstance(value, list):
                    result.extend(value)
                else:
                    result.append(value)
        return result

    return evaluate


def record(keys: Sequence[str], values: Sequence[Closure]) -> Closure | None:
    """``{'k': v}`` with literal keys: members whose value is undefined are left out (as the engine); ``None`` for a
    key written twice (the engine's D1009)."""
    if len(set(keys)) != len(keys):
        return None
    pairs = tuple(zip(keys, values, strict=True))

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        result = {}
        for key, closure in pairs:
            value = closure(states, variables)
            if value is not None:
                result[key] = value
        return result

    return evaluate


def call(
    name: str,
    closures: Sequence[Closure],
    position: int,
    operators: Jsonata,
    functions: Callable[[str], Any] | None,
    token: Any = None,
    *,
    items: Sequence[tuple[Closure, bool]] | None = None,
) -> Closure | None:
    """``$name(args)`` of a pure function: validated and applied as the engine does, results unwrapped alike;
    ``None`` for any other function. *position* and *token* are what the engine puts in the call's errors; *items*
    are those of the one argument when it is an array constructor (``$merge([a, b])`` merges them directly)."""
    if functions is None or name not in PURE_FUNCTIONS:
        return None
    function = functions(name)
    if function is None:
        return None
    if Utils.is_function(function):
        validate = function.validate  # what the engine's validate_arguments calls for a function object
    else:
        engine_validate = operators.validate_arguments
        validate = lambda values, context: engine_validate(function, values, context)  # noqa: E731
    is_sequence = Utils.is_sequence
    # $merge(a) of an array of objects (the signature <a<o>:o> holds): the objects' members in order, later ones
    # winning, as Functions.merge gives; anything else goes through the signature check below
    merges = name == "merge" and len(closures) == 1

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        if name in variables:
            raise NeedEngine  # a workflow variable of that name hides the function
        values = [closure(states, variables) for closure in closures]
        if merges:
            objects = values[0]
            if type(objects) is Utils.JList and all(type(item) is dict for item in objects):
                merged: dict[str, Any] = {}
                for item in objects:
                    merged.update(item)
                return merged
        try:
            result = function.call(None, validate(values, None))
        except JException as error:
            # What the engine's evaluate_function adds to errors out of a call.
            if error.location < 0:
                error.location = position
            if error.current is None:
                error.current = token
            raise
        check_string(result)
        # The engine's rule for every node: a sequence of one item is the item, an empty one is undefined.
        if result is not None and is_sequence(result) and not result.tuple_stream:
            if not result:
                return None
            if len(result) == 1 and not result.keep_singleton:
                return result[0]
        return result

    if name == "merge" and items is not None:
        return _merge(items, evaluate)
    return evaluate


def _merge(items: Sequence[tuple[Closure, bool]], general: Closure) -> Closure:
    """``$merge([a, b, ...])`` (the per-state ``$merge([$states.input, {...}])``): while every item is an object, the
    objects' members in order, later ones winning, as the engine's ``Functions.merge`` gives, without building the
    array; at the first item that is not, the *general* call evaluates the whole (the closures are pure: the same
    values and the same first error)."""

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        if "merge" in variables:
            raise NeedEngine  # a workflow variable of that name hides the function
        merged: dict[str, Any] = {}
        for closure, _ in items:
            value = closure(states, variables)
            if type(value) is dict:
                merged.update(value)
            elif value is not None:  # undefined items are left out of the array
                return general(states, variables)
        return merged

    return evaluate


def condition(test: Closure, then: Closure, otherwise: Closure | None) -> Closure:
    """``test ? then : otherwise`` (jsonata-python's tree also writes ``a ?: b`` and ``a ?? b`` as conditions)."""
    boolize = js_boolean

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        if boolize(test(states, variables)):
            return then(states, variables)
        return None if otherwise is None else otherwise(states, variables)

    return evaluate


def negate(inner: Closure, position: int) -> Closure:
    """Unary minus of anything but a number literal (which the parser folds into the literal)."""
    operand = _operand(inner)

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        value = operand(states, variables)
        if value is None:
            return None
        if Utils.is_numeric(value):
            return Utils.convert_number(-float(value))
        raise JException("D1002", position, "-", value)

    return evaluate


_METHODS: Final = {
    **dict.fromkeys(("+", "-", "*", "/", "%"), "evaluate_numeric_expression"),
    **dict.fromkeys(("=", "!="), "evaluate_equality_expression"),
    **dict.fromkeys(("<", "<=", ">", ">="), "evaluate_comparison_expression"),
}


def binary(op: str, left_closure: Closure, right_closure: Closure, operators: Jsonata) -> Closure | None:
    """``left op right`` with the engine's operator method; ``None`` for an operator beyond the subset."""
    left, right = _operand(left_closure), _operand(right_closure)
    if op in ("and", "or"):
        truth = js_boolean
        short_circuit = op == "or"  # the left value that decides alone

        def boolean(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
            if bool(truth(left(states, variables))) is short_circuit:
                return short_circuit
            try:
                return bool(truth(right(states, variables)))
            except JException as error:
                retoken(error, op)  # JavaScript names the operator in errors from its right side
                raise

        return boolean
    if op == "&":
        concat = operators.evaluate_string_concat
        return lambda states, variables: concat(left(states, variables), right(states, variables))
    if op == "in":
        includes = operators.evaluate_includes_expression
        return lambda states, variables: includes(left(states, variables), right(states, variables))
    name = _METHODS.get(op)
    if name is None:
        return None  # the range operator ".." and anything new
    method = getattr(operators, name)
    on_ints = _ON_INTS.get(op)
    if on_ints is not None:
        return _integers(op, on_ints, left_closure, right_closure, method)
    return lambda states, variables: method(left(states, variables), right(states, variables), op)


_EXACT: Final = 2**53  # integers a double holds exactly
_ON_INTS: Final = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _integers(op: str, on_ints: Callable[[int, int], Any], left: Closure, right: Closure, method: Any) -> Closure:
    """``left op right`` computed directly when both sides are integers (a counter, an index), where the engine's
    method gives the same: a comparison of two ints compares them as they are, and a sum, difference or product of
    integers a double holds exactly, exact itself, is what the engine's arithmetic in doubles returns. Any other
    value goes to the method, as in :func:`binary`."""
    arithmetic = op in ("+", "-", "*")

    def evaluate(states: Mapping[str, Json], variables: Mapping[str, Json]) -> Any:
        a = left(states, variables)
        if isinstance(a, list):
            raise NeedEngine
        b = right(states, variables)
        if isinstance(b, list):
            raise NeedEngine
        if type(a) is int and type(b) is int:
            if not arithmetic:
                return on_ints(a, b)
            if -_EXACT < a < _EXACT and -_EXACT < b < _EXACT:
                result = on_ints(a, b)
                if -_EXACT <= result <= _EXACT:
                    return result
        return method(a, b, op)

    return evaluate
