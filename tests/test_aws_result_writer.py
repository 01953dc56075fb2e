"""A Distributed Map's ``ResultWriter`` through ``sfnkit.aws()`` on moto in this process.

The formats are AWS's, from the Step Functions developer guide, "ResultWriter (Map)"
(https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html): the Map's result is
``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key": "<Prefix>/<MapRunId>/manifest.json"}}``; the manifest has
``DestinationBucket``, ``MapRunArn`` and ``ResultFiles`` (``FAILED``/``PENDING``/``SUCCEEDED`` lists of ``Key`` and
``Size``); each result file holds the child executions of one status as DescribeExecution tells them
(``Transformation: NONE``, the default with S3), or their outputs (``COMPACT``, ``FLATTEN``), as a JSON array or
JSON Lines (``OutputType``).
"""

from __future__ import annotations

import json
from typing import Any

import sfnkit
from sfnkit.cloud.services import AwsServices


def _machine(writer: dict[str, Any], *, tolerated: int | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Map",
        "Label": "Double",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Check",
            "States": {
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.n", "NumericLessThan": 0, "Next": "Refuse"}],
                    "Default": "Double",
                },
                "Refuse": {"Type": "Fail", "Error": "Negative", "Cause": "n < 0"},
                "Double": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"}, "End": True},
            },
        },
        "ItemsPath": "$.items",
        "ResultWriter": writer,
        "End": True,
    }
    if tolerated is not None:
        state["ToleratedFailureCount"] = tolerated
    return {"StartAt": "Work", "States": {"Work": state}}


def _read(services: AwsServices, bucket: str, key: str) -> str:
    text: str = services.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return text


def test_result_files_and_manifest_are_written_where_aws_writes_them() -> None:
    with sfnkit.aws() as services:
        services.client("s3").create_bucket(Bucket="out")
        writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "runs"}}
        execution = sfnkit.run(
            _machine(writer, tolerated=1), {"items": [{"n": 1}, {"n": -1}, {"n": 3}]}, services=services, seed=7
        )
        assert execution.status == "SUCCEEDED", execution.cause
        out = execution.output
        run_arn = out["MapRunArn"]
        run_id = run_arn.rsplit(":", 1)[1]
        assert run_arn.startswith("arn:aws:states:us-east-1:") and ":mapRun:StateMachine/Double:" in run_arn
        assert out["ResultWriterDetails"] == {"Bucket": "out", "Key": f"runs/{run_id}/manifest.json"}
        manifest = json.loads(_read(services, "out", f"runs/{run_id}/manifest.json"))
        succeeded_text = _read(services, "out", f"runs/{run_id}/SUCCEEDED_0.json")
        failed_text = _read(services, "out", f"runs/{run_id}/FAILED_0.json")
        listed = services.client("s3").list_objects_v2(Bucket="out")["Contents"]
    assert manifest == {
        "DestinationBucket": "out",
        "MapRunArn": run_arn,
        "ResultFiles": {
            "FAILED": [{"Key": f"runs/{run_id}/FAILED_0.json", "Size": len(failed_text.encode())}],
            "PENDING": [],
            "SUCCEEDED": [{"Key": f"runs/{run_id}/SUCCEEDED_0.json", "Size": len(succeeded_text.encode())}],
        },
    }
    assert sorted(o["Key"] for o in listed) == [
        f"runs/{run_id}/{name}" for name in ("FAILED_0.json", "SUCCEEDED_0.json", "manifest.json")
    ]
    succeeded = json.loads(succeeded_text)
    assert [json.loads(e["Output"]) for e in succeeded] == [{"twice": 2}, {"twice": 6}]
    first = succeeded[0]
    machine_arn = run_arn.replace(":mapRun:", ":stateMachine:").rsplit(":", 1)[0]
    assert first["StateMachineArn"] == machine_arn
    assert first["ExecutionArn"] == f"{machine_arn.replace(':stateMachine:', ':execution:')}:{first['Name']}"
    assert first["Input"] == '{"n":1}' and first["InputDetails"] == {"Included": True}
    assert first["Status"] == "SUCCEEDED" and first["OutputDetails"] == {"Included": True}
    assert first["RedriveStatus"] == "NOT_REDRIVABLE"
    assert first["StartDate"].endswith("Z") and "T" in first["StartDate"]
    [failed] = json.loads(failed_text)
    assert (failed["Status"], failed["Error"], failed["Cause"]) == ("FAILED", "Negative", "n < 0")
    assert "Output" not in failed


def test_writer_config_compact_flatten_and_json_lines() -> None:
    """WriterConfig alone: the formatted results are the Map's result; with S3, the files hold them."""
    config = {"WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}
    execution = sfnkit.run(_machine(config), {"items": [{"n": 1}, {"n": 2}]})
    assert execution.output == [{"twice": 2}, {"twice": 4}]
    flatten = _machine({"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}})
    flatten["States"]["Work"]["ItemProcessor"]["States"]["Double"]["Parameters"] = {"pair.$": "States.Array($.n, $.n)"}
    flatten["States"]["Work"]["ItemProcessor"]["States"]["Double"]["OutputPath"] = "$.pair"
    assert sfnkit.run(flatten, {"items": [{"n": 1}, {"n": 2}]}).output == [1, 1, 2, 2]
    with sfnkit.aws() as services:
        services.client("s3").create_bucket(Bucket="out")
        writer = {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket.$": "$.bucket"},
            "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"},
        }
        execution = sfnkit.run(_machine(writer), {"items": [{"n": 1}, {"n": 2}], "bucket": "out"}, services=services)
        key = execution.output["ResultWriterDetails"]["Key"]
        assert key.count("/") == 1  # no Prefix: <MapRunId>/manifest.json
        text = _read(services, "out", key.replace("manifest.json", "SUCCEEDED_0.json"))
    assert text == '{"twice":2}\n{"twice":4}\n'


def test_a_missing_bucket_fails_the_map_with_result_writer_failed() -> None:
    with sfnkit.aws() as services:
        writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "nowhere", "Prefix": "p"}}
        machine = _machine(writer)
        machine["States"]["Work"]["Catch"] = [{"ErrorEquals": ["States.ResultWriterFailed"], "Next": "Caught"}]
        machine["States"]["Caught"] = {"Type": "Pass", "End": True}
        execution = sfnkit.run(machine, {"items": [{"n": 1}]}, services=services)
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "States.ResultWriterFailed"
    assert "s3://nowhere/p/" in execution.output["Cause"] and "NoSuchBucket" in execution.output["Cause"]


def test_without_a_writer_service_the_error_says_what_to_bind() -> None:
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out"}}
    execution = sfnkit.run(_machine(writer), {"items": [{"n": 1}]})
    assert execution.status == "FAILED" and execution.error == "States.Runtime"
    assert "services=sfnkit.aws()" in str(execution.cause)
    written: list[dict[str, Any]] = []
    plain = sfnkit.run(
        _machine(writer),
        {"items": [{"n": 1}]},
        services={"arn:aws:states:::s3:putObject": lambda params: written.append(params) or {}},
    )
    assert plain.status == "SUCCEEDED"
    assert [p["Key"].rsplit("/", 1)[1] for p in written] == ["SUCCEEDED_0.json", "manifest.json"]


def test_a_jsonata_result_writer_takes_its_bucket_from_arguments() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Map",
                "Items": "{% $states.input.items %}",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Same",
                    "States": {"Same": {"Type": "Pass", "End": True}},
                },
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Arguments": {"Bucket": "{% $states.input.bucket %}", "Prefix": "j"},
                },
                "End": True,
            }
        },
    }
    with sfnkit.aws() as services:
        services.client("s3").create_bucket(Bucket="json-bucket")
        execution = sfnkit.run(machine, {"items": [1, 2], "bucket": "json-bucket"}, services=services)
        details = execution.output["ResultWriterDetails"]
        written = json.loads(
            _read(services, "json-bucket", details["Key"].replace("manifest.json", "SUCCEEDED_0.json"))
        )
    assert details["Bucket"] == "json-bucket" and details["Key"].startswith("j/")
    assert [e["Output"] for e in written] == ["1", "2"]


def test_items_read_from_s3_and_results_written_even_when_the_tolerance_is_exceeded() -> None:
    """The results are exported whatever the Map Run's outcome; then the Map fails with the threshold error."""
    with sfnkit.aws() as services:
        s3 = services.client("s3")
        s3.create_bucket(Bucket="data")
        s3.put_object(Bucket="data", Key="in.json", Body=json.dumps([{"n": 2}, {"n": -1}, {"n": -2}]).encode())
        machine = _machine(
            {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "data", "Prefix": "out"}},
            tolerated=1,
        )
        work = machine["States"]["Work"]
        del work["ItemsPath"]
        work["ItemReader"] = {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "data", "Key": "in.json"},
        }
        execution = sfnkit.run(machine, {}, services=services)
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="data", Prefix="out/")["Contents"])
        failed = json.loads(_read(services, "data", next(k for k in keys if k.endswith("FAILED_0.json"))))
    assert execution.status == "FAILED" and execution.error == "States.ExceedToleratedFailureThreshold"
    assert [k.rsplit("/", 1)[1] for k in keys] == ["FAILED_0.json", "SUCCEEDED_0.json", "manifest.json"]
    assert [json.loads(e["Input"]) for e in failed] == [{"n": -1}, {"n": -2}]
