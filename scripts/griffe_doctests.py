"""Griffe extension for the documentation site: doctest examples in docstrings render as code.

Markdown reads a docstring's ``>>>`` lines as nested block quotes, and an output such as ``['a', 'b']`` as a
link that cannot resolve (a warning, so a failed ``mkdocs build --strict``). Each run of ``>>>`` lines and the
output lines after them is fenced as ``pycon`` instead, unless it already sits in a fenced block.
"""

from __future__ import annotations

from typing import Any

import griffe


class DoctestFences(griffe.Extension):
    """Fence the doctests of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **_: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)


def fence_doctests(text: str) -> str:
    """*text* with each doctest (``>>>`` lines, then output up to a blank line) in a ``pycon`` fence."""
    lines = text.split("\n")
    out: list[str] = []
    fenced = False
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip()
        if stripped.startswith("```"):
            fenced = not fenced
        elif not fenced and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            block: list[str] = []
            while index < len(lines) and lines[index].strip() and lines[index].startswith(indent):
                block.append(lines[index])
                index += 1
            out += [f"{indent}```pycon", *block, f"{indent}```"]
            continue
        out.append(line)
        index += 1
    return "\n".join(out)
