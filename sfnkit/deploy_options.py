"""How ``sfnkit.deploy`` ships one ``@lambda_fn``: runtime, architecture, environment, requirements (checked early)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from sfnkit.errors import DefinitionError

__all__ = ["ARCHITECTURES", "DEFAULT_RUNTIME", "DeployOptions"]

DEFAULT_RUNTIME: Final = "python3.12"
ARCHITECTURES: Final = ("x86_64", "arm64")
_RUNTIME = re.compile(r"python3\.(\d+)")
# Lambda: keys start with a letter, then letters, digits and underscores; the runtime sets these itself.
_ENV_KEY = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*")
_RESERVED_ENV: Final = frozenset(
    {"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
     "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
     "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
     "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
     "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"}
)  # fmt: skip


@attrs.frozen(kw_only=True)
class DeployOptions:
    """What a Lambda function needs besides its code: ``requirements`` are pip requirement strings, or
    ``requirements_file`` a requirements file (relative to the function's module)."""

    runtime: str = DEFAULT_RUNTIME
    architecture: str = "x86_64"
    environment: tuple[tuple[str, str], ...] = ()
    requirements: tuple[str, ...] = ()
    requirements_file: str | None = None
    # IAM statements for the function's role (dicts: left out of the hash, as LambdaStep.fields is)
    permissions: tuple[dict[str, Any], ...] = attrs.field(default=(), hash=False)

    @classmethod
    def of(
        cls,
        *,
        environment: Mapping[str, str] | None = None,
        requirements: str | os.PathLike[str] | Sequence[str] | None = None,
        runtime: str | None = None,
        architecture: str | None = None,
        permissions: Sequence[Mapping[str, Any]] | None = None,
    ) -> DeployOptions | None:
        """The options given to ``@lambda_fn`` (None when none was), each checked where it was written."""
        if all(option is None for option in (environment, requirements, runtime, architecture, permissions)):
            return None
        chosen_runtime = DEFAULT_RUNTIME if runtime is None else runtime
        match = _RUNTIME.fullmatch(chosen_runtime) if isinstance(chosen_runtime, str) else None
        if match is None or int(match.group(1)) < 12:
            raise DefinitionError(
                f"@lambda_fn(runtime={runtime!r}): deploy needs a Python Lambda runtime python3.12 or newer, "
                "e.g. runtime='python3.13'"
            )
        chosen_architecture = "x86_64" if architecture is None else architecture
        if chosen_architecture not in ARCHITECTURES:
            raise DefinitionError(f"@lambda_fn(architecture={architecture!r}): Lambda runs 'x86_64' or 'arm64'")
        return cls(
            runtime=chosen_runtime,
            architecture=chosen_architecture,
            environment=_environment(environment or {}),
            requirements=_requirements(requirements),
            requirements_file=os.fspath(requirements) if isinstance(requirements, str | os.PathLike) else None,
            permissions=_permissions(permissions or ()),
        )


def _environment(environment: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(environment, Mapping):
        raise DefinitionError(f"@lambda_fn(environment={environment!r}): give a dict of variable names to strings")
    for key, value in environment.items():
        if not isinstance(key, str) or not _ENV_KEY.fullmatch(key) or key in _RESERVED_ENV:
            raise DefinitionError(
                f"@lambda_fn(environment=...): {key!r} is not a variable Lambda lets you set (a letter, then "
                "letters, digits and _; not one of the runtime's own such as AWS_REGION)"
            )
        if not isinstance(value, str):
            raise DefinitionError(
                f"@lambda_fn(environment=...): {key} is {value!r}; Lambda variables are strings, write {str(value)!r}"
            )
    return tuple(sorted(environment.items()))


def _permissions(permissions: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """IAM policy statements (``Effect`` defaults to ``Allow``), copied."""
    statements = []
    for position, statement in enumerate(permissions):
        if not isinstance(statement, Mapping) or "Action" not in statement or "Resource" not in statement:
            raise DefinitionError(
                f"@lambda_fn(permissions=...)[{position}] is {statement!r}; give IAM statements such as "
                '{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::hoard/*"}'
            )
        statements.append(json.loads(json.dumps({"Effect": "Allow", **statement})))
    return tuple(statements)


def _requirements(requirements: str | os.PathLike[str] | Sequence[str] | None) -> tuple[str, ...]:
    if requirements is None or isinstance(requirements, str | os.PathLike):
        return ()
    if not all(isinstance(item, str) and item.strip() for item in requirements):
        raise DefinitionError(
            f"@lambda_fn(requirements={requirements!r}): give pip requirement strings such as ['requests>=2.31'], "
            "or the path of a requirements file"
        )
    return tuple(item.strip() for item in requirements)
