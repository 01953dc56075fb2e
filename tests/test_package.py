"""The package as a whole: import cost, public names, typing marker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sfnkit


def test_import_does_not_load_boto3_or_jupyter() -> None:
    """``import sfnkit`` stays light: boto3 and IPython load only when used."""
    code = "import sys, sfnkit; print(sorted(m for m in ('boto3', 'botocore', 'IPython') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_every_public_name_exists_and_is_documented() -> None:
    """Each name in ``sfnkit.__all__`` resolves and has a docstring."""
    missing = [name for name in sfnkit.__all__ if not hasattr(sfnkit, name)]
    undocumented = [name for name in sfnkit.__all__ if not (getattr(sfnkit, name).__doc__ or "").strip()]
    assert (missing, undocumented) == ([], [])


def test_package_ships_py_typed() -> None:
    """Type checkers see sfnkit's annotations (PEP 561 marker)."""
    assert (Path(sfnkit.__file__).parent / "py.typed").is_file()


def test_import_keeps_the_recursion_limit() -> None:
    """Importing sfnkit (and so jsonata-python, which raises it) leaves the process's recursion limit alone."""
    code = "import sys; before = sys.getrecursionlimit(); import sfnkit; print(sys.getrecursionlimit() == before)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "True"
