"""API Gateway events, as Lambda receives them: REST APIs (payload 1.0) and HTTP APIs (payload 2.0)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from sfnkit.asl.context import ACCOUNT, REGION
from sfnkit.asl.scope import Json
from sfnkit.events._common import EPOCH, body_text, uid

__all__ = ["api_gateway_event", "http_api_event"]


# --- API Gateway ---------------------------------------------------------------------------------------------


def _body(body: Json | bytes) -> tuple[str | None, bool]:
    """A request body as API Gateway passes it: text, JSON text, or base64 for bytes (``isBase64Encoded``)."""
    if body is None:
        return None, False
    if isinstance(body, bytes):
        return base64.b64encode(body).decode(), True
    return body_text(body, "API Gateway event"), False


def _multi(values: Mapping[str, str | Iterable[str]] | None, where: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in (values or {}).items():
        items = [value] if isinstance(value, str) else list(value)
        if not items or not all(isinstance(item, str) for item in items):
            raise TypeError(f"{where}[{name!r}] is {value!r}; pass a str or a list of str")
        out[name] = items
    return out


def _forwarding(domain: str, request_id: str, text: str | None) -> dict[str, list[str]]:
    """The headers API Gateway adds to every request it passes on (its own host, the client, the trace)."""
    headers = {
        "Host": [domain],
        "X-Amzn-Trace-Id": [f"Root=1-{request_id.replace('-', '')[:8]}-{request_id.replace('-', '')[8:32]}"],
        "X-Forwarded-For": ["198.51.100.1"],
        "X-Forwarded-Port": ["443"],
        "X-Forwarded-Proto": ["https"],
    }
    if text is not None:
        headers["Content-Length"] = [str(len(text.encode()))]
    return headers


def _request_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def api_gateway_event(
    method: str = "GET",
    path: str = "/",
    *,
    body: Json | bytes = None,
    headers: Mapping[str, str | Iterable[str]] | None = None,
    query: Mapping[str, str | Iterable[str]] | None = None,
    path_parameters: Mapping[str, str] | None = None,
    resource: str | None = None,
    stage: str = "prod",
    stage_variables: Mapping[str, str] | None = None,
    time: float = EPOCH,
) -> dict[str, Json]:
    """A REST API (API Gateway v1) Lambda proxy event: the payload format version 1.0.

    The headers are yours over those API Gateway adds (``Host``, ``X-Forwarded-*``, ``X-Amzn-Trace-Id``); absent
    query strings, path parameters and stage variables are ``null``, as API Gateway sends them; a repeated header
    or query parameter keeps its last value in the single-value map and all in ``multiValue*``.
    """
    multi_query = _multi(query, "api_gateway_event(query=)")
    text, encoded = _body(body)
    api_id = uid("api", stage)[:10].replace("-", "a")
    request_id = uid("request", method, path, text, time)
    domain = f"{api_id}.execute-api.{REGION}.amazonaws.com"
    multi_headers = _forwarding(domain, request_id, text) | _multi(headers, "api_gateway_event(headers=)")
    return {
        "resource": resource if resource is not None else path,
        "path": path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} if query else None,
        "multiValueQueryStringParameters": multi_query if query else None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": dict(stage_variables) if stage_variables else None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": api_id,
            "domainName": domain,
            "domainPrefix": api_id,
            "extendedRequestId": base64.b64encode(request_id.encode()[:12]).decode(),
            "httpMethod": method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": "198.51.100.1",
                "user": None,
                "userAgent": multi_headers.get("User-Agent", ["sfnkit"])[-1],
                "userArn": None,
            },
            "path": f"/{stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "requestTime": _request_time(time),
            "requestTimeEpoch": int(time * 1000),
            "resourceId": api_id[:6],
            "resourcePath": resource if resource is not None else path,
            "stage": stage,
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def http_api_event(
    method: str = "GET",
    path: str = "/",
    *,
    body: Json | bytes = None,
    headers: Mapping[str, str | Iterable[str]] | None = None,
    query: Mapping[str, str | Iterable[str]] | None = None,
    path_parameters: Mapping[str, str] | None = None,
    route_key: str | None = None,
    stage: str = "$default",
    cookies: Iterable[str] = (),
    stage_variables: Mapping[str, str] | None = None,
    time: float = EPOCH,
) -> dict[str, Json]:
    """An HTTP API (API Gateway v2) Lambda event: the payload format version 2.0.

    Header names are lower case and repeated values joined with commas, as are repeated query parameters;
    ``cookies``, ``queryStringParameters``, ``pathParameters``, ``stageVariables`` and ``body`` are left out when
    empty, as API Gateway leaves them out. ``route_key`` defaults to ``"<METHOD> <path>"``.
    """
    multi_query = _multi(query, "http_api_event(query=)")
    text, encoded = _body(body)
    api_id = uid("http-api", stage)[:10].replace("-", "a")
    trace = uid("request", method, path, text, time)
    request_id = base64.b64encode(trace.encode()[:12]).decode()
    domain = f"{api_id}.execute-api.{REGION}.amazonaws.com"
    multi_headers = _forwarding(domain, trace, text) | _multi(headers, "http_api_event(headers=)")
    route = route_key if route_key is not None else f"{method} {path}"
    lowered: dict[str, list[str]] = {}
    for name, values in multi_headers.items():
        lowered.setdefault(name.lower(), []).extend(values)
    event: dict[str, Json] = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": urlencode([(k, v) for k, vs in multi_query.items() for v in vs]),
    }
    jar = list(cookies)
    if jar:
        event["cookies"] = jar
    event["headers"] = {name: ",".join(values) for name, values in lowered.items()}
    if query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in multi_query.items()}
    event["requestContext"] = {
        "accountId": ACCOUNT,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": api_id,
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "198.51.100.1",
            "userAgent": lowered.get("user-agent", ["sfnkit"])[-1],
        },
        "requestId": request_id,
        "routeKey": route,
        "stage": stage,
        "time": _request_time(time),
        "timeEpoch": int(time * 1000),
    }
    if text is not None:
        event["body"] = text
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    event["isBase64Encoded"] = encoded
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    return event
