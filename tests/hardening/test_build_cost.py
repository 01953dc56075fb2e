"""workflow() validates, once: the compact export it makes to do so is what a later ``to_json(indent=None)`` of the
same (immutable) machine returns, and a machine not yet validated is still validated on export."""

from __future__ import annotations

import json

import pytest

import sfnkit
from sfnkit import ValidationError, chain, data, pass_, workflow
from sfnkit.asl import codec


def test_workflow_export_is_made_once_and_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    machine = workflow("W", chain(pass_(name="A", parameters={"v": data.v}), pass_(name="B")))
    exports: list[object] = []
    monkeypatch.setattr(codec, "_machine_to_asl", lambda *args: exports.append(args) or {})
    text = machine.to_json(indent=None)
    assert machine.to_json(indent=None, validate=False) is text
    assert exports == []  # neither call exported the machine again
    assert list(json.loads(text)["States"]) == ["A", "B"]
    monkeypatch.undo()
    assert json.loads(machine.to_json()) == json.loads(text)  # another indent: made anew, same definition


def test_a_cached_export_does_not_skip_validation() -> None:
    bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    machine = sfnkit.from_asl(bad, validate=False)
    text = machine.to_json(indent=None, validate=False)
    assert json.loads(text) == bad
    with pytest.raises(ValidationError, match="Nowhere"):
        machine.to_json(indent=None)
