"""The ``sfnkit`` command: each command through click's runner, and once as a real process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from sfnkit.cli import cli
from sfnkit.cli.base import COMMANDS

ROOT = Path(__file__).resolve().parent.parent

FLOW = '''
from sfnkit import choice, data, fail, lambda_fn, pass_, wait, when, workflow

@lambda_fn
def double(event):
    """Double n."""
    return {"n": event["n"] * 2}

doubler = workflow(
    "Doubler",
    double
    >> wait(seconds=3600, name="Nap")
    >> choice(when(data.n > 100, then=fail(error="TooBig", cause="n went over 100")), otherwise=pass_(name="Done")),
)
fragment = double >> pass_(name="After")
definition = {"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}
number = 3
'''

# Lambda by name and ARN, and an SNS publish: bound from a handlers module (LAMBDAS, SERVICES, @lambda_fn).
ASL = {
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:greet", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "Next": "Shout",
        },
        "Shout": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "Shout", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "Next": "Tell",
        },
        "Tell": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message.$": "$.text"},
            "ResultPath": "$.sns",
            "End": True,
        },
    },
}
HANDLERS = """
import json

from sfnkit import lambda_fn, sqs_trigger

@lambda_fn
def shout(event):
    return {"text": event["text"].upper()}

LAMBDAS = {"greet": lambda event: {"text": "hello " + event["name"]}}
SERVICES = {"arn:aws:states:::sns:publish": lambda params: {"MessageId": "m-" + params["Message"]}}


def named(event, context):
    return {"function": context.function_name, "event": event}


@lambda_fn
def explode(event):
    raise ValueError("no " + event["what"])


@lambda_fn(triggers=[sqs_trigger("cli-orders", batch_size=2)])
def take(event):
    bad = [r["messageId"] for r in event["Records"] if json.loads(r["body"])["qty"] < 1]
    return {"batchItemFailures": [{"itemIdentifier": message} for message in bad]}
"""
INVALID = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Wait", "End": True}}}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_imports: None) -> Path:
    """A folder with a flow module, an ASL file, its handlers and an invalid definition; the current directory."""
    (tmp_path / "cliflow.py").write_text(FLOW)
    (tmp_path / "greeting.asl.json").write_text(json.dumps(ASL, indent=2))
    (tmp_path / "handlers.py").write_text(HANDLERS)
    (tmp_path / "broken.asl.json").write_text(json.dumps(INVALID, indent=2))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, prog_name="sfnkit")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# --- run ------------------------------------------------------------------------------------------------------


def test_run_prints_the_output_as_json(project: Path) -> None:
    """`run module.py:object` prints the execution's output, indented JSON."""
    assert invoke("run", "cliflow.py:doubler", "--input", '{"n": 4}') == (0, '{\n  "n": 8\n}\n', "")


def test_run_reads_input_from_a_file_and_a_dotted_module(project: Path) -> None:
    """`--input @file.json` and `package.module:object` work together."""
    (project / "in.json").write_text('{"n": 21}')
    assert invoke("run", "cliflow:doubler", "--input", "@in.json")[:2] == (0, '{\n  "n": 42\n}\n')


def test_run_reads_input_from_stdin(project: Path) -> None:
    """`--input @-` reads the input from standard input."""
    assert invoke("run", "cliflow.py:doubler", "--input", "@-", input='{"n": 1}')[:2] == (0, '{\n  "n": 2\n}\n')


def test_run_failure_exits_1_with_error_and_cause(project: Path) -> None:
    """A failed execution prints nothing on stdout, its error and cause on stderr, and exits with 1."""
    code, out, err = invoke("run", "cliflow.py:doubler", "--input", '{"n": 60}')
    assert (code, out, err) == (1, "", "Error: execution FAILED: TooBig: n went over 100\n")


def test_run_history_prints_the_events_as_a_table(project: Path) -> None:
    """`--history` shows each event with its state and the virtual time it happened (the hour's Wait)."""
    code, out, _ = invoke("run", "cliflow.py:doubler", "--input", '{"n": 1}', "--history")
    rows = [line for line in out.splitlines() if line.startswith("│")]
    cells = [[cell.strip() for cell in row.strip("│").split("│")] for row in rows]
    assert code == 0
    assert [cell[1] for cell in cells][:2] == ["ExecutionStarted", "TaskStateEntered"]
    assert ["8", "WaitStateExited", "Nap", "3,600,000 ms", '{"n":2}'] in cells
    assert cells[-1][:2] == [str(len(cells)), "ExecutionSucceeded"]
    assert out.endswith('{\n  "n": 2\n}\n')


def test_run_binds_lambdas_and_services_from_a_module(project: Path) -> None:
    """`--lambdas handlers.py`: @lambda_fn by function name, LAMBDAS by name for an ARN, SERVICES by resource."""
    code, out, _ = invoke("run", "greeting.asl.json", "--input", '{"name": "ann"}', "--lambdas", "handlers.py")
    assert (code, json.loads(out)) == (0, {"text": "HELLO ANN", "sns": {"MessageId": "m-HELLO ANN"}})


def test_run_without_handlers_says_how_to_bind_them(project: Path) -> None:
    """An unbound Lambda fails the run, and the message names --lambdas."""
    code, _, err = invoke("run", "greeting.asl.json", "--input", '{"name": "ann"}')
    assert code == 1
    assert "Lambda.ResourceNotFoundException" in err and "--lambdas MODULE" in err


def test_run_seed_makes_random_values_repeat(project: Path) -> None:
    """The same `--seed` gives the same $uuid(); another seed another one."""
    uuid = {
        "QueryLanguage": "JSONata",
        "StartAt": "U",
        "States": {"U": {"Type": "Pass", "Output": "{% $uuid() %}", "End": True}},
    }
    (project / "uuid.json").write_text(json.dumps(uuid))
    first, again, other = (invoke("run", "uuid.json", "--seed", seed)[1] for seed in ("7", "7", "8"))
    assert first == again != other


def test_run_on_the_real_clock(project: Path) -> None:
    """`--clock real` runs (a zero-second Wait sleeps for no time)."""
    asl = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0, "End": True}}}
    (project / "w.json").write_text(json.dumps(asl))
    assert invoke("run", "w.json", "--clock", "real", "--input", "[1]")[:2] == (0, "[\n  1\n]\n")


def test_run_calls_services_on_an_aws_endpoint(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--aws-endpoint-url` sends the service integrations to that endpoint (a moto server here): the SNS publish
    reaches the topic made there; with a --lambdas module's SERVICES as well, it is a usage error."""
    import boto3
    from moto.server import ThreadedMotoServer

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        topic = boto3.client("sns", endpoint_url=endpoint, region_name="us-east-1").create_topic(Name="t")["TopicArn"]
        tell = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True}
        tell["Parameters"] = {"TopicArn": topic, "Message.$": "$.text"}
        (project / "tell.json").write_text(json.dumps({"StartAt": "Tell", "States": {"Tell": tell}}))
        code, out, _ = invoke("run", "tell.json", "--input", '{"text": "hi"}', "--aws-endpoint-url", endpoint)
        both = invoke("run", "tell.json", "--aws-endpoint-url", endpoint, "--lambdas", "handlers.py")
    finally:
        server.stop()
    assert (code, sorted(json.loads(out))) == (0, ["MessageId", "SdkHttpMetadata", "SdkResponseMetadata"])
    assert (both[0], "drop the SERVICES of --lambdas" in both[2]) == (2, True)


MOCKS = {
    "StateMachines": {"Doubler": {"TestCases": {"Big": {"Double": "BigDouble"}, "Small": {"Double": "SmallDouble"}}}},
    "MockedResponses": {
        "BigDouble": {"0": {"Return": {"StatusCode": 200, "Payload": {"n": 500}}}},
        "SmallDouble": {"0": {"Return": {"StatusCode": 200, "Payload": {"n": 7}}}},
    },
}


def test_run_answers_tasks_from_a_mock_config_test_case(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--mock-config FILE --test-case CASE` answers the Tasks as Step Functions Local would (the machine named by
    the flow or before `#`); $SFN_MOCK_CONFIG names the file too."""
    (project / "mocks.json").write_text(json.dumps(MOCKS))
    big = invoke("run", "cliflow.py:doubler", "--mock-config", "mocks.json", "--test-case", "Big")
    assert big == (1, "", "Error: execution FAILED: TooBig: n went over 100\n")
    monkeypatch.setenv("SFN_MOCK_CONFIG", "mocks.json")
    assert invoke("run", "cliflow.py:doubler", "--test-case", "Doubler#Small")[:2] == (0, '{\n  "n": 7\n}\n')


def test_run_test_case_errors(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown test case names the ones the file has; --test-case without a file is a usage error."""
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    (project / "mocks.json").write_text(json.dumps(MOCKS))
    code, _, err = invoke("run", "cliflow.py:doubler", "--mock-config", "mocks.json", "--test-case", "Huge")
    assert (code, "no test case 'Huge' ('Big', 'Small')" in err) == (1, True)
    code, _, err = invoke("run", "cliflow.py:doubler", "--test-case", "Big")
    assert (code, "--test-case needs --mock-config FILE" in err) == (2, True)


def test_run_builds_a_fragment_named_after_its_object(project: Path) -> None:
    """A flow step as TARGET runs as a machine of its own."""
    assert invoke("run", "cliflow.py:fragment", "--input", '{"n": 5}')[:2] == (0, '{\n  "n": 10\n}\n')


# --- export ---------------------------------------------------------------------------------------------------


def test_export_asl_is_the_machines_json(project: Path) -> None:
    """`export` writes the machine's ASL JSON (the default format)."""
    exported = invoke("export", "cliflow.py:doubler")
    assert exported == (0, sys.modules["cliflow"].doubler.to_json() + "\n", "")


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--format", "mermaid"], "flowchart TD"),
        (["--format", "dot"], "digraph"),
        (["--format", "asl"], "{"),
    ],
    ids=["mermaid", "dot", "asl"],
)
def test_export_formats(project: Path, args: list[str], start: str) -> None:
    """`--format` picks Mermaid, DOT or ASL."""
    code, out, _ = invoke("export", "greeting.asl.json", *args)
    assert (code, out.startswith(start), "Greet" in out) == (0, True, True)


def test_export_to_a_file_takes_the_format_from_its_suffix(project: Path) -> None:
    """`-o flow.mmd` writes Mermaid, `-o flow.json` ASL that reads back to the same definition."""
    assert invoke("export", "greeting.asl.json", "-o", "flow.mmd")[:2] == (0, "")
    assert invoke("export", "greeting.asl.json", "-o", "flow.json")[:2] == (0, "")
    assert (project / "flow.mmd").read_text().startswith("flowchart TD")
    assert json.loads((project / "flow.json").read_text()) == ASL


def test_export_of_an_invalid_definition_lists_its_problems(project: Path) -> None:
    """Exporting breaks no rule silently: the validation problems come back, exit 1."""
    code, out, err = invoke("export", "broken.asl.json")
    assert (code, out) == (1, "")
    assert "States.A.Next" in err and "Traceback" not in err


# --- render ---------------------------------------------------------------------------------------------------


@pytest.mark.dot
def test_render_writes_an_svg(project: Path) -> None:
    """`render -o flow.svg` draws the machine."""
    assert invoke("render", "cliflow.py:doubler", "-o", "flow.svg") == (0, "", "")
    svg = (project / "flow.svg").read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "Nap" in svg


@pytest.mark.dot
def test_render_with_input_draws_the_run(project: Path) -> None:
    """With `--input` the run is drawn: the diagram differs from the bare machine's, and a failure is noted."""
    invoke("render", "cliflow.py:doubler", "-o", "bare.svg")
    code, _, err = invoke("render", "cliflow.py:doubler", "-o", "run.svg", "--input", '{"n": 60}')
    assert (code, err) == (0, "note: execution FAILED: TooBig: n went over 100 (drawn in run.svg)\n")
    assert (project / "run.svg").read_text() != (project / "bare.svg").read_text()


def test_render_refuses_an_unknown_picture_format(project: Path) -> None:
    """`-o flow.gif` is a usage error (exit 2) naming the formats."""
    code, _, err = invoke("render", "cliflow.py:doubler", "-o", "flow.gif")
    assert code == 2 and ".svg, .png or .pdf" in err


# --- validate -------------------------------------------------------------------------------------------------


def test_validate_lists_every_problem_as_file_location_message(project: Path) -> None:
    """Each problem is one `file:location: message` line; an invalid file makes the exit code 1."""
    code, out, err = invoke("validate", "greeting.asl.json", "broken.asl.json")
    lines = out.splitlines()
    assert code == 1
    assert lines and all(line.startswith("broken.asl.json:States.") for line in lines)
    assert any(line.startswith("broken.asl.json:States.A.Next: ") for line in lines)
    assert err == "1 of 2 invalid\n"


def test_validate_expands_globs_and_passes_valid_files(project: Path) -> None:
    """A quoted glob is expanded by sfnkit; all valid: exit 0, nothing on stdout."""
    (project / "more").mkdir()
    (project / "more" / "deep.asl.json").write_text(json.dumps(ASL))
    assert invoke("validate", "**/greet*.json", "more/**/*.json") == (0, "", "2 valid\n")


def test_validate_reports_json_syntax_with_line_and_column(project: Path) -> None:
    """Broken JSON is reported at its line and column, as editors read it."""
    (project / "bad.json").write_text('{\n  "StartAt": "A",\n  "States": }\n')
    code, out, _ = invoke("validate", "bad.json")
    assert (code, out) == (1, "bad.json:3:13: not valid JSON: Expecting value\n")


def test_validate_reports_missing_files_and_empty_globs(project: Path) -> None:
    """A missing file and a glob matching nothing are problems too."""
    code, out, _ = invoke("validate", "nope.json", "none/*.json")
    assert (code, out) == (1, "nope.json: no such file\nnone/*.json: no file matches this pattern\n")


def test_validate_json_format_for_tools(project: Path) -> None:
    """`--format json` gives one document per file with its problems."""
    code, out, _ = invoke("validate", "greeting.asl.json", "broken.asl.json", "--format", "json")
    documents = json.loads(out)
    assert code == 1
    assert [(d["file"], d["valid"]) for d in documents] == [("greeting.asl.json", True), ("broken.asl.json", False)]
    assert "States.A.Next" in [problem["location"] for problem in documents[1]["problems"]]


def test_validate_a_python_target(project: Path) -> None:
    """A module.py:object TARGET is validated like a file."""
    assert invoke("validate", "cliflow.py:doubler") == (0, "", "1 valid\n")


def test_pre_commit_hook_runs_sfnkit_validate_on_asl_files() -> None:
    """The hook definition calls `sfnkit validate` on .asl.json files, with click installed for it."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    assert hook["entry"] == "sfnkit validate" and hook["language"] == "python"
    assert any(dependency.startswith("click") for dependency in hook["additional_dependencies"])
    assert [bool(pattern.search(name)) for name in ("sm/order.asl.json", "package.json")] == [True, False]


# --- import ---------------------------------------------------------------------------------------------------


def test_import_writes_python_that_builds_the_same_definition(project: Path) -> None:
    """`import FILE.json -o flow.py` writes sfnkit source whose `machine` exports the original ASL."""
    assert invoke("import", "greeting.asl.json", "-o", "imported.py") == (0, "", "")
    namespace: dict[str, Any] = {}
    exec(compile((project / "imported.py").read_text(), "imported.py", "exec"), namespace)
    assert (namespace["machine"].name, namespace["machine"].to_asl()) == ("greeting", ASL)


def test_import_names_the_workflow_and_prints_to_stdout(project: Path) -> None:
    """`--name` names the workflow; without -o the source goes to standard output."""
    code, out, _ = invoke("import", "greeting.asl.json", "--name", "Greeter")
    assert (code, 'workflow(\n    "Greeter",' in out or 'workflow("Greeter",' in out) == (0, True)


def test_import_of_a_missing_or_invalid_file_is_one_error(project: Path) -> None:
    """A missing file and an invalid definition are one message each, exit 1."""
    assert invoke("import", "nope.json") == (
        1,
        "",
        "Error: nope.json: no such file; sfnkit import reads an ASL .json file\n",
    )
    code, _, err = invoke("import", "broken.asl.json")
    assert (code, "States.A.Next" in err, "Traceback" in err) == (1, True, False)


# --- invoke and poll ------------------------------------------------------------------------------------------


def test_invoke_prints_what_the_function_returns(project: Path) -> None:
    """`invoke module.py:fn --event JSON` prints the payload; a plain handler gets a Lambda context."""
    assert invoke("invoke", "handlers.py:shout", "--event", '{"text": "hi"}') == (0, '{\n  "text": "HI"\n}\n', "")
    code, out, _ = invoke("invoke", "handlers:named")
    assert (code, json.loads(out)) == (0, {"function": "named", "event": {}})


def test_invoke_function_error_exits_1(project: Path) -> None:
    """An exception in the handler is a function error: its type and message on stderr, exit 1."""
    code, out, err = invoke("invoke", "handlers.py:explode", "--event", '{"what": "fire"}')
    assert (code, out, err) == (1, "", "Error: function error (Unhandled): ValueError: no fire\n")


def test_invoke_needs_a_function(project: Path) -> None:
    """A TARGET that names no callable is one error."""
    code, _, err = invoke("invoke", "handlers.py:SERVICES")
    assert (code, err) == (1, "Error: handlers.py:SERVICES is a dict; FUNCTION must name a @lambda_fn or a handler\n")


def orders_queue(sqs: Any, *quantities: int) -> str:
    """The `cli-orders` queue with one order per quantity (a dead-letter queue after 2 receives)."""
    dlq = sqs.create_queue(QueueName="cli-orders-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 2})
    url: str = sqs.create_queue(QueueName="cli-orders", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    for quantity in quantities:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"qty": quantity}))
    return url


def test_poll_drains_the_functions_queue(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`poll module.py:fn` feeds the function's sqs_trigger queue (here moto's, in this process) until drained;
    the bad order is tried twice, then dead-lettered."""
    import boto3
    from moto import mock_aws

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        orders_queue(boto3.client("sqs", region_name="us-east-1"), 1, 0, 2)
        code, out, _ = invoke("poll", "handlers.py:take", "--region", "us-east-1")
    assert (code, out) == (0, "4 received in 3 batches: 2 succeeded, 2 failed, 1 dead-lettered\n")


# --- deploy and destroy ---------------------------------------------------------------------------------------


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in this process, with credentials it accepts."""
    from moto import mock_aws

    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def test_deploy_then_again_then_destroy(project: Path, aws: None) -> None:
    """`deploy` creates the function, roles, layer and machine and prints the ARN; a second deploy changes
    nothing; `destroy --yes` deletes all it created."""
    code, first, _ = invoke("deploy", "cliflow.py:doubler", "--region", "us-east-1", "--tag", "team=dragons")
    again = invoke("deploy", "cliflow.py:doubler", "--region", "us-east-1", "--tag", "team=dragons")[1]
    gone = invoke("destroy", "cliflow.py:doubler", "--region", "us-east-1", "--yes")
    assert code == 0
    assert [line.split()[0] for line in first.splitlines()] == ["create"] * 5 + ["state"]
    assert first.splitlines()[-1] == "state machine: arn:aws:states:us-east-1:123456789012:stateMachine:Doubler"
    assert [line.split()[0] for line in again.splitlines()] == ["unchanged"] * 5 + ["state"]
    assert (gone[0], [line.split()[0] for line in gone[1].splitlines()]) == (0, ["deleted"] * 5)


def test_deploy_dry_run_changes_nothing(project: Path, aws: None) -> None:
    """`--dry-run` says what would be created and prints no ARN; destroy then finds nothing."""
    code, out, _ = invoke("deploy", "cliflow.py:doubler", "--region", "us-east-1", "--dry-run")
    assert (code, out.splitlines()[0].split()[:2]) == (0, ["would", "create"])
    assert invoke("destroy", "cliflow.py:doubler", "--region", "us-east-1", "--yes")[:2] == (0, "nothing to delete\n")


def test_destroy_asks_first(project: Path, aws: None) -> None:
    """Without --yes, destroy asks; any answer but yes stops it (exit 1, "Aborted")."""
    result = CliRunner().invoke(cli, ["destroy", "cliflow.py:doubler", "--region", "us-east-1"], input="n\n")
    assert (result.exit_code, "Delete what sfnkit deployed for Doubler on us-east-1?" in result.output) == (1, True)


def test_deploy_tag_must_be_key_value(project: Path) -> None:
    """A --tag without = is a usage error."""
    code, _, err = invoke("deploy", "cliflow.py:doubler", "--tag", "team")
    assert (code, "'team': write KEY=VALUE" in err) == (2, True)


def test_aws_errors_are_user_errors() -> None:
    """botocore's errors (no credentials, access denied) read as what AWS said, not as a bug of sfnkit."""
    from botocore.exceptions import NoCredentialsError

    from sfnkit.cli.base import one_line

    assert one_line(NoCredentialsError()) == (
        "AWS: Unable to locate credentials (configure them: aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID)"
    )


def test_export_sam_template(project: Path) -> None:
    """`export --format sam` prints the template; with -o DIR it writes template.json and the zips there."""
    code, out, _ = invoke("export", "cliflow.py:doubler", "--format", "sam")
    resources = json.loads(out)["Resources"]
    assert (code, resources["Double"]["Type"]) == (0, "AWS::Serverless::Function")
    assert invoke("export", "cliflow.py:doubler", "--format", "cloudformation", "-o", "build")[:2] == (0, "")
    written = json.loads((project / "build" / "template.json").read_text())["Resources"]
    assert (written["Double"]["Type"], written["StateMachine"]["Type"]) == (
        "AWS::Lambda::Function",
        "AWS::StepFunctions::StateMachine",
    )


# --- errors and help ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.py:flow", "Error: missing.py: no such file\n"),
        ("missing.asl.json", "Error: missing.asl.json: no such file; TARGET is an ASL .json file"),
        ("no_such_module:flow", "Error: no module named 'no_such_module'"),
        ("cliflow.py:nothing", "Error: cliflow.py has no 'nothing'; its state machines: doubler\n"),
        ("cliflow.py:number", "Error: cliflow.py:number is a int; TARGET must name a StateMachine"),
        ("cliflow.py", None),  # the one machine of the module
        ("handlers.py", "Error: handlers.py defines no StateMachine; name the object to use: handlers.py:object\n"),
        ("cliflow.py:definition", None),  # an ASL dict
    ],
    ids=["no-file", "no-asl-file", "no-module", "no-object", "not-a-machine", "only-one", "none", "dict"],
)
def test_targets(project: Path, target: str, message: str | None) -> None:
    """TARGET errors are one line on stderr with exit 1; the forms that name a machine run."""
    code, _, err = invoke("export", target)
    if message is None:
        assert (code, err) == (0, "")
    else:
        assert (code, err.startswith(message), err.count("\n")) == (1, True, 1)


def test_a_module_that_raises_on_import_names_its_line(project: Path) -> None:
    """An exception in the user's module becomes one message naming the file and line."""
    (project / "oops.py").write_text("x = 1\nraise RuntimeError('boom')\n")
    code, _, err = invoke("export", "oops.py:x")
    assert code == 1
    assert re.fullmatch(r"Error: importing oops\.py failed: RuntimeError: boom \(.*oops\.py, line 2\)\n", err)


def test_debug_lets_the_exception_through(project: Path) -> None:
    """With --debug the original exception propagates (click then prints its traceback)."""
    from sfnkit.errors import TargetError

    result = CliRunner().invoke(cli, ["--debug", "export", "missing.py:flow"])
    assert (result.exit_code, type(result.exception)) == (1, TargetError)


def test_usage_errors_exit_2(project: Path) -> None:
    """An unknown option, a missing argument, bad --input JSON: exit 2 with click's usage message."""
    assert invoke("run", "--nope")[0] == 2
    assert invoke("export")[0] == 2
    code, _, err = invoke("run", "cliflow.py:doubler", "--input", "{oops")
    assert (code, "--input is not valid JSON" in err) == (2, True)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(command: str) -> None:
    """`sfnkit COMMAND --help` explains it with an example invocation."""
    code, out, _ = invoke(command, "--help")
    assert code == 0 and re.search(rf"Examples?:\n\s+sfnkit {command} ", out)


def test_every_listed_command_exists_in_its_module() -> None:
    """Each COMMANDS entry names a module whose @cli.command() defines the command, with that one-line help."""
    with click.Context(cli) as context:
        found = {name: cli.get_command(context, name) for name in COMMANDS}
    assert {name: (command.name, command.short_help) for name, command in found.items() if command} == {
        name: (name, short) for name, (_, short) in COMMANDS.items()
    }


def test_version() -> None:
    """`sfnkit --version` names the installed version."""
    from importlib.metadata import version

    assert invoke("--version") == (0, f"sfnkit {version('sfnkit')}\n", "")


# --- real processes -------------------------------------------------------------------------------------------


def sfnkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sfnkit ARGS`` as a separate process (with credentials a local AWS endpoint accepts)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    command = [sys.executable, "-m", "sfnkit", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("args", "code", "out"),
    [
        (["run", "greeting.asl.json", "--input", '{"name": "x"}', "--lambdas", "handlers.py"], 0, '"HELLO X"'),
        (["run", "cliflow.py:doubler", "--input", '{"n": 60}'], 1, ""),
        (["export", "cliflow:doubler", "--format", "mermaid"], 0, "flowchart TD"),
        (["validate", "*.asl.json"], 1, "broken.asl.json:States.A.Next: "),
        (["import", "greeting.asl.json"], 0, "machine = workflow("),
        (["invoke", "handlers.py:shout", "--event", '{"text": "a"}'], 0, '"A"'),
    ],
    ids=["run", "run-fails", "export", "validate", "import", "invoke"],
)
def test_commands_as_real_processes(project: Path, args: list[str], code: int, out: str) -> None:
    """`python -m sfnkit` runs each command in a process of its own, with the exit codes and streams promised."""
    done = sfnkit(*args, cwd=project)
    assert (done.returncode, out in done.stdout, "Traceback" in done.stderr) == (code, True, False)


@pytest.mark.dot
def test_render_as_a_real_process(project: Path) -> None:
    """`sfnkit render` writes the picture from a process of its own."""
    done = sfnkit("render", "cliflow.py:doubler", "-o", "flow.png", cwd=project)
    assert (done.returncode, (project / "flow.png").read_bytes()[:8]) == (0, b"\x89PNG\r\n\x1a\n")


def test_console_script_and_help_stay_light(tmp_path: Path) -> None:
    """The `sfnkit` console script answers --help (without click: tests/test_cli_top.py); click's group loads
    nothing beyond `import sfnkit`, click (and the standard modules click formats help with) and sfnkit.cli: not
    rich, not the engine, not json or glob (the commands import them when they run)."""
    script = Path(sys.executable).with_name("sfnkit")
    assert subprocess.run([script, "--help"], capture_output=True, text=True, check=True).stdout.startswith("Usage:")
    code = (
        "import sys; import sfnkit, click; before = set(sys.modules)\n"
        "from sfnkit.cli import cli\n"
        "try: cli(['--help'], prog_name='sfnkit')\n"
        "except SystemExit: pass\n"
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    added = done.stdout.splitlines()[-1].split()
    foreign = [m for m in added if m.split(".")[0] not in (*sys.stdlib_module_names, "click", "sfnkit")]
    ours = [m for m in added if m.split(".")[0] == "sfnkit" and not m.startswith("sfnkit.cli")]
    lazy = [m for m in added if m.split(".")[0] in ("json", "glob", "rich", "attrs", "attr", "shutil")]
    assert (foreign, ours, lazy, sorted(m for m in added if m.startswith("sfnkit"))) == (
        [],
        [],
        [],
        ["sfnkit.cli", "sfnkit.cli.base", "sfnkit.cli.top"],  # the commands' modules load when a command runs
    )


def test_help_fits_the_terminal(tmp_path: Path) -> None:
    """Help is wrapped to the terminal's width ($COLUMNS here), as click would (its formatter, sized without
    shutil)."""
    env = {**os.environ, "COLUMNS": "60"}
    done = subprocess.run(
        [sys.executable, "-m", "sfnkit", "--help"], capture_output=True, text=True, env=env, check=True, cwd=tmp_path
    )
    widths = [len(line) for line in done.stdout.splitlines()]
    assert (max(widths) <= 58, max(widths) > 50) == (True, True)


def test_a_target_file_never_replaces_an_imported_module(project: Path) -> None:
    """A flow file named like a module already imported (here `json.py`) loads beside it, not over it."""
    (project / "json.py").write_text(FLOW)
    assert invoke("run", "json.py:doubler", "--input", '{"n": 1}')[:2] == (0, '{\n  "n": 2\n}\n')
    assert sys.modules["json"] is json


def test_validating_many_files_on_a_terminal_shows_progress() -> None:
    """A progress bar is drawn on a terminal for many files, and nothing on a pipe or for a few."""
    import io

    from sfnkit.cli.flows import _with_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    names = [f"m{i}.json" for i in range(30)]
    terminal, pipe = Terminal(), io.StringIO()
    assert list(_with_progress(names, "Validating", terminal)) == names
    assert list(_with_progress(names, "Validating", pipe)) == names
    assert list(_with_progress(names[:3], "Validating", terminal)) == names[:3]
    assert ("Validating" in terminal.getvalue(), pipe.getvalue()) == (True, "")


def test_poll_as_a_real_process_against_a_moto_server(project: Path) -> None:
    """`sfnkit poll --endpoint-url` in a process of its own drains a queue of a moto server on 127.0.0.1."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        orders_queue(boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", **keys), 1, 1, 1)
        done = sfnkit("poll", "handlers.py:take", "--endpoint-url", endpoint, cwd=project)
    finally:
        server.stop()
    assert (done.returncode, done.stdout) == (0, "3 received in 2 batches: 3 succeeded, 0 failed, 0 dead-lettered\n")


def test_deploy_and_destroy_as_real_processes_against_a_moto_server(project: Path) -> None:
    """`sfnkit deploy` and `sfnkit destroy --yes`, each in a process of its own, against a moto server."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        where = ["--endpoint-url", f"http://{host}:{port}", "--region", "us-east-1"]
        deployed = sfnkit("deploy", "cliflow.py:doubler", *where, cwd=project)
        destroyed = sfnkit("destroy", "cliflow.py:doubler", *where, "--yes", cwd=project)
    finally:
        server.stop()
    assert (deployed.returncode, deployed.stdout.splitlines()[-1].startswith("state machine: arn:aws:states:")) == (
        0,
        True,
    )
    assert (destroyed.returncode, len(destroyed.stdout.splitlines())) == (0, 5)
