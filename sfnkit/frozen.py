"""``sparse``: an ``attrs.frozen`` class that is cheaper to make, for the values built per state (IR, steps, rules).

A slotted frozen attrs class sets every field through ``object.__setattr__`` when it is made, which makes a state with
twenty fields cost as much as the rest of its build. A ``sparse`` class is the same attrs class without slots: its
defaults are also class attributes, and its ``__init__`` stores in the instance ``__dict__`` only the fields that
differ from their default (in field order). Everything attrs gives is unchanged: ``attrs.fields``, ``attrs.evolve``,
``==``, ``hash``, ``repr``, pattern matching, pickling; assigning or deleting a field still raises
``attrs.exceptions.FrozenInstanceError``.

Trade-off: instances have a ``__dict__`` (no ``__slots__``), and reading a field left at its default falls back to
the class attribute (a few nanoseconds more). ``object.__setattr__`` can bypass the freeze, as with any attrs frozen
class. Validators, ``__attrs_pre_init__``/``__attrs_post_init__`` and ``on_setattr`` are not supported (checked).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs
from attrs import NOTHING

__all__ = ["sparse"]

C = TypeVar("C", bound=type)


def sparse(cls: C) -> C:
    """Give the ``attrs.frozen(slots=False)`` class *cls* a sparse ``__init__`` (see the module docstring).

    Apply it above the attrs decorator::

        @sparse
        @attrs.frozen(kw_only=True, slots=False)
        class Pass: ...
    """
    if not _is_attrs_class(cls) or "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: @sparse goes above @attrs.frozen(slots=False)")
    _sparse_init(cls)
    return cls


def _sparse_init(cls: type) -> None:
    for hook in ("__attrs_pre_init__", "__attrs_post_init__"):
        if hasattr(cls, hook):
            raise TypeError(f"{cls.__name__}: @sparse does not run {hook}")
    namespace: dict[str, Any] = {"NOTHING": NOTHING}
    parameters: list[str] = []
    body: list[str] = []
    keyword_only = False
    for number, field in enumerate(attrs.fields(cls)):
        if field.validator is not None:
            raise TypeError(f"{cls.__name__}.{field.name}: @sparse does not run validators")
        default, converter = field.default, field.converter
        factory = isinstance(default, attrs.Factory)  # type: ignore[arg-type]
        if factory and default.takes_self:
            raise TypeError(f"{cls.__name__}.{field.name}: @sparse does not take Factory(takes_self=True)")
        # A plain default is also a class attribute, read when the instance does not hold the field; unless a
        # converter would change it (attrs converts defaults too): then the field is always stored, converted.
        class_default = not factory and default is not NOTHING and (converter is None or _keeps(converter, default))
        if class_default:
            setattr(cls, field.name, default)
        namespace[f"_default_{number}"] = default.factory if factory else default
        namespace[f"_convert_{number}"] = converter
        stored = field.alias if converter is None else f"_convert_{number}({field.alias})"
        if not field.init:
            if factory:
                body.append(f"    _values[{field.name!r}] = _default_{number}()")
            continue
        if field.kw_only and not keyword_only:
            parameters.append("*")
            keyword_only = True
        if default is NOTHING:
            parameters.append(field.alias)
            body.append(f"    _values[{field.name!r}] = {stored}")
        elif not class_default and not factory:
            parameters.append(f"{field.alias}=_default_{number}")
            body.append(f"    _values[{field.name!r}] = {stored}")
        elif factory:
            parameters.append(f"{field.alias}=NOTHING")
            body.append(f"    _values[{field.name!r}] = _default_{number}() if {field.alias} is NOTHING else {stored}")
        else:
            parameters.append(f"{field.alias}=_default_{number}")
            body.append(f"    if {field.alias} is not _default_{number}:")
            body.append(f"        _values[{field.name!r}] = {stored}")
    source = "\n".join([f"def __init__(self, {', '.join(parameters)}):", "    _values = self.__dict__", *body])
    exec(compile(source, f"<@sparse {cls.__qualname__}>", "exec"), namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__dict__["__init__"].__doc__
    cls.__init__ = init  # type: ignore[misc]


def _keeps(converter: Callable[[Any], Any], default: Any) -> bool:
    try:
        return converter(default) is default
    except Exception:  # e.g. tuple(None): such a default is never kept
        return False


def _is_attrs_class(cls: type) -> bool:
    return attrs.has(cls)
