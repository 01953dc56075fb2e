"""``sfnkit.deploy``: the same flow as real Lambda functions and a real state machine; ``sfnkit.destroy`` removes it.

Deploy packages every ``@lambda_fn`` (``sfnkit.cloud.packaging``), works out what the deployment should be and the
least-privilege policies (``sfnkit.cloud.plan``, ``sfnkit.cloud.iam``), reads what AWS has, and makes only the
changes needed (``sfnkit.cloud.aws``): a second deploy with nothing changed makes no mutating call, and a deploy
that was interrupted completes when run again. boto3 is imported only when a deployment talks to AWS.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from sfnkit.cloud.aws import Aws
    from sfnkit.cloud.iam import Wildcard
    from sfnkit.cloud.plan import Change, Desired
    from sfnkit.execution import Execution
    from sfnkit.machine import StateMachine

__all__ = ["Deployment", "Report", "deploy", "destroy"]

Json = Any


@attrs.frozen
class Report:
    """What a deploy did (or, for ``dry_run``, would do), and every permission granted on ``*``."""

    changes: tuple[Change, ...]
    wildcards: tuple[Wildcard, ...]
    unknown: tuple[str, ...]  # Task resources no policy was generated for: the role must get them another way
    policies: Mapping[str, Json] = attrs.field(repr=False)  # role name -> the policy it needs (given role_arn= too)
    dry_run: bool = False
    notes: tuple[str, ...] = ()  # what the roles may still need (kms:Decrypt on a trigger's encrypted queue)

    @property
    def changed(self) -> bool:
        """Whether anything was (or would be) created or updated."""
        return any(change.action != "unchanged" for change in self.changes)

    def __str__(self) -> str:
        lines = [("would " if self.dry_run and change.action != "unchanged" else "") + str(change) for change in self]
        lines += [f"permission on *: {wildcard}" for wildcard in self.wildcards]
        lines += [f"no policy generated for {what}: grant it to the state machine's role" for what in self.unknown]
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)


@attrs.frozen(kw_only=True)
class Deployment:
    """A deployed workflow: the state machine's and functions' ARNs, the roles, and what the deploy changed."""

    state_machine_arn: str
    function_arns: Mapping[str, str]  # state name -> function ARN
    role_arns: Mapping[str, str]  # function or state machine name -> the ARN of the role it runs as
    report: Report
    machine: StateMachine = attrs.field(repr=False)
    _aws: Aws = attrs.field(repr=False, alias="aws")
    _want: Desired = attrs.field(repr=False, alias="want")

    @property
    def changed(self) -> bool:
        """Whether this deploy created or updated anything (False: everything was already as wanted)."""
        return self.report.changed

    def start_execution(
        self, input: Json = None, *, name: str | None = None, poll: float = 1.0, timeout: float = 3600.0
    ) -> Execution:
        """Run the deployed state machine on *input*; wait for it to end and return it as an ``Execution``.

        Polls DescribeExecution every *poll* seconds; a ``TimeoutError`` after *timeout* seconds still running.
        """
        from sfnkit.cloud.history import execution_from_aws

        aws = self._aws
        text = json.dumps({} if input is None else input)
        where = f"state machine {self._want.machine.name}"
        if self._want.machine.type == "EXPRESS":
            started = aws.call(
                "stepfunctions", "start_sync_execution", where, stateMachineArn=self.state_machine_arn, input=text,
                **({"name": name} if name else {}),  # type: ignore[arg-type]
            )  # fmt: skip
            return execution_from_aws(started, [], self.machine)
        started = aws.call(
            "stepfunctions", "start_execution", where, stateMachineArn=self.state_machine_arn, input=text,
            name=name or str(uuid.uuid4()),
        )  # fmt: skip
        arn = started["executionArn"]
        waited = 0.0
        while True:
            described = aws.call("stepfunctions", "describe_execution", f"execution {arn}", executionArn=arn)
            if described["status"] not in ("RUNNING", "PENDING_REDRIVE"):
                break
            if waited >= timeout:
                raise TimeoutError(f"execution {arn} is still {described['status']} after {timeout:g} s")
            aws.sleep(poll)
            waited += poll
        events: list[dict[str, Any]] = []
        token: dict[str, Any] = {}
        while True:
            page = aws.call("stepfunctions", "get_execution_history", f"execution {arn}", executionArn=arn, **token)
            events.extend(page["events"])
            if not page.get("nextToken"):
                break
            token = {"nextToken": page["nextToken"]}
        return execution_from_aws(described, events, self.machine)

    def destroy(self) -> list[str]:
        """Remove everything this deployment created (and nothing else); returns what was deleted."""
        from sfnkit.cloud.aws import remove

        return remove(self._aws, self._want)


def _desired(
    machine: StateMachine, aws: Aws, *, prefix: str, role_arn: str | None, tags: Mapping[str, str] | None,
    type: str, logging: Mapping[str, Json] | None, tracing: bool, package: bool = True,
) -> Desired:  # fmt: skip
    from sfnkit.cloud import iam
    from sfnkit.cloud.packaging import Package, function_package, runtime_layer
    from sfnkit.cloud.plan import desired

    empty = Package(zip=b"", sha256="")
    packages = {name: function_package(step) if package else empty for name, step in machine.lambdas.items()}
    return desired(
        machine,
        arns=iam.Arns(region=aws.region, account=aws.account(), partition=aws.partition()),
        prefix=prefix,
        tags=dict(tags or {}),
        role_arn=role_arn,
        type=type,
        logging=logging,
        tracing=tracing,
        packages=packages,
        layer=runtime_layer() if package else empty,
    )


def _check_role(aws: Aws, role_arn: str) -> None:
    """A DeployError unless *role_arn* names an existing role (read-only)."""
    from sfnkit.errors import DeployError

    name = role_arn.rsplit("/", 1)[-1] if ":role/" in role_arn else ""
    if not name or aws.call("iam", "get_role", f"IAM role {role_arn}", missing_ok=True, RoleName=name) is None:
        raise DeployError(
            f"role_arn={role_arn!r} is not an IAM role of this account: give the ARN of an existing role "
            "(arn:aws:iam::<account>:role/<name>) whose trust policy lets lambda.amazonaws.com and "
            "states.amazonaws.com assume it, or leave role_arn out to let deploy create least-privilege roles",
            resource=role_arn,
            code="NoSuchEntity",
        )


def deploy(
    machine: StateMachine,
    *,
    session: Any = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    prefix: str = "",
    role_arn: str | None = None,
    tags: Mapping[str, str] | None = None,
    dry_run: bool = False,
    type: str = "STANDARD",
    logging: Mapping[str, Json] | None = None,
    tracing: bool = False,
    sleep: Callable[[float], None] | None = None,
) -> Deployment:
    """Deploy *machine*: each ``@lambda_fn`` as a Lambda function, the flow as a state machine that calls them.

    Args:
        session: a ``boto3.Session`` (default: a new one, from the environment's credentials).
        region, endpoint_url: where to deploy (``endpoint_url`` for moto, LocalStack or another compatible endpoint).
        prefix: put before every name (functions, roles, layer, state machine), e.g. ``"dev-"``.
        role_arn: one existing role for the functions and the state machine (no role is created).
        tags: added to every resource, besides ``sfnkit:workflow=<prefix><name>`` which marks what deploy owns.
        dry_run: only plan: read what AWS has and report what would change; nothing is created or changed.
        type, logging, tracing: the state machine's type (``STANDARD``/``EXPRESS``), its ``loggingConfiguration``
            (as the Step Functions API takes it) and whether X-Ray tracing is on.
        sleep: how to wait between retries and polls (``time.sleep``).

    Raises:
        DeployError: AWS refused a step (access denied, a name taken by a resource deploy does not own, an invalid
            role...), naming the resource, AWS's error code and what to do. Throttling is retried with back-off.
    """
    from sfnkit.cloud.aws import Aws, apply, observe
    from sfnkit.cloud.plan import plan, queue_notes

    aws = Aws(session, region=region, endpoint_url=endpoint_url, sleep=sleep)
    want = _desired(
        machine, aws, prefix=prefix, role_arn=role_arn, tags=tags, type=type, logging=logging, tracing=tracing
    )
    if role_arn is not None:
        _check_role(aws, role_arn)
    have = observe(aws, want)
    changes = plan(want, have)
    if not dry_run:
        apply(aws, want, changes, have)
    return Deployment(
        state_machine_arn=want.machine_arn(),
        function_arns={state: want.function_arn(fn) for state, fn in want.states.items()},
        role_arns={fn.name: want.role_arn_of(fn.role) for fn in want.functions}
        | {want.machine.name: want.role_arn_of(want.machine.role)},
        report=Report(
            changes=tuple(changes),
            wildcards=want.wildcards,
            unknown=want.unknown,
            policies={role.name: role.policy for role in want.roles},
            dry_run=dry_run,
            notes=queue_notes(want, have),
        ),
        machine=machine,
        aws=aws,
        want=want,
    )


def destroy(
    machine: StateMachine,
    *,
    session: Any = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    prefix: str = "",
    sleep: Callable[[float], None] | None = None,
) -> list[str]:
    """Remove what ``deploy(machine, prefix=prefix)`` created: only resources tagged with its workflow.

    Returns what was deleted (``"Lambda function AddDragon"``...).
    """
    from sfnkit.cloud.aws import Aws, remove

    aws = Aws(session, region=region, endpoint_url=endpoint_url, sleep=sleep)
    want = _desired(
        machine, aws, prefix=prefix, role_arn=None, tags=None, type="STANDARD", logging=None, tracing=False,
        package=False,
    )  # fmt: skip
    return remove(aws, want)
