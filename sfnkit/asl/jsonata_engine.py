"""jsonata-python's evaluator made to behave as the JavaScript JSONata 2.0.6 that AWS runs, and the frame an
evaluation starts from (``$states``, the workflow variables, AWS's functions).

:class:`Engine` overrides the operators where JavaScript and jsonata-python differ (numbers, ``&``, conditions,
``and``/``or``, ``in``, null items) and bounds function applications and sequence sizes; each thread evaluates with
its own :func:`current_engine`. :data:`OPERATORS` is one shared instance whose pure operator methods the compiled
closures call; :func:`function` is what ``$name`` means when no workflow variable hides it. See
``sfnkit/asl/jsonata.py`` for the list of differences and the tests that pin them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final

from sfnkit.asl.jsonata_functions import FUNCTIONS, REMOVED, FunctionError
from sfnkit.asl.jsonata_messages import retoken
from sfnkit.asl.jsonata_python import JException, Jsonata
from sfnkit.asl.jsonata_values import MAX_ITEMS, NULL, TooLarge, check_string, js_boolean, js_string, null_items

__all__ = ["MAX_APPLICATIONS", "OPERATORS", "Engine", "Root", "current_engine", "function"]

Json = Any

_MISSING: Final = object()

MAX_APPLICATIONS: Final = 1_000_000
_NUMBERS: Final = (int, float)  # exact types: bool is not a number


class Engine(Jsonata):  # type: ignore[misc]  # jsonata-python is untyped
    """jsonata-python's evaluator with JavaScript JSONata's operators and string conversion, and a bound on
    function applications (a tail-recursive loop would otherwise never end)."""

    applications = 0
    items = 0  # sequence items stepped over or allocated by ranges in this evaluation (bounded by MAX_ITEMS)

    def apply_procedure(self, proc: Any, args: Any) -> Any:
        self.applications += 1
        if self.applications > MAX_APPLICATIONS:
            raise FunctionError(
                f"The expression applied functions more than {MAX_APPLICATIONS} times; check for a recursion "
                "that never ends"
            )
        result = super().apply_procedure(proc, args)
        check_string(result)
        return result

    def _spend(self, items: int) -> None:
        self.items += items
        if self.items > MAX_ITEMS:
            raise TooLarge(
                f"The expression stepped over more than {MAX_ITEMS:,} sequence items, sfnkit's local bound on "
                "intermediate values (a state's data is at most 256 KiB on AWS)"
            )

    def evaluate_range_expression(self, lhs: Any, rhs: Any) -> Any:
        result = super().evaluate_range_expression(lhs, rhs)
        if result is not None:
            self._spend(len(result))
        return result

    def evaluate_step(self, expr: Any, input: Any, environment: Any, last_step: bool) -> Any:
        if isinstance(input, list):
            self._spend(len(input))
        return super().evaluate_step(expr, input, environment, last_step)

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        if type(lhs) not in _NUMBERS or type(rhs) not in _NUMBERS:
            return super().evaluate_numeric_expression(lhs, rhs, op)  # its type errors and undefined rules
        # Two numbers: what jsonata-python computes (in doubles, integral results as int), without its detours.
        left, right = float(lhs), float(rhs)
        if op == "+":
            result = left + right
        elif op == "-":
            result = left - right
        elif op == "*":
            result = left * right
        elif op == "/":
            result = left / right
        else:
            # jsonata-python truncates the remainder to an integer (5.5 % 2 gives 1); JavaScript gives 1.5.
            if right == 0:
                raise JException("D1001", -1, math.nan)
            result = math.fmod(left, right)
        if not math.isfinite(result):
            raise JException("D1001", 0, result)
        return int(result) if result.is_integer() else result

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> str:
        # & converts with $string: numbers to 15 significant digits in JavaScript's layout (1e15 is
        # "1000000000000000", where jsonata-python writes "1e+15").
        text = (js_string(lhs) or "") + (js_string(rhs) or "")
        check_string(text)
        return text

    def evaluate_condition(self, expr: Any, input: Any, environment: Any) -> Any:
        # JavaScript's truth of a value: a function is true (jsonata-python: false).
        if js_boolean(self.eval(expr.condition, input, environment)):
            return self.eval(expr.then, input, environment)
        if expr._else is not None:
            return self.eval(expr._else, input, environment)
        return None

    def evaluate_boolean_expression(self, lhs: Any, evalrhs: Callable[[], Any], op: Any) -> Any:
        left = bool(js_boolean(lhs))
        if left is (op == "or"):
            return left  # short circuit
        try:
            return bool(js_boolean(evalrhs()))
        except JException as error:
            retoken(error, str(op))  # JavaScript names the operator in errors from its right side
            raise

    def evaluate_name(self, expr: Any, input: Any, environment: Any) -> Any:
        # JSON null items of an array read from the data must stay null, not become undefined.
        result = super().evaluate_name(expr, input, environment)
        return null_items(result) if isinstance(result, list) else result

    def evaluate_includes_expression(self, lhs: Any, rhs: Any) -> bool:
        # JavaScript compares with ===: 1 in [true] is false (Python's == says True), objects match by identity.
        if lhs is None or rhs is None:
            return False
        return any(_strictly_equal(lhs, item) for item in (rhs if isinstance(rhs, list) else [rhs]))


def _strictly_equal(left: Any, right: Any) -> bool:
    """JavaScript's ``===`` on JSONata values."""
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


class _Engines(threading.local):
    engine: Engine | None = None


_ENGINES: Final = _Engines()


def current_engine() -> Engine:
    """This thread's evaluator (jsonata-python keeps per-evaluation state on the instance)."""
    engine = _ENGINES.engine
    if engine is None:
        engine = _ENGINES.engine = Engine("0")
    return engine


OPERATORS: Final = Engine("0")  # its operator methods are pure: shared by the compiled closures

_HOOKS: Final = frozenset({"__evaluate_entry", "__evaluate_exit"})


class Root(Jsonata.Frame):  # type: ignore[misc]  # jsonata-python is untyped
    """The root frame of one evaluation: ``$states``, the workflow variables, then the AWS functions.

    Variables are read from the caller's mapping on demand (no copying); ``:=`` bindings made at the top of the
    expression stay in this frame and never reach the workflow variables.
    """

    def __init__(self, states: Mapping[str, Json], variables: Mapping[str, Json]):
        super().__init__(_FUNCTIONS)
        self._states = states
        self._variables = variables

    def lookup(self, name: str) -> Any:
        value = self.bindings.get(name, _MISSING)
        if value is not _MISSING:
            return value
        if name in _HOOKS:
            # jsonata-python asks for these debugging hooks twice per node; answer without walking the chain.
            return None
        if name == "states":
            states = self._states
            # jsonata-python only looks fields up in real dicts.
            return states if type(states) is dict else dict(states)
        value = self._variables.get(name, _MISSING)
        if value is not _MISSING:
            if value is None:
                return NULL
            return null_items(value) if isinstance(value, list) else value
        return self.parent.lookup(name)


def _functions_frame() -> Jsonata.Frame:
    frame = Jsonata.Frame(Jsonata.static_frame)
    for name, function in FUNCTIONS.items():
        frame.bind(name, function)
    for name in REMOVED:
        # A binding to None makes the name undefined: calling it fails as calling any non-function does.
        frame.bindings[name] = None
    return frame


def function(name: str) -> Any:
    """The function the engine calls for ``$name`` when no workflow variable hides it."""
    return _FUNCTIONS.lookup(name)


_FUNCTIONS: Final = _functions_frame()
