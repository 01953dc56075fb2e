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
import linecache
import os
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, Final

import attrs

from sfnkit.asl.context import ACCOUNT, REGION, lambda_arn
from sfnkit.asl.failures import DATA_LIMIT_EXCEEDED, RUNTIME, StatesError
from sfnkit.asl.quotas import MAX_DEPTH, too_deep
from sfnkit.asl.scope import Json
from sfnkit.clock import (
    NO_DEADLINE,
    Clock,
    ClockName,
    SleptPastDeadline,
    Timeline,
    enter_handler,
    leave_handler,
    make_clock,
)
from sfnkit.dsl import takes_context

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_INVOKE_BYTES",
    "MAX_PAYLOAD_BYTES",
    "UNHANDLED",
    "Invocation",
    "InvokeResult",
    "LambdaContext",
    "TaskTimedOut",
    "data_limit_cause",
    "exception_text",
    "find_function",
    "function_error",
    "function_name",
    "invoke",
    "invoke_function",
    "invoke_output",
    "json_copy",
    "not_found",
    "parse_payload",
    "unbound_advice",
]

MAX_PAYLOAD_BYTES: Final = 262_144  # 256 KiB: the Step Functions payload quota
DEFAULT_TIMEOUT_SECONDS: Final = 3  # Lambda's default function timeout
_DEFAULT_TIMEOUT_MS: Final = DEFAULT_TIMEOUT_SECONDS * 1000
_DEFAULT_MEMORY_MB: Final = 128  # Lambda's default memory size


class TaskTimedOut(Exception):
    """The handler ran past its Task's deadline (``States.Timeout``)."""


_UNPARSED: Final = object()


class Invocation:
    """The answer of one Lambda invoke: the raw response payload, and whether it is a function error.

    ``value`` is the payload's JSON value when the handler returned a Python value (saves parsing the text back).
    The request id may be given as a function: it is then formatted only if someone reads it.
    """

    __slots__ = ("_error", "_request_id", "function_error", "log_result", "payload_text", "value_json")

    def __init__(
        self,
        payload: bytes | None,
        function_error: bool,
        request_id: str | Callable[[], str],
        log_result: str | None = None,
        value: Json = _UNPARSED,
        error: _FunctionError | None = None,
    ) -> None:
        self.payload_text = payload
        self.function_error = function_error
        self._request_id = request_id
        self.log_result = log_result
        self.value_json = value
        self._error = error  # a handler's exception, its document not yet spelt out

    @property
    def payload(self) -> bytes:
        """The response payload (for a function error: the error document's JSON text, built on first use)."""
        payload = self.payload_text
        if payload is None:
            assert self._error is not None
            payload = self.payload_text = self._error.payload()
        return payload

    @property
    def value(self) -> Json:
        """The payload's JSON value when known without parsing (``_UNPARSED`` otherwise)."""
        if self.value_json is _UNPARSED and self._error is not None:
            self.value_json = self._error.document()
        return self.value_json

    @property
    def error_type(self) -> str | None:
        """A handler exception's ``errorType``, known without building its error document."""
        return None if self._error is None else self._error.error_type

    @property
    def request_id(self) -> str:
        """The invocation's request id (a version-4 UUID)."""
        rid = self._request_id
        if not isinstance(rid, str):
            rid = self._request_id = rid()
        return rid


class LambdaContext:
    """The second argument of a Python Lambda handler, as the AWS runtime builds it.

    ``memory_limit_in_mb`` is a string, as the runtime reads it from its environment; the log stream is named
    after the invocation's date (on the clock in use), ``YYYY/MM/DD/[$LATEST]`` and a 32-digit hex id.
    """

    def __init__(
        self,
        name: str,
        arn: str,
        request_id: str,
        timeline: Timeline,
        deadline: float,
        *,
        memory: int | None = None,
        real: bool = False,
    ) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = str(memory or _DEFAULT_MEMORY_MB)
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{name}"
        day = time.strftime("%Y/%m/%d", time.gmtime(timeline.now))
        self.log_stream_name = f"{day}/[$LATEST]{request_id.replace('-', '')}"
        self.identity = None
        self.client_context = None
        self._timeline = timeline
        self._deadline = deadline
        self._real = real

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation's deadline (on the clock in use)."""
        if self._deadline == NO_DEADLINE:
            return _DEFAULT_TIMEOUT_MS
        now = time.time() if self._real else self._timeline.now  # the real clock's timeline moves only between calls
        return max(0, int((self._deadline - now) * 1000))


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


def unbound_advice(reference: str, lambdas: Mapping[str, Callable[..., Any]]) -> str:
    """sfnkit's advice for a Lambda reference no callable is bound to: how to bind it, and close names."""
    import difflib

    name = function_name(reference)
    close = difflib.get_close_matches(name, [function_name(key) for key in lambdas], n=3, cutoff=0.6)
    names = sorted(repr(key) for key in lambdas)
    bound = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "") or "none"
    return (
        f"No Python function is bound to the Lambda function {name!r}: pass run(..., lambdas={{{name!r}: handler}})"
        + (f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "")
        + f" (bound: {bound})"
    )


def data_limit_cause(what: str) -> str:
    """AWS's cause text for a result over 256 KiB (*what*: the state name, or the task's resource)."""
    return f"The state/task '{what}' returned a result with a size exceeding the maximum number of bytes service limit."


_SCALARS: Final = (str, int, float, bool, type(None))


class _NotPlainJson(Exception):
    """A value that JSON would change (a tuple, a non-string key): copy it through JSON text instead."""


def _clone(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlainJson
            out[key] = item if type(item) in _SCALARS else _clone(item)
        return out
    if kind is list:
        return [item if type(item) in _SCALARS else _clone(item) for item in value]
    if kind in _SCALARS:
        return value
    raise _NotPlainJson


def json_copy(value: Json) -> Json:
    """A deep copy of a JSON value, as a round trip through JSON text would give (but faster).

    >>> json_copy({"a": (1, 2)})
    {'a': [1, 2]}
    """
    try:
        return _clone(value)
    except (_NotPlainJson, RecursionError):
        return json.loads(json.dumps(value))


def exception_text(exc: BaseException) -> str:
    """``str(exc)``, or what Python's traceback module prints when ``__str__`` itself raises."""
    try:
        return str(exc)
    except Exception:
        return "<exception str() failed>"


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_runtime_encoder = c_make_encoder(None, _not_json, encode_basestring_ascii, None, ": ", ", ", False, False, True)

_LINES: dict[tuple[str, int], str] = {}  # source lines of handler frames, read once
_PACKAGE_DIR: Final = os.path.dirname(os.path.abspath(__file__)) + os.sep  # sfnkit/


class _FunctionError:
    """A handler's exception, read at once (type, message, the handler's frames and their source lines); its error
    document and JSON text are spelt out on first use (a retried failure's usually never is). Calling it gives the
    Task's cause (the document's text), so it serves as a ``StatesError`` cause function itself."""

    __slots__ = ("_document", "_payload", "error_type", "frames", "message", "request_id")

    def __init__(self, exc: BaseException, request_id: str | Callable[[], str]) -> None:
        frames = []
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if not code.co_filename.startswith(_PACKAGE_DIR):  # only the handler's own frames, as Lambda shows
                key = (code.co_filename, tb.tb_lineno)
                line = _LINES.get(key)
                if line is None:
                    line = _LINES[key] = linecache.getline(code.co_filename, tb.tb_lineno).strip()
                frames.append((code.co_filename, tb.tb_lineno, code.co_name, line))
            tb = tb.tb_next
        error_type = getattr(exc, "error_type", None)
        self.error_type: str = error_type if isinstance(error_type, str) else type(exc).__name__
        self.message = exception_text(exc)
        self.frames = tuple(frames)
        self.request_id = request_id
        self._document: dict[str, Json] | None = None
        self._payload: bytes | None = None

    def document(self) -> dict[str, Json]:
        """The Python runtime's error document; the stack trace shows only the handler's frames, as Lambda's does."""
        if self._document is None:
            trace = [
                f'  File "{filename}", line {lineno}, in {name}\n' + (f"    {line}\n" if line else "")
                for filename, lineno, name, line in self.frames
            ]
            self._document = {
                "errorMessage": self.message,
                "errorType": self.error_type,
                "requestId": self.request_id if isinstance(self.request_id, str) else self.request_id(),
                "stackTrace": trace,
            }
        return self._document

    def payload(self) -> bytes:
        """The document as the runtime serialises it (``json.dumps``: default separators, ASCII escapes)."""
        if self._payload is None:
            self._payload = "".join(_runtime_encoder(self.document(), 0)).encode()
        return self._payload

    def __call__(self) -> str:
        """The cause Step Functions shows for a legacy Lambda Task: the payload's text."""
        return self.payload().decode()


def _call(fn: Callable[..., Any], event: Json, context: Callable[[], Any]) -> Any:
    if takes_context(fn):
        return fn(event, context())
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
    request_id: str | Callable[[], str] | None = None,
    log_tail: bool = False,
    memory: int | None = None,
    given_context: object = None,
) -> Invocation:
    """Run handler *fn* on a copy of *event* as Lambda would; raise ``TaskTimedOut`` past *deadline*.

    On the virtual clock the handler's ``time.sleep`` advances *timeline* (see ``sfnkit.clock``); on the real
    clock a handler with a deadline runs in a worker thread that is abandoned when the deadline passes. A
    *request_id* given as a function is called only when the id is needed (the handler's context, an error
    document, the log tail, ``Invocation.request_id``). A *given_context* is handed to the handler as it is;
    otherwise a ``LambdaContext`` is built (with *memory* MB) when the handler takes one.
    """
    text: str | None = request_id if isinstance(request_id, str) else None

    def rid() -> str:
        nonlocal text
        if text is None:
            text = request_id() if callable(request_id) else str(uuid.uuid4())
        return text

    try:
        event_copy = _clone(event)
    except (_NotPlainJson, RecursionError):
        event_copy = json_copy(event)

    def context() -> Any:
        if given_context is not None:
            return given_context
        return LambdaContext(name, arn, rid(), timeline, deadline, memory=memory, real=not clock.virtual)

    try:
        if clock.virtual:
            frame = enter_handler(timeline, deadline)
            try:
                result = fn(event_copy, context()) if takes_context(fn) else fn(event_copy)
            finally:
                leave_handler(frame)
            if timeline.now >= deadline:  # it slept to its deadline and swallowed SleptPastDeadline
                raise TaskTimedOut
        elif deadline != NO_DEADLINE:
            result = _call_with_real_deadline(fn, event_copy, context, timeline, deadline)
        else:
            result = _call(fn, event_copy, context)
    except SleptPastDeadline:
        raise TaskTimedOut from None
    except (TaskTimedOut, KeyboardInterrupt, SystemExit):
        raise  # Ctrl-C and sys.exit() stop the whole run, as they would stop the Python program
    except BaseException as exc:  # any other exception, even a BaseException subclass, fails the task
        # the id as known now (spelt if the handler took a context), else its source: nothing of this call kept
        source: str | Callable[[], str] = text if text is not None else request_id if callable(request_id) else rid
        return Invocation(
            None, True, source, _log(log_tail, rid()) if log_tail else None, error=_FunctionError(exc, source)
        )
    if isinstance(result, bytes | bytearray | memoryview):
        return Invocation(bytes(result), False, rid, _log(log_tail, rid()) if log_tail else None)
    try:
        if inspect.iscoroutine(result):
            result.close()  # never awaited, as on Lambda; closed so Python does not warn about it
            raise TypeError(
                f"Object of type coroutine is not JSON serializable (the handler {name} is an async def: Lambda's "
                "Python runtime does not await handlers; make it a plain def and call asyncio.run() inside)"
            )
        # the runtime's json.dumps(result): default separators, ASCII escapes
        body = "".join(_runtime_encoder(result, 0)).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        document = {
            "errorMessage": f"Unable to marshal response: {exc}",
            "errorType": "Runtime.MarshalError",
            "requestId": rid(),
            "stackTrace": [],
        }
        return Invocation(json.dumps(document).encode(), True, rid, _log(log_tail, rid()), document)
    try:
        value = _clone(result)
    except (_NotPlainJson, RecursionError):
        value = json.loads(body)
    return Invocation(body, False, rid, _log(log_tail, rid()) if log_tail else None, value)


def _call_with_real_deadline(
    fn: Callable[..., Any], event: Json, context: Callable[[], Any], timeline: Timeline, deadline: float
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
    payload = invocation.payload_text
    if payload is None:
        payload = invocation.payload
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise StatesError(DATA_LIMIT_EXCEEDED, data_limit_cause(what))
    value = invocation.value_json
    if value is not _UNPARSED or invocation.function_error:
        return invocation.value
    text = payload.decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
        deep = too_deep(value)
    except ValueError:
        return text
    except RecursionError:  # 100,000 nested brackets
        deep = True
    if deep:
        raise StatesError(
            RUNTIME,
            f"The payload of '{what}' nests arrays and objects more than {MAX_DEPTH} levels deep (sfnkit's local "
            "bound).",
        )
    return value


def function_error(invocation: Invocation, *, compact: bool) -> StatesError:
    """The Task failure a function error becomes: error = its ``errorType``, cause = the error document text.

    For a handler's exception (not compact) the cause is spelt out when first read."""
    error = invocation._error
    if error is not None and not compact:
        return StatesError(error.error_type, error)
    document = invocation.value
    if document is _UNPARSED:
        text = invocation.payload.decode("utf-8", errors="replace")
        try:
            document = json.loads(text)
        except ValueError:
            return StatesError("Lambda.Unknown", text)
    if not compact and invocation.value is not _UNPARSED:
        cause = invocation.payload.decode()
        error_type = document.get("errorType")
        return StatesError(error_type if isinstance(error_type, str) else "Lambda.Unknown", cause)
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


# --- the public push-model invoke: fn.invoke(event) --------------------------------------------------------------

MAX_INVOKE_BYTES: Final = 6_291_456  # 6 MiB: Lambda's quota for a synchronous invocation's request and response
_MAX_RESPONSE_BYTES: Final = 6_291_556  # the response's limit as Lambda's error message states it
UNHANDLED: Final = "Unhandled"  # Lambda's FunctionError (X-Amz-Function-Error) for a function error


@attrs.frozen
class InvokeResult:
    """What a synchronous Lambda ``Invoke`` answers: the payload, and whether it is a function error.

    ``payload`` is the response payload's JSON value: what the handler returned (as it came back through JSON), or
    for a function error the error document (``errorType``, ``errorMessage``...). ``raw`` is the payload's bytes
    as Lambda sends them; ``function_error`` is ``"Unhandled"`` for a function error (boto3's ``FunctionError``),
    else None.
    """

    payload: Json
    raw: bytes = attrs.field(repr=False)
    function_error: str | None
    request_id: str

    @property
    def ok(self) -> bool:
        """True unless the invocation ended in a function error (a raised exception, a timeout...)."""
        return self.function_error is None

    @property
    def error_type(self) -> str | None:
        """A function error's ``errorType`` (``"ValueError"``, ``"Sandbox.Timedout"``...), else None."""
        if self.function_error is None or not isinstance(self.payload, dict):
            return None
        error_type = self.payload.get("errorType")
        return error_type if isinstance(error_type, str) else None

    @property
    def error_message(self) -> str | None:
        """A function error's ``errorMessage``, else None."""
        if self.function_error is None or not isinstance(self.payload, dict):
            return None
        message = self.payload.get("errorMessage")
        return message if isinstance(message, str) else None


def _error_result(document: dict[str, Json], request_id: str) -> InvokeResult:
    # the runtime's own errors are spelt by Lambda (Go): compact separators
    raw = json.dumps(document, separators=(",", ":")).encode()
    return InvokeResult(document, raw, UNHANDLED, request_id)


def invoke_function(
    fn: Callable[..., Any],
    event: Json,
    *,
    name: str,
    timeout: float | None = None,
    memory: int | None = None,
    context: object = None,
    clock: ClockName | Clock = "virtual",
    timeline: Timeline | None = None,
    request_id: str | None = None,
) -> InvokeResult:
    """Invoke handler *fn* as Lambda's ``Invoke`` (RequestResponse) would, as the function *name*.

    The event travels as JSON text (a value JSON cannot carry is refused, as boto3 would fail to send it); the
    handler runs under the function's *timeout* (seconds, Lambda's default 3) on *clock*: past it the answer is
    Lambda's ``Sandbox.Timedout`` function error. This is the executor's own :func:`invoke`, with a deadline of
    the function's timeout instead of the Task's. A caller that keeps time (the SQS poller) passes its *timeline*:
    the handler's virtual sleeps advance it.
    """
    try:
        text = json.dumps(event, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise TypeError(
            f"{name}.invoke(event): the event is not JSON ({exc}); Lambda receives JSON text, so pass dicts, lists, "
            "strings, numbers, booleans and None (e.g. str() a datetime, list() a set)."
        ) from None
    if len(text.encode()) > MAX_INVOKE_BYTES:
        raise ValueError(
            f"{name}.invoke(event): the event is {len(text.encode())} bytes; Lambda refuses a synchronous request over "
            f"{MAX_INVOKE_BYTES} bytes (RequestTooLargeException). Pass a reference (an S3 key) instead."
        )
    seconds = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    run_clock = make_clock(clock)
    if timeline is None:
        timeline = Timeline(run_clock.start())
    rid = request_id if request_id is not None else str(uuid.uuid4())
    try:
        invocation = invoke(
            fn,
            json.loads(text),
            name=name,
            arn=lambda_arn(name),
            clock=run_clock,
            timeline=timeline,
            deadline=timeline.now + seconds,
            request_id=rid,
            memory=memory,
            given_context=context,
        )
    except TaskTimedOut:
        # Lambda's answer for a function that ran past its timeout (seen on the managed Python runtimes)
        return _error_result(
            {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"RequestId: {rid} Error: Task timed out after {seconds:.2f} seconds",
            },
            rid,
        )
    raw = invocation.payload
    if len(raw) > _MAX_RESPONSE_BYTES:
        return _error_result(
            {
                "errorMessage": "Response payload size exceeded maximum allowed payload size "
                f"({_MAX_RESPONSE_BYTES} bytes).",
                "errorType": "Function.ResponseSizeTooLarge",
            },
            rid,
        )
    value = invocation.value
    if value is _UNPARSED:
        decoded = raw.decode("utf-8", errors="replace")
        try:
            value = json.loads(decoded)
        except ValueError:
            value = decoded  # a handler that returned bytes that are not JSON
    return InvokeResult(value, raw, UNHANDLED if invocation.function_error else None, rid)
