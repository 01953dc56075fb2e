"""The ``sfnkit`` command: run, export, render, validate, import, deploy and destroy state machines; invoke and poll
functions.

Imported only by the console script and ``python -m sfnkit`` (click is the ``cli`` extra); each command imports
what it needs when it runs, and ``sfnkit --help`` imports no command module (``base.COMMANDS`` lists them). A new
command is one more ``@cli.command()`` function in the module of its family and its entry in ``COMMANDS``; what
it raises reaches the user as one line (``base``).
"""

from sfnkit.cli.base import cli

__all__ = ["cli"]
