"""Compiling a definition into a ``Plan``: one node object per state, with its paths, templates, Choice rules and
intrinsic functions already parsed and its transitions resolved to direct references.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfnkit.asl.scope import Json
from sfnkit.engine.children import Block
from sfnkit.engine.choice import ChoiceNode
from sfnkit.engine.fused import Fusion, fuse_block
from sfnkit.engine.map import MapNode
from sfnkit.engine.node import Node
from sfnkit.engine.parallel import ParallelNode
from sfnkit.engine.pass_state import PassNode
from sfnkit.engine.retry import RetryingNode
from sfnkit.engine.task import TaskNode
from sfnkit.engine.terminal import FailNode, SucceedNode
from sfnkit.engine.wait import WaitNode


class Plan:
    """A compiled state machine: the top block plus what the execution needs to know about the definition."""

    __slots__ = ("__weakref__", "block", "name", "query_language", "timeout_seconds")

    def __init__(self, block: Block, timeout_seconds: Any, query_language: str, name: str) -> None:
        self.block = block
        self.timeout_seconds = timeout_seconds
        self.query_language = query_language
        self.name = name


def compile_block(
    definition: Mapping[str, Json],
    top_language: str,
    location: str,
    *,
    repeated: bool = False,
    recorded: bool = True,
    fusion: Fusion = "auto",
) -> Block:
    """Compile a ``{StartAt, States}`` block (the machine, a branch, an item processor: see ``CompileBlock``),
    its hot chains fused as *fusion* says (``sfnkit.engine.fused``)."""

    def compile_inner(
        definition: Mapping[str, Json],
        top_language: str,
        location: str,
        *,
        repeated: bool = False,
        recorded: bool = True,
    ) -> Block:
        return compile_block(definition, top_language, location, repeated=repeated, recorded=recorded, fusion=fusion)

    states = definition.get("States") or {}
    nodes: dict[str, Node] = {}
    has_tasks = False
    for name, state in states.items():
        language = state.get("QueryLanguage", top_language)
        where = f"{location}.States.{name}" if location else f"States.{name}"
        kind = state.get("Type")
        node: Node
        match kind:
            case "Pass":
                node = PassNode(name, state, language, where)
            case "Task":
                node = TaskNode(name, state, language, where)
                has_tasks = True
            case "Choice":
                node = ChoiceNode(name, state, language, where)
            case "Wait":
                node = WaitNode(name, state, language, where)
            case "Succeed":
                node = SucceedNode(name, state, language, where)
            case "Fail":
                node = FailNode(name, state, language, where)
            case "Parallel":
                node = ParallelNode(name, state, language, where, top_language, compile_inner)
                has_tasks = has_tasks or any(b.has_tasks for b in node.branches)
            case "Map":
                node = MapNode(name, state, language, where, top_language, compile_inner)
                has_tasks = has_tasks or node.processor.has_tasks
            case _:
                raise definition_error(f"{where}.Type: unknown state type {kind!r}")
        nodes[name] = node

    def resolve(target: Json, where: str) -> Node:
        if not isinstance(target, str) or target not in nodes:
            raise definition_error(f"{where}: there is no state {target!r} in this block to go to")
        return nodes[target]

    for name, node in nodes.items():
        state = states[name]
        where = f"{location}.States.{name}" if location else f"States.{name}"
        if node.next_name is not None and not state.get("End"):
            node.next = resolve(node.next_name, f"{where}.Next")
        if isinstance(node, ChoiceNode):
            for n, choice in enumerate(node.choices):
                choice[2] = resolve(choice[1], f"{where}.Choices[{n}].Next")
            if node.default_name is not None:
                node.default = resolve(node.default_name, f"{where}.Default")
            if node._simple_ok:
                node.simple = tuple((choice[0], choice[2]) for choice in node.choices)
                tests = node._direct_tests
                direct = [(t, c[2]) for t, c in zip(tests, node.choices, strict=True) if t is not None]
                if len(direct) == len(tests):
                    node.direct = tuple(direct)
        if isinstance(node, RetryingNode):
            for n, catcher in enumerate(node.catchers):
                catcher.next = resolve(catcher.next_name, f"{where}.Catch[{n}].Next")
    for node in nodes.values():
        # A fresh copy of the name, next to the others: every trace record holds it, and the garbage collector,
        # walking a run's history, touches each one (names read from the definition lie scattered among its
        # parsed objects: on a 10,000-state chain that walk took 3x longer)
        node.name = node.name.encode().decode()
        if isinstance(node, PassNode) and node.pick_base is not None:
            # fresh copies, allocated one after the other now that compiling's garbage is made: what the hot path
            # reads sits close together (a 10,000-state machine stays cache- and TLB-friendly)
            node.pick_base = dict(node.pick_base)
            node.picks = tuple((name, key) for name, key in node.picks)
    start = definition.get("StartAt")
    if not isinstance(start, str) or start not in nodes:
        raise definition_error(f"{location or 'StartAt'}: StartAt {start!r} names no state of this block")
    block = Block(nodes[start], nodes, has_tasks)
    fuse_block(block, fusion, repeated=repeated, recorded=recorded)
    return block


def definition_error(message: str) -> Exception:
    from sfnkit.errors import DefinitionError

    return DefinitionError(message)


def compile_plan(definition: Mapping[str, Json], *, name: str = "StateMachine", fusion: Fusion = "auto") -> Plan:
    """Compile an ASL definition (a dict) into an execution plan: every path, template, rule, intrinsic function
    and JSONata expression parsed once, every transition resolved to a direct reference. *fusion*: where chains of
    Pass and Choice states run as generated code (``sfnkit.engine.fused``; ``"off"`` for none)."""
    language = str(definition.get("QueryLanguage", "JSONPath"))
    block = compile_block(definition, language, "", fusion=fusion)
    return Plan(block, definition.get("TimeoutSeconds"), language, name)
