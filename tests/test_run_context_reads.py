"""JSONata states build the context object only when an expression may read it (issue 10: a timestamp per state
was most of a JSONata Pass's cost); every form of reading it still sees it."""

from __future__ import annotations

from typing import Any

import pytest

import sfnkit
import sfnkit.engine.node


def machine(output: Any) -> sfnkit.StateMachine:
    return sfnkit.from_asl(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Look",
            "States": {"Look": {"Type": "Pass", "Output": output, "End": True}},
        }
    )


@pytest.mark.parametrize(
    "output",
    [
        "{% $states.context.State.Name %}",
        "{% $lookup($states, 'context').State.Name %}",
        "{% $states.`context`.State.Name %}",
        "{% ($s := $states; $s.context.State.Name) %}",
        {"nested": ["{% $states.context.State.Name %}"]},
    ],
)
def test_every_way_of_reading_the_context_sees_it(output: Any) -> None:
    result = sfnkit.run(machine(output), {}).output
    assert result in ("Look", {"nested": ["Look"]})


def test_a_state_that_never_reads_the_context_does_not_build_it(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real = sfnkit.engine.node.context_object

    def counting(*args: Any, **kwargs: Any) -> dict[str, Any]:
        built.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(sfnkit.engine.node, "context_object", counting)
    assert sfnkit.run(machine("{% {'a': $states.input.a} %}"), {"a": 1}).output == {"a": 1}
    assert built == []
    assert sfnkit.run(machine("{% $states.context.State.Name %}"), {}).output == "Look"
    assert built == ["Look"]
