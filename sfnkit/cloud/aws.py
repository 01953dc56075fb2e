"""The boto3 side of deploy: read what AWS has (:func:`observe`), carry out a plan (:func:`apply`), remove a
deployment (:func:`remove`). Every call goes through :meth:`Aws.call`, which retries throttling with back-off and turns
AWS errors into ``DeployError`` naming the resource, the error code and what to do.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, Final

from sfnkit.cloud.plan import TAG, Change, Desired, FunctionSpec, Observed, RoleSpec, mapping_name
from sfnkit.errors import DeployError

__all__ = ["Aws", "apply", "observe", "remove"]

Json = Any
POLICY_NAME: Final = "sfnkit"
ROLE_PATH: Final = "/sfnkit/"  # deploy's roles live under this IAM path, so destroy lists only those
LAYER_MARK: Final = "sfnkit runtime "
THROTTLED: Final = frozenset(
    {"Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
     "RequestThrottled", "RequestThrottledException", "SlowDown", "PriorRequestNotComplete"}
)  # fmt: skip
MISSING: Final = frozenset(
    {"NoSuchEntity", "ResourceNotFoundException", "StateMachineDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
     "QueueDoesNotExist"}
)  # fmt: skip
_ATTEMPTS: Final = 8
_PROPAGATION: Final = ("cannot be assumed", "authorized to assume")  # a new role is not usable at once
_ADVICE: Final = {
    "AccessDenied": "the credentials in use may not do this: grant them {action}, or deploy with credentials that can",
    "EntityAlreadyExists": "the name is taken: choose another prefix= or delete the existing resource",
    "ResourceConflictException": "the name is taken or the resource is busy: choose another prefix=, or run again",
    "StateMachineAlreadyExists": "the name is taken: choose another prefix= or delete the existing state machine",
    "InvalidRole": "the role cannot be used: give role_arn= a role whose trust policy lets {principal} assume it",
}


class Aws:
    """boto3 clients for one deployment. ``sleep`` waits between retries and polls (injected by tests)."""

    def __init__(
        self,
        session: Any = None,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise ImportError("deploy() needs boto3: pip install 'sfnkit[aws]'") from None
        import time

        self.session = session if session is not None else boto3.Session(region_name=region)
        self.region: str = region or self.session.region_name or os.environ.get("AWS_REGION", "")
        if not self.region:
            raise DeployError("no AWS region: pass region= or set AWS_REGION (or AWS_DEFAULT_REGION)")
        self.endpoint_url = endpoint_url
        self.sleep = sleep if sleep is not None else time.sleep
        # botocore would retry throttling itself, sleeping for real: here the retries are ours, with self.sleep.
        self._config = Config(retries={"total_max_attempts": 1})
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        """The boto3 client for *service* (``iam``, ``lambda``, ``stepfunctions``, ``sts``)."""
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=self._config
            )
        return self._clients[service]

    def call(self, service: str, method: str, resource: str, *, missing_ok: bool = False, **params: Any) -> Any:
        """``client.<method>(**params)``: throttling retried with exponential back-off; a missing resource is None
        when *missing_ok*; any other AWS error a ``DeployError`` about *resource*."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        client = self.client(service)
        for attempt in range(_ATTEMPTS):
            try:
                return getattr(client, method)(**params)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                message = str(error.response.get("Error", {}).get("Message", ""))
                if missing_ok and code in MISSING:
                    return None
                propagating = method in ("create_function", "update_function_configuration", "create_state_machine")
                # a mapping still being created or updated (an interrupted deploy) takes no change until it settles
                busy = method.endswith("_event_source_mapping") and code == "ResourceInUseException"
                if attempt + 1 < _ATTEMPTS and (
                    code in THROTTLED or busy or (propagating and any(text in message for text in _PROPAGATION))
                ):
                    self.sleep(min(2.0**attempt * 0.5, 20.0))  # a new role takes seconds to be assumable
                    continue
                raise _deploy_error(client, method, resource, code, message) from error
            except NoCredentialsError as error:
                raise DeployError(
                    f"{resource}: boto3 found no AWS credentials ({error}); configure them (aws configure, "
                    "AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or pass session=boto3.Session(...)",
                    resource=resource,
                ) from error
            except BotoCoreError as error:  # no answer at all: an endpoint that is down, a bad region, a timeout
                where = self.endpoint_url or f"AWS in {self.region}"
                raise DeployError(
                    f"{resource}: could not reach {where}: {error}; check endpoint_url= / region= and that the "
                    "endpoint is running",
                    resource=resource,
                ) from error
        raise AssertionError("unreachable")  # pragma: no cover

    def account(self) -> str:
        """The account the credentials belong to."""
        return str(self.call("sts", "get_caller_identity", "the caller's identity")["Account"])

    def partition(self) -> str:
        """The partition of the region (``aws``, ``aws-cn``, ``aws-us-gov``)."""
        return str(self.session.get_partition_for_region(self.region))


def _deploy_error(client: Any, method: str, resource: str, code: str, message: str) -> DeployError:
    operation = client.meta.method_to_api_mapping.get(method, method)
    prefix = client.meta.service_model.signing_name
    principal = "lambda.amazonaws.com" if prefix == "lambda" else "states.amazonaws.com"
    key = code
    if code in ("AccessDeniedException", "UnauthorizedOperation", "AccessDenied"):
        key = "InvalidRole" if "assume" in message else "AccessDenied"
    elif code in ("InvalidParameterValueException", "InvalidArn", "ValidationException") and "role" in message.lower():
        key = "InvalidRole"
    elif code == "EntityAlreadyExistsException":
        key = "EntityAlreadyExists"
    advice = _ADVICE.get(key, "see AWS's message").format(action=f"{prefix}:{operation}", principal=principal)
    return DeployError(
        f"{operation} on {resource} failed with {code}: {message}\n{advice}", resource=resource, code=code
    )


def _tag_dict(items: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {item[key]: item[value] for item in items or []}


def observe(aws: Aws, want: Desired) -> Observed:
    """What AWS has now under *want*'s names (read-only calls only)."""
    roles: dict[str, tuple[dict[str, str], Json, Json] | None] = {}
    for role in want.owned_roles:
        found = aws.call("iam", "get_role", f"IAM role {role.name}", missing_ok=True, RoleName=role.name)
        if found is None:
            roles[role.name] = None
            continue
        policy = aws.call(
            "iam", "get_role_policy", f"IAM role {role.name}", missing_ok=True, RoleName=role.name,
            PolicyName=POLICY_NAME,
        )  # fmt: skip
        trust = found["Role"].get("AssumeRolePolicyDocument")
        roles[role.name] = (
            _tag_dict(found["Role"].get("Tags")),
            json.loads(urllib.parse.unquote(trust)) if isinstance(trust, str) else trust,  # IAM URL-encodes it
            None if policy is None else policy["PolicyDocument"],
        )
    functions: dict[str, tuple[dict[str, str], dict[str, Json]] | None] = {}
    for fn in want.functions:
        got = aws.call("lambda", "get_function", f"Lambda function {fn.name}", missing_ok=True, FunctionName=fn.name)
        functions[fn.name] = None if got is None else (dict(got.get("Tags") or {}), got["Configuration"])
    mappings = {fn.name: function_mappings(aws, want, fn.name) for fn in want.functions if functions[fn.name]}
    queues = {arn: _queue_attributes(aws, arn) for arn in dict.fromkeys(m.queue_arn for m in want.mappings)}
    layer = observe_layer(aws, want) or None
    machine = None
    arn = want.machine_arn()
    described = aws.call(
        "stepfunctions", "describe_state_machine", f"state machine {want.machine.name}", missing_ok=True,
        stateMachineArn=arn,
    )  # fmt: skip
    if described is not None:
        tags = aws.call(
            "stepfunctions", "list_tags_for_resource", f"state machine {want.machine.name}", resourceArn=arn
        )
        machine = (_tag_dict(tags.get("tags"), "key", "value"), described)
    return Observed(roles=roles, functions=functions, mappings=mappings, queues=queues, layer=layer, machine=machine)


def _queue_attributes(aws: Aws, arn: str) -> dict[str, str] | None:
    """The attributes of the SQS queue *arn* (None if there is none)."""
    _, _, _, _, account, name = arn.split(":", 5)
    where = f"SQS queue {arn}"
    found = aws.call("sqs", "get_queue_url", where, missing_ok=True, QueueName=name, QueueOwnerAWSAccountId=account)
    if found is None:
        return None
    attributes = aws.call("sqs", "get_queue_attributes", where, QueueUrl=found["QueueUrl"], AttributeNames=["All"])
    return dict(attributes.get("Attributes", {}))


def function_mappings(aws: Aws, want: Desired, function: str) -> dict[str, tuple[dict[str, str], dict[str, Json]]]:
    """The SQS event source mappings of *function*: queue ARN -> (tags, configuration)."""
    found: dict[str, tuple[dict[str, str], dict[str, Json]]] = {}
    arn = want.function_arn(function)
    listed = _pages(aws, "lambda", "list_event_source_mappings", "Marker", "EventSourceMappings", FunctionName=function)
    for config in listed:
        source = str(config.get("EventSourceArn", ""))
        if config.get("FunctionArn", arn).split(":function:")[-1] != function or ":sqs:" not in source:
            continue  # another function's (a qualified name lists the same), or a stream's
        uuid = config["UUID"]
        mapping_arn = config.get("EventSourceMappingArn") or want.arns.arn("lambda", f"event-source-mapping:{uuid}")
        tags = aws.call("lambda", "list_tags", f"event source mapping {uuid}", Resource=mapping_arn)
        found[source] = (dict(tags.get("Tags") or {}), {**config, "EventSourceMappingArn": mapping_arn})
    return found


def _apply_mapping(aws: Aws, change: Change, want: Desired, have: Observed) -> None:
    tags = dict(want.tags)
    where = f"event source mapping {change.name}"
    if change.action == "create":
        mapping = next(m for m in want.mappings if m.name == change.name)
        aws.call(
            "lambda", "create_event_source_mapping", where, FunctionName=mapping.function,
            EventSourceArn=mapping.queue_arn, Enabled=True, Tags=tags, **mapping.settings(),
        )  # fmt: skip
        return
    found = {
        mapping_name(queue, function): config
        for function, mappings in have.mappings.items()
        for queue, (_tags, config) in mappings.items()
    }[change.name]
    if change.action == "delete":
        aws.call("lambda", "delete_event_source_mapping", where, UUID=found["UUID"])
        return
    wanted = next(m for m in want.mappings if m.name == change.name).settings()
    if set(change.what) & set(wanted):
        aws.call("lambda", "update_event_source_mapping", where, UUID=found["UUID"], **wanted)
    if "tags" in change.what:
        aws.call("lambda", "tag_resource", where, Resource=found["EventSourceMappingArn"], Tags=tags)


def _iam_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _apply_role(aws: Aws, change: Change, role: RoleSpec, tags: dict[str, str]) -> None:
    where = f"IAM role {role.name}"
    if change.action == "create":
        aws.call(
            "iam", "create_role", where, RoleName=role.name, AssumeRolePolicyDocument=json.dumps(role.trust),
            Description="Created by sfnkit.deploy", Tags=_iam_tags(tags), Path=ROLE_PATH,
        )  # fmt: skip
    elif "trust policy" in change.what:
        aws.call("iam", "update_assume_role_policy", where, RoleName=role.name, PolicyDocument=json.dumps(role.trust))
    if role.policy is None and "policy" in change.what:
        aws.call("iam", "delete_role_policy", where, RoleName=role.name, PolicyName=POLICY_NAME)
    elif role.policy is not None and (change.action == "create" or "policy" in change.what):
        aws.call(
            "iam", "put_role_policy", where, RoleName=role.name, PolicyName=POLICY_NAME,
            PolicyDocument=json.dumps(role.policy),
        )  # fmt: skip
    if "tags" in change.what:
        aws.call("iam", "tag_role", where, RoleName=role.name, Tags=_iam_tags(tags))


def wait_function(aws: Aws, name: str) -> None:
    """Poll until function *name* is ``Active`` and its last update ``Successful`` (a ``DeployError`` if it failed)."""
    for _ in range(600):
        config = aws.call("lambda", "get_function_configuration", f"Lambda function {name}", FunctionName=name)
        state, update = config.get("State", "Active"), config.get("LastUpdateStatus", "Successful")
        if state == "Failed" or update == "Failed":
            reason = config.get("StateReason") or config.get("LastUpdateStatusReason") or ""
            raise DeployError(f"Lambda function {name} failed to become ready: {reason}", resource=name)
        if state == "Active" and update == "Successful":
            return
        aws.sleep(1.0)
    raise DeployError(f"Lambda function {name} did not become Active; look at it in the Lambda console", resource=name)


def _apply_function(aws: Aws, change: Change, fn: FunctionSpec, want: Desired, layer_arn: str) -> None:
    where = f"Lambda function {fn.name}"
    config = fn.configuration(want.role_arn_of(fn.role), layer_arn)
    tags = dict(want.tags)
    if change.action == "create":
        aws.call(
            "lambda", "create_function", where, FunctionName=fn.name, PackageType="Zip",
            Code={"ZipFile": fn.package.zip}, Architectures=[fn.options.architecture], Tags=tags, **config,
        )  # fmt: skip
        wait_function(aws, fn.name)
        return
    if "code" in change.what or "architecture" in change.what:
        aws.call(
            "lambda", "update_function_code", where, FunctionName=fn.name, ZipFile=fn.package.zip,
            Architectures=[fn.options.architecture],
        )  # fmt: skip
        wait_function(aws, fn.name)
    if set(change.what) & set(config):
        aws.call("lambda", "update_function_configuration", where, FunctionName=fn.name, **config)
        wait_function(aws, fn.name)
    if "tags" in change.what:
        aws.call("lambda", "tag_resource", where, Resource=want.function_arn(fn.name), Tags=tags)


def _machine_options(want: Desired) -> dict[str, Json]:
    return {
        "tracingConfiguration": {"enabled": want.machine.tracing},
        "loggingConfiguration": want.machine.logging or {"level": "OFF"},
    }


def apply(aws: Aws, want: Desired, changes: list[Change], have: Observed) -> None:
    """Carry out *changes* (planned from what AWS had: *have*) in order."""
    layer_arn = have.layer  # the published layer version with the wanted content, if any
    tags = dict(want.tags)
    roles = {role.name: role for role in want.owned_roles}
    functions = {fn.name: fn for fn in want.functions}
    for change in changes:
        if change.kind == "role" and change.action != "unchanged":
            _apply_role(aws, change, roles[change.name], tags)
        elif change.kind == "layer":
            if change.action == "create":
                published = aws.call(
                    "lambda", "publish_layer_version", f"layer {want.layer.name}", LayerName=want.layer.name,
                    Description=want.layer.description, Content={"ZipFile": want.layer.package.zip},
                    CompatibleRuntimes=sorted({fn.options.runtime for fn in want.functions} or {"python3.12"}),
                    CompatibleArchitectures=["x86_64", "arm64"],
                )  # fmt: skip
                layer_arn = published["LayerVersionArn"]
        elif change.kind == "function" and change.action != "unchanged":
            assert layer_arn is not None  # the layer's change comes before the functions'
            _apply_function(aws, change, functions[change.name], want, layer_arn)
        elif change.kind == "event source mapping" and change.action != "unchanged":
            _apply_mapping(aws, change, want, have)
        elif change.kind == "state machine" and change.action != "unchanged":
            where = f"state machine {want.machine.name}"
            definition = json.dumps(want.machine.definition)
            role = want.role_arn_of(want.machine.role)
            if change.action == "create":
                aws.call(
                    "stepfunctions", "create_state_machine", where, name=want.machine.name, definition=definition,
                    roleArn=role, type=want.machine.type, tags=[{"key": k, "value": v} for k, v in tags.items()],
                    **_machine_options(want),
                )  # fmt: skip
                continue
            if set(change.what) - {"tags"}:
                aws.call(
                    "stepfunctions", "update_state_machine", where, stateMachineArn=want.machine_arn(),
                    definition=definition, roleArn=role, **_machine_options(want),
                )  # fmt: skip
            if "tags" in change.what:
                aws.call(
                    "stepfunctions", "tag_resource", where, resourceArn=want.machine_arn(),
                    tags=[{"key": k, "value": v} for k, v in tags.items()],
                )  # fmt: skip


def observe_layer(aws: Aws, want: Desired) -> str:
    """The ARN of the published layer version with the wanted content ('' if none)."""
    versions = aws.call("lambda", "list_layer_versions", f"layer {want.layer.name}", LayerName=want.layer.name)
    for version in versions.get("LayerVersions", []):
        if version.get("Description") == want.layer.description:
            return str(version["LayerVersionArn"])
    return ""


def _pages(aws: Aws, service: str, method: str, token: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item under *key* of a paginated listing (*token* names the request/response paging field)."""
    items: list[dict[str, Any]] = []
    more: dict[str, Any] = {}
    response_token = "NextMarker" if token == "Marker" else token
    while True:
        page = aws.call(service, method, f"{service} {method}", **params, **more)
        items.extend(page.get(key, []))
        if not page.get(response_token) or page.get("IsTruncated") is False:
            return items
        more = {token: page[response_token]}


def remove(aws: Aws, want: Desired) -> list[str]:
    """Delete what deploy created for *want*: only resources tagged with its workflow. Returns what was deleted."""
    removed: list[str] = []
    workflow = want.workflow
    arn = want.machine_arn()
    where = f"state machine {want.machine.name}"
    found = aws.call("stepfunctions", "describe_state_machine", where, missing_ok=True, stateMachineArn=arn)
    if found is not None:
        tags = aws.call("stepfunctions", "list_tags_for_resource", where, resourceArn=arn)
        if _tag_dict(tags.get("tags"), "key", "value").get(TAG) == workflow:
            aws.call("stepfunctions", "delete_state_machine", where, stateMachineArn=arn)
            removed.append(f"state machine {want.machine.name}")
    # Every function and role that carries the workflow's tag: those of the flow, and any an earlier version had.
    tagged = _pages(
        aws, "resourcegroupstaggingapi", "get_resources", "PaginationToken", "ResourceTagMappingList",
        TagFilters=[{"Key": TAG, "Values": [workflow]}], ResourceTypeFilters=["lambda:function"],
    )  # fmt: skip
    for mapping in tagged:
        name = mapping["ResourceARN"].split(":function:", 1)[1]
        for queue, (tags, config) in function_mappings(aws, want, name).items():
            if tags.get(TAG) == workflow:  # only deploy's own mappings: another's is left alone
                where = f"event source mapping {mapping_name(queue, name)}"
                aws.call("lambda", "delete_event_source_mapping", where, UUID=config["UUID"])
                removed.append(where)
        aws.call("lambda", "delete_function", f"Lambda function {name}", FunctionName=name)
        removed.append(f"Lambda function {name}")
    versions = aws.call("lambda", "list_layer_versions", f"layer {want.layer.name}", LayerName=want.layer.name)
    for version in versions.get("LayerVersions", []):
        if str(version.get("Description", "")).startswith(LAYER_MARK):
            aws.call(
                "lambda", "delete_layer_version", f"layer {want.layer.name}", LayerName=want.layer.name,
                VersionNumber=version["Version"],
            )  # fmt: skip
            removed.append(f"layer {want.layer.name}:{version['Version']}")
    for role in _pages(aws, "iam", "list_roles", "Marker", "Roles", PathPrefix=ROLE_PATH):
        name = role["RoleName"]
        where = f"IAM role {name}"
        tags = aws.call("iam", "list_role_tags", where, RoleName=name).get("Tags")
        if _tag_dict(tags).get(TAG) != workflow:
            continue
        for policy in aws.call("iam", "list_role_policies", where, RoleName=name).get("PolicyNames", []):
            aws.call("iam", "delete_role_policy", where, RoleName=name, PolicyName=policy)
        attached = aws.call("iam", "list_attached_role_policies", where, RoleName=name)
        for policy in attached.get("AttachedPolicies", []):
            aws.call("iam", "detach_role_policy", where, RoleName=name, PolicyArn=policy["PolicyArn"])
        aws.call("iam", "delete_role", where, RoleName=name)
        removed.append(where)
    return removed
