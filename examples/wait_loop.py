"""Wait and loop: warm an egg, wait as long as the egg asks, and check again until it hatches.

``python examples/wait_loop.py`` prints the state machine's ASL.
"""

from __future__ import annotations

from typing import Any

from sfnkit import StateMachine, choice, data, goto, lambda_fn, succeed, wait, when, workflow


@lambda_fn
def warm_egg(event: dict[str, Any]) -> dict[str, Any]:
    """One more round of warmth; the egg hatches at 3 and asks to wait a minute otherwise."""
    warmth = event.get("warmth", 0) + 1
    return {"warmth": warmth, "hatched": warmth >= 3, "delay": 60}


incubation: StateMachine = workflow(
    "Incubation",
    warm_egg
    >> choice(
        when(data.hatched == True, then=succeed(name="Hatched")),  # noqa: E712 - builds a Choice rule
        otherwise=wait(seconds=data.delay, name="Rest") >> goto(warm_egg),
    ),
    comment="A loop: goto() jumps back to WarmEgg; wait(seconds=data.delay) is SecondsPath",
)


def main() -> None:
    """Print the ASL definition."""
    print(incubation.to_json())


if __name__ == "__main__":
    main()
