"""Workflow coverage: across many executions, which states of each workflow ran and which transitions (each
``Next``, each Choice rule, ``Default``, each ``Catch``) were taken; as text, as JSON, and drawn on the diagram.

``Coverage`` collects (``record(execution)``, or ``with coverage.collecting():`` for every ``run()`` in the
block); ``Coverage.report()`` is the frozen result. The pytest plugin (``--sfnkit-cov``) does this for a session.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from sfnkit.asl.scope import Json, Scope
from sfnkit.engine.mocks import observing
from sfnkit.execution import Execution
from sfnkit.labels import describe_condition
from sfnkit.machine import StateMachine
from sfnkit.overlay import END, START, RunOverlay, StateRun, summarize
from sfnkit.states import ABSENT, Choice

__all__ = ["Arc", "Coverage", "CoverageReport", "WorkflowCoverage"]


@attrs.frozen
class Arc:
    """A transition of a workflow: from *state* by *key* (``Next``, ``Default``, ``Choices[0]``, ``Catch[1]``)."""

    state: str
    key: str
    target: str
    rule: str | None = attrs.field(default=None, eq=False)  # a Choice rule or Catch, in words

    def __str__(self) -> str:
        rule = f" ({self.rule})" if self.rule else ""
        return f"{self.state}.{self.key}{rule} -> {self.target}"


def _arcs(machine: StateMachine) -> list[Arc]:
    arcs: list[Arc] = []
    for name, _state, owner in machine.walk():
        for transition, target in owner.transitions(name):
            rule = None
            if transition.condition is not None:
                rule = describe_condition(transition.condition)
            elif transition.catcher is not None:
                rule = ", ".join(transition.errors)
            arcs.append(Arc(name, transition.key, target, rule))
    return arcs


@attrs.frozen
class WorkflowCoverage:
    """One workflow's coverage: how often each state was entered and each transition taken, over ``executions``."""

    name: str
    machine: StateMachine = attrs.field(eq=False, repr=False)
    executions: int
    states: Mapping[str, int]  # every state (branches and item processors included) -> times entered
    transitions: Mapping[Arc, int]  # every transition -> number of executions that took it
    ended: frozenset[str] = frozenset()  # states from which some execution reached the End marker

    @property
    def missed_states(self) -> tuple[str, ...]:
        return tuple(name for name, hits in self.states.items() if not hits)

    @property
    def missed_transitions(self) -> tuple[Arc, ...]:
        return tuple(arc for arc, hits in self.transitions.items() if not hits)

    @property
    def percent(self) -> float:
        """States and transitions covered, as one percentage (100.0 for a workflow with nothing to cover)."""
        total = len(self.states) + len(self.transitions)
        missed = len(self.missed_states) + len(self.missed_transitions)
        return 100.0 if not total else round(100.0 * (total - missed) / total, 1)

    def to_dict(self) -> dict[str, Json]:
        """The JSON report of this workflow (its ASL definition included, so reports can be merged and drawn)."""
        return {
            "name": self.name,
            "executions": self.executions,
            "percent": self.percent,
            "states": {"covered": len(self.states) - len(self.missed_states), "total": len(self.states)},
            "transitions": {
                "covered": len(self.transitions) - len(self.missed_transitions),
                "total": len(self.transitions),
            },
            "missed_states": list(self.missed_states),
            "missed_transitions": [_arc_dict(arc) for arc in self.missed_transitions],
            "state_hits": dict(self.states),
            "transition_hits": [dict(_arc_dict(arc), taken=hits) for arc, hits in self.transitions.items()],
            "ended": sorted(self.ended),
            "definition": self.machine.to_asl(validate=False),
        }

    def overlay(self) -> RunOverlay:
        """The coverage as a diagram overlay: states that ran filled, untaken transitions dashed."""
        hit = {name: StateRun(entered=n, succeeded=n) for name, n in self.states.items() if n}
        taken = {(arc.state, arc.key) for arc, n in self.transitions.items() if n}
        taken |= {(name, END) for name in self.ended}
        if self.executions:
            taken.add((START, self.machine.start_at))
        covered = len(self.states) - len(self.missed_states), len(self.transitions) - len(self.missed_transitions)
        caption = (
            f"Coverage {self.percent:g}% · states {covered[0]}/{len(self.states)} · "
            f"transitions {covered[1]}/{len(self.transitions)} · {_executions(self.executions)}"
        )
        return RunOverlay(states=hit, taken=frozenset(taken), coverage=caption)

    def render(self, **options: Any) -> Any:
        """The workflow drawn with its coverage (``sfnkit.render`` options: ``format=``, ``path=``...)."""
        from sfnkit.render import render

        return render(self.machine, execution=self.overlay(), **options)


def _executions(count: int) -> str:
    return f"{count} execution{'s' * (count != 1)}"


def _arc_dict(arc: Arc) -> dict[str, Json]:
    out: dict[str, Json] = {"from": arc.state, "transition": arc.key, "to": arc.target}
    if arc.rule:
        out["rule"] = arc.rule
    return out


@attrs.frozen
class CoverageReport:
    """The coverage of every workflow that ran, by name."""

    workflows: tuple[WorkflowCoverage, ...]

    def workflow(self, name: str) -> WorkflowCoverage:
        for workflow in self.workflows:
            if workflow.name == name:
                return workflow
        known = ", ".join(repr(w.name) for w in self.workflows) or "none ran"
        raise KeyError(f"no workflow {name!r} ran ({known})")

    def to_dict(self) -> dict[str, Json]:
        return {"workflows": [w.to_dict() for w in self.workflows]}

    def write_json(self, path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        target.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return target

    def summary(self) -> str:
        """A few lines per workflow: states and transitions covered, then what was missed."""
        if not self.workflows:
            return "no workflow ran"
        width = max(len(w.name) for w in self.workflows)
        lines: list[str] = []
        for w in self.workflows:
            states = f"{len(w.states) - len(w.missed_states)}/{len(w.states)}"
            arcs = f"{len(w.transitions) - len(w.missed_transitions)}/{len(w.transitions)}"
            lines.append(
                f"{w.name:<{width}}  {w.percent:5.1f}%  states {states:>7}  transitions {arcs:>7}  "
                f"({_executions(w.executions)})"
            )
            lines.extend(f"    state not run: {name}" for name in w.missed_states)
            lines.extend(f"    transition not taken: {arc}" for arc in w.missed_transitions)
        return "\n".join(lines)


@attrs.define
class _Tally:
    machine: StateMachine
    executions: int = 0
    states: dict[str, int] = attrs.field(factory=dict)
    transitions: dict[Arc, int] = attrs.field(factory=dict)
    ended: set[str] = attrs.field(factory=set)


def _fingerprint(machine: StateMachine) -> str:
    text = json.dumps(machine.to_asl(validate=False), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Coverage:
    """Collects the coverage of executions, grouped by workflow (its name and definition). Thread-safe."""

    def __init__(self) -> None:
        self._tallies: dict[tuple[str, str], _Tally] = {}
        self._lock = threading.Lock()
        # machine -> its definition's fingerprint; weak: a suite may build a machine per test
        self._fingerprints: weakref.WeakKeyDictionary[StateMachine, str] = weakref.WeakKeyDictionary()

    @contextlib.contextmanager
    def collecting(self) -> Iterator[Coverage]:
        """Record every execution ``run()`` returns inside this block."""
        with observing(self.record):
            yield self

    def record(self, execution: Execution) -> None:
        """Add *execution*'s states and transitions to its workflow's coverage."""
        try:
            machine = execution.machine
        except (TypeError, ValueError):  # run() was given a compiled Plan: there is no machine to cover
            return
        if machine is None:
            return
        overlay = summarize(machine, execution.history)
        taken = _taken(machine, execution, overlay)
        overlay_states = overlay.states
        with self._lock:
            tally = self._tally(machine, _name(machine, execution))
            tally.executions += 1
            for name, run in overlay_states.items():
                if name in tally.states:
                    tally.states[name] += run.entered
            for arc in tally.transitions:
                if (arc.state, arc.key) in taken:
                    tally.transitions[arc] += 1
            tally.ended.update(state for state, key in taken if key == END)

    def _tally(self, machine: StateMachine, name: str) -> _Tally:
        fingerprint = self._fingerprints.get(machine)
        if fingerprint is None:
            fingerprint = self._fingerprints[machine] = _fingerprint(machine)
        key = (name, fingerprint)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally(machine)
            tally.states = {state: 0 for state, _s, _o in machine.walk()}
            tally.transitions = dict.fromkeys(_arcs(machine), 0)
        return tally

    def merge(self, report: Mapping[str, Any]) -> None:
        """Add a JSON report (``CoverageReport.to_dict()``, e.g. from another pytest-xdist worker)."""
        from sfnkit.asl.codec import from_asl

        for entry in report.get("workflows", []):
            machine = from_asl(entry["definition"], validate=False)
            with self._lock:
                tally = self._tally(machine, entry["name"])
                tally.executions += entry["executions"]
                for name, hits in entry["state_hits"].items():
                    if name in tally.states:
                        tally.states[name] += hits
                taken = {(t["from"], t["transition"]): t["taken"] for t in entry["transition_hits"]}
                for arc in tally.transitions:
                    tally.transitions[arc] += taken.get((arc.state, arc.key), 0)
                tally.ended.update(entry.get("ended", []))

    def report(self) -> CoverageReport:
        """The coverage so far, one entry per workflow (names made unique: a renamed definition gets ``#2``)."""
        with self._lock:
            tallies = sorted(self._tallies.items(), key=lambda item: item[0])
        seen: dict[str, int] = {}
        workflows: list[WorkflowCoverage] = []
        for (name, _print), tally in tallies:
            seen[name] = seen.get(name, 0) + 1
            label = name if seen[name] == 1 else f"{name}#{seen[name]}"
            workflows.append(
                WorkflowCoverage(
                    label,
                    tally.machine,
                    tally.executions,
                    dict(tally.states),
                    dict(tally.transitions),
                    frozenset(tally.ended),
                )
            )
        return CoverageReport(tuple(workflows))


def _name(machine: StateMachine, execution: Execution) -> str:
    # run() names the execution's state machine in its ARN: ...:execution:<StateMachineName>:<ExecutionName>
    parts = execution.arn.split(":")
    return machine.name or (parts[-2] if len(parts) >= 8 else "StateMachine")


def _taken(machine: StateMachine, execution: Execution, overlay: RunOverlay) -> set[tuple[str, str]]:
    """The transitions *execution* took, as ``(state, key)``.

    The history says which state followed which, not which Choice rule matched; when two rules of one Choice
    lead to the same state, the rules are evaluated again on each visit's input to tell them apart.
    """
    taken = set(overlay.taken)
    for name, state, owner in machine.walk():
        if not isinstance(state, Choice):
            continue
        targets = [target for _t, target in owner.transitions(name)]
        if len(targets) == len(set(targets)):
            continue
        keys = [_chosen(owner, name, state, visit.input) for visit in execution.states if visit.name == name]
        if keys and all(key is not None for key in keys):
            taken = {(s, k) for s, k in taken if s != name} | {(name, key) for key in keys if key is not None}
    return taken


def _chosen(owner: StateMachine, name: str, state: Choice, value: Json) -> str | None:
    """The key of the Choice transition a JSONPath Choice takes on *value* (None when it cannot be told here)."""
    from sfnkit.asl.codec import to_choice_rule
    from sfnkit.asl.rules import compile_rule

    if state.input_path is not ABSENT or state.query_language == "JSONata":
        return None
    try:
        for transition, _target in owner.transitions(name):
            if transition.condition is not None:
                if compile_rule(to_choice_rule(transition.condition))(Scope(value, None, {})):
                    return transition.key
    except Exception:  # a rule reading variables or the context: the history's answer stands
        return None
    return "Default" if owner.follow(name, "Default") is not None else None
