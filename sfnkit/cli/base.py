"""The ``sfnkit`` command group and what its commands share: one-line errors, the options of a local run, loading
a TARGET, writing the result.

The cli modules import at their top only what click needs to parse a command line; the rest, standard library
included (json, glob), where it is used, and the commands' modules when a command runs: ``sfnkit COMMAND
--help`` costs ``import sfnkit`` plus click's own import and little else. ``sfnkit --help`` and ``--version`` do
not come here at all (``top``; ``benchmarks/bench_cli.py``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sfnkit import __version__
from sfnkit.cli import top
from sfnkit.cli.top import COMMANDS

if TYPE_CHECKING:
    from sfnkit.clock import ClockName
    from sfnkit.execution import Execution
    from sfnkit.machine import StateMachine

__all__ = [
    "COMMANDS",
    "TARGET_HELP",
    "cli",
    "echo_json",
    "execute",
    "failure",
    "load",
    "one_line",
    "parse_json",
    "run_options",
    "write",
]

F = TypeVar("F", bound=Callable[..., Any])

TARGET_HELP = "TARGET is path/to/module.py:object, package.module:object or an ASL .json/.asl.json file."


class _Formatter(click.HelpFormatter):
    """click's help formatter, sized without importing shutil (``top.columns``)."""

    def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None) -> None:
        if width is None and click.formatting.FORCED_WIDTH is None:
            width = top.width(max_width)
        super().__init__(indent_increment, width, max_width)


class _Context(click.Context):
    formatter_class = _Formatter


class _Group(click.Group):
    """A click group whose commands fail with one line on stderr (exit 1), a traceback only with ``--debug``, and
    are imported when used (``COMMANDS``)."""

    context_class = _Context

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            importlib.import_module(COMMANDS[cmd_name][0])  # its @cli.command() adds it to the group
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in sorted(COMMANDS.items())])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(one_line(error)) from None


def one_line(error: Exception) -> str:
    """What the user reads for *error*: sfnkit's own message, or the kind of error plus a way to learn more."""
    from sfnkit.errors import SfnkitError  # here: `sfnkit --help` loads no more than it needs

    if isinstance(error, SfnkitError):
        return str(error)
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    if type(error).__module__.startswith("botocore"):  # AWS said no, or boto3 found no credentials: not a bug
        hint = (
            " (configure them: aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID)" if "credentials" in str(error) else ""
        )
        return f"AWS: {error}{hint}"
    return f"{type(error).__name__}: {error} (unexpected; run `sfnkit --debug ...` for the traceback)"


# Its help, options and texts are top's, which answers `sfnkit --help` and `--version` without click.
@click.group(
    cls=_Group,
    help=top.HELP,
    context_settings={"help_option_names": list(top.HELP_OPTIONS), "max_content_width": top.MAX_WIDTH},
)
@click.version_option(__version__, prog_name=top.PROG, message="%(prog)s %(version)s", help=top.VERSION_HELP)
@click.option("--debug", is_flag=True, envvar="SFNKIT_DEBUG", help=top.DEBUG_HELP)
def cli(debug: bool) -> None:
    pass


# --- shared options -------------------------------------------------------------------------------------------


def parse_json(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """``--input``: JSON text, ``@file.json``, or ``@-`` for standard input."""
    if value is None:
        return None
    text, where = value, "--input"
    if value.startswith("@"):
        name = value[1:]
        try:
            text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
        except OSError as error:
            raise click.BadParameter(f"cannot read {name!r}: {error.strerror}", param_hint="--input") from None
        where = name
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(
            f"{where} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}); "
            "pass JSON text such as '{\"id\": 1}' or @file.json",
            param_hint="--input",
        ) from None


def run_options(function: F) -> F:
    """The options of a local run (``run``, and ``render --input``)."""
    options = [
        click.option(
            "--input",
            "input_",
            metavar="JSON|@FILE",
            callback=parse_json,
            help="Execution input: JSON text, @file.json, or @- for stdin (default {}).",
        ),
        click.option(
            "--lambdas",
            "lambda_modules",
            metavar="MODULE",
            multiple=True,
            help="A .py file or module whose @lambda_fn functions (and LAMBDAS / SERVICES dicts) handle the Tasks; "
            "repeatable.",
        ),
        click.option(
            "--clock",
            type=click.Choice(["virtual", "real"]),
            default="virtual",
            show_default=True,
            help="virtual: waits and retries take no time; real: they sleep.",
        ),
        click.option(
            "--seed", type=int, help="Seed for retry jitter, $random(), $uuid() and request ids (repeatable runs)."
        ),
        click.option(
            "--aws-endpoint-url",
            metavar="URL",
            help="Call the Task service integrations (SNS, SQS, DynamoDB, aws-sdk...) on this AWS-compatible "
            "endpoint (LocalStack, a moto server) through boto3 (sfnkit.aws).",
        ),
        click.option(
            "--mock-config",
            metavar="FILE",
            envvar="SFN_MOCK_CONFIG",
            help="A Step Functions Local MockConfigFile.json (default: $SFN_MOCK_CONFIG), for --test-case.",
        ),
        click.option(
            "--test-case",
            metavar="[MACHINE#]CASE",
            help="Answer Tasks with this test case's mocked responses (MACHINE defaults to the state machine's name).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def execute(
    machine: StateMachine,
    *,
    input_: Any,
    lambda_modules: Sequence[str],
    clock: ClockName,
    seed: int | None,
    aws_endpoint_url: str | None,
    mock_config: str | None,
    test_case: str | None,
) -> Execution:
    """Run *machine* locally with the handlers of *lambda_modules*, the services of *aws_endpoint_url* and the
    mocks of *test_case*."""
    from sfnkit.engine import run
    from sfnkit.targets import load_bindings

    lambdas: dict[str, Callable[..., Any]] = {}
    services: Mapping[str, Callable[..., Any]] = {}
    for module in lambda_modules:
        bindings = load_bindings(module)
        lambdas.update(bindings.lambdas)
        services = {**services, **bindings.services}
    if aws_endpoint_url is not None:
        if services:
            raise click.UsageError(
                "--aws-endpoint-url answers the service integrations: drop the SERVICES of --lambdas"
            )
        from sfnkit.cloud.services import aws

        services = aws(endpoint_url=aws_endpoint_url)
    mocks = None if test_case is None else _mocks(machine, mock_config, test_case)
    return run(machine, input_, lambdas=lambdas, services=services, clock=clock, seed=seed, mocks=mocks)


def _mocks(machine: StateMachine, mock_config: str | None, test_case: str) -> Any:
    """The mocked responses of *test_case* (``Machine#Case`` or ``Case``) in the file *mock_config*."""
    from sfnkit.testing import MockConfig

    if mock_config is None:
        raise click.UsageError("--test-case needs --mock-config FILE (or $SFN_MOCK_CONFIG)")
    machine_name, _, case = test_case.rpartition("#")
    machine_name = machine_name or machine.name or ""
    if not machine_name:
        raise click.ClickException(f"this state machine has no name: write --test-case MACHINE#{case}")
    try:
        return MockConfig.load(mock_config).test_case(machine_name, case)
    except KeyError as error:  # the message names the state machines or test cases the file has
        raise click.ClickException(str(error.args[0])) from None


def load(target: str) -> StateMachine:
    from sfnkit.targets import load_machine

    return load_machine(target)


def echo_json(value: Any) -> None:
    """Print the JSON value *value*, indented, non-ASCII characters as they are."""
    import json

    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def write(text: str, output: str | None) -> None:
    """Write *text* to the file *output*, or to standard output."""
    if output is None or output == "-":
        click.echo(text, nl=not text.endswith("\n"))
    else:
        with open(output, "w", encoding="utf-8") as file:
            file.write(text)


def failure(execution: Execution) -> str:
    """The one line of a failed execution: status, error and cause (plus how to bind a missing handler)."""
    line = f"execution {execution.status}: {execution.error or '(no error)'}: {execution.cause or '(no cause)'}"
    cause = execution.cause or ""
    if "No service is bound" in cause or "Function not found" in cause:
        line += (
            "\nFrom the command line, bind handlers with --lambdas MODULE: its @lambda_fn functions, "
            "LAMBDAS = {function name: callable} and SERVICES = {resource: callable}."
        )
    return line
