"""ASL -> Python: ``to_python(machine)`` writes the sfnkit source that builds the same state machine.

The source is idiomatic DSL: ``@lambda_fn`` stubs for Lambda tasks, the service helpers where they fit and
``task()`` for the rest, conditions as Python operators, fragments for Parallel branches and Map processors,
``goto()`` for joins and loops. Before it is returned it is executed, and the machine it builds is exported and
compared with the definition: a state the idiomatic spelling gets wrong is written again the literal way, and a
definition the DSL cannot build at all becomes a module that embeds the definition and reads it with ``from_asl``,
its docstring naming the state and the construct, with the closest DSL code as a function ``closest_dsl()``. So
the code is never wrong: ``to_asl()`` of the machine it builds equals the definition.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any, Final

from sfnkit.asl.codec import from_asl, to_asl
from sfnkit.codegen.lambdas import handler_stubs, lambda_calls
from sfnkit.codegen.steps import Writer
from sfnkit.codegen.values import identifier, py_json, py_str
from sfnkit.errors import DefinitionError
from sfnkit.machine import StateMachine

__all__ = ["to_python"]

Json = Any
# Each failed check makes one more state literal; a definition needs at most a few (a bound, not a budget).
_ATTEMPTS: Final = 12
_VARIABLE: Final = "machine"
_DEFINITION: Final = "DEFINITION"
_LAMBDAS: Final = "LAMBDAS"
_DRAFT: Final = "closest_dsl"
_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,80}")


def to_python(
    source: StateMachine | Mapping[str, Json] | str | os.PathLike[str],
    *,
    name: str | None = None,
    format: bool = True,
) -> str:
    """The sfnkit source of *source* (a machine, or ASL as ``from_asl`` takes it); it defines ``machine``.

    ``name`` is the workflow name (default: the machine's name, or the file's: ``orders.asl.json`` -> ``orders``,
    else ``"StateMachine"``). With ``format`` the source goes through black when it is installed (``pip install
    "sfnkit[codegen]"``); without black it is returned unformatted, still valid. An invalid definition raises
    ``ValidationError``, as ``from_asl`` does.
    """
    machine = source if isinstance(source, StateMachine) else from_asl(source)
    definition = to_asl(machine)
    title = name or machine.name or _file_title(source) or "StateMachine"
    if not isinstance(title, str) or not _NAME.fullmatch(title):
        raise DefinitionError(f"to_python(name={name!r}): a state machine name is 1-80 letters, digits, - and _")
    plain: set[str] = set()
    code, why = "", "the DSL does not build this definition"
    for _ in range(_ATTEMPTS):
        writer = Writer(machine, frozenset(plain), {_VARIABLE, _DEFINITION, _LAMBDAS, "from_asl", _DRAFT})
        flow = writer.flow()
        if writer.problems:
            code = _embedded(title, machine, definition, writer.problems, (writer, flow))
            break
        code = _module(title, machine, writer, flow)
        mismatch = _check(code, definition)
        if mismatch is None:
            break
        state, why = mismatch
        if state is None or state in plain:
            code = _embedded(title, machine, definition, [(state or "", why)], (writer, flow) if state else None)
            break
        plain.add(state)
    else:  # more states than _ATTEMPTS differ from their idiomatic spelling: the last one is named
        code = _embedded(title, machine, definition, [("", why)], None)
    return _format(code) if format else code


def _file_title(source: object) -> str | None:
    """A workflow name from the name of the file *source* names, if it names one (a ``Path``: a str is JSON text)."""
    if not isinstance(source, os.PathLike):
        return None
    stem = os.path.basename(os.fspath(source))
    for suffix in (".json", ".asl"):
        stem = stem.removesuffix(suffix)
    title = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:80]
    return title or None


def _module(title: str, machine: StateMachine, writer: Writer, flow: str, draft: str = "") -> str:
    """The module that builds *machine* with the DSL (or, with *draft*, defines that function to build it)."""
    options = [py_str(title), flow]
    for key in ("comment", "timeout_seconds", "query_language", "version"):
        value = getattr(machine, key)
        if value is not None:
            options.append(f"{key}={py_json(value)}")
    build = f"{writer.imports.use('workflow')}({', '.join(options)})"
    parts = [
        f'"""The state machine {title}, written as sfnkit code by sfnkit.to_python."""\n',
        "\n".join(writer.imports.lines()) + "\n",
    ]
    parts.extend(stub.source() for stub in writer.lambdas.values())
    unbound = writer.unbound()
    if unbound or (draft and writer.lambdas):
        bound = {stub.function_name: stub.identifier for stub in writer.lambdas.values()} if draft else {}
        parts.append(handler_stubs(unbound, writer.identifier, bound))
    if writer.fragments:
        parts.append("".join(f"{identifier} = {source}\n" for identifier, source in writer.fragments))
    if draft:
        parts.append(f'def {_DRAFT}():\n    """{draft}"""\n    return {build}\n')
    else:
        parts.append(f"{_VARIABLE} = {build}\n")
    return "\n\n".join(parts)


def _embedded(
    title: str,
    machine: StateMachine,
    definition: Json,
    problems: list[tuple[str, str]],
    closest: tuple[Writer, str] | None,
) -> str:
    """A module that reads *definition* with ``from_asl``, saying why, after the *closest* DSL code if it builds."""
    reasons = "\n".join(f"- {state}: {why}" if state else f"- {why}" for state, why in problems)
    literal = py_json(definition)
    try:
        compile(literal, "<definition>", "eval")
    except (SyntaxError, RecursionError, MemoryError):  # nested deeper than Python's parser takes: keep the JSON text
        literal = py_str(json.dumps(definition, ensure_ascii=False))
    ending = f"{_DEFINITION} = {literal}\n\n{_VARIABLE} = from_asl({_DEFINITION})\n"
    draft = ""
    if closest is not None:
        writer, flow = closest
        draft = _module(
            title, machine, writer, flow, "The closest DSL version of the definition: it differs as listed above."
        )
        try:
            namespace: dict[str, Any] = {}
            exec(compile(draft, "<sfnkit.to_python>", "exec"), namespace)
            namespace[_DRAFT]()
        except Exception:  # the nearest code does not build either: leave it out
            draft = ""
    head = f'"""The state machine {title}, read from its ASL: the sfnkit DSL cannot build it as written.\n\n{reasons}\n'
    if draft:
        head += f"\n{_DRAFT}() builds the closest DSL version; `{_VARIABLE}` is the definition itself.\n"
        body = draft.split("\n\n", 1)[1].replace("from sfnkit import ", "from sfnkit import from_asl, ", 1)
        return f'{head}"""\n\n{body}\n\n{ending}'
    calls = lambda_calls(machine)
    taken = {_VARIABLE, _DEFINITION, _LAMBDAS, "from_asl"}
    stubs = handler_stubs(calls, lambda wanted: identifier(wanted, taken), {}) + "\n\n" if calls else ""
    return f'{head}"""\n\nfrom sfnkit import from_asl\n\n\n{stubs}{ending}'


def _check(code: str, definition: Json) -> tuple[str | None, str] | None:
    """None if *code* builds *definition*; else the state that differs (if one does) and how."""
    namespace: dict[str, Any] = {"__name__": "sfnkit_generated"}
    try:
        compiled = compile(code, "<sfnkit.to_python>", "exec")
    except (SyntaxError, RecursionError, MemoryError) as error:
        return None, f"Python cannot read the code the DSL would need ({error})"
    try:
        exec(compiled, namespace)
        built = to_asl(namespace[_VARIABLE], validate=False)
    except Exception as error:  # the DSL refused it: report what it said
        return None, f"the DSL refuses it: {error}"
    path = _difference(definition, built, [])
    if path is None:
        return None
    return _blame(definition, built, path)


def _difference(want: Json, got: Json, path: list[str | int]) -> list[str | int] | None:
    if type(want) is not type(got):
        return path
    if isinstance(want, dict):
        if want.keys() != got.keys():
            return path
        for key in want:
            found = _difference(want[key], got[key], [*path, key])
            if found is not None:
                return found
        return None
    if isinstance(want, list):
        if len(want) != len(got):
            return path
        for position, (one, other) in enumerate(zip(want, got, strict=True)):
            found = _difference(one, other, [*path, position])
            if found is not None:
                return found
        return None
    return None if want == got else path


def _blame(want: Json, got: Json, path: list[str | int]) -> tuple[str | None, str]:
    state: str | None = None
    mine, theirs = want, got
    for position, key in enumerate(path):
        if path[position - 1] == "States" and position > 0 and isinstance(key, str):
            state = key
        mine, theirs = mine[key], theirs[key]
    text = "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in path).lstrip(".")
    if isinstance(mine, dict) and isinstance(theirs, dict):
        missing = {key: mine[key] for key in mine if key not in theirs}
        added = {key: theirs[key] for key in theirs if key not in mine}
        if path and path[-1] == "States":
            odd = sorted([*missing, *added])[0]
            if odd.endswith(".Payload") and odd[: -len(".Payload")] in mine:
                odd = odd[: -len(".Payload")]  # the Pass @lambda_fn adds after a Lambda task
            return odd, f"{text}: the DSL builds the states {sorted(theirs)}, the definition has {sorted(mine)}"
        if missing:
            return state, f"{text}: the DSL cannot write {_short(missing)[1:-1]} here"
        return state, f"{text}: the DSL also writes {_short(added)[1:-1]}"
    return state, f"{text or 'the definition'}: the DSL builds {_short(theirs)} where the definition has {_short(mine)}"


def _short(value: Json) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _format(code: str) -> str:
    try:
        import black
    except ImportError:  # the optional extra is not installed: the code stays valid, only less pretty
        return code
    return black.format_str(code, mode=black.Mode())
