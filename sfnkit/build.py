"""Step tree -> StateMachine: ``workflow(name, flow)`` builds and validates a machine, ``build(flow)`` only builds it.

The work is in ``sfnkit.builder``: ``passes`` (place every step, name its state, wire the transitions: the three
passes and the naming rules), ``fields`` (a step's values in its state's query language) and ``lambda_tasks`` (a
``@lambda_fn`` step's Task).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Sequence

from sfnkit.builder.fields import JSONATA, JSONPATH
from sfnkit.builder.lambda_tasks import LAMBDA_INVOKE
from sfnkit.builder.passes import _Builder, _Occ
from sfnkit.dsl import Step, as_step
from sfnkit.errors import DefinitionError, Problem, ValidationError
from sfnkit.machine import StateMachine

__all__ = ["LAMBDA_INVOKE", "build", "workflow"]


_MACHINE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")


def workflow(
    name: str,
    flow: Step | list[Step] | tuple[Step, ...],
    *,
    comment: str | None = None,
    timeout_seconds: int | None = None,
    query_language: str | None = None,
    version: str | None = None,
) -> StateMachine:
    """Build the state machine *name* from *flow* (a step, ``a >> b``, or a list of steps).

    ``query_language="JSONata"`` writes ``"QueryLanguage": "JSONata"`` and spells every condition, path and value
    in JSONata; ``"JSONPath"`` writes it explicitly; the default (``None``) is JSONPath without the field.
    The machine's ``lambdas`` maps each Lambda function name to its ``@lambda_fn`` (a callable), for local runs.

    Raises:
        ValidationError: the machine breaks a rule AWS enforces (checked here, once: exporting it later does not
            check again), located at the user's steps rather than at the states sfnkit adds.
    """
    if not isinstance(name, str) or not _MACHINE_NAME.fullmatch(name):
        raise DefinitionError(f"workflow name {name!r}: AWS state machine names are 1-80 letters, digits, - and _")
    machine = build(
        flow,
        name=name,
        comment=comment,
        timeout_seconds=timeout_seconds,
        query_language=query_language,
        version=version,
    )
    try:
        machine.to_json(indent=None)  # validates (once: the machine remembers it); no copy of its values
    except ValidationError as error:
        raise ValidationError(_in_user_terms(error.problems, machine)) from None
    return machine


def _in_user_terms(problems: Sequence[Problem], machine: StateMachine) -> list[Problem]:
    """*problems* about the user's steps: a problem inside the Pass state ``<Name>.Payload`` that sfnkit adds for a
    Lambda step's ``result_path=`` is the step's own (and dropped when the step already reports one)."""
    suffix = ".Payload"
    hidden = {name: name[: -len(suffix)] for name, _, _ in machine.walk() if name.endswith(suffix)}
    out: list[Problem] = []
    for problem in problems:
        for name, base in hidden.items():
            marker = f"States.{name}"
            at = problem.location.find(marker)
            if at >= 0 and problem.location[at + len(marker) :][:1] in ("", "."):
                owner = problem.location[:at] + f"States.{base}"
                if not any(other.location.startswith(owner + ".") for other in problems):
                    out.append(Problem(owner, f"result_path= of this step: {problem.message}"))
                break
        else:
            out.append(problem)
    return out


def build(
    flow: Step | list[Step] | tuple[Step, ...],
    *,
    name: str | None = None,
    comment: str | None = None,
    timeout_seconds: int | None = None,
    query_language: str | None = None,
    version: str | None = None,
) -> StateMachine:
    """The ``StateMachine`` of *flow* (see :func:`workflow`, which also checks the machine name)."""
    if query_language not in (None, JSONPATH, JSONATA):
        raise DefinitionError(f"query_language={query_language!r}: use 'JSONPath' or 'JSONata'")
    builder = _Builder(query_language or JSONPATH)
    # The build makes a few objects per state and frees none until the end, so the cyclic garbage collector
    # would rescan the growing heap again and again (half the build time at 10,000 states); the objects form
    # no cycles it must find, so it is paused for the build and left as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        root = builder.place(as_step(flow))
        lambdas = builder.name_all(root)
        builder.emit()
    finally:
        if collecting:
            gc.enable()
        for scope in builder.scopes:
            scope.occs = []  # occurrences point at their scope: break the cycle
    top = builder.scopes[0]
    assert top.machine is not None
    head = root.head
    if not isinstance(head, _Occ):
        only = "end()" if head is None else f"goto({head!r})"
        raise DefinitionError(f"a workflow cannot start with {only}; start with a step")
    return StateMachine(
        start_at=head.name,
        states=top.machine.states,
        edges=top.machine.edges,
        comment=comment,
        version=version,
        timeout_seconds=timeout_seconds,
        query_language=query_language,
        name=name,
        lambdas=lambdas,
    )
