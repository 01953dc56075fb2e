"""Compiled execution plans are shared only between machines that really are the same."""

from __future__ import annotations

import attrs

from sfnkit import from_asl, run
from sfnkit.asl.codec import from_definition, source_text

DEFINITION = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "first", "End": True}}}


def test_from_asl_remembers_the_text_it_read() -> None:
    """A machine read by from_asl knows its compact source text; one built otherwise has none."""
    assert source_text(from_asl(DEFINITION)) == (
        '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"first","End":true}}}'
    )
    assert source_text(from_definition(DEFINITION)) is None


def test_an_evolved_machine_runs_its_own_definition() -> None:
    """attrs.evolve on a machine read from text does not reuse the original's plan."""
    machine = from_asl(DEFINITION)
    assert run(machine).output == "first"
    changed = attrs.evolve(
        machine, states={"A": attrs.evolve(machine.states["A"], result="second")}, edges=machine.edges
    )
    assert (source_text(changed), run(changed).output) == (None, "second")


def test_same_definition_under_two_names_keeps_each_name() -> None:
    """Two machines with one definition but different names each see their own name in the context object."""
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"name.$": "$$.StateMachine.Name"}, "End": True}},
    }
    first = attrs.evolve(from_definition(definition), name="First")
    second = attrs.evolve(from_definition(definition), name="Second")
    assert (run(first).output, run(second).output) == ({"name": "First"}, {"name": "Second"})
