"""sfnkit.frozen.sparse: attrs frozen classes that store only non-default fields, with attrs' behaviour intact."""

from __future__ import annotations

import copy
import pickle

import attrs
import pytest

from sfnkit.frozen import sparse
from sfnkit.states import ABSENT, Pass, Retrier, Task


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Point:
    """A test value: a required field, a plain default, a factory and a converter."""

    x: int
    y: int = 0
    tags: list[str] = attrs.field(factory=list)
    path: tuple[str, ...] | None = attrs.field(default=None, converter=lambda v: None if v is None else tuple(v))


def test_only_fields_off_their_default_are_stored() -> None:
    """The instance dict holds what was given (and factory values); defaults come from the class."""
    point = Point(x=1, path=["a"])
    assert vars(point) == {"x": 1, "tags": [], "path": ("a",)}
    assert (point.x, point.y, point.path) == (1, 0, ("a",))


def test_fields_cannot_be_assigned_or_deleted() -> None:
    """A value is frozen as attrs.frozen makes it."""
    point = Point(x=1)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del point.y  # type: ignore[misc]


def test_attrs_api_is_unchanged() -> None:
    """fields, evolve, ==, repr and the converter work as on any attrs class."""
    point = Point(x=1, y=2)
    assert [field.name for field in attrs.fields(Point)] == ["x", "y", "tags", "path"]
    assert attrs.evolve(point, path=("b", "c")) == Point(x=1, y=2, path=["b", "c"])
    assert point != Point(x=1)
    assert repr(point) == "Point(x=1, y=2, tags=[], path=None)"


def test_factories_give_each_instance_its_own_value() -> None:
    """A factory default is made per instance, not shared through the class."""
    assert Point(x=1).tags is not Point(x=1).tags


def test_missing_and_unknown_arguments_raise_type_error() -> None:
    """The generated __init__ takes the same keyword-only arguments as attrs'."""
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(x=1, z=2)  # type: ignore[call-arg]


def test_states_hash_pickle_and_copy() -> None:
    """IR states made with value keep hashing, pickling and deep copies."""
    task = Task(resource="arn:aws:states:::sns:publish", retry=(Retrier(error_equals=("States.ALL",)),))
    assert hash(task) == hash(
        Task(resource="arn:aws:states:::sns:publish", retry=(Retrier(error_equals=("States.ALL",)),))
    )
    assert pickle.loads(pickle.dumps(task)) == task
    assert copy.deepcopy(Pass(result=None)) == Pass(result=None)
    assert Pass(result=None).result is None and Pass().result is ABSENT


def test_slotted_classes_are_refused() -> None:
    """sparse needs an instance dict: it goes above attrs.frozen(slots=False)."""
    with pytest.raises(TypeError, match="goes above"):

        @sparse
        @attrs.frozen
        class Slotted:
            x: int


def test_unsupported_attrs_features_are_refused() -> None:
    """Validators and post-init hooks would be skipped by the sparse __init__, so sparse refuses them."""
    with pytest.raises(TypeError, match="does not run validators"):

        @sparse
        @attrs.frozen(slots=False)
        class Checked:
            x: int = attrs.field(validator=attrs.validators.instance_of(int))

    with pytest.raises(TypeError, match="does not run __attrs_post_init__"):

        @sparse
        @attrs.frozen(slots=False)
        class Hooked:
            x: int

            def __attrs_post_init__(self) -> None:
                pass
