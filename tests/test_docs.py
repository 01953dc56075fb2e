"""The documentation site: it builds with warnings as errors, documents every public name, and its examples run."""

from __future__ import annotations

import importlib
import importlib.util
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import sfnkit
from sfnkit.cli import cli
from sfnkit.cli.base import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)
CONSOLE_BLOCK = re.compile(r"^```console\n(.*?)^```", re.M | re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built by `mkdocs build --strict` (any warning fails the build) into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_every_page_is_built(site: Path) -> None:
    """Each Markdown page of docs/ becomes an HTML page (``a/b.md`` -> ``a/b/index.html``)."""
    expected = [page.relative_to(DOCS).with_suffix("") for page in PAGES]
    html = [site / (name.parent if name.name == "index" else name) / "index.html" for name in expected]
    assert [str(path.relative_to(site)) for path in html if not path.is_file()] == []


def test_reference_documents_every_public_name(site: Path) -> None:
    """Every name in `sfnkit.__all__`, and in the `__all__` of each public module the reference includes
    (`sfnkit.testing`...), has an entry (an anchor `sfnkit.<module>.<name>`) in the API reference."""
    hooks = runpy.run_path(str(ROOT / "scripts" / "mkdocs_hooks.py"))
    modules = [importlib.import_module(name) for name in hooks["MODULES"] if importlib.util.find_spec(name)]
    names = [*sfnkit.__all__, *(name for module in modules for name in module.__all__)]
    anchors = set(re.findall(r'id="(sfnkit(?:\.\w+)*)"', (site / "reference" / "index.html").read_text()))
    assert [name for name in names if not any(anchor.endswith(f".{name}") for anchor in anchors)] == []
    assert "sfnkit.testing" in [module.__name__ for module in modules]


def test_cli_page_shows_every_commands_help(site: Path) -> None:
    """The command-line guide carries the --help text of each command, generated at build time."""
    page = (site / "howto" / "cli" / "index.html").read_text()
    commands = sorted(COMMANDS)
    assert [name for name in commands if f"sfnkit {name} [OPTIONS]" not in page] == []


@pytest.mark.parametrize(
    "page", [page for page in PAGES if PYTHON_BLOCK.search(page.read_text())], ids=lambda page: page.stem
)
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python blocks of each page run, in order, in one namespace (their asserts hold)."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for number, block in enumerate(PYTHON_BLOCK.findall(page.read_text()), start=1):
        exec(compile(block, f"{page.name} block {number}", "exec"), namespace)


@pytest.mark.dot
def test_tutorial_commands_print_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_imports: None
) -> None:
    """The tutorial's `dragons.py` (its blocks headed `# dragons.py`) and its `sfnkit` commands, run as written:
    each exits with 0 and prints the lines shown under it."""
    text = (DOCS / "tutorial.md").read_text()
    source = "\n".join(block for block in PYTHON_BLOCK.findall(text) if block.startswith("# dragons.py"))
    (tmp_path / "dragons.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    commands = 0
    for block in CONSOLE_BLOCK.findall(text):
        for command, *shown in (chunk.split("\n") for chunk in block.split("$ ")[1:]):
            if not command.startswith("sfnkit "):
                continue  # pip install
            result = CliRunner().invoke(cli, shlex.split(command)[1:], prog_name="sfnkit")
            expected = "\n".join(shown).strip("\n")
            assert (result.exit_code, result.stdout.strip("\n") if expected else expected) == (0, expected), command
            commands += 1
    assert commands == 5
    assert (tmp_path / "norbert.svg").read_text() != (tmp_path / "dragons.svg").read_text()
