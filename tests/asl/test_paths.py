"""JSONPath as AWS reads it: selection, Jayway's not-found reasons, caret errors, ResultPath insertion."""

from __future__ import annotations

import re

import pytest

from sfnkit.asl.failures import StatesError
from sfnkit.asl.paths import PathNotFound, compile_path, compile_reference_path, input_keys
from sfnkit.asl.scope import Scope
from sfnkit.errors import AslError

DATA = {
    "foo": 123,
    "bar": ["a", "b", "c"],
    "car": {"cdr": True},
    "jar": [{"a": 1}, {"a": 5}, {"a": 2}, {"a": 7}, {"a": 3}],
    "text": "str",
    "odd key": {"x.y": 1},
    "none": None,
}
SCOPE = Scope(DATA, {"Execution": {"Id": "arn:x"}, "Map": {"Item": {"Index": 2}}}, {"order": {"items": [10, 20]}})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DATA),
        ("$.foo", 123),
        ("$.bar", ["a", "b", "c"]),
        ("$.car.cdr", True),
        ("$.bar[1]", "b"),
        ("$.bar[-1]", "c"),
        ("$['car']['cdr']", True),
        ('$["car"].cdr', True),
        ("$['odd key']['x.y']", 1),
        ("$.['odd key']", {"x.y": 1}),
        ("$$.Execution.Id", "arn:x"),
        ("$$.Map.Item.Index", 2),
        ("$order.items[1]", 20),
        ("$order", {"items": [10, 20]}),
    ],
)
def test_definite_paths_select_one_value(path: str, expected: object) -> None:
    """A definite path yields the value itself, not a list."""
    assert compile_path(path).find(SCOPE) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.jar[?(@.a >= 5)]", [{"a": 5}, {"a": 7}]),
        ("$.jar[?(@.a > 1 && @.a < 5)].a", [2, 3]),
        ("$.jar[?(@.a == 1 || @.a == 3)].a", [1, 3]),
        ("$.jar[?(!(@.a > 1))].a", [1]),
        ("$.jar[?(@.a in [5, 7])].a", [5, 7]),
        ("$.jar[?(@.b)]", []),
        ("$.jar[*].a", [1, 5, 2, 7, 3]),
        ("$.bar[0:2]", ["a", "b"]),
        ("$.bar[-2:]", ["b", "c"]),
        ("$.bar[:1]", ["a"]),
        ("$.bar[0,2]", ["a", "c"]),
        ("$.car.*", [True]),
        ("$..cdr", [True]),
        ("$.nothing[*]", []),
    ],
)
def test_indefinite_paths_gather_a_list(path: str, expected: object) -> None:
    """Wildcards, slices, unions, filters and deep scans gather their matches into a list (maybe empty)."""
    assert compile_path(path).find(SCOPE) == expected


@pytest.mark.parametrize("path", ["$.item.items[*]", "$.items[1:5].itemValue", "$[*]", "$.a.b[?(@.c)]", "$.x[0,1]"])
def test_indefinite_path_through_missing_fields_is_empty(path: str) -> None:
    """AWS: an indefinite path whose prefix is missing selects [] rather than failing (corpus: base/json_path_*)."""
    assert compile_path(path).find(Scope({})) == []


def test_filter_on_a_scalar_is_an_error() -> None:
    """Jayway refuses to filter a primitive reached by a definite prefix."""
    with pytest.raises(PathNotFound, match=r"Filter: \[\?\] can not be applied to primitives. Current context is: 123"):
        compile_path("$.foo[?(@.a)]").find(SCOPE)


def test_filter_at_does_not_match_scalars() -> None:
    """AWS: '@' in a filter matches objects only, so a filter over strings selects nothing."""
    assert compile_path("$.bar[?(@ == 'a')]").find(SCOPE) == []


def test_multi_name_leaf_merges_into_one_object() -> None:
    """Jayway merges ['a','b'] as the last step into one object of the fields present."""
    assert compile_path("$['foo','car','nope']").find(SCOPE) == {"foo": 123, "car": {"cdr": True}}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("$.nope", r"^Invalid path '\$\.nope' : No results for path: \$\['nope'\]$"),
        ("$.car.nope", r"No results for path: \$\['car'\]\['nope'\]$"),
        ("$.no.such.path", r"^Invalid path '\$\.no\.such\.path' : Missing property in path \$\['no'\]$"),
        ("$.bar[7]", r"No results for path: \$\['bar'\]\[7\]$"),
        ("$.foo.x", r"Expected to find an object with property \['x'\] in path \$\['foo'\] but found"),
        ("$.car[0].x", r"Filter: \[0\]\['x'\] can only be applied to arrays. Current context is: \{\"cdr\":true\}"),
        ("$.none[0]", r"The path \$\['none'\] is null"),
        ("$['foo','bar'].x", r"Multi properties can only be used as path leafs: \$\['foo', 'bar'\]"),
        ("$.bar.length()", r"No results for path: \$\['bar'\]\.length\(\)"),
        ("$nobody.x", r"The variable 'nobody' is not defined"),
    ],
)
def test_missing_definite_path_raises_jayway_reason(path: str, message: str) -> None:
    """A definite path that matches nothing raises PathNotFound with the text AWS quotes in its cause."""
    with pytest.raises(PathNotFound, match=message):
        compile_path(path).find(SCOPE)


def test_path_not_found_keeps_the_path_text() -> None:
    """PathNotFound.path is the path as written and .reason Jayway's explanation."""
    with pytest.raises(PathNotFound) as caught:
        compile_path("$.a.b").find(Scope({}))
    assert (caught.value.path, caught.value.reason) == ("$.a.b", "Missing property in path $['a']")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("foo", "A path must start with '\\$'.*\nfoo\n\\^$"),
        ("$.", "must not end with '\\.'.*\n\\$\\.\n \\^$"),
        ("$.a[", "Unclosed '\\['.*\n\\$\\.a\\[\n   \\^$"),
        ("$.a[x]", "Unexpected 'x' in brackets.*\n\\$\\.a\\[x\\]\n    \\^$"),
        ("$.a..", "must not end with '\\.\\.'"),
        ("$.a b", "Unexpected ' ' in path.*\n\\$\\.a b\n   \\^$"),
        ("$[1:2:3]", "Slices take no step"),
        ("$['a]", "Unclosed quote"),
        ("$.a[?(@.b >)]", "Expected @\\.path"),
        ("$1", "Variable name '1' must start with a letter"),
    ],
)
def test_bad_syntax_raises_asl_error_with_caret(path: str, message: str) -> None:
    """Syntax errors are AslErrors drawn with a caret under the offending character."""
    with pytest.raises(AslError, match=message):
        compile_path(path)


def test_asl_error_names_the_location() -> None:
    """The location given at compile time leads the message."""
    with pytest.raises(AslError, match=r"^States\.A\.InputPath: "):
        compile_path("$.", location="States.A.InputPath")


@pytest.mark.parametrize(
    ("path", "definite", "reference"),
    [
        ("$", True, True),
        ("$.a[0].b", True, True),
        ("$.a[*]", False, False),
        ("$.a[0,1]", False, False),
        ("$['a','b']", True, False),
        ("$..a", False, False),
        ("$.a.length()", True, False),
    ],
)
def test_definiteness(path: str, definite: bool, reference: bool) -> None:
    """is_definite follows Jayway; is_reference is ASL's stricter 'names and indexes only'."""
    compiled = compile_path(path)
    assert (compiled.is_definite, compiled.is_reference) == (definite, reference)


def test_normalized_spelling() -> None:
    """The normalised path is Jayway's bracket spelling."""
    assert compile_path("$.a.b[2]['c d']").normalized == "$['a']['b'][2]['c d']"


def test_result_path_root_replaces() -> None:
    """ResultPath '$' makes the result the whole output."""
    assert compile_reference_path("$").insert({"a": 1}, [1]) == [1]


def test_result_path_creates_missing_objects() -> None:
    """Missing objects along a ResultPath are created."""
    assert compile_reference_path("$.x.y").insert({"a": 1}, 5) == {"a": 1, "x": {"y": 5}}


def test_result_path_overwrites_and_copies_only_along_the_path() -> None:
    """An existing field is replaced; the input is untouched and siblings are shared, not copied."""
    sibling = {"big": [1, 2, 3]}
    data = {"keep": sibling, "x": {"y": 1, "z": 2}}
    out = compile_reference_path("$.x.y").insert(data, 9)
    assert out == {"keep": {"big": [1, 2, 3]}, "x": {"y": 9, "z": 2}}
    assert data["x"] == {"y": 1, "z": 2}
    assert out["keep"] is sibling


def test_result_path_into_array_element() -> None:
    """An index step replaces that element."""
    assert compile_reference_path("$.l[1].v").insert({"l": [{}, {"v": 0}]}, 1) == {"l": [{}, {"v": 1}]}


def test_result_path_on_string_input_conflicts() -> None:
    """A ResultPath on a non-object input fails as AWS does: States.ReferencePathConflict."""
    with pytest.raises(
        StatesError, match=r'^States\.ReferencePathConflict: Unable to apply ReferencePath \$\.x to input "abc"$'
    ):
        compile_reference_path("$.x").insert("abc", 1)


@pytest.mark.parametrize("path", ["$.a[*]", "$..a", "$.a[?(@.b)]", "$.a[0:1]", "$$.Execution", "$var.x"])
def test_result_path_must_be_a_reference_path(path: str) -> None:
    """ResultPath rejects wildcards, filters, slices, the context object and variables."""
    with pytest.raises(AslError, match="ResultPath must be a reference path"):
        compile_reference_path(path)


BOOKS = {
    "books": [{"t": "A", "p": 8, "tags": ["x", "y"]}, {"t": "Bb", "p": 12, "tags": []}, {"t": "C", "p": 20}],
    "max": 10,
    "o": {"a": {"a": 1}, "b": [{"a": 2}]},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.books[?(@.p < $.max)].t", ["A"]),
        ("$.books[?(@.t =~ /b+/i)].t", ["Bb"]),
        ("$.books[?(@.t nin ['A','C'])].t", ["Bb"]),
        ("$.books[?(@.tags size 2)].t", ["A"]),
        ("$.books[?(@.tags empty true)].t", ["Bb"]),
        ("$.books[?(@.tags contains 'y')].t", ["A"]),
        ("$.books[?(@.tags subsetof ['x','y','z'])].t", ["A", "Bb"]),
        ("$.books[?(@.tags anyof ['y'])].t", ["A"]),
        ("$.books[?(@.tags noneof ['y'])].t", ["Bb"]),
        ('$.books[?(@.t == "A")].p', [8]),
        ("$.books[?(@['t'] == 'A')].p", [8]),
        ("$.books[?(@.p == 8.0)].t", ["A"]),
        ("$.books[?(@.p == '8')].t", []),
        ("$.books[?(@.missing == null)]", []),
        ("$.books[?(@.p>10)].t", ["Bb", "C"]),
    ],
)
def test_filter_operators(path: str, expected: object) -> None:
    """Jayway's filter operators: comparisons (typed), regex, in/nin, size, empty, contains, set tests, $ refs."""
    assert compile_path(path).find(Scope(BOOKS)) == expected


def test_deep_scan_visits_a_node_before_its_children() -> None:
    """'..' applies the next step at each node, parent first, in document order."""
    assert compile_path("$..a").find(Scope(BOOKS)) == [{"a": 1}, 1, 2]


def test_compiled_paths_are_shared_but_errors_keep_their_location() -> None:
    """A path text compiles once per process; a bad text still names each place it was written."""
    assert compile_path("$.shared.path") is compile_path("$.shared.path")
    for location in ("States.A.InputPath", "States.B.OutputPath"):
        with pytest.raises(AslError, match=rf"^{re.escape(location)}: "):
            compile_path("$.bad[", location=location)


@pytest.mark.parametrize(
    "path",
    [
        "$.store\\.book",
        "$.\\stor\\e.boo\\k",
        "$.foo.\\.bar",
        "$.foo\\@bar.baz\\[\\[.\\?pretty",
        "$.&Ж中.\\uD800\\uDF46",
        "$.ledgers[0][22][315].foo",
        "$['store'][0]['book']",
    ],
)
def test_spec_reference_path_examples_are_reference_paths(path: str) -> None:
    """Every Reference Path example of the ASL spec compiles as a reference path (escapes included)."""
    assert compile_path(path).is_reference


def test_filter_existence_and_its_negation() -> None:
    """[?(@.k)] keeps objects with the key (false and null too); [?(!@.k)] keeps those without it or with null."""
    data = {"l": [{"k": None}, {"k": 1}, {}, {"k": False}]}
    assert compile_path("$.l[?(@.k)]").find(Scope(data)) == [{"k": None}, {"k": 1}, {"k": False}]
    assert compile_path("$.l[?(!@.k)]").find(Scope(data)) == [{"k": None}, {}]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("$", ()),
        ("$.a", ("a",)),
        ("$.a.b", ("a", "b")),
        ("$['a']['b c']", ("a", "b c")),
        ("$.a[0]", None),
        ("$..a", None),
        ("$.a.*", None),
        ("$['a','b']", None),
        ("$.a.length()", None),
        ("$$.State", None),
        ("$var.a", None),
        ("States.Format('x')", None),
        ("$.a[", None),
    ],
)
def test_input_keys_of_plain_input_paths_only(text: str, keys: tuple[str, ...] | None) -> None:
    """input_keys gives the names of a path that walks the input by plain names, else None."""
    assert input_keys(text) == keys
