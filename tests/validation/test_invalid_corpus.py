"""Every definition in tests/validation/invalid/ is rejected with exactly its expected problems.

One file per rule: ``{"rule": "<the rule, in words>", "definition": {...}, "problems": [[location, text], ...]}``.
The definition breaks only that rule, so ``problems`` lists every problem ``sfnkit.validate.problems`` must report:
same location, and a message containing ``text`` (or matching it as a regular expression). To add a rule, add a
file; the ``rule`` texts must stay distinct.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sfnkit import ValidationError
from sfnkit.errors import Problem
from sfnkit.validate import problems, validate

CORPUS = Path(__file__).parent / "invalid"
CASES = sorted(CORPUS.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


def _matches(problem: Problem, location: str, expected: str) -> bool:
    """Same location, and the message contains *expected* (or matches it as a regular expression)."""
    if problem.location != location:
        return False
    if expected in problem.message:
        return True
    try:
        return re.search(expected, problem.message) is not None
    except re.error:  # not a regular expression, and not a substring either
        return False


def test_corpus_has_one_file_per_rule():
    """The corpus holds at least 60 invalid definitions, each naming a distinct rule."""
    rules = [_load(path)["rule"] for path in CASES]
    assert len(rules) >= 60
    assert len(set(rules)) == len(rules)


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_invalid_definition_is_rejected_with_its_messages(path: Path):
    """validate() raises, and the problems are exactly the expected (location, message) pairs."""
    case = _load(path)
    with pytest.raises(ValidationError):
        validate(case["definition"])
    found = list(problems(case["definition"]))
    unmatched = list(found)
    for location, expected in case["problems"]:
        hit = next((p for p in unmatched if _matches(p, location, expected)), None)
        assert hit is not None, f"no problem at {location!r} matching {expected!r}; got {found}"
        unmatched.remove(hit)
    assert unmatched == [], f"unexpected extra problems: {unmatched}"
