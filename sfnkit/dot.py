"""Run Graphviz at the edge: find ``dot``, lay DOT text out as a picture, and show a diagram in Jupyter.

The diagram itself is built purely (``sfnkit.diagram``); this module is where a program runs.
"""

from __future__ import annotations

import functools
import os
import pathlib
import shutil
import sys
import sysconfig
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

from sfnkit.errors import RenderError

if TYPE_CHECKING:
    import graphviz

__all__ = ["FORMATS", "find_dot", "layout"]

Format = Literal["svg", "png", "pdf", "dot", "jpg", "jpeg", "gif", "json"]
FORMATS: Final = ("svg", "png", "pdf", "dot", "jpg", "jpeg", "gif", "json")

_NO_DOT: Final = (
    "Drawing to {format} needs Graphviz's dot program, and none was found. Install it with "
    '`apt-get install graphviz` (`brew install graphviz` on macOS), or `pip install "sfnkit[render]"` for a '
    "pip-installable dot (graphviz-pure). The DOT text needs neither: render(machine).source."
)


def find_dot() -> str | None:
    """The program that lays out DOT: Graphviz's ``dot`` on PATH, else ``graphviz-pure`` (PATH or this Python's
    scripts folder, where ``pip install "sfnkit[render]"`` puts it), else ``None``."""
    found = shutil.which("dot") or shutil.which("graphviz-pure")
    if found:
        return found
    scripts = pathlib.Path(sysconfig.get_path("scripts")) if sysconfig.get_path("scripts") else None
    for folder in (scripts, pathlib.Path(sys.executable).parent):
        if folder is not None and (folder / "graphviz-pure").is_file():
            return str(folder / "graphviz-pure")
    return None


def layout(source: str, format: str = "svg") -> bytes:
    """Run Graphviz on DOT *source* and return the picture in *format* (``svg``, ``png``, ``pdf``...).

    Raises:
        RenderError: ``dot`` is not installed (the message says how to install it) or it failed.
    """
    import subprocess  # here, not at the top: `import sfnkit` stays quick

    if format not in FORMATS:
        raise RenderError(f"Cannot draw to {format!r}: choose one of {', '.join(FORMATS)}.")
    program = find_dot()
    if program is None:
        raise RenderError(_NO_DOT.format(format=format))
    if format == "pdf" and os.path.basename(program).startswith("graphviz-pure"):
        raise RenderError(
            "graphviz-pure cannot write PDF yet. Install Graphviz (`apt-get install graphviz`) for PDF, "
            'or draw to "svg" or "png".'
        )
    try:
        done = subprocess.run(
            [program, f"-T{format}"], input=source.encode("utf-8"), capture_output=True, check=False, timeout=300
        )
    except OSError as error:
        raise RenderError(f"Could not run {program}: {error}. {_NO_DOT.format(format=format)}") from error
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"{program} took more than 300 s to lay out the diagram; try direction='LR'.") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{program} failed (exit {done.returncode}) drawing to {format}: {message}")
    return done.stdout


@functools.cache
def _diagram_type() -> type[graphviz.Digraph]:
    """The ``graphviz.Digraph`` subclass ``render`` returns (made on first use: importing graphviz takes time)."""
    import graphviz

    class Diagram(graphviz.Digraph):  # type: ignore[misc]  # graphviz ships no type information
        """A ``graphviz.Digraph`` that Jupyter displays through sfnkit: with ``dot`` or graphviz-pure, never raising."""

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, str]:
            return _bundle(f"<diagram {self.name}: {len(self.body)} DOT lines>", lambda: self.source, include, exclude)

    Diagram.__qualname__ = "Diagram"
    return Diagram


def _bundle(text: str, source: Callable[[], str], include: Any, exclude: Any) -> dict[str, str]:
    bundle = {"text/plain": text}
    try:
        bundle["image/svg+xml"] = layout(source(), "svg").decode("utf-8")
    except RenderError as error:
        bundle["text/plain"] = f"{text}\n{error}"
    except Exception as error:  # same reason: show the problem as text instead of failing the cell
        bundle["text/plain"] = f"{text}\n(sfnkit could not draw this: {type(error).__name__}: {error})"
    if include:
        bundle = {key: value for key, value in bundle.items() if key in include}
    if exclude:
        bundle = {key: value for key, value in bundle.items() if key not in exclude}
    return bundle
