"""Testing the dragons flow with sfnkit's pytest plugin: ``pytest examples/test_dragons.py`` (add ``--sfnkit-cov``
for the coverage of the flow's states and transitions).

The Lambda functions run for real; SNS is mocked, inline or from ``MockConfigFile.json`` (AWS Step Functions
Local's format, test cases by state machine name). Everything runs in-process on the virtual clock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dragons import TOPIC, dragons

from sfnkit import MockConfig
from sfnkit.testing import Call, Return, Throw

MOCKS = MockConfig.load(Path(__file__).with_name("MockConfigFile.json"))
LAMBDA = "arn:aws:states:::lambda:invoke"
SNS = "arn:aws:states:::sns:publish"


def test_a_new_dragon_is_added_and_announced(sfnkit_run):
    """A new dragon goes through AddDragon, and SNS is told "Record inserted"."""
    run = sfnkit_run(dragons, {"dragon": {"name": "Norbert"}}, mocks=MOCKS.test_case("Dragons", "NewDragon"))
    run.assert_path("ValidateDragon", "IsNew", "AddDragon", "NotifyInserted")
    run.assert_calls(
        (LAMBDA, {"FunctionName": "ValidateDragon", "Payload": {"dragon": {"name": "Norbert"}}}),
        (LAMBDA, {"FunctionName": "AddDragon", "Payload": {"dragon": {"name": "Norbert"}, "is_new": True}}),
        Call(SNS, {"TopicArn": TOPIC, "Message": "Record inserted"}, state="NotifyInserted"),
    )
    run.assert_output({"dragon": {"name": "Norbert"}, "is_new": True, "added": True})


@pytest.mark.parametrize("name", ["Smaug", "Toothless"])
def test_a_known_dragon_is_not_added_again(sfnkit_run, name):
    """A known dragon skips AddDragon (the test case is picked by name from the mock file)."""
    run = sfnkit_run(dragons, {"dragon": {"name": name}}, mocks=MOCKS.test_case("Dragons", "KnownDragon"))
    run.assert_path("ValidateDragon", "IsNew", "NotifyExists").assert_output(
        {"dragon": {"name": name}, "is_new": False}
    )


def test_a_throttled_lambda_fails_the_execution(sfnkit_run):
    """ValidateDragon has no Retry: Lambda throttling fails the execution with Lambda's error and cause."""
    run = sfnkit_run(dragons, {"dragon": {"name": "Puff"}}, mocks=MOCKS.test_case("Dragons", "ValidationThrottled"))
    run.assert_failed("Lambda.TooManyRequestsException", cause="Rate exceeded").assert_path("ValidateDragon")


def test_inline_mocks_replace_a_lambda_too(sfnkit_run):
    """An inline mock stands in for ValidateDragon: its Payload is what the Choice sees."""
    mocks = {
        "ValidateDragon": Return.payload({"dragon": {"name": "Smaug"}, "is_new": True}),
        "AddDragon": Return.payload({"added": "twice"}),
        "NotifyInserted": Throw("SNS.InvalidParameter", "topic is gone"),
    }
    run = sfnkit_run(dragons, {"dragon": {"name": "Smaug"}}, mocks=mocks)
    run.assert_failed("SNS.InvalidParameter").assert_path("ValidateDragon", "IsNew", "AddDragon", "NotifyInserted")
