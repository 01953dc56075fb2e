"""``python -m sfnkit`` and the ``sfnkit`` console script: the command line of ``sfnkit.cli``."""

from __future__ import annotations

import os
import sys

__all__ = ["main"]


def main() -> None:
    """Run the ``sfnkit`` command (``pip install 'sfnkit[cli]'`` brings click and rich, which it needs).

    ``sfnkit``, ``sfnkit --help`` and ``sfnkit --version`` are answered without importing click (``cli.top``),
    in about the time of ``import sfnkit``; everything else goes to click."""
    from sfnkit import __version__
    from sfnkit.cli.top import answer

    reply = answer(sys.argv[1:], os.environ, __version__)
    if reply is not None:
        text, to_stderr, status = reply
        stream = sys.stderr if to_stderr else sys.stdout
        try:
            stream.write(text + "\n")
            stream.flush()
        except BrokenPipeError:  # `sfnkit --help | head -1`: exit 1 as click does, and no complaint at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            status = 1
        sys.exit(status)
    try:
        from sfnkit.cli import cli
    except ImportError as error:
        if error.name not in ("click",):
            raise
        sys.exit(f"the sfnkit command needs click: pip install 'sfnkit[cli]' ({error})")
    cli(prog_name="sfnkit")


if __name__ == "__main__":
    main()
