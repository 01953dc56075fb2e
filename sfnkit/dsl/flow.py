"""A step, and the combinators that join steps: ``>>``/``chain``, ``as_step``, ``goto``, ``end``."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs

from sfnkit.dsl.values import check_name
from sfnkit.errors import DefinitionError
from sfnkit.frozen import sparse


class Step:
    """A piece of a flow: one state, or several (``a >> b``, ``choice(...)``...). Immutable."""

    __slots__ = ()

    def __rshift__(self, other: Step | Sequence[Step]) -> Chain:
        return Chain(parts=(self, other if isinstance(other, Step) else as_step(other)))

    def __rrshift__(self, other: Sequence[Step]) -> Chain:
        return Chain(parts=(as_step(other), self))

    def __bool__(self) -> bool:
        return True

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's display: the fragment drawn as the machine it would build (``sfnkit.render.mimebundle``)."""
        from sfnkit.build import workflow
        from sfnkit.render import mimebundle

        return mimebundle(self, include, exclude, drawn=lambda: workflow("flow", self))

    def retry(
        self,
        errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
        **options: Any,
    ) -> Step:
        """This step with one more ``Retry`` entry (Task, Parallel and Map states only, as in ASL)."""
        raise DefinitionError(
            f"{self._what()} cannot retry: ASL allows Retry only on Task, Parallel and Map states. "
            "To retry a group of steps, wrap them: parallel(group).retry(...)."
        )

    def catch(
        self,
        errors: str | type[BaseException] | Iterable[str | type[BaseException]] = "States.ALL",
        **options: Any,
    ) -> Step:
        """This step with one more ``Catch`` entry (Task, Parallel and Map states only, as in ASL)."""
        raise DefinitionError(
            f"{self._what()} cannot catch errors: ASL allows Catch only on Task, Parallel and Map states. "
            "To catch errors of a group of steps, wrap them: parallel(group).catch(..., then=handler)."
        )

    def _what(self) -> str:
        return type(self).__name__


@attrs.frozen(eq=False)
class Chain(Step):
    """Steps run one after another (``a >> b``, ``chain(a, b, c)``).

    ``a >> b >> c`` nests (``Chain((Chain((a, b)), c))``) so that each ``>>`` is O(1); :meth:`steps` flattens it
    without recursion, so a 10,000-step chain is fine at Python's default recursion limit.
    """

    parts: tuple[Step, ...]

    def steps(self) -> list[Step]:
        """The steps of this chain, nested chains flattened, in order."""
        out: list[Step] = []
        pending: list[Step] = [self]
        while pending:
            step = pending.pop()
            if isinstance(step, Chain):
                pending.extend(reversed(step.parts))
            else:
                out.append(step)
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Chain) and self.steps() == other.steps()

    def __hash__(self) -> int:
        return hash(len(self.steps()))

    def __repr__(self) -> str:
        steps = self.steps()
        shown = ", ".join(repr(s) for s in steps[:5])
        return f"chain({shown}{', ...' if len(steps) > 5 else ''})"


@sparse
@attrs.frozen(slots=False)
class Goto(Step):
    """Continue at the state named ``target`` (in the same ``States`` block): loops and shared endings.

    With ``target=None`` (made by :func:`end`) the sequence ends there: its last state is an ``End`` state.
    """

    target: str | None

    def _what(self) -> str:
        return "end()" if self.target is None else f"goto({self.target!r})"


def goto(target: str | Step) -> Goto:
    """Jump to the state called *target* (a name, or a step placed elsewhere in the same block).

    For loops: ``poll = check >> choice(when(data.done == True, then=finish), otherwise=wait(seconds=5) >>
    goto(check))``. Nothing may follow a ``goto`` in a sequence.
    """
    if isinstance(target, str):
        return _goto(target)
    name = getattr(target, "name", None)
    if not isinstance(target, Step) or not isinstance(name, str):
        raise DefinitionError(f"goto() takes a state name or a single step; got {target!r}")
    return Goto(name)


@functools.lru_cache(maxsize=4096)
def _goto(target: str) -> Goto:
    # Gotos are values: flows built in loops jump to the same few names again and again, so equal ones are shared.
    return Goto(check_name(target, "goto()"))


_END: Final = Goto(None)


def end() -> Goto:
    """End the sequence here (ASL ``End``) instead of going on after the choice or catch it hangs from.

    A ``choice()`` branch or a ``catch(then=...)`` handler runs on to what follows the choice or the failed step;
    ``end()`` stops it: in ``charge.catch(then=log_failure >> end()) >> ship``, ``LogFailure`` ends the workflow.
    ``choice(..., otherwise=end())`` writes no ``Default``: an input that matches no branch fails with
    ``States.NoChoiceMatched``. Nothing may follow ``end()`` in a sequence.
    """
    return _END


def chain(*steps: Step | Sequence[Step]) -> Step:
    """The steps one after another: ``chain(a, b, c)`` is ``a >> b >> c``."""
    if not steps:
        raise DefinitionError("chain() needs at least one step")
    if len(steps) == 1:
        return as_step(steps[0])
    return Chain(parts=tuple(step if isinstance(step, Step) else as_step(step) for step in steps))


def as_step(value: Step | Sequence[Step]) -> Step:
    """*value* as a step: a step is itself, a list or tuple of steps is their chain."""
    if isinstance(value, Step):
        return value
    if isinstance(value, list | tuple):
        return chain(*value)
    if callable(value):
        raise DefinitionError(
            f"{getattr(value, '__name__', value)!r} is a plain function; decorate it with @lambda_fn to use it "
            "as a step"
        )
    raise DefinitionError(f"{value!r} is not a step; use @lambda_fn functions, task(), pass_(), choice()...")
