"""The shared benchmark's workloads written in JSONata (W1–W5), for the JSONata rows of ``bench_run.py``.

Each builder returns ``(definition, input, expected output)``; the work per state is the JSONPath version's.
"""

from __future__ import annotations

import json
from typing import Any

Workload = tuple[dict[str, Any], Any, Any]


def chain(states: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """*states* linked in the order of *names* (Next ... End)."""
    for name, following in zip(names, [*names[1:], None], strict=True):
        states[name].update({"Next": following} if following else {"End": True})
    return states


def w1(n: int) -> Workload:
    """W1: a chain of n Pass states, each merging {last: {v, k}} into its input."""
    states = {
        f"P{i}": {
            "Type": "Pass",
            "Output": f"{{% $merge([$states.input, {{'last': {{'v': $states.input.v, 'k': {i + 1}}}}}]) %}}",
        }
        for i in range(n)
    }
    definition = {"QueryLanguage": "JSONata", "StartAt": "P0", "States": chain(states, list(states))}
    return definition, {"v": 1, "s": "payload", "last": None}, {"v": 1, "s": "payload", "last": {"v": 1, "k": n}}


def w2(n: int) -> Workload:
    """W2-inline: an inline Map over n items, each item Pass → Choice → Pass."""
    half = n // 2
    processor = {
        "StartAt": "Shape",
        "States": {
            "Shape": {"Type": "Pass", "Output": "{% {'x': $states.input.x, 'y': 1} %}", "Next": "Route"},
            "Route": {
                "Type": "Choice",
                "Choices": [{"Condition": f"{{% $states.input.x >= {half} %}}", "Next": "Hi"}],
                "Default": "Lo",
            },
            "Hi": {"Type": "Pass", "Output": "hi", "End": True},
            "Lo": {"Type": "Pass", "Output": "lo", "End": True},
        },
    }
    fan = {"Type": "Map", "Items": "{% $states.input.items %}", "ItemProcessor": processor, "End": True}
    definition = {"QueryLanguage": "JSONata", "StartAt": "Fan", "States": {"Fan": fan}}
    return definition, {"items": [{"x": i} for i in range(n)]}, ["lo"] * half + ["hi"] * (n - half)


def w3(branches: int, length: int) -> Workload:
    """W3: a Parallel of branches × length Pass states."""
    blocks = []
    for b in range(branches):
        states = {
            f"B{b}S{j}": {
                "Type": "Pass",
                "Output": f"{{% $merge([$states.input, {{'last': {{'v': $states.input.v, 'b': {b + 1}, "
                f"'j': {j + 1}}}}}]) %}}",
            }
            for j in range(length)
        }
        blocks.append({"StartAt": f"B{b}S0", "States": chain(states, list(states))})
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Fork",
        "States": {"Fork": {"Type": "Parallel", "Branches": blocks, "End": True}},
    }
    expected = [{"v": 1, "last": {"v": 1, "b": b + 1, "j": length}} for b in range(branches)]
    return definition, {"v": 1, "last": None}, expected


def w4(n: int) -> Workload:
    """W4: a loop, a Choice Condition and a Pass Output counting to n."""
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Condition": f"{{% $states.input.i < {n} %}}", "Next": "Inc"}],
                "Default": "Done",
            },
            "Inc": {"Type": "Pass", "Output": "{% {'i': $states.input.i + 1} %}", "Next": "Check"},
            "Done": {"Type": "Succeed"},
        },
    }
    return definition, {"i": 0}, {"i": n}


def w5(n: int, arn: str) -> Workload:
    """W5: a chain of n Lambda Tasks (the function *arn* adds 1 to n), arguments built by JSONata."""
    states = {f"T{i}": {"Type": "Task", "Resource": arn, "Arguments": {"n": "{% $states.input.n %}"}} for i in range(n)}
    definition = {"QueryLanguage": "JSONata", "StartAt": "T0", "States": chain(states, list(states))}
    return definition, {"n": 0}, {"n": n}


def salted(definition: dict[str, Any], salt: str) -> dict[str, Any]:
    """*definition* with a comment added to every expression: texts no earlier run has seen (a cold start)."""
    return json.loads(json.dumps(definition).replace(" %}", f" /* {salt} */ %}}"))
