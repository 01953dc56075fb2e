"""A JSONata text is parsed and analysed once per process, whatever field or machine it appears in (issue 10)."""

from __future__ import annotations

import pytest

import sfnkit
from sfnkit.asl.jsonata import compile_expression
from sfnkit.asl.jsonata_syntax import parse
from sfnkit.errors import AslError


def test_the_same_text_shares_one_parse() -> None:
    """Two fields with the same text share the AST; each keeps its own field and location."""
    first = compile_expression("{% $v.total + 1 %}", location="States.A.Output", field="Output")
    second = compile_expression("{% $v.total + 1 %}", location="States.B.Assign.x", field="Assign/x")
    assert first._parsed is second._parsed
    assert (first.field, first.location, second.field, second.location) == (
        "Output",
        "States.A.Output",
        "Assign/x",
        "States.B.Assign.x",
    )


def test_a_machine_validates_and_runs_on_one_parse_per_text() -> None:
    """from_asl (validation) and the first run (the plan) compile a thousand copies of one text with one parse."""
    text = "{% {'n': $states.input.n + 0.25, 'tag': 'compile once'} %}"  # no other test uses it: not cached yet
    states = {f"P{i}": {"Type": "Pass", "Output": text, "Next": f"P{i + 1}"} for i in range(1000)}
    states["P1000"] = {"Type": "Succeed"}
    before = parse.cache_info().misses
    machine = sfnkit.from_asl({"QueryLanguage": "JSONata", "StartAt": "P0", "States": states})
    execution = sfnkit.run(machine, {"n": 1})
    assert execution.output == {"n": 251, "tag": "compile once"}
    assert parse.cache_info().misses - before == 1


def test_a_cached_syntax_error_names_each_location() -> None:
    """A bad text fails the same way each time, at the location of each field it appears in."""
    messages = []
    for location in ("States.A.Output", "States.B.Output"):
        with pytest.raises(AslError) as raised:
            compile_expression("{% $states.input.( %}", location=location)
        messages.append((raised.value.location, raised.value.message))
    assert [where for where, _ in messages] == ["States.A.Output", "States.B.Output"]
    assert messages[0][1] == messages[1][1]
