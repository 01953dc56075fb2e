"""Compiling jsonata-python's tree of a simple JSONata expression into ``jsonata_closures``' closures, and the
analyses sfnkit makes of that tree (:class:`Tree`, :func:`simple_path`).

The texts ``jsonata_parser`` reads never get here; this is the route for the rest: :func:`compile_fast` returns
``None`` for anything beyond the closures' subset (lambdas, predicates other than literal indexes, bindings,
regular expressions, higher-order functions), which the engine then evaluates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import compress
from typing import Any, Final

from sfnkit.asl.jsonata_closures import (
    Closure,
    Path,
    array,
    binary,
    call,
    condition,
    constant,
    negate,
    path_lookup,
    record,
)
from sfnkit.asl.jsonata_python import Jsonata, Parser

__all__ = ["Tree", "compile_fast", "simple_path"]

# Parser bookkeeping every node has; any other attribute set (predicate, stages, group, focus, index, tuple,
# keep_array, ...) makes a node more than what is compiled here.
_OWNERS: Final = frozenset({"parser", "_outer_instance"})
_STRUCTURAL: Final = _OWNERS | {"bp", "lbp", "id", "position", "type", "value", "level"}


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
