"""The ``sfnkit`` command: run, export, render, validate, import, deploy and destroy state machines; invoke and poll
functions.

Imported only by the console script and ``python -m sfnkit`` (click is the ``cli`` extra). ``sfnkit``,
``sfnkit --help`` and ``sfnkit --version`` are answered by ``top`` without click; ``cli`` (the click group,
``base``) is imported when first used, and each command imports what it needs when it runs (``top.COMMANDS``
lists them). A new command is one more ``@cli.command()`` function in the module of its family and its entry in
``COMMANDS``; what it raises reaches the user as one line (``base``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sfnkit.cli.base import cli

__all__ = ["cli"]


def __getattr__(name: str) -> Any:
    """``cli``, imported when first asked for: importing ``sfnkit.cli.top`` must not import click."""
    if name == "cli":
        from sfnkit.cli.base import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
