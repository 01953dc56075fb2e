"""The Python-operator front end of conditions: data / result / ctx / var roots, Path, Predicate, ``jsonata()``.

``data.age >= 18`` builds a Predicate around the IR ``Compare("$.age", "NumericGreaterThanEquals", 18)``
(``sfnkit.conditions.ir``); the IR classes stay plain values (ordinary ``==``, truthy), the operators live only on
Path and Predicate.
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Any, Final

import attrs

from sfnkit.conditions.ir import AllOf, AnyOf, Compare, Condition, Expression, Not
from sfnkit.conditions.spelling import _IDENTIFIER, _matches_regex, jsonata_path, to_jsonata
from sfnkit.errors import ConditionError
from sfnkit.frozen import sparse

__all__ = ["Kind", "Path", "Predicate", "as_condition", "ctx", "data", "jsonata", "result", "to_timestamp", "var"]

_SUFFIX: Final = {
    "==": "Equals",
    "<": "LessThan",
    "<=": "LessThanEquals",
    ">": "GreaterThan",
    ">=": "GreaterThanEquals",
}


class Kind(enum.Enum):
    """The ASL operator family a comparison uses: ``StringEquals``, ``NumericEquals``, ..."""

    STRING = "String"
    NUMERIC = "Numeric"
    BOOLEAN = "Boolean"
    TIMESTAMP = "Timestamp"


# == builds a condition, so attrs must not write __eq__; no slots, so that data.x, once made, is found in the
# instance __dict__ without another __getattr__ round (a flow built in a loop asks for the same path every time).
@attrs.frozen(eq=False, slots=False)
class Path:
    """Where a value sits: ``data.order.total`` is the input's ``$.order.total``.

    Roots: ``data`` (the state input, ``$``), ``result`` (a Task's result, ``$`` in ``result_selector``/``assign``),
    ``ctx`` (the context object, ``$$``) and ``var`` (workflow variables, ``$name``). Comparing a path with a
    literal gives a :class:`Predicate` for ``when(...)``; the literal's Python type picks the operator family, or
    name it with ``.string``/``.number``/``.boolean``/``.timestamp``. A field whose name is an attribute of Path
    (``number``, ``matches``, ``root``, ``kind``, ``expression``...) is reached with ``data["number"]``;
    ``data.items[0]`` indexes arrays.
    """

    root: str  # "$", "$$", or "$" for var (then the first segment joins the root: "$total")
    segments: tuple[str | int, ...] = ()
    kind: Kind | None = None
    scope: str = "input"  # "input" | "result" | "context" | "variable": what the root means in JSONata
    expression: str = attrs.field(default="", repr=False)
    """The path as ASL JSONPath: ``$.order.total``, ``$$.Execution.Name``, ``$total``."""
    _children: dict[str | int, Path] = attrs.field(factory=dict, repr=False, init=False, alias="_children")

    def __attrs_post_init__(self) -> None:
        if not self.expression:
            object.__setattr__(self, "expression", _jsonpath(self.root, self.segments, self.scope))

    def __getattr__(self, name: str) -> Path:
        if name.startswith("_"):  # let copy, pickle and IPython probe safely
            raise AttributeError(name)
        child = self._child(name)
        object.__setattr__(self, name, child)  # next time, a plain attribute
        return child

    def __getitem__(self, key: str | int) -> Path:
        if isinstance(key, bool) or not isinstance(key, str | int):
            raise ConditionError(f"{self}[{key!r}]: index a path with a field name (str) or an array index (int)")
        return self._child(key)

    def _child(self, key: str | int) -> Path:
        # Paths are values, so data.x is made once and reused (flows built in loops ask for it many times).
        child = self._children.get(key)
        if child is None:
            segments = (*self.segments, key)
            child = Path(self.root, segments, None, self.scope, _jsonpath(self.root, segments, self.scope))
            self._children[key] = child
        return child

    def to_jsonata(self) -> str:
        """The path as a JSONata expression: ``$states.input.order.total``, ``$total``."""
        return jsonata_path(self.expression, result=self.scope == "result")

    def __str__(self) -> str:
        return self.expression

    def __repr__(self) -> str:
        return f"Path({self.expression!r})"

    # --- typing the path for path-vs-path comparisons -----------------------------------------------------------

    @property
    def string(self) -> Path:
        """This path, compared as a string (``StringEquals``...)."""
        return attrs.evolve(self, kind=Kind.STRING)

    @property
    def number(self) -> Path:
        """This path, compared as a number (``NumericEquals``...)."""
        return attrs.evolve(self, kind=Kind.NUMERIC)

    @property
    def boolean(self) -> Path:
        """This path, compared as a boolean (``BooleanEquals``)."""
        return attrs.evolve(self, kind=Kind.BOOLEAN)

    @property
    def timestamp(self) -> Path:
        """This path, compared as an RFC 3339 timestamp (``TimestampEquals``...)."""
        return attrs.evolve(self, kind=Kind.TIMESTAMP)

    # --- comparisons --------------------------------------------------------------------------------------------

    def __eq__(self, other: object) -> Predicate:  # type: ignore[override]
        if other is None:
            return self.is_null()
        if self.kind is None:  # the common case, as in _compare, without the call
            operator = _PLAIN_OPERATORS.get((type(other), "=="))
            if operator is not None:
                return Predicate(Compare(variable=self.expression, operator=operator, value=other))
        return self._compare("==", other)

    def __ne__(self, other: object) -> Predicate:  # type: ignore[override]
        return ~self.__eq__(other)

    def __lt__(self, other: object) -> Predicate:
        return self._compare("<", other)

    def __le__(self, other: object) -> Predicate:
        return self._compare("<=", other)

    def __gt__(self, other: object) -> Predicate:
        return self._compare(">", other)

    def __ge__(self, other: object) -> Predicate:
        return self._compare(">=", other)

    __hash__ = object.__hash__  # defining __eq__ would otherwise remove it

    def __bool__(self) -> bool:
        raise ConditionError.no_truth_value(self)

    # & and | bind tighter than comparisons in Python: data.x > 3 & data.y == "a" means
    # data.x > (3 & data.y) == "a", which reaches these with a path on one side.
    def __and__(self, other: object) -> Predicate:
        raise self._operand_error(self.expression, "&", other)

    def __rand__(self, other: object) -> Predicate:
        raise self._operand_error(other, "&", self.expression)

    def __or__(self, other: object) -> Predicate:
        raise self._operand_error(self.expression, "|", other)

    def __ror__(self, other: object) -> Predicate:
        raise self._operand_error(other, "|", self.expression)

    def _operand_error(self, left: object, op: str, right: object) -> ConditionError:
        if isinstance(left, Predicate | Path) or isinstance(right, Predicate | Path):
            return ConditionError(
                f"{self.expression} {op} ...: a path alone is not a condition; compare it (data.x == True) "
                "or test it (data.x.is_present())."
            )
        return ConditionError.precedence(str(left), op, str(right))

    def __invert__(self) -> Predicate:
        raise ConditionError(
            f"~{self.expression}: a path alone is not a condition; negate a comparison: ~(data.x == 1)."
        )

    def _compare(self, op: str, other: object) -> Predicate:
        if isinstance(other, Path):
            kind = self.kind or other.kind
            if kind is None:
                raise ConditionError.ambiguous(self.expression, op, other.expression)
            if kind is Kind.BOOLEAN and op != "==":
                raise ConditionError(f"{self.expression} {op} {other.expression}: booleans have no order; use ==.")
            return Predicate(
                Compare(variable=self.expression, operator=f"{kind.value}{_SUFFIX[op]}Path", value=other.expression)
            )
        if self.kind is None:
            # The common case, looked up in one step: an untyped path against an int, float or str literal.
            operator = _PLAIN_OPERATORS.get((type(other), op))
            if operator is not None:
                return Predicate(Compare(variable=self.expression, operator=operator, value=other))
        kind, value = _literal(self.expression, op, other, self.kind)
        return Predicate(Compare(variable=self.expression, operator=f"{kind.value}{_SUFFIX[op]}", value=value))

    # --- type tests and patterns --------------------------------------------------------------------------------

    def is_present(self, present: bool = True) -> Predicate:
        """The path exists in the input (ASL ``IsPresent``); the only test that is false, not an error, if not."""
        return self._test("IsPresent", present)

    def is_null(self, null: bool = True) -> Predicate:
        """The value is JSON ``null`` (ASL ``IsNull``)."""
        return self._test("IsNull", null)

    def is_string(self, string: bool = True) -> Predicate:
        """The value is a string (ASL ``IsString``)."""
        return self._test("IsString", string)

    def is_numeric(self, numeric: bool = True) -> Predicate:
        """The value is a number (ASL ``IsNumeric``)."""
        return self._test("IsNumeric", numeric)

    def is_boolean(self, boolean: bool = True) -> Predicate:
        """The value is ``true`` or ``false`` (ASL ``IsBoolean``)."""
        return self._test("IsBoolean", boolean)

    def is_timestamp(self, timestamp: bool = True) -> Predicate:
        """The value is an RFC 3339 timestamp string (ASL ``IsTimestamp``)."""
        return self._test("IsTimestamp", timestamp)

    def matches(self, pattern: str) -> Predicate:
        """The value is a string matching *pattern*, where ``*`` is any run of characters (``StringMatches``).

        ``\\*`` is a literal star and ``\\\\`` a literal backslash; nothing else is special.
        """
        if not isinstance(pattern, str):
            raise ConditionError(f"{self.expression}.matches({pattern!r}): the pattern must be a str, e.g. 'dr*'")
        _matches_regex(pattern, self.expression)  # reject a lone backslash now
        return Predicate(Compare(variable=self.expression, operator="StringMatches", value=pattern))

    def _test(self, operator: str, value: bool) -> Predicate:
        if not isinstance(value, bool):
            raise ConditionError(f"{self.expression}.{_snake(operator)}({value!r}) takes True or False")
        return Predicate(Compare(variable=self.expression, operator=operator, value=value))


def _snake(operator: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", operator).lower()


def _jsonpath(root: str, segments: tuple[str | int, ...], scope: str) -> str:
    parts = [root]
    for position, segment in enumerate(segments):
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif scope == "variable" and position == 0:
            if not _IDENTIFIER.match(segment):
                raise ConditionError(f"var[{segment!r}]: a variable name is an identifier, e.g. var.total")
            parts.append(segment)
        elif _IDENTIFIER.match(segment):
            parts.append(f".{segment}")
        else:
            parts.append("['" + segment.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(parts)


_PLAIN_OPERATORS: Final[dict[tuple[type, str], str]] = {
    (literal, op): f"{family}{suffix}"
    for literal, family in ((int, "Numeric"), (float, "Numeric"), (str, "String"))
    for op, suffix in _SUFFIX.items()
}


def _literal(left: str, op: str, value: object, kind: Kind | None) -> tuple[Kind, Any]:
    """The operator family and ASL value for comparing *left* with the Python literal *value*."""
    # bool before int: True is an int in Python but not a number in ASL.
    if isinstance(value, bool):
        found = Kind.BOOLEAN
    elif isinstance(value, int | float):
        found = Kind.NUMERIC
    elif isinstance(value, datetime.datetime):
        found, value = Kind.TIMESTAMP, to_timestamp(value)
    elif isinstance(value, str):
        found = Kind.TIMESTAMP if kind is Kind.TIMESTAMP else Kind.STRING
    else:
        raise ConditionError(
            f"Cannot compare {left} {op} {value!r}: ASL compares with a str, int, float, bool or datetime "
            "literal, or with another path (data.x.number == data.y)."
        )
    if kind is not None and kind is not found:
        raise ConditionError(
            f"Cannot compare {left} as {kind.value.lower()} with {value!r}, a {found.value.lower()} literal; "
            f"drop .{kind.name.lower()} or pass a matching literal."
        )
    if found is Kind.BOOLEAN and op != "==":
        raise ConditionError(f"{left} {op} {value!r}: booleans have no order; use == or !=.")
    return found, value


def to_timestamp(moment: datetime.datetime) -> str:
    """*moment* as an ASL timestamp (RFC 3339, UTC, ``Z``); a naive datetime is taken as UTC.

    >>> to_timestamp(datetime.datetime(2024, 1, 2, 3, 4, 5))
    '2024-01-02T03:04:05Z'
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


@sparse
@attrs.frozen(eq=True, slots=False)
class Predicate:
    """A condition under construction: combine with ``&`` (And), ``|`` (Or) and ``~`` (Not), then ``when(...)``.

    ``condition`` is the plain IR value. A Predicate refuses to be a Python bool, because ``if data.x > 1:``
    would be decided now, not when the state machine runs.
    """

    condition: Condition

    def __and__(self, other: object) -> Predicate:
        return Predicate(AllOf(conditions=(*_parts(self.condition, AllOf), *_parts(_as_condition(other, "&"), AllOf))))

    def __or__(self, other: object) -> Predicate:
        return Predicate(AnyOf(conditions=(*_parts(self.condition, AnyOf), *_parts(_as_condition(other, "|"), AnyOf))))

    def __invert__(self) -> Predicate:
        return Predicate(Not(condition=self.condition))

    def __rand__(self, other: object) -> Predicate:
        return Predicate(_as_condition(other, "&")) & self

    def __ror__(self, other: object) -> Predicate:
        return Predicate(_as_condition(other, "|")) | self

    def __bool__(self) -> bool:
        raise ConditionError.no_truth_value(self)

    def to_jsonata(self) -> str:
        """The condition as a JSONata expression (without ``{% %}``)."""
        return to_jsonata(self.condition)

    def __repr__(self) -> str:
        return f"Predicate({self.condition!r})"


def _parts(condition: Condition, cls: type[AllOf] | type[AnyOf]) -> tuple[Condition, ...]:
    # (a & b) & c is one And of three, as a user would write it in ASL.
    if isinstance(condition, cls) and condition.comment is None:
        return condition.conditions
    return (condition,)


def _as_condition(value: object, op: str) -> Condition:
    match value:
        case Predicate(condition=condition):
            return condition
        case Compare() | AllOf() | AnyOf() | Not() | Expression():
            return value
        case Path():
            raise ConditionError(
                f"{value.expression} {op} ...: a path alone is not a condition; compare it (data.x == True) "
                "or test it (data.x.is_present())."
            )
        case _ if op == "when":
            raise ConditionError(
                f"when({value!r}, ...): the condition is built from paths, e.g. when(data.total > 100, then=step), "
                "or jsonata('...')"
            )
        case _:
            raise ConditionError(
                f"Cannot combine a condition with {value!r} using {op}: both sides must be conditions such as "
                "data.x > 1. Parenthesise comparisons: (data.a > 1) & (data.b == 'x')."
            )


def as_condition(value: object) -> Condition:
    """The IR of *value*: a Predicate, an IR condition, or a ``{% ... %}`` JSONata string."""
    if isinstance(value, str):
        if value.startswith("{%") and value.endswith("%}"):
            return Expression(condition=value)
        raise ConditionError(
            f"when({value!r}, ...): a string is not a condition. Build it from paths in Python, e.g. "
            "when(data.x > 3, then=step) for $.x > 3, or pass JSONata text as jsonata('$states.input.x > 3') "
            "(or '{% ... %}')."
        )
    if isinstance(value, bool):
        return Expression(condition=value)
    if isinstance(value, Path):
        raise ConditionError(
            f"when({value.expression}, ...): a path alone is not a condition; compare it (data.x == True) or test "
            "it (data.x.is_present())."
        )
    return _as_condition(value, "when")


data: Final = Path("$")
"""The state input: ``data.order.total`` is ``$.order.total`` (JSONata: ``$states.input.order.total``)."""
result: Final = Path("$", scope="result")
"""A Task's result, where ASL gives it (``result_selector``, ``assign``; JSONata ``$states.result``)."""
ctx: Final = Path("$$", scope="context")
"""The context object: ``ctx.Execution.Name`` is ``$$.Execution.Name`` (JSONata ``$states.context...``)."""
var: Final = Path("$", scope="variable")
"""Workflow variables (set with ``assign=``): ``var.total`` is ``$total`` in both query languages."""


def jsonata(expression: str) -> Predicate:
    """A raw JSONata expression, as a condition for ``when(...)`` or a value (``arguments=``, ``output=``...).

    >>> jsonata("$states.input.total > 100").condition
    Expression(condition='{% $states.input.total > 100 %}')
    """
    if not isinstance(expression, str):
        raise ConditionError(f"jsonata() takes the expression text, not {expression!r}")
    text = expression.strip()
    if text.startswith("{%") and text.endswith("%}"):
        return Predicate(Expression(condition=text))
    return Predicate(Expression(condition="{% " + text + " %}"))
