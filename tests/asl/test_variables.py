"""Workflow variables: names, limits, history form, scopes and scope checks of a definition."""

from __future__ import annotations

import re

import pytest

from sfnkit.asl.failures import StatesError
from sfnkit.asl.variables import (
    MAX_VARIABLE_BYTES,
    VariableScope,
    assigned_names,
    assigned_variables,
    check_sizes,
    name_problem,
    scope_problems,
    serialized_size,
)


@pytest.mark.parametrize("name", ["total", "x", "var_constant_1", "ItemsVar", "größe", "_private", "a" * 80])
def test_good_names(name: str) -> None:
    """Unicode identifiers up to 80 characters are variable names."""
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("states", "reserved for JSONata's \\$states"),
        ("a" * 81, "has 81 characters; at most 80"),
        ("x.y", "not a valid variable name"),
        ("x[2]", "not a valid variable name"),
        ("1x", "not a valid variable name"),
        ("", "not a valid variable name"),
    ],
)
def test_bad_names(name: str, message: str) -> None:
    """Reserved, too long, paths and non-identifiers are rejected with a reason."""
    problem = name_problem(name)
    assert problem is not None
    assert re.search(message, problem)


def test_assigned_names_strip_jsonpath_suffix() -> None:
    """JSONPath Assign keys ending in .$ assign the name without the suffix."""
    assert assigned_names({"a": 1, "b.$": "$.b", "c": "{% 1 %}"}) == ("a", "b", "c")


def test_serialized_size_is_compact_utf8() -> None:
    """Sizes count compact JSON bytes in UTF-8."""
    assert serialized_size({"a": [1, 2], "é": "é"}) == len('{"a":[1,2],"é":"é"}'.encode())


def test_assigned_variables_history_form() -> None:
    """assignedVariables maps names to compact JSON (corpus: assign BASE_CONSTANT_LITERALS)."""
    assert assigned_variables({"constant_float": 0.1, "constant_lst_empty": [], "s": "string literal"}) == {
        "constant_float": "0.1",
        "constant_lst_empty": "[]",
        "s": '"string literal"',
    }


def test_check_sizes_returns_total() -> None:
    """Values within the limits pass; the total size is returned for the execution's running count."""
    assert check_sizes({"a": 1, "b": "xy"}) == 5


def test_check_sizes_one_variable_too_big() -> None:
    """A value over 256 KiB fails with States.DataLimitExceeded naming the variable."""
    with pytest.raises(StatesError, match="variable 'big' is 262147 bytes") as caught:
        check_sizes({"big": "x" * (MAX_VARIABLE_BYTES + 1)})
    assert caught.value.error == "States.DataLimitExceeded"


def test_check_sizes_assign_too_big() -> None:
    """Values that fit one by one but not together fail."""
    half = "x" * (MAX_VARIABLE_BYTES // 2)
    with pytest.raises(StatesError, match="one Assign can hold at most 262144 bytes"):
        check_sizes({"a": half, "b": half})


def test_check_sizes_execution_total() -> None:
    """The execution's stored variables count towards 10 MiB."""
    with pytest.raises(StatesError, match="at most 10485760 bytes can be stored per execution"):
        check_sizes({"a": 1}, stored_bytes=10 * 1024 * 1024)


def test_assign_replaces_all_names_together() -> None:
    """Assign gives a new scope; the old one is unchanged (values at state entry stay readable)."""
    entry = VariableScope.root().assign({"x": 3, "a": 6})
    after = entry.assign({"x": entry.variables["a"], "nextX": entry.variables["x"]})
    assert (dict(entry.variables), dict(after.variables)) == ({"x": 3, "a": 6}, {"x": 6, "a": 6, "nextX": 3})


def test_child_scope_reads_outer_and_keeps_its_own() -> None:
    """A branch reads the outer variables; what it assigns stays in the branch."""
    outer = VariableScope.root().assign({"x": 1})
    branch = outer.child().assign({"y": 2})
    assert (dict(branch.variables), dict(outer.variables)) == ({"y": 2, "x": 1}, {"x": 1})


def test_child_scope_inner_wins_and_lookups_work() -> None:
    """Lookups in a child scope see the child's value first; get() and `in` work as on a dict."""
    scope = VariableScope.root().assign({"x": 1, "z": 0}).child().assign({"x": 2})
    variables = scope.variables
    assert (variables["x"], variables.get("z"), variables.get("nope"), "z" in variables, len(variables)) == (
        2,
        0,
        None,
        True,
        2,
    )


def test_root_scope_is_empty() -> None:
    """An execution (and a distributed Map child workflow) starts without variables."""
    assert dict(VariableScope.root().variables) == {}


def test_scope_problems_inner_assigns_outer_name() -> None:
    """A Parallel branch may not assign a name its enclosing block assigns."""
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"x": 2}, "End": True}}}],
            },
        },
    }
    [(where, message)] = scope_problems(definition)
    assert where == "States.P.Branches[0].States.B.Assign.x"
    assert "assigned by an enclosing block" in message


def test_scope_problems_map_iteration_and_catcher() -> None:
    """Map iterations are checked too; a catcher's Assign counts for the enclosing block."""
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "End": True,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"failed": True}, "Next": "F"}],
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Assign": {"failed.$": "$.x"}, "End": True}},
                },
            },
            "F": {"Type": "Fail"},
        },
    }
    assert [where for where, _ in scope_problems(definition)] == ["States.M.ItemProcessor.States.I.Assign.failed"]


def test_scope_problems_distributed_map_is_separate() -> None:
    """A distributed Map's child workflow cannot read outer variables, so it may reuse their names."""
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Assign": {"x": 2}, "End": True}},
                },
            },
        },
    }
    assert scope_problems(definition) == []


def test_scope_problems_bad_names_in_choice_rules() -> None:
    """Names are checked in Choice rules too; siblings may reuse names."""
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "QueryLanguage": "JSONata",
                "Choices": [{"Condition": "{% true %}", "Assign": {"states": 1}, "Next": "D"}],
                "Default": "D",
            },
            "D": {"Type": "Succeed"},
        },
    }
    [(where, message)] = scope_problems(definition)
    assert (where, "reserved" in message) == ("States.C.Choices[0].Assign.states", True)
