"""Payload templates: .$ keys evaluated and renamed at any depth, constants shared, AWS's not-found cause."""

from __future__ import annotations

import pytest

from sfnkit.asl.failures import StatesError
from sfnkit.asl.scope import Json, Scope
from sfnkit.asl.templates import (
    compile_direct_template,
    compile_payload_template,
    compile_value_expression,
    not_found_cause,
)
from sfnkit.errors import AslError

SCOPE = Scope({"order": {"id": 7, "items": [1, 2]}, "who": "Ann"}, {"Execution": {"Name": "run-1"}}, {"limit": 5})


def fill(template: Json) -> Json:
    return compile_payload_template(template, field="Parameters")(SCOPE)


def test_dollar_keys_take_paths_and_lose_the_suffix() -> None:
    """A 'key.$' value is a path on the input; the output key drops '.$'."""
    assert fill({"id.$": "$.order.id", "kind": "new"}) == {"id": 7, "kind": "new"}


def test_context_variables_and_intrinsics() -> None:
    """'.$' values may read the context object ($$), variables ($name) or call intrinsics."""
    template = {"run.$": "$$.Execution.Name", "max.$": "$limit", "hi.$": "States.Format('hi {}', $.who)"}
    assert fill(template) == {"run": "run-1", "max": 5, "hi": "hi Ann"}


def test_nested_objects_and_objects_inside_arrays_are_templates() -> None:
    """Keys ending in '.$' are evaluated at any depth, including objects inside arrays."""
    template = {"a": {"b.$": "$.who"}, "list": [{"c.$": "$.order.items[0]"}, "plain", 3]}
    assert fill(template) == {"a": {"b": "Ann"}, "list": [{"c": 1}, "plain", 3]}


def test_keys_without_suffix_are_copied_verbatim() -> None:
    """A value that looks like a path is a literal unless its key ends in '.$'."""
    assert fill({"p": "$.who", "j": "{% $x %}", "f": "States.UUID()"}) == {
        "p": "$.who",
        "j": "{% $x %}",
        "f": "States.UUID()",
    }


def test_constant_template_is_returned_without_copying() -> None:
    """A template with no '.$' key is returned as is, every time (no copies)."""
    template = {"a": [1, {"b": 2}]}
    evaluate = compile_payload_template(template, field="Parameters")
    assert evaluate(SCOPE) is template


def test_constant_subtrees_are_shared() -> None:
    """Constant parts of a dynamic template are shared between evaluations."""
    evaluate = compile_payload_template({"const": {"big": [1, 2, 3]}, "id.$": "$.order.id"}, field="Parameters")
    assert evaluate(SCOPE)["const"] is evaluate(SCOPE)["const"]


def test_indefinite_path_gives_a_list() -> None:
    """A wildcard path in a template yields the list of matches."""
    assert fill({"all.$": "$.order.items[*]"}) == {"all": [1, 2]}


def test_missing_path_fails_with_aws_cause() -> None:
    """A '.$' path that matches nothing is States.Runtime with AWS's cause text (input as compact JSON)."""
    with pytest.raises(StatesError) as caught:
        compile_payload_template({"value.$": "$.nope"}, field="Parameters")(Scope({"a": [1, "é"]}))
    assert (caught.value.error, caught.value.cause) == (
        "States.Runtime",
        "The JSONPath '$.nope' specified for the field 'value.$' could not be found in the input '{\"a\":[1,\"é\"]}'",
    )


def test_missing_path_inside_intrinsic_names_the_argument_path() -> None:
    """A missing path argument of an intrinsic is reported like a missing '.$' path."""
    with pytest.raises(StatesError, match=r"The JSONPath '\$\.nope' specified for the field 'x\.\$' could not"):
        fill({"x.$": "States.Format('{}', $.nope)"})


def test_intrinsic_failure_passes_through() -> None:
    """An intrinsic's own failure keeps its error name."""
    with pytest.raises(StatesError, match=r"^States\.IntrinsicFailure: "):
        fill({"x.$": "States.ArrayGetItem($.order.items, 9)"})


def test_not_found_cause_text() -> None:
    """not_found_cause reproduces AWS's wording for ErrorPath/CausePath too."""
    assert not_found_cause("$.ErrorX", "ErrorPath", {}) == (
        "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{}'"
    )


def test_value_expression_for_fail_paths() -> None:
    """compile_value_expression evaluates a path or intrinsic with the field name AWS quotes."""
    cause = compile_value_expression("States.Format('bad {}', $.who)", field="CausePath")
    assert cause(SCOPE) == "bad Ann"
    with pytest.raises(StatesError, match=r"for the field 'ErrorPath'"):
        compile_value_expression("$.nope", field="ErrorPath")(SCOPE)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ({"x.$": 1}, r"The value for the field 'x\.\$' must be a valid JSONPath or a valid intrinsic function call"),
        ({"x.$": "hello"}, r"must be a valid JSONPath \(starting with '\$'\) or a valid intrinsic"),
        ({"x.$": "$.a["}, r"Unclosed '\['"),
        ({"x.$": "States.Nope()"}, r"Unknown intrinsic function"),
        ({"x": 1, "x.$": "$.a"}, r"The keys 'x' and 'x\.\$' both produce the field 'x'"),
    ],
)
def test_bad_templates_are_asl_errors(template: Json, message: str) -> None:
    """Invalid '.$' values and clashing keys fail when the template is compiled."""
    with pytest.raises(AslError, match=message):
        compile_payload_template(template, field="Parameters")


def test_error_location_names_the_key() -> None:
    """The AslError location points at the exact key in the definition."""
    with pytest.raises(AslError, match=r"^States\.A\.Parameters\.outer\.x\.\$: "):
        compile_payload_template({"outer": {"x.$": "$."}}, field="Parameters", location="States.A")


def test_key_order_follows_the_definition() -> None:
    """Evaluated and constant keys come out in the order they were written."""
    out = fill({"a": 1, "b.$": "$.who", "c": 2, "d.$": "$.order.id"})
    assert list(out) == ["a", "b", "c", "d"]


DIRECT_INPUTS: list[Json] = [
    {"order": {"id": 7}, "who": "Ann", "v": None},
    {"order": {"id": [1]}, "who": {"x": 1}, "v": 0},
    {"order": [1, 2], "who": "Ann", "v": 1},
    {"order": "text", "who": "Ann", "v": 1},
    {"who": "Ann", "v": 1},
    {"order": {}, "who": 1, "v": 2},
    {"order": {"id": 2.5}, "who": 1, "v": 1.5},
    {"order": {"id": True}, "who": 1, "v": "1"},
    [1, 2, 3],
    "text",
    None,
]


@pytest.mark.parametrize("data", DIRECT_INPUTS)
@pytest.mark.parametrize(
    "template",
    [
        {"id.$": "$.order.id", "kind": "new", "deep": {"k": [1, {"z": 2}]}},
        {"v.$": "$.v", "k": 1},
        {"w.$": "$.who", "all.$": "$", "o.$": "$['order']"},
        {"n.$": "States.MathAdd($.v, 1)"},
        {"n.$": "States.MathAdd($.order.id, -3)", "w.$": "$.who"},
    ],
)
def test_direct_template_agrees_with_the_full_template(template: Json, data: Json) -> None:
    """The direct fill gives the full template's value, or raises KeyError/TypeError (always where the full one
    fails): the caller then runs the full template."""
    full = compile_payload_template(template, field="Parameters")
    direct = compile_direct_template(template)
    assert direct is not None
    try:
        expected = full(Scope(data))
    except StatesError:
        with pytest.raises((KeyError, TypeError)):
            direct(data)
        return
    try:
        got = direct(data)
    except (KeyError, TypeError):
        assert "MathAdd" in str(template)  # only the counter leaves non-integers to the full call
        return
    assert got == expected
    assert list(got) == list(expected)  # the definition's key order


@pytest.mark.parametrize(
    "template",
    [
        {"a.$": "$$.Execution.Name"},
        {"a.$": "$limit"},
        {"a.$": "$.items[0]"},
        {"a.$": "$..id"},
        {"a.$": "States.Format('{}', $.v)"},
        {"a.$": "States.MathAdd($.v, $.v)"},
        {"a": {"b.$": "$.v"}},
        {"a": [{"b.$": "$.v"}]},
        {"a": 1},
        [1, 2],
    ],
)
def test_direct_template_only_for_plain_input_paths(template: Json) -> None:
    """Context, variables, indexes, scans, intrinsics, nested templates and constants have no direct form."""
    assert compile_direct_template(template) is None
