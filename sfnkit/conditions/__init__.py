"""Choice conditions: data / result / ctx / var paths with Python operators -> the Condition IR, and its JSONata.

The IR is in ``ir`` (one node per ASL rule form), the Python-operator front end (``data.age >= 18``) in
``operators`` and the JSONata spelling in ``spelling``; this package re-exports their names.
"""

from sfnkit.conditions.ir import AllOf, AnyOf, Compare, Condition, Expression, Not
from sfnkit.conditions.operators import (
    Kind,
    Path,
    Predicate,
    as_condition,
    ctx,
    data,
    jsonata,
    result,
    to_timestamp,
    var,
)
from sfnkit.conditions.spelling import jsonata_path, to_jsonata

__all__ = [
    "AllOf",
    "AnyOf",
    "Compare",
    "Condition",
    "Expression",
    "Kind",
    "Not",
    "Path",
    "Predicate",
    "as_condition",
    "ctx",
    "data",
    "jsonata",
    "jsonata_path",
    "result",
    "to_jsonata",
    "to_timestamp",
    "var",
]
