"""Step Functions implements JSONata's 2.0.6 specification ("Supported JSONata version" in the developer guide's
"Transforming data with JSONata"), so the default (``?:``) and coalescing (``??``) operators JSONata 2.1.0 added
are syntax errors there — a re:Post answer confirms them refused on AWS. JSONata 2.0.6's tokenizer reads each as two
one-character operators and fails on the second as a unary operator (error S0211); sfnkit gives that error, with
the condition to write instead.
"""

from __future__ import annotations

from typing import Any

import pytest

import sfnkit


def _machine(expression: str) -> dict[str, Any]:
    output = "{% " + expression + " %}"
    state = {"Type": "Pass", "Output": output, "End": True}
    return {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": state}}


@pytest.mark.parametrize(
    ("expression", "symbol", "caret"),
    [
        ("$states.input.a ?: 0", ":", 17),
        ("$states.input.a ?? 0", "?", 17),
        ("$states.input.a?:1", ":", 16),
        ("($states.input.a ? 1 : 2) ?? 3", "?", 27),
        ("$states.input.a / 2 ?? 3", "?", 21),
    ],
)
def test_jsonata_2_1_operators_are_syntax_errors(expression: str, symbol: str, caret: int) -> None:
    with pytest.raises(sfnkit.ValidationError) as caught:
        sfnkit.validate(_machine(expression))
    text = str(caught.value)
    assert f"The symbol {symbol} cannot be used as a unary operator" in text
    assert "JSONata 2.0.6" in text
    lines = text.splitlines()
    shown = next(i for i, line in enumerate(lines) if line.startswith("{% "))
    assert lines[shown + 1].index("^") == caret + 3  # under the operator's second character


def test_the_error_says_what_to_write_instead() -> None:
    with pytest.raises(sfnkit.ValidationError, match=r"\(\$exists\(a\) \? a : b\)"):
        sfnkit.validate(_machine("$states.input.a ?? 0"))
    with pytest.raises(sfnkit.ValidationError, match=r"\(a \? a : b\)"):
        sfnkit.validate(_machine("$states.input.a ?: 0"))


@pytest.mark.parametrize(
    "expression",
    [
        "$states.input.a ? 1 : 0",
        "'??' & '?:'",
        "$match('ab', /a??b/)",
        "$states.input.a ? ($states.input.b ? 1 : 2) : 3",
        "/* ?? */ $states.input.a",
        "$contains('ab', /$?:/)",  # found by hypothesis: a regex the scan must read as the parser did
    ],
)
def test_the_2_0_6_conditional_and_lookalikes_stay_valid(expression: str) -> None:
    sfnkit.validate(_machine(expression))
