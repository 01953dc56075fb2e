"""Every case of the AWS-recorded corpus, run through ``sfnkit.run``: status, output, error and cause must match."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import sfnkit

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*/*.json"))

# name -> why the case cannot pass (strict: a case that starts passing must be taken off this list).
XFAIL: dict[str, str] = {}

_TOKEN = re.compile(r"<[A-Za-z_][A-Za-z0-9_:.\-]*>")
_ACCOUNT = "111111111111"
_BARE = frozenset(
    {"snf_role_arn", "sfn_role_arn", "date", "RequestId", "X-Amzn-Trace-Id", "x-amz-crc32", "x-amzn-RequestId",
     "x-amzn-requestid", "timestamp"}
)  # fmt: skip
_RUNTIME_KEYS = frozenset({"stackTrace", "requestId"})
_MISSING = object()


def _pattern(expected: str) -> re.Pattern[str] | None:
    """A regex for an expected string holding placeholders (each matches a non-empty run), else None."""
    parts, pos = [], 0
    for match in re.finditer(rf"{_TOKEN.pattern}|{_ACCOUNT}", expected):
        parts.append(re.escape(expected[pos : match.start()]))
        parts.append(r"\d{12}" if match.group(0) == _ACCOUNT else r".+?")
        pos = match.end()
    if not parts:
        return None
    parts.append(re.escape(expected[pos:]))
    return re.compile("".join(parts), re.S)


def _parse(text: Any) -> Any:
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def matches(
    expected: Any, actual: Any, ignore: frozenset[str] = frozenset(), bare: frozenset[str] = frozenset()
) -> bool:
    """Does *actual* equal the recorded *expected* value, placeholders being wildcards (the corpus's rules)?"""
    if isinstance(expected, str) and (expected in _BARE or expected in bare or _TOKEN.fullmatch(expected)):
        return actual is not _MISSING
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return False
        if expected.startswith("{") and '"errorType"' in expected:
            exp_doc, act_doc = _parse(expected), _parse(actual)
            if isinstance(exp_doc, dict) and isinstance(act_doc, dict):
                return matches(exp_doc, act_doc, ignore | _RUNTIME_KEYS, bare)
        pattern = _pattern(expected)
        return pattern.fullmatch(actual) is not None if pattern else expected == actual
    if isinstance(expected, bool) or expected is None:
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, int | float):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(matches(e, a, ignore, bare) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        exp = {k: v for k, v in expected.items() if k not in ignore}
        rest = {k: v for k, v in actual.items() if k not in ignore}
        if len(exp) != len(rest):
            return False
        for key, value in exp.items():
            if key in rest:
                if not matches(value, rest.pop(key), ignore, bare):
                    return False
                continue
            pattern = _pattern(key)
            hit = next((k for k in rest if pattern and pattern.fullmatch(k)), None)
            if hit is None or not matches(value, rest.pop(hit), ignore, bare):
                return False
        return not rest
    return bool(expected == actual)


def differences(case: dict[str, Any], execution: sfnkit.Execution) -> list[str]:
    """What differs between the recording and the execution (empty: the case passes)."""
    expected = case["expected"]
    bare = frozenset(p for p in case.get("placeholders", ()) if not _TOKEN.fullmatch(p))
    if execution.status != expected["status"]:
        return [f"status {execution.status} ({execution.error}: {execution.cause}), expected {expected['status']}"]
    found = []
    if expected["status"] == "SUCCEEDED":
        if not matches(expected.get("output"), execution.output, bare=bare):
            found.append(
                f"output {json.dumps(execution.output)[:400]}, expected {json.dumps(expected.get('output'))[:400]}"
            )
        return found
    if "error" in expected and not matches(expected["error"], execution.error, bare=bare):
        found.append(f"error {execution.error!r}, expected {expected['error']!r}")
    if "cause" in expected:
        cause: Any = execution.cause
        ignore: frozenset[str] = frozenset()
        if isinstance(expected["cause"], dict | list):
            cause = _parse(cause)
        if isinstance(expected["cause"], dict) and "errorType" in expected["cause"]:
            ignore = _RUNTIME_KEYS
        if not matches(expected["cause"], cause, ignore, bare):
            found.append(f"cause {execution.cause!r}, expected {expected['cause']!r}")
    return found


@cache
def _handler(impl: str) -> Callable[..., Any]:
    path = HERE / impl
    spec = importlib.util.spec_from_file_location(f"conformance_lambda_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Callable[..., Any] = module.handler
    return handler


def case_params(paths: list[Path], xfail: dict[str, str]) -> list[Any]:
    """One pytest param per case file, id ``group/case``, strictly xfailed where *xfail* names it."""
    params = []
    for path in paths:
        name = f"{path.parent.name}/{path.stem}"
        marks = [pytest.mark.xfail(reason=xfail[name], strict=True)] if name in xfail else []
        params.append(pytest.param(path, id=name, marks=marks))
    return params


def case_start(case: dict[str, Any]) -> datetime | None:
    """The instant a case must start at (``start_time``: its input holds timestamps relative to it), else None."""
    text = case.get("start_time")
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def run_case(case: dict[str, Any]) -> sfnkit.Execution:
    """Run a recorded case through sfnkit, its Lambda functions bound to our re-implementations."""
    lambdas = {name: _handler(info["impl"]) for name, info in (case.get("lambdas") or {}).items()}
    return sfnkit.run(
        case["definition"],
        case["input"],
        lambdas=lambdas,
        type=case.get("state_machine_type", "STANDARD"),
        start=case_start(case),
    )


@pytest.mark.parametrize("path", case_params(CASES, XFAIL))
def test_case_runs_as_recorded_on_aws(path: Path) -> None:
    """The execution's status, output, error and cause are those AWS recorded."""
    case = json.loads(path.read_text(encoding="utf-8"))
    assert differences(case, run_case(case)) == []


def test_xfail_names_exist() -> None:
    """Every XFAIL entry names a case of the corpus."""
    names = {f"{p.parent.name}/{p.stem}" for p in CASES}
    assert sorted(set(XFAIL) - names) == []


def test_placeholders_are_wildcards() -> None:
    """A placeholder matches any non-empty text; the fake account matches any 12 digits; other text must be equal."""
    assert matches(
        "arn:aws:lambda:<region>:111111111111:function:f", "arn:aws:lambda:eu-west-1:123456789012:function:f"
    )
    assert not matches("arn:<region>:x", "arn::x")
    assert not matches(1, 1.0)
