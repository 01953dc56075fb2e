"""Plain-Python closures for the simple JSONata expressions most states use, equal to the engine's results.

Paths through objects (``$states.input.order.total``, ``$count``), literals, arithmetic, comparisons, ``=``,
``&``, ``and``/``or``, ``in``, ``?:``, unary minus, parentheses, array constructors, object constructors with
literal keys and calls of pure functions (``$count``, ``$string``, ``$merge``, ...) are compiled into closures
that call the engine's own operator methods and function objects, so results and errors are the engine's.
Anything else (lambdas, predicates other than literal indexes, bindings, regular expressions, higher-order
functions) is left to the engine: :func:`compile_fast` returns ``None``. At run time a closure raises
:class:`NeedEngine` when the data needs JSONata's sequence rules (a path meets an array, a name is not a
variable), and the caller evaluates the expression with the engine instead.

Values inside follow jsonata-python: ``None`` is *undefined*, ``NULL`` is JSON ``null``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress
from typing import Any, Final

from sfnkit.asl.jsonata_messages import retoken
from sfnkit.asl.jsonata_python import JException, Jsonata, Parser, Utils
from sfnkit.asl.jsonata_values import NULL, check_string, js_boolean, null_items

__all__ = [
    "Closure",
    "NeedEngine",
    "Path",
    "Tree",
    "array",
    "binary",
    "call",
    "compile_fast",
    "condition",
    "constant",
    "lookup",
    "negate",
    "path_lookup",
    "record",
    "simple_path",
]

Json = Any
Closure = Callable[[Mapping[str, Json], Mapping[str, Json]], Any]
"""``closure(states, variables)`` → the expression's value (``None`` for undefined)."""

_MISSING: Final = object()
# Parser bookkeeping every node has; any other attribute set (predicate, stages, group, focus, index, tuple,
# keep_array, ...) makes a node more than what is compiled here.
_OWNERS: Final = frozenset({"parser", "_outer_instance"})
_STRUCTURAL: Final = _OWNERS | {"bp", "lbp", "id", "position", "type", "value", "level"}


class NeedEngine(Exception):
    """The data needs the full JSONata engine (an array on a path, a name that is a function)."""


class Tree:
    """One walk over a parsed expression, for every analysis sfnkit makes of it: its nodes, and for each node the
    attributes it sets beyond the parser's bookkeeping (a jsonata-python node has some 55, nearly all empty)."""

    def __init__(self, ast: Any):
        self.ast = ast  # held, so that the ids keyed below stay those of live nodes
        self.nodes: list[Any] = []
        """Every node, each once (``%`` parent slots point back up the tree)."""
        self._extras: dict[int, frozenset[str]] = {}
        symbol, extras, nodes = Parser.Symbol, self._extras, self.nodes
        stack = [ast]
        while stack:
            node = stack.pop()
            if type(node) is list:
                stack.extend(node)
                continue
            if not isinstance(node, symbol) or id(node) in extras:
                continue
            names = []
            attributes = vars(node)
            # compress() skips the empty (falsy) attributes at C speed; only the few set ones are looked at. The
            # parser leaves an unused attribute None, False or []; 0 and "" occur only in the structural ones.
            for name in compress(attributes, attributes.values()):
                if name in _OWNERS:
                    continue
                value = attributes[name]
                if isinstance(value, (list, symbol)):
                    stack.append(value)
                if name not in _STRUCTURAL:
                    names.append(name)
            extras[id(node)] = frozenset(names)
            nodes.append(node)

    def plain(self, node: Any, *allowed: str) -> bool:
        """Whether *node* sets no attribute but its kind, value, position and the *allowed* ones."""
        return self._extras[id(node)].issubset(allowed)


Path = tuple[str, tuple[tuple[str, tuple[int, ...]], ...]]
"""``$name`` and its steps: field names, each with the literal indexes that follow it (``items[0]``)."""


def _indexes(step: Any, tree: Tree) -> tuple[int, ...] | None:
    """The literal index predicates of a step (``[0]``, ``[-1]``), or ``None`` if it has any other stage."""
    stages = getattr(step, "stages", None) or []
    indexes = []
    for stage in stages:
        expression = getattr(stage, "expr", None)
        if stage.type != "filter" or expression is None or expression.type != "number" or not tree.plain(expression):
            return None
        indexes.append(int(expression.value))  # jsonata-python's rounding of an index
    return tuple(indexes)


def simple_path(ast: Any, tree: Tree) -> Path | None:
    """``("states", (("input", ()), ("x", (0,))))`` for ``$states.input.x[0]``; ``None`` unless *ast* is
    ``$name`` followed by field names with literal indexes."""
    if ast.type == "variable":
        head, steps = ast, []
    elif ast.type == "path" and tree.plain(ast, "steps") and ast.steps and ast.steps[0].type == "variable":
        head, steps = ast.steps[0], ast.steps[1:]
    else:
        return None
    if head.value in ("", "$") or not tree.plain(head):
        return None
    keys = []
    for step in steps:
        indexes = _indexes(step, tree)
        if step.type != "name" or indexes is None or not tree.plain(step, "stages"):
            return None
        keys.append((str(step.value), indexes))
    return str(head.value), tuple(keys)


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


def compile_fast(
    ast: Any, tree: Tree, operators: Jsonata, functions: Callable[[str], Any] | None = None
) -> Closure | None:
    """A closure computing *ast* (jsonata-python's tree) with *operators*' methods, or ``None`` when *ast* is beyond
    this subset. *functions* resolves a function name to the function object the engine would call (``None``
    disables calls). ``jsonata_parser`` builds the same closures from the text without this tree."""
    kind = ast.type
    if kind in ("number", "string", "value"):
        return constant(ast.value) if tree.plain(ast) else None
    if kind in ("variable", "path"):
        path = simple_path(ast, tree)
        return None if path is None else path_lookup(path)
    if kind == "function":
        procedure = ast.procedure
        if functions is None or not tree.plain(ast, "procedure", "arguments") or procedure.type != "variable":
            return None
        if not tree.plain(procedure):
            return None
        nodes: list[Any] = ast.arguments or []
        items = _items(nodes[0], tree, operators, functions) if len(nodes) == 1 and _is_array(nodes[0], tree) else None
        arguments = [array(items)] if items is not None else _all(nodes, tree, operators, functions)
        if arguments is None:
            return None
        name, token = str(procedure.value), getattr(ast, "token", None)
        return call(name, arguments, ast.position, operators, functions, token, items=items)
    if _is_array(ast, tree):
        items = _items(ast, tree, operators, functions)
        return None if items is None else array(items)
    if kind == "unary" and ast.value == "{" and tree.plain(ast, "lhs_object"):
        pairs = ast.lhs_object or ()
        if not all(key.type == "string" and tree.plain(key) for key, _ in pairs):
            return None  # computed keys (and grouping) are the engine's
        values = _all([value for _, value in pairs], tree, operators, functions)
        return None if values is None else record([str(key.value) for key, _ in pairs], values)
    if not tree.plain(ast, "lhs", "rhs", "expression", "expressions", "condition", "then", "_else"):
        return None
    if kind == "block":
        return compile_fast(ast.expressions[0], tree, operators, functions) if len(ast.expressions) == 1 else None
    if kind == "condition":
        parts = _all([ast.condition, ast.then], tree, operators, functions)
        otherwise = None if ast._else is None else compile_fast(ast._else, tree, operators, functions)
        if parts is None or (ast._else is not None and otherwise is None):
            return None
        return condition(parts[0], parts[1], otherwise)
    if kind == "unary" and ast.value == "-":
        inner = compile_fast(ast.expression, tree, operators, functions)
        return None if inner is None else negate(inner, ast.position)
    if kind == "binary":
        sides = _all([ast.lhs, ast.rhs], tree, operators, functions)
        return None if sides is None else binary(str(ast.value), sides[0], sides[1], operators)
    return None


def _is_array(ast: Any, tree: Tree) -> bool:
    return bool(ast.type == "unary" and ast.value == "[" and tree.plain(ast, "expressions"))


def _items(
    ast: Any, tree: Tree, operators: Jsonata, functions: Callable[[str], Any] | None
) -> list[tuple[Closure, bool]] | None:
    """An array constructor's items for :func:`array`."""
    nodes = ast.expressions or ()
    closures = _all(nodes, tree, operators, functions)
    if closures is None:
        return None
    return list(zip(closures, [node.type == "unary" and node.value == "[" for node in nodes], strict=True))


def _all(
    nodes: Iterable[Any], tree: Tree, operators: Jsonata, functions: Callable[[str], Any] | None
) -> list[Closure] | None:
    closures = []
    for node in nodes:
        closure = compile_fast(node, tree, operators, functions)
        if closure is None:
            return None
        closures.append(closure)
    return closures


# --------------------------------------------------------------------------------------------------------------
# The closures, built from the closures of the parts (by compile_fast above and by jsonata_parser)


def constant(value: Any) -> Closure:
    """A literal (``None`` is JSONata ``null``)."""
    constant = NULL if value is None else value
    return lambda states, variables: constant


def path_lookup(path: Path) -> Closure:
    """A simple path (:func:`lookup`)."""
    return lambda states, variables: lookup(path, states, variables)


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
    return lambda states, variables: method(left(states, variables), right(states, variables), op)
