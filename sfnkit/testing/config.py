"""AWS Step Functions Local's mock configuration (``MockConfigFile.json``), read as is.

The file names test cases per state machine, each mapping Task state names to mocked responses; a mocked
response answers invocation ``"0"``, ``"1"``... or an inclusive range ``"1-3"`` with ``Return`` (the Task's
result) or ``Throw`` (``Error`` and ``Cause``). AWS: "Configuration file for mocked service integrations" in the
Step Functions developer guide (sfn-local-mock-cfg-file).

``MockConfig.load(path).test_case("MyMachine", "HappyPath")`` gives the mocks ``run(..., mocks=)`` takes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs

from sfnkit.asl.scope import Json
from sfnkit.engine.mocks import Mock
from sfnkit.errors import MockConfigError, Problem
from sfnkit.testing.mocks import MockedResponse, Return, Throw

__all__ = ["MockConfig", "TestCase"]

_INVOCATIONS: Final = re.compile(r"(\d+)(?:-(\d+))?")


def _readonly(mocks: Mapping[str, Mock]) -> Mapping[str, Mock]:
    return MappingProxyType(dict(mocks))


@attrs.frozen
class TestCase(Mapping[str, Mock]):
    """The mocks of one test case: Task state name -> ``MockedResponse`` (a mapping ``run(mocks=)`` takes)."""

    __test__ = False  # not a pytest test class, whatever its name

    state_machine: str
    name: str
    mocks: Mapping[str, Mock] = attrs.field(converter=_readonly)

    def __getitem__(self, state: str) -> Mock:
        return self.mocks[state]

    def __iter__(self) -> Iterator[str]:
        return iter(self.mocks)

    def __len__(self) -> int:
        return len(self.mocks)


@attrs.frozen
class MockConfig:
    """A whole mock configuration: test cases per state machine, and the mocked responses they use."""

    test_cases: Mapping[str, Mapping[str, Mapping[str, str]]]  # state machine -> test case -> state -> response
    responses: Mapping[str, MockedResponse]
    source: str = ""

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MockConfig:
        """Read a ``MockConfigFile.json``."""
        text = Path(path).read_text(encoding="utf-8")
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise MockConfigError([Problem("", f"is not JSON: {exc}")], source=str(path)) from None
        return cls.from_dict(document, source=str(path))

    @classmethod
    def from_dict(cls, document: Mapping[str, Json], *, source: str = "") -> MockConfig:
        """Read a mock configuration already parsed from JSON; every problem is reported at once."""
        problems: list[Problem] = []
        where = source or "the mock configuration"
        if not isinstance(document, Mapping):
            raise MockConfigError([Problem("", "must be a JSON object with StateMachines and MockedResponses")], where)
        for key in document:
            if key not in ("StateMachines", "MockedResponses"):
                problems.append(Problem(key, "is not a field of a mock configuration (StateMachines, MockedResponses)"))
        responses = _read_responses(_object(document, "MockedResponses", "", problems), problems)
        machines = _object(document, "StateMachines", "", problems)
        cases: dict[str, dict[str, dict[str, str]]] = {}
        for machine, config in machines.items():
            at = f"StateMachines.{machine}"
            if not isinstance(config, Mapping):
                problems.append(Problem(at, 'must be an object {"TestCases": {...}}'))
                continue
            for key in config:
                if key != "TestCases":
                    problems.append(Problem(f"{at}.{key}", "is not a field of a state machine (only TestCases)"))
            cases[machine] = {}
            for case, states in _object(config, "TestCases", at, problems).items():
                case_at = f"{at}.TestCases.{case}"
                if not isinstance(states, Mapping):
                    problems.append(
                        Problem(case_at, 'must map Task state names to mocked responses: {"State": "Mock"}')
                    )
                    continue
                cases[machine][case] = {}
                for state, response in states.items():
                    if not isinstance(response, str):
                        problems.append(Problem(f"{case_at}.{state}", "must name a mocked response (a string)"))
                    elif response not in responses and isinstance(document.get("MockedResponses"), Mapping):
                        known = ", ".join(sorted(responses)) or "none"
                        problems.append(
                            Problem(f"{case_at}.{state}", f"names {response!r}, which MockedResponses lacks ({known})")
                        )
                    else:
                        cases[machine][case][state] = response
        if problems:
            raise MockConfigError(problems, where)
        frozen = {m: MappingProxyType({c: MappingProxyType(s) for c, s in tc.items()}) for m, tc in cases.items()}
        return cls(test_cases=MappingProxyType(frozen), responses=MappingProxyType(responses), source=source)

    def test_case(self, state_machine: str, test_case: str) -> TestCase:
        """The mocks of *test_case* of *state_machine*, for ``run(machine, input, mocks=...)``."""
        machine = self.test_cases.get(state_machine)
        if machine is None:
            known = ", ".join(repr(m) for m in self.test_cases) or "none"
            raise KeyError(f"{self._label()} has no state machine {state_machine!r} (it has {known})")
        case = machine.get(test_case)
        if case is None:
            known = ", ".join(repr(c) for c in machine) or "none"
            raise KeyError(
                f"state machine {state_machine!r} of {self._label()} has no test case {test_case!r} ({known})"
            )
        return TestCase(state_machine, test_case, {state: self.responses[name] for state, name in case.items()})

    def _label(self) -> str:
        return self.source or "the mock configuration"


def _object(parent: Mapping[str, Any], key: str, at: str, problems: list[Problem]) -> Mapping[str, Any]:
    where = f"{at}.{key}" if at else key
    value = parent.get(key)
    if value is None:
        problems.append(Problem(where, "is missing"))
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem(where, f"must be a JSON object, got {json.dumps(value)[:60]}"))
        return {}
    return value


def _read_responses(raw: Mapping[str, Any], problems: list[Problem]) -> dict[str, MockedResponse]:
    responses: dict[str, MockedResponse] = {}
    for name, entries in raw.items():
        at = f"MockedResponses.{name}"
        if not isinstance(entries, Mapping) or not entries:
            problems.append(Problem(at, 'must be a non-empty object of invocations: {"0": {"Return": ...}}'))
            continue
        answers: dict[int, Mock] = {}
        for key, entry in entries.items():
            entry_at = f'{at}["{key}"]'
            match = _INVOCATIONS.fullmatch(key)
            first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, -1)
            if match is None or last < first:
                problems.append(
                    Problem(entry_at, 'the key must be an invocation number ("0") or an inclusive range ("1-3")')
                )
                continue
            answer = _read_answer(entry, entry_at, problems)
            if answer is None:
                continue
            overlap = sorted(set(range(first, last + 1)) & set(answers))
            if overlap:
                problems.append(Problem(entry_at, f"answers invocation {overlap[0]} again: each invocation once"))
                continue
            answers.update(dict.fromkeys(range(first, last + 1), answer))
        responses[name] = MockedResponse(answers, name=name)
    return responses


def _read_answer(entry: Any, at: str, problems: list[Problem]) -> Mock | None:
    if not isinstance(entry, Mapping) or len(entry) != 1 or next(iter(entry)) not in ("Return", "Throw"):
        problems.append(Problem(at, 'must hold exactly one field, "Return" or "Throw"'))
        return None
    if "Return" in entry:
        try:
            return Return(entry["Return"])
        except TypeError as exc:
            problems.append(Problem(f"{at}.Return", str(exc)))
            return None
    thrown = entry["Throw"]
    if not isinstance(thrown, Mapping):
        problems.append(Problem(f"{at}.Throw", 'must be an object {"Error": "...", "Cause": "..."}'))
        return None
    ok = True
    for key in thrown:
        if key not in ("Error", "Cause"):
            problems.append(Problem(f"{at}.Throw.{key}", "is not a field of Throw (Error, Cause)"))
            ok = False
    for key in ("Error", "Cause"):
        if key in thrown and not isinstance(thrown[key], str):
            problems.append(Problem(f"{at}.Throw.{key}", "must be a string"))
            ok = False
    if "Error" not in thrown:
        problems.append(Problem(f"{at}.Throw.Error", "is missing: name the error Retry and Catch should see"))
        ok = False
    return Throw(thrown["Error"], thrown.get("Cause")) if ok else None
