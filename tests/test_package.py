"""The package as a whole: import cost, public names, typing marker."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sfnkit

HEAVY = (
    "jsonata",
    "networkx",
    "graphviz",
    "sfnkit.engine",
    "sfnkit.render",
    "sfnkit.validate",
    "sfnkit.overlay",
    "boto3",
    "botocore",
    "moto",
    "click",
    "rich",
    "IPython",
)


def loaded_after(code: str) -> list[str]:
    """The heavy modules (and their submodules) in ``sys.modules`` after *code* runs in a fresh interpreter."""
    probe = f"{code}; import sys; print(sorted({{m.split('.')[0] if not m.startswith('sfnkit') else m for m in "
    probe += f"sys.modules if m in {HEAVY!r} or m.startswith({tuple(m + '.' for m in HEAVY)!r})}}))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return list(ast.literal_eval(out.strip()))


def test_import_loads_no_heavy_module() -> None:
    """``import sfnkit`` loads each public name's module on first use: no engine, JSONata, graphviz or AWS SDK."""
    assert loaded_after("import sfnkit") == []


def test_building_and_reading_asl_load_no_engine() -> None:
    """Building a workflow and reading ASL load neither the engine nor JSONata nor the renderer."""
    code = "from sfnkit import chain, from_asl, lambda_fn, pass_, workflow, StateMachine, DefinitionError"
    assert loaded_after(code) == []


def test_the_probe_sees_heavy_modules() -> None:
    """The check above can fail: running a machine loads the engine and JSONata."""
    loaded = loaded_after("import sfnkit; sfnkit.run")
    assert "sfnkit.engine" in loaded
    assert "jsonata" in loaded


def test_lazy_names_agree_with_all_and_the_type_checking_imports() -> None:
    """``__all__``, the name -> module table and the ``TYPE_CHECKING`` imports of ``sfnkit/__init__.py`` list the
    same names from the same modules (a public name added to one place only is caught here)."""
    tree = ast.parse(Path(sfnkit.__file__).read_text(encoding="utf-8"))
    checking = next(node for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node))
    typed = {
        alias.name: node.module for node in checking.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    assert typed == sfnkit._HOMES
    assert sorted(sfnkit.__all__) == sorted(sfnkit._HOMES)
    assert set(sfnkit.__all__) <= set(dir(sfnkit))


def test_functions_keep_the_names_of_their_modules() -> None:
    """``sfnkit.render``/``sfnkit.validate`` are the functions, even when their modules load after ``sfnkit``."""
    code = (
        "import sfnkit, sfnkit.render, sfnkit.validate.quick; "
        "print(callable(sfnkit.render) and callable(sfnkit.validate), type(sfnkit.machine).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["True", "module"]
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        sfnkit.no_such_name  # noqa: B018


def test_every_public_name_exists_and_is_documented() -> None:
    """Each name in ``sfnkit.__all__`` resolves and has a docstring."""
    missing = [name for name in sfnkit.__all__ if not hasattr(sfnkit, name)]
    undocumented = [name for name in sfnkit.__all__ if not (getattr(sfnkit, name).__doc__ or "").strip()]
    assert (missing, undocumented) == ([], [])


def test_package_ships_py_typed() -> None:
    """Type checkers see sfnkit's annotations (PEP 561 marker)."""
    assert (Path(sfnkit.__file__).parent / "py.typed").is_file()


def test_import_keeps_the_recursion_limit() -> None:
    """Loading sfnkit's JSONata (and so jsonata-python, which raises it) leaves the process's recursion limit alone."""
    code = "import sys; before = sys.getrecursionlimit(); import sfnkit.asl.jsonata; "
    code += "print(sys.getrecursionlimit() == before)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "True"
