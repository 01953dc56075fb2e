"""The commands on state machines: run, export, render, validate, import."""

from __future__ import annotations

import os
import pathlib
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import click

from sfnkit.cli.base import COMMANDS, TARGET_HELP, cli, echo_json, execute, failure, load, run_options, write

if TYPE_CHECKING:
    from rich.table import Table


__all__ = ["export", "import_", "render", "run", "validate"]


# --- run ------------------------------------------------------------------------------------------------------


@cli.command(epilog=TARGET_HELP, short_help=COMMANDS["run"][1])
@click.argument("target")
@run_options
@click.option("--history", is_flag=True, help="Print the execution's events as a table before the output.")
def run(target: str, history: bool, **options: Any) -> None:
    """Run TARGET locally, exactly as AWS Step Functions would, and print its output as JSON.

    Exits with 1 when the execution fails, printing the error and cause.

    \b
    Examples:
      sfnkit run examples/dragons.py:dragons --input '{"dragon": {"name": "Norbert"}}' --lambdas stubs.py
      sfnkit run orders.asl.json --input @order.json --lambdas handlers.py --history
    """
    machine = load(target)
    execution = execute(machine, **options)
    if history:
        _print_table(_history_table(execution.history))
    if execution.status != "SUCCEEDED":
        raise click.ClickException(failure(execution))
    echo_json(execution.output)


def _print_table(table: Table) -> None:
    from rich.console import Console

    stream = sys.stdout
    # a pipe or file gets a wide table rather than 80 columns of wrapped cells
    Console(file=stream, width=None if stream.isatty() else 160, highlight=False).print(table)


def _history_table(events: Iterable[dict[str, Any]]) -> Table:
    """The events as the console's table shows them: id, type, state, time since the start, what happened."""
    try:
        from rich.table import Table
    except ImportError as error:
        raise click.ClickException(f"--history needs rich: pip install 'sfnkit[cli]' ({error})") from None
    table = Table("ID", "Type", "Step", "Started after", "Details", title="Execution history")
    step_of: dict[int, str] = {}
    start = None
    for event in events:
        details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        kind = event["type"]
        step = "" if kind.startswith("Execution") else details.get("name") or step_of.get(event["previousEventId"], "")
        step_of[event["id"]] = "" if kind.endswith("StateExited") else step
        start = start or event["timestamp"]
        elapsed = (event["timestamp"] - start).total_seconds() * 1000
        table.add_row(str(event["id"]), kind, step, f"{elapsed:,.0f} ms", _event_summary(details))
    return table


def _event_summary(details: dict[str, Any], width: int = 70) -> str:
    if "error" in details or "cause" in details:
        text = f"{details.get('error', '')}: {details.get('cause', '')}"
    elif any(key in details for key in ("output", "input", "parameters")):
        text = str(details.get("output", details.get("input", details.get("parameters"))))
    else:
        text = f"{details.get('resourceType', '')}:{details['resource']}" if "resource" in details else ""
    return text if len(text) <= width else text[: width - 1] + "…"


# --- export and render ----------------------------------------------------------------------------------------

_FORMAT_OF_SUFFIX = {
    ".json": "asl",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".md": "mermaid",
    ".dot": "dot",
    ".gv": "dot",
}


@cli.command(epilog=TARGET_HELP, short_help=COMMANDS["export"][1])
@click.argument("target")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["asl", "mermaid", "dot", "sam", "cloudformation"]),
    help="asl (JSON), mermaid, dot, or a sam / cloudformation template; default: from -o's suffix (.json, .mmd, "
    ".dot), else asl.",
)
@click.option(
    "-o", "--output", metavar="FILE", help="Write to FILE instead of standard output (sam, cloudformation: a folder)."
)
def export(target: str, format_: str | None, output: str | None) -> None:
    """Write TARGET as ASL JSON, Mermaid flowchart text, Graphviz DOT, or the SAM or CloudFormation template that
    deploys it with its Lambda functions (with -o DIR: template.json and the functions' zips, in DIR).

    \b
    Examples:
      sfnkit export flows.py:orders -o orders.asl.json
      sfnkit export flows.py:orders --format mermaid >> README.md
      sfnkit export flows.py:orders --format sam -o build/
    """
    chosen = format_ or _FORMAT_OF_SUFFIX.get(os.path.splitext(output or "")[1].lower(), "asl")
    machine = load(target)
    if chosen in ("sam", "cloudformation"):
        from sfnkit.cloud.templates import export as template

        document = template(machine, "sam" if chosen == "sam" else "cloudformation", out_dir=output)
        if output is None:
            echo_json(document)
        return
    if chosen == "asl":
        text = machine.to_json() + "\n"
    elif chosen == "mermaid":
        text = machine.to_mermaid()
    else:
        text = machine.to_digraph().source
    write(text, output)


@cli.command(epilog=TARGET_HELP, short_help=COMMANDS["render"][1])
@click.argument("target")
@click.option("-o", "--output", metavar="FILE", required=True, help="The picture to write: a .svg, .png or .pdf file.")
@click.option(
    "--direction", type=click.Choice(["TB", "LR"]), default="TB", show_default=True, help="Top-down or left-right."
)
@run_options
def render(target: str, output: str, direction: str, **options: Any) -> None:
    """Draw TARGET with Graphviz; with --input (or --lambdas, --test-case), run it first and draw the run on it.

    \b
    Examples:
      sfnkit render flows.py:orders -o orders.svg
      sfnkit render flows.py:orders -o run.png --input '{"total": 250}' --lambdas handlers.py
    """
    from sfnkit.render import render as draw

    suffix = os.path.splitext(output)[1].lower().lstrip(".")
    if suffix not in ("svg", "png", "pdf"):
        raise click.BadParameter(
            f"{output!r}: write a .svg, .png or .pdf file (DOT text: sfnkit export --format dot)", param_hint="-o"
        )
    machine = load(target)
    execution = None
    if options["input_"] is not None or options["lambda_modules"] or options["test_case"]:
        execution = execute(machine, **options)
        if execution.status != "SUCCEEDED":
            click.echo(f"note: {failure(execution)} (drawn in {output})", err=True)
    draw(machine, execution=execution, path=output, format=suffix, direction=direction)


# --- validate -------------------------------------------------------------------------------------------------


@cli.command(short_help=COMMANDS["validate"][1])
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: for tools.",
)
def validate(files: tuple[str, ...], format_: str) -> None:
    """Check ASL definitions against every rule AWS enforces; list each problem as file:location: message.

    FILE may be a glob ('machines/**/*.json', quoted so sfnkit expands it) or a module.py:object TARGET.
    Exits with 1 when any definition is invalid.

    \b
    Examples:
      sfnkit validate orders.asl.json refunds.asl.json
      sfnkit validate 'statemachines/**/*.json' --format json
    """
    names = _expand(files)
    reports = [(name, _problems_in(name)) for name in _with_progress(names, "Validating", sys.stderr)]
    if format_ == "json":
        documents = [
            {"file": name, "valid": not found, "problems": [{"location": loc, "message": msg} for loc, msg in found]}
            for name, found in reports
        ]
        echo_json(documents)
    else:
        for name, found in reports:
            for location, message in found:
                click.echo(f"{name}:{location}: {message}" if location else f"{name}: {message}")
    invalid = sum(1 for _, found in reports if found)
    if format_ == "text":
        total = len(reports)
        click.echo(f"{invalid} of {total} invalid" if invalid else f"{total} valid", err=True)
    if invalid:
        sys.exit(1)


def _with_progress(items: Sequence[str], what: str, stream: TextIO, *, at_least: int = 20) -> Iterable[str]:
    """*items*, with a progress bar on *stream* while they are worked through when it is a terminal and there are
    enough of them to wait for (pipes and CI logs get no bar)."""
    if len(items) < at_least or not stream.isatty():
        return items
    from rich.console import Console
    from rich.progress import track

    return track(items, description=what, console=Console(file=stream), transient=True)


def _expand(patterns: Iterable[str]) -> list[str]:
    """File names from names and globs (``**`` included); a pattern matching nothing stays, to be reported."""
    import glob

    names: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else []
        names.extend(matches or [pattern])
    return list(dict.fromkeys(names))


def _problems_in(name: str) -> list[tuple[str, str]]:
    """``(location, message)`` for every problem of the definition *name* names (empty when it is valid)."""
    from sfnkit.errors import DefinitionError, TargetError, ValidationError
    from sfnkit.validate import validate as check

    try:
        if name.endswith(".json") or os.path.isdir(name):
            definition: Any = _read_json(name)
        else:
            definition = load(name)
        check(definition)
    except _JsonProblem as problem:
        return [(problem.location, problem.message)]
    except ValidationError as error:
        return [(problem.location, problem.message) for problem in error.problems]
    except (TargetError, DefinitionError) as error:
        return [("", str(error))]
    return []


class _JsonProblem(Exception):
    def __init__(self, location: str, message: str):
        self.location, self.message = location, message


def _read_json(name: str) -> Any:
    import glob
    import json

    if os.path.isdir(name):
        raise _JsonProblem("", f"is a directory; pass its files, e.g. '{name}/**/*.json' (quoted)")
    if not os.path.exists(name):
        hint = "no file matches this pattern" if glob.has_magic(name) else "no such file"
        raise _JsonProblem("", hint)
    with open(name, encoding="utf-8") as file:
        text = file.read()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise _JsonProblem(f"{error.lineno}:{error.colno}", f"not valid JSON: {error.msg}") from None
    if not isinstance(value, dict):
        raise _JsonProblem(
            "", f"is a JSON {type(value).__name__}; an ASL definition is an object with StartAt and States"
        )
    return value


# --- import ---------------------------------------------------------------------------------------------------


@cli.command("import", short_help=COMMANDS["import"][1])
@click.argument("file", metavar="FILE.json")
@click.option("-o", "--output", metavar="FILE", help="Write the Python module to FILE instead of standard output.")
@click.option(
    "--name", help="The workflow's name in the code (default: from the file name, orders.asl.json -> orders)."
)
def import_(file: str, output: str | None, name: str | None) -> None:
    """Turn the ASL definition FILE.json into sfnkit Python source (sfnkit.to_python).

    The module defines `machine`, whose to_asl() equals the definition, and a @lambda_fn stub for each Lambda
    function it calls.

    \b
    Example:
      sfnkit import orders.asl.json -o orders.py
    """
    from sfnkit.codegen import to_python

    if not os.path.isfile(file):
        raise click.ClickException(f"{file}: no such file; sfnkit import reads an ASL .json file")
    write(to_python(pathlib.Path(file), name=name), output)
