"""Map: feed every dragon of the hoard, two at a time, and keep the meals next to the input.

``python examples/map_feeding.py`` prints the state machine's ASL.
"""

from __future__ import annotations

from typing import Any

from sfnkit import StateMachine, ctx, data, lambda_fn, map_, workflow


@lambda_fn
def feed_dragon(event: dict[str, Any]) -> dict[str, Any]:
    """One meal per dragon: big dragons eat more."""
    dragon = event["dragon"]
    return {"name": dragon["name"], "sheep": 3 if dragon["size"] == "large" else 1, "turn": event["turn"]}


feeding: StateMachine = workflow(
    "Feeding",
    map_(
        feed_dragon,
        name="FeedAll",
        items=data.dragons,
        item_selector={"dragon": ctx.Map.Item.Value, "turn": ctx.Map.Item.Index},
        max_concurrency=2,
        result_path="$.meals",
    ),
    comment="One iteration per dragon; the Map output is the list of meals in input order",
)


def main() -> None:
    """Print the ASL definition."""
    print(feeding.to_json())


if __name__ == "__main__":
    main()
