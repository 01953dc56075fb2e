"""The notebooks in notebooks/: each runs headless without an error and draws an SVG; outputs stay stripped."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _missing() -> str | None:
    """Why the notebooks cannot run here, if they cannot."""
    for module in ("ipykernel", "sfnkit.dsl", "sfnkit.engine.run"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not importable"
    if shutil.which("dot") is None and shutil.which("graphviz-pure") is None:
        return "neither Graphviz's dot nor graphviz-pure is installed"
    return None


def test_there_are_notebooks() -> None:
    """The getting-started and debugging notebooks exist."""
    assert [path.name for path in NOTEBOOKS] == ["debugging.ipynb", "getting_started.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    """Notebooks are committed with outputs and execution counts stripped."""
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [(cell.outputs, cell.execution_count) for cell in code] == [([], None)] * len(code)


@pytest.mark.dot
@pytest.mark.skipif(_missing() is not None, reason=str(_missing()))
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_and_draws(path: Path) -> None:
    """Every cell runs without an error (nbclient raises on one) and at least one output is an SVG."""
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert [output for output in outputs if output.output_type == "error"] == []
    assert any("image/svg+xml" in output.get("data", {}) for output in outputs)
