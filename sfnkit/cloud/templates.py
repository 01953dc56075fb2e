"""``sfnkit.export``: a workflow as an AWS SAM or CloudFormation template, from the same packaging and policies deploy
uses (functions with their code locations, the shared runtime layer, one role each, the state machine with
``DefinitionSubstitutions`` for the function ARNs, tags)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from sfnkit.cloud.plan import Desired, FunctionSpec, MappingSpec
    from sfnkit.machine import StateMachine

__all__ = ["export"]

Json = Any
Format = Literal["sam", "cloudformation"]
_PSEUDO: Final = "${AWS::"


def _logical(name: str) -> str:
    """A CloudFormation logical id (letters and digits) for a resource name."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def _sub(value: Json) -> Json:
    """*value* with every string that names a pseudo parameter (``${AWS::Region}``...) wrapped in ``Fn::Sub``."""
    if isinstance(value, str):
        return {"Fn::Sub": value} if _PSEUDO in value else value
    if isinstance(value, list):
        return [_sub(item) for item in value]
    if isinstance(value, dict):
        return {key: _sub(item) for key, item in value.items()}
    return value


def _pascal(value: Json) -> Json:
    """The API's camelCase keys in CloudFormation's PascalCase (``level`` -> ``Level``)."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: _pascal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    return value


def _key(name: str, data: bytes) -> str:
    return f"sfnkit/{name}-{hashlib.sha256(data).hexdigest()[:16]}.zip"


def _function(fn: FunctionSpec, want: Desired, sam: bool, location: Json) -> dict[str, Json]:
    config = fn.configuration("", "")
    properties: dict[str, Json] = {
        "FunctionName": fn.name,
        **({"CodeUri": location} if sam else {"Code": location}),
        "Handler": config["Handler"],
        "Runtime": config["Runtime"],
        "MemorySize": config["MemorySize"],
        "Timeout": config["Timeout"],
        "Description": config["Description"],
        "Architectures": [fn.options.architecture],
        "Layers": [{"Ref": "RuntimeLayer"}],
        "Role": {"Fn::GetAtt": [_logical(fn.role), "Arn"]},
        "Tags": dict(want.tags) if sam else [{"Key": k, "Value": v} for k, v in want.tags],
    }
    if fn.options.environment:
        properties["Environment"] = {"Variables": dict(fn.options.environment)}
    if sam and (events := _mappings(fn, want)):
        properties["Events"] = {
            logical: {"Type": "SQS", "Properties": _sub(_mapping(mapping, sam))} for logical, mapping in events.items()
        }
    return {"Type": "AWS::Serverless::Function" if sam else "AWS::Lambda::Function", "Properties": properties}


def _mappings(fn: FunctionSpec, want: Desired) -> dict[str, MappingSpec]:
    """The event source mappings of *fn* by logical id (``<Function><Queue>Trigger``)."""
    found: dict[str, MappingSpec] = {}
    for mapping in want.mappings:
        if mapping.function == fn.name:
            logical = _logical(f"{fn.name}-{mapping.queue_arn.rsplit(':', 1)[-1]}-trigger")
            found[logical if logical not in found else f"{logical}{len(found)}"] = mapping
    return found


def _mapping(mapping: MappingSpec, sam: bool) -> dict[str, Json]:
    """An SQS mapping's properties: SAM's SQS event (``Queue``) or ``AWS::Lambda::EventSourceMapping``."""
    settings = {key: value for key, value in mapping.settings().items() if value != []}  # no empty list
    if sam:
        return {"Queue": mapping.queue_arn, "Enabled": True, **settings}
    return {
        "EventSourceArn": mapping.queue_arn,
        "FunctionName": {"Ref": _logical(mapping.function)},
        "Enabled": True,
        **settings,
    }


def export(
    machine: StateMachine,
    format: Format = "sam",
    *,
    prefix: str = "",
    tags: Mapping[str, str] | None = None,
    type: str = "STANDARD",
    logging: Mapping[str, Json] | None = None,
    tracing: bool = False,
    out_dir: str | Path | None = None,
) -> dict[str, Json]:
    """The template that deploys *machine* (``format="sam"`` or ``"cloudformation"``), as a dict.

    SAM's functions point at their zips (``CodeUri: functions/<name>.zip``, the layer at ``layer.zip``) for
    ``sam deploy`` to upload; CloudFormation's at keys in the bucket given as the ``ArtifactBucket`` parameter.
    With *out_dir*, the template (``template.json``) and the zips are written there (upload them to that bucket
    for CloudFormation). Options mean what they mean for :func:`sfnkit.deploy`.
    """
    from sfnkit.cloud.iam import Arns
    from sfnkit.cloud.packaging import function_package, runtime_layer
    from sfnkit.cloud.plan import desired
    from sfnkit.errors import DeployError

    if format not in ("sam", "cloudformation"):
        raise DeployError(f"export(format={format!r}): the formats are 'sam' and 'cloudformation'")
    sam = format == "sam"
    packages = {name: function_package(step) for name, step in machine.lambdas.items()}
    layer = runtime_layer()
    arns = Arns(region="${AWS::Region}", account="${AWS::AccountId}", partition="${AWS::Partition}")
    want = desired(
        machine,
        arns=arns,
        prefix=prefix,
        tags=dict(tags or {}),
        role_arn=None,
        type=type,
        logging=logging,
        tracing=tracing,
        packages=packages,
        layer=layer,
        placeholders={local: "${" + _logical(prefix + local) + "Arn}" for local in machine.lambdas},
    )
    files: dict[str, bytes] = {}

    def location(name: str, data: bytes) -> Json:
        if sam:
            path = "layer.zip" if name == "layer" else f"functions/{name}.zip"
            files[path] = data
            return path
        key = _key(name, data)
        files[key] = data
        return {"S3Bucket": {"Ref": "ArtifactBucket"}, "S3Key": key}

    resources: dict[str, Json] = {}
    for role in want.roles:
        resources[_logical(role.name)] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": role.trust,
                "Policies": [{"PolicyName": "sfnkit", "PolicyDocument": _sub(role.policy)}],
                "Tags": [{"Key": k, "Value": v} for k, v in want.tags],
            },
        }
    content = location("layer", layer.zip)
    runtimes = sorted({fn.options.runtime for fn in want.functions} or {"python3.12"})
    resources["RuntimeLayer"] = {
        "Type": "AWS::Serverless::LayerVersion" if sam else "AWS::Lambda::LayerVersion",
        "Properties": {
            "LayerName": want.layer.name,
            "Description": want.layer.description,
            **({"ContentUri": content} if sam else {"Content": content}),
            "CompatibleRuntimes": runtimes,
            "CompatibleArchitectures": ["x86_64", "arm64"],
        },
    }
    for fn in want.functions:
        resources[_logical(fn.name)] = _function(fn, want, sam, location(fn.name, fn.package.zip))
        if not sam:  # SAM's function carries them as Events
            for logical, mapping in _mappings(fn, want).items():
                tagged = {**_sub(_mapping(mapping, sam)), "Tags": [{"Key": k, "Value": v} for k, v in want.tags]}
                resources[logical] = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": tagged}
    spec = want.machine
    properties: dict[str, Json] = {
        "StateMachineName": spec.name,
        "StateMachineType": spec.type,
        "Definition": spec.definition,
        "DefinitionSubstitutions": {
            _logical(fn.name) + "Arn": {"Fn::GetAtt": [_logical(fn.name), "Arn"]} for fn in want.functions
        },
        "RoleArn": {"Fn::GetAtt": [_logical(spec.role), "Arn"]},
        "TracingConfiguration": {"Enabled": spec.tracing},
        "Tags": [{"Key": k, "Value": v} for k, v in want.tags],
    }
    if not properties["DefinitionSubstitutions"]:
        del properties["DefinitionSubstitutions"]
    if spec.logging is not None:
        properties["LoggingConfiguration"] = _pascal(spec.logging)
    resources["StateMachine"] = {"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}
    template: dict[str, Json] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if sam:
        template["Transform"] = "AWS::Serverless-2016-10-31"
    template["Description"] = f"{want.workflow}: written by sfnkit.export"
    if not sam:
        template["Parameters"] = {
            "ArtifactBucket": {"Type": "String", "Description": "The S3 bucket holding the sfnkit/*.zip packages"}
        }
    template["Resources"] = resources
    template["Outputs"] = {"StateMachineArn": {"Value": {"Ref": "StateMachine"}}}
    if out_dir is not None:
        folder = Path(out_dir)
        for path, data in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
        (folder / "template.json").write_text(json.dumps(template, indent=2) + "\n")
    return template
