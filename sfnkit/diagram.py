"""Build the diagram of a state machine, or of an execution on it, as a ``graphviz.Digraph``; runs nothing.

The picture follows the AWS console: one shape and colour per state type, Start and End markers, Choice edges
labelled with their rule, dashed Catch edges, a Retry badge, and Parallel branches and Map item processors drawn as
boxes inside their state. With an execution the run is drawn on top, as in the console's graph inspector.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, assert_never

import attrs

from sfnkit.dot import _diagram_type
from sfnkit.labels import (
    NodeIds,
    describe_catch,
    describe_condition,
    describe_retry,
    describe_state,
    node_ids,
    task_detail,
    wrap,
)
from sfnkit.machine import StateMachine, Transition
from sfnkit.overlay import END, START, RunOverlay, StateRun, Status, summarize
from sfnkit.states import Choice, Fail, Map, Parallel, Pass, State, Succeed, Task, Wait

if TYPE_CHECKING:
    import graphviz

__all__ = ["HasHistory", "Run", "to_digraph"]

_FONT: Final = "Helvetica"
_INK: Final = "#232F3E"  # AWS "squid ink": text, Start/End markers
_MUTED: Final = "#545B64"
_FAINT: Final = "#AAB7B8"
_ORANGE: Final = "#B0500A"


@attrs.frozen
class _Look:
    """How one state type is drawn: shape, Graphviz style, border colour, fill colour."""

    shape: str
    style: str
    color: str
    fill: str


_LOOKS: Final[Mapping[str, _Look]] = {
    "Task": _Look("box", "rounded,filled", "#ED7100", "#FFF3E6"),
    "Pass": _Look("box", "filled", "#687078", "#F2F3F3"),
    "Choice": _Look("diamond", "filled", "#8C4FFF", "#F3EEFF"),
    "Wait": _Look("hexagon", "filled", "#B08800", "#FFF8DB"),
    "Succeed": _Look("box", "rounded,filled,bold", "#1D8102", "#EBF5E6"),
    "Fail": _Look("octagon", "filled", "#D13212", "#FDEDEA"),
    "Parallel": _Look("box", "rounded,filled", "#0972D3", "#EAF3FC"),
    "Map": _Look("box", "rounded,filled", "#007E8A", "#E6F6F7"),
}
# The console's execution colours: green succeeded, red failed, orange caught, grey aborted, blue in progress;
# states that never ran are white with a dashed grey border.
_STATUS: Final[Mapping[Status, tuple[str, str]]] = {
    "succeeded": ("#1D8102", "#EBF5E6"),
    "failed": ("#D13212", "#FDEDEA"),
    "caught": ("#FF9900", "#FFF4E0"),
    "aborted": ("#687078", "#E9EBED"),
    "running": ("#0972D3", "#EAF3FC"),
    "not_run": (_FAINT, "#FFFFFF"),
}
_TAKEN: Final = "#0972D3"


class HasHistory(Protocol):
    """What ``render`` needs of an execution: its GetExecutionHistory-shaped events (and, if it has one, status)."""

    @property
    def history(self) -> Iterable[Any]: ...


Run = HasHistory | RunOverlay | Iterable[Mapping[str, Any]]


# --- labels ---------------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _small(text: str, color: str = _MUTED, size: int = 9) -> str:
    return f'<FONT POINT-SIZE="{size}" COLOR="{color}">{_text(text)}</FONT>'


def _html(lines: list[str]) -> str:
    return "<" + "<BR/>".join(lines) + ">"


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.3g} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _run_lines(state: State, run: StateRun) -> list[str]:
    """The overlay's lines under a state: counts, retries, duration, error."""
    facts: list[str] = []
    if isinstance(state, Map) and (run.iterations_succeeded or run.iterations_failed or run.iterations_aborted):
        items = f"items: {run.iterations_succeeded} ok, {run.iterations_failed} failed"
        facts.append(items + (f", {run.iterations_aborted} aborted" if run.iterations_aborted else ""))
    elif run.entered > 1:
        counts = ((run.caught, "caught"), (run.failed, "failed"), (run.aborted, "aborted"))
        outcomes = [f"{count} {word}" for count, word in counts if count]
        facts.append(
            f"ran {run.entered}×: {run.succeeded} ok, {', '.join(outcomes)}" if outcomes else f"ran {run.entered}×"
        )
    if run.duration:  # zero on the virtual clock for most states: only time that passed is news
        facts.append(_duration(run.duration))
    lines = [_small(" · ".join(facts), _INK)] if facts else []
    if run.retries:
        lines.append(_small(f"retried {run.retries}×", _ORANGE))
    if run.status == "failed" and run.error:
        lines.append(_small(f"failed: {run.error}", "#D13212"))
    elif run.status == "caught" and run.error:
        lines.append(_small(f"caught: {run.error}", _ORANGE))
    return lines


def _state_label(name: str, state: State, width: int, run: StateRun | None) -> str:
    lines = [f"<B>{'<BR/>'.join(_text(line) for line in wrap(name, width))}</B>"]
    lines.extend(_small(line) for line in wrap(describe_state(state, name), width + 6))
    if isinstance(state, Task) and (detail := task_detail(state)):
        lines.append(_small(detail if len(detail) <= width + 6 else detail[: width + 5] + "…"))
    retriers = getattr(state, "retry", None)
    if run is None and retriers:
        lines.append(_small(describe_retry(retriers), _ORANGE))
    if run is not None:
        lines.extend(_run_lines(state, run))
    return _html(lines)


def _edge_label(text: str, width: int = 28, max_lines: int = 3, *, italic: bool = False) -> str:
    lines = wrap(text, width)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1] + "…"]
    body = "<BR/>".join(_text(line) for line in lines)
    return f"<<I>{body}</I>>" if italic else f"<{body}>"


# --- the drawing ------------------------------------------------------------------------------------------------


@attrs.define
class _Drawing:
    """The state of one ``render`` call: node ids handed out so far and the overlay, if any."""

    width: int
    run: RunOverlay | None
    sideways: bool = False  # rankdir LR/RL: join bars stand upright
    ids: NodeIds = attrs.field(factory=dict)  # id(machine) -> state name -> node id (labels.node_ids)
    clusters: dict[str, str] = attrs.field(factory=dict)  # node id of a Parallel/Map -> its cluster's name
    joins: dict[str, str] = attrs.field(factory=dict)  # node id of a Parallel/Map -> its join node's id

    def node_id(self, machine: StateMachine, name: str) -> str:
        return self.ids[id(machine)][name]

    def state_run(self, name: str) -> StateRun | None:
        return None if self.run is None else self.run.run(name)

    def taken(self, source: str, key: str) -> bool:
        return self.run is not None and (source, key) in self.run.taken


def _node_attributes(drawing: _Drawing, name: str, state: State) -> dict[str, str]:
    look = _LOOKS[state.type]
    attributes = {
        "label": _state_label(name, state, drawing.width, drawing.state_run(name)),
        "shape": look.shape,
        "style": look.style,
        "color": look.color,
        "fillcolor": look.fill,
        "tooltip": f"{state.type} {name}",
    }
    run = drawing.state_run(name)
    if run is not None:
        color, fill = _STATUS[run.status]
        attributes.update(color=color, fillcolor=fill, penwidth="2")
        if run.status == "not_run":
            attributes.update(style=look.style + ",dashed", fontcolor="#879596", penwidth="1")
        elif run.status == "failed":
            attributes["penwidth"] = "2.5"
    return attributes


def _edge_attributes(drawing: _Drawing, source: str, transition: Transition) -> dict[str, str]:
    attributes: dict[str, str] = {}
    match transition.kind:
        case "Next":
            pass
        case "Default":
            attributes["label"] = _edge_label("Default", italic=True)
        case "Choice":
            if transition.condition is not None:
                attributes["label"] = _edge_label(describe_condition(transition.condition))
        case "Catch":
            attributes.update(style="dashed", color="#D13212", fontcolor="#D13212")
            if transition.catcher is not None:
                attributes["label"] = _edge_label(describe_catch(transition.catcher))
        case _:
            assert_never(transition.kind)
    return _overlay_edge(drawing, attributes, drawing.taken(source, transition.key), drawing.run is not None)


def _overlay_edge(drawing: _Drawing, attributes: dict[str, str], taken: bool, overlay: bool) -> dict[str, str]:
    if not overlay:
        return attributes
    coverage = drawing.run is not None and drawing.run.coverage is not None
    if taken:
        color = "#FF9900" if attributes.get("style") == "dashed" else _TAKEN
        attributes.update(color=color, penwidth="2.5", fontcolor=_INK)
        if coverage:  # on a coverage picture dashed means "not taken", for Catch edges too
            attributes.pop("style", None)
    elif coverage:
        attributes.update(style="dashed", color=_MUTED, fontcolor=_MUTED)
    else:
        attributes.update(color="#D5DBDB", fontcolor=_FAINT)
    return attributes


def _is_end(machine: StateMachine, name: str) -> bool:
    """Whether *name* ends its machine successfully: an ``End`` state or a Succeed state (not Fail)."""
    state = machine.states[name]
    if isinstance(state, Fail):
        return False
    return isinstance(state, Succeed) or not any(t.kind != "Catch" for t, _ in machine.transitions(name))


def _draw_machine(graph: graphviz.Digraph, drawing: _Drawing, machine: StateMachine, top: bool) -> list[str]:
    """Add *machine*'s states and inner transitions to *graph*; return the names of the states that end it."""
    endings: list[str] = []
    for name, state in machine.states.items():
        node = drawing.node_id(machine, name)
        match state:
            case Parallel() | Map() if machine.nested(name):
                _draw_container(graph, drawing, machine, name, state)
            case Task() | Pass() | Choice() | Wait() | Succeed() | Fail() | Parallel() | Map():
                graph.node(node, **_node_attributes(drawing, name, state))
            case _:
                assert_never(state)
        if _is_end(machine, name) or (top and isinstance(state, Fail)):
            endings.append(name)
    for name in machine.states:
        for transition, target in machine.transitions(name):
            _draw_edge(graph, drawing, machine, name, transition, target)
    return endings


def _draw_edge(
    graph: graphviz.Digraph, drawing: _Drawing, machine: StateMachine, source: str, transition: Transition, target: str
) -> None:
    tail = drawing.node_id(machine, source)
    if target not in machine.states:
        # Only an unvalidated definition gets here (from_definition): show the dangling name rather than fail.
        head = f"{tail}_missing_{transition.key}"
        graph.node(head, label=_html([_text(target), _small("(no such state)")]), shape="box", style="dashed")
    else:
        head = drawing.node_id(machine, target)
    attributes = _edge_attributes(drawing, source, transition)
    if tail in drawing.joins:
        attributes["ltail"] = drawing.clusters[tail]
        tail = drawing.joins[tail]
    if head in drawing.clusters and head != tail:
        attributes["lhead"] = drawing.clusters[head]
    if attributes.get("ltail") is not None and attributes.get("ltail") == attributes.get("lhead"):
        del attributes["ltail"], attributes["lhead"]  # a loop onto the same box: dot can't clip both ends
    graph.edge(tail, head, **attributes)


def _draw_container(
    graph: graphviz.Digraph, drawing: _Drawing, machine: StateMachine, name: str, state: Parallel | Map
) -> None:
    """A Parallel or Map: a box holding a header node, its branches (or item processor), and a join bar."""
    node = drawing.node_id(machine, name)
    look = _LOOKS[state.type]
    cluster = f"cluster_{node}"
    join = f"{node}_join"
    drawing.clusters[node] = cluster
    drawing.joins[node] = join
    run = drawing.state_run(name)
    border = look.color if run is None else _STATUS[run.status][0]
    with graph.subgraph(name=cluster) as box:
        box.attr(style="rounded", color=border, penwidth="1.5", label="", margin="10")
        box.node(node, **_node_attributes(drawing, name, state))
        for index, inner in enumerate(machine.nested(name)):
            if isinstance(state, Parallel):
                with box.subgraph(name=f"{cluster}_{index}") as branch:
                    branch.attr(
                        style="rounded,dashed",
                        color=_FAINT,
                        label=f"Branch {index + 1}",
                        fontcolor=_MUTED,
                        fontsize="9",
                    )
                    _draw_inner(box, branch, drawing, inner, node, join)
            else:
                _draw_inner(box, box, drawing, inner, node, join)
        long, thin = "0.6", "0.04"
        width, height = (thin, long) if drawing.sideways else (long, thin)
        box.node(
            join, label="", shape="box", style="filled", color=border, fillcolor=border, width=width, height=height
        )


def _draw_inner(
    box: graphviz.Digraph, graph: graphviz.Digraph, drawing: _Drawing, inner: StateMachine, header: str, join: str
) -> None:
    """Draw *inner* into *graph* (a branch box, or the Map's own box) and link it to the header and join bar.

    The links go into *box*, the container's box: in DOT, a node named in an edge of a subgraph joins that
    subgraph, so drawing them in a branch box would pull the header and the join bar into the branch.
    """
    endings = _draw_machine(graph, drawing, inner, top=False)
    graph = box
    overlay = drawing.run is not None
    if inner.start_at in inner.states:
        first = drawing.state_run(inner.start_at)
        entered = first is not None and first.entered > 0
        attributes = _overlay_edge(drawing, {"color": _MUTED, "arrowsize": "0.5"}, entered, overlay)
        start = drawing.node_id(inner, inner.start_at)
        if start in drawing.clusters:
            attributes["lhead"] = drawing.clusters[start]
        graph.edge(header, start, **attributes)
    for name in endings:
        tail = drawing.node_id(inner, name)
        attributes = _overlay_edge(drawing, {"color": _MUTED, "arrowsize": "0.5"}, drawing.taken(name, END), overlay)
        if tail in drawing.joins:
            attributes["ltail"] = drawing.clusters[tail]
            tail = drawing.joins[tail]
        graph.edge(tail, join, **attributes)


def _title(machine: StateMachine, run: RunOverlay | None) -> str | None:
    lines: list[str] = []
    if machine.name:
        lines.append(f'<FONT POINT-SIZE="14"><B>{_text(machine.name)}</B></FONT>')
    if run is not None and run.coverage is not None:
        lines.append(_small(run.coverage, _INK, 11))
        lines.append(f'<FONT POINT-SIZE="9" COLOR="{_MUTED}">{_coverage_legend()}</FONT>')
    elif run is not None:
        color = {"SUCCEEDED": "#1D8102", "FAILED": "#D13212"}.get(run.status or "", _INK)
        status = f"Execution {run.status or 'RUNNING'}"
        if run.error:
            status += f": {run.error}"
        if run.duration:
            status += f" · {_duration(run.duration)}"
        lines.append(_small(status, color, 11))
        shown: list[Status] = ["succeeded", "caught", "failed"]
        if any(state_run.aborted for state_run in run.states.values()):
            shown.append("aborted")
        legend = [f'<FONT COLOR="{_STATUS[kind][0]}">■</FONT> {kind}' for kind in shown]
        legend.append(f'<FONT COLOR="{_FAINT}">□</FONT> not run')
        lines.append(f'<FONT POINT-SIZE="9" COLOR="{_MUTED}">{"   ".join(legend)}</FONT>')
    return _html(lines) if lines else None


def _coverage_legend() -> str:
    return (
        f'<FONT COLOR="{_STATUS["succeeded"][0]}">■</FONT> ran   <FONT COLOR="{_FAINT}">□</FONT> not run   ╌ not taken'
    )


def _overlay_of(machine: StateMachine, execution: Run) -> RunOverlay:
    if isinstance(execution, RunOverlay):
        return execution
    history = getattr(execution, "history", None)
    events = history if history is not None else execution
    if not isinstance(events, str | bytes | Mapping) and isinstance(events, Iterable):
        events = list(events)  # a generator is read once, here
    if not isinstance(events, list) or not all(isinstance(event, Mapping) for event in events):
        raise TypeError(
            f"execution={execution!r:.80} is not an execution: pass what sfnkit.run() returned, its .history "
            "(a list of GetExecutionHistory events), or a RunOverlay"
        )
    if history is not None:
        status = getattr(execution, "status", None)
        status_text = None if status is None else str(getattr(status, "value", status))
        return summarize(machine, events, status=status_text)
    return summarize(machine, events)


def to_digraph(
    machine: StateMachine, *, execution: Run | None = None, direction: str = "TB", width: int = 22
) -> graphviz.Digraph:
    """Build the diagram of *machine* (with *execution* drawn on it) as a ``graphviz.Digraph``; runs nothing."""
    if not isinstance(machine, StateMachine):
        raise TypeError(
            f"render() draws a StateMachine, not a {type(machine).__name__}; for an ASL definition (dict or JSON "
            "text) draw render(sfnkit.from_asl(definition))"
        )
    if direction.upper() not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"direction={direction!r}: use 'TB' (top to bottom), 'LR', 'BT' or 'RL'")
    run = None if execution is None else _overlay_of(machine, execution)
    drawing = _Drawing(width=width, run=run, sideways=direction.upper() in ("LR", "RL"))
    drawing.ids = node_ids(machine)
    graph = _diagram_type()(name=machine.name or "state_machine")
    graph.attr(
        "graph",
        rankdir=direction,
        compound="true",
        fontname=_FONT,
        nodesep="0.35",
        ranksep="0.4",
        bgcolor="white",
        pad="0.2",
    )
    if (title := _title(machine, run)) is not None:
        graph.attr("graph", label=title, labelloc="t", labeljust="c")
    graph.attr("node", fontname=_FONT, fontsize="11", fontcolor=_INK, margin="0.15,0.06", penwidth="1.3")
    graph.attr("edge", fontname=_FONT, fontsize="9", fontcolor=_INK, color=_MUTED, arrowsize="0.7")
    marker = {"shape": "box", "style": "rounded,filled", "color": _INK, "fillcolor": _INK, "fontcolor": "white"}
    marker.update(fontsize="10", width="0.6", height="0.3")
    graph.node("start", label="Start", **marker)
    endings = _draw_machine(graph, drawing, machine, top=True)
    if machine.start_at in machine.states:
        head = drawing.node_id(machine, machine.start_at)
        attributes = _overlay_edge(drawing, {}, drawing.taken(START, machine.start_at), run is not None)
        if head in drawing.clusters:
            attributes["lhead"] = drawing.clusters[head]
        graph.edge("start", head, **attributes)
    if endings:
        graph.node("end", label="End", **marker)
        for name in endings:
            tail = drawing.node_id(machine, name)
            ended = drawing.taken(name, END) or (
                isinstance(machine.states[name], Fail) and run is not None and run.run(name).entered > 0
            )
            attributes = _overlay_edge(drawing, {}, ended, run is not None)
            if tail in drawing.joins:
                attributes["ltail"] = drawing.clusters[tail]
                tail = drawing.joins[tail]
            graph.edge(tail, "end", **attributes)
    return graph
