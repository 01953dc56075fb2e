"""The commands that put a flow on AWS and take it off again: deploy and destroy (boto3: the ``aws`` extra)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from sfnkit.cli.base import COMMANDS, TARGET_HELP, cli, load

__all__ = ["deploy", "destroy"]

F = TypeVar("F", bound=Callable[..., Any])


def _where(function: F) -> F:
    """The options that say where to deploy, shared by deploy and destroy."""
    options = [
        click.option("--region", help="The AWS region (default: the environment's, as boto3 finds it)."),
        click.option("--endpoint-url", metavar="URL", help="An AWS-compatible endpoint (LocalStack, a moto server)."),
        click.option("--prefix", default="", help="Put before every name (functions, roles, state machine): dev-"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _tags(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    """``--tag KEY=VALUE``, repeated, as a dict."""
    tags: dict[str, str] = {}
    for value in values:
        key, equals, text = value.partition("=")
        if not equals or not key:
            raise click.BadParameter(f"{value!r}: write KEY=VALUE", param_hint="--tag")
        tags[key] = text
    return tags


@cli.command(epilog=TARGET_HELP, short_help=COMMANDS["deploy"][1])
@click.argument("target")
@_where
@click.option("--role-arn", metavar="ARN", help="One existing role for the functions and the state machine.")
@click.option("--tag", "tags", metavar="KEY=VALUE", multiple=True, callback=_tags, help="A tag on every resource.")
@click.option("--type", "type_", type=click.Choice(["STANDARD", "EXPRESS"]), default="STANDARD", show_default=True)
@click.option("--dry-run", is_flag=True, help="Only say what would change (and the policies); change nothing.")
def deploy(
    target: str,
    region: str | None,
    endpoint_url: str | None,
    prefix: str,
    role_arn: str | None,
    tags: dict[str, str],
    type_: str,
    dry_run: bool,
) -> None:
    """Deploy TARGET: each @lambda_fn as a Lambda function, the flow as a state machine that calls them.

    Prints each resource created, updated or left unchanged (with --dry-run: what would be) and the state
    machine's ARN. Deploying again with nothing changed changes nothing. Needs boto3 (pip install 'sfnkit[aws]')
    and AWS credentials, unless --endpoint-url names a local endpoint.

    \b
    Examples:
      sfnkit deploy flows.py:orders --region eu-west-1 --prefix dev-
      sfnkit deploy flows.py:orders --dry-run
    """
    from sfnkit.cloud.deploy import deploy as deploy_machine

    deployment = deploy_machine(
        load(target),
        region=region,
        endpoint_url=endpoint_url,
        prefix=prefix,
        role_arn=role_arn,
        tags=tags or None,
        type=type_,
        dry_run=dry_run,
    )
    click.echo(str(deployment.report))
    if not dry_run:
        click.echo(f"state machine: {deployment.state_machine_arn}")


@cli.command(epilog=TARGET_HELP, short_help=COMMANDS["destroy"][1])
@click.argument("target")
@_where
@click.option("--yes", is_flag=True, help="Do not ask before deleting.")
def destroy(target: str, region: str | None, endpoint_url: str | None, prefix: str, yes: bool) -> None:
    """Delete the Lambda functions, layer, roles and state machine that `sfnkit deploy TARGET` created (they carry
    its tag), and nothing else. Asks first unless --yes.

    \b
    Example:
      sfnkit destroy flows.py:orders --prefix dev- --yes
    """
    from sfnkit.cloud.deploy import destroy as destroy_machine

    machine = load(target)
    where = endpoint_url or region or "AWS"
    if not yes:
        click.confirm(f"Delete what sfnkit deployed for {prefix}{machine.name} on {where}?", abort=True)
    deleted = destroy_machine(machine, region=region, endpoint_url=endpoint_url, prefix=prefix)
    click.echo("\n".join(f"deleted   {what}" for what in deleted) if deleted else "nothing to delete")
