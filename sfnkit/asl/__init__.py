"""Everything that knows how ASL is spelled or what it means: paths, intrinsics, rules, JSONata, data flow."""

import sys

# jsonata-python raises the process's recursion limit to 10,000 when it is first imported; importing sfnkit must
# not change a setting of the user's process, so the limit is put back (deep JSONata recursion then fails as
# JSONata error D1011 instead).
_limit = sys.getrecursionlimit()
import jsonata  # noqa: E402, F401

sys.setrecursionlimit(_limit)
del _limit

__all__: list[str] = []
