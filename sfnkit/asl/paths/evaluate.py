"""Path steps evaluated by Jayway's rules: tokens compiled into nested closures, with Jayway's error texts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Final

import attrs

from sfnkit.asl.paths.tokens import Filter, Function, Index, Name, Scan, Slice, Token, Wildcard, is_definite
from sfnkit.asl.scope import Json

MISSING: Final = object()  # a key that is absent (a present key may hold None)


@attrs.frozen
class Spelling:
    """Jayway's normalised spelling around each step, for its error messages.

    ``before[i]`` is the path up to step *i* (``$['a']``), ``after[i]`` the steps from *i* on (``[0]['b']``).
    """

    before: tuple[str, ...]
    after: tuple[str, ...]

    @classmethod
    def of(cls, steps: tuple[Token, ...], root_name: str) -> Spelling:
        fragments = [token.fragment() for token in steps]
        before = [root_name]
        for fragment in fragments:
            before.append(before[-1] + fragment)
        after = ["".join(fragments[i:]) for i in range(len(fragments) + 1)]
        return cls(tuple(before), tuple(after))


_Step = Callable[[Json, Json, list[Json]], None]
"""One compiled path step: ``step(node, root, out)`` appends what the rest of the path selects from *node*."""


def _emit(node: Json, _root: Json, out: list[Json]) -> None:
    out.append(node)


def chain(steps: tuple[Token, ...], spelling: Spelling) -> _Step:
    """Compile *steps* into nested closures, each knowing its successor and (statically) its strictness.

    A step is *strict* when every step before it is definite (Jayway's ``isUpstreamDefinite``): then a missing
    property on the way or a value of the wrong kind raises, with Jayway's text, instead of being skipped.
    """
    step: _Step = _emit
    for i in reversed(range(len(steps))):
        strict = all(is_definite(token, last=False) for token in steps[:i])
        step = _compile_step(steps, i, step, spelling, strict)
    return step


def _compile_step(steps: tuple[Token, ...], i: int, then: _Step, spelling: Spelling, strict: bool) -> _Step:
    token = steps[i]
    last = i + 1 == len(steps)
    match token:
        case Name(names) if len(names) == 1:
            (name,) = names
            missing_reason = f"Missing property in path {spelling.before[i + 1]}" if strict and not last else None

            def name_step(node: Json, root: Json, out: list[Json]) -> None:
                if type(node) is not dict and not isinstance(node, dict):
                    if strict:
                        raise _not_an_object(token, spelling.before[i], node)
                    return
                value = node.get(name, MISSING)
                if value is MISSING:
                    if missing_reason is not None:
                        raise Missing(missing_reason)
                    return
                then(value, root, out)

            return name_step
        case Name(names):
            if not last:
                reason = f"Multi properties can only be used as path leafs: {spelling.before[i + 1]}"

                def multi_name_not_last(node: Json, root: Json, out: list[Json]) -> None:
                    raise Missing(reason, invalid=True)

                return multi_name_not_last

            def merge_names(node: Json, root: Json, out: list[Json]) -> None:
                if not isinstance(node, dict):
                    if strict:
                        raise _not_an_object(token, spelling.before[i], node)
                    return
                out.append({name: node[name] for name in names if name in node})

            return merge_names
        case Index(indexes):

            def index_step(node: Json, root: Json, out: list[Json]) -> None:
                if not isinstance(node, list):
                    if strict:
                        raise _not_an_array(spelling, i, node)
                    return
                size = len(node)
                for index in indexes:
                    at = index + size if index < 0 else index
                    if 0 <= at < size:
                        then(node[at], root, out)

            return index_step
        case Slice(start, stop):
            window = slice(start, stop)

            def slice_step(node: Json, root: Json, out: list[Json]) -> None:
                if not isinstance(node, list):
                    if strict:
                        raise _not_an_array(spelling, i, node)
                    return
                for item in node[window]:
                    then(item, root, out)

            return slice_step
        case Wildcard():

            def wildcard_step(node: Json, root: Json, out: list[Json]) -> None:
                if isinstance(node, dict):
                    for child in list(node.values()):
                        then(child, root, out)
                elif isinstance(node, list):
                    for child in list(node):
                        then(child, root, out)

            return wildcard_step
        case Scan():
            return _scan_step(steps[i + 1], then)
        case Filter(test):

            def filter_step(node: Json, root: Json, out: list[Json]) -> None:
                # AWS: '@' matches objects only, never scalars (developer guide, Reference Paths).
                if isinstance(node, list):
                    for item in node:
                        if isinstance(item, dict) and test(item, root):
                            then(item, root, out)
                elif isinstance(node, dict):
                    if test(node, root):
                        then(node, root, out)
                elif strict:
                    raise Missing(
                        f"Filter: {spelling.after[i]} can not be applied to primitives. "
                        f"Current context is: {_java_string(node)}",
                        invalid=True,
                    )

            return filter_step
        case Function():

            def function_step(node: Json, root: Json, out: list[Json]) -> None:
                return  # AWS evaluates no path functions: nothing is found

            return function_step
        case _:
            raise AssertionError(token)


def _scan_step(first: Token, then_scan: _Step) -> _Step:
    """``..``: apply the following steps (*then_scan*, starting with *first*) at a node and every node below."""
    if isinstance(first, Name):
        wanted = first.names

        def applies(node: Json) -> bool:
            return isinstance(node, dict) and any(name in node for name in wanted)

    elif isinstance(first, Index | Slice):

        def applies(node: Json) -> bool:
            return isinstance(node, list)

    else:

        def applies(node: Json) -> bool:
            return True

    def scan(node: Json, root: Json, out: list[Json]) -> None:
        if not isinstance(node, dict | list):
            return
        if applies(node):
            then_scan(node, root, out)
        for child in list(node.values() if isinstance(node, dict) else node):
            scan(child, root, out)

    return scan


class Missing(Exception):
    """Internal: a step failed; carries Jayway's reason.

    ``invalid`` marks Jayway's InvalidPathException, which AWS reports even for an indefinite path; its
    PathNotFoundException only fails a definite path (an indefinite one then yields ``[]``) [AWS-observed].
    """

    def __init__(self, reason: str, *, invalid: bool = False):
        self.reason = reason
        self.invalid = invalid
        super().__init__(reason)


_JAVA_TYPE: Final = {
    bool: "java.lang.Boolean",
    int: "java.lang.Integer",
    float: "java.lang.Double",
    str: "java.lang.String",
    list: "net.minidev.json.JSONArray",
}


def _not_an_object(token: Name, prefix: str, node: Json) -> Missing:
    found = "null" if node is None else _JAVA_TYPE.get(type(node), type(node).__name__)
    return Missing(
        f"Expected to find an object with property {token.fragment()} in path {prefix} but found '{found}'. "
        "This is not a json object according to the JsonProvider: "
        "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'."
    )


def _not_an_array(spelling: Spelling, i: int, node: Json) -> Missing:
    if node is None:
        return Missing(f"The path {spelling.before[i]} is null")
    return Missing(
        f"Filter: {spelling.after[i]} can only be applied to arrays. Current context is: {_java_string(node)}"
    )


def _java_string(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
