"""ASL intrinsic functions (``States.Format(...)`` and friends): parse once, evaluate against a Scope.

Arguments are ``'strings'`` (escapes ``\\'`` ``\\{`` ``\\}`` ``\\\\``), numbers, ``true``/``false``/``null``,
paths (``$.x``, ``$$.x``, ``$name``) and nested calls. Wrong syntax, an unknown function or a wrong number of
arguments is an :class:`~sfnkit.errors.AslError` when the definition is compiled; a bad argument *value* fails
the state at run time with ``States.IntrinsicFailure``. A path argument that matches nothing raises
:class:`~sfnkit.asl.paths.PathNotFound` for the caller (the payload template) to report.

AWS behaviour pinned by the recorded corpus (``intrinsic_functions``): StringToJson of ``""``/``" "`` is null;
MathAdd rounds each argument as Java's ``Math.round``; StringSplit splits on every character of the delimiter
string and drops empty pieces; Format prints objects Java-style (``{Arg1=1, Arg2=[]}``) and null as ``null``.
Not recorded anywhere, so chosen here: the text of ``States.IntrinsicFailure`` causes; MathRandom's range
``[start, end)`` and, with a seed, ``java.util.Random``'s sequence; JsonMerge ``true`` merges deeply (spec);
ArrayRange accepts a negative step.

Spec: https://states-language.net/spec.html#appendix-b ; AWS: "Intrinsic functions for JSONPath states".
"""

from sfnkit.asl.intrinsics.functions import FUNCTIONS
from sfnkit.asl.intrinsics.parser import MAX_NESTING, compile_direct_intrinsic, compile_intrinsic, is_intrinsic
from sfnkit.asl.intrinsics.values import java_math_round, render_format_value

__all__ = [
    "FUNCTIONS",
    "MAX_NESTING",
    "compile_direct_intrinsic",
    "compile_intrinsic",
    "is_intrinsic",
    "java_math_round",
    "render_format_value",
]
