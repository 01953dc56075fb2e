"""What a deployment should look like (pure): the roles, the runtime layer, the functions and the state machine of a
workflow, and the plan that turns what AWS has now into that (create, update, or leave unchanged).

Nothing here calls AWS: ``sfnkit.cloud.aws`` reads the current state into :class:`Observed` and carries out the
:class:`Change` list; ``sfnkit.deploy`` joins the two.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from sfnkit.cloud import iam
from sfnkit.cloud.packaging import Package, layer_digest
from sfnkit.deploy_options import DeployOptions
from sfnkit.errors import DeployError
from sfnkit.triggers import SqsTrigger

__all__ = [
    "TAG",
    "Change",
    "Desired",
    "FunctionSpec",
    "LayerSpec",
    "MachineSpec",
    "MappingSpec",
    "Observed",
    "RoleSpec",
    "desired",
    "mapping_name",
    "plan",
    "queue_notes",
    "with_function_arns",
]

Json = Any
TAG: Final = "sfnkit:workflow"  # every resource deploy creates carries it; destroy removes only what carries it
_MAX_FUNCTION_TIMEOUT: Final = 900
_FUNCTION_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
Action = Literal["create", "update", "delete", "unchanged"]


@attrs.frozen
class RoleSpec:
    """An IAM role deploy owns: its trust policy and its one inline policy (``sfnkit``)."""

    name: str
    trust: dict[str, Json]
    policy: dict[str, Json] | None  # None: the role needs no permission (IAM refuses an empty policy)


@attrs.frozen
class LayerSpec:
    """The shared sfnkit runtime layer; a version is published only when its content changes."""

    name: str
    package: Package
    digest: str

    @property
    def description(self) -> str:
        return f"sfnkit runtime {self.digest}"


@attrs.frozen
class FunctionSpec:
    """A Lambda function for one ``@lambda_fn``."""

    name: str
    role: str  # the role's name
    package: Package
    options: DeployOptions
    memory: int
    timeout: int
    description: str

    def configuration(self, role_arn: str, layer_arn: str) -> dict[str, Json]:
        """The function's configuration as ``CreateFunction``/``UpdateFunctionConfiguration`` take it."""
        return {
            "Role": role_arn,
            "Handler": self.package.handler,
            "Runtime": self.options.runtime,
            "MemorySize": self.memory,
            "Timeout": self.timeout,
            "Description": self.description,
            "Environment": {"Variables": dict(self.options.environment)},
            "Layers": [layer_arn],
        }


@attrs.frozen
class MappingSpec:
    """An SQS event source mapping: one ``sqs_trigger`` of a function (at most one per function and queue)."""

    function: str  # the deployed function's name
    queue_arn: str
    batch_size: int
    batching_window: int
    report_batch_item_failures: bool

    @property
    def name(self) -> str:
        """How the report names it: ``<queue ARN> -> <function>``."""
        return mapping_name(self.queue_arn, self.function)

    def settings(self) -> dict[str, Json]:
        """The mapping's options as ``CreateEventSourceMapping``/``UpdateEventSourceMapping`` take them."""
        return {
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.batching_window,
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if self.report_batch_item_failures else [],
        }


def mapping_name(queue_arn: str, function: str) -> str:
    """The name of the event source mapping from *queue_arn* to *function* in plans and reports."""
    return f"{queue_arn} -> {function}"


@attrs.frozen
class MachineSpec:
    """The state machine: its definition (function ARNs in place), role, type, logging and tracing."""

    name: str
    definition: dict[str, Json]
    role: str
    type: str
    logging: dict[str, Json] | None
    tracing: bool


@attrs.frozen
class Desired:
    """Everything a deployment of one workflow consists of, named and tagged."""

    workflow: str
    tags: tuple[tuple[str, str], ...]
    roles: tuple[RoleSpec, ...]  # what each role needs (not created when the caller gave role_arn=)
    role_arn: str | None
    layer: LayerSpec
    functions: tuple[FunctionSpec, ...]
    mappings: tuple[MappingSpec, ...]  # the functions' SQS triggers
    states: Mapping[str, str]  # state name -> function name
    machine: MachineSpec
    wildcards: tuple[iam.Wildcard, ...]
    unknown: tuple[str, ...]  # Task resources no policy was generated for
    arns: iam.Arns

    @property
    def owned_roles(self) -> tuple[RoleSpec, ...]:
        """The roles deploy creates and keeps up to date (none with role_arn=)."""
        return () if self.role_arn is not None else self.roles

    def role_arn_of(self, role: str) -> str:
        """The ARN of role *role* (or the caller's role_arn=)."""
        if self.role_arn is not None:
            return self.role_arn
        return f"arn:{self.arns.partition}:iam::{self.arns.account}:role/sfnkit/{role}"  # the path aws.ROLE_PATH

    def function_arn(self, name: str) -> str:
        """The ARN of deployed function *name*."""
        return self.arns.arn("lambda", f"function:{name}")

    def machine_arn(self) -> str:
        """The ARN of the state machine."""
        return self.arns.arn("states", f"stateMachine:{self.machine.name}")


def _iam_name(name: str) -> str:
    # IAM role names: at most 64 characters; a long one keeps a digest of the whole so it stays unique.
    if len(name) <= 64:
        return name
    return f"{name[:55]}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def with_function_arns(definition: Mapping[str, Json], arns: Mapping[str, str]) -> dict[str, Json]:
    """A copy of *definition* whose Lambda tasks name the deployed ARNs instead of local function names."""
    copy: dict[str, Json] = json.loads(json.dumps(definition))
    for _name, state in iam.tasks(copy):
        for key in ("Parameters", "Arguments"):
            request = state.get(key)
            if isinstance(request, dict) and isinstance(request.get("FunctionName"), str):
                request["FunctionName"] = arns.get(request["FunctionName"], request["FunctionName"])
    return copy


def desired(
    machine: Any,
    *,
    arns: iam.Arns,
    prefix: str,
    tags: Mapping[str, str],
    role_arn: str | None,
    type: str,
    logging: Mapping[str, Json] | None,
    tracing: bool,
    packages: Mapping[str, Package],
    layer: Package,
    placeholders: Mapping[str, str] | None = None,
) -> Desired:
    """The deployment of *machine* (its ``@lambda_fn`` packages given by function name).

    *placeholders* (function name -> text) spell the function ARNs in the definition instead of real ARNs (the
    template export puts ``${Name}`` there for ``DefinitionSubstitutions``).
    """
    if not machine.name:
        raise DeployError("the state machine has no name: build it with workflow('Name', ...) to deploy it")
    if type not in ("STANDARD", "EXPRESS"):
        raise DeployError(f"deploy(type={type!r}): a state machine is 'STANDARD' or 'EXPRESS'")
    workflow = f"{prefix}{machine.name}"
    names = {local: f"{prefix}{local}" for local in machine.lambdas}
    for local, deployed in names.items():
        if not _FUNCTION_NAME.fullmatch(deployed):
            raise DeployError(
                f"cannot create Lambda function {deployed!r}: a function name is 1-64 letters, digits, - and _ "
                f"(an ARN names an existing function); give @lambda_fn {local} such a function_name=, or a "
                "shorter prefix="
            )
    function_arns = {deployed: arns.arn("lambda", f"function:{deployed}") for deployed in names.values()}
    arns = attrs.evolve(arns, functions=function_arns)
    asl = machine.to_asl()
    real = {local: function_arns[names[local]] for local in names}
    definition = with_function_arns(asl, real if placeholders is None else placeholders)
    grants, unknown = iam.state_machine_grants(
        with_function_arns(asl, real), arns, logging=logging is not None, tracing=tracing
    )
    functions = []
    roles = []
    mappings: list[MappingSpec] = []
    for local, step in sorted(machine.lambdas.items()):
        name = names[local]
        role = _iam_name(f"{name}-role")
        options = getattr(step, "deploy_options", None) or DeployOptions()
        found = _mappings(name, getattr(step, "triggers", ()), arns)
        mappings.extend(found)
        queues = tuple(mapping.queue_arn for mapping in found)
        roles.append(RoleSpec(role, iam.lambda_trust(), iam.function_policy(name, arns, options.permissions, queues)))
        functions.append(
            FunctionSpec(
                name=name,
                role=role,
                package=packages[local],
                options=options,
                memory=getattr(step, "memory", None) or 128,
                timeout=min(getattr(step, "timeout", None) or 3, _MAX_FUNCTION_TIMEOUT),
                description=getattr(step, "description", None) or f"{machine.name} step {local} (sfnkit)",
            )
        )
    machine_role = _iam_name(f"{workflow}-states-role")
    roles.append(RoleSpec(machine_role, iam.states_trust(), iam.policy_document(grants) if grants else None))
    return Desired(
        workflow=workflow,
        tags=tuple(sorted({**dict(tags), TAG: workflow}.items())),
        roles=tuple(roles),
        role_arn=role_arn,
        layer=LayerSpec(f"{workflow}-sfnkit-runtime", layer, layer_digest(layer)),
        functions=tuple(functions),
        mappings=tuple(mappings),
        states=_states_of(asl, names),
        machine=MachineSpec(workflow, definition, machine_role, type, dict(logging) if logging else None, tracing),
        wildcards=tuple(iam.wildcards(grants)),
        unknown=tuple(unknown),
        arns=arns,
    )


def _mappings(function: str, triggers: tuple[SqsTrigger, ...], arns: iam.Arns) -> list[MappingSpec]:
    """The event source mappings of a function's triggers (Lambda keeps one per function and queue)."""
    found: dict[str, MappingSpec] = {}
    for trigger in triggers:
        queue = arns.queue(trigger.queue)
        region = queue.split(":")[3]
        if region != arns.region and "${" not in region + arns.region:  # (a template's region is a placeholder)
            raise DeployError(
                f"sqs_trigger({trigger.queue!r}) of Lambda function {function}: the queue is in {region}, the function "
                f"in {arns.region}; Lambda reads only queues of the function's own region: deploy to {region}, or "
                "name a queue in this region"
            )
        if queue in found:
            raise DeployError(
                f"Lambda function {function} has two sqs_trigger()s on queue {queue}: Lambda keeps one event source "
                "mapping per function and queue; keep one trigger (with the batch options you want)"
            )
        found[queue] = MappingSpec(
            function, queue, trigger.batch_size, trigger.batching_window, trigger.report_batch_item_failures
        )
    return list(found.values())


def _states_of(definition: Mapping[str, Json], names: Mapping[str, str]) -> dict[str, str]:
    """State name -> deployed function name, for every Task that invokes one of the machine's functions."""
    out: dict[str, str] = {}
    for state_name, state in iam.tasks(definition):
        request = state.get("Arguments", state.get("Parameters"))
        if isinstance(request, dict) and request.get("FunctionName") in names:
            out[state_name] = names[request["FunctionName"]]
    return out


# --- what AWS has, and the plan ----------------------------------------------------------------------------------


@attrs.frozen
class Observed:
    """What AWS has now under the deployment's names (read by ``sfnkit.cloud.aws.observe``; None: absent).

    ``roles[name]`` = ``(tags, trust, policy)``; ``functions[name]`` = ``(tags, configuration)``; ``layer`` = the
    ARN of a published version with the wanted content, ``layer_owner`` the workflow tag found on its versions;
    ``machine`` = ``(tags, description)``; ``mappings[function][queue ARN]`` = ``(tags, configuration)`` of each SQS
    event source mapping on a function that exists.
    """

    roles: Mapping[str, tuple[dict[str, str], Json, Json] | None]
    functions: Mapping[str, tuple[dict[str, str], dict[str, Json]] | None]
    mappings: Mapping[str, Mapping[str, tuple[dict[str, str], dict[str, Json]]]]
    queues: Mapping[str, dict[str, str] | None]  # the triggers' queues: ARN -> attributes (None: no such queue)
    layer: str | None
    machine: tuple[dict[str, str], dict[str, Json]] | None


@attrs.frozen
class Change:
    """One step of a plan: create, update or leave unchanged one resource (``what`` says what differs)."""

    action: Action
    kind: Literal["role", "layer", "function", "event source mapping", "state machine"]
    name: str
    what: tuple[str, ...] = ()

    def __str__(self) -> str:
        detail = f" ({', '.join(self.what)})" if self.what else ""
        return f"{self.action:9} {self.kind} {self.name}{detail}"


def _owned(kind: str, name: str, tags: Mapping[str, str], workflow: str) -> None:
    if tags.get(TAG) != workflow:
        owner = f"workflow {tags[TAG]!r}" if TAG in tags else "something other than sfnkit"
        raise DeployError(
            f"{kind} {name!r} already exists and belongs to {owner} (it has no tag {TAG}={workflow}): deploy will not "
            "change what it did not create. Choose another name with prefix=, or delete that resource."
        )


def _logging(configuration: Mapping[str, Json] | None) -> tuple[Json, ...]:
    """A loggingConfiguration with AWS's defaults filled in (so absent and ``{"level": "OFF"}`` compare equal)."""
    given = configuration or {}
    return (given.get("level", "OFF"), given.get("includeExecutionData", False), given.get("destinations", []))


def _differs(pairs: Mapping[str, tuple[Json, Json]]) -> tuple[str, ...]:
    return tuple(key for key, (have, want) in pairs.items() if have != want)


def _ours(tags: Mapping[str, str], wanted: Mapping[str, str]) -> dict[str, str | None]:
    """The wanted keys' values among *tags* (tags others added, e.g. by an organisation policy, are theirs)."""
    return {key: tags.get(key) for key in wanted}


def plan(want: Desired, have: Observed) -> list[Change]:
    """The changes that make AWS look like *want*, in the order they must happen (raises on a name taken)."""
    changes: list[Change] = []
    tags = dict(want.tags)
    for role in want.owned_roles:
        found = have.roles.get(role.name)
        if found is None:
            changes.append(Change("create", "role", role.name))
            continue
        _owned("IAM role", role.name, found[0], want.workflow)
        what = _differs({"trust policy": (found[1], role.trust), "policy": (found[2], role.policy),
                         "tags": (_ours(found[0], tags), tags)})  # fmt: skip
        changes.append(Change("update" if what else "unchanged", "role", role.name, what))
    changes.append(Change("unchanged" if have.layer else "create", "layer", want.layer.name))
    target_layer = have.layer or "(new version)"
    for fn in want.functions:
        found_fn = have.functions.get(fn.name)
        if found_fn is None:
            changes.append(Change("create", "function", fn.name))
            continue
        _owned("Lambda function", fn.name, found_fn[0], want.workflow)
        config = found_fn[1]
        wanted = fn.configuration(want.role_arn_of(fn.role), target_layer)
        current = {
            "Role": config.get("Role"),
            "Handler": config.get("Handler"),
            "Runtime": config.get("Runtime"),
            "MemorySize": config.get("MemorySize"),
            "Timeout": config.get("Timeout"),
            "Description": config.get("Description", ""),
            "Environment": {"Variables": config.get("Environment", {}).get("Variables", {})},
            "Layers": [layer["Arn"] for layer in config.get("Layers", [])],
        }
        what = _differs({key: (current[key], wanted[key]) for key in wanted})
        what += _differs({"code": (config.get("CodeSha256"), fn.package.sha256),
                          "architecture": (config.get("Architectures", ["x86_64"]), [fn.options.architecture]),
                          "tags": (_ours(found_fn[0], tags), tags)})  # fmt: skip
        changes.append(Change("update" if what else "unchanged", "function", fn.name, what))
    changes += _mapping_changes(want, have)
    if have.machine is None:
        changes.append(Change("create", "state machine", want.machine.name))
    else:
        _owned("state machine", want.machine.name, have.machine[0], want.workflow)
        described = have.machine[1]
        if described.get("type", "STANDARD") != want.machine.type:
            raise DeployError(
                f"state machine {want.machine.name!r} is {described.get('type')}; AWS cannot change a state machine's "
                f"type to {want.machine.type}: destroy it first (sfnkit.destroy) or deploy under another prefix="
            )
        tracing = bool((described.get("tracingConfiguration") or {}).get("enabled", False))
        what = _differs(
            {
                "definition": (json.loads(described.get("definition", "{}")), want.machine.definition),
                "role": (described.get("roleArn"), want.role_arn_of(want.machine.role)),
                "logging": (_logging(described.get("loggingConfiguration")), _logging(want.machine.logging)),
                "tracing": (tracing, want.machine.tracing),
                "tags": (_ours(have.machine[0], tags), tags),
            }
        )
        changes.append(Change("update" if what else "unchanged", "state machine", want.machine.name, what))
    return changes


def _mapping_changes(want: Desired, have: Observed) -> list[Change]:
    """Create, update or leave each wanted event source mapping; delete those deploy made for a trigger since removed
    (only mappings carrying the workflow's tag: another's mapping on the same function is left alone)."""
    changes: list[Change] = []
    tags = dict(want.tags)
    timeouts = {fn.name: fn.timeout for fn in want.functions}
    for mapping in want.mappings:
        _check_queue(mapping, have.queues.get(mapping.queue_arn), timeouts[mapping.function])
        found = have.mappings.get(mapping.function, {}).get(mapping.queue_arn)
        if found is None:
            changes.append(Change("create", "event source mapping", mapping.name))
            continue
        _owned("event source mapping", mapping.name, found[0], want.workflow)
        config = found[1]
        current = {  # AWS leaves out what is not set; these are its defaults for an SQS source
            "BatchSize": config.get("BatchSize", 10),
            "MaximumBatchingWindowInSeconds": config.get("MaximumBatchingWindowInSeconds") or 0,
            "FunctionResponseTypes": config.get("FunctionResponseTypes") or [],
        }
        what = _differs({key: (current[key], value) for key, value in mapping.settings().items()})
        what += _differs({"tags": (_ours(found[0], tags), tags)})
        changes.append(Change("update" if what else "unchanged", "event source mapping", mapping.name, what))
    wanted = {(mapping.function, mapping.queue_arn) for mapping in want.mappings}
    for function, found_mappings in sorted(have.mappings.items()):
        for queue, (found_tags, _config) in sorted(found_mappings.items()):
            if (function, queue) not in wanted and found_tags.get(TAG) == want.workflow:
                changes.append(Change("delete", "event source mapping", mapping_name(queue, function)))
    return changes


def _check_queue(mapping: MappingSpec, attributes: Mapping[str, str] | None, timeout: int) -> None:
    """Lambda's own checks of an SQS event source, made before anything changes (so a dry run finds them too)."""
    if attributes is None:
        raise DeployError(
            f"sqs_trigger of Lambda function {mapping.function}: there is no SQS queue {mapping.queue_arn}. Deploy "
            "does not create queues: create it first, or name an existing queue in sqs_trigger()",
            resource=mapping.queue_arn,
            code="QueueDoesNotExist",
        )
    visibility = int(attributes.get("VisibilityTimeout", 30))
    if timeout > visibility:  # CreateEventSourceMapping refuses it (InvalidParameterValueException)
        raise DeployError(
            f"event source mapping {mapping.name}: Queue visibility timeout: {visibility} seconds is less than "
            f"Function timeout: {timeout} seconds. Raise the queue's VisibilityTimeout (AWS advises six times the "
            "function's timeout) or lower @lambda_fn(timeout=)",
            resource=mapping.queue_arn,
            code="InvalidParameterValueException",
        )


def queue_notes(want: Desired, have: Observed) -> tuple[str, ...]:
    """What the report says about the triggers' queues: Lambda's poller reads a queue encrypted with a customer
    managed KMS key only with ``kms:Decrypt`` on that key (Amazon SQS Developer Guide, "Configuring an Amazon SQS
    queue to trigger an AWS Lambda function"), which deploy does not grant: the key's own policy may allow it, and a
    key given by alias is no resource an IAM policy can name. (The AWS managed key ``alias/aws/sqs`` needs nothing.)"""
    notes = []
    functions = {fn.name: fn for fn in want.functions}
    for mapping in want.mappings:
        key = (have.queues.get(mapping.queue_arn) or {}).get("KmsMasterKeyId", "")
        fn = functions[mapping.function]
        actions = [action for statement in fn.options.permissions for action in _actions(statement)]
        if key and not key.endswith("alias/aws/sqs") and not {"kms:Decrypt", "kms:*", "*"} & set(actions):
            notes.append(
                f"queue {mapping.queue_arn} is encrypted with KMS key {key}: unless the key's policy lets role "
                f"{fn.role} use it, grant kms:Decrypt with @lambda_fn(permissions=[{{'Action': 'kms:Decrypt', "
                f"'Resource': '<the key ARN>'}}]) on {mapping.function}"
            )
    return tuple(notes)


def _actions(statement: Mapping[str, Json]) -> list[str]:
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else list(action)
