"""``arn:aws:states:::apigateway:invoke`` on a REST API of the world whose method a Lambda integration answers.

moto keeps the API (resources, methods, integrations) but cannot run the Lambda function behind it in-process, so
sfnkit answers the invoke itself: it finds the resource and method the request names, invokes the integration's
function from the world's ``lambdas`` (non-proxy ``AWS`` integration, the body passed through), and shapes the
answer as Step Functions returns it for an edge-optimized API (``Headers`` as lists, ``ResponseBody`` parsed,
``StatusCode``, ``StatusText``). A path the API does not have answers 403 ``Missing Authentication Token``, which
Step Functions reports as ``ApiGateway.403``.

The integration's mapping templates run as API Gateway runs them (``vtl``): the request template for the request's
content type (``application/json``: Step Functions sends JSON) makes the Lambda event, with ``$input`` reading the
body and the request's path, query string (its last value, for a repeated name) and headers; with no template for
it, ``passthroughBehavior`` decides (``WHEN_NO_MATCH``, the default, passes the body through; otherwise 415). The
200 integration response's template, if any, makes the answer from the function's payload. A template that fails
answers 500, as API Gateway does; the cause says which template failed, where and why.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import secrets
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.asl.paths import PathNotFound, compile_path
from sfnkit.asl.scope import Scope
from sfnkit.clock import Timeline
from sfnkit.cloud.services.shaping import compact
from sfnkit.cloud.services.vtl import Helper, TemplateError, java_string, render
from sfnkit.errors import AslError
from sfnkit.lambdas import find_function, invoke, parse_payload
from sfnkit.taskcall import TaskCall

if TYPE_CHECKING:
    from sfnkit.cloud.services import AwsServices

__all__ = ["escape_javascript", "invoke_api", "template_variables"]

Json = Any


def invoke_api(services: AwsServices, params: Json, call: TaskCall | None) -> Json:
    """The ``apigateway:invoke`` integration (see the module docstring)."""
    request = dict(params) if isinstance(params, dict) else {}
    host = str(request.get("ApiEndpoint", "")).split("://")[-1].split("/")[0]
    api_id = host.split(".")[0]
    method = str(request.get("Method", "GET")).upper()
    path = "/" + str(request.get("Path", "")).strip("/")
    client = services.client("apigateway")
    try:
        resources = client.get_resources(restApiId=api_id, limit=500)["items"]
    except Exception as exc:
        if not hasattr(exc, "response"):
            raise
        resources = []
    resource, path_params = _resource(resources, path)
    if resource is None or method not in (resource.get("resourceMethods") or {}):
        raise StatesError("ApiGateway.403", compact({"message": "Missing Authentication Token"}))
    integration = client.get_integration(restApiId=api_id, resourceId=resource["id"], httpMethod=method)
    uri = str(integration.get("uri", ""))
    if integration.get("type") not in ("AWS", "AWS_PROXY") or ":function:" not in uri:
        raise StatesError(
            RUNTIME,
            f"sfnkit.aws() answers apigateway:invoke for Lambda integrations; {method} {path} of API {api_id} has a "
            f"{integration.get('type')} integration",
        )
    arn = "arn:aws:lambda:" + uri.split("/functions/arn:aws:lambda:")[-1].split("/invocations")[0]
    name = arn.split(":function:")[1].split(":")[0]
    handler = find_function(services.lambdas, arn)
    if handler is None:
        raise StatesError(
            RUNTIME,
            f"the Lambda function {name!r} behind {method} {path} (API {api_id}) is not in this world: add it to "
            "services.lambdas",
        )
    timeline = call.timeline if call is not None else Timeline(services.clock.now)
    clock = call.clock if call is not None else services.clock
    body = request.get("RequestBody")
    text = "" if body is None else compact(body)
    stage = str(request.get("Stage", ""))
    where = f"{method} {resource.get('path')} (API {api_id})"
    params = {
        "path": path_params,
        "querystring": _last_values(request.get("QueryParameters")),
        "header": _last_values(request.get("Headers")),
    }
    context = _context(services, api_id, host, stage, method, resource, path, timeline.now)
    stage_variables = _stage_variables(client, api_id, stage)
    variables = template_variables(text, params, context, stage_variables)
    event: Json = {} if body is None else body
    template = _request_template(integration)
    if template is not None:
        event = _json_event(_render(template, variables, f"'application/json' of the request of {where}"))
    invocation = invoke(handler, event, name=name, arn=arn, clock=clock, timeline=timeline)
    if invocation.function_error:  # API Gateway answers a failed Lambda integration with 502
        raise StatesError("ApiGateway.502", compact({"message": "Internal server error"}))
    answer = parse_payload(invocation, what="apigateway")
    length = len(invocation.payload)  # the body as Lambda's runtime wrote it
    response = ((integration.get("integrationResponses") or {}).get("200") or {}).get("responseTemplates") or {}
    if response.get("application/json"):
        payload = invocation.payload.decode("utf-8", errors="replace")
        variables = template_variables(payload, params, context, stage_variables)  # $input: the function's answer
        out = _render(response["application/json"], variables, f"'application/json' of the 200 response of {where}")
        length = len(out.encode())
        try:
            answer = json.loads(out)
        except ValueError:
            answer = out
    return {"Headers": _headers(length, timeline.now), "ResponseBody": answer, "StatusCode": 200, "StatusText": "OK"}


_PARAMETER: Final = re.compile(r"\{([^}/+]+)(\+?)\}")


def _resource(resources: list[Json], path: str) -> tuple[Json, dict[str, str]]:
    """The resource *path* names (an exact path first, then ``{name}``/``{name+}`` ones) and its path parameters."""
    exact = next((r for r in resources if r.get("path") == path), None)
    if exact is not None:
        return exact, {}
    for resource in resources:
        template = str(resource.get("path", ""))
        names = [m.group(1) for m in _PARAMETER.finditer(template)]
        pieces = _PARAMETER.split(template)  # literal, name, plus, literal, ...
        pattern = ""
        for i, piece in enumerate(pieces):
            if i % 3 == 0:
                pattern += re.escape(piece)
            elif i % 3 == 1:
                pattern += "(.+)" if pieces[i + 1] else "([^/]+)"  # {name+} takes the rest of the path
        match = re.fullmatch(pattern, path) if names else None
        if match:
            return resource, {
                name: urllib.parse.unquote(value) for name, value in zip(names, match.groups(), strict=True)
            }
    return None, {}


def _last_values(given: Json) -> dict[str, str]:
    """Step Functions' ``{"name": ["v1", "v2"]}`` as a template reads it: the last value of each name."""
    if not isinstance(given, dict):
        return {}
    return {str(k): java_string(v[-1] if isinstance(v, list) and v else v) for k, v in given.items()}


def _request_template(integration: Json) -> str | None:
    templates = integration.get("requestTemplates") or {}
    template = templates.get("application/json")
    if template:
        return str(template)
    if templates and integration.get("passthroughBehavior") in ("WHEN_NO_TEMPLATES", "NEVER"):
        raise StatesError("ApiGateway.415", compact({"message": "Unsupported Media Type"}))
    return None


def _render(template: str, variables: dict[str, Json], name: str) -> str:
    try:
        return render(template, variables, name=name)
    except TemplateError as exc:  # API Gateway answers 500; the cause says what sfnkit found
        raise StatesError("ApiGateway.500", f"{exc} (API Gateway answers 500 Internal server error)") from None


def _json_event(text: str) -> Json:
    try:
        return json.loads(text)
    except ValueError:  # Lambda refuses a payload that is not JSON; API Gateway answers 500
        raise StatesError(
            "ApiGateway.500",
            f"the request mapping template made {text[:200]!r}, which is not JSON, and Lambda takes a JSON event "
            "(API Gateway answers 500 Internal server error)",
        ) from None


def _context(
    services: AwsServices, api_id: str, host: str, stage: str, method: str, resource: Json, path: str, now: float
) -> dict[str, Json]:
    """``$context`` as API Gateway fills it for a request."""
    when = datetime.datetime.fromtimestamp(now, datetime.UTC)
    account = services.stepfunctions.account
    return {
        "accountId": account,
        "apiId": api_id,
        "domainName": host,
        "domainPrefix": api_id,
        "extendedRequestId": secrets.token_urlsafe(12),
        "httpMethod": method,
        "identity": {"accountId": account, "sourceIp": "", "userAgent": "", "caller": "", "user": "", "userArn": ""},
        "path": f"/{stage}{path}" if stage else path,
        "protocol": "HTTP/1.1",
        "requestId": str(uuid.uuid4()),
        "requestTime": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": resource.get("id"),
        "resourcePath": resource.get("path"),
        "stage": stage,
    }


def _stage_variables(client: Any, api_id: str, stage: str) -> dict[str, Json]:
    try:
        return dict(client.get_stage(restApiId=api_id, stageName=stage).get("variables") or {})
    except Exception as exc:
        if not hasattr(exc, "response"):
            raise
        return {}


def _headers(length: int, now: float | None) -> dict[str, list[str]]:
    """The headers an edge-optimized API's answer carries through CloudFront."""
    when = datetime.datetime.now(datetime.UTC) if now is None else datetime.datetime.fromtimestamp(now, datetime.UTC)
    edge = secrets.token_hex(16)
    return {
        "Connection": ["keep-alive"],
        "Content-Length": [str(length)],
        "Content-Type": ["application/json"],
        "Date": [when.strftime("%a, %d %b %Y %H:%M:%S GMT")],
        "Via": [f"1.1 {edge}.cloudfront.net (CloudFront)"],
        "x-amz-apigw-id": [secrets.token_urlsafe(12)],
        "X-Amz-Cf-Id": [secrets.token_urlsafe(42)],
        "X-Amz-Cf-Pop": ["IAD89-C1"],
        "x-amzn-RequestId": [str(uuid.uuid4())],
        "X-Amzn-Trace-Id": [f"Root=1-{int(when.timestamp()):08x}-{secrets.token_hex(12)}"],
        "X-Cache": ["Miss from cloudfront"],
    }


# --- the variables of a mapping template (https://docs.aws.amazon.com/apigateway/latest/developerguide/
# api-gateway-mapping-template-reference.html) -------------------------------------------------------------------


def escape_javascript(text: str) -> str:
    """``$util.escapeJavaScript``: JavaScript string rules as Java's StringEscapeUtils writes them (``'`` -> ``\\'``,
    ``/`` -> ``\\/``, control and non-ASCII characters as ``\\uXXXX`` UTF-16 units)."""
    out = []
    for char in text:
        code = ord(char)
        if char in "'\"\\/":
            out.append("\\" + char)
        elif char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 32 or code > 0x7E:
            units = char.encode("utf-16-be")
            out.extend(f"\\u{units[i]:02X}{units[i + 1]:02X}" for i in range(0, len(units), 2))
        else:
            out.append(char)
    return "".join(out)


_SHORT_ESCAPES: Final = {"\b": "\\b", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def _json_body(body: str, what: str) -> Json:
    if not body.strip():
        return {}  # no body reads as an empty object
    try:
        return json.loads(body)
    except ValueError:
        raise ValueError(f"{what} reads the body as JSON, and the body is not JSON: {body[:80]!r}") from None


def _find(body: str, path: str) -> tuple[bool, Json]:
    """(found, value) of a JSONPath in the JSON body (Jayway's rules, as API Gateway reads it)."""
    try:
        return True, compile_path(path).find(Scope(_json_body(body, "$input.path/json")))
    except PathNotFound:
        return False, None
    except AslError as exc:
        raise ValueError(f"not a JSONPath: {exc}") from None


def template_variables(
    body: str, params: Mapping[str, Mapping[str, str]], context: Json, stage: Json
) -> dict[str, Json]:
    """``$input``, ``$util``, ``$context`` and ``$stageVariables`` for a mapping template.

    *params* is ``{"path": ..., "querystring": ..., "header": ...}``; ``$input.params(name)`` looks in that order.
    """

    def params_of(name: str | None = None) -> Json:
        if name is None:
            return {kind: dict(params.get(kind, {})) for kind in ("path", "querystring", "header")}
        return next(
            (params[kind][name] for kind in ("path", "querystring", "header") if name in params.get(kind, {})), None
        )

    def json_of(path: str) -> str:
        found, value = _find(body, path)
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False) if found else ""

    def base64_decode(text: str) -> str:
        return base64.b64decode(text.encode()).decode("utf-8", errors="replace")

    util: dict[str, Callable[..., Json]] = {
        "escapeJavaScript": lambda text: escape_javascript(java_string(text)),
        "parseJson": lambda text: json.loads(text),
        "urlEncode": lambda text: urllib.parse.quote_plus(text, safe="*").replace("~", "%7E"),  # java.net.URLEncoder
        "urlDecode": urllib.parse.unquote_plus,
        "base64Encode": lambda text: base64.b64encode(java_string(text).encode()).decode(),
        "base64Decode": base64_decode,
    }
    return {
        "input": Helper(
            {"body": body}, {"params": params_of, "json": json_of, "path": lambda path: _find(body, path)[1]}
        ),
        "util": Helper({}, util),
        "context": context,
        "stageVariables": stage,
    }
