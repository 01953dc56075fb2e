"""Workflow coverage on the examples: which states ran and which transitions (Next, each Choice rule, Default, each
Catch) were taken across many executions; the JSON report; the diagram with untaken transitions dashed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sfnkit import from_asl, run
from sfnkit.testing import Arc, Coverage, Return, Throw

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SNS = {"arn:aws:states:::sns:publish": lambda parameters: {"MessageId": "m-1"}}


def _example(module: str) -> Any:
    sys.path.insert(0, str(EXAMPLES))
    try:
        return __import__(module)
    finally:
        sys.path.remove(str(EXAMPLES))


def _covered(machine: Any, *inputs: Any, **options: Any) -> Any:
    coverage = Coverage()
    with coverage.collecting():
        for value in inputs:
            run(machine, value, **options)
    return coverage.report()


def _choice_rules(arcs: tuple[Arc, ...]) -> list[str]:
    return [str(arc) for arc in arcs if arc.key.startswith("Choices[")]


def test_a_suite_of_known_dragons_leaves_exactly_the_new_dragon_rule():
    """Only known dragons: the `is_new == true` rule is the one Choice rule not taken, with what lies behind it."""
    dragons = _example("dragons").dragons
    workflow = _covered(dragons, {"dragon": {"name": "Smaug"}}, {"dragon": {"name": "Toothless"}}, services=SNS)
    report = workflow.workflow("Dragons")
    assert (_choice_rules(report.missed_transitions), report.missed_states, report.executions) == (
        ["IsNew.Choices[0] (is_new == true) -> AddDragon"],
        ("AddDragon", "NotifyInserted"),
        2,
    )
    assert [str(arc) for arc in report.missed_transitions] == [
        "IsNew.Choices[0] (is_new == true) -> AddDragon",
        "AddDragon.Next -> NotifyInserted",
    ]


def test_both_dragons_cover_everything():
    """A new and a known dragon take every transition of the dragons flow."""
    dragons = _example("dragons").dragons
    report = _covered(dragons, {"dragon": {"name": "Puff"}}, {"dragon": {"name": "Smaug"}}, services=SNS)
    workflow = report.workflow("Dragons")
    assert (workflow.percent, workflow.missed_states, workflow.missed_transitions) == (100.0, (), ())


def test_jsonata_and_variables_are_covered_too():
    """The JSONata dragons flow (variables in the Choice condition): a new dragon leaves the Default only."""
    machine = _example("dragons_jsonata").dragons_jsonata
    workflow = _covered(machine, {"dragon": {"name": "Puff"}}, services=SNS).workflows[0]
    assert [str(arc) for arc in workflow.missed_transitions] == ["IsNew.Default -> NotifyExists"]


def test_an_uncaught_suite_leaves_the_catch():
    """retry_catch: eggs that all hatch never take Catch[0] (DragonRejected)."""
    hatchery = _example("retry_catch").hatchery
    mocks = {"RecordDragon": Return({})}
    workflow = _covered(hatchery, {"egg": {"id": 1, "name": "Puff"}}, mocks=mocks).workflows[0]
    assert ([str(a) for a in workflow.missed_transitions], workflow.missed_states) == (
        ["Hatch.Catch[0] (DragonRejected) -> ReportRejection", "ReportRejection.Next -> Rejected"],
        ("ReportRejection", "Rejected"),
    )


def test_a_caught_mocked_error_takes_the_catch():
    """A mocked Throw caught by Catch counts as taking that Catch."""
    hatchery = _example("retry_catch").hatchery
    mocks = {"Hatch": Throw("DragonRejected", "cracked"), "ReportRejection": Return({"MessageId": "1"})}
    workflow = _covered(hatchery, {"egg": {"id": 1, "name": "Puff"}}, mocks=mocks).workflows[0]
    assert [str(a) for a in workflow.missed_transitions] == ["Hatch.Next -> RecordDragon"]


TWO_RULES_ONE_TARGET = {
    "StartAt": "Size",
    "States": {
        "Size": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 100, "Next": "Big"},
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
            ],
            "Default": "Small",
        },
        "Big": {"Type": "Succeed"},
        "Small": {"Type": "Succeed"},
    },
}


def test_rules_leading_to_the_same_state_are_told_apart():
    """Two rules to the same state: the one that matched is counted, not the first one to that state."""
    workflow = _covered(from_asl(TWO_RULES_ONE_TARGET), {"n": 50}, {"n": 5}).workflows[0]
    assert [str(a) for a in workflow.missed_transitions] == ["Size.Choices[0] (n > 100) -> Big"]


def test_the_json_report(tmp_path: Path):
    """The JSON report lists counts, what was missed, hits, and the definition (to merge and draw later)."""
    machine = from_asl(TWO_RULES_ONE_TARGET)
    report = _covered(machine, {"n": 500}, {"n": 500})
    document = json.loads(report.write_json(tmp_path / "coverage.json").read_text())
    entry = document["workflows"][0]
    assert {k: v for k, v in entry.items() if k != "definition"} == {
        "name": "StateMachine",
        "executions": 2,
        "percent": 50.0,
        "states": {"covered": 2, "total": 3},
        "transitions": {"covered": 1, "total": 3},
        "missed_states": ["Small"],
        "missed_transitions": [
            {"from": "Size", "transition": "Choices[1]", "to": "Big", "rule": "n > 10"},
            {"from": "Size", "transition": "Default", "to": "Small"},
        ],
        "state_hits": {"Size": 2, "Big": 2, "Small": 0},
        "transition_hits": [
            {"from": "Size", "transition": "Choices[0]", "to": "Big", "rule": "n > 100", "taken": 2},
            {"from": "Size", "transition": "Choices[1]", "to": "Big", "rule": "n > 10", "taken": 0},
            {"from": "Size", "transition": "Default", "to": "Small", "taken": 0},
        ],
        "ended": ["Big"],
    }
    assert entry["definition"] == machine.to_asl()


def test_reports_merge():
    """Two collectors' JSON reports (two pytest-xdist workers) add up to one."""
    machine = from_asl(TWO_RULES_ONE_TARGET)
    merged = Coverage()
    for value in ({"n": 500}, {"n": 5}):
        merged.merge(_covered(machine, value).to_dict())
    workflow = merged.report().workflows[0]
    assert (workflow.executions, [str(a) for a in workflow.missed_transitions]) == (
        2,
        ["Size.Choices[1] (n > 10) -> Big"],
    )


def test_the_diagram_dashes_what_was_not_taken():
    """On the coverage diagram exactly the untaken transitions are dashed, and the caption gives the numbers."""
    dragons = _example("dragons").dragons
    workflow = _covered(dragons, {"dragon": {"name": "Smaug"}}, services=SNS).workflows[0]
    source = workflow.render().source
    dashed = sorted(line.split("[")[0].strip() for line in source.splitlines() if "->" in line and "dashed" in line)
    # s2 IsNew, s3 AddDragon, s4 NotifyInserted: IsNew -> AddDragon, AddDragon -> NotifyInserted, NotifyInserted -> End
    assert (dashed, "Coverage 55.6% · states 3/5 · transitions 2/4 · 1 execution" in source) == (
        ["s2 -> s3", "s3 -> s4", "s4 -> end"],
        True,
    )


def test_the_summary_names_what_was_missed():
    """The text summary: one line per workflow, then each state not run and transition not taken."""
    dragons = _example("dragons").dragons
    report = _covered(dragons, {"dragon": {"name": "Smaug"}}, services=SNS)
    assert report.summary().splitlines() == [
        "Dragons   55.6%  states     3/5  transitions     2/4  (1 execution)",
        "    state not run: AddDragon",
        "    state not run: NotifyInserted",
        "    transition not taken: IsNew.Choices[0] (is_new == true) -> AddDragon",
        "    transition not taken: AddDragon.Next -> NotifyInserted",
    ]
