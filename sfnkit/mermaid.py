"""Write a state machine as Mermaid flowchart text, for Markdown files and GitHub (which draw it without Graphviz).

The picture follows ``sfnkit.render``'s: one shape and colour per state type, Start and End markers, Choice edges
labelled with their rule, dashed Catch edges, and Parallel branches and Map item processors as subgraphs.
"""

from __future__ import annotations

import re
from typing import Final, assert_never

from sfnkit.labels import (
    NodeIds,
    describe_catch,
    describe_condition,
    describe_retry,
    describe_state,
    node_ids,
    task_detail,
)
from sfnkit.machine import StateMachine, Transition
from sfnkit.states import Choice, Fail, Map, Parallel, Pass, State, Succeed, Task, Wait

__all__ = ["to_mermaid"]

# Mermaid node shapes: (opening, closing) around the quoted label.
_SHAPES: Final = {
    "Task": ('("', '")'),
    "Pass": ('["', '"]'),
    "Choice": ('{"', '"}'),
    "Wait": ('{{"', '"}}'),
    "Succeed": ('(["', '"])'),
    "Fail": ('[["', '"]]'),
    "Parallel": ('[/"', '"\\]'),
    "Map": ('[/"', '"\\]'),
}
_CLASSES: Final = {
    "Task": "fill:#FFF3E6,stroke:#ED7100",
    "Pass": "fill:#F2F3F3,stroke:#687078",
    "Choice": "fill:#F3EEFF,stroke:#8C4FFF",
    "Wait": "fill:#FFF8DB,stroke:#B08800",
    "Succeed": "fill:#EBF5E6,stroke:#1D8102",
    "Fail": "fill:#FDEDEA,stroke:#D13212",
    "Parallel": "fill:#EAF3FC,stroke:#0972D3",
    "Map": "fill:#E6F6F7,stroke:#007E8A",
    "marker": "fill:#232F3E,stroke:#232F3E,color:#FFFFFF",
}
# Mermaid reads "#name;" as an HTML entity; these characters would otherwise end a label or open a tag.
_ESCAPES: Final = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "&": "#amp;", "|": "#124;"}
_ESCAPE: Final = re.compile("|".join(re.escape(key) for key in _ESCAPES))


def _text(value: str) -> str:
    return _ESCAPE.sub(lambda match: _ESCAPES[match.group(0)], value)


class _Writer:
    """Lines of one flowchart, with node ids handed out depth-first in definition order."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ids: NodeIds = {}

    def node_id(self, machine: StateMachine, name: str) -> str:
        return self.ids[id(machine)].get(name, f"missing_{_safe(name)}")


def _safe(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _label(name: str, state: State) -> str:
    parts = [name, describe_state(state, name)]
    if isinstance(state, Task) and (detail := task_detail(state)):
        parts.append(detail)
    retriers = getattr(state, "retry", None)
    if retriers:
        parts.append(describe_retry(retriers))
    return "<br/>".join(_text(part) for part in parts)


def _arrow(transition: Transition) -> str:
    match transition.kind:
        case "Next":
            return "-->"
        case "Default":
            return '-->|"Default"|'
        case "Choice":
            rule = "" if transition.condition is None else describe_condition(transition.condition)
            return f'-->|"{_text(rule)}"|'
        case "Catch":
            errors = "" if transition.catcher is None else describe_catch(transition.catcher)
            return f'-.->|"{_text(errors)}"|'
        case _:
            assert_never(transition.kind)


def _is_end(machine: StateMachine, name: str, top: bool) -> bool:
    state = machine.states[name]
    if isinstance(state, Fail):
        return top
    return isinstance(state, Succeed) or not any(t.kind != "Catch" for t, _ in machine.transitions(name))


def _write_machine(writer: _Writer, machine: StateMachine, indent: str, top: bool) -> list[str]:
    """Write *machine*'s states and edges; return the ids of the states that end it."""
    endings: list[str] = []
    for name, state in machine.states.items():
        node = writer.node_id(machine, name)
        opening, closing = _SHAPES[state.type]
        match state:
            case Parallel() | Map() if machine.nested(name):
                writer.lines.append(f'{indent}subgraph {node}_box ["{state.type}"]')
                writer.lines.append(f"{indent}    direction TB")
                writer.lines.append(f"{indent}    {node}{opening}{_label(name, state)}{closing}:::{state.type}")
                writer.lines.append(f'{indent}    {node}_join[" "]:::join')
                links: list[str] = []
                for index, inner in enumerate(machine.nested(name)):
                    inner_indent = indent + "    "
                    if isinstance(state, Parallel):
                        writer.lines.append(f'{inner_indent}subgraph {node}_b{index} ["Branch {index + 1}"]')
                        inner_indent += "    "
                    inner_endings = _write_machine(writer, inner, inner_indent, top=False)
                    if isinstance(state, Parallel):
                        writer.lines.append(f"{indent}    end")
                    if inner.start_at in inner.states:
                        links.append(f"{node} --> {writer.node_id(inner, inner.start_at)}")
                    links.extend(f"{ending} --> {node}_join" for ending in inner_endings)
                # Outside the branch subgraphs, so that the header and the join bar stay in the container.
                writer.lines.extend(f"{indent}    {link}" for link in links)
                writer.lines.append(f"{indent}end")
            case Task() | Pass() | Choice() | Wait() | Succeed() | Fail() | Parallel() | Map():
                writer.lines.append(f"{indent}{node}{opening}{_label(name, state)}{closing}:::{state.type}")
            case _:
                assert_never(state)
        if _is_end(machine, name, top):
            endings.append(_tail(writer, machine, name))
    for name in machine.states:
        for transition, target in machine.transitions(name):
            writer.lines.append(
                f"{indent}{_tail(writer, machine, name)} {_arrow(transition)} {writer.node_id(machine, target)}"
            )
    return endings


def _tail(writer: _Writer, machine: StateMachine, name: str) -> str:
    """Where edges out of *name* start: a Parallel's or Map's join bar, else the state itself."""
    node = writer.node_id(machine, name)
    return f"{node}_join" if machine.nested(name) else node


def to_mermaid(machine: StateMachine, *, direction: str = "TD") -> str:
    """The Mermaid flowchart of *machine*, e.g. for a README: paste it into a fenced ``mermaid`` block.

    >>> from sfnkit.asl.codec import from_definition
    >>> print(to_mermaid(from_definition({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}})))
    flowchart TD
        sfn_start(["Start"]):::marker
        s1["Hello<br/>Pass"]:::Pass
        sfn_start --> s1
        sfn_end(["End"]):::marker
        s1 --> sfn_end
        classDef Task fill:#FFF3E6,stroke:#ED7100
        classDef Pass fill:#F2F3F3,stroke:#687078
        classDef Choice fill:#F3EEFF,stroke:#8C4FFF
        classDef Wait fill:#FFF8DB,stroke:#B08800
        classDef Succeed fill:#EBF5E6,stroke:#1D8102
        classDef Fail fill:#FDEDEA,stroke:#D13212
        classDef Parallel fill:#EAF3FC,stroke:#0972D3
        classDef Map fill:#E6F6F7,stroke:#007E8A
        classDef marker fill:#232F3E,stroke:#232F3E,color:#FFFFFF
        classDef join fill:#545B64,stroke:#545B64
    """
    writer = _Writer()
    writer.ids = node_ids(machine)
    writer.lines.append(f"flowchart {direction}")
    writer.lines.append('    sfn_start(["Start"]):::marker')
    # Nodes first, then the edge from Start: Mermaid places a node where it is first mentioned.
    endings = _write_machine(writer, machine, "    ", top=True)
    writer.lines.append(f"    sfn_start --> {writer.node_id(machine, machine.start_at)}")
    if endings:
        writer.lines.append('    sfn_end(["End"]):::marker')
        writer.lines.extend(f"    {ending} --> sfn_end" for ending in endings)
    writer.lines.extend(f"    classDef {name} {style}" for name, style in _CLASSES.items())
    writer.lines.append("    classDef join fill:#545B64,stroke:#545B64")
    return "\n".join(writer.lines)
