"""The ``sfnkit`` command: run, export, render, validate, import, deploy and destroy state machines; invoke and poll
functions.

Imported only by the console script and ``python -m sfnkit`` (click is the ``cli`` extra); each command imports
what it needs when it runs, so ``sfnkit --help`` costs little more than ``import sfnkit``. A new command is one
more ``@cli.command()`` function in the module of its family, imported here; what it raises reaches the user as
one line (``base``).
"""

from sfnkit.cli import cloud, flows, functions  # noqa: F401 - their commands join the group
from sfnkit.cli.base import cli

__all__ = ["cli"]
