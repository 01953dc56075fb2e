"""``python -m sfnkit`` and the ``sfnkit`` console script: the command line of ``sfnkit.cli``."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Run the ``sfnkit`` command (``pip install 'sfnkit[cli]'`` brings click and rich, which it needs)."""
    try:
        from sfnkit.cli import cli
    except ImportError as error:
        if error.name not in ("click",):
            raise
        sys.exit(f"the sfnkit command needs click: pip install 'sfnkit[cli]' ({error})")
    cli(prog_name="sfnkit")


if __name__ == "__main__":
    main()
