"""``sfnkit``, ``sfnkit --help``/``-h`` and ``sfnkit --version`` answered without click (``sfnkit.cli.top``): the
same bytes, stream and exit status as click's own rendering of the group, and none of the heavy modules loaded."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sfnkit import __version__
from sfnkit.cli import cli, top

FAST = [[], ["--help"], ["-h"], ["--version"]]
WIDTHS = [20, 50, 52, 60, 71, 80, 81, 100, 101, 160]


def click_says(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """What click prints for ``sfnkit ARGV``: exit status, stdout, stderr (not through click's CliRunner, which
    fixes the width at 80 columns)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, pytest.raises(SystemExit) as exit:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        cli.main(argv, prog_name="sfnkit")
    return exit.value.code, out.getvalue(), err.getvalue()  # type: ignore[return-value]


def top_says(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """The same from ``top.answer``, as ``sfnkit.__main__`` writes it."""
    reply = top.answer(argv, env, __version__)
    assert reply is not None
    text, to_stderr, status = reply
    return (status, "", text + "\n") if to_stderr else (status, text + "\n", "")


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("argv", FAST, ids=["no-args", "--help", "-h", "--version"])
def test_the_fast_answers_are_clicks_byte_for_byte(argv: list[str], columns: int) -> None:
    """At every terminal width (narrower than click's least, 50; about the 30-column term limit; wider than the
    group's 100), and with a $SFNKIT_DEBUG click would refuse to parse (the help and version come first)."""
    env = {"COLUMNS": str(columns), "SFNKIT_DEBUG": "not-a-flag"}
    assert top_says(argv, env) == click_says(argv, env)


def test_the_help_renders_as_click_for_any_command_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command named longer than click's 30-column term, help that wraps at hyphens and slashes, an empty help,
    and group help with indented, tabbed and unwrapped (\\b) paragraphs: still click's bytes, so a new command or
    a new paragraph cannot make the two drift."""
    monkeypatch.setitem(top.COMMANDS, "a-command-named-longer-than-thirty-columns", ("sfnkit.cli.flows", "Short."))
    monkeypatch.setitem(
        top.COMMANDS,
        "zz",
        ("sfnkit.cli.flows", "Well-known/long-winded words-with-hyphens wrap where click's wrapper breaks them. " * 3),
    )
    monkeypatch.setitem(top.COMMANDS, "empty", ("sfnkit.cli.flows", ""))
    text = (
        "First paragraph, long enough to be wrapped at every width of the test, and then some more words.\n\n"
        "    An indented paragraph,\n  its second line less indented; with a\ttab.\n\n\n"
        "\b\nKept:\n  as   written\n\n\b\n\nA last paragraph."
    )
    monkeypatch.setattr(top, "HELP", text)
    monkeypatch.setattr(cli, "help", text)
    for columns in (50, 63, 100):
        for argv in FAST[:2]:
            env = {"COLUMNS": str(columns)}
            assert top_says(argv, env) == click_says(argv, env)


@pytest.mark.parametrize(
    "argv", [["--help", "run"], ["run", "--help"], ["--debug"], ["--debug", "--help"], ["--vers"], ["-hv"], ["run"]]
)
def test_everything_else_goes_to_click(argv: list[str]) -> None:
    assert top.answer(argv, {}, __version__) is None


def test_shell_completion_goes_to_click() -> None:
    """click answers a shell's completion request ($_SFNKIT_COMPLETE), whatever the arguments."""
    assert [top.answer(argv, {"_SFNKIT_COMPLETE": "bash_complete"}, __version__) for argv in FAST] == [None] * 4


@pytest.mark.parametrize("argv", FAST, ids=["no-args", "--help", "-h", "--version"])
def test_the_command_answers_without_importing_click_or_anything_heavy(argv: list[str], tmp_path: Path) -> None:
    """The real entry point (``sfnkit.__main__.main``, the console script's) in a process of its own: click's bytes,
    stream and status, and none of click, rich, networkx, jsonata, boto3 (nor the click side of sfnkit.cli)."""
    modules = tmp_path / "modules.json"
    code = (
        "import json, sys\n"
        f"sys.argv = ['sfnkit', *{argv!r}]\n"
        "from sfnkit.__main__ import main\n"
        "try:\n    main()\n"
        f"finally:\n    open({str(modules)!r}, 'w').write(json.dumps(sorted(sys.modules)))\n"
    )
    env = {"COLUMNS": "90"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    heavy = ("click", "rich", "networkx", "jsonata", "boto3", "botocore", "sfnkit.cli.base", "sfnkit.engine")
    loaded = [name for name in json.loads(modules.read_text()) if name.startswith(heavy)]
    assert ((done.returncode, done.stdout, done.stderr), loaded) == (click_says(argv, env), [])


def test_the_version_is_the_packages() -> None:
    """``sfnkit --version`` (both ways) prints ``sfnkit.__version__``, which the build takes for the package's."""
    from importlib.metadata import version

    assert top_says(["--version"], {}) == (0, f"sfnkit {version('sfnkit')}\n", "")
