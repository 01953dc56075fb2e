"""The exceptions sfnkit raises, one tree.

```
SfnkitError
├── DefinitionError (ValueError) ── ConditionError (TypeError)
├── ValidationError (ValueError)   .problems
├── MockConfigError (ValueError)   .problems  (a Step Functions Local MockConfigFile that cannot be read)
├── AslError (ValueError)          .location, .text, .position (caret)
├── ExecutionFailed                .execution, .error, .cause  (from Execution.raise_for_status())
├── RenderError (RuntimeError)     Graphviz's ``dot`` is missing or failed
├── TargetError (ValueError)       a command-line TARGET or module names nothing usable (``sfnkit.targets``)
├── DeployError                    __cause__ is botocore's ClientError
└── PollError (RuntimeError)       sfnkit.poll cannot run a trigger; __cause__ is botocore's error, if any
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

import attrs

__all__ = [
    "AslError",
    "ConditionError",
    "DefinitionError",
    "DeployError",
    "ExecutionFailed",
    "MockConfigError",
    "PollError",
    "Problem",
    "RenderError",
    "SfnkitError",
    "TargetError",
    "ValidationError",
    "caret",
]


class SfnkitError(Exception):
    """Base of every error sfnkit raises on purpose."""


class DefinitionError(SfnkitError, ValueError):
    """A flow built in Python cannot become a state machine (raised where it was built)."""


class ConditionError(DefinitionError, TypeError):
    """A comparison on ``data`` can't become a Choice rule."""

    @classmethod
    def no_truth_value(cls, what: object) -> Self:
        return cls(
            f"{what!r} is a Choice condition, not a Python bool: it is evaluated when the state machine runs. "
            "Use it in when(condition, then=step) inside choice(...); combine conditions with &, | and ~ "
            "instead of and, or and not."
        )

    @classmethod
    def precedence(cls, left: str, op: str, right: str) -> Self:
        return cls(
            f"{left} {op} {right}: & and | bind tighter than comparisons in Python, so "
            f"data.x > 3 {op} data.y == 'a' means data.x > (3 {op} data.y) == 'a'. Add parentheses around each "
            f"comparison: (data.x > 3) {op} (data.y == 'a')."
        )

    @classmethod
    def ambiguous(cls, left: str, op: str, right: str) -> Self:
        return cls(
            f"Cannot tell how to compare {left} {op} {right}: both sides are paths, so there is no literal "
            f"to take the type from. Name the type on the left, e.g. data.total.number {op} data.limit "
            "(or .string, .boolean, .timestamp)."
        )


def caret(text: str, position: int, end: int | None = None) -> str:
    """Two lines: *text*, and a caret under ``text[position]`` (``^^^`` up to *end*).

    >>> print(caret("$.a..b", 3))
    $.a..b
       ^
    """
    width = max(1, (end if end is not None else position + 1) - position)
    return f"{text}\n{' ' * position}{'^' * width}"


class AslError(SfnkitError, ValueError):
    """Bad ASL text (a path, an intrinsic function, a JSONata expression) at a known place.

    ``location`` is where the text sits in the definition (``States.Charge.Parameters.total.$``), ``text`` the
    text itself and ``position`` the index of the offending character, drawn with a caret in the message.
    """

    def __init__(self, message: str, *, text: str | None = None, position: int | None = None, location: str = ""):
        self.message = message
        self.text = text
        self.position = position
        self.location = location
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.location}: {self.message}" if self.location else self.message
        if self.text is not None and self.position is not None:
            return f"{head}\n{caret(self.text, min(self.position, len(self.text)))}"
        return head

    def at(self, location: str) -> AslError:
        """The same error, placed at *location* in the definition."""
        return AslError(self.message, text=self.text, position=self.position, location=location)


@attrs.frozen
class Problem:
    """One thing wrong with a definition: where (``States.X.Retry[0].MaxAttempts``) and what to do."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"- {self.location}: {self.message}" if self.location else f"- {self.message}"


class ValidationError(SfnkitError, ValueError):
    """A definition breaks rules AWS enforces at creation; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"The state machine definition has {count} problem{'s' * (count != 1)}:\n{lines}")


class MockConfigError(SfnkitError, ValueError):
    """A mock configuration (Step Functions Local's ``MockConfigFile``) is malformed; ``problems`` lists each."""

    def __init__(self, problems: Iterable[Problem], source: str = "the mock configuration"):
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{source} has {count} problem{'s' * (count != 1)}:\n{lines}")


class ExecutionFailed(SfnkitError):
    """An execution did not succeed (raised by ``Execution.raise_for_status()``)."""

    def __init__(self, execution: Any):
        self.execution = execution
        self.error: str | None = execution.error
        self.cause: str | None = execution.cause
        advice = "".join(f"\n{line}" for line in getattr(execution, "advice", ()))
        super().__init__(f"execution {execution.status}: {self.error}: {self.cause}{advice}")


class RenderError(SfnkitError, RuntimeError):
    """A diagram could not be rendered (usually: Graphviz's ``dot`` is not installed)."""


class TargetError(SfnkitError, ValueError):
    """A command-line ``TARGET`` (``flow.py:machine``, ``pkg.mod:machine``, ``flow.asl.json``) cannot be loaded."""


class DeployError(SfnkitError):
    """AWS refused a deployment step (``__cause__`` is botocore's ``ClientError``), or a flow cannot be deployed.

    ``resource`` names what was being created or changed, ``code`` is AWS's error code (None when sfnkit refused).
    """

    def __init__(self, message: str, *, resource: str | None = None, code: str | None = None):
        self.resource = resource
        self.code = code
        super().__init__(message)


class PollError(SfnkitError, RuntimeError):
    """``sfnkit.poll`` cannot run a trigger (no such queue, a function timeout longer than the queue's visibility
    timeout...); ``__cause__`` is botocore's error when AWS refused a call."""
