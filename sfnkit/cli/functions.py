"""The commands on Lambda functions: invoke one as Lambda would (push), poll its SQS queue (pull)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from sfnkit.cli.base import COMMANDS, cli, echo_json, parse_json

if TYPE_CHECKING:
    from sfnkit.clock import ClockName

__all__ = ["invoke", "poll"]

FUNCTION_HELP = "FUNCTION is path/to/module.py:function or package.module:function (a @lambda_fn or a plain handler)."

_CLOCK = click.option(
    "--clock",
    type=click.Choice(["virtual", "real"]),
    default="virtual",
    show_default=True,
    help="virtual: the handler's sleeps and timeouts take no real time; real: they do.",
)


def _function(target: str) -> Any:
    from sfnkit.errors import TargetError
    from sfnkit.targets import load_object

    value = load_object(target)
    if not callable(value):
        raise TargetError(f"{target} is a {type(value).__name__}; FUNCTION must name a @lambda_fn or a handler")
    return value


@cli.command(epilog=FUNCTION_HELP, short_help=COMMANDS["invoke"][1])
@click.argument("function", metavar="FUNCTION")
@click.option(
    "--event", metavar="JSON|@FILE", callback=parse_json, help="The event: JSON text, @file.json or @- (default {})."
)
@_CLOCK
def invoke(function: str, event: Any, clock: ClockName) -> None:
    """Invoke FUNCTION as Lambda's synchronous Invoke would and print the payload as JSON.

    The event travels as JSON, the handler gets a Lambda context and runs under the function's timeout. Exits
    with 1 on a function error (an exception, a timeout), printing its type and message.

    \b
    Example:
      sfnkit invoke handlers.py:take_order --event @sqs_event.json
    """
    from sfnkit.dsl import LambdaStep
    from sfnkit.lambdas import invoke_function

    handler = _function(function)
    payload = {} if event is None else event
    if isinstance(handler, LambdaStep):
        answer = handler.invoke(payload, clock=clock)
    else:
        answer = invoke_function(handler, payload, name=getattr(handler, "__name__", "handler"), clock=clock)
    if not answer.ok:
        what = f"{answer.error_type}: {answer.error_message}"
        raise click.ClickException(f"function error ({answer.function_error}): {what}")
    echo_json(answer.payload)


@cli.command(epilog=FUNCTION_HELP, short_help=COMMANDS["poll"][1])
@click.argument("target", metavar="FUNCTION|TARGET")
@click.option("--queue", metavar="NAME|URL", help="The queue to read (default: the @lambda_fn's own sqs_trigger).")
@click.option("--endpoint-url", metavar="URL", help="An SQS endpoint (LocalStack, a moto server) instead of AWS.")
@click.option("--region", help="The AWS region (default: the environment's, as boto3 finds it).")
@click.option("--max-batches", type=int, help="Stop after this many batches (default: when the queue is drained).")
@_CLOCK
def poll(
    target: str,
    queue: str | None,
    endpoint_url: str | None,
    region: str | None,
    max_batches: int | None,
    clock: ClockName,
) -> None:
    """Receive the messages of TARGET's SQS trigger in batches and hand each batch to it, as Lambda's event source
    mapping does, until the queue is drained; then print what happened.

    TARGET is a @lambda_fn with triggers=[sqs_trigger(...)], or a handler or state machine with --queue (a state
    machine runs once per message). Failed messages stay on the queue for another try, as on AWS. Needs boto3
    (pip install 'sfnkit[aws]') and AWS credentials, unless --endpoint-url names a local endpoint.

    \b
    Examples:
      sfnkit poll handlers.py:take_order
      sfnkit poll flows.py:fulfil --queue orders --endpoint-url http://localhost:4566
    """
    from sfnkit.cloud.poller import poll as poll_queue

    value = _poll_target(target)
    session = None
    if endpoint_url is None:
        session = _session(region)
    until: Any = "drained" if max_batches is None else (lambda report: report.batches >= max_batches)
    report = poll_queue(
        value, trigger=queue, session=session, endpoint_url=endpoint_url, until=until, clock=clock, progress=True
    )
    click.echo(str(report))


def _poll_target(target: str) -> Any:
    """A @lambda_fn or handler, or the state machine *target* names."""
    from sfnkit.dsl import LambdaStep
    from sfnkit.targets import load_machine, load_object, split_target

    if split_target(target)[1] is None:
        return load_machine(target)
    value = load_object(target)
    if isinstance(value, LambdaStep) or (callable(value) and not hasattr(value, "to_asl")):
        return value
    return load_machine(target)


def _session(region: str | None) -> Any:
    try:
        import boto3
    except ImportError:
        raise click.ClickException("sfnkit poll needs boto3: pip install 'sfnkit[aws]'") from None
    return boto3.Session(region_name=region)
