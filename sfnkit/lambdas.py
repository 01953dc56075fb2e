"""Invoke a Python callable the way AWS Lambda's Python runtime does, and shape the answer as Step Functions sees it.

What a handler gets: the event as JSON would carry it (a fresh copy, never the execution's own data) and, when it
takes two parameters, a context object like the runtime's (``function_name``, ``aws_request_id``,
``get_remaining_time_in_millis()``...). What comes back: the returned value serialised as the runtime does
(``json.dumps``; ``bytes`` are the raw payload), or, when the handler raises, a function error document
(``errorType`` = ``exc.error_type`` or the class name, ``errorMessage``, ``stackTrace``).
"""

from __future__ import annotations

import base64
import inspect
import json
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Final

import attrs

from sfnkit.asl.context import ACCOUNT, REGION
from sfnkit.asl.failures import DATA_LIMIT_EXCEEDED, StatesError
from sfnkit.asl.scope import Json
from sfnkit.clock import NO_DEADLINE, Clock, SleptPastDeadline, Timeline, handler_sleeps_on

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "Invocation",
    "LambdaContext",
    "TaskTimedOut",
    "data_limit_cause",
    "find_function",
    "function_error",
    "function_name",
    "invoke",
    "invoke_output",
    "not_found",
    "parse_payload",
]

MAX_PAYLOAD_BYTES: Final = 262_144  # 256 KiB: the Step Functions payload quota
_DEFAULT_TIMEOUT_MS: Final = 3_000  # Lambda's default function timeout


class TaskTimedOut(Exception):
    """The handler ran past its Task's deadline (``States.Timeout``)."""


@attrs.frozen
class Invocation:
    """The answer of one Lambda invoke: the raw response payload, and whether it is a function error."""

    payload: bytes
    function_error: bool
    request_id: str
    log_result: str | None = None


class LambdaContext:
    """The second argument of a Python Lambda handler, as the AWS runtime builds it."""

    def __init__(self, name: str, arn: str, request_id: str, timeline: Timeline, deadline: float) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = "128"
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = f"2024/01/01/[$LATEST]{request_id.replace('-', '')}"
        self.identity = None
        self.client_context = None
        self._timeline = timeline
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation's deadline (on the run's clock)."""
        if self._deadline == NO_DEADLINE:
            return _DEFAULT_TIMEOUT_MS
        return max(0, int((self._deadline - self._timeline.now) * 1000))


def function_name(reference: str) -> str:
    """The function name in a Lambda reference: a name, ``name:alias``, a full or partial ARN.

    >>> function_name("arn:aws:lambda:us-east-1:123456789012:function:charge:prod"), function_name("charge")
    ('charge', 'charge')
    """
    if ":function:" in reference:
        return reference.split(":function:", 1)[1].split(":", 1)[0]
    return reference.split(":", 1)[0]


def find_function(lambdas: Mapping[str, Callable[..., Any]], reference: str) -> Callable[..., Any] | None:
    """The callable bound to *reference* (by exact key, full ARN, or function name), or None."""
    fn = lambdas.get(reference)
    if fn is None:
        fn = lambdas.get(function_name(reference))
    return fn


def not_found(reference: str, request_id: str) -> StatesError:
    """AWS's error for a Lambda function that does not exist (no callable bound to it)."""
    arn = reference if reference.startswith("arn:") else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{reference}"
    if arn.count(":") == 6:
        arn += ":$LATEST"
    return StatesError(
        "Lambda.ResourceNotFoundException",
        f"Function not found: {arn} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
        f"Request ID: {request_id}; Proxy: null)",
    )


def data_limit_cause(what: str) -> str:
    """AWS's cause text for a result over 256 KiB (*what*: the state name, or the task's resource)."""
    return f"The state/task '{what}' returned a result with a size exceeding the maximum number of bytes service limit."


_ARITY: dict[Any, int] = {}
_arity_lock = threading.Lock()


def _wants_context(fn: Callable[..., Any]) -> bool:
    try:
        return _ARITY[fn] >= 2
    except (KeyError, TypeError):
        pass
    try:
        params = inspect.signature(fn).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
        arity = 2 if varargs or len(positional) >= 2 else 1
    except (TypeError, ValueError):
        arity = 1
    try:
        with _arity_lock:
            _ARITY[fn] = arity
    except TypeError:
        pass
    return arity >= 2


def _error_document(exc: BaseException, request_id: str) -> dict[str, Json]:
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # drop our own frame, as the runtime shows only user code
    error_type = getattr(exc, "error_type", None)
    return {
        "errorMessage": str(exc),
        "errorType": error_type if isinstance(error_type, str) else type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def _call(fn: Callable[..., Any], event: Json, context: LambdaContext) -> Any:
    if _wants_context(fn):
        return fn(event, context)
    return fn(event)


def invoke(
    fn: Callable[..., Any],
    event: Json,
    *,
    name: str,
    arn: str,
    clock: Clock,
    timeline: Timeline,
    deadline: float = NO_DEADLINE,
    request_id: str | None = None,
    log_tail: bool = False,
) -> Invocation:
    """Run handler *fn* on a copy of *event* as Lambda would; raise ``TaskTimedOut`` past *deadline*.

    On the virtual clock the handler's ``time.sleep`` advances *timeline* (see ``sfnkit.clock``); on the real
    clock a handler with a deadline runs in a worker thread that is abandoned when the deadline passes.
    """
    request_id = request_id or str(uuid.uuid4())
    try:
        event_copy = json.loads(json.dumps(event))
    except (TypeError, ValueError) as exc:  # pragma: no cover - payloads are JSON values already
        raise StatesError("States.Runtime", f"The Lambda payload is not JSON: {exc}") from None
    context = LambdaContext(name, arn, request_id, timeline, deadline)
    try:
        if clock.virtual:
            with handler_sleeps_on(timeline, deadline):
                result = _call(fn, event_copy, context)
        elif deadline != NO_DEADLINE:
            result = _call_with_real_deadline(fn, event_copy, context, timeline, deadline)
        else:
            result = _call(fn, event_copy, context)
    except SleptPastDeadline:
        raise TaskTimedOut from None
    except TaskTimedOut:
        raise
    except Exception as exc:
        body = json.dumps(_error_document(exc, request_id)).encode()
        return Invocation(body, True, request_id, _log(log_tail, request_id))
    if isinstance(result, bytes | bytearray | memoryview):
        return Invocation(bytes(result), False, request_id, _log(log_tail, request_id))
    try:
        body = json.dumps(result).encode()
    except (TypeError, ValueError) as exc:
        document = {
            "errorMessage": f"Unable to marshal response: {exc}",
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }
        return Invocation(json.dumps(document).encode(), True, request_id, _log(log_tail, request_id))
    return Invocation(body, False, request_id, _log(log_tail, request_id))


def _call_with_real_deadline(
    fn: Callable[..., Any], event: Json, context: LambdaContext, timeline: Timeline, deadline: float
) -> Any:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sfnkit-lambda")
    future = pool.submit(_call, fn, event, context)
    try:
        return future.result(timeout=max(0.0, deadline - timeline.now))
    except FutureTimeout:
        raise TaskTimedOut from None
    finally:
        pool.shutdown(wait=False)


def _log(tail: bool, request_id: str) -> str | None:
    if not tail:
        return None
    text = f"START RequestId: {request_id} Version: $LATEST\nEND RequestId: {request_id}\n"
    return base64.b64encode(text.encode()).decode()


def parse_payload(invocation: Invocation, *, what: str) -> Json:
    """The JSON value of a successful invocation's payload (``States.DataLimitExceeded`` past 256 KiB)."""
    if len(invocation.payload) > MAX_PAYLOAD_BYTES:
        raise StatesError(DATA_LIMIT_EXCEEDED, data_limit_cause(what))
    text = invocation.payload.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def function_error(invocation: Invocation, *, compact: bool) -> StatesError:
    """The Task failure a function error becomes: error = its ``errorType``, cause = the error document text."""
    text = invocation.payload.decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError:
        return StatesError("Lambda.Unknown", text)
    error_type = document.get("errorType") if isinstance(document, dict) else None
    cause = json.dumps(document, separators=(",", ":")) if compact else json.dumps(document)
    return StatesError(error_type if isinstance(error_type, str) else "Lambda.Unknown", cause)


def invoke_output(invocation: Invocation, payload: Json) -> dict[str, Json]:
    """The result of ``arn:aws:states:::lambda:invoke``: the payload wrapped in Lambda's Invoke response."""
    length = str(len(invocation.payload))
    rid = invocation.request_id
    all_headers: dict[str, Json] = {
        "X-Amz-Executed-Version": ["$LATEST"],
        "x-amzn-Remapped-Content-Length": ["0"],
        "Connection": ["keep-alive"],
        "x-amzn-RequestId": [rid],
        "Content-Length": [length],
        "Date": ["Mon, 01 Jan 2024 00:00:00 GMT"],
        "X-Amzn-Trace-Id": [f"root=1-00000000-{rid.replace('-', '')[:24]};sampled=0"],
        "Content-Type": ["application/json"],
    }
    headers: dict[str, Json] = {
        "Connection": "keep-alive",
        "Content-Length": length,
        "Content-Type": "application/json",
        "Date": "Mon, 01 Jan 2024 00:00:00 GMT",
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": rid,
        "X-Amzn-Trace-Id": f"root=1-00000000-{rid.replace('-', '')[:24]};sampled=0",
    }
    output: dict[str, Json] = {"ExecutedVersion": "$LATEST"}
    if invocation.log_result is not None:
        all_headers = {"X-Amz-Log-Result": [invocation.log_result], **all_headers}
        headers["X-Amz-Log-Result"] = invocation.log_result
        output["LogResult"] = invocation.log_result
    output["Payload"] = payload
    output["SdkHttpMetadata"] = {"AllHttpHeaders": all_headers, "HttpHeaders": headers, "HttpStatusCode": 200}
    output["SdkResponseMetadata"] = {"RequestId": rid}
    output["StatusCode"] = 200
    return output
