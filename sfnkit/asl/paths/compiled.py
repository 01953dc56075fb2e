"""Compiled paths: ``compile_path`` parses once into ``find(scope)``, with fast plain-subscript accessors."""

from __future__ import annotations

import functools
from collections.abc import Callable

import attrs

from sfnkit.asl.paths.evaluate import Missing, Spelling, chain
from sfnkit.asl.paths.parser import Parser
from sfnkit.asl.paths.tokens import ROOT_CONTEXT, ROOT_INPUT, Index, Name, Token, all_definite, arity
from sfnkit.asl.scope import Json, Scope
from sfnkit.errors import AslError


class PathNotFound(Exception):
    """A definite path matched nothing; ``reason`` is Jayway's explanation, as AWS quotes it."""

    def __init__(self, path: str, reason: str = ""):
        self.path = path
        self.reason = reason or f"No results for path: {path}"
        super().__init__(f"Invalid path '{path}' : {self.reason}")


def is_path(text: str) -> bool:
    """Whether *text* is spelled as an ASL path (starts with ``$``), rather than an intrinsic or a literal."""
    return text.startswith("$")


def _root_reader(kind: str, variable: str | None, text: str) -> Callable[[Scope], Json]:
    if kind == ROOT_INPUT:
        return _read_input
    if kind == ROOT_CONTEXT:
        return _read_context
    assert variable is not None
    name = variable

    def read_variable(scope: Scope) -> Json:
        try:
            return scope.variables[name]
        except KeyError:
            raise PathNotFound(text, f"The variable '{name}' is not defined") from None

    return read_variable


def _read_input(scope: Scope) -> Json:
    return scope.input


def _read_context(scope: Scope) -> Json:
    return scope.context


@attrs.frozen(eq=False)
class CompiledPath:
    """A parsed path; ``find(scope)`` selects from the input, the context object or a variable.

    Attributes:
        text: The path as written.
        is_definite: No wildcard, slice, filter, deep scan or union: the path names at most one value.
        is_reference: A reference path in ASL's sense: definite, names and indexes only (no function).
        root: ``"$"``, ``"$$"`` or ``"variable"``.
        variable: The variable's name when ``root == "variable"``.
        normalized: Jayway's normalised spelling (``$['a'][0]``), as AWS quotes it in causes.
    """

    text: str
    is_definite: bool
    is_reference: bool
    root: str
    variable: str | None
    normalized: str
    find: Callable[[Scope], Json] = attrs.field(repr=False)
    steps: tuple[Token, ...] = attrs.field(repr=False)


def compile_path(text: str, *, location: str = "") -> CompiledPath:
    """Parse an ASL path once into a fast accessor.

    >>> from sfnkit.asl.scope import Scope
    >>> compile_path("$.order['items'][-1]").find(Scope({"order": {"items": [1, 2, 3]}}))
    3

    Raises:
        AslError: the text is not a path AWS accepts; the message draws a caret under the bad character.
    """
    if not isinstance(text, str):
        raise AslError(f"A path must be a string starting with '$', not {text!r}.", location=location)
    try:
        return _compile_path(text)
    except AslError as error:
        raise error.at(location) from None


def input_keys(text: Json) -> tuple[str, ...] | None:
    """The names of a path that only walks the input by plain names (``$``, ``$.a``, ``$['a'].b``), else None.

    Such a path finds ``data[k1][k2]...`` whenever every step meets an object holding the name; a subscript that
    raises (``KeyError``, ``TypeError``) means Jayway's rules apply, so callers then use ``compile_path``.

    >>> input_keys("$.order['id']"), input_keys("$.items[0]"), input_keys("$$.State.Name")
    (('order', 'id'), None, None)
    """
    if not isinstance(text, str) or not text.startswith("$"):
        return None
    try:
        path = _compile_path(text)
    except AslError:
        return None
    if path.root != ROOT_INPUT:
        return None
    keys: list[str] = []
    for token in path.steps:
        match token:
            case Name(names) if len(names) == 1:
                keys.append(names[0])
            case _:
                return None
    return tuple(keys)


@functools.lru_cache(maxsize=8192)
def _compile_path(text: str) -> CompiledPath:
    """compile_path without a location; compiled paths are immutable, so one text compiles once per process."""
    parser = Parser(text, "")
    kind, variable = parser.root()
    steps = tuple(parser.tokens())
    definite = all_definite(steps)
    reference = definite and all(isinstance(t, Name | Index) and len(arity(t)) == 1 for t in steps)
    root_name = {"$": "$", "$$": "$", "variable": f"${variable}"}[kind]
    spelling = Spelling.of(steps, root_name)
    find = _build_find(text, kind, variable, steps, definite, spelling)
    return CompiledPath(
        text=text,
        is_definite=definite,
        is_reference=reference,
        root=kind,
        variable=variable,
        normalized=spelling.before[-1],
        find=find,
        steps=steps,
    )


def _build_find(
    text: str, kind: str, variable: str | None, steps: tuple[Token, ...], definite: bool, spelling: Spelling
) -> Callable[[Scope], Json]:
    read_root = _root_reader(kind, variable, text)
    if not steps:
        return read_root

    select = chain(steps, spelling)

    def slow(scope: Scope) -> Json:
        """Jayway's evaluation, with its error texts; the fast paths below fall back to it."""
        out: list[Json] = []
        root = read_root(scope)
        try:
            select(root, root, out)
        except Missing as missing:
            if not (definite or missing.invalid):
                return []
            raise PathNotFound(text, missing.reason) from None
        if not definite:
            return out
        if not out:
            raise PathNotFound(text, f"No results for path: {spelling.before[-1]}")
        return out[0]

    keys: list[str | int] = []
    for token in steps:
        match token:
            case Name(names) if len(names) == 1:
                keys.append(names[0])
            case Index(indexes) if len(indexes) == 1:
                keys.append(indexes[0])
            case _:
                return slow
    return _fast_find(kind, read_root, tuple(keys), slow)


def _fast_find(
    kind: str, read_root: Callable[[Scope], Json], keys: tuple[str | int, ...], slow: Callable[[Scope], Json]
) -> Callable[[Scope], Json]:
    """A reference path as plain subscripts; any miss falls back to *slow* for Jayway's exact error."""
    if all(isinstance(key, str) for key in keys):
        # node[key] on a str, list, number or None raises TypeError, never a wrong value.
        if kind == ROOT_INPUT and len(keys) == 1:
            (k0,) = keys

            def input_1(scope: Scope) -> Json:
                try:
                    return scope.input[k0]
                except (KeyError, TypeError):
                    return slow(scope)

            return input_1
        if kind == ROOT_INPUT and len(keys) == 2:
            k0, k1 = keys

            def input_2(scope: Scope) -> Json:
                try:
                    return scope.input[k0][k1]
                except (KeyError, TypeError):
                    return slow(scope)

            return input_2
        if kind == ROOT_INPUT and len(keys) == 3:
            k0, k1, k2 = keys

            def input_3(scope: Scope) -> Json:
                try:
                    return scope.input[k0][k1][k2]
                except (KeyError, TypeError):
                    return slow(scope)

            return input_3
        if kind == ROOT_CONTEXT and len(keys) == 2:
            k0, k1 = keys

            def context_2(scope: Scope) -> Json:
                try:
                    return scope.context[k0][k1]
                except (KeyError, TypeError):
                    return slow(scope)

            return context_2
        if kind == ROOT_CONTEXT and len(keys) == 3:
            k0, k1, k2 = keys

            def context_3(scope: Scope) -> Json:
                try:
                    return scope.context[k0][k1][k2]
                except (KeyError, TypeError):
                    return slow(scope)

            return context_3

        def names_n(scope: Scope) -> Json:
            try:
                node = read_root(scope)
                for key in keys:
                    node = node[key]
                return node
            except (KeyError, TypeError, PathNotFound):
                return slow(scope)

        return names_n

    def mixed_n(scope: Scope) -> Json:
        try:
            node = read_root(scope)
            for key in keys:
                # An index must meet a list: "abc"[0] would wrongly succeed on a string.
                if type(key) is int and type(node) is not list:
                    return slow(scope)
                node = node[key]
            return node
        except (KeyError, IndexError, TypeError, PathNotFound):
            return slow(scope)

    return mixed_n
