"""Diagrams: DOT text for every state type and structure, overlays, output formats, Jupyter display."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest

from sfnkit import RenderError, StateMachine
from sfnkit.asl.codec import from_definition
from sfnkit.conditions import AllOf, AnyOf, Compare, Expression, Not
from sfnkit.labels import describe_condition, describe_task, wrap
from sfnkit.render import mimebundle, render, to_digraph
from sfnkit.states import Task

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
CASES = Path(__file__).parent / "conformance" / "cases"

DRAGONS = {
    "StartAt": "ValidateDragon",
    "States": {
        "ValidateDragon": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:validate_dragon",
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rejected"}],
            "Next": "IsNew",
        },
        "IsNew": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.is_new", "BooleanEquals": True, "Next": "AddDragon"}],
            "Default": "AlreadyExists",
        },
        "AddDragon": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "Dragons", "Item": {}},
            "Next": "Inserted",
        },
        "Inserted": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"Message": "Record inserted"},
            "End": True,
        },
        "AlreadyExists": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"Message": "Already exists"},
            "End": True,
        },
        "Rejected": {"Type": "Fail", "Error": "DragonRejected"},
    },
}

# A Map whose item processor holds a Parallel, with a Wait, a Pass and a Succeed around it.
ORDERS = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "EachOrder"},
        "EachOrder": {
            "Type": "Map",
            "ItemsPath": "$.orders",
            "ItemProcessor": {
                "StartAt": "Fulfil",
                "States": {
                    "Fulfil": {
                        "Type": "Parallel",
                        "Branches": [
                            {"StartAt": "Reserve", "States": {"Reserve": {"Type": "Pass", "End": True}}},
                            {"StartAt": "Charge", "States": {"Charge": {"Type": "Pass", "End": True}}},
                        ],
                        "End": True,
                    }
                },
            },
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Done"}],
            "Next": "Cool",
        },
        "Cool": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def machine(definition: dict[str, Any], name: str | None = None) -> StateMachine:
    return attrs.evolve(from_definition(definition), name=name)


def lines_with(source: str, *needles: str) -> list[str]:
    """The DOT lines that contain every needle, stripped."""
    return [line.strip() for line in source.splitlines() if all(needle in line for needle in needles)]


# --- compact Choice rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "value", "text"),
    [
        ("BooleanEquals", True, "is_new == true"),
        ("StringEquals", "red", 'is_new == "red"'),
        ("NumericLessThan", 3, "is_new < 3"),
        ("NumericGreaterThanEquals", 2.5, "is_new >= 2.5"),
        ("TimestampLessThanEquals", "2026-01-01T00:00:00Z", 'is_new <= "2026-01-01T00:00:00Z"'),
        ("StringGreaterThan", "m", 'is_new > "m"'),
        ("NumericEqualsPath", "$.limit", "is_new == limit"),
        ("StringMatches", "log-*.txt", 'is_new matches "log-*.txt"'),
        ("IsPresent", True, "is_new is present"),
        ("IsPresent", False, "is_new is not present"),
        ("IsNull", True, "is_new is null"),
        ("IsNumeric", True, "is_new is numeric"),
        ("IsString", False, "is_new is not a string"),
        ("IsBoolean", True, "is_new is a boolean"),
        ("IsTimestamp", True, "is_new is a timestamp"),
    ],
)
def test_compare_is_written_compactly(operator: str, value: object, text: str) -> None:
    """Each ASL operator reads as a short comparison on the path without ``$.``."""
    assert describe_condition(Compare(variable="$.is_new", operator=operator, value=value)) == text


def test_and_or_not_nest_with_parentheses() -> None:
    """And/Or/Not combine, with parentheses around a compound inside another."""
    age = Compare(variable="$.age", operator="NumericGreaterThanEquals", value=18)
    vip = Compare(variable="$.vip", operator="BooleanEquals", value=True)
    name = Compare(variable="$.name", operator="IsPresent", value=True)
    rule = AnyOf(conditions=[AllOf(conditions=[age, name]), Not(condition=AnyOf(conditions=[vip, age]))])
    assert describe_condition(rule) == "(age >= 18 and name is present) or not (vip == true or age >= 18)"


def test_not_equals_reads_as_inequality() -> None:
    """``Not`` around an equality is ``!=``; around a type test it flips the test."""
    assert describe_condition(Not(condition=Compare(variable="$.n", operator="StringEquals", value="a"))) == 'n != "a"'
    assert describe_condition(Not(condition=Compare(variable="$.n", operator="IsNull", value=True))) == "n is not null"


def test_not_around_other_comparisons_keeps_the_not() -> None:
    """``Not`` around an ordering or another ``Not`` is written out with parentheses."""
    at_most = Compare(variable="$.n", operator="NumericLessThanEquals", value=3)
    assert describe_condition(Not(condition=at_most)) == "not (n <= 3)"
    same = Compare(variable="$.a", operator="StringEqualsPath", value="$.b")
    assert describe_condition(Not(condition=Not(condition=same))) == "not (a != b)"


def test_jsonata_condition_drops_the_braces_and_states_input() -> None:
    """A JSONata Condition shows its expression, with ``$states.input.x`` as ``x``."""
    assert describe_condition(Expression(condition="{% $states.input.is_new = true %}")) == "is_new = true"
    assert describe_condition(Expression(condition=True)) == "true"


def test_context_and_variable_paths_are_kept_whole() -> None:
    """``$$.`` context paths and ``$var`` variables keep their sigils."""
    rule = Compare(variable="$$.Execution.Name", operator="StringEqualsPath", value="$expected")
    assert describe_condition(rule) == "$$.Execution.Name == $expected"


# --- Task labels ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "parameters", "text"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:validate", None, "λ validate"),
        ("arn:aws:lambda:us-east-1:123456789012:function:validate:live", None, "λ validate"),
        ("arn:aws:states:::lambda:invoke", {"FunctionName": "arn:aws:lambda:eu-west-1:1:function:f:$LATEST"}, "λ f"),
        ("arn:aws:states:::lambda:invoke", {"FunctionName": "f:prod"}, "λ f"),
        ("arn:aws:states:::lambda:invoke", {"FunctionName.$": "$.fn"}, "Lambda invoke"),
        ("arn:aws:states:::lambda:invoke.waitForTaskToken", {"FunctionName": "f"}, "λ f (callback)"),
        ("arn:aws:states:::sns:publish", None, "SNS publish"),
        ("arn:aws:states:::dynamodb:putItem", None, "DynamoDB putItem"),
        ("arn:aws:states:::aws-sdk:s3:getObject", None, "S3 getObject"),
        ("arn:aws:states:::states:startExecution.sync:2", None, "Step Functions startExecution (run job)"),
        ("arn:aws:states:::ecs:runTask.sync", None, "ECS runTask (run job)"),
        ("arn:aws:states:us-east-1:123456789012:activity:approve", None, "Activity approve"),
        ("arn:aws:states:::http:invoke", None, "HTTP invoke"),
        ("arn:aws:states:::newsvc:doThing", None, "newsvc doThing"),
    ],
)
def test_task_label_names_function_or_service(resource: str, parameters: Any, text: str) -> None:
    """A Task's second line says which Lambda function or which service API it calls."""
    task = Task(resource=resource) if parameters is None else Task(resource=resource, parameters=parameters)
    assert describe_task(task) == text


def test_long_names_wrap_at_words_then_humps() -> None:
    """Long state names break at spaces first, then inside a word at ``_`` or camelCase humps."""
    assert wrap("Send the confirmation email", 12) == ["Send the", "confirmation", "email"]
    assert wrap("ValidateDragonRecordAndStoreIt", 14) == ["ValidateDragon", "RecordAndStore", "It"]
    assert wrap("short", 14) == ["short"]


# --- DOT for machines -----------------------------------------------------------------------------------------


def test_smallest_machine_dot_text() -> None:
    """A one-state machine: Start, the state, End, with the house styles."""
    source = render(machine({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}})).source
    assert source == (
        "digraph state_machine {\n"
        "\tgraph [bgcolor=white compound=true fontname=Helvetica nodesep=0.35 pad=0.2 rankdir=TB ranksep=0.4]\n"
        '\tnode [fontcolor="#232F3E" fontname=Helvetica fontsize=11 margin="0.15,0.06" penwidth=1.3]\n'
        '\tedge [arrowsize=0.7 color="#545B64" fontcolor="#232F3E" fontname=Helvetica fontsize=9]\n'
        '\tstart [label=Start color="#232F3E" fillcolor="#232F3E" fontcolor=white fontsize=10 height=0.3 '
        'shape=box style="rounded,filled" width=0.6]\n'
        '\ts1 [label=<<B>Hello</B><BR/><FONT POINT-SIZE="9" COLOR="#545B64">Pass</FONT>> color="#687078" '
        'fillcolor="#F2F3F3" shape=box style=filled tooltip="Pass Hello"]\n'
        "\tstart -> s1\n"
        '\tend [label=End color="#232F3E" fillcolor="#232F3E" fontcolor=white fontsize=10 height=0.3 '
        'shape=box style="rounded,filled" width=0.6]\n'
        "\ts1 -> end\n"
        "}\n"
    )


@pytest.mark.parametrize(
    ("name", "shape", "color"),
    [
        ("Prepare", "shape=box style=filled", '"#687078"'),
        ("EachOrder", 'shape=box style="rounded,filled"', '"#007E8A"'),
        ("Fulfil", 'shape=box style="rounded,filled"', '"#0972D3"'),
        ("Cool", "shape=hexagon style=filled", '"#B08800"'),
        ("Done", 'shape=box style="rounded,filled,bold"', '"#1D8102"'),
    ],
)
def test_each_state_type_has_its_shape_and_colour(name: str, shape: str, color: str) -> None:
    """Pass, Map, Parallel, Wait and Succeed are drawn each in their own shape and colour."""
    [line] = lines_with(render(machine(ORDERS)).source, f'tooltip="{_type(name)} {name}"')
    assert shape in line and f"color={color}" in line


def _type(name: str) -> str:
    return {"Prepare": "Pass", "EachOrder": "Map", "Fulfil": "Parallel", "Cool": "Wait", "Done": "Succeed"}[name]


def test_task_choice_and_fail_shapes() -> None:
    """Tasks are orange rounded boxes, Choices purple diamonds, Fail states red octagons."""
    source = render(machine(DRAGONS)).source
    assert 'color="#ED7100" fillcolor="#FFF3E6" shape=box style="rounded,filled"' in source
    assert 'color="#8C4FFF" fillcolor="#F3EEFF" shape=diamond style=filled' in source
    assert 'color="#D13212" fillcolor="#FDEDEA" shape=octagon style=filled' in source


def test_task_boxes_show_function_service_and_message() -> None:
    """Task labels carry the Lambda function, the service API and an SNS message."""
    source = render(machine(DRAGONS)).source
    assert "λ validate_dragon" in source
    assert ">DynamoDB putItem<" in source and ">table Dragons<" in source
    assert ">SNS publish<" in source and "&quot;Record inserted&quot;" in source


def test_choice_edges_carry_rules_and_default_is_marked() -> None:
    """The Choices[0] edge shows its rule; the Default edge says Default in italics."""
    source = render(machine(DRAGONS)).source
    assert lines_with(source, "s2 -> ") == ["s2 -> s3 [label=<is_new == true>]", "s2 -> s5 [label=<<I>Default</I>>]"]


def test_catch_edge_is_dashed_and_labelled_with_errors() -> None:
    """A Catch edge is dashed red and names the errors it handles."""
    [line] = lines_with(render(machine(DRAGONS)).source, "s1 -> s6")
    assert line == 's1 -> s6 [label=<catch any error> color="#D13212" fontcolor="#D13212" style=dashed]'


def test_retrying_state_has_retry_badge() -> None:
    """A state with Retry shows the badge with its most attempts."""
    [line] = lines_with(render(machine(DRAGONS)).source, 'tooltip="Task ValidateDragon"')
    assert '<FONT POINT-SIZE="9" COLOR="#B0500A">Retry ×2</FONT>' in line


def test_start_and_end_markers_link_first_and_last_states() -> None:
    """Start points at StartAt; every End, Succeed and top-level Fail state points at End."""
    source = render(machine(DRAGONS)).source
    assert lines_with(source, "-> end") == ["s4 -> end", "s5 -> end", "s6 -> end"]
    assert lines_with(source, "start ->") == ["start -> s1"]


def test_parallel_in_map_are_nested_clusters() -> None:
    """A Map box holds its processor; inside it a Parallel box holds one dashed box per branch."""
    source = render(machine(ORDERS)).source
    opened = [line.strip() for line in source.splitlines() if line.strip().startswith("subgraph")]
    assert opened == [
        "subgraph cluster_s2 {",
        "subgraph cluster_s3 {",
        "subgraph cluster_s3_0 {",
        "subgraph cluster_s3_1 {",
    ]
    assert lines_with(source, "label=", "Branch") == [
        'color="#AAB7B8" fontcolor="#545B64" fontsize=9 label="Branch 1" style="rounded,dashed"',
        'color="#AAB7B8" fontcolor="#545B64" fontsize=9 label="Branch 2" style="rounded,dashed"',
    ]


def test_edges_into_and_out_of_boxes_are_clipped_at_the_box() -> None:
    """Edges to a Map enter its box (lhead); edges leave from its join bar (ltail)."""
    source = render(machine(ORDERS)).source
    assert lines_with(source, "s1 -> s2") == ["s1 -> s2 [lhead=cluster_s2]"]
    assert lines_with(source, "s2_join -> s6") == ["s2_join -> s6 [ltail=cluster_s2]"]
    assert lines_with(source, "s2 -> s3") == ['s2 -> s3 [arrowsize=0.5 color="#545B64" lhead=cluster_s3]']
    assert lines_with(source, "s4 -> s3_join") == ['s4 -> s3_join [arrowsize=0.5 color="#545B64"]']


def test_long_state_names_are_wrapped_in_the_box() -> None:
    """A long name is drawn on several lines."""
    long = {"StartAt": "Send the confirmation email to the customer", "States": {}}
    long["States"] = {long["StartAt"]: {"Type": "Succeed"}}
    assert "<B>Send the confirmation<BR/>email to the customer</B>" in render(machine(long)).source


def test_dot_text_is_deterministic() -> None:
    """The same definition gives the same DOT text, byte for byte."""
    assert render(machine(ORDERS)).source == render(machine(ORDERS)).source


def test_machine_name_becomes_the_title() -> None:
    """A named machine is titled with its name."""
    assert '<FONT POINT-SIZE="14"><B>Dragons</B></FONT>' in render(machine(DRAGONS, "Dragons")).source


def test_state_names_with_colons_and_quotes_are_safe() -> None:
    """Names are labels, not DOT ids, so ``:`` (a DOT port) and quotes cannot break the graph."""
    odd = {"StartAt": 'Step 1: "go"', "States": {'Step 1: "go"': {"Type": "Succeed"}}}
    source = render(machine(odd)).source
    assert "<B>Step 1: &quot;go&quot;</B>" in source and "start -> s1" in source


def test_to_digraph_method_delegates() -> None:
    """``machine.to_digraph()`` is ``render(machine)``."""
    m = machine(DRAGONS)
    assert m.to_digraph().source == render(m).source


def test_corpus_definitions_all_render_to_dot() -> None:
    """Every definition of the conformance corpus draws without error (with its recorded run, when it has one)."""
    files = sorted(CASES.glob("**/*.json"))
    if not files:
        pytest.skip("tests/conformance/cases is not there yet")
    failures = []
    for file in files:
        case = json.loads(file.read_text())
        try:
            m = from_definition(case["definition"])
            to_digraph(m)
            if case.get("history"):
                to_digraph(m, execution=case["history"])
        except Exception as error:  # collect them all, to report every one
            failures.append(f"{file.name}: {type(error).__name__}: {error}")
    assert failures == [] and len(files) >= 900


# --- output -----------------------------------------------------------------------------------------------------


def test_missing_dot_names_both_fixes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without dot, asking for pixels raises RenderError naming apt-get and the pip extra."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(tmp_path))
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    with pytest.raises(RenderError, match=r"apt-get install graphviz.*pip install \"sfnkit\[render\]\""):
        render(machine(DRAGONS), format="svg")


def test_dot_text_needs_no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """format="dot" returns the DOT text as bytes even without Graphviz."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(tmp_path))
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    m = machine(DRAGONS)
    assert render(m, format="dot") == render(m).source.encode()


def test_unknown_format_is_refused() -> None:
    """A format Graphviz does not write here is refused with the list of choices."""
    with pytest.raises(RenderError, match=r"Cannot draw to 'bmp': choose one of svg, png, pdf"):
        render(machine(DRAGONS), format="bmp")


@pytest.mark.dot
@needs_dot
def test_svg_bytes() -> None:
    """format="svg" returns an SVG document holding the state names."""
    svg = render(machine(DRAGONS), format="svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg and b"ValidateDragon" in svg


@pytest.mark.dot
@needs_dot
@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")])
def test_path_writes_the_format_of_its_suffix(tmp_path: Path, suffix: str, magic: bytes) -> None:
    """path= writes the file in the format its suffix names and returns the path."""
    target = tmp_path / f"dragons{suffix}"
    assert render(machine(DRAGONS), path=target) == target
    assert target.read_bytes().startswith(magic)


@pytest.mark.dot
@needs_dot
def test_nested_boxes_lay_out_without_warnings() -> None:
    """dot accepts the clusters and clipped edges of a Parallel in a Map (no stderr warnings)."""
    import subprocess

    done = subprocess.run(
        ["dot", "-Tsvg"], input=render(machine(ORDERS)).source.encode(), capture_output=True, check=True
    )
    assert done.stderr == b""


@pytest.mark.dot
@needs_dot
def test_thousand_state_machine_renders_to_svg() -> None:
    """A 1,000-state machine (Passes and Choices) lays out to SVG."""
    states: dict[str, Any] = {}
    for i in range(1000):
        name, following = f"Step{i:04d}", f"Step{i + 1:04d}"
        if i == 999:
            states[name] = {"Type": "Succeed"}
        elif i % 10 == 5:
            rule = {"Variable": "$.x", "NumericGreaterThan": i, "Next": following}
            states[name] = {"Type": "Choice", "Choices": [rule], "Default": f"Step{min(i + 2, 999):04d}"}
        else:
            states[name] = {"Type": "Pass", "Next": following}
    svg = render(machine({"StartAt": "Step0000", "States": states}), format="svg")
    assert svg.count(b'class="node"') == 1002  # the states, Start and End


# --- Jupyter ------------------------------------------------------------------------------------------------------


@pytest.mark.dot
@needs_dot
def test_mimebundle_has_svg_and_text() -> None:
    """A machine displays as SVG, with its repr as the text fallback."""
    m = machine(DRAGONS, "Dragons")
    bundle = mimebundle(m)
    assert sorted(bundle) == ["image/svg+xml", "text/plain"]
    assert bundle["text/plain"] == "<StateMachine 'Dragons': 6 states, StartAt 'ValidateDragon'>"
    assert "<svg" in bundle["image/svg+xml"]


def test_mimebundle_without_dot_is_text_with_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without dot the display is text that says how to get pictures; it does not raise."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(tmp_path))
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    bundle = mimebundle(machine(DRAGONS))
    assert list(bundle) == ["text/plain"]
    assert re.search(r"apt-get install graphviz", bundle["text/plain"])


def test_mimebundle_never_raises() -> None:
    """An object sfnkit cannot draw (or whose repr fails) still displays, as text."""

    class Broken:
        def __repr__(self) -> str:
            raise ValueError("no repr")

    bundle = mimebundle(Broken())
    assert bundle == {
        "text/plain": "<Broken: repr failed: no repr>\n"
        "(sfnkit could not draw this: TypeError: sfnkit cannot draw a Broken)"
    }


def test_mimebundle_honours_include_and_exclude(monkeypatch: pytest.MonkeyPatch) -> None:
    """IPython's include/exclude filter the bundle's MIME types."""
    monkeypatch.setattr("sfnkit.dot.layout", lambda source, format="svg": b"<svg/>")  # where the display runs dot
    m = machine(DRAGONS)
    assert mimebundle(m, include={"text/plain"}).keys() == {"text/plain"}
    assert mimebundle(m, exclude={"text/plain"}) == {"image/svg+xml": "<svg/>"}


def _graphviz_pure() -> str | None:
    import sysconfig

    found = shutil.which("graphviz-pure")
    scripts = Path(sysconfig.get_path("scripts")) / "graphviz-pure"
    return found or (str(scripts) if scripts.is_file() else None)


@pytest.mark.skipif(_graphviz_pure() is None, reason='graphviz-pure is not installed (pip install "sfnkit[render]")')
@pytest.mark.parametrize(("format", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_graphviz_pure_stands_in_for_dot(monkeypatch: pytest.MonkeyPatch, format: str, magic: bytes) -> None:
    """Without dot, the pip extra's graphviz-pure draws nested boxes and overlays."""
    pure = _graphviz_pure()
    monkeypatch.setattr(shutil, "which", lambda name: pure if name == "graphviz-pure" else None)
    picture = render(machine(ORDERS), format=format)
    assert picture.startswith(magic)
    if format == "svg":
        assert picture.count(b'class="cluster"') == 4 and picture.count(b'class="node"') == 11


def test_lambda_named_like_its_state_is_not_repeated() -> None:
    """A @lambda_fn Task (function named as its state) reads "λ Lambda function", not the name twice."""
    definition = {
        "StartAt": "Validate",
        "States": {
            "Validate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "Validate", "Payload.$": "$"},
                "End": True,
            }
        },
    }
    assert ">λ Lambda function<" in render(machine(definition)).source


def test_rendered_digraph_displays_without_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """render() gives a graphviz.Digraph whose Jupyter display falls back to text instead of raising."""
    import graphviz

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(tmp_path))
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    diagram = render(machine(DRAGONS, "Dragons"))
    bundle = diagram._repr_mimebundle_()
    assert isinstance(diagram, graphviz.Digraph)
    assert list(bundle) == ["text/plain"] and bundle["text/plain"].startswith("<diagram Dragons: ")


def test_mimebundle_draws_dsl_fragments(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DSL fragment displays as the machine it would build."""
    from sfnkit import lambda_fn

    drawn: list[str] = []
    monkeypatch.setattr("sfnkit.dot.layout", lambda source, format="svg": drawn.append(source) or b"")

    @lambda_fn
    def hatch(event: Any) -> Any:
        return event

    @lambda_fn
    def fly(event: Any) -> Any:
        return event

    (hatch >> fly)._repr_mimebundle_()
    assert "<B>Hatch</B>" in drawn[0] and "<B>Fly</B>" in drawn[0]


def test_mimebundle_of_execution_without_machine_says_how_to_draw_it() -> None:
    """An execution that does not carry its machine displays as text pointing at render(machine, execution=)."""

    class Run:
        history: tuple[Any, ...] = ()

        def __repr__(self) -> str:
            return "<Run>"

    assert mimebundle(Run())["text/plain"] == (
        "<Run>\n(sfnkit could not draw this: TypeError: this execution does not know its machine: "
        "draw it with render(machine, execution=...))"
    )


@pytest.mark.parametrize("module", ["sfnkit.labels", "sfnkit.mermaid"])
def test_docstring_examples(module: str) -> None:
    """The examples in the label and Mermaid docstrings hold."""
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(module)).failed == 0


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"Seconds": 90}, "Wait 90 s"),
        ({"Seconds": 7200}, "Wait 2 h"),
        ({"SecondsPath": "$.delay"}, "Wait delay s"),
        ({"Seconds": "{% $states.input.delay %}"}, "Wait delay s"),
        ({"Timestamp": "2026-01-01T00:00:00Z"}, "Wait until 2026-01-01T00:00:00Z"),
        ({"TimestampPath": "$.when"}, "Wait until when"),
    ],
)
def test_wait_label_says_how_long(fields: dict[str, Any], text: str) -> None:
    """A Wait state's box says how long or until when, whichever field sets it."""
    definition = {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", **fields, "End": True}}}
    [line] = lines_with(render(machine(definition)).source, 'tooltip="Wait Pause"')
    assert " ".join(re.findall(r'COLOR="#545B64">([^<]*)</FONT>', line)) == text


def test_mimebundle_of_execution_draws_the_run_on_its_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """An execution that carries its machine displays as the overlay of its history."""
    drawn: list[str] = []
    monkeypatch.setattr("sfnkit.dot.layout", lambda source, format="svg": drawn.append(source) or b"")

    @attrs.frozen
    class Run:
        machine: StateMachine
        history: tuple[dict[str, Any], ...]
        status: str = "SUCCEEDED"

    events = (
        {"id": 1, "previousEventId": 0, "type": "PassStateEntered", "stateEnteredEventDetails": {"name": "Hello"}},
        {"id": 2, "previousEventId": 1, "type": "PassStateExited", "stateExitedEventDetails": {"name": "Hello"}},
    )
    hello = machine({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}})
    mimebundle(Run(hello, events))
    assert "Execution SUCCEEDED" in drawn[0] and 'color="#1D8102" fillcolor="#EBF5E6" penwidth=2' in drawn[0]


def test_local_execution_displays_without_raising() -> None:
    """sfnkit.run's Execution has a Jupyter display that never raises."""
    from sfnkit import run

    bundle = run(
        machine({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}}), {}
    )._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Execution(")


_ONE_TASK = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": True}
    },
}


def test_execution_render_draws_the_run_on_its_machine() -> None:
    """execution.render() is render(machine, execution=...) for the machine that ran, given as a machine or as ASL."""
    from sfnkit import from_asl, run

    machine = from_asl(_ONE_TASK)
    by_machine = run(machine, {}, lambdas={"work": lambda event: event})
    by_dict = run(_ONE_TASK, {}, lambdas={"work": lambda event: event})
    expected = render(machine, execution=by_machine).source
    assert (by_machine.machine is machine, by_machine.render().source, by_dict.render().source) == (
        True,
        expected,
        expected,
    )


@pytest.mark.dot
@needs_dot
def test_execution_displays_as_svg_in_jupyter() -> None:
    """An Execution's Jupyter bundle holds the run drawn as SVG."""
    from sfnkit import run

    execution = run(_ONE_TASK, {}, lambdas={"work": lambda event: event})
    assert execution._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")


def test_machine_to_mermaid_delegates() -> None:
    """machine.to_mermaid() is sfnkit.mermaid.to_mermaid(machine)."""
    from sfnkit.mermaid import to_mermaid

    machine = from_definition(_ONE_TASK)
    assert machine.to_mermaid() == to_mermaid(machine)


@pytest.mark.dot
@needs_dot
def test_a_flow_fragment_displays_as_svg_in_jupyter() -> None:
    """A DSL fragment shows in Jupyter as the machine it would build."""
    from sfnkit import pass_, wait

    bundle = (pass_(name="First") >> wait(seconds=5, name="Pause"))._repr_mimebundle_()
    assert ("First" in bundle["image/svg+xml"], "Pause" in bundle["image/svg+xml"]) == (True, True)
