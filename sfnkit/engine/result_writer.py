"""A Distributed Map's ``ResultWriter``: the child executions' results, formatted by ``WriterConfig`` and, with a
``Resource`` (``arn:aws:states:::s3:putObject``), written where AWS writes them.

AWS (Step Functions developer guide, "ResultWriter (Map)"): results are grouped by status into
``<Prefix>/<MapRunId>/SUCCEEDED_0.json``, ``FAILED_0.json`` and ``PENDING_0.json`` (a file only for a status that has
executions), then ``<Prefix>/<MapRunId>/manifest.json`` lists them (``DestinationBucket``, ``MapRunArn``,
``ResultFiles`` with each file's ``Key`` and ``Size``), and the Map's result is ``{"MapRunArn", "ResultWriterDetails":
{"Bucket", "Key"}}`` naming the manifest. Each entry is the child execution as ``DescribeExecution`` tells it
(``Transformation: NONE``, the default when writing), or its output alone (``COMPACT``; ``FLATTEN`` also spreads an
array output) — a failed execution always keeps its full entry. The write goes through the service bound under the
resource (``sfnkit.aws()`` binds S3's PutObject), so the engine stays free of any SDK.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from sfnkit.asl import dataflow as df
from sfnkit.asl.failures import RESULT_WRITER_FAILED, RUNTIME, StatesError
from sfnkit.asl.scope import Json

__all__ = ["Child", "entries", "write_results"]

PUT_OBJECT = "arn:aws:states:::s3:putObject"
_STATUSES = ("FAILED", "PENDING", "SUCCEEDED")  # the manifest lists them in this order


class Child:
    """One child execution of a Map Run, as the result files describe it."""

    __slots__ = ("cause", "error", "input", "name", "output", "start", "status", "stop")

    def __init__(self, name: str, input: Json, start: float) -> None:
        self.name = name
        self.input = input
        self.start = start
        self.stop = start
        self.status = "PENDING"
        self.output: Json = None
        self.error: str | None = None
        self.cause: str | None = None


def _instant(t: float) -> str:
    """A time as Java's ``Instant.toString()`` writes it (milliseconds, left out when zero)."""
    moment = dt.datetime.fromtimestamp(round(t, 3), tz=dt.UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def _described(child: Child, machine_arn: str, execution_prefix: str) -> dict[str, Json]:
    entry: dict[str, Json] = {}
    if child.status == "FAILED":
        if child.cause is not None:
            entry["Cause"] = child.cause
        if child.error is not None:
            entry["Error"] = child.error
    entry.update(
        ExecutionArn=f"{execution_prefix}:{child.name}",
        Input=df.json_text(child.input),
        InputDetails={"Included": True},
        Name=child.name,
    )
    if child.status == "SUCCEEDED":
        entry.update(Output=df.json_text(child.output), OutputDetails={"Included": True})
        entry.update(
            RedriveCount=0,
            RedriveStatus="NOT_REDRIVABLE",
            RedriveStatusReason="Execution is SUCCEEDED and cannot be redriven",
        )
    elif child.status == "FAILED":
        entry.update(RedriveCount=0, RedriveStatus="REDRIVABLE_BY_MAP_RUN")
    entry["StartDate"] = _instant(child.start)
    entry["StateMachineArn"] = machine_arn
    entry["Status"] = child.status
    if child.status != "PENDING":
        entry["StopDate"] = _instant(child.stop)
    return entry


def entries(children: Sequence[Child], transformation: str, map_run_arn: str) -> list[Json]:
    """The results as ``Transformation`` shapes them (a failed child always keeps its full entry)."""
    # a Map Run's children run a state machine named <machine>/<label>, their executions under it
    machine_arn = map_run_arn.replace(":mapRun:", ":stateMachine:", 1).rsplit(":", 1)[0]
    execution_prefix = machine_arn.replace(":stateMachine:", ":execution:", 1)
    out: list[Json] = []
    for child in children:
        if transformation == "NONE" or child.status != "SUCCEEDED":
            out.append(_described(child, machine_arn, execution_prefix))
        elif transformation == "FLATTEN" and isinstance(child.output, list):
            out.extend(child.output)
        else:
            out.append(child.output)
    return out


def _text(values: list[Json], output_type: str) -> str:
    if output_type == "JSONL":
        return "".join(df.json_text(v) + "\n" for v in values)
    return df.json_text(values)


def write_results(
    put: Callable[[Json], Json] | None,
    target: Mapping[str, Json],
    config: Mapping[str, Json],
    children: Sequence[Child],
    *,
    map_run_arn: str,
    state: str,
) -> Json:
    """Write the result files and the manifest through *put* (S3 PutObject's parameters); the Map's result.

    Raises:
        StatesError: ``States.ResultWriterFailed`` when a write fails (no bucket, no access...); ``States.Runtime``
            when nothing is bound to write with, or ``Bucket`` is not a string.
    """
    if put is None:
        raise StatesError(
            RUNTIME,
            f"No service is bound to the ResultWriter resource '{PUT_OBJECT}' (state '{state}'): run with "
            f"services=sfnkit.aws(), or pass services={{'{PUT_OBJECT}': callable}} to sfnkit.run(); the callable "
            "receives {'Bucket', 'Key', 'Body'} (the file's text).",
        )
    bucket = target.get("Bucket")
    if not isinstance(bucket, str) or not bucket:
        raise StatesError(
            RUNTIME,
            f"The ResultWriter of state '{state}' needs a Bucket name (a string), got {df.json_text(bucket)}: "
            'write "Parameters" (JSONPath) or "Arguments" (JSONata) as {"Bucket": "my-bucket", "Prefix": "results"}',
        )
    prefix = target.get("Prefix")
    run_id = map_run_arn.rsplit(":", 1)[-1]
    folder = f"{prefix}/{run_id}" if isinstance(prefix, str) and prefix else run_id
    transformation = str(config.get("Transformation") or "NONE")
    output_type = str(config.get("OutputType") or "JSON")
    files: dict[str, list[Json]] = {status: [] for status in _STATUSES}

    def write(key: str, body: str) -> None:
        try:
            put({"Bucket": bucket, "Key": key, "Body": body})
        except StatesError as err:
            raise StatesError(
                RESULT_WRITER_FAILED,
                f"Step Functions could not write the Map Run results of state '{state}' to s3://{bucket}/{key}: "
                f"{err.error}: {err.cause}",
            ) from None

    for status in ("SUCCEEDED", "FAILED", "PENDING"):
        group = [c for c in children if c.status == status]
        if not group:
            continue
        key = f"{folder}/{status}_0.json"
        body = _text(entries(group, transformation, map_run_arn), output_type)
        write(key, body)
        files[status].append({"Key": key, "Size": len(body.encode())})
    manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
    manifest_key = f"{folder}/manifest.json"
    write(manifest_key, df.json_text(manifest))
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}
