"""Step Functions Local's MockConfigFile, read as is: AWS's documented example runs as the guide describes it,
every field of the format is read, and a malformed file is reported problem by problem.

Format: AWS Step Functions developer guide, "Configuration file for mocked service integrations"
(sfn-local-mock-cfg-file); the example and its three test cases: "Using mocked service integrations for testing
in Step Functions Local" (sfn-local-test-sm-exec). Both files are in tests/testing/fixtures (see its README).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sfnkit
from sfnkit import MockConfig, MockConfigError, from_asl, run
from sfnkit.testing import MockedResponse, Return, Throw

FIXTURES = Path(__file__).parent / "fixtures"
CONFIG = MockConfig.load(FIXTURES / "MockConfigFile.json")
MACHINE = from_asl((FIXTURES / "LambdaSQSIntegration.asl.json").read_text())
SQS_RESULT = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}
LAMBDA_RESULT = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}


def _failures(execution: sfnkit.Execution) -> list[str]:
    return [e["taskFailedEventDetails"]["error"] for e in execution.history if e["type"] == "TaskFailed"]


def test_the_documented_example_is_read():
    """AWS's example: one state machine, three test cases, four mocked responses."""
    assert (
        sfnkit.MockConfig is MockConfig,
        sorted(CONFIG.test_cases["LambdaSQSIntegration"]),
        sorted(CONFIG.responses),
    ) == (
        True,
        ["HappyPath", "HybridPath", "RetryPath"],
        ["LambdaMockedResourceNotReady", "MockedLambdaRetry", "MockedLambdaSuccess", "MockedSQSSuccess"],
    )


def test_happy_path_returns_the_mocked_results():
    """HappyPath: LambdaState and SQSState answer with their Return; the SQS result is the output."""
    execution = run(MACHINE, {"hoge": "moge"}, mocks=CONFIG.test_case("LambdaSQSIntegration", "HappyPath"))
    assert (execution.status, execution.path, execution.output, execution.state("LambdaState").output) == (
        "SUCCEEDED",
        ("LambdaState", "SQSState"),
        SQS_RESULT,
        LAMBDA_RESULT,  # the whole mocked Invoke response: the state has no OutputPath
    )


def test_retry_path_consumes_one_response_per_attempt():
    """RetryPath: "0" and "1-2" throw, "3" returns; Retry (States.ALL, 2 s, backoff 2) sees each error."""
    execution = run(MACHINE, {}, mocks=CONFIG.test_case("LambdaSQSIntegration", "RetryPath"))
    assert (execution.status, _failures(execution), execution.duration, execution.output) == (
        "SUCCEEDED",
        ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"],
        2 + 4 + 8,
        SQS_RESULT,
    )


def test_hybrid_path_calls_what_is_not_mocked():
    """HybridPath mocks LambdaState only: SQSState calls the service bound to it."""
    sent: list[object] = []

    def send(parameters: dict[str, object]) -> dict[str, str]:
        sent.append(parameters)
        return {"MessageId": "real"}

    execution = run(
        MACHINE,
        {"a": 1},
        mocks=CONFIG.test_case("LambdaSQSIntegration", "HybridPath"),
        services={"arn:aws:states:::sqs:sendMessage": send},
    )
    assert (execution.output, sent) == (
        {"MessageId": "real"},
        [{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue", "MessageBody": LAMBDA_RESULT}],
    )


def test_a_mock_out_of_responses_fails_the_execution():
    """Every invocation needs a response: the fourth attempt finds none (AWS: "the state machine execution will
    fail"), and States.Runtime is not retried."""
    config = MockConfig.from_dict(
        {
            "StateMachines": {"M": {"TestCases": {"T": {"LambdaState": "AlwaysBusy"}}}},
            "MockedResponses": {"AlwaysBusy": {"0-2": {"Throw": {"Error": "Busy", "Cause": "try later"}}}},
        }
    )
    execution = run(MACHINE, {}, mocks=config.test_case("M", "T"))
    assert (execution.status, execution.error, _failures(execution)) == (
        "FAILED",
        "States.Runtime",
        ["Busy", "Busy", "Busy", "States.Runtime"],
    )
    assert "invoked for the 4th time (invocation 3), but the mocked response 'AlwaysBusy' answers invocations 0-2" in (
        execution.cause or ""
    )


def test_every_field_of_the_format():
    """Single numbers and inclusive ranges, Return of any JSON value, Throw with and without Cause."""
    config = MockConfig.from_dict(
        {
            "StateMachines": {"Machine": {"TestCases": {"Case": {"A": "R"}, "Empty": {}}}},
            "MockedResponses": {
                "R": {
                    "0": {"Return": [1, "two"]},
                    "1-3": {"Throw": {"Error": "E", "Cause": "c"}},
                    "4": {"Throw": {"Error": "NoCause"}},
                    "5-5": {"Return": None},
                }
            },
        }
    )
    response = config.responses["R"]
    assert (dict(config.test_case("Machine", "Case")), dict(config.test_case("Machine", "Empty")), response) == (
        {"A": response},
        {},
        MockedResponse(
            {
                0: Return([1, "two"]),
                1: Throw("E", "c"),
                2: Throw("E", "c"),
                3: Throw("E", "c"),
                4: Throw("NoCause"),
                5: Return(None),
            },
            name="R",
        ),
    )


def test_every_problem_is_reported_at_once():
    """A malformed file names each problem with its place in the file."""
    document = {
        "StateMachines": {
            "M": {"TestCases": {"T": {"A": "Missing", "B": 3}}, "Extra": 1},
            "N": [],
        },
        "MockedResponses": {
            "R": {
                "0": {"Return": 1, "Throw": {"Error": "E"}},
                "2-1": {"Return": 1},
                "x": {"Return": 1},
                "1-3": {"Throw": {"Cause": 5}},
                "4": {"Return": 1},
                "3-4": {"Return": 2},
            },
            "Empty": {},
        },
        "Other": {},
    }
    with pytest.raises(MockConfigError) as caught:
        MockConfig.from_dict(document, source="MockConfigFile.json")
    assert str(caught.value).splitlines() == [
        "MockConfigFile.json has 12 problems:",
        "- Other: is not a field of a mock configuration (StateMachines, MockedResponses)",
        '- MockedResponses.R["0"]: must hold exactly one field, "Return" or "Throw"',
        '- MockedResponses.R["2-1"]: the key must be an invocation number ("0") or an inclusive range ("1-3")',
        '- MockedResponses.R["x"]: the key must be an invocation number ("0") or an inclusive range ("1-3")',
        '- MockedResponses.R["1-3"].Throw.Cause: must be a string',
        '- MockedResponses.R["1-3"].Throw.Error: is missing: name the error Retry and Catch should see',
        '- MockedResponses.R["3-4"]: answers invocation 4 again: each invocation once',
        '- MockedResponses.Empty: must be a non-empty object of invocations: {"0": {"Return": ...}}',
        "- StateMachines.M.Extra: is not a field of a state machine (only TestCases)",
        "- StateMachines.M.TestCases.T.A: names 'Missing', which MockedResponses lacks (R)",
        "- StateMachines.M.TestCases.T.B: must name a mocked response (a string)",
        '- StateMachines.N: must be an object {"TestCases": {...}}',
    ]


def test_load_reports_a_file_that_is_not_json(tmp_path: Path):
    """A file that is not JSON names itself and the parse error."""
    path = tmp_path / "MockConfigFile.json"
    path.write_text("{not json")
    with pytest.raises(MockConfigError, match=r"MockConfigFile.json has 1 problem:\n- is not JSON: Expecting"):
        MockConfig.load(path)


@pytest.mark.parametrize(
    ("machine", "case", "message"),
    [
        ("Nope", "HappyPath", r"has no state machine 'Nope' \(it has 'LambdaSQSIntegration'\)"),
        ("LambdaSQSIntegration", "Sad", r"has no test case 'Sad' \('HappyPath', 'RetryPath', 'HybridPath'\)"),
    ],
    ids=["machine", "test-case"],
)
def test_unknown_names_list_the_known_ones(machine: str, case: str, message: str):
    """Asking for a test case that is not there lists what is."""
    with pytest.raises(KeyError, match=message):
        CONFIG.test_case(machine, case)


def test_the_file_round_trips_through_json():
    """The loaded configuration is the documented file: reading its JSON again gives an equal configuration."""
    document = json.loads((FIXTURES / "MockConfigFile.json").read_text())
    assert MockConfig.from_dict(document, source=CONFIG.source) == CONFIG
