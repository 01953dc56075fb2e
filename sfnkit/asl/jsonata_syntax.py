"""A ``{% %}`` text parsed once: by sfnkit's own parser when it is within the fast subset, else by jsonata-python's,
with the checks AWS makes of a text's syntax and the analyses the plan needs.

AWS runs JSONata 2.0.6: the 2.1 operators jsonata-python accepts (``?:``, ``??``) are syntax errors, and a
JSONata state has no input document (no top-level ``$``, ``$$`` or field names). A text's :class:`Parsed` is shared
by every expression of that text, in validation and in the plan (:func:`parse` caches it).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, Final

import attrs

from sfnkit.asl.jsonata_closures import Closure, Path
from sfnkit.asl.jsonata_engine import OPERATORS, function
from sfnkit.asl.jsonata_fast import Tree, compile_fast, simple_path
from sfnkit.asl.jsonata_messages import jsonata_message
from sfnkit.asl.jsonata_parser import parse_fast
from sfnkit.asl.jsonata_python import JException, Jsonata, Parser, Tokenizer
from sfnkit.asl.jsonata_regex import javascript_regex
from sfnkit.asl.schema import is_expression

__all__ = ["CompileError", "Parsed", "parse", "parse_with_engine", "reads_context"]


class Parsed:
    """What compiling a JSONata text yields, whatever field it sits in: shared by every expression of that text.

    A text within ``jsonata_parser``'s subset is compiled to closures without jsonata-python's parser (the cost of a
    cold start); the engine's tree is parsed only when the closures need the engine (an array on a path, ...)."""

    __slots__ = ("_ast", "body", "fast", "path", "uses_context")

    def __init__(self, body: str, ast: Any, path: Path | None, fast: Closure | None, uses_context: bool):
        self.body = body
        self._ast = ast
        self.path = path
        self.fast = fast
        self.uses_context = uses_context

    def ast(self) -> Any:
        """jsonata-python's tree of the text (parsed now if the fast parser compiled it)."""
        ast = self._ast
        if ast is None:
            ast = self._ast = Jsonata(self.body, javascript_regex).ast
        return ast


@attrs.frozen
class CompileError:
    message: str
    position: int
    """Index in the text between the delimiters."""


@functools.lru_cache(maxsize=1024)  # a jsonata-python tree holds some 30 KiB: at most ~30 MiB for the process
def parse(body: str) -> Parsed | CompileError:
    """Parse and analyse the text between ``{%`` and ``%}`` once: validation and the plan compile the same texts,
    and machines repeat them (a thousand ``{% $v %}`` cost one parse). The tree and closures are never changed
    after this, so sharing them is safe (two threads may both parse a tree on first use; either result serves).
    A machine with more distinct texts than the cache holds parses its earliest ones again for the plan."""
    fast = parse_fast(body, OPERATORS, function)
    if fast is not None:
        return Parsed(body, None, fast.path, fast.closure, fast.uses_context)
    return parse_with_engine(body)


def parse_with_engine(body: str) -> Parsed | CompileError:
    """:func:`_parse` by jsonata-python's parser and analyses of its tree (every text beyond the fast subset)."""
    try:
        ast = Jsonata(body, javascript_regex).ast
    except JException as error:
        return CompileError(f"JSONata syntax error: {jsonata_message(error)}", _error_position(error, body))
    except Exception as error:  # jsonata-python's parser can fail with plain Python errors
        start = body.find("/*")
        if start >= 0 and "*/" not in body[start:]:
            return CompileError("JSONata syntax error: Comment has no closing tag", start)
        return CompileError(f"JSONata syntax error: {error}", 0)
    newer = _newer_operator(body)
    if newer is not None:
        return newer
    for node in _top_level_context_references(ast):
        if node.type == "variable":
            name = "$$" if node.value == "$" else "$"
            what = f"{name} cannot be used at the top level of a JSONata expression in Step Functions"
            fix = "Use $states.input instead."
        else:
            name = "*" if node.type == "wildcard" else "**" if node.type == "descendant" else str(node.value)
            what = f"the field name {name!r} at the top level of a JSONata expression reads the input document"
            fix = f"Use $states.input.{name} instead." if node.type == "name" else "Start the path at $states.input."
        end = int(getattr(node, "position", 0) or 0)
        return CompileError(f"{what}: JSONata states have no input document. {fix}", max(0, end - len(name)))
    tree = Tree(ast)
    return Parsed(body, ast, simple_path(ast, tree), compile_fast(ast, tree, OPERATORS, function), _reads_context(tree))


# JSONata 2.1's default (?:) and coalescing (??) operators: Step Functions implements the 2.0.6 specification
# (developer guide, "Transforming data with JSONata": "Supported JSONata version"), whose tokenizer reads each as two
# one-character operators and so fails on the second, unary, one
_NEWER_OPERATORS: Final = {"?:": (":", "(a ? a : b)"), "??": ("?", "($exists(a) ? a : b)")}
_OPERANDS: Final = frozenset({"name", "variable", "number", "string", "value", "regex"})


def _newer_operator(body: str) -> CompileError | None:
    """The error JSONata 2.0.6 reports for a ``?:`` or ``??`` that jsonata-python (2.1) has just parsed."""
    if "?:" not in body and "??" not in body:
        return None
    lexer = Tokenizer(body, javascript_regex)  # regexes as the parse that just succeeded read them
    infix = False  # after an operand a "/" divides; elsewhere it starts a regex, as in JSONata's parser
    try:
        while (token := lexer.next(infix)) is not None:
            newer = _NEWER_OPERATORS.get(token.value) if token.type == "operator" else None
            if newer is not None:
                symbol, fix = newer
                return CompileError(
                    f"JSONata syntax error: The symbol {symbol} cannot be used as a unary operator (Step Functions "
                    f"implements JSONata 2.0.6, which has no {token.value} operator: write a {token.value} b as "
                    f"{fix})",
                    token.position - 1,
                )
            infix = token.type in _OPERANDS or (token.type == "operator" and token.value in (")", "]", "}"))
    except Exception:  # this scan read a "/" otherwise than the parser did: the parser's reading stands
        return None
    return None


def reads_context(text: str) -> bool:
    """Whether *text* is a ``{% %}`` expression that may read ``$states.context`` (one that does not compile
    counts: its error is raised where the field is compiled).

    >>> reads_context("{% $states.input.a %}"), reads_context("{% $states.context.State.Name %}")
    (False, True)
    """
    if not is_expression(text):
        return False
    parsed = parse(text[2:-2]) if text[2:-2].strip() else None
    return not isinstance(parsed, Parsed) or parsed.uses_context


def _reads_context(tree: Tree) -> bool:
    """Whether ``$states.context`` may be read: ``$states`` appears other than as ``$states.<not context>...``."""
    safe: set[int] = set()
    for node in tree.nodes:
        steps = getattr(node, "steps", None) if node.type == "path" else None
        if steps and len(steps) > 1 and steps[0].type == "variable" and steps[0].value == "states":
            if steps[1].type == "name" and steps[1].value != "context" and not getattr(steps[0], "predicate", None):
                safe.add(id(steps[0]))
    return any(node.type == "variable" and node.value == "states" and id(node) not in safe for node in tree.nodes)


def _error_position(error: JException, body: str) -> int:
    """Index in *body* of the character a syntax error points at (JSONata reports the end of the token)."""
    location = error.location if isinstance(error.location, int) and error.location >= 0 else 0
    if error.error in ("S0203", "S0207") or location >= len(body):
        return min(location, len(body))
    return max(0, location - 1)


def _top_level_context_references(node: Any) -> Iterator[Any]:
    """``$``/``$$`` variables and field names that would read the (absent) input document (dg: "You cannot use
    $ or $$ at the top level", "You cannot use unqualified field names at top level").

    Only positions evaluated against the root context are searched: operands, array/object constructors,
    conditions, blocks, function arguments and the first step of a path. Predicates, later path steps and
    lambda bodies have their own context and are skipped.
    """
    if isinstance(node, list):
        for item in node:
            yield from _top_level_context_references(item)
        return
    if not isinstance(node, Parser.Symbol):
        return
    kind = getattr(node, "type", None)
    if kind == "variable" and node.value in ("", "$"):
        yield node
        return
    if kind == "path":
        steps = getattr(node, "steps", None) or []
        if steps and steps[0].type in ("name", "wildcard", "descendant"):
            yield steps[0]
        elif steps:
            yield from _top_level_context_references(steps[0])
        return
    if kind in ("name", "wildcard", "descendant"):
        yield node
        return
    if kind in ("lambda", "regex", "string", "number", "value", "parent"):
        return
    for attribute in (
        "lhs",
        "rhs",
        "expressions",
        "lhs_object",
        "condition",
        "then",
        "_else",
        "arguments",
        "procedure",
        "expression",
    ):
        child = getattr(node, attribute, None)
        if child is not None and child is not node:
            yield from _top_level_context_references(child)
