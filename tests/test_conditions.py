"""The Python-operator front end of conditions: data/ctx/var paths, operators, JSONata spelling, errors."""

from __future__ import annotations

import datetime

import pytest

from sfnkit import ConditionError, ctx, data, jsonata, var
from sfnkit.asl.codec import to_choice_rule
from sfnkit.conditions import AllOf, Compare, Expression, Not, Path, Predicate, jsonata_path, to_jsonata

MOMENT = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("predicate", "rule"),
    [
        (data.is_new == True, {"Variable": "$.is_new", "BooleanEquals": True}),  # noqa: E712
        (data.age == 18, {"Variable": "$.age", "NumericEquals": 18}),
        (data.age < 18, {"Variable": "$.age", "NumericLessThan": 18}),
        (data.age <= 18.5, {"Variable": "$.age", "NumericLessThanEquals": 18.5}),
        (data.age > 18, {"Variable": "$.age", "NumericGreaterThan": 18}),
        (data.age >= 18, {"Variable": "$.age", "NumericGreaterThanEquals": 18}),
        (data.name == "ann", {"Variable": "$.name", "StringEquals": "ann"}),
        (data.name < "b", {"Variable": "$.name", "StringLessThan": "b"}),
        (data.name <= "b", {"Variable": "$.name", "StringLessThanEquals": "b"}),
        (data.name > "b", {"Variable": "$.name", "StringGreaterThan": "b"}),
        (data.name >= "b", {"Variable": "$.name", "StringGreaterThanEquals": "b"}),
        (data.total != 0, {"Not": {"Variable": "$.total", "NumericEquals": 0}}),
        (data.when == MOMENT, {"Variable": "$.when", "TimestampEquals": "2024-05-01T12:30:00Z"}),
        (data.when < MOMENT, {"Variable": "$.when", "TimestampLessThan": "2024-05-01T12:30:00Z"}),
        (
            data.when.timestamp > "2024-01-01T00:00:00Z",
            {"Variable": "$.when", "TimestampGreaterThan": "2024-01-01T00:00:00Z"},
        ),
        (
            data.when.timestamp <= "2024-01-01T00:00:00Z",
            {"Variable": "$.when", "TimestampLessThanEquals": "2024-01-01T00:00:00Z"},
        ),
        (
            data.when.timestamp >= "2024-01-01T00:00:00Z",
            {"Variable": "$.when", "TimestampGreaterThanEquals": "2024-01-01T00:00:00Z"},
        ),
        (data.name.matches("dr*"), {"Variable": "$.name", "StringMatches": "dr*"}),
        (data.x.is_present(), {"Variable": "$.x", "IsPresent": True}),
        (data.x.is_present(False), {"Variable": "$.x", "IsPresent": False}),
        (data.x.is_null(), {"Variable": "$.x", "IsNull": True}),
        (data.x == None, {"Variable": "$.x", "IsNull": True}),  # noqa: E711
        (data.x.is_string(), {"Variable": "$.x", "IsString": True}),
        (data.x.is_numeric(), {"Variable": "$.x", "IsNumeric": True}),
        (data.x.is_boolean(), {"Variable": "$.x", "IsBoolean": True}),
        (data.x.is_timestamp(), {"Variable": "$.x", "IsTimestamp": True}),
    ],
    ids=lambda value: "" if isinstance(value, dict) else None,
)
def test_operator_compiles_to_the_asl_rule(predicate, rule):
    """Each Python operator or test method gives exactly one ASL Choice rule."""
    assert to_choice_rule(predicate.condition) == rule


@pytest.mark.parametrize(
    ("predicate", "rule"),
    [
        (data.total.number > data.limit, {"Variable": "$.total", "NumericGreaterThanPath": "$.limit"}),
        (data.total > data.limit.number, {"Variable": "$.total", "NumericGreaterThanPath": "$.limit"}),
        (data.a.string == data.b, {"Variable": "$.a", "StringEqualsPath": "$.b"}),
        (data.a.string < data.b, {"Variable": "$.a", "StringLessThanPath": "$.b"}),
        (data.a.boolean == data.b, {"Variable": "$.a", "BooleanEqualsPath": "$.b"}),
        (data.a.timestamp >= data.b, {"Variable": "$.a", "TimestampGreaterThanEqualsPath": "$.b"}),
        (data.a.number != data.b, {"Not": {"Variable": "$.a", "NumericEqualsPath": "$.b"}}),
    ],
    ids=["number", "type-on-right", "string-eq", "string-lt", "boolean", "timestamp", "not-equal"],
)
def test_path_against_path_uses_the_path_operator(predicate, rule):
    """Comparing two paths gives the ...Path operator of the named type."""
    assert to_choice_rule(predicate.condition) == rule


def test_and_or_not_nest_as_written():
    """``(a > 1) & ~(b == "x") | c.is_present()`` is Or(And(a, Not(b)), c)."""
    predicate = (data.a > 1) & ~(data.b == "x") | data.c.is_present()
    assert to_choice_rule(predicate.condition) == {
        "Or": [
            {"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.b", "StringEquals": "x"}}]},
            {"Variable": "$.c", "IsPresent": True},
        ]
    }


def test_chained_and_is_one_and():
    """``a & b & c`` is a single And of three rules, not nested pairs."""
    predicate = (data.a > 1) & (data.b > 2) & (data.c > 3)
    assert isinstance(predicate.condition, AllOf) and len(predicate.condition.conditions) == 3


def test_context_paths_use_double_dollar():
    """``ctx`` reads the context object: ``$$.Execution.Name``."""
    assert (ctx.Execution.Name == "run-1").condition == Compare(
        variable="$$.Execution.Name", operator="StringEquals", value="run-1"
    )


def test_variable_paths_use_the_variable_name():
    """``var.total`` is the variable ``$total``; deeper steps follow it."""
    assert (var.total.count > 100).condition == Compare(
        variable="$total.count", operator="NumericGreaterThan", value=100
    )


def test_index_and_odd_field_names():
    """``[0]`` indexes arrays; names that are not identifiers are quoted."""
    assert data.items[0]["unit price"].expression == "$.items[0]['unit price']"


def test_methods_names_are_reachable_by_index():
    """A field called like a Path method (``number``) is reached with ``data["number"]``."""
    assert (data["number"] == 1).condition.variable == "$.number"


def test_naive_datetime_is_utc():
    """A naive datetime literal is written as UTC with a ``Z``."""
    assert (data.t < datetime.datetime(2024, 1, 2, 3, 4, 5, 120000)).condition.value == "2024-01-02T03:04:05.12Z"


def test_paths_are_reused():
    """``data.x`` is made once: the same value each time it is asked for."""
    assert data.order.total is data.order.total


def test_condition_in_if_points_to_when():
    """Using a condition as a Python bool fails and says what to write."""
    with pytest.raises(ConditionError, match=r"when\(condition, then=step\)"):
        if data.total > 100:
            pass


def test_path_in_if_points_to_when():
    """A bare path used as a bool fails the same way."""
    with pytest.raises(ConditionError, match="not a Python bool"):
        bool(data.total)


def test_and_keyword_is_refused():
    """``a and b`` would silently drop a condition: it raises and suggests ``&``."""
    with pytest.raises(ConditionError, match="instead of and, or and not"):
        _ = (data.a > 1) and (data.b > 2)


def test_two_untyped_paths_are_ambiguous():
    """Comparing two paths without a type says how to name the type."""
    with pytest.raises(ConditionError, match=r"data.total.number > data.limit"):
        _ = data.total > data.limit


def test_boolean_has_no_order():
    """``data.flag < True`` is refused: booleans have no order in ASL."""
    with pytest.raises(ConditionError, match="booleans have no order"):
        _ = data.flag < True


def test_unsupported_literal():
    """A list literal cannot be compared in a Choice rule."""
    with pytest.raises(ConditionError, match=r"compares with a str, int, float, bool or datetime"):
        _ = data.tags == ["a"]


def test_type_mismatch_with_named_kind():
    """Naming .number and comparing with a string is refused."""
    with pytest.raises(ConditionError, match="as numeric with 'x'"):
        _ = data.n.number == "x"


def test_combining_with_a_path_is_refused():
    """``cond & data.x`` says a path alone is not a condition."""
    with pytest.raises(ConditionError, match="a path alone is not a condition"):
        _ = (data.a > 1) & data.b


def test_lone_backslash_in_pattern():
    """``matches`` rejects a backslash that escapes nothing."""
    with pytest.raises(ConditionError, match="a backslash must escape"):
        data.name.matches("a\\b")


@pytest.mark.parametrize(
    ("predicate", "expression"),
    [
        (data.age >= 18, "$states.input.age >= 18"),
        (data.name == "ann", '$states.input.name = "ann"'),
        (data.total != 0, "$not($states.input.total = 0)"),
        (var.total > 100, "$total > 100"),
        (ctx.Execution.Name == "x", '$states.context.Execution.Name = "x"'),
        (data.a.number < data.b, "$states.input.a < $states.input.b"),
        (data.t.timestamp < "2024-01-01T00:00:00Z", '$toMillis($states.input.t) < $toMillis("2024-01-01T00:00:00Z")'),
        (data.x.is_present(), "$exists($states.input.x)"),
        (data.x.is_present(False), "$not($exists($states.input.x))"),
        (data.x.is_null(), "$states.input.x = null"),
        (data.x.is_string(), "$type($states.input.x) = 'string'"),
        (data.x.is_numeric(), "$type($states.input.x) = 'number'"),
        (data.x.is_boolean(), "$type($states.input.x) = 'boolean'"),
        (data.n.matches("dr*.x"), "$type($states.input.n) = 'string' and $contains($states.input.n, /^dr.*\\.x$/)"),
        ((data.a > 1) & (data.b < 2) | data.c.is_null(),
         "($states.input.a > 1 and $states.input.b < 2) or $states.input.x = null".replace(".x", ".c")),
    ],
    ids=["ge", "string", "not", "var", "ctx", "path", "timestamp", "present", "absent", "null", "string-type",
         "number-type", "boolean-type", "matches", "and-or"],
)  # fmt: skip
def test_jsonata_spelling(predicate, expression):
    """Conditions spell as JSONata expressions on ``$states.input`` / ``$states.context`` / variables."""
    assert to_jsonata(predicate.condition) == expression


def test_is_timestamp_in_jsonata_checks_the_format():
    """``is_timestamp`` in JSONata tests the RFC 3339 shape with a regex."""
    assert to_jsonata(data.t.is_timestamp().condition).startswith("$type($states.input.t) = 'string' and $contains(")


def test_jsonata_wraps_raw_text():
    """``jsonata("...")`` is an Expression condition in ``{% %}``."""
    assert jsonata("$states.input.n > 1").condition == Expression(condition="{% $states.input.n > 1 %}")


def test_jsonata_keeps_braces():
    """Text already in ``{% %}`` is kept as it is."""
    assert jsonata("{% true %}").condition == Expression(condition="{% true %}")


def test_jsonata_combines_with_operators():
    """A raw expression combines with Python-operator conditions."""
    combined = jsonata("$x") & (data.n > 1)
    assert to_jsonata(combined.condition) == "$x and $states.input.n > 1"


def test_result_root_in_jsonata():
    """``result`` is the Task result: ``$states.result`` in JSONata."""
    from sfnkit import result

    assert result.total.to_jsonata() == "$states.result.total"


@pytest.mark.parametrize(
    ("path", "expression"),
    [
        ("$", "$states.input"),
        ("$.a.b", "$states.input.a.b"),
        ("$.a[2]", "$states.input.a[2]"),
        ("$['odd key']", "$states.input.`odd key`"),
        ("$$.Map.Item.Value", "$states.context.Map.Item.Value"),
        ("$count", "$count"),
        ("$count.x", "$count.x"),
    ],
)
def test_jsonata_path(path, expression):
    """Reference paths become JSONata paths."""
    assert jsonata_path(path) == expression


def test_ir_values_stay_plain():
    """The IR under a Predicate compares with ordinary == and is truthy."""
    condition = (data.a > 1).condition
    assert condition == Compare(variable="$.a", operator="NumericGreaterThan", value=1) and bool(condition)


def test_not_wraps_ir():
    """``~`` wraps in Not."""
    assert (~(data.a > 1)).condition == Not(condition=Compare(variable="$.a", operator="NumericGreaterThan", value=1))


def test_predicate_and_path_reprs():
    """Reprs show the ASL path."""
    assert repr(data.a.b) == "Path('$.a.b')" and repr(data.a > 1).startswith("Predicate(Compare(")


def test_path_is_a_path():
    """data is a Path rooted at ``$``."""
    assert isinstance(data, Path) and isinstance(data.a == 1, Predicate)


def test_when_with_a_bare_path():
    """when(data.x, ...) says to compare or test the path."""
    from sfnkit import succeed, when

    with pytest.raises(ConditionError, match=r"when\(\$\.x, \.\.\.\): a path alone is not a condition"):
        when(data.x, then=succeed())


def test_when_with_a_number():
    """when(1, ...) says how conditions are built."""
    from sfnkit import succeed, when

    with pytest.raises(ConditionError, match=r"the condition is built from paths"):
        when(1, then=succeed())  # type: ignore[arg-type]
