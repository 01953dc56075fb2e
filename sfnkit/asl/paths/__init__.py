"""ASL paths (Jayway JsonPath as AWS reads it): parse once, then ``find`` values or ``insert`` a result.

Three roots: ``$`` is the state's input, ``$$`` the context object and ``$name`` a workflow variable. A
*definite* path (only names and single indexes) selects one value and fails with :class:`PathNotFound` when
there is none; an *indefinite* path (wildcard, slice, filter, deep scan, union) gathers every match into a
list, ``[]`` when nothing matches. The not-found reasons are Jayway's texts, which AWS quotes in its causes
(``Invalid path '$.x' : No results for path: $['x']``).

AWS behaviour pinned here, beyond Jayway's own rules:

- an indefinite path whose prefix is missing gives ``[]``, not an error (corpus: ``base/*json_path_array_*``);
- a backslash in a quoted name stays in the name: ``$['a\\"b']`` reads key ``a\\"b`` (corpus:
  ``scenarios/*escape_sequence_parsing*``);
- path functions (``.length()``, ``.sum()``) parse but find nothing (AWS re:Post, "sum() function returns
  error about not finding path");
- ``@`` in a filter matches objects, never scalars (developer guide, "Reference Paths"); a negated existence
  test ``[?(!@.k)]`` treats ``"k": null`` as missing (Step Functions Local 2.0, floci-io/floci#3480);
- a ResultPath that cannot be applied fails with ``States.ReferencePathConflict``, cause ``Unable to apply
  ReferencePath $.x to input "abc"`` (observed on AWS; qiita.com/tsubasaogawa/items/4fe341bdb6ae7d2fd8ee).

Spec: https://states-language.net/spec.html#path ; AWS: "Paths" and "Reference Paths" in the developer guide.

Layout, bottom up: ``tokens`` (one per step, and the roots), ``evaluate`` (steps compiled into closures by
Jayway's rules), ``filters`` (``[?(...)]`` expressions), ``parser`` (text -> tokens), ``compiled``
(``compile_path``, ``input_keys``) and ``reference`` (``compile_reference_path``: ResultPath).
"""

from sfnkit.asl.paths.compiled import CompiledPath, PathNotFound, compile_path, input_keys, is_path
from sfnkit.asl.paths.reference import REFERENCE_PATH_CONFLICT, ReferencePath, compile_reference_path

__all__ = [
    "REFERENCE_PATH_CONFLICT",
    "CompiledPath",
    "PathNotFound",
    "ReferencePath",
    "compile_path",
    "compile_reference_path",
    "input_keys",
    "is_path",
]
