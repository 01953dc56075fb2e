"""Mocked Task answers as values: ``Return``, ``Throw``, ``MockedResponse`` (one answer per invocation) and
``PerIteration`` (one answer per Map item). Each is a mock for ``run(..., mocks={state: mock})``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.asl.scope import Json
from sfnkit.engine.mocks import Mock, TaskCall
from sfnkit.lambdas import json_copy

__all__ = ["MockedResponse", "PerIteration", "Return", "Throw", "per_iteration", "sequence"]


def _json_value(value: Json) -> Json:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"a mocked Return must be a JSON value: {exc}") from None


@attrs.frozen
class Return:
    """Answer with *value* as the Task's result (what the service returned, before ``ResultSelector``).

    For ``arn:aws:states:::lambda:invoke`` that is the whole Invoke response, so a ``@lambda_fn`` step
    (``OutputPath: $.Payload``) needs ``Return({"Payload": ...})`` — or ``Return.payload(...)``.
    """

    value: Json = attrs.field(converter=_json_value)

    @classmethod
    def payload(cls, value: Json, status_code: int = 200) -> Return:
        """A Lambda Invoke response returning *value*: ``{"StatusCode": 200, "Payload": value}``."""
        return cls({"StatusCode": status_code, "Payload": value})

    def __call__(self, call: TaskCall) -> Json:
        return json_copy(self.value)


@attrs.frozen
class Throw:
    """Fail the attempt with *error* and *cause*, as the service would: Retry and Catch match *error*."""

    error: str = attrs.field(validator=attrs.validators.instance_of(str))
    cause: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )

    def __call__(self, call: TaskCall) -> Json:
        raise StatesError(self.error, self.cause)


def _as_mock(value: Any, where: str) -> Mock:
    if not callable(value):
        raise TypeError(f"{where} is {value!r}, not a mock: write Return(value), Throw(error, cause) or a function")
    return value  # type: ignore[no-any-return]


def _describe(indexes: Iterable[int]) -> str:
    """``0-2, 4`` for 0, 1, 2, 4."""
    spans: list[list[int]] = []
    for i in sorted(indexes):
        if spans and spans[-1][1] == i - 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans) or "none"


def _by_invocation(answers: Mapping[int, Mock]) -> Mapping[int, Mock]:
    return MappingProxyType(dict(sorted(answers.items())))


@attrs.frozen
class MockedResponse:
    """One answer per invocation: the state's Nth invocation (from 0, retries included) gets ``answers[N]``.

    An invocation with no answer fails the execution (``States.Runtime``), as Step Functions Local does when a
    mocked Task runs out of responses.
    """

    answers: Mapping[int, Mock] = attrs.field(converter=_by_invocation)
    name: str = ""

    def __call__(self, call: TaskCall) -> Json:
        answer = self.answers.get(call.invocation)
        if answer is None:
            label = f"the mocked response {self.name!r}" if self.name else "its mock"
            raise StatesError(
                RUNTIME,
                f"State '{call.state}' was invoked for the {_ordinal(call.invocation)} time (invocation "
                f"{call.invocation}), but {label} answers invocations {_describe(self.answers)} only: add an answer "
                f'for it (in a MockConfigFile, a key "{call.invocation}" or a range that covers it).',
            )
        return answer(call)


def _ordinal(n: int) -> str:
    number = n + 1
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def sequence(*answers: Mock) -> MockedResponse:
    """The first invocation gets the first answer, the second the second, ...: ``sequence(Throw(...), Return(...))``."""
    if not answers:
        raise TypeError("sequence() needs at least one answer, e.g. sequence(Throw('Err', 'cause'), Return({}))")
    return MockedResponse({i: _as_mock(a, f"sequence() answer {i}") for i, a in enumerate(answers)})


@attrs.frozen
class PerIteration:
    """One answer per Map item: item *i*'s invocations get ``answers[i]`` (or ``default``).

    An answer may be a ``sequence(...)``: it is then indexed by the attempt within the item (``$$.State.RetryCount``),
    so ``{2: sequence(Throw("Busy"), Return(...))}`` fails item 2's first attempt and lets its retry succeed.
    """

    answers: Mapping[int, Mock]
    default: Mock | None = None

    def __call__(self, call: TaskCall) -> Json:
        if call.iteration is None:
            raise StatesError(
                RUNTIME, f"State '{call.state}' has a per-iteration mock but does not run inside a Map iteration."
            )
        answer = self.answers.get(call.iteration, self.default)
        if answer is None:
            raise StatesError(
                RUNTIME,
                f"State '{call.state}' ran for Map item {call.iteration}, but its per-iteration mock answers items "
                f"{_describe(self.answers)} only and has no default=.",
            )
        if isinstance(answer, MockedResponse):
            call = attrs.evolve(call, invocation=call.retry_count)
        return answer(call)


def per_iteration(answers: Mapping[int, Any] | Iterable[Any], *, default: Any = None) -> PerIteration:
    """Answers by Map item index: ``per_iteration([Return(a), Throw("Bad")])`` or ``per_iteration({3: ...},
    default=Return(...))``."""
    pairs = answers.items() if isinstance(answers, Mapping) else enumerate(answers)
    checked: dict[int, Mock] = {}
    for index, answer in pairs:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise TypeError(f"per_iteration() keys are Map item indexes (0, 1, ...), got {index!r}")
        checked[index] = _as_mock(answer, f"per_iteration() answer for item {index}")
    return PerIteration(checked, None if default is None else _as_mock(default, "per_iteration(default=)"))
