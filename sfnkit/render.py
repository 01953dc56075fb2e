"""Draw a state machine, or an execution on it, with Graphviz: DOT text, SVG/PNG/PDF bytes or files, Jupyter display.

``render(machine)`` builds a ``graphviz.Digraph`` and runs nothing; ``render(machine, format="svg")`` runs Graphviz's
``dot`` (or the pip-installable ``graphviz-pure``) and returns bytes; ``path=`` writes a file. The picture follows
the AWS console: one shape and colour per state type, Start and End markers, Choice edges labelled with their rule,
dashed Catch edges, a Retry badge, and Parallel branches and Map item processors drawn as boxes inside their state.
With ``execution=`` the run is drawn on top, as in the console's graph inspector.

The diagram is built in ``sfnkit.diagram`` (purely); ``sfnkit.dot`` runs Graphviz.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

from sfnkit.diagram import HasHistory, Run, to_digraph
from sfnkit.dot import FORMATS, _bundle, find_dot, layout
from sfnkit.machine import StateMachine

if TYPE_CHECKING:
    import graphviz

__all__ = ["FORMATS", "HasHistory", "find_dot", "layout", "mimebundle", "render", "to_digraph"]


@overload
def render(
    machine: StateMachine,
    *,
    execution: Run | None = ...,
    format: None = ...,
    path: None = ...,
    direction: str = ...,
    width: int = ...,
) -> graphviz.Digraph: ...


@overload
def render(
    machine: StateMachine,
    *,
    execution: Run | None = ...,
    format: str,
    path: None = ...,
    direction: str = ...,
    width: int = ...,
) -> bytes: ...


@overload
def render(
    machine: StateMachine,
    *,
    execution: Run | None = ...,
    format: str | None = ...,
    path: str | os.PathLike[str],
    direction: str = ...,
    width: int = ...,
) -> pathlib.Path: ...


def render(
    machine: StateMachine,
    *,
    execution: Run | None = None,
    format: str | None = None,
    path: str | os.PathLike[str] | None = None,
    direction: str = "TB",
    width: int = 22,
) -> graphviz.Digraph | bytes | pathlib.Path:
    """Draw *machine*, optionally with an *execution* on it.

    ``render(machine)`` returns a ``graphviz.Digraph`` (``.source`` is the DOT text; nothing is run). With
    ``format="svg"`` (or ``"png"``, ``"pdf"``) it returns the picture's bytes; with ``path=`` it writes the file
    (format from the suffix unless given) and returns its path.

    Args:
        machine: the state machine to draw.
        execution: an ``Execution`` (anything with a GetExecutionHistory-shaped ``history``), a list of such
            events, or a ``RunOverlay``: colours states succeeded / failed / caught / not run, highlights the
            transitions taken and adds retry counts, Map item counts and durations.
        format: ``svg``, ``png``, ``pdf``, ``dot``... (needs Graphviz's ``dot`` except for the DOT text).
        path: where to write the picture.
        direction: Graphviz ``rankdir``: ``TB`` (top to bottom, the console's way) or ``LR``.
        width: wrap state names longer than this many characters.

    Raises:
        RenderError: drawing to a format or file needs ``dot`` and it is missing (the message says how to get it).
    """
    graph = to_digraph(machine, execution=execution, direction=direction, width=width)
    if format is None and path is None:
        return graph
    target = None if path is None else pathlib.Path(path)
    chosen = format or (target.suffix.lstrip(".").lower() if target is not None else "") or "svg"
    picture = graph.source.encode("utf-8") if chosen == "dot" else layout(graph.source, chosen)
    if target is None:
        return picture
    target.write_bytes(picture)
    return target


# --- Jupyter ------------------------------------------------------------------------------------------------------


def _digraph_of(obj: object) -> graphviz.Digraph:
    """The diagram of anything sfnkit displays: a machine, an execution, a Digraph."""
    if isinstance(obj, StateMachine):
        return to_digraph(obj)
    if hasattr(obj, "source") and type(obj).__module__.startswith("graphviz"):
        return obj  # a plain graphviz graph: draw it as it is
    if hasattr(obj, "history"):
        machine = getattr(obj, "machine", None)
        if not isinstance(machine, StateMachine):
            raise TypeError("this execution does not know its machine: draw it with render(machine, execution=...)")
        return to_digraph(machine, execution=obj)
    raise TypeError(f"sfnkit cannot draw a {type(obj).__name__}")


def mimebundle(
    obj: object, include: Any = None, exclude: Any = None, *, drawn: Callable[[], object] | None = None
) -> dict[str, str]:
    """The Jupyter display of *obj* (a ``StateMachine``, an ``Execution``): SVG plus text.

    ``drawn`` makes what is drawn, when that is not *obj* itself (a DSL flow displays as the machine it would
    build: ``Step._repr_mimebundle_`` passes the building). Never raises, because IPython turns a raising display
    hook into a failed cell: without ``dot`` (or on any other problem) the bundle holds only text, which says how to
    fix it.
    """
    try:
        text = repr(obj)
    except Exception as error:  # a display must not fail, whatever repr does
        text = f"<{type(obj).__name__}: repr failed: {error}>"
    draw: Callable[[], object] = drawn if drawn is not None else (lambda: obj)
    return _bundle(text, lambda: _digraph_of(draw()).source, include, exclude)
