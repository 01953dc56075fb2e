"""AWS Step Functions' quotas on one execution, and sfnkit's local guards where AWS documents no bound.

AWS's quotas (enforced by ``run()`` exactly as AWS enforces them):

- a Standard execution's history holds at most :data:`MAX_HISTORY_EVENTS` events: when it reaches 24,999 and
  the next event is not ``ExecutionSucceeded``, event 25,000 is ``ExecutionFailed`` with error
  ``States.Runtime`` and cause :data:`HISTORY_LIMIT_CAUSE` (AWS's "Avoid reaching the history quota" page).
  A distributed Map's iterations are child executions with histories of their own and do not count;
- a Standard execution runs at most one year, an Express one five minutes (:data:`MAX_SECONDS`): past that it
  times out as with the machine's own ``TimeoutSeconds``.

Local guards (AWS has none, or none that a local run can reach):

- an Express execution has no history quota, and on the virtual clock a loop without a Wait takes no time, so
  it would never reach its five minutes: it fails after :data:`MAX_EXPRESS_TRANSITIONS` state transitions;
- JSON values nested deeper than :data:`MAX_DEPTH` levels (input, handler results, ``States.StringToJson``)
  fail cleanly instead of exhausting Python's recursion limit.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = [
    "HISTORY_LIMIT_CAUSE",
    "MAX_DEPTH",
    "MAX_EXPRESS_TRANSITIONS",
    "MAX_HISTORY_EVENTS",
    "MAX_SECONDS",
    "express_guard_cause",
    "too_deep",
]

MAX_HISTORY_EVENTS: Final = 25_000
HISTORY_LIMIT_CAUSE: Final = f"The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
MAX_SECONDS: Final = {"STANDARD": 365 * 24 * 3600, "EXPRESS": 5 * 60}
MAX_EXPRESS_TRANSITIONS: Final = 100_000
MAX_DEPTH: Final = 500


def express_guard_cause() -> str:
    """The cause of an Express execution stopped by the local transition guard."""
    return (
        f"sfnkit stopped this Express execution after {MAX_EXPRESS_TRANSITIONS:,} state transitions (a local "
        "guard: on the virtual clock a loop without a Wait never reaches AWS's five-minute limit). Add an exit "
        "to the loop, or a Wait so the virtual clock can time it out."
    )


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether *value* (JSON-like) nests lists and dicts more than *limit* levels deep; iterative, so any depth
    is measured without recursion (a cycle nests forever, so it is too deep)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if type(item) is dict:
            children: Any = item.values()
        elif type(item) is list or type(item) is tuple:
            children = item
        else:
            continue
        if depth >= limit:
            return True
        pending.extend((child, depth + 1) for child in children if type(child) in (dict, list, tuple))
    return False
