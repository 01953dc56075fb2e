"""``arn:aws:states:::apigateway:invoke`` on a REST API of the world whose method a Lambda integration answers.

moto keeps the API (resources, methods, integrations) but cannot run the Lambda function behind it in-process, so
sfnkit answers the invoke itself: it finds the resource and method the request names, invokes the integration's
function from the world's ``lambdas`` (non-proxy ``AWS`` integration, the body passed through), and shapes the
answer as Step Functions returns it for an edge-optimized API (``Headers`` as lists, ``ResponseBody`` parsed,
``StatusCode``, ``StatusText``). A path the API does not have answers 403 ``Missing Authentication Token``, which
Step Functions reports as ``ApiGateway.403``. Request mapping templates (VTL) are not evaluated: such an
integration fails the state with a message saying so.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from sfnkit.asl.failures import RUNTIME, StatesError
from sfnkit.clock import Timeline
from sfnkit.cloud.services.shaping import compact
from sfnkit.lambdas import find_function, invoke, parse_payload
from sfnkit.taskcall import TaskCall

if TYPE_CHECKING:
    from sfnkit.cloud.services import AwsServices

__all__ = ["invoke_api"]

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
    resource = next((r for r in resources if r.get("path") == path), None)
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
    if integration.get("requestTemplates"):
        raise StatesError(
            RUNTIME,
            f"the integration of {method} {path} (API {api_id}) has a request mapping template, which sfnkit.aws() "
            "does not evaluate: remove it to pass the body through",
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
    body = request.get("RequestBody")
    event: Json = {} if body is None else body
    timeline = call.timeline if call is not None else Timeline(services.clock.now)
    clock = call.clock if call is not None else services.clock
    invocation = invoke(handler, event, name=name, arn=arn, clock=clock, timeline=timeline)
    if invocation.function_error:  # API Gateway answers a failed Lambda integration with 502
        raise StatesError("ApiGateway.502", compact({"message": "Internal server error"}))
    answer = parse_payload(invocation, what="apigateway")
    return {
        "Headers": _headers(len(invocation.payload), timeline.now),  # the body as Lambda's runtime wrote it
        "ResponseBody": answer,
        "StatusCode": 200,
        "StatusText": "OK",
    }


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
