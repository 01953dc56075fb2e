"""Mermaid flowcharts: shapes, labelled edges, subgraphs, escaping."""

from __future__ import annotations

from sfnkit.asl.codec import from_definition
from sfnkit.mermaid import to_mermaid

CHOOSE = from_definition(
    {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"Message": 'say "big"'},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Small"}],
                "End": True,
            },
            "Small": {"Type": "Wait", "Seconds": 5, "Next": "Stop"},
            "Stop": {"Type": "Fail", "Error": "Stopped"},
        },
    }
)

BRANCHY = from_definition(
    {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}},
                ],
                "End": True,
            }
        },
    }
)


def body(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if not line.strip().startswith("classDef")]


def test_choice_machine_flowchart() -> None:
    """Shapes per type, the rule and Default on Choice edges, a dotted Catch, Start and End."""
    assert body(to_mermaid(CHOOSE)) == [
        "flowchart TD",
        'sfn_start(["Start"]):::marker',
        's1{"Check<br/>Choice"}:::Choice',
        's2("Big<br/>SNS publish<br/>#quot;say #quot;big#quot;#quot;"):::Task',
        's3{{"Small<br/>Wait 5 s"}}:::Wait',
        's4[["Stop<br/>Fail: Stopped"]]:::Fail',
        's1 -->|"n #gt; 3"| s2',
        's1 -->|"Default"| s3',
        's2 -.->|"catch any error"| s3',
        "s3 --> s4",
        "sfn_start --> s1",
        'sfn_end(["End"]):::marker',
        "s2 --> sfn_end",
        "s4 --> sfn_end",
    ]


def test_parallel_branches_are_subgraphs() -> None:
    """A Parallel is a subgraph with one subgraph per branch, a header and a join bar."""
    assert body(to_mermaid(BRANCHY)) == [
        "flowchart TD",
        'sfn_start(["Start"]):::marker',
        'subgraph s1_box ["Parallel"]',
        "direction TB",
        's1[/"Both<br/>Parallel: 2 branches"\\]:::Parallel',
        's1_join[" "]:::join',
        'subgraph s1_b0 ["Branch 1"]',
        's2["A<br/>Pass"]:::Pass',
        "end",
        'subgraph s1_b1 ["Branch 2"]',
        's3(["B<br/>Succeed"]):::Succeed',
        "end",
        "s1 --> s2",
        "s2 --> s1_join",
        "s1 --> s3",
        "s3 --> s1_join",
        "end",
        "sfn_start --> s1",
        'sfn_end(["End"]):::marker',
        "s1_join --> sfn_end",
    ]


def test_every_type_has_a_class() -> None:
    """The flowchart defines a colour class for every state type it uses."""
    text = to_mermaid(CHOOSE)
    assert all(f"classDef {kind} " in text for kind in ("Task", "Choice", "Wait", "Fail", "marker"))
