"""Choice conditions: the Condition IR (one node per ASL rule form).

A condition is a value: ``Compare("$.age", "NumericGreaterThanEquals", 18)`` is the ASL rule
``{"Variable": "$.age", "NumericGreaterThanEquals": 18}``; ``AllOf``/``AnyOf``/``Not`` are ``And``/``Or``/``Not``
and ``Expression`` is a JSONata ``Condition``. ``sfnkit.asl.codec`` spells them as ASL and reads them back.
"""

from __future__ import annotations

from typing import Any

import attrs

from sfnkit.frozen import sparse

__all__ = ["AllOf", "AnyOf", "Compare", "Condition", "Expression", "Not"]


def _conditions(value: Any) -> tuple[Condition, ...]:
    return tuple(value)


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Compare:
    """``Variable`` tested with one ASL operator, e.g. ``NumericGreaterThanPath`` or ``IsPresent``."""

    variable: str
    operator: str
    value: Any
    comment: str | None = None


@sparse
@attrs.frozen(kw_only=True, slots=False)
class AllOf:
    """ASL ``And``: every condition holds."""

    conditions: tuple[Condition, ...] = attrs.field(converter=_conditions)
    comment: str | None = None


@sparse
@attrs.frozen(kw_only=True, slots=False)
class AnyOf:
    """ASL ``Or``: at least one condition holds."""

    conditions: tuple[Condition, ...] = attrs.field(converter=_conditions)
    comment: str | None = None


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Not:
    """ASL ``Not``: the condition does not hold."""

    condition: Condition
    comment: str | None = None


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Expression:
    """A JSONata ``Condition``: a ``{% ... %}`` string (or a literal boolean) that must evaluate to a boolean."""

    condition: Any


Condition = Compare | AllOf | AnyOf | Not | Expression
