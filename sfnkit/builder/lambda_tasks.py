"""The Task of a ``@lambda_fn`` step: invoke its function with ``lambda:invoke`` and hand on only the return value
(the invoke result's ``Payload``), in either query language.
"""

from __future__ import annotations

import re
from typing import Any, Final

from sfnkit.builder.fields import JSONPATH, Json, _check_language, _render, _resolve
from sfnkit.conditions import Path
from sfnkit.dsl import LambdaStep
from sfnkit.states import ABSENT

__all__ = ["LAMBDA_INVOKE"]


LAMBDA_INVOKE: Final = "arn:aws:states:::lambda:invoke"
_RESULT = re.compile(r"\$states\.result(?![\w$])")


def _payload_path(path: str) -> str:
    """A JSONPath reference to the Lambda return value, re-rooted on the invoke result's ``Payload``."""
    if path == "$":
        return "$.Payload"
    if path.startswith(("$.", "$[")):
        return "$.Payload" + path[1:]
    if path.startswith("$"):  # $$ context, $variable
        return path
    # An intrinsic function: re-root every bare $ outside '...' literals.
    out: list[str] = []
    position, quoted = 0, False
    while position < len(path):
        char = path[position]
        if quoted:
            if char == "\\":
                out.append(path[position : position + 2])
                position += 2
                continue
            quoted = char != "'"
        elif char == "'":
            quoted = True
        elif char == "$":
            following = path[position + 1 : position + 2]
            if following == "$":
                out.append("$$")
                position += 2
                continue
            if not (following.isalnum() or following == "_"):
                out.append("$.Payload")
                position += 1
                continue
        out.append(char)
        position += 1
    return "".join(out)


def _payload_template(value: Json) -> Json:
    if isinstance(value, dict):
        return {
            key: (_payload_path(item) if key.endswith(".$") and isinstance(item, str) else _payload_template(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_payload_template(item) for item in value]
    return value


def _payload_jsonata(value: Json) -> Json:
    if isinstance(value, str):
        return _RESULT.sub("$states.result.Payload", value) if value.startswith("{%") else value
    if isinstance(value, dict):
        return {key: _payload_jsonata(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_payload_jsonata(item) for item in value]
    return value


def _lambda_fields(step: LambdaStep[..., Any], language: str, extra: str) -> tuple[dict[str, Json], Json]:
    """The Task fields of a ``@lambda_fn`` step: invoke ``function_name`` and hand on only its return value.

    Also returns the ``OutputPath`` of the Pass that follows when *extra* (a JSONPath ``result_path``) is set.
    """
    _check_language(step.fields, language, step)
    own = {k: v for k, v in step.fields.items() if k not in ("parameters", "arguments")}
    fields = _resolve(own, step.dynamic, language, step)
    fields["resource"] = LAMBDA_INVOKE
    payload = step.fields.get("parameters" if language == JSONPATH else "arguments", ABSENT)
    if language == JSONPATH:
        parameters: dict[str, Json] = {"FunctionName": step.function_name}
        if payload is ABSENT:
            parameters["Payload.$"] = "$"
        elif isinstance(payload, Path):
            parameters["Payload.$"] = payload.expression
        elif isinstance(payload, str) and payload.startswith("$"):
            parameters["Payload.$"] = payload
        else:
            parameters["Payload"] = _render(payload, language, True, step, "parameters")
        fields["parameters"] = parameters
        if "assign" in fields:
            fields["assign"] = _payload_template(fields["assign"])
        if "result_selector" in fields:
            fields["result_selector"] = _payload_template(fields["result_selector"])
            return fields, ABSENT
        result_path = fields.get("result_path", ABSENT)
        if extra:
            return fields, fields.pop("output_path", ABSENT)  # the Pass that unwraps the Payload applies it
        if result_path is ABSENT or result_path == "$":
            output_path = fields.get("output_path", ABSENT)
            if output_path is ABSENT or output_path == "$":
                fields["output_path"] = "$.Payload"
            elif isinstance(output_path, str) and output_path.startswith(("$.", "$[")):
                fields["output_path"] = "$.Payload" + output_path[1:]
        return fields, ABSENT
    fields["arguments"] = {
        "FunctionName": step.function_name,
        "Payload": "{% $states.input %}" if payload is ABSENT else _render(payload, language, False, step, "arguments"),
    }
    fields["output"] = _payload_jsonata(fields["output"]) if "output" in fields else "{% $states.result.Payload %}"
    if "assign" in fields:
        fields["assign"] = _payload_jsonata(fields["assign"])
    return fields, ABSENT
