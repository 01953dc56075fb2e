"""The top level of the ``sfnkit`` command without click: its table of commands, its help, and the answer to
``sfnkit``, ``sfnkit --help``/``-h`` and ``sfnkit --version``.

Those four are the invocations people type to find their way, and importing click (with the inspect, uuid and
datetime it pulls in) would double their start-up: ``sfnkit.__main__`` asks ``answer`` first and gives every
other invocation to click. The click group (``base.cli``) is built from the same table and texts, and
``tests/test_cli_top.py`` holds the text here byte for byte to what click renders, at several widths, so the
two cannot drift. This module imports nothing beyond the standard modules Python starts with (and textwrap).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

__all__ = [
    "COMMANDS",
    "DEBUG_HELP",
    "HELP",
    "HELP_OPTIONS",
    "MAX_WIDTH",
    "PROG",
    "VERSION_HELP",
    "Answer",
    "answer",
    "columns",
    "width",
]

PROG = "sfnkit"

# Every command: its name -> the module that defines it, and its one-line help. `sfnkit --help` lists them from
# here and `sfnkit NAME` imports only NAME's module. A new command is one entry here and one @cli.command().
COMMANDS: dict[str, tuple[str, str]] = {
    "deploy": ("sfnkit.cli.cloud", "Deploy a state machine and its Lambda functions to AWS."),
    "destroy": ("sfnkit.cli.cloud", "Remove what sfnkit deploy created for a state machine."),
    "export": ("sfnkit.cli.flows", "Write a state machine as ASL, Mermaid, DOT or a SAM/CloudFormation template."),
    "import": ("sfnkit.cli.flows", "Turn an ASL file into sfnkit Python source."),
    "invoke": ("sfnkit.cli.functions", "Invoke a Lambda handler locally; print what it returns."),
    "poll": ("sfnkit.cli.functions", "Feed an SQS queue's messages to a function or state machine."),
    "render": ("sfnkit.cli.flows", "Draw a state machine (and a run) to SVG, PNG or PDF."),
    "run": ("sfnkit.cli.flows", "Run a state machine locally; print its output."),
    "validate": ("sfnkit.cli.flows", "Check ASL files against the rules AWS enforces."),
}

# The group's help (click wraps its paragraphs; the one after \b it prints as written).
HELP = """\
Write AWS Step Functions in Python: run, export, draw, validate, import and deploy them; invoke and poll Lambda
functions.

\b
Examples:
  sfnkit run flows.py:orders --input '{"total": 250}'
  sfnkit validate 'machines/**/*.asl.json'
  sfnkit render flows.py:orders -o orders.svg"""

HELP_OPTIONS = ("-h", "--help")
VERSION_HELP = "Show the version and exit."
DEBUG_HELP = "Show the full traceback when a command fails."
MAX_WIDTH = 100  # the group's max_content_width

# What click itself writes: the usage of a group, and the help of its help option.
_USAGE = "[OPTIONS] COMMAND [ARGS]..."
_HELP_HELP = "Show this message and exit."

# What to print, to which stream (stderr or not), and the exit status.
Answer = tuple[str, bool, int]


def columns(environ: Mapping[str, str] = os.environ) -> int:
    """The terminal's width as ``shutil.get_terminal_size`` reads it ($COLUMNS, else the terminal, else 80), without
    importing shutil (it and what it imports would be a tenth of the start-up of click's help)."""
    try:
        return int(environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def width(max_width: int | None, environ: Mapping[str, str] = os.environ) -> int:
    """The width click's help formatter wraps to, at most *max_width* (80 if None) columns."""
    return max(min(columns(environ), max_width or 80) - 2, 50)


def answer(argv: Sequence[str], environ: Mapping[str, str], version: str) -> Answer | None:
    """What ``sfnkit ARGV`` prints, as click would, when *argv* is empty, ``--help``, ``-h`` or ``--version``;
    None for anything else (and while a shell asks click to complete a command line)."""
    if f"_{PROG.upper()}_COMPLETE" in environ:
        return None
    if not argv:  # click: the help, on stderr, as a usage error
        return _help(width(MAX_WIDTH, environ)), True, 2
    if len(argv) != 1:
        return None
    if argv[0] in HELP_OPTIONS:
        return _help(width(MAX_WIDTH, environ)), False, 0
    if argv[0] == "--version":
        return f"{PROG} {version}", False, 0
    return None


def _help(width: int) -> str:
    """The group's help at *width* columns: usage, help text, options and commands, as click formats them."""
    options = [("--version", VERSION_HELP), ("--debug", DEBUG_HELP), (", ".join(HELP_OPTIONS), _HELP_HELP)]
    commands = [(name, short) for name, (_, short) in sorted(COMMANDS.items())]
    return "\n".join(
        [
            _wrap(_USAGE, width, f"Usage: {PROG} ", " " * len(f"Usage: {PROG} ")),
            "",
            _paragraphs(HELP, width, "  "),
            "",
            "Options:",
            _definitions(options, width),
            "",
            "Commands:",
            _definitions(commands, width),
        ]
    )


def _definitions(rows: Sequence[tuple[str, str]], width: int) -> str:
    """click's ``HelpFormatter.write_dl`` in a section (indented 2): terms in a column of at most 30, their text
    wrapped beside them."""
    first = min(max(len(term) for term, _ in rows), 30) + 2
    text_width = max(width - first - 2, 10)
    lines = []
    for term, text in rows:
        if not text:
            lines.append(f"  {term}")
            continue
        wrapped = _paragraphs(text, text_width, "").splitlines() or [""]
        if len(term) <= first - 2:
            lines.append(f"  {term}{' ' * (first - len(term))}{wrapped[0]}")
        else:
            lines += [f"  {term}", f"{' ' * (first + 2)}{wrapped[0]}"]
        lines += [f"{' ' * (first + 2)}{line}" for line in wrapped[1:]]
    return "\n".join(lines)


def _paragraphs(text: str, width: int, indent: str) -> str:
    """click's ``wrap_text(..., preserve_paragraphs=True)``: paragraphs apart by blank lines, each wrapped at the
    indent of its first line, those after a ``\\b`` line kept as written."""
    paragraphs: list[tuple[str, bool, str]] = []
    lines: list[str] = []
    extra: str | None = None
    for line in [*text.expandtabs().splitlines(), ""]:
        if line:
            if extra is None:
                extra = " " * (len(line) - len(line.lstrip()))
                line = line.lstrip()
            lines.append(line)
        else:
            if lines:
                raw = lines[0].strip() == "\b"
                paragraphs.append((extra or "", raw, "\n".join(lines[1:]) if raw else " ".join(lines)))
            lines, extra = [], None
    out = []
    for extra, raw, body in paragraphs:
        if raw:
            out.append("\n".join(f"{indent}{extra}{line}" for line in body.splitlines()))
        else:
            out.append(_wrap(body, width, indent + extra, indent + extra))
    return "\n\n".join(out)


def _wrap(text: str, width: int, first: str, rest: str) -> str:
    """*text* filled to *width* columns as click's text wrapper fills it (whitespace kept)."""
    import textwrap

    return textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest, replace_whitespace=False)
