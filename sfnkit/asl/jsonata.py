"""JSONata ``{% ... %}`` expressions of JSONata states: compile once, evaluate against ``$states`` and variables.

Built on jsonata-python (a port of jsonata-java), made to behave like the JSONata 2.0.6 that AWS Step Functions
runs (JavaScript semantics). A thin layer fixes where the two differ — the evaluator's operators and root frame in
``jsonata_engine.py``, a text's syntax checks and analyses in ``jsonata_syntax.py``, results and errors here; each
fix has a test in ``tests/asl/test_jsonata.py``:

1. **null vs undefined.** jsonata-python returns both JSONata ``null`` and "no result" as ``None``. We keep its
   ``NULL_VALUE`` marker, so ``{% null %}`` and ``{% $states.input.x %}`` on ``{"x": null}`` give JSON ``null`` while
   a missing value is an *undefined* result (``States.QueryEvaluationError``). Workflow variables holding ``null``
   are bound as JSONata ``null``, and so are the null items of arrays read from the data (jsonata-python drops
   them from ``$map``, predicates and path steps: ``[1, null][$ = null]``).
2. **Numbers.** JavaScript has one number type, a double: an integral result prints as ``3``, not ``3.0``, and
   integers beyond 2**53 lose digits. Results are normalised to what JavaScript prints (``1.0`` → ``1``, ``-0`` →
   ``0``, ``2**60`` → ``1152921504606847000``); other floats stay floats.
3. **Sequences.** Results are plain ``list``/``dict`` values: jsonata-python's sequence subclasses (``JList``,
   ``RangeList``) are converted, nested ``null`` markers become ``None``.
4. **Error messages.** jsonata-python's catalogue says "Object" where JavaScript JSONata says "function" (e.g.
   ``Argument 1 of function "lowercase" does not match function signature``) and does not quote inserts the way
   JavaScript's ``JSON.stringify`` does; messages are rebuilt from JavaScript JSONata 2.0.6's catalogue. Its
   signature check reports every mismatch as "Argument 1" and lets ``null`` through as "missing"; ours names the
   argument and rejects ``null`` where a type is required (``$uppercase(null)`` is ``T0410``), as JavaScript does.
5. **Python exceptions.** Some failures surface as raw Python exceptions (``ZeroDivisionError`` for ``1/0``,
   ``OverflowError`` or a complex result from ``$power``, ``ValueError`` from ``$toMillis('x')``, ``TypeError``
   from ``$sort([1, 'a'])``, ``RecursionError``); they become ``States.QueryEvaluationError`` with JavaScript's
   code and message where one exists (``D1001``, ``D3061``, ``D3110``, ``D3070``, ``D1011``), the Python text
   otherwise.
6. **$number.** Python's ``float()`` accepts ``" 1"``, ``".5"``, ``"1_000"``, ``"NaN"``, ``"Infinity"`` and rejects
   ``"0b101"``/``"0o17"``; JSONata 2.0.6 is the other way round (``D3030``). ``$number(null)`` is ``T0410``.
7. **Equality and arithmetic.** jsonata-python truncates ``%`` to an integer (``5.5 % 2`` gives ``1``; JavaScript
   ``1.5``); ``in`` and ``$distinct`` use Python's ``==`` (``1 in [true]`` is true, ``$distinct([1, true])`` is
   ``[1]``), JavaScript keeps ``true`` and ``1`` apart. A function is true in ``?:``, ``and``/``or`` (JavaScript
   sees an object), false as the argument of ``$boolean``/``$not``; jsonata-python makes it false everywhere.
8. **$string and &.** Numbers are written to 15 significant digits in JavaScript's layout (``1e15`` is
   ``"1000000000000000"``, ``1e-7`` inside JSON is ``1e-7``), where jsonata-python writes ``"1e+15"``/``1e-07``.
9. **Functions AWS changes.** ``$eval`` is removed (dg: use ``$parse``); ``$random`` takes an optional seed;
   ``$partition``, ``$range``, ``$hash``, ``$uuid`` and ``$parse`` are added (``jsonata_functions.py``);
   ``$now``/``$millis`` read an injectable clock (:class:`Runtime`) once per evaluation, as JSONata does.
10. **No input document.** AWS evaluates with no context value (dg: no ``$``/``$$`` and no unqualified field names
    at the top level): they are rejected when the expression is compiled, with a caret (use ``$states.input``).
11. **Syntax errors** read as JavaScript writes them (``Expected ")", got 2``).
12. **Regex literals** mean what JavaScript's ``RegExp`` makes of them (``jsonata_regex.py``): ASCII ``\\d``,
    ``\\w``, ``\\b``; ``$`` at the very end; ``(?<name>...)``; ``[^]`` and ``[]``.
13. **$formatNumber** rounds half to even on the decimal digits, as JSONata's ``$round`` (``0.125`` with ``0.00``
    is ``"0.12"``; jsonata-python rounds the binary value half up: ``"0.13"``, and ``2.675`` → ``"2.67"``);
    ``$formatBase`` rounds its radix the same way (jsonata-python truncates); ``$replace`` with a string pattern
    replaces literally (jsonata-python expands ``$0`` in the replacement).

``tests/asl/test_jsonata_javascript.py`` checks all of this against JavaScript jsonata 2.0.6 itself when it is
installed (``tools/jsonata``).

Speed: simple paths (``$states.input.items[0].id``, ``$v.a``, ``$states.input.items.price`` over an array of
objects) are plain dict lookups, and expressions made of paths, literals, operators, conditions, constructors and
calls of pure functions run as plain-Python closures (``jsonata_closures.py``) that call the engine's own operator
methods and functions; everything else, and any data that needs more of JSONata's sequence rules, runs on the
engine. Such texts are compiled by sfnkit's own parser (``jsonata_parser.py``), several times faster than
jsonata-python's, which then parses a text only when its data needs the engine; any other text goes through
jsonata-python's parser (its tree compiled by ``jsonata_fast.py``). Property tests check the closures against the
engine and the two parsers against each other.

Known, not fixed: ``1/0`` fails with ``D1001`` (JavaScript computes ``Infinity``, which JSON writes as ``null``;
what AWS does is not recorded). When several parts of one expression fail, JavaScript may report another part's
error (its evaluation is asynchronous). An evaluation may apply functions at most a million times (a tail-recursive
loop would never end); AWS's own limit is not recorded. ``$base64encode``/``$base64decode`` use UTF-8, where
Node's JSONata uses Latin-1 (JSONata leaves non-Latin-1 text unspecified).

Causes are AWS's, recorded in ``../shared/conformance`` (see ``tests/asl/test_jsonata.py`` for each source):
``The JSONata expression '<expr>' specified for the field '<field>' returned nothing (undefined).`` and
``... returned an unexpected result type. Expected 'array', but was 'boolean' for value: true`` and
``... returned an unsupported result type.``; the interpreter prefixes them with
``An error occurred while executing the state '<S>' (entered at the event id #<n>). `` via
:meth:`QueryEvaluationError.in_state`. The cause for an error *thrown* by JSONata (``'a' + 1``) has no recording;
we use ``... threw an error during evaluation. T2001: The left side of the "+" operator must evaluate to a number``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

import attrs

from sfnkit.asl import jsonata_regex
from sfnkit.asl.failures import QUERY_EVALUATION_ERROR, StatesError
from sfnkit.asl.jsonata_closures import Closure, NeedEngine, Path, lookup
from sfnkit.asl.jsonata_engine import Root, current_engine
from sfnkit.asl.jsonata_functions import FunctionError, Runtime, bind_runtime
from sfnkit.asl.jsonata_messages import MESSAGES, jsonata_message
from sfnkit.asl.jsonata_python import JException, Jsonata
from sfnkit.asl.jsonata_syntax import CompileError, Parsed, parse, reads_context
from sfnkit.asl.jsonata_values import JsonType, NotJson, TooLarge, describe_value, json_type, to_json
from sfnkit.asl.schema import is_expression
from sfnkit.errors import AslError

__all__ = [
    "Expression",
    "JsonType",
    "QueryEvaluationError",
    "Runtime",
    "Template",
    "compile_expression",
    "compile_template",
    "describe_value",
    "is_expression",
    "json_type",
    "reads_context",
    "state_cause",
]

Json = Any


# --------------------------------------------------------------------------------------------------------------
# Errors


def state_cause(state: str, entered_event_id: int, detail: str) -> str:
    """AWS's cause for a JSONata failure in *state*: the state prefix, then *detail*.

    >>> state_cause("S", 2, "Boom.")
    "An error occurred while executing the state 'S' (entered at the event id #2). Boom."
    """
    return (
        f"An error occurred while executing the state '{state}' (entered at the event id #{entered_event_id}). {detail}"
    )


class QueryEvaluationError(StatesError):
    """``States.QueryEvaluationError`` from a JSONata field.

    ``cause`` is AWS's text without the state prefix until :meth:`in_state` adds it; ``field`` is AWS's
    ``location`` of the ``EvaluationFailed`` history event (``Output/result``, ``Arguments/FunctionName``).
    """

    def __init__(self, detail: str, *, field: str = ""):
        super().__init__(QUERY_EVALUATION_ERROR, detail)
        self.detail = detail
        self.field = field

    def in_state(self, state: str, entered_event_id: int) -> StatesError:
        """The same failure with AWS's full cause for *state*, entered at history event *entered_event_id*."""
        error = QueryEvaluationError(state_cause(state, entered_event_id, self.detail), field=self.field)
        error.detail = self.detail
        return error


# --------------------------------------------------------------------------------------------------------------
# Values


def _has_type(value: Json, expected: JsonType) -> bool:
    if expected == "integer":
        return json_type(value) == "number" and float(value).is_integer()
    return json_type(value) == expected


# --------------------------------------------------------------------------------------------------------------
# Expressions


@attrs.frozen(eq=False)
class Expression:
    """A compiled ``{% ... %}`` expression. Evaluate it with :meth:`evaluate`; it is never re-parsed."""

    text: str
    """The whole ``{% ... %}`` string, as written in the definition."""
    field: str
    """AWS's name for the field (``Output/result``), used in causes and ``EvaluationFailed.location``."""
    location: str
    """Where the text sits in the definition (``States.Charge.Output.result``), for compile-time errors."""
    _parsed: Parsed = attrs.field(repr=False)
    """The text's parse, shared by every expression of that text (it holds the engine's tree, made on first use)."""
    _path: Path | None = attrs.field(default=None, repr=False)
    """``$name.key.key`` without predicates: evaluated by plain lookups instead of the engine."""
    _fast: Closure | None = attrs.field(default=None, repr=False)
    """The expression as plain-Python closures when it is within ``jsonata_closures``' subset."""
    uses_context: bool = True
    """Whether the expression may read ``$states.context`` (callers can skip building it when not)."""

    @property
    def source(self) -> str:
        """The JSONata text between the delimiters, stripped (as AWS quotes it in causes)."""
        return self.text[2:-2].strip()

    def evaluate(
        self, states: Mapping[str, Json], variables: Mapping[str, Json], *, runtime: Runtime | None = None
    ) -> Json:
        """The JSON value of the expression with ``$states`` and workflow *variables* bound.

        Raises:
            QueryEvaluationError: the result is undefined or not JSON, or JSONata raised an error.
        """
        path = self._path
        fast = self._fast
        if path is None and fast is not None:  # (the common case first, without a call of _run)
            try:
                result = fast(states, variables)
            except NeedEngine:
                result = self._on_engine(states, variables, runtime)
            except Exception as error:
                raise self._failure(error) from None
        elif path is None:
            result = self._on_engine(states, variables, runtime)
        else:
            try:
                result = lookup(path, states, variables, for_engine=False)
            except NeedEngine:
                result = self._run(states, variables, runtime)
        if result is None:
            raise QueryEvaluationError(
                f"The JSONata expression '{self.source}' specified for the field '{self.field}' returned nothing "
                "(undefined).",
                field=self.field,
            )
        try:
            return to_json(result)
        except NotJson:
            raise self._unsupported() from None
        except OverflowError:  # an integer beyond any double (401 digits): JavaScript has no such number
            raise self._thrown("D1001", "Number out of range: Infinity") from None

    def evaluate_as(
        self,
        states: Mapping[str, Json],
        variables: Mapping[str, Json],
        expected: JsonType,
        *,
        runtime: Runtime | None = None,
    ) -> Json:
        """:meth:`evaluate`, then check the JSON type of the result (``Items`` must be an ``array``, ...)."""
        value = self.evaluate(states, variables, runtime=runtime)
        if not _has_type(value, expected):
            raise QueryEvaluationError(
                f"The JSONata expression '{self.source}' specified for the field '{self.field}' returned an "
                f"unexpected result type. Expected '{expected}', but was '{json_type(value)}' for value: "
                f"{describe_value(value)}",
                field=self.field,
            )
        return value

    def _run(self, states: Mapping[str, Json], variables: Mapping[str, Json], runtime: Runtime | None) -> Any:
        """The closures' value, or the engine's when they need it (a path that met an array)."""
        fast = self._fast
        if fast is not None:
            try:
                return fast(states, variables)
            except NeedEngine:
                pass
            except Exception as error:
                raise self._failure(error) from None
        return self._on_engine(states, variables, runtime)

    def _on_engine(self, states: Mapping[str, Json], variables: Mapping[str, Json], runtime: Runtime | None) -> Any:
        """The value jsonata-python's evaluator gives."""
        try:
            ast = self._parsed.ast()  # before the engine is made current below: jsonata-python's parse replaces it
        except Exception as error:
            raise self._failure(error) from None
        bind_runtime(runtime)
        engine = current_engine()
        engine.applications = engine.items = 0
        # jsonata-python evaluates with the thread's "current" instance (and its higher-order functions call back
        # into it): make that our engine for this evaluation, then put back whatever was there.
        current = Jsonata.CURRENT
        previous = getattr(current, "jsonata", None)
        current.jsonata = engine
        try:
            return engine.eval(ast, None, Root(states, variables))
        except Exception as error:
            raise self._failure(error) from None
        finally:
            if previous is None:
                del current.jsonata
            elif previous is not engine:
                current.jsonata = previous

    def _failure(self, error: Exception) -> StatesError:
        """The QueryEvaluationError for an exception out of the engine (JSONata's, or a Python one)."""
        match error:
            case StatesError():
                return error
            case JException():
                return self._thrown(error.error, jsonata_message(error))
            case FunctionError() | TooLarge():
                return self._thrown("", str(error))
            case ZeroDivisionError() | OverflowError():
                return self._thrown("D1001", "Number out of range: Infinity")
            case RecursionError():
                return self._thrown("D1011", MESSAGES["D1011"])
            case TimeoutError():  # from a BoundedPattern
                return self._thrown(
                    "",
                    f"A regular expression ran longer than sfnkit's local bound of {jsonata_regex.REGEX_SECONDS:g} s "
                    "(catastrophic backtracking); rewrite it without nested or overlapping repetition such as (a+)+",
                )
            case _:  # jsonata-python bugs must not escape as internal errors
                return self._thrown("", f"{type(error).__name__}: {error}")

    def _thrown(self, code: str, message: str) -> QueryEvaluationError:
        return QueryEvaluationError(
            f"The JSONata expression '{self.source}' specified for the field '{self.field}' threw an error during "
            f"evaluation. {code + ': ' if code else ''}{message}",
            field=self.field,
        )

    def _unsupported(self) -> QueryEvaluationError:
        return QueryEvaluationError(
            f"The JSONata expression '{self.source}' specified for the field '{self.field}' returned an unsupported "
            "result type.",
            field=self.field,
        )


def compile_expression(text: str, *, location: str = "", field: str = "") -> Expression:
    """Parse a whole ``{% ... %}`` string once.

    Args:
        text: the field's string, delimiters included.
        location: where it sits in the definition, for :class:`~sfnkit.errors.AslError`.
        field: AWS's name of the field in causes (``Output``, ``Assign/x``, ``Arguments/FunctionName``).

    Raises:
        AslError: not delimited by ``{%``/``%}``, a JSONata syntax error (caret at the offending character), or a
            top-level ``$``/``$$`` (there is no input document; use ``$states.input``).
    """
    if not is_expression(text):
        raise AslError(
            "a JSONata expression must start with '{%' and end with '%}', with nothing before or after",
            text=text,
            position=0,
            location=location,
        )
    body = text[2:-2]
    if not body.strip():
        raise AslError(
            "the JSONata expression is empty; write an expression between {% and %}",
            text=text,
            position=2,
            location=location,
        )
    parsed = parse(body)
    if isinstance(parsed, CompileError):
        raise AslError(parsed.message, text=text, position=2 + parsed.position, location=location)
    return Expression(
        text=text,
        field=field,
        location=location,
        parsed=parsed,
        path=parsed.path,
        fast=parsed.fast,
        uses_context=parsed.uses_context,
    )


# --------------------------------------------------------------------------------------------------------------
# Templates


@attrs.frozen(eq=False)
class _Object:
    pairs: tuple[tuple[str, _Node], ...]

    def evaluate(self, states: Mapping[str, Json], variables: Mapping[str, Json], runtime: Runtime | None) -> Json:
        return {key: node.evaluate(states, variables, runtime) for key, node in self.pairs}


@attrs.frozen(eq=False)
class _Array:
    items: tuple[_Node, ...]

    def evaluate(self, states: Mapping[str, Json], variables: Mapping[str, Json], runtime: Runtime | None) -> Json:
        return [node.evaluate(states, variables, runtime) for node in self.items]


@attrs.frozen(eq=False)
class _Constant:
    value: Json

    def evaluate(self, states: Mapping[str, Json], variables: Mapping[str, Json], runtime: Runtime | None) -> Json:
        return self.value  # shared, never copied: callers must not mutate results in place


@attrs.frozen(eq=False)
class _Evaluate:
    expression: Expression

    def evaluate(self, states: Mapping[str, Json], variables: Mapping[str, Json], runtime: Runtime | None) -> Json:
        return self.expression.evaluate(states, variables, runtime=runtime)


_Node = _Object | _Array | _Constant | _Evaluate


@attrs.frozen(eq=False)
class Template:
    """A compiled JSON value whose strings may be ``{% %}`` expressions at any depth.

    Used for ``Arguments``, ``Output``, ``Assign`` values, ``Items``, ``ItemSelector`` and every other field of a
    JSONata state. Sub-trees without expressions are returned as they are, not copied.
    """

    value: Json
    field: str
    _root: _Node = attrs.field(repr=False)
    _uses_context: bool = attrs.field(default=True, repr=False)
    _single: Expression | None = attrs.field(default=None, repr=False)  # the root, when it is one expression

    @property
    def expression(self) -> Expression | None:
        """The expression, when the whole template is one ``{% %}`` string (else ``None``)."""
        return self._root.expression if isinstance(self._root, _Evaluate) else None

    @property
    def uses_context(self) -> bool:
        """Whether any expression of the template may read ``$states.context``."""
        return self._uses_context

    @property
    def is_constant(self) -> bool:
        """Whether no part of the template is an expression."""
        return isinstance(self._root, _Constant)

    def evaluate(
        self, states: Mapping[str, Json], variables: Mapping[str, Json], *, runtime: Runtime | None = None
    ) -> Json:
        """The template's JSON value; raises :class:`QueryEvaluationError` as :meth:`Expression.evaluate` does."""
        single = self._single
        if single is not None:
            return single.evaluate(states, variables, runtime=runtime)
        return self._root.evaluate(states, variables, runtime)

    def evaluate_as(
        self,
        states: Mapping[str, Json],
        variables: Mapping[str, Json],
        expected: JsonType,
        *,
        runtime: Runtime | None = None,
    ) -> Json:
        """:meth:`evaluate`, then check the JSON type of the result (AWS's message when it is one expression)."""
        expression = self.expression
        if expression is not None:
            return expression.evaluate_as(states, variables, expected, runtime=runtime)
        value = self.evaluate(states, variables, runtime=runtime)
        if not _has_type(value, expected):
            raise QueryEvaluationError(
                f"The value specified for the field '{self.field}' has an unexpected type. Expected '{expected}', "
                f"but was '{json_type(value)}' for value: {describe_value(value)}",
                field=self.field,
            )
        return value


def compile_template(value: Json, *, location: str = "", field: str = "") -> Template:
    """Compile every ``{% %}`` string inside *value* once.

    Args:
        value: the field's JSON value.
        location: where it sits in the definition (``States.Charge.Arguments``); nested parts extend it.
        field: AWS's name of the field (``Arguments``); nested parts extend it with ``/key`` (AWS's
            ``Arguments/Input/pushLocation``) and ``/index`` for array items.

    Raises:
        AslError: an expression does not compile.
    """
    root = _compile_node(value, location, field)
    single = root.expression if isinstance(root, _Evaluate) else None
    return Template(value=value, field=field, root=root, uses_context=_node_uses_context(root), single=single)


def _node_uses_context(node: _Node) -> bool:
    match node:
        case _Constant():
            return False
        case _Evaluate(expression):
            return expression.uses_context
        case _Object(pairs):
            return any(_node_uses_context(child) for _, child in pairs)
        case _Array(items):
            return any(_node_uses_context(child) for child in items)
        case _:
            assert_never(node)


def _compile_node(value: Json, location: str, field: str) -> _Node:
    if isinstance(value, str):
        if is_expression(value):
            return _Evaluate(compile_expression(value, location=location, field=field))
        return _Constant(value)
    if isinstance(value, dict):
        pairs = tuple(
            (key, _compile_node(item, f"{location}.{key}" if location else key, f"{field}/{key}" if field else key))
            for key, item in value.items()
        )
        if all(isinstance(node, _Constant) for _, node in pairs):
            return _Constant(value)
        return _Object(pairs)
    if isinstance(value, list):
        items = tuple(
            _compile_node(item, f"{location}[{index}]", f"{field}/{index}" if field else str(index))
            for index, item in enumerate(value)
        )
        if all(isinstance(node, _Constant) for node in items):
            return _Constant(value)
        return _Array(items)
    return _Constant(value)
